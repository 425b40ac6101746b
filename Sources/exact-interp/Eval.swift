import ArgumentParser
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

    @Argument(help: "Model JSON file.") var model: String
    @Argument(help: "Dataset JSON file.") var dataset: String
    @Option(help: "exact or float64.") var arithmetic: Arithmetic = .exact
    @Option(help: "Write every layer's tokens and argmax sets to this JSON file.") var trace: String?
    @Option(name: [.customLong("tau"), .customLong("temperature")],
            help: "Softmax temperature τ for float64 (default: the model's τ₀).") var temperature: String?
    @Option(help: "float64: largest Hausdorff distance that counts as interpolated.") var tolerance: Double = 1e-9

    func run() throws {
        let transformer = try loadModel(model)
        let data = try loadDataset(dataset, for: transformer)
        try requireSameDimension(transformer, data)
        let tau = try temperature.map { try parsePositiveRational($0, option: "--tau") }
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
            printError("error: \(error)")
            throw Exit.invalidInput
        }
    }

    func runExact(_ m: Transformer, _ data: Dataset, _ tau: Rational?) throws -> Int {
        let evaluator = try makeEvaluator(m, tau, as: Rational.self)
        let outputs = evaluator.evaluateAll(data.pairs.map(\.input))
        var failures = 0
        for (j, pair) in data.pairs.enumerated() {
            let got = Set(outputs[j]), want = Set(pair.output)
            if got == want {
                print("pair \(j): interpolated (T(X) = Y as sets, \(want.count) distinct token\(want.count == 1 ? "" : "s"))")
            } else {
                failures += 1
                print("pair \(j): NOT interpolated: tokens of T(X) not in Y: \(tokenList(Array(got.subtracting(want)))); tokens of Y missing from T(X): \(tokenList(Array(want.subtracting(got))))")
            }
        }
        if let trace { try writeFile(trace, traceJSON(evaluator, data).rendered()) }
        return failures
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
        if let trace { try writeFile(trace, traceJSON(evaluator, data).rendered()) }
        return failures
    }

    func traceJSON<S: Scalar>(_ evaluator: Evaluator<S>, _ data: Dataset) -> JSONValue {
        func number(_ x: S) -> JSONValue { S.isExact ? .string(x.description) : .number(x.description) }
        let pairs: [JSONValue] = data.pairs.map { pair in
            let records = evaluator.trace(pair.input.map { $0.map(S.init) })
            return .object([("layers", .array(records.map { r in
                var members: [(key: String, value: JSONValue)] = [
                    ("block", .number(String(r.block))), ("stage", .string(r.stage)), ("layer", .string(r.sublayer.rawValue)),
                    ("tokens", .array(r.tokens.map { .array($0.map(number)) })),
                ]
                if !r.argmaxSets.isEmpty {
                    members.append(("argmax_sets", .array(r.argmaxSets.map { head in
                        .array(head.map { .array($0.map { .number(String($0)) }) })
                    })))
                }
                return .object(members)
            }))])
        }
        return .object([("arithmetic", .string(S.isExact ? "exact" : "float64")), ("pairs", .array(pairs))])
    }
}
