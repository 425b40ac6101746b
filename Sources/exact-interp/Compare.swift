import ArgumentParser
import Certification
import Evaluation
import ExactArithmetic
import TransformerModel

struct Compare: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a model exactly and in float64, layer by layer, and show where float64 goes wrong.",
        discussion: """
        Per layer: how many tokens' argmax sets differ between float64 and exact, the largest \
        |float − exact| coordinate, and the exact margins of the trajectory: the smallest gap between \
        a token's top attention score and its runner-up (SA), and the smallest distance of a \
        pre-activation to its ReLU kink (FF; 0 means a token sits on a kink). Then the first layer \
        and token where float64 changes an attention set or a ReLU sign, and both verdicts.

        Softmax models: float64 runs at τ (the model's τ₀ or --tau) beside the exact enclosures for \
        every temperature in (0, τ]. Per layer: how many float64 tokens fall outside their certified \
        box (beyond --tolerance), the largest |float − centre| and the largest box radius, and how many \
        boxes cross a ReLU kink. Then the first layer and token where float64 leaves its box, and \
        both verdicts (certificate at τ, float64 Hausdorff distance).

        On a causal dataset ("causal": true, docs/causal.md) the verdicts are per position: output i \
        against target i, in order (float64: every position within --tolerance).

        Exits 0 when both arithmetics interpolate every pair, 1 otherwise, 2 on invalid input.
        """
    )

    @OptionGroup var files: ModelAndDataset
    @Option(help: "float64: largest Hausdorff distance that counts as interpolated.") var tolerance: Double = 1e-9
    @OptionGroup var temperature: TemperatureOption

    func validate() throws { try requireTolerance(tolerance) }

    struct LayerSummary {
        var label = ""
        var argmaxDiffers = 0
        var signDiffers = 0
        var maxError = 0.0
        var scoreGap: Rational? = nil
        var kinkDistance: Rational? = nil
    }

    @OptionGroup var limits: LimitOptions

    func run() throws {
        limits.apply()
        let (transformer, data) = try files.load()
        try requireSameDimension(transformer, data)
        try requireMatchingDigest(transformer, data, modelPath: files.model, datasetPath: files.dataset)
        if transformer.usesSoftmax {
            guard !data.causal else {
                printError("error: \(files.dataset) is a causal dataset: causal models are hardmax only (docs/causal.md)")
                throw Exit.invalidInput
            }
            try compareSoftmax(transformer, data)
            return
        }
        let exact: Evaluator<Rational>, float: Evaluator<Double>
        do {
            exact = try Evaluator<Rational>(transformer)
            float = try Evaluator<Double>(transformer)
        } catch {
            printError("error: \(error)")
            throw Exit.invalidInput
        }
        var layers: [LayerSummary] = []
        var firstDivergence: String? = nil
        var exactFailures = 0, floatFailures = 0
        for (j, pair) in data.pairs.enumerated() {
            let e = exact.trace(pair.input)
            try requireWithinLimit(exact)
            let f = float.trace(pair.input.map { $0.map(\.doubleValue) })
            if layers.isEmpty { layers = e.map { LayerSummary(label: "block \($0.block) \($0.sublayer.rawValue) (\($0.stage))") } }
            for l in e.indices {
                var s = layers[l]
                for (i, token) in e[l].tokens.enumerated() {
                    for (c, x) in token.enumerated() {
                        let fx = f[l].tokens[i][c]
                        let err = (try? Rational(exactly: fx)).map { ($0 - x).magnitude.doubleValue } ?? .infinity
                        s.maxError = max(s.maxError, err)
                    }
                }
                for h in e[l].argmaxSets.indices {
                    for i in e[l].argmaxSets[h].indices where e[l].argmaxSets[h][i] != f[l].argmaxSets[h][i] {
                        s.argmaxDiffers += 1
                        if firstDivergence == nil {
                            firstDivergence = "\(s.label), pair \(j), token \(i): float64 attends to \(f[l].argmaxSets[h][i]), exact to \(e[l].argmaxSets[h][i])"
                        }
                    }
                }
                for i in e[l].activationSigns.indices where e[l].activationSigns[i] != f[l].activationSigns[i] {
                    s.signDiffers += 1
                    if firstDivergence == nil, let n = e[l].activationSigns[i].indices.first(where: { e[l].activationSigns[i][$0] != f[l].activationSigns[i][$0] }) {
                        firstDivergence = "\(s.label), pair \(j), token \(i): neuron \(n) has ReLU sign \(f[l].activationSigns[i][n]) in float64, \(e[l].activationSigns[i][n]) exactly"
                    }
                }
                if let g = e[l].smallestScoreGap { s.scoreGap = s.scoreGap.map { min($0, g) } ?? g }
                if let k = e[l].smallestKinkDistance { s.kinkDistance = s.kinkDistance.map { min($0, k) } ?? k }
                layers[l] = s
            }
            let exactOut = e.last?.tokens ?? pair.input, floatOut = f.last?.tokens ?? []
            let want = pair.output.map { $0.map(\.doubleValue) }
            if data.causal {
                // Causal data: position i against target i, in order (docs/causal.md).
                if exactOut != pair.output { exactFailures += 1 }
                var worst = 0.0
                for (a, b) in zip(floatOut, want) { worst = max(worst, euclidean(a, b)) }
                if floatOut.count != want.count || !(worst <= tolerance) { floatFailures += 1 }
                continue
            }
            if !interpolates(exactOut, pair.output) { exactFailures += 1 }
            let distance = hausdorffDistance(floatOut, want)
            if !(distance <= tolerance) { floatFailures += 1 }
        }
        let width = max(40, (layers.map(\.label.count).max() ?? 0) + 2)
        print("blocks numbered from 0, as blocks[k] in the model file")
        print(pad("layer", width) + pad("argmax≠", 9) + pad("sign≠", 7) + pad("max|float−exact|", 24) + pad("score gap (exact)", 25) + "kink distance (exact)")
        for s in layers {
            print(pad(s.label, width) + pad(String(s.argmaxDiffers), 9) + pad(String(s.signDiffers), 7)
                  + pad(String(s.maxError), 24) + pad(s.scoreGap.map(brief) ?? "-", 25) + (s.kinkDistance.map(brief) ?? "-"))
        }
        print("first divergence: \(firstDivergence ?? "none (float64 takes every exact decision)")")
        func verdict(_ failures: Int) -> String {
            failures == 0 ? "interpolates all \(pairCount(data.pairs.count))" : "\(failures) of \(pairCount(data.pairs.count)) NOT interpolated"
        }
        print("exact verdict: \(verdict(exactFailures))")
        print("float64 verdict (tolerance \(tolerance)): \(verdict(floatFailures))")
        if exactFailures == 0 && floatFailures > 0 { print("float64 gets the verdict wrong: the model interpolates exactly") }
        if exactFailures > 0 && floatFailures == 0 { print("float64 gets the verdict wrong: it accepts a model that does not interpolate") }
        if exactFailures > 0 || floatFailures > 0 { throw Exit.propertyFailed }
    }
}

/// A rational in short form: exact when small, else its nearest double.
func brief(_ r: Rational) -> String {
    r.numeratorBitLength + r.denominatorBitLength <= 48 ? r.description : "≈\(r.doubleValue)"
}

func pad(_ s: String, _ width: Int) -> String {
    s.count >= width ? s + " " : s + String(repeating: " ", count: width - s.count)
}

extension Compare {
    struct SoftmaxLayerSummary {
        var label = ""
        var outside = 0
        var maxDeviation = 0.0
        var maxRadius = Rational.zero
        var kinks = 0
    }

    /// Float64 at τ beside the enclosures valid for every temperature in (0, τ].
    func compareSoftmax(_ transformer: Transformer, _ data: Dataset) throws {
        guard let tauValue = temperature.tau ?? transformer.temperature else {
            printError("error: \(files.model): a softmax model needs a \"temperature\" (τ₀), or give one with --tau")
            throw Exit.invalidInput
        }
        let enclosure: EnclosureEvaluator, float: Evaluator<Double>
        do {
            enclosure = try EnclosureEvaluator(transformer, temperature: tauValue)
            float = try Evaluator<Double>(transformer, temperature: tauValue)
        } catch {
            printError("error: \(error)")
            throw Exit.invalidInput
        }
        var layers: [SoftmaxLayerSummary] = []
        var firstDivergence: String? = nil
        var firstKink: String? = nil
        var certificateFailures = 0, floatFailures = 0
        for (j, pair) in data.pairs.enumerated() {
            let e = enclosure.trace(pair.input.map { Box(point: $0) })
            let f = float.trace(pair.input.map { $0.map(\.doubleValue) })
            if layers.isEmpty { layers = e.map { SoftmaxLayerSummary(label: "block \($0.block) \($0.sublayer.rawValue) (\($0.stage))") } }
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
        print("float64 at τ = \(tauValue); boxes certified for every τ ∈ (0, \(tauValue)]")
        print("blocks numbered from 0, as blocks[k] in the model file")
        print("layer                                   outside  kinks  max|float−centre|  max radius (exact)")
        for s in layers {
            print(pad(s.label, 40) + pad(String(s.outside), 9) + pad(String(s.kinks), 7)
                  + pad(String(s.maxDeviation), 19) + radiusText(s.maxRadius))
        }
        print("first divergence: \(firstDivergence ?? "none (float64 stays inside every certified box)")")
        if let firstKink { print("first kink crossing: \(firstKink)") }
        print("certificate verdict: \(certificateFailures == 0 ? "every final box is an exact output point for all \(data.pairs.count) pairs" : "\(certificateFailures) pairs NOT certified")")
        print("float64 verdict (tolerance \(tolerance)): \(floatFailures == 0 ? "interpolates all \(data.pairs.count) pairs" : "\(floatFailures) pairs NOT interpolated")")
        if certificateFailures > 0 || floatFailures > 0 { throw Exit.propertyFailed }
    }
}

/// A radius: exact when short, else its nearest double, or its binary order of magnitude when that
/// double underflows.
func radiusText(_ r: Rational) -> String {
    if r.isZero || r.numeratorBitLength + r.denominatorBitLength <= 48 { return r.description }
    let x = r.doubleValue
    return x != 0 ? "≈\(x)" : "≈2^\(r.numeratorBitLength - r.denominatorBitLength)"
}

/// |a − b| in float64.
func euclidean(_ a: [Double], _ b: [Double]) -> Double {
    var sum = 0.0
    for (x, y) in zip(a, b) { sum += (x - y) * (x - y) }
    return sum.squareRoot()
}
