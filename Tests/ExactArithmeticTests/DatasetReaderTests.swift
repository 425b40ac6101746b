import ExactArithmetic
import Foundation
import Testing
import TransformerModel

// The dataset reader (docs/mathematics.md#data, #data-formats) on top of exact parsing: coordinates read exactly, errors that
// name pair, token and coordinate, Assumption 1.3 checks, and write → read round trips.
// (Invalid datasets as files with golden messages live in Tests/golden.)

private func read(_ text: String) throws(InputError) -> Dataset { try Dataset.parse(Array(text.utf8)) }

/// The error message of an invalid dataset, or nil if it reads and validates.
private func failure(_ text: String) -> String? {
    do {
        _ = try InterpolationProblem(try read(text))
        return nil
    } catch {
        return error.description
    }
}

@Suite("Dataset reader")
struct DatasetReaderTests {
    @Test("coordinates are read exactly, JSON numbers as the decimals they spell")
    func exactCoordinates() throws {
        let data = try read(#"{"dimension": 2, "pairs": [{"input": [[0.1, "1/3"], [1e-2, "-2.5e1"], [12345678901234567890123, -7]], "output": [["7/12", 3]]}]}"#)
        #expect(data.pairs[0].input[0] == [q("1/10"), q("1/3")])
        #expect(data.pairs[0].input[1] == [q("1/100"), q("-25")])
        #expect(data.pairs[0].input[2] == [q("12345678901234567890123"), q("-7")])
        #expect(data.pairs[0].output == [[q("7/12"), q("3")]])
    }

    @Test("invalid datasets: the message names what is wrong and where", arguments: [
        (#"{"dimension": 2, "pairs": [{"input": [[0, 1]], "output": [["1/0", 1]]}]}"#,
         #"pairs[0].output[0][0]: "1/0" is not a rational number: zero denominator"#),
        (#"{"dimension": 2, "pairs": [{"input": [[0, 1], [1, "1."]], "output": [[1, 1]]}]}"#,
         #"pairs[0].input[1][1]: "1." is not a rational number: expected digits after the decimal point"#),
        (#"{"dimension": 2, "pairs": [{"input": [[0, 1]], "output": [[1, 1]]}, {"input": [[0, 1, 2]], "output": [[1, 1]]}]}"#,
         "pairs[1].input[0]: token has 3 coordinates, the dataset's dimension is 2"),
        (#"{"dimension": 2, "pairs": [{"input": [], "output": [[1, 1]]}]}"#,
         "pairs[0].input: empty sequence (every sequence needs at least one token)"),
        (#"{"dimension": 2, "pairs": [{"input": [[0, 1]], "output": []}]}"#,
         "pairs[0].output: empty sequence (every sequence needs at least one token)"),
        (#"{"dimension": 1, "pairs": [{"input": [[0]], "output": [[1], [2]]}]}"#,
         "pairs[0]: 2 distinct output tokens but only 1 distinct input tokens (need m ≤ n)"),
        (#"{"dimension": 1, "pairs": [{"input": [[0], [1]], "output": [[1]]}, {"input": [[1], [0], [1]], "output": [[2]]}]}"#,
         "pairs[1]: same input set as pairs[0] but a different output set: no map can send one input to two outputs"),
        (#"{"dimension": 1, "pairs": [{"input": [[true]], "output": [[1]]}]}"#,
         #"pairs[0].input[0][0]: expected a number or a string such as "-7/12", found a boolean"#),
        (#"{"dimension": 0, "pairs": []}"#, "dimension: expected a positive integer, found 0"),
        (#"{"dimension": 1, "pairs": []}"#, "pairs: the dataset has no pairs"),
        (#"{"pairs": []}"#, "dimension: missing"),
    ])
    func invalid(_ text: String, _ message: String) {
        let got = failure(text)
        #expect(got == message)
    }

    @Test("repeated tokens and repeated pairs are accepted with a notice")
    func repeats() throws {
        let data = try read(#"{"dimension": 1, "pairs": [{"input": [[0], [1], ["0/3"]], "output": [[5], [5]]}, {"input": [[1], [0]], "output": [[5]]}]}"#)
        let problem = try InterpolationProblem(data)
        #expect(problem.count == 1)
        #expect(problem.pairs[0].inputs == [[q("0")], [q("1")]])
        #expect(problem.notices == [
            "pairs[0].input[2] repeats pairs[0].input[0]: treated as one token",
            "pairs[0].output[1] repeats pairs[0].output[0]: treated as one token",
            "pairs[1] repeats pairs[0] (same sets): merged",
        ])
    }

    @Test("random datasets survive write → read exactly, with the same digest")
    func roundTrip() throws {
        var generator = DatasetGenerator(seed: 42)
        for k in 0..<max(20, lawCases / 500) {
            var data = generator.dataset(pairs: 1 + k % 5, dimension: 1 + k % 4, lengths: 1...6)
            // Some coordinates far beyond 64 bits.
            data.pairs[0].input[0][0] = pow2(100 + k) / q("3")
            let text = data.json.rendered()
            let back = try read(text)
            #expect(back == data, "round trip of dataset \(k)")
            #expect(back.digest == data.digest)
            #expect(back.json.rendered() == text, "writing is deterministic")
            _ = try InterpolationProblem(back)
        }
    }

    @Test("the bundled datasets validate")
    func bundled() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let directory = root.appendingPathComponent("Datasets")
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".json") }
        #expect(!files.isEmpty)
        for file in files {
            let bytes = try [UInt8](Data(contentsOf: directory.appendingPathComponent(file)))
            do {
                _ = try InterpolationProblem(try Dataset.parse(bytes))
            } catch {
                Issue.record("\(file): \(error)")
            }
        }
    }
}
