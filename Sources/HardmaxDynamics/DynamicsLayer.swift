import ExactArithmetic

/// How a layer is computed. `.paper` is the model of docs/mathematics.md#hardmax-dynamics; the others
/// are deliberately wrong conventions, kept so that the negative tests can make every fact check fail
/// on purpose (a checker that cannot fail proves nothing).
public enum UpdateRule: String, Sendable, CaseIterable {
    /// z' = (z + α·m) / (1 + α), C_i = argmax_j ⟨A z_i, z_j⟩.
    case paper
    /// z' = z + α·m (the normalisation forgotten).
    case unnormalised
    /// z' = (α·z + m) / (1 + α) (α on the wrong side).
    case swappedAlpha
    /// C_i = argmax_j ⟨Aᵀ z_i, z_j⟩ (A transposed).
    case transposedMatrix
    /// C_i = argmin_j ⟨A z_i, z_j⟩ (the wrong extremum).
    case argmin

    /// The name on the command line (`--rule`).
    public var name: String {
        switch self {
        case .paper: return "paper"
        case .unnormalised: return "unnormalised"
        case .swappedAlpha: return "swapped-alpha"
        case .transposedMatrix: return "transposed-matrix"
        case .argmin: return "argmin"
        }
    }
}

/// One layer of the dynamics: the tokens z(k) and what attention makes of them.
public struct DynamicsLayer: Sendable, Equatable {
    /// k (layer 0 is the input).
    public let index: Int
    public let tokens: [[Rational]]
    /// C_i(k): the indices (0-based, increasing) of every maximiser of ⟨A z_i, z_j⟩.
    public let attention: [[Int]]
    /// Strict leaders: every j ∈ C_i is a copy of z_i.
    public let strictLeaders: [Int]
    /// The convention of the authors' code: i is a leader when the lowest index of the argmax is i.
    public let argmaxLeaders: [Int]

    public init(index: Int, tokens: [[Rational]], attention: [[Int]]) {
        self.index = index
        self.tokens = tokens
        self.attention = attention
        self.strictLeaders = DynamicsLayer.strictLeaders(tokens, attention)
        self.argmaxLeaders = attention.indices.filter { attention[$0].first == $0 }
    }

    static func strictLeaders(_ tokens: [[Rational]], _ attention: [[Int]]) -> [Int] {
        tokens.indices.filter { i in attention[i].allSatisfy { tokens[$0] == tokens[i] } }
    }
}

extension DynamicsSystem {
    /// Every maximiser (or minimiser) of j ↦ ⟨M z_i, z_j⟩, exactly, for each i.
    public func attentionSets(_ tokens: [[Rational]], rule: UpdateRule = .paper) -> [[Int]] {
        let m = rule == .transposedMatrix ? DynamicsSystem.transpose(matrix) : matrix
        return tokens.map { zi in
            let q = matrixVector(m, zi)
            var best: Rational? = nil
            var set: [Int] = []
            for (j, zj) in tokens.enumerated() {
                var s = Rational.dot(q, zj)
                if rule == .argmin { s = -s }
                if let b = best, s < b { continue }
                if let b = best, s == b { set.append(j); continue }
                best = s
                set = [j]
            }
            return set
        }
    }

    /// Layer k: the tokens with their attention sets and leaders.
    public func layer(_ index: Int, _ tokens: [[Rational]], rule: UpdateRule = .paper) -> DynamicsLayer {
        DynamicsLayer(index: index, tokens: tokens, attention: attentionSets(tokens, rule: rule))
    }

    /// z(k+1) from layer k (all tokens at once).
    public func step(_ layer: DynamicsLayer, rule: UpdateRule = .paper) -> [[Rational]] {
        let onePlusAlpha = Rational.one + alpha
        return layer.tokens.indices.map { i in
            let zi = layer.tokens[i]
            let m = DynamicsSystem.mean(layer.attention[i].map { layer.tokens[$0] })
            switch rule {
            case .unnormalised:
                return added(zi, scaled(m, by: alpha))
            case .swappedAlpha:
                return scaled(added(scaled(zi, by: alpha), m), by: onePlusAlpha.reciprocal)
            case .paper, .transposedMatrix, .argmin:
                return scaled(added(zi, scaled(m, by: alpha)), by: onePlusAlpha.reciprocal)
            }
        }
    }

    static func mean(_ points: [[Rational]]) -> [Rational] {
        guard let first = points.first else { return [] }
        var s = first
        for p in points.dropFirst() { s = added(s, p) }
        return scaled(s, by: Rational(points.count).reciprocal)
    }

    static func transpose(_ a: [[Rational]]) -> [[Rational]] {
        a.indices.map { i in a.indices.map { a[$0][i] } }
    }
}
