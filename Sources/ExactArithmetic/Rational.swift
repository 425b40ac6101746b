import CGMP

/// An exact rational number p/q.
///
/// Canonical by construction: q > 0 and gcd(|p|, q) = 1, always, so `==` and `hash` compare
/// representations. Values whose numerator and denominator fit in a machine word (with the
/// numerator never `Int.min`, so negation and `abs` cannot overflow) live inline; anything larger
/// lives in an immutable GMP `mpq_t`. Every operation returns the inline form whenever the result
/// fits, so the two forms never describe the same value. This mirrors FLINT's `fmpz` and Julia's
/// `Rational{BigInt}`: most numbers the constructions produce are small, and they never touch the heap.
///
/// Division by zero through the `/` operator and `reciprocal` is a programming error and traps;
/// code that divides by user data calls `divided(by:)` or `inverse()`, which throw.
public struct Rational: Sendable {
    @usableFromInline
    enum Storage: Sendable {
        /// numerator, denominator: denominator > 0, gcd 1, numerator ≠ Int.min.
        case small(Int, Int)
        /// A value that does not fit `small`; the box is never mutated after construction.
        case big(GMPRationalBox)
    }

    @usableFromInline var storage: Storage

    @inlinable init(storage: Storage) { self.storage = storage }

    /// The integer `value`.
    @inlinable
    public init(_ value: Int) {
        if value == .min {
            self = Rational.fromReduced(Int128(value), 1)
        } else {
            storage = .small(value, 1)
        }
    }

    /// `numerator / denominator`, reduced. Throws `ArithmeticError.divisionByZero` for a zero denominator.
    public init(numerator: Int, denominator: Int) throws(ArithmeticError) {
        guard denominator != 0 else { throw .divisionByZero }
        var n = Int128(numerator), d = Int128(denominator)
        if d < 0 { n = -n; d = -d }
        self = Rational.reduced(n, UInt128(d))
    }

    public static let zero = Rational(storage: .small(0, 1))
    public static let one = Rational(storage: .small(1, 1))

    // MARK: Building from wide integers and GMP values

    /// A value from an already reduced fraction with positive denominator.
    @usableFromInline
    static func fromReduced(_ n: Int128, _ d: UInt128) -> Rational {
        if let nn = Int(exactly: n), nn != .min, let dd = Int(exactly: d) {
            return Rational(storage: .small(nn, dd))
        }
        return build { q in
            setMPZ(numeratorRef(q), n)
            setMPZ(denominatorRef(q), Int128(d))  // d < 2^127 at every call site
        }
    }

    /// A value from any fraction with positive denominator (reduces first).
    @usableFromInline
    static func reduced(_ n: Int128, _ d: UInt128) -> Rational {
        if n == 0 { return .zero }
        let g = gcdWide(n.magnitude, d)
        return fromReduced(n / Int128(g), d / g)
    }

    /// Builds a value in a fresh GMP box; `body` must leave the `mpq_t` canonical.
    @usableFromInline
    static func build(_ body: (UnsafeMutablePointer<__mpq_struct>) -> Void) -> Rational {
        let box = GMPRationalBox()
        box.withValue(body)
        return Rational(normalizing: box)
    }

    /// Wraps a canonical GMP value, moving it inline when it fits.
    @usableFromInline
    init(normalizing box: GMPRationalBox) {
        let inline: (Int, Int)? = box.withValue { q in
            let n = numeratorRef(q), d = denominatorRef(q)
            guard __gmpz_fits_slong_p(n) != 0, __gmpz_fits_slong_p(d) != 0 else { return nil }
            let nn = __gmpz_get_si(n)
            return nn == .min ? nil : (nn, __gmpz_get_si(d))
        }
        if let (n, d) = inline {
            storage = .small(n, d)
        } else {
            storage = .big(box)
        }
    }

    /// Runs `body` on an `mpq_t` holding this value; `body` must only read it.
    @inlinable
    func withMPQ<R>(_ body: (UnsafeMutablePointer<__mpq_struct>) throws -> R) rethrows -> R {
        switch storage {
        case .big(let box):
            return try box.withValue(body)
        case .small(let n, let d):
            return try withTemporaryMPQ { q in
                __gmpq_set_si(q, n, UInt(d))
                return try body(q)
            }
        }
    }

    @usableFromInline
    static func gmp(
        _ l: Rational, _ r: Rational,
        _ op: (UnsafeMutablePointer<__mpq_struct>, UnsafeMutablePointer<__mpq_struct>, UnsafeMutablePointer<__mpq_struct>) -> Void
    ) -> Rational {
        l.withMPQ { lq in r.withMPQ { rq in build { out in op(out, lq, rq) } } }
    }

    @usableFromInline
    func gmpUnary(_ op: (UnsafeMutablePointer<__mpq_struct>, UnsafeMutablePointer<__mpq_struct>) -> Void) -> Rational {
        withMPQ { q in Rational.build { out in op(out, q) } }
    }
}

/// Errors of exact arithmetic that user data can trigger.
public enum ArithmeticError: Error, Equatable, CustomStringConvertible {
    case divisionByZero
    case nonFiniteDouble(Double)
    case exponentOutOfRange(Int)

    public var description: String {
        switch self {
        case .divisionByZero: return "division by zero"
        case .nonFiniteDouble(let x): return "\(x) is not a finite number"
        case .exponentOutOfRange(let e): return "exponent \(e) is out of the supported range"
        }
    }
}

// MARK: - Arithmetic

extension Rational {
    @inlinable
    public static func + (l: Rational, r: Rational) -> Rational {
        if case let .small(a, b) = l.storage, case let .small(c, d) = r.storage {
            return addSmall(a, b, c, d)
        }
        return gmp(l, r) { __gmpq_add($0, $1, $2) }
    }

    @inlinable
    public static func - (l: Rational, r: Rational) -> Rational {
        if case let .small(a, b) = l.storage, case let .small(c, d) = r.storage {
            return addSmall(a, b, -c, d)  // c ≠ Int.min by invariant
        }
        return gmp(l, r) { __gmpq_sub($0, $1, $2) }
    }

    @inlinable
    public static prefix func - (x: Rational) -> Rational {
        if case let .small(a, b) = x.storage { return Rational(storage: .small(-a, b)) }
        return x.gmpUnary { __gmpq_neg($0, $1) }
    }

    @inlinable
    public static func * (l: Rational, r: Rational) -> Rational {
        if case let .small(a, b) = l.storage, case let .small(c, d) = r.storage {
            return multiplySmall(a, b, c, d)
        }
        return gmp(l, r) { __gmpq_mul($0, $1, $2) }
    }

    /// Exact quotient; traps when `r` is zero (use `divided(by:)` for user data).
    @inlinable
    public static func / (l: Rational, r: Rational) -> Rational {
        precondition(!r.isZero, "Rational division by zero")
        return l * r.reciprocal
    }

    /// Exact quotient, throwing on a zero divisor.
    public func divided(by r: Rational) throws(ArithmeticError) -> Rational {
        guard !r.isZero else { throw .divisionByZero }
        return self * r.reciprocal
    }

    /// 1/x, throwing on zero.
    public func inverse() throws(ArithmeticError) -> Rational {
        guard !isZero else { throw .divisionByZero }
        return reciprocal
    }

    /// 1/x; traps on zero.
    @inlinable
    public var reciprocal: Rational {
        switch storage {
        case .small(let a, let b):
            precondition(a != 0, "reciprocal of zero")
            return a > 0 ? Rational(storage: .small(b, a)) : Rational(storage: .small(-b, -a))
        case .big:
            return gmpUnary { __gmpq_inv($0, $1) }
        }
    }

    @inlinable public static func += (l: inout Rational, r: Rational) { l = l + r }
    @inlinable public static func -= (l: inout Rational, r: Rational) { l = l - r }
    @inlinable public static func *= (l: inout Rational, r: Rational) { l = l * r }

    @usableFromInline
    static func addSmall(_ a: Int, _ b: Int, _ c: Int, _ d: Int) -> Rational {
        if b == d {
            if b == 1 {
                let (s, overflow) = a.addingReportingOverflow(c)
                if !overflow && s != .min { return Rational(storage: .small(s, 1)) }
                return fromReduced(Int128(a) + Int128(c), 1)
            }
            return reduced(Int128(a) + Int128(c), UInt128(b))
        }
        let g = gcdWord(UInt(b), UInt(d))
        if g == 1 {
            // gcd(b, d) = 1 makes (ad + cb)/(bd) already reduced.
            return fromReduced(Int128(a) * Int128(d) + Int128(c) * Int128(b), UInt128(b) * UInt128(d))
        }
        let bg = b / Int(g), dg = d / Int(g)
        let t = Int128(a) * Int128(dg) + Int128(c) * Int128(bg)
        if t == 0 { return .zero }
        let g2 = gcdWide(t.magnitude, g)
        return fromReduced(t / Int128(g2), UInt128(bg) * UInt128(d / Int(g2)))
    }

    @usableFromInline
    static func multiplySmall(_ a: Int, _ b: Int, _ c: Int, _ d: Int) -> Rational {
        if a == 0 || c == 0 { return .zero }
        let g1 = Int(gcdWord(a.magnitude, UInt(d))), g2 = Int(gcdWord(c.magnitude, UInt(b)))
        let an = a / g1, dn = d / g1, cn = c / g2, bn = b / g2
        let (n, o1) = an.multipliedReportingOverflow(by: cn)
        let (q, o2) = bn.multipliedReportingOverflow(by: dn)
        if !o1 && !o2 && n != .min { return Rational(storage: .small(n, q)) }
        return fromReduced(Int128(an) * Int128(cn), UInt128(bn) * UInt128(dn))
    }

    /// x^e by repeated squaring; a negative exponent needs a non-zero base.
    public func power(_ e: Int) throws(ArithmeticError) -> Rational {
        guard e > Int.min else { throw .exponentOutOfRange(e) }
        if e < 0 { return try inverse().power(-e) }
        var result = Rational.one, base = self, k = e
        while k > 0 {
            if k & 1 == 1 { result *= base }
            k >>= 1
            if k > 0 { base *= base }
        }
        return result
    }
}

// MARK: - Properties

extension Rational {
    @inlinable
    public var isZero: Bool {
        if case .small(0, _) = storage { return true }
        return false
    }

    /// True when the denominator is 1.
    @inlinable
    public var isInteger: Bool {
        switch storage {
        case .small(_, let d): return d == 1
        case .big(let box): return box.withValue { __gmpz_cmp_ui(denominatorRef($0), 1) == 0 }
        }
    }

    /// -1, 0 or 1.
    @inlinable
    public var signum: Int {
        switch storage {
        case .small(let a, _): return a.signum()
        case .big(let box): return box.withValue { Int(numeratorRef($0).pointee._mp_size.signum()) }
        }
    }

    @inlinable
    public var magnitude: Rational { signum < 0 ? -self : self }

    /// Number of bits of |numerator| (0 for zero).
    public var numeratorBitLength: Int {
        switch storage {
        case .small(let a, _): return Int.bitWidth - a.magnitude.leadingZeroBitCount
        case .big(let box): return box.withValue { Int(__gmpz_sizeinbase(numeratorRef($0), 2)) }
        }
    }

    /// Number of bits of the denominator (1 for integers).
    public var denominatorBitLength: Int {
        switch storage {
        case .small(_, let d): return Int.bitWidth - d.leadingZeroBitCount
        case .big(let box): return box.withValue { Int(__gmpz_sizeinbase(denominatorRef($0), 2)) }
        }
    }

    /// The numerator, as an integer-valued `Rational`.
    public var numerator: Rational {
        switch storage {
        case .small(let a, _): return Rational(a)
        case .big: return gmpUnary { out, q in __gmpq_set_z(out, numeratorRef(q)) }
        }
    }

    /// The denominator, as an integer-valued `Rational`.
    public var denominator: Rational {
        switch storage {
        case .small(_, let d): return Rational(d)
        case .big: return gmpUnary { out, q in __gmpq_set_z(out, denominatorRef(q)) }
        }
    }

    /// The largest integer ≤ x.
    public var floor: Rational { rounded(towardPositive: false) }

    /// The smallest integer ≥ x.
    public var ceiling: Rational { rounded(towardPositive: true) }

    private func rounded(towardPositive: Bool) -> Rational {
        switch storage {
        case .small(let a, let b):
            if b == 1 { return self }
            var q = a / b
            if towardPositive ? a > 0 : a < 0 { q += towardPositive ? 1 : -1 }
            return Rational(q)
        case .big:
            return gmpUnary { out, q in
                withTemporaryMPZ { z in
                    if towardPositive {
                        __gmpz_cdiv_q(z, numeratorRef(q), denominatorRef(q))
                    } else {
                        __gmpz_fdiv_q(z, numeratorRef(q), denominatorRef(q))
                    }
                    __gmpq_set_z(out, z)
                }
            }
        }
    }

    /// The value as a machine integer, if it is an integer that fits.
    public var exactInt: Int? {
        switch storage {
        case .small(let a, let d): return d == 1 ? a : nil
        case .big(let box):
            // Int.min is the one machine integer kept in GMP (inline numerators exclude it).
            return box.withValue { q in
                __gmpz_cmp_ui(denominatorRef(q), 1) == 0 && __gmpz_fits_slong_p(numeratorRef(q)) != 0
                    ? __gmpz_get_si(numeratorRef(q)) : nil
            }
        }
    }
}

// MARK: - Comparison and hashing

extension Rational: Comparable, Hashable {
    @inlinable
    public static func == (l: Rational, r: Rational) -> Bool {
        switch (l.storage, r.storage) {
        case let (.small(a, b), .small(c, d)): return a == c && b == d
        case let (.big(x), .big(y)): return x.withValue { xq in y.withValue { yq in __gmpq_equal(xq, yq) != 0 } }
        default: return false  // canonical forms: a small and a big value always differ
        }
    }

    @inlinable
    public static func < (l: Rational, r: Rational) -> Bool {
        if case let .small(a, b) = l.storage, case let .small(c, d) = r.storage {
            if b == d { return a < c }
            return Int128(a) * Int128(d) < Int128(c) * Int128(b)
        }
        return l.withMPQ { lq in r.withMPQ { rq in __gmpq_cmp(lq, rq) < 0 } }
    }

    public func hash(into hasher: inout Hasher) {
        switch storage {
        case .small(let a, let b):
            hasher.combine(a)
            hasher.combine(b)
        case .big(let box):
            box.withValue { q in
                hasher.combine(__gmpz_get_si(numeratorRef(q)))
                hasher.combine(__gmpz_sizeinbase(numeratorRef(q), 2))
                hasher.combine(__gmpz_get_ui(denominatorRef(q)))
                hasher.combine(__gmpz_sizeinbase(denominatorRef(q), 2))
            }
        }
    }
}

// MARK: - Text

extension Rational: CustomStringConvertible, ExpressibleByIntegerLiteral {
    /// "p/q", or "p" for an integer.
    public var description: String {
        switch storage {
        case .small(let a, let b):
            return b == 1 ? String(a) : "\(a)/\(b)"
        case .big(let box):
            return box.withValue { q in
                let n = decimalString(numeratorRef(q))
                return __gmpz_cmp_ui(denominatorRef(q), 1) == 0 ? n : n + "/" + decimalString(denominatorRef(q))
            }
        }
    }

    public init(integerLiteral value: Int) { self.init(value) }
}

extension Rational: Codable {
    /// Encoded as its exact text "p/q".
    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        self = try Rational(parsing: c.decode(String.self))
    }
}
