import Constructions
import Foundation
import Testing
import TransformerModel

/// The valid datasets of fuzz/regressions/dataset/ (`valid-*.json`: fuzz seeds and datasets that
/// once broke a construction) are constructed and certified in both layouts on every `make test`.
@Suite struct RegressionDatasetTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("fuzz/regressions/dataset")

    /// Every `valid-*.json` of the folder, read; an unreadable folder or file throws, and the two
    /// narrow-layout regressions must be among them.
    static func datasets() throws -> [(name: String, data: Dataset)] {
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path)
            .filter { $0.hasPrefix("valid-") && $0.hasSuffix(".json") }.sorted()
        let datasets: [(name: String, data: Dataset)] = try names.map { name in
            (name: name, data: try Dataset.parse([UInt8](try Data(contentsOf: folder.appendingPathComponent(name)))))
        }
        #expect(datasets.filter { $0.name.hasPrefix("valid-narrow-multiplicity-") }.count == 2)
        return datasets
    }

    @Test func compactCertifiesEveryRegressionDataset() throws {
        let datasets = try Self.datasets()
        #expect(datasets.count >= 3)
        for (name, data) in datasets {
            let built = certify(data, .compact, "\(name) compact")
            #expect(built != nil, "\(name): compact construction failed")
        }
    }

    /// Repeated tokens with multiplicity (valid-narrow-multiplicity-1/2.json) made `construct
    /// --layout narrow` produce a model that fails verification on one pair
    /// (docs/construction.md#repeated-tokens).
    @Test
    func narrowCertifiesEveryRegressionDataset() throws {
        let datasets = try Self.datasets()
        #expect(datasets.count >= 3)
        for (name, data) in datasets {
            let built = certify(data, .narrow, "\(name) narrow")
            #expect(built != nil, "\(name): narrow construction failed")
        }
    }
}
