import ExactArithmetic
import Testing
import TransformerModel

/// `Scalar` refines the standard library's `SignedNumeric`: code written against the standard
/// protocols alone (integer literals, `magnitude`, `negate`, `+=`, `*=`, `init?(exactly:)`) runs on
/// `Rational` exactly and on `Double` as Double's own arithmetic.
@Suite struct ScalarConformanceTests {
    /// Horner's rule for 3x³ − 2x² + x − 7 and |x|, through `SignedNumeric` only.
    static func polynomial<T: SignedNumeric>(_ x: T) -> (value: T, magnitude: T.Magnitude) {
        var value: T = 3
        for c: T in [-2, 1, -7] {
            value *= x
            value += c
        }
        var negated = value
        negated.negate()
        return (-negated, x.magnitude)
    }

    @Test func standardProtocolCodeRunsOnBothScalars() throws {
        var rng = SplitMix64(seed: 77)
        for i in 0..<lawCases {
            let x = randomRational(using: &rng)
            let (value, magnitude) = Self.polynomial(x)
            #expect(value == Rational(3) * x * x * x - Rational(2) * x * x + x - Rational(7), "case \(i): \(x)")
            #expect(magnitude == (x < .zero ? -x : x), "case \(i): |\(x)|")
            let d = x.doubleValue
            if d.isFinite { #expect(Self.polynomial(d).value.bitPattern == (((3 * d - 2) * d + 1) * d - 7).bitPattern, "case \(i): \(d)") }
        }
    }

    /// Every integer is a rational: `init?(exactly:)` is never nil, inline or through GMP.
    @Test func everyIntegerConvertsExactly() throws {
        let values: [Int128] = [0, 1, -1, Int128(Int.max), Int128(Int.min), Int128(Int.max) + 1, Int128(Int.min) - 1,
                                Int128.max, Int128.min, 1 << 100, -(1 << 100) + 12345]
        for v in values {
            let r = try #require(Rational(exactly: v), "\(v)")
            #expect(r.description == String(v), "\(v) became \(r)")
        }
        #expect(Rational(exactly: UInt64.max)?.description == String(UInt64.max))
        #expect(Rational(exactly: UInt128.max)?.description == String(UInt128.max))
    }
}
