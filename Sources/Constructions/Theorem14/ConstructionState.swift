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
    /// An exact check's evaluation passed its resource limit (`EvaluationLimits`): the model may be
    /// right, the check could not finish within the limit it was given.
    case resourceLimit(EvaluationError)

    public var description: String {
        switch self {
        case .invalidData(let e): return e.description
        case .resourceLimit(let e): return e.description
        case .stageCheckFailed(let stage, let detail): return "internal error: the \(stage) stage failed its exact check: \(detail)"
        }
    }
}

/// The distinct token values of every sequence at the current depth, and the blocks built so far.
///
/// Every block is applied here with the exact evaluator as soon as it is built, so each stage
/// builds on — and checks — what the model really does.
///
/// The stages reason about sets of distinct values, but attention counts positions: a repeated
/// key weighs twice in a hardmax tie (and in softmax). So the state also carries every input
/// sequence of the dataset that repeats a token, as given, and runs each appended block on it with
/// its multiplicities; a token whose value differs from the value the stage computed for the
/// distinct sequence is a broken stage, reported with the stage, pair and token
/// (docs/construction.md#repeated-tokens). Datasets without repeated tokens carry nothing extra.
struct ConstructionState {
    let dimension: Int
    /// Distinct values of each (deduplicated) input sequence, in problem order.
    var sequences: [[Token]] { didSet { interned = nil } }
    /// `sequences` as ids into one table of their distinct values, when known (set by `append`,
    /// dropped whenever `sequences` changes otherwise).
    private var interned: InternedSequences? = nil
    var blocks: [Block] = []
    /// The dataset's input sequences with repeated tokens, at the current depth.
    private(set) var repeated: [RepeatedSequence]
    /// Where each value stands in `repeated` (built by `appendMove`, dropped by `append`).
    private var places: [Token: [(sequence: Int, token: Int)]]? = nil
    /// Index in the dataset file of each sequence's pair, for messages.
    let sourceIndices: [Int]

    /// A dataset input sequence with a repeated token, moved through every block as given.
    struct RepeatedSequence {
        /// Its distinct sequence in `sequences`.
        let sequence: Int
        /// Index of its pair in the dataset file.
        let sourceIndex: Int
        /// Its tokens at the current depth, repeats included, in dataset order.
        var tokens: [Token]
    }

    init(_ problem: InterpolationProblem) {
        dimension = problem.dimension
        sequences = problem.pairs.map(\.inputs)
        sourceIndices = problem.pairs.map(\.sourceIndex)
        repeated = problem.pairs.enumerated().flatMap { j, pair in
            pair.repeatedInputs.map { RepeatedSequence(sequence: j, sourceIndex: $0.sourceIndex, tokens: $0.tokens) }
        }
    }

    /// Sequence j as the user knows it: its pair in the dataset file (`pairs[k]`, 0-based).
    func pair(_ j: Int) -> String { "pairs[\(sourceIndices.indices.contains(j) ? sourceIndices[j] : j)]" }

    /// Every distinct value over all sequences, in first-seen order.
    func allValues() -> [Token] {
        if let interned { return interned.values }
        var seen = Set<Token>()
        var out: [Token] = []
        for s in sequences {
            for x in s where seen.insert(x).inserted { out.append(x) }
        }
        return out
    }

    /// The indices of the sequences whose dataset form repeats a token (their attention ties
    /// weigh by multiplicity).
    var sequencesWithRepeats: Set<Int> { Set(repeated.map(\.sequence)) }

    /// Sequences after applying `block` (not stored).
    func applying(_ block: Block) -> [[Token]] {
        let compiled = CompiledBlock<Rational>(block, temperature: nil)
        return parallelMap(sequences) { compiled.apply($0) }
    }

    /// `sequences` as ids into the table of their distinct values (`allValues()` order).
    func internedSequences() -> InternedSequences {
        interned ?? InternedSequences(sequences)
    }

    /// Sequences after applying only the FF of `layer` (not stored).
    /// A feed-forward layer acts on each token alone: it runs once per distinct value and every
    /// place of a value shares its image (the same values as per place, without Σn new vectors).
    func applying(_ layer: FeedForwardLayer) -> [[Token]] {
        let compiled = CompiledFeedForward<Rational>(layer)
        let table = internedSequences()
        let images = parallelMap(table.values) { compiled.apply($0) }
        return table.ids.map { s in s.map { images[$0] } }
    }

    /// Appends `block` and moves every sequence through it.
    mutating func append(_ block: Block) throws(ConstructionError) {
        try append(block, result: applying(block))
    }

    /// Appends a block already applied (`result` = `applying(block)`); keeps distinct values only.
    /// Throws when a sequence of the dataset with repeated tokens does not follow `result`.
    mutating func append(_ block: Block, result: [[Token]]) throws(ConstructionError) {
        try append(block, result: result, interned: InternedSequences(result))
    }

    /// `append(_:result:)` with `interned` = `InternedSequences(result)` already built (a stage's
    /// check built it): every place then shares the one copy of its value in `interned.values`.
    mutating func append(_ block: Block, result: [[Token]], interned table: InternedSequences) throws(ConstructionError) {
        repeated = try moved(repeated, through: block, result: result)
        places = nil
        sequences = table.tokens()
        interned = table
        blocks.append(block)
    }

    /// Appends a candidate block when every sequence with repeated tokens, run through it as given,
    /// gives each token the value `result` gives it on the distinct sequence; otherwise leaves the
    /// state as it was and returns false, so that a stage can try its next candidate.
    mutating func appendIfRepeatsFollow(_ block: Block, result: [[Token]], interned: InternedSequences? = nil) -> Bool {
        do { try append(block, result: result, interned: interned ?? InternedSequences(result)) } catch { return false }
        return true
    }

    /// Records a block built by `SingleMoveBlocks`: its FF moves the value `p` to `y` and fixes
    /// every other current value, its attention is the identity. A feed-forward layer acts on each
    /// token alone, so the tokens of a sequence with repeats follow the move as its distinct values do.
    /// The narrow layout makes Σm such moves: an index from each value to its places keeps a move
    /// proportional to the places of p, not to every token of every sequence with repeats.
    mutating func appendMove(_ block: Block, from p: Token, to y: Token) {
        blocks.append(block)
        if repeated.isEmpty { return }
        if places == nil {
            var index: [Token: [(sequence: Int, token: Int)]] = [:]
            for (r, item) in repeated.enumerated() {
                for (i, x) in item.tokens.enumerated() { index[x, default: []].append((r, i)) }
            }
            places = index
        }
        guard let moving = places?.removeValue(forKey: p) else { return }
        for (r, i) in moving { repeated[r].tokens[i] = y }
        places?[y, default: []].append(contentsOf: moving)
    }

    /// The sequences with repeats after `block`, checked token by token against `result`.
    private func moved(_ list: [RepeatedSequence], through block: Block, result: [[Token]])
        throws(ConstructionError) -> [RepeatedSequence] {
        guard !list.isEmpty else { return list }
        // Without attention every token moves alone: its value on the distinct sequence is its value.
        let compiled = block.attention == .identity ? nil : CompiledBlock<Rational>(block, temperature: nil)
        let evaluated = compiled.map { c in parallelMap(list) { c.apply($0.tokens) } }
        return try list.enumerated().map { (r, item) throws(ConstructionError) -> RepeatedSequence in
            var claimed: [Token: Token] = [:]
            for (x, y) in zip(sequences[item.sequence], result[item.sequence]) { claimed[x] = y }
            let image = evaluated?[r] ?? item.tokens.map { claimed[$0] ?? $0 }
            for (p, (x, y)) in zip(item.tokens, image).enumerated() where claimed[x] != y {
                let expected = claimed[x].map { format($0) } ?? "no value"
                throw .stageCheckFailed(stage: block.stage.rawValue, detail:
                    "block \(blocks.count) (0-based) sends pairs[\(item.sourceIndex)].input[\(p)] to \(format(y)) on the sequence as given (a token repeats in it), but to \(expected) on its distinct tokens: attention weighs a repeated token by its multiplicity")
            }
            var next = item
            next.tokens = image
            return next
        }
    }

    private func format(_ t: Token) -> String { tokenDescription(t, parenthesised: true) }
}

/// Sequences as ids into one table of their distinct values (docs/benchmarks.md#corpus, "Interned sequences").
///
/// Built by one hash of every place; the separation rounds' checks (which sequences share a value,
/// which keep their number of values, which became equal as sets) then compare integers instead
/// of hashing rational vectors again, and every place of a value shares one copy of it. The ids
/// are bookkeeping only: the blocks are built from the values.
struct InternedSequences: Sendable {
    /// Every distinct value, in first-seen order (sequences in order, places in order).
    let values: [Token]
    /// Each sequence's distinct values as indices into `values`, in order of first occurrence.
    let ids: [[Int]]

    init(_ sequences: [[Token]]) {
        // Hashing a value reads all its coordinates: done for every place on all cores first, so
        // the table below (serial, for first-seen ids) hashes one word per place.
        let hashes = parallelMap(sequences) { s in s.map { $0.hashValue } }
        var index: [HashedToken: Int] = [:]
        index.reserveCapacity(sequences.reduce(0) { $0 + $1.count })
        var values: [Token] = []
        var lastSequence: [Int] = []      // id → the last sequence it was recorded in
        var ids: [[Int]] = []
        ids.reserveCapacity(sequences.count)
        for (j, s) in sequences.enumerated() {
            var row: [Int] = []
            row.reserveCapacity(s.count)
            for (v, hash) in zip(s, hashes[j]) {
                let key = HashedToken(hash: hash, token: v)
                let id: Int
                if let known = index[key] { id = known } else {
                    id = values.count
                    index[key] = id
                    values.append(v)
                    lastSequence.append(-1)
                }
                if lastSequence[id] != j {
                    lastSequence[id] = j
                    row.append(id)
                }
            }
            ids.append(row)
        }
        self.values = values
        self.ids = ids
    }

    /// The distinct values of every sequence, in order; each place shares its value's storage.
    func tokens() -> [[Token]] { ids.map { $0.map { values[$0] } } }
}

/// A value with its hash computed beforehand: equal values have equal hashes, so comparing the
/// hashes first and the values on a match is `Token`'s own equality.
private struct HashedToken: Hashable {
    let hash: Int
    let token: Token

    func hash(into hasher: inout Hasher) { hasher.combine(hash) }
    static func == (a: HashedToken, b: HashedToken) -> Bool { a.hash == b.hash && a.token == b.token }
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
            throw .stageCheckFailed(stage: stage, detail: "\(pair(j)) does not reach its output set")
        }
    }
}
