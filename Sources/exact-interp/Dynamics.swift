import ArgumentParser
import ExactArithmetic
import Foundation
import HardmaxDynamics
import TransformerModel
import Visualization

struct DynamicsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dynamics",
        abstract: "Run the pure-attention hardmax dynamics exactly and check its facts at every layer.",
        discussion: """
        FILE is {"dimension", "tokens", optional "matrix", "name", "description"} (docs/dynamics.md); A = I \
        when there is no matrix. Every layer computes C_i = argmax_j ⟨A z_i, z_j⟩ (all maximisers, \
        ties exact) and z_i ← (z_i + α·mean_{j∈C_i} z_j)/(1 + α), in exact rational arithmetic.

        Per layer: the tokens, the attention sets (1-based), the strict leaders (every j ∈ C_i is a \
        copy of z_i, marked "leader") and the leaders of the authors' code convention (the lowest \
        index of the argmax is i, marked "argmax-leader" when it differs). At every step the facts \
        F1 (exact ties, linear denominator growth), F2 (convex combination), F3 (leaders stay) and, \
        when A is symmetric positive definite (checked exactly), F4 (largest A-norm is a leader), F6 \
        (norm growth) and F7 (no merging) are checked.

        The F9 certificate is tried at every layer; from the first layer it holds at, the attention \
        is frozen for ever, F8 (the exact frozen formula) is checked at the later layers and the \
        exact limit configuration is printed, each point a leader or a non-leader cluster with its \
        size. An exact repetition of a whole configuration (a fixed point or a periodic orbit) is \
        reported, and so is a layer with no strict leader. Float64 runs alongside: the first layer \
        whose attention sets differ from the exact ones is printed.

        When FILE is a dataset (it has "pairs"), every pair's input runs as its own token set and one \
        summary line per pair is printed: its label, its strict leaders at the last layer, the layer \
        the F9 certificate holds from and its limit clusters. --words names the tokens (a JSON object \
        word → token), so the leaders print as words.

        --rule selects a deliberately wrong convention (unnormalised, swapped-alpha, \
        transposed-matrix, argmin) to watch the checks fail.

        Exits 0 when every fact holds, 2 on invalid input, 64 on bad options, 70 when a fact fails \
        (the message names the layer and the fact).
        """
    )

    @Argument(help: "Dynamics JSON file.") var file: String
    @Option(help: "α > 0 (a rational such as 1/2).") var alpha: PositiveRational
    @Option(help: "Number of layers K.") var layers: Int
    @Option(help: "A, rows separated by ';' and entries by spaces or commas (\"2 1; 1 2\"); overrides the file's matrix.")
    var matrix: RationalMatrix?
    @Flag(help: "Print the whole run as JSON instead of text.") var json = false
    @Flag(help: "Print only the last layer (the summary is unchanged).") var finalOnly = false
    @Option(help: "Write an SVG picture of the trajectories, leaders and hull (d = 2 only).") var draw: String?
    @Option(help: "Update rule: paper (default) or a deliberately wrong convention.") var rule: UpdateRule = .paper
    @Option(help: "Datasets only: a JSON object word → token, to print leaders as words.") var words: String?

    func validate() throws {
        guard layers >= 0, layers <= 100_000 else { throw ValidationError("--layers must be between 0 and 100000") }
    }

    func run() throws {
        let bytes = try readFile(file, kind: .json)
        if case .object(let members)? = try? JSONParser.parse(bytes), members.contains(where: { $0.key == "pairs" }) {
            try runDataset()
            return
        }
        let input = try orExit(Exit.invalidInput, "\(file): ") { try DynamicsInput.parse(bytes) }
        let a = alpha.value
        var m = input.matrix
        if let matrix { m = try matrix.matrix(dimension: input.dimension) }
        let system = try orExit(Exit.invalidInput, "\(file): ") { try DynamicsSystem(dimension: input.dimension, matrix: m, alpha: a) }
        if let draw { try refuseOverwriting(draw, option: "--draw", inputs: [file]) }
        if let draw, input.dimension != 2 {
            printError("error: --draw \(draw): pictures of the dynamics need d = 2 (found d = \(input.dimension))")
            throw Exit.invalidInput
        }
        let run = DynamicsRun(system: system, tokens: input.tokens, layerCount: layers, rule: rule)
        let report = DynamicsReport(run: run, name: input.name, matrixGiven: m != nil)
        print(json ? report.json.rendered() : report.text(finalOnly: finalOnly), terminator: "")
        if let draw {
            try writeFile(draw, DynamicsPicture(run: run, title: input.name ?? file).svg, inputs: [file])
            if !json { print("figure: \(draw)") }
        }
        if let v = run.violation {
            printError("error: \(v)")
            throw Exit.internalError
        }
    }

    /// One run per pair of a dataset; a summary line each.
    func runDataset() throws {
        let data = try loadDataset(file)
        let a = alpha.value
        let m = try matrix?.matrix(dimension: data.dimension)
        let system = try orExit(Exit.invalidInput, "\(file): ") { try DynamicsSystem(dimension: data.dimension, matrix: m, alpha: a) }
        var names: [[Rational]: String] = [:]
        if let words {
            let wordBytes = try readFile(words, kind: .text)
            names = try orExit(Exit.invalidInput, "\(words): ") { try DynamicsInput.parseWords(wordBytes, dimension: data.dimension) }
        }
        print("dynamics on \(data.pairs.count) sequences\(data.name.map { " of \"\($0)\"" } ?? ""): α = \(a), \(layers) layers, A \(m == nil ? "= I" : "given")")
        var firstViolation: FactViolation? = nil
        var certified = 0
        for (j, pair) in data.pairs.enumerated() {
            let run = DynamicsRun(system: system, tokens: pair.input, layerCount: layers)
            print("pair \(j)\(pair.label.map { " (\($0))" } ?? ""): " + DynamicsReport.sequenceSummary(run, names: names))
            if run.certificate != nil { certified += 1 }
            if firstViolation == nil, let v = run.violation { firstViolation = v; printError("error: pair \(j): \(v)") }
        }
        print("F9 certificate for \(certified) of \(data.pairs.count) sequences")
        if firstViolation != nil { throw Exit.internalError }
    }
}
