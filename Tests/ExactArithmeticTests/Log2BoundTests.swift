@testable import ExactArithmetic
import Testing
import TransformerModel

/// `log2LowerBound` and `log2UpperBound` (from bit lengths alone) bracket |x|: 2^lower ≤ |x| < 2^upper,
/// checked by exact comparison with powers of two built by GMP, on values from tiny to far beyond
/// 64 bits, the special values and exact powers of two (where the lower bound is tightest).
@Suite struct Log2BoundTests {
    static func check(_ x: Rational, _ label: String) {
        guard !x.isZero else { return }
        let lower = x.log2LowerBound, upper = x.log2UpperBound
        #expect(pow2(lower) <= x.magnitude, "\(label): 2^\(lower) > |\(x)|")
        #expect(x.magnitude < pow2(upper), "\(label): |\(x)| ≥ 2^\(upper)")
    }

    @Test func boundsBracketTheMagnitude() {
        var rng = SplitMix64(seed: 2024)
        for i in 0..<lawCases { Self.check(randomRational(using: &rng), "case \(i)") }
        for x in specialValues { Self.check(x, "special \(x)"); Self.check(-x, "special \(-x)") }
        for k in -200...200 {
            Self.check(pow2(k), "2^\(k)")
            Self.check(pow2(k) * Rational(3), "3·2^\(k)")
            Self.check(-pow2(k) / Rational(3), "−2^\(k)/3")
        }
    }
}
