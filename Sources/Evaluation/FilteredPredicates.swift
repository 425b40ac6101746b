import ExactArithmetic

/// Float64 filters for the exact evaluator's decisions, in the style of CGAL's filtered predicates
/// (docs/mathematics.md#filtered-exact-evaluation).
///
/// The exact path decides two kinds of signs: which neurons are active (t > −b_j) and which keys
/// attain a hardmax score's maximum; nothing else depends on a comparison. Each decision is
/// first taken on doubles with a rigorous bound on their distance to the exact values; only when
/// the bound cannot decide does the caller compare exact rationals. A filter never decides a sign
/// it cannot prove, so the filtered evaluation returns the unfiltered one's values exactly.
///
/// The bound (derivation in docs/mathematics.md#filtered-exact-evaluation): every input is the
/// nearest double x̃ of an exact rational x, with |x − x̃| ≤ u·|x̃|, u = 2⁻⁵³, and is refused
/// (nil: the caller compares exactly) unless x̃ = 0 exactly when x = 0, or 2⁻⁴⁰⁰ ≤ |x̃| ≤ 2⁴⁰⁰.
/// In that range no product or sum of at most 2²⁰ terms overflows or underflows, so the standard
/// model fl(a ∘ b) = (a ∘ b)(1 + δ), |δ| ≤ u, holds for every operation below.
enum FloatFilter {
    static let unitRoundoff = 0x1p-53
    static let smallest = 0x1p-400
    static let largest = 0x1p400

    /// The nearest double of `x`, or nil when it lies outside the filter's safe range (or rounds
    /// to zero without being zero).
    @inline(__always)
    static func approximation(_ x: Rational) -> Double? {
        if x.isZero { return 0 }
        let d = x.doubleValue
        let m = d.magnitude
        return m >= smallest && m <= largest ? d : nil  // NaN and ±∞ fail too
    }

    /// The nearest doubles of a vector's coordinates, nil when one is outside the safe range.
    static func approximations(_ x: [Rational]) -> [Double]? {
        var out = [Double](repeating: 0, count: x.count)
        for i in x.indices {
            guard let d = approximation(x[i]) else { return nil }
            out[i] = d
        }
        return out
    }

    /// The nearest doubles of an exact scalar vector (nil for floating-point scalars: nothing to
    /// filter, or when a coordinate is outside the safe range).
    @inline(__always)
    static func approximations<S: Scalar>(of x: [S]) -> [Double]? {
        guard S.self == Rational.self else { return nil }
        return approximations(unsafeBitCast(x, to: [Rational].self))
    }

    /// The bound on |x − x̃| of one converted value: u·|x̃| (doubled, for margin; exact in
    /// floating point, a power-of-two scaling in the safe range).
    @inline(__always)
    static func conversionError(_ approximation: Double) -> Double { 0x1p-52 * approximation.magnitude }

    /// ⟨a, b⟩ of two converted vectors (count entries from the given offsets): the double t̃
    /// computed left to right and a bound E with |⟨a, b⟩ − t̃| ≤ E for the exact vectors the
    /// doubles approximate. E = (n + 4)·u·fl(Σ|ã_i||b̃_i|), which covers the conversion errors
    /// (2u + u²)·Σ|ã_i b̃_i|, the dot product's γ_n·Σ|ã_i b̃_i| and the rounding of the sum of
    /// magnitudes and of E itself, for n ≤ 2²⁰ (longer vectors get E = ∞: never decided).
    @inline(__always)
    static func dot(_ a: UnsafeBufferPointer<Double>, _ aOffset: Int, _ b: UnsafeBufferPointer<Double>, _ bOffset: Int,
                    count n: Int) -> (value: Double, error: Double) {
        if n > 1 << 20 { return (0, .infinity) }
        var s = 0.0, p = 0.0
        for i in 0..<n {
            let x = a[aOffset &+ i] * b[bOffset &+ i]
            s += x
            p += x.magnitude
        }
        return (s, Double(n + 4) * unitRoundoff * p)
    }

    /// ⟨a, b⟩ of two converted vectors of one length, with its bound (see the buffer form).
    static func dot(_ a: [Double], _ b: [Double]) -> (value: Double, error: Double) {
        a.withUnsafeBufferPointer { a in b.withUnsafeBufferPointer { b in dot(a, 0, b, 0, count: min(a.count, b.count)) } }
    }

    /// The sign of x − y for exact values within `ex` of x̃ and `ey` of ỹ: 1 or −1 when proved,
    /// nil when the bounds overlap. Proof: with D̃ = fl(x̃ − ỹ) = (x̃ − ỹ)(1 + δ) and
    /// fl(ex + ey) ≥ (ex + ey)(1 − u), D̃ > 2·fl(ex + ey) gives x̃ − ỹ > ex + ey, so x > y.
    @inline(__always)
    static func sign(_ x: Double, _ ex: Double, _ y: Double, _ ey: Double) -> Int? {
        let d = x - y, e = 2 * (ex + ey)
        if d > e { return 1 }
        if d < -e { return -1 }
        return nil
    }
}

/// How the exact evaluator decides the signs it needs (ReLU activity, hardmax argmax sets).
///
/// `.exact` (the default) decides every sign in ℚ: the exact path never touches a double.
/// `.float64Filter` first tries each sign on doubles with a proved error bound (`FloatFilter`,
/// docs/mathematics.md#filtered-exact-evaluation) and compares in ℚ only when the bound cannot
/// decide. The values are the same either way (the filter never decides a sign it cannot prove);
/// the filter is faster, and adds the bound's derivation and IEEE 754 round-to-nearest to what a
/// reviewer must trust, so it is an explicit choice (`verify --float-filter`).
public enum SignDecisions: Sendable, Equatable {
    case exact
    case float64Filter
}
