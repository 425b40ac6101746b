import CGMP
@testable import ExactArithmetic
import Foundation
import PropertyBased
import Testing

// Shared helpers of the ExactArithmetic tests: iteration counts, random values from tiny to far
// beyond 64 bits, an independent GMP oracle, and the canonical-form check.

/// Cases per property law (FLINT style: scale with `EXACT_ITERATIONS=100000 swift test ...`).
/// `ITERATIONS`, the project-wide multiplier, scales it too.
let lawCases: Int = {
    let env = ProcessInfo.processInfo.environment
    let base = Int(env["EXACT_ITERATIONS"] ?? "") ?? 10_000
    let scale = Int(env["ITERATIONS"] ?? "") ?? 1
    return max(1, base * max(1, scale))
}()

/// Parses test literals; a typo in a test is a test bug, reported as such.
func q(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) -> Rational {
    do { return try Rational(parsing: text) } catch {
        Issue.record("bad literal in test: \(error)", sourceLocation: sourceLocation)
        return .zero
    }
}

/// 2^k as an exact rational, built by GMP directly (k may be negative).
func pow2(_ k: Int) -> Rational {
    Rational.build { r in
        __gmpz_set_ui(numeratorRef(r), 1)
        __gmpz_set_ui(denominatorRef(r), 1)
        if k >= 0 { __gmpz_mul_2exp(numeratorRef(r), numeratorRef(r), UInt(k)) } else {
            __gmpz_mul_2exp(denominatorRef(r), denominatorRef(r), UInt(-k))
        }
    }
}

// MARK: - Canonical form

/// Why `x` breaks the representation invariant, or nil when it holds: an inline value has a
/// positive denominator, gcd 1, numerator ≠ Int.min; a GMP value is canonical and does NOT fit
/// inline (so one value never has two representations, which `==` and `hash` rely on).
func canonicalViolation(_ x: Rational) -> String? {
    switch x.storage {
    case .small(let n, let d):
        if d <= 0 { return "inline \(n)/\(d): denominator not positive" }
        if n == .min { return "inline numerator Int.min" }
        if gcdWord(n.magnitude, UInt(d)) != 1 { return "inline \(n)/\(d) not reduced" }
        return nil
    case .big(let box):
        return box.withValue { r -> String? in
            let num = numeratorRef(r), den = denominatorRef(r)
            if __gmpz_cmp_ui(den, 0) <= 0 { return "GMP value with non-positive denominator" }
            let g = RefZ()
            let reduced = g.withPointer { gz -> Bool in
                __gmpz_gcd(gz, num, den)
                return __gmpz_cmp_ui(gz, 1) == 0
            }
            if !reduced { return "GMP value not reduced" }
            if __gmpz_fits_slong_p(num) != 0, __gmpz_fits_slong_p(den) != 0, __gmpz_get_si(num) != Int.min {
                return "GMP value \(decimalString(num))/\(decimalString(den)) fits inline"
            }
            return nil
        }
    }
}

/// Records an issue when `x` is not canonical.
func expectCanonical(_ x: Rational, _ label: @autoclosure () -> String, sourceLocation: SourceLocation = #_sourceLocation) {
    if let why = canonicalViolation(x) {
        Issue.record("\(label()): \(why)", sourceLocation: sourceLocation)
    }
}

/// True when `x` lives in a GMP box.
func isBig(_ x: Rational) -> Bool {
    if case .big = x.storage { return true }
    return false
}

// MARK: - Independent oracle: plain GMP, no `Rational` arithmetic

/// A GMP integer owned by the test.
final class RefZ {
    let pointer: UnsafeMutablePointer<__mpz_struct>
    init() {
        pointer = .allocate(capacity: 1)
        __gmpz_init(pointer)
    }
    deinit {
        __gmpz_clear(pointer)
        pointer.deallocate()
    }
    func withPointer<R>(_ body: (UnsafeMutablePointer<__mpz_struct>) -> R) -> R {
        withExtendedLifetime(self) { body(pointer) }
    }
}

/// A GMP rational owned by the test: the oracle every `Rational` result is compared with.
/// It only meets `Rational` through decimal text, so it shares no code with the fast path.
final class RefQ: CustomStringConvertible {
    let pointer: UnsafeMutablePointer<__mpq_struct>

    init() {
        pointer = .allocate(capacity: 1)
        __gmpq_init(pointer)
    }
    deinit {
        __gmpq_clear(pointer)
        pointer.deallocate()
    }

    /// The value of `x`, read from its text.
    convenience init(_ x: Rational) {
        self.init(text: x.description)
    }

    convenience init(text: String) {
        self.init()
        let status = __gmpq_set_str(pointer, text, 10)
        precondition(status == 0, "oracle cannot read \(text)")
        __gmpq_canonicalize(pointer)
    }

    /// The exact value of a double (GMP's `mpq_set_d` is exact).
    convenience init(double x: Double) {
        self.init()
        __gmpq_set_d(pointer, x)
    }

    private static func binary(
        _ a: RefQ, _ b: RefQ,
        _ op: (UnsafeMutablePointer<__mpq_struct>, UnsafeMutablePointer<__mpq_struct>, UnsafeMutablePointer<__mpq_struct>) -> Void
    ) -> RefQ {
        let out = RefQ()
        withExtendedLifetime((a, b, out)) { op(out.pointer, a.pointer, b.pointer) }
        return out
    }

    static func + (a: RefQ, b: RefQ) -> RefQ { binary(a, b) { __gmpq_add($0, $1, $2) } }
    static func - (a: RefQ, b: RefQ) -> RefQ { binary(a, b) { __gmpq_sub($0, $1, $2) } }
    static func * (a: RefQ, b: RefQ) -> RefQ { binary(a, b) { __gmpq_mul($0, $1, $2) } }
    static func / (a: RefQ, b: RefQ) -> RefQ { binary(a, b) { __gmpq_div($0, $1, $2) } }
    static prefix func - (a: RefQ) -> RefQ {
        let out = RefQ()
        withExtendedLifetime((a, out)) { __gmpq_neg(out.pointer, a.pointer) }
        return out
    }

    var isZero: Bool { withExtendedLifetime(self) { numeratorRef(pointer).pointee._mp_size == 0 } }

    /// -1, 0, 1 like `mpq_cmp`.
    func compare(_ other: RefQ) -> Int {
        withExtendedLifetime((self, other)) { Int(__gmpq_cmp(pointer, other.pointer).signum()) }
    }

    /// "p/q" or "p", the same spelling as `Rational.description`.
    var description: String {
        withExtendedLifetime(self) {
            let n = decimalString(numeratorRef(pointer))
            return __gmpz_cmp_ui(denominatorRef(pointer), 1) == 0 ? n : n + "/" + decimalString(denominatorRef(pointer))
        }
    }

    /// The library value, through text (the only bridge between the two).
    var rational: Rational { q(description) }
}

// MARK: - Random values

/// Values the fast path must get right: word and double-word edges, signs, units.
let specialValues: [Rational] = [
    "0", "1", "-1", "2", "1/2", "-1/3", "3/4",
    "9223372036854775807", "-9223372036854775807", "-9223372036854775808", "9223372036854775808",
    "18446744073709551615", "18446744073709551616", "-18446744073709551617",
    "170141183460469231731687303715884105727", "-170141183460469231731687303715884105728",
    "340282366920938463463374607431768211456",
    "1/9223372036854775807", "-1/9223372036854775808", "1/18446744073709551616",
    "9223372036854775807/9223372036854775806", "-9223372036854775806/9223372036854775807",
    "4611686018427387904", "1/4611686018427387904", "3037000499/3037000500",
    "4294967296/4294967297", "-4294967297/4294967296",
    "6700417", "1/6700417", "-274177/67280421310721",
].map { (try? Rational(parsing: $0)) ?? .zero }

/// A random non-negative integer of exactly `bits` bits (0 for bits = 0), as hexadecimal digits.
func randomHex(bits: Int, using rng: inout some RandomNumberGenerator) -> String {
    guard bits > 0 else { return "0" }
    let hex = Array("0123456789abcdef")
    let top = (bits - 1) % 4  // index of the leading bit inside the first hex digit
    var digits: [Character] = []
    for i in 0..<(bits + 3) / 4 {
        var v = Int(rng.next() & 15)
        if i == 0 { v = (v & ((1 << top) - 1)) | (1 << top) }
        digits.append(hex[v])
    }
    return String(digits)
}

/// A bit length drawn so that tiny values, word edges (55–66 bits), double-word edges (120–130)
/// and values far beyond 64 bits (up to 400) all come up often.
func randomBits(using rng: inout some RandomNumberGenerator) -> Int {
    switch rng.next() % 8 {
    case 0, 1: return Int(rng.next() % 7)        // tiny, including 0
    case 2: return 7 + Int(rng.next() % 34)      // up to 40 bits
    case 3, 4: return 55 + Int(rng.next() % 12)  // around 64 bits
    case 5: return 120 + Int(rng.next() % 11)    // around 128 bits
    case 6: return 67 + Int(rng.next() % 53)
    default: return 131 + Int(rng.next() % 270)  // up to 400 bits
    }
}

/// (±numerator)/denominator from hexadecimal digits, canonicalised by GMP itself.
func rationalFromHex(_ numerator: String, _ denominator: String, negative: Bool) -> Rational {
    Rational.build { r in
        _ = __gmpz_set_str(numeratorRef(r), numerator, 16)
        _ = __gmpz_set_str(denominatorRef(r), denominator, 16)
        if negative { __gmpz_neg(numeratorRef(r), numeratorRef(r)) }
        __gmpq_canonicalize(r)
    }
}

/// A random rational: 1 in 8 a special value, otherwise random numerator and denominator bit
/// lengths (a third of them integers).
func randomRational(using rng: inout some RandomNumberGenerator) -> Rational {
    if rng.next() % 8 == 0 { return specialValues[Int(rng.next() % UInt64(specialValues.count))] }
    let numerator = randomHex(bits: randomBits(using: &rng), using: &rng)
    let denominator = rng.next() % 3 == 0 ? "1" : randomHex(bits: max(1, randomBits(using: &rng)), using: &rng)
    return rationalFromHex(numerator, denominator, negative: rng.next() & 1 == 1)
}

/// The property-test generator of rationals (no shrinker: a failure prints the values and a seed).
let rationals = Generator<Rational, Shrink.None<Rational>>(run: { rng in randomRational(using: &rng) })

/// A random finite double: random bit patterns, a quarter of them subnormal or zero.
func randomFiniteDouble(using rng: inout some RandomNumberGenerator) -> Double {
    while true {
        var bits = rng.next()
        if bits % 4 == 0 { bits &= ~(UInt64(0x7FF) << 52) }  // exponent 0: subnormal or ±0
        let x = Double(bitPattern: bits)
        if x.isFinite { return x }
    }
}
