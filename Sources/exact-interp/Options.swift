import ArgumentParser
import ExactArithmetic
import TransformerModel

/// Rationals on the command line: "3", "-7/12", "0.125", "1e-3".
extension Rational: ExpressibleByArgument {
    public init?(argument: String) {
        guard let value = try? Rational(parsing: argument) else { return nil }
        self = value
    }
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

/// --quiet.
struct QuietFlag: ParsableArguments {
    @Flag(help: "No progress messages on stderr (long runs report their progress there).") var quiet = false
}

/// -o/--output.
struct OutputOption: ParsableArguments {
    @Option(name: .shortAndLong, help: "The file to write (construct: the model JSON; draw: the SVG picture; report: the Markdown report).") var output: String
}
