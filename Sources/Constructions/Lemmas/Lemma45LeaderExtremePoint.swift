import ExactArithmetic
import LinearProgramming
import TransformerModel

/// Lemma 4.5 (leader ⇔ extreme point, see docs/mathematics.md#lemma-4-5): for pairwise distinct tokens with x_i ≠ 0, some A
/// gives C_i(X) = {i} if and only if x_i is an extreme point of conv(X).
///
/// One exact LP (`ExtremePointTest`) decides, and its answer is turned into a witness that is
/// re-checked in ℚ — the LP is not trusted:
/// - extreme: w with ⟨w, x_i − x_k⟩ > 0 for all k ≠ i; then A = x_i wᵀ/|x_i|² (rank one) gives
///   s_ik = ⟨w, x_k⟩, so C_i = {i}. The checker evaluates that layer and confirms it.
/// - not extreme: λ ≥ 0, Σλ = 1, x_i = Σ_{k≠i} λ_k x_k; then for every A,
///   s_ii = Σ λ_k s_ik ≤ max_{k≠i} s_ik, so some k ≠ i scores at least s_ii and C_i ≠ {i}.
public enum LeaderExtremePoint {
    /// The LP's witness and, when x_i is extreme and non-zero, the attention layer making it a
    /// leader (A = x_i wᵀ/|x_i|², V = I, ρ = 0: a leader is left in place).
    public struct Construction: Sendable, Equatable {
        /// i.
        public var index: Int
        public var witness: ExtremePointWitness
        public var layer: SelfAttentionLayer?

        public var parameters: [LemmaParameter] {
            switch witness {
            case .separating(let w, let margin):
                var out = [LemmaParameter("witness", "separating w = \(LemmaSupport.show(w)) (exact LP), min_k ⟨w, x_\(index) − x_k⟩ = \(margin)")]
                if case .rankOne(let p, let q)? = layer?.heads.first?.scores {
                    out.append(LemmaParameter("layer", "A = x_\(index) wᵀ/|x_\(index)|² = p qᵀ with p = \(LemmaSupport.show(p)), q = w = \(LemmaSupport.show(q)); V = I, ρ = 0"))
                }
                return out
            case .convexCombination(let lambda):
                let terms = lambda.indices.filter { !lambda[$0].isZero }.map { "\(lambda[$0])·x_\($0)" }.joined(separator: " + ")
                return [LemmaParameter("witness", "convex combination x_\(index) = \(terms) (exact LP duals)")]
            }
        }
    }

    /// Runs the LP for token `index` of `tokens` and builds the layer when x_i is extreme.
    public static func construct(tokens: [Token], index i: Int) throws(LemmaError) -> Construction {
        guard let d = tokens.first?.count else { throw .invalidInput("the sequence is empty") }
        try LemmaSupport.requireDimension(tokens, d, "token")
        guard tokens.indices.contains(i) else { throw .invalidInput("token index \(i) is outside 0..<\(tokens.count)") }
        let witness: ExtremePointWitness
        do { witness = try ExtremePointTest.decide(points: tokens, index: i) } catch {
            throw .internalError("Lemma 4.5 LP: \(error.description)")
        }
        var layer: SelfAttentionLayer? = nil
        let norm = squaredNorm(tokens[i])
        if case .separating(let w, _) = witness, !norm.isZero {
            layer = SelfAttentionLayer(kind: .hardmax, rho: .zero, scores: .rankOne(p: scaled(tokens[i], by: norm.reciprocal), q: w),
                                       value: .scaledIdentity(.one))
        }
        return Construction(index: i, witness: witness, layer: layer)
    }

    /// Checks the hypotheses, re-checks the witness exactly, and — for an extreme point — evaluates
    /// the layer and confirms C_i = {i} and SA(X)_i = x_i.
    public static func check(_ construction: Construction, tokens: [Token]) -> LemmaCheck {
        runCheck("4.5") { (verified: inout [String]) throws(LemmaFailure) in
            let i = construction.index
            guard tokens.indices.contains(i) else { throw LemmaFailure("token index \(i) is outside 0..<\(tokens.count)") }
            if let (a, b) = LemmaSupport.firstRepeat(tokens) {
                throw LemmaFailure("hypothesis violated: tokens \(a) and \(b) are equal (\(LemmaSupport.show(tokens[a]))): they must be pairwise distinct")
            }
            guard tokens[i].contains(where: { !$0.isZero }) else {
                throw LemmaFailure("hypothesis x_i ≠ 0 violated: x_\(i) is the origin (every score s_ik = x_iᵀ A x_k is then 0)")
            }
            verified.append("hypotheses: \(tokens.count) pairwise distinct tokens, x_\(i) = \(LemmaSupport.show(tokens[i])) ≠ 0")
            if let reason = construction.witness.check(points: tokens, index: i) {
                throw LemmaFailure("witness rejected: \(reason)")
            }
            switch construction.witness {
            case .separating(_, let margin):
                verified.append("witness checked exactly: ⟨w, x_\(i)⟩ − ⟨w, x_k⟩ ≥ \(margin) > 0 for every k ≠ \(i): x_\(i) is an extreme point of conv(X)")
                guard let layer = construction.layer else { throw LemmaFailure("no attention layer was built for the extreme point x_\(i)") }
                let (out, argmax) = LemmaSupport.applyAttention(layer, tokens)
                let set = i < argmax.count ? argmax[i] : []
                guard set == [i] else {
                    throw LemmaFailure("token \(i) is not a leader: C_\(i) = {\(set.map(String.init).joined(separator: ", "))}, expected {\(i)}")
                }
                guard out[i] == tokens[i] else {
                    throw LemmaFailure("token \(i) moved: expected \(LemmaSupport.show(tokens[i])), got \(LemmaSupport.show(out[i]))")
                }
                verified.append("evaluated exactly: C_\(i)(X) = {\(i)} under A = x_\(i) wᵀ/|x_\(i)|², and SA(X)_\(i) = x_\(i): x_\(i) is a leader")
            case .convexCombination:
                verified.append("witness checked exactly: λ ≥ 0, Σλ = 1, Σ λ_k x_k = x_\(i): x_\(i) is not an extreme point of conv(X)")
                verified.append("hence for every A: s_\(i)\(i) = Σ λ_k s_\(i)k ≤ max_{k≠\(i)} s_\(i)k, so C_\(i)(X) ≠ {\(i)}: x_\(i) can never be a leader")
            }
        }
    }
}
