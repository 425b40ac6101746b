import ArgumentParser
import Certification
import Evaluation
import ExactArithmetic
import TransformerModel

enum Arithmetic: String, ExpressibleByArgument, CaseIterable {
    case exact, float64
}

struct Eval: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a model on a dataset and check T(X) = Y as sets, pair by pair.",
        discussion: """
        exact (default): evaluation in ℚ, hardmax ties and equality decided exactly; prints per pair \
        whether T(X) equals Y as a set of token values. float64: the same model with every parameter \
        rounded to the nearest double; prints per pair the Hausdorff distance between T(X) and Y and \
        calls a pair interpolated when it is at most --tolerance. Softmax layers run in float64 only, \
        at the model's τ₀ or at --tau (exact softmax certificates, for every τ ∈ (0, τ₀], come from \
        `verify`).

        Exits 0 iff every pair is interpolated, 1 otherwise, 2 on invalid input.
        """
    )

    @OptionGroup var files: ModelAndDataset
    @Option(help: "exact or float64.") var arithmetic: Arithmetic = .exact
    @Option(help: "Write every layer's tokens and argmax sets to this JSON file.") var trace: String?
    @OptionGroup var temperature: TemperatureOption
    @Option(help: "float64: largest Hausdorff distance that counts as interpolated.") var tolerance: Double = 1e-9

    func run() throws {
        let (transformer, data) = try files.load()
        try requireSameDimension(transformer, data)
        let tau = temperature.tau
        let failures: Int
        switch arithmetic {
        case .exact: failures = try runExact(transformer, data, tau)
        case .float64: failures = try runFloat(transformer, data, tau)
        }
        print(failures == 0 ? "all \(pairCount(data.pairs.count)) interpolated" : "\(failures) of \(pairCount(data.pairs.count)) NOT interpolated")
        if failures > 0 { throw Exit.propertyFailed }
    }

    func makeEvaluator<S: Scalar>(_ m: Transformer, _ tau: Rational?, as: S.Type) throws -> Evaluator<S> {
        do { return try Evaluator<S>(m, temperature: tau) } catch {
            // The library names no flags; the CLI says which one helps.
            let hint = !m.usesSoftmax ? "" : S.isExact
                ? ": `verify` certifies softmax models exactly; --arithmetic float64 runs them in floating point"
                : ": give one with --temperature"
            printError("error: \(error)\(hint)")
            throw Exit.invalidInput
        }
    }

    func runExact(_ m: Transformer, _ data: Dataset, _ tau: Rational?) throws -> Int {
        let evaluator = try makeEvaluator(m, tau, as: Rational.self)
        let report: CertificationReport
        do { report = try certify(model: m, dataset: data, method: .exactHardmax, bindingDigest: false) } catch {
            printError("error: \(error)")
            throw Exit.invalidInput
        }
        for result in report.pairs {
            if result.holds {
                let distinct = Set(data.pairs[result.index].output).count
                print("pair \(result.index): interpolated (T(X) = Y as sets, \(distinct) distinct token\(distinct == 1 ? "" : "s"))")
            } else {
                print("pair \(result.index): NOT interpolated: tokens of T(X) not in Y: \(tokenList(result.unexpected)); tokens of Y missing from T(X): \(tokenList(result.missing))")
            }
        }
        if let trace { try writeFile(trace, evaluator.traceFile(data.pairs.map(\.input)).rendered()) }
        return report.failures.count
    }

    func runFloat(_ m: Transformer, _ data: Dataset, _ tau: Rational?) throws -> Int {
        let evaluator = try makeEvaluator(m, tau, as: Double.self)
        let inputs = data.pairs.map { $0.input.map { $0.map(\.doubleValue) } }
        let outputs = evaluator.evaluateAll(inputs)
        var failures = 0
        for (j, pair) in data.pairs.enumerated() {
            let distance = hausdorffDistance(outputs[j], pair.output.map { $0.map(\.doubleValue) })
            let ok = distance <= tolerance
            if !ok { failures += 1 }
            print("pair \(j): Hausdorff distance \(distance) \(ok ? "≤" : ">") \(tolerance): \(ok ? "interpolated" : "NOT interpolated")")
        }
        if let trace { try writeFile(trace, evaluator.traceFile(data.pairs.map(\.input)).rendered()) }
        return failures
    }
}
