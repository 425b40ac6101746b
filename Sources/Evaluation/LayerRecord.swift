import ExactArithmetic
import TransformerModel

/// One layer's output in a trace.
public struct LayerRecord<S: Scalar>: Sendable {
    public enum Sublayer: String, Sendable { case feedForward = "FF", attention = "SA" }
    public var block: Int
    public var stage: Block.Stage
    public var sublayer: Sublayer
    /// Tokens after the layer.
    public var tokens: [[S]]
    /// SA: per head, per token, the argmax set (hardmax).
    public var argmaxSets: [[[Int]]] = []
    /// FF: per token, the sign (−1, 0, 1) of every neuron's pre-activation.
    public var activationSigns: [[Int8]] = []
    /// FF: smallest |pre-activation| (0: a token sits on a kink).
    public var smallestKinkDistance: S? = nil
    /// SA: smallest gap between a top score and its runner-up.
    public var smallestScoreGap: S? = nil
}

extension Evaluator {
    /// Every layer's output and what it decided, for `--trace` and `compare`. Throws when a
    /// coordinate passes the resource limit (no partial trace).
    @_specialize(where S == Rational)
    @_specialize(where S == Double)
    public func trace(_ xs: [[S]]) throws(EvaluationError) -> [LayerRecord<S>] {
        var records: [LayerRecord<S>] = []
        var current = xs
        for (b, block) in blocks.enumerated() {
            var kink: S? = nil
            var signs: [[Int8]] = []
            if !block.feedForward.isIdentity {
                for x in current {
                    let pres = block.feedForward.preActivations(x)
                    signs.append(pres.map { $0 > .zero ? 1 : ($0 < .zero ? -1 : 0) })
                    for p in pres { kink = min2(kink, p < .zero ? -p : p) }
                }
                current = current.map(block.feedForward.apply)
            }
            records.append(LayerRecord(block: b, stage: block.stage, sublayer: .feedForward, tokens: current,
                                       activationSigns: signs, smallestKinkDistance: kink))
            var observation = CompiledAttention<S>.Observation()
            if !block.attention.isIdentity {
                (current, observation) = block.attention.apply(current, observe: true)
            }
            records.append(LayerRecord(block: b, stage: block.stage, sublayer: .attention, tokens: current,
                                       argmaxSets: observation.argmaxSets, smallestScoreGap: observation.smallestScoreGap))
            try limits.check(current, block: b)
        }
        return records
    }
}
