import Certification
import Constructions
import DatasetGeneration
import Evaluation
import ExactArithmetic
import Foundation
import Testing
import TransformerModel

/// Labelled datasets (docs/mathematics.md#classification): reading, the label embedding `construct`
/// chooses, the model file, and the compact construction with one staircase step per label change.
@Suite struct ClassificationTests {
    static func labelled(_ data: Dataset, labels: Int, seed: UInt64) -> Dataset {
        var rng = SplitMix64(seed: seed)
        var out = data
        for j in out.pairs.indices {
            out.pairs[j].output = []
            out.pairs[j].label = "class-\(Int(rng.next() % UInt64(labels)))"
        }
        return out
    }

    /// The random-dataset loops skip infeasible datasets (identical inputs, different labels); at
    /// least this many of their iterations must build and certify a classifier (3 in 4).
    static func minimumCertified(_ iterations: Int) -> Int { iterations * 3 / 4 }

    /// Builds the classifier as `construct` does: choose, embed, build compact, record the labels.
    static func classifier(_ data: Dataset) throws -> (Transformer, Dataset) {
        let embedding = LabelEmbedding.choose(for: data)
        let embedded = try data.embedded(embedding)
        let problem = try InterpolationProblem(embedded)
        var model = try HardmaxConstruction.build(problem, digest: embedded.digest, layout: .compact).model
        model.labels = embedding
        return (model, embedded)
    }

    @Test func readsLabelsAndRejectsMixedPairs() throws {
        let good = #"{"dimension": 2, "pairs": [{"input": [[0, 1]], "label": "a"}, {"input": [[1, 1]], "label": "b"}]}"#
        let data = try Dataset.parse(Array(good.utf8))
        #expect(data.isLabelled && data.labels == ["a", "b"])
        #expect(try Dataset.parse(Array(data.json.rendered().utf8)) == data)
        let bad: [(String, String)] = [
            (#"{"dimension": 2, "pairs": [{"input": [[0, 1]], "label": "a", "output": [[0, 1]]}]}"#, "pairs[0]"),
            (#"{"dimension": 2, "pairs": [{"input": [[0, 1]], "label": "a"}, {"input": [[1, 1]], "output": [[1, 1]]}]}"#, "pairs[1].output"),
            (#"{"dimension": 2, "pairs": [{"input": [[0, 1]], "output": [[0, 1]]}, {"input": [[1, 1]], "label": "b"}]}"#, "pairs[1].label"),
            (#"{"dimension": 2, "pairs": [{"input": [[0, 1]], "label": ""}]}"#, "pairs[0].label"),
            (#"{"dimension": 2, "pairs": [{"input": [[0, 1]], "label": 3}]}"#, "pairs[0].label"),
        ]
        for (text, path) in bad {
            do { _ = try Dataset.parse(Array(text.utf8)); Issue.record("accepted \(text)") } catch { #expect(error.path == path, "\(text): \(error)") }
        }
    }

    @Test func embeddingIsDistinctAndRecorded() throws {
        var g = DatasetGenerator(seed: 3)
        let data = Self.labelled(g.dataset(pairs: 12, dimension: 3, lengths: 2...4, maxOutputs: 1), labels: 4, seed: 3)
        let e = LabelEmbedding.choose(for: data)
        #expect(Set(e.entries.map(\.token)).count == e.entries.count)
        try e.validate(dimension: 3, path: "labels")
        let (model, _) = try Self.classifier(data)
        let reread = try Transformer.parse(Array(model.fileText.utf8))
        #expect(reread.labels == e)
        // a label the model does not know, and two labels on one token, are errors
        var unknown = data
        unknown.pairs[0].label = "no-such-class"
        #expect(throws: InputError.self) { try unknown.embedded(e) }
        var twice = e
        twice.entries[1].token = twice.entries[0].token
        #expect(throws: InputError.self) { try twice.validate(dimension: 3, path: "labels") }
    }

    @Test func fortySequencesThreeLabelsWithinNPlusOneBlocks() throws {
        var g = DatasetGenerator(seed: 40)
        let data = Self.labelled(g.dataset(pairs: 40, dimension: 3, lengths: 2...5, pool: 40, maxOutputs: 1), labels: 3, seed: 40)
        let (model, embedded) = try Self.classifier(data)
        #expect(model.blocks.count <= 41)
        #expect(model.blocks.last?.feedForward.width == 5, "one constant neuron and two per label change")
        #expect(try certify(model: model, dataset: embedded).holds)
        // Negative: swap two labels' tokens in the recorded embedding and verification fails.
        var swapped = try #require(model.labels)
        (swapped.entries[0].token, swapped.entries[1].token) = (swapped.entries[1].token, swapped.entries[0].token)
        #expect(try !certify(model: model, dataset: data.embedded(swapped), options: CertificationOptions(bindingDigest: false)).holds)
    }

    @Test func randomLabelledDatasetsNeedOneStepPerLabelChange() throws {
        let iterations = 12 * iterationScale
        var certified = 0, infeasible = 0
        for it in 0..<iterations {
            var g = DatasetGenerator(seed: UInt64(100 + it))
            let labels = 2 + it % 3
            let data = Self.labelled(g.dataset(pairs: 6 + it % 10, dimension: 2 + it % 2, lengths: 1...4, pool: 12, maxOutputs: 1),
                                     labels: labels, seed: UInt64(it))
            guard let (model, embedded) = try? Self.classifier(data) else {
                // identical inputs with different labels are infeasible: the reader must say so
                #expect(throws: (any Error).self) { try InterpolationProblem(data.embedded(LabelEmbedding.choose(for: data))) }
                infeasible += 1
                continue
            }
            let present = data.labels.count
            #expect(model.blocks.last?.feedForward.width == 2 * present - 1, "iteration \(it)\n\(data.json.rendered())")
            #expect(model.blocks.count <= data.pairs.count + 1)
            #expect(try certify(model: model, dataset: embedded).holds, "iteration \(it)\n\(data.json.rendered())")
            certified += 1
        }
        // Every iteration ran one of the two checks, and most built and certified a classifier
        // (a generator change that made every dataset infeasible would otherwise pass silently).
        #expect(certified + infeasible == iterations)
        #expect(certified >= Self.minimumCertified(iterations), "only \(certified) of \(iterations) random datasets certified (\(infeasible) infeasible)")
    }

    @Test func staircaseSkipsStepsWithoutChange() {
        let moves: [(source: Token, target: Token)] = (0..<6).map { k in (tok(k + 1, k + 1), tok(k < 3 ? 0 : 5, 1)) }
        let stairs = Staircase(moves: moves, dimension: 2)
        #expect(stairs.layer.width == 3)
        for m in moves {
            #expect(CompiledFeedForward<Rational>(stairs.layer).apply(m.source) == m.target)
        }
    }

    @Test func collapseOntoOwnTokenCertifiesWithFewerParameters() throws {
        let iterations = 12 * iterationScale
        var certified = 0, skipped = 0
        for it in 0..<iterations {
            var g = DatasetGenerator(seed: UInt64(500 + it))
            let data = Self.labelled(g.dataset(pairs: 8 + it % 12, dimension: 2 + it % 3, lengths: 1...5, pool: it % 2 == 0 ? 15 : nil, maxOutputs: 1),
                                     labels: 2 + it % 3, seed: UInt64(it))
            let embedding = LabelEmbedding.choose(for: data)
            guard let embedded = try? data.embedded(embedding), let problem = try? InterpolationProblem(embedded) else {
                skipped += 1 // infeasible (identical inputs with different labels)
                continue
            }
            let direct = try ClassificationConstruction.build(problem, digest: embedded.digest)
            #expect(direct.model.blocks.count <= problem.count + 1)
            let reread = try Transformer.parse(Array(direct.model.fileText.utf8))
            #expect(try certify(model: reread, dataset: embedded).holds, "iteration \(it)\n\(data.json.rendered())")
            certified += 1
        }
        #expect(certified + skipped == iterations)
        #expect(certified >= Self.minimumCertified(iterations), "only \(certified) of \(iterations) random datasets certified (\(skipped) infeasible, skipped)")
        // On 40 sequences with 3 labels it beats the leader-move construction.
        var g = DatasetGenerator(seed: 40)
        let data = Self.labelled(g.dataset(pairs: 40, dimension: 3, lengths: 2...5, pool: 40, maxOutputs: 1), labels: 3, seed: 40)
        let embedded = try data.embedded(LabelEmbedding.choose(for: data))
        let problem = try InterpolationProblem(embedded)
        let direct = try ClassificationConstruction.build(problem, digest: embedded.digest)
        let standard = try HardmaxConstruction.build(problem, digest: embedded.digest, layout: .compact)
        #expect(direct.model.parameterCount.structured < standard.model.parameterCount.structured)
        #expect(direct.model.blocks.count <= 41)
        // Negative: a collapse direction w that is not the constructed one breaks the certificate.
        var tampered = direct.model
        let c = try #require(tampered.blocks.firstIndex { $0.stage == ClassificationConstruction.collapseStage })
        if case .rankOne(let p, let q) = tampered.blocks[c].attention.heads[0].scores {
            tampered.blocks[c].attention.heads[0].scores = .rankOne(p: p, q: q.map { -$0 })
        }
        #expect(try !certify(model: tampered, dataset: embedded).holds)
    }
}
