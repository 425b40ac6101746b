import CGMP
@testable import ExactArithmetic
import PropertyBased
import Testing

// Property-based laws of the ordered field ℚ on random values from tiny to far beyond 64 bits
// (`lawCases` cases per law, 10,000 by default). Every law runs on every case; every result is
// also checked to be canonical, which `==` and `hash` depend on.

@Suite("Field laws")
struct FieldLawTests {
    @Test("commutativity, associativity, distributivity, identities and inverses")
    func fieldLaws() async {
        await propertyCheck(count: lawCases, input: rationals, rationals, rationals) { a, b, c in
            let sums = [a + b, b + a]
            #expect(sums[0] == sums[1], "a+b = b+a for a=\(a) b=\(b)")
            #expect((a + b) + c == a + (b + c), "associativity of + for a=\(a) b=\(b) c=\(c)")
            #expect(a * b == b * a, "a·b = b·a for a=\(a) b=\(b)")
            #expect((a * b) * c == a * (b * c), "associativity of · for a=\(a) b=\(b) c=\(c)")
            #expect(a * (b + c) == a * b + a * c, "distributivity for a=\(a) b=\(b) c=\(c)")
            #expect(a + .zero == a && .zero + a == a, "0 is the additive identity, a=\(a)")
            #expect(a * .one == a && .one * a == a, "1 is the multiplicative identity, a=\(a)")
            #expect((a * .zero).isZero, "a·0 = 0, a=\(a)")
            #expect((a + (-a)).isZero, "a + (−a) = 0, a=\(a)")
            #expect(-(-a) == a, "−(−a) = a, a=\(a)")
            #expect(a - b == a + (-b), "a − b = a + (−b) for a=\(a) b=\(b)")
            #expect(a - b == -(b - a), "a − b = −(b − a) for a=\(a) b=\(b)")
            #expect((a + b) - b == a, "(a + b) − b = a for a=\(a) b=\(b)")
            for x in [a + b, a - b, a * b, -a, a * b + c, a * (b + c)] {
                expectCanonical(x, "result from a=\(a) b=\(b) c=\(c)")
            }
            if !b.isZero {
                let quotient = a / b
                expectCanonical(quotient, "\(a) / \(b)")
                #expect(quotient * b == a, "(a/b)·b = a for a=\(a) b=\(b)")
                #expect((a * b) / b == a, "(a·b)/b = a for a=\(a) b=\(b)")
                #expect(b * b.reciprocal == .one, "b·(1/b) = 1 for b=\(b)")
                #expect(b.reciprocal.reciprocal == b, "1/(1/b) = b for b=\(b)")
                #expect((try? a.divided(by: b)) == quotient, "divided(by:) agrees with / for a=\(a) b=\(b)")
                #expect((try? b.inverse()) == b.reciprocal, "inverse() agrees with reciprocal for b=\(b)")
                expectCanonical(b.reciprocal, "1/\(b)")
            }
        }
    }

    @Test("integer powers agree with repeated multiplication; x^(−e) = 1/x^e")
    func powers() async {
        await propertyCheck(count: lawCases, input: rationals, Gen.int(in: 0...6)) { x, e in
            var expected = Rational.one
            for _ in 0..<e { expected = expected * x }
            #expect((try? x.power(e)) == expected, "\(x)^\(e)")
            if !x.isZero {
                #expect((try? x.power(-e)) == expected.reciprocal, "\(x)^-\(e)")
            }
        }
    }
}

@Suite("Order laws")
struct OrderLawTests {
    @Test("total order: trichotomy, transitivity, compatibility with + and ·, agreement with mpq_cmp")
    func orderLaws() async {
        await propertyCheck(count: lawCases, input: rationals, rationals, rationals) { a, b, c in
            let less = a < b, equal = a == b, greater = b < a
            #expect([less, equal, greater].filter { $0 }.count == 1, "trichotomy for a=\(a) b=\(b)")
            let oracle = RefQ(a).compare(RefQ(b))
            #expect(oracle == (less ? -1 : equal ? 0 : 1), "order disagrees with mpq_cmp for a=\(a) b=\(b)")
            #expect((a - b).signum == oracle, "sign(a − b) for a=\(a) b=\(b)")
            #expect((a <= b) == !greater && (a >= b) == !less, "≤ and ≥ for a=\(a) b=\(b)")
            let sorted = [a, b, c].sorted()
            #expect(sorted[0] <= sorted[1] && sorted[1] <= sorted[2] && sorted[0] <= sorted[2],
                    "transitivity for a=\(a) b=\(b) c=\(c)")
            if less {
                #expect(a + c < b + c, "a < b ⇒ a + c < b + c for a=\(a) b=\(b) c=\(c)")
                if c.signum > 0 { #expect(a * c < b * c, "a < b, c > 0 ⇒ ac < bc for a=\(a) b=\(b) c=\(c)") }
                if c.signum < 0 { #expect(a * c > b * c, "a < b, c < 0 ⇒ ac > bc for a=\(a) b=\(b) c=\(c)") }
                // Nearest rounding is monotone.
                #expect(a.doubleValue <= b.doubleValue, "doubleValue monotone for a=\(a) b=\(b)")
            }
            #expect(a.signum == RefQ(a).compare(RefQ()), "signum of \(a)")
            #expect(a.magnitude >= .zero && (a.magnitude == a || a.magnitude == -a), "|a| for a=\(a)")
            #expect(a.relu == max(a, .zero), "ReLU of \(a)")
        }
    }

    @Test("floor and ceiling bracket the value by integers")
    func floorAndCeiling() async {
        await propertyCheck(count: lawCases, input: rationals) { a in
            let f = a.floor, c = a.ceiling
            #expect(f.isInteger && c.isInteger, "floor/ceiling of \(a) are integers")
            #expect(f <= a && a < f + .one, "floor(\(a)) = \(f)")
            #expect(c - .one < a && a <= c, "ceiling(\(a)) = \(c)")
            #expect((c - f) == (a.isInteger ? .zero : .one), "ceiling − floor for \(a)")
            expectCanonical(f, "floor(\(a))")
            expectCanonical(c, "ceiling(\(a))")
        }
    }

    @Test("numerator, denominator and bit lengths")
    func parts() async {
        await propertyCheck(count: lawCases, input: rationals) { a in
            let n = a.numerator, d = a.denominator
            #expect(d > .zero && n / d == a, "\(n)/\(d) = \(a)")
            #expect(n.isInteger && d.isInteger, "parts of \(a) are integers")
            #expect(d == .one || !a.isInteger, "isInteger of \(a)")
            let text = a.description.split(separator: "/").map(String.init)
            let digits = text[0].hasPrefix("-") ? String(text[0].dropFirst()) : text[0]
            // Bit length of |numerator| from its decimal text via GMP, independently of Rational.
            let expectedBits = a.isZero ? 0 : RefQ(text: digits).bitLengthOfNumerator
            #expect(a.numeratorBitLength == expectedBits, "numerator bits of \(a)")
            let expectedDenBits = text.count == 1 ? 1 : RefQ(text: text[1]).bitLengthOfNumerator
            #expect(a.denominatorBitLength == expectedDenBits, "denominator bits of \(a)")
            if let i = a.exactInt { #expect(Rational(i) == a, "exactInt of \(a)") }
            #expect((a.exactInt != nil) == (a.isInteger && a >= Rational(Int.min) && a <= Rational(Int.max)),
                    "exactInt is defined exactly for integers in Int's range: \(a)")
        }
    }
}

extension RefQ {
    /// Bits of |numerator| as GMP counts them (mpz_sizeinbase, base 2).
    var bitLengthOfNumerator: Int {
        withExtendedLifetime(self) { Int(__gmpz_sizeinbase(numeratorRef(pointer), 2)) }
    }
}
