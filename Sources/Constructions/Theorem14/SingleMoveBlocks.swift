import Evaluation
import ExactArithmetic
import TransformerModel

/// One hat per block, for the narrow layout (see docs/mathematics.md#layouts): moves one value at a time while keeping
/// the projections of all current values along one direction u sorted.
///
/// A hat (Lemma 4.8) centred at a = ⟨u, p⟩ with half-width ε = distance to the nearest other
/// projection vanishes, exactly, on every value but p. So a block moves p and nothing else, and the
/// state is updated by replacing p with its target — after the exact evaluator confirmed that the
/// hat sends p to its target and fixes p's two neighbours along u (the only values the hat could
/// reach). That keeps each of the Σm moves at O(log P) comparisons plus an O(P) memmove instead of
/// re-evaluating all P values per block; the whole model is re-evaluated from scratch at the end
/// (`construct` verifies the written file).
struct SingleMoveBlocks {
    let dimension: Int
    /// u, fixed while it isolates the values being moved.
    let direction: Token
    /// Dyadic half-widths when the weights must be floats.
    let weights: WeightFormat
    /// Every current value with its projection on u, sorted by projection.
    private var sorted: [(projection: Rational, value: Token)]
    /// The sequences that hold each current value.
    private var holders: [Token: [Int]]

    init(_ state: ConstructionState, weights: WeightFormat = .exact) {
        dimension = state.dimension
        self.weights = weights
        let values = state.allValues()
        direction = GenericDirection.separatingAll(values, dimension: state.dimension)
        let u = direction
        sorted = values.map { (Rational.dot(u, $0), $0) }.sorted { $0.projection < $1.projection }
        holders = [:]
        for (j, s) in state.sequences.enumerated() { for x in s { holders[x, default: []].append(j) } }
    }

    /// The hat FF moving the value `p` to `y`, checked exactly on p and on its neighbours.
    func hat(moving p: Token, to y: Token, stage: String) throws(ConstructionError) -> FeedForwardLayer {
        guard holders[p] != nil else {
            throw .stageCheckFailed(stage: stage, detail: "the value \(p) to move is not held by any sequence")
        }
        let a = Rational.dot(direction, p)
        let i = lowerBound(a)
        var neighbours: [Token] = []
        let hat: HatFunction
        if i + 1 < sorted.count && sorted[i + 1].projection == a || i > 0 && sorted[i - 1].projection == a {
            // Another value shares p's projection on u (a moved value landed there): isolate p along
            // a direction of its own, at O(P) cost — rare.
            let values = sorted.map(\.value)
            let v = GenericDirection.isolating(p, from: values, dimension: dimension)
            let b = Rational.dot(v, p)
            var gap: Rational? = nil
            for x in values where x != p {
                let g = (Rational.dot(v, x) - b).magnitude
                if gap.map({ g < $0 }) ?? true { gap = g; neighbours = [x] }
            }
            hat = HatFunction(moving: p, to: y, direction: v, halfWidth: weights.width(atMost: gap ?? .one))
        } else {
            var gap: Rational? = nil
            if i > 0 { gap = a - sorted[i - 1].projection; neighbours.append(sorted[i - 1].value) }
            if i + 1 < sorted.count {
                let g = sorted[i + 1].projection - a
                gap = gap.map { min($0, g) } ?? g
                neighbours.append(sorted[i + 1].value)
            }
            hat = HatFunction(moving: p, to: y, direction: direction, halfWidth: weights.width(atMost: gap ?? .one))
        }
        let ff = hatLayer([hat])
        let compiled = CompiledFeedForward<Rational>(ff)
        guard compiled.apply(p) == y else {
            throw .stageCheckFailed(stage: stage, detail: "the hat for \(p) does not send it to \(y)")
        }
        for x in neighbours where compiled.apply(x) != x {
            throw .stageCheckFailed(stage: stage, detail: "the hat for \(p) also moves its neighbour \(x)")
        }
        return ff
    }

    /// Appends `block` (whose FF moves p to y and whose attention is the identity) and records the move.
    mutating func commit(_ block: Block, moving p: Token, to y: Token, state: inout ConstructionState) {
        let a = Rational.dot(direction, p)
        var i = lowerBound(a)
        while i < sorted.count && sorted[i].value != p { i += 1 }
        if i < sorted.count { sorted.remove(at: i) }
        let sequences = holders.removeValue(forKey: p) ?? []
        if holders[y] == nil {
            let b = Rational.dot(direction, y)
            sorted.insert((b, y), at: lowerBound(b))
        }
        for j in sequences {
            if state.sequences[j].contains(y) {
                state.sequences[j].removeAll { $0 == p }
            } else if let k = state.sequences[j].firstIndex(of: p) {
                state.sequences[j][k] = y
                holders[y, default: []].append(j)
            }
        }
        state.appendMove(block, from: p, to: y)
    }

    /// First index whose projection is ≥ a.
    private func lowerBound(_ a: Rational) -> Int {
        var lo = 0, hi = sorted.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if sorted[mid].projection < a { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }
}
