import ExactArithmetic
import Foundation
import Testing
import TransformerModel

/// Replays every input of fuzz/regressions/ (inputs that once crashed a `make fuzz` target)
/// through the same checks as the fuzz targets in fuzz/: no crash, the two dataset readers agree,
/// accepted values survive write → read.
@Suite("Fuzz regressions")
struct FuzzRegressionTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("fuzz/regressions")

    static func inputs(_ target: String) -> [(String, [UInt8])] {
        let dir = root.appendingPathComponent(target)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
        return names.filter { !$0.hasPrefix("README") }.sorted().compactMap { name in
            (try? Data(contentsOf: dir.appendingPathComponent(name))).map { (name, [UInt8]($0)) }
        }
    }

    @Test("dataset reader")
    func datasets() {
        for (name, bytes) in FuzzRegressionTests.inputs("dataset") {
            let fast = try? Dataset.parse(bytes)
            let tree = try? Dataset(json: JSONParser.parse(bytes))
            #expect(fast == tree, "\(name): the two readers disagree")
            if let fast { #expect((try? Dataset.parse(Array(fast.json.rendered().utf8))) == fast, "\(name)") }
        }
    }

    @Test("model reader")
    func models() {
        for (name, bytes) in FuzzRegressionTests.inputs("model") {
            if let model = try? Transformer.parse(bytes) {
                #expect((try? Transformer.parse(Array(model.fileText.utf8))) == model, "\(name)")
            }
        }
    }

    @Test("rational parser")
    func rationals() {
        for (name, bytes) in FuzzRegressionTests.inputs("rational") {
            let text = String(decoding: bytes, as: UTF8.self)
            if let value = try? Rational(parsing: text) {
                #expect((try? Rational(parsing: value.description)) == value, "\(name)")
            }
        }
    }

    /// The dataset fast path and the JSON tree agree on every dataset file of the repository
    /// (valid and invalid), the seeds `make fuzz` starts from; read in pieces, a file gives the
    /// same dataset or is left to the whole-text reader.
    @Test("both dataset readers agree on every repository dataset")
    func repositoryDatasets() throws {
        let repo = FuzzRegressionTests.root.deletingLastPathComponent().deletingLastPathComponent()
        var count = 0
        for base in ["Datasets", "Tests/golden"] {
            guard let e = FileManager.default.enumerator(atPath: repo.appendingPathComponent(base).path) else { continue }
            for case let path as String in e where path.hasSuffix(".json") && !path.hasSuffix(".model.json") {
                let bytes = [UInt8](try Data(contentsOf: repo.appendingPathComponent(base).appendingPathComponent(path)))
                let fast = try? Dataset.parse(bytes)
                let tree = try? Dataset(json: JSONParser.parse(bytes))
                #expect(fast == tree, "\(base)/\(path)")
                let pieces = Dataset.parse(window: 64, chunks: DatasetFileTests.pieces(bytes, size: 7)).dataset
                #expect(pieces == nil || pieces == tree, "\(base)/\(path) read in pieces")
                count += 1
            }
        }
        #expect(count > 20)
    }
}

/// Issue 21: a file that cannot begin a UTF-8 JSON text says why at line 1, column 1.
@Suite struct JSONEncodingTests {
    @Test func byteOrderMarksUTF16AndNULAreNamed() {
        let cases: [([UInt8], String)] = [
            ([0xEF, 0xBB, 0xBF] + Array("{}".utf8), "UTF-8 byte order mark"),
            ([0xFF, 0xFE, 0x7B, 0x00], "UTF-16 byte order mark"),
            ([0x7B, 0x00, 0x7D, 0x00], "looks like UTF-16"),
            ([0x00, 0x7B, 0x00, 0x7D], "looks like UTF-16"),
            ([0, 0, 0, 0], "NUL byte"),
        ]
        for (bytes, expected) in cases {
            #expect(JSONParser.encodingProblem(bytes)?.contains(expected) == true, "\(bytes)")
            do {
                _ = try JSONParser.parse(bytes)
                Issue.record("parsed \(bytes)")
            } catch {
                #expect(error.line == 1 && error.column == 1 && error.reason.contains(expected))
            }
        }
        #expect(JSONParser.encodingProblem(Array("{\"a\": 1}".utf8)) == nil)
        #expect(JSONParser.encodingProblem([UInt8]()) == nil)
    }
}
