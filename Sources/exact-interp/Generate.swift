import ArgumentParser
import Foundation
import DatasetGeneration
import TransformerModel

/// `generate --kind`, `--geometry`, `--coordinates` (validity-space profile).
extension ValiditySpaceGenerator.Kind: ExpressibleByArgument {}
extension ValiditySpaceGenerator.Geometry: ExpressibleByArgument {}
extension ValiditySpaceGenerator.Coordinates: ExpressibleByArgument {}

/// `generate --length`: "n" or "lo...hi" with 1 ≤ lo ≤ hi ≤ `Generate.maximumLength`.
struct LengthRange: ExpressibleByArgument {
    let range: ClosedRange<Int>
    init?(argument: String) {
        guard let range = Generate.lengths(argument) else { return nil }
        self.range = range
    }
}

struct Generate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a random valid dataset (for experiments and benchmarks).",
        discussion: """
        --profile uniform (default): N pairs in ℚ^d with input lengths n (or a range lo...hi) and \
        1 ≤ m ≤ n distinct outputs. Coordinates are small rationals (denominators ≤ 4). With --pool P, \
        input tokens are drawn from a shared pool of P values, so sequences overlap and the separation \
        stage has real work. --pairs, --length and --dimension are required.

        --profile validity-space: datasets that span everything docs/dataset-format.md calls valid \
        (the property tests' generator, docs/testing.md): tokens repeated inside a sequence, pairs \
        repeated exactly or with the same sets in another order, tokens shared from a small pool, \
        outputs equal to inputs, collinear, coplanar or one-orthant points, d from 1 to 8, integer, \
        fractional, huge (beyond 2^64) or nearly tied (2^-60 apart) coordinates. --kind chooses sets, \
        labelled (classification) or causal pairs; --geometry and --coordinates fix what is otherwise \
        drawn per dataset; --pairs, --length (distinct tokens per input), --dimension and --pool fix \
        the ranges (defaults 1...6, 1...5, 1...8, 2...8). construct needs d ≥ 2 for sets and labels; construct --causal takes any d.

        The same options and seed always write the same file.
        """
    )

    enum Profile: String, ExpressibleByArgument, CaseIterable { case uniform, validitySpace = "validity-space" }

    @Option(help: "uniform or validity-space.") var profile: Profile = .uniform
    @Option(name: .customLong("pairs"), help: "N, the number of pairs.") var pairs: Int?
    @Option(help: "Input length n, or a range lo...hi such as 1...12 (1 ≤ lo ≤ hi ≤ 100000).") var length: LengthRange?
    @Option(help: "d.") var dimension: Int?
    @Option(help: "Draw input tokens from a shared pool of this many values.") var pool: Int?
    @Option(help: "At most this many output tokens per pair (uniform profile).") var maxOutputs: Int?
    @Option(help: "validity-space: the kind of dataset.") var kind: ValiditySpaceGenerator.Kind = .sets
    @Option(help: "validity-space: where the tokens lie (default: drawn).") var geometry: ValiditySpaceGenerator.Geometry?
    @Option(help: "validity-space: which coordinates the data uses (default: drawn).") var coordinates: ValiditySpaceGenerator.Coordinates?
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
        if let pairs { try requirePositive(pairs, "--pairs") }
        if let dimension { try requirePositive(dimension, "--dimension") }
        if let pool { try requirePositive(pool, "--pool") }
        if let maxOutputs { try requirePositive(maxOutputs, "--max-outputs") }
        guard seed >= 0 else { throw ValidationError("--seed must be a non-negative integer, found \(seed)") }
        if let pairs, pairs > Self.maximumPairs { throw ValidationError("--pairs must be at most \(Self.maximumPairs), found \(pairs)") }
        if let dimension, dimension > Self.maximumDimension {
            throw ValidationError("--dimension must be at most \(Self.maximumDimension), found \(dimension)")
        }
        if let range = length?.range {
            if profile == .uniform, let pool, pool < range.upperBound {
                throw ValidationError("--pool (\(pool)) must be at least the largest length (\(range.upperBound))")
            }
        }
        switch profile {
        case .uniform:
            guard pairs != nil else { throw ValidationError("Missing expected argument '--pairs <pairs>'") }
            guard length != nil else { throw ValidationError("Missing expected argument '--length <length>'") }
            guard dimension != nil else { throw ValidationError("Missing expected argument '--dimension <dimension>'") }
            for (name, given) in [("--kind", kind != .sets), ("--geometry", geometry != nil), ("--coordinates", coordinates != nil)] where given {
                throw ValidationError("\(name) applies to --profile validity-space only")
            }
        case .validitySpace:
            guard maxOutputs == nil else { throw ValidationError("--max-outputs applies to --profile uniform only") }
            if (pairs ?? 1) > 100_000 || (pool ?? 2) > 100_000 || (length?.range.upperBound ?? 1) > 10_000 {
                throw ValidationError("--profile validity-space: --pairs and --pool must be at most 100000, --length at most 10000")
            }
        }
    }

    func run() throws {
        if profile == .validitySpace {
            try runValiditySpace()
            return
        }
        guard let pairs, let range = length?.range, let dimension else { throw Exit.usage }
        let target = try OutputFile(output, option: "--output", inputs: [])
        var generator = DatasetGenerator(seed: UInt64(seed))
        let data = generator.dataset(pairs: pairs, dimension: dimension, lengths: range, pool: pool, maxOutputs: maxOutputs)
        if data.pairs.count < pairs {
            printError("notice: only \(data.pairs.count) distinct input sets could be drawn")
        }
        try target.write(data.json.rendered())
    }

    func runValiditySpace() throws {
        var knobs = ValiditySpaceGenerator.Knobs()
        knobs.kind = kind
        knobs.geometry = geometry
        knobs.coordinates = coordinates
        if let range = length?.range { knobs.lengths = range }
        if let pairs { knobs.pairs = pairs...pairs }
        if let dimension { knobs.dimensions = dimension...dimension }
        if let pool { knobs.poolSizes = pool...pool }
        let target = try OutputFile(output, option: "--output", inputs: [])
        var generator = ValiditySpaceGenerator(seed: UInt64(seed))
        try target.write(generator.dataset(knobs).json.rendered())
    }
}
