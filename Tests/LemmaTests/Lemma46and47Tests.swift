import Constructions
import DatasetGeneration
import ExactArithmetic
import TestSupport
import Testing
import TransformerModel

/// Lemmas 4.6 (one direction with a unique leader everywhere) and 4.7 (shift FF + rank-one
/// alignment) on the Figure 5 data and on random overlapping datasets; tampering fails with reasons.
@Suite struct Lemma46and47Tests {
    /// The input sequences of the Figure 5 dataset.
    static let figure5: [[Token]] = TestSupport.figure5.pairs.map(\.input)

    @Test func figureFiveEveryToken() throws {
        var extreme = 0, interior = 0
        for (j, s) in Self.figure5.enumerated() {
            for i in s.indices {
                let u = try UniqueLeaders.construct(sequences: Self.figure5, sequence: j, index: i)
                let uc = UniqueLeaders.check(u, sequences: Self.figure5)
                let a = try LeaderAlignment.construct(sequences: Self.figure5, sequence: j, index: i, beta: r("1/2"))
                let ac = LeaderAlignment.check(a, sequences: Self.figure5)
                if u.witness.isExtreme {
                    extreme += 1
                    #expect(uc.holds, "4.6 (\(j), \(i)): \(uc.failure ?? "")")
                    #expect(ac.holds, "4.7 (\(j), \(i)): \(ac.failure ?? "")")
                } else {
                    interior += 1
                    #expect(uc.failure?.hasPrefix("hypothesis violated: x_\(i)^\(j)") == true)
                    #expect(ac.failure?.hasPrefix("Lemma 4.6: hypothesis violated") == true)
                }
            }
        }
        #expect(extreme == 11 && interior == 1, "\(extreme) extreme, \(interior) interior")
    }

    @Test func randomOverlappingDatasets() throws {
        for round in 0..<(40 * iterationScale) {
            var g = DatasetGenerator(seed: UInt64(4600 + round))
            let d = [2, 3, 4][round % 3]
            let data = g.dataset(pairs: 4, dimension: d, lengths: 1...5, pool: 7)
            let sequences = data.pairs.map { LemmaSupport.distinct($0.input) }
            for j in sequences.indices {
                // The first extreme token of X^j, as the `lemmas` command chooses it.
                guard let i = try sequences[j].indices.first(where: { i in
                    try LeaderExtremePoint.construct(tokens: sequences[j], index: i).witness.isExtreme }) else {
                    Issue.record("no extreme token in \(show(sequences[j]))"); continue
                }
                let a = try LeaderAlignment.construct(sequences: sequences, sequence: j, index: i)
                let check = LeaderAlignment.check(a, sequences: sequences)
                #expect(check.holds, "\(data.json.rendered()) j = \(j) i = \(i): \(check.failure ?? "")")
            }
        }
    }

    @Test func tamperedDirectionsFail() throws {
        var u = try UniqueLeaders.construct(sequences: Self.figure5, sequence: 0, index: 1)
        u.direction = tok(0, 0)
        #expect(UniqueLeaders.check(u, sequences: Self.figure5).failure == "property (i) fails: ⟨w, ·⟩ on X^0 is maximised by {x_0, x_1, x_2, x_3}, not by x_1 alone")
        // w = (0, 1) leads X^0 by (1/2, 3), but ties (0, 1) and (1, 1)... in a sequence built to tie.
        let tie: [[Token]] = [[tok(0, 3), tok(1, 0)], [tok(2, 1), tok(-2, 1), tok(0, 0)]]
        var t = try UniqueLeaders.construct(sequences: tie, sequence: 0, index: 0)
        t.direction = tok(0, 1)
        #expect(UniqueLeaders.check(t, sequences: tie).failure == "property (ii) fails: sequence 1 has 2 maximisers of ⟨w, ·⟩: {x_0 = [2, 1], x_1 = [-2, 1]}")
        #expect(throws: LemmaError.self) { try UniqueLeaders.construct(sequences: tie, sequence: 2, index: 0) }
    }

    @Test func tamperedBlocksFail() throws {
        var a = try LeaderAlignment.construct(sequences: Self.figure5, sequence: 2, index: 1)
        a.block?.feedForward = .identity
        #expect(LeaderAlignment.check(a, sequences: Self.figure5).failure?.contains("< 1 (the shift does not reach") == true)
        var b = try LeaderAlignment.construct(sequences: Self.figure5, sequence: 2, index: 1)
        if case .rankOne(let p, let q)? = b.block?.attention.heads[0].scores {
            b.block?.attention.heads[0].scores = .rankOne(p: p.map { -$0 }, q: q)
        }
        #expect(LeaderAlignment.check(b, sequences: Self.figure5).failure?.hasPrefix("token 0 of sequence 0 attends to") == true)
        var beta = try LeaderAlignment.construct(sequences: Self.figure5, sequence: 2, index: 1, beta: .one)
        beta.block?.attention.rho = .zero
        #expect(LeaderAlignment.check(beta, sequences: Self.figure5).failure?.hasPrefix("token 0 of sequence 0: SA output expected") == true)
    }
}
