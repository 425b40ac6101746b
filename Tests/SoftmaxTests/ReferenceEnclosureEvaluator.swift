@testable import Evaluation
import ExactArithmetic
import TransformerModel

/// The enclosure evaluator's reference algorithms, for the naive-versus-fast cross-checks
/// (`KeySelectionCrossCheck`): every feed-forward layer neuron by neuron, and every query's key
/// selection by its own scan with every key's error term exact and no saturated gap. Release code
/// has no path to it: it lives with the tests, on the evaluator's internal parts.
struct ReferenceEnclosureEvaluator {
    let evaluator: EnclosureEvaluator

    init(_ model: Transformer, temperature: Rational? = nil) throws(EvaluationError) {
        evaluator = try EnclosureEvaluator(model, temperature: temperature)
    }

    /// `EnclosureEvaluator.evaluate` (every event kept in the same order) by the reference algorithms.
    func evaluate(_ boxes: [Box]) -> EnclosureEvaluator.Run {
        var run = EnclosureEvaluator.Run(boxes: boxes, events: [], eventCount: 0, stopped: false)
        for (b, block) in evaluator.blocks.enumerated() {
            var events: [EnclosureEvent] = []
            let ff = block.feedForward
            if !ff.isIdentity {
                run.boxes = run.boxes.enumerated().map { i, box in
                    ff.applyPerNeuron(box, token: i, block: b, stage: block.stage, radiusBits: evaluator.radiusBits, events: &events)
                }
            }
            run.boxes = block.attention.apply(run.boxes, block: b, stage: block.stage, radiusBits: evaluator.radiusBits,
                                              floor: evaluator.weightFloorExponent, clamped: &run.clampedWeights,
                                              events: &events, selection: .reference)
            run.eventCount += events.count
            run.events += events.prefix(max(0, EnclosureEvaluator.eventLimit - run.events.count))
        }
        return run
    }
}

extension EnclosureFeedForward {
    /// FF on one box, neuron by neuron: the reference for `apply` (the same values, each neuron on its own).
    func applyPerNeuron(_ box: Box, token: Int, block: Int, stage: Block.Stage, radiusBits: Int, events: inout [EnclosureEvent]) -> Box {
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
        return linearBox(centre: centre, radius: r, gains: gains.map { ($0.gain, ridges[$0.ridge].direction) },
                         fallback: fallback, radiusBits: radiusBits)
    }
}
