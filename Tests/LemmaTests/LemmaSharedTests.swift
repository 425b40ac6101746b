import Constructions
import DatasetGeneration
import ExactArithmetic
import Testing
import TransformerModel

/// `lemmas` computes the dataset-wide parts of Lemmas 4.6–4.8 once (issue 21): the constructions
/// given them must equal the constructions that compute them themselves.
@Suite struct LemmaSharedTests {
    @Test func sharedPartsGiveTheSameConstructions() throws {
        for round in 0..<6 {
            var g = DatasetGenerator(seed: UInt64(4200 + round))
            let d = [1, 2, 3][round % 3]
            let data = g.dataset(pairs: 5, dimension: d, lengths: 2...5, pool: round % 2 == 0 ? 8 : nil)
            let sequences = data.pairs.map { LemmaSupport.distinct($0.input) }
            let points = LemmaSupport.distinct(sequences.flatMap { $0 })
            let shared = UniqueLeaders.Shared(sequences: sequences, dimension: d)
            let separating = GenericDirection.separatingAll(points, dimension: d)
            for j in sequences.indices {
                let alone = try UniqueLeaders.construct(sequences: sequences, sequence: j, index: 0)
                let given = try UniqueLeaders.construct(sequences: sequences, sequence: j, index: 0, shared: shared)
                #expect(alone == given)
                let a = try LeaderAlignment.construct(sequences: sequences, sequence: j, index: 0)
                let b = try LeaderAlignment.construct(sequences: sequences, sequence: j, index: 0, unique: given)
                #expect(a == b)
                let move = HatMove.Move(index: 0, target: data.pairs[j].output[0])
                let h1 = try HatMove.construct(points: points, moves: [move])
                let h2 = try HatMove.construct(points: points, moves: [move], separating: separating)
                #expect(h1 == h2)
            }
        }
    }
}
