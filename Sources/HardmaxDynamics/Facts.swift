import ExactArithmetic

/// The facts of docs/mathematics.md#hardmax-dynamics that the engine checks exactly at every layer.
/// (There is no F5 in the list the engine implements.)
public enum Fact: String, Sendable, CaseIterable {
    /// Ties exact (the recorded attention sets and leaders are the exact ones); denominators grow at
    /// most linearly: den z_i(k+1) divides (p+q)·|C_i|·lcm(denominators of layer k), α = p/q.
    case f1 = "F1"
    /// z_i(k+1) is the convex combination (1/(1+α))·z_i + Σ_{j∈C_i} α/((1+α)|C_i|)·z_j of layer k.
    case f2 = "F2"
    /// A strict leader does not move and stays a strict leader.
    case f3 = "F3"
    /// (A SPD) every token of largest A-norm is a strict leader.
    case f4 = "F4"
    /// (A SPD) |z'|²_A − |z|²_A ≥ |z' − z|²_A.
    case f6 = "F6"
    /// (A SPD) (1+α)²·|z'_i − z'_j|²_A ≥ |z_i − z_j|²_A: distinct tokens never merge.
    case f7 = "F7"
    /// Frozen attention from layer K: z_i(k) = m_i + (1+α)^{−(k−K)} (z_i(K) − m_i) exactly.
    case f8 = "F8"

    /// What the fact says, for messages and `--help`.
    public var statement: String {
        switch self {
        case .f1: return "ties exact, denominators grow at most linearly"
        case .f2: return "every token of layer k+1 is a convex combination of layer k"
        case .f3: return "a strict leader never moves and stays a leader"
        case .f4: return "a token of largest A-norm is a leader"
        case .f6: return "|z'|²_A − |z|²_A ≥ |z' − z|²_A"
        case .f7: return "|z_i' − z_j'|_A ≥ |z_i − z_j|_A / (1+α)"
        case .f8: return "frozen attention: z(k) = m + (1+α)^−(k−K) (z(K) − m)"
        }
    }

    /// Facts proved only for symmetric positive definite A.
    public var needsPositiveDefinite: Bool { self == .f4 || self == .f6 || self == .f7 }
}

/// A fact that does not hold: which one, at which layer, for which tokens.
public struct FactViolation: Error, Sendable, Equatable, CustomStringConvertible {
    public let fact: Fact
    /// The layer the fact fails at (for a step k → k+1, the layer k+1).
    public let layer: Int
    public let detail: String
    public var description: String { "layer \(layer): \(fact.rawValue) (\(fact.statement)) fails: \(detail)" }
}

/// Exact checks of F1–F8 on recorded layers. Each check takes the layer(s) a stepper produced and
/// tests a claim; the negative tests feed layers made with a wrong `UpdateRule`.
public enum FactChecks {
    /// F1 on one layer: its attention sets and both leader lists are the exact ones.
    public static func checkTies(_ system: DynamicsSystem, _ layer: DynamicsLayer) throws(FactViolation) {
        let exact = system.attentionSets(layer.tokens)
        for i in exact.indices where exact[i] != layer.attention[i] {
            throw FactViolation(fact: .f1, layer: layer.index,
                                detail: "C_\(i + 1) recorded as \(indexSet(layer.attention[i])), the exact maximisers of ⟨A z_\(i + 1), z_j⟩ are \(indexSet(exact[i]))")
        }
        let leaders = DynamicsLayer.strictLeaders(layer.tokens, exact)
        guard leaders == layer.strictLeaders else {
            throw FactViolation(fact: .f1, layer: layer.index, detail: "strict leaders recorded as \(indexSet(layer.strictLeaders)), exactly \(indexSet(leaders))")
        }
    }

    /// F1 on a step: den z_i(k+1) divides (p+q)·|C_i|·L_k.
    public static func checkDenominators(_ system: DynamicsSystem, _ layer: DynamicsLayer, _ next: DynamicsLayer) throws(FactViolation) {
        var l = Rational.one
        for z in layer.tokens { for c in z { l = lcm(l, c.denominator) } }
        let pq = system.alpha.numerator + system.alpha.denominator
        for (i, z) in next.tokens.enumerated() {
            let factor = pq * Rational(layer.attention[i].count) * l
            if let c = z.firstIndex(where: { !($0 * factor).isInteger }) {
                throw FactViolation(fact: .f1, layer: next.index,
                                    detail: "z_\(i + 1) coordinate \(c + 1) = \(z[c]): its denominator does not divide (p+q)·|C_i|·lcm(layer \(layer.index)) = \(factor)")
            }
        }
    }

    /// F2: each z_i(k+1) equals its convex combination of layer k (weights ≥ 0, sum 1).
    public static func checkConvex(_ system: DynamicsSystem, _ layer: DynamicsLayer, _ next: DynamicsLayer) throws(FactViolation) {
        let a = system.alpha, onePlus = Rational.one + system.alpha
        for i in layer.tokens.indices {
            let set = layer.attention[i]
            guard !set.isEmpty else { throw FactViolation(fact: .f2, layer: next.index, detail: "C_\(i + 1) is empty") }
            let w = a / (onePlus * Rational(set.count))
            var combination = scaled(layer.tokens[i], by: onePlus.reciprocal)
            for j in set { combination = added(combination, scaled(layer.tokens[j], by: w)) }
            guard combination == next.tokens[i] else {
                throw FactViolation(fact: .f2, layer: next.index,
                                    detail: "z_\(i + 1) = \(showPoint(next.tokens[i])) but the convex combination of layer \(layer.index) with weights 1/(1+α) and α/((1+α)|C_i|) is \(showPoint(combination))")
            }
        }
    }

    /// F3: strict leaders of layer k are unmoved and still strict leaders at k+1.
    public static func checkLeaders(_ layer: DynamicsLayer, _ next: DynamicsLayer) throws(FactViolation) {
        for i in layer.strictLeaders {
            guard next.tokens[i] == layer.tokens[i] else {
                throw FactViolation(fact: .f3, layer: next.index, detail: "leader z_\(i + 1) moved from \(showPoint(layer.tokens[i])) to \(showPoint(next.tokens[i]))")
            }
            guard next.strictLeaders.contains(i) else {
                throw FactViolation(fact: .f3, layer: next.index, detail: "z_\(i + 1) was a strict leader at layer \(layer.index) and is not one any more")
            }
        }
    }

    /// F4 (A SPD): every token of largest A-norm is a recorded strict leader.
    public static func checkLargestNorm(_ system: DynamicsSystem, _ layer: DynamicsLayer) throws(FactViolation) {
        let norms = layer.tokens.map(system.squaredNorm)
        guard let top = norms.max() else { return }
        for i in norms.indices where norms[i] == top && !layer.strictLeaders.contains(i) {
            throw FactViolation(fact: .f4, layer: layer.index, detail: "z_\(i + 1) has the largest A-norm (|z|²_A = \(top)) but is not a strict leader")
        }
    }

    /// F6 (A SPD): the A-norm grows at least by the squared A-length of the step.
    public static func checkNormGrowth(_ system: DynamicsSystem, _ layer: DynamicsLayer, _ next: DynamicsLayer) throws(FactViolation) {
        for i in layer.tokens.indices {
            let z = layer.tokens[i], zp = next.tokens[i]
            let gain = system.squaredNorm(zp) - system.squaredNorm(z)
            let move = system.squaredNorm(subtracted(zp, z))
            guard gain >= move else {
                throw FactViolation(fact: .f6, layer: next.index, detail: "z_\(i + 1): |z'|²_A − |z|²_A = \(gain) < |z' − z|²_A = \(move)")
            }
        }
    }

    /// F7 (A SPD): (1+α)²·|z'_i − z'_j|²_A ≥ |z_i − z_j|²_A for every pair.
    public static func checkNoMerging(_ system: DynamicsSystem, _ layer: DynamicsLayer, _ next: DynamicsLayer) throws(FactViolation) {
        let onePlus = Rational.one + system.alpha
        let factor = onePlus * onePlus
        let n = layer.tokens.count
        for i in 0..<n {
            for j in (i + 1)..<max(i + 1, n) {
                let before = system.squaredNorm(subtracted(layer.tokens[i], layer.tokens[j]))
                if before.isZero { continue }
                let after = system.squaredNorm(subtracted(next.tokens[i], next.tokens[j]))
                guard factor * after >= before else {
                    throw FactViolation(fact: .f7, layer: next.index,
                                        detail: "z_\(i + 1), z_\(j + 1): (1+α)²|z_i' − z_j'|²_A = \(factor * after) < |z_i − z_j|²_A = \(before)")
                }
            }
        }
    }

    /// Every check of a step k → k+1, in the order F1 F2 F3 F4 F6 F7 (F4/F6/F7 only for A SPD).
    public static func checkStep(_ system: DynamicsSystem, _ layer: DynamicsLayer, _ next: DynamicsLayer) throws(FactViolation) {
        try checkTies(system, layer)
        try checkDenominators(system, layer, next)
        try checkConvex(system, layer, next)
        try checkTies(system, next)
        try checkLeaders(layer, next)
        if system.isPositiveDefinite {
            try checkLargestNorm(system, layer)
            try checkLargestNorm(system, next)
            try checkNormGrowth(system, layer, next)
            try checkNoMerging(system, layer, next)
        }
    }

    static func lcm(_ a: Rational, _ b: Rational) -> Rational {
        var x = a, y = b
        while !y.isZero { (x, y) = (y, x - y * (x / y).floor) }
        return (a * b / x).magnitude
    }
}

/// "{1, 3}" (1-based, as the paper numbers tokens).
public func indexSet(_ set: [Int]) -> String { "{" + set.map { String($0 + 1) }.joined(separator: ", ") + "}" }

/// "(1, 1/2)".
public func showPoint(_ z: [Rational]) -> String { tokenDescription(z, parenthesised: true) }
