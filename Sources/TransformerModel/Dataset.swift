import ExactArithmetic

/// A token: a vector in ℚ^d.
public typealias Token = [Rational]

/// One input/output pair (X^j, Y^j) of a dataset, as written in the file.
public struct SequencePair: Sendable, Equatable {
    public var input: [Token]
    public var output: [Token]
    /// The class of a labelled pair (docs/dataset-format.md): the output is then empty until a
    /// `LabelEmbedding` gives it the label's token (docs/mathematics.md#classification).
    public var label: String?
    public init(input: [Token], output: [Token], label: String? = nil) {
        self.input = input
        self.output = output
        self.label = label
    }
}

/// A dataset of N sequence pairs in ℚ^d (see docs/mathematics.md#data, #data-formats), as read from its file.
///
/// `Dataset` holds the sequences as given; `InterpolationProblem` is the validated, deduplicated
/// form the constructions use. A *causal* dataset (`causal`, docs/mathematics.md#causal-attention)
/// reads each input as an ordered sequence and each output as one target per position;
/// `CausalProblem` validates it.
public struct Dataset: Sendable, Equatable {
    public var name: String?
    public var dimension: Int
    public var pairs: [SequencePair]
    /// True for a causal (next-token) dataset: output i is the target of input position i.
    public var causal: Bool

    public init(name: String? = nil, dimension: Int, pairs: [SequencePair], causal: Bool = false) {
        self.name = name
        self.dimension = dimension
        self.pairs = pairs
        self.causal = causal
    }

    /// The same dataset with every token value stored once: equal tokens (a word of a text corpus
    /// at each of its places) share one array instead of one copy per place. Values, order and
    /// every derived figure are unchanged; only memory (and later copies) shrink.
    public func sharingEqualTokens() -> Dataset {
        var table: [Token: Token] = [:]
        func shared(_ t: Token) -> Token {
            if let known = table[t] { return known }
            table[t] = t
            return t
        }
        var out = self
        for j in out.pairs.indices {
            out.pairs[j].input = pairs[j].input.map(shared)
            out.pairs[j].output = pairs[j].output.map(shared)
        }
        return out
    }

    /// Σ_j n^j over the sequences as given.
    public var totalInputLength: Int { pairs.reduce(0) { $0 + $1.input.count } }
    /// Σ_j m^j over the sequences as given.
    public var totalOutputLength: Int { pairs.reduce(0) { $0 + $1.output.count } }
}

/// An invalid dataset or model file: what is wrong and where (a JSON path such as
/// `pairs[2].input[3][1]` or `blocks[4].feedforward.eta`).
public struct InputError: Error, Equatable, CustomStringConvertible {
    public let path: String
    public let reason: String
    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }
    public var description: String { path.isEmpty ? reason : "\(path): \(reason)" }
}

// MARK: - Reading

extension Dataset {
    /// Reads a dataset from JSON text (see docs/mathematics.md#data-formats). Every coordinate is read exactly.
    public static func parse(_ bytes: [UInt8]) throws(InputError) -> Dataset {
        if let dataset = JSONParser.datasetFastPath(bytes) { return dataset.sharingEqualTokens() }
        return try Dataset(json: try JSONReader.document(bytes)).sharingEqualTokens()
    }

    /// Reads a dataset whose bytes arrive in pieces (`next()` returns the next piece of the file, an
    /// empty array at its end) without ever holding the whole file: about `window` bytes ahead of
    /// the reading position are kept (more while one pair is longer), so a 200 MB file costs its
    /// tokens, not its text as well. The rules are `init(json:)`'s, applied one pair at a time.
    /// `dataset` is nil when the file needs `parse(_:)` on its whole text: every invalid file (the
    /// whole-text reader gives the message), and a file whose "dimension" or "causal" comes after
    /// its "pairs". `largestWindow` is the most file bytes held at once.
    public static func parse(window: Int = 1 << 20, chunks next: @escaping () -> [UInt8])
        -> (dataset: Dataset?, largestWindow: Int)
    {
        let (dataset, largest) = JSONParser.datasetInChunks(window: window, next: next)
        return (dataset?.sharingEqualTokens(), largest)
    }

    /// The reason given when a model file is read as a dataset (`construct` replaces its hint).
    public static let looksLikeModelReason = "this looks like a model file, not a dataset — arguments swapped? (commands take MODEL DATASET; validate takes a dataset)"

    /// The one dataset reader: the root's rules (`header(_:)`), then each pair's (`readPair`).
    /// `parse(_:)` and `parse(chunks:)` apply the same two functions, one pair at a time, without
    /// building the whole tree (JSON.swift, "Datasets and models without a whole tree").
    public init(json: JSONValue) throws(InputError) {
        let header = try Dataset.header(json)
        let items = try JSONReader(value: json, path: "").field("pairs").array()
        guard !items.isEmpty else { throw InputError(path: "pairs", reason: "the dataset has no pairs") }
        var pairs: [SequencePair] = []
        pairs.reserveCapacity(items.count)
        for (j, item) in items.enumerated() {
            pairs.append(try Dataset.readPair(item, index: j, header: header, first: pairs.first))
        }
        self.init(name: header.name, dimension: header.dimension, pairs: pairs, causal: header.causal)
    }

    /// What a dataset file's root says besides its pairs.
    struct Header: Equatable {
        var name: String?
        var dimension: Int
        var causal: Bool
    }

    /// The root's rules, in order: an object, not a model file, only known keys, `causal`, `name`,
    /// `dimension` (the pairs are not looked at).
    static func header(_ json: JSONValue) throws(InputError) -> Header {
        guard case .object = json else { throw InputError(path: "", reason: "a dataset is a JSON object, found \(json.kindName)") }
        if json["format"] != nil || json["blocks"] != nil {
            throw InputError(path: "", reason: Dataset.looksLikeModelReason)
        }
        let root = JSONReader(value: json, path: "")
        try root.allowingOnly(["name", "dimension", "causal", "pairs"])
        let causal = try root.optionalField("causal")?.bool() ?? false
        let name = try root.optionalField("name")?.string()
        let dimension = try root.field("dimension")
        guard case .number(let dimText) = dimension.value, let d = Int(dimText), d >= 1 else {
            throw InputError(path: "dimension", reason: "expected a positive integer, found \(dimension.shown)")
        }
        guard d <= Dataset.maximumDimension else {
            throw InputError(path: "dimension", reason: "\(d) is above the largest dimension this build reads, \(Dataset.maximumDimension)")
        }
        return Header(name: name, dimension: d, causal: causal)
    }

    /// Pair `j` (`item`, at `pairs[j]`) under the root's `header`; `first` is pair 0 once read (a
    /// dataset is labelled in every pair or in none).
    static func readPair(_ item: JSONReader, index j: Int, header: Header, first: SequencePair?) throws(InputError) -> SequencePair {
        let path = item.path, d = header.dimension, causal = header.causal
        guard case .object = item.value else { throw InputError(path: path, reason: "expected an object with \"input\" and \"output\", found \(item.value.kindName)") }
        try item.allowingOnly(["input", "output", "label"])
        let input = try Dataset.readSequence(try item.field("input"), dimension: d)
        let labelField = item.optionalField("label"), hasOutput = item.value["output"] != nil
        if causal && labelField != nil {
            throw InputError(path: path + ".label", reason: "a causal dataset gives one target per input position: labels are for classification datasets")
        }
        let firstLabelled = first.map { $0.label != nil }
        if let labelField {
            guard !hasOutput else {
                throw InputError(path: path, reason: "a pair has either \"output\" or \"label\", not both")
            }
            guard case .string(let label) = labelField.value, !label.isEmpty else {
                throw InputError(path: labelField.path, reason: "expected a non-empty string, found \(labelField.shown)")
            }
            if j > 0 && firstLabelled == false {
                throw InputError(path: labelField.path, reason: "pair 0 has an output: a dataset is labelled in every pair or in none")
            }
            return SequencePair(input: input, output: [], label: label)
        }
        if j > 0 && firstLabelled == true && hasOutput {
            throw InputError(path: path + ".output", reason: "pair 0 has a label: a dataset is labelled in every pair or in none")
        }
        if j > 0 && firstLabelled == true {
            throw InputError(path: path + ".label", reason: "missing (pair 0 has a label: a dataset is labelled in every pair or in none)")
        }
        let output = try Dataset.readSequence(try item.field("output"), dimension: d)
        if causal { try Dataset.requireOneTargetPerPosition(pair: j, inputs: input.count, outputs: output.count) }
        return SequencePair(input: input, output: output)
    }

    /// The largest dimension a dataset or model file may declare.
    public static let maximumDimension = 1_000_000

    /// A causal dataset gives output i as the target of input position i: as many outputs as inputs.
    static func requireOneTargetPerPosition(pair j: Int, inputs: Int, outputs: Int) throws(InputError) {
        guard outputs == inputs else {
            throw InputError(path: "pairs[\(j)].output", reason: "a causal dataset needs one target per input position: \(inputs) input tokens but \(outputs) output tokens")
        }
    }

    static func readSequence(_ reader: JSONReader, dimension d: Int) throws(InputError) -> [Token] {
        guard case .array(let tokens) = reader.value else { throw InputError(path: reader.path, reason: "expected an array of tokens, found \(reader.value.kindName)") }
        guard !tokens.isEmpty else { throw InputError(path: reader.path, reason: "empty sequence (every sequence needs at least one token)") }
        var out: [Token] = []
        out.reserveCapacity(tokens.count)
        for (i, t) in tokens.enumerated() {
            // The JSON path is spelt out only for a token that has an error to name.
            if let token = Dataset.wellFormedToken(t, dimension: d) { out.append(token); continue }
            out.append(try JSONReader(value: t, path: "\(reader.path)[\(i)]").token(dimension: d))
        }
        return out
    }

    /// The token `value` holds when it is an array of `d` well-formed coordinates (what
    /// `JSONReader.token(dimension:)` returns for it), else nil and that reader names the problem.
    static func wellFormedToken(_ value: JSONValue, dimension d: Int) -> Token? {
        guard case .array(let items) = value, items.count == d else { return nil }
        var token: Token = []
        token.reserveCapacity(d)
        for item in items {
            guard let r = JSONReader.wellFormedRational(item) else { return nil }
            token.append(r)
        }
        return token
    }

    /// Reads one token of `d` exact coordinates (`JSONReader.token(dimension:)`).
    public static func readToken(_ value: JSONValue, path: String, dimension d: Int) throws(InputError) -> Token {
        try JSONReader(value: value, path: path).token(dimension: d)
    }

    /// Reads one exact coordinate (`JSONReader.rational()`): a JSON number (read as the decimal it
    /// spells) or a string holding an integer, a fraction "p/q" or a decimal.
    public static func readRational(_ value: JSONValue, path: String) throws(InputError) -> Rational {
        try JSONReader(value: value, path: path).rational()
    }
}

// MARK: - Writing

extension Dataset {
    /// JSON for a coordinate: a plain integer when it is one, else the exact string "p/q".
    public static func jsonValue(_ r: Rational) -> JSONValue {
        r.isInteger ? .number(r.description) : .string(r.description)
    }

    public static func jsonValue(_ token: Token) -> JSONValue { .array(token.map(jsonValue)) }

    /// The dataset as JSON (deterministic, exact).
    public var json: JSONValue {
        var members: [(key: String, value: JSONValue)] = []
        if let name { members.append(("name", .string(name))) }
        members.append(("dimension", .number(String(dimension))))
        if causal { members.append(("causal", .bool(true))) }
        members.append(("pairs", .array(pairs.map { p in
            if let label = p.label, p.output.isEmpty {
                return .object([("input", .array(p.input.map(Dataset.jsonValue))), ("label", .string(label))])
            }
            return .object([("input", .array(p.input.map(Dataset.jsonValue))), ("output", .array(p.output.map(Dataset.jsonValue)))])
        })))
        return .object(members)
    }

    /// The canonical text the dataset digest is computed from: one line per token, coordinates in
    /// lowest terms. `tools/verify_certificate.py` rebuilds the same text. A causal dataset has the
    /// line `causal` after the dimension (so its digest differs from the same pairs read as sets).
    public var canonicalText: String { String(decoding: canonicalBytes, as: UTF8.self) }

    /// `canonicalText` in UTF-8, built as bytes (no string per token).
    var canonicalBytes: [UInt8] {
        var s = Array(("exact-interp dataset v1\ndimension \(dimension)\n" + (causal ? "causal\n" : "") + "pairs \(pairs.count)\n").utf8)
        func line(_ mark: String, _ t: Token) {
            s.append(contentsOf: mark.utf8)
            for (k, r) in t.enumerated() {
                if k > 0 { s.append(UInt8(ascii: " ")) }
                s.append(contentsOf: r.description.utf8)
            }
            s.append(UInt8(ascii: "\n"))
        }
        for (j, p) in pairs.enumerated() {
            s.append(contentsOf: "pair \(j)\n".utf8)
            for t in p.input { line("in ", t) }
            for t in p.output { line("out ", t) }
        }
        return s
    }

    /// "sha256:<hex>" of `canonicalText`: identifies the dataset a model was built for.
    public var digest: String { "sha256:" + SHA256.hex(canonicalBytes) }
}
