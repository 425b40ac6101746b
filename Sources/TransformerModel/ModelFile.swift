import ExactArithmetic

/// Reading and writing model files (JSON, `docs/model-format.md`).
///
/// Every rational is an exact string "p/q"; layers keep their structured form, so the file is
/// also the parameter count's evidence. Writing is deterministic: the same model gives the same bytes.
extension Transformer {
    public static let formatName = "exact-interp-model"
    public static let formatVersion = 1

    // MARK: Writing

    public var json: JSONValue {
        var members: [(key: String, value: JSONValue)] = [
            ("format", .string(Transformer.formatName)),
            ("version", .number(String(Transformer.formatVersion))),
            ("dimension", .number(String(dimension))),
        ]
        if let temperature { members.append(("temperature", .string(temperature.description))) }
        if let datasetDigest { members.append(("dataset_digest", .string(datasetDigest))) }
        if !metadata.isEmpty {
            let entries = metadata.entries
            members.append(("metadata", .object(entries.keys.sorted().map { ($0, .string(entries[$0] ?? "")) })))
        }
        if let labels {
            members.append(("labels", .array(labels.entries.map { .object([("label", .string($0.label)), ("token", exact($0.token))]) })))
        }
        members.append(("blocks", .array(blocks.map(\.json))))
        return .object(members)
    }

    /// The file's text.
    public var fileText: String { json.rendered() }
}

func exact(_ r: Rational) -> JSONValue { .string(r.description) }
func exact(_ v: [Rational]) -> JSONValue { .array(v.map(exact)) }
func exact(_ m: [[Rational]]) -> JSONValue { .array(m.map(exact)) }

extension Block {
    var json: JSONValue {
        var members: [(key: String, value: JSONValue)] = [("stage", .string(stage.rawValue))]
        if !padding.isEmpty { members.append(("padding", .array(padding.names.map { .string($0) }))) }
        members += [("feedforward", feedForward.json), ("attention", attention.json)]
        return .object(members)
    }
}

extension FeedForwardLayer {
    var json: JSONValue {
        .object([
            ("eta", exact(eta)),
            ("ridges", .array(ridges.map { r in
                .object([
                    ("direction", exact(r.direction)),
                    ("neurons", .array(r.neurons.map { n in .object([("bias", exact(n.bias)), ("output", exact(n.output))]) })),
                ])
            })),
        ])
    }
}

extension SelfAttentionLayer {
    var json: JSONValue {
        .object([
            ("kind", .string(kind.rawValue)),
            ("rho", exact(rho)),
            ("causal", .bool(causal)),
            ("heads", .array(heads.map { h in .object([("scores", h.scores.json), ("value", h.value.json)]) })),
        ])
    }
}

extension ScoreMatrix {
    var json: JSONValue {
        switch self {
        case .zero: return .object([("type", .string("zero"))])
        case .scaledIdentity(let a): return .object([("type", .string("scaled_identity")), ("scale", exact(a))])
        case .rankOne(let p, let q): return .object([("type", .string("rank_one")), ("p", exact(p)), ("q", exact(q))])
        case .general(let m): return .object([("type", .string("general")), ("matrix", exact(m))])
        case .queryKey(let q, let k): return .object([("type", .string("query_key")), ("query", exact(q)), ("key", exact(k))])
        }
    }
}

extension ValueMatrix {
    var json: JSONValue {
        switch self {
        case .zero: return .object([("type", .string("zero"))])
        case .scaledIdentity(let v): return .object([("type", .string("scaled_identity")), ("scale", exact(v))])
        case .general(let m): return .object([("type", .string("general")), ("matrix", exact(m))])
        }
    }
}

// MARK: - Reading (through `JSONReader`, JSONReader.swift)

extension Transformer {
    /// Reads a model file, checking every shape against the model's dimension.
    /// A valid file is read one block at a time, without the JSON tree of the whole document
    /// (JSON.swift, "Datasets and models without a whole tree"); anything else through the whole tree, whose
    /// reader names the problem. The bytes are released once that tree is built, before the model
    /// is (a large file is not held three times: bytes, tree and model).
    public static func parse(_ bytes: consuming [UInt8]) throws(InputError) -> Transformer {
        if let model = JSONParser.modelFastPath(bytes) { return model }
        let tree = try JSONReader.document(bytes)
        _ = consume bytes
        return try Transformer(json: tree)
    }

    public init(json: JSONValue) throws(InputError) {
        let root = JSONReader(value: json, path: "")
        if json["format"] == nil, json["pairs"] != nil {
            throw InputError(path: "", reason: "this looks like a dataset file, not a model — arguments swapped? (commands take MODEL DATASET)")
        }
        let format = try root.field("format").string()
        try root.allowingOnly(["format", "version", "dimension", "temperature", "dataset_digest", "metadata", "labels", "blocks"])
        guard format == Transformer.formatName else {
            throw InputError(path: "format", reason: "expected \"\(Transformer.formatName)\", found \"\(format)\"")
        }
        let version = try root.field("version").integer(in: 1...1_000)
        guard version == Transformer.formatVersion else {
            throw InputError(path: "version", reason: "this build reads version \(Transformer.formatVersion), the file has version \(version)")
        }
        let d = try root.field("dimension").integer(in: 1...Dataset.maximumDimension)
        var temperature: Rational? = nil
        if let t = root.optionalField("temperature") {
            let tau = try t.rational()
            guard tau > .zero else { throw InputError(path: t.path, reason: "the temperature must be positive") }
            temperature = tau
        }
        let digest = try root.optionalField("dataset_digest")?.string()
        if let digest, !Transformer.isWellFormedDigest(digest) {
            throw InputError(path: "dataset_digest", reason: "expected \"sha256:\" and 64 lowercase hex digits, found \"\(digest)\"")
        }
        var entries: [String: String] = [:]
        if let m = root.optionalField("metadata") {
            guard case .object(let members) = m.value else { throw InputError(path: m.path, reason: "expected an object") }
            for (k, v) in members {
                entries[k] = try JSONReader(value: v, path: m.path + "." + k).string()
            }
        }
        var labels: LabelEmbedding? = nil
        if let l = root.optionalField("labels") {
            var entries: [LabelEmbedding.Entry] = []
            for e in try l.array() {
                try e.allowingOnly(["label", "token"])
                entries.append(.init(label: try e.field("label").string(), token: try e.field("token").vector(dimension: d)))
            }
            let embedding = LabelEmbedding(entries: entries)
            try embedding.validate(dimension: d, path: l.path)
            labels = embedding
        }
        var blocks: [Block] = []
        for b in try root.field("blocks").array() {
            blocks.append(try Block(reader: b, dimension: d))
        }
        self.init(dimension: d, blocks: blocks, temperature: temperature, datasetDigest: digest,
                  metadata: ModelMetadata(entries: entries), labels: labels)
    }
}

extension Transformer {
    /// "sha256:" and 64 lowercase hex digits, the only digest form written and accepted.
    public static func isWellFormedDigest(_ digest: String) -> Bool {
        let bytes = Array(digest.utf8)
        guard bytes.count == 71, digest.hasPrefix("sha256:") else { return false }
        return bytes[7...].allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
    }
}

extension Block {
    init(reader: JSONReader, dimension d: Int) throws(InputError) {
        try reader.allowingOnly(["stage", "padding", "feedforward", "attention"])
        let stageReader = try reader.field("stage")
        let stageName = try stageReader.string()
        guard let stage = Block.Stage(rawValue: stageName) else {
            let known = Block.Stage.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")
            throw InputError(path: stageReader.path, reason: "unknown stage \"\(stageName)\"; expected one of \(known)")
        }
        let ffReader = try reader.field("feedforward")
        try ffReader.allowingOnly(["eta", "ridges"])
        let eta = try ffReader.field("eta").rational()
        var ridges: [FeedForwardLayer.Ridge] = []
        for r in try ffReader.field("ridges").array() {
            try r.allowingOnly(["direction", "neurons"])
            let direction = try r.field("direction").vector(dimension: d)
            var neurons: [FeedForwardLayer.Neuron] = []
            for n in try r.field("neurons").array() {
                try n.allowingOnly(["bias", "output"])
                neurons.append(FeedForwardLayer.Neuron(bias: try n.field("bias").rational(), output: try n.field("output").vector(dimension: d)))
            }
            ridges.append(FeedForwardLayer.Ridge(direction: direction, neurons: neurons))
        }
        let saReader = try reader.field("attention")
        try saReader.allowingOnly(["kind", "rho", "causal", "heads"])
        let kindName = try saReader.field("kind").string()
        guard let kind = AttentionKind(rawValue: kindName) else {
            throw InputError(path: saReader.path + ".kind", reason: "expected \"hardmax\" or \"softmax\", found \"\(kindName)\"")
        }
        let rho = try saReader.field("rho").rational()
        let causal = try saReader.optionalField("causal")?.bool() ?? false
        var heads: [AttentionHead] = []
        for h in try saReader.field("heads").array() {
            try h.allowingOnly(["scores", "value"])
            heads.append(AttentionHead(scores: try ScoreMatrix(reader: try h.field("scores"), dimension: d),
                                       value: try ValueMatrix(reader: try h.field("value"), dimension: d)))
        }
        let feedForward = FeedForwardLayer(eta: eta, ridges: ridges)
        let attention = SelfAttentionLayer(kind: kind, rho: rho, heads: heads, causal: causal)
        var padding = Block.Padding.none
        if let p = reader.optionalField("padding") {
            for item in try p.array() {
                let name = try item.string()
                switch name {
                case "feedforward" where !padding.feedForward:
                    guard feedForward.isIdentity else {
                        throw InputError(path: item.path, reason: "the feed-forward layer is marked as padding but is not the identity (eta 1, no non-zero outputs)")
                    }
                    padding.feedForward = true
                case "attention" where !padding.attention:
                    guard attention.isIdentity else {
                        throw InputError(path: item.path, reason: "the attention layer is marked as padding but is not the identity (rho 1, every value zero)")
                    }
                    padding.attention = true
                default:
                    throw InputError(path: item.path, reason: "expected \"feedforward\" or \"attention\", each at most once, found \(item.shown)")
                }
            }
        }
        self.init(stage: stage, feedForward: feedForward, attention: attention, padding: padding)
    }
}

extension ScoreMatrix {
    init(reader: JSONReader, dimension d: Int) throws(InputError) {
        let type = try reader.field("type").string()
        let keys = ["zero": [], "scaled_identity": ["scale"], "rank_one": ["p", "q"], "general": ["matrix"], "query_key": ["query", "key"]]
        if let own = keys[type] { try reader.allowingOnly(["type"] + own) }
        switch type {
        case "zero": self = .zero
        case "scaled_identity": self = .scaledIdentity(try reader.field("scale").rational())
        case "rank_one": self = .rankOne(p: try reader.field("p").vector(dimension: d), q: try reader.field("q").vector(dimension: d))
        case "general": self = .general(try reader.field("matrix").matrix(rows: d, columns: d))
        case "query_key":
            let q = try reader.field("query").matrix(rows: nil, columns: d)
            let k = try reader.field("key").matrix(rows: q.count, columns: d)
            self = .queryKey(query: q, key: k)
        default:
            throw InputError(path: reader.path + ".type", reason: "unknown score matrix type \"\(type)\" (zero, scaled_identity, rank_one, general, query_key)")
        }
    }
}

extension ValueMatrix {
    init(reader: JSONReader, dimension d: Int) throws(InputError) {
        let type = try reader.field("type").string()
        let keys = ["zero": [], "scaled_identity": ["scale"], "general": ["matrix"]]
        if let own = keys[type] { try reader.allowingOnly(["type"] + own) }
        switch type {
        case "zero": self = .zero
        case "scaled_identity": self = .scaledIdentity(try reader.field("scale").rational())
        case "general": self = .general(try reader.field("matrix").matrix(rows: d, columns: d))
        default:
            throw InputError(path: reader.path + ".type", reason: "unknown value matrix type \"\(type)\" (zero, scaled_identity, general)")
        }
    }
}
