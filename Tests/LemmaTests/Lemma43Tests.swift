import Constructions
import DatasetGeneration
import ExactArithmetic
import TestSupport
import Testing
import TransformerModel

/// Lemma 4.3 (no clustering): rational sphere points by inverse stereographic projection are an
/// equilibrium; points off the sphere and tampered layers fail with their reason.
@Suite struct Lemma43Tests {
    @Test func stereographicPointsAreOnTheSphere() throws {
        for d in 2...5 {
            for k in 1...6 {
                let t = (0..<(d - 1)).map { Rational($0 + k) / Rational(3) }
                let p = LemmaSupport.inverseStereographic(t, radius: r("5/2"))
                #expect(squaredNorm(p) == r("25/4"))
                let n = try #require(LemmaSupport.negativeSpherePoint(k, dimension: d, radius: r("3")))
                #expect(squaredNorm(n) == Rational(9) && n.allSatisfy { $0 < .zero }, "\(show(n))")
            }
        }
    }

    @Test func handMadeSphereIsAnEquilibrium() throws {
        let sphere = [tok(5, 0), tok(3, 4), tok(0, -5), tok(-4, 3), tok(-3, -4)]
        let c = try NoClustering.construct(tokens: sphere, gamma: r("1/3"), steps: 3)
        let check = NoClustering.check(c)
        #expect(check.holds, "\(check.failure ?? "")")
    }

    @Test func projectedRandomSequencesAreEquilibria() throws {
        var rng = SplitMix64(seed: 4_3)
        for round in 0..<(60 * iterationScale) {
            let d = [2, 3, 4, 1][round % 4]
            var g = DatasetGenerator(seed: UInt64(2000 + round))
            let tokens = g.distinctTokens(Int.random(in: 1...(d == 1 ? 2 : 8), using: &rng), dimension: d)
            let radius = [Rational.one, r("2/3"), Rational(7)][round % 3]
            let c = try NoClustering.construct(tokens: tokens, gamma: [r("1/2"), .one][round % 2], projectOntoRadius: radius)
            #expect(c.points.count == tokens.count)
            let check = NoClustering.check(c)
            #expect(check.holds, "\(show(tokens)) → \(show(c.points)): \(check.failure ?? "")")
        }
        // Tokens differing only in the last coordinate still land on distinct points.
        let column = [tok(0, 0, 1), tok(0, 0, 2), tok(-1, -1, 0), tok(1, 0, -1)]
        let c = try NoClustering.construct(tokens: column, projectOntoRadius: .one)
        #expect(Set(c.points).count == 4 && NoClustering.check(c).holds)
    }

    @Test func brokenHypothesesAreNamed() throws {
        let off = [tok(5, 0), tok(3, 4), tok(1, 1)]
        #expect(NoClustering.check(try NoClustering.construct(tokens: off)).failure == "hypothesis violated: the tokens are not on one sphere: |x_0|² = 25 but |x_2|² = 2")
        let twice = [tok(5, 0), tok(3, 4), tok(5, 0)]
        #expect(NoClustering.check(try NoClustering.construct(tokens: twice)).failure?.hasPrefix("hypothesis violated: tokens 0 and 2 are equal") == true)
        #expect(NoClustering.check(try NoClustering.construct(tokens: [tok(0, 0)])).failure == "hypothesis R > 0 violated: token 0 is the origin")
        #expect(NoClustering.check(try NoClustering.construct(tokens: [tok(5, 0)], gamma: r("-1"))).failure == "hypothesis γ ∈ (0,1] violated: γ = -1")
        #expect(throws: LemmaError.self) { try NoClustering.construct(tokens: [tok(1), tok(2), tok(3)], projectOntoRadius: .one) }
    }

    @Test func tamperedLayerIsCaught() throws {
        var c = try NoClustering.construct(tokens: [tok(5, 0), tok(3, 4), tok(0, -5)])
        c.layer.heads[0].scores = .scaledIdentity(Rational(-1))   // now every token attends to its antipode side
        #expect(NoClustering.check(c).failure?.hasPrefix("step 1, token 0: C_0 = {2}, expected {0}") == true, "\(NoClustering.check(c).failure ?? "")")
    }
}
