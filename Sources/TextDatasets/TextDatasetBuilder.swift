import ExactArithmetic
import TransformerModel

// Datasets from plain text (`exact-interp from-text`, docs/text.md): sentences → words → exact
// embeddings → pairs for one of four tasks. Everything is deterministic: the same files and options
// always give the same dataset, byte for byte.

/// A dataset built from text, with the counts `from-text` reports.
public struct TextDataset {
    /// The dataset as JSON (the plain format, or the causal / labelled formats).
    public var json: JSONValue
    public var pairs: Int
    public var vocabulary: Int
    /// Contexts (or sentences, or texts) dropped because they contradict each other.
    public var dropped: Int
    /// Pairs dropped with them.
    public var droppedPairs: Int
    /// Repeated pairs merged into one.
    public var merged: Int
    /// next-token-distribution: the words of the output coordinates, in order (the last is "<other>").
    public var outputWords: [String] = []
}

/// Builds datasets from sentences (docs/text.md).
public struct TextDatasetBuilder {
    public var task: TextTask
    public var dimension: Int
    /// At most this many preceding words form the context (nil: the whole preceding sentence).
    public var context: Int?
    public var positions: TextPositions
    /// Hashed-embedding range R (coordinates in [−R, R]).
    public var range: Int
    /// A user embedding table (nil: hashed).
    public var table: WordEmbedding?
    public var name: String

    public init(task: TextTask, dimension: Int, context: Int? = nil, positions: TextPositions = .every, range: Int = 8,
                table: WordEmbedding? = nil, name: String = "text") {
        self.task = task
        self.dimension = dimension
        self.context = context
        self.positions = positions
        self.range = range
        self.table = table
        self.name = name
    }

    private func embedding(for words: some Sequence<String>) throws(InputError) -> WordEmbedding {
        if let table { return table }
        return try WordEmbedding.hashed(words: words, dimension: dimension, range: range)
    }

    private func contexts(of sentence: [String]) -> [(context: ArraySlice<String>, next: String)] {
        guard sentence.count >= 2 else { return [] }
        let targets = positions == .last ? [sentence.count - 1] : Array(1..<sentence.count)
        return targets.map { i in
            let lo = context.map { max(0, i - $0) } ?? 0
            return (sentence[lo..<i], sentence[i])
        }
    }

    /// Next-token, next-token-distribution and causal datasets from sentences.
    public func build(sentences: [[String]]) throws(InputError) -> TextDataset {
        switch task {
        case .nextToken: return try nextToken(sentences)
        case .nextTokenDistribution: return try distribution(sentences)
        case .causal: return try causal(sentences)
        case .classification:
            throw InputError(path: "--task", reason: "classification reads labelled lines: use build(labelled:)")
        }
    }

    private func header(_ extra: [(key: String, value: JSONValue)] = []) -> [(key: String, value: JSONValue)] {
        [("name", .string(name))] + extra + [("dimension", .number(String(dimension)))]
    }

    /// Groups (context set → next words) in first-seen order.
    private func contextTable(_ sentences: [[String]]) -> (order: [[String]], next: [[String]: [String: Int]]) {
        var order: [[String]] = []
        var next: [[String]: [String: Int]] = [:]
        for s in sentences {
            for (ctx, w) in contexts(of: s) {
                let key = Array(Set(ctx)).sorted()
                if next[key] == nil { order.append(key); next[key] = [:] }
                next[key, default: [:]][w, default: 0] += 1
            }
        }
        return (order, next)
    }

    /// The context's words as a set, in first-occurrence order of the sorted key (deterministic).
    private func inputTokens(_ key: [String], _ e: WordEmbedding) throws(InputError) -> JSONValue {
        var tokens: [JSONValue] = []
        for w in key { tokens.append(Dataset.jsonValue(try e.vector(w))) }
        return .array(tokens)
    }

    private func nextToken(_ sentences: [[String]]) throws(InputError) -> TextDataset {
        let e = try embedding(for: sentences.joined())
        let (order, next) = contextTable(sentences)
        var pairs: [JSONValue] = []
        var dropped = 0, droppedPairs = 0, merged = 0
        for key in order {
            guard let counts = next[key] else { continue }
            let total = counts.values.reduce(0, +)
            if counts.count > 1 { dropped += 1; droppedPairs += total; continue }
            guard let w = counts.keys.first else { continue }
            merged += total - 1
            pairs.append(.object([("input", try inputTokens(key, e)), ("output", .array([Dataset.jsonValue(try e.vector(w))]))]))
        }
        return try finish(pairs, extra: [], vocabulary: e.vectors.count, dropped: dropped, droppedPairs: droppedPairs, merged: merged)
    }

    /// The K = d − 1 most frequent words (count over every word of the text; ties by byte order).
    public static func frequentWords(_ sentences: [[String]], count k: Int) -> [String] {
        var counts: [String: Int] = [:]
        for s in sentences { for w in s { counts[w, default: 0] += 1 } }
        return counts.sorted { a, b in
            a.value != b.value ? a.value > b.value : Array(a.key.utf8).lexicographicallyPrecedes(Array(b.key.utf8))
        }.prefix(k).map(\.key)
    }

    private func distribution(_ sentences: [[String]]) throws(InputError) -> TextDataset {
        guard dimension >= 2 else { throw InputError(path: "--dimension", reason: "next-token-distribution needs d = K + 1 ≥ 2") }
        let e = try embedding(for: sentences.joined())
        let vocab = TextDatasetBuilder.frequentWords(sentences, count: dimension - 1)
        let index = Dictionary(uniqueKeysWithValues: vocab.enumerated().map { ($1, $0) })
        let (order, next) = contextTable(sentences)
        var pairs: [JSONValue] = []
        for key in order {
            guard let counts = next[key] else { continue }
            let total = counts.values.reduce(0, +)
            var numerators = [Int](repeating: 0, count: dimension)
            for (w, c) in counts { numerators[index[w] ?? (dimension - 1)] += c }
            var p: Token = []
            for n in numerators {
                do { p.append(try Rational(numerator: n, denominator: total)) } catch {
                    throw InputError(path: "", reason: "internal: empty context count")
                }
            }
            pairs.append(.object([("input", try inputTokens(key, e)), ("output", .array([Dataset.jsonValue(p)]))]))
        }
        var result = try finish(pairs, extra: [], vocabulary: e.vectors.count, dropped: 0, droppedPairs: 0, merged: 0)
        result.outputWords = vocab + ["<other>"]
        return result
    }

    private func causal(_ sentences: [[String]]) throws(InputError) -> TextDataset {
        let e = try embedding(for: sentences.joined())
        // A trie of accepted prefixes: prefix → the word that follows it.
        var target: [[String]: String] = [:]
        var seen = Set<[String]>()
        var pairs: [JSONValue] = []
        var dropped = 0, merged = 0
        for s in sentences where s.count >= 2 {
            if seen.contains(s) { merged += 1; continue }
            var conflict = false
            for i in 1..<s.count {
                if let t = target[Array(s[0..<i])], t != s[i] { conflict = true; break }
            }
            if conflict { dropped += 1; continue }
            seen.insert(s)
            for i in 1..<s.count { target[Array(s[0..<i])] = s[i] }
            var input: [JSONValue] = [], output: [JSONValue] = []
            for w in s.dropLast() { input.append(Dataset.jsonValue(try e.vector(w))) }
            for w in s.dropFirst() { output.append(Dataset.jsonValue(try e.vector(w))) }
            pairs.append(.object([("input", .array(input)), ("output", .array(output))]))
        }
        return try finish(pairs, extra: [("causal", .bool(true))], vocabulary: e.vectors.count, dropped: dropped, droppedPairs: dropped, merged: merged)
    }

    /// Classification: one `label<TAB>text` per line; the input is the set of the text's words.
    public func build(labelled lines: [(label: String, words: [String])]) throws(InputError) -> TextDataset {
        let e = try embedding(for: lines.flatMap(\.words))
        var order: [[String]] = []
        var labels: [[String]: Set<String>] = [:]
        var occurrences: [[String]: Int] = [:]
        for l in lines where !l.words.isEmpty {
            let key = Array(Set(l.words)).sorted()
            if labels[key] == nil { order.append(key) }
            labels[key, default: []].insert(l.label)
            occurrences[key, default: 0] += 1
        }
        var pairs: [JSONValue] = []
        var dropped = 0, droppedPairs = 0, merged = 0
        for key in order {
            guard let ls = labels[key], let label = ls.first else { continue }
            let n = occurrences[key] ?? 1
            if ls.count > 1 { dropped += 1; droppedPairs += n; continue }
            merged += n - 1
            pairs.append(.object([("input", try inputTokens(key, e)), ("label", .string(label))]))
        }
        return try finish(pairs, extra: [], vocabulary: e.vectors.count, dropped: dropped, droppedPairs: droppedPairs, merged: merged)
    }

    private func finish(_ pairs: [JSONValue], extra: [(key: String, value: JSONValue)], vocabulary: Int,
                        dropped: Int, droppedPairs: Int, merged: Int) throws(InputError) -> TextDataset {
        guard !pairs.isEmpty else { throw InputError(path: "", reason: "the text gives no pairs (it needs sentences of at least two words)") }
        let json = JSONValue.object(header(extra) + [("pairs", .array(pairs))])
        return TextDataset(json: json, pairs: pairs.count, vocabulary: vocabulary, dropped: dropped, droppedPairs: droppedPairs, merged: merged)
    }
}
