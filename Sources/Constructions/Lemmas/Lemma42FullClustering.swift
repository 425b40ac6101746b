import ExactArithmetic
import TransformerModel

/// Lemma 4.2 (full clustering, see docs/mathematics.md#lemma-4-2): the hardmax layer A = I, V = γI, ρ = 1 − γ.
///
/// Hypotheses: every token lies in the open positive orthant, and one token x_ℓ is coordinatewise
/// greater than every other token (the paper: the others in an open cube (0, a)^d, x_ℓ ∈ [a, ∞)^d).
/// Then ⟨x_i, x_ℓ⟩ > ⟨x_i, x_k⟩ for every i, so C_i = {ℓ} at every step and
/// x_i^t = x_ℓ + (1 − γ)^t (x_i^0 − x_ℓ): all tokens cluster at x_ℓ, in one step when γ = 1.
///
/// Data rarely satisfies the hypotheses as given; `prepare` adds the orthant preparation of docs/mathematics.md#leader-selection
/// (one FF: a shift into the orthant and a Lemma 4.8 hat lifting the leader to a·1), and the checker
/// then checks the hypotheses on FF(X).
public enum FullClustering {
    /// The construction: optional preparation FF, γ, T and the attention layer.
    public struct Construction: Sendable, Equatable, IdentityClusteringConstruction {
        /// The FF applied first (nil: the tokens are used as given).
        public var preparation: OrthantPreparation?
        /// γ, T and A = I, V = γI, ρ = 1 − γ.
        public var attention: IdentityClustering

        public var parameters: [LemmaParameter] {
            var out: [LemmaParameter] = []
            if let p = preparation {
                out.append(LemmaParameter("preparation", "FF(x) = x + \(p.shift)·1 + hat moving x_\(p.leaders[0]) to \(LemmaSupport.show(p.targets[0])) (width \(p.layer.width)); tokens then in (0, \(p.cube))^d"))
            }
            out += attention.parameters
            return out
        }
    }

    /// Builds the layer; with `prepare`, also the preparation FF moving token `leader` (an index
    /// into the distinct `tokens`) to a·1.
    public static func construct(tokens: [Token], gamma: Rational = Rational(1) / Rational(2), steps: Int = 3,
                                 prepare: Bool = false, leader: Int = 0) throws(LemmaError) -> Construction {
        let d = try LemmaSupport.requireSequence(tokens, steps: steps)
        let preparation = prepare ? try OrthantPreparation(tokens: LemmaSupport.distinct(tokens), leaders: [leader], dimension: d) : nil
        return Construction(preparation: preparation, attention: IdentityClustering(gamma: gamma, steps: steps))
    }

    /// The index of the token coordinatewise above every other value, or a hypothesis failure.
    static func dominatingToken(_ tokens: [Token]) throws(LemmaFailure) -> Int {
        // A dominating token holds the largest first coordinate; take the first such and test it.
        guard !tokens.isEmpty, tokens.allSatisfy({ !$0.isEmpty }),
              let top = tokens.indices.max(by: { tokens[$0][0] < tokens[$1][0] }) else {
            throw LemmaFailure("the sequence is empty")
        }
        for k in tokens.indices where tokens[k] != tokens[top] {
            if let c = tokens[top].indices.first(where: { tokens[top][$0] <= tokens[k][$0] }) {
                throw LemmaFailure("hypothesis violated: no token is greater than every other token in every coordinate (x_\(top) = \(LemmaSupport.show(tokens[top])) is not above x_\(k) = \(LemmaSupport.show(tokens[k])) in coordinate \(c))")
            }
        }
        return top
    }

    /// Hypothesis: every token in the open positive orthant.
    static func requirePositive(_ tokens: [Token], except skip: Set<Int> = []) throws(LemmaFailure) {
        for (i, x) in tokens.enumerated() where !skip.contains(i) {
            if let c = x.firstIndex(where: { $0 <= .zero }) {
                throw LemmaFailure("hypothesis x > 0 violated: token \(i) = \(LemmaSupport.show(x)) has coordinate \(c) = \(x[c]) ≤ 0")
            }
        }
    }

    /// Applies the preparation (if any), checks the hypotheses, iterates the layer T times against
    /// the closed form and checks that the clustered limit is a fixed point.
    public static func check(_ construction: Construction, tokens: [Token]) -> LemmaCheck {
        runCheck("4.2") { (verified: inout [String]) throws(LemmaFailure) in
            let gamma = construction.gamma
            try LemmaSupport.requireGamma(gamma)
            let x0 = OrthantPreparation.start(construction.preparation, tokens, verified: &verified)
            try requirePositive(x0)
            let l = try dominatingToken(x0)
            let leader = x0[l]
            verified.append("hypotheses: γ = \(gamma) ∈ (0,1]; all \(x0.count) tokens in the open positive orthant; x_ℓ = x_\(l) = \(LemmaSupport.show(leader)) is above every other token in every coordinate")
            let current = try LemmaSupport.iterateClustering(
                construction.layer, gamma: gamma, steps: construction.steps, start: x0, targets: x0.map { _ in leader },
                targetName: { _ in "x_ℓ" }, closedFormNote: " (closed form x_ℓ + (1−γ)^t (x_i^0 − x_ℓ))")
            if construction.steps > 0 {
                verified.append("steps 1…\(construction.steps): every token attends to x_ℓ only; x_i^t = x_ℓ + (1−γ)^t (x_i^0 − x_ℓ) exactly")
                verified.append(LemmaSupport.afterSteps(construction.steps, current))
            }
            let limit = x0.map { _ in leader }
            let (fixed, _) = LemmaSupport.applyAttention(construction.layer, limit)
            guard fixed == limit else { throw LemmaFailure("the clustered configuration (all tokens at x_ℓ) is not a fixed point") }
            verified.append("limit: all \(x0.count) tokens at x_ℓ, a fixed point\(gamma == .one && construction.steps >= 1 ? ", reached in one step (γ = 1)" : "")")
        }
    }
}
