import ArgumentParser
import Certification
import Evaluation
import ExactArithmetic
import TransformerModel

extension CertifiedLoss.Kind: ExpressibleByArgument {}

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
        Section 2. hausdorff is its square root; mean-squared compares position i with target i \
        ((1/(n·d)) Σ ‖T(X)_i − y_i‖², as nn.MSELoss).

        --at-most δ certifies approximate interpolation: exit 0 when every pair's loss is proved \
        ≤ δ, exit 1 naming the pairs whose loss is proved > δ or cannot be decided at this precision.

        Exits 0 (no --at-most, or every pair within δ), 1, 2 on invalid input, 64 on usage errors.
        """
    )

    @OptionGroup var files: ModelAndDataset
    @Option(help: "hausdorff, hausdorff-squared or mean-squared.") var kind: CertifiedLoss.Kind = .hausdorffSquared
    @OptionGroup var temperature: TemperatureOption
    @Option(name: .customLong("at-most"), help: ArgumentHelp("Certify every pair's loss ≤ δ (an exact rational: 1/1000, 1e-6).", valueName: "δ"))
    var atMost: Rational?
    @Option(help: "Significant bits of the rigorous evaluation (16…4096); by default 128, doubled up to 4096 until every loss is known to a relative 2^-40.")
    var precision: Int?

    func validate() throws {
        if let atMost, atMost.signum < 0 { throw ValidationError("--at-most must be ≥ 0, found \(atMost)") }
        if let precision, !(16...4096).contains(precision) { throw ValidationError("--precision must be between 16 and 4096, found \(precision)") }
    }

    /// The report at `precision`, or at 128, 256, … bits until every loss interval is narrow:
    /// models with narrow hats (Lemma 4.8) amplify the exponentials' rounding.
    func compute(_ model: Transformer, _ data: Dataset) throws -> (CertifiedLoss.Report, Int) {
        var bits = precision ?? 128
        while true {
            let report = try orExit(Exit.invalidInput, "\(files.model): ") {
                try CertifiedLoss.compute(model: model, dataset: data, kind: kind, temperature: temperature.tau, significantBits: bits)
            }
            let narrow = report.pairs.allSatisfy { $0.width <= Rational.powerOfTwo(-40) * max(.one, $0.magnitude) }
            if precision != nil || narrow || bits >= 4096 { return (report, bits) }
            bits *= 2
        }
    }

    func run() throws {
        let (model, data) = try files.load()
        try requireSameDimension(model, data)
        try requireMatchingDigest(model, data, modelPath: files.model, datasetPath: files.dataset)
        let (report, bits) = try compute(model, data)
        let how = report.isExact ? "exact" : "rigorous at τ = \(temperature.tau ?? model.temperature ?? .one), \(bits) bits"
        print("loss: \(kind.rawValue), \(how), \(pairCount(data.pairs.count))")
        for (j, loss) in report.pairs.enumerated() { print("pair \(j): \(Loss.show(loss))") }
        print("mean: \(Loss.show(report.mean))")
        guard let delta = atMost else { return }
        let above = report.pairs.indices.filter { report.pairs[$0].lo > delta }
        let undecided = report.pairs.indices.filter { report.pairs[$0].lo <= delta && report.pairs[$0].hi > delta }
        if above.isEmpty && undecided.isEmpty {
            print("certified: every pair's loss ≤ \(delta)")
            return
        }
        if !above.isEmpty { print("NOT within \(delta): pairs \(Loss.list(above))") }
        if !undecided.isEmpty { print("undecided at \(bits) bits (the interval contains \(delta)): pairs \(Loss.list(undecided))") }
        throw Exit.propertyFailed
    }

    /// A point exactly when short, else a decimal; an interval as [lo, hi] ≈ mid ± radius.
    static func show(_ x: RationalInterval) -> String {
        func value(_ r: Rational) -> String {
            let text = r.description
            return text.count <= 40 ? text : r.scientific(digits: 17)
        }
        if x.isPoint { return value(x.lo) }
        return "[\(x.lo.scientific(digits: 17)), \(x.hi.scientific(digits: 17))] ≈ \(x.midpoint.scientific(digits: 17)) ± \(x.radius.scientific(digits: 2))"
    }

    static func list(_ indices: [Int]) -> String {
        indices.prefix(10).map(String.init).joined(separator: ", ") + (indices.count > 10 ? " … (\(indices.count) in all)" : "")
    }
}
