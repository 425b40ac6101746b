@testable import ExactArithmetic
import PropertyBased
import Testing

// Float bits in and out without Double arithmetic (Rational+BinaryFloat.swift), cross-checked
// against the independent paths: Rational(exactly:)/doubleValue for float64, Swift's own
// Double → Float rounding for float32, and exhaustive decoding of every float16/bfloat16 pattern
// through Float16/Float.

@Suite("Binary float formats")
struct BinaryFloatTests {
    @Test("float64: decoding bits equals Rational(exactly:), encoding gives the bits back")
    func float64RoundTrip() async {
        let doubles = Generator<Double, Shrink.None<Double>>(run: { rng in randomFiniteDouble(using: &rng) })
        await propertyCheck(count: lawCases, input: doubles) { x in
            let exact = (try? Rational(exactly: x)) ?? .zero
            let decoded = try? Rational(bits: x.bitPattern, format: .float64)
            #expect(decoded == exact, "bits \(x.bitPattern) of \(x)")
            let bits = exact.bits(format: .float64)
            // −0 has no rational: it encodes as +0.
            #expect(bits == (x == 0 ? 0 : x.bitPattern), "encoding \(exact)")
            #expect(exact.isRepresentable(in: .float64))
        }
    }

    @Test("float64: rounding random rationals agrees with doubleValue (nearest, ties to even)")
    func float64Rounding() async {
        await propertyCheck(count: lawCases, input: rationals) { r in
            let d = r.doubleValue
            if d.isInfinite {
                #expect(r.bits(format: .float64) == nil, "\(r) overflows")
            } else {
                let bits = r.bits(format: .float64)
                if d == 0 { #expect(bits == 0 || bits == (-0.0).bitPattern, "\(r) → ±0") } else { #expect(bits == d.bitPattern, "\(r) → \(d)") }
            }
        }
    }

    @Test("float64: halfway and near-halfway values agree with doubleValue")
    func float64Halfway() async {
        await propertyCheck(count: lawCases, input: roundingCases) { c in
            let d = c.value.doubleValue
            let bits = c.value.bits(format: .float64)
            if d.isInfinite { #expect(bits == nil, "\(c.value)") } else if d != 0 { #expect(bits == d.bitPattern, "\(c.value) → \(d)") }
        }
    }

    @Test("float32: rounding a double's exact value agrees with Float(double)")
    func float32AgainstSwift() async {
        let doubles = Generator<Double, Shrink.None<Double>>(run: { rng in
            // Doubles spread over the float32 range and its edges.
            let e = Int(rng.next() % 300) - 160
            let m = Double(rng.next() >> 11) / Double(1 << 53) + 1
            return (rng.next() % 2 == 0 ? 1 : -1) * m * pow2Double(e)
        })
        await propertyCheck(count: lawCases, input: doubles) { x in
            let exact = (try? Rational(exactly: x)) ?? .zero
            let f = Float(x)
            let bits = exact.bits(format: .float32)
            if f.isInfinite {
                #expect(bits == nil, "\(x) overflows float32")
            } else if f != 0 {
                #expect(bits == UInt64(f.bitPattern), "\(x) → \(f)")
            } else {
                #expect(bits == 0 || bits == UInt64(Float(-0.0).bitPattern), "\(x) → ±0")
            }
            if let bits, let back = try? Rational(bits: bits, format: .float32) {
                #expect(back == ((try? Rational(exactly: Double(f))) ?? .zero), "\(x): decode")
            }
        }
    }

    @Test("float16: every finite bit pattern decodes to the value of Float16(bitPattern:) and encodes back")
    func float16Exhaustive() {
        var failures = 0
        for b in 0...UInt16.max {
            let f = Float16(bitPattern: b)
            let decoded = try? Rational(bits: UInt64(b), format: .float16)
            if !f.isFinite {
                if decoded != nil { failures += 1 }
                continue
            }
            let want = (try? Rational(exactly: Double(f))) ?? .zero
            if decoded != want || (f != 0 && want.bits(format: .float16) != UInt64(b)) {
                failures += 1
                if failures < 5 { Issue.record("float16 pattern \(b): decoded \(String(describing: decoded)), want \(want)") }
            }
        }
        #expect(failures == 0)
    }

    @Test("bfloat16: every finite bit pattern decodes to the value of the float32 with those top bits")
    func bfloat16Exhaustive() {
        var failures = 0
        for b in 0...UInt16.max {
            let f = Float(bitPattern: UInt32(b) << 16)
            let decoded = try? Rational(bits: UInt64(b), format: .bfloat16)
            if !f.isFinite {
                if decoded != nil { failures += 1 }
                continue
            }
            let want = (try? Rational(exactly: Double(f))) ?? .zero
            if decoded != want || (f != 0 && want.bits(format: .bfloat16) != UInt64(b)) {
                failures += 1
                if failures < 5 { Issue.record("bfloat16 pattern \(b): decoded \(String(describing: decoded)), want \(want)") }
            }
        }
        #expect(failures == 0)
    }

    @Test("representability: 1/3 is in no format, 2^-149 only in float32 and wider, 2^-1074 only in float64")
    func representability() {
        #expect(!q("1/3").isRepresentable(in: .float64))
        #expect(pow2(-149).isRepresentable(in: .float32))
        #expect(!pow2(-150).isRepresentable(in: .float32))
        #expect(pow2(-1074).isRepresentable(in: .float64))
        #expect(!pow2(-1075).isRepresentable(in: .float64))
        #expect(!(Rational(1 << 24) + .one).isRepresentable(in: .float32))
        #expect((Rational(1 << 24) + Rational(2)).isRepresentable(in: .float32))
        #expect(pow2(128).bits(format: .float32) == nil)
        #expect(q("65504").bits(format: .float16) == 0x7BFF)
        #expect(q("65520").bits(format: .float16) == nil)  // halfway to 2^16 rounds to even: overflow
    }
}

func pow2Double(_ e: Int) -> Double { Double(sign: .plus, exponent: e, significand: 1) }
