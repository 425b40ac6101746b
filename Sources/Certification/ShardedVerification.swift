import Evaluation
import ExactArithmetic
import TransformerModel

/// One of K deterministic parts of a dataset's pairs: shard k/K (1 ≤ k ≤ K) holds the pairs whose
/// 0-based index i satisfies i mod K = k − 1. The K shards cover every pair exactly once, whatever N.
public struct Shard: Sendable, Equatable, CustomStringConvertible {
    /// k, 1-based.
    public let index: Int
    /// K ≥ 1.
    public let count: Int

    /// k/K with 1 ≤ k ≤ K; nil otherwise.
    public init?(index: Int, count: Int) {
        guard count >= 1, (1...count).contains(index) else { return nil }
        self.index = index
        self.count = count
    }

    /// Reads "k/K" (decimal integers, 1 ≤ k ≤ K ≤ 10^9).
    public static func parse(_ text: String) -> Shard? {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, parts.allSatisfy({ !$0.isEmpty && $0.count <= 10 && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }),
              let k = Int(parts[0]), let total = Int(parts[1]), total <= 1_000_000_000 else { return nil }
        return Shard(index: k, count: total)
    }

    /// True when pair i (0-based) belongs to this shard.
    public func contains(pair i: Int) -> Bool { i >= 0 && i % count == index - 1 }

    /// The 0-based indices of this shard's pairs among `total` pairs, increasing.
    public func pairIndices(total: Int) -> [Int] { Array(stride(from: index - 1, to: max(total, 0), by: count)) }

    public var description: String { "\(index)/\(count)" }
}

/// The verdicts of one shard of a verification, with what identifies the model and the dataset
/// (`verify --shard k/K --shard-report FILE`; `merge-shards` combines them). docs/scaling.md.
public struct ShardReport: Sendable, Equatable {
    /// One pair's verdict; `detail` says why a pair fails.
    public struct Verdict: Sendable, Equatable {
        public var index: Int
        public var holds: Bool
        public var detail: String?
        public init(index: Int, holds: Bool, detail: String? = nil) {
            self.index = index
            self.holds = holds
            self.detail = detail
        }
    }

    public static let format = "exact-interp-shard-report"
    public static let version = 1

    /// SHA-256 of the model's canonical text (`Transformer.fileText`), as "sha256:…".
    public var modelDigest: String
    /// The dataset digest (`Dataset.digest`).
    public var datasetDigest: String
    /// "hardmax" (exact evaluation) or "softmax" (enclosure certificate for τ ∈ (0, τ₀]).
    public var certificate: String
    /// τ₀ of a softmax certificate, as exact text.
    public var temperature: String?
    public var shard: Shard
    /// N, the number of pairs of the whole dataset.
    public var pairCount: Int
    /// This shard's pairs in increasing index order.
    public var verdicts: [Verdict]

    public init(modelDigest: String, datasetDigest: String, certificate: String, temperature: String?,
                shard: Shard, pairCount: Int, verdicts: [Verdict]) {
        self.modelDigest = modelDigest
        self.datasetDigest = datasetDigest
        self.certificate = certificate
        self.temperature = temperature
        self.shard = shard
        self.pairCount = pairCount
        self.verdicts = verdicts
    }

    /// The digest a shard report records for a model: `Transformer.digest` (ModelDigest.swift),
    /// SHA-256 of its canonical file text.
    public static func modelDigest(_ model: Transformer) -> String { model.digest }

    /// Deterministic JSON text.
    public var fileText: String {
        var members: [(key: String, value: JSONValue)] = [
            ("format", .string(ShardReport.format)), ("version", .number(String(ShardReport.version))),
            ("model_digest", .string(modelDigest)), ("dataset_digest", .string(datasetDigest)),
            ("certificate", .string(certificate)),
        ]
        if let temperature { members.append(("temperature", .string(temperature))) }
        members += [
            ("shard", .object([("index", .number(String(shard.index))), ("count", .number(String(shard.count)))])),
            ("pair_count", .number(String(pairCount))),
            ("pairs", .array(verdicts.map { v in
                var m: [(key: String, value: JSONValue)] = [("index", .number(String(v.index))), ("holds", .bool(v.holds))]
                if let detail = v.detail { m.append(("detail", .string(detail))) }
                return .object(m)
            })),
        ]
        return JSONValue.object(members).rendered()
    }

    /// Reads a shard report; errors name the JSON path.
    public static func parse(_ bytes: [UInt8]) throws(InputError) -> ShardReport {
        let root = try JSONReader.document(bytes)
        try allowOnly(root, "", ["format", "version", "model_digest", "dataset_digest", "certificate", "temperature", "shard", "pair_count", "pairs"])
        guard try string(root, "format") == format else { throw InputError(path: "format", reason: "not a shard report (expected \"\(format)\")") }
        guard try integer(root, "version", "") == version else { throw InputError(path: "version", reason: "unsupported version (expected \(version))") }
        let modelDigest = try string(root, "model_digest"), datasetDigest = try string(root, "dataset_digest")
        let certificate = try string(root, "certificate")
        guard certificate == "hardmax" || certificate == "softmax" else {
            throw InputError(path: "certificate", reason: "expected \"hardmax\" or \"softmax\", found \"\(certificate)\"")
        }
        var temperature: String? = nil
        if root["temperature"] != nil { temperature = try string(root, "temperature") }
        guard let shardValue = root["shard"] else { throw InputError(path: "shard", reason: "missing") }
        try allowOnly(shardValue, "shard", ["index", "count"])
        let k = try integer(shardValue, "index", "shard."), total = try integer(shardValue, "count", "shard.")
        guard let shard = Shard(index: k, count: total) else {
            throw InputError(path: "shard", reason: "\(k)/\(total) is not a shard (need 1 ≤ index ≤ count)")
        }
        let pairCount = try integer(root, "pair_count", "")
        guard case .array(let items)? = root["pairs"] else { throw InputError(path: "pairs", reason: "missing or not an array") }
        var verdicts: [Verdict] = []
        for (n, item) in items.enumerated() {
            let path = "pairs[\(n)]"
            try allowOnly(item, path, ["index", "holds", "detail"])
            let i = try integer(item, "index", path + ".")
            guard case .bool(let holds)? = item["holds"] else { throw InputError(path: path + ".holds", reason: "expected true or false") }
            var detail: String? = nil
            if item["detail"] != nil { detail = try string(item, "detail", prefix: path + ".") }
            guard i < pairCount else { throw InputError(path: path + ".index", reason: "pair \(i) but the dataset has \(pairCount) pairs") }
            guard shard.contains(pair: i) else { throw InputError(path: path + ".index", reason: "pair \(i) does not belong to shard \(shard) (i mod \(total) ≠ \(k - 1))") }
            if let last = verdicts.last, last.index >= i { throw InputError(path: path + ".index", reason: "pair indices must increase (\(i) after \(last.index))") }
            verdicts.append(Verdict(index: i, holds: holds, detail: detail))
        }
        return ShardReport(modelDigest: modelDigest, datasetDigest: datasetDigest, certificate: certificate,
                           temperature: temperature, shard: shard, pairCount: pairCount, verdicts: verdicts)
    }

    private static func allowOnly(_ v: JSONValue, _ path: String, _ keys: [String]) throws(InputError) {
        guard case .object(let members) = v else { throw InputError(path: path, reason: "expected an object, found \(v.kindName)") }
        for m in members where !keys.contains(m.key) {
            throw InputError(path: path.isEmpty ? m.key : path + "." + m.key, reason: "unknown key \"\(m.key)\"")
        }
    }

    private static func string(_ v: JSONValue, _ key: String, prefix: String = "") throws(InputError) -> String {
        guard case .string(let s)? = v[key] else { throw InputError(path: prefix + key, reason: "missing or not a string") }
        return s
    }

    private static func integer(_ v: JSONValue, _ key: String, _ prefix: String) throws(InputError) -> Int {
        guard case .number(let s)? = v[key], let n = Int(s), n >= 0 else {
            throw InputError(path: prefix + key, reason: "missing or not a non-negative integer")
        }
        return n
    }
}

/// Why shard reports cannot be merged (invalid input: exit 2).
public struct ShardMergeError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Combines shard reports into the verdict of the whole verification.
public enum ShardMerge {
    /// The merged verdict.
    public struct Result: Sendable {
        public var modelDigest: String
        public var datasetDigest: String
        public var certificate: String
        public var temperature: String?
        public var pairCount: Int
        /// Every failing pair, in index order.
        public var failures: [ShardReport.Verdict]
        public var holds: Bool { failures.isEmpty }
    }

    /// Checks that the reports (named by `names`, e.g. their paths) are of one model, one dataset
    /// and one certificate, and cover pairs 0..<N exactly once (duplicates and missing pairs are
    /// named); then every pair's verdict is known.
    public static func merge(_ reports: [ShardReport], names: [String]) throws(ShardMergeError) -> Result {
        guard let first = reports.first else { throw ShardMergeError("no shard reports given") }
        let name = { (r: Int) -> String in r < names.count ? names[r] : "report \(r + 1)" }
        for (r, report) in reports.enumerated().dropFirst() {
            if report.modelDigest != first.modelDigest {
                throw ShardMergeError("\(name(r)) is for model \(report.modelDigest), \(name(0)) for \(first.modelDigest): not the same model")
            }
            if report.datasetDigest != first.datasetDigest {
                throw ShardMergeError("\(name(r)) is for dataset \(report.datasetDigest), \(name(0)) for \(first.datasetDigest): not the same dataset")
            }
            if report.certificate != first.certificate || report.temperature != first.temperature {
                throw ShardMergeError("\(name(r)) checks the \(report.certificate) certificate\(report.temperature.map { " at τ₀ = \($0)" } ?? ""), \(name(0)) the \(first.certificate) one\(first.temperature.map { " at τ₀ = \($0)" } ?? ""): not the same statement")
            }
            if report.pairCount != first.pairCount {
                throw ShardMergeError("\(name(r)) counts \(report.pairCount) pairs, \(name(0)) \(first.pairCount): not the same dataset")
            }
        }
        let n = first.pairCount
        var owner = [Int?](repeating: nil, count: n)
        var verdicts = [ShardReport.Verdict?](repeating: nil, count: n)
        var duplicates: [String] = []
        for (r, report) in reports.enumerated() {
            for v in report.verdicts {
                guard v.index >= 0 && v.index < n else { throw ShardMergeError("\(name(r)): pair \(v.index) is out of range 0..<\(n)") }
                if let o = owner[v.index] {
                    duplicates.append("pair \(v.index) (\(name(o)) and \(name(r)))")
                } else {
                    owner[v.index] = r
                    verdicts[v.index] = v
                }
            }
        }
        if !duplicates.isEmpty {
            throw ShardMergeError("\(duplicates.count) pair\(duplicates.count == 1 ? " is" : "s are") covered twice: \(duplicates.prefix(10).joined(separator: ", "))\(duplicates.count > 10 ? ", …" : "")")
        }
        let missing = owner.indices.filter { owner[$0] == nil }
        if !missing.isEmpty {
            let shards = missingShards(reports, total: n, missing: missing)
            throw ShardMergeError("\(missing.count) of \(n) pairs are not covered: pairs \(missing.prefix(10).map(String.init).joined(separator: ", "))\(missing.count > 10 ? ", …" : "")\(shards)")
        }
        return Result(modelDigest: first.modelDigest, datasetDigest: first.datasetDigest, certificate: first.certificate,
                      temperature: first.temperature, pairCount: n,
                      failures: verdicts.compactMap { $0 }.filter { !$0.holds })
    }

    /// "(missing shards 2/4, 3/4)" when every report uses the same K.
    static func missingShards(_ reports: [ShardReport], total: Int, missing: [Int]) -> String {
        guard let k = reports.first?.shard.count, reports.allSatisfy({ $0.shard.count == k }) else { return "" }
        let present = Set(reports.map(\.shard.index))
        let absent = (1...k).filter { !present.contains($0) && Shard(index: $0, count: k).map { !$0.pairIndices(total: total).isEmpty } == true }
        return absent.isEmpty ? "" : " (missing shard\(absent.count == 1 ? "" : "s") \(absent.prefix(10).map { "\($0)/\(k)" }.joined(separator: ", ")))"
    }
}
