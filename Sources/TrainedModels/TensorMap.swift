import ExactArithmetic
import TransformerModel

/// Where a trained model's tensors are in a state dict, and in which order its layers run
/// (docs/trained-models.md, "The map"): one tensor-name pattern per parameter, with `{l}` standing
/// for the block number, a transpose flag per matrix, and the block order.
///
/// The engine's conventions (tokens are column vectors x, as in docs/model-format.md), which are
/// PyTorch's `nn.Linear` weights as stored (y = x Wᵀ + b on row vectors is y = W x + b):
///
///     query, key  [h, d]  s_ik = (Q x_i)·(K x_k), so A = QᵀK, run at the temperature τ
///     value       [d, d]  V x_k
///     ff_in       [w, d]  U;  ff_bias [w];  ff_out [d, w]  FF(x) = η·x + W σ(U x + b)
///     rho, eta    [] or [1]
///
/// `transpose: true` says the file holds the transpose (a [in, out] kernel, as JAX/Flax store them).
public struct TensorMap: Sendable, Equatable {
    /// The order of the two layers inside one of the file's blocks.
    public enum Order: String, Sendable, CaseIterable {
        /// x ← ρx + SA(x), then x ← ηx + FF(x): the paper authors' trained models. Cut into this
        /// engine's FF-then-SA blocks with an identity feed-forward first and an identity attention last.
        case attentionFirst = "sa-ff"
        /// FF then SA, this engine's own block order: one block per block, no padding.
        case feedForwardFirst = "ff-sa"
    }

    /// The engine parameters a map names, with their key in the map file.
    public enum Parameter: String, Sendable, CaseIterable {
        case rho, eta, query, key, value
        case ffIn = "ff_in", ffBias = "ff_bias", ffOut = "ff_out"

        /// True for the parameters that may be a constant instead of a tensor (ρ, η, the biases).
        var mayBeConstant: Bool { self == .rho || self == .eta || self == .ffBias }
        var isMatrix: Bool { self == .query || self == .key || self == .value || self == .ffIn || self == .ffOut }
    }

    /// Where one parameter comes from.
    public enum Source: Sendable, Equatable {
        /// A tensor per block: `pattern` with `{l}` replaced by the block number.
        case tensor(pattern: String, transpose: Bool)
        /// The same exact value in every block (ρ, η: e.g. 1 for a plain residual; biases: 0).
        case constant(Rational)
    }

    /// The map's name, for messages and the model's metadata (`sa-ff`, or the map file's `name`).
    public var name: String
    public var order: Order
    public var sources: [Parameter: Source]
    /// Patterns (with or without `{l}`) of tensors the import skips, e.g. buffers.
    public var ignore: [String]

    public init(name: String, order: Order, sources: [Parameter: Source], ignore: [String] = []) {
        self.name = name
        self.order = order
        self.sources = sources
        self.ignore = ignore
    }

    /// The paper authors' architecture (their exactInterpTF repository, tikhonov/): blocks of
    /// x ← ρx + SA(x), x ← ηx + FF(x), `to_q`, `to_k` nn.Linear(d, h, bias=False), `to_v`
    /// nn.Linear(d, d, bias=False), FF = nn.Linear(d, w) → ReLU → nn.Linear(w, d, bias=False).
    public static let saFF = TensorMap(name: "sa-ff", order: .attentionFirst, sources: [
        .rho: .tensor(pattern: "blocks.{l}.rho", transpose: false),
        .eta: .tensor(pattern: "blocks.{l}.eta", transpose: false),
        .query: .tensor(pattern: "blocks.{l}.attn.to_q.weight", transpose: false),
        .key: .tensor(pattern: "blocks.{l}.attn.to_k.weight", transpose: false),
        .value: .tensor(pattern: "blocks.{l}.attn.to_v.weight", transpose: false),
        .ffIn: .tensor(pattern: "blocks.{l}.ff.0.weight", transpose: false),
        .ffBias: .tensor(pattern: "blocks.{l}.ff.0.bias", transpose: false),
        .ffOut: .tensor(pattern: "blocks.{l}.ff.2.weight", transpose: false),
    ])

    /// The map file's format name.
    public static let formatName = "exact-interp-tensor-map"

    /// Reads a map file (JSON, schema in docs/trained-models.md). Errors name the JSON path.
    public static func parse(_ bytes: [UInt8], defaultName: String) throws(InputError) -> TensorMap {
        let root = JSONReader(value: try JSONReader.document(bytes), path: "")
        try root.allowingOnly(["format", "version", "name", "order", "parameters", "ignore"])
        let format = try root.field("format").string()
        guard format == formatName else {
            throw InputError(path: "format", reason: "expected \"\(formatName)\", found \"\(format)\"")
        }
        let version = try root.field("version").integer(in: 1...1_000)
        guard version == 1 else { throw InputError(path: "version", reason: "this build reads version 1, the file has version \(version)") }
        let name = try root.optionalField("name")?.string() ?? defaultName
        let orderReader = try root.field("order")
        let orderName = try orderReader.string()
        guard let order = Order(rawValue: orderName) else {
            throw InputError(path: orderReader.path, reason: "expected \"sa-ff\" (attention then feed-forward) or \"ff-sa\", found \"\(orderName)\"")
        }
        let parameters = try root.field("parameters")
        try parameters.allowingOnly(Parameter.allCases.map(\.rawValue))
        var sources: [Parameter: Source] = [:]
        for parameter in Parameter.allCases {
            guard let entry = parameters.optionalField(parameter.rawValue) else {
                if parameter == .ffBias { continue }  // no bias tensors: zero biases
                throw InputError(path: parameters.path + "." + parameter.rawValue, reason: "missing (every parameter but ff_bias needs a tensor\(parameter.mayBeConstant ? " or a constant" : ""))")
            }
            try entry.allowingOnly(parameter.isMatrix ? ["tensor", "transpose"] : ["tensor", "constant"])
            if let constant = entry.optionalField("constant") {
                guard entry.optionalField("tensor") == nil else {
                    throw InputError(path: entry.path, reason: "give either \"tensor\" or \"constant\", not both")
                }
                sources[parameter] = .constant(try constant.rational())
                continue
            }
            let patternReader = try entry.field("tensor")
            let pattern = try patternReader.string()
            try checkPattern(pattern, path: patternReader.path)
            let transpose = try entry.optionalField("transpose")?.bool() ?? false
            sources[parameter] = .tensor(pattern: pattern, transpose: transpose)
        }
        var ignore: [String] = []
        if let list = root.optionalField("ignore") {
            for item in try list.array() { ignore.append(try item.string()) }
        }
        return TensorMap(name: name, order: order, sources: sources, ignore: ignore)
    }

    static func checkPattern(_ pattern: String, path: String) throws(InputError) {
        guard let pieces = Self.pieces(pattern), !pieces.1.contains("{l}") else {
            throw InputError(path: path, reason: "\"\(pattern)\" must contain {l} (the block number) exactly once")
        }
    }

    /// The block number `name` has under `pattern`, or nil when it does not match. The number is
    /// decimal without leading zeros (as PyTorch writes module indices).
    static func blockIndex(_ name: String, pattern: String) -> Int? {
        guard let pieces = Self.pieces(pattern), name.hasPrefix(pieces.0), name.hasSuffix(pieces.1),
              name.utf8.count > pieces.0.utf8.count + pieces.1.utf8.count else { return nil }
        let digits = String(decoding: name.utf8.dropFirst(pieces.0.utf8.count).dropLast(pieces.1.utf8.count), as: UTF8.self)
        guard !digits.isEmpty, digits.utf8.count <= 6, digits.utf8.allSatisfy({ (48...57).contains($0) }),
              digits == "0" || !digits.hasPrefix("0"), let l = Int(digits) else { return nil }
        return l
    }

    /// The text before and after the first `{l}`, or nil when there is none.
    static func pieces(_ pattern: String) -> (String, String)? {
        guard let range = pattern.firstRange(of: "{l}") else { return nil }
        return (String(pattern[..<range.lowerBound]), String(pattern[range.upperBound...]))
    }

    /// True when `name` is one of the ignored tensors.
    func ignores(_ name: String) -> Bool {
        ignore.contains { $0.contains("{l}") ? Self.blockIndex(name, pattern: $0) != nil : $0 == name }
    }

    /// The map as a map file's text: what `--map` reads (`sa-ff` written out shows the schema).
    public var fileText: String {
        var parameters: [(key: String, value: JSONValue)] = []
        for parameter in Parameter.allCases {
            switch sources[parameter] {
            case .tensor(let pattern, let transpose)?:
                var entry: [(key: String, value: JSONValue)] = [("tensor", .string(pattern))]
                if parameter.isMatrix { entry.append(("transpose", .bool(transpose))) }
                parameters.append((parameter.rawValue, .object(entry)))
            case .constant(let value)?:
                parameters.append((parameter.rawValue, .object([("constant", .string(value.description))])))
            case nil:
                continue
            }
        }
        var members: [(key: String, value: JSONValue)] = [
            ("format", .string(Self.formatName)), ("version", .number("1")), ("name", .string(name)),
            ("order", .string(order.rawValue)), ("parameters", .object(parameters)),
        ]
        if !ignore.isEmpty { members.append(("ignore", .array(ignore.map { .string($0) }))) }
        return JSONValue.object(members).rendered()
    }
}
