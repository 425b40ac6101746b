import ArgumentParser
import TransformerModel

struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check a dataset file against the format and Assumption 1.3.",
        discussion: """
        Prints one summary line (N pairs, dimension d, Σn input tokens, Σm output tokens, counted as \
        sets after removing repeated tokens) and any notices about repeated tokens or pairs. Exits 0 \
        for a valid dataset, 2 with a message naming the pair, token and coordinate otherwise.

        Causal datasets ("causal": true, docs/causal.md): one target per input position; two \
        sequences with the same prefix must give it the same target (a conflict names both pairs and \
        the prefix length), and the prefixes a, aa, aaa, … of one repeated token must share their \
        target (no transformer without positional information tells them apart). Prints N, d, the \
        number of positions and of distinct prefixes.
        """
    )

    @Argument(help: "Dataset JSON file.")
    var dataset: String
    @Flag(help: "List every repeated token or pair (default: a count and the first three).") var verbose = false

    func run() throws {
        var data = try loadDataset(dataset)
        if data.causal {
            let causal = try orExit(Exit.invalidInput, "\(dataset): ") { try CausalProblem(data) }
            let name = data.name.map { "\"\($0)\": " } ?? ""
            print("\(name)valid causal dataset: N = \(causal.count), d = \(causal.dimension), positions Σn = \(causal.positionCount), distinct prefixes = \(causal.distinctPrefixCount)")
            return
        }
        let labels = data.isLabelled ? LabelEmbedding.choose(for: data) : nil
        if let labels {
            // Checked as the classification problem `construct` builds (docs/mathematics.md#classification).
            data = try orExit(Exit.invalidInput, "\(dataset): ") { try data.embedded(labels) }
        }
        let problem = try orExit(Exit.invalidInput, "\(dataset): ") { try InterpolationProblem(data) }
        printNotices(problem.notices, verbose: verbose)
        let name = data.name.map { "\"\($0)\": " } ?? ""
        let labelText = labels.map { ", \($0.entries.count) labels" } ?? ""
        print("\(name)valid: N = \(problem.count), d = \(problem.dimension), Σn = \(problem.totalInputCount), Σm = \(problem.totalOutputCount)\(labelText)")
    }
}
