import Evaluation
import ExactArithmetic
import TransformerModel

// float64 beside the exact judge (the `compare` command, docs/mathematics.md): where rounding would
// change a decision. No verdict of `certify` reads these; the float64 side is only ever reported.

/// A hardmax model run exactly and in float64 on every pair, layer by layer.
public struct FloatComparison: Sendable {
    /// One sublayer, summed over the pairs.
    public struct Layer: Sendable {
        /// "block k FF (stage)", blocks numbered from 0.
        public var label: String
        /// Tokens (over heads and pairs) whose argmax set differs between float64 and exact.
        public var argmaxDiffers = 0
        /// Tokens whose ReLU sign vector differs between float64 and exact.
        public var signDiffers = 0
        /// The largest |float − exact| of a coordinate (∞ when float64 left the finite numbers).
        public var maxError = 0.0
        /// The exact trajectory's smallest gap between a top attention score and its runner-up.
        public var scoreGap: Rational? = nil
        /// The exact trajectory's smallest distance of a pre-activation to its ReLU kink.
        public var kinkDistance: Rational? = nil
    }

    public var layers: [Layer] = []
    /// The first layer, pair and token where float64 takes another attention set or ReLU sign.
    public var firstDivergence: String? = nil
    public var pairCount = 0
    /// Pairs the exact evaluation does not interpolate (the verdict of `certify`).
    public var exactFailures = 0
    /// Pairs float64 does not interpolate within the tolerance.
    public var floatFailures = 0

    /// Runs `transformer` on every pair of `data` exactly and in float64. A causal dataset is judged
    /// per position: output i against target i, in order (docs/causal.md). Throws when the model
    /// cannot be evaluated (softmax layers, see `EnclosureComparison`) or the exact evaluation passes
    /// `limits` (its `overrun` says so).
    public init(_ transformer: Transformer, _ data: Dataset, tolerance: Double,
                limits: EvaluationLimits = EvaluationLimits()) throws(EvaluationError) {
        let exact = try Evaluator<Rational>(transformer, limits: limits)
        let float = try Evaluator<Double>(transformer)
        pairCount = data.pairs.count
        for (j, pair) in data.pairs.enumerated() {
            let e = try exact.trace(pair.input)
            let f = try float.trace(pair.input.map { $0.map(\.doubleValue) })
            if layers.isEmpty { layers = e.map { Layer(label: layerLabel($0.block, $0.sublayer.rawValue, $0.stage)) } }
            for l in e.indices {
                var s = layers[l]
                add(e[l], f[l], pair: j, to: &s)
                layers[l] = s
            }
            let exactOut = e.last?.tokens ?? pair.input, floatOut = f.last?.tokens ?? []
            let want = pair.output.map { $0.map(\.doubleValue) }
            if data.causal {
                if exactOut != pair.output { exactFailures += 1 }
                var worst = 0.0
                for (a, b) in zip(floatOut, want) { worst = max(worst, euclidean(a, b)) }
                if floatOut.count != want.count || !(worst <= tolerance) { floatFailures += 1 }
                continue
            }
            if !interpolates(exactOut, pair.output) { exactFailures += 1 }
            if !(hausdorffDistance(floatOut, want) <= tolerance) { floatFailures += 1 }
        }
    }

    /// One pair's records of one sublayer, exact `e` and float64 `f`, added to `s`.
    private mutating func add(_ e: LayerRecord<Rational>, _ f: LayerRecord<Double>, pair j: Int, to s: inout Layer) {
        for (i, token) in e.tokens.enumerated() {
            for (c, x) in token.enumerated() {
                let err = (try? Rational(exactly: f.tokens[i][c])).map { ($0 - x).magnitude.doubleValue } ?? .infinity
                s.maxError = max(s.maxError, err)
            }
        }
        for h in e.argmaxSets.indices {
            for i in e.argmaxSets[h].indices where e.argmaxSets[h][i] != f.argmaxSets[h][i] {
                s.argmaxDiffers += 1
                if firstDivergence == nil {
                    firstDivergence = "\(s.label), pair \(j), token \(i): float64 attends to \(f.argmaxSets[h][i]), exact to \(e.argmaxSets[h][i])"
                }
            }
        }
        for i in e.activationSigns.indices where e.activationSigns[i] != f.activationSigns[i] {
            s.signDiffers += 1
            if firstDivergence == nil, let n = e.activationSigns[i].indices.first(where: { e.activationSigns[i][$0] != f.activationSigns[i][$0] }) {
                firstDivergence = "\(s.label), pair \(j), token \(i): neuron \(n) has ReLU sign \(f.activationSigns[i][n]) in float64, \(e.activationSigns[i][n]) exactly"
            }
        }
        if let g = e.smallestScoreGap { s.scoreGap = s.scoreGap.map { min($0, g) } ?? g }
        if let k = e.smallestKinkDistance { s.kinkDistance = s.kinkDistance.map { min($0, k) } ?? k }
    }
}

/// A softmax model in float64 at one τ beside the enclosures valid for every temperature in (0, τ].
public struct EnclosureComparison: Sendable {
    /// One sublayer, summed over the pairs.
    public struct Layer: Sendable {
        /// "block k SA (stage)", blocks numbered from 0.
        public var label: String
        /// float64 tokens outside their certified box by more than the tolerance.
        public var outside = 0
        /// The largest |float − centre| of a coordinate.
        public var maxDeviation = 0.0
        /// The largest radius of a box (exact).
        public var maxRadius = Rational.zero
        /// Boxes that cross a ReLU kink or leave attention unresolved (enclosure events).
        public var kinks = 0
    }

    public var layers: [Layer] = []
    /// The first layer, pair and token where float64 leaves its certified box.
    public var firstDivergence: String? = nil
    /// The first enclosure event ("pair j, …").
    public var firstKink: String? = nil
    public var pairCount = 0
    /// Pairs whose final boxes are not exact output points forming the output set.
    public var certificateFailures = 0
    /// Pairs float64 at τ does not interpolate within the tolerance (Hausdorff distance).
    public var floatFailures = 0

    /// Runs the enclosure evaluator for every τ ∈ (0, `temperature`] and float64 at `temperature`
    /// on every pair of `data`.
    public init(_ transformer: Transformer, _ data: Dataset, temperature: Rational, tolerance: Double) throws(EvaluationError) {
        let enclosure = try EnclosureEvaluator(transformer, temperature: temperature)
        let float = try Evaluator<Double>(transformer, temperature: temperature)
        pairCount = data.pairs.count
        for (j, pair) in data.pairs.enumerated() {
            let e = enclosure.trace(pair.input.map { Box(point: $0) })
            let f = try float.trace(pair.input.map { $0.map(\.doubleValue) })
            if layers.isEmpty { layers = e.map { Layer(label: layerLabel($0.block, $0.sublayer.rawValue, $0.stage)) } }
            for l in e.indices {
                var s = layers[l]
                for (i, box) in e[l].boxes.enumerated() {
                    s.maxRadius = max(s.maxRadius, box.largestRadius)
                    var outside = false
                    for c in box.centre.indices {
                        let x = f[l].tokens[i][c]
                        let deviation = (try? Rational(exactly: x)).map { ($0 - box.centre[c]).magnitude } ?? box.radius[c] + .one
                        s.maxDeviation = max(s.maxDeviation, deviation.doubleValue)
                        if deviation > box.radius[c], (deviation - box.radius[c]).doubleValue > tolerance { outside = true }
                    }
                    if outside {
                        s.outside += 1
                        if firstDivergence == nil {
                            firstDivergence = "\(s.label), pair \(j), token \(i): float64 \(f[l].tokens[i]) lies outside the certified box \(box)"
                        }
                    }
                }
                s.kinks += e[l].events.count
                if firstKink == nil, let event = e[l].events.first { firstKink = "pair \(j), \(event)" }
                layers[l] = s
            }
            let final = e.last?.boxes ?? pair.input.map { Box(point: $0) }
            if !(final.allSatisfy(\.isPoint) && interpolates(final.map(\.centre), pair.output)) { certificateFailures += 1 }
            let distance = hausdorffDistance(f.last?.tokens ?? [], pair.output.map { $0.map(\.doubleValue) })
            if !(distance <= tolerance) { floatFailures += 1 }
        }
    }
}

/// "block 0 SA (collapse)".
private func layerLabel(_ block: Int, _ sublayer: String, _ stage: Block.Stage) -> String {
    "block \(block) \(sublayer) (\(stage))"
}

/// |a − b| in float64.
private func euclidean(_ a: [Double], _ b: [Double]) -> Double {
    var sum = 0.0
    for (x, y) in zip(a, b) { sum += (x - y) * (x - y) }
    return sum.squareRoot()
}
