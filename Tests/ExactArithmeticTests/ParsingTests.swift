import CGMP
@testable import ExactArithmetic
import Foundation
import PropertyBased
import Testing
import TransformerModel

// Text in and out: "p/q" printing, the accepted spellings, exact decimals, and every malformed
// text a recoverable `RationalParseError` that quotes the text.

/// A random decimal spelling and its value computed by the GMP oracle from the same digits.
struct DecimalCase: CustomStringConvertible, Sendable {
    let text: String
    let expected: String  // oracle's "p/q"
    var description: String { text }
}

func randomDigits(_ count: Int, using rng: inout some RandomNumberGenerator) -> String {
    String((0..<count).map { _ in Character(Unicode.Scalar(UInt8(48 + rng.next() % 10))) })
}

let decimalCases = Generator<DecimalCase, Shrink.None<DecimalCase>>(run: { rng in
    let sign = ["", "-", "+"][Int(rng.next() % 3)]
    let intPart = randomDigits(1 + Int(rng.next() % 30), using: &rng)
    let fracPart = rng.next() % 2 == 0 ? "" : randomDigits(1 + Int(rng.next() % 30), using: &rng)
    var exponent = 0
    var exponentText = ""
    if rng.next() % 2 == 0 {
        exponent = Int(rng.next() % 401) - 200
        let mark = rng.next() % 2 == 0 ? "e" : "E"
        let explicitPlus = exponent >= 0 && rng.next() % 2 == 0
        exponentText = mark + (explicitPlus ? "+" : "") + String(exponent)
    }
    let text = sign + intPart + (fracPart.isEmpty ? "" : "." + fracPart) + exponentText
    // Oracle: integer of all digits, times 10^(exponent − fraction digits), in plain GMP.
    var value = RefQ(text: intPart + fracPart)
    let scale = exponent - fracPart.count
    let power = RefQ(text: "1" + String(repeating: "0", count: abs(scale)))
    value = scale >= 0 ? value * power : value / power
    if sign == "-" { value = -value }
    return DecimalCase(text: text, expected: value.description)
})

@Suite("Parsing and printing")
struct ParsingTests {
    @Test("print then parse returns the same value, and the text is the oracle's p/q")
    func roundTrip() async {
        await propertyCheck(count: lawCases, input: rationals) { x in
            let text = x.description
            #expect((try? Rational(parsing: text)) == x, "round trip of \(text)")
            #expect(RefQ(text: text).description == text, "\(text) is canonical p/q text")
        }
    }

    @Test("random decimals are read exactly")
    func decimals() async {
        await propertyCheck(count: lawCases, input: decimalCases) { c in
            let parsed = try? Rational(parsing: c.text)
            #expect(parsed?.description == c.expected, "\(c.text) should be \(c.expected)")
            if let parsed { expectCanonical(parsed, c.text) }
        }
    }

    /// Tests/rational-grammar.json, the table tools/test_verify_certificate.py checks the Python
    /// checker on: one grammar for both readers.
    @Test("the shared grammar table (the Python checker reads the same file)")
    func sharedTable() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("rational-grammar.json")
        let json = try JSONParser.parse([UInt8](Data(contentsOf: url)))
        guard case .array(let cases)? = json["cases"] else { Issue.record("no cases"); return }
        #expect(cases.count > 50)
        for item in cases {
            guard case .array(let pair) = item, pair.count == 2, case .string(let text) = pair[0] else {
                Issue.record("malformed case \(item)"); continue
            }
            switch pair[1] {
            case .null:
                #expect(throws: RationalParseError.self, "\(text.debugDescription) must be rejected") { try Rational(parsing: text) }
            case .string(let value):
                let got = try? Rational(parsing: text)
                #expect(got != nil, "\(text.debugDescription) must be accepted")
                if value != "accepted" { #expect(got?.description == value, "\(text.debugDescription)") }
            default:
                Issue.record("malformed case \(item)")
            }
        }
    }

    @Test("the documented spellings", arguments: [
        ("-3", "-3"), ("7/12", "7/12"), ("-1.25", "-5/4"), ("2.5e-3", "1/400"), ("1E6", "1000000"),
        ("+4", "4"), ("-0", "0"), ("0.000", "0"), ("007", "7"), ("6/4", "3/2"), ("0/5", "0"),
        ("-6/4", "-3/2"), ("0.1", "1/10"), ("1e0", "1"), ("12.5E+1", "125"), ("-0.0e-5", "0"),
        ("00000000000000000000000000000000001", "1"),
        ("9223372036854775808", "9223372036854775808"), ("-9223372036854775808", "-9223372036854775808"),
        ("123456789012345678901234567890/2", "61728394506172839450617283945"),
    ])
    func spellings(_ text: String, _ expected: String) {
        #expect((try? Rational(parsing: text))?.description == expected)
    }

    @Test("malformed texts are recoverable errors that quote the text", arguments: [
        "", " 1", "1 ", "1.", ".5", "-.5", "+.5", "1.e3", "e5", "1e", "1e+", "1e-", "--1", "+-1", "-",
        "+", "1/0", "-3/0", "1/-2", "1/+2", "1/", "/2", "1/2/3", "0x10", "1_000", "١", "NaN", "nan", "inf",
        "-inf", "Infinity", "1,5", "1.5/2", "1/2.5", "1e100001", "1e-100001", "1e99999999",
        "0.5e-100000", "5e100001", "abc", "½", "1..2", "1.2.3", "1e2e3", "1/ 2", "\u{0}", "1\u{0}",
    ])
    func malformed(_ text: String) {
        #expect {
            try Rational(parsing: text)
        } throws: { error in
            guard let e = error as? RationalParseError else { return false }
            return e.text == text && e.description.contains("is not a rational number")
        }
    }

    @Test("a decimal point needs digits on both sides")
    func decimalPoint() {
        for (text, reason) in [("1.", "expected digits after the decimal point"),
                               (".5", "expected digits before the decimal point"),
                               ("-.5", "expected digits before the decimal point"),
                               ("2.e5", "expected digits after the decimal point")] {
            do {
                _ = try Rational(parsing: text)
                Issue.record("\(text) was accepted")
            } catch {
                #expect(error.reason == reason, "\(text)")
            }
        }
    }

    @Test("division by zero in a fraction names the reason")
    func zeroDenominator() {
        do {
            _ = try Rational(parsing: "1/0")
            Issue.record("1/0 was accepted")
        } catch {
            #expect(error.description == "\"1/0\" is not a rational number: zero denominator")
        }
    }

    @Test("Codable as a string, and a bad string is a decoding error")
    func codable() throws {
        let values = [q("-7/12"), q("0"), pow2(200) / q("3"), q("-9223372036854775808")]
        let data = try JSONEncoder().encode(values)
        #expect(String(decoding: data, as: UTF8.self) == #"["-7\/12","0","1606938044258990275541962092341162602522202993782792835301376\/3","-9223372036854775808"]"#)
        #expect(try JSONDecoder().decode([Rational].self, from: data) == values)
        #expect(throws: (any Error).self) { try JSONDecoder().decode([Rational].self, from: Data(#"["1/0"]"#.utf8)) }
        #expect(throws: (any Error).self) { try JSONDecoder().decode([Rational].self, from: Data(#"["1."]"#.utf8)) }
        #expect(throws: (any Error).self) { try JSONDecoder().decode([Rational].self, from: Data("[1]".utf8)) }
    }
}

/// `scientific`: nearest, and directed rounding that keeps printed intervals around exact ones.
@Suite struct ScientificTests {
    @Test func nearestAndDirected() throws {
        let third = try Rational(parsing: "1/3"), minusTwoThirds = try Rational(parsing: "-2/3")
        #expect(third.scientific(digits: 4) == "3.333e-1")
        #expect(third.scientific(digits: 4, rounding: .down) == "3.333e-1")
        #expect(third.scientific(digits: 4, rounding: .up) == "3.334e-1")
        #expect(minusTwoThirds.scientific(digits: 3) == "-6.67e-1")
        #expect(minusTwoThirds.scientific(digits: 3, rounding: .down) == "-6.67e-1")
        #expect(minusTwoThirds.scientific(digits: 3, rounding: .up) == "-6.66e-1")
        #expect(try Rational(parsing: "9999/1000").scientific(digits: 3, rounding: .up) == "1.00e1")
        #expect(Rational(125).scientific(digits: 2, rounding: .down) == "1.2e2")
        #expect(Rational.zero.scientific(digits: 17, rounding: .up) == "0")
        // Every directed pair brackets the value, at 17 digits and beyond 2^64.
        var rng = SplitMix64(seed: 4242)
        for _ in 0..<max(200, lawCases / 50) {
            let x = Rational(Int.random(in: -1_000_000_000...1_000_000_000, using: &rng)) / Rational(Int.random(in: 1...999_999_937, using: &rng))
                * Rational.powerOfTwo(Int.random(in: -200...200, using: &rng))
            let lo = try Rational(parsing: x.scientific(digits: 17, rounding: .down))
            let hi = try Rational(parsing: x.scientific(digits: 17, rounding: .up))
            #expect(lo <= x && x <= hi, "\(x): [\(lo), \(hi)]")
            #expect(hi - lo <= x.magnitude * Rational.powerOfTwo(-50), "\(x): too wide")
        }
    }
}
