import ArgumentParser
import Certification
import ExactArithmetic
import TransformerModel

struct Verify: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Re-check a model file against a dataset exactly, from the file alone.",
        discussion: """
        Hardmax models: evaluates the model in exact rational arithmetic on every pair of the dataset \
        as given and checks T(X^j) = Y^j as sets. When the model records a dataset digest, the \
        dataset must match it. No construction code is involved.

        Softmax models (Theorem 1.6): runs the enclosure certificate at the model's τ₀ (or --tau): \
        every token is a box with an exact centre and outward-rounded rational radii, softmax \
        weights are bounded with rational upper bounds of e^{-g/τ₀}, valid for every τ ≤ τ₀. It holds \
        when every final box is an exact point and the points are Y^j as a set: then T_τ(X^j) = Y^j \
        for every τ ∈ (0, τ₀]. On failure it names, per failing pair, the token whose final box is \
        not a point and the first layer and token whose box crossed a ReLU kink.

        Exits 0 iff every pair is interpolated (certified), 1 otherwise, listing the failing pairs; \
        2 on invalid input, including a dataset whose digest differs from the one the model records.
        """
    )

    @OptionGroup var files: ModelAndDataset
    @OptionGroup var temperature: TemperatureOption
    @OptionGroup var progress: QuietFlag

    func run() throws {
        let (transformer, data) = try files.load()
        let override = temperature.tau
        if override != nil && !transformer.usesSoftmax { printError("notice: --tau ignored: the model has no softmax layer") }
        let report = try certifyOrExit(transformer, data, modelPath: files.model, datasetPath: files.dataset, temperature: override,
                                       progress: verificationProgress(transformer, data, quiet: progress.quiet))
        if report.digestMatches == true { print("dataset digest: matches \(report.datasetDigest)") }
        switch report.method {
        case .exactHardmax:
            for f in report.failures {
                print("pair \(f.index): NOT interpolated: tokens of T(X) not in Y: \(tokenList(f.unexpected)); tokens of Y missing from T(X): \(tokenList(f.missing))")
            }
            if report.holds {
                print("verified: T(X^j) = Y^j as sets for all \(pairCount(report.pairs.count)) (exact hardmax, \(transformer.blocks.count) blocks)")
            } else {
                print("NOT verified: \(report.failures.count) of \(pairCount(report.pairs.count)) fail")
                throw Exit.propertyFailed
            }
        case .enclosure:
            for f in report.failures { print(f.description) }
            let tau = report.temperature?.description ?? "?"
            if report.holds {
                print("certified: T_τ(X^j) = Y^j as sets for all \(report.pairs.count) pairs and every τ ∈ (0, \(tau)] (softmax enclosure certificate, \(transformer.blocks.count) blocks)")
            } else {
                print("NOT certified for τ ∈ (0, \(tau)]: \(report.failures.count) of \(report.pairs.count) pairs fail")
                throw Exit.propertyFailed
            }
        }
    }
}
