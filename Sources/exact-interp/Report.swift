import ArgumentParser
import Foundation
import TransformerModel
import Visualization

struct Report: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a readable Markdown report on a model and its dataset, with exact checks of every stage.",
        discussion: """
        The report holds: the dataset summary (N, d, Σn, Σm, n^j and m^j per pair); the blocks, \
        largest width and bit lengths per stage (the figures `construct` prints); the counts against \
        the paper's bound (2Σm + 2N + 1 for hardmax, 2Σm + 3N for softmax) and the layout's bound; \
        exact checks of every stage, re-evaluated from the model file (after separation no two \
        sequences share a value; leaders on the line through 1 and on one sphere, non-leaders in \
        the cube of docs/mathematics.md#leader-selection; after the collapse m^j values per sequence; T(X^j) = Y^j); a chart of the \
        bit lengths per block; and τ₀ for softmax models.

        Exits 0 when the report is written and every applicable check passes, 1 when a check fails \
        (the report is still written and says which), 2 on invalid input.
        """
    )

    @Argument(help: "Model JSON file.") var model: String
    @Argument(help: "Dataset JSON file.") var dataset: String
    @Option(name: .shortAndLong, help: "Where to write the Markdown report.") var output: String
    @Option(help: "A picture (from `draw`) to show at the top of the report.") var figure: String?

    func run() throws {
        let (transformer, data, problem) = try loadForPictures(model: model, dataset: dataset)
        let analysis: StageAnalysis
        do {
            analysis = try StageAnalysis(model: transformer, dataset: data, problem: problem, projection: nil,
                                         temperature: transformer.temperature ?? 1)
        } catch {
            printError("error: \(error)")
            throw Exit.invalidInput
        }
        let report = ConstructionReport(model: transformer, dataset: data, problem: problem, checks: analysis.checks)
        try writeFile(output, report.markdown(modelPath: model, datasetPath: dataset, figure: figure.map { relativePath($0, from: output) }))
        let failed = report.checks.filter { $0.outcome == .failed }
        let passed = report.checks.filter { $0.outcome == .passed }.count
        print("report: \(output) (\(report.blocks) blocks, paper bound \(report.paperBound); \(passed) checks pass, \(failed.count) fail)")
        for c in failed { print("FAIL \(c.stage): \(c.claim): \(c.detail)") }
        if !failed.isEmpty { throw Exit.propertyFailed }
    }

    /// `path` as seen from the directory of `file` when both share it, else unchanged.
    func relativePath(_ path: String, from file: String) -> String {
        let dir = (file as NSString).deletingLastPathComponent
        let pathDir = (path as NSString).deletingLastPathComponent
        return dir == pathDir ? (path as NSString).lastPathComponent : path
    }
}
