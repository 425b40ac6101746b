import ArgumentParser
import Evaluation
import ExactArithmetic
import TransformerModel

struct Compare: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a hardmax model exactly and in float64, layer by layer, and show where float64 goes wrong.",
        discussion: """
        Per layer: how many tokens' argmax sets differ between float64 and exact, the largest \
        |float − exact| coordinate, and the exact margins of the trajectory: the smallest gap between \
        a token's top attention score and its runner-up (SA), and the smallest distance of a \
        pre-activation to its ReLU kink (FF; 0 means a token sits on a kink). Then the first layer \
        and token where float64 changes an attention set or a ReLU sign, and both verdicts.

        Exits 0 when both arithmetics interpolate every pair, 1 otherwise, 2 on invalid input.
        """
    )

    @Argument(help: "Model JSON file.") var model: String
    @Argument(help: "Dataset JSON file.") var dataset: String
    @Option(help: "float64: largest Hausdorff distance that counts as interpolated.") var tolerance: Double = 1e-9

    struct LayerSummary {
        var label = ""
        var argmaxDiffers = 0
        var signDiffers = 0
        var maxError = 0.0
        var scoreGap: Rational? = nil
        var kinkDistance: Rational? = nil
    }

    func run() throws {
        let transformer = try loadModel(model)
        let data = try loadDataset(dataset)
        try requireSameDimension(transformer, data)
        guard !transformer.usesSoftmax else {
            printError("error: compare runs hardmax models; for softmax use `eval --arithmetic float64` and `verify`")
            throw Exit.invalidInput
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
            if Set(e.last?.tokens ?? pair.input) != Set(pair.output) { exactFailures += 1 }
            let distance = hausdorffDistance(f.last?.tokens ?? [], pair.output.map { $0.map(\.doubleValue) })
            if !(distance <= tolerance) { floatFailures += 1 }
        }
        let width = max(40, (layers.map(\.label.count).max() ?? 0) + 2)
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
