import ExactArithmetic
import Testing
@testable import TrainedModels
import TransformerModel
import TrainingBounds
import TensorFiles

// Trained state dicts (TrainedModels): the sa-ff layout cut into FF-then-SA blocks with padding,
// --map files, datasets from arrays, PyTorch pickles; the padding field of model files.

private func r(_ text: String) -> Rational { (try? Rational(parsing: text)) ?? .zero }

/// An sa-ff state dict with exact values (d = 2, h = 1, w = 2) and `blocks` blocks; entry values
/// encode the block so that the tests can see where each tensor went.
private func saFF(blocks: Int, extra: [SafetensorsFile.Tensor] = []) -> SafetensorsFile {
    var tensors: [SafetensorsFile.Tensor] = []
    for l in 0..<blocks {
        let p = "blocks.\(l)."
        let base = Rational(l + 1)
        tensors += [
            .init(name: p + "rho", shape: [1], values: [base]),
            .init(name: p + "eta", shape: [1], values: [base + r("1/2")]),
            .init(name: p + "attn.to_q.weight", shape: [1, 2], values: [base, .zero]),
            .init(name: p + "attn.to_k.weight", shape: [1, 2], values: [.zero, base]),
            .init(name: p + "attn.to_v.weight", shape: [2, 2], values: [base, r("1"), r("2"), r("3")]),
            .init(name: p + "ff.0.weight", shape: [2, 2], values: [r("1"), r("2"), r("3"), r("4")]),
            .init(name: p + "ff.0.bias", shape: [2], values: [base, -base]),
            .init(name: p + "ff.2.weight", shape: [2, 2], values: [r("5"), r("6"), r("7"), base]),
        ]
    }
    return SafetensorsFile(metadata: [:], tensors: tensors + extra)
}

private func importing(_ file: SafetensorsFile, map: TensorMap = .saFF) throws(InputError) -> Transformer {
    try StateDictImport.transformer(from: file, map: map, options: .init(temperature: r("1/10")))
}

@Suite struct SaFFImportTests {
    @Test func attentionFirstBlocksAreCutWithPadding() throws {
        let model = try importing(saFF(blocks: 3))
        #expect(model.dimension == 2)
        #expect(model.temperature == r("1/10"))
        #expect(model.blocks.count == 4)
        #expect(model.blocks.map(\.padding) == [.init(feedForward: true), .none, .none, .init(attention: true)])
        #expect(model.blocks[0].feedForward.isIdentity && model.blocks[3].attention.isIdentity)
        for l in 0..<3 {
            // SA_l sits in engine block l, FF_l in engine block l + 1.
            let sa = model.blocks[l].attention
            #expect(sa.kind == .softmax && sa.rho == Rational(l + 1))
            #expect(sa.heads == [AttentionHead(scores: .queryKey(query: [[Rational(l + 1), .zero]], key: [[.zero, Rational(l + 1)]]),
                                               value: .general([[Rational(l + 1), r("1")], [r("2"), r("3")]]))])
            let ff = model.blocks[l + 1].feedForward
            #expect(ff.eta == Rational(l + 1) + r("1/2"))
            // nn.Linear weights as stored: U's rows are ff.0.weight's rows, W's columns ff.2.weight's columns.
            #expect(ff == .dense(eta: ff.eta, u: [[r("1"), r("2")], [r("3"), r("4")]], b: [Rational(l + 1), -Rational(l + 1)],
                                 w: [[r("5"), r("6")], [r("7"), Rational(l + 1)]]))
        }
    }

    @Test func oneBlockGivesTwoPaddedBlocks() throws {
        let model = try importing(saFF(blocks: 1))
        #expect(model.blocks.count == 2)
        #expect(model.blocks[0].padding.feedForward && model.blocks[1].padding.attention)
    }

    @Test func causalMasksEveryAttentionLayer() throws {
        let model = try StateDictImport.transformer(from: saFF(blocks: 2), map: .saFF, options: .init(temperature: .one, causal: true))
        #expect(model.blocks.allSatisfy { $0.attention.causal })
    }

    @Test func errorsNameTheTensor() {
        func message(_ file: SafetensorsFile) -> String {
            do { _ = try importing(file); return "no error" } catch { return error.description }
        }
        var file = saFF(blocks: 2)
        file.tensors.removeAll { $0.name == "blocks.1.eta" }
        #expect(message(file) == "missing tensor: blocks.1.eta (the file has blocks 0 to 1)")
        #expect(message(saFF(blocks: 1, extra: [.init(name: "blocks.4.rho", shape: [1], values: [.one])]))
            .hasPrefix("missing tensors: blocks.1.rho, blocks.2.rho, blocks.3.rho, blocks.1.eta, blocks.2.eta, … (31 in all)"))
        #expect(message(saFF(blocks: 1, extra: [.init(name: "blocks.0.attn.bias", shape: [1], values: [.one])]))
            .hasPrefix("unknown tensor name for the sa-ff layout: blocks.0.attn.bias (expected blocks.{l}.rho"))
        #expect(message(saFF(blocks: 1, extra: [.init(name: "blocks.01.rho", shape: [1], values: [.one])])).hasPrefix("unknown tensor name"))
        file = saFF(blocks: 2)
        file.tensors = file.tensors.map { $0.name == "blocks.1.ff.2.weight" ? .init(name: $0.name, shape: [2, 3], values: Array(repeating: .one, count: 6)) : $0 }
        #expect(message(file) == "blocks.1.ff.2.weight: wrong shape [2, 3], expected [2, 2] (d = 2 from blocks.0.attn.to_v.weight, w = 2 from blocks.1.ff.0.weight)")
        file = saFF(blocks: 2)
        file.tensors = file.tensors.map { $0.name == "blocks.0.attn.to_k.weight" ? .init(name: $0.name, shape: [2, 2], values: Array(repeating: .one, count: 4)) : $0 }
        #expect(message(file).hasPrefix("blocks.0.attn.to_k.weight: wrong shape [2, 2], expected [1, 2]: h = 2 here but h = 1"))
        file = saFF(blocks: 1)
        file.tensors = file.tensors.map { $0.name == "blocks.0.rho" ? .init(name: $0.name, shape: [2], values: [.one, .one]) : $0 }
        #expect(message(file) == "blocks.0.rho: wrong shape [2], expected [1] or [] (one number)")
        #expect(message(SafetensorsFile(metadata: [:], tensors: [])).hasPrefix("no tensors of the sa-ff layout"))
    }

    @Test func blockIndices() {
        let pattern = "blocks.{l}.rho"
        #expect(TensorMap.blockIndex("blocks.0.rho", pattern: pattern) == 0)
        #expect(TensorMap.blockIndex("blocks.12.rho", pattern: pattern) == 12)
        for name in ["blocks.01.rho", "blocks..rho", "blocks.-1.rho", "blocks.1x.rho", "blocks.1.rhos", "blocks.1234567.rho", "blocks.rho"] {
            #expect(TensorMap.blockIndex(name, pattern: pattern) == nil, "\(name)")
        }
    }
}

@Suite struct TensorMapTests {
    func parse(_ text: String) throws(InputError) -> TensorMap { try TensorMap.parse(Array(text.utf8), defaultName: "test map") }

    @Test func builtInMapRoundTrips() throws {
        #expect(try parse(TensorMap.saFF.fileText) == TensorMap.saFF)
    }

    @Test func feedForwardFirstWithConstantsAndTransposes() throws {
        let map = try parse("""
        {"format": "exact-interp-tensor-map", "version": 1, "order": "ff-sa",
         "parameters": {"rho": {"constant": "1"}, "eta": {"constant": "1"},
           "query": {"tensor": "h{l}.q", "transpose": true}, "key": {"tensor": "h{l}.k", "transpose": true},
           "value": {"tensor": "h{l}.v"}, "ff_in": {"tensor": "h{l}.u"}, "ff_out": {"tensor": "h{l}.w"}},
         "ignore": ["h{l}.mask", "step"]}
        """)
        #expect(map.name == "test map")
        let file = SafetensorsFile(metadata: [:], tensors: [
            .init(name: "h0.q", shape: [2, 1], values: [r("1"), r("2")]),      // stored [d, h]: Q = [[1, 2]]
            .init(name: "h0.k", shape: [2, 1], values: [r("3"), r("4")]),
            .init(name: "h0.v", shape: [2, 2], values: [r("1"), r("0"), r("0"), r("1")]),
            .init(name: "h0.u", shape: [1, 2], values: [r("1"), r("-1")]),
            .init(name: "h0.w", shape: [2, 1], values: [r("1/2"), r("0")]),
            .init(name: "h0.mask", shape: [2, 2], values: Array(repeating: .zero, count: 4)),
            .init(name: "step", shape: [], values: [.one]),
        ])
        let model = try importing(file, map: map)
        #expect(model.blocks.count == 1 && model.blocks[0].padding == .none)
        #expect(model.blocks[0].attention.rho == .one && model.blocks[0].feedForward.eta == .one)
        #expect(model.blocks[0].attention.heads[0].scores == .queryKey(query: [[r("1"), r("2")]], key: [[r("3"), r("4")]]))
        #expect(model.blocks[0].feedForward == .dense(eta: .one, u: [[r("1"), r("-1")]], b: [.zero], w: [[r("1/2")], [.zero]]))
    }

    @Test func badMapsAreRejectedWithTheirPath() {
        func message(_ text: String) -> String {
            do { _ = try parse(text); return "no error" } catch { return error.description }
        }
        let head = #"{"format": "exact-interp-tensor-map", "version": 1, "order": "sa-ff", "parameters": "#
        let rest = #""eta": {"tensor": "e{l}"}, "query": {"tensor": "q{l}"}, "key": {"tensor": "k{l}"}, "value": {"tensor": "v{l}"}, "ff_in": {"tensor": "u{l}"}, "ff_out": {"tensor": "w{l}"}}}"#
        #expect(message(head + #"{"rho": {"tensor": "rho"}, "# + rest) == #"parameters.rho.tensor: "rho" must contain {l} (the block number) exactly once"#)
        #expect(message(head + #"{"rho": {"tensor": "{l}.{l}"}, "# + rest).hasSuffix("exactly once"))
        #expect(message(head + #"{"rho": {"tensor": "r{l}", "constant": "1"}, "# + rest) == #"parameters.rho: give either "tensor" or "constant", not both"#)
        #expect(message(head + #"{"rho": {"tensor": "r{l}", "transpose": true}, "# + rest).hasPrefix(#"parameters.rho.transpose: unknown key "transpose""#))
        #expect(message(head + #"{"rho": {"tensor": "r{l}"}, "attn": {"tensor": "a{l}"}, "# + rest).hasPrefix(#"parameters.attn: unknown key"#))
        #expect(message(head + #"{"# + rest) == "parameters.rho: missing (every parameter but ff_bias needs a tensor or a constant)")
        #expect(message(#"{"format": "exact-interp-tensor-map", "version": 1, "order": "sideways", "parameters": {}}"#).hasPrefix("order: expected \"sa-ff\""))
        #expect(message(#"{"format": "something", "version": 1}"#) == #"format: expected "exact-interp-tensor-map", found "something""#)
    }
}

@Suite struct PaddingFieldTests {
    @Test func paddingRoundTripsThroughModelFilesAndTensors() throws {
        let model = try importing(saFF(blocks: 2))
        let text = model.fileText
        #expect(text.contains("\"padding\": [\"feedforward\"]") && text.contains("\"padding\": [\"attention\"]"))
        #expect(try Transformer.parse(Array(text.utf8)) == model)
        // export → import keeps it (blocks.i.padding metadata).
        let back = try Transformer(importing: try SafetensorsFile.parse(try model.safetensors.serialized(format: .float64)))
        #expect(back.blocks.map(\.padding) == model.blocks.map(\.padding))
    }

    @Test func filesWithoutPaddingReadAsBefore() throws {
        var model = try importing(saFF(blocks: 1))
        for i in model.blocks.indices { model.blocks[i].padding = .none }
        #expect(!model.fileText.contains("padding"))
        #expect(try Transformer.parse(Array(model.fileText.utf8)).blocks.allSatisfy { $0.padding == .none })
    }

    @Test func paddingMustMarkAnIdentityLayer() throws {
        let text = try importing(saFF(blocks: 1)).fileText
        func message(_ text: String) -> String {
            do { _ = try Transformer.parse(Array(text.utf8)); return "no error" } catch { return error.description }
        }
        #expect(message(text.replacingFirst(#""padding": ["feedforward"]"#, with: #""padding": ["attention"]"#))
            == "blocks[0].padding[0]: the attention layer is marked as padding but is not the identity (rho 1, every value zero)")
        #expect(message(text.replacingFirst(#""padding": ["attention"]"#, with: #""padding": ["feedforward"]"#))
            == "blocks[1].padding[0]: the feed-forward layer is marked as padding but is not the identity (eta 1, no non-zero outputs)")
        #expect(message(text.replacingFirst(#""padding": ["feedforward"]"#, with: #""padding": ["feedforward", "feedforward"]"#))
            == #"blocks[0].padding[1]: expected "feedforward" or "attention", each at most once, found "feedforward""#)
        #expect(message(text.replacingFirst(#""padding": ["feedforward"]"#, with: #""padding": ["ff"]"#)).hasPrefix("blocks[0].padding[0]: expected"))
    }

    @Test func boundLeavesPaddingOut() throws {
        let model = try StateDictImport.transformer(from: saFF(blocks: 2), map: .saFF, options: .init(temperature: .one))
        var unpadded = model
        for i in unpadded.blocks.indices { unpadded.blocks[i].padding = .none }
        // The identity FF has η = 1, the identity SA ρ = 1: 2 more without the padding marks.
        #expect(unpadded.tikhonovBound.total - model.tikhonovBound.total == Rational(2))
        // At τ = 1 the exported tensors are the state dict's: R is the sum of its squares.
        let squares = saFF(blocks: 2).tensors.flatMap(\.values).reduce(Rational.zero) { $0 + $1 * $1 }
        #expect(model.tikhonovBound.total == squares)
        // Nor are they counted as parameters (Remark 1.5's dense count, d = w = 2, one head): per
        // trained block FF 2wd + w + 1 = 11 and SA 2d² + 1 = 9, nothing for the padding.
        #expect(model.parameterCount.dense == 2 * (11 + 9))
    }
}

@Suite struct ArrayDatasetTests {
    func file() -> SafetensorsFile {
        let values = (0..<24).map { Rational($0) / Rational(8) }
        return SafetensorsFile(metadata: [:], tensors: [
            .init(name: "X", shape: [2, 3, 4], values: values),
            .init(name: "Y", shape: [2, 4], values: Array(values.prefix(8))),
            .init(name: "Ym", shape: [2, 2, 4], values: Array(values.prefix(16))),
            .init(name: "Yc", shape: [2, 3, 4], values: values.map { -$0 }),
            .init(name: "Yd", shape: [2, 3], values: Array(values.prefix(6))),
        ])
    }

    @Test func shapes() throws {
        let one = try ArrayDataset.dataset(from: file(), inputs: "X", targets: "Y")
        #expect(one.dimension == 4 && one.pairs.count == 2)
        #expect(one.pairs[1].input[2] == [r("20/8"), r("21/8"), r("22/8"), r("23/8")])
        #expect(one.pairs[1].output == [[r("4/8"), r("5/8"), r("6/8"), r("7/8")]])
        let many = try ArrayDataset.dataset(from: file(), inputs: "X", targets: "Ym")
        #expect(many.pairs[1].output.count == 2 && many.pairs[1].output[1] == [r("12/8"), r("13/8"), r("14/8"), r("15/8")])
        let causal = try ArrayDataset.dataset(from: file(), inputs: "X", targets: "Yc", causal: true, name: "c")
        #expect(causal.causal && causal.name == "c" && causal.pairs[0].output.count == 3)
    }

    @Test func errors() {
        func message(_ inputs: String, _ targets: String, causal: Bool = false) -> String {
            do { _ = try ArrayDataset.dataset(from: file(), inputs: inputs, targets: targets, causal: causal); return "no error" } catch { return error.description }
        }
        #expect(message("Z", "Y") == "Z: missing: no input tensor of that name (the file has X, Y, Yc, Yd, Ym)")
        #expect(message("Y", "Y") == "Y: wrong shape [2, 4], expected [N, n, d] (N sequences of n tokens of dimension d, each ≥ 1)")
        #expect(message("X", "Ym", causal: true).hasPrefix("Ym: wrong shape [2, 2, 4], expected [2, 3, 4]: a causal dataset"))
        #expect(message("X", "X") == "no error")
        #expect(message("X", "Yd") == "Yd: wrong shape [2, 3], expected [2, 4] or [2, m, 4] (N = 2, d = 4 from X [2, 3, 4])")
        #expect(message("Ym", "Yc") == "no error")
    }
}

@Suite struct TorchPickleTests {
    @Test func pickledFilesAreRecognised() throws {
        #expect(TorchPickle.diagnosis(Array("PK\u{3}\u{4}rest of a zip".utf8))?.contains("save_file(model.state_dict(), \"model.safetensors\")") == true)
        #expect(TorchPickle.diagnosis([0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20])?.contains("legacy") == true)
        // A safetensors file whose header length's low byte is 0x80 is not a pickle.
        var header = Array("{\"X\":{\"dtype\":\"F64\",\"shape\":[],\"data_offsets\":[0,8]}}".utf8)
        while header.count < 0x80 { header.append(UInt8(ascii: " ")) }
        let bytes = [0x80, 0, 0, 0, 0, 0, 0, 0] + header + [UInt8](repeating: 0, count: 8)
        #expect(TorchPickle.diagnosis(bytes) == nil)
        #expect(try SafetensorsFile.parse(bytes).tensors.count == 1)
    }
}
