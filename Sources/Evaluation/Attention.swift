import ExactArithmetic
import TransformerModel

/// A self-attention layer's parameters converted once to `S`: what `CompiledAttention` (on a
/// scalar type) and `EnclosureAttention` (on boxes) both keep.
struct AttentionParameters<S: Scalar>: Sendable {
    struct Head: Sendable {
        var scores: CompiledScores<S>
        var value: CompiledValue<S>
    }

    let kind: AttentionKind
    let rho: S
    let heads: [Head]
    let causal: Bool
    let temperature: Rational?
    /// True when the layer is the identity (evaluation skips it).
    let isIdentity: Bool
    /// Exact scalars: decide hardmax argmax sets (dense, and unmasked rank-one) with the float64
    /// filter first (`FloatFilter`), when the evaluator was asked for it (`SignDecisions.float64Filter`).
    var filtered = false

    init(_ layer: SelfAttentionLayer, temperature: Rational?) {
        kind = layer.kind
        rho = S(layer.rho)
        heads = layer.heads.map { Head(scores: CompiledScores($0.scores), value: CompiledValue($0.value)) }
        causal = layer.causal
        self.temperature = temperature
        isIdentity = layer.isIdentity
    }
}

/// A compiled attention layer reads its parameters by name (`kind`, `rho`, `heads`, …).
protocol CompiledAttentionLayer {
    associatedtype S: Scalar
    var parameters: AttentionParameters<S> { get }
}

extension CompiledAttentionLayer {
    var kind: AttentionKind { parameters.kind }
    var rho: S { parameters.rho }
    var heads: [AttentionParameters<S>.Head] { parameters.heads }
    var causal: Bool { parameters.causal }
    var temperature: Rational? { parameters.temperature }
    var isIdentity: Bool { parameters.isIdentity }
}

extension ValueMatrix {
    /// |V| entry by entry (enclosure radii).
    var magnitude: ValueMatrix {
        switch self {
        case .zero: return .zero
        case .scaledIdentity(let v): return .scaledIdentity(v.magnitude)
        case .general(let m): return .general(m.map { $0.map(\.magnitude) })
        }
    }
}

/// A self-attention layer with parameters converted once to `S`.
public struct CompiledAttention<S: Scalar>: Sendable, CompiledAttentionLayer {
    var parameters: AttentionParameters<S>
    /// True when the layer is the identity (evaluation skips it).
    public var isIdentity: Bool { parameters.isIdentity }

    @_specialize(where S == Rational)
    @_specialize(where S == Double)
    public init(_ layer: SelfAttentionLayer, temperature: Rational?) {
        parameters = AttentionParameters(layer, temperature: temperature)
    }

    /// What one application of the layer did, for traces and margins.
    public struct Observation: Sendable {
        /// Per head, per token: the argmax set C_i (hardmax only).
        public var argmaxSets: [[[Int]]] = []
        /// Smallest gap between a token's top score and its runner-up, over tokens and heads
        /// (nil when every token's scores all tie, or for softmax).
        public var smallestScoreGap: S?
    }

    /// SA(X) without observation.
    @_specialize(where S == Rational)
    @_specialize(where S == Double)
    public func apply(_ xs: [[S]]) -> [[S]] {
        if isIdentity { return xs }
        return apply(xs, observe: false).0
    }

    /// SA(X)_i = ρ x_i + Σ_h Σ_k λ^h_ik V_h x_k; with `observe`, also the argmax sets and score gaps.
    @_specialize(where S == Rational)
    @_specialize(where S == Double)
    public func apply(_ xs: [[S]], observe: Bool) -> ([[S]], Observation) {
        var observation = Observation()
        let n = xs.count
        var out = rho == .one ? xs : xs.map { scaled($0, by: rho) }
        for head in heads {
            if head.value.isZero && !observe { continue }
            switch kind {
            case .hardmax:
                // V is linear, so the mean of V x_k over a set is V applied to the mean of the x_k:
                // V is applied once per distinct argmax set, not once per token.
                let (sets, means, meanIndex, gap) = hardmax(head.scores, xs, values: head.value.isZero ? [] : xs, observe: observe)
                if !head.value.isZero {
                    let moved = means.map { head.value.apply($0) }
                    for i in 0..<n { addInPlace(&out[i], moved[meanIndex[i]]) }
                }
                if observe {
                    observation.argmaxSets.append(sets)
                    if let gap { observation.smallestScoreGap = observation.smallestScoreGap.map { min($0, gap) } ?? gap }
                }
            case .softmax:
                guard !head.value.isZero else { continue }
                let values = xs.map { head.value.apply($0) }
                for i in 0..<n {
                    let keys = causal ? i + 1 : n
                    let scores = (0..<keys).map { k in score(head.scores, xs[i], xs[k]) }
                    // Only types that can represent exp get here: the evaluator checks at construction.
                    let weights = Softmax.weights(scores, temperature: temperature ?? .one) ?? []
                    for k in weights.indices { axpy(weights[k], values[k], &out[i]) }
                }
            }
        }
        return (out, observation)
    }

    /// s = x_iᵀ A x_k.
    func score(_ scores: CompiledScores<S>, _ xi: [S], _ xk: [S]) -> S {
        switch scores {
        case .zero: return .zero
        case .multiple(let a): return a * S.dot(xi, xk)
        case .rankOne(let p, let q): return S.dot(xi, p) * S.dot(q, xk)
        case .general(let m): return S.dot(xi, matrixVector(m, xk))
        }
    }

    /// Argmax sets (when observing), the mean of `values` over each distinct set with, per token, the
    /// index of its set's mean, and the smallest score gap (when observing).
    func hardmax(_ scores: CompiledScores<S>, _ xs: [[S]], values: [[S]], observe: Bool) -> ([[Int]], [[S]], [Int], S?) {
        switch scores {
        case .rankOne(let p, let q):
            if !observe && !causal && parameters.filtered, let (alpha, beta) = rankOneStandIns(p, q, xs) {
                return rankOneHardmax(alpha: alpha, beta: beta, values: values, observe: false)
            }
            // A = w wᵀ (Lemmas 4.1, 4.6, 4.7) has α = β: one projection per token.
            let alpha = xs.map { S.dot($0, p) }
            return rankOneHardmax(alpha: alpha, beta: p == q ? alpha : xs.map { S.dot(q, $0) }, values: values, observe: observe)
        case .zero:
            let zeros = [S](repeating: .zero, count: xs.count)
            return rankOneHardmax(alpha: zeros, beta: zeros, values: values, observe: observe)
        case .multiple, .general:
            let keys: [[S]]
            switch scores {
            case .multiple(let a): keys = xs.map { scaled($0, by: a) }
            case .general(let m): keys = xs.map { matrixVector(m, $0) }
            default: keys = xs
            }
            // A = a·I: s_ik = ⟨x_i, a·x_k⟩ = ⟨x_k, a·x_i⟩ = s_ki exactly in ℚ (not in floating point).
            var symmetric = false
            if case .multiple = scores { symmetric = S.isExact }
            return denseHardmax(xs, keys: keys, values: values, observe: observe, symmetric: symmetric)
        }
    }

    /// s_ik = ⟨x_i, key_k⟩ for every pair: O(n²·d).
    ///
    /// `symmetric`: the caller knows s_ik = s_ki exactly (A = a·I on exact scalars); without a
    /// causal mask each score is then computed once, for k ≥ i, and read for both pairs: n(n+1)/2
    /// dot products instead of n², the same values (sequences of at most `symmetricScoresLimit` tokens,
    /// so that the score matrix stays small).
    func denseHardmax(_ xs: [[S]], keys: [[S]], values: [[S]], observe: Bool, symmetric: Bool = false) -> ([[Int]], [[S]], [Int], S?) {
        let n = xs.count
        if !observe && parameters.filtered, let decided = filteredArgmaxSets(xs, keys: keys) {
            let means = values.isEmpty ? [] : decided.map { mean(of: $0, values) }
            return ([], means, Array(means.indices), nil)
        }
        var gram: [S] = []
        if symmetric && !causal && n > 1 && n <= Self.symmetricScoresLimit {
            gram = [S](repeating: .zero, count: n * n)
            for i in 0..<n {
                for k in i..<n {
                    let s = S.dot(xs[i], keys[k])
                    gram[i * n + k] = s
                    gram[k * n + i] = s
                }
            }
        }
        func score(_ i: Int, _ k: Int) -> S { gram.isEmpty ? S.dot(xs[i], keys[k]) : gram[i * n + k] }
        var sets: [[Int]] = []
        var means: [[S]] = []
        var gap: S? = nil
        for i in 0..<n {
            let limit = causal ? i + 1 : n
            var best = score(i, 0)
            var set = [0]
            var runnerUp: S? = nil
            for k in 1..<max(limit, 1) {
                let s = score(i, k)
                if s > best {
                    runnerUp = best
                    best = s
                    set = [k]
                } else if s == best {
                    set.append(k)
                } else if runnerUp.map({ s > $0 }) ?? true {
                    runnerUp = s
                }
            }
            if observe {
                sets.append(set)
                if let r = runnerUp { gap = gap.map { min($0, best - r) } ?? (best - r) }
            }
            if !values.isEmpty { means.append(mean(of: set, values)) }
        }
        return (sets, means, Array(means.indices), gap)
    }

    /// The longest sequence whose symmetric scores `denseHardmax` keeps as a matrix (n² values).
    static var symmetricScoresLimit: Int { 512 }

    /// The argmax sets of s_ik = ⟨x_i, key_k⟩ (k < i + 1 with a causal mask), decided by the
    /// float64 filter: per query, k̂ maximises the estimates s̃_ik, and a key whose estimate is
    /// proved below s̃_ik̂'s (`FloatFilter.sign`) is out. One candidate left is the argmax set;
    /// candidates with equal exact keys tie exactly; otherwise their exact scores decide, one dot
    /// product per distinct key. Nil (the caller runs the exact loop) for floating-point scalars
    /// or when a coordinate is outside the filter's range. Sets list keys in increasing order, as
    /// the exact loop's do.
    func filteredArgmaxSets(_ xs: [[S]], keys: [[S]]) -> [[Int]]? {
        let n = xs.count
        guard n > 0, S.isExact, let d = xs.first?.count, keys.count == n else { return nil }
        var queries = [Double](), keyEstimates = [Double]()
        queries.reserveCapacity(n * d)
        keyEstimates.reserveCapacity(n * d)
        for i in 0..<n {
            guard xs[i].count == d, keys[i].count == d, let x = FloatFilter.approximations(of: xs[i]),
                  let k = FloatFilter.approximations(of: keys[i]) else { return nil }
            queries += x
            keyEstimates += k
        }
        var sets: [[Int]] = []
        sets.reserveCapacity(n)
        var scores = [Double](repeating: 0, count: n), errors = scores
        var candidates: [Int] = []
        queries.withUnsafeBufferPointer { q in
            keyEstimates.withUnsafeBufferPointer { k in
                for i in 0..<n {
                    let limit = causal ? i + 1 : n
                    var best = 0
                    for j in 0..<limit {
                        (scores[j], errors[j]) = FloatFilter.dot(q, i &* d, k, j &* d, count: d)
                        if scores[j] > scores[best] { best = j }
                    }
                    candidates.removeAll(keepingCapacity: true)
                    for j in 0..<limit where FloatFilter.sign(scores[best], errors[best], scores[j], errors[j]) != 1 {
                        candidates.append(j)
                    }
                    sets.append(candidates.count == 1 ? candidates : exactArgmax(xs[i], keys, among: candidates))
                }
            }
        }
        return sets
    }

    /// Stand-ins for α_i = ⟨x_i, p⟩ and β_k = ⟨q, x_k⟩ with the signs of the α_i (−1, 0, 1) and
    /// the argmax and argmin sets of the β_k (1 on the argmax set, −1 on the argmin set, 0
    /// elsewhere; all 0 when every β_k is equal): all that `rankOneHardmax` reads of them without
    /// a mask and without observing. Decided by the float64 filter; exact dot products only for an
    /// α whose sign it cannot prove and for the candidates of an extreme (one per distinct token).
    /// Nil for floating-point scalars or when a value is outside the filter's range.
    func rankOneStandIns(_ p: [S], _ q: [S], _ xs: [[S]]) -> ([S], [S])? {
        let n = xs.count
        guard n > 0, S.isExact, let pd = FloatFilter.approximations(of: p), let qd = FloatFilter.approximations(of: q),
              pd.count == qd.count else { return nil }
        var alpha = [S](repeating: .zero, count: n)
        var estimates = [Double](repeating: 0, count: n), errors = estimates
        for i in 0..<n {
            guard let x = FloatFilter.approximations(of: xs[i]), x.count == pd.count else { return nil }
            let (a, ea) = FloatFilter.dot(x, pd)
            let sign: Int
            if let proved = FloatFilter.sign(a, ea, 0, 0) {
                sign = proved
            } else {
                let exact = S.dot(xs[i], p)
                sign = exact > .zero ? 1 : (exact < .zero ? -1 : 0)
            }
            alpha[i] = S(sign)
            (estimates[i], errors[i]) = FloatFilter.dot(qd, x)
        }
        let largest = extremeSet(estimates, errors, q, xs, largest: true)
        let smallest = extremeSet(estimates, errors, q, xs, largest: false)
        var beta = [S](repeating: .zero, count: n)
        if largest.count < n {  // else every β_k is equal: all 0
            for k in largest { beta[k] = .one }
            for k in smallest { beta[k] = -.one }
        }
        return (alpha, beta)
    }

    /// The keys k (increasing) with the largest (or smallest) exact β_k = ⟨q, x_k⟩, given the
    /// filter's estimates: keys proved beyond the best estimate are out; the candidates' exact
    /// values decide, one dot product per distinct token (none when one candidate is left).
    func extremeSet(_ estimates: [Double], _ errors: [Double], _ q: [S], _ xs: [[S]], largest: Bool) -> [Int] {
        var best = 0
        for k in estimates.indices where largest ? estimates[k] > estimates[best] : estimates[k] < estimates[best] { best = k }
        let out = largest ? 1 : -1
        let candidates = estimates.indices.filter { FloatFilter.sign(estimates[best], errors[best], estimates[$0], errors[$0]) != out }
        if candidates.count == 1 { return candidates }
        var exact: [[S]: S] = [:]
        let values = candidates.map { k in
            if let v = exact[xs[k]] { return v }
            let v = S.dot(q, xs[k])
            exact[xs[k]] = v
            return v
        }
        guard let extreme = largest ? values.max() : values.min() else { return candidates }
        return candidates.indices.filter { values[$0] == extreme }.map { candidates[$0] }
    }

    /// The keys of `candidates` (increasing) whose exact score ⟨x, key_k⟩ is largest among them;
    /// keys equal to an earlier candidate's share its score without a dot product.
    func exactArgmax(_ x: [S], _ keys: [[S]], among candidates: [Int]) -> [Int] {
        var distinct: [(key: Int, score: S?)] = []
        var groupOf: [Int] = []
        var groupByKey: [[S]: Int] = [:]
        for k in candidates {
            if let g = groupByKey[keys[k]] {
                groupOf.append(g)
            } else {
                groupByKey[keys[k]] = distinct.count
                groupOf.append(distinct.count)
                distinct.append((k, nil))
            }
        }
        if distinct.count == 1 { return candidates }
        var best: S? = nil
        for g in distinct.indices {
            let s = S.dot(x, keys[distinct[g].key])
            distinct[g].score = s
            best = best.map { Swift.max($0, s) } ?? s
        }
        return candidates.indices.filter { distinct[groupOf[$0]].score == best }.map { candidates[$0] }
    }

    /// s_ik = α_i β_k: a token with α_i > 0 attends to argmax β, α_i < 0 to argmin β, α_i = 0 to
    /// every key. Each of the three sets is computed once (running, for a causal mask): O(n·d).
    /// The value sums of a set are kept only when some token attends to it, and each set's mean is
    /// formed once (once per change of the set, with a mask) and shared by the tokens that use it.
    func rankOneHardmax(alpha: [S], beta: [S], values: [[S]], observe: Bool) -> ([[Int]], [[S]], [Int], S?) {
        let n = alpha.count
        var sets: [[Int]] = []
        var means: [[S]] = []
        var meanIndex: [Int] = []
        var gap: S? = nil
        // An empty sequence has no keys: nothing to attend to, and no β_0 to start the extremes from.
        guard n > 0 else { return (sets, means, meanIndex, gap) }
        let hasValues = !values.isEmpty
        let needsMax = hasValues && alpha.contains { $0 > .zero }
        let needsMin = hasValues && alpha.contains { $0 < .zero }
        let needsAll = hasValues && alpha.contains { $0 == .zero }
        // Running extremes over keys 0...k; without a mask, evaluate once over all keys.
        var maxValue = beta[0], minValue = beta[0]
        var maxSet = [0], minSet = [0]
        var maxSum = hasValues ? values[0] : [], minSum = maxSum, allSum = maxSum
        var secondMax: S? = nil, secondMin: S? = nil
        // Indices in `means` of the current sets' means; nil when the set changed since.
        var maxMean: Int? = nil, minMean: Int? = nil, allMean: Int? = nil
        func absorb(_ k: Int) {
            let b = beta[k]
            if b > maxValue {
                secondMax = maxValue; maxValue = b; maxSet = [k]
                if needsMax { maxSum = values[k]; maxMean = nil }
            } else if b == maxValue {
                maxSet.append(k)
                if needsMax { maxSum = added(maxSum, values[k]); maxMean = nil }
            } else if secondMax.map({ b > $0 }) ?? true { secondMax = b }
            if b < minValue {
                secondMin = minValue; minValue = b; minSet = [k]
                if needsMin { minSum = values[k]; minMean = nil }
            } else if b == minValue {
                minSet.append(k)
                if needsMin { minSum = added(minSum, values[k]); minMean = nil }
            } else if secondMin.map({ b < $0 }) ?? true { secondMin = b }
            if needsAll { allSum = added(allSum, values[k]); allMean = nil }
        }
        func average(_ sum: [S], _ count: Int) -> Int {
            means.append(count == 1 ? sum : scaled(sum, by: S.one / S(count)))
            return means.count - 1
        }
        if !causal { for k in 1..<max(n, 1) { absorb(k) } }
        for i in 0..<n {
            if causal && i > 0 { absorb(i) }
            let keys = causal ? i + 1 : n
            let a = alpha[i]
            if a > .zero {
                if observe {
                    sets.append(maxSet)
                    if let s = secondMax { gap = min2(gap, a * (maxValue - s)) }
                }
                if hasValues {
                    let m = maxMean ?? average(maxSum, maxSet.count)
                    maxMean = m
                    meanIndex.append(m)
                }
            } else if a < .zero {
                if observe {
                    sets.append(minSet)
                    if let s = secondMin { gap = min2(gap, (-a) * (s - minValue)) }
                }
                if hasValues {
                    let m = minMean ?? average(minSum, minSet.count)
                    minMean = m
                    meanIndex.append(m)
                }
            } else {
                if observe { sets.append(Array(0..<keys)) }
                if hasValues {
                    let m = allMean ?? average(allSum, keys)
                    allMean = m
                    meanIndex.append(m)
                }
            }
        }
        return (sets, means, meanIndex, gap)
    }

    func mean(of set: [Int], _ values: [[S]]) -> [S] {
        var sum = values[set[0]]
        for k in set.dropFirst() { sum = added(sum, values[k]) }
        return set.count == 1 ? sum : scaled(sum, by: S.one / S(set.count))
    }
}

/// y ← y + x, in place (no new array per token).
@inlinable
func addInPlace<S: Scalar>(_ y: inout [S], _ x: [S]) {
    for c in 0..<min(x.count, y.count) { y[c] = y[c] + x[c] }
}

@inlinable
func min2<S: Comparable>(_ a: S?, _ b: S) -> S { a.map { min($0, b) } ?? b }
