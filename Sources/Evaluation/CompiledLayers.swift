import ExactArithmetic
import TransformerModel

/// A feed-forward layer with its parameters converted once to the scalar type `S`.
public struct CompiledFeedForward<S: Scalar>: Sendable {
    struct Ridge: Sendable {
        var direction: [S]
        var directionIsZero: Bool
        var biases: [S]
        var outputs: [[S]]
    }

    let eta: S
    let ridges: [Ridge]
    /// True when the layer is the identity (evaluation skips it).
    public let isIdentity: Bool
    public let width: Int

    public init(_ layer: FeedForwardLayer) {
        eta = S(layer.eta)
        isIdentity = layer.isIdentity
        width = layer.width
        ridges = layer.ridges.map { r in
            Ridge(direction: r.direction.map(S.init), directionIsZero: r.direction.allSatisfy(\.isZero),
                  biases: r.neurons.map { S($0.bias) }, outputs: r.neurons.map { $0.output.map(S.init) })
        }
    }

    /// FF(x) = η x + Σ w_j σ(⟨u_r, x⟩ + b_j).
    public func apply(_ x: [S]) -> [S] {
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
