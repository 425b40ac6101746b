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

    /// A dataset read from its file stores each token value once: equal tokens (a pool's tokens at
    /// their many places) share one array; the dataset is equal to the one written.
    @Test func equalTokensShareOneArray() throws {
        var gen = DatasetGenerator(seed: 31)
        let pool = gen.distinctTokens(4, dimension: 2)
        var pairs: [SequencePair] = []
        for j in 0..<12 { pairs.append(SequencePair(input: [pool[j % 4], pool[(j + 1) % 4]], output: [pool[(j + 2) % 4]])) }
        let data = Dataset(dimension: 2, pairs: pairs)
        let text = Array(data.json.rendered().utf8)
        for reread in [try Dataset.parse(text), try #require(Dataset.parse(chunks: Self.pieces(text, size: 7)).dataset)] {
            #expect(reread == data)
            var storage: [Token: Set<UInt>] = [:]
            for pair in reread.pairs {
                for t in pair.input + pair.output {
                    t.withUnsafeBufferPointer { storage[t, default: []].insert(UInt(bitPattern: $0.baseAddress)) }
                }
            }
            #expect(storage.count == 4 && storage.values.allSatisfy { $0.count == 1 }, "\(storage)")
        }
    }

    /// `text` in pieces of `size` bytes, as `Dataset.parse(chunks:)` reads a file.
    static func pieces(_ text: [UInt8], size: Int) -> () -> [UInt8] {
        var offset = 0
        return {
            let end = min(text.count, offset + size)
            defer { offset = end }
            return Array(text[offset..<end])
        }
    }

    /// Reading in pieces gives the dataset the whole text gives, holding a window of the file,
    /// never the file (docs/cli.md#resource-limits: what keeps `validate` of a 200 MB file near
    /// its tokens' size).
    @Test func readingInPiecesHoldsAWindowNotTheFile() throws {
        var gen = DatasetGenerator(seed: 12)
        let data = gen.dataset(pairs: 400, dimension: 3, lengths: 1...8)
        let text = Array(data.json.rendered().utf8)
        let (read, largest) = Dataset.parse(window: 1024, chunks: Self.pieces(text, size: 100))
        #expect(read == data)
        #expect(read == (try Dataset.parse(text)))
        #expect(text.count > 50_000)
        #expect(largest <= 1024 + 100, "held \(largest) bytes of a \(text.count)-byte file")
    }

    /// Any split of the file and any window: the same dataset as the whole text, or nil (a value
    /// longer than the window) — never a different dataset, never a number cut at a piece's end.
    @Test func everySplitGivesTheSameDatasetOrNone() throws {
        let text = Array(#"{"name": "split", "dimension": 2, "pairs": [{"input": [[12345, "-7/12"], [0.25, 1e3]], "output": [["123456789012345678901234567890", -1]]}, {"input": [[1, 2]], "output": [[3, 4]]}]}"#.utf8)
        let whole = try Dataset.parse(text)
        for window in [1, 4, 16, 64, 4096] {
            for size in 1...17 {
                let (read, largest) = Dataset.parse(window: window, chunks: Self.pieces(text, size: size))
                #expect(read == nil || read == whole, "window \(window), pieces of \(size)")
                #expect(largest <= max(window, text.count) + size)
                if window >= 64 { #expect(read == whole, "window \(window), pieces of \(size)") }
            }
        }
        // A 60-digit number in a 16-byte window: the window widens until its pair is in, and the
        // number is read whole, never cut at a piece's end.
        let long = Array(#"{"dimension": 1, "pairs": [{"input": [[123456789012345678901234567890123456789012345678901234567890]], "output": [[1]]}]}"#.utf8)
        let (read, largest) = Dataset.parse(window: 16, chunks: Self.pieces(long, size: 5))
        #expect(read == (try Dataset.parse(long)) && read != nil)
        #expect(largest <= long.count)
    }

    /// One reader: the piecewise and whole-text readings apply `Dataset(json:)`'s rules, so labelled
    /// and causal datasets, keys in any order and names anywhere read alike in every mode; a
    /// "dimension" or "causal" after the pairs is left to the whole tree (nil in pieces).
    @Test func everyModeAppliesTheSameRules() throws {
        let texts = [
            #"{"dimension": 2, "pairs": [{"input": [[0, 1], [1, 0]], "label": "a"}, {"input": [[2, 1]], "label": "b"}]}"#,
            #"{"dimension": 1, "causal": true, "pairs": [{"input": [[0], [1]], "output": [[1], [2]]}]}"#,
            #"{"dimension": 1, "pairs": [{"output": [[1]], "input": [["1/3"], [2.5e-1]]}], "name": "after"}"#,
            #"{"pairs": [{"input": [[0]], "output": [[1]]}], "dimension": 1}"#,
            #"{"dimension": 1, "pairs": [{"input": [[0], [1]], "output": [[1], [2]]}], "causal": true}"#,
            #"{"dimension": 1, "pairs": [{"input": [[0]], "output": [[1]]}], "causal": false}"#,
        ]
        for (k, text) in texts.enumerated() {
            let bytes = Array(text.utf8)
            let tree = try Dataset(json: try JSONParser.parse(bytes))
            #expect(try Dataset.parse(bytes) == tree, "case \(k)")
            let pieces = Dataset.parse(window: 8, chunks: Self.pieces(bytes, size: 3)).dataset
            #expect(pieces == (k == 3 || k == 4 ? nil : tree), "case \(k) in pieces")
        }
        // Labelled and causal datasets of every size, written and read in pieces.
        var gen = DatasetGenerator(seed: 31)
        for it in 0..<(10 * iterationScale) {
            var data = gen.dataset(pairs: 2 + it % 7, dimension: 1 + it % 3, lengths: 1...4)
            if it % 2 == 0 {
                data.pairs = data.pairs.enumerated().map { SequencePair(input: $1.input, output: [], label: "label \($0 % 3)") }
            } else {
                data.causal = true
                data.pairs = data.pairs.map { SequencePair(input: $0.input, output: $0.input.map { t in t.map { $0 + .one } }) }
            }
            let bytes = Array(data.json.rendered().utf8)
            #expect(try Dataset.parse(bytes) == data, "\(data.json.rendered())")
            #expect(Dataset.parse(window: 32, chunks: Self.pieces(bytes, size: 1 + it % 11)).dataset == data, "\(data.json.rendered())")
        }
    }

    /// Every invalid dataset is left to the whole-text reader, whose messages name the problem.
    @Test(arguments: 0..<cases.count)
    func invalidDatasetIsNotReadInPieces(case k: Int) {
        let text = Array(Self.cases[k].0.utf8)
        #expect(Dataset.parse(window: 4096, chunks: Self.pieces(text, size: 3)).dataset == nil, "case \(k)")
    }
}
