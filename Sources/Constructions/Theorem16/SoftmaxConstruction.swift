import Certification
import Evaluation
import ExactArithmetic
import TransformerModel

/// Why the softmax construction stopped.
public enum SoftmaxConstructionError: Error, CustomStringConvertible {
    /// Invalid data or a failed stage check, as in Theorem 1.4.
    case construction(ConstructionError)
    /// No temperature in the search certified the model; every attempt with its reason.
    case temperatureNotFound([TemperatureSearch.Attempt])

    public var description: String {
        switch self {
        case .construction(let e): return e.description
        case .temperatureNotFound(let attempts):
            let range = "τ = \(attempts.first?.temperature.description ?? "?") down to \(attempts.last?.temperature.description ?? "?")"
            let last = attempts.last.map { "; at τ = \($0.temperature): \($0.failure ?? "")" } ?? ""
            return "no temperature certified in \(attempts.count) tries (\(range), halving)\(last)"
        }
    }
}

/// Theorem 1.6 end to end: a softmax transformer with T_τ(X^j) = Y^j as sets for every pair and
/// every τ ∈ (0, τ₀], certified by enclosures (see docs/mathematics.md#theorem-1-6).
///
/// 1. The stages of Theorem 1.4 — separation, leader selection, collapse — run on the hardmax
///    trajectory exactly as there (`SeparationStage`, `LeaderSelectionStage`).
/// 2. The re-collapse (docs/mathematics.md#re-collapse) (`ReCollapseStage`) maps every collapsed cluster to its output with
///    layers that are constant on a neighbourhood of each cluster.
/// 3. Margins (docs/mathematics.md#softmax-margins): every hat of Lemma 4.8 becomes a flat-top trapezoid (`TrapezoidHat`), so every
///    kink stays a fixed distance from every point of the trajectory; every attention layer
///    becomes softmax. The hardmax trajectory is unchanged, which is re-checked exactly.
/// 4. τ₀ by halving (`TemperatureSearch`) from a start near the smallest score gap of the
///    trajectory: the first τ at which the enclosure certificate holds.
///
/// Counts: narrow ≤ 2(N − 1) + Σm + 1 + Σm = 2Σm + 2N − 1 blocks, within the paper's 2Σm + 3N
/// (width ≤ 5: a trapezoid plus the shift that rides with it); compact ≤ N + 1.
public enum SoftmaxConstruction {
    /// The construction's output with its figures.
    public struct Result: Sendable {
        /// The model, with `temperature` = τ₀.
        public var model: Transformer
        public var stages: [StageSummary]
        /// The paper's bound 2Σm + 3N (Theorem 1.6).
        public var paperBound: BlockBound
        /// This layout's bound: 2Σm + 2N − 1 (narrow) or N + 1 (compact).
        public var layoutBound: BlockBound
        /// Every τ tried; the last one is τ₀.
        public var attempts: [TemperatureSearch.Attempt]
        /// Hats turned into trapezoids.
        public var trapezoids: Int
        public var temperature: Rational { model.temperature ?? .zero }
    }

    /// Builds the softmax transformer for `problem` and searches τ₀ on `pairs` (the dataset as
    /// given, repeated tokens included: under softmax a repeated key weighs twice). `limits` bounds
    /// the exact evaluation that checks the margins (an overrun is `ConstructionError.resourceLimit`).
    public static func build(_ problem: InterpolationProblem, pairs: [SequencePair], digest: String?,
                             layout: HardmaxConstruction.Layout, search: TemperatureSearch = TemperatureSearch(),
                             limits: EvaluationLimits = EvaluationLimits(),
                             progress: @escaping (String) -> Void = { _ in }) throws(SoftmaxConstructionError) -> Result {
        let hardmax: (blocks: [Block], marks: [(Block.Stage, Int)])
        do { hardmax = try trajectory(problem, layout: layout, progress: progress) } catch { throw .construction(error) }

        // Margins, then an exact check that the trajectory is unchanged.
        var trapezoids = 0
        var blocks = hardmax.blocks.map { block -> Block in
            var b = block
            let (ff, converted) = MarginConversion.withMargins(block.feedForward)
            trapezoids += converted
            b.feedForward = ff
            return b
        }
        let metadata = ModelMetadata(construction: .theorem16, layout: layout, attention: .softmax)
        let check = Transformer(dimension: problem.dimension, blocks: blocks)
        var smallestGap: Rational? = nil
        let traces: [[LayerRecord<Rational>]]
        do {
            let evaluator = try Evaluator<Rational>(check, limits: limits)
            traces = try firstError(parallelMap(problem.pairs) { pair in
                Swift.Result { () throws(EvaluationError) in try evaluator.trace(pair.inputs) }
            })
        } catch {
            throw .construction(error.overrun != nil ? .resourceLimit(error) : .stageCheckFailed(stage: "margins", detail: "\(error)"))
        }
        for (j, pair) in problem.pairs.enumerated() {
            guard interpolates(traces[j].last?.tokens ?? pair.inputs, pair.outputs) else {
                throw .construction(.stageCheckFailed(stage: "margins", detail: "pair \(pair.sourceIndex) no longer interpolates after the hats became trapezoids"))
            }
            for record in traces[j] {
                if let g = record.smallestScoreGap { smallestGap = smallestGap.map { min($0, g) } ?? g }
            }
        }
        for b in blocks.indices { blocks[b].attention.kind = .softmax }

        let start = search.start ?? TemperatureSearch.automaticStart(smallestScoreGap: smallestGap)
        progress("temperature search: halving from τ = \(start), at most \(search.maximumTries) tries (smallest score gap \(smallestGap?.description ?? "none"))")
        var model = Transformer(dimension: problem.dimension, blocks: blocks, datasetDigest: digest, metadata: metadata)
        let attempts = TemperatureSearch(start: start, maximumTries: search.maximumTries).run(model, on: pairs, progress: progress)
        guard let last = attempts.last, last.certified else { throw .temperatureNotFound(attempts) }
        model.temperature = last.temperature

        let stages = StageSummary.stages(of: model.blocks, marks: hardmax.marks)
        let n = problem.count, m = problem.totalOutputCount
        return Result(model: model, stages: stages, paperBound: .paper(.softmax, pairs: n, outputs: m),
                      layoutBound: .layout(layout, .softmax, pairs: n, outputs: m),
                      attempts: attempts, trapezoids: trapezoids)
    }

    /// Separation, leader selection and collapse of Theorem 1.4, then the re-collapse (docs/mathematics.md#re-collapse), all
    /// on the hardmax trajectory; returns the blocks and the stage boundaries.
    static func trajectory(_ problem: InterpolationProblem, layout: HardmaxConstruction.Layout,
                           progress: @escaping (String) -> Void) throws(ConstructionError) -> (blocks: [Block], marks: [(Block.Stage, Int)]) {
        // Softmax needs margins: evenly spread sphere leaders keep the collapse's score gaps, and
        // hence τ₀, large.
        var (state, leaders, marks) = try HardmaxConstruction.collapsed(problem, layout: layout, spreadSphereLeaders: true,
                                                                        progress: progress)
        let outputs = problem.pairs.map(\.outputs)
        try ReCollapseStage(layout: layout, progress: progress).run(&state, leaders: leaders, outputs: outputs)
        marks.append((.reCollapse, state.blocks.count))
        return (state.blocks, marks)
    }
}
