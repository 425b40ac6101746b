import CGMP
@testable import ExactArithmetic
import Testing
import TransformerModel

// The word helpers of the inline fast path against GMP's mpz_gcd, on operands of every width:
// zero, one, powers of two, words, two-word values, and pairs built with a large common factor
// (so the answer is not almost always 1, which a wrong gcd would also return).

/// The gcd of two 128-bit magnitudes by GMP (the oracle).
private func gmpGCD(_ a: UInt128, _ b: UInt128) -> UInt128 {
    let x = RefZ(), y = RefZ(), g = RefZ()
    func set(_ z: RefZ, _ v: UInt128) {
        z.withPointer { p in
            __gmpz_set_ui(p, UInt(truncatingIfNeeded: v >> 64))
            __gmpz_mul_2exp(p, p, 64)
            __gmpz_add_ui(p, p, UInt(truncatingIfNeeded: v))
        }
    }
    set(x, a)
    set(y, b)
    return g.withPointer { gp in
        x.withPointer { xp in y.withPointer { yp in __gmpz_gcd(gp, xp, yp) } }
        let low = UInt128(__gmpz_get_ui(gp))
        __gmpz_fdiv_q_2exp(gp, gp, 64)
        return UInt128(__gmpz_get_ui(gp)) << 64 | low
    }
}

/// A magnitude of a random width class; `bits` ≤ 127 keeps products of factors in range.
private func randomMagnitude(_ rng: inout SplitMix64, bits: Int = 127) -> UInt128 {
    let full = UInt128(rng.next()) << 64 | UInt128(rng.next())
    switch rng.next() % 7 {
    case 0: return UInt128(rng.next() % 3)                            // 0, 1, 2
    case 1: return 1 << UInt128(rng.next() % UInt64(bits))            // a power of two
    case 2: return UInt128(rng.next() % 1000)
    case 3: return UInt128(rng.next())                                // a word
    case 4: return UInt128(UInt.max) + UInt128(rng.next() % 3)        // around the word boundary
    default: return full >> UInt128(128 - bits + Int(rng.next() % UInt64(bits)))
    }
}

@Suite("Integer helpers of the fast path")
struct IntegerMathTests {
    @Test("gcdWide equals GMP's gcd on every width class, with and without a large common factor")
    func gcdWideMatchesGMP() {
        var rng = SplitMix64(seed: 0x6CD)
        var checked = 0, nonTrivial = 0
        for _ in 0..<lawCases {
            var a = randomMagnitude(&rng), b = randomMagnitude(&rng)
            if rng.next() % 2 == 0 {
                // A common factor of up to 63 bits, the cofactors cut to keep the products in range.
                let f = UInt128(rng.next() >> (1 + rng.next() % 63)) | 1
                a = (a >> 64) * f
                b = (b >> 64) * f
            }
            let expected = gmpGCD(a, b)
            let got = gcdWide(a, b)
            #expect(got == expected, "gcdWide(\(a), \(b)) = \(got), GMP says \(expected)")
            if b <= UInt128(UInt.max) {
                let word = gcdWide(a, UInt(truncatingIfNeeded: b))
                #expect(UInt128(word) == expected || b == 0 && a > UInt128(UInt.max),
                        "gcdWide(\(a), word \(b)) = \(word), GMP says \(expected)")
            }
            checked += 1
            if expected > 1 << 32 { nonTrivial += 1 }
        }
        // The generator must reach large common factors, or the law above says little.
        #expect(checked == lawCases && nonTrivial > lawCases / 10, "\(nonTrivial) of \(checked) cases had a gcd above 2^32")
    }
}
