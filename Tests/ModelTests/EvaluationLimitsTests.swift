import Evaluation
import ExactArithmetic
import Testing
import TransformerModel

/// The resource limit is a value given to each evaluator, and passing it is an error (never
/// partial tokens): the first block whose output has a coordinate above the limit, with its bits.
@Suite struct EvaluationLimitsTests {
    /// `blocks` blocks of FF(x) = 3x on ℚ¹: the bit length grows by about 1.6 per block.
    static func tripling(blocks: Int) -> Transformer {
        Transformer(dimension: 1, blocks: (0..<blocks).map { _ in Block(stage: .custom, feedForward: FeedForwardLayer(eta: Rational(3))) })
    }

    /// The bit length of every coordinate (tokens in order) after each block, from an unlimited trace.
    static func bitsPerBlock(_ m: Transformer, _ xs: [Token]) throws -> [[Int]] {
        let records = try Evaluator<Rational>(m, limits: EvaluationLimits(maximumBits: .max)).trace(xs)
        return records.filter { $0.sublayer == .attention }.map { $0.tokens.flatMap { $0 }.map(\.bitSize) }
    }

    @Test func anOverrunIsAnErrorAtTheFirstBlockAboveTheLimit() throws {
        let m = Self.tripling(blocks: 8)
        let xs = [[Rational(5)], [Rational(-7)]]
        let bits = try Self.bitsPerBlock(m, xs)
        let largest = bits.map { $0.max() ?? 0 }
        try #require(bits.count == 8 && largest[7] > largest[0] + 8 && bits[0][0] != bits[0][1], "the model must grow: \(bits)")
        for limit in 1...(largest[7] + 1) {
            let evaluator = try Evaluator<Rational>(m, limits: EvaluationLimits(maximumBits: limit))
            guard let block = largest.firstIndex(where: { $0 > limit }) else {
                #expect(throws: Never.self, "limit \(limit)") { _ = try evaluator.evaluate(xs) }
                continue
            }
            // The first coordinate above the limit, in token order.
            let first = bits[block].first { $0 > limit } ?? 0
            let expected = LimitOverrun(block: block, bits: first, limit: limit)
            for (name, run) in [("evaluate", { _ = try evaluator.evaluate(xs) }), ("evaluateAll", { _ = try evaluator.evaluateAll([xs]) }),
                                ("trace", { _ = try evaluator.trace(xs) })] as [(String, () throws -> Void)] {
                do {
                    try run()
                    Issue.record("\(name), limit \(limit): no error, expected \(expected) (bits per block \(bits))")
                } catch let error as EvaluationError {
                    #expect(error.overrun == expected, "\(name), limit \(limit): \(error) (bits per block \(bits))")
                    #expect(error.description.hasPrefix("resource limit: after block \(block) (0-based) a coordinate has \(first) bits, above the limit of \(limit) bits"))
                }
            }
        }
    }

    /// Two evaluators with different limits in one process do not affect each other (a global
    /// limit would make the second one's run depend on the first's).
    @Test func limitsBelongToEachEvaluator() throws {
        let m = Self.tripling(blocks: 6)
        let xs = [[Rational(1000)]]
        let tight = try Evaluator<Rational>(m, limits: EvaluationLimits(maximumBits: 12))
        let loose = try Evaluator<Rational>(m)
        #expect(loose.limits == EvaluationLimits() && EvaluationLimits().maximumBits == EvaluationLimits.defaultMaximumBits)
        #expect(throws: EvaluationError.self) { try tight.evaluate(xs) }
        #expect(try loose.evaluate(xs) == [[Rational(729_000)]])
        #expect(throws: EvaluationError.self) { try tight.evaluate(xs) }
    }

    /// Many sequences overrunning in parallel: the error is the one at the earliest block, ties to
    /// the earliest sequence, on every run (not the first thread to get there).
    @Test func theParallelErrorDoesNotDependOnTiming() throws {
        let m = Self.tripling(blocks: 6)
        let limit = 40
        // 2^k needs k + 1 bits: sequences overrunning at various blocks with various bit counts.
        let sequences: [[Token]] = [30, 40, 10, 37, 38, 36, 20, 39, 2].map { k in [[Rational.powerOfTwo(k)]] }
        let evaluator = try Evaluator<Rational>(m, limits: EvaluationLimits(maximumBits: limit))
        var perSequence: [(index: Int, overrun: LimitOverrun)] = []
        for (j, xs) in sequences.enumerated() {
            do { _ = try evaluator.evaluate(xs) } catch { perSequence.append((j, try #require(error.overrun))) }
        }
        let expected = try #require(perSequence.min { ($0.overrun.block, $0.index) < ($1.overrun.block, $1.index) })
        #expect(Set(perSequence.map(\.overrun.block)).count > 1 && perSequence.filter { $0.overrun.block == expected.overrun.block }.count > 1,
                "the fixture must have several blocks and a tie: \(perSequence)")
        for run in 0..<20 * iterationScale {
            do {
                _ = try evaluator.evaluateAll(sequences)
                Issue.record("run \(run): no error")
            } catch {
                #expect(error.overrun == expected.overrun, "run \(run): \(error), expected \(expected)")
            }
        }
    }

    /// Doubles have no bit length to grow (`bitSize` 0): the float64 path never stops at the limit.
    @Test func theFloatPathHasNoBitLimit() throws {
        let m = Self.tripling(blocks: 8)
        let evaluator = try Evaluator<Double>(m, limits: EvaluationLimits(maximumBits: 1))
        #expect(try evaluator.evaluate([[5]]) == [[5 * 6561]])
        #expect(try evaluator.evaluateAll([[[5]], [[1]]]) == [[[5 * 6561]], [[6561]]])
    }
}
