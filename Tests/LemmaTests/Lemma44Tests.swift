import Constructions
import DatasetGeneration
import ExactArithmetic
import TestSupport
import Testing
import TransformerModel

/// Lemma 4.4 (partial clustering, the orthant collapse): one step with γ = 1 leaves exactly the m
/// leaders; broken hypotheses and tampered layers fail with their reason.
@Suite struct Lemma44Tests {
    // x_ℓ = (4, 4), non-leaders in (0, 4)², L′ on the unit sphere in the negative orthant.
    static let configuration = [tok(1, 2), tok(4, 4), rtok("-3/5", "-4/5"), tok(3, 1), tok(0, -1), rtok("1/2", "7/2")]

    @Test func handMadeCollapse() throws {
        for gamma in [Rational.one, r("1/2")] {
            let c = try PartialClustering.construct(tokens: Self.configuration, gamma: gamma, steps: 3)
            let check = PartialClustering.check(c, tokens: Self.configuration)
            #expect(check.holds, "γ = \(gamma): \(check.failure ?? "")")
        }
        let explicit = try PartialClustering.construct(tokens: Self.configuration, leaders: [1, 4, 2])
        #expect(PartialClustering.check(explicit, tokens: Self.configuration).holds)
    }

    @Test func preparedRandomSequencesCollapseToTheirLeaders() throws {
        var rng = SplitMix64(seed: 4_4)
        for round in 0..<(60 * iterationScale) {
            let d = [2, 3, 1, 4][round % 4]
            var g = DatasetGenerator(seed: UInt64(3000 + round))
            let tokens = g.distinctTokens(Int.random(in: 1...8, using: &rng), dimension: d)
            let m = Int.random(in: 1...(d == 1 ? min(2, tokens.count) : tokens.count), using: &rng)
            let c = try PartialClustering.construct(tokens: tokens, prepare: true, leaderCount: m)
            let check = PartialClustering.check(c, tokens: tokens)
            #expect(check.holds, "\(show(tokens)) m = \(m): \(check.failure ?? "")")
        }
    }

    @Test func brokenHypothesesAreNamed() throws {
        var offSphere = Self.configuration
        offSphere[4] = tok(0, -2)
        let c = try PartialClustering.construct(tokens: offSphere)
        #expect(PartialClustering.check(c, tokens: offSphere).failure == "hypothesis violated: L′ is not on one sphere: |x_2|² = 1 but |x_4|² = 4")
        let wrongSign = try PartialClustering.construct(tokens: Self.configuration, leaders: [1, 0])
        #expect(PartialClustering.check(wrongSign, tokens: Self.configuration).failure == "hypothesis x ≤ 0 on L′ violated: leader 0 = [1, 2] has coordinate 0 = 1 > 0")
        let lowLeader = try PartialClustering.construct(tokens: Self.configuration, leaders: [3, 2, 4])
        #expect(PartialClustering.check(lowLeader, tokens: Self.configuration).failure == "hypothesis violated: x_ℓ = x_3 = [3, 1] is not above x_0 = [1, 2] in coordinate 1")
        var notPositive = Self.configuration
        notPositive[0] = tok(1, -2)
        let c3 = try PartialClustering.construct(tokens: notPositive, leaders: [1, 2, 4])
        #expect(PartialClustering.check(c3, tokens: notPositive).failure == "hypothesis x > 0 violated: token 0 = [1, -2] has coordinate 1 = -2 ≤ 0")
        #expect(throws: LemmaError.self) { try PartialClustering.construct(tokens: Self.configuration, leaders: [1, 9]) }
        #expect(throws: LemmaError.self) { try PartialClustering.construct(tokens: [tok(1), tok(2), tok(3)], prepare: true, leaderCount: 3) }
    }

    @Test func tamperedLayersAreCaught() throws {
        var c = try PartialClustering.construct(tokens: Self.configuration)
        c.layer.heads[0].value = .scaledIdentity(r("1/2"))   // ρ = 0 but V = I/2: tokens shrink
        #expect(PartialClustering.check(c, tokens: Self.configuration).failure?.hasPrefix("step 1, token 0: expected") == true)
        var p = try PartialClustering.construct(tokens: [tok(0, 1), tok(2, -1), tok(1, 1)], prepare: true, leaderCount: 2)
        p.preparation?.layer.ridges.removeFirst()
        #expect(PartialClustering.check(p, tokens: [tok(0, 1), tok(2, -1), tok(1, 1)]).failure?.hasPrefix("hypothesis") == true)
    }
}
