import ArgumentParser
import Certification
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

    @OptionGroup var limits: LimitOptions

    func run() throws {
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
        let comparison = try orExit(Exit.invalidInput) { try FloatComparison(transformer, data, tolerance: tolerance, limits: limits.evaluation) }
        let layers = comparison.layers
        let exactFailures = comparison.exactFailures, floatFailures = comparison.floatFailures
        let width = max(40, (layers.map(\.label.count).max() ?? 0) + 2)
        print("blocks numbered from 0, as blocks[k] in the model file")
        print(pad("layer", width) + pad("argmax≠", 9) + pad("sign≠", 7) + pad("max|float−exact|", 24) + pad("score gap (exact)", 25) + "kink distance (exact)")
        for s in layers {
            print(pad(s.label, width) + pad(String(s.argmaxDiffers), 9) + pad(String(s.signDiffers), 7)
                  + pad(String(s.maxError), 24) + pad(s.scoreGap.map(brief) ?? "-", 25) + (s.kinkDistance.map(brief) ?? "-"))
        }
        print("first divergence: \(comparison.firstDivergence ?? "none (float64 takes every exact decision)")")
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
    /// Float64 at τ beside the enclosures valid for every temperature in (0, τ].
    func compareSoftmax(_ transformer: Transformer, _ data: Dataset) throws {
        guard let tauValue = temperature.tau ?? transformer.temperature else {
            printError("error: \(files.model): a softmax model needs a \"temperature\" (τ₀), or give one with --tau")
            throw Exit.invalidInput
        }
        let comparison = try orExit(Exit.invalidInput) { try EnclosureComparison(transformer, data, temperature: tauValue, tolerance: tolerance) }
        let certificateFailures = comparison.certificateFailures, floatFailures = comparison.floatFailures
        print("float64 at τ = \(tauValue); boxes certified for every τ ∈ (0, \(tauValue)]")
        print("blocks numbered from 0, as blocks[k] in the model file")
        print("layer                                   outside  kinks  max|float−centre|  max radius (exact)")
        for s in comparison.layers {
            print(pad(s.label, 40) + pad(String(s.outside), 9) + pad(String(s.kinks), 7)
                  + pad(String(s.maxDeviation), 19) + radiusText(s.maxRadius))
        }
        print("first divergence: \(comparison.firstDivergence ?? "none (float64 stays inside every certified box)")")
        if let firstKink = comparison.firstKink { print("first kink crossing: \(firstKink)") }
        print("certificate verdict: \(certificateFailures == 0 ? "every final box is an exact output point for \(allPairs(data.pairs.count))" : "\(pairCount(certificateFailures)) NOT certified")")
        print("float64 verdict (tolerance \(tolerance)): \(floatFailures == 0 ? "interpolates \(allPairs(data.pairs.count))" : "\(pairCount(floatFailures)) NOT interpolated")")
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
