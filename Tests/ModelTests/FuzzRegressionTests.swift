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

    /// What a regression input must give (fuzz/regressions/README.md): `valid-*` must be accepted,
    /// `invalid-*` rejected; any other name (a crash input as libFuzzer names it) only has to pass
    /// the fuzz target's own checks.
    enum Expected { case valid, invalid, any }

    /// Every input of `fuzz/regressions/TARGET/` with its expected outcome. An unreadable folder or
    /// file throws, and a folder without a valid and an invalid case fails the test: a replay that
    /// checks nothing must not pass.
    static func inputs(_ target: String) throws -> [(name: String, bytes: [UInt8], expected: Expected)] {
        let dir = root.appendingPathComponent(target)
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { !$0.hasPrefix(".") }.sorted()
        let inputs: [(name: String, bytes: [UInt8], expected: Expected)] = try names.map { name in
            let expected: Expected = name.hasPrefix("valid-") ? .valid : name.hasPrefix("invalid-") ? .invalid : .any
            return (name: name, bytes: [UInt8](try Data(contentsOf: dir.appendingPathComponent(name))), expected: expected)
        }
        #expect(inputs.contains { $0.expected == .valid }, "fuzz/regressions/\(target): no valid-* case")
        #expect(inputs.contains { $0.expected == .invalid }, "fuzz/regressions/\(target): no invalid-* case")
        return inputs
    }

    @Test("dataset reader")
    func datasets() throws {
        let inputs = try FuzzRegressionTests.inputs("dataset")
        #expect(inputs.count >= 7)
        for (name, bytes, expected) in inputs {
            let fast = try? Dataset.parse(bytes)
            let tree = try? Dataset(json: JSONParser.parse(bytes))
            #expect(fast == tree, "\(name): the two readers disagree")
            let pieces = Dataset.parse(window: 64, chunks: DatasetFileTests.pieces(bytes, size: 7)).dataset
            #expect(pieces == nil || pieces == tree, "\(name) read in pieces")
            if let fast { #expect((try? Dataset.parse(Array(fast.json.rendered().utf8))) == fast, "\(name)") }
            switch expected {
            case .valid: #expect(fast != nil, "\(name) must be accepted")
            case .invalid: #expect(fast == nil, "\(name) must be rejected")
            case .any: break
            }
        }
    }

    @Test("model reader")
    func models() throws {
        let inputs = try FuzzRegressionTests.inputs("model")
        #expect(inputs.count >= 4)
        for (name, bytes, expected) in inputs {
            let model = try? Transformer.parse(bytes)
            if let model {
                #expect((try? Transformer.parse(Array(model.fileText.utf8))) == model, "\(name)")
            }
            switch expected {
            case .valid: #expect(model != nil, "\(name) must be accepted")
            case .invalid: #expect(model == nil, "\(name) must be rejected")
            case .any: break
            }
        }
    }

    @Test("rational parser")
    func rationals() throws {
        let inputs = try FuzzRegressionTests.inputs("rational")
        #expect(inputs.count >= 7)
        for (name, bytes, expected) in inputs {
            let text = String(decoding: bytes, as: UTF8.self)
            let value = try? Rational(parsing: text)
            if let value {
                #expect((try? Rational(parsing: value.description)) == value, "\(name)")
            } else {
                // an error quotes the text
                do { _ = try Rational(parsing: text) } catch {
                    #expect(error.text == text, "\(name): the error does not quote the text")
                }
            }
            switch expected {
            case .valid: #expect(value != nil, "\(name) must be accepted")
            case .invalid: #expect(value == nil, "\(name) must be rejected")
            case .any: break
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
            let e = try #require(FileManager.default.enumerator(atPath: repo.appendingPathComponent(base).path), "\(base) unreadable")
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
