/// A number type the transformer evaluator runs on: an ordered field with ReLU.
///
/// One generic evaluator serves every conforming type, as Julia's generic algorithms serve
/// `Rational{BigInt}` and `Float64` alike. `Rational` gives the exact path, `Double` the float64
/// path; nothing in the evaluator knows which one it runs on.
public protocol Scalar: Comparable, Hashable, Sendable, CustomStringConvertible {
    static var zero: Self { get }
    static var one: Self { get }
    static func + (lhs: Self, rhs: Self) -> Self
    static func - (lhs: Self, rhs: Self) -> Self
    static func * (lhs: Self, rhs: Self) -> Self
    /// Quotient; the evaluator divides only by non-zero counts.
    static func / (lhs: Self, rhs: Self) -> Self
    static prefix func - (operand: Self) -> Self

    /// The value of an exact rational in this type (exact for `Rational`, nearest for `Double`).
    init(_ value: Rational)
    /// A small integer.
    init(_ value: Int)

    /// True for types whose arithmetic is exact (equality checks are then meaningful).
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
    public static var isExact: Bool { true }
}

extension Double: Scalar {
    public init(_ value: Rational) { self = value.doubleValue }
    public var bitSize: Int { 0 }
    public static var one: Double { 1 }
    public static var isExact: Bool { false }
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
