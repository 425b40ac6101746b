import Certification
import Constructions
import ExactArithmetic
import Foundation
import Testing
import TransformerModel

/// The judge's verdict depends only on the parameters and the dataset (docs/mathematics.md#enclosure-certificate):
/// a model file's metadata is typed at the reader (`ModelMetadata`) and is provenance, never behaviour.
/// Every metadata value of every model below is changed (one key at a time, all keys at once, each
/// key removed, the whole object removed) and the verdict must not move.
@Suite struct MetadataIndependenceTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func read(_ path: String) throws -> [UInt8] {
        let url = root.appendingPathComponent(path)
        return try #require(FileManager.default.contents(atPath: url.path).map { [UInt8]($0) }, "cannot read \(path)")
    }

    /// A model, the dataset it is judged on, and which judge applies.
    struct Case {
        var name: String
        var model: Transformer
        var dataset: Dataset
        var causal = false
    }

    /// What the judge says, in full enough detail that any change shows.
    struct Verdict: Equatable {
        var holds: Bool
        var failing: [Int]
        var detail: String
    }

    static func verdict(_ c: Case, _ model: Transformer) throws -> Verdict {
        if c.causal {
            let r = try certifyCausal(model: model, dataset: c.dataset)
            return Verdict(holds: r.holds, failing: r.failures.map(\.pair), detail: "unmasked \(r.unmaskedBlocks), positions \(r.positions)")
        }
        let r = try certify(model: model, dataset: c.dataset)
        return Verdict(holds: r.holds, failing: r.failures.map(\.index), detail: "\(r.method)")
    }

    /// Shipped models that hold and fail, hardmax and softmax, and models built here by every
    /// construction: Theorem 1.4 narrow and compact, Theorem 1.6 compact, classification, causal.
    static func cases() throws -> [Case] {
        var out: [Case] = []
        let figure5 = try Dataset.parse(try read("Datasets/figure5.json"))
        for (model, dataset) in [
            ("Datasets/models/figure5-handmade.model.json", "Datasets/figure5.json"),
            ("Datasets/models/figure5-wrong.model.json", "Datasets/figure5.json"),
            ("Datasets/models/figure5-softmax-narrow.model.json", "Datasets/figure5.json"),
            ("Datasets/models/tiny-hat.model.json", "Datasets/models/tiny-hat.json"),
            ("Datasets/models/near-tie.model.json", "Datasets/models/near-tie.json"),
            ("Tests/golden/draw/figure5.model.json", "Datasets/figure5.json"),
        ] {
            out.append(Case(name: model, model: try Transformer.parse(try read(model)), dataset: try Dataset.parse(try read(dataset))))
        }
        let problem = try InterpolationProblem(figure5)
        for layout in BlockLayout.allCases {
            let built = try HardmaxConstruction.build(problem, digest: figure5.digest, layout: layout).model
            out.append(Case(name: "theorem-1.4 \(layout) on figure5", model: built, dataset: figure5))
        }
        let softmax = try SoftmaxConstruction.build(problem, pairs: figure5.pairs, digest: figure5.digest, layout: .compact).model
        out.append(Case(name: "theorem-1.6 compact on figure5", model: softmax, dataset: figure5))

        let labelled = try Dataset.parse(try read("Datasets/classification/labelled-40.json"))
        let embedded = try labelled.embedded(LabelEmbedding.choose(for: labelled))
        let classifier = try ClassificationConstruction.build(try InterpolationProblem(embedded), digest: embedded.digest).model
        out.append(Case(name: "classification on labelled-40", model: classifier, dataset: embedded))

        let causalData = try Dataset.parse(try read("Datasets/causal/order-matters.json"))
        let causal = try CausalConstruction.build(try CausalProblem(causalData), digest: causalData.digest).model
        out.append(Case(name: "causal on order-matters", model: causal, dataset: causalData, causal: true))
        return out
    }

    /// Each metadata value is replaced by each of these, and each known key is added with them.
    static let values = ["", "classification", "theorem-1.4", "theorem-1.6", "causal", "narrow", "compact", "softmax",
                         "hardmax", "float32", "imported", "sa-ff", "∞"]
    static let knownKeys = ["construction", "layout", "attention", "weights", "architecture", "order", "source", "note"]

    @Test func verdictIgnoresEveryMetadataValue() throws {
        var compared = 0, holding = 0, failing = 0
        let cases = try Self.cases()
        for c in cases {
            let reference = try Self.verdict(c, c.model)
            if reference.holds { holding += 1 } else { failing += 1 }
            /// `throughFile`: also write the edited model and read it back (the reader types the strings).
            func expectSame(_ entries: [String: String], _ what: String, throughFile: Bool = false) throws {
                var edited = c.model
                edited.metadata = ModelMetadata(entries: entries)
                var models = [edited]
                if throughFile {
                    let reread = try Transformer.parse(Array(edited.fileText.utf8))
                    #expect(reread.metadata.entries == entries, "\(c.name): \(what) did not round-trip")
                    models.append(reread)
                }
                for model in models {
                    #expect(try Self.verdict(c, model) == reference, "\(c.name): \(what) changed the verdict")
                }
                compared += 1
            }
            let original = c.model.metadata.entries
            let keys = Set(original.keys).union(Self.knownKeys).sorted()
            for value in Self.values {
                for key in keys {
                    var entries = original
                    entries[key] = value
                    try expectSame(entries, "metadata[\(key)] = \"\(value)\"")
                }
                // Every value changed at once.
                try expectSame(Dictionary(uniqueKeysWithValues: keys.map { ($0, value) }), "every metadata value = \"\(value)\"",
                               throughFile: true)
            }
            for key in original.keys.sorted() {
                var entries = original
                entries[key] = nil
                try expectSame(entries, "without metadata[\(key)]", throughFile: true)
            }
            try expectSame([:], "no metadata", throughFile: true)
        }
        #expect(holding >= 8 && failing >= 1, "the cases must include models that hold and fail (\(holding), \(failing))")
        #expect(cases.count == 11 && compared >= cases.count * (Self.knownKeys.count + 1) * Self.values.count)
    }

    /// The reader types the strings once, keeps unknown values as text, and writes them back unchanged.
    @Test func metadataIsTypedAtTheReader() throws {
        let known = ModelMetadata(entries: ["construction": "theorem-1.6", "layout": "compact", "attention": "softmax", "weights": "float32"])
        #expect(known.construction == .known(.theorem16) && known.layout == .known(.compact) && known.attention == .known(.softmax))
        #expect(known.other == ["weights": "float32"])
        #expect(known == ModelMetadata(construction: .theorem16, layout: .compact, attention: .softmax, other: ["weights": "float32"]))
        let unknown = ModelMetadata(entries: ["construction": "hand-made", "layout": "Narrow", "attention": "linear"])
        #expect(unknown.construction == .unknown("hand-made") && unknown.layout == .unknown("Narrow") && unknown.attention == .unknown("linear"))
        #expect(unknown.layout?.value == nil && unknown.construction?.text == "hand-made")
        for m in [known, unknown, ModelMetadata()] {
            #expect(ModelMetadata(entries: m.entries) == m)
        }
        #expect(ModelMetadata().isEmpty && !unknown.isEmpty)
    }
}
