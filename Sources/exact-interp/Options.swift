import ArgumentParser
import Certification
import Evaluation
import HardmaxDynamics
import ExactArithmetic
import TransformerModel

/// Rationals on the command line: "3", "-7/12", "0.125", "1e-3".
extension Rational: ExpressibleByArgument {
    public init?(argument: String) {
        guard let value = try? Rational(parsing: argument) else { return nil }
        self = value
    }
}

/// A vector on the command line: comma-separated rationals ("1,-1/2"); its length is checked
/// against the data's dimension once the data is read.
struct RationalVector: ExpressibleByArgument {
    let text: String
    let coordinates: [Rational]
    init?(argument: String) {
        text = argument
        var out: [Rational] = []
        for part in argument.split(separator: ",", omittingEmptySubsequences: false) {
            guard let x = Rational(argument: part.trimmingCharacters(in: .whitespaces)) else { return nil }
            out.append(x)
        }
        coordinates = out
    }

    /// The coordinates, or exit 2 naming the option when their count is not `d`.
    func token(option: String, dimension d: Int) throws -> Token {
        guard coordinates.count == d else {
            printError("error: \(option) \"\(text)\": \(counted(coordinates.count, "coordinate")), the dataset's dimension is \(d)")
            throw Exit.invalidInput
        }
        return coordinates
    }
}

/// A square matrix on the command line: rows separated by ';', entries by spaces or commas
/// ("2 1; 1 2"); its size is checked against the data's dimension once the data is read.
struct RationalMatrix: ExpressibleByArgument {
    let rows: [[Rational]]
    init?(argument: String) {
        var out: [[Rational]] = []
        for row in argument.split(separator: ";", omittingEmptySubsequences: false) {
            var entries: [Rational] = []
            for entry in row.split(whereSeparator: { $0 == " " || $0 == "," }) {
                guard let x = Rational(argument: String(entry)) else { return nil }
                entries.append(x)
            }
            out.append(entries)
        }
        rows = out
    }

    /// The rows, or exit 2 naming the first row (or the row count) that does not fit d × d.
    func matrix(dimension d: Int) throws -> [[Rational]] {
        guard rows.count == d else {
            printError("error: --matrix: expected \(d) rows separated by ';', found \(rows.count)")
            throw Exit.invalidInput
        }
        if let r = rows.firstIndex(where: { $0.count != d }) {
            printError("error: --matrix: row \(r + 1) has \(rows[r].count) entries, expected \(d)")
            throw Exit.invalidInput
        }
        return rows
    }
}

/// A positive rational on the command line (`dynamics --alpha`): anything else is a usage error.
struct PositiveRational: ExpressibleByArgument {
    let value: Rational
    init?(argument: String) {
        guard let value = Rational(argument: argument), value > .zero else { return nil }
        self.value = value
    }
}

/// `verify --shard k/K`: integers 1 ≤ k ≤ K.
extension Shard: ExpressibleByArgument {
    public init?(argument: String) {
        guard let shard = Shard.parse(argument) else { return nil }
        self = shard
    }
}

/// `dynamics --rule`: the update rule by its command-line name (paper, unnormalised, …).
extension UpdateRule: ExpressibleByArgument {
    public init?(argument: String) {
        guard let rule = UpdateRule.allCases.first(where: { $0.name == argument }) else { return nil }
        self = rule
    }
    public var defaultValueDescription: String { name }
    public static var allValueStrings: [String] { allCases.map(\.name) }
    /// No per-value help lines (the discussion describes the conventions).
    public static var allValueDescriptions: [String: String] { [:] }
}

/// The model file and the dataset file, in that order (verify, eval, compare, draw, report).
struct ModelAndDataset: ParsableArguments {
    @Argument(help: "Model JSON file.") var model: String
    @Argument(help: "Dataset JSON file.") var dataset: String

    /// Both files read and parsed (a labelled dataset through the model's label embedding); exits 2
    /// naming the file on any problem.
    func load() throws -> (Transformer, Dataset) {
        let transformer = try loadModel(model)
        return (transformer, try loadDataset(dataset, for: transformer))
    }
}

/// The softmax temperature τ: `verify` certifies every τ ∈ (0, τ]; `eval`, `compare` and `draw`
/// run float64 at τ.
struct TemperatureOption: ParsableArguments {
    @Option(name: [.customLong("tau"), .customLong("temperature")],
            help: "Softmax: the temperature τ, instead of the model's τ₀ (verify: certify every τ ∈ (0, τ]; eval, compare, draw: run float64 at τ).")
    var tau: Rational?

    func validate() throws {
        if let tau, tau <= .zero { throw ValidationError("--tau must be positive, found \(tau)") }
    }
}

/// --precision: the significant bits of rigorous evaluation (`eval --arithmetic rigorous`, `loss`,
/// `tikhonov`; docs/mathematics.md#rigorous-evaluation).
struct PrecisionOption: ParsableArguments {
    @Option(help: "Rigorous evaluation: significant bits of the intervals (16…4096); by default 128, doubled up to 4096 until every output coordinate is known to a relative 2^-40.")
    var precision: Int?

    func validate() throws {
        if let precision, !(16...4096).contains(precision) {
            throw ValidationError("--precision must be between 16 and 4096, found \(precision)")
        }
    }

    /// T(X) for every pair, exact (hardmax) or enclosed at τ (softmax): at --precision bits, or
    /// from 128 bits doubled up to 4096 until every coordinate is known to a relative 2^-40 —
    /// models with narrow hats (Lemma 4.8) amplify the exponentials' rounding. Exits 2 naming the
    /// model when it cannot be evaluated.
    func outputs(_ model: Transformer, _ data: Dataset, temperature: Rational?, modelPath: String,
                 limits: EvaluationLimits) throws -> ([[[RationalInterval]]], Int) {
        var bits = precision ?? 128
        while true {
            let outputs = try orExit(Exit.invalidInput, "\(modelPath): ") {
                try CertifiedLoss.outputs(model: model, dataset: data, temperature: temperature, significantBits: bits, limits: limits)
            }
            let narrow = outputs.allSatisfy { $0.allSatisfy { $0.allSatisfy { $0.width <= Rational.powerOfTwo(-40) * max(.one, $0.magnitude) } } }
            if precision != nil || narrow || bits >= 4096 { return (outputs, bits) }
            bits *= 2
        }
    }
}

/// --quiet.
struct QuietFlag: ParsableArguments {
    @Flag(help: "No progress messages on stderr (long runs report their progress there).") var quiet = false
}

/// -o/--output.
struct OutputOption: ParsableArguments {
    @Option(name: .shortAndLong, help: "The file to write (construct: the model JSON; draw: the SVG picture; report: the Markdown report).") var output: String
}
