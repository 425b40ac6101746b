import ExactArithmetic

/// A causal (next-token) dataset checked for consistency (docs/mathematics.md#causal-attention).
///
/// Each input is an ordered sequence x_1 … x_n (repeats allowed: positions differ) and each output
/// gives one target y_i per position. Under a causal mask position i sees only x_1 … x_i, so a model
/// can only satisfy the data when equal prefixes have equal targets: a conflict names both pairs and
/// the prefix length. A second, architectural obstruction is checked too: without positional
/// information every position of a constant sequence a, a, …, a has the same state in every layer
/// (feed-forward layers act per token, attention averages copies of one value), so the prefixes
/// a^k and a^l must have the same target.
public struct CausalProblem: Sendable {
    public let dimension: Int
    /// The input sequences as given, in order.
    public let sequences: [[Token]]
    /// One target per input position.
    public let targets: [[Token]]
    /// Number of distinct prefixes (x_1 … x_i) over all pairs and positions.
    public let distinctPrefixCount: Int

    /// Σn: the number of positions (= the number of targets).
    public var positionCount: Int { sequences.reduce(0) { $0 + $1.count } }
    /// N, the number of pairs.
    public var count: Int { sequences.count }

    /// Validates a causal dataset: one target per position, same prefix ⇒ same target, and the
    /// constant-prefix condition above. Throws naming both pairs and the prefix lengths.
    public init(_ dataset: Dataset) throws(InputError) {
        guard dataset.causal else {
            throw InputError(path: "causal", reason: "not a causal dataset: add \"causal\": true (each output then gives one target per input position)")
        }
        dimension = dataset.dimension
        sequences = dataset.pairs.map(\.input)
        targets = dataset.pairs.map(\.output)
        // A trie of prefixes: node 0 is the empty prefix; an edge is (parent node, next token).
        struct Edge: Hashable { var parent: Int; var token: Token }
        var children: [Edge: Int] = [:]
        var owner: [(pair: Int, length: Int, target: Token)] = [(0, 0, [])]
        var constant: [Token: (pair: Int, length: Int, target: Token)] = [:]
        for (j, pair) in dataset.pairs.enumerated() {
            try Dataset.requireOneTargetPerPosition(pair: j, inputs: pair.input.count, outputs: pair.output.count)
            var node = 0
            for (i, x) in pair.input.enumerated() {
                let target = pair.output[i]
                let edge = Edge(parent: node, token: x)
                if let existing = children[edge] {
                    node = existing
                    let first = owner[node]
                    if first.target != target {
                        throw InputError(path: "pairs[\(j)].output[\(i)]",
                                         reason: "pairs[\(first.pair)] and pairs[\(j)] share their first \(i + 1) token\(i == 0 ? "" : "s") but give that prefix different targets (\(CausalProblem.show(first.target)) and \(CausalProblem.show(target))): no causal model can map one prefix to two targets")
                    }
                } else {
                    owner.append((j, i + 1, target))
                    node = owner.count - 1
                    children[edge] = node
                }
            }
            // The constant run at the start of the sequence: a, a, …, a.
            if let a = pair.input.first {
                var i = 0
                while i < pair.input.count && pair.input[i] == a {
                    let target = pair.output[i]
                    if let first = constant[a] {
                        if first.target != target {
                            throw InputError(path: "pairs[\(j)].output[\(i)]",
                                             reason: "the prefix of pairs[\(first.pair)] of length \(first.length) and the prefix of pairs[\(j)] of length \(i + 1) both repeat the one token \(CausalProblem.show(a)) but have different targets (\(CausalProblem.show(first.target)) and \(CausalProblem.show(target))): a transformer without positional information gives every position of a constant sequence the same state, so no model can tell them apart")
                        }
                    } else {
                        constant[a] = (j, i + 1, target)
                    }
                    i += 1
                }
            }
        }
        distinctPrefixCount = owner.count - 1
    }

    static func show(_ t: Token) -> String { tokenDescription(t) }
}
