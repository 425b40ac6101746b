import ArgumentParser
import Certification
import TransformerModel

struct MergeShards: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge-shards",
        abstract: "Combine the shard reports of `verify --shard k/K` into one verdict.",
        discussion: """
        Reads the JSON reports written by `verify MODEL DATASET --shard k/K --shard-report FILE`. \
        They must name one model digest, one dataset digest and one certificate (hardmax, or softmax \
        at one τ₀), and together cover every pair 0..N−1 exactly once: a pair covered twice or not \
        at all is named, with the missing shards when all reports share K. Then the verdict is that \
        of a plain `verify` of the whole dataset. See docs/scaling.md.

        Exits 0 when every pair holds, 1 when some fail (listed), 2 when a report is unreadable or \
        malformed, or the reports do not fit together.
        """
    )

    @Argument(help: "Shard report JSON files.") var reports: [String]

    func run() throws {
        guard !reports.isEmpty else {
            printError("error: give the shard report files")
            throw Exit.invalidInput
        }
        var parsed: [ShardReport] = []
        for path in reports {
            parsed.append(try orExit(Exit.invalidInput, "\(path): ") { try ShardReport.parse(readFile(path, kind: .json)) })
        }
        let result = try orExit(Exit.invalidInput) { try ShardMerge.merge(parsed, names: reports) }
        print("model: \(result.modelDigest)")
        print("dataset: \(result.datasetDigest)")
        print("shards: \(reports.count) reports cover all \(pairCount(result.pairCount)) exactly once")
        for f in result.failures { print(f.detail.map { $0.hasPrefix("pair ") ? $0 : "pair \(f.index): \($0)" } ?? "pair \(f.index): fails") }
        let statement = result.certificate == "softmax"
            ? "certified: T_τ(X^j) = Y^j as sets for all \(pairCount(result.pairCount)) and every τ ∈ (0, \(result.temperature ?? "?")] (softmax enclosure certificate, merged shards)"
            : "verified: T(X^j) = Y^j as sets for all \(pairCount(result.pairCount)) (exact hardmax, merged shards)"
        if result.holds {
            print(statement)
        } else {
            print("NOT \(result.certificate == "softmax" ? "certified" : "verified"): \(result.failures.count) of \(pairCount(result.pairCount)) fail")
            throw Exit.propertyFailed
        }
    }
}
