import ExactArithmetic

/// A closed interval [lo, hi] of rationals: the rigorous evaluation's number (see
/// docs/mathematics.md#rigorous-evaluation).
///
/// Arithmetic is exact on the endpoints; `rounded(significantBits:)` moves them outward to short
/// dyadics, so every operation keeps the true value inside while numbers stay bounded. It is not a
/// `Scalar`: intervals are not totally ordered, and a ReLU or an argmax on an interval that
/// straddles a decision is the evaluator's business, not the number's.
public struct RationalInterval: Sendable, Hashable, CustomStringConvertible {
    public private(set) var lo: Rational
    public private(set) var hi: Rational

    /// [x, x].
    public init(_ x: Rational) {
        lo = x
        hi = x
    }

    /// [lo, hi]; the caller keeps lo ≤ hi.
    public init(lo: Rational, hi: Rational) {
        self.lo = lo
        self.hi = hi
    }

    public static let zero = RationalInterval(.zero)

    /// hi − lo.
    public var width: Rational { hi - lo }
    /// (lo + hi)/2.
    public var midpoint: Rational { (lo + hi) / Rational(2) }
    /// (hi − lo)/2: the radius of the ball around the midpoint.
    public var radius: Rational { width / Rational(2) }
    /// max(|lo|, |hi|).
    public var magnitude: Rational { Swift.max(lo.magnitude, hi.magnitude) }
    /// True when lo ≤ x ≤ hi.
    public func contains(_ x: Rational) -> Bool { lo <= x && x <= hi }
    /// True when the interval is the single point lo = hi.
    public var isPoint: Bool { lo == hi }

    /// The endpoints rounded outward to `bits` significant bits (a point stays exact when it is short).
    public func rounded(significantBits bits: Int) -> RationalInterval {
        RationalInterval(lo: lo.roundedDown(significantBits: bits), hi: hi.roundedUp(significantBits: bits))
    }

    public static func + (a: RationalInterval, b: RationalInterval) -> RationalInterval {
        RationalInterval(lo: a.lo + b.lo, hi: a.hi + b.hi)
    }

    public static func - (a: RationalInterval, b: RationalInterval) -> RationalInterval {
        RationalInterval(lo: a.lo - b.hi, hi: a.hi - b.lo)
    }

    public static prefix func - (a: RationalInterval) -> RationalInterval {
        RationalInterval(lo: -a.hi, hi: -a.lo)
    }

    public static func * (a: RationalInterval, b: RationalInterval) -> RationalInterval {
        if a.isPoint { return b * a.lo }
        if b.isPoint { return a * b.lo }
        let p = [a.lo * b.lo, a.lo * b.hi, a.hi * b.lo, a.hi * b.hi]
        return RationalInterval(lo: p.min() ?? .zero, hi: p.max() ?? .zero)
    }

    /// c·[lo, hi].
    public static func * (a: RationalInterval, c: Rational) -> RationalInterval {
        c.signum >= 0 ? RationalInterval(lo: a.lo * c, hi: a.hi * c) : RationalInterval(lo: a.hi * c, hi: a.lo * c)
    }

    /// [max(lo, 0), max(hi, 0)]: ReLU is monotone.
    public var relu: RationalInterval {
        RationalInterval(lo: lo.signum > 0 ? lo : .zero, hi: hi.signum > 0 ? hi : .zero)
    }

    /// "[lo, hi]", or the point alone.
    public var description: String { isPoint ? lo.description : "[\(lo), \(hi)]" }

    /// Σ aᵢ·xᵢ for exact weights a.
    static func dot(_ a: [Rational], _ x: [RationalInterval]) -> RationalInterval {
        var sum = RationalInterval.zero
        for i in 0..<Swift.min(a.count, x.count) where !a[i].isZero { sum = sum + x[i] * a[i] }
        return sum
    }

    /// Σ xᵢ·yᵢ.
    static func dot(_ x: [RationalInterval], _ y: [RationalInterval]) -> RationalInterval {
        var sum = RationalInterval.zero
        for i in 0..<Swift.min(x.count, y.count) { sum = sum + x[i] * y[i] }
        return sum
    }
}

extension RationalInterval {
    /// [x², …] with the square's true range: [0, max²] when the interval holds 0.
    public var squared: RationalInterval {
        if lo.signum >= 0 { return RationalInterval(lo: lo * lo, hi: hi * hi) }
        if hi.signum <= 0 { return RationalInterval(lo: hi * hi, hi: lo * lo) }
        return RationalInterval(lo: .zero, hi: Swift.max(lo * lo, hi * hi))
    }

    /// An interval holding √x for every x in this one (lo ≥ 0 required; a negative lo counts as 0),
    /// each endpoint within a relative 2^{−bits}.
    public func squareRoot(significantBits bits: Int) -> RationalInterval {
        RationalInterval(lo: RationalInterval.squareRootBounds(Swift.max(lo, .zero), bits: bits).lo,
                         hi: RationalInterval.squareRootBounds(Swift.max(hi, .zero), bits: bits).hi)
    }

    /// l ≤ √x ≤ u: Newton's step s ↦ (s + x/s)/2 from above stays above √x (AM–GM) and is rounded
    /// up; x/u is then below √x.
    static func squareRootBounds(_ x: Rational, bits: Int) -> RationalInterval {
        if x.isZero { return .zero }
        var upper = Rational.powerOfTwo((x.numeratorBitLength - x.denominatorBitLength) / 2 + 2)
        let target = Rational.powerOfTwo(-bits)
        for _ in 0..<400 {
            let lower = x / upper
            if upper - lower <= upper * target { return RationalInterval(lo: lower.roundedDown(significantBits: bits + 8), hi: upper) }
            upper = ((upper + lower) / Rational(2)).roundedUp(significantBits: bits + 8)
        }
        return RationalInterval(lo: (x / upper).roundedDown(significantBits: bits + 8), hi: upper)
    }
}
