import ExactArithmetic
import TransformerModel

/// A block with parameters converted to `S`.
public struct CompiledBlock<S: Scalar>: Sendable {
    public let stage: Block.Stage
    public internal(set) var feedForward: CompiledFeedForward<S>
    public internal(set) var attention: CompiledAttention<S>

    @_specialize(where S == Rational)
    @_specialize(where S == Double)
    public init(_ block: Block, temperature: Rational?) {
        stage = block.stage
        feedForward = CompiledFeedForward(block.feedForward)
        attention = CompiledAttention(block.attention, temperature: temperature)
    }

    /// B(X) = SA(FF(X)).
    @_specialize(where S == Rational)
    @_specialize(where S == Double)
    public func apply(_ xs: [[S]]) -> [[S]] { attention.apply(xs.map(feedForward.apply)) }
}

/// The transformer evaluator, generic over the number type (see docs/mathematics.md#architecture, #exactness, #float64).
///
/// `Evaluator<Rational>` is the exact path: hardmax ties, ReLU signs and equality are decided
/// in ℚ. `Evaluator<Double>` runs the same layers on doubles. The scalar decides how (`Scalar.isExact`):
/// exact arithmetic lets the feed-forward layers use prefix sums and per-token projection caches;
/// rounding arithmetic runs the plain loop's operations in layer order (bit for bit the NumPy
/// package's), sharing the first layer's results between sequences. Softmax layers need a type that
/// can represent exp (Double); exact softmax certification goes through `EnclosureEvaluator`.
public struct Evaluator<S: Scalar>: Sendable {
    public let model: Transformer
    public let blocks: [CompiledBlock<S>]

    /// The resource limit of exact evaluation: an evaluation that passes it throws.
    public let limits: EvaluationLimits
    /// Counts the work done, for progress reports of long runs (`WorkMeter.units`); nil: not counted.
    public var meter: WorkMeter? = nil

    /// Compiles `model`; `temperature` overrides the model's τ for softmax layers; `limits` bounds
    /// the size of exact values (the default: `EvaluationLimits.defaultMaximumBits`); `signs`:
    /// exact scalars decide every sign in ℚ, or try the float64 filter first (`SignDecisions`).
    @_specialize(where S == Rational)
    @_specialize(where S == Double)
    public init(_ model: Transformer, temperature: Rational? = nil,
                limits: EvaluationLimits = EvaluationLimits(), signs: SignDecisions = .exact) throws(EvaluationError) {
        let tau = temperature ?? model.temperature
        if model.usesSoftmax {
            guard Softmax.isAvailable(for: S.self) else {
                throw EvaluationError("the model has softmax layers, whose outputs are irrational: exact evaluation cannot run them (the enclosure certificate judges them exactly; floating-point evaluation runs them approximately)")
            }
            guard tau != nil else {
                throw EvaluationError("the model has softmax layers but no temperature τ")
            }
        }
        self.model = model
        self.limits = limits
        // Blocks compile independently (sorted kinks, prefix sums): on all cores.
        var blocks = parallelMap(model.blocks) { CompiledBlock<S>($0, temperature: tau) }
        // Number the feed-forward directions model-wide, so a token's projection on a direction
        // can be reused by every later layer on that direction while the token stays put.
        var directionIDs: [[S]: Int] = [:]
        for b in blocks.indices { blocks[b].feedForward.numberDirections(&directionIDs) }
        if signs == .float64Filter && S.isExact {
            for b in blocks.indices {
                blocks[b].feedForward.enableFloatFilter()
                blocks[b].attention.parameters.filtered = true
            }
        }
        self.blocks = blocks
    }

    /// T(X). Throws when a coordinate passes the resource limit (`limits`): no partial tokens.
    @_specialize(where S == Rational)
    @_specialize(where S == Double)
    public func evaluate(_ xs: [[S]]) throws(EvaluationError) -> [[S]] {
        guard S.isExact else { return evaluateFloat(xs, firstOutputs: nil) }
        // Exact path: one projection cache per token. In the narrow layout thousands of
        // consecutive hats share one direction and each moves a single value, so most tokens
        // skip the dot product and only locate their projection among the layer's kinks.
        var tokens = xs
        var caches = [ProjectionCache<S>](repeating: ProjectionCache(), count: xs.count)
        let unitsPerBlock = meter.map { _ in WorkMeter.unitsPerBlock(xs) } ?? 0
        for (b, block) in blocks.enumerated() {
            meter?.add(unitsPerBlock)
            if !block.feedForward.isIdentity {
                for i in tokens.indices { tokens[i] = block.feedForward.apply(tokens[i], cache: &caches[i]) }
            }
            if !block.attention.isIdentity {
                tokens = block.attention.apply(tokens)
                for i in caches.indices { caches[i] = ProjectionCache() }
            }
            try limits.check(tokens, block: b)
        }
        return tokens
    }

    /// The floating-point path: each feed-forward layer moves the tokens in place (layer-order
    /// kernel: the plain loop's operations on the active neurons only), then attention.
    /// `firstOutputs`: the first block's feed-forward outputs of inputs shared between sequences
    /// (`sharedFirstFeedForward`), looked up instead of computed again.
    func evaluateFloat(_ xs: [[S]], firstOutputs: [[S]: [S]]?) -> [[S]] {
        let units = meter.map { _ in WorkMeter.unitsPerBlock(xs) } ?? 0
        var tokens = xs
        var scratch = FeedForwardScratch<S>()
        for (b, block) in blocks.enumerated() {
            meter?.add(units)
            if !block.feedForward.isIdentity {
                for i in tokens.indices {
                    if b == 0, let shared = firstOutputs, Self.valueIsBits(tokens[i]), let y = shared[tokens[i]] {
                        tokens[i] = y
                    } else {
                        block.feedForward.applyInPlace(&tokens[i], scratch: &scratch)
                    }
                }
            }
            tokens = block.attention.apply(tokens)
        }
        return tokens
    }

    /// True when `==` on this token is equality of bits, so it can key a cache: always for exact
    /// scalars; for doubles, no NaN (never equal) and no −0 (equal to +0).
    static func valueIsBits(_ x: [S]) -> Bool {
        S.isExact || x.allSatisfy { $0 == $0 && !($0 == .zero && S.one / $0 < .zero) }
    }

    /// Floating-point path, many sequences: the first block's feed-forward layer sees the raw
    /// inputs, and sequences of words repeat them (1 MB of text: 41,311 tokens, 6,200 distinct),
    /// so it runs once per distinct input (in parallel) and the sequences look the results up.
    /// Nil for exact scalars or when the first feed-forward layer is the identity.
    func sharedFirstFeedForward(_ sequences: [[[S]]]) -> [[S]: [S]]? {
        guard !S.isExact, sequences.count > 1, let first = blocks.first, !first.feedForward.isIdentity else { return nil }
        var seen = Set<[S]>()
        var distinct: [[S]] = []
        for sequence in sequences {
            for x in sequence where Self.valueIsBits(x) && seen.insert(x).inserted { distinct.append(x) }
        }
        let chunk = 256
        let chunks = stride(from: 0, to: distinct.count, by: chunk).map { Array(distinct[$0..<min($0 + chunk, distinct.count)]) }
        let moved = parallelMap(chunks) { inputs -> [[S]] in
            var scratch = FeedForwardScratch<S>()
            return inputs.map { x in
                var y = x
                first.feedForward.applyInPlace(&y, scratch: &scratch)
                return y
            }
        }
        var outputs: [[S]: [S]] = [:]
        outputs.reserveCapacity(distinct.count)
        for (inputs, results) in zip(chunks, moved) {
            for (x, y) in zip(inputs, results) { outputs[x] = y }
        }
        return outputs
    }

    /// T(X^j) for every sequence, in parallel on all cores; the result order is the input order.
    /// Throws when an evaluation passes the resource limit (the overrun at the earliest block, ties
    /// to the earliest sequence: the same error on any machine).
    @_specialize(where S == Rational)
    @_specialize(where S == Double)
    public func evaluateAll(_ sequences: [[[S]]]) throws(EvaluationError) -> [[[S]]] {
        guard let shared = sharedFirstFeedForward(sequences) else {
            return try firstError(parallelMap(sequences) { xs in Result { () throws(EvaluationError) in try evaluate(xs) } })
        }
        return parallelMap(sequences) { evaluateFloat($0, firstOutputs: shared) }
    }

    /// `evaluateAll`, handing each sequence's output to `reduce` (with the sequence's index) as
    /// soon as it is computed, on the worker thread, and keeping only what `reduce` returns, in
    /// input order: a caller that needs a verdict per sequence, not every output token, does not
    /// hold Σn output vectors at once. `progress(done)` as for `evaluateAll(_:progress:)`.
    public func evaluateAll<R: Sendable>(_ sequences: [[[S]]], progress: (@Sendable (Int) -> Void)? = nil,
                                         reduce: @Sendable (Int, [[S]]) -> R) throws(EvaluationError) -> [R] {
        let counter = CompletionCounter()
        let shared = sharedFirstFeedForward(sequences)
        return try firstError(parallelMap(Array(sequences.indices)) { i in
            let result = Result { () throws(EvaluationError) -> R in
                if let shared { return reduce(i, evaluateFloat(sequences[i], firstOutputs: shared)) }
                return reduce(i, try evaluate(sequences[i]))
            }
            if let progress { counter.increment(then: progress) }
            return result
        })
    }

    /// `evaluateAll`, calling `progress(done)` after every sequence (from worker threads, one at a
    /// time, in completion order) so long runs can report how far they are.
    @_specialize(where S == Rational)
    @_specialize(where S == Double)
    public func evaluateAll(_ sequences: [[[S]]], progress: @escaping @Sendable (Int) -> Void) throws(EvaluationError) -> [[[S]]] {
        try evaluateAll(sequences, progress: progress) { _, output in output }
    }
}
