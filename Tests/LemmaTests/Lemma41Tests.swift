import Constructions
import DatasetGeneration
import ExactArithmetic
import TestSupport
import Testing
import TransformerModel

/// Lemma 4.1 (rank-one clustering): the closed form holds at every step; broken hypotheses and
/// tampered layers are reported with their reason.
@Suite struct Lemma41Tests {
    static let sequence = [tok(0, 1), rtok("1/2", "3"), rtok("-1/4", "2"), tok(2, -1)]

    @Test func figureFiveSequenceClusters() throws {
        for gamma in [r("1/2"), r("1/3"), .one, r("7/8")] {
            let c = try RankOneClustering.construct(tokens: Self.sequence, gamma: gamma, steps: 6)
            let check = RankOneClustering.check(c, tokens: Self.sequence)
            #expect(check.holds, "γ = \(gamma): \(check.failure ?? "")")
            #expect(check.verified.count == 4)
        }
    }

    @Test func randomSequencesCluster() throws {
        var rng = SplitMix64(seed: 4_1)
        for round in 0..<(60 * iterationScale) {
            let d = [1, 2, 3][round % 3]
            var g = DatasetGenerator(seed: UInt64(round))
            let tokens = g.distinctTokens(Int.random(in: 1...7, using: &rng), dimension: d).filter { $0.contains { !$0.isZero } }
            if tokens.isEmpty { continue }
            let gamma = [r("1/2"), r("1/4"), .one, r("2/3")][round % 4]
            let c = try RankOneClustering.construct(tokens: tokens, gamma: gamma, steps: 4)
            let check = RankOneClustering.check(c, tokens: tokens)
            #expect(check.holds, "\(show(tokens)) γ = \(gamma) w = \(show(c.direction)): \(check.failure ?? "")")
        }
    }

    @Test func brokenHypothesesAreNamed() throws {
        let bad = try RankOneClustering.construct(tokens: Self.sequence, gamma: r("3/2"))
        #expect(RankOneClustering.check(bad, tokens: Self.sequence).failure == "hypothesis γ ∈ (0,1] violated: γ = 3/2")
        let zeroGamma = try RankOneClustering.construct(tokens: Self.sequence, gamma: .zero)
        #expect(RankOneClustering.check(zeroGamma, tokens: Self.sequence).failure == "hypothesis γ ∈ (0,1] violated: γ = 0")
        // ⟨w, x⟩ = 0 for x = (1, 1) and w = (1, −1).
        let tokens = [tok(1, 1), tok(2, 0), tok(0, 3)]
        let orth = try RankOneClustering.construct(tokens: tokens, direction: tok(1, -1))
        #expect(RankOneClustering.check(orth, tokens: tokens).failure?.hasPrefix("hypothesis ⟨w, x_i⟩ ≠ 0 violated: ⟨w, x_0⟩ = 0") == true)
        // Two maximisers: w = (1, 0) on (2, 0) and (2, 5).
        let tied = [tok(2, 0), tok(2, 5), tok(-1, 1)]
        let c = try RankOneClustering.construct(tokens: tied, direction: tok(1, 0))
        #expect(RankOneClustering.check(c, tokens: tied).failure?.contains("has 2 distinct maximisers") == true)
    }

    @Test func tamperedLayersAreCaught() throws {
        var c = try RankOneClustering.construct(tokens: Self.sequence, gamma: r("1/2"))
        c.layer.heads[0].value = .scaledIdentity(r("2/3"))
        let failure = RankOneClustering.check(c, tokens: Self.sequence).failure
        #expect(failure?.hasPrefix("step 1, token 0: expected") == true, "\(failure ?? "holds")")
        var flipped = try RankOneClustering.construct(tokens: Self.sequence, gamma: r("1/2"))
        flipped.layer.heads[0].scores = .rankOne(p: flipped.direction.map { -$0 }, q: flipped.direction)
        #expect(RankOneClustering.check(flipped, tokens: Self.sequence).failure?.contains("attends to") == true)
    }

    @Test func invalidInputIsRejected() {
        #expect(throws: LemmaError.self) { try RankOneClustering.construct(tokens: Self.sequence, direction: tok(1, 2, 3)) }
        #expect(throws: LemmaError.self) { try RankOneClustering.construct(tokens: [], gamma: .one) }
        #expect(throws: LemmaError.self) { try RankOneClustering.construct(tokens: Self.sequence, steps: -1) }
    }
}
