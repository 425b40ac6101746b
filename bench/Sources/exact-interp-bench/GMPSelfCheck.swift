import DatasetGeneration
import ExactArithmetic
import Foundation
import MPQBench
import TransformerModel

/// Not a timing: a short deterministic workout of every GMP-backed path of `Rational` (big
/// arithmetic, promotion and demotion, parsing and printing, double conversion, dot products,
/// comparisons on temporaries, hashing, Codable, error paths) and of the C mpq benchmark loop.
/// `make leak-check` runs it under valgrind (`--only gmp-self-check`); in a release build it also
/// guards against Swift releasing a GMP box before the C call that reads it. Any wrong answer
/// prints the failing check and exits with status 70.
let gmpSelfCheck = Benchmark(
    name: "gmp-self-check",
    summary: "exercise the GMP paths of Rational and the C mpq loop, checking every answer (for valgrind)"
) { options in
    let iterations = options.quick ? 100 : 400
    var check = SelfCheck()
    let started = Date()
    check.run(iterations: iterations)
    if check.failures > 0 {
        progress("gmp-self-check: \(check.failures) of \(check.checks) checks failed")
        exit(70)
    }
    return .object([
        ("iterations", jsonNumber(iterations)),
        ("checks", jsonNumber(check.checks)),
        ("failures", jsonNumber(check.failures)),
        ("seconds", jsonNumber(Date().timeIntervalSince(started))),
    ])
}

struct SelfCheck {
    var checks = 0
    var failures = 0
    var rng = SplitMix64(seed: 0x5E1F)

    mutating func expect(_ condition: Bool, _ what: @autoclosure () -> String) {
        checks += 1
        if !condition {
            failures += 1
            if failures <= 20 { progress("gmp-self-check FAILED: \(what())") }
        }
    }

    mutating func big(_ bits: Int) -> Rational {
        let n = randomInteger(bits: bits, using: &rng), d = randomInteger(bits: max(1, bits / 2), using: &rng)
        let value = (try? n.divided(by: d)) ?? .zero
        return Bool.random(using: &rng) ? value : -value
    }

    mutating func run(iterations: Int) {
        for i in 0..<iterations {
            let bits = 60 + (i % 7) * 40
            let a = big(bits), b = big(bits + 13), c = big(30)
            // Field identities through GMP, results demoted when they fit.
            expect((a + b) - b == a, "(a + b) − b = a for \(a), \(b)")
            expect((a * b) / b == a, "(a·b)/b = a for \(a), \(b)")
            expect(a * (b + c) == a * b + a * c, "distributivity for \(a), \(b), \(c)")
            expect((a - a).isZero && (a / a) == .one, "a − a = 0, a/a = 1 for \(a)")
            expect(b * b.reciprocal == .one, "b·(1/b) = 1 for \(b)")
            expect(((a + .one) - a) == .one, "demotion to 1 for \(a)")
            // Order, on temporaries whose only use is inside the GMP call.
            let text = a.description
            expect((try? Rational(parsing: text)) == (try? Rational(parsing: text)), "parse(\(text)) twice")
            expect(a - .one < a && a < a + .one, "a − 1 < a < a + 1 for \(a)")
            expect((a * a) >= .zero && -(a * a) <= .zero, "squares for \(a)")
            expect([a + .one, a, a - .one].sorted() == [a - .one, a, a + .one], "sorting around \(a)")
            // Text.
            expect((try? Rational(parsing: text)) == a, "round trip of \(text)")
            expect((try? Rational(parsing: "-\(i + 1).0625e-\(i % 60)")).map { $0 < .zero } == true, "decimal \(i)")
            // Floor, ceiling, parts, powers.
            expect(a.floor <= a && a < a.floor + .one && a.ceiling >= a, "floor/ceiling of \(a)")
            expect(a.numerator / a.denominator == a, "parts of \(a)")
            expect((try? a.power(3)) == a * a * a && (try? a.power(-2)) == (a * a).reciprocal, "powers of \(a)")
            // Doubles: exact in, nearest-even out, through the GMP rounding path.
            let x = Double(bitPattern: rng.next() & ~(UInt64(0x7FF) << 52) | (UInt64(1 + i % 2046) << 52))
            if let r = try? Rational(exactly: x) {
                expect(r.doubleValue == x, "double round trip of \(x)")
            } else {
                expect(false, "finite double \(x) rejected")
            }
            let third = (try? a.divided(by: Rational(3))) ?? .zero
            expect(abs(third.doubleValue - a.doubleValue / 3) <= abs(a.doubleValue) * 1e-15, "rounding of \(third)")
            // Dot products: GMP tail, and a word overflow mid-sum.
            let u = [a, b, c, .one], v = [b, -a, .zero, c]
            expect(Rational.dot(u, v) == c, "dot through GMP for \(a), \(b), \(c)")
            let m = Rational(Int.max)
            expect(Rational.dot([m, m, Rational(-1)], [m, -m, Rational(1)]) == Rational(-1), "dot overflowing a word")
            // Hashing across paths.
            expect(Set([a, (a * b) / b, (a + c) - c]).count == 1, "hash of \(a) built three ways")
            // Errors: recoverable, nothing leaked on the way out.
            expect((try? a.divided(by: .zero)) == nil, "division by zero rejected")
            expect((try? Rational(parsing: text + "/0")) == nil, "\(text)/0 rejected")
            expect((try? Rational(parsing: text + "x")) == nil, "\(text)x rejected")
            expect((try? Rational(exactly: .nan)) == nil, "NaN rejected")
        }
        codable()
        cLoop()
    }

    mutating func codable() {
        let values = (0..<20).map { _ in big(150) }
        do {
            let data = try JSONEncoder().encode(values)
            expect(try JSONDecoder().decode([Rational].self, from: data) == values, "Codable round trip")
        } catch {
            expect(false, "Codable: \(error)")
        }
    }

    /// The C mpq loop: same answers as Rational.dot, and its memory freed.
    mutating func cLoop() {
        let a = (0..<4).map { _ in (0..<DotData.length).map { _ in big(120) } }
        let b = (0..<4).map { _ in (0..<DotData.length).map { _ in big(120) } }
        let handle: OpaquePointer? = withCStrings(a.joined().map(\.description)) { x in
            withCStrings(b.joined().map(\.description)) { y in mpq_bench_create(x, y, 4, DotData.length) }
        }
        guard let handle else { return expect(false, "C loop setup") }
        defer { mpq_bench_destroy(handle) }
        mpq_bench_run(handle, 3)
        for j in 0..<4 {
            var buffer = [CChar](repeating: 0, count: 4096)
            _ = mpq_bench_result(handle, j, &buffer, buffer.count)
            let text = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            expect(text == Rational.dot(a[j], b[j]).description, "C loop result \(j)")
        }
        // A vector that does not parse is refused, without leaking what was read before it.
        let refused: OpaquePointer? = withCStrings(["1/2", "oops"]) { x in withCStrings(["1", "2"]) { y in mpq_bench_create(x, y, 1, 2) } }
        expect(refused == nil, "C loop refuses bad text")
    }
}
