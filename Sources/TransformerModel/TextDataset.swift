import ExactArithmetic

// Datasets from plain text (`exact-interp from-text`, docs/text.md): sentences → words → exact
// embeddings → pairs for one of four tasks. Everything is deterministic: the same files and options
// always give the same dataset, byte for byte.

/// Splits text into sentences and words (docs/text.md#splitting).
///
/// - The text is lowercased (Unicode lowercase mapping).
/// - A *word* is a maximal run of characters that are letters or digits; every other character
///   (spaces, punctuation, apostrophes, hyphens, symbols) separates words.
/// - A *sentence* ends at `.`, `!` or `?` followed by white space or the end of the text, and at a
///   blank line (a line holding only white space). Sentences without words are skipped.
public enum TextSplitter {
    /// The words of `text`, sentence by sentence.
    public static func sentences(_ text: String) -> [[String]] {
        var sentences: [[String]] = []
        var current: [String] = []
        var word = ""
        var pendingEnd = false          // saw . ! ? ; the sentence ends if white space follows
        var newlinesInGap = 0           // newlines since the last non-white-space character
        func endWord() {
            if !word.isEmpty { current.append(word); word = "" }
        }
        func endSentence() {
            endWord()
            if !current.isEmpty { sentences.append(current); current = [] }
        }
        for ch in text.lowercased() {
            if ch.isLetter || ch.isNumber {
                pendingEnd = false
                newlinesInGap = 0
                word.append(ch)
                continue
            }
            endWord()
            if ch.isWhitespace {
                if pendingEnd { endSentence(); pendingEnd = false }
                if ch.isNewline {
                    newlinesInGap += 1
                    if newlinesInGap >= 2 { endSentence() }
                }
                continue
            }
            newlinesInGap = 0
            pendingEnd = (ch == "." || ch == "!" || ch == "?")
        }
        endSentence()
        return sentences
    }

    /// The words of one line, ignoring sentence ends (classification texts).
    public static func words(_ text: String) -> [String] {
        sentences(text).flatMap { $0 }
    }
}

/// An exact, injective map from words to tokens in ℚ^d (docs/text.md#embeddings).
public struct WordEmbedding: Sendable {
    public let dimension: Int
    public private(set) var vectors: [String: Token]

    public init(dimension: Int, vectors: [String: Token]) {
        self.dimension = dimension
        self.vectors = vectors
    }

    /// 64-bit FNV-1a of the word's UTF-8 bytes (offset basis 0xcbf29ce484222325, prime 0x100000001b3).
    public static func fnv1a(_ word: String) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in word.utf8 {
            h ^= UInt64(b)
            h = h &* 0x0000_0100_0000_01b3
        }
        return h
    }

    /// Hashed embedding: a word's vector is drawn from SplitMix64 seeded with FNV-1a of its UTF-8,
    /// coordinate i = (next() mod (2R+1)) − R, an integer in [−R, R]. Words are embedded in the
    /// byte order of their UTF-8; a word whose vector is already taken draws the next d values of
    /// its own stream until it finds a free one, so distinct words get distinct vectors.
    public static func hashed(words: some Sequence<String>, dimension d: Int, range r: Int) throws(InputError) -> WordEmbedding {
        guard d >= 1, d <= 10_000 else { throw InputError(path: "--dimension", reason: "must be in 1...10000") }
        guard r >= 1, r <= 1_000_000 else { throw InputError(path: "--range", reason: "must be in 1...1000000") }
        let sorted = Set(words).sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
        // Room check: (2R+1)^d points, at least twice the vocabulary so the probing stays short.
        var room = 1
        for _ in 0..<d {
            let (p, o) = room.multipliedReportingOverflow(by: 2 * r + 1)
            if o || p > 1 << 40 { room = 1 << 40; break }
            room = p
        }
        guard room >= 2 * sorted.count else {
            throw InputError(path: "--range", reason: "\(sorted.count) distinct words do not fit well in the (2·\(r)+1)^\(d) = \(room) integer points of the hashed embedding; raise --range or --dimension")
        }
        var used = Set<Token>()
        var vectors: [String: Token] = [:]
        let modulus = UInt64(2 * r + 1)
        for w in sorted {
            var rng = SplitMix64(seed: fnv1a(w))
            var v: Token
            repeat {
                v = (0..<d).map { _ in Rational(Int(rng.next() % modulus) - r) }
            } while used.contains(v)
            used.insert(v)
            vectors[w] = v
        }
        return WordEmbedding(dimension: d, vectors: vectors)
    }

    /// An embedding table given by the user: JSON `{"word": [c1, …, cd], …}` or CSV lines
    /// `word,c1,…,cd` (coordinates in the dataset syntax: integers, "p/q", decimals). Words are
    /// lowercased; two entries for one word, a wrong number of coordinates, or two words with the
    /// same vector are errors.
    public static func table(_ bytes: [UInt8], dimension d: Int, json isJSON: Bool) throws(InputError) -> WordEmbedding {
        var vectors: [String: Token] = [:]
        var owner: [Token: String] = [:]
        func add(_ word: String, _ v: Token, _ path: String) throws(InputError) {
            let w = word.lowercased()
            guard !w.isEmpty else { throw InputError(path: path, reason: "empty word") }
            guard vectors[w] == nil else { throw InputError(path: path, reason: "a second vector for the word \"\(w)\"") }
            if let other = owner[v] { throw InputError(path: path, reason: "\"\(w)\" has the same vector as \"\(other)\" (an embedding must be injective)") }
            vectors[w] = v
            owner[v] = w
        }
        if isJSON {
            let json = try JSONReader.document(bytes)
            guard case .object(let members) = json else { throw InputError(path: "", reason: "an embedding table is a JSON object {\"word\": [coordinates]}, found \(json.kindName)") }
            for m in members {
                try add(m.key, try JSONReader(value: m.value, path: m.key).token(dimension: d), m.key)
            }
        } else {
            let text = String(decoding: bytes, as: UTF8.self)
            var lineNumber = 0
            for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
                lineNumber += 1
                let trimmed = line.trimmingWhiteSpace()
                if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
                let fields = trimmed.split(separator: ",", omittingEmptySubsequences: false).map { String($0).trimmingWhiteSpace() }
                let path = "line \(lineNumber)"
                guard fields.count == d + 1 else {
                    throw InputError(path: path, reason: "expected a word and \(d) coordinates, found \(fields.count) fields")
                }
                var v: Token = []
                for (i, f) in fields.dropFirst().enumerated() {
                    do { v.append(try Rational(parsing: f)) } catch {
                        throw InputError(path: "\(path), coordinate \(i)", reason: "\(error)")
                    }
                }
                try add(fields[0], v, path)
            }
        }
        guard !vectors.isEmpty else { throw InputError(path: "", reason: "the embedding table is empty") }
        return WordEmbedding(dimension: d, vectors: vectors)
    }

    /// The vector of `word`, or an error naming it.
    public func vector(_ word: String) throws(InputError) -> Token {
        guard let v = vectors[word] else { throw InputError(path: "", reason: "the word \"\(word)\" is not in the embedding table") }
        return v
    }
}

extension StringProtocol {
    func trimmingWhiteSpace() -> String {
        var s = Substring(self)
        while let f = s.first, f.isWhitespace { s.removeFirst() }
        while let l = s.last, l.isWhitespace { s.removeLast() }
        return String(s)
    }
}

/// The four tasks of `from-text` (docs/text.md#tasks).
public enum TextTask: String, CaseIterable, Sendable {
    case nextToken = "next-token"
    case nextTokenDistribution = "next-token-distribution"
    case causal
    case classification
}

/// Which positions of a sentence give a next-token pair.
public enum TextPositions: String, CaseIterable, Sendable {
    /// Every word after the first is a target (one pair per position).
    case every
    /// Only the last word of each sentence (one pair per sentence).
    case last
}

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
