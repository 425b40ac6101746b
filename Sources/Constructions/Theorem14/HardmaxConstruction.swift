import Evaluation
import ExactArithmetic
import TransformerModel

/// Theorem 1.4 end to end: a hardmax transformer with T(X^j) = Y^j as sets for every pair.
///
/// Pipeline (see docs/mathematics.md#theorem-1-4, Figure 5): separation → leader selection → collapse → interpolation. Each
/// stage is applied with the exact evaluator as soon as it is built and checked before the next
/// one starts; the finished model is then re-evaluated from scratch on the dataset as given.
public enum HardmaxConstruction {
    /// Block layouts (see docs/mathematics.md#layouts): narrow ≤ 2Σm + 2N − 2 blocks, compact ≤ N + 1
    /// (`BlockBound.layout`).
    public typealias Layout = BlockLayout

    /// The construction's output with its figures.
    public struct Result: Sendable {
        public var model: Transformer
        public var stages: [StageSummary]
        /// The paper's bound 2Σm + 2N + 1 (Theorem 1.4).
        public var paperBound: BlockBound
        /// The bound of this layout: 2Σm + 2N − 2 (narrow) or N + 1 (compact).
        public var layoutBound: BlockBound
    }

    /// Stages 1–3 (separation, leader selection, collapse), shared with Theorem 1.6: the state
    /// after the collapse, the leader values of every sequence, and where each stage ends.
    static func collapsed(_ problem: InterpolationProblem, layout: Layout, spreadSphereLeaders: Bool = false,
                          separationHeads: Int = 1, weights: WeightFormat = .exact,
                          progress: @escaping (String) -> Void)
        throws(ConstructionError) -> (state: ConstructionState, leaders: [[Token]], marks: [(Block.Stage, Int)]) {
        do { try problem.requireTheoremDimension() } catch { throw .invalidData(error) }
        var state = ConstructionState(problem)
        var marks: [(Block.Stage, Int)] = []
        progress("separation: \(problem.count) sequences")
        // Softmax (spread sphere leaders) needs every attention score gap certified, so its narrow
        // separation keeps the steps whose directions separate all values (no direction rounds).
        try SeparationStage(layout: layout, progress: progress, heads: separationHeads,
                            directionRounds: !spreadSphereLeaders, weights: weights).run(&state)
        marks.append((.separation, state.blocks.count))
        let outputs = problem.pairs.map(\.outputs)
        let leaderStage = LeaderSelectionStage(layout: layout, outputs: Set(outputs.flatMap { $0 }),
                                               outputCounts: outputs.map(\.count),
                                               firstOutputs: outputs.compactMap(\.first),
                                               spreadSphereLeaders: spreadSphereLeaders, progress: progress, weights: weights)
        let leaders = try leaderStage.run(&state)
        marks.append((.leadersAndCollapse, state.blocks.count))
        return (state, leaders, marks)
    }

    /// Builds the transformer for `problem` (validated data; `digest` identifies the dataset file).
    /// `separationHeads` (1 or 2): attention heads of the compact layout's many-sequence separation
    /// blocks (2: top and bottom leaders, see docs/construction.md#separation).
    /// With `weights` = `.float(f)` every parameter is a value of f (docs/construction.md#float-weights):
    /// the data's coordinates must be values of f (`WeightFormat.firstNonRepresentable(in:)` on the
    /// dataset, checked by the caller), and a parameter that still needs more precision or range
    /// than f has is reported as invalid data (the limit of this dataset, not a bug).
    public static func build(_ problem: InterpolationProblem, digest: String?, layout: Layout, separationHeads: Int = 1,
                             weights: WeightFormat = .exact,
                             progress: @escaping (String) -> Void = { _ in }) throws(ConstructionError) -> Result {
        var (state, leaders, marks) = try collapsed(problem, layout: layout, separationHeads: separationHeads,
                                                    weights: weights, progress: progress)
        try InterpolationStage(layout: layout, progress: progress, weights: weights)
            .run(&state, leaders: leaders, outputs: problem.pairs.map(\.outputs))
        marks.append((.interpolation, state.blocks.count))
        let stages = StageSummary.stages(of: state.blocks, marks: marks)
        let metadata = ModelMetadata(construction: .theorem14, layout: layout, attention: .hardmax,
                                     other: weights.isDyadic ? ["weights": weights.name] : [:])
        let model = Transformer(dimension: problem.dimension, blocks: state.blocks, datasetDigest: digest, metadata: metadata)
        if let where_ = weights.firstNonRepresentable(in: model) {
            throw .invalidData(InputError(path: "", reason: "the construction needs a parameter that is not exactly a \(weights.name): \(where_)"))
        }
        let n = problem.count, m = problem.totalOutputCount
        return Result(model: model, stages: stages, paperBound: .paper(.hardmax, pairs: n, outputs: m),
                      layoutBound: .layout(layout, .hardmax, pairs: n, outputs: m))
    }
}
