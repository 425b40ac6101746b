import ExactArithmetic

/// The tokens a classifier maps each label to (docs/mathematics.md#classification): one output token
/// per label, distinct labels on distinct points. `construct` chooses it and records it in the
/// model file, so that verification needs only the model and the labelled dataset.
public struct LabelEmbedding: Sendable, Equatable {
    /// One entry per label, in the order the construction placed them.
    public struct Entry: Sendable, Equatable {
        public var label: String
        public var token: Token
        public init(label: String, token: Token) {
            self.label = label
            self.token = token
        }
    }

    public var entries: [Entry]

    public init(entries: [Entry]) { self.entries = entries }

    /// Short, distinct points: the k-th label (in order of first appearance) goes to k·e₁ (integers
    /// 0, 1, …, L − 1 in the first coordinate, zeros elsewhere).
    public static func choose(for dataset: Dataset) -> LabelEmbedding {
        let zeros = [Rational](repeating: .zero, count: dataset.dimension)
        return LabelEmbedding(entries: dataset.labels.enumerated().map { k, label in
            var t = zeros
            t[0] = Rational(k)
            return Entry(label: label, token: t)
        })
    }

    public func token(for label: String) -> Token? { entries.first { $0.label == label }?.token }

    /// Checks distinct labels on distinct points of dimension d.
    public func validate(dimension d: Int, path: String) throws(InputError) {
        var labels = Set<String>(), tokens = Set<Token>()
        for (k, e) in entries.enumerated() {
            guard e.token.count == d else { throw InputError(path: "\(path)[\(k)].token", reason: "expected \(d) coordinates") }
            guard labels.insert(e.label).inserted else { throw InputError(path: "\(path)[\(k)].label", reason: "label \"\(e.label)\" appears twice") }
            guard tokens.insert(e.token).inserted else { throw InputError(path: "\(path)[\(k)].token", reason: "two labels share one token") }
        }
    }
}

extension Dataset {
    /// True when the pairs carry labels instead of outputs.
    public var isLabelled: Bool { pairs.first?.label != nil }

    /// The distinct labels, in order of first appearance.
    public var labels: [String] {
        var seen = Set<String>(), out: [String] = []
        for p in pairs { if let l = p.label, seen.insert(l).inserted { out.append(l) } }
        return out
    }

    /// The dataset with every label replaced by its token (the output of a classification pair).
    /// A label the embedding does not know is an error naming the pair.
    public func embedded(_ embedding: LabelEmbedding) throws(InputError) -> Dataset {
        var out = self
        for (j, p) in pairs.enumerated() {
            guard let label = p.label else { continue }
            guard let token = embedding.token(for: label) else {
                throw InputError(path: "pairs[\(j)].label", reason: "label \"\(label)\" is not one the model was built for (\(embedding.entries.map { "\"\($0.label)\"" }.joined(separator: ", ")))")
            }
            out.pairs[j].output = [token]
        }
        return out
    }
}
