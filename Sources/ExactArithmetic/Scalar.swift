/// A number type the transformer evaluator runs on: an ordered field with ReLU.
///
/// It refines the standard library's numeric protocols — `SignedNumeric` (+, −, ·, negation, 0,
/// integer literals, magnitude) and `Comparable` — and adds the one operation they lack, division
/// (docs/architecture.md says why not swift-numerics' `AlgebraicField`). `Rational` is the exact
/// scalar, `Double` the float64 one. One generic evaluator serves both, but not blindly: the type
/// supplies what the evaluator may do with its arithmetic (`isExact`) and how large its values are
/// (`bitSize`, which the resource limit measures).
public protocol Scalar: SignedNumeric, Comparable, Hashable, Sendable, CustomStringConvertible {
    /// 1 (conformers satisfy it with a `static let`).
    static var one: Self { get }
    /// Quotient; the evaluator divides only by non-zero counts.
    static func / (lhs: Self, rhs: Self) -> Self

    /// The value of an exact rational in this type (exact for `Rational`, nearest for `Double`).
    init(_ value: Rational)
    /// A small integer.
    init(_ value: Int)

    /// True when arithmetic is exact: results do not depend on the order of operations and `==` is
    /// equality of values. The evaluator then may reassociate (prefix sums over a layer's sorted
    /// kinks, one axpy per token), reuse a token's projections between layers, and decide hardmax
    /// ties and ReLU signs. False (rounding arithmetic): it runs the plain loop's operations in the
    /// plain loop's order, so float64 results agree bit for bit with the NumPy package
    /// (docs/interop.md), and writes values as numbers, not exact text. Conformers set it with a
    /// `static let`.
    static var isExact: Bool { get }

    /// ⟨a, b⟩ of two vectors of one length (unequal lengths are a programming error: the
    /// readers check every dimension first). Conformers may override it with a faster algorithm.
    static func dot(_ a: [Self], _ b: [Self]) -> Self

    /// The larger of the numerator's and the denominator's bit lengths (exact types), 0 for
    /// fixed-size types: what resource limits on exact evaluation measure.
    var bitSize: Int { get }
}

extension Scalar {
    /// max(x, 0).
    @inlinable
    public var relu: Self { self > .zero ? self : .zero }

    @inlinable
    public static func dot(_ a: [Self], _ b: [Self]) -> Self {
        precondition(a.count == b.count, "dot of vectors of lengths \(a.count) and \(b.count)")
        var sum = Self.zero
        for i in 0..<a.count { sum = sum + a[i] * b[i] }
        return sum
    }
}

extension Rational: Scalar {
    public init(_ value: Rational) { self = value }
    public var bitSize: Int { Swift.max(numeratorBitLength, denominatorBitLength) }
    public static let isExact = true

    /// The integer `source` exactly (`Numeric`; never nil: every integer is a rational).
    public init?<T: BinaryInteger>(exactly source: T) {
        if let small = Int(exactly: source) {
            self.init(small)
            return
        }
        guard let value = try? Rational(parsing: String(source)) else { return nil }
        self = value
    }
}

extension Double: Scalar {
    public init(_ value: Rational) { self = value.doubleValue }
    public var bitSize: Int { 0 }
    public static let one: Double = 1
    public static let isExact = false
}

// MARK: - Vector helpers

/// ⟨a, b⟩.
@inlinable
public func dot<S: Scalar>(_ a: [S], _ b: [S]) -> S { S.dot(a, b) }

/// y ← y + a·x (x and y of one length: unequal lengths trap, never truncate).
@inlinable
public func axpy<S: Scalar>(_ a: S, _ x: [S], _ y: inout [S]) {
    precondition(x.count == y.count, "axpy of vectors of lengths \(x.count) and \(y.count)")
    if a == .zero { return }
    for i in 0..<x.count { y[i] = y[i] + a * x[i] }
}

/// a·x.
@inlinable
public func scaled<S: Scalar>(_ x: [S], by a: S) -> [S] { x.map { a * $0 } }

/// x + y (one length: unequal lengths trap, never truncate).
@inlinable
public func added<S: Scalar>(_ x: [S], _ y: [S]) -> [S] {
    precondition(x.count == y.count, "sum of vectors of lengths \(x.count) and \(y.count)")
    return zip(x, y).map { $0 + $1 }
}

/// x − y (one length: unequal lengths trap, never truncate).
@inlinable
public func subtracted<S: Scalar>(_ x: [S], _ y: [S]) -> [S] {
    precondition(x.count == y.count, "difference of vectors of lengths \(x.count) and \(y.count)")
    return zip(x, y).map { $0 - $1 }
}

/// M x for M given by rows.
@inlinable
public func matrixVector<S: Scalar>(_ rows: [[S]], _ x: [S]) -> [S] { rows.map { S.dot($0, x) } }

/// u vᵀ, as rows.
@inlinable
public func outer<S: Scalar>(_ u: [S], _ v: [S]) -> [[S]] { u.map { ui in v.map { ui * $0 } } }

/// |x|².
@inlinable
public func squaredNorm<S: Scalar>(_ x: [S]) -> S { S.dot(x, x) }

// MARK: - Formatting

/// A token as every message, report and check writes it: "[x_1, …, x_d]" with each coordinate an
/// exact rational ("(x_1, …, x_d)" with `parenthesised`, for points of the dynamics and the
/// construction's stage messages). The one formatter: the other spellings call it.
public func tokenDescription(_ x: [Rational], parenthesised: Bool = false) -> String {
    let inner = x.map(\.description).joined(separator: ", ")
    return parenthesised ? "(" + inner + ")" : "[" + inner + "]"
}
