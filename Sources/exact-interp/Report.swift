import ArgumentParser
import Certification
import ExactArithmetic
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

        Softmax models: the hardmax stage checks do not apply; the enclosure certificate for every \
        temperature in (0, τ] (τ: the model's τ₀ or --tau) is run as `verify` does, and its verdict \
        is printed, stated in the report and decides the exit code.

        Exits 0 when the report is written and every applicable check passes (softmax: and the \
        certificate holds), 1 when a check or the certificate fails (the report is still written and \
        says which), 2 on invalid input (softmax: no τ in the model and no --tau).
        """
    )

    @OptionGroup var files: ModelAndDataset
    @OptionGroup var destination: OutputOption
    @Option(help: "A picture (from `draw`) to show at the top of the report.") var figure: String?
    @OptionGroup var temperatureOption: TemperatureOption

    func validate() throws {
        if let figure, !FileManager.default.fileExists(atPath: figure) {
            throw ValidationError("--figure \(figure): no such file (make it first with `exact-interp draw`)")
        }
    }

    @OptionGroup var limits: LimitOptions

    func run() throws {
        let output = destination.output
        let target = try OutputFile(output, option: "--output", inputs: [files.model, files.dataset] + (figure.map { [$0] } ?? []))
        let (transformer, data, problem) = try loadForPictures(files)
        let tau = temperatureOption.tau
        // Softmax: the stage checks run at τ, and the certificate for every τ' ∈ (0, τ] decides the exit code.
        var temperature: Rational? = nil
        if transformer.usesSoftmax {
            temperature = tau ?? transformer.temperature
            guard temperature != nil else {
                printError("error: \(files.model): a softmax model needs a \"temperature\" (τ₀), or give one with --tau")
                throw Exit.invalidInput
            }
        } else if tau != nil {
            printError("notice: --tau ignored: the model has no softmax layer")
        }
        let analysis = try orExit(Exit.invalidInput) {
            try StageAnalysis(model: transformer, dataset: data, problem: problem, projection: nil,
                              temperature: temperature ?? 1, limits: limits.evaluation)
        }
        var report = ConstructionReport(model: transformer, dataset: data, problem: problem, checks: analysis.checks)
        // Softmax: the certificate runs first, so that the written report states its verdict.
        if let temperature {
            let certificate = try certifyOrExit(transformer, data, modelPath: files.model, datasetPath: files.dataset,
                                                temperature: temperature)
            report.certificate = .init(temperature: temperature, pairs: data.pairs.count, failureCount: certificate.failures.count,
                                       failures: certificate.failures.prefix(5).map(\.description))
        }
        try target.write(report.markdown(modelPath: files.model, datasetPath: files.dataset, figure: figure.map { relativePath($0, from: output) }))
        let failed = report.checks.filter { $0.outcome == .failed }
        let passed = report.checks.filter { $0.outcome == .passed }.count
        if report.certificate != nil, passed == 0 && failed.isEmpty {
            say("report: \(output) (\(report.blocks) blocks, paper bound \(report.paperBound); softmax: the stage checks do not apply, the enclosure certificate decides)", besides: output)
        } else {
            say("report: \(output) (\(report.blocks) blocks, paper bound \(report.paperBound); \(passed == 1 ? "1 check passes" : "\(passed) checks pass"), \(failed.count) \(failed.count == 1 ? "fails" : "fail"))", besides: output)
        }
        for c in failed { say("FAIL \(c.stage): \(c.claim): \(c.detail)", besides: output) }
        var certified = true
        if let certificate = report.certificate {
            certified = certificate.holds
            if certificate.holds {
                say("certificate: T_τ(X^j) = Y^j as sets for all \(pairCount(data.pairs.count)) and every τ ∈ (0, \(certificate.temperature)]", besides: output)
            } else {
                say("certificate: NOT certified for τ ∈ (0, \(certificate.temperature)]: \(certificate.failureCount) of \(pairCount(data.pairs.count)) fail", besides: output)
                for f in certificate.failures { say("  \(f)", besides: output) }
            }
        }
        if !failed.isEmpty || !certified { throw Exit.propertyFailed }
    }

    /// `path` as seen from the directory of `file` when both share it, else unchanged.
    func relativePath(_ path: String, from file: String) -> String {
        let dir = (file as NSString).deletingLastPathComponent
        let pathDir = (path as NSString).deletingLastPathComponent
        return dir == pathDir ? (path as NSString).lastPathComponent : path
    }
}
