import ArgumentParser
import Foundation
import DatasetGeneration
import TransformerModel

struct Generate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a random valid dataset (for experiments and benchmarks).",
        discussion: """
        N pairs in ℚ^d with input lengths n (or a range lo...hi) and 1 ≤ m ≤ n distinct outputs. \
        Coordinates are small rationals (denominators ≤ 4). With --pool P, input tokens are drawn \
        from a shared pool of P values, so sequences overlap and the separation stage has real work. \
        The same seed always writes the same file.
        """
    )

    @Option(name: .customLong("pairs"), help: "N, the number of pairs.") var pairs: Int
    @Option(help: "Input length n, or a range such as 1...12.") var length: String
    @Option(help: "d.") var dimension: Int
    @Option(help: "Draw input tokens from a shared pool of this many values.") var pool: Int?
    @Option(help: "At most this many output tokens per pair.") var maxOutputs: Int?
    @Option(help: "Random seed (a non-negative integer).") var seed: Int = 1
    @Option(name: .shortAndLong, help: "Output file.") var output: String

    /// The largest values generate accepts (docs/cli.md#generate): beyond them the file would not
    /// fit in memory or on disk before it is written.
    static let maximumPairs = 1_000_000
    static let maximumDimension = 10_000
    static let maximumLength = 100_000

    /// `--length` as lo...hi: "n" or "lo...hi" with 1 ≤ lo ≤ hi ≤ maximumLength; nil otherwise.
    static func lengths(_ text: String) -> ClosedRange<Int>? {
        let parts = text.components(separatedBy: "...")
        guard (1...2).contains(parts.count) else { return nil }
        let bounds = parts.map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard let lo = bounds.first ?? nil, let hi = bounds.last ?? nil, lo >= 1, hi >= lo, hi <= maximumLength else { return nil }
        return lo...hi
    }

    func validate() throws {
        try requirePositive(pairs, "--pairs")
        try requirePositive(dimension, "--dimension")
        if let pool { try requirePositive(pool, "--pool") }
        if let maxOutputs { try requirePositive(maxOutputs, "--max-outputs") }
        guard seed >= 0 else { throw ValidationError("--seed must be a non-negative integer, found \(seed)") }
        guard pairs <= Self.maximumPairs else { throw ValidationError("--pairs must be at most \(Self.maximumPairs), found \(pairs)") }
        guard dimension <= Self.maximumDimension else { throw ValidationError("--dimension must be at most \(Self.maximumDimension), found \(dimension)") }
        guard let range = Self.lengths(length) else {
            throw ValidationError("--length: expected n or lo...hi with 1 ≤ lo ≤ hi ≤ \(Self.maximumLength), found \"\(length)\"")
        }
        if let pool, pool < range.upperBound {
            throw ValidationError("--pool (\(pool)) must be at least the largest length (\(range.upperBound))")
        }
    }

    func run() throws {
        guard let range = Self.lengths(length) else { throw Exit.usage }
        let (lo, hi) = (range.lowerBound, range.upperBound)
        let target = try OutputFile(output, option: "--output", inputs: [])
        var generator = DatasetGenerator(seed: UInt64(seed))
        let data = generator.dataset(pairs: pairs, dimension: dimension, lengths: lo...hi, pool: pool, maxOutputs: maxOutputs)
        if data.pairs.count < pairs {
            printError("notice: only \(data.pairs.count) distinct input sets could be drawn")
        }
        try target.write(data.json.rendered())
    }
}
