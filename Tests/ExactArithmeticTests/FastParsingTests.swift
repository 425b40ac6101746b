@testable import ExactArithmetic
import Testing
import TransformerModel

// The fast path of `Rational(parsing:)` (integers and p/q whose parts fit in 64 bits, read from
// the bytes) against the general reader (`Rational.parseGeneral`) on random texts of every kind:
// the same value, or the same error with the same message.

/// A random text meant to sit near the fast path's edges: small and huge integers, the 2^63 and
/// 2^64 boundaries, zeros, fractions (reducible, zero denominators), decimals, and malformed
/// variants of all of these.
func randomNumberText(using rng: inout SplitMix64) -> String {
    func pick<T>(_ xs: [T]) -> T { xs[Int(rng.next() % UInt64(xs.count))] }
    func digits(_ n: Int) -> String {
        String((0..<n).map { _ in Character(Unicode.Scalar(UInt8(48 + rng.next() % 10))) })
    }
    func magnitude() -> String {
        switch rng.next() % 8 {
        case 0: return "0"
        case 1: return String(rng.next() % 1000)
        case 2: return String(rng.next() >> (rng.next() % 64))  // any 64-bit size
        case 3: return String(UInt64.max - rng.next() % 3)  // just fits
        case 4: return "1844674407370955161" + String(5 + rng.next() % 5)  // 2^64 - 1 ... 2^64 + 3
        case 5: return String(UInt64(1) << 63 &+ (rng.next() % 5) &- 2)  // around 2^63
        case 6: return digits(20 + Int(rng.next() % 40))  // beyond 2^64
        default: return String(repeating: "0", count: Int(rng.next() % 25)) + String(rng.next() % 100_000)  // leading zeros
        }
    }
    let sign = pick(["", "", "-", "+"])
    var text: String
    switch rng.next() % 5 {
    case 0, 1: text = sign + magnitude()
    case 2, 3:
        let common = pick([1, 1, 2, 6, 1_000_003, 4_294_967_311])  // non-canonical forms too
        let p = magnitude(), q = magnitude()
        if let pp = UInt64(p), let qq = UInt64(q), case let (pc, o1) = pp.multipliedReportingOverflow(by: UInt64(common)),
           case let (qc, o2) = qq.multipliedReportingOverflow(by: UInt64(common)), !o1, !o2 {
            text = sign + String(pc) + "/" + String(qc)
        } else {
            text = sign + p + "/" + q
        }
    default:
        text = sign + magnitude() + pick(["", ".", "." + digits(1 + Int(rng.next() % 5))]) + pick(["", "e3", "E-2", "e+", "e"])
    }
    if rng.next() % 4 == 0 {  // malformed: replace, insert or delete one character
        var chars = Array(text)
        let c = pick(Array("0123456789+-/.eE x\u{0}½"))
        let at = Int(rng.next() % UInt64(chars.count + 1))
        switch rng.next() % 3 {
        case 0 where at < chars.count: chars[at] = c
        case 1 where at < chars.count: chars.remove(at: at)
        default: chars.insert(c, at: at)
        }
        text = String(chars)
    }
    return text
}

@Suite("The fast number path")
struct FastParsingTests {
    /// The general reader's verdict on `text`.
    static func general(_ text: String) -> Result<Rational, RationalParseError> {
        do { return .success(try Rational.parseGeneral(text)) } catch { return .failure(error) }
    }

    static func parsed(_ text: String) -> Result<Rational, RationalParseError> {
        do { return .success(try Rational(parsing: text)) } catch { return .failure(error) }
    }

    static func fast(_ text: String) -> Rational? {
        Array(text.utf8).withUnsafeBufferPointer { Rational.parseWordFraction($0) }
    }

    @Test("the fast path gives the general reader's value or error on random texts of every kind")
    func crossCheck() {
        var rng = SplitMix64(seed: 2323)
        var fastHits = 0, errors = 0
        let cases = max(20_000, 2 * lawCases)
        for _ in 0..<cases {
            let text = randomNumberText(using: &rng)
            let want = FastParsingTests.general(text)
            let got = FastParsingTests.parsed(text)
            #expect(got == want, "\(text.debugDescription): \(got) vs the general reader's \(want)")
            if case .success(let a) = got, case .success(let b) = want {
                #expect(a.description == b.description, "\(text.debugDescription)")
                expectCanonical(a, text)
            }
            if let f = FastParsingTests.fast(text) {
                fastHits += 1
                #expect(.success(f) == want, "\(text.debugDescription): fast \(f) vs \(want)")
            }
            if case .failure = want { errors += 1 }
        }
        // The generator reaches both paths and the errors.
        #expect(fastHits > cases / 4, "fast path taken \(fastHits) times of \(cases)")
        #expect(errors > cases / 10, "\(errors) errors of \(cases)")
    }

    @Test("the fast path's edges", arguments: [
        ("18446744073709551615", "18446744073709551615"), ("-18446744073709551615", "-18446744073709551615"),
        ("18446744073709551616", "18446744073709551616"), ("9223372036854775807", "9223372036854775807"),
        ("-9223372036854775808", "-9223372036854775808"), ("1/18446744073709551615", "1/18446744073709551615"),
        ("18446744073709551615/18446744073709551615", "1"), ("-0/18446744073709551615", "0"),
        ("+0006/0004", "3/2"), ("4294967311/8589934622", "1/2"),
    ])
    func edges(_ text: String, _ expected: String) {
        #expect(FastParsingTests.parsed(text).map(\.description) == .success(expected))
        #expect(FastParsingTests.general(text).map(\.description) == .success(expected))
    }

    @Test("texts the fast path leaves to the general reader", arguments: [
        "", "-", "+", "1/0", "-3/0", "1/-2", "1/+2", "1/", "/2", "1/2/3", "1.5", "1e3", "18446744073709551616",
        "1/18446744073709551616", " 1", "1 ", "--1", "0x10",
    ])
    func declined(_ text: String) {
        #expect(FastParsingTests.fast(text) == nil, "\(text.debugDescription)")
    }
}
