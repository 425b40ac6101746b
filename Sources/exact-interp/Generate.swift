import ArgumentParser
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

    func validate() throws {
        try requirePositive(pairs, "--pairs")
        try requirePositive(dimension, "--dimension")
        if let pool { try requirePositive(pool, "--pool") }
        if let maxOutputs { try requirePositive(maxOutputs, "--max-outputs") }
        guard seed >= 0 else { throw ValidationError("--seed must be a non-negative integer, found \(seed)") }
    }

    func run() throws {
        let bounds = length.split(separator: ".", omittingEmptySubsequences: true).compactMap { Int($0) }
        guard (1...2).contains(bounds.count), let lo = bounds.first, let hi = bounds.last, lo >= 1, hi >= lo, hi <= 100_000 else {
            printError("error: --length: expected n or lo...hi with 1 ≤ lo ≤ hi ≤ 100000, found \"\(length)\"")
            throw Exit.invalidInput
        }
        guard (1...1_000_000).contains(pairs), (1...10_000).contains(dimension) else {
            printError("error: --pairs must be in 1...1000000 and --dimension in 1...10000")
            throw Exit.invalidInput
        }
        if let pool, pool < hi {
            printError("error: --pool (\(pool)) must be at least the largest length (\(hi))")
            throw Exit.invalidInput
        }
        let target = try OutputFile(output, option: "--output", inputs: [])
        var generator = DatasetGenerator(seed: UInt64(seed))
        let data = generator.dataset(pairs: pairs, dimension: dimension, lengths: lo...hi, pool: pool, maxOutputs: maxOutputs)
        if data.pairs.count < pairs {
            printError("notice: only \(data.pairs.count) distinct input sets could be drawn")
        }
        try target.write(data.json.rendered())
    }
}
