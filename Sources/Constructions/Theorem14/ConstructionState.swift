import Certification
import Evaluation
import ExactArithmetic
import TransformerModel

/// Why a construction stopped.
public enum ConstructionError: Error, CustomStringConvertible {
    /// The data does not satisfy the theorem's hypotheses.
    case invalidData(InputError)
    /// A stage failed its own exact check: a bug in the construction, never a silent pass.
    case stageCheckFailed(stage: String, detail: String)

    public var description: String {
        switch self {
        case .invalidData(let e): return e.description
        case .stageCheckFailed(let stage, let detail): return "internal error: the \(stage) stage failed its exact check: \(detail)"
        }
    }
}

/// The distinct token values of every sequence at the current depth, and the blocks built so far.
///
/// Every block is applied here with the exact evaluator as soon as it is built, so each stage
/// builds on — and checks — what the model really does.
struct ConstructionState {
    let dimension: Int
    /// Distinct values of each (deduplicated) input sequence, in problem order.
    var sequences: [[Token]]
    var blocks: [Block] = []

    init(_ problem: InterpolationProblem) {
        dimension = problem.dimension
        sequences = problem.pairs.map(\.inputs)
    }

    /// Every distinct value over all sequences, in first-seen order.
    func allValues() -> [Token] {
        var seen = Set<Token>()
        var out: [Token] = []
        for s in sequences {
            for x in s where seen.insert(x).inserted { out.append(x) }
        }
        return out
    }

    /// Sequences after applying `block` (not stored).
    func applying(_ block: Block) -> [[Token]] {
        let compiled = CompiledBlock<Rational>(block, temperature: nil)
        return parallelMap(sequences) { compiled.apply($0) }
    }

    /// Sequences after applying only the FF of `layer` (not stored).
    func applying(_ layer: FeedForwardLayer) -> [[Token]] {
        let compiled = CompiledFeedForward<Rational>(layer)
        return parallelMap(sequences) { $0.map(compiled.apply) }
    }

    /// Appends `block` and moves every sequence through it.
    mutating func append(_ block: Block) {
        append(block, result: applying(block))
    }

    /// Appends a block already applied (`result` = `applying(block)`); keeps distinct values only.
    mutating func append(_ block: Block, result: [[Token]]) {
        sequences = result.map { s in
            var seen = Set<Token>()
            return s.filter { seen.insert($0).inserted }
        }
        blocks.append(block)
    }
}

/// Per-stage figures for reports.
public struct StageSummary: Sendable, Equatable {
    public var stage: Block.Stage
    public var blocks: Int
    public var maximumWidth: Int
    public var largestNumeratorBits: Int
    public var largestDenominatorBits: Int

    /// One summary per stage; `marks` lists each stage with the block count at its end.
    static func stages(of blocks: [Block], marks: [(Block.Stage, Int)]) -> [StageSummary] {
        var stages: [StageSummary] = []
        var start = 0
        for (name, end) in marks {
            stages.append(StageSummary(stage: name, blocks: blocks[start..<end]))
            start = end
        }
        return stages
    }

    init(stage: Block.Stage, blocks: ArraySlice<Block>) {
        self.stage = stage
        self.blocks = blocks.count
        maximumWidth = blocks.map(\.feedForward.width).max() ?? 0
        largestNumeratorBits = blocks.map(\.largestBitLengths.numerator).max() ?? 0
        largestDenominatorBits = blocks.map(\.largestBitLengths.denominator).max() ?? 0
    }
}

extension ConstructionState {
    /// The moves of the last stage of both theorems (interpolation, re-collapse): the k-th leader of
    /// sequence j goes to its k-th output, sequences in order.
    static func leaderMoves(_ leaders: [[Token]], to outputs: [[Token]]) -> [(source: Token, target: Token)] {
        var moves: [(source: Token, target: Token)] = []
        for (j, list) in leaders.enumerated() {
            for (k, source) in list.enumerated() { moves.append((source, outputs[j][k])) }
        }
        return moves
    }

    /// The promise of the last stage: every sequence holds exactly its outputs, as a set.
    func requireInterpolates(_ outputs: [[Token]], stage: String) throws(ConstructionError) {
        for (j, s) in sequences.enumerated() where !interpolates(s, outputs[j]) {
            throw .stageCheckFailed(stage: stage, detail: "sequence \(j) does not reach its output set")
        }
    }
}
