import Evaluation
import ExactArithmetic
import TransformerModel

/// A hardmax transformer that, run with its causal masks on each whole input sequence, maps
/// position i exactly to its target y_i (docs/mathematics.md#causal-attention).
///
/// Route: *context* blocks make each position's state a finer and finer function of its ordered
/// prefix, then one *interpolation* block maps every distinct state to its target.
///
/// - A context block is a multi-hat FF (Lemma 4.8, docs/mathematics.md#lemma-4-8) that sends every
///   distinct current value v to a generic integer point g(v), then causal hardmax attention with
///   zero scores, V = I and ρ = 1. Zero scores tie every visible key, so the attention is the
///   uniform average over k ≤ i: the new state is g(s_i) + (1/i) Σ_{k≤i} g(s_k), which for generic g
///   determines s_i and the empirical distribution of s_1 … s_i. After one block the state encodes
///   the last token and the multiset of the prefix up to its size (uniform averages see proportions,
///   not counts: a and a, a stay equal, see `CausalProblem`); after a second, the distribution of
///   those states over the prefix, which fixes the order in the cases the data has needed. Nothing
///   rests on this argument: the checks below decide.
/// - Blocks are added until positions with equal states have equal targets (often two; none when
///   the tokens alone decide the targets). Each lift is checked exactly: the new state must
///   determine the old one (else another g is drawn), and the partition of positions by state must
///   get finer (else uniform attention cannot separate the prefixes left, and the construction says
///   which ones).
/// - The interpolation block is one position-wise multi-hat FF (Lemma 4.8) moving each distinct
///   final state to its target, with identity attention. It is checked exactly on every position.
public enum CausalConstruction {
    /// Stage labels written to model files (one place, for the stage enum of TransformerModel).
    public static let contextStage = Block.Stage.causalContext
    public static let interpolationStage = Block.Stage.causalInterpolation

    /// The construction's output with its figures.
    public struct Result: Sendable {
        public var model: Transformer
        public var stages: [StageSummary]
        public var contextBlocks: Int
        /// Distinct states after the context blocks (≤ the number of distinct prefixes).
        public var distinctStates: Int
        /// Lift draws rejected because the new state lost information (for reports).
        public var rejectedLifts: Int
    }

    /// Largest number of context blocks tried.
    public static let maximumContextBlocks = 8
    /// Lift draws per context block before giving up.
    static let maximumLiftAttempts = 16

    /// Builds the causal model for `problem` (validated); `digest` identifies the dataset file.
    public static func build(_ problem: CausalProblem, digest: String?,
                             progress: @escaping (String) -> Void = { _ in }) throws(ConstructionError) -> Result {
        let d = problem.dimension
        var states = problem.sequences
        var blocks: [Block] = []
        var rejected = 0
        var distinct = distinctValues(states)
        progress("causal: \(problem.count) sequences, \(problem.positionCount) positions, \(problem.distinctPrefixCount) distinct prefixes, \(distinct.count) distinct tokens")
        while let conflict = firstConflict(states, problem.targets) {
            guard blocks.count < maximumContextBlocks else {
                throw .stageCheckFailed(stage: contextStage.rawValue, detail: "\(maximumContextBlocks) context blocks still give \(conflict) the same state")
            }
            var accepted: (Block, [[Token]])? = nil
            for attempt in 0..<maximumLiftAttempts {
                let block = contextBlock(lifting: distinct, dimension: d, seed: UInt64(blocks.count) &* 1_000 &+ UInt64(attempt))
                let next = apply(block, to: states)
                if determinesPrevious(next, states) {
                    accepted = (block, next)
                    break
                }
                rejected += 1
            }
            guard let (block, next) = accepted else {
                throw .stageCheckFailed(stage: contextStage.rawValue, detail: "\(maximumLiftAttempts) generic lifts all merged distinct states")
            }
            let nextDistinct = distinctValues(next)
            guard nextDistinct.count > distinct.count else {
                throw .stageCheckFailed(stage: contextStage.rawValue, detail: "uniform causal attention no longer refines the states (\(distinct.count) distinct), but \(conflict) still share a state: this route cannot separate their prefixes")
            }
            blocks.append(block)
            states = next
            distinct = nextDistinct
            progress("context block \(blocks.count): \(distinct.count) distinct states, width \(block.feedForward.width)")
        }
        // Interpolation: one hat per distinct state whose target differs from it.
        var targetOf: [Token: Token] = [:]
        for (j, s) in states.enumerated() {
            for (i, x) in s.enumerated() { targetOf[x] = problem.targets[j][i] }
        }
        let moves = distinct.compactMap { s -> (source: Token, target: Token)? in
            guard let y = targetOf[s], y != s else { return nil }
            return (s, y)
        }
        let interpolation = Block(stage: interpolationStage,
                                  feedForward: hatLayer(HatFunction.moving(moves, among: distinct, dimension: d)))
        let final = apply(interpolation, to: states)
        for j in final.indices {
            for i in final[j].indices where final[j][i] != problem.targets[j][i] {
                throw .stageCheckFailed(stage: interpolationStage.rawValue, detail: "pairs[\(j)] position \(i) lands on \(final[j][i]) instead of its target")
            }
        }
        blocks.append(interpolation)
        progress("interpolation: \(moves.count) hats, width \(interpolation.feedForward.width)")
        let contextCount = blocks.count - 1
        let stages = StageSummary.stages(of: blocks, marks: [(contextStage, contextCount), (interpolationStage, blocks.count)])
        let model = Transformer(dimension: d, blocks: blocks, datasetDigest: digest,
                                metadata: ModelMetadata(construction: .causal, attention: .hardmax))
        return Result(model: model, stages: stages, contextBlocks: contextCount, distinctStates: distinct.count, rejectedLifts: rejected)
    }

    /// The context block lifting each of `values` to a generic integer point, then averaging
    /// uniformly over the visible prefix.
    static func contextBlock(lifting values: [Token], dimension d: Int, seed: UInt64) -> Block {
        var rng = SplitMix64(seed: 0x6361_7573_616C ^ seed)
        var used = Set<Token>()
        var moves: [(source: Token, target: Token)] = []
        moves.reserveCapacity(values.count)
        for v in values {
            while true {
                var g: Token = []
                for _ in 0..<d { g.append(Rational(Int(rng.next() % (1 << 21)) - (1 << 20))) }
                if used.insert(g).inserted {
                    moves.append((v, g))
                    break
                }
            }
        }
        let lift = hatLayer(HatFunction.moving(moves, among: values, dimension: d))
        let uniform = SelfAttentionLayer(kind: .hardmax, rho: .one, scores: .zero, value: .scaledIdentity(.one), causal: true)
        return Block(stage: contextStage, feedForward: lift, attention: uniform)
    }

    /// Every sequence through `block`, exactly, with its causal mask.
    static func apply(_ block: Block, to sequences: [[Token]]) -> [[Token]] {
        let compiled = CompiledBlock<Rational>(block, temperature: nil)
        return parallelMap(sequences) { compiled.apply($0) }
    }

    /// Distinct values over all positions, in first-seen order.
    static func distinctValues(_ sequences: [[Token]]) -> [Token] {
        var seen = Set<Token>()
        var out: [Token] = []
        for s in sequences { for x in s where seen.insert(x).inserted { out.append(x) } }
        return out
    }

    /// True when each new state occurs with a single previous state (the lift lost nothing).
    static func determinesPrevious(_ next: [[Token]], _ previous: [[Token]]) -> Bool {
        var before: [Token: Token] = [:]
        for j in next.indices {
            for i in next[j].indices {
                if let p = before[next[j][i]] {
                    if p != previous[j][i] { return false }
                } else {
                    before[next[j][i]] = previous[j][i]
                }
            }
        }
        return true
    }

    /// The first two positions with equal states but different targets, described; nil if none.
    static func firstConflict(_ states: [[Token]], _ targets: [[Token]]) -> String? {
        var first: [Token: (Int, Int)] = [:]
        for j in states.indices {
            for i in states[j].indices {
                if let (j0, i0) = first[states[j][i]] {
                    if targets[j0][i0] != targets[j][i] {
                        return "the prefix of pairs[\(j0)] of length \(i0 + 1) and the prefix of pairs[\(j)] of length \(i + 1)"
                    }
                } else {
                    first[states[j][i]] = (j, i)
                }
            }
        }
        return nil
    }
}
