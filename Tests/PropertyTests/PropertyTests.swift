import DatasetGeneration
import Foundation
import Testing
import TransformerModel

/// docs/testing.md#properties: for every mode, EXACT_INTERP_PROPERTY_COUNT-scaled random datasets
/// from the validity-space generator are constructed and certified; the first failure is shrunk,
/// printed and saved under Tests/regressions/properties/.
@Suite("Properties") struct PropertyTests {
    @Test(arguments: PropertyMode.allCases)
    func constructionCertifies(mode: PropertyMode) {
        let count = Property.count(mode), seed = Property.seed(mode)
        let run = Property.run(mode, count: count, seed: seed)
        print(String(format: "property %@: %d datasets checked (%d with d = 1 skipped), seed %llu, %.1f s",
                     mode.rawValue, run.checked, run.skipped, seed, run.seconds))
        if let failure = run.failure {
            Issue.record("""
                \(mode.rawValue): \(failure.reason)
                shrunk dataset\(failure.file.map { " (saved as \($0.path))" } ?? ""):
                \(failure.shrunk.json.rendered())
                """)
        }
        #expect(run.checked > 0)
    }
}

/// Every shrunk failure ever found is replayed in every mode that applies to it.
@Suite("Property regressions") struct RegressionReplayTests {
    static func files() -> [(String, [UInt8])] {
        let folder = Property.regressionFolder
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.filter { $0.hasSuffix(".json") }.sorted().compactMap { name in
            (try? Data(contentsOf: folder.appendingPathComponent(name))).map { (name, [UInt8]($0)) }
        }
    }

    @Test func replayEveryRegression() throws {
        let files = Self.files()
        #expect(!files.isEmpty, "no regression files in \(Property.regressionFolder.path): the replay would prove nothing")
        for (name, bytes) in files {
            let data: Dataset
            do { data = try Dataset.parse(bytes) } catch {
                Issue.record("\(name): not a dataset: \(error)")
                continue
            }
            #expect(DatasetShrinker.isValid(data), "\(name): not a valid dataset")
            for mode in PropertyMode.modes(for: data) {
                if let reason = Property.failure(data, mode) {
                    Issue.record("\(name) (\(mode.rawValue)): \(reason)")
                }
            }
        }
    }
}
