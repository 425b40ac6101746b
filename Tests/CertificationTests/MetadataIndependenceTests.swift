import Certification
import ExactArithmetic
import Foundation
import Testing
import TransformerModel

/// The judge's verdict depends only on the parameters and the dataset (docs/mathematics.md#enclosure-certificate):
/// a model file's metadata is provenance text, never behaviour.
@Suite struct MetadataIndependenceTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func read(_ path: String) throws -> [UInt8] {
        let url = root.appendingPathComponent(path)
        return try #require(FileManager.default.contents(atPath: url.path).map { [UInt8]($0) }, "cannot read \(path)")
    }

    /// Shipped models that hold and fail, hardmax and softmax, with their datasets.
    static let cases: [(model: String, dataset: String)] = [
        ("Datasets/models/figure5-handmade.model.json", "Datasets/figure5.json"),
        ("Datasets/models/figure5-wrong.model.json", "Datasets/figure5.json"),
        ("Datasets/models/figure5-softmax-narrow.model.json", "Datasets/figure5.json"),
        ("Datasets/models/tiny-hat.model.json", "Datasets/models/tiny-hat.json"),
        ("Datasets/models/near-tie.model.json", "Datasets/models/near-tie.json"),
    ]

    /// Every metadata value replaced by each of these (and the keys the tools know added), one at a time.
    static let values = ["", "classification", "theorem-1.4", "theorem-1.6", "narrow", "compact", "softmax", "hardmax",
                         "float32", "causal", "imported", "sa-ff", "∞"]

    @Test func verdictIgnoresEveryMetadataValue() throws {
        var compared = 0, holding = 0, failing = 0
        for (modelPath, datasetPath) in Self.cases {
            let model = try Transformer.parse(try Self.read(modelPath))
            let data = try Dataset.parse(try Self.read(datasetPath))
            let reference = try certify(model: model, dataset: data)
            if reference.holds { holding += 1 } else { failing += 1 }
            let keys = Set(model.metadata.keys).union(["construction", "layout", "attention", "weights", "architecture", "order"])
            for key in keys.sorted() {
                for value in Self.values {
                    var edited = model
                    edited.metadata[key] = value
                    let report = try certify(model: edited, dataset: data)
                    #expect(report.holds == reference.holds && report.failures.map(\.index) == reference.failures.map(\.index)
                            && report.method == reference.method,
                            "\(modelPath): metadata[\(key)] = \"\(value)\" changed the verdict")
                    compared += 1
                }
                var removed = model
                removed.metadata[key] = nil
                #expect(try certify(model: removed, dataset: data).holds == reference.holds, "\(modelPath): without metadata[\(key)]")
            }
            var cleared = model
            cleared.metadata = [:]
            #expect(try certify(model: cleared, dataset: data).holds == reference.holds, "\(modelPath): without metadata")
        }
        #expect(holding >= 3 && failing >= 1, "the cases must include models that hold and fail (\(holding), \(failing))")
        #expect(compared >= Self.cases.count * 6 * Self.values.count)
    }
}
