import Constructions
import DatasetGeneration
import ExactArithmetic
import LinearProgramming
import TestSupport
import Testing
import TransformerModel

/// Lemma 4.5 (leader ⇔ extreme point): every token of random sequences gets a checked witness and,
/// when extreme, an attention layer that makes it a leader; tampering fails with the reason.
@Suite struct Lemma45Tests {
    static let square = [tok(1, 1), tok(3, 1), tok(1, 3), tok(3, 3), tok(2, 2), tok(2, 1)]

    @Test func squareCornersLeadCentreCannot() throws {
        for i in Self.square.indices {
            let c = try LeaderExtremePoint.construct(tokens: Self.square, index: i)
            let check = LeaderExtremePoint.check(c, tokens: Self.square)
            #expect(check.holds, "token \(i): \(check.failure ?? "")")
            #expect(c.witness.isExtreme == (i < 4), "token \(i)")
        }
    }

    @Test func randomSequencesEveryToken() throws {
        var rng = SplitMix64(seed: 4_5)
        var extreme = 0, interior = 0
        for round in 0..<(80 * iterationScale) {
            let d = [2, 3, 5][round % 3]
            var g = DatasetGenerator(seed: UInt64(4000 + round))
            var tokens = g.distinctTokens(Int.random(in: 1...6, using: &rng), dimension: d)
            if tokens.count >= 2 { tokens.append(zip(tokens[0], tokens[1]).map { ($0 + $1) / Rational(2) }) }
            tokens = LemmaSupport.distinct(tokens).filter { $0.contains { !$0.isZero } }
            for i in tokens.indices {
                let c = try LeaderExtremePoint.construct(tokens: tokens, index: i)
                let check = LeaderExtremePoint.check(c, tokens: tokens)
                #expect(check.holds, "\(show(tokens)) token \(i): \(check.failure ?? "")")
                if c.witness.isExtreme { extreme += 1 } else { interior += 1 }
            }
        }
        #expect(extreme > 0 && interior > 0)
    }

    @Test func brokenHypothesesAreNamed() throws {
        let withOrigin = [tok(0, 0), tok(1, 0), tok(0, 1)]
        let c = try LeaderExtremePoint.construct(tokens: withOrigin, index: 0)
        #expect(LeaderExtremePoint.check(c, tokens: withOrigin).failure?.hasPrefix("hypothesis x_i ≠ 0 violated: x_0 is the origin") == true)
        let repeated = [tok(1, 0), tok(0, 1), tok(1, 0)]
        let c2 = try LeaderExtremePoint.construct(tokens: repeated, index: 1)
        #expect(LeaderExtremePoint.check(c2, tokens: repeated).failure?.hasPrefix("hypothesis violated: tokens 0 and 2 are equal") == true)
        #expect(throws: LemmaError.self) { try LeaderExtremePoint.construct(tokens: Self.square, index: 6) }
    }

    @Test func tamperingIsCaught() throws {
        var c = try LeaderExtremePoint.construct(tokens: Self.square, index: 3)
        c.witness = .separating(direction: tok(1, 0), margin: .one)
        #expect(LeaderExtremePoint.check(c, tokens: Self.square).failure?.hasPrefix("witness rejected: separating direction fails") == true)
        var flipped = try LeaderExtremePoint.construct(tokens: Self.square, index: 3)
        if case .rankOne(let p, let q)? = flipped.layer?.heads[0].scores {
            flipped.layer?.heads[0].scores = .rankOne(p: p.map { -$0 }, q: q)
        }
        #expect(LeaderExtremePoint.check(flipped, tokens: Self.square).failure == "token 3 is not a leader: C_3 = {0}, expected {3}")
        var centre = try LeaderExtremePoint.construct(tokens: Self.square, index: 4)
        centre.witness = .convexCombination(weights: [r("1/2"), .zero, .zero, .zero, .zero, r("1/2")])
        #expect(LeaderExtremePoint.check(centre, tokens: Self.square).failure?.hasPrefix("witness rejected: Σ λ_k x_k = [3/2, 1] differs from x_4") == true)
    }
}
