import ExactArithmetic
import TransformerModel

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
