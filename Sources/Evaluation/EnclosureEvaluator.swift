import ExactArithmetic
import TransformerModel

/// Sound enclosures of a transformer's outputs, in exact rational arithmetic (see docs/mathematics.md#enclosure-certificate).
///
/// Every token is a `Box`; each layer maps boxes to boxes that contain the layer's output for every
/// point of the input boxes and — for softmax layers — for *every* temperature τ ∈ (0, τ₀].
/// No floating point is involved.
///
/// - Feed-forward: each neuron's pre-activation ⟨u, x⟩ + b ranges over ⟨u, c⟩ + b ± ⟨|u|, r⟩. When
///   every neuron has one sign on the box, FF is the affine map x ↦ FF(c) + M(x − c) there, with
///   M = ηI + Σ_{active} w uᵀ: the new centre is FF(c) exactly and the radii are |M| r. M = 0 gives
///   an exact point. A neuron whose interval contains 0 in its interior is handled by
///   |σ(s) − σ(t)| ≤ |s − t| (interval arithmetic); it is recorded as a kink crossing.
/// - Attention: for token i pick the key b with the top score at the centres. Keys whose score gap
///   s_ib − s_ik is certified ≥ g > 0 on the boxes get softmax weight λ_ik ≤ e^{−g/τ} ≤ e^{−g/τ₀}
///   (rational upper bound from `ExponentialBounds`), and 0 under hardmax. Then
///   SA(X)_i = ρx_i + V c_b + Σ_k λ_ik V(x_k − c_b), and the sum is bounded coordinatewise by the
///   largest |V(x_k − c_b)| over the uncertified keys plus (number of certified keys)·e^{−g/τ₀}
///   times the largest over all keys. The centres therefore follow the hardmax trajectory exactly.
/// - Identity layers (η = 1 and W = 0; ρ = 1 and V = 0) are skipped: exact.
///
/// Radii are rounded up to `radiusBits` significant bits after every layer.
public struct EnclosureEvaluator: Sendable {
    public let model: Transformer
    /// τ₀: softmax weights are bounded for every τ ∈ (0, τ₀].
    public let temperature: Rational?
    /// Significant bits kept in each radius (rounded up).
    public var radiusBits: Int = 16
    let blocks: [EnclosureBlock]

    /// Compiles `model`; `temperature` (default: the model's τ₀) is needed when a softmax layer is
    /// not the identity.
    public init(_ model: Transformer, temperature: Rational? = nil) throws(EvaluationError) {
        try self.init(model, temperature: temperature, straightforward: false)
    }

    /// `straightforward`: the previous O(n²) key selection for every query (the tests' reference;
    /// the results are identical).
    init(_ model: Transformer, temperature: Rational?, straightforward: Bool) throws(EvaluationError) {
        let tau = temperature ?? model.temperature
        if model.usesSoftmax {
            guard let tau else {
                throw EvaluationError("the model has softmax layers but no temperature τ₀: give one")
            }
            guard tau > .zero else { throw EvaluationError("the temperature must be positive, found \(tau)") }
        }
        self.model = model
        self.temperature = tau
        blocks = model.blocks.map { EnclosureBlock($0, temperature: tau, straightforward: straightforward) }
    }

    /// The result of one enclosure run.
    public struct Run: Sendable {
        /// Final boxes (partial when `stopped`).
        public var boxes: [Box]
        /// The first events, in order (at most `eventLimit`).
        public var events: [EnclosureEvent]
        /// How many events happened in all.
        public var eventCount: Int
        /// True when the run stopped at its first event (`stopAtFirstEvent`).
        public var stopped: Bool
    }

    /// Events kept per run.
    public static let eventLimit = 8

    /// Encloses T(X) for every X in the product of `boxes` (and every τ ∈ (0, τ₀]).
    public func evaluate(_ boxes: [Box], stopAtFirstEvent: Bool = false) -> Run {
        var run = Run(boxes: boxes, events: [], eventCount: 0, stopped: false)
        for (b, block) in blocks.enumerated() {
            var events: [EnclosureEvent] = []
            run.boxes = block.apply(run.boxes, index: b, radiusBits: radiusBits, events: &events)
            if !events.isEmpty {
                run.eventCount += events.count
                run.events += events.prefix(max(0, EnclosureEvaluator.eventLimit - run.events.count))
                if stopAtFirstEvent {
                    run.stopped = true
                    return run
                }
            }
        }
        return run
    }

    /// Encloses T(X) for an exact input sequence.
    public func evaluate(points: [Token], stopAtFirstEvent: Bool = false) -> Run {
        evaluate(points.map { Box(point: $0) }, stopAtFirstEvent: stopAtFirstEvent)
    }

    /// Every layer's boxes, for `compare`.
    public func trace(_ boxes: [Box]) -> [EnclosureLayerRecord] {
        var records: [EnclosureLayerRecord] = []
        var current = boxes
        for (b, block) in blocks.enumerated() {
            var events: [EnclosureEvent] = []
            current = block.feedForward.apply(current, block: b, stage: block.stage, radiusBits: radiusBits, events: &events)
            records.append(EnclosureLayerRecord(block: b, stage: block.stage, sublayer: .feedForward, boxes: current, events: events))
            events = []
            current = block.attention.apply(current, block: b, stage: block.stage, radiusBits: radiusBits, events: &events)
            records.append(EnclosureLayerRecord(block: b, stage: block.stage, sublayer: .attention, boxes: current, events: events))
        }
        return records
    }
}

/// One layer's boxes in an enclosure trace.
public struct EnclosureLayerRecord: Sendable {
    public var block: Int
    public var stage: Block.Stage
    public var sublayer: EnclosureSublayer
    public var boxes: [Box]
    public var events: [EnclosureEvent]
}

struct EnclosureBlock: Sendable {
    let stage: Block.Stage
    let feedForward: EnclosureFeedForward
    let attention: EnclosureAttention

    init(_ block: Block, temperature: Rational?, straightforward: Bool) {
        stage = block.stage
        feedForward = EnclosureFeedForward(block.feedForward)
        attention = EnclosureAttention(block.attention, temperature: temperature, straightforward: straightforward)
    }

    func apply(_ boxes: [Box], index: Int, radiusBits: Int, events: inout [EnclosureEvent]) -> [Box] {
        let mid = feedForward.apply(boxes, block: index, stage: stage, radiusBits: radiusBits, events: &events)
        return attention.apply(mid, block: index, stage: stage, radiusBits: radiusBits, events: &events)
    }
}

// MARK: - Feed-forward

struct EnclosureFeedForward: Sendable {
    struct Ridge: Sendable {
        var direction: [Rational]
        var magnitudes: [Rational]
        /// An integer e with ‖u‖₁ < 2^e (nil for u = 0).
        var normExponent: Int?
        var isZero: Bool
        /// Same direction as the ridge before: ⟨u, c⟩ and ⟨|u|, r⟩ are reused.
        var repeatsPrevious: Bool
        var biases: [Rational]
        var outputs: [[Rational]]
        var outputMagnitudes: [[Rational]]
    }

    let eta: Rational
    let ridges: [Ridge]
    let isIdentity: Bool

    init(_ layer: FeedForwardLayer) {
        eta = layer.eta
        isIdentity = layer.isIdentity
        var ridges: [Ridge] = []
        var previous: Token? = nil
        for r in layer.ridges {
            let norm = r.direction.reduce(Rational.zero) { $0 + $1.magnitude }
            ridges.append(Ridge(direction: r.direction, magnitudes: r.direction.map(\.magnitude),
                                normExponent: norm.isZero ? nil : norm.log2UpperBound, isZero: r.direction.allSatisfy(\.isZero), repeatsPrevious: previous == r.direction,
                                biases: r.neurons.map(\.bias), outputs: r.neurons.map(\.output),
                                outputMagnitudes: r.neurons.map { $0.output.map(\.magnitude) }))
            previous = r.direction
        }
        self.ridges = ridges
    }

    func apply(_ boxes: [Box], block: Int, stage: Block.Stage, radiusBits: Int, events: inout [EnclosureEvent]) -> [Box] {
        if isIdentity { return boxes }
        var out: [Box] = []
        out.reserveCapacity(boxes.count)
        for (i, box) in boxes.enumerated() {
            out.append(apply(box, token: i, block: block, stage: stage, radiusBits: radiusBits, events: &events))
        }
        return out
    }

    /// FF on one box: exact at the centre, |M| r plus the interval fallback for straddled kinks.
    func apply(_ box: Box, token: Int, block: Int, stage: Block.Stage, radiusBits: Int, events: inout [EnclosureEvent]) -> Box {
        let c = box.centre, r = box.radius
        let d = c.count
        let hasRadius = !box.isPoint
        var centre = eta == .one ? c : scaled(c, by: eta)
        // Σ_{active} w per ridge with a non-zero sum: M = ηI + Σ gain uᵀ.
        var gains: [(ridge: Int, gain: [Rational])] = []
        var fallback: [Rational]? = nil
        // 2^radiusExponent bounds every radius: most kinks are decided from bit lengths alone.
        let radiusExponent = hasRadius ? r.lazy.filter { !$0.isZero }.map(\.log2UpperBound).max() : nil
        var t = Rational.zero
        var exactSpread: Rational? = nil
        var spreadExponent = Int.min
        var flat = 0
        for (ri, ridge) in ridges.enumerated() {
            if !ridge.repeatsPrevious {
                t = ridge.isZero ? .zero : Rational.dot(ridge.direction, c)
                exactSpread = nil
                // spread = ⟨|u|, r⟩ ≤ ‖u‖₁·max r < 2^spreadExponent (Int.min: no spread at all).
                if let radiusExponent, let normExponent = ridge.normExponent {
                    spreadExponent = radiusExponent + normExponent
                } else {
                    spreadExponent = Int.min
                    exactSpread = .zero
                }
            }
            var gain: [Rational]? = nil
            for j in ridge.biases.indices {
                defer { flat += 1 }
                let pre = t + ridge.biases[j]
                if pre > .zero { axpy(pre, ridge.outputs[j], &centre) }
                guard hasRadius else { continue }
                if spreadExponent == Int.min || (!pre.isZero && pre.log2LowerBound >= spreadExponent) {
                    // |pre| ≥ spread: one sign on the whole box (a zero direction adds nothing to M).
                    if pre > .zero && !ridge.isZero {
                        if gain == nil { gain = ridge.outputs[j] } else { gain = added(gain ?? [], ridge.outputs[j]) }
                    }
                    continue
                }
                let spread = exactSpread ?? Rational.dot(ridge.magnitudes, r)
                exactSpread = spread
                if pre >= spread {
                    // Active on the whole box: linear there.
                    if gain == nil { gain = ridge.outputs[j] } else { gain = added(gain ?? [], ridge.outputs[j]) }
                } else if pre > -spread {
                    // The box crosses this kink: |σ(s) − σ(t)| ≤ |s − t| ≤ spread.
                    var f = fallback ?? [Rational](repeating: .zero, count: d)
                    axpy(spread, ridge.outputMagnitudes[j], &f)
                    fallback = f
                    events.append(EnclosureEvent(block: block, stage: stage, sublayer: .feedForward, token: token,
                                                 kind: .kinkCrossed(neuron: flat, ridge: ri, centre: pre, spread: spread)))
                }
            }
            if let gain, gain.contains(where: { !$0.isZero }) { gains.append((ri, gain)) }
        }
        guard hasRadius else { return Box(point: centre) }
        if gains.isEmpty && fallback == nil && eta.magnitude == .one { return Box(centre: centre, radius: r) }
        var radius: [Rational]
        if gains.isEmpty {
            radius = eta == .one ? r : scaled(r, by: eta.magnitude)
        } else {
            // (|M| r)_e = Σ_c |η[e = c] + Σ_g gain_e u_c| r_c.
            radius = [Rational](repeating: .zero, count: d)
            for e in 0..<d {
                var sum = Rational.zero
                for col in 0..<d where !r[col].isZero {
                    var m = e == col ? eta : .zero
                    for g in gains { m += g.gain[e] * ridges[g.ridge].direction[col] }
                    if !m.isZero { sum += m.magnitude * r[col] }
                }
                radius[e] = sum
            }
        }
        if let fallback { radius = added(radius, fallback) }
        return Box(centre: centre, radius: radius.map { $0.roundedUp(significantBits: radiusBits) })
    }
}

// MARK: - Attention

struct EnclosureAttention: Sendable, CompiledAttentionLayer {
    /// kind, ρ, heads, mask, τ (Attention.swift, shared with `CompiledAttention`).
    let parameters: AttentionParameters<Rational>
    /// |V| of each head, for radii.
    let valueMagnitudes: [CompiledValue<Rational>]
    /// The per-query O(n²) key selection (reference for tests).
    let straightforward: Bool

    init(_ layer: SelfAttentionLayer, temperature: Rational?, straightforward: Bool = false) {
        self.straightforward = straightforward
        parameters = AttentionParameters(layer, temperature: temperature)
        valueMagnitudes = layer.heads.map { CompiledValue($0.value.magnitude) }
    }

    func apply(_ boxes: [Box], block: Int, stage: Block.Stage, radiusBits: Int, events: inout [EnclosureEvent]) -> [Box] {
        if isIdentity || boxes.isEmpty { return boxes }
        let n = boxes.count
        let d = boxes[0].centre.count
        var centres = rho == .one ? boxes.map(\.centre) : boxes.map { scaled($0.centre, by: rho) }
        var radii = rho.magnitude == .one ? boxes.map(\.radius) : boxes.map { scaled($0.radius, by: rho.magnitude) }
        for (h, head) in heads.enumerated() where !head.value.isZero {
            let vc = boxes.map { head.value.apply($0.centre) }
            let vr = boxes.map { $0.isPoint ? $0.radius : valueMagnitudes[h].apply($0.radius) }
            // Hull of every V-image: bounds |V(x_k − c_b)| for the keys of certified small weight.
            var lo = vc[0], hi = vc[0]
            for k in 0..<n {
                for e in 0..<d {
                    lo[e] = min(lo[e], vc[k][e] - vr[k][e])
                    hi[e] = max(hi[e], vc[k][e] + vr[k][e])
                }
            }
            let selector = KeySelector(scores: head.scores, boxes: boxes, shareClasses: !causal && !straightforward)
            // Per query class (see `KeySelector.Choice.classID`): the uncertified keys' spread and
            // the first of them with a value other than the leader's, computed once per class.
            var classExtras: [Int: (extra: [Rational], differing: Int?)] = [:]
            for i in 0..<n {
                let keys = causal ? i + 1 : n
                let choice = selector.select(query: i, keys: keys)
                let b = choice.leader
                // Hardmax on exact points with every tie known exactly: the exact mean.
                if kind == .hardmax, boxes[i].isPoint, choice.uncertified.allSatisfy({ boxes[$0].isPoint }) {
                    var sum = vc[choice.uncertified[0]]
                    for k in choice.uncertified.dropFirst() { sum = added(sum, vc[k]) }
                    let count = Rational(choice.uncertified.count)
                    centres[i] = added(centres[i], count == .one ? sum : scaled(sum, by: count.reciprocal))
                    continue
                }
                centres[i] = added(centres[i], vc[b])
                let spread: (extra: [Rational], differing: Int?)
                if let id = choice.classID, let known = classExtras[id] {
                    spread = known
                } else {
                    var extra = [Rational](repeating: .zero, count: d)
                    var differing: Int? = nil
                    for k in choice.uncertified {
                        if differing == nil && vc[k] != vc[b] { differing = k }
                        for e in 0..<d { extra[e] = max(extra[e], (vc[k][e] - vc[b][e]).magnitude + vr[k][e]) }
                    }
                    spread = (extra, differing)
                    if let id = choice.classID { classExtras[id] = spread }
                }
                if let k = spread.differing {
                    events.append(EnclosureEvent(block: block, stage: stage, sublayer: .attention, token: i,
                                                 kind: .attentionUnresolved(head: h, key: k, leader: b)))
                }
                var extra = spread.extra
                let outside = keys - choice.uncertified.count
                if outside > 0, kind == .softmax, let gap = choice.smallestGap, let tau = temperature {
                    // Σ_{certified k} λ_ik ≤ (count)·e^{−g/τ₀}.
                    let weight = Rational(outside) * ExponentialBounds.upperNegativeExp(gap / tau)
                    for e in 0..<d {
                        let far = max(hi[e] - vc[b][e], vc[b][e] - lo[e])
                        extra[e] += weight * far
                    }
                }
                radii[i] = added(radii[i], extra)
            }
        }
        return (0..<n).map { i in
            Box(centre: centres[i], radius: radii[i].map { $0.roundedUp(significantBits: radiusBits) })
        }
    }
}

/// Which keys a query may attend to, certified on boxes.
///
/// Rank-one scores s_ik = α_i β_k without a causal mask: every query whose α has a certified
/// positive sign ranks the keys by β the same way, so the leader, the uncertified keys and the
/// smallest certified β-gap are one computation for all of them (and one for the negative sign):
/// O(n·d) per layer instead of O(n²). Only the query's factor |α_i| differs, and the gap is
/// |α_i|_low times the shared β-gap, exactly the value the per-query loop computes
/// (`shareClasses` false: the straightforward O(n²) algorithm, kept as the tests' reference).
struct KeySelector {
    struct Choice {
        /// The key with the top score at the centres (first one on ties).
        var leader: Int
        /// Keys whose gap below the leader is not certified positive (the leader included).
        var uncertified: [Int]
        /// Smallest certified gap over the other keys (nil when there are none).
        var smallestGap: Rational?
        /// Queries with the same class id have the same leader and uncertified keys (rank one,
        /// no mask: 0 for α > 0, 1 for α < 0, 2 for an uncertified sign); nil: no sharing.
        var classID: Int? = nil
    }

    /// One sign class of rank-one queries: leader, uncertified keys and the smallest certified
    /// lower bound of ±(β_b − β_k) over the boxes.
    struct SignClass {
        var leader: Int
        var uncertified: [Int]
        var smallestLow: Rational?
    }

    let scores: CompiledScores<Rational>
    let boxes: [Box]
    /// Rank one: ⟨c_k, p⟩, ⟨|p|, r_k⟩, ⟨q, c_k⟩, ⟨|q|, r_k⟩.
    let alpha: [(Rational, Rational)]
    let beta: [(Rational, Rational)]
    /// Rank one without a mask: the positive and negative sign classes (nil when not shared).
    let positiveClass: SignClass?
    let negativeClass: SignClass?

    init(scores: CompiledScores<Rational>, boxes: [Box], shareClasses: Bool = false) {
        self.scores = scores
        self.boxes = boxes
        if case let .rankOne(p, q) = scores {
            let pm = p.map(\.magnitude), qm = q.map(\.magnitude)
            let alpha = boxes.map { (Rational.dot($0.centre, p), $0.isPoint ? .zero : Rational.dot(pm, $0.radius)) }
            // A = w wᵀ (Lemmas 4.1, 4.6, 4.7): β = α, one projection per token.
            let beta = p == q ? alpha : boxes.map { (Rational.dot(q, $0.centre), $0.isPoint ? .zero : Rational.dot(qm, $0.radius)) }
            self.alpha = alpha
            self.beta = beta
            if shareClasses && !boxes.isEmpty {
                positiveClass = KeySelector.signClass(beta: beta, positive: true)
                negativeClass = KeySelector.signClass(beta: beta, positive: false)
            } else {
                positiveClass = nil
                negativeClass = nil
            }
        } else {
            alpha = []
            beta = []
            positiveClass = nil
            negativeClass = nil
        }
    }

    /// The leader (extreme β at the centres, first on ties), the keys whose lower bound of
    /// ±(β_b − β_k) on the boxes is not positive, and the smallest positive one.
    static func signClass(beta: [(Rational, Rational)], positive: Bool) -> SignClass {
        var b = 0
        for k in beta.indices.dropFirst() where positive ? beta[k].0 > beta[b].0 : beta[k].0 < beta[b].0 { b = k }
        var uncertified: [Int] = []
        var smallest: Rational? = nil
        for k in beta.indices {
            let difference = positive ? beta[b].0 - beta[k].0 : beta[k].0 - beta[b].0
            let low = difference - beta[b].1 - beta[k].1
            if k == b || low <= .zero {
                uncertified.append(k)
            } else {
                smallest = smallest.map { min($0, low) } ?? low
            }
        }
        return SignClass(leader: b, uncertified: uncertified, smallestLow: smallest)
    }

    func select(query i: Int, keys: Int) -> Choice {
        switch scores {
        case .zero:
            return Choice(leader: 0, uncertified: Array(0..<keys), smallestGap: nil)
        case .rankOne:
            return rankOne(query: i, keys: keys)
        case .multiple, .general:
            return dense(query: i, keys: keys)
        }
    }

    /// s_ik = α_i β_k: for α_i > 0 on the box the order of keys is the order of β, reversed for α_i < 0.
    func rankOne(query i: Int, keys: Int) -> Choice {
        let (a, aSpread) = alpha[i]
        let aLow = a - aSpread, aHigh = a + aSpread
        guard aLow > .zero || aHigh < .zero else {
            // The sign of α_i is not certified (or α_i = 0: all scores tie).
            return Choice(leader: 0, uncertified: Array(0..<keys), smallestGap: nil,
                          classID: positiveClass == nil ? nil : 2)
        }
        let positive = aLow > .zero
        if let shared = positive ? positiveClass : negativeClass {
            // Every key is a key (no mask): the class's answer, scaled by this query's |α|_low.
            let scale = positive ? aLow : -aHigh
            return Choice(leader: shared.leader, uncertified: shared.uncertified,
                          smallestGap: shared.smallestLow.map { scale * $0 }, classID: positive ? 0 : 1)
        }
        // Leader: extreme β at the centres.
        var b = 0
        for k in 1..<max(keys, 1) where positive ? beta[k].0 > beta[b].0 : beta[k].0 < beta[b].0 { b = k }
        var uncertified: [Int] = []
        var gap: Rational? = nil
        let scale = positive ? aLow : -aHigh
        for k in 0..<keys {
            // Lower bound of (β_b − β_k) (or β_k − β_b for α < 0) on the boxes.
            let difference = positive ? beta[b].0 - beta[k].0 : beta[k].0 - beta[b].0
            let low = difference - beta[b].1 - beta[k].1
            if k == b || low <= .zero {
                uncertified.append(k)
            } else {
                let g = scale * low
                gap = gap.map { min($0, g) } ?? g
            }
        }
        return Choice(leader: b, uncertified: uncertified, smallestGap: gap)
    }

    /// s_ik = x_iᵀ A x_k; the gap x_iᵀ A (x_b − x_k) is bounded by the centre value minus
    /// ⟨r_i, |A z|⟩ + ⟨|Aᵀ c_i|, q⟩ + ⟨r_i, |A| q⟩, z = c_b − c_k, q = r_b + r_k.
    func dense(query i: Int, keys: Int) -> Choice {
        let ci = boxes[i].centre
        // Aᵀ c_i once: s_ik = ⟨Aᵀ c_i, x_k⟩.
        let row: [Rational]
        switch scores {
        case .multiple(let a): row = scaled(ci, by: a)
        case .general(let m): row = (0..<ci.count).map { col in m.indices.reduce(Rational.zero) { $0 + ci[$1] * m[$1][col] } }
        default: row = ci
        }
        let centreScores = (0..<keys).map { Rational.dot(row, boxes[$0].centre) }
        var b = 0
        for k in 1..<max(keys, 1) where centreScores[k] > centreScores[b] { b = k }
        let ri = boxes[i].radius
        let queryIsPoint = boxes[i].isPoint
        let rowMagnitude = row.map(\.magnitude)
        var uncertified: [Int] = []
        var gap: Rational? = nil
        for k in 0..<keys {
            if k == b { uncertified.append(k); continue }
            var low = centreScores[b] - centreScores[k]
            let pointsOnly = queryIsPoint && boxes[b].isPoint && boxes[k].isPoint
            if !pointsOnly {
                let z = subtracted(boxes[b].centre, boxes[k].centre)
                let q = added(boxes[b].radius, boxes[k].radius)
                var error = Rational.dot(rowMagnitude, q)
                if !queryIsPoint {
                    let (az, aq) = applyMagnitudes(z, q)
                    error += Rational.dot(ri, az.map(\.magnitude)) + Rational.dot(ri, aq)
                }
                low -= error
            }
            if low <= .zero {
                uncertified.append(k)
            } else {
                gap = gap.map { min($0, low) } ?? low
            }
        }
        return Choice(leader: b, uncertified: uncertified, smallestGap: gap)
    }

    /// (A z, |A| q).
    func applyMagnitudes(_ z: [Rational], _ q: [Rational]) -> ([Rational], [Rational]) {
        switch scores {
        case .multiple(let a): return (scaled(z, by: a), scaled(q, by: a.magnitude))
        case .general(let m): return (matrixVector(m, z), m.map { row in Rational.dot(row.map(\.magnitude), q) })
        default: return (z, q)
        }
    }
}

extension Rational {
    /// An integer e with |x| ≥ 2^e, for x ≠ 0 (from bit lengths: |p|/q > 2^(bits(p) − 1 − bits(q))).
    var log2LowerBound: Int { numeratorBitLength - denominatorBitLength - 1 }
    /// An integer e with |x| < 2^e, for x ≠ 0.
    var log2UpperBound: Int { numeratorBitLength - denominatorBitLength + 1 }
}
