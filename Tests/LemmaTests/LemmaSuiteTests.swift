import Constructions
import DatasetGeneration
import ExactArithmetic
import Testing
import TransformerModel

/// The `lemmas` runner: on random datasets (d = 1…4, overlapping sequences, repeated tokens) no row
/// fails, and the same dataset always gives the same rows.
@Suite struct LemmaSuiteTests {
    @Test func randomDatasetsHaveNoFailingRow() {
        for round in 0..<(16 * iterationScale) {
            var g = DatasetGenerator(seed: UInt64(9000 + round))
            let d = [1, 2, 3, 4][round % 4]
            var data = g.dataset(pairs: 3, dimension: d, lengths: 1...5, pool: round % 2 == 0 ? 6 : nil)
            if round % 3 == 0, let first = data.pairs[0].input.first { data.pairs[0].input.append(first) }  // a repeated token
            let rows = LemmaSuite.run(data)
            #expect(rows.count >= 8 * data.pairs.count)
            for row in rows where row.status == .fails {
                Issue.record("lemma \(row.lemma), sequence \(row.sequence): \(row.reason ?? "")\n\(data.json.rendered())")
            }
        }
    }

    @Test func deterministic() {
        var g = DatasetGenerator(seed: 77)
        let data = g.dataset(pairs: 4, dimension: 2, lengths: 2...5, pool: 7)
        #expect(LemmaSuite.run(data) == LemmaSuite.run(data))
    }

    @Test func originIsNotApplicableForLemma41() {
        let data = Dataset(dimension: 2, pairs: [SequencePair(input: [tok(0, 0), tok(1, 2), tok(3, 1)], output: [tok(1, 1)])])
        let rows = LemmaSuite.run(data)
        #expect(rows.first { $0.lemma == "4.1" }?.status == .notApplicable)
        #expect(rows.allSatisfy { $0.status != .fails }, "\(rows.filter { $0.status == .fails })")
    }
}
