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
    /// Weight bounds are clamped at 2^−weightFloorExponent (see `ExponentialBounds`): with large score
    /// gaps every radius then has about this many bits, so a smaller floor is cheaper and a larger
    /// one is tighter. `evaluateTiered` tries `quickWeightFloorExponent` first.
    public var weightFloorExponent: Int = ExponentialBounds.floorExponent
    /// The floor of the first, cheaper run of `evaluateTiered`.
    public static let quickWeightFloorExponent = 48
    let blocks: [EnclosureBlock]

    /// Compiles `model`; `temperature` (default: the model's τ₀) is needed when a softmax layer is
    /// not the identity.
    public init(_ model: Transformer, temperature: Rational? = nil) throws(EvaluationError) {
        let tau = temperature ?? model.temperature
        if model.usesSoftmax {
            guard let tau else {
                throw EvaluationError("the model has softmax layers but no temperature τ₀: give one")
            }
            guard tau > .zero else { throw EvaluationError("the temperature must be positive, found \(tau)") }
        }
        self.model = model
        self.temperature = tau
        blocks = model.blocks.map { EnclosureBlock($0, temperature: tau) }
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
        /// True when some softmax weight bound was the clamp 2^−weightFloorExponent. When false, the
        /// run is the same for every larger floor.
        public var clampedWeights = false
    }

    /// Events kept per run.
    public static let eventLimit = 8

    /// Encloses T(X) for every X in the product of `boxes` (and every τ ∈ (0, τ₀]).
    public func evaluate(_ boxes: [Box], stopAtFirstEvent: Bool = false) -> Run {
        var run = Run(boxes: boxes, events: [], eventCount: 0, stopped: false)
        for (b, block) in blocks.enumerated() {
            var events: [EnclosureEvent] = []
            run.boxes = block.apply(run.boxes, index: b, radiusBits: radiusBits, floor: weightFloorExponent,
                                    clamped: &run.clampedWeights, events: &events)
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

    /// Encloses T(X) twice if needed: first with weights clamped at 2^−quickWeightFloorExponent
    /// (short numbers), and when that run is not conclusive (an event, or a final box that is not a
    /// point) again with this evaluator's floor, whose run is returned. Both runs are sound
    /// enclosures, so a conclusive quick run proves what the full run would; and a quick run that
    /// never met the clamp *is* the full run up to where it stopped, so it is not repeated then.
    public func evaluateTiered(points: [Token], stopAtFirstEvent: Bool = false) -> Run {
        if weightFloorExponent > EnclosureEvaluator.quickWeightFloorExponent {
            var quick = self
            quick.weightFloorExponent = EnclosureEvaluator.quickWeightFloorExponent
            let run = quick.evaluate(points: points, stopAtFirstEvent: true)
            if run.eventCount == 0 && run.boxes.allSatisfy(\.isPoint) { return run }
            if !run.clampedWeights && (stopAtFirstEvent || !run.stopped) { return run }
        }
        return evaluate(points: points, stopAtFirstEvent: stopAtFirstEvent)
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
            var clamped = false
            current = block.attention.apply(current, block: b, stage: block.stage, radiusBits: radiusBits,
                                            floor: weightFloorExponent, clamped: &clamped, events: &events)
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

    init(_ block: Block, temperature: Rational?) {
        stage = block.stage
        feedForward = EnclosureFeedForward(block.feedForward)
        attention = EnclosureAttention(block.attention, temperature: temperature)
    }

    func apply(_ boxes: [Box], index: Int, radiusBits: Int, floor: Int, clamped: inout Bool, events: inout [EnclosureEvent]) -> [Box] {
        let mid = feedForward.apply(boxes, block: index, stage: stage, radiusBits: radiusBits, events: &events)
        return attention.apply(mid, block: index, stage: stage, radiusBits: radiusBits, floor: floor, clamped: &clamped, events: &events)
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
    /// The exact evaluator's form of the layer: neurons merged by direction, sorted by kink, with
    /// prefix sums of their outputs.
    let compiled: CompiledFeedForward<Rational>
    /// |w| of every neuron, by flat index over the layer.
    let outputMagnitudes: [[Rational]]
    /// Per direction group of `compiled`: |u|, and an integer e with ‖u‖₁ < 2^e (nil for u = 0).
    let groupMagnitudes: [[Rational]]
    let groupNormExponents: [Int?]

    init(_ layer: FeedForwardLayer) {
        eta = layer.eta
        isIdentity = layer.isIdentity
        compiled = CompiledFeedForward(layer)
        groupMagnitudes = compiled.groups.map { $0.direction.map(\.magnitude) }
        groupNormExponents = groupMagnitudes.map { m in
            let norm = m.reduce(Rational.zero, +)
            return norm.isZero ? nil : norm.log2UpperBound
        }
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
        outputMagnitudes = ridges.flatMap(\.outputMagnitudes)
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
    ///
    /// Per direction u (neurons merged and sorted by kink, as in exact evaluation): with
    /// t = ⟨u, c⟩ and spread s = ⟨|u|, r⟩, the neurons with t − kink ≥ s are active on the whole box,
    /// those with |t − kink| < s straddle their kink, the rest are off. Sorted kinks make each set a
    /// range: a binary search finds t among the kinks, and only the neurons next to it are looked at
    /// (most are decided from bit lengths, |t − kink| ≥ 2^e > s, without computing s). The gain of
    /// the active ones is a prefix sum, so M = ηI + Σ_u W_u uᵀ costs O(d) per direction, not per neuron.
    /// Every value equals the neuron-by-neuron computation (`ReferenceEnclosureEvaluator`, the tests' reference).
    func apply(_ box: Box, token: Int, block: Int, stage: Block.Stage, radiusBits: Int, events: inout [EnclosureEvent]) -> Box {
        let c = box.centre, r = box.radius
        // 2^radiusExponent bounds every radius; a point goes through the exact layer.
        guard let radiusExponent = r.lazy.filter({ !$0.isZero }).map(\.log2UpperBound).max() else {
            return Box(point: compiled.apply(c))
        }
        let d = c.count
        var centre = eta == .one ? c : scaled(c, by: eta)
        var gains: [(group: Int, gain: [Rational])] = []
        var fallback: [Rational]? = nil
        var crossings: [(origin: NeuronOrigin, pre: Rational, spread: Rational)] = []
        for (g, group) in compiled.groups.enumerated() {
            let t = group.directionIsZero ? Rational.zero : Rational.dot(group.direction, c)
            let p = group.activeCount(at: t)
            if !group.prefixIsZero[p] {
                for i in 0..<min(d, group.sumLength) { centre[i] += t * group.weightSum(p, i) + group.biasWeightSum(p, i) }
            }
            // s = 0 (u vanishes wherever r does not): u adds nothing to |M| r and no kink is crossed.
            guard let normExponent = groupNormExponents[g],
                  zip(group.direction, r).contains(where: { !$0.isZero && !$1.isZero }) else { continue }
            let spreadExponent = radiusExponent + normExponent  // s < 2^spreadExponent
            var exactSpread: Rational? = nil
            func spread() -> Rational {
                if let exactSpread { return exactSpread }
                let s = Rational.dot(groupMagnitudes[g], r)
                exactSpread = s
                return s
            }
            // Below p: t − kink > 0. Active on the box once t − kink ≥ s; straddled below that.
            var low = p
            while low > 0 {
                let pre = t - group.kinks[low - 1]
                if pre.log2LowerBound >= spreadExponent || pre >= spread() { break }
                low -= 1
            }
            // From p: t − kink ≤ 0. Off on the box once t − kink ≤ −s; straddled above that.
            var high = p
            while high < group.kinks.count {
                let pre = t - group.kinks[high]
                if (!pre.isZero && pre.log2LowerBound >= spreadExponent) || pre <= -spread() { break }
                high += 1
            }
            let gain = group.weightSum(low)
            if gain.contains(where: { !$0.isZero }) { gains.append((g, gain)) }
            if low < high {
                // |σ(a) − σ(b)| ≤ |a − b| ≤ s for each straddling neuron: s·Σ|w_j| in all.
                let s = spread()
                var magnitudes = [Rational](repeating: .zero, count: d)
                for j in low..<high {
                    let w = outputMagnitudes[group.origins[j].flat]
                    for e in 0..<min(d, w.count) where !w[e].isZero { magnitudes[e] += w[e] }
                    crossings.append((group.origins[j], t - group.kinks[j], s))
                }
                var f = fallback ?? [Rational](repeating: .zero, count: d)
                axpy(s, magnitudes, &f)
                fallback = f
            }
        }
        // Events in layer order, as the neuron-by-neuron scan meets them.
        for x in crossings.sorted(by: { $0.origin.flat < $1.origin.flat }) {
            events.append(EnclosureEvent(block: block, stage: stage, sublayer: .feedForward, token: token,
                                         kind: .kinkCrossed(neuron: x.origin.flat, ridge: x.origin.ridge, centre: x.pre, spread: x.spread)))
        }
        return linearBox(centre: centre, radius: r, gains: gains.map { ($0.gain, compiled.groups[$0.group].direction) },
                         fallback: fallback, radiusBits: radiusBits)
    }

    /// The box around `centre` with radii |M| r (+ `fallback`), M = ηI + Σ gain·directionᵀ, rounded
    /// up; r itself when M = ±I and there is no fallback.
    func linearBox(centre: Token, radius r: [Rational], gains: [(gain: [Rational], direction: [Rational])],
                   fallback: [Rational]?, radiusBits: Int) -> Box {
        if gains.isEmpty && fallback == nil && eta.magnitude == .one { return Box(centre: centre, radius: r) }
        let d = r.count
        var radius: [Rational]
        if gains.isEmpty {
            radius = eta == .one ? r : scaled(r, by: eta.magnitude)
        } else {
            // (|M| r)_e = Σ_c |η[e = c] + Σ gain_e direction_c| r_c.
            radius = [Rational](repeating: .zero, count: d)
            for e in 0..<d {
                var sum = Rational.zero
                for col in 0..<d where !r[col].isZero {
                    var m = e == col ? eta : .zero
                    for g in gains { m += g.gain[e] * g.direction[col] }
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

    init(_ layer: SelfAttentionLayer, temperature: Rational?) {
        parameters = AttentionParameters(layer, temperature: temperature)
        valueMagnitudes = layer.heads.map { CompiledValue($0.value.magnitude) }
    }

    /// Gaps from which on the weight bound no longer depends on the gap (see `KeySelector`).
    func saturatedGap(floor: Int) -> Rational? {
        switch kind {
        case .hardmax: return .zero
        case .softmax: return temperature.map { $0 * ExponentialBounds.saturation(floorExponent: floor) }
        }
    }

    /// The layer on boxes; `selection` `.reference` only in `ReferenceEnclosureEvaluator` (the tests).
    func apply(_ boxes: [Box], block: Int, stage: Block.Stage, radiusBits: Int, floor: Int, clamped: inout Bool,
               events: inout [EnclosureEvent], selection: KeySelector.Algorithm = .fast) -> [Box] {
        if isIdentity || boxes.isEmpty { return boxes }
        let saturatedGap = saturatedGap(floor: floor)
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
                    if vr[k][e].isZero {
                        lo[e] = min(lo[e], vc[k][e])
                        hi[e] = max(hi[e], vc[k][e])
                    } else {
                        lo[e] = min(lo[e], vc[k][e] - vr[k][e])
                        hi[e] = max(hi[e], vc[k][e] + vr[k][e])
                    }
                }
            }
            let selector = KeySelector(scores: head.scores, boxes: boxes, shareClasses: !causal && selection == .fast,
                                       algorithm: selection, saturatedGap: saturatedGap)
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
                // Exact ties (docs/mathematics.md#exact-ties): keys whose scores equal for every τ —
                // all keys under A = 0, or point keys tied with the leader on a point query — get
                // equal weights, so together they contribute their mean value, exactly.
                if let tie = exactTie(head.scores, choice: choice, query: i, keys: keys, boxes: boxes) {
                    let share = Rational(tie.count).reciprocal
                    var mean = vc[tie[0]], meanRadius = vr[tie[0]]
                    for k in tie.dropFirst() {
                        mean = added(mean, vc[k])
                        meanRadius = added(meanRadius, vr[k])
                    }
                    if tie.count > 1 {
                        mean = scaled(mean, by: share)
                        meanRadius = scaled(meanRadius, by: share)
                    }
                    centres[i] = added(centres[i], mean)
                    var extra = meanRadius
                    let outside = keys - tie.count
                    if outside > 0, kind == .softmax, let gap = choice.smallestGap, let tau = temperature {
                        // |Σ λ_k V x_k − mean| ≤ Σ_{certified k} λ_k |V x_k − mean| (the tie's weights sum to the rest).
                        let (bound, atFloor) = ExponentialBounds.upperNegativeExpAndClamp(gap / tau, floorExponent: floor)
                        if atFloor { clamped = true }
                        let weight = Rational(outside) * bound
                        for e in 0..<d { extra[e] += weight * max(hi[e] - mean[e], mean[e] - lo[e]) }
                    }
                    radii[i] = added(radii[i], extra)
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
                    let (bound, atFloor) = ExponentialBounds.upperNegativeExpAndClamp(gap / tau, floorExponent: floor)
                    if atFloor { clamped = true }
                    let weight = Rational(outside) * bound
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

extension EnclosureAttention {
    /// The keys tied with the leader for every τ, when they are known exactly and there are at least
    /// two: every key when A = 0 (all scores are 0 on any boxes); on a point query, the uncertified
    /// keys when they are all points (their exact gap to the leader is then 0, see `KeySelector`).
    /// Softmax gives such keys equal weights; hardmax averages them.
    func exactTie(_ scores: CompiledScores<Rational>, choice: KeySelector.Choice, query i: Int, keys: Int, boxes: [Box]) -> [Int]? {
        if case .zero = scores { return keys > 1 ? Array(0..<keys) : nil }
        guard kind == .softmax, choice.uncertified.count > 1, boxes[i].isPoint,
              choice.uncertified.allSatisfy({ boxes[$0].isPoint }) else { return nil }
        return choice.uncertified
    }
}

/// Which keys a query may attend to, certified on boxes.
///
/// Rank-one scores s_ik = α_i β_k without a causal mask: every query whose α has a certified
/// positive sign ranks the keys by β the same way, so the leader, the uncertified keys and the
/// smallest certified β-gap are one computation for all of them (and one for the negative sign):
/// O(n·d) per layer instead of O(n²). Only the query's factor |α_i| differs, and the gap is
/// |α_i|_low times the shared β-gap, exactly the value the per-query loop computes
/// (`shareClasses` false: the same scan, `signClass`, per query: what masked layers and the tests'
/// reference, `ReferenceEnclosureEvaluator` in Tests/SoftmaxTests, run).
struct KeySelector {
    struct Choice {
        /// The key with the top score at the centres (first one on ties).
        var leader: Int
        /// Keys whose gap below the leader is not certified positive (the leader included).
        var uncertified: [Int]
        /// Smallest certified gap over the other keys (nil when there are none); when every gap is
        /// at least the selector's `saturatedGap`, possibly a lower bound of it that is too.
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
    /// Dense scores: per box, e with max r < 2^e and max |c| < 2^e (nil for 0); ‖A‖ < 2^matrixExponent;
    /// d ≤ 2^dimensionBits.
    let radiusExponents: [Int?]
    let centreExponents: [Int?]
    let matrixExponent: Int?
    let dimensionBits: Int
    /// How the keys are scanned: `.fast` (what the certificate runs) or `.reference` (every key's
    /// error term exactly and no saturated gap: the tests' reference, `ReferenceEnclosureEvaluator`).
    enum Algorithm: Sendable { case fast, reference }
    let algorithm: Algorithm
    /// Gaps at least this large all give the same weight bound (hardmax: 0, any certified gap;
    /// softmax: τ₀ times `ExponentialBounds.saturation`), so one of them need not be exact.
    let saturatedGap: Rational?

    init(scores: CompiledScores<Rational>, boxes: [Box], shareClasses: Bool = false, algorithm: Algorithm = .fast,
         saturatedGap: Rational? = nil) {
        self.scores = scores
        self.boxes = boxes
        self.algorithm = algorithm
        self.saturatedGap = algorithm == .reference ? nil : saturatedGap
        switch scores {
        case .multiple, .general:
            radiusExponents = boxes.map { Self.exponent($0.largestRadius) }
            centreExponents = boxes.map { Self.exponent($0.centre.lazy.map(\.magnitude).max() ?? .zero) }
            switch scores {
            case .multiple(let a): matrixExponent = Self.exponent(a.magnitude)
            case .general(let m): matrixExponent = Self.exponent(m.map { $0.reduce(Rational.zero) { $0 + $1.magnitude } }.max() ?? .zero)
            default: matrixExponent = nil
            }
        default:
            radiusExponents = []
            centreExponents = []
            matrixExponent = nil
        }
        let d = boxes.first?.centre.count ?? 1
        dimensionBits = d <= 1 ? 0 : Int.bitWidth - (d - 1).leadingZeroBitCount
        if case let .rankOne(p, q) = scores {
            let pm = p.map(\.magnitude), qm = q.map(\.magnitude)
            let alpha = boxes.map { (Rational.dot($0.centre, p), $0.isPoint ? .zero : Rational.dot(pm, $0.radius)) }
            // A = w wᵀ (Lemmas 4.1, 4.6, 4.7): β = α, one projection per token.
            let beta = p == q ? alpha : boxes.map { (Rational.dot(q, $0.centre), $0.isPoint ? .zero : Rational.dot(qm, $0.radius)) }
            self.alpha = alpha
            self.beta = beta
            if shareClasses && !boxes.isEmpty {
                positiveClass = KeySelector.signClass(beta: beta, keys: beta.count, positive: true)
                negativeClass = KeySelector.signClass(beta: beta, keys: beta.count, positive: false)
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

    /// Among the first `keys` keys: the leader (extreme β at the centres, first on ties), the keys
    /// whose lower bound of ±(β_b − β_k) on the boxes is not positive, and the smallest positive one.
    /// The one scan of rank-one key selection: shared by a sign class of queries, or run per query
    /// under a mask.
    static func signClass(beta: [(Rational, Rational)], keys: Int, positive: Bool) -> SignClass {
        var b = 0
        for k in (0..<keys).dropFirst() where positive ? beta[k].0 > beta[b].0 : beta[k].0 < beta[b].0 { b = k }
        var uncertified: [Int] = []
        var smallest: Rational? = nil
        for k in 0..<keys {
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
        // The gaps scale by this query's |α|_low > 0, which keeps their order: the smallest gap is
        // the scaled smallest lower bound.
        let scale = positive ? aLow : -aHigh
        if let shared = positive ? positiveClass : negativeClass {
            // Every key is a key (no mask): the class's answer.
            return Choice(leader: shared.leader, uncertified: shared.uncertified,
                          smallestGap: shared.smallestLow.map { scale * $0 }, classID: positive ? 0 : 1)
        }
        let own = KeySelector.signClass(beta: beta, keys: keys, positive: positive)
        return Choice(leader: own.leader, uncertified: own.uncertified, smallestGap: own.smallestLow.map { scale * $0 })
    }

    /// s_ik = x_iᵀ A x_k; the gap x_iᵀ A (x_b − x_k) is bounded by the centre value minus
    /// ⟨r_i, |A z|⟩ + ⟨|Aᵀ c_i|, q⟩ + ⟨r_i, |A| q⟩, z = c_b − c_k, q = r_b + r_k.
    ///
    /// That error term is computed exactly only where it matters (`.reference`: for every key).
    /// A power of two 2^E bounding it comes from bit lengths (`errorExponent`); a key whose centre gap
    /// is at least 2^(E+1) is certified without it, and its exact lower bound is needed only if it
    /// might be the smallest one: keys are visited by increasing centre gap g, and since their lower
    /// bound exceeds g/2 the visit stops once g/2 reaches the smallest bound found. The results are
    /// those of the `.reference` scan.
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
        let rowExponent = Self.exponent(rowMagnitude.reduce(Rational.zero, +))
        /// The exact lower bound of the gap to key k.
        func exactLow(_ k: Int) -> Rational {
            var low = centreScores[b] - centreScores[k]
            if queryIsPoint && boxes[b].isPoint && boxes[k].isPoint { return low }
            let z = subtracted(boxes[b].centre, boxes[k].centre)
            let q = added(boxes[b].radius, boxes[k].radius)
            var error = Rational.dot(rowMagnitude, q)
            if !queryIsPoint {
                let (az, aq) = applyMagnitudes(z, q)
                error += Rational.dot(ri, az.map(\.magnitude)) + Rational.dot(ri, aq)
            }
            low -= error
            return low
        }
        var uncertified: [Int] = []
        var gap: Rational? = nil
        // Certified from bit lengths: (key, centre gap).
        var sure: [(key: Int, centreGap: Rational)] = []
        for k in 0..<keys {
            if k == b { uncertified.append(k); continue }
            if algorithm == .fast {
                let centreGap = centreScores[b] - centreScores[k]
                // A tie at the centres: the lower bound is −(error) ≤ 0.
                if centreGap.isZero { uncertified.append(k); continue }
                if let e = errorExponent(query: i, leader: b, key: k, rowExponent: rowExponent), centreGap.log2LowerBound > e {
                    sure.append((k, centreGap))
                    continue
                }
            }
            let low = exactLow(k)
            if low <= .zero {
                uncertified.append(k)
            } else {
                gap = gap.map { min($0, low) } ?? low
            }
        }
        // Each sure key's bound exceeds half its centre gap (the error is below 2^E ≤ gap/2).
        sure.sort { $0.centreGap != $1.centreGap ? $0.centreGap < $1.centreGap : $0.key < $1.key }
        if let first = sure.first, let saturation = saturatedGap {
            // Every gap is at least the saturation: a lower bound serves as well as the exact one.
            let half = first.centreGap.timesPowerOfTwo(-1)
            if half >= saturation && (gap.map { $0 >= saturation } ?? true) {
                return Choice(leader: b, uncertified: uncertified, smallestGap: gap.map { min($0, half) } ?? half)
            }
        }
        for (k, centreGap) in sure {
            if let smallest = gap, centreGap.timesPowerOfTwo(-1) >= smallest { break }
            let low = exactLow(k)
            gap = gap.map { min($0, low) } ?? low
        }
        return Choice(leader: b, uncertified: uncertified, smallestGap: gap)
    }

    /// An integer e with |x| < 2^e, or nil for x = 0.
    static func exponent(_ x: Rational) -> Int? { x.isZero ? nil : x.log2UpperBound }

    /// An integer E bounding the error term of `dense` for (query i, leader b, key k) by 2^E from
    /// bit lengths alone, or nil when the term is exactly 0. With ‖·‖ the max norm, d ≤ 2^dBits,
    /// r < 2^rExp and c < 2^cExp per box, ‖row‖₁ < 2^rowExponent and ‖A‖ (max row sum) < 2^aExp:
    /// ⟨|row|, q⟩ < 2^(rowExponent + qExp), ⟨r_i, |A z|⟩ < 2^(dBits + rExp_i + aExp + zExp) and
    /// ⟨r_i, |A| q⟩ < 2^(dBits + rExp_i + aExp + qExp), with q < 2^qExp, z < 2^zExp; a sum of three
    /// terms below 2^m is below 2^(m + 2).
    func errorExponent(query i: Int, leader b: Int, key k: Int, rowExponent: Int?) -> Int? {
        let qExp = Self.maxExponent(radiusExponents[b], radiusExponents[k]).map { $0 + 1 }
        var largest: Int? = nil
        if let rowExponent, let qExp { largest = rowExponent + qExp }
        if let rExp = radiusExponents[i], let aExp = matrixExponent {
            if let zExp = Self.maxExponent(centreExponents[b], centreExponents[k]).map({ $0 + 1 }) {
                largest = Self.maxExponent(largest, dimensionBits + rExp + aExp + zExp)
            }
            if let qExp { largest = Self.maxExponent(largest, dimensionBits + rExp + aExp + qExp) }
        }
        return largest.map { $0 + 2 }
    }

    static func maxExponent(_ a: Int?, _ b: Int?) -> Int? {
        switch (a, b) {
        case let (x?, y?): return max(x, y)
        case let (x?, nil): return x
        case let (nil, y?): return y
        case (nil, nil): return nil
        }
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
