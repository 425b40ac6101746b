import Dispatch
import Foundation
import ExactArithmetic
import TransformerModel

/// Why a model cannot be evaluated as asked.
public struct EvaluationError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

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
/// in ℚ. `Evaluator<Double>` runs the very same code on doubles. Softmax layers need a type that can
/// represent exp (Double); exact softmax certification goes through `EnclosureEvaluator`.
public struct Evaluator<S: Scalar>: Sendable {
    public let model: Transformer
    public internal(set) var blocks: [CompiledBlock<S>]

    /// This evaluator's resource limit (`EvaluationLimits.maximumBits` when it was made).
    public let maximumBits: Int
    private let overrun = LimitOverrun()
    /// Counts the work done, for progress reports of long runs (`WorkMeter.units`); nil: not counted.
    public var meter: WorkMeter? = nil

    /// Compiles `model`; `temperature` overrides the model's τ for softmax layers.
    @_specialize(where S == Rational)
    @_specialize(where S == Double)
    public init(_ model: Transformer, temperature: Rational? = nil) throws(EvaluationError) {
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
        self.maximumBits = EvaluationLimits.maximumBits
        var blocks = model.blocks.map { CompiledBlock<S>($0, temperature: tau) }
        // Number the feed-forward directions model-wide, so a token's projection on a direction
        // can be reused by every later layer on that direction while the token stays put.
        var directionIDs: [[S]: Int] = [:]
        for b in blocks.indices { blocks[b].feedForward.numberDirections(&directionIDs) }
        self.blocks = blocks
    }

    /// T(X).
    @_specialize(where S == Rational)
    @_specialize(where S == Double)
    public func evaluate(_ xs: [[S]]) -> [[S]] {
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
            if !withinLimit(tokens, block: b) { return tokens }
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

    /// T(X) by the plain algorithm: every block as SA(FF(X)) with the feed-forward layer neuron by
    /// neuron (`CompiledFeedForward.applyReference`). Tests only: the floating-point path must
    /// equal it bit for bit.
    func evaluateReference(_ xs: [[S]]) -> [[S]] {
        blocks.reduce(xs) { tokens, block in block.attention.apply(tokens.map(block.feedForward.applyReference)) }
    }

    /// T(X^j) for every sequence, in parallel on all cores; the result order is the input order.
    @_specialize(where S == Rational)
    @_specialize(where S == Double)
    public func evaluateAll(_ sequences: [[[S]]]) -> [[[S]]] {
        guard let shared = sharedFirstFeedForward(sequences) else { return parallelMap(sequences) { evaluate($0) } }
        return parallelMap(sequences) { evaluateFloat($0, firstOutputs: shared) }
    }

    /// `evaluateAll`, calling `progress(done)` after every sequence (from worker threads, one at a
    /// time, in completion order) so long runs can report how far they are.
    @_specialize(where S == Rational)
    @_specialize(where S == Double)
    public func evaluateAll(_ sequences: [[[S]]], progress: @escaping @Sendable (Int) -> Void) -> [[[S]]] {
        let counter = CompletionCounter()
        let shared = sharedFirstFeedForward(sequences)
        return parallelMap(sequences) { xs in
            let result = shared.map { evaluateFloat(xs, firstOutputs: $0) } ?? evaluate(xs)
            counter.increment(then: progress)
            return result
        }
    }

    /// False (and the overrun recorded for `checkLimit`) when a coordinate of `tokens` is larger
    /// than `maximumBits`; the caller then stops evaluating.
    public func withinLimit(_ tokens: [[S]], block: Int) -> Bool {
        guard S.isExact else { return true }
        for t in tokens {
            for x in t {
                let bits = x.bitSize
                if bits > maximumBits {
                    overrun.record(block: block, bits: bits)
                    EvaluationLimits.recordReached(EvaluationLimits.error(block: block, bits: bits, limit: maximumBits))
                    return false
                }
            }
        }
        return true
    }

    /// Throws the resource-limit error when an evaluation stopped at the limit: its results are
    /// incomplete and must not be used.
    public func checkLimit() throws(EvaluationError) {
        if let (block, bits) = overrun.first {
            throw EvaluationLimits.error(block: block, bits: bits, limit: maximumBits)
        }
    }

    /// Every layer's output and what it decided, for `--trace` and `compare`.
    @_specialize(where S == Rational)
    @_specialize(where S == Double)
    public func trace(_ xs: [[S]]) -> [LayerRecord<S>] {
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
            if !withinLimit(current, block: b) { break }
        }
        return records
    }
}

/// The resource limit of exact evaluation: the largest bit length of a numerator or a denominator
/// of any coordinate after any block (docs/cli.md#resource-limits). Legitimate models stay far
/// below it (the constructions' values have tens to thousands of bits); a hostile one
/// (η = 10^100000 in every block) reaches it within a few blocks instead of running for minutes.
public enum EvaluationLimits {
    public static let defaultMaximumBits = 1_000_000
    /// The limit new evaluators take; set once by the CLI (`--max-bits`) before any evaluation.
    nonisolated(unsafe) public static var maximumBits = defaultMaximumBits

    /// The resource-limit error for a coordinate of `bits` bits after block `block`.
    static func error(block: Int, bits: Int, limit: Int) -> EvaluationError {
        EvaluationError("resource limit: after block \(block) (0-based) a coordinate has \(bits) bits, above the limit of \(limit) bits for a numerator or denominator; raise it with --max-bits if the model is meant to grow this large")
    }

    private static let lock = NSLock()
    nonisolated(unsafe) private static var firstReached: EvaluationError? = nil

    static func recordReached(_ error: EvaluationError) {
        lock.lock()
        defer { lock.unlock() }
        if firstReached == nil { firstReached = error }
    }

    /// The first resource-limit error of any evaluator in this process, nil while none stopped at the
    /// limit. A construction stage whose exact check failed because an evaluation stopped at the
    /// limit failed for want of resources, not by a bug: the CLI reports this error instead (exit 2).
    public static var reached: EvaluationError? {
        lock.lock()
        defer { lock.unlock() }
        return firstReached
    }
}

/// Work done by evaluators, shared by the threads of `evaluateAll`, so that a long run can print
/// how far it is against an estimate made with the same measure (`unitsPerBlock`).
public final class WorkMeter: @unchecked Sendable {
    private let lock = NSLock()
    private var done = 0

    public init() {}

    /// The cost of one block on a sequence: n² score pairs plus n tokens, times a factor for the
    /// size of the numbers (1 + the largest bit length of a coordinate / 64: one machine word).
    public static func unitsPerBlock<S: Scalar>(_ xs: [[S]]) -> Int {
        let n = xs.count
        var bits = 0
        for x in xs { for c in x { bits = Swift.max(bits, c.bitSize) } }
        let (square, overflow) = n.multipliedReportingOverflow(by: n)
        return overflow ? Int.max / 4 : (square + n) * (1 + bits / 64)
    }

    /// The estimate of a whole evaluation: every sequence through `blocks` blocks.
    public static func estimate<S: Scalar>(_ sequences: [[[S]]], blocks: Int) -> Double {
        sequences.reduce(0.0) { $0 + Double(unitsPerBlock($1)) * Double(blocks) }
    }

    public func add(_ units: Int) {
        lock.lock()
        done &+= units
        lock.unlock()
    }

    public var units: Int {
        lock.lock()
        defer { lock.unlock() }
        return done
    }
}

/// The first place an evaluation exceeded its bit limit (shared by the threads of `evaluateAll`).
final class LimitOverrun: @unchecked Sendable {
    private let lock = NSLock()
    private var value: (block: Int, bits: Int)? = nil

    func record(block: Int, bits: Int) {
        lock.lock()
        defer { lock.unlock() }
        if let old = value, old.block <= block { return }
        value = (block, bits)
    }

    var first: (block: Int, bits: Int)? {
        lock.lock()
        defer { lock.unlock() }
        return value
    }
}

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

/// `transform` applied to every element on all cores; results in input order.
public func parallelMap<T: Sendable, R: Sendable>(_ items: [T], _ transform: @Sendable (T) -> R) -> [R] {
    if items.count < 2 { return items.map(transform) }
    let results = ResultSlots<R>(count: items.count)
    DispatchQueue.concurrentPerform(iterations: items.count) { i in
        results.store(transform(items[i]), at: i)
    }
    return results.values()
}

/// A count of finished work items shared by worker threads.
final class CompletionCounter: @unchecked Sendable {
    private var done = 0
    private let lock = DispatchSemaphore(value: 1)  // a mutex: Dispatch is all this module imports
    func increment(then report: (Int) -> Void) {
        lock.wait()
        done += 1
        report(done)
        lock.signal()
    }
}

/// Write-once slots filled concurrently at distinct indices.
///
/// A raw buffer, not an array: `Array.withUnsafeMutableBufferPointer` swaps the array out for an
/// empty one during the call, so two threads calling it at once corrupt the heap (seen as crashes of
/// `construct` on N = 1000).
final class ResultSlots<R>: @unchecked Sendable {
    private let slots: UnsafeMutablePointer<R?>
    private let count: Int
    init(count: Int) {
        self.count = count
        slots = .allocate(capacity: count)
        slots.initialize(repeating: nil, count: count)
    }
    deinit {
        slots.deinitialize(count: count)
        slots.deallocate()
    }
    func store(_ value: R, at i: Int) {
        slots[i] = value  // distinct i per thread: disjoint memory, no race
    }
    func values() -> [R] { (0..<count).compactMap { slots[$0] } }
}

// MARK: - Set comparison


/// Hausdorff distance between two token sets (Euclidean).
public func hausdorffDistance(_ a: [[Double]], _ b: [[Double]]) -> Double {
    func directed(_ x: [[Double]], _ y: [[Double]]) -> Double {
        x.map { p in y.map { q in zip(p, q).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) } }.min() ?? .infinity }.max() ?? 0
    }
    return max(directed(a, b), directed(b, a)).squareRoot()
}
