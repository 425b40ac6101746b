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
        `verify`). On a causal dataset ("causal": true, docs/causal.md) output position i is compared \
        with target i, in order (float64: the largest distance over the positions).

        Exits 0 iff every pair is interpolated, 1 otherwise, 2 on invalid input.
        """
    )

    @OptionGroup var files: ModelAndDataset
    @Option(help: "exact or float64.") var arithmetic: Arithmetic = .exact
    @Option(help: "Write every layer's tokens and argmax sets to this JSON file.") var trace: String?
    @OptionGroup var temperature: TemperatureOption
    @Option(help: "float64: largest Hausdorff distance that counts as interpolated.") var tolerance: Double = 1e-9
    @Flag(help: "No progress messages on stderr (long runs report every few seconds).") var quiet = false

    func validate() throws {
        try requireTolerance(tolerance)
    }

    @OptionGroup var limits: LimitOptions

    func run() throws {
        limits.apply()
        let traceTarget = try trace.map { try OutputFile($0, option: "--trace", inputs: [files.model, files.dataset]) }
        let (transformer, data) = try files.load()
        try requireSameDimension(transformer, data)
        try requireMatchingDigest(transformer, data, modelPath: files.model, datasetPath: files.dataset)
        let tau = temperature.tau
        let failures: Int
        switch arithmetic {
        case .exact: failures = try runExact(transformer, data, tau, traceTarget)
        case .float64: failures = try runFloat(transformer, data, tau, traceTarget)
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

    func runExact(_ m: Transformer, _ data: Dataset, _ tau: Rational?, _ traceTarget: OutputFile?) throws -> Int {
        var evaluator = try makeEvaluator(m, tau, as: Rational.self)
        let meter = WorkMeter()
        evaluator.meter = meter
        let inputs = data.pairs.map(\.input)
        let heartbeat = Heartbeat(quiet: quiet, status: meterStatus("eval", meter, estimate: WorkMeter.estimate(inputs, blocks: m.blocks.count)))
        let outputs = evaluator.evaluateAll(inputs)
        heartbeat.stop()
        try requireWithinLimit(evaluator)
        var failures = 0
        for (j, pair) in data.pairs.enumerated() {
            if data.causal {
                // Causal data: output i against target i, in order.
                let bad = pair.output.indices.filter { $0 >= outputs[j].count || outputs[j][$0] != pair.output[$0] }
                if bad.isEmpty {
                    print("pair \(j): interpolated position by position (\(counted(pair.output.count, "position")))")
                } else {
                    failures += 1
                    print("pair \(j): NOT interpolated at positions \(bad.prefix(10).map(String.init).joined(separator: ", "))\(bad.count > 10 ? " … (\(bad.count) in all)" : "")")
                }
                continue
            }
            if interpolates(outputs[j], pair.output) {
                let want = Set(pair.output)
                print("pair \(j): interpolated (T(X) = Y as sets, \(want.count) distinct token\(want.count == 1 ? "" : "s"))")
            } else {
                failures += 1
                let got = Set(outputs[j]), want = Set(pair.output)
                print("pair \(j): NOT interpolated: tokens of T(X) not in Y: \(tokenList(Array(got.subtracting(want)))); tokens of Y missing from T(X): \(tokenList(Array(want.subtracting(got))))")
            }
        }
        if let traceTarget { try traceTarget.write(evaluator.traceFile(data.pairs.map(\.input)).rendered()) }
        return failures
    }

    func runFloat(_ m: Transformer, _ data: Dataset, _ tau: Rational?, _ traceTarget: OutputFile?) throws -> Int {
        var evaluator = try makeEvaluator(m, tau, as: Double.self)
        let meter = WorkMeter()
        evaluator.meter = meter
        let inputs = data.pairs.map { $0.input.map { $0.map(\.doubleValue) } }
        let heartbeat = Heartbeat(quiet: quiet, status: meterStatus("eval (float64)", meter, estimate: WorkMeter.estimate(inputs, blocks: m.blocks.count)))
        let outputs = evaluator.evaluateAll(inputs)
        heartbeat.stop()
        var failures = 0
        for (j, pair) in data.pairs.enumerated() {
            let want = pair.output.map { $0.map(\.doubleValue) }
            // Causal data: the largest distance between output i and target i; else as sets.
            let distance = data.causal
                ? zip(outputs[j], want).map { a, b in zip(a, b).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }.squareRoot() }.max() ?? 0
                : hausdorffDistance(outputs[j], want)
            let ok = distance <= tolerance
            if !ok { failures += 1 }
            print("pair \(j): \(data.causal ? "largest distance to the target of a position" : "Hausdorff distance") \(distance) \(ok ? "≤" : ">") \(tolerance): \(ok ? "interpolated" : "NOT interpolated")")
        }
        if let traceTarget { try traceTarget.write(evaluator.traceFile(data.pairs.map(\.input)).rendered()) }
        return failures
    }
}
