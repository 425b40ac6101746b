import ExactArithmetic
import Synchronization

/// Why a model cannot be evaluated as asked, or why an evaluation stopped.
public struct EvaluationError: Error, CustomStringConvertible, Sendable {
    public let description: String
    /// Set when an exact evaluation stopped at its resource limit (`EvaluationLimits`): the model is
    /// not wrong, the run was too large for the limit it was given.
    public let overrun: LimitOverrun?

    public init(_ description: String) {
        self.description = description
        overrun = nil
    }

    /// The resource-limit error for `overrun`.
    public init(_ overrun: LimitOverrun) {
        description = "resource limit: after block \(overrun.block) (0-based) a coordinate has \(overrun.bits) bits, above the limit of \(overrun.limit) bits for a numerator or denominator; raise it with --max-bits if the model is meant to grow this large"
        self.overrun = overrun
    }
}

/// Where an exact evaluation passed its bit limit: after block `block` (0-based) a coordinate had
/// `bits` bits, more than `limit`.
public struct LimitOverrun: Sendable, Equatable {
    public let block: Int
    public let bits: Int
    public let limit: Int

    public init(block: Int, bits: Int, limit: Int) {
        self.block = block
        self.bits = bits
        self.limit = limit
    }
}

/// The resource limits of exact evaluation (docs/cli.md#resource-limits), a value every evaluator
/// is given: the largest bit length of a numerator or a denominator of any coordinate after any
/// block. Legitimate models stay far below the default (the constructions' values have tens to
/// thousands of bits); a hostile one (η = 10^100000 in every block) reaches it within a few blocks
/// instead of running for minutes. Passing it makes the evaluation throw (`EvaluationError.overrun`),
/// never return incomplete tokens.
public struct EvaluationLimits: Sendable, Equatable {
    /// The default `maximumBits` (the CLI's `--max-bits`).
    public static let defaultMaximumBits = 1_000_000

    /// The largest bit length a numerator or denominator may reach.
    public var maximumBits: Int

    public init(maximumBits: Int = EvaluationLimits.defaultMaximumBits) {
        self.maximumBits = maximumBits
    }

    /// Throws the resource-limit error when a coordinate of `tokens` (the output of block `block`)
    /// has more than `maximumBits` bits. Scalars of a fixed size (`bitSize` 0) never do.
    public func check<S: Scalar>(_ tokens: [[S]], block: Int) throws(EvaluationError) {
        for t in tokens {
            for x in t {
                let bits = x.bitSize
                if bits > maximumBits { throw EvaluationError(LimitOverrun(block: block, bits: bits, limit: maximumBits)) }
            }
        }
    }
}

/// The results of work items run in parallel (input order), or the error of the first that
/// failed: the overrun at the earliest block, ties to the earliest item, so the message does not
/// depend on thread timing.
public func firstError<R>(_ results: [Result<R, EvaluationError>]) throws(EvaluationError) -> [R] {
    var first: (error: EvaluationError, block: Int)? = nil
    var values: [R] = []
    values.reserveCapacity(results.count)
    for result in results {
        switch result {
        case .success(let value):
            values.append(value)
        case .failure(let error):
            let block = error.overrun?.block ?? -1
            if first.map({ block < $0.block }) ?? true { first = (error, block) }
        }
    }
    if let first { throw first.error }
    return values
}

/// Work done by evaluators, shared by the threads of `evaluateAll`, so that a long run can print
/// how far it is against an estimate made with the same measure (`unitsPerBlock`). A value the
/// caller passes in (`Evaluator.meter`, `CertificationOptions.meter`), never global.
public final class WorkMeter: Sendable {
    private let done = Atomic<Int>(0)

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

    /// Adds `units` of work done (wrapping, never trapping).
    public func add(_ units: Int) {
        done.wrappingAdd(units, ordering: .relaxed)
    }

    /// The work done so far.
    public var units: Int { done.load(ordering: .relaxed) }
}
