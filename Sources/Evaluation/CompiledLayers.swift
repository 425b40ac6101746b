import ExactArithmetic
import TransformerModel

/// A feed-forward layer with its parameters converted once to the scalar type `S`.
///
/// Two algorithms compute the same map, both from neurons grouped by direction: neurons of all
/// ridges sharing a direction u are merged and sorted by bias, so that with t = ⟨u, x⟩ the active
/// ones (t + b_j > 0, i.e. t > −b_j) are a prefix of the sorted kinks −b_j, found by binary search.
/// - *prefix sums* (`apply` on exact scalars): Σ_active w_j (t + b_j) = t·W_c + B_c with prefix
///   sums W_c = Σ_{j<c} w_j and B_c = Σ_{j<c} b_j w_j. A layer of K hats on one direction then
///   costs one dot product, a binary search and one axpy per token instead of 3K axpys. Disjoint
///   hats and staircase ramps cancel within their own neurons, so the prefix sums stay as short as
///   the parameters. Exact only: the sums re-associate, which changes float rounding.
/// - *layer order* (`apply` on floating-point scalars): the active neurons found by the sorted
///   kinks are marked in a bit set over the layer's neurons and visited in layer order, each adding
///   (t + b_j)·w_j to the token in place — the very operations, in the very order, of the plain
///   neuron-by-neuron loop (and of the NumPy package, docs/interop.md), without visiting the
///   inactive neurons; parameters are kept in flat arrays (one bias and one output row per neuron).
///   For doubles, fl(t + b) > 0 ⟺ t > −b exactly (a sum of two doubles is 0 only when it is 0
///   exactly, and rounding is monotone; ±∞ and NaN agree too), so the active set is the one the
///   plain loop finds.
/// `applyReference` is that plain loop, kept for the tests that compare the two bit for bit.
public struct CompiledFeedForward<S: Scalar>: Sendable {
    struct Ridge: Sendable {
        var direction: [S]
        var directionIsZero: Bool
        var biases: [S]
        var outputs: [[S]]
    }

    /// All neurons on one direction, sorted by decreasing bias, with prefix sums.
    struct DirectionGroup: Sendable {
        /// Model-wide number of the direction (see `numberDirections`); −1 until numbered.
        var id = -1
        var direction: [S]
        var directionIsZero: Bool
        /// Kinks −b_j, increasing: neuron j is active iff t > −b_j.
        let kinks: [S]
        /// Every `summitSpacing`-th kink (kinks[0], kinks[s], kinks[2s], …) when there are many:
        /// small enough to stay in cache, so a search of a wide layer first narrows to s
        /// neighbouring kinks there instead of missing the cache at every step of one long search.
        let summit: [S]
        static var summitSpacing: Int { 16 }
        /// The prefix sums, flat: for c = 0…count, Σ_{j<c} w_j (`sumLength` entries) then
        /// Σ_{j<c} b_j w_j, from c·2·`sumLength` on. A token reads one contiguous run for its c: one
        /// allocation per sum and neuron made each token's read two pointer chases into a wide layer.
        var prefixSums: [S]
        /// Entries of each sum: the dimension (0 when the layer runs in layer order).
        var sumLength: Int
        /// prefixIsZero[c]: both prefix sums vanish (e.g. past a whole hat), so the layer fixes x.
        var prefixIsZero: [Bool]
        /// Where each sorted neuron sits in the layer: its flat index over all ridges and its ridge
        /// (the enclosure evaluator names straddled kinks by them).
        var origins: [NeuronOrigin]
        /// Layer-order kernel only: the bit sets (over the layer's neurons, words `firstWord`
        /// ..< `firstWord + wordCount`) of the first m·`spacing` sorted neurons, m = 0, 1, …, so a
        /// token's active set is a copy plus fewer than `spacing` marks.
        var checkpoints: [UInt64] = []
        var spacing = 64
        var firstWord = 0
        var wordCount = 0

        /// Builds `checkpoints`: at most about 64 of them, `wordCount` words each. None (every
        /// token marks its c neurons one by one) for groups of fewer than 64 neurons, or spread
        /// thinly over the layer (copying their words would cost more than marking, and their
        /// checkpoints would take memory quadratic in the width).
        mutating func buildCheckpoints() {
            guard !origins.isEmpty else { return }
            let words = origins.map { $0.flat / 64 }
            firstWord = words.min() ?? 0
            wordCount = (words.max() ?? 0) - firstWord + 1
            guard origins.count >= 64, wordCount <= 8 * (origins.count / 64 + 1) else {
                spacing = origins.count + 1  // c / spacing = 0: no checkpoint is read
                return
            }
            spacing = 64 * max(1, (origins.count + 4095) / 4096)
            var bits = [UInt64](repeating: 0, count: wordCount)
            checkpoints = bits
            for (s, origin) in origins.enumerated() {
                bits[origin.flat / 64 - firstWord] |= 1 << UInt64(origin.flat % 64)
                if (s + 1) % spacing == 0 { checkpoints += bits }
            }
        }

        /// Σ_{j<c} w_j, entry i.
        @inline(__always) func weightSum(_ c: Int, _ i: Int) -> S { prefixSums[2 * sumLength * c + i] }
        /// Σ_{j<c} b_j w_j, entry i.
        @inline(__always) func biasWeightSum(_ c: Int, _ i: Int) -> S { prefixSums[2 * sumLength * c + sumLength + i] }
        /// Σ_{j<c} w_j as a vector.
        func weightSum(_ c: Int) -> [S] { (0..<sumLength).map { weightSum(c, $0) } }

        static func summit(of kinks: [S]) -> [S] {
            kinks.count < 8 * summitSpacing ? [] : stride(from: 0, to: kinks.count, by: summitSpacing).map { kinks[$0] }
        }

        /// Number of neurons with t + b_j > 0, a prefix: comparisons only, no arithmetic.
        func activeCount(at t: S) -> Int {
            var lo = 0, hi = kinks.count
            if !summit.isEmpty {
                // m = how many summit kinks lie below t; then kinks[s(m−1)] < t ≤ kinks[sm].
                var a = 0, b = summit.count
                while a < b {
                    let mid = (a + b) / 2
                    if t > summit[mid] { a = mid + 1 } else { b = mid }
                }
                if a == 0 { return 0 }
                lo = Self.summitSpacing * (a - 1) + 1
                hi = min(kinks.count, Self.summitSpacing * a)
            }
            while lo < hi {
                let mid = (lo + hi) / 2
                if t > kinks[mid] { lo = mid + 1 } else { hi = mid }
            }
            return lo
        }

        /// `activeCount(at:)` for t within `error` of `estimate`, `approximations` the kinks'
        /// nearest doubles (`GroupFilter`): each comparison with a kink is
        /// decided by the float64 filter when it can be, else on the exact t, computed at most
        /// once (from `x`) and left in `exact` for the caller. The count is the exact one.
        func activeCount(estimate: Double, error: Double, approximations: [Double], exact: inout S?, x: [S]) -> Int {
            guard approximations.count == kinks.count else {
                let t = exact ?? (directionIsZero ? S.zero : S.dot(direction, x))
                exact = t
                return activeCount(at: t)
            }
            var lo = 0, hi = kinks.count
            while lo < hi {
                let mid = (lo + hi) / 2
                let k = approximations[mid]
                let greater: Bool
                if let sign = FloatFilter.sign(estimate, error, k, FloatFilter.conversionError(k)) {
                    greater = sign > 0
                } else {
                    let t = exact ?? (directionIsZero ? S.zero : S.dot(direction, x))
                    exact = t
                    greater = t > kinks[mid]
                }
                if greater { lo = mid + 1 } else { hi = mid }
            }
            return lo
        }
    }

    let eta: S
    let ridges: [Ridge]
    private(set) var groups: [DirectionGroup]
    /// The layer-order kernel's flat parameters (empty when the layer uses prefix sums): per
    /// neuron in layer order its bias, its group and its output row (`outputStride` entries each,
    /// in `neuronOutputs` at j·stride).
    let neuronBiases: [S]
    let neuronGroups: [Int]
    let neuronOutputs: [S]
    let outputStride: Int
    /// True when `apply` runs the layer-order kernel: floating-point scalars (or asked for, in
    /// tests) and every output row of the layer's length.
    let usesLayerOrder: Bool
    /// True when the layer is the identity (evaluation skips it).
    public let isIdentity: Bool
    public let width: Int
    /// Exact scalars: decide the active neurons with the float64 filter first (`FloatFilter`),
    /// when the evaluator was asked for it (`SignDecisions.float64Filter`).
    var filtered = false
    /// Per direction group, its nearest doubles (nil: floating-point scalars, the layer-order
    /// kernel, or a value outside the filter's range); empty unless the filter is on. Kept beside
    /// `groups`, not in them: a layer of one direction copies its group per token (`apply(_:cache:)`).
    var groupFilters: [GroupFilter?] = []
    /// Whether `groups` runs on prefix sums (the kernel the filter serves).
    let usesPrefixSums: Bool

    @_specialize(where S == Rational)
    @_specialize(where S == Double)
    public init(_ layer: FeedForwardLayer) {
        self.init(layer, layerOrder: !S.isExact)
    }

    /// `layerOrder`: compile for the layer-order kernel instead of prefix sums (floating-point
    /// scalars always; exact scalars only in tests, where both kernels must agree).
    init(_ layer: FeedForwardLayer, layerOrder: Bool) {
        eta = S(layer.eta)
        isIdentity = layer.isIdentity
        width = layer.width
        ridges = layer.ridges.map { r in
            Ridge(direction: r.direction.map(S.init), directionIsZero: r.direction.allSatisfy(\.isZero),
                  biases: r.neurons.map { S($0.bias) }, outputs: r.neurons.map { $0.output.map(S.init) })
        }
        let stride = layer.ridges.first { !$0.neurons.isEmpty }?.neurons.first?.output.count ?? 0
        let uniform = layer.ridges.allSatisfy { $0.neurons.allSatisfy { $0.output.count == stride } }
        // Output rows of different lengths (never in a valid model file): prefix sums on exact
        // scalars, the plain loop on floating-point ones.
        groups = Self.groupByDirection(layer, prefixSums: !(layerOrder && uniform))
        usesPrefixSums = !(layerOrder && uniform)
        if layerOrder && uniform { for g in groups.indices { groups[g].buildCheckpoints() } }
        if layerOrder && uniform {
            var biases: [S] = [], outputs: [S] = []
            var groupOf = [Int](repeating: 0, count: layer.width)
            biases.reserveCapacity(layer.width)
            outputs.reserveCapacity(layer.width * stride)
            for ridge in layer.ridges {
                for neuron in ridge.neurons {
                    biases.append(S(neuron.bias))
                    outputs.append(contentsOf: neuron.output.map(S.init))
                }
            }
            for (g, group) in groups.enumerated() {
                for origin in group.origins where origin.flat < groupOf.count { groupOf[origin.flat] = g }
            }
            neuronBiases = biases
            neuronGroups = groupOf
            neuronOutputs = outputs
            outputStride = stride
            usesLayerOrder = true
        } else {
            neuronBiases = []
            neuronGroups = []
            neuronOutputs = []
            outputStride = 0
            usesLayerOrder = false
        }
    }

    /// Merges the neurons of ridges with equal directions (first-seen order, so compilation is
    /// deterministic) and builds their prefix sums, in exact arithmetic.
    private static func groupByDirection(_ layer: FeedForwardLayer, prefixSums: Bool) -> [DirectionGroup] {
        var order: [Token] = []
        var neuronsByDirection: [Token: [(neuron: FeedForwardLayer.Neuron, origin: NeuronOrigin)]] = [:]
        var flat = 0
        for (r, ridge) in layer.ridges.enumerated() {
            defer { flat += ridge.neurons.count }
            if ridge.neurons.isEmpty { continue }
            if neuronsByDirection[ridge.direction] == nil { order.append(ridge.direction) }
            neuronsByDirection[ridge.direction, default: []] += ridge.neurons.enumerated().map {
                ($0.element, NeuronOrigin(flat: flat + $0.offset, ridge: r))
            }
        }
        return order.map { u in
            // Decreasing bias; equal biases in layer order, so the origins are deterministic.
            let sorted = (neuronsByDirection[u] ?? []).sorted {
                $0.neuron.bias != $1.neuron.bias ? $0.neuron.bias > $1.neuron.bias : $0.origin.flat < $1.origin.flat
            }
            let neurons = sorted.map(\.neuron)
            let d = prefixSums ? u.count : 0
            var w = [Rational](repeating: .zero, count: d), bw = w
            var sums: [S] = []
            var isZero: [Bool] = []
            sums.reserveCapacity(prefixSums ? 2 * d * (neurons.count + 1) : 0)
            func record() {
                let ws = w.map(S.init), bws = bw.map(S.init)
                sums.append(contentsOf: ws)
                sums.append(contentsOf: bws)
                isZero.append(ws.allSatisfy { $0 == S.zero } && bws.allSatisfy { $0 == S.zero })
            }
            record()
            for neuron in neurons where prefixSums {
                for i in 0..<min(d, neuron.output.count) {
                    w[i] += neuron.output[i]
                    bw[i] += neuron.bias * neuron.output[i]
                }
                record()
            }
            let kinks = neurons.map { S(-$0.bias) }
            return DirectionGroup(direction: u.map(S.init), directionIsZero: u.allSatisfy(\.isZero),
                                  kinks: kinks, summit: DirectionGroup.summit(of: kinks),
                                  prefixSums: sums, sumLength: d,
                                  prefixIsZero: prefixSums ? isZero : [],
                                  origins: sorted.map(\.origin))
        }
    }

    /// FF(x) = η x + Σ w_j σ(⟨u_r, x⟩ + b_j): prefix sums on exact scalars, layer order otherwise.
    @_specialize(where S == Rational)
    @_specialize(where S == Double)
    public func apply(_ x: [S]) -> [S] {
        if isIdentity { return x }
        if usesLayerOrder || !S.isExact {
            var out = x
            applyInPlace(&out)
            return out
        }
        var out = eta == .one ? x : scaled(x, by: eta)
        let token = filtered ? FloatFilter.approximations(of: x) : nil
        for g in groups.indices {
            var exact: S? = nil
            let c: Int
            if let token, let filter = groupFilters[g], let (estimate, error) = filter.estimate(token) {
                c = groups[g].activeCount(estimate: estimate, error: error, approximations: filter.kinks, exact: &exact, x: x)
                // Σ over no neuron or a prefix whose sums vanish adds 0: ⟨u, x⟩ is not needed.
                if groups[g].prefixIsZero[c] { continue }
            } else {
                let t = groups[g].directionIsZero ? S.zero : S.dot(groups[g].direction, x)
                exact = t
                c = groups[g].activeCount(at: t)
            }
            if c == 0 { continue }
            let t = exact ?? (groups[g].directionIsZero ? S.zero : S.dot(groups[g].direction, x))
            let count = min(out.count, groups[g].sumLength)
            if groups[g].directionIsZero {
                // t = 0: the sums add a constant, Σ b_j w_j.
                for i in 0..<count { out[i] = out[i] + groups[g].biasWeightSum(c, i) }
            } else {
                for i in 0..<count { out[i] = out[i] + (t * groups[g].weightSum(c, i) + groups[g].biasWeightSum(c, i)) }
            }
        }
        return out
    }

    /// True when FF(x) = x + Σ_j w_j σ(⟨u, x⟩ + b_j) with every neuron on the one direction `u`
    /// (η = 1, exact scalars on prefix sums): FF(x) then depends on x only through t = ⟨u, x⟩, and
    /// `apply(_:projection:)` may be given t.
    public func dependsOnlyOnProjection(along u: [S]) -> Bool {
        S.isExact && usesPrefixSums && !usesLayerOrder && eta == .one && groups.allSatisfy { $0.direction == u }
    }

    /// FF(x) given t = ⟨u, x⟩ for the layer's one direction u (`dependsOnlyOnProjection(along: u)`):
    /// the value of `apply(x)` without the dot product. A token the layer fixes is returned as it
    /// came (the same storage).
    public func apply(_ x: [S], projection t: S) -> [S] {
        if isIdentity { return x }
        var out = x
        for g in groups.indices {
            let c = groups[g].activeCount(at: t)
            if groups[g].prefixIsZero[c] { continue }
            for i in 0..<min(out.count, groups[g].sumLength) {
                out[i] = out[i] + (t * groups[g].weightSum(c, i) + groups[g].biasWeightSum(c, i))
            }
        }
        return out
    }

    /// Turns the float64 filter on (exact scalars on prefix sums): each direction group gets its
    /// nearest doubles, or nil when a value is outside the filter's range (decided in ℚ).
    mutating func enableFloatFilter() {
        guard S.isExact && usesPrefixSums else { return }
        groupFilters = groups.map { group in
            guard let direction = FloatFilter.approximations(of: group.direction),
                  let kinks = FloatFilter.approximations(of: group.kinks) else { return nil }
            return GroupFilter(direction: direction, kinks: kinks)
        }
        filtered = true
    }

    /// Gives every direction group its model-wide number, adding new directions to `ids`.
    mutating func numberDirections(_ ids: inout [[S]: Int]) {
        for g in groups.indices {
            let direction = groups[g].direction
            if let id = ids[direction] {
                groups[g].id = id
            } else {
                groups[g].id = ids.count
                ids[direction] = ids.count
            }
        }
    }

    /// FF(x) on exact scalars, reusing ⟨u, x⟩ from `cache` when the layer has a single direction
    /// whose projection of this very x is cached; the cache is cleared whenever x moves.
    func apply(_ x: [S], cache: inout ProjectionCache<S>) -> [S] {
        if isIdentity { return x }
        guard S.isExact, !usesLayerOrder, groups.count == 1, eta == .one else {
            cache = ProjectionCache()
            return apply(x)
        }
        let group = groups[0]
        let t: S
        if group.id >= 0 && cache.direction == group.id {
            t = cache.projection
        } else {
            t = group.directionIsZero ? S.zero : S.dot(group.direction, x)
            cache = ProjectionCache(direction: group.id, projection: t)
        }
        let c = group.activeCount(at: t)
        if group.prefixIsZero[c] { return x }
        cache = ProjectionCache()
        var out = x
        let count = min(out.count, group.sumLength)
        for i in 0..<count { out[i] = out[i] + (t * group.weightSum(c, i) + group.biasWeightSum(c, i)) }
        return out
    }

    /// x ← FF(x) in place: the layer-order kernel (the plain loop when the layer could not be
    /// compiled for it, or prefix sums for an exact layer compiled for them).
    @_specialize(where S == Rational)
    @_specialize(where S == Double)
    public func applyInPlace(_ x: inout [S]) {
        var scratch = FeedForwardScratch<S>()
        applyInPlace(&x, scratch: &scratch)
    }

    /// `applyInPlace(_:)` with working memory kept by the caller across tokens and layers.
    ///
    /// The active neurons are listed in layer order with their pre-activations t + b_j, then each
    /// coordinate of x runs through the list: x_i ← x_i + (t + b_j)·w_ji, neuron after neuron. A
    /// coordinate's sum depends on that coordinate alone, so this is, operation for operation, the
    /// plain loop's x ← x + (t + b_j)·w_j per neuron; eight (then four, then one) coordinates at a
    /// time keep their running sums in registers.
    @_specialize(where S == Rational)
    @_specialize(where S == Double)
    public func applyInPlace(_ x: inout [S], scratch: inout FeedForwardScratch<S>) {
        if isIdentity { return }
        guard usesLayerOrder else {
            x = S.isExact ? apply(x) : applyReference(x)
            return
        }
        let groupCount = groups.count
        let words = (width + 63) / 64
        scratch.reserve(groups: groupCount, words: words, neurons: width)
        // Every group's projection of the input, and its active neurons marked by layer index.
        var active = 0
        var fused = false
        scratch.projections.withUnsafeMutableBufferPointer { ts in
            scratch.bits.withUnsafeMutableBufferPointer { bits in
                for w in 0..<words { bits[w] = 0 }
                for g in 0..<groupCount {
                    let t = groups[g].directionIsZero ? S.zero : S.dot(groups[g].direction, x)
                    ts[g] = t
                    let c = groups[g].activeCount(at: t)
                    if c == 0 { continue }
                    let m = c / groups[g].spacing, first = groups[g].firstWord, count = groups[g].wordCount
                    if m > 0 {
                        groups[g].checkpoints.withUnsafeBufferPointer { checkpoint in
                            let base = m &* count
                            for w in 0..<count { bits[first &+ w] |= checkpoint[base &+ w] }
                        }
                    }
                    groups[g].origins.withUnsafeBufferPointer { origins in
                        for s in (m &* groups[g].spacing)..<c {
                            let j = origins[s].flat
                            bits[j &>> 6] |= 1 &<< UInt64(j & 63)
                        }
                    }
                }
                if outputStride == 8 && x.count == 8 {
                    // d = 8 (the text datasets): the eight running sums stay in registers while the
                    // bit set is read, with no list in between.
                    fused = true
                    x.withUnsafeMutableBufferPointer { out in
                        if eta != .one { for i in out.indices { out[i] = eta * out[i] } }
                        var a0 = out[0], a1 = out[1], a2 = out[2], a3 = out[3]
                        var a4 = out[4], a5 = out[5], a6 = out[6], a7 = out[7]
                        neuronBiases.withUnsafeBufferPointer { biases in
                            neuronGroups.withUnsafeBufferPointer { groupOf in
                                neuronOutputs.withUnsafeBufferPointer { w in
                                    forEachMarked(bits, words: words) { j in
                                        let p = ts[groupOf[j]] + biases[j], r = j &* 8
                                        a0 = a0 + p * w[r]; a1 = a1 + p * w[r &+ 1]
                                        a2 = a2 + p * w[r &+ 2]; a3 = a3 + p * w[r &+ 3]
                                        a4 = a4 + p * w[r &+ 4]; a5 = a5 + p * w[r &+ 5]
                                        a6 = a6 + p * w[r &+ 6]; a7 = a7 + p * w[r &+ 7]
                                    }
                                }
                            }
                        }
                        out[0] = a0; out[1] = a1; out[2] = a2; out[3] = a3
                        out[4] = a4; out[5] = a5; out[6] = a6; out[7] = a7
                    }
                    return
                }
                // The active neurons in layer order: pre-activation and output row.
                scratch.pres.withUnsafeMutableBufferPointer { pres in
                    scratch.rows.withUnsafeMutableBufferPointer { rows in
                        neuronBiases.withUnsafeBufferPointer { biases in
                            neuronGroups.withUnsafeBufferPointer { groupOf in
                                forEachMarked(bits, words: words) { j in
                                    pres[active] = ts[groupOf[j]] + biases[j]
                                    rows[active] = j &* outputStride
                                    active &+= 1
                                }
                            }
                        }
                    }
                }
            }
        }
        if fused { return }
        let n = active
        x.withUnsafeMutableBufferPointer { out in
            if eta != .one { for i in out.indices { out[i] = eta * out[i] } }
            let count = min(outputStride, out.count)
            scratch.pres.withUnsafeBufferPointer { pres in
                scratch.rows.withUnsafeBufferPointer { rows in
                    neuronOutputs.withUnsafeBufferPointer { w in
                        var i = 0
                        while i &+ 8 <= count {
                            var a0 = out[i], a1 = out[i &+ 1], a2 = out[i &+ 2], a3 = out[i &+ 3]
                            var a4 = out[i &+ 4], a5 = out[i &+ 5], a6 = out[i &+ 6], a7 = out[i &+ 7]
                            for k in 0..<n {
                                let p = pres[k], r = rows[k] &+ i
                                a0 = a0 + p * w[r]; a1 = a1 + p * w[r &+ 1]
                                a2 = a2 + p * w[r &+ 2]; a3 = a3 + p * w[r &+ 3]
                                a4 = a4 + p * w[r &+ 4]; a5 = a5 + p * w[r &+ 5]
                                a6 = a6 + p * w[r &+ 6]; a7 = a7 + p * w[r &+ 7]
                            }
                            out[i] = a0; out[i &+ 1] = a1; out[i &+ 2] = a2; out[i &+ 3] = a3
                            out[i &+ 4] = a4; out[i &+ 5] = a5; out[i &+ 6] = a6; out[i &+ 7] = a7
                            i &+= 8
                        }
                        while i &+ 4 <= count {
                            var a0 = out[i], a1 = out[i &+ 1], a2 = out[i &+ 2], a3 = out[i &+ 3]
                            for k in 0..<n {
                                let p = pres[k], r = rows[k] &+ i
                                a0 = a0 + p * w[r]; a1 = a1 + p * w[r &+ 1]
                                a2 = a2 + p * w[r &+ 2]; a3 = a3 + p * w[r &+ 3]
                            }
                            out[i] = a0; out[i &+ 1] = a1; out[i &+ 2] = a2; out[i &+ 3] = a3
                            i &+= 4
                        }
                        while i < count {
                            var a = out[i]
                            for k in 0..<n { a = a + pres[k] * w[rows[k] &+ i] }
                            out[i] = a
                            i &+= 1
                        }
                    }
                }
            }
        }
    }

    /// FF(x) neuron by neuron: the plain loop (arrays of arrays, every neuron visited). The
    /// reference that the tests compare both kernels with, bit for bit on doubles; not used by any
    /// evaluation.
    func applyReference(_ x: [S]) -> [S] {
        if isIdentity { return x }
        var out = eta == .one ? x : scaled(x, by: eta)
        for ridge in ridges {
            let t = ridge.directionIsZero ? S.zero : S.dot(ridge.direction, x)
            for j in ridge.biases.indices {
                let pre = t + ridge.biases[j]
                if pre > .zero { axpy(pre, ridge.outputs[j], &out) }
            }
        }
        return out
    }

    /// Pre-activations ⟨u_r, x⟩ + b_j of every neuron, in ridge order.
    @_specialize(where S == Rational)
    @_specialize(where S == Double)
    public func preActivations(_ x: [S]) -> [S] {
        var pres: [S] = []
        pres.reserveCapacity(width)
        for ridge in ridges {
            let t = ridge.directionIsZero ? S.zero : S.dot(ridge.direction, x)
            for b in ridge.biases { pres.append(t + b) }
        }
        return pres
    }
}

/// `body(j)` for every index j marked in the first `words` words of `bits`, increasing: the layer
/// order of the active neurons.
@inline(__always)
func forEachMarked(_ bits: UnsafeMutableBufferPointer<UInt64>, words: Int, _ body: (Int) -> Void) {
    for w in 0..<words {
        var word = bits[w]
        while word != 0 {
            body(w &* 64 &+ word.trailingZeroBitCount)
            word &= word &- 1
        }
    }
}

/// Working memory of the layer-order kernel (`CompiledFeedForward.applyInPlace(_:scratch:)`), kept
/// by an evaluation across its tokens and layers so that no token allocates.
public struct FeedForwardScratch<S: Scalar>: Sendable {
    var projections: [S] = []
    var bits: [UInt64] = []
    var pres: [S] = []
    var rows: [Int] = []

    public init() {}

    mutating func reserve(groups: Int, words: Int, neurons: Int) {
        if projections.count < groups { projections = [S](repeating: .zero, count: groups) }
        if bits.count < words { bits = [UInt64](repeating: 0, count: words) }
        if pres.count < neurons {
            pres = [S](repeating: .zero, count: neurons)
            rows = [Int](repeating: 0, count: neurons)
        }
    }
}

/// The nearest doubles of a direction group's direction and kinks (`FloatFilter`), for
/// `CompiledFeedForward.apply` on exact scalars.
final class GroupFilter: Sendable {
    let direction: [Double]
    let kinks: [Double]

    init(direction: [Double], kinks: [Double]) {
        self.direction = direction
        self.kinks = kinks
    }

    /// The filtered ⟨u, x⟩ from x's nearest doubles (nil for a token of another length).
    @inline(__always)
    func estimate(_ token: [Double]) -> (value: Double, error: Double)? {
        direction.count == token.count ? FloatFilter.dot(direction, token) : nil
    }
}

/// A neuron's place in its layer: flat index over all ridges, and ridge index.
struct NeuronOrigin: Sendable, Equatable {
    var flat: Int
    var ridge: Int
}

/// ⟨u, x⟩ for the direction numbered `direction`, valid while the token x does not move.
public struct ProjectionCache<S: Scalar>: Sendable {
    var direction = -1
    var projection = S.zero
}

/// Scores of one head, converted to `S`; `queryKey` is multiplied out exactly first.
enum CompiledScores<S: Scalar>: Sendable {
    case zero
    case multiple(S)
    case rankOne(p: [S], q: [S])
    case general([[S]])

    init(_ scores: ScoreMatrix) {
        switch scores {
        case .zero: self = .zero
        case .scaledIdentity(let a): self = a.isZero ? .zero : .multiple(S(a))
        case .rankOne(let p, let q): self = .rankOne(p: p.map(S.init), q: q.map(S.init))
        case .general(let m): self = .general(m.map { $0.map(S.init) })
        case .queryKey(let q, let k):
            // A = QᵀK, computed in ℚ so both paths start from the same exact matrix.
            let d = q.first?.count ?? 0
            let a: [[Rational]] = (0..<d).map { r in
                (0..<d).map { c in q.indices.reduce(Rational.zero) { $0 + q[$1][r] * k[$1][c] } }
            }
            self = .general(a.map { $0.map(S.init) })
        }
    }
}

/// Value matrix of one head, converted to `S`.
enum CompiledValue<S: Scalar>: Sendable {
    case zero
    case multiple(S)
    case general([[S]])

    init(_ value: ValueMatrix) {
        switch value {
        case .zero: self = .zero
        case .scaledIdentity(let v): self = v.isZero ? .zero : .multiple(S(v))
        case .general(let m): self = .general(m.map { $0.map(S.init) })
        }
    }

    func apply(_ x: [S]) -> [S] {
        switch self {
        case .zero: return [S](repeating: .zero, count: x.count)
        case .multiple(let v): return v == .one ? x : scaled(x, by: v)
        case .general(let m): return matrixVector(m, x)
        }
    }

    var isZero: Bool { if case .zero = self { return true } else { return false } }
}
