import ExactArithmetic
import TensorFiles
import TransformerModel

/// A trained model's state dict (a safetensors file) read as an exact model of this engine, through
/// a `TensorMap` (docs/trained-models.md). Every value is the exact rational of its bits (the
/// safetensors reader's rule); the structure is checked tensor by tensor, errors naming the tensor,
/// the shape found and the shape expected.
public enum StateDictImport {
    /// What the import builds, and from which tensors.
    public struct Options: Sendable {
        /// The softmax temperature τ (a constructor argument of the trained model, not a tensor).
        public var temperature: Rational
        /// Every attention layer masked causally (token i sees k ≤ i).
        public var causal: Bool
        /// The file's name for the metadata (`source`).
        public var source: String?
        public init(temperature: Rational, causal: Bool = false, source: String? = nil) {
            self.temperature = temperature
            self.causal = causal
            self.source = source
        }
    }

    /// One of the file's blocks, in engine form, before it is cut into FF-then-SA blocks.
    struct TrainedBlock {
        var attention: SelfAttentionLayer
        var feedForward: FeedForwardLayer
    }

    /// The model: for order `sa-ff`, L trained blocks become L + 1 engine blocks,
    /// [id FF, SA₀], [FF₀, SA₁], …, [FF_{L−1}, id SA], the first FF and the last SA marked padding;
    /// for `ff-sa`, one engine block per block.
    public static func transformer(from file: SafetensorsFile, map: TensorMap, options: Options) throws(InputError) -> Transformer {
        guard options.temperature > .zero else {
            throw InputError(path: "temperature", reason: "must be positive, found \(options.temperature)")
        }
        // Which tensor is which parameter of which block; anything else is an unknown key.
        var found: [TensorMap.Parameter: [Int: SafetensorsFile.Tensor]] = [:]
        var unknown: [String] = []
        var blockCount = 0
        for t in file.tensors {
            try checkCount(t)
            var matched = false
            for parameter in TensorMap.Parameter.allCases {
                guard case .tensor(let pattern, _)? = map.sources[parameter], let l = TensorMap.blockIndex(t.name, pattern: pattern) else { continue }
                found[parameter, default: [:]][l] = t
                blockCount = max(blockCount, l + 1)
                matched = true
                break
            }
            if !matched && !map.ignores(t.name) { unknown.append(t.name) }
        }
        let expected = map.tensorPatterns.joined(separator: ", ")
        if !unknown.isEmpty {
            let shown = unknown.sorted().prefix(5).joined(separator: ", ") + (unknown.count > 5 ? ", … (\(unknown.count) in all)" : "")
            throw InputError(path: "", reason: "unknown tensor name\(unknown.count == 1 ? "" : "s") for the \(map.name) layout: \(shown) (expected \(expected))")
        }
        guard blockCount > 0 else {
            throw InputError(path: "", reason: "no tensors of the \(map.name) layout (expected \(expected))")
        }
        // Named up to five; counted in all (a stray blocks.999999.… must not build millions of names).
        var missing: [String] = []
        var missingCount = 0
        for parameter in TensorMap.Parameter.allCases {
            guard case .tensor(let pattern, _)? = map.sources[parameter] else { continue }
            let present = found[parameter] ?? [:]
            missingCount += blockCount - present.count
            var l = 0
            while missing.count < 5 && l < blockCount {
                if present[l] == nil { missing.append(pattern.replacingFirst("{l}", with: String(l))) }
                l += 1
            }
        }
        if missingCount > 0 {
            let shown = missing.joined(separator: ", ") + (missingCount > missing.count ? ", … (\(missingCount) in all)" : "")
            throw InputError(path: "", reason: "missing tensor\(missingCount == 1 ? "" : "s"): \(shown) (the file has blocks 0 to \(blockCount - 1))")
        }

        // d from block 0's value matrix, h from block 0's query; every block must agree.
        let reader = TensorReader(map: map, found: found)
        let d = try reader.squareSide(.value, block: 0)
        let h = try reader.rows(.query, block: 0, columns: d, dimensionFrom: reader.name(.value, 0))
        guard h >= 1 else {
            throw InputError(path: reader.name(.query, 0), reason: "h = 0: a head needs at least one query row")
        }
        var trained: [TrainedBlock] = []
        for l in 0..<blockCount {
            let q = try reader.matrix(.query, block: l, expected: (h, d), d: d, h: h)
            let k = try reader.matrix(.key, block: l, expected: (h, d), d: d, h: h)
            let v = try reader.matrix(.value, block: l, expected: (d, d), d: d, h: h)
            let u = try reader.matrix(.ffIn, block: l, expected: (nil, d), d: d, h: h)
            let w = u.count
            let wOut = try reader.matrix(.ffOut, block: l, expected: (d, w), d: d, h: h)
            let b = try reader.vector(.ffBias, block: l, count: w)
            let rho = try reader.scalar(.rho, block: l)
            let eta = try reader.scalar(.eta, block: l)
            let attention = SelfAttentionLayer(kind: .softmax, rho: rho,
                                               scores: .queryKey(query: q, key: k), value: .general(v), causal: options.causal)
            trained.append(TrainedBlock(attention: attention, feedForward: .dense(eta: eta, u: u, b: b, w: wOut)))
        }

        var blocks: [Block] = []
        switch map.order {
        case .feedForwardFirst:
            blocks = trained.map { Block(stage: .imported, feedForward: $0.feedForward, attention: $0.attention) }
        case .attentionFirst:
            blocks.append(Block(stage: .imported, feedForward: .identity, attention: trained[0].attention,
                                padding: Block.Padding(feedForward: true)))
            for l in 1..<trained.count {
                blocks.append(Block(stage: .imported, feedForward: trained[l - 1].feedForward, attention: trained[l].attention))
            }
            blocks.append(Block(stage: .imported, feedForward: trained[trained.count - 1].feedForward,
                                attention: SelfAttentionLayer(kind: .softmax, causal: options.causal),
                                padding: Block.Padding(attention: true)))
        }
        var metadata = ["architecture": map.name, "order": map.order.rawValue]
        if let source = options.source { metadata["source"] = source }
        return Transformer(dimension: d, blocks: blocks, temperature: options.temperature, metadata: ModelMetadata(other: metadata))
    }
}

/// A tensor built in code (not read from a file) might not fill its shape: an error, never a trap.
func checkCount(_ t: SafetensorsFile.Tensor) throws(InputError) {
    var count = 1
    for n in t.shape {
        let (product, overflow) = count.multipliedReportingOverflow(by: n)
        guard !overflow, n >= 0 else { throw InputError(path: t.name, reason: "bad shape \(t.shape)") }
        count = product
    }
    guard t.values.count == count else { throw InputError(path: t.name, reason: "\(t.values.count) values do not fill the shape \(t.shape)") }
}

extension TensorMap {
    /// The tensor-name patterns of the map, for messages.
    var tensorPatterns: [String] {
        Parameter.allCases.compactMap { if case .tensor(let p, _)? = sources[$0] { return p } else { return nil } }
    }
}

extension String {
    func replacingFirst(_ target: String, with replacement: String) -> String {
        guard let range = firstRange(of: target) else { return self }
        return String(self[..<range.lowerBound]) + replacement + String(self[range.upperBound...])
    }
}

/// Reads parameters of one block with the shape checks and messages of the import.
struct TensorReader {
    let map: TensorMap
    let found: [TensorMap.Parameter: [Int: SafetensorsFile.Tensor]]

    func name(_ p: TensorMap.Parameter, _ l: Int) -> String {
        if case .tensor(let pattern, _)? = map.sources[p] { return pattern.replacingFirst("{l}", with: String(l)) }
        return p.rawValue
    }

    func tensor(_ p: TensorMap.Parameter, _ l: Int) throws(InputError) -> (SafetensorsFile.Tensor, Bool) {
        guard case .tensor(_, let transpose)? = map.sources[p], let t = found[p]?[l] else {
            throw InputError(path: name(p, l), reason: "missing")
        }
        return (t, transpose)
    }

    /// The engine-form shape of a matrix tensor (transposed back when the map says so), or nil
    /// when it is not a matrix.
    func engineShape(_ t: SafetensorsFile.Tensor, transpose: Bool) -> (Int, Int)? {
        guard t.shape.count == 2 else { return nil }
        return transpose ? (t.shape[1], t.shape[0]) : (t.shape[0], t.shape[1])
    }

    func stored(_ rows: String, _ columns: String, transpose: Bool) -> String {
        transpose ? "[\(columns), \(rows)]" : "[\(rows), \(columns)]"
    }

    func squareSide(_ p: TensorMap.Parameter, block l: Int) throws(InputError) -> Int {
        let (t, transpose) = try tensor(p, l)
        guard let (r, c) = engineShape(t, transpose: transpose), r == c, r >= 1 else {
            throw InputError(path: t.name, reason: "wrong shape \(t.shape), expected [d, d] with d ≥ 1 (the value matrix fixes d)")
        }
        return r
    }

    func rows(_ p: TensorMap.Parameter, block l: Int, columns d: Int, dimensionFrom source: String) throws(InputError) -> Int {
        let (t, transpose) = try tensor(p, l)
        guard let (r, c) = engineShape(t, transpose: transpose), c == d else {
            throw InputError(path: t.name, reason: "wrong shape \(t.shape), expected \(stored("h", String(d), transpose: transpose)) (d = \(d) from \(source))")
        }
        return r
    }

    /// A matrix in engine form (rows), its shape checked against `expected` (nil rows: any).
    func matrix(_ p: TensorMap.Parameter, block l: Int, expected: (Int?, Int), d: Int, h: Int) throws(InputError) -> [[Rational]] {
        let (t, transpose) = try tensor(p, l)
        let rowsText = expected.0.map(String.init) ?? "w"
        guard let (r, c) = engineShape(t, transpose: transpose), c == expected.1, expected.0 == nil || r == expected.0 else {
            var why = "wrong shape \(t.shape), expected \(stored(rowsText, String(expected.1), transpose: transpose))"
            switch p {
            case .query, .key:
                if let (r, c) = engineShape(t, transpose: transpose), c == d, r != h {
                    why += ": h = \(r) here but h = \(h) in \(name(.query, 0)) (one h for every block and for query and key)"
                } else {
                    why += " (d = \(d) from \(name(.value, 0)), h = \(h) from \(name(.query, 0)))"
                }
            case .value: why += " (d = \(d) from \(name(.value, 0)): every block has the same d)"
            case .ffIn: why += " (d = \(d) from \(name(.value, 0)))"
            case .ffOut: why += " (d = \(d) from \(name(.value, 0)), w = \(rowsText) from \(name(.ffIn, l)))"
            default: break
            }
            throw InputError(path: t.name, reason: why)
        }
        return (0..<r).map { i in (0..<c).map { j in transpose ? t.values[j * r + i] : t.values[i * c + j] } }
    }

    func vector(_ p: TensorMap.Parameter, block l: Int, count w: Int) throws(InputError) -> [Rational] {
        switch map.sources[p] {
        case .constant(let value)?: return [Rational](repeating: value, count: w)
        case nil: return [Rational](repeating: .zero, count: w)
        case .tensor?:
            let (t, _) = try tensor(p, l)
            guard t.shape == [w] else {
                throw InputError(path: t.name, reason: "wrong shape \(t.shape), expected [\(w)] (w = \(w) from \(name(.ffIn, l)))")
            }
            return t.values
        }
    }

    func scalar(_ p: TensorMap.Parameter, block l: Int) throws(InputError) -> Rational {
        switch map.sources[p] {
        case .constant(let value)?: return value
        case nil: throw InputError(path: p.rawValue, reason: "missing")
        case .tensor?:
            let (t, _) = try tensor(p, l)
            guard t.shape == [] || t.shape == [1], let value = t.values.first else {
                throw InputError(path: t.name, reason: "wrong shape \(t.shape), expected [1] or [] (one number)")
            }
            return value
        }
    }
}
