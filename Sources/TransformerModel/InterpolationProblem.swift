import ExactArithmetic

/// A dataset checked against Assumption 1.3 and reduced to sets (see docs/mathematics.md#data).
///
/// Inputs and outputs are treated as sets: repeated tokens inside a sequence are dropped (first
/// occurrence kept), identical pairs are merged. Each change is reported as a notice. The
/// constructions work on this form; verification runs on the dataset as given.
public struct InterpolationProblem: Sendable {
    /// One deduplicated pair.
    public struct Pair: Sendable {
        /// Distinct input tokens X^j, in order of first occurrence (n^j of them).
        public var inputs: [Token]
        /// Distinct output tokens Y^j (m^j of them).
        public var outputs: [Token]
        /// Index of the pair in the dataset file.
        public var sourceIndex: Int
        /// The dataset's input sequences that reduce to `inputs` and repeat a token — this pair's
        /// own and those of pairs merged into it — as given. Attention counts positions (a
        /// repeated key weighs twice in a hardmax tie and in softmax), so a construction that
        /// works on the distinct tokens must also check these (docs/construction.md#repeated-tokens).
        public var repeatedInputs: [RepeatedInput] = []
    }

    /// An input sequence of the dataset with a repeated token, as given.
    public struct RepeatedInput: Sendable {
        /// Index of its pair in the dataset file.
        public var sourceIndex: Int
        /// The tokens in dataset order, repeats included.
        public var tokens: [Token]
    }

    public let dimension: Int
    public let pairs: [Pair]
    /// What deduplication changed, for the user.
    public let notices: [String]

    /// N, the number of distinct pairs.
    public var count: Int { pairs.count }
    /// Σ m^j over distinct pairs.
    public var totalOutputCount: Int { pairs.reduce(0) { $0 + $1.outputs.count } }
    /// Σ n^j over distinct pairs.
    public var totalInputCount: Int { pairs.reduce(0) { $0 + $1.inputs.count } }

    /// Validates `dataset`: throws on infeasible data (an input set paired with two output sets,
    /// m^j > n^j), with the offending pairs named.
    public init(_ dataset: Dataset) throws(InputError) {
        guard !dataset.causal else {
            throw InputError(path: "causal", reason: "a causal dataset is interpolated position by position, not as sets: use `construct --causal` (see docs/causal.md)")
        }
        dimension = dataset.dimension
        var notices: [String] = []
        // Kept pairs by the hash of their input set, not by the set itself (a set per pair is tens
        // of megabytes on the 200 MB dataset of docs/benchmarks.md). Sets with equal hashes are
        // compared in full.
        var keptByHash: [Int: Int] = [:]
        var moreByHash: [Int: [Int]] = [:]
        var kept: [Pair] = []
        keptByHash.reserveCapacity(dataset.pairs.count)
        kept.reserveCapacity(dataset.pairs.count)
        for (j, pair) in dataset.pairs.enumerated() {
            let inputs = InterpolationProblem.distinct(pair.input, path: "pairs[\(j)].input", notices: &notices)
            let outputs = InterpolationProblem.distinct(pair.output, path: "pairs[\(j)].output", notices: &notices)
            guard outputs.count <= inputs.count else {
                throw InputError(path: "pairs[\(j)]", reason: "\(outputs.count) distinct output tokens but only \(inputs.count) distinct input tokens (need m ≤ n)")
            }
            let key = Set(inputs)
            let hash = key.hashValue
            let candidates = (keptByHash[hash].map { [$0] } ?? []) + (moreByHash[hash] ?? [])
            if let k = candidates.first(where: { Set(kept[$0].inputs) == key }) {
                let earlier = kept[k]
                if Set(earlier.outputs) == Set(outputs) {
                    notices.append("pairs[\(j)] repeats pairs[\(earlier.sourceIndex)] (same sets): merged")
                    if inputs.count != pair.input.count {
                        kept[k].repeatedInputs.append(RepeatedInput(sourceIndex: j, tokens: pair.input))
                    }
                    continue
                }
                throw InputError(path: "pairs[\(j)]", reason: "same input set as pairs[\(earlier.sourceIndex)] but a different output set: no map can send one input to two outputs")
            }
            if keptByHash[hash] == nil { keptByHash[hash] = kept.count } else { moreByHash[hash, default: []].append(kept.count) }
            let repeated = inputs.count == pair.input.count ? [] : [RepeatedInput(sourceIndex: j, tokens: pair.input)]
            kept.append(Pair(inputs: inputs, outputs: outputs, sourceIndex: j, repeatedInputs: repeated))
        }
        self.pairs = kept
        self.notices = notices
    }

    /// The tokens without repeats; the array itself (sharing its storage) when nothing repeats.
    static func distinct(_ tokens: [Token], path: String, notices: inout [String]) -> [Token] {
        var firstIndex: [Token: Int] = [:]
        var out: [Token] = []
        for (i, t) in tokens.enumerated() {
            if let k = firstIndex[t] {
                notices.append("\(path)[\(i)] repeats \(path)[\(k)]: treated as one token")
            } else {
                firstIndex[t] = i
                out.append(t)
            }
        }
        return out.count == tokens.count ? tokens : out
    }

    /// Theorems 1.4 and 1.6 need d ≥ 2 (the lemmas and the evaluator accept d = 1).
    public func requireTheoremDimension() throws(InputError) {
        guard dimension >= 2 else {
            throw InputError(path: "dimension", reason: "the theorem constructions need d ≥ 2 (found d = \(dimension)); lift the data with a zero coordinate")
        }
    }
}
