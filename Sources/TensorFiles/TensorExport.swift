import ExactArithmetic
import TransformerModel

/// A model as the dense tensors a training framework holds (docs/interop.md), and back.
///
/// Per block i (shapes with d the dimension, w the width, k the query/key rows):
///
///     blocks.i.ff.U    [w, d]   rows of U, one per neuron (a ridge's direction repeated)
///     blocks.i.ff.b    [w]
///     blocks.i.ff.W    [d, w]   column j is neuron j's output
///     blocks.i.ff.eta  []
///     blocks.i.attn.rho                  []
///     blocks.i.attn.heads.h.A            [d, d]  score matrix (zero, a·I and general heads)
///     blocks.i.attn.heads.h.Q, .K        [k, d]  A = QᵀK (rank-one heads: k = 1, Q = pᵀ, K = qᵀ)
///     blocks.i.attn.heads.h.V            [d, d]
///
/// Softmax blocks hold A/τ (or Q/τ) with τ the model's τ₀: softmax at temperature τ with scores A
/// is softmax at temperature 1 with A/τ, the form a framework trains (see
/// docs/mathematics.md#tikhonov-bound). Non-trainable facts go to the string metadata: attention
/// kind and causal flag per block, the stage labels, the structured types as hints for import.
extension Transformer {
    /// Format name written to the metadata key `format`.
    public static let tensorFormatName = "exact-interp-safetensors"

    /// The exact dense tensors of block `index` (before any rounding), in export form.
    public func denseTensors(block index: Int) -> [SafetensorsFile.Tensor] {
        let block = blocks[index]
        let d = dimension
        let prefix = "blocks.\(index)."
        var out: [SafetensorsFile.Tensor] = []
        let ff = block.feedForward
        var u: [Rational] = [], b: [Rational] = [], outputs: [[Rational]] = []
        for ridge in ff.ridges {
            for neuron in ridge.neurons {
                u += padded(ridge.direction, d)
                b.append(neuron.bias)
                outputs.append(padded(neuron.output, d))
            }
        }
        let w = b.count
        var wMatrix: [Rational] = []
        wMatrix.reserveCapacity(d * w)
        for c in 0..<d { for j in 0..<w { wMatrix.append(outputs[j][c]) } }
        out.append(.init(name: prefix + "ff.U", shape: [w, d], values: u))
        out.append(.init(name: prefix + "ff.b", shape: [w], values: b))
        out.append(.init(name: prefix + "ff.W", shape: [d, w], values: wMatrix))
        out.append(.init(name: prefix + "ff.eta", shape: [], values: [ff.eta]))
        let sa = block.attention
        out.append(.init(name: prefix + "attn.rho", shape: [], values: [sa.rho]))
        // Softmax scores are stored divided by τ₀ (temperature 1 in the file).
        let fold: Rational = sa.kind == .softmax ? (temperature ?? .one).reciprocal : .one
        for (h, head) in sa.heads.enumerated() {
            let hp = prefix + "attn.heads.\(h)."
            switch head.scores {
            case .zero:
                out.append(.init(name: hp + "A", shape: [d, d], values: [Rational](repeating: .zero, count: d * d)))
            case .scaledIdentity(let a):
                out.append(.init(name: hp + "A", shape: [d, d], values: Self.identity(d).map { $0 * a * fold }))
            case .general(let m):
                out.append(.init(name: hp + "A", shape: [d, d], values: m.flatMap { padded($0, d) }.map { $0 * fold }))
            case .rankOne(let p, let q):
                out.append(.init(name: hp + "Q", shape: [1, d], values: padded(p, d).map { $0 * fold }))
                out.append(.init(name: hp + "K", shape: [1, d], values: padded(q, d)))
            case .queryKey(let q, let k):
                out.append(.init(name: hp + "Q", shape: [q.count, d], values: q.flatMap { padded($0, d) }.map { $0 * fold }))
                out.append(.init(name: hp + "K", shape: [k.count, d], values: k.flatMap { padded($0, d) }))
            }
            let v: [Rational]
            switch head.value {
            case .zero: v = [Rational](repeating: .zero, count: d * d)
            case .scaledIdentity(let s): v = Self.identity(d).map { $0 * s }
            case .general(let m): v = m.flatMap { padded($0, d) }
            }
            out.append(.init(name: hp + "V", shape: [d, d], values: v))
        }
        return out
    }

    /// Every block's tensors, block by block.
    public var denseTensors: [SafetensorsFile.Tensor] { blocks.indices.flatMap { denseTensors(block: $0) } }

    /// The metadata written beside the tensors: architecture, attention, τ₀, digests, and per block
    /// the non-trainable facts and the structured types (hints that `init(importing:)` checks).
    public var tensorMetadata: [String: String] {
        var m: [String: String] = [
            "format": Transformer.tensorFormatName,
            "version": "1",
            "architecture": "blocks of FF(x) = eta*x + W relu(U x + b) then SA(X)_i = rho*x_i + sum_h sum_k lambda^h_ik V_h x_k, scores s_ik = x_i^T A x_k with A = Q^T K",
            "dimension": String(dimension),
            "blocks": String(blocks.count),
            "attention": usesSoftmax ? "softmax" : "hardmax",
            "model_digest": digest,
        ]
        if let temperature {
            m["temperature"] = temperature.description
            m["scores"] = "softmax score tensors hold A/temperature (run them at temperature 1)"
        }
        if let datasetDigest { m["dataset_digest"] = datasetDigest }
        for (k, v) in metadata.entries { m["metadata." + k] = v }
        for (i, block) in blocks.enumerated() {
            let p = "blocks.\(i)."
            m[p + "stage"] = block.stage.rawValue
            m[p + "attention"] = block.attention.kind.rawValue
            m[p + "causal"] = block.attention.causal ? "true" : "false"
            m[p + "ridges"] = block.feedForward.ridges.map { String($0.neurons.count) }.joined(separator: ",")
            if !block.padding.isEmpty { m[p + "padding"] = block.padding.names.joined(separator: ",") }
            for (h, head) in block.attention.heads.enumerated() {
                m[p + "attn.heads.\(h).scores"] = head.scores.kind.rawValue
                m[p + "attn.heads.\(h).value"] = head.value.kind.rawValue
            }
        }
        return m
    }

    /// The model as a safetensors file (values exact; `serialized(format:)` rounds them).
    public var safetensors: SafetensorsFile { SafetensorsFile(metadata: tensorMetadata, tensors: denseTensors) }

    static func identity(_ d: Int) -> [Rational] {
        (0..<(d * d)).map { $0 / d == $0 % d ? Rational.one : Rational.zero }
    }
}

func padded(_ v: [Rational], _ d: Int) -> [Rational] {
    v.count >= d ? Array(v.prefix(d)) : v + [Rational](repeating: .zero, count: d - v.count)
}

extension ScoreMatrix {
    /// The structured types of score matrices, by the model file's names (`scores.type`): what an
    /// export records per head as a hint for import.
    public enum Kind: String, Sendable, Equatable, CaseIterable {
        case zero
        case scaledIdentity = "scaled_identity"
        case rankOne = "rank_one"
        case general
        case queryKey = "query_key"
    }

    /// This matrix's structured type.
    public var kind: Kind {
        switch self {
        case .zero: return .zero
        case .scaledIdentity: return .scaledIdentity
        case .rankOne: return .rankOne
        case .general: return .general
        case .queryKey: return .queryKey
        }
    }
}

extension ValueMatrix {
    /// The structured types of value matrices, by the model file's names (`value.type`).
    public enum Kind: String, Sendable, Equatable, CaseIterable {
        case zero
        case scaledIdentity = "scaled_identity"
        case general
    }

    /// This matrix's structured type.
    public var kind: Kind {
        switch self {
        case .zero: return .zero
        case .scaledIdentity: return .scaledIdentity
        case .general: return .general
        }
    }
}

/// The structure hints an exported file's metadata gives for one block, read from their strings
/// once, here: neurons per ridge (`blocks.i.ridges`) and each head's structured types
/// (`blocks.i.attn.heads.h.scores`, `.value`). Import checks every hint against the tensors and
/// never trusts one; a hint that does not parse (or names no known type) is no hint.
struct StructureHints: Equatable {
    /// Neurons per ridge, in order; nil without a hint or when it is not a list of counts.
    var ridgeSizes: [Int]?
    /// Per head index, the score and value types the export recorded.
    var scores: [Int: ScoreMatrix.Kind] = [:]
    var values: [Int: ValueMatrix.Kind] = [:]

    init(ridgeSizes: [Int]? = nil, scores: [Int: ScoreMatrix.Kind] = [:], values: [Int: ValueMatrix.Kind] = [:]) {
        self.ridgeSizes = ridgeSizes
        self.scores = scores
        self.values = values
    }

    /// The hints of block `index` in `metadata` (the file's `__metadata__`).
    init(metadata: [String: String], block index: Int) {
        let p = "blocks.\(index)."
        if let text = metadata[p + "ridges"] {
            let sizes = text.isEmpty ? [] : text.split(separator: ",").map { Int($0) ?? -1 }
            ridgeSizes = sizes.allSatisfy { $0 >= 0 } ? sizes : nil
        }
        let headPrefix = p + "attn.heads."
        for (key, value) in metadata where key.hasPrefix(headPrefix) {
            let rest = key.dropFirst(headPrefix.count).split(separator: ".", omittingEmptySubsequences: false)
            guard rest.count == 2, let h = Int(rest[0]), h >= 0, String(h) == rest[0] else { continue }
            switch rest[1] {
            case "scores": scores[h] = ScoreMatrix.Kind(rawValue: value)
            case "value": values[h] = ValueMatrix.Kind(rawValue: value)
            default: continue
            }
        }
    }
}

// MARK: - Import

extension Transformer {
    /// Rebuilds a model from dense tensors (the names above), with structured layers where the
    /// tensors allow (rules in docs/interop.md). `attention` overrides the metadata's kind;
    /// without either, blocks are softmax at temperature 1 (what a framework trains).
    public init(importing file: SafetensorsFile, attention override: AttentionKind? = nil) throws(InputError) {
        let meta = file.metadata
        var byName: [String: SafetensorsFile.Tensor] = [:]
        var blockCount = 0
        for t in file.tensors {
            guard let (index, rest) = Self.blockName(t.name), Self.knownSuffix(rest) else {
                throw InputError(path: t.name, reason: "unknown tensor name (expected blocks.<i>.ff.U, .ff.b, .ff.W, .ff.eta, .attn.rho, .attn.heads.<h>.A|Q|K|V)")
            }
            guard t.values.count == t.shape.reduce(1, { $0.multipliedReportingOverflow(by: $1).partialValue }) else {
                throw InputError(path: t.name, reason: "\(t.values.count) values do not fill the shape \(t.shape)")
            }
            byName[t.name] = t
            blockCount = max(blockCount, index + 1)
        }
        guard blockCount > 0 else { throw InputError(path: "", reason: "no tensors named blocks.<i>.…: nothing to import") }
        // The dimension: from the metadata, else from the first block's W.
        let d: Int
        if let text = meta["dimension"] {
            guard let n = Int(text), n >= 1 else { throw InputError(path: "__metadata__.dimension", reason: "expected a positive integer, found \"\(text)\"") }
            d = n
        } else {
            guard let w = byName["blocks.0.ff.W"], let rows = w.shape.first else { throw InputError(path: "blocks.0.ff.W", reason: "missing") }
            d = rows
        }
        var temperature: Rational? = nil
        if let text = meta["temperature"] {
            guard let t = try? Rational(parsing: text), t > .zero else {
                throw InputError(path: "__metadata__.temperature", reason: "expected a positive rational, found \"\(text)\"")
            }
            temperature = t
        }
        func require(_ name: String, _ shape: [Int]) throws(InputError) -> [Rational] {
            guard let t = byName[name] else { throw InputError(path: name, reason: "missing") }
            guard t.shape == shape || (shape.isEmpty && t.shape == [1]) else {
                throw InputError(path: name, reason: "wrong shape \(t.shape), expected \(shape)")
            }
            return t.values
        }
        var blocks: [Block] = []
        var anySoftmax = false
        for i in 0..<blockCount {
            let p = "blocks.\(i)."
            guard let uTensor = byName[p + "ff.U"] else { throw InputError(path: p + "ff.U", reason: "missing (blocks are numbered 0 to \(blockCount - 1))") }
            guard uTensor.shape.count == 2, uTensor.shape[1] == d else {
                throw InputError(path: p + "ff.U", reason: "wrong shape \(uTensor.shape), expected [w, \(d)]")
            }
            let w = uTensor.shape[0]
            let u = uTensor.values
            let b = try require(p + "ff.b", [w])
            let wm = try require(p + "ff.W", [d, w])
            let eta = try require(p + "ff.eta", [])[0]
            let rows = (0..<w).map { j in Array(u[(j * d)..<((j + 1) * d)]) }
            let neurons = (0..<w).map { j in FeedForwardLayer.Neuron(bias: b[j], output: (0..<d).map { wm[$0 * w + j] }) }
            let hints = StructureHints(metadata: meta, block: i)
            let ridges = Self.ridges(rows: rows, neurons: neurons, sizes: hints.ridgeSizes)
            let kindName = meta[p + "attention"] ?? meta["attention"]
            var kind = AttentionKind.softmax
            if let kindName {
                guard let k = AttentionKind(rawValue: kindName) else {
                    throw InputError(path: "__metadata__.\(p)attention", reason: "expected hardmax or softmax, found \"\(kindName)\"")
                }
                kind = k
            }
            if let override { kind = override }
            let causal = meta[p + "causal"] == "true"
            let rho = try require(p + "attn.rho", [])[0]
            // Undo the fold A/τ of softmax blocks written by this tool (temperature in the metadata).
            let unfold: Rational = kind == .softmax && meta["format"] == Transformer.tensorFormatName ? (temperature ?? .one) : .one
            var heads: [AttentionHead] = []
            var h = 0
            while byName[p + "attn.heads.\(h).V"] != nil {
                let hp = p + "attn.heads.\(h)."
                let v = try require(hp + "V", [d, d])
                let scores: ScoreMatrix
                if byName[hp + "A"] != nil {
                    guard byName[hp + "Q"] == nil, byName[hp + "K"] == nil else {
                        throw InputError(path: hp + "A", reason: "a head has either A or Q and K, not both")
                    }
                    let a = try require(hp + "A", [d, d]).map { $0 * unfold }
                    scores = Self.scores(dense: a, d, hint: hints.scores[h])
                } else {
                    guard let qt = byName[hp + "Q"], qt.shape.count == 2, qt.shape[1] == d else {
                        throw InputError(path: hp + "Q", reason: "missing or of the wrong shape (a head needs A [d, d], or Q and K [k, d])")
                    }
                    let k = qt.shape[0]
                    let q = qt.values.map { $0 * unfold }
                    let kv = try require(hp + "K", [k, d])
                    let qRows = (0..<k).map { Array(q[($0 * d)..<(($0 + 1) * d)]) }
                    let kRows = (0..<k).map { Array(kv[($0 * d)..<(($0 + 1) * d)]) }
                    guard k >= 1 else { throw InputError(path: hp + "Q", reason: "Q and K need at least one row") }
                    scores = k == 1 && hints.scores[h] != .queryKey ? .rankOne(p: qRows[0], q: kRows[0]) : .queryKey(query: qRows, key: kRows)
                }
                heads.append(AttentionHead(scores: scores, value: Self.value(dense: v, d, hint: hints.values[h])))
                h += 1
            }
            for name in byName.keys where name.hasPrefix(p + "attn.heads.") {
                guard let (head, _) = Self.headName(String(name.dropFirst((p + "attn.heads.").count))), head < h else {
                    throw InputError(path: name, reason: "belongs to no head: heads are numbered from 0 and each needs V")
                }
            }
            if kind == .softmax && !heads.isEmpty { anySoftmax = true }
            let stageName = meta[p + "stage"] ?? Block.Stage.imported.rawValue
            guard let stage = Block.Stage(rawValue: stageName) else {
                throw InputError(path: p + "stage", reason: "unknown stage \"\(stageName)\"")
            }
            let feedForward = FeedForwardLayer(eta: eta, ridges: ridges)
            let attentionLayer = SelfAttentionLayer(kind: kind, rho: rho, heads: heads, causal: causal)
            var padding = Block.Padding.none
            if let text = meta[p + "padding"] {
                for name in text.split(separator: ",", omittingEmptySubsequences: false) {
                    switch name {
                    case "feedforward" where feedForward.isIdentity: padding.feedForward = true
                    case "attention" where attentionLayer.isIdentity: padding.attention = true
                    default:
                        throw InputError(path: "__metadata__.\(p)padding", reason: "\"\(name)\" is not an identity layer of this block (expected feedforward or attention, marking an identity layer)")
                    }
                }
            }
            blocks.append(Block(stage: stage, feedForward: feedForward, attention: attentionLayer, padding: padding))
        }
        if anySoftmax && temperature == nil { temperature = .one }
        if !anySoftmax && override == .hardmax { temperature = nil }
        var entries: [String: String] = [:]
        for (k, v) in meta where k.hasPrefix("metadata.") { entries[String(k.dropFirst("metadata.".count))] = v }
        self.init(dimension: d, blocks: blocks, temperature: temperature, datasetDigest: meta["dataset_digest"],
                  metadata: ModelMetadata(entries: entries))
    }

    /// Parses "blocks.<i>.<rest>".
    static func blockName(_ name: String) -> (Int, String)? {
        let parts = name.split(separator: ".", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == "blocks", let i = Int(parts[1]), i >= 0, i < 1_000_000, String(i) == parts[1] else { return nil }
        return (i, String(parts[2]))
    }

    /// Parses "<h>.<A|Q|K|V>".
    static func headName(_ rest: String) -> (Int, String)? {
        let parts = rest.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, let h = Int(parts[0]), h >= 0, String(h) == parts[0], ["A", "Q", "K", "V"].contains(parts[1]) else { return nil }
        return (h, String(parts[1]))
    }

    static func knownSuffix(_ rest: String) -> Bool {
        if ["ff.U", "ff.b", "ff.W", "ff.eta", "attn.rho"].contains(rest) { return true }
        guard rest.hasPrefix("attn.heads.") else { return false }
        return headName(String(rest.dropFirst("attn.heads.".count))) != nil
    }

    /// Neurons grouped in ridges: by the hinted ridge sizes when every group shares its row of
    /// U, else consecutive neurons with equal rows form one ridge.
    static func ridges(rows: [[Rational]], neurons: [FeedForwardLayer.Neuron], sizes: [Int]?) -> [FeedForwardLayer.Ridge] {
        if let sizes {
            if sizes.allSatisfy({ $0 <= rows.count }), sizes.reduce(0, +) == rows.count {
                var out: [FeedForwardLayer.Ridge] = []
                var start = 0
                var consistent = true
                for n in sizes {
                    let group = start..<(start + n)
                    if n > 0 && !group.allSatisfy({ rows[$0] == rows[start] }) { consistent = false; break }
                    // An empty ridge has no row to take its direction from: the hint cannot hold it.
                    if n == 0 { consistent = false; break }
                    out.append(FeedForwardLayer.Ridge(direction: rows[start], neurons: Array(neurons[group])))
                    start += n
                }
                if consistent { return out }
            }
        }
        var out: [FeedForwardLayer.Ridge] = []
        for (j, row) in rows.enumerated() {
            if let last = out.last, last.direction == row {
                out[out.count - 1].neurons.append(neurons[j])
            } else {
                out.append(FeedForwardLayer.Ridge(direction: row, neurons: [neurons[j]]))
            }
        }
        return out
    }

    /// A dense score matrix as the most structured form it has: zero, a·I, p qᵀ, else general
    /// (a `general` hint keeps it general).
    static func scores(dense a: [Rational], _ d: Int, hint: ScoreMatrix.Kind?) -> ScoreMatrix {
        let rows = (0..<d).map { Array(a[($0 * d)..<(($0 + 1) * d)]) }
        if hint == .general { return .general(rows) }
        if hint == .scaledIdentity, let s = scalarMultipleOfIdentity(a, d) { return .scaledIdentity(s) }
        if a.allSatisfy(\.isZero) { return .zero }
        if let s = scalarMultipleOfIdentity(a, d) { return .scaledIdentity(s) }
        // Rank one: q = the first non-zero row, p_i = A[i][c]/q_c with c its first non-zero entry.
        if let r = rows.firstIndex(where: { $0.contains { !$0.isZero } }),
           let c = rows[r].firstIndex(where: { !$0.isZero }) {
            let q = rows[r]
            let p = rows.map { $0[c] / q[c] }
            if rows.indices.allSatisfy({ i in rows[i].indices.allSatisfy { rows[i][$0] == p[i] * q[$0] } }) {
                return .rankOne(p: p, q: q)
            }
        }
        return .general(rows)
    }

    /// A dense value matrix as zero, v·I or general (a `general` hint keeps it general).
    static func value(dense v: [Rational], _ d: Int, hint: ValueMatrix.Kind?) -> ValueMatrix {
        let rows = (0..<d).map { Array(v[($0 * d)..<(($0 + 1) * d)]) }
        if hint == .general { return .general(rows) }
        if hint == .scaledIdentity, let s = scalarMultipleOfIdentity(v, d) { return .scaledIdentity(s) }
        if v.allSatisfy(\.isZero) { return .zero }
        if let s = scalarMultipleOfIdentity(v, d) { return .scaledIdentity(s) }
        return .general(rows)
    }

    static func scalarMultipleOfIdentity(_ m: [Rational], _ d: Int) -> Rational? {
        let s = m[0]
        for k in m.indices where m[k] != (k / d == k % d ? s : .zero) { return nil }
        return s
    }
}
