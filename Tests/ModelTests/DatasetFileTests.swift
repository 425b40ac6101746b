import DatasetGeneration
import ExactArithmetic
import Testing
import TransformerModel

/// Dataset files (docs/dataset-format.md): every error names the pair, token and coordinate.
@Suite struct DatasetFileTests {
    static let cases: [(String, String)] = [
        (#"{"dimension": 2, "pairs": [{"input": [[0, 1], ["1/0", 2]], "output": [[1, 1]]}]}"#,
         #"pairs[0].input[1][0]: "1/0" is not a rational number: zero denominator"#),
        (#"{"dimension": 2, "pairs": [{"input": [[0, 1]], "output": [[1, 1, 3]]}]}"#,
         "pairs[0].output[0]: token has 3 coordinates, the dataset's dimension is 2"),
        (#"{"dimension": 2, "pairs": [{"input": [], "output": [[1, 1]]}]}"#,
         "pairs[0].input: empty sequence (every sequence needs at least one token)"),
        (#"{"dimension": 2, "pairs": [{"input": [[0, 1]], "output": [[1, "x"]]}]}"#,
         #"pairs[0].output[0][1]: "x" is not a rational number: expected digits"#),
        (#"{"dimension": 2, "pairs": [{"input": [[0, 1]], "output": [[1, null]]}]}"#,
         #"pairs[0].output[0][1]: expected a number or a string such as "-7/12", found null"#),
        (#"{"dimension": 2, "pairs": [{"input": [[0, 1]], "outputs": [[1, 1]]}]}"#,
         #"pairs[0].outputs: unknown key "outputs" (expected input, output, label)"#),
        (#"{"dimension": 2, "pair": []}"#, #"pair: unknown key "pair" (expected name, dimension, causal, pairs)"#),
        (#"{"dimension": 2, "pairs": []}"#, "pairs: the dataset has no pairs"),
        (#"{"dimension": -1, "pairs": []}"#, "dimension: expected a positive integer, found -1"),
        (#"{"dimension": 2, "pairs": [{"input": [[0, 1]]}]}"#, "pairs[0].output: missing"),
        (#"{"dimension": 2, "pairs": [{"input": [[0, 1]], "output": [[1, 1]]},]}"#,
         "JSON syntax error at line 1, column 68: unexpected character"),
    ]

    @Test(arguments: 0..<cases.count)
    func malformedDatasetIsRejected(case k: Int) {
        let (text, message) = Self.cases[k]
        do {
            let data = try Dataset.parse(Array(text.utf8))
            Issue.record("case \(k) was accepted: \(data)")
        } catch {
            #expect(error.description == message, "case \(k)")
        }
    }

    /// Infeasible data is caught by the problem's validation, naming the pairs.
    @Test func infeasibleDatasets() throws {
        let twoOutputs = Dataset(dimension: 2, pairs: [
            SequencePair(input: [tok(0, 1), tok(1, 0)], output: [tok(1, 1)]),
            SequencePair(input: [tok(1, 0), tok(0, 1), tok(0, 1)], output: [tok(2, 2)]),
        ])
        #expect(throws: InputError(path: "pairs[1]", reason: "same input set as pairs[0] but a different output set: no map can send one input to two outputs")) {
            try InterpolationProblem(twoOutputs)
        }
        let tooMany = Dataset(dimension: 2, pairs: [SequencePair(input: [tok(0, 1), tok(0, 1)], output: [tok(1, 1), tok(2, 2)])])
        #expect(throws: InputError(path: "pairs[0]", reason: "2 distinct output tokens but only 1 distinct input tokens (need m ≤ n)")) {
            try InterpolationProblem(tooMany)
        }
    }

    /// Writing and re-reading a dataset keeps every coordinate and the digest.
    @Test func datasetRoundTrip() throws {
        var gen = DatasetGenerator(seed: 9)
        for _ in 0..<(20 * iterationScale) {
            let data = gen.dataset(pairs: 5, dimension: 3, lengths: 1...6)
            let reread = try Dataset.parse(Array(data.json.rendered().utf8))
            #expect(reread == data && reread.digest == data.digest)
        }
    }
}
