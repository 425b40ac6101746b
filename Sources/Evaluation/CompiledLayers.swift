import ExactArithmetic
import TransformerModel

/// A feed-forward layer with its parameters converted once to the scalar type `S`.
///
/// Two algorithms compute the same map:
/// - *per neuron* (`applyDense`): ⟨u_r, x⟩ once per ridge, then one ReLU and one axpy per neuron.
///   It is the reference, and the float64 path, because it rounds the way a plain float
///   implementation does (what `compare` wants to show).
/// - *per direction* (`apply` on exact scalars): neurons of all ridges sharing a direction u are
///   merged and sorted by bias, so that with t = ⟨u, x⟩ the active ones (t + b > 0) are a prefix
///   and Σ_active w_j (t + b_j) = t·W_c + B_c with prefix sums W_c = Σ_{j<c} w_j and
///   B_c = Σ_{j<c} b_j w_j. A layer of K hats on one direction then costs one dot product, a
///   binary search and one axpy per token instead of 3K axpys. Disjoint hats and staircase ramps
///   cancel within their own neurons, so the prefix sums stay as short as the parameters.
public struct CompiledFeedForward<S: Scalar>: Sendable {
    struct Ridge: Sendable {
        var direction: [S]
        var directionIsZero: Bool
        var biases: [S]
        var outputs: [[S]]
    }

    /// All neurons on one direction, sorted by decreasing bias, with prefix sums.
    struct DirectionGroup: Sendable {
        /// Model-wide number of the direction (see `numberDirections`); −1 until numbered.
        var id = -1
        var direction: [S]
        var directionIsZero: Bool
        /// Kinks −b_j, increasing: neuron j is active iff t > −b_j.
        var kinks: [S]
        /// weightSums[c] = Σ_{j<c} w_j; biasWeightSums[c] = Σ_{j<c} b_j w_j (c = 0…count).
        var weightSums: [[S]]
        var biasWeightSums: [[S]]
        /// prefixIsZero[c]: both prefix sums vanish (e.g. past a whole hat), so the layer fixes x.
        var prefixIsZero: [Bool]
        /// Where each sorted neuron sits in the layer: its flat index over all ridges and its ridge
        /// (the enclosure evaluator names straddled kinks by them).
        var origins: [NeuronOrigin]

        /// Number of neurons with t + b_j > 0, a prefix: comparisons only, no arithmetic.
        func activeCount(at t: S) -> Int {
            var lo = 0, hi = kinks.count
            while lo < hi {
                let mid = (lo + hi) / 2
                if t > kinks[mid] { lo = mid + 1 } else { hi = mid }
            }
            return lo
        }
    }

    let eta: S
    let ridges: [Ridge]
    private(set) var groups: [DirectionGroup]
    /// True when the layer is the identity (evaluation skips it).
    public let isIdentity: Bool
    public let width: Int

    @_specialize(where S == Rational)
    @_specialize(where S == Double)
    public init(_ layer: FeedForwardLayer) {
        eta = S(layer.eta)
        isIdentity = layer.isIdentity
        width = layer.width
        ridges = layer.ridges.map { r in
            Ridge(direction: r.direction.map(S.init), directionIsZero: r.direction.allSatisfy(\.isZero),
                  biases: r.neurons.map { S($0.bias) }, outputs: r.neurons.map { $0.output.map(S.init) })
        }
        groups = S.isExact ? Self.groupByDirection(layer) : []
    }

    /// Merges the neurons of ridges with equal directions (first-seen order, so compilation is
    /// deterministic) and builds their prefix sums, in exact arithmetic.
    private static func groupByDirection(_ layer: FeedForwardLayer) -> [DirectionGroup] {
        var order: [Token] = []
        var neuronsByDirection: [Token: [(neuron: FeedForwardLayer.Neuron, origin: NeuronOrigin)]] = [:]
        var flat = 0
        for (r, ridge) in layer.ridges.enumerated() {
            defer { flat += ridge.neurons.count }
            if ridge.neurons.isEmpty { continue }
            if neuronsByDirection[ridge.direction] == nil { order.append(ridge.direction) }
            neuronsByDirection[ridge.direction, default: []] += ridge.neurons.enumerated().map {
                ($0.element, NeuronOrigin(flat: flat + $0.offset, ridge: r))
            }
        }
        return order.map { u in
            // Decreasing bias; equal biases in layer order, so the origins are deterministic.
            let sorted = (neuronsByDirection[u] ?? []).sorted {
                $0.neuron.bias != $1.neuron.bias ? $0.neuron.bias > $1.neuron.bias : $0.origin.flat < $1.origin.flat
            }
            let neurons = sorted.map(\.neuron)
            let d = u.count
            var w = [Rational](repeating: .zero, count: d), bw = w
            var weightSums: [[S]] = [w.map(S.init)], biasWeightSums: [[S]] = [bw.map(S.init)]
            weightSums.reserveCapacity(neurons.count + 1)
            biasWeightSums.reserveCapacity(neurons.count + 1)
            for neuron in neurons {
                for i in 0..<min(d, neuron.output.count) {
                    w[i] += neuron.output[i]
                    bw[i] += neuron.bias * neuron.output[i]
                }
                weightSums.append(w.map(S.init))
                biasWeightSums.append(bw.map(S.init))
            }
            let zero = S.zero
            return DirectionGroup(direction: u.map(S.init), directionIsZero: u.allSatisfy(\.isZero),
                                  kinks: neurons.map { S(-$0.bias) },
                                  weightSums: weightSums, biasWeightSums: biasWeightSums,
                                  prefixIsZero: zip(weightSums, biasWeightSums).map { w, b in
                                      w.allSatisfy { $0 == zero } && b.allSatisfy { $0 == zero }
                                  },
                                  origins: sorted.map(\.origin))
        }
    }

    /// FF(x) = η x + Σ w_j σ(⟨u_r, x⟩ + b_j): per direction on exact scalars, per neuron otherwise.
    @_specialize(where S == Rational)
    @_specialize(where S == Double)
    public func apply(_ x: [S]) -> [S] {
        if isIdentity { return x }
        guard S.isExact else { return applyDense(x) }
        var out = eta == .one ? x : scaled(x, by: eta)
        for g in groups.indices {
            let t = groups[g].directionIsZero ? S.zero : S.dot(groups[g].direction, x)
            let c = groups[g].activeCount(at: t)
            if c == 0 { continue }
            let count = min(out.count, groups[g].weightSums[c].count)
            for i in 0..<count {
                out[i] = out[i] + (t * groups[g].weightSums[c][i] + groups[g].biasWeightSums[c][i])
            }
        }
        return out
    }

    /// Gives every direction group its model-wide number, adding new directions to `ids`.
    mutating func numberDirections(_ ids: inout [[S]: Int]) {
        for g in groups.indices {
            let direction = groups[g].direction
            if let id = ids[direction] {
                groups[g].id = id
            } else {
                groups[g].id = ids.count
                ids[direction] = ids.count
            }
        }
    }

    /// FF(x) on exact scalars, reusing ⟨u, x⟩ from `cache` when the layer has a single direction
    /// whose projection of this very x is cached; the cache is cleared whenever x moves.
    func apply(_ x: [S], cache: inout ProjectionCache<S>) -> [S] {
        if isIdentity { return x }
        guard S.isExact, groups.count == 1, eta == .one else {
            cache = ProjectionCache()
            return apply(x)
        }
        let group = groups[0]
        let t: S
        if group.id >= 0 && cache.direction == group.id {
            t = cache.projection
        } else {
            t = group.directionIsZero ? S.zero : S.dot(group.direction, x)
            cache = ProjectionCache(direction: group.id, projection: t)
        }
        let c = group.activeCount(at: t)
        if group.prefixIsZero[c] { return x }
        cache = ProjectionCache()
        var out = x
        let count = min(out.count, group.weightSums[c].count)
        for i in 0..<count { out[i] = out[i] + (t * group.weightSums[c][i] + group.biasWeightSums[c][i]) }
        return out
    }

    /// FF(x) neuron by neuron: the reference algorithm, and the float64 path.
    @_specialize(where S == Rational)
    @_specialize(where S == Double)
    public func applyDense(_ x: [S]) -> [S] {
        if isIdentity { return x }
        var out = eta == .one ? x : scaled(x, by: eta)
        for ridge in ridges {
            let t = ridge.directionIsZero ? S.zero : S.dot(ridge.direction, x)
            for j in ridge.biases.indices {
                let pre = t + ridge.biases[j]
                if pre > .zero { axpy(pre, ridge.outputs[j], &out) }
            }
        }
        return out
    }

    /// Pre-activations ⟨u_r, x⟩ + b_j of every neuron, in ridge order.
    @_specialize(where S == Rational)
    @_specialize(where S == Double)
    public func preActivations(_ x: [S]) -> [S] {
        var pres: [S] = []
        pres.reserveCapacity(width)
        for ridge in ridges {
            let t = ridge.directionIsZero ? S.zero : S.dot(ridge.direction, x)
            for b in ridge.biases { pres.append(t + b) }
        }
        return pres
    }
}

/// A neuron's place in its layer: flat index over all ridges, and ridge index.
struct NeuronOrigin: Sendable, Equatable {
    var flat: Int
    var ridge: Int
}

/// ⟨u, x⟩ for the direction numbered `direction`, valid while the token x does not move.
public struct ProjectionCache<S: Scalar>: Sendable {
    var direction = -1
    var projection = S.zero
}

/// Scores of one head, converted to `S`; `queryKey` is multiplied out exactly first.
enum CompiledScores<S: Scalar>: Sendable {
    case zero
    case multiple(S)
    case rankOne(p: [S], q: [S])
    case general([[S]])

    init(_ scores: ScoreMatrix) {
        switch scores {
        case .zero: self = .zero
        case .scaledIdentity(let a): self = a.isZero ? .zero : .multiple(S(a))
        case .rankOne(let p, let q): self = .rankOne(p: p.map(S.init), q: q.map(S.init))
        case .general(let m): self = .general(m.map { $0.map(S.init) })
        case .queryKey(let q, let k):
            // A = QᵀK, computed in ℚ so both paths start from the same exact matrix.
            let d = q.first?.count ?? 0
            let a: [[Rational]] = (0..<d).map { r in
                (0..<d).map { c in q.indices.reduce(Rational.zero) { $0 + q[$1][r] * k[$1][c] } }
            }
            self = .general(a.map { $0.map(S.init) })
        }
    }
}

/// Value matrix of one head, converted to `S`.
enum CompiledValue<S: Scalar>: Sendable {
    case zero
    case multiple(S)
    case general([[S]])

    init(_ value: ValueMatrix) {
        switch value {
        case .zero: self = .zero
        case .scaledIdentity(let v): self = v.isZero ? .zero : .multiple(S(v))
        case .general(let m): self = .general(m.map { $0.map(S.init) })
        }
    }

    func apply(_ x: [S]) -> [S] {
        switch self {
        case .zero: return [S](repeating: .zero, count: x.count)
        case .multiple(let v): return v == .one ? x : scaled(x, by: v)
        case .general(let m): return matrixVector(m, x)
        }
    }

    var isZero: Bool { if case .zero = self { return true } else { return false } }
}
