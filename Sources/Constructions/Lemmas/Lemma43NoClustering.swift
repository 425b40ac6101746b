import ExactArithmetic
import TransformerModel

/// Lemma 4.3 (no clustering, see docs/mathematics.md#lemma-4-3): the hardmax layer A = I, V = γI, ρ = 1 − γ on pairwise
/// distinct tokens of one sphere |x|² = R > 0.
///
/// By Cauchy–Schwarz ⟨x_i, x_k⟩ ≤ R with equality only for x_k = x_i, so C_i = {i} and
/// SA(X)_i = (1 − γ) x_i + γ x_i = x_i: the configuration is an equilibrium.
///
/// Rational points on spheres come from inverse stereographic projection (`sphereImage`), which
/// maps any finite set of distinct rational tokens to distinct rational points of |x| = r.
public enum NoClustering {
    /// The construction: the points checked (the tokens, or their sphere image), γ, T and the layer.
    public struct Construction: Sendable, Equatable, IdentityClusteringConstruction {
        /// The configuration the lemma is applied to.
        public var points: [Token]
        /// Whether `points` is the sphere image of the data (and its radius).
        public var projectedRadius: Rational?
        /// The s of the linear map L_s used by the projection (nil when not projected, or d = 1).
        public var projectionParameter: Int?
        /// γ, T and A = I, V = γI, ρ = 1 − γ.
        public var attention: IdentityClustering

        public var parameters: [LemmaParameter] {
            var out: [LemmaParameter] = []
            if let r = projectedRadius {
                let map = projectionParameter.map { s in "t_c = x[c] + \(s)^c·x[d] for c < d (t ∈ ℚ^{d−1}), then x ↦ \(r)·(2t, |t|²−1)/(|t|²+1)" } ?? "x ↦ ±\(r) in order"
                out.append(LemmaParameter("points", "inverse stereographic image of the tokens: \(map)"))
                out.append(LemmaParameter("sphere", LemmaSupport.show(set: points)))
            }
            out += attention.parameters
            return out
        }
    }

    /// The image of pairwise distinct tokens on the sphere |x| = r (r ≠ 0): first an injective
    /// linear map L_s: ℚ^d → ℚ^{d−1}, L_s(x) = (x_c + s^c·x_d)_{c<d}, with the smallest s ≥ 1 that
    /// keeps the tokens distinct (L_s kills only multiples of (−s, −s², …, 1), and a difference of two
    /// tokens is such a multiple for at most one s), then inverse stereographic projection, which is
    /// injective. In ℚ¹ the sphere is {r, −r}: at most two tokens.
    public static func sphereImage(_ tokens: [Token], radius r: Rational) throws(LemmaError) -> (points: [Token], parameter: Int?) {
        guard let d = tokens.first?.count else { throw .invalidInput("the sequence is empty") }
        try LemmaSupport.requireDimension(tokens, d, "token")
        guard !r.isZero else { throw .invalidInput("the radius must be non-zero") }
        if let (i, k) = LemmaSupport.firstRepeat(tokens) { throw .invalidInput("tokens \(i) and \(k) are equal: pass distinct tokens") }
        if d == 1 {
            guard tokens.count <= 2 else { throw .invalidInput("a sphere in ℚ¹ has only two points, the sequence has \(tokens.count) distinct tokens") }
            return (tokens.indices.map { [$0 == 0 ? r : -r] }, nil)
        }
        var s = 1
        while true {
            var power = [Rational](repeating: .one, count: d - 1)
            var p = Rational(s)
            for c in 0..<(d - 1) { power[c] = p; p *= Rational(s) }
            let images = tokens.map { x in (0..<(d - 1)).map { x[$0] + power[$0] * x[d - 1] } }
            if Set(images).count == images.count {
                return (images.map { LemmaSupport.inverseStereographic($0, radius: r) }, s)
            }
            s += 1
        }
    }

    /// Builds the layer; with `projectOntoRadius`, the lemma is applied to the sphere image of the
    /// distinct tokens instead of the tokens themselves.
    public static func construct(tokens: [Token], gamma: Rational = Rational(1) / Rational(2), steps: Int = 2,
                                 projectOntoRadius radius: Rational? = nil) throws(LemmaError) -> Construction {
        _ = try LemmaSupport.requireSequence(tokens, steps: steps, in: 1...1000,
                                             why: " (an equilibrium is checked over at least one step)")
        var points = tokens
        var parameter: Int? = nil
        if let radius { (points, parameter) = try sphereImage(LemmaSupport.distinct(tokens), radius: radius) }
        return Construction(points: points, projectedRadius: radius, projectionParameter: parameter,
                            attention: IdentityClustering(gamma: gamma, steps: steps))
    }

    /// Checks the hypotheses on `construction.points` (distinct, one sphere, R > 0), then that every
    /// token attends to itself only and the configuration is unchanged for T steps.
    public static func check(_ construction: Construction) -> LemmaCheck {
        runCheck("4.3") { (verified: inout [String]) throws(LemmaFailure) in
            let points = construction.points
            try LemmaSupport.requireGamma(construction.gamma)
            guard !points.isEmpty else { throw LemmaFailure("the configuration is empty") }
            if let (i, k) = LemmaSupport.firstRepeat(points) {
                throw LemmaFailure("hypothesis violated: tokens \(i) and \(k) are equal (\(LemmaSupport.show(points[i]))): they must be pairwise distinct")
            }
            let radius = squaredNorm(points[0])
            guard radius > .zero else { throw LemmaFailure("hypothesis R > 0 violated: token 0 is the origin") }
            if let k = points.indices.first(where: { squaredNorm(points[$0]) != radius }) {
                throw LemmaFailure("hypothesis violated: the tokens are not on one sphere: |x_0|² = \(radius) but |x_\(k)|² = \(squaredNorm(points[k]))")
            }
            verified.append("hypotheses: γ = \(construction.gamma) ∈ (0,1]; \(points.count) pairwise distinct tokens, all with |x|² = R = \(radius)")
            // Distinct points: attending to the value x_i only is C_i = {i}; the target x_i is the start.
            _ = try LemmaSupport.iterateClustering(
                construction.layer, gamma: construction.gamma, steps: construction.steps, start: points, targets: points,
                attendFailure: { t, i, set in "step \(t), token \(i): C_\(i) = {\(set.map(String.init).joined(separator: ", "))}, expected {\(i)}" },
                tokenNote: { _ in " moved" })
            verified.append("steps 1…\(construction.steps): C_i = {i} for every token (Cauchy–Schwarz) and SA(X) = X exactly: an equilibrium")
        }
    }
}
