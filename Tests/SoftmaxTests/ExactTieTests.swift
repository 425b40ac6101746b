import Certification
import DatasetGeneration
import Evaluation
import ExactArithmetic
import Testing
import TransformerModel

/// Exact ties in the softmax certificate (docs/mathematics.md#exact-ties): keys whose scores are
/// equal for every τ get equal weights, so the certificate knows their contribution exactly.
@Suite struct ExactTieTests {
    /// The paper authors' data generator: one block with Q = K = 0, V = I, ρ = 0 (every token becomes
    /// its sequence's mean, for every τ), then a ReLU FF with η = 1 and random U, b, W.
    static func generator(_ rng: inout SplitMix64, dimension d: Int, width: Int, scores: ScoreMatrix) -> Transformer {
        func entry() -> Rational { q(Int.random(in: -9...9, using: &rng), Int.random(in: 1...8, using: &rng)) }
        let mean = SelfAttentionLayer(kind: .softmax, rho: .zero, scores: scores, value: .scaledIdentity(.one))
        let ff = FeedForwardLayer.dense(eta: .one, u: (0..<width).map { _ in (0..<d).map { _ in entry() } },
                                        b: (0..<width).map { _ in entry() }, w: (0..<d).map { _ in (0..<width).map { _ in entry() } })
        return Transformer(dimension: d, blocks: [Block(stage: .imported, attention: mean), Block(stage: .imported, feedForward: ff)],
                           temperature: q(1, 1000))
    }

    /// Its exact outputs: FF(mean of X), one token per sequence.
    static func exactOutput(_ model: Transformer, _ input: [Token]) throws -> Token {
        var mean = input[0]
        for x in input.dropFirst() { mean = added(mean, x) }
        mean = scaled(mean, by: Rational(input.count).reciprocal)
        let ffOnly = Transformer(dimension: model.dimension, blocks: [model.blocks[1]])
        return try Evaluator<Rational>(ffOnly).evaluate([mean])[0]
    }

    @Test func generatorFormIsCertifiedAgainstItsExactOutputs() throws {
        var rng = SplitMix64(seed: 2206)
        var certified = 0
        for iteration in 0..<(12 * iterationScale) {
            let d = Int.random(in: 1...5, using: &rng)
            let zeros = (0..<2).map { _ in [Rational](repeating: .zero, count: d) }
            let scores: ScoreMatrix = iteration % 2 == 0 ? .zero : .queryKey(query: zeros, key: zeros)
            let model = Self.generator(&rng, dimension: d, width: 4, scores: scores)
            let pairs = try (0..<Int.random(in: 1...6, using: &rng)).map { _ -> SequencePair in
                let input = (0..<Int.random(in: 1...7, using: &rng)).map { _ in (0..<d).map { _ in q(Int.random(in: -5...5, using: &rng), 3) } }
                return SequencePair(input: input, output: [try Self.exactOutput(model, input)])
            }
            let data = Dataset(dimension: d, pairs: pairs)
            let report = try certify(model: model, dataset: data)
            #expect(report.holds, "iteration \(iteration): \(report.failures.map(\.description))")
            if report.holds { certified += 1 }
            // Negative: one target moved by 1/7 is rejected.
            var wrong = data
            wrong.pairs[0].output[0][0] += q(1, 7)
            #expect(!(try certify(model: model, dataset: wrong)).holds, "iteration \(iteration): a wrong target was certified")
        }
        #expect(certified == 12 * iterationScale)
    }

    /// Soundness: scores that differ (Q = K = ε·I, tiny but not zero) are not an exact tie, so the
    /// mean is not assumed; with different values the certificate cannot claim the mean's output.
    @Test func nearTiesAreNotExactTies() throws {
        var rng = SplitMix64(seed: 2207)
        let d = 2
        let epsilon = Rational.powerOfTwo(-20)
        let identity = (0..<d).map { r in (0..<d).map { c in r == c ? epsilon : .zero } }
        let model = Self.generator(&rng, dimension: d, width: 3, scores: .queryKey(query: identity, key: identity))
        let input: [Token] = [[q(1), q(0)], [q(0), q(1)], [q(-1), q(2)]]
        let data = Dataset(dimension: d, pairs: [SequencePair(input: input, output: [try Self.exactOutput(model, input)])])
        let report = try certify(model: model, dataset: data)
        #expect(!report.holds, "softmax with unequal scores was certified to give the exact mean")
    }
}
