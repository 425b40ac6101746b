import ArgumentParser
import Certification
import Evaluation
import ExactArithmetic
import TransformerModel

extension CertifiedLoss.Kind: ExpressibleByArgument {}

/// `--at-most`: a rational δ on the loss, or K units in the last place of a float format ("2ulp:float32").
enum LossBound: ExpressibleByArgument, CustomStringConvertible {
    case value(Rational)
    case unitsInTheLastPlace(Int, BinaryFloatFormat)

    init?(argument: String) {
        let parts = argument.split(separator: ":", maxSplits: 1).map(String.init)
        if parts.count == 2, let format = BinaryFloatFormat(rawValue: parts[1]) {
            let count = parts[0].hasSuffix("ulps") ? parts[0].dropLast(4) : parts[0].hasSuffix("ulp") ? parts[0].dropLast(3) : nil
            guard let count, let k = Int(count), (0...1_000_000).contains(k) else { return nil }
            self = .unitsInTheLastPlace(k, format)
            return
        }
        guard let r = Rational(argument: argument) else { return nil }
        self = .value(r)
    }

    var description: String {
        switch self {
        case .value(let r): return r.description
        case .unitsInTheLastPlace(let k, let f): return "\(k) ulp\(k == 1 ? "" : "s") of \(f.rawValue)"
        }
    }
}

/// `exact-interp loss`: a model's training loss on a dataset, certified.
struct Loss: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "loss",
        abstract: "A model's loss on a dataset, certified: exact (hardmax) or a rational interval (softmax at τ).",
        discussion: """
        Prints each pair's loss and their mean. A hardmax model's loss is exact; a softmax model runs \
        at its τ (or --tau) with rational intervals (docs/mathematics.md#rigorous-evaluation), and \
        each loss is an interval [lo, hi] that contains the true value, shown with its midpoint \
        and radius.

        --kind hausdorff-squared (default) is max(sup_a inf_b, sup_b inf_a) of ‖a − b‖² between \
        T(X) and Y: with a one-token target, max_i ‖T(X)_i − y‖², the training loss of the paper's \
        Section 2. hausdorff is its square root; mean-squared compares position i with target i, \
        (1/n) Σ ‖T(X)_i − y_i‖² (the loss of the Python package's Example 2.2 training; nn.MSELoss \
        divides it further by d).

        --at-most δ certifies approximate interpolation: exit 0 when every pair's loss is proved \
        ≤ δ, exit 1 naming the pairs whose loss is proved > δ or cannot be decided at this precision. \
        --at-most Kulp:float32 (or float64, float16, bfloat16) instead asks every output token to lie \
        within K units in the last place of some target token, coordinate by coordinate, and every \
        target token near some output token: targets computed in float arithmetic are only that \
        close.

        Exits 0 (no --at-most, or every pair within δ), 1, 2 on invalid input, 64 on usage errors.
        """
    )

    @OptionGroup var files: ModelAndDataset
    @Option(help: "hausdorff, hausdorff-squared or mean-squared.") var kind: CertifiedLoss.Kind = .hausdorffSquared
    @OptionGroup var temperature: TemperatureOption
    @Option(name: .customLong("at-most"), help: ArgumentHelp("Certify every pair's loss ≤ δ (an exact rational: 1/1000, 1e-6), or T(X) within K units in the last place of the targets (Kulp:float32, Kulp:float64).", valueName: "δ"))
    var atMost: LossBound?
    @OptionGroup var precision: PrecisionOption
    @OptionGroup var limits: LimitOptions

    func validate() throws {
        if case .value(let delta) = atMost, delta.signum < 0 { throw ValidationError("--at-most must be ≥ 0, found \(delta)") }
    }

    /// The losses from outputs enclosed at --precision, or at 128, 256, … bits (`rigorousOutputs`).
    func compute(_ model: Transformer, _ data: Dataset) throws -> (CertifiedLoss.Report, [[[RationalInterval]]], Int) {
        let (outputs, bits) = try precision.outputs(model, data, temperature: temperature.tau, modelPath: files.model, limits: limits.evaluation)
        let report = try orExit(Exit.invalidInput, "\(files.dataset): ") {
            try CertifiedLoss.compute(kind: kind, outputs: outputs, dataset: data, exact: !model.usesSoftmax, significantBits: bits)
        }
        return (report, outputs, bits)
    }

    func run() throws {
        let (model, data) = try files.load()
        try requireSameDimension(model, data)
        try requireMatchingDigest(model, data, modelPath: files.model, datasetPath: files.dataset)
        let (report, outputs, bits) = try compute(model, data)
        let how = report.isExact ? "exact" : "rigorous at τ = \(temperature.tau ?? model.temperature ?? .one), \(bits) bits"
        print("loss: \(kind.rawValue), \(how), \(pairCount(data.pairs.count))")
        for (j, loss) in report.pairs.enumerated() { print("pair \(j): \(Loss.show(loss))") }
        print("mean: \(Loss.show(report.mean))")
        guard let bound = atMost else { return }
        var above: [Int] = [], undecided: [Int] = []
        for j in report.pairs.indices {
            let verdict: CertifiedLoss.Verdict
            switch bound {
            case .value(let delta):
                verdict = report.pairs[j].hi <= delta ? .within : report.pairs[j].lo > delta ? .outside : .undecided
            case .unitsInTheLastPlace(let k, let format):
                verdict = CertifiedLoss.withinUnitsInTheLastPlace(outputs[j], data.pairs[j].output, units: k, format: format)
            }
            if verdict == .outside { above.append(j) } else if verdict == .undecided { undecided.append(j) }
        }
        let what: String
        switch bound {
        case .value(let delta): what = "every pair's loss ≤ \(delta)"
        case .unitsInTheLastPlace: what = "every pair's T(X) within \(bound) of its targets, coordinate by coordinate"
        }
        if above.isEmpty && undecided.isEmpty {
            print("certified: \(what)")
            return
        }
        if !above.isEmpty { print("NOT within \(bound): pairs \(Loss.list(above))") }
        if !undecided.isEmpty { print("undecided at \(bits) bits: pairs \(Loss.list(undecided))") }
        throw Exit.propertyFailed
    }

    /// A point exactly when short, else a decimal; an interval as [lo, hi] with lo rounded down and
    /// hi rounded up to 17 significant digits (so the printed interval still contains the value),
    /// then ≈ midpoint ± radius.
    static func show(_ x: RationalInterval) -> String {
        func value(_ r: Rational) -> String {
            let text = r.description
            return text.count <= 40 ? text : r.scientific(digits: 17)
        }
        if x.isPoint { return value(x.lo) }
        return "[\(x.lo.scientific(digits: 17, rounding: .down)), \(x.hi.scientific(digits: 17, rounding: .up))] ≈ \(x.midpoint.scientific(digits: 17)) ± \(x.radius.scientific(digits: 2))"
    }

    static func list(_ indices: [Int]) -> String {
        indices.prefix(10).map(String.init).joined(separator: ", ") + (indices.count > 10 ? " … (\(indices.count) in all)" : "")
    }
}
