import DatasetGeneration
import ExactArithmetic
import Foundation
import TestSupport
import Testing
import TransformerModel

/// Model files (docs/model-format.md): exact round trip, and every malformed or inconsistent file
/// rejected with a message naming the JSON path.
@Suite struct ModelFileTests {
    /// A model using every structured form, with numbers too big for a machine word.
    static var everyForm: Transformer {
        let tiny = (try? Rational(2).power(-200)) ?? .one
        let huge = (try? Rational(3).power(90)) ?? .one
        let ff = FeedForwardLayer(eta: r("-1/3"), ridges: [
            .init(direction: tok(1, -2, 0), neurons: [
                .init(bias: tiny, output: [huge, .zero, r("7/5")]),
                .init(bias: -huge / Rational(7), output: tok(0, 0, 1)),
            ]),
            .init(direction: tok(0, 0, 0), neurons: [.init(bias: .one, output: tok(1, 1, 1))]),
        ])
        let heads: [AttentionHead] = [
            .init(scores: .zero, value: .zero),
            .init(scores: .scaledIdentity(r("-5/2")), value: .scaledIdentity(r("1/2"))),
            .init(scores: .rankOne(p: tok(1, 2, 3), q: [tiny, .zero, huge]), value: .general([tok(1, 0, 0), tok(0, 1, 0), tok(0, 0, 1)])),
            .init(scores: .general([tok(1, 0, 0), tok(0, -1, 0), [tiny, tiny, tiny]]), value: .scaledIdentity(.one)),
            .init(scores: .queryKey(query: [tok(1, 1, 1), tok(0, 1, 0)], key: [tok(2, 0, 0), tok(0, 0, 3)]), value: .zero),
        ]
        return Transformer(dimension: 3, blocks: [
            Block(stage: .separation, feedForward: ff, attention: SelfAttentionLayer(kind: .hardmax, rho: r("2/3"), heads: heads, causal: true)),
            Block(stage: .lemma47),
            Block(stage: .reCollapse, attention: SelfAttentionLayer(kind: .softmax, rho: .zero, scores: .zero, value: .scaledIdentity(.one))),
        ], temperature: r("1/64"), datasetDigest: "sha256:" + String(repeating: "ab", count: 32),
           metadata: ModelMetadata(entries: ["layout": "narrow", "construction": "hand", "note": "ünïcode ✓"]))
    }

    @Test func roundTripIsExact() throws {
        let model = Self.everyForm
        let text = model.fileText
        let reread = try Transformer.parse(Array(text.utf8))
        #expect(reread == model)
        #expect(reread.fileText == text, "writing the re-read model changes the bytes")
        // Every rational is written as an exact string.
        #expect(text.contains("\"1/1606938044258990275541962092341162602522202993782792835301376\""))
        #expect(text.contains("\"-2/3\"") == false && text.contains("\"2/3\""))
    }

    @Test func randomModelsRoundTrip() throws {
        var rng = SplitMix64(seed: 3)
        for k in 0..<(50 * iterationScale) {
            let m = RandomModels.hardmax(&rng, dimension: 1 + k % 4, blocks: 1 + k % 3)
            let reread = try Transformer.parse(Array(m.fileText.utf8))
            #expect(reread == m, "model #\(k) does not round-trip:\n\(m.fileText)")
        }
    }

    /// A valid one-block model, the starting point of every malformed variant below.
    static let valid = """
    {"format": "exact-interp-model", "version": 1, "dimension": 2,
     "blocks": [{"stage": "custom",
       "feedforward": {"eta": "1", "ridges": [{"direction": ["1", "0"], "neurons": [{"bias": "-1/2", "output": ["1", "1"]}]}]},
       "attention": {"kind": "hardmax", "rho": "1", "causal": false,
         "heads": [{"scores": {"type": "rank_one", "p": ["1", "0"], "q": ["0", "1"]}, "value": {"type": "scaled_identity", "scale": "1/2"}}]}}]}
    """

    @Test func baseModelIsValid() throws {
        let m = try Transformer.parse(Array(Self.valid.utf8))
        #expect(m.dimension == 2 && m.blocks.count == 1 && m.blocks[0].attention.heads.count == 1)
    }

    /// (what to replace, replacement, the exact error message).
    static let malformed: [(String, String, String)] = [
        // wrong shapes
        ("\"direction\": [\"1\", \"0\"]", "\"direction\": [\"1\", \"0\", \"0\"]",
         "blocks[0].feedforward.ridges[0].direction: expected 2 entries, found 3"),
        ("\"output\": [\"1\", \"1\"]", "\"output\": [\"1\"]",
         "blocks[0].feedforward.ridges[0].neurons[0].output: expected 2 entries, found 1"),
        ("\"q\": [\"0\", \"1\"]", "\"q\": \"0\"",
         "blocks[0].attention.heads[0].scores.q: expected an array, found a string"),
        ("{\"type\": \"rank_one\", \"p\": [\"1\", \"0\"], \"q\": [\"0\", \"1\"]}", "{\"type\": \"general\", \"matrix\": [[\"1\", \"0\"], [\"0\", \"1\"], [\"1\", \"1\"]]}",
         "blocks[0].attention.heads[0].scores.matrix: expected 2 rows, found 3"),
        ("{\"type\": \"rank_one\", \"p\": [\"1\", \"0\"], \"q\": [\"0\", \"1\"]}", "{\"type\": \"general\", \"matrix\": [[\"1\", \"0\"], [\"0\"]]}",
         "blocks[0].attention.heads[0].scores.matrix[1]: expected 2 entries, found 1"),
        ("{\"type\": \"rank_one\", \"p\": [\"1\", \"0\"], \"q\": [\"0\", \"1\"]}", "{\"type\": \"query_key\", \"query\": [[\"1\", \"0\"]], \"key\": [[\"1\", \"0\"], [\"0\", \"1\"]]}",
         "blocks[0].attention.heads[0].scores.key: expected 1 row, found 2"),
        ("{\"type\": \"rank_one\", \"p\": [\"1\", \"0\"], \"q\": [\"0\", \"1\"]}", "{\"type\": \"query_key\", \"query\": [], \"key\": []}",
         "blocks[0].attention.heads[0].scores.query: a matrix needs at least one row"),
        ("{\"type\": \"scaled_identity\", \"scale\": \"1/2\"}", "{\"type\": \"general\", \"matrix\": [[\"1\", \"0\"]]}",
         "blocks[0].attention.heads[0].value.matrix: expected 2 rows, found 1"),
        // missing fields
        ("\"eta\": \"1\", ", "", "blocks[0].feedforward.eta: missing"),
        ("\"stage\": \"custom\",", "", "blocks[0].stage: missing"),
        (", \"p\": [\"1\", \"0\"]", "", "blocks[0].attention.heads[0].scores.p: missing"),
        (", \"scale\": \"1/2\"", "", "blocks[0].attention.heads[0].value.scale: missing"),
        ("\"dimension\": 2,", "", "dimension: missing"),
        ("\"version\": 1,", "", "version: missing"),
        // zero denominators and malformed numbers
        ("\"bias\": \"-1/2\"", "\"bias\": \"-1/0\"",
         "blocks[0].feedforward.ridges[0].neurons[0].bias: \"-1/0\" is not a rational number: zero denominator"),
        ("\"rho\": \"1\"", "\"rho\": \"3/0\"", "blocks[0].attention.rho: \"3/0\" is not a rational number: zero denominator"),
        ("\"scale\": \"1/2\"", "\"scale\": \"0.5.1\"",
         "blocks[0].attention.heads[0].value.scale: \"0.5.1\" is not a rational number: unexpected character '.'"),
        ("\"eta\": \"1\"", "\"eta\": true",
         "blocks[0].feedforward.eta: expected a number or a string such as \"-7/12\", found a boolean"),
        // wrong values
        ("\"version\": 1", "\"version\": 2", "version: this build reads version 1, the file has version 2"),
        ("\"exact-interp-model\"", "\"onnx\"", "format: expected \"exact-interp-model\", found \"onnx\""),
        ("\"dimension\": 2", "\"dimension\": 0", "dimension: expected an integer in 1...1000000"),
        ("\"dimension\": 2", "\"dimension\": 99999999999999999999999", "dimension: expected an integer in 1...1000000"),
        ("\"stage\": \"custom\"", "\"stage\": \"leader selection\"",
         "blocks[0].stage: unknown stage \"leader selection\"; expected one of \"separation\", \"leaders\", \"leaders+collapse\", \"collapse\", \"interpolation\", \"re-collapse\", \"lemma 4.7\", \"causal-context\", \"causal-interpolation\", \"custom\", \"imported\""),
        ("\"stage\": \"custom\"", "\"stage\": 3", "blocks[0].stage: expected a string, found a number"),
        ("\"kind\": \"hardmax\"", "\"kind\": \"relu\"", "blocks[0].attention.kind: expected \"hardmax\" or \"softmax\", found \"relu\""),
        ("\"type\": \"rank_one\"", "\"type\": \"diagonal\"",
         "blocks[0].attention.heads[0].scores.type: unknown score matrix type \"diagonal\" (zero, scaled_identity, rank_one, general, query_key)"),
        ("\"type\": \"scaled_identity\"", "\"type\": \"rank_one\"",
         "blocks[0].attention.heads[0].value.type: unknown value matrix type \"rank_one\" (zero, scaled_identity, general)"),
        ("\"causal\": false", "\"causal\": \"no\"", "blocks[0].attention.causal: expected true or false, found a string"),
        ("\"dimension\": 2,", "\"dimension\": 2, \"temperature\": \"-1/8\",", "temperature: the temperature must be positive"),
        ("\"dimension\": 2,", "\"dimension\": 2, \"metadata\": {\"a\": 1},", "metadata.a: expected a string, found a number"),
        // unknown keys
        ("\"eta\": \"1\"", "\"etta\": \"1\", \"eta\": \"1\"", "blocks[0].feedforward.etta: unknown key \"etta\" (expected eta, ridges)"),
        ("\"dimension\": 2,", "\"dimension\": 2, \"temprature\": \"1\",",
         "temprature: unknown key \"temprature\" (expected format, version, dimension, temperature, dataset_digest, metadata, labels, blocks)"),
        ("\"q\": [\"0\", \"1\"]", "\"q\": [\"0\", \"1\"], \"scale\": \"2\"",
         "blocks[0].attention.heads[0].scores.scale: unknown key \"scale\" (expected type, p, q)"),
        ("\"rho\": \"1\",", "\"rho\": \"1\", \"tau\": \"1\",", "blocks[0].attention.tau: unknown key \"tau\" (expected kind, rho, causal, heads)"),
        // JSON syntax
        ("]}}]}", "]}}],}", "JSON syntax error at line 5, column 141: expected a string key"),
        ("\"stage\": \"custom\",", "\"stage\": \"custom\", \"stage\": \"t\",", "JSON syntax error at line 2, column 45: duplicate key \"stage\""),
    ]

    @Test(arguments: 0..<malformed.count)
    func malformedModelIsRejected(case k: Int) {
        let (old, new, message) = Self.malformed[k]
        #expect(Self.valid.contains(old), "case \(k): the base text has no \(old)")
        let text = Self.valid.replacingOccurrences(of: old, with: new)
        do {
            let m = try Transformer.parse(Array(text.utf8))
            Issue.record("case \(k) was accepted: \(m)")
        } catch {
            #expect(error.description == message, "case \(k)")
        }
    }

    @Test func notAModel() {
        let cases: [(String, String)] = [
            ("", "JSON syntax error at line 1, column 1: unexpected end of input"),
            ("[]", "expected an object, found an array"),
            ("{\"format\": \"exact-interp-model\"", "JSON syntax error at line 1, column 32: unexpected end of input in an object"),
            ("{\"format\": 1}", "format: expected a string, found a number"),
            ("{\"format\": \"exact-interp-model\", \"version\": 1, \"dimension\": 2, \"blocks\": {}}", "blocks: expected an array, found an object"),
            ("{\"format\": \"exact-interp-model\", \"version\": 1, \"dimension\": 2, \"blocks\": [[]]}", "blocks[0]: expected an object, found an array"),
        ]
        for (text, message) in cases {
            do {
                _ = try Transformer.parse(Array(text.utf8))
                Issue.record("accepted \(text)")
            } catch {
                #expect(error.description == message, "\(text)")
            }
        }
    }
}
