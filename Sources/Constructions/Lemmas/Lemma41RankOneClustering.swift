import ExactArithmetic
import TransformerModel

/// Lemma 4.1 (rank-one clustering, see docs/mathematics.md#lemma-4-1): the hardmax layer with A = w wᵀ, V = γI, ρ = 1 − γ,
/// γ ∈ (0, 1] ∩ ℚ, iterated.
///
/// Hypotheses: ⟨w, x_i⟩ ≠ 0 for every token, and ⟨w, ·⟩ has a unique maximiser x₊ and a unique
/// minimiser x₋ on X. Claim: a token with ⟨w, x_i⟩ > 0 attends to x₊ only, one with ⟨w, x_i⟩ < 0 to
/// x₋ only, the signs never change, and exactly x_i^t = x_± + (1 − γ)^t (x_i^0 − x_±). The limit —
/// n₊ copies of x₊ and n₋ of x₋ — is a fixed point; γ = 1 reaches it in one step.
public enum RankOneClustering {
    /// The construction: w, γ, the number of steps T to check, and the layer.
    public struct Construction: Sendable, Equatable {
        /// w.
        public var direction: Token
        /// γ.
        public var gamma: Rational
        /// T: the closed form is checked at t = 1 … T.
        public var steps: Int
        /// True when w is `defaultDirection` (not given by the caller).
        public var isDefaultDirection: Bool
        /// A = w wᵀ (rank one), V = γI, ρ = 1 − γ. Checkers evaluate this layer, so a tampered
        /// layer is caught.
        public var layer: SelfAttentionLayer

        /// The parameters, exactly.
        public var parameters: [LemmaParameter] {
            [LemmaParameter("w", LemmaSupport.show(direction) + (isDefaultDirection ? " (default: first (1, t, t², …) with distinct non-zero projections)" : "")),
             LemmaParameter("γ", gamma.description),
             LemmaParameter("layer", "A = w wᵀ (rank one), V = γ·I = \(gamma)·I, ρ = 1 − γ = \(Rational.one - gamma)"),
             LemmaParameter("steps", "T = \(steps)")]
        }
    }

    /// The first moment-curve direction (1, t, t², …) whose projections of the distinct tokens are
    /// pairwise distinct and non-zero (both hypotheses hold for all but finitely many t — unless
    /// some token is 0, which no w can fix).
    public static func defaultDirection(tokens: [Token], dimension d: Int) -> Token {
        let zero = [Rational](repeating: .zero, count: d)
        return GenericDirection.separatingAll(LemmaSupport.distinct(tokens + [zero]), dimension: d)
    }

    /// Builds the layer for `tokens`; `direction` defaults to `defaultDirection`.
    public static func construct(tokens: [Token], direction: Token? = nil, gamma: Rational = Rational(1) / Rational(2),
                                 steps: Int = 3) throws(LemmaError) -> Construction {
        let d = try LemmaSupport.requireSequence(tokens, steps: steps)
        let w = direction ?? defaultDirection(tokens: tokens, dimension: d)
        guard w.count == d else { throw .invalidInput("w has \(w.count) coordinates, the tokens have \(d)") }
        let layer = LemmaSupport.clusteringLayer(scores: .rankOne(p: w, q: w), gamma: gamma)
        return Construction(direction: w, gamma: gamma, steps: steps, isDefaultDirection: direction == nil, layer: layer)
    }

    /// Checks the hypotheses on `tokens`, then iterates `construction.layer` exactly T times and
    /// compares every step with the closed form; finally checks the limit is a fixed point.
    public static func check(_ construction: Construction, tokens: [Token]) -> LemmaCheck {
        runCheck("4.1") { (verified: inout [String]) throws(LemmaFailure) in
            let w = construction.direction, gamma = construction.gamma
            try LemmaSupport.requireGamma(gamma)
            guard !tokens.isEmpty, tokens.allSatisfy({ $0.count == w.count }) else {
                throw LemmaFailure("w and the tokens must share one dimension")
            }
            let projection = tokens.map { Rational.dot(w, $0) }
            if let i = projection.firstIndex(where: \.isZero) {
                throw LemmaFailure("hypothesis ⟨w, x_i⟩ ≠ 0 violated: ⟨w, x_\(i)⟩ = 0 for x_\(i) = \(LemmaSupport.show(tokens[i]))")
            }
            let plus = try uniqueExtreme(tokens, projection, largest: true)
            let minus = try uniqueExtreme(tokens, projection, largest: false)
            let sign = projection.map { $0 > .zero }
            let nPlus = sign.filter { $0 }.count, nMinus = tokens.count - nPlus
            verified.append("hypotheses: γ = \(gamma) ∈ (0,1]; ⟨w, x_i⟩ ≠ 0 for all \(tokens.count) tokens; unique maximiser x₊ = x_\(plus) = \(LemmaSupport.show(tokens[plus])) (⟨w,x₊⟩ = \(projection[plus])), unique minimiser x₋ = x_\(minus) = \(LemmaSupport.show(tokens[minus])) (⟨w,x₋⟩ = \(projection[minus]))")
            let xPlus = tokens[plus], xMinus = tokens[minus]
            let limit = sign.map { $0 ? xPlus : xMinus }
            let current = try LemmaSupport.iterateClustering(
                construction.layer, gamma: gamma, steps: construction.steps, start: tokens, targets: limit,
                targetName: { sign[$0] ? "x₊" : "x₋" }, closedFormNote: " (closed form x_± + (1−γ)^t (x_i^0 − x_±))"
            ) { (t, i, next) throws(LemmaFailure) in
                let p = Rational.dot(w, next)
                guard (p > .zero) == sign[i] && !p.isZero else {
                    throw LemmaFailure("step \(t), token \(i): ⟨w, x_\(i)^\(t)⟩ = \(p) changed sign")
                }
            }
            if construction.steps > 0 {
                verified.append("steps 1…\(construction.steps): the \(nPlus) token\(nPlus == 1 ? "" : "s") with ⟨w,x_i⟩ > 0 attend\(nPlus == 1 ? "s" : "") to x₊ only, the \(nMinus) with ⟨w,x_i⟩ < 0 to x₋ only; signs unchanged; x_i^t = x_± + (1−γ)^t (x_i^0 − x_±) exactly")
                verified.append(LemmaSupport.afterSteps(construction.steps, current))
            }
            let (fixed, _) = LemmaSupport.applyAttention(construction.layer, limit)
            if let i = limit.indices.first(where: { fixed[$0] != limit[$0] }) {
                throw LemmaFailure("the limit configuration is not a fixed point: token \(i) goes from \(LemmaSupport.show(limit[i])) to \(LemmaSupport.show(fixed[i]))")
            }
            verified.append("limit: \(nPlus) cop\(nPlus == 1 ? "y" : "ies") of x₊ and \(nMinus) of x₋ is a fixed point\(gamma == .one && construction.steps >= 1 ? ", reached in one step (γ = 1)" : "")")
        }
    }

    /// The index of the unique maximiser (or minimiser) value of ⟨w, ·⟩, or a hypothesis failure.
    static func uniqueExtreme(_ tokens: [Token], _ projection: [Rational], largest: Bool) throws(LemmaFailure) -> Int {
        let target = largest ? projection.max() : projection.min()
        let at = projection.indices.filter { projection[$0] == target }
        let values = LemmaSupport.distinct(at.map { tokens[$0] })
        guard values.count == 1, let first = at.first else {
            let names = at.map { "x_\($0) = \(LemmaSupport.show(tokens[$0]))" }.joined(separator: ", ")
            throw LemmaFailure("hypothesis violated: ⟨w, ·⟩ has \(values.count) distinct \(largest ? "maximisers" : "minimisers") on X (\(names), all at \(target?.description ?? "?")): it needs a unique one")
        }
        return first
    }
}
