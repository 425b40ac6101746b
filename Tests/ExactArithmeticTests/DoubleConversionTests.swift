import CGMP
@testable import ExactArithmetic
import PropertyBased
import Testing

// Doubles in and out: every finite double converts exactly and comes back bit for bit, and
// `doubleValue` rounds to nearest, ties to even, including halfway values, subnormals and overflow.

/// Why `d` is not `r` rounded to nearest-even, or nil when it is. An independent exact check:
/// `d` must lie within half an ulp of `r` on both sides, and on a tie `d` must be the even one.
/// Beyond the largest double the next "double" is 2^1024, so values from max + 2^970 on are ±∞.
func nearestEvenViolation(_ r: Rational, _ d: Double) -> String? {
    let max = Double.greatestFiniteMagnitude
    let overflowThreshold = pow2(1024) - pow2(970)  // max + half an ulp of max
    if d.isNaN { return "NaN" }
    if d.isInfinite {
        if (d > 0) != (r.signum > 0) { return "wrong-signed infinity" }
        return r.magnitude >= overflowThreshold ? nil : "overflowed to ∞ below max + ulp/2"
    }
    let rd = (try? Rational(exactly: d)) ?? .zero
    let up = d == max ? pow2(1024) : (try? Rational(exactly: d.nextUp)) ?? .zero
    let down = d == -max ? -pow2(1024) : (try? Rational(exactly: d.nextDown)) ?? .zero
    let half = q("1/2")
    let upperMid = (rd + up) * half, lowerMid = (rd + down) * half
    if r > upperMid { return "too small: \(r) is above the midpoint to the next double" }
    if r < lowerMid { return "too large: \(r) is below the midpoint to the previous double" }
    let even = d.significandBitPattern & 1 == 0
    if (r == upperMid || r == lowerMid) && !even { return "tie not rounded to even" }
    return nil
}

/// Values halfway between neighbouring doubles and just off halfway, across normal, subnormal
/// and overflow ranges.
struct RoundingCase: CustomStringConvertible, Sendable {
    let value: Rational
    var description: String { value.description }
}

let roundingCases = Generator<RoundingCase, Shrink.None<RoundingCase>>(run: { rng in
    var x = abs(randomFiniteDouble(using: &rng))
    if rng.next() % 8 == 0 { x = Double.greatestFiniteMagnitude.nextDown.nextDown }
    let lo = (try? Rational(exactly: x)) ?? .zero
    let next = x.nextUp
    let hi = next.isInfinite ? pow2(1024) : (try? Rational(exactly: next)) ?? .zero
    var value = (lo + hi) * q("1/2")
    // Just off the tie by a tiny, often non-dyadic, amount (1/(3·2^k) or 1/(2^k + 1)).
    switch rng.next() % 3 {
    case 0: break
    case 1:
        let k = 1100 + Int(rng.next() % 1000)
        let eps = rng.next() % 2 == 0 ? (pow2(k) * q("3")).reciprocal : (pow2(k) + .one).reciprocal
        value = rng.next() % 2 == 0 ? value + eps : value - eps
    default:
        // A random point strictly between the two doubles.
        let t = (try? Rational(numerator: Int(rng.next() % 1_000_000) + 1, denominator: 1_000_001)) ?? .zero
        value = lo + (hi - lo) * t
    }
    return RoundingCase(value: rng.next() % 2 == 0 ? value : -value)
})

@Suite("Double conversions")
struct DoubleConversionTests {
    @Test("every finite double converts exactly and round-trips bit for bit")
    func roundTrip() async {
        let doubles = Generator<Double, Shrink.None<Double>>(run: { rng in randomFiniteDouble(using: &rng) })
        await propertyCheck(count: lawCases, input: doubles) { x in
            guard let r = try? Rational(exactly: x) else {
                Issue.record("\(x) rejected")
                return
            }
            expectCanonical(r, "Rational(exactly: \(x))")
            #expect(r.description == RefQ(double: x).description, "exact value of \(x) (bits \(x.bitPattern))")
            let back = r.doubleValue
            #expect(back == x, "round trip of \(x)")
            if x != 0 { #expect(back.bitPattern == x.bitPattern, "bits of \(x)") }
        }
    }

    @Test("edge doubles round-trip", arguments: [
        0.0, -0.0, Double.leastNonzeroMagnitude, -Double.leastNonzeroMagnitude,
        Double.leastNormalMagnitude, Double.leastNormalMagnitude.nextDown, -Double.leastNormalMagnitude,
        Double.greatestFiniteMagnitude, -Double.greatestFiniteMagnitude, 1.0, -1.0, 0.1, 1.0 / 3.0,
        9007199254740992.0, 9007199254740993.0, 4611686018427387904.0, 9223372036854775808.0,
        -9223372036854775808.0, 18446744073709551616.0, 0x1p-62, 0x1p-63, 0x1.fffffffffffffp-1,
    ])
    func edges(_ x: Double) throws {
        let r = try Rational(exactly: x)
        #expect(r.description == RefQ(double: x).description)
        #expect(r.doubleValue == x)
        expectCanonical(r, "\(x)")
    }

    @Test("doubleValue rounds random rationals to nearest-even")
    func randomRounding() async {
        await propertyCheck(count: lawCases, input: rationals) { r in
            if let why = nearestEvenViolation(r, r.doubleValue) { Issue.record("\(r) → \(r.doubleValue): \(why)") }
        }
    }

    @Test("doubleValue on halfway and near-halfway values, subnormal to overflow")
    func hardRounding() async {
        await propertyCheck(count: lawCases, input: roundingCases) { c in
            let d = c.value.doubleValue
            if let why = nearestEvenViolation(c.value, d) { Issue.record("\(c.value) → \(d): \(why)") }
        }
    }

    @Test("named rounding cases")
    func namedCases() {
        let tiny = Double.leastNonzeroMagnitude, max = Double.greatestFiniteMagnitude
        let cases: [(Rational, Double)] = [
            (pow2(53) + .one, 9007199254740992.0),                 // tie → even (down)
            (pow2(53) + q("3"), 9007199254740996.0),               // tie → even (up)
            (pow2(53) + q("1") + pow2(-60), 9007199254740994.0),   // just above the tie
            (q("1") + pow2(-53), 1.0),                             // tie at 1 → 1
            (q("1") + pow2(-53) + pow2(-200), 1.0.nextUp),
            (q("1") - pow2(-54), 1.0),                             // tie below 1 → 1 (even)
            (q("2/3"), 2.0 / 3.0), (q("-1/3"), -1.0 / 3.0), (q("1/10"), 0.1),
            (pow2(-1075), 0.0),                                    // half the least subnormal → 0
            (-pow2(-1075), -0.0),
            (pow2(-1075) + pow2(-3000), tiny),
            (pow2(-1075) * q("3"), 2 * tiny),                      // 1.5 ulp → 2 ulp (even)
            (pow2(-1075) * q("5"), 2 * tiny),                      // 2.5 ulp → 2 ulp (even)
            (pow2(-1074) * q("1/3"), 0.0), (pow2(-1074) * q("2/3"), tiny),
            (pow2(-1022) - pow2(-1076), Double.leastNormalMagnitude),  // subnormal rounds up to normal
            (pow2(-100000), 0.0), (-pow2(-100000), -0.0),
            (pow2(1024) - pow2(970), .infinity),                   // max + ulp/2: tie → ∞ (even)
            (pow2(1024) - pow2(970) - pow2(-50), max),
            (-(pow2(1024) - pow2(970)), -.infinity),
            (pow2(1024), .infinity), (pow2(5000), .infinity), (-pow2(5000) / q("3"), -.infinity),
            (q("123456789012345678901234567890"), 123456789012345678901234567890.0),
            (q("1/123456789012345678901234567890"), 1.0 / 123456789012345678901234567890.0),
        ]
        for (r, expected) in cases {
            let d = r.doubleValue
            #expect(d == expected, "\(r) → \(d), expected \(expected)")
            #expect(d.sign == expected.sign, "sign of \(r) → \(d)")
            if let why = nearestEvenViolation(r, d) { Issue.record("\(r) → \(d): \(why)") }
        }
    }

    @Test("non-finite doubles are recoverable errors", arguments: [Double.infinity, -Double.infinity, Double.nan, -Double.nan, Double.signalingNaN])
    func nonFinite(_ x: Double) {
        do {
            _ = try Rational(exactly: x)
            Issue.record("\(x) accepted")
        } catch {
            guard case .nonFiniteDouble = error else { Issue.record("wrong error \(error)"); return }
            #expect(error.description.contains("is not a finite number"))
        }
    }

    @Test("Double as a Scalar rounds through doubleValue")
    func scalarConversion() {
        #expect(Double(q("1/3")) == 1.0 / 3.0)
        #expect(Double(pow2(-1075)) == 0)
        #expect(!Double.isExact && Rational.isExact)
    }
}
