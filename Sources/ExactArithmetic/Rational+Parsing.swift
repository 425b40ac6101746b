import CGMP

/// Why a text is not a rational number.
public struct RationalParseError: Error, Equatable, CustomStringConvertible {
    public let text: String
    public let reason: String
    public var description: String { "\"\(text)\" is not a rational number: \(reason)" }
}

extension Rational {
    /// Largest |decimal exponent| accepted when parsing: 10^100000 already has 332,193 bits.
    public static let maximumDecimalExponent = 100_000

    /// Parses an integer ("-3"), a fraction ("7/12", "-1/3"), or a decimal ("-1.25", "2.5e-3", "1E6").
    /// Decimals are read exactly: "0.1" is 1/10. A decimal point needs digits on both sides ("1." and
    /// ".5" are rejected, as in JSON). Leading and trailing spaces are not allowed.
    public init(parsing text: String) throws(RationalParseError) {
        if let value = text.utf8.withContiguousStorageIfAvailable(Rational.parseWordFraction) ?? nil {
            self = value
            return
        }
        self = try Rational.parseGeneral(text)
    }

    /// The fast path of `init(parsing:)`: `[+-]digits` or `[+-]digits/digits` whose digit strings
    /// each fit in 64 bits and whose denominator is not zero, read straight from the bytes.
    /// nil for every other text (a decimal, a larger number, a malformed one): `parseGeneral`
    /// then reads it and gives every error, so the fast path changes no result and no message.
    static func parseWordFraction(_ bytes: UnsafeBufferPointer<UInt8>) -> Rational? {
        var i = 0
        /// One or more digits at `i` as a 64-bit value; nil when there are none or they overflow.
        func digits() -> UInt64? {
            let start = i
            var v: UInt64 = 0
            while i < bytes.count, bytes[i] >= 48, bytes[i] <= 57 {
                let (times10, o1) = v.multipliedReportingOverflow(by: 10)
                let (sum, o2) = times10.addingReportingOverflow(UInt64(bytes[i] - 48))
                if o1 || o2 { return nil }
                v = sum
                i += 1
            }
            return i > start ? v : nil
        }
        let negative = i < bytes.count && bytes[i] == UInt8(ascii: "-")
        if i < bytes.count, bytes[i] == UInt8(ascii: "-") || bytes[i] == UInt8(ascii: "+") { i += 1 }
        guard let p = digits() else { return nil }
        var q: UInt64 = 1
        if i < bytes.count {
            guard bytes[i] == UInt8(ascii: "/") else { return nil }
            i += 1
            guard let d = digits(), d != 0 else { return nil }
            q = d
        }
        guard i == bytes.count else { return nil }
        // Lowest terms (gcd(0, q) = q gives 0/1); |p| < 2^64 is exact in 128 bits, and
        // `fromReduced` keeps the value inline when it fits a word, as every operation does.
        let g = q == 1 ? 1 : binaryGCD(p, q)
        let n = Int128(p / g)
        return Rational.fromReduced(negative ? -n : n, UInt128(q / g))
    }

    /// `init(parsing:)` for every text: the grammar and all its error messages.
    static func parseGeneral(_ text: String) throws(RationalParseError) -> Rational {
        let bytes = Array(text.utf8)
        func fail(_ reason: String) -> RationalParseError { RationalParseError(text: text, reason: reason) }
        guard !bytes.isEmpty else { throw fail("empty text") }
        if let slash = bytes.firstIndex(of: UInt8(ascii: "/")) {
            guard let num = Rational.parseInteger(bytes[..<slash], allowSign: true) else {
                throw fail("the numerator is not an integer")
            }
            guard let den = Rational.parseInteger(bytes[(slash + 1)...], allowSign: false) else {
                throw fail("the denominator is not an unsigned integer")
            }
            guard !den.isZero else { throw fail("zero denominator") }
            return num / den
        }
        return try Rational.parseDecimal(bytes, fail: fail)
    }

    /// Digits with an optional leading sign; nil when malformed.
    static func parseInteger(_ bytes: ArraySlice<UInt8>, allowSign: Bool) -> Rational? {
        var digits = bytes
        var negative = false
        if allowSign, let first = digits.first, first == UInt8(ascii: "-") || first == UInt8(ascii: "+") {
            negative = first == UInt8(ascii: "-")
            digits = digits.dropFirst()
        }
        guard !digits.isEmpty, digits.allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return nil }
        let value = integer(fromDigits: digits)
        return negative ? -value : value
    }

    /// A non-negative integer from ASCII digits (already validated).
    static func integer(fromDigits digits: ArraySlice<UInt8>) -> Rational {
        let significant = digits.drop { $0 == 48 }
        if significant.count <= 18 {
            var v = 0
            for c in significant { v = v * 10 + Int(c - 48) }
            return Rational(v)
        }
        return build { q in
            var cString = Array(significant).map { CChar(bitPattern: $0) }
            cString.append(0)
            _ = __gmpz_set_str(numeratorRef(q), cString, 10)  // digits validated: cannot fail
            __gmpz_set_ui(denominatorRef(q), 1)
        }
    }

    static func parseDecimal(_ bytes: [UInt8], fail: (String) -> RationalParseError) throws(RationalParseError) -> Rational {
        var i = 0
        var negative = false
        if bytes[i] == UInt8(ascii: "-") || bytes[i] == UInt8(ascii: "+") {
            negative = bytes[i] == UInt8(ascii: "-")
            i += 1
        }
        func isDigit(_ c: UInt8) -> Bool { c >= 48 && c <= 57 }
        let intStart = i
        while i < bytes.count, isDigit(bytes[i]) { i += 1 }
        var mantissa = Array(bytes[intStart..<i])
        guard !mantissa.isEmpty else {
            throw fail(i < bytes.count && bytes[i] == UInt8(ascii: ".") ? "expected digits before the decimal point" : "expected digits")
        }
        var fractionDigits = 0
        if i < bytes.count, bytes[i] == UInt8(ascii: ".") {
            i += 1
            let fracStart = i
            while i < bytes.count, isDigit(bytes[i]) { i += 1 }
            fractionDigits = i - fracStart
            // As in JSON: "1." and ".5" are not numbers, a decimal point needs digits on both sides.
            guard fractionDigits > 0 else { throw fail("expected digits after the decimal point") }
            mantissa += bytes[fracStart..<i]
        }
        var exponent = 0
        if i < bytes.count, bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E") {
            i += 1
            var expNegative = false
            if i < bytes.count, bytes[i] == UInt8(ascii: "-") || bytes[i] == UInt8(ascii: "+") {
                expNegative = bytes[i] == UInt8(ascii: "-")
                i += 1
            }
            let expStart = i
            while i < bytes.count, isDigit(bytes[i]) { i += 1 }
            guard i > expStart else { throw fail("expected digits after the exponent mark") }
            let expDigits = bytes[expStart..<i].drop { $0 == 48 }
            guard expDigits.count <= 7 else { throw fail("exponent out of range (|e| ≤ \(maximumDecimalExponent))") }
            for c in expDigits { exponent = exponent * 10 + Int(c - 48) }
            if expNegative { exponent = -exponent }
        }
        guard i == bytes.count else { throw fail("unexpected character '\(Character(Unicode.Scalar(bytes[i])))'") }
        let scale = exponent - fractionDigits
        guard abs(scale) <= maximumDecimalExponent else {
            throw fail("exponent out of range (|e| ≤ \(maximumDecimalExponent))")
        }
        var value = integer(fromDigits: mantissa[...])
        if !value.isZero && scale != 0 {
            // 10^|scale| cannot throw: the base is non-zero and the exponent non-negative.
            let power = (try? Rational(10).power(abs(scale))) ?? .one
            value = scale > 0 ? value * power : value / power
        }
        return negative ? -value : value
    }
}
