import ArgumentParser
import DatasetGeneration
import TransformerModel

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
    @Option(help: "Input length n, or a range such as 1...12.") var length: String?
    @Option(help: "d.") var dimension: Int?
    @Option(help: "Draw input tokens from a shared pool of this many values.") var pool: Int?
    @Option(help: "At most this many output tokens per pair (uniform profile).") var maxOutputs: Int?
    @Option(help: "validity-space: sets, labelled or causal.") var kind: String = "sets"
    @Option(help: "validity-space: general, collinear, coplanar or orthant (default: drawn).") var geometry: String?
    @Option(help: "validity-space: integer, fraction, large, near-tie or mixed (default: drawn).") var coordinates: String?
    @Option(help: "Random seed (a non-negative integer).") var seed: Int = 1
    @Option(name: .shortAndLong, help: "Output file.") var output: String

    func validate() throws {
        if let pairs { try requirePositive(pairs, "--pairs") }
        if let dimension { try requirePositive(dimension, "--dimension") }
        if let pool { try requirePositive(pool, "--pool") }
        if let maxOutputs { try requirePositive(maxOutputs, "--max-outputs") }
        guard seed >= 0 else { throw ValidationError("--seed must be a non-negative integer, found \(seed)") }
        switch profile {
        case .uniform:
            guard pairs != nil else { throw ValidationError("Missing expected argument '--pairs <pairs>'") }
            guard length != nil else { throw ValidationError("Missing expected argument '--length <length>'") }
            guard dimension != nil else { throw ValidationError("Missing expected argument '--dimension <dimension>'") }
            for (name, value) in [("--kind", kind == "sets" ? nil : kind), ("--geometry", geometry), ("--coordinates", coordinates)] where value != nil {
                throw ValidationError("\(name) applies to --profile validity-space only")
            }
        case .validitySpace:
            guard maxOutputs == nil else { throw ValidationError("--max-outputs applies to --profile uniform only") }
            guard ValiditySpaceGenerator.Kind(rawValue: kind) != nil else {
                throw ValidationError("--kind must be sets, labelled or causal, found \"\(kind)\"")
            }
            if let geometry, ValiditySpaceGenerator.Geometry(rawValue: geometry) == nil {
                throw ValidationError("--geometry must be general, collinear, coplanar or orthant, found \"\(geometry)\"")
            }
            if let coordinates, ValiditySpaceGenerator.Coordinates(rawValue: coordinates) == nil {
                throw ValidationError("--coordinates must be integer, fraction, large, near-tie or mixed, found \"\(coordinates)\"")
            }
        }
    }

    /// n or lo...hi.
    func lengths(_ text: String, limit: Int) throws -> ClosedRange<Int> {
        let bounds = text.split(separator: ".", omittingEmptySubsequences: true).compactMap { Int($0) }
        guard (1...2).contains(bounds.count), let lo = bounds.first, let hi = bounds.last, lo >= 1, hi >= lo, hi <= limit else {
            printError("error: --length: expected n or lo...hi with 1 ≤ lo ≤ hi ≤ \(limit), found \"\(text)\"")
            throw Exit.invalidInput
        }
        return lo...hi
    }

    func run() throws {
        if profile == .validitySpace {
            try runValiditySpace()
            return
        }
        guard let pairs, let length, let dimension else { throw Exit.usage }
        let range = try lengths(length, limit: 100_000)
        guard (1...1_000_000).contains(pairs), (1...10_000).contains(dimension) else {
            printError("error: --pairs must be in 1...1000000 and --dimension in 1...10000")
            throw Exit.invalidInput
        }
        if let pool, pool < range.upperBound {
            printError("error: --pool (\(pool)) must be at least the largest length (\(range.upperBound))")
            throw Exit.invalidInput
        }
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
        knobs.kind = ValiditySpaceGenerator.Kind(rawValue: kind) ?? .sets
        knobs.geometry = geometry.flatMap(ValiditySpaceGenerator.Geometry.init(rawValue:))
        knobs.coordinates = coordinates.flatMap(ValiditySpaceGenerator.Coordinates.init(rawValue:))
        if let length { knobs.lengths = try lengths(length, limit: 10_000) }
        guard (pairs ?? 1) <= 100_000, (dimension ?? 1) <= 10_000, (pool ?? 2) <= 100_000 else {
            printError("error: --profile validity-space: --pairs must be in 1...100000, --dimension in 1...10000, --pool in 1...100000")
            throw Exit.invalidInput
        }
        if let pairs { knobs.pairs = pairs...pairs }
        if let dimension { knobs.dimensions = dimension...dimension }
        if let pool { knobs.poolSizes = pool...pool }
        let target = try OutputFile(output, option: "--output", inputs: [])
        var generator = ValiditySpaceGenerator(seed: UInt64(seed))
        try target.write(generator.dataset(knobs).json.rendered())
    }
}
