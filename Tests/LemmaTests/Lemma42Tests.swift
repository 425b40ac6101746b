import Constructions
import DatasetGeneration
import ExactArithmetic
import TestSupport
import Testing
import TransformerModel

/// Lemma 4.2 (full clustering), on hand-made data, on data prepared by the orthant FF, and failing.
@Suite struct Lemma42Tests {
    static let cube = [tok(1, 2), rtok("1/2", "1/3"), tok(3, 3), tok(2, 1)]

    @Test func handMadeCubeClusters() throws {
        for gamma in [r("1/2"), .one, r("1/5")] {
            let c = try FullClustering.construct(tokens: Self.cube, gamma: gamma, steps: 5)
            let check = FullClustering.check(c, tokens: Self.cube)
            #expect(check.holds, "γ = \(gamma): \(check.failure ?? "")")
        }
    }

    @Test func preparedRandomSequencesCluster() throws {
        var rng = SplitMix64(seed: 4_2)
        for round in 0..<(60 * iterationScale) {
            let d = [1, 2, 3, 5][round % 4]
            var g = DatasetGenerator(seed: UInt64(1000 + round))
            let tokens = g.distinctTokens(Int.random(in: 1...7, using: &rng), dimension: d)
            let leader = Int.random(in: 0..<tokens.count, using: &rng)
            let c = try FullClustering.construct(tokens: tokens, gamma: [r("1/2"), .one][round % 2], steps: 3, prepare: true, leader: leader)
            let check = FullClustering.check(c, tokens: tokens)
            #expect(check.holds, "\(show(tokens)) leader \(leader): \(check.failure ?? "")")
        }
    }

    @Test func brokenHypothesesAreNamed() throws {
        let raw = [tok(0, 1), rtok("1/2", "3"), tok(2, -1)]
        let c = try FullClustering.construct(tokens: raw)
        #expect(FullClustering.check(c, tokens: raw).failure == "hypothesis x > 0 violated: token 0 = [0, 1] has coordinate 0 = 0 ≤ 0")
        let crossed = [tok(1, 2), tok(2, 1)]
        let c2 = try FullClustering.construct(tokens: crossed)
        #expect(FullClustering.check(c2, tokens: crossed).failure == "hypothesis violated: no token is greater than every other token in every coordinate (x_1 = [2, 1] is not above x_0 = [1, 2] in coordinate 1)")
        let c3 = try FullClustering.construct(tokens: Self.cube, gamma: r("5/4"))
        #expect(FullClustering.check(c3, tokens: Self.cube).failure == "hypothesis γ ∈ (0,1] violated: γ = 5/4")
    }

    @Test func tamperedLayersAreCaught() throws {
        var c = try FullClustering.construct(tokens: Self.cube)
        c.layer.heads[0].scores = .scaledIdentity(Rational(-1))
        #expect(FullClustering.check(c, tokens: Self.cube).failure?.hasPrefix("step 1, token 0: attends to") == true)
        var p = try FullClustering.construct(tokens: [tok(0, 1), tok(2, -1)], prepare: true)
        p.preparation?.layer.ridges.removeFirst()   // drop the hat: the leader is no longer lifted
        #expect(FullClustering.check(p, tokens: [tok(0, 1), tok(2, -1)]).failure?.hasPrefix("hypothesis violated: no token is greater") == true)
        var rho = try FullClustering.construct(tokens: Self.cube)
        rho.layer.rho = r("1/3")
        #expect(FullClustering.check(rho, tokens: Self.cube).failure?.hasPrefix("step 1, token 0: expected") == true)
    }
}
