import Evaluation
import ExactArithmetic
import TransformerModel

/// Lemma 4.7 (a shift FF and rank-one attention align every token with its leader, see docs/mathematics.md#lemma-4-7).
///
/// With w from Lemma 4.6, the width-1 FF with η = 1, U = 0, b = 1, W = c·w shifts every token:
/// FF(x) = x + c·w, with c = ⌈(1 + max(0, −min_x ⟨w, x⟩)) / |w|²⌉, so ⟨w, FF(x)⟩ ≥ 1 > 0 for every
/// token. A shift leaves the maximisers of ⟨w, ·⟩ in place, so under A = w wᵀ every token of
/// FF(X^n) attends to FF(x_{k_n}) only, and k_j = i. The SA here is the separation block's
/// (docs/mathematics.md#separation): V = βI, ρ = 1, so SA(FF(X^n))_k = FF(x_k) + β·FF(x_{k_n}).
public enum LeaderAlignment {
    /// The construction: the Lemma 4.6 direction, c, β and the block (nil when 4.6 has no w).
    public struct Construction: Sendable, Equatable {
        public var unique: UniqueLeaders.Construction
        /// c.
        public var coefficient: Rational
        /// β.
        public var beta: Rational
        /// FF = shift by c·w, SA = rank one w wᵀ, V = βI, ρ = 1.
        public var block: Block?

        public var parameters: [LemmaParameter] {
            var out = unique.parameters
            if let w = unique.direction {
                out.append(LemmaParameter("FF", "x + c·w, c = \(coefficient) (η = 1, U = 0, b = 1, W = c·w = \(LemmaSupport.show(scaled(w, by: coefficient))), width 1)"))
                out.append(LemmaParameter("SA", "A = w wᵀ (rank one), V = β·I = \(beta)·I, ρ = 1"))
            }
            return out
        }
    }

    /// Builds the block for token `index` of sequence `sequence`.
    /// `unique`, when given, must be Lemma 4.6's construction for the same sequences, j and i (it
    /// saves building it again).
    public static func construct(sequences: [[Token]], sequence j: Int, index i: Int, beta: Rational = .one,
                                 unique given: UniqueLeaders.Construction? = nil) throws(LemmaError) -> Construction {
        let unique: UniqueLeaders.Construction
        if let given { unique = given } else { unique = try UniqueLeaders.construct(sequences: sequences, sequence: j, index: i) }
        guard let w = unique.direction, !squaredNorm(w).isZero else {
            return Construction(unique: unique, coefficient: .zero, beta: beta, block: nil)
        }
        let c = ShiftLayer.alignmentCoefficient(direction: w, tokens: sequences.flatMap { $0 })
        let block = Block(stage: .lemma47, feedForward: ShiftLayer.layer(adding: scaled(w, by: c)),
                          attention: SelfAttentionLayer(kind: .hardmax, rho: .one, scores: .rankOne(p: w, q: w), value: .scaledIdentity(beta)))
        return Construction(unique: unique, coefficient: c, beta: beta, block: block)
    }

    /// Checks Lemma 4.6 first, then evaluates the block exactly on every sequence: ⟨w, FF(x)⟩ ≥ 1,
    /// every token of FF(X^n) attends to FF(x_{k_n}) only, k_j = i, and the SA output is
    /// FF(x_k) + β·FF(x_{k_n}).
    public static func check(_ construction: Construction, sequences: [[Token]]) -> LemmaCheck {
        runCheck("4.7") { (verified: inout [String]) throws(LemmaFailure) in
            var leaders: [Int] = []
            let unique = UniqueLeaders.check(construction.unique, sequences: sequences, leaders: &leaders)
            verified += unique.verified.map { "Lemma 4.6: " + $0 }
            if let failure = unique.failure { throw LemmaFailure("Lemma 4.6: " + failure) }
            guard let w = construction.unique.direction, let block = construction.block else {
                throw LemmaFailure("no block was built")
            }
            let beta = construction.beta
            var lowest: Rational? = nil
            // Compiled once for all the sequences (not once per sequence: `lemmas` checks every row
            // against every sequence).
            let feedForward = CompiledFeedForward<Rational>(block.feedForward)
            let attention = CompiledAttention<Rational>(block.attention, temperature: nil)
            for (n, s) in sequences.enumerated() {
                let shifted = s.map { feedForward.apply($0) }
                for (k, y) in shifted.enumerated() {
                    let p = Rational.dot(w, y)
                    guard p >= .one else {
                        throw LemmaFailure("token \(k) of sequence \(n): ⟨w, FF(x)⟩ = \(p) < 1 (the shift does not reach the half-space ⟨w, ·⟩ ≥ 1)")
                    }
                    lowest = lowest.map { min($0, p) } ?? p
                }
                let (out, observation) = attention.apply(shifted, observe: true)
                let argmax = observation.argmaxSets.first ?? []
                let leader = shifted[leaders[n]]
                for k in shifted.indices {
                    let attended = k < argmax.count ? LemmaSupport.values(shifted, argmax[k]) : []
                    guard attended == [leader] else {
                        throw LemmaFailure("token \(k) of sequence \(n) attends to \(LemmaSupport.show(set: Array(attended).sorted { $0.lexicographicallyPrecedes($1) })) instead of FF(x_\(leaders[n])) = \(LemmaSupport.show(leader)) only")
                    }
                    let expected = added(shifted[k], scaled(leader, by: beta))
                    guard out[k] == expected else {
                        throw LemmaFailure("token \(k) of sequence \(n): SA output expected \(LemmaSupport.show(expected)) = FF(x_k) + β·FF(x_\(leaders[n])), got \(LemmaSupport.show(out[k]))")
                    }
                }
            }
            let j = construction.unique.sequence, i = construction.unique.index
            guard sequences[j][leaders[j]] == sequences[j][i] else {
                throw LemmaFailure("k_\(j) = \(leaders[j]) but the chosen leader is token \(i)")
            }
            verified.append("FF(x) = x + \(construction.coefficient)·w: ⟨w, FF(x)⟩ ≥ \(lowest?.description ?? "1") ≥ 1 for all \(sequences.reduce(0) { $0 + $1.count }) tokens")
            verified.append("evaluated exactly: every token of FF(X^n) attends to FF(x_{k_n}) only, for all \(sequences.count) sequences; k_\(j) = \(i); SA(FF(X^n))_k = FF(x_k) + \(beta)·FF(x_{k_n})")
        }
    }
}
