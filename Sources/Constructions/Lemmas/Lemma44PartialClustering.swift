import ExactArithmetic
import TransformerModel

/// Lemma 4.4 (partial clustering, see docs/mathematics.md#lemma-4-4) — the "orthant collapse" of docs/mathematics.md#collapse: the hardmax layer
/// A = I, V = γI, ρ = 1 − γ with leaders L = {ℓ} ∪ L′, |L| = m.
///
/// Hypotheses: every token outside L′ is in the open positive orthant and x_ℓ is coordinatewise
/// above every other such token; the tokens of L′ are pairwise distinct, non-zero, ≤ 0 in every
/// coordinate and lie on one sphere |x|² = R. Then non-leaders attend to x_ℓ only
/// (⟨x, x_s⟩ < 0 < ⟨x, x_ℓ⟩ for s ∈ L′), every leader attends to itself only, non-leaders follow
/// x_ℓ + (1 − γ)^t (x^0 − x_ℓ), and with γ = 1 one step leaves exactly the m distinct leaders.
///
/// `prepare` adds the orthant preparation of docs/mathematics.md#leader-selection: one FF shifting into the orthant and hat-moving
/// m chosen tokens — the first to a·1, the others onto the unit sphere in the negative orthant.
public enum PartialClustering {
    /// The construction: optional preparation, the leader indices (nil: detected by the checker), γ,
    /// T and the layer.
    public struct Construction: Sendable, Equatable, IdentityClusteringConstruction {
        public var preparation: OrthantPreparation?
        /// [ℓ] + L′ as indices into the configuration; nil lets the checker detect them (L′ = the
        /// tokens ≤ 0, ℓ = the top of the rest).
        public var leaders: [Int]?
        /// γ, T and A = I, V = γI, ρ = 1 − γ (γ = 1: the collapse layer A = I, V = I, ρ = 0).
        public var attention: IdentityClustering

        public var parameters: [LemmaParameter] {
            var out: [LemmaParameter] = []
            if let p = preparation {
                let moves = zip(p.leaders, p.targets).map { "x_\($0) → \(LemmaSupport.show($1))" }.joined(separator: ", ")
                out.append(LemmaParameter("preparation", "FF(x) = x + \(p.shift)·1 + \(p.leaders.count) hat\(p.leaders.count == 1 ? "" : "s") (width \(p.layer.width)): \(moves); others then in (0, \(p.cube))^d"))
            }
            if let leaders { out.append(LemmaParameter("leaders", "ℓ = \(leaders[0]), L′ = {\(leaders.dropFirst().map(String.init).joined(separator: ", "))}")) }
            out += attention.parameters
            return out
        }
    }

    /// Builds the layer. With `prepare`, the m = `leaderCount` leaders are the first m distinct
    /// tokens unless `leaders` names them; without it `leaders` (ℓ first) is optional.
    public static func construct(tokens: [Token], gamma: Rational = .one, steps: Int = 1, leaders: [Int]? = nil,
                                 prepare: Bool = false, leaderCount: Int = 1) throws(LemmaError) -> Construction {
        let d = try LemmaSupport.requireSequence(tokens, steps: steps)
        let attention = IdentityClustering(gamma: gamma, steps: steps)
        if prepare {
            let distinct = LemmaSupport.distinct(tokens)
            guard (1...distinct.count).contains(leaders?.count ?? leaderCount) else {
                throw .invalidInput("the number of leaders must be in 1...\(distinct.count) (the distinct tokens), got \(leaders?.count ?? leaderCount)")
            }
            let chosen = leaders ?? Array(0..<leaderCount)
            let p = try OrthantPreparation(tokens: distinct, leaders: chosen, dimension: d)
            return Construction(preparation: p, leaders: chosen, attention: attention)
        }
        if let leaders {
            guard !leaders.isEmpty else { throw .invalidInput("at least one leader is needed") }
            if let bad = leaders.first(where: { !tokens.indices.contains($0) }) {
                throw .invalidInput("leader index \(bad) is outside 0..<\(tokens.count)")
            }
            guard Set(leaders).count == leaders.count else { throw .invalidInput("leader indices repeat: \(leaders)") }
        }
        return Construction(preparation: nil, leaders: leaders, attention: attention)
    }

    /// Applies the preparation, checks the hypotheses, iterates the layer T times and compares with
    /// the claim; with γ = 1 also that one step leaves exactly the m leaders.
    public static func check(_ construction: Construction, tokens: [Token]) -> LemmaCheck {
        runCheck("4.4") { (verified: inout [String]) throws(LemmaFailure) in
            let gamma = construction.gamma
            try LemmaSupport.requireGamma(gamma)
            let x0 = OrthantPreparation.start(construction.preparation, tokens, verified: &verified)
            guard !x0.isEmpty, x0.allSatisfy({ !$0.isEmpty }) else { throw LemmaFailure("the sequence is empty") }
            // The leaders: given, or L′ = the tokens ≤ 0 and ℓ = the top of the rest.
            let l: Int
            let sphere: [Int]
            if let given = construction.leaders {
                guard let first = given.first, given.allSatisfy({ x0.indices.contains($0) }) else {
                    throw LemmaFailure("leader indices \(given) are outside 0..<\(x0.count)")
                }
                l = first
                sphere = Array(given.dropFirst())
            } else {
                sphere = x0.indices.filter { k in x0[k].allSatisfy { $0 <= .zero } }
                let rest = x0.indices.filter { !sphere.contains($0) }
                guard !rest.isEmpty else { throw LemmaFailure("hypothesis violated: no token in the open positive orthant to lead the non-leaders") }
                l = rest[try FullClustering.dominatingToken(rest.map { x0[$0] })]
            }
            let sphereSet = Set(sphere)
            guard !sphereSet.contains(l) else { throw LemmaFailure("ℓ = \(l) is also listed in L′") }
            // L′: non-zero, ≤ 0, pairwise distinct, one sphere.
            var radius: Rational? = nil
            var seen: [Token: Int] = [:]
            for s in sphere {
                let x = x0[s]
                if let c = x.firstIndex(where: { $0 > .zero }) {
                    throw LemmaFailure("hypothesis x ≤ 0 on L′ violated: leader \(s) = \(LemmaSupport.show(x)) has coordinate \(c) = \(x[c]) > 0")
                }
                guard x.contains(where: { !$0.isZero }) else { throw LemmaFailure("hypothesis violated: leader \(s) of L′ is the origin") }
                if let k = seen[x] { throw LemmaFailure("hypothesis violated: leaders \(k) and \(s) of L′ are equal (\(LemmaSupport.show(x)))") }
                seen[x] = s
                let n2 = squaredNorm(x)
                if let r = radius, r != n2, let first = sphere.first {
                    throw LemmaFailure("hypothesis violated: L′ is not on one sphere: |x_\(first)|² = \(r) but |x_\(s)|² = \(n2)")
                }
                radius = n2
            }
            // The rest: open positive orthant, x_ℓ above every other value.
            try FullClustering.requirePositive(x0, except: sphereSet)
            let leader = x0[l]
            for k in x0.indices where !sphereSet.contains(k) && x0[k] != leader {
                if let c = leader.indices.first(where: { leader[$0] <= x0[k][$0] }) {
                    throw LemmaFailure("hypothesis violated: x_ℓ = x_\(l) = \(LemmaSupport.show(leader)) is not above x_\(k) = \(LemmaSupport.show(x0[k])) in coordinate \(c)")
                }
            }
            let m = 1 + sphere.count
            verified.append("hypotheses: γ = \(gamma) ∈ (0,1]; x_ℓ = x_\(l) = \(LemmaSupport.show(leader)) above every non-leader, all in the open positive orthant; L′ = {\(sphere.map { "x_\($0)" }.joined(separator: ", "))}\(radius.map { " pairwise distinct, ≤ 0, on |x|² = \($0)" } ?? " empty"); m = \(m)")
            let current = try LemmaSupport.iterateClustering(
                construction.layer, gamma: gamma, steps: construction.steps, start: x0,
                targets: x0.indices.map { sphereSet.contains($0) ? x0[$0] : leader },
                targetName: { sphereSet.contains($0) ? "itself" : "x_ℓ" },
                tokenNote: { sphereSet.contains($0) ? " (a leader) moved" : "" })
            if construction.steps > 0 {
                verified.append("steps 1…\(construction.steps): non-leaders attend to x_ℓ only and follow x_ℓ + (1−γ)^t (x^0 − x_ℓ); every leader attends to itself only and stays")
                let values = LemmaSupport.distinct(current)
                if gamma == .one {
                    let expected = Set([leader] + sphere.map { x0[$0] })
                    guard Set(values) == expected else {
                        throw LemmaFailure("after one step with γ = 1 the sequence holds \(values.count) values, not exactly the \(m) leaders")
                    }
                    verified.append("γ = 1: one step leaves exactly the m = \(m) distinct leaders \(LemmaSupport.show(set: values))")
                } else {
                    verified.append(LemmaSupport.afterSteps(construction.steps, current))
                }
            }
            let limit = x0.indices.map { sphereSet.contains($0) ? x0[$0] : leader }
            let (fixed, _) = LemmaSupport.applyAttention(construction.layer, limit)
            guard fixed == limit else { throw LemmaFailure("the partially clustered configuration is not a fixed point") }
            verified.append("limit: non-leaders at x_ℓ, leaders in place — a fixed point with m = \(m) distinct tokens")
        }
    }
}
