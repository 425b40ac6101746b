import ExactArithmetic
import TransformerModel

/// Rigorous evaluation at one temperature τ (see docs/mathematics.md#rigorous-evaluation): every
/// output coordinate as a rational interval that contains the true value of the model.
///
/// The enclosure certificate (`EnclosureEvaluator`) covers every τ ∈ (0, τ₀] at once and its boxes
/// are as wide as that requires. A trained model is run at *its* τ, and there exp(s/τ) can be
/// bounded as tightly as wanted: this evaluator works with intervals whose endpoints are exact
/// rationals rounded outward to `significantBits` bits after each sublayer, and with bounds of
/// e^{−y} whose relative width is about 2^{−significantBits}. Feed-forward layers are monotone
/// interval maps (ReLU included); hardmax attention is decided when the intervals decide it (a unique
/// top, or an exact tie of point scores) and is an error otherwise. No floating point is used.
public struct RigorousEvaluator: Sendable {
    public let model: Transformer
    /// The τ of softmax layers (the model's, or the one given).
    public let temperature: Rational?
    /// Significant bits of interval endpoints and of the exponential bounds.
    public let significantBits: Int

    /// `temperature` overrides the model's τ; softmax layers need one of the two.
    public init(_ model: Transformer, temperature: Rational? = nil, significantBits: Int = 128) throws(EvaluationError) {
        let tau = temperature ?? model.temperature
        if model.usesSoftmax {
            guard let tau else { throw EvaluationError("the model has softmax layers but no temperature τ") }
            guard tau.signum > 0 else { throw EvaluationError("the temperature must be positive (found \(tau))") }
        }
        guard (16...4096).contains(significantBits) else {
            throw EvaluationError("the precision must be between 16 and 4096 bits (found \(significantBits))")
        }
        self.model = model
        self.temperature = tau
        self.significantBits = significantBits
    }

    /// T(X) with every coordinate enclosed.
    public func evaluate(_ tokens: [Token]) throws(EvaluationError) -> [[RationalInterval]] {
        var xs = tokens.map { $0.map(RationalInterval.init) }
        for (b, block) in model.blocks.enumerated() {
            if !block.feedForward.isIdentity { xs = xs.map { feedForward(block.feedForward, $0) } }
            if !block.attention.isIdentity { xs = try attention(block.attention, xs, block: b) }
        }
        return xs
    }

    /// T(X) for every sequence, in parallel; the first error, if any, is thrown.
    public func evaluateAll(_ sequences: [[Token]]) throws(EvaluationError) -> [[[RationalInterval]]] {
        let results = parallelMap(sequences) { tokens -> Result<[[RationalInterval]], EvaluationError> in
            Result { () throws(EvaluationError) in try evaluate(tokens) }
        }
        return try results.map { (r) throws(EvaluationError) in try r.get() }
    }

    private func round(_ x: [RationalInterval]) -> [RationalInterval] {
        x.map { $0.rounded(significantBits: significantBits) }
    }

    /// FF(x) = η·x + Σ w_j σ(⟨u_j, x⟩ + b_j), interval by interval.
    func feedForward(_ layer: FeedForwardLayer, _ x: [RationalInterval]) -> [RationalInterval] {
        var out = layer.eta == .one ? x : x.map { $0 * layer.eta }
        for ridge in layer.ridges {
            let t = RationalInterval.dot(ridge.direction, x)
            for neuron in ridge.neurons {
                let a = (t + RationalInterval(neuron.bias)).relu
                if a.isPoint && a.lo.isZero { continue }
                for e in out.indices where e < neuron.output.count && !neuron.output[e].isZero {
                    out[e] = out[e] + a * neuron.output[e]
                }
            }
        }
        return round(out)
    }

    /// SA(X)_i = ρ x_i + Σ_h Σ_k λ^h_ik V_h x_k.
    func attention(_ layer: SelfAttentionLayer, _ xs: [[RationalInterval]], block: Int) throws(EvaluationError) -> [[RationalInterval]] {
        let n = xs.count
        // Softmax scores are divided by τ: one reciprocal per layer, not one per query.
        let inverseTemperature = (temperature ?? .one).reciprocal
        var out = layer.rho == .one ? xs : xs.map { $0.map { $0 * layer.rho } }
        for (h, head) in layer.heads.enumerated() {
            let values = xs.map { value(head.value, $0) }
            if values.allSatisfy({ $0.isEmpty }) { continue }
            for i in 0..<n {
                let keys = layer.causal ? i + 1 : n
                let scores = (0..<keys).map { k in score(head.scores, xs[i], xs[k]) }
                let weights: [RationalInterval]
                switch layer.kind {
                case .hardmax: weights = try hardmaxWeights(scores, block: block, head: h, token: i)
                case .softmax: weights = softmaxWeights(scores.map { $0 * inverseTemperature })
                }
                for k in 0..<keys where !values[k].isEmpty {
                    for e in out[i].indices { out[i][e] = out[i][e] + weights[k] * values[k][e] }
                }
            }
        }
        return out.map(round)
    }

    /// V x; empty for V = 0.
    func value(_ v: ValueMatrix, _ x: [RationalInterval]) -> [RationalInterval] {
        switch v {
        case .zero: return []
        case .scaledIdentity(let a): return a.isZero ? [] : x.map { $0 * a }
        case .general(let m): return m.map { RationalInterval.dot($0, x) }
        }
    }

    /// s = x_iᵀ A x_k.
    func score(_ a: ScoreMatrix, _ xi: [RationalInterval], _ xk: [RationalInterval]) -> RationalInterval {
        switch a {
        case .zero: return .zero
        case .scaledIdentity(let c): return RationalInterval.dot(xi, xk) * c
        case .rankOne(let p, let q): return RationalInterval.dot(p, xi) * RationalInterval.dot(q, xk)
        case .general(let m): return RationalInterval.dot(xi, m.map { RationalInterval.dot($0, xk) })
        case .queryKey(let query, let key):
            return RationalInterval.dot(query.map { RationalInterval.dot($0, xi) }, key.map { RationalInterval.dot($0, xk) })
        }
    }

    /// Uniform weights over the argmax set when the intervals decide it: one key whose score may be
    /// the top, or several whose scores are one exact value.
    func hardmaxWeights(_ scores: [RationalInterval], block: Int, head: Int, token: Int) throws(EvaluationError) -> [RationalInterval] {
        guard let bestLower = scores.map(\.lo).max() else { return [] }
        let candidates = scores.indices.filter { scores[$0].hi >= bestLower }
        let exactTie = candidates.allSatisfy { scores[$0].isPoint && scores[$0].lo == bestLower }
        guard candidates.count == 1 || exactTie else {
            throw EvaluationError("block \(block) (0-based) attention head \(head), token \(token): the score intervals of keys \(candidates.prefix(4).map(String.init).joined(separator: ", ")) overlap, so hardmax cannot decide the top key rigorously")
        }
        let w = RationalInterval(Rational.one / Rational(candidates.count))
        var weights = [RationalInterval](repeating: .zero, count: scores.count)
        for k in candidates { weights[k] = w }
        return weights
    }

    /// λ_k = e^{s_k}/Σ_l e^{s_l} for scores already divided by τ. With E_l ∋ e^{s_l − m} (m the
    /// largest upper score, so every exponent is ≤ 0): λ_k ∈ [L_k/(L_k + Σ_{l≠k} U_l), U_k/(U_k + Σ_{l≠k} L_l)],
    /// since x/(x + c) grows with x and falls with c.
    func softmaxWeights(_ scores: [RationalInterval]) -> [RationalInterval] {
        guard let m = scores.map(\.hi).max() else { return [] }
        let e = scores.map { s -> RationalInterval in
            let near = ExponentialBounds.negativeExp(m - s.hi, bits: significantBits)
            let far = s.isPoint ? near : ExponentialBounds.negativeExp(m - s.lo, bits: significantBits)
            return RationalInterval(lo: far.lo, hi: near.hi)
        }
        let sumLower = e.reduce(Rational.zero) { $0 + $1.lo }
        let sumUpper = e.reduce(Rational.zero) { $0 + $1.hi }
        return e.map { ek in
            let lowDenominator = ek.lo + (sumUpper - ek.hi)
            let highDenominator = ek.hi + (sumLower - ek.lo)
            let lo = lowDenominator.signum > 0 ? ek.lo / lowDenominator : .zero
            let hi = highDenominator.signum > 0 ? Swift.min(.one, ek.hi / highDenominator) : .one
            return RationalInterval(lo: lo, hi: hi).rounded(significantBits: significantBits + 8)
        }
    }
}
