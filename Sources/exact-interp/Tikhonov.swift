import ArgumentParser
import Certification
import Evaluation
import ExactArithmetic
import TrainingBounds
import TransformerModel

/// How the trainer's weight decay ε enters the objective.
enum WeightDecayConvention: String, ExpressibleByArgument, CaseIterable {
    /// L + ε‖θ‖² (the Python package's Example 2.2 training, the paper's Section 2).
    case penalty
    /// Adam's `weight_decay = ε` adds ε·θ to the gradient: the penalty (ε/2)‖θ‖².
    case adam

    /// c in L + c·ε·R.
    var factor: Rational { self == .adam ? Rational.one / Rational(2) : .one }
}

/// `exact-interp tikhonov`: Proposition 2.1 checked on a trained model against an interpolant.
struct Tikhonov: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tikhonov",
        abstract: "Check Proposition 2.1 on a trained model: L(θ) + εR(θ) against L(θ*) + εR(θ*).",
        discussion: """
        A minimiser θ_ε of L + εR satisfies L(θ_ε) + εR(θ_ε) ≤ L(θ*) + εR(θ*) for every θ*, in \
        particular for an interpolant (L(θ*) = 0: the bound εR(θ*)). This command computes both \
        sides for TRAINED and INTERPOLANT on DATASET: L with `loss --kind` (exact for hardmax, \
        a rational interval for softmax at each model's τ, or --tau for both), R(θ) = ‖θ‖² of \
        the parameters as stored in the model file (scores unscaled by τ; padding layers of an \
        import left out). L(θ*) may be non-zero (targets computed in floating point).

        --weight-decay-convention penalty (default) is L + ε‖θ‖²; adam is Adam's weight_decay = ε, \
        the penalty (ε/2)‖θ‖².

        Exits 0 when the inequality is proved, 1 when it is proved false or cannot be decided at \
        this precision, 2 on invalid input, 64 on usage errors.
        """
    )

    @Argument(help: "The trained model (JSON; `import` makes one from a PyTorch state dict).") var trained: String
    @Argument(help: "The interpolant θ* (JSON), e.g. the data generator or a constructed model.") var interpolant: String
    @Argument(help: "The training data (JSON dataset).") var dataset: String
    @Option(help: ArgumentHelp("The weight decay ε (an exact rational: 1/1000, 1e-3).", valueName: "ε")) var epsilon: Rational
    @Option(help: "hausdorff, hausdorff-squared or mean-squared.") var kind: CertifiedLoss.Kind = .hausdorffSquared
    @Option(name: .customLong("weight-decay-convention"), help: "penalty (L + ε‖θ‖²) or adam (L + (ε/2)‖θ‖²).")
    var convention: WeightDecayConvention = .penalty
    @OptionGroup var temperature: TemperatureOption
    @OptionGroup var precision: PrecisionOption
    @OptionGroup var limits: LimitOptions

    func validate() throws {
        if epsilon.signum < 0 { throw ValidationError("--epsilon must be ≥ 0, found \(epsilon)") }
    }

    /// R(θ) of the stored parameters: the model read at τ = 1, so no score is divided by τ.
    static func parameterNorm(_ model: Transformer) -> Rational {
        var stored = model
        stored.temperature = model.usesSoftmax ? .one : model.temperature
        return stored.tikhonovBound.total
    }

    /// L(θ) + c·ε·R(θ) with L the mean loss over the pairs.
    func side(_ model: Transformer, path: String, _ data: Dataset) throws -> (loss: RationalInterval, norm: Rational, total: RationalInterval) {
        try requireSameDimension(model, data)
        try requireMatchingDigest(model, data, modelPath: path, datasetPath: dataset)
        let (outputs, bits) = try precision.outputs(model, data, temperature: temperature.tau, modelPath: path, limits: limits.evaluation)
        let report = try orExit(Exit.invalidInput, "\(dataset): ") {
            try CertifiedLoss.compute(kind: kind, outputs: outputs, dataset: data, exact: !model.usesSoftmax, significantBits: bits)
        }
        let norm = Tikhonov.parameterNorm(model)
        return (report.mean, norm, report.mean + RationalInterval(convention.factor * epsilon * norm))
    }

    func run() throws {
        let trainedModel = try loadModel(trained)
        let interpolantModel = try loadModel(interpolant)
        let data = try loadDataset(dataset, for: trainedModel)
        let c = convention.factor
        let weight = c == .one ? "ε" : "(ε/2)"
        print("Proposition 2.1: L(θ) + \(weight)R(θ) ≤ L(θ*) + \(weight)R(θ*), L = mean \(kind.rawValue) over \(pairCount(data.pairs.count)), ε = \(epsilon)")
        let left = try side(trainedModel, path: trained, data)
        let right = try side(interpolantModel, path: interpolant, data)
        for (name, path, s) in [("trained θ", trained, left), ("interpolant θ*", interpolant, right)] {
            print("\(name) (\(path)):")
            print("  L = \(Loss.show(s.loss))")
            print("  R = ‖θ‖² = \(Loss.show(RationalInterval(s.norm)))")
            print("  L + \(weight)R = \(Loss.show(s.total))")
        }
        if trainedModel == interpolantModel {
            print("holds, with equality: the two files hold the same model")
        } else if left.total.hi <= right.total.lo {
            print("holds: L(θ) + \(weight)R(θ) ≤ L(θ*) + \(weight)R(θ*)")
        } else if left.total.lo > right.total.hi {
            print("does NOT hold: the trained model's regularised loss is larger (not a minimiser of L + \(weight)R)")
            throw Exit.propertyFailed
        } else {
            print("undecided: the two sides' intervals overlap (raise --precision)")
            throw Exit.propertyFailed
        }
    }
}
