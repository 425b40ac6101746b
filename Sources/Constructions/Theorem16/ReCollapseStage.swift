import Certification
import ExactArithmetic
import TransformerModel

/// docs/mathematics.md#re-collapse: after the softmax collapse every sequence is m^j small clusters around its leaders;
/// feed-forward layers that are *constant on a neighbourhood* of each cluster make every token an
/// exact point again, and put it on its output.
///
/// - compact: one non-residual staircase (width ≤ 2K − 1, K = Σm; a step only where the target changes) along a direction v separating the
///   K leader values, constant — exactly the output — on a slab around each leader. One block.
/// - narrow (bounded width): one non-residual width-1 block x ↦ e₁·σ(⟨v, x⟩ + b) puts every
///   cluster on the first axis at s_k = ⟨v, c_k⟩ + b ≥ 1, b chosen so that no s_k is the first
///   coordinate of an output. Then one residual width-4 block per cluster adds g(x₁), piecewise
///   linear, equal to y_k − x₁e₁ on [s_k − ρ, s_k + ρ] and 0 outside (s_k − R, s_k + R), where R is
///   half the distance from s_k to every other cluster and every output already placed, ρ = R/2.
///   On the cluster the layer is x ↦ y_k + (I − e₁e₁ᵀ)x, and the cluster's box has radius 0 off
///   the first axis, so the box becomes the exact point y_k. Σm + 1 blocks.
struct ReCollapseStage {
    let layout: HardmaxConstruction.Layout
    let progress: (String) -> Void


    /// `leaders[j][k]` (the collapsed values, all distinct) goes to `outputs[j][k]`.
    func run(_ state: inout ConstructionState, leaders: [[Token]], outputs: [[Token]]) throws(ConstructionError) {
        let d = state.dimension
        let moves = ConstructionState.leaderMoves(leaders, to: outputs)
        progress("re-collapse: \(moves.count) clusters")
        switch layout {
        case .compact:
            let stairs = Staircase(moves: moves, dimension: d)
            try state.append(Block(stage: .reCollapse, feedForward: stairs.layer))
        case .narrow:
            let v = GenericDirection.separatingAll(moves.map(\.source), dimension: d)
            let projections = moves.map { Rational.dot(v, $0.source) }
            let outputFirst = Set(outputs.flatMap { $0.map { $0[0] } })
            var b = max(.zero, (Rational.one - (projections.min() ?? .zero)).ceiling)
            while projections.contains(where: { outputFirst.contains($0 + b) }) { b += .one }
            let positions = projections.map { $0 + b }
            let axis = ReCollapseStage.unit(0, dimension: d)
            let projection = FeedForwardLayer(eta: .zero, ridges: [
                FeedForwardLayer.Ridge(direction: v, neurons: [.init(bias: b, output: axis)]),
            ])
            try state.append(Block(stage: .reCollapse, feedForward: projection))
            var placed = Set<Rational>()
            for (k, move) in moves.enumerated() {
                let s = positions[k]
                var nearest: Rational? = nil
                for (other, t) in positions.enumerated() where other > k && t != s {
                    nearest = minimumSoFar(nearest, (t - s).magnitude)
                }
                for t in placed { nearest = minimumSoFar(nearest, (t - s).magnitude) }
                let outer = (nearest ?? Rational(2)) / Rational(2)
                let ridge = ReCollapseStage.window(at: s, outer: outer, inner: outer / Rational(2), target: move.target, dimension: d)
                try state.append(Block(stage: .reCollapse, feedForward: FeedForwardLayer(eta: .one, ridges: [ridge])))
                placed.insert(move.target[0])
            }
        }
        try state.requireInterpolates(outputs, stage: Block.Stage.reCollapse.rawValue)
    }

    /// e_c.
    static func unit(_ c: Int, dimension d: Int) -> Token {
        (0..<d).map { $0 == c ? .one : .zero }
    }

    /// The width-4 ridge along e₁ adding g(t) (t = x₁): 0 up to s − R, linear to y − (s − ρ)e₁ at
    /// s − ρ, equal to y − t·e₁ on [s − ρ, s + ρ], linear back to 0 at s + R, 0 after.
    static func window(at s: Rational, outer R: Rational, inner rho: Rational, target y: Token, dimension d: Int) -> FeedForwardLayer.Ridge {
        let e1 = unit(0, dimension: d)
        let run = R - rho
        let left = subtracted(y, scaled(e1, by: s - rho))
        let right = subtracted(y, scaled(e1, by: s + rho))
        let rise = scaled(left, by: run.reciprocal)
        let fall = scaled(right, by: -run.reciprocal)
        return FeedForwardLayer.Ridge(direction: e1, neurons: [
            .init(bias: R - s, output: rise),
            .init(bias: rho - s, output: subtracted(scaled(e1, by: -.one), rise)),
            .init(bias: -rho - s, output: added(fall, e1)),
            .init(bias: -R - s, output: scaled(fall, by: -.one)),
        ])
    }
}

func minimumSoFar(_ a: Rational?, _ b: Rational) -> Rational { a.map { min($0, b) } ?? b }
