import ExactArithmetic
import TransformerModel

extension Evaluator {
    /// The block loop of `evaluate`, one sublayer at a time, for callers that look between
    /// sublayers (`StageTrace`): applies the sublayers in `sublayers` to `xs` in order (sublayer
    /// 2b is block b's feed-forward, 2b + 1 its attention), skipping identity sublayers, and calls
    /// `after(tokens, s)` after each sublayer s that ran. Throws when a coordinate grows past
    /// `limits` (an overrun is an error, never incomplete tokens).
    @_specialize(where S == Rational)
    @_specialize(where S == Double)
    public func run(_ xs: [[S]], sublayers: Range<Int>, after: ([[S]], Int) -> Void = { _, _ in }) throws(EvaluationError) -> [[S]] {
        var tokens = xs
        for s in sublayers {
            let block = blocks[s / 2]
            if s % 2 == 0 {
                if block.feedForward.isIdentity { continue }
                tokens = tokens.map(block.feedForward.apply)
            } else {
                if block.attention.isIdentity { continue }
                tokens = block.attention.apply(tokens)
            }
            try limits.check(tokens, block: s / 2)
            after(tokens, s)
        }
        return tokens
    }
}
