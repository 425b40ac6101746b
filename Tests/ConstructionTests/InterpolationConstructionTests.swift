import Certification
import Constructions
import DatasetGeneration
import ExactArithmetic
import TestSupport
import Testing
import TransformerModel

/// `InterpolationConstruction.build`, the one call that makes every choice `construct` makes: a
/// library user gets the model the command line writes (labels recorded, the smaller compact
/// classifier, softmax with its τ₀), and the refusals it reports are the CLI's.
@Suite struct InterpolationConstructionTests {
    /// Labelled data: the embedding is `LabelEmbedding.choose` and is recorded in the model; in the
    /// compact layout both classifiers are built and the one with fewer structured parameters is
    /// the model, which certifies on the embedded dataset; in the narrow layout no choice is made.
    @Test func labelledDataGetsTheEmbeddingAndTheSmallerClassifier() throws {
        var checked = 0
        for seed in 0..<(4 * iterationScale) {
            var g = DatasetGenerator(seed: UInt64(700 + seed))
            let data = ClassificationTests.labelled(g.dataset(pairs: 6 + 4 * (seed % 3), dimension: 2, lengths: 2...4,
                                                              pool: 24, maxOutputs: 1), labels: 2 + seed % 2, seed: UInt64(seed))
            guard let input = try? InterpolationConstruction.Input(data) else { continue }
            #expect(input.labels == LabelEmbedding.choose(for: data), "seed \(seed)")
            let compact = try InterpolationConstruction.build(input, digest: input.dataset.digest, options: .init(layout: .compact))
            let choice = try #require(compact.classification, "seed \(seed): a compact classifier must be chosen")
            let fewest = min(choice.direct.model.parameterCount.structured, choice.leaderMoves.model.parameterCount.structured)
            #expect(compact.model.parameterCount.structured == fewest, "seed \(seed)")
            #expect(compact.model.labels == input.labels, "seed \(seed): the embedding must be recorded")
            #expect(compact.model.blocks == choice.kept.model.blocks, "seed \(seed)")
            #expect(try certify(model: compact.model, dataset: input.dataset).holds, "seed \(seed)")
            let narrow = try InterpolationConstruction.build(input, digest: input.dataset.digest, options: .init(layout: .narrow))
            #expect(narrow.classification == nil, "seed \(seed): the narrow layout makes no classifier choice")
            checked += 1
        }
        #expect(checked >= 2 * iterationScale, "only \(checked) feasible datasets")
    }

    /// Unlabelled data: the same model as `HardmaxConstruction.build` (byte for byte), no labels.
    @Test func unlabelledHardmaxIsTheorem14() throws {
        let input = try InterpolationConstruction.Input(figure5)
        #expect(input.labels == nil)
        for layout in HardmaxConstruction.Layout.allCases {
            let built = try InterpolationConstruction.build(input, digest: figure5.digest, options: .init(layout: layout))
            let direct = try HardmaxConstruction.build(input.problem, digest: figure5.digest, layout: layout)
            #expect(built.model.fileText == direct.model.fileText, "\(layout)")
            #expect(built.temperatureAttempts.isEmpty)
        }
    }

    /// Softmax: Theorem 1.6's model with τ₀ the last temperature tried.
    @Test func softmaxRecordsTheTemperatureSearch() throws {
        let input = try InterpolationConstruction.Input(figure5)
        let built = try InterpolationConstruction.build(input, digest: figure5.digest, options: .init(layout: .compact, attention: .softmax))
        #expect(built.model.usesSoftmax)
        #expect(built.model.temperature == built.temperatureAttempts.last?.temperature)
        #expect(try certify(model: built.model, dataset: figure5).holds)
    }

    /// Refusals: float weights with softmax, and data that is not a value of the weight format
    /// (Figure 5's 1/3, named); invalid data is `.construction(.invalidData)`.
    @Test func refusalsNameTheReason() throws {
        let input = try InterpolationConstruction.Input(figure5)
        #expect {
            try InterpolationConstruction.build(input, digest: nil, options: .init(attention: .softmax, weights: .float(.float64)))
        } throws: { error in
            guard case InterpolationConstruction.Failure.unsupported = error else { return false }
            return true
        }
        #expect {
            try InterpolationConstruction.build(input, digest: nil, options: .init(weights: .float(.float32)))
        } throws: { error in
            guard case InterpolationConstruction.Failure.dataNotRepresentable(_, let coordinate) = error else { return false }
            return coordinate.contains("1/3")
        }
        let contradictory = Dataset(dimension: 1, pairs: [
            SequencePair(input: [[r("1")]], output: [[r("1")]]),
            SequencePair(input: [[r("1")]], output: [[r("2")]]),
        ])
        #expect {
            _ = try InterpolationConstruction.Input(contradictory)
        } throws: { error in
            guard case ConstructionError.invalidData = error else { return false }
            return true
        }
    }
}
