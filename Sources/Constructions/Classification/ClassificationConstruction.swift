import Evaluation
import ExactArithmetic
import TransformerModel

/// Classification without leader moves (docs/mathematics.md#classification): every pair has one
/// output token (its label's), so each sequence only has to collapse onto *some* point of its own.
///
/// After separation (different sequences share no value), one block: an FF that shifts every token
/// into the positive orthant (x + c·1, width 1) and a hardmax attention with rank-one scores
/// s_ik = ⟨x_i, 1⟩⟨w, x_k⟩, V = I, ρ = 0. Since ⟨x_i, 1⟩ > 0, every token attends to the unique
/// maximiser ℓ_j of ⟨w, ·⟩ in its sequence (w separates all values: Lemmas 4.6–4.7), so sequence j
/// becomes {ℓ_j}, one of its own tokens, exactly. A final staircase sends ℓ_j to the label token;
/// w (among the first moment-curve directions) and the staircase direction v (among moment-curve and
/// small integer vectors) are chosen together so that the label changes as rarely as possible along v. Blocks: separation + 2 ≤ N + 1.
public enum ClassificationConstruction {
    /// Stage labels of the blocks (the strings written to model files).
    public static let collapseStage = Block.Stage.collapse
    public static let interpolationStage = Block.Stage.interpolation

    /// How many directions are tried for w and for v.
    static let leaderDirections = 8, staircaseDirections = 128

    public static func build(_ problem: InterpolationProblem, digest: String?,
                             progress: @escaping (String) -> Void = { _ in }) throws(ConstructionError) -> HardmaxConstruction.Result {
        do { try problem.requireTheoremDimension() } catch { throw .invalidData(error) }
        guard problem.pairs.allSatisfy({ $0.outputs.count == 1 }) else {
            throw .invalidData(InputError(path: "pairs", reason: "classification needs exactly one output token per pair"))
        }
        let d = problem.dimension
        var state = ConstructionState(problem)
        progress("separation: \(problem.count) sequences")
        try SeparationStage(layout: .compact, progress: progress).run(&state)
        let separationBlocks = state.blocks.count
        let targets = problem.pairs.map { $0.outputs[0] }

        // Choose w (hence the leaders) and v together: fewest label changes along v.
        let all = state.allValues()
        var best: (w: Token, v: Token, steps: Int)? = nil
        var t = 0, triedW = 0
        while triedW < leaderDirections && t < 10_000 {
            let w = GenericDirection.momentCurve(t, dimension: d)
            t += 1
            var seen = Set<Rational>()
            guard all.allSatisfy({ seen.insert(Rational.dot(w, $0)).inserted }) else { continue }
            triedW += 1
            let moves = leaderMoves(state.sequences, w: w, shift: [], targets: targets)
            for s in 0..<staircaseDirections {
                let v = candidateDirection(s, dimension: d)
                if let steps = Staircase.stepCount(moves, along: v), steps < (best?.steps ?? Int.max) {
                    best = (w, v, steps)
                }
            }
        }
        guard let choice = best else {
            throw .stageCheckFailed(stage: collapseStage.rawValue, detail: "no direction separates the leaders")
        }
        progress("collapse onto the maximiser of ⟨w,·⟩ in each sequence; staircase with \(choice.steps) steps")
        let c = ShiftLayer.orthantCoefficient(tokens: all)
        let shift = [Rational](repeating: c, count: d)
        let attention = SelfAttentionLayer(kind: .hardmax, rho: .zero, scores: .rankOne(p: [Rational](repeating: .one, count: d), q: choice.w),
                                           value: .scaledIdentity(.one))
        let expected = leaderMoves(state.sequences, w: choice.w, shift: shift, targets: targets)
        try state.append(Block(stage: collapseStage, feedForward: ShiftLayer.layer(adding: shift), attention: attention))
        for (j, s) in state.sequences.enumerated() where s != [expected[j].source] {
            throw .stageCheckFailed(stage: collapseStage.rawValue, detail: "\(state.pair(j)) holds \(s.count) values, not exactly its leader")
        }
        var merged: [Token: Token] = [:]
        var moves: [(source: Token, target: Token)] = []
        for m in expected {
            if let other = merged[m.source] {
                guard other == m.target else {
                    throw .stageCheckFailed(stage: collapseStage.rawValue, detail: "two sequences with different labels collapse onto one value")
                }
                continue
            }
            merged[m.source] = m.target
            moves.append(m)
        }
        let stairs = Staircase(moves: moves, dimension: d, direction: choice.v)
        try state.append(Block(stage: interpolationStage, feedForward: stairs.layer))
        for (j, s) in state.sequences.enumerated() where s != [targets[j]] {
            throw .stageCheckFailed(stage: interpolationStage.rawValue, detail: "\(state.pair(j)) does not reach its label token")
        }
        let stages = StageSummary.stages(of: state.blocks, marks: [(.separation, separationBlocks), (collapseStage, separationBlocks + 1),
                                                                  (interpolationStage, separationBlocks + 2)])
        let model = Transformer(dimension: d, blocks: state.blocks, datasetDigest: digest,
                                metadata: ModelMetadata(construction: .classification, layout: .compact, attention: .hardmax))
        // One label token per pair: Σm = N.
        let n = problem.count
        return HardmaxConstruction.Result(model: model, stages: stages, paperBound: .paper(.hardmax, pairs: n, outputs: n),
                                          layoutBound: .layout(.compact, .hardmax, pairs: n, outputs: n))
    }

    /// The s-th staircase direction tried: the first 64 moment-curve directions, then small integer
    /// vectors spread over the sphere (entries in −2…2 from a fixed linear congruential sequence),
    /// so that some direction sorts the leaders by label better than the others.
    static func candidateDirection(_ s: Int, dimension d: Int) -> Token {
        if s < 64 { return GenericDirection.momentCurve(s, dimension: d) }
        var state = UInt64(truncatingIfNeeded: s) &* 0x9E37_79B9_7F4A_7C15 &+ 0x2545_F491_4F6C_DD1D
        return (0..<d).map { _ in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Rational(Int((state >> 33) % 5) - 2)
        }
    }

    /// (ℓ_j + shift, target_j) for every sequence: ℓ_j the maximiser of ⟨w, ·⟩.
    static func leaderMoves(_ sequences: [[Token]], w: Token, shift: Token, targets: [Token]) -> [(source: Token, target: Token)] {
        sequences.enumerated().map { j, s in
            let leader = s.max { Rational.dot(w, $0) < Rational.dot(w, $1) } ?? []
            return (shift.isEmpty || leader.isEmpty ? leader : added(leader, shift), targets[j])
        }
    }
}

extension ClassificationConstruction {
    /// A compact classifier built both ways — this construction (a collapse onto a token of each
    /// sequence) and Theorem 1.4's leader moves — with the one kept: the fewer structured
    /// parameters (docs/classification.md). `construct` on labelled data in the compact layout.
    public struct Choice: Sendable {
        /// This construction's result.
        public var direct: HardmaxConstruction.Result
        /// Theorem 1.4's result (leader moves).
        public var leaderMoves: HardmaxConstruction.Result
        /// True when `direct` is kept.
        public var keepsDirect: Bool
        /// The result kept.
        public var kept: HardmaxConstruction.Result { keepsDirect ? direct : leaderMoves }
    }

    /// Builds this construction for `problem` and keeps it when it has fewer structured parameters
    /// than `leaderMoves` (already built by `HardmaxConstruction.build` in the compact layout).
    public static func smaller(than leaderMoves: HardmaxConstruction.Result, _ problem: InterpolationProblem, digest: String?,
                               progress: @escaping (String) -> Void = { _ in }) throws(ConstructionError) -> Choice {
        let direct = try build(problem, digest: digest, progress: progress)
        let keepsDirect = direct.model.parameterCount.structured < leaderMoves.model.parameterCount.structured
        return Choice(direct: direct, leaderMoves: leaderMoves, keepsDirect: keepsDirect)
    }
}
