import CGMP
import DatasetGeneration
@testable import ExactArithmetic
import Foundation
import PropertyBased
import Testing
import TransformerModel

// One value, one representation: results that pass through GMP and come back within word range
// are inline again, so they compare and hash equal to values that never left the fast path.
// Also: recoverable errors, and the GMP-lifetime regression (Swift freeing a box before the C
// call that reads it).

@Suite("Representation, hashing and errors")
struct RepresentationTests {
    @Test("values computed through overflow come back inline and hash like the inline value")
    func throughOverflow() {
        let intMax = Rational(Int.max), intMin = Rational(Int.min)
        let huge = pow2(100) + .one
        let pairs: [(computed: Rational, inline: Rational, label: String)] = [
            ((intMax + .one) - .one, intMax, "(Int.max + 1) − 1"),
            (intMin + .one, Rational(Int.min + 1), "Int.min + 1"),
            (-(-intMin), intMin, "−(−Int.min)"),
            ((huge * q("3/7")) / huge, q("3/7"), "(h·3/7)/h"),
            ((huge + q("1/3")) - huge, q("1/3"), "(h + 1/3) − h"),
            (Rational.dot([huge, -huge, q("5")], [q("2"), q("2"), q("1/5")]), .one, "dot through GMP"),
            (Rational.dot([intMax, intMax, q("-1")], [intMax, -intMax, q("1")]), -.one, "dot overflowing mid-sum"),
            ((try? Rational(numerator: Int.min, denominator: Int.min)) ?? .zero, .one, "Int.min / Int.min"),
            ((try? Rational(numerator: Int.min, denominator: -2)) ?? .zero, pow2(62), "Int.min / −2"),
            ((pow2(200) / pow2(199)), q("2"), "2^200 / 2^199"),
            (((try? Rational(exactly: 9223372036854775808.0)) ?? .zero) - .one, intMax, "2^63 − 1 via a double"),
            (q("9223372036854775808") - .one, intMax, "parsed 2^63 − 1"),
            (q("18446744073709551616/36893488147419103232"), q("1/2"), "parsed 2^64/2^65"),
            ((intMax * intMax) / (intMax * intMax), .one, "Int.max² / Int.max²"),
            (((try? pow2(40).power(2)) ?? .zero) / pow2(79), q("2"), "(2^40)² / 2^79"),
            (pow2(70).floor / pow2(69), q("2"), "floor of a big integer"),
            (q("12345678901234567890123/12345678901234567890123"), .one, "big over itself"),
            (huge.numerator - huge + q("4"), q("4"), "numerator of a big value"),
        ]
        for (computed, inline, label) in pairs {
            #expect(computed == inline, "\(label): \(computed) vs \(inline)")
            #expect(computed.hashValue == inline.hashValue, "\(label): hashes differ")
            #expect(!isBig(computed) || isBig(inline), "\(label): \(computed) stayed in GMP though it fits inline")
            expectCanonical(computed, label)
        }
        #expect(isBig(intMin), "Int.min is stored in GMP (inline numerators exclude Int.min)")
        #expect(Set(pairs.map(\.computed)) == Set(pairs.map(\.inline)))
    }

    @Test("SquareSum equals the plain sum of squares: shared and distinct denominators, 128-bit overflow, GMP values")
    func squareSum() throws {
        var rng = SplitMix64(seed: 31)
        for _ in 0..<200 {
            var values: [Rational] = []
            for _ in 0..<Int(rng.next() % 40) {
                switch rng.next() % 5 {
                case 0: values.append(try Rational(numerator: Int(truncatingIfNeeded: rng.next()) >> 1, denominator: 7))
                case 1: values.append(try Rational(numerator: Int(rng.next() % 1000) - 500, denominator: 1 + Int(rng.next() % 12)))
                case 2: values.append(Rational(Int.max) * Rational(Int.max) / Rational(3))
                case 3: values.append(.zero)
                default: values.append(try Rational(numerator: Int.max, denominator: Int.max - 2))
                }
            }
            let plain = values.reduce(Rational.zero) { $0 + $1 * $1 }
            #expect(Rational.sumOfSquares(values) == plain)
            #expect(Rational.sumOfSquares([values, values.reversed()]) == plain + plain)
        }
        // Many squares of one denominator near 2^126 each: the running total must flush, not wrap.
        let big = try Rational(numerator: Int.max, denominator: 5)
        let many = [Rational](repeating: big, count: 9)
        #expect(Rational.sumOfSquares(many) == Rational(9) * big * big)
    }

    @Test("Set and Dictionary deduplicate equal values built different ways")
    func hashing() async {
        await propertyCheck(count: lawCases, input: rationals, rationals) { a, b in
            let viaSum = (a + b) - b, viaProduct = b.isZero ? a : (a * b) / b
            #expect(Set([a, viaSum, viaProduct]).count == 1, "a=\(a) b=\(b)")
            #expect(viaSum.hashValue == a.hashValue && viaProduct.hashValue == a.hashValue, "a=\(a) b=\(b)")
            #expect((a == b) == (Set([a, b]).count == 1), "a=\(a) b=\(b)")
        }
    }

    @Test("division by zero, zero denominators and bad exponents are recoverable errors")
    func errors() {
        #expect(throws: ArithmeticError.divisionByZero) { try q("3/4").divided(by: .zero) }
        #expect(throws: ArithmeticError.divisionByZero) { try pow2(300).divided(by: .zero) }
        #expect(throws: ArithmeticError.divisionByZero) { try Rational.zero.inverse() }
        #expect(throws: ArithmeticError.divisionByZero) { try Rational.zero.power(-1) }
        #expect(throws: ArithmeticError.divisionByZero) { try Rational(numerator: 1, denominator: 0) }
        #expect(throws: ArithmeticError.exponentOutOfRange(Int.min)) { try q("2").power(Int.min) }
        #expect(ArithmeticError.divisionByZero.description == "division by zero")
        #expect((try? Rational.zero.power(0)) == .one)
        #expect((try? Rational(numerator: 6, denominator: -4)) == q("-3/2"))
        #expect((try? Rational(numerator: Int.min, denominator: -1)) == pow2(63))
    }
}

@Suite("GMP lifetime")
struct LifetimeTests {
    // Swift may end an object's lifetime after its last *Swift* use, before a C call that got its
    // raw pointer runs; then `mpq_equal`/`mpq_cmp` read freed memory, which the next allocation
    // reuses (seen once as a wrong `mpq_equal` answer). These loops compare many big temporaries
    // whose boxes die right after being read, with allocations in between; any answer that depends
    // on freed memory shows up as a mismatch with the text comparison.
    @Test("many GMP comparisons on big temporaries in loops")
    func comparisonsOnTemporaries() {
        var rng = SplitMix64(seed: 2024)
        let count = max(2000, lawCases / 2)
        var mismatches = 0
        for i in 0..<count {
            let bits = 100 + Int(rng.next() % 300)
            let a = rationalFromHex(randomHex(bits: bits, using: &rng), randomHex(bits: bits, using: &rng), negative: i & 1 == 0)
            let text = a.description
            // Temporaries built inside the expression: each box's last use is inside the C call.
            if !(q(text) == q(text)) { mismatches += 1 }
            if q(text) != a { mismatches += 1 }
            if (a + pow2(bits)) == (pow2(bits) + a + pow2(-bits)) { mismatches += 1 }
            if !((a - pow2(bits + 5)) < (a + pow2(bits + 5))) { mismatches += 1 }
            if !(a * a >= .zero) { mismatches += 1 }
            if (q(text) * q(text)).description != (a * a).description { mismatches += 1 }
            if Rational.dot([q(text), pow2(bits)], [q(text), -pow2(bits)]) != a * a - pow2(2 * bits) { mismatches += 1 }
            if q(text).hashValue != a.hashValue { mismatches += 1 }
            if !(q(text).isInteger == a.isInteger && q(text).signum == a.signum) { mismatches += 1 }
        }
        #expect(mismatches == 0, "\(mismatches) wrong answers from GMP calls on temporaries")
    }

    @Test("comparisons read values whose only reference is about to be dropped")
    func lastUseInsideCall() {
        var rng = SplitMix64(seed: 7)
        var wrong = 0
        for _ in 0..<max(2000, lawCases / 2) {
            let text = rationalFromHex(randomHex(bits: 256, using: &rng), "3", negative: false).description
            func make() -> Rational { (try? Rational(parsing: text)) ?? .zero }
            // Sorting and min/max compare values held only by the array being rebuilt.
            let values = (0..<8).map { k in make() + Rational(k) }
            if values.shuffled(using: &rng).sorted() != values { wrong += 1 }
            if values.max() != make() + Rational(7) { wrong += 1 }
        }
        #expect(wrong == 0)
    }

    @Test("raw mpq_t pointers are only read inside GMPRationalBox.withValue")
    func pointerDiscipline() throws {
        // The structural half of the guard: a `box.pointer` read anywhere else could outlive the box.
        let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Sources/ExactArithmetic")
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".swift") }
        // The guard reads real files: GMPStorage.swift and the files that must not touch `.pointer`.
        #expect(files.contains("GMPStorage.swift") && files.count >= 5, "Sources/ExactArithmetic: \(files)")
        for file in files {
            let text = try String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8)
            let uses = text.components(separatedBy: ".pointer").count - 1
            #expect(file == "GMPStorage.swift" || uses == 0, "\(file) reads .pointer directly \(uses) times; use withValue")
        }
    }
}

/// `Rational.sum` (pairwise) against the plain running total, on lists of every length up to 40
/// with small, huge and cancelling terms and many distinct denominators.
@Suite("Balanced sum")
struct BalancedSumTests {
    @Test("pairwise summation equals the running total")
    func pairwiseEqualsSequential() {
        var rng = SplitMix64(seed: 2026)
        for trial in 0..<max(200, lawCases / 50) {
            let count = trial % 41
            var values = (0..<count).map { _ in randomRational(using: &rng) }
            if count > 2 && trial % 3 == 0 { values[count - 1] = -values[0] }  // cancellation
            var running = Rational.zero
            for v in values { running += v }
            let pairwise = Rational.sum(values)
            #expect(pairwise == running, "trial \(trial): \(values) sums to \(running), pairwise \(pairwise)")
        }
        #expect(Rational.sum([]) == .zero)
    }
}
