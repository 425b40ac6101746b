import ArgumentParser
import TransformerModel

struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check a dataset file against the format and Assumption 1.3.",
        discussion: """
        Prints one summary line (N pairs, dimension d, Σn input tokens, Σm output tokens, counted as \
        sets after removing repeated tokens) and any notices about repeated tokens or pairs. Exits 0 \
        for a valid dataset, 2 with a message naming the pair, token and coordinate otherwise.
        """
    )

    @Argument(help: "Dataset JSON file.")
    var dataset: String

    func run() throws {
        var data = try loadDataset(dataset)
        let labels = data.isLabelled ? LabelEmbedding.choose(for: data) : nil
        if let labels {
            // Checked as the classification problem `construct` builds (docs/mathematics.md#classification).
            do { data = try data.embedded(labels) } catch {
                printError("error: \(dataset): \(error)")
                throw Exit.invalidInput
            }
        }
        let problem: InterpolationProblem
        do { problem = try InterpolationProblem(data) } catch {
            printError("error: \(dataset): \(error)")
            throw Exit.invalidInput
        }
        for notice in problem.notices { printError("notice: \(notice)") }
        let name = data.name.map { "\"\($0)\": " } ?? ""
        let labelText = labels.map { ", \($0.entries.count) labels" } ?? ""
        print("\(name)valid: N = \(problem.count), d = \(problem.dimension), Σn = \(problem.totalInputCount), Σm = \(problem.totalOutputCount)\(labelText)")
    }
}
