import CGMP
@testable import ExactArithmetic
import PropertyBased
import Testing

// The inline fast path against GMP: the same random expressions evaluated by `Rational` (inline
// where values fit, promoted on overflow), by `Rational` with every operation forced through GMP,
// and by a plain GMP oracle (`RefQ`) that shares no code with `Rational`.

/// A random arithmetic expression over a few leaves.
indirect enum Expression: CustomStringConvertible, Sendable {
    case leaf(Int)
    case add(Expression, Expression), subtract(Expression, Expression)
    case multiply(Expression, Expression), divide(Expression, Expression)
    case negate(Expression), reciprocal(Expression)

    var description: String {
        switch self {
        case .leaf(let i): return "x\(i)"
        case .add(let a, let b): return "(\(a) + \(b))"
        case .subtract(let a, let b): return "(\(a) - \(b))"
        case .multiply(let a, let b): return "(\(a) * \(b))"
        case .divide(let a, let b): return "(\(a) / \(b))"
        case .negate(let a): return "-\(a)"
        case .reciprocal(let a): return "1/\(a)"
        }
    }

    static func random(depth: Int, leaves: Int, using rng: inout some RandomNumberGenerator) -> Expression {
        if depth == 0 || rng.next() % 4 == 0 { return .leaf(Int(rng.next() % UInt64(leaves))) }
        let a = random(depth: depth - 1, leaves: leaves, using: &rng)
        switch rng.next() % 8 {
        case 0, 1: return .add(a, random(depth: depth - 1, leaves: leaves, using: &rng))
        case 2: return .subtract(a, random(depth: depth - 1, leaves: leaves, using: &rng))
        case 3, 4: return .multiply(a, random(depth: depth - 1, leaves: leaves, using: &rng))
        case 5: return .divide(a, random(depth: depth - 1, leaves: leaves, using: &rng))
        case 6: return .negate(a)
        default: return .reciprocal(a)
        }
    }
}

/// How an expression is evaluated on `Rational`.
enum Path { case normal, forcedGMP }

extension Expression {
    /// The value, or nil when a division by zero occurs (then every evaluator must agree it does).
    func evaluate(_ x: [Rational], path: Path) -> Rational? {
        func binary(_ a: Expression, _ b: Expression,
                    _ normal: (Rational, Rational) -> Rational,
                    _ gmp: @escaping (UnsafeMutablePointer<__mpq_struct>, UnsafeMutablePointer<__mpq_struct>, UnsafeMutablePointer<__mpq_struct>) -> Void) -> Rational? {
            guard let l = a.evaluate(x, path: path), let r = b.evaluate(x, path: path) else { return nil }
            return path == .normal ? normal(l, r) : Rational.gmp(l, r, gmp)
        }
        switch self {
        case .leaf(let i): return x[i]
        case .add(let a, let b): return binary(a, b, +) { __gmpq_add($0, $1, $2) }
        case .subtract(let a, let b): return binary(a, b, -) { __gmpq_sub($0, $1, $2) }
        case .multiply(let a, let b): return binary(a, b, *) { __gmpq_mul($0, $1, $2) }
        case .divide(let a, let b):
            guard let r = b.evaluate(x, path: path), !r.isZero, let l = a.evaluate(x, path: path) else { return nil }
            return path == .normal ? l / r : Rational.gmp(l, r) { __gmpq_div($0, $1, $2) }
        case .negate(let a):
            guard let v = a.evaluate(x, path: path) else { return nil }
            return path == .normal ? -v : v.gmpUnary { __gmpq_neg($0, $1) }
        case .reciprocal(let a):
            guard let v = a.evaluate(x, path: path), !v.isZero else { return nil }
            return path == .normal ? v.reciprocal : v.gmpUnary { __gmpq_inv($0, $1) }
        }
    }

    /// The oracle's value (plain GMP).
    func evaluate(_ x: [RefQ]) -> RefQ? {
        switch self {
        case .leaf(let i): return x[i]
        case .add(let a, let b): return a.evaluate(x).flatMap { l in b.evaluate(x).map { l + $0 } }
        case .subtract(let a, let b): return a.evaluate(x).flatMap { l in b.evaluate(x).map { l - $0 } }
        case .multiply(let a, let b): return a.evaluate(x).flatMap { l in b.evaluate(x).map { l * $0 } }
        case .divide(let a, let b):
            guard let r = b.evaluate(x), !r.isZero, let l = a.evaluate(x) else { return nil }
            return l / r
        case .negate(let a): return a.evaluate(x).map { -$0 }
        case .reciprocal(let a):
            guard let v = a.evaluate(x), !v.isZero else { return nil }
            return RefQ(text: "1") / v
        }
    }
}

/// Leaves mostly small (so the inline path does the work and overflows mid-expression), some big.
func randomLeaf(using rng: inout some RandomNumberGenerator) -> Rational {
    switch rng.next() % 4 {
    case 0: return randomRational(using: &rng)
    case 1:  // near the word edge
        let bits = 58 + Int(rng.next() % 7)
        return rationalFromHex(randomHex(bits: bits, using: &rng),
                               rng.next() & 1 == 0 ? "1" : randomHex(bits: 1 + Int(rng.next() % 64), using: &rng),
                               negative: rng.next() & 1 == 1)
    default:
        let n = Int(truncatingIfNeeded: rng.next() % 2_000_001) - 1_000_000
        let d = Int(truncatingIfNeeded: rng.next() % 1000) + 1
        return (try? Rational(numerator: n, denominator: d)) ?? .zero
    }
}

struct ExpressionCase: CustomStringConvertible, Sendable {
    let expression: Expression
    let leaves: [Rational]
    var description: String { "\(expression) with x = [\(leaves.map(\.description).joined(separator: ", "))]" }
}

let expressionCases = Generator<ExpressionCase, Shrink.None<ExpressionCase>>(run: { rng in
    let leaves = (0..<4).map { _ in randomLeaf(using: &rng) }
    return ExpressionCase(expression: Expression.random(depth: 4, leaves: 4, using: &rng), leaves: leaves)
})

@Suite("Fast path against GMP")
struct CrossCheckTests {
    @Test("random expressions: inline path = forced-GMP path = plain GMP oracle")
    func expressions() async {
        await propertyCheck(count: lawCases, input: expressionCases) { c in
            let fast = c.expression.evaluate(c.leaves, path: .normal)
            let forced = c.expression.evaluate(c.leaves, path: .forcedGMP)
            let oracle = c.expression.evaluate(c.leaves.map { RefQ($0) })
            #expect(fast == forced, "inline vs forced GMP: \(c)")
            #expect(fast?.description == oracle?.description, "inline vs oracle: \(c)")
            if let fast {
                expectCanonical(fast, "\(c)")
                // Same value, whichever path built it: equal hashes.
                if let forced { #expect(fast.hashValue == forced.hashValue, "hash differs across paths: \(c)") }
            }
        }
    }

    @Test("each inline operation against GMP on word-edge operands")
    func inlineOperations() async {
        let edge = Generator<Rational, Shrink.None<Rational>>(run: { rng in randomLeaf(using: &rng) })
        await propertyCheck(count: lawCases, input: edge, edge) { a, b in
            #expect(a + b == Rational.gmp(a, b) { __gmpq_add($0, $1, $2) }, "\(a) + \(b)")
            #expect(a - b == Rational.gmp(a, b) { __gmpq_sub($0, $1, $2) }, "\(a) - \(b)")
            #expect(a * b == Rational.gmp(a, b) { __gmpq_mul($0, $1, $2) }, "\(a) * \(b)")
            if !b.isZero { #expect(a / b == Rational.gmp(a, b) { __gmpq_div($0, $1, $2) }, "\(a) / \(b)") }
            let cmp = a.withMPQ { x in b.withMPQ { y in Int(__gmpq_cmp(x, y).signum()) } }
            #expect((a < b) == (cmp < 0) && (a == b) == (cmp == 0), "compare \(a) with \(b)")
        }
    }
}

// MARK: - Dot products

struct DotCase: CustomStringConvertible, Sendable {
    let a: [Rational], b: [Rational]
    var description: String { "a = \(a), b = \(b)" }
}

/// Vectors of the kinds the evaluator meets: one shared denominator, mixed small denominators,
/// word-edge entries that overflow mid-sum, and GMP entries at a random position.
func randomDotCase(using rng: inout some RandomNumberGenerator) -> DotCase {
    let n = Int(rng.next() % 13)
    func vector(_ rng: inout some RandomNumberGenerator) -> [Rational] {
        switch rng.next() % 4 {
        case 0:
            let d = Int(truncatingIfNeeded: rng.next() % (1 << 20)) + 1
            return (0..<n).map { _ in
                let k = Int(truncatingIfNeeded: rng.next() % (1 << 21)) - (1 << 20)
                return (try? Rational(numerator: k, denominator: d)) ?? .zero
            }
        case 1: return (0..<n).map { _ in randomLeaf(using: &rng) }
        case 2: return (0..<n).map { _ in randomRational(using: &rng) }
        default:
            let d = Int(truncatingIfNeeded: rng.next() >> 2) | 1
            return (0..<n).map { _ in
                (try? Rational(numerator: Int(truncatingIfNeeded: rng.next() >> 1), denominator: d)) ?? .zero
            }
        }
    }
    return DotCase(a: vector(&rng), b: vector(&rng))
}

@Suite("Rational.dot")
struct DotTests {
    @Test("dot = naive sum of products = plain GMP oracle, on every vector kind")
    func dotAgainstOracle() async {
        let cases = Generator<DotCase, Shrink.None<DotCase>>(run: { rng in randomDotCase(using: &rng) })
        await propertyCheck(count: lawCases, input: cases) { c in
            let fast = Rational.dot(c.a, c.b)
            var naive = Rational.zero
            var oracle = RefQ()
            for i in 0..<min(c.a.count, c.b.count) {
                naive = naive + c.a[i] * c.b[i]
                oracle = oracle + RefQ(c.a[i]) * RefQ(c.b[i])
            }
            #expect(fast == naive, "dot vs naive sum: \(c)")
            #expect(fast.description == oracle.description, "dot vs GMP oracle: \(c)")
            expectCanonical(fast, "dot of \(c)")
        }
    }

    @Test("vector helpers: axpy, matrix–vector, outer product, squared norm")
    func helpers() {
        let x: [Rational] = [q("1/2"), q("-3"), q("7/5")], y0: [Rational] = [q("1"), q("1/3"), q("0")]
        var y = y0
        axpy(q("2"), x, &y)
        #expect(y == [q("2"), q("-17/3"), q("14/5")])
        #expect(matrixVector([x, y0], x) == [Rational.dot(x, x), Rational.dot(y0, x)])
        #expect(outer([q("2"), q("-1")], [q("1/2"), q("3")]) == [[q("1"), q("6")], [q("-1/2"), q("-3")]])
        #expect(squaredNorm(x) == q("1/4") + q("9") + q("49/25"))
        #expect(Rational.dot([], []) == .zero)
        #expect(Double.dot([0.5, 2], [4, 0.25]) == 2.5)
    }

    /// Vectors of unequal lengths are a programming error (every reader checks dimensions first):
    /// the helpers stop the process instead of silently using the common prefix.
    @Test("vector helpers trap on unequal lengths")
    func unequalLengthsTrap() async {
        await #expect(processExitsWith: .failure) { _ = Rational.dot([q("1")], [q("1"), q("2")]) }
        await #expect(processExitsWith: .failure) { _ = Double.dot([1], [1, 2]) }
        await #expect(processExitsWith: .failure) { _ = added([q("1")], [q("1"), q("2")]) }
        await #expect(processExitsWith: .failure) { _ = subtracted([q("1"), q("2")], [q("1")]) }
        await #expect(processExitsWith: .failure) {
            var y = [q("1")]
            axpy(q("2"), [q("1"), q("2")], &y)
        }
    }
}
