import ArgumentParser
import Certification
import Evaluation
import Foundation
import ExactArithmetic
import TransformerModel

enum Arithmetic: String, ExpressibleByArgument, CaseIterable {
    case exact, float64, rigorous
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

        rigorous: softmax at the model's τ (or --tau) with rational intervals that contain the true \
        values (docs/mathematics.md#rigorous-evaluation), hardmax exactly; prints per pair the \
        Hausdorff distance as an interval and the largest radius, and calls a pair interpolated \
        when the distance is proved ≤ --tolerance. --precision sets the bits (default: 128, doubled \
        until every coordinate is known to a relative 2^-40).

        --outputs FILE writes the model's output sequence for every pair as JSON, each coordinate \
        an exact rational in the dataset format ("p/q" strings, integers as numbers); with float64 \
        the exact value of each double (null for an infinity or NaN); with rigorous each coordinate is \
        an interval [lo, hi] of two exact rationals. It goes through the same \
        writer as -o: never over an input, complete or not at all.

        Exits 0 iff every pair is interpolated, 1 otherwise, 2 on invalid input, 64 when --trace \
        or --outputs is one of the inputs.
        """
    )

    @OptionGroup var files: ModelAndDataset
    @Option(help: "exact, float64 or rigorous.") var arithmetic: Arithmetic = .exact
    @OptionGroup var precision: PrecisionOption
    @Option(help: "Write every layer's tokens and argmax sets to this JSON file.") var trace: String?
    @Option(help: ArgumentHelp("Write the model's output tokens for every pair to this JSON file (exact rationals).", valueName: "file"))
    var outputs: String?
    @OptionGroup var temperature: TemperatureOption
    @Option(help: "float64: largest Hausdorff distance that counts as interpolated.") var tolerance: Double = 1e-9
    @Flag(help: "No progress messages on stderr (long runs report every few seconds).") var quiet = false

    func validate() throws {
        try requireTolerance(tolerance)
        if trace != nil && arithmetic == .rigorous { throw ValidationError("--trace goes with --arithmetic exact or float64") }
        if precision.precision != nil && arithmetic != .rigorous {
            throw ValidationError("--precision goes with --arithmetic rigorous")
        }
        func standardized(_ path: String) -> String { URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path }
        if let trace, let outputs, trace == outputs || standardized(trace) == standardized(outputs)
            || (fileIdentity(trace) != nil && fileIdentity(trace) == fileIdentity(outputs)) {
            throw ValidationError("--trace and --outputs name the same file \(outputs): give two files")
        }
    }

    /// Result lines: standard output, or standard error when --trace or --outputs is "-" (the
    /// file then goes to standard output and must not be mixed with results).
    func say(_ line: String) { exact_interp.say(line, besides: trace == "-" || outputs == "-" ? "-" : "") }

    @OptionGroup var limits: LimitOptions

    func run() throws {
        let traceTarget = try trace.map { try OutputFile($0, option: "--trace", inputs: [files.model, files.dataset]) }
        let outputsTarget = try outputs.map { try OutputFile($0, option: "--outputs", inputs: [files.model, files.dataset]) }
        let (transformer, data) = try files.load()
        try requireSameDimension(transformer, data)
        try requireMatchingDigest(transformer, data, modelPath: files.model, datasetPath: files.dataset)
        let tau = temperature.tau
        let failures: Int
        switch arithmetic {
        case .exact: failures = try runExact(transformer, data, tau, traceTarget, outputsTarget)
        case .float64: failures = try runFloat(transformer, data, tau, traceTarget, outputsTarget)
        case .rigorous:
            failures = try runRigorous(transformer, data, tau, outputsTarget)
        }
        say(failures == 0 ? "all \(pairCount(data.pairs.count)) interpolated" : "\(failures) of \(pairCount(data.pairs.count)) NOT interpolated")
        if failures > 0 { throw Exit.propertyFailed }
    }

    func makeEvaluator<S: Scalar>(_ m: Transformer, _ tau: Rational?, as: S.Type) throws -> Evaluator<S> {
        do { return try Evaluator<S>(m, temperature: tau, limits: limits.evaluation) } catch {
            // The library names no flags; the CLI says which one helps.
            let hint = !m.usesSoftmax ? "" : S.isExact
                ? ": `verify` certifies softmax models exactly; --arithmetic float64 runs them in floating point"
                : ": give one with --temperature"
            printError("error: \(error)\(hint)")
            throw Exit.invalidInput
        }
    }

    /// The `--outputs` file: per pair the model's output sequence (every token, in order), exact.
    func outputsFile(_ m: Transformer, _ data: Dataset, _ outputs: [[[JSONValue]]], interpolated: [Bool]) -> String {
        var members: [(key: String, value: JSONValue)] = []
        members.append(("format", .string("exact-interp-outputs")))
        members.append(("arithmetic", .string(arithmetic.rawValue)))
        members.append(("model_digest", .string(m.digest)))
        members.append(("dataset_digest", .string(data.digest)))
        members.append(("dimension", .number(String(data.dimension))))
        members.append(("pairs", .array(outputs.enumerated().map { j, tokens in
            .object([("index", .number(String(j))), ("interpolated", .bool(interpolated[j])),
                     ("output", .array(tokens.map { .array($0) }))])
        })))
        return JSONValue.object(members).rendered()
    }

    func runExact(_ m: Transformer, _ data: Dataset, _ tau: Rational?, _ traceTarget: OutputFile?, _ outputsTarget: OutputFile?) throws -> Int {
        var evaluator = try makeEvaluator(m, tau, as: Rational.self)
        let meter = WorkMeter()
        evaluator.meter = meter
        let inputs = data.pairs.map(\.input)
        let heartbeat = Heartbeat(quiet: quiet, status: meterStatus("eval", meter, estimate: WorkMeter.estimate(inputs, blocks: m.blocks.count)))
        let result = Result { try evaluator.evaluateAll(inputs) }
        heartbeat.stop()
        let outputs = try orExit(Exit.invalidInput) { try result.get() }
        var failures = 0
        var interpolated: [Bool] = []
        for (j, pair) in data.pairs.enumerated() {
            let before = failures
            defer { interpolated.append(failures == before) }
            if data.causal {
                // Causal data: output i against target i, in order.
                let bad = pair.output.indices.filter { $0 >= outputs[j].count || outputs[j][$0] != pair.output[$0] }
                if bad.isEmpty {
                    say("pair \(j): interpolated position by position (\(counted(pair.output.count, "position")))")
                } else {
                    failures += 1
                    say("pair \(j): NOT interpolated at positions \(bad.prefix(10).map(String.init).joined(separator: ", "))\(bad.count > 10 ? " … (\(bad.count) in all)" : "")")
                }
                continue
            }
            if interpolates(outputs[j], pair.output) {
                let want = Set(pair.output)
                say("pair \(j): interpolated (T(X) = Y as sets, \(want.count) distinct token\(want.count == 1 ? "" : "s"))")
            } else {
                failures += 1
                let got = Set(outputs[j]), want = Set(pair.output)
                say("pair \(j): NOT interpolated: tokens of T(X) not in Y: \(tokenList(Array(got.subtracting(want)))); tokens of Y missing from T(X): \(tokenList(Array(want.subtracting(got))))")
            }
        }
        if let traceTarget { try traceTarget.write(evaluator.traceFile(data.pairs.map(\.input)).rendered()) }
        if let outputsTarget {
            try outputsTarget.write(outputsFile(m, data, outputs.map { $0.map { $0.map(Dataset.jsonValue) } }, interpolated: interpolated))
        }
        return failures
    }

    func runFloat(_ m: Transformer, _ data: Dataset, _ tau: Rational?, _ traceTarget: OutputFile?, _ outputsTarget: OutputFile?) throws -> Int {
        var evaluator = try makeEvaluator(m, tau, as: Double.self)
        let meter = WorkMeter()
        evaluator.meter = meter
        let inputs = data.pairs.map { $0.input.map { $0.map(\.doubleValue) } }
        let heartbeat = Heartbeat(quiet: quiet, status: meterStatus("eval (float64)", meter, estimate: WorkMeter.estimate(inputs, blocks: m.blocks.count)))
        let result = Result { try evaluator.evaluateAll(inputs) }
        heartbeat.stop()
        let outputs = try orExit(Exit.invalidInput) { try result.get() }
        var failures = 0
        var interpolated: [Bool] = []
        for (j, pair) in data.pairs.enumerated() {
            let want = pair.output.map { $0.map(\.doubleValue) }
            // Causal data: the largest distance between output i and target i; else as sets.
            let distance = data.causal
                ? zip(outputs[j], want).map { a, b in zip(a, b).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }.squareRoot() }.max() ?? 0
                : hausdorffDistance(outputs[j], want)
            let ok = distance <= tolerance
            interpolated.append(ok)
            if !ok { failures += 1 }
            say("pair \(j): \(data.causal ? "largest distance to the target of a position" : "Hausdorff distance") \(distance) \(ok ? "≤" : ">") \(tolerance): \(ok ? "interpolated" : "NOT interpolated")")
        }
        if let traceTarget { try traceTarget.write(evaluator.traceFile(data.pairs.map(\.input)).rendered()) }
        if let outputsTarget {
            // Each double exactly (a dyadic rational); an infinity or NaN has no rational value: null.
            let exact = outputs.map { $0.map { $0.map { x in (try? Rational(exactly: x)).map(Dataset.jsonValue) ?? .null } } }
            try outputsTarget.write(outputsFile(m, data, exact, interpolated: interpolated))
        }
        return failures
    }

    /// Intervals at τ (softmax) or exact points (hardmax); a pair is interpolated when its Hausdorff
    /// distance to Y is proved ≤ --tolerance (as sets; causal data: the largest distance of a position).
    func runRigorous(_ m: Transformer, _ data: Dataset, _ tau: Rational?, _ outputsTarget: OutputFile?) throws -> Int {
        let (outputs, bits) = try precision.outputs(m, data, temperature: tau, modelPath: files.model, limits: limits.evaluation)
        guard let bound = try? Rational(exactly: tolerance) else {
            printError("error: --tolerance \(tolerance) is not a finite number")
            throw Exit.usage
        }
        say("rigorous: \(m.usesSoftmax ? "intervals at τ = \(tau ?? m.temperature ?? .one), \(bits) bits" : "hardmax, exact points")")
        var failures = 0
        var interpolated: [Bool] = []
        for (j, pair) in data.pairs.enumerated() {
            let squared: RationalInterval
            if data.causal {
                let distances = zip(outputs[j], pair.output).map { CertifiedLoss.squaredDistance($0, $1) }
                squared = RationalInterval(lo: distances.map(\.lo).max() ?? .zero, hi: distances.map(\.hi).max() ?? .zero)
            } else {
                squared = CertifiedLoss.hausdorffSquared(outputs[j], pair.output)
            }
            let distance = squared.squareRoot(significantBits: bits)
            let radius = outputs[j].flatMap { $0 }.map(\.radius).max() ?? .zero
            let ok = distance.hi <= bound
            interpolated.append(ok)
            if !ok { failures += 1 }
            let verdict = ok ? "≤ \(tolerance): interpolated" : distance.lo > bound ? "> \(tolerance): NOT interpolated" : "not proved ≤ \(tolerance): NOT interpolated"
            say("pair \(j): \(data.causal ? "largest distance to the target of a position" : "Hausdorff distance") \(Loss.show(distance)), largest radius \(radius.isZero ? "0" : radius.scientific(digits: 2)) \(verdict)")
        }
        if let outputsTarget {
            let intervals = outputs.map { $0.map { $0.map { x -> JSONValue in .array([Dataset.jsonValue(x.lo), Dataset.jsonValue(x.hi)]) } } }
            try outputsTarget.write(outputsFile(m, data, intervals, interpolated: interpolated))
        }
        return failures
    }
}
