import ExactArithmetic
import TransformerModel

/// The staircase feed-forward layer of docs/mathematics.md#re-collapse: non-residual (η = 0), constant on each cluster.
///
/// Along a direction v that separates K source values (c_1 < … < c_K after sorting by ⟨v,·⟩),
///
///     F(x) = z_1·σ(1) + Σ_{k≥2} (z_k − z_{k−1}) · [σ(t − a_k) − σ(t − b_k)] / (b_k − a_k),   t = ⟨v, x⟩
///
/// with c_{k−1} + r < a_k < b_k < c_k − r. F equals z_k on the whole slab |t − c_k| ≤ r, so it maps
/// every source (hardmax, r = 0) or every small box around one (softmax) exactly onto its target.
/// Width 2S + 1 ≤ 2K − 1, S the number of k with z_k ≠ z_{k−1}: a ramp with zero rise is left out.
public struct Staircase: Sendable {
    /// v.
    public var direction: Token
    /// Sources sorted by ⟨v,·⟩ with their targets.
    public var steps: [(center: Rational, target: Token)]
    /// Ramp k (k ≥ 1) rises on [a_k, b_k].
    public var ramps: [(start: Rational, end: Rational)]

    /// The staircase sending each source to its target; `margin` r ≥ 0 is the half-width of the
    /// slab that must map exactly (it must be below a third of the smallest gap along v). `direction`,
    /// when given, must separate the sources (distinct ⟨v, source⟩).
    /// With dyadic `weights` (and no margin) ramp k is [c_{k−1} + L, c_{k−1} + 2L], L the largest
    /// power of two ≤ (c_k − c_{k−1})/3: dyadic ends and a power-of-two run, so dyadic slopes.
    public init(moves: [(source: Token, target: Token)], dimension d: Int, margin: Rational = .zero,
                direction given: Token? = nil, weights: WeightFormat = .exact) {
        let v = given ?? GenericDirection.separatingAll(moves.map(\.source), dimension: d)
        direction = v
        steps = moves.map { (Rational.dot(v, $0.source), $0.target) }.sorted { $0.center < $1.center }
        ramps = []
        for k in steps.indices.dropFirst() {
            let lo = steps[k - 1].center, hi = steps[k].center
            let third = (hi - lo) / Rational(3)
            if weights.isDyadic && margin.isZero {
                let run = weights.width(atMost: third)
                ramps.append((lo + run, lo + run + run))
                continue
            }
            // a_k, b_k at the thirds; with a margin r the ramp stays within (lo + r, hi − r).
            ramps.append((max(lo + third, lo + margin), min(hi - third, hi - margin)))
        }
    }

    /// Smallest gap between consecutive centres along v.
    public var smallestGap: Rational? {
        zip(steps, steps.dropFirst()).map { $1.center - $0.center }.min()
    }

    /// The layer: η = 0, a constant neuron for z_1 and two neurons per ramp whose target changes.
    public var layer: FeedForwardLayer {
        guard let first = steps.first else { return FeedForwardLayer(eta: .zero) }
        var ridges = [ShiftLayer.ridge(adding: first.target)]
        var neurons: [FeedForwardLayer.Neuron] = []
        for (k, ramp) in ramps.enumerated() {
            let rise = subtracted(steps[k + 1].target, steps[k].target)
            // Consecutive sources with one target need no step (classification: one per label change).
            if rise.allSatisfy(\.isZero) { continue }
            let slope = scaled(rise, by: (ramp.end - ramp.start).reciprocal)
            neurons.append(.init(bias: -ramp.start, output: slope))
            neurons.append(.init(bias: -ramp.end, output: scaled(slope, by: Rational(-1))))
        }
        if !neurons.isEmpty { ridges.append(FeedForwardLayer.Ridge(direction: direction, neurons: neurons)) }
        return FeedForwardLayer(eta: .zero, ridges: ridges)
    }
}

extension Staircase {
    /// How many steps a staircase along v needs: the number of k with z_k ≠ z_{k−1} after sorting
    /// the sources by ⟨v,·⟩; nil when v does not separate the sources.
    public static func stepCount(_ moves: [(source: Token, target: Token)], along v: Token) -> Int? {
        let sorted = moves.map { (Rational.dot(v, $0.source), $0.target) }.sorted { $0.0 < $1.0 }
        var steps = 0
        for (a, b) in zip(sorted, sorted.dropFirst()) {
            if a.0 == b.0 { return nil }
            if a.1 != b.1 { steps += 1 }
        }
        return steps
    }
}
