import ExactArithmetic

/// Rational upper and lower bounds of e^{−x}, computed without floating point (see docs/mathematics.md#enclosure-certificate).
///
/// Range reduction with powers of two: write x = k·L + f with L a rational bound of ln 2 and
/// 0 ≤ f < L. Then e^{−x} = e^{−kL}·e^{−f}, and
/// - with L = L⁺ > ln 2, e^{−kL⁺} ≤ 2^{−k}, so e^{−x} ≤ 2^{−k}·P₁₂(f);
/// - with L = L⁻ < ln 2, e^{−kL⁻} ≥ 2^{−k}, so e^{−x} ≥ 2^{−k}·P₁₃(f),
/// where P_m(f) = Σ_{i≤m} (−f)^i/i! is the Taylor polynomial of e^{−f}. For 0 ≤ f < 1 the series
/// alternates with decreasing terms, so stopping after an even power overestimates and after an
/// odd power underestimates (the remainder has the sign of the first omitted term). The relative
/// gap between the bounds is below 2^{−30}.
///
/// Results are rounded outward to dyadics with `significantBits` bits, so they stay short whatever
/// x is. Below 2^{−floorExponent} the upper bound is clamped to 2^{−floorExponent}: a larger upper
/// bound is still an upper bound, and the clamp keeps denominators bounded when a score gap is huge
/// compared with the temperature (the enclosure evaluator chooses the floor: `EnclosureEvaluator`).
public enum ExponentialBounds {
    /// 0.6931471805599453 < ln 2 = 0.69314718055994530941… < 0.6931471805599454.
    public static let ln2Lower = Rational.fraction(6_931_471_805_599_453, 10_000_000_000_000_000)
    public static let ln2Upper = Rational.fraction(6_931_471_805_599_454, 10_000_000_000_000_000)

    /// Significant bits kept in the results.
    public static let significantBits = 32
    /// The upper bound never goes below 2^{−floorExponent} (the default of `upperNegativeExp`).
    public static let floorExponent = 4096

    /// From x = (floor + 1)·L⁺ on, `upperNegativeExp(x, floorExponent: floor)` is the clamp 2^{−floor}
    /// (x shortened by a relative 2^{−47} still has k ≥ floor), so such x need not be known exactly.
    public static func saturation(floorExponent floor: Int = floorExponent) -> Rational {
        Rational(floor + 1) * ln2Upper
    }

    /// A rational U(x) ≥ e^{−x} for x ≥ 0 (the certificate only bounds weights of keys whose score
    /// gap it has proved positive, so a negative x is a programming error).
    public static func upperNegativeExp(_ x: Rational, floorExponent: Int = floorExponent) -> Rational {
        upperNegativeExpAndClamp(x, floorExponent: floorExponent).bound
    }

    /// `upperNegativeExp` and whether the result is the clamp 2^{−floorExponent}. When it is not, any
    /// larger floor gives the same bound.
    public static func upperNegativeExpAndClamp(_ x: Rational, floorExponent: Int = floorExponent) -> (bound: Rational, clamped: Bool) {
        precondition(x.signum >= 0, "upperNegativeExp needs x ≥ 0")
        if x.isZero { return (.one, false) }
        let clamp = Rational.powerOfTwo(-floorExponent)
        // A smaller x gives a larger e^{−x}: shorten x downwards first.
        let short = x.roundedDown(significantBits: 48)
        let k = (short / ln2Upper).floor
        guard let kk = k.exactInt, kk < floorExponent else { return (clamp, true) }
        let f = short - k * ln2Upper
        let bound = taylor(f, degree: 12).roundedUp(significantBits: significantBits).timesPowerOfTwo(-kk)
        return bound > clamp ? (bound, false) : (clamp, true)
    }

    /// A rational L(x) with 0 ≤ L(x) ≤ e^{−x} for x ≥ 0; positive unless x > 2^16·ln 2, where it
    /// is 0 rather than a number with tens of thousands of bits.
    public static func lowerNegativeExp(_ x: Rational) -> Rational {
        precondition(x.signum >= 0, "lowerNegativeExp needs x ≥ 0")
        if x.isZero { return .one }
        // A larger x gives a smaller e^{−x}: shorten x upwards first.
        let short = x.roundedUp(significantBits: 48)
        let k = (short / ln2Lower).floor
        let f = short - k * ln2Lower
        let p = taylor(f, degree: 13).roundedDown(significantBits: significantBits)
        guard let kk = k.exactInt, kk < 1 << 16 else { return .zero }
        return p.timesPowerOfTwo(-kk)
    }

    /// Σ_{i≤degree} (−f)^i / i!.
    static func taylor(_ f: Rational, degree: Int) -> Rational {
        var term = Rational.one
        var sum = Rational.one
        for i in 1...degree {
            term = -(term * f) / Rational(i)
            sum += term
        }
        return sum
    }
}

extension Rational {
    /// n/d for a non-zero constant d (a programming constant, never user data).
    static func fraction(_ n: Int, _ d: Int) -> Rational { Rational(n) / Rational(d) }
}

extension ExponentialBounds {
    /// ln 2 to 60 decimals, rounded down: 0.693147180559945309417232121458176568075500134360255254120680…
    static let preciseLn2Lower: Rational = {
        let digits = "693147180559945309417232121458176568075500134360255254120680"
        return (try? Rational(parsing: "0." + digits)) ?? ln2Lower
    }()
    /// ln 2 rounded up at the 60th decimal.
    static let preciseLn2Upper: Rational = preciseLn2Lower + Rational.one / ((try? Rational(10).power(60)) ?? .one)

    /// An interval [L, U] ∋ e^{−y} for y ≥ 0 whose relative width is below about 2^{−bits}
    /// (bits ≤ 180: ln 2 is known to 60 decimals), for evaluation at a fixed temperature
    /// (docs/mathematics.md#rigorous-evaluation).
    ///
    /// y = k·L + f with L a bound of ln 2 and 0 ≤ f < 1, so e^{−y} = 2^{−k}·e^{−(y − k ln 2)}: with
    /// L⁺ > ln 2 the remainder f⁺ = y − kL⁺ ≤ y − k ln 2 gives the upper bound, with L⁻ < ln 2 the
    /// lower one. e^{−f} is the alternating Taylor series, summed until a term drops below
    /// 2^{−bits−24}; the remainder is at most the first omitted term, and each term is rounded to
    /// bits + 40 bits, an error accounted for. Beyond k = 2^14 the upper bound is 2^{−2^14} and the
    /// lower one 0: still an enclosure, with numbers that stay short.
    public static func negativeExp(_ y: Rational, bits: Int) -> RationalInterval {
        precondition(y.signum >= 0, "negativeExp needs y ≥ 0")
        if y.isZero { return RationalInterval(.one) }
        let cap = 1 << 14
        func side(_ ln2: Rational, upper: Bool) -> Rational {
            let k = (y / ln2).floor
            guard let kk = k.exactInt, kk < cap else { return upper ? Rational.powerOfTwo(-cap) : .zero }
            let f = y - k * ln2
            let (sum, error) = taylorNegativeExp(f, bits: bits)
            let bound = upper ? sum + error : Swift.max(.zero, sum - error)
            let rounded = upper ? bound.roundedUp(significantBits: bits + 8) : bound.roundedDown(significantBits: bits + 8)
            return rounded.timesPowerOfTwo(-kk)
        }
        return RationalInterval(lo: side(preciseLn2Lower, upper: false), hi: side(preciseLn2Upper, upper: true))
    }

    /// Σ (−f)^i/i! for 0 ≤ f < 1 until a term is below 2^{−bits−24}, with a bound on the error
    /// (the first omitted term, plus the rounding of the terms).
    static func taylorNegativeExp(_ f: Rational, bits: Int) -> (sum: Rational, error: Rational) {
        let keep = bits + 40
        let small = Rational.powerOfTwo(-bits - 24)
        var term = Rational.one
        var sum = Rational.one
        var i = 1
        // Terms decrease (f < 1 ≤ i), so the alternating remainder is at most the next term.
        while true {
            term = (term * f / Rational(i)).roundedUp(significantBits: keep)
            if term < small { break }
            sum += i % 2 == 0 ? term : -term
            i += 1
        }
        // The i-th computed term is at most its value·(1 + 2^{1−keep})^i ≤ its value·(1 + i·2^{2−keep}),
        // and the terms sum to less than e < 3: the rounding adds at most 3·i·2^{2−keep}.
        let rounding = Rational(3 * i).timesPowerOfTwo(2 - keep)
        return (sum, term + rounding)
    }
}
