import Certification
import Evaluation
import ExactArithmetic
import TransformerModel

/// A model evaluated on a dataset stage by stage, with what pictures and reports need.
///
/// Hardmax models are evaluated exactly (the checks and the docs/mathematics.md#leader-selection geometry come from
/// it); softmax models, whose outputs are irrational, only in float64, for pictures.
public struct StageAnalysis: Sendable {
    public let problem: InterpolationProblem
    /// The evaluation: exact for hardmax models, float64 for softmax ones.
    public enum Trace: Sendable {
        case exact(StageTrace<Rational>)
        case float(StageTrace<Double>)
    }
    public let trace: Trace
    public var exactTrace: StageTrace<Rational>? { if case .exact(let t) = trace { return t } else { return nil } }
    /// The leaders as the exact configuration after the collapse shows them (pipeline models).
    public let geometry: LeaderGeometry?
    /// Exact checks of every stage (hardmax), or one "not applicable" entry (softmax).
    public let checks: [StageCheck]

    /// `projection`: the two drawn coordinates (nil: no paths). `temperature` overrides τ₀ for
    /// softmax models. Throws when the model cannot be evaluated (softmax without a temperature) or an
    /// exact evaluation passes `limits`.
    public init(model: Transformer, dataset: Dataset, problem: InterpolationProblem,
                projection: (x: Int, y: Int)?, temperature: Rational? = nil, runChecks: Bool = true,
                limits: EvaluationLimits = EvaluationLimits()) throws(EvaluationError) {
        guard model.dimension == problem.dimension else {
            throw EvaluationError("the model acts on ℚ^\(model.dimension) but the dataset's dimension is \(problem.dimension)")
        }
        if let (x, y) = projection, !(0..<problem.dimension).contains(x) || !(0..<problem.dimension).contains(y) {
            throw EvaluationError("coordinates \(x) and \(y) are not both in 0..<\(problem.dimension)")
        }
        self.problem = problem
        let inputs = problem.pairs.map(\.inputs)
        if model.usesSoftmax {
            trace = .float(try StageTrace<Double>(model: model, inputs: inputs.map { $0.map { $0.map(\.doubleValue) } },
                                                  projection: projection, temperature: temperature, limits: limits))
            geometry = nil
            checks = [StageCheck(stage: .model, claim: "exact checks of every stage", reference: "docs/mathematics.md#enclosure-certificate",
                                 outcome: .notApplicable,
                                 detail: "softmax outputs are irrational: the exact certificate is `verify` (enclosures)")]
        } else {
            let trace = try StageTrace<Rational>(model: model, inputs: inputs, projection: projection, limits: limits)
            self.trace = .exact(trace)
            if let c = trace.plan.step(.collapse), !trace.plan.steps[c].sublayers.isEmpty {
                geometry = LeaderGeometry(collapsed: problem.pairs.indices.map { trace.distinctValues(checkpoint: c + 1, sequence: $0) })
            } else {
                geometry = nil
            }
            checks = runChecks ? StageChecks.run(model: model, problem: problem, dataset: dataset, plan: trace.plan, checkpoints: trace.checkpoints, limits: limits) : []
        }
    }

    /// The picture of every stage on the coordinates `projection`.
    public func picture(model: Transformer, projection: (x: Int, y: Int), datasetName: String?) -> StagePicture {
        switch trace {
        case .exact(let t):
            return StagePicture(trace: t, problem: problem, model: model, projection: projection,
                                datasetName: datasetName, geometry: geometry)
        case .float(let t):
            return StagePicture(trace: t, problem: problem, model: model, projection: projection,
                                datasetName: datasetName, geometry: nil)
        }
    }
}
