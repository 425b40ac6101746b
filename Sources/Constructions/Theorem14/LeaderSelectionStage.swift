import Certification
import Evaluation
import ExactArithmetic
import TransformerModel

/// Stages 2 and 3 of Theorem 1.4 (see docs/mathematics.md#leader-selection, #collapse): choose m^j leaders per sequence, move them to
/// where Lemma 4.4 needs them, and collapse every sequence onto its leaders.
///
/// After a shift into the positive orthant, every value lies in the open cube (0, a)^d. In
/// sequence j the first leader goes to p_j = λ_j·1 (λ_j ≥ a, distinct), the other m^j − 1 to
/// distinct rational points of the unit sphere inside the negative orthant (Lemma 4.3). Then one
/// attention layer with A = I, V = I, ρ = 0 sends every non-leader to p_j and fixes every leader
/// (Lemma 4.4 with γ = 1): sequence j holds exactly its m^j leader values.
struct LeaderSelectionStage {
    let layout: HardmaxConstruction.Layout
    let outputs: Set<Token>
    let outputCounts: [Int]
    /// y^j_1, the output p_j will be sent to. Sequences with equal y^j_1 get consecutive λ_j, so
    /// along any direction the compact interpolation staircase needs a step only where y^j_1
    /// changes (classification: L − 1 steps for L labels instead of N − 1).
    var firstOutputs: [Token] = []
    /// Spread the sphere leaders evenly (softmax: larger score gaps, hence a larger τ₀) instead of
    /// using the shortest points (hardmax: exact ties need no margin, short numbers matter).
    var spreadSphereLeaders = false
    let progress: (String) -> Void
    /// Float weights: dyadic hats and integer sphere leaders of one common norm.
    var weights: WeightFormat = .exact

    /// The collapse layer (docs/mathematics.md#collapse): Lemma 4.4 with γ = 1, A = I, V = I, ρ = 0.
    static let collapse = SelfAttentionLayer(kind: .hardmax, rho: .zero, scores: .scaledIdentity(.one), value: .scaledIdentity(.one))

    /// The collapse when every sequence has one leader (m^j = 1), compact hardmax: A = 1·1ᵀ (rank
    /// one), V = I, ρ = 0 (docs/mathematics.md#collapse). Every token is in the open positive orthant, so
    /// s_ik = (Σx_i)(Σx_k) is maximised by the largest coordinate sum, p_j = λ_j·1 alone (λ_j ≥ a
    /// and every other value lies in (0, a)^d): the same argmax sets as A = I, found by one pass
    /// over the keys instead of n² scores per sequence.
    static func singleLeaderCollapse(dimension d: Int) -> SelfAttentionLayer {
        let ones = [Rational](repeating: .one, count: d)
        return SelfAttentionLayer(kind: .hardmax, rho: .zero, scores: .rankOne(p: ones, q: ones), value: .scaledIdentity(.one))
    }

    /// The collapse this stage builds: rank one for compact hardmax with m^j = 1 for every j,
    /// Lemma 4.4's A = I otherwise (sphere leaders must attend to themselves; softmax keeps the
    /// score gaps its τ₀ search was designed for; narrow follows the paper).
    func collapseLayer(dimension d: Int) -> SelfAttentionLayer {
        layout == .compact && !spreadSphereLeaders && outputCounts.allSatisfy({ $0 == 1 })
            ? LeaderSelectionStage.singleLeaderCollapse(dimension: d) : LeaderSelectionStage.collapse
    }

    /// Leader targets per sequence: [p_j, sphere points…]; all fresh and never an output token.
    func targets(cube a: Rational, dimension d: Int) throws(ConstructionError) -> [[Token]] {
        var lambda = a
        var sphereIndex = 0
        // Spread: t₁ evenly over (1, 2], so neighbours stay about 1/K apart and the collapse's
        // score gaps (|s − s′|²/2) shrink like 1/K², not like 1/k⁴ as for t₁ = k + 1.
        let spread = spreadSphereLeaders ? outputCounts.reduce(0) { $0 + max(0, $1 - 1) } + 1 : nil
        var result = [[Token]](repeating: [], count: outputCounts.count)
        // Float weights: integer points of one norm (Lemma 4.4 needs equal norms, not norm 1).
        var integerPoints: [Token] = []
        if weights.isDyadic {
            let needed = outputCounts.reduce(0) { $0 + max(0, $1 - 1) }
            guard let points = WeightFormat.integerSpherePoints(needed, dimension: d, avoiding: outputs) else {
                throw .invalidData(InputError(path: "", reason: "no \(needed) integer points of one norm in the negative orthant of ℤ^\(d) within the search limit: --weights needs them for the sphere leaders"))
            }
            integerPoints = points
        }
        for j in lambdaOrder {
            let m = outputCounts[j]
            var p = [Rational](repeating: lambda, count: d)
            while outputs.contains(p) { lambda += .one; p = [Rational](repeating: lambda, count: d) }
            lambda += .one
            var list = [p]
            while list.count < m && weights.isDyadic {
                list.append(integerPoints[sphereIndex])
                sphereIndex += 1
            }
            while list.count < m {
                sphereIndex += 1
                let s = LeaderSelectionStage.negativeSpherePoint(sphereIndex, of: spread, dimension: d)
                if !outputs.contains(s) { list.append(s) }
            }
            result[j] = list
        }
        return result
    }

    /// The sequences in the order they receive λ_j: grouped by y^j_1 (groups in order of first
    /// appearance, sequence order inside a group); the identity when every y^j_1 differs.
    var lambdaOrder: [Int] {
        guard firstOutputs.count == outputCounts.count else { return Array(outputCounts.indices) }
        var groups: [Token: Int] = [:]
        var members: [[Int]] = []
        for (j, y) in firstOutputs.enumerated() {
            if let g = groups[y] { members[g].append(j) } else { groups[y] = members.count; members.append([j]) }
        }
        return members.flatMap { $0 }
    }

    /// −(2t, |t|² − 1)/(|t|² + 1) for t = (t₁, 1, …, 1) ∈ ℚ^{d−1} with t₁ = k + 1, or
    /// t₁ = (K + k)/K when `scale` K is given: on the unit sphere (inverse stereographic
    /// projection); every coordinate < 0 since t > 0 and |t|² > 1 (k ≥ 1); distinct for distinct k.
    static func negativeSpherePoint(_ k: Int, of scale: Int? = nil, dimension d: Int) -> Token {
        var t = [Rational](repeating: .one, count: d - 1)
        t[0] = scale.map { Rational($0 + k) / Rational($0) } ?? Rational(k + 1)
        let n2 = squaredNorm(t)
        let factor = -(n2 + .one).reciprocal
        return t.map { Rational(2) * $0 * factor } + [(n2 - .one) * factor]
    }

    /// Runs the stage; returns the leader targets of every sequence, p_j first.
    func run(_ state: inout ConstructionState) throws(ConstructionError) -> [[Token]] {
        let d = state.dimension
        let all = state.allValues()
        let c = ShiftLayer.orthantCoefficient(tokens: all)
        let shift = [Rational](repeating: c, count: d)
        let a = ((all.flatMap { $0 }.max() ?? .zero) + c).floor + .one
        let targetLists = try targets(cube: a, dimension: d)
        var moves: [(source: Token, target: Token)] = []
        for (j, s) in state.sequences.enumerated() {
            for (k, target) in targetLists[j].enumerated() { moves.append((s[k], target)) }
        }
        progress("leader selection: \(moves.count) leaders, cube side \(a)")
        switch layout {
        case .compact:
            let hats = HatFunction.moving(moves, among: all, dimension: d, shift: shift, weights: weights)
            try finish(hatLayer(hats, shift: shift), state: &state, targets: targetLists, cube: a)
        case .narrow:
            // The orthant shift rides in the first FF, with the first hat; later blocks move one
            // value each.
            guard let first = moves.first else { break }
            let hats = HatFunction.moving([first], among: all, dimension: d, shift: shift, weights: weights)
            let ff = hatLayer(hats, shift: shift)
            if moves.count == 1 {
                try finish(ff, state: &state, targets: targetLists, cube: a)
                break
            }
            try state.append(Block(stage: .leaderSelection, feedForward: ff))
            var mover = SingleMoveBlocks(state, weights: weights)
            for (index, move) in moves.enumerated().dropFirst() {
                let source = added(move.source, shift)
                let hat = try mover.hat(moving: source, to: move.target, stage: "leader selection")
                if index == moves.count - 1 {
                    try finish(hat, state: &state, targets: targetLists, cube: a)
                } else {
                    mover.commit(Block(stage: .leaderSelection, feedForward: hat), moving: source, to: move.target, state: &state)
                }
            }
        }
        return targetLists
    }

    /// Applies the last leader FF, checks the placement of docs/mathematics.md#leader-selection exactly, then appends the block with
    /// the collapse attention and checks docs/mathematics.md#collapse.
    func finish(_ ff: FeedForwardLayer, state: inout ConstructionState, targets: [[Token]], cube a: Rational) throws(ConstructionError) {
        let placed = state.applying(ff)
        for (j, s) in placed.enumerated() {
            let leaders = Set(targets[j])
            guard leaders.isSubset(of: s) else {
                throw .stageCheckFailed(stage: "leader selection", detail: "\(state.pair(j)) does not hold all its leader targets")
            }
            for x in s where !leaders.contains(x) {
                guard x.allSatisfy({ $0 > .zero && $0 < a }) else {
                    throw .stageCheckFailed(stage: "leader selection", detail: "\(state.pair(j)): non-leader \(x) is outside the cube (0, \(a))^d")
                }
            }
        }
        let layer = collapseLayer(dimension: state.dimension)
        let block = Block(stage: .leadersAndCollapse, feedForward: ff, attention: layer)
        // B(X) = SA(FF(X)): the FF part is `placed` already, so only the attention runs here.
        let collapse = CompiledAttention<Rational>(layer, temperature: nil)
        let collapsed = parallelMap(placed) { collapse.apply($0) }
        for (j, s) in collapsed.enumerated() where !interpolates(s, targets[j]) {
            throw .stageCheckFailed(stage: "collapse", detail: "\(state.pair(j)) holds \(Set(s).count) values, not exactly its \(targets[j].count) leaders")
        }
        try state.append(block, result: collapsed)
    }
}

/// Stage 4 of Theorem 1.4 (see docs/mathematics.md#interpolation): move each collapsed value to its output token.
struct InterpolationStage {
    let layout: HardmaxConstruction.Layout
    let progress: (String) -> Void
    /// Float weights: dyadic ramps and hats.
    var weights: WeightFormat = .exact

    /// `leaders[j][k]` goes to `outputs[j][k]`.
    func run(_ state: inout ConstructionState, leaders: [[Token]], outputs: [[Token]]) throws(ConstructionError) {
        let d = state.dimension
        let moves = ConstructionState.leaderMoves(leaders, to: outputs)
        progress("interpolation: \(moves.count) values to place")
        switch layout {
        case .compact:
            let stairs = Staircase(moves: moves, dimension: d, weights: weights)
            try state.append(Block(stage: .interpolation, feedForward: stairs.layer))
        case .narrow:
            var mover = SingleMoveBlocks(state, weights: weights)
            for move in moves {
                let hat = try mover.hat(moving: move.source, to: move.target, stage: "interpolation")
                mover.commit(Block(stage: .interpolation, feedForward: hat), moving: move.source, to: move.target, state: &state)
            }
        }
        try state.requireInterpolates(outputs, stage: "interpolation")
    }
}
