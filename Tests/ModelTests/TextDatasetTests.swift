import ExactArithmetic
import Testing
import TextDatasets
import TransformerModel

/// `from-text` building blocks (docs/text.md): splitting rules, the hashed embedding, tables, tasks.
@Suite struct TextDatasetTests {
    @Test func splittingRules() {
        let s = TextSplitter.sentences("The GNU GPL, v3. Don't stop!Now\nhere?  e.g. 1.5 apples\n \nNew para")
        #expect(s == [["the", "gnu", "gpl", "v3"], ["don", "t", "stop", "now", "here"], ["e", "g"],
                      ["1", "5", "apples"], ["new", "para"]])
        #expect(TextSplitter.sentences("...  !? ").isEmpty)
        #expect(TextSplitter.words("A b. C") == ["a", "b", "c"])
    }

    @Test func fnvMatchesTheReferenceValues() {
        // FNV-1a 64: "" → offset basis, "a" → 0xaf63dc4c8601ec8c (published test vectors).
        #expect(WordEmbedding.fnv1a("") == 0xcbf2_9ce4_8422_2325)
        #expect(WordEmbedding.fnv1a("a") == 0xaf63_dc4c_8601_ec8c)
    }

    /// Randomized: the hashed embedding is injective, in range, and the same for every vocabulary
    /// order; collisions are forced with a tiny range (d = 2, R = 3: 49 points for 24 words).
    @Test func hashedEmbeddingIsInjectiveAndDeterministic() throws {
        var rng = SplitMix64(seed: 16)
        for iteration in 0..<50 {
            let count = Int.random(in: 1...24, using: &rng)
            let words = (0..<count).map { _ in String((0..<Int.random(in: 1...5, using: &rng)).map { _ in "abcdef".randomElement(using: &rng) ?? "a" }) }
            let e1 = try WordEmbedding.hashed(words: words, dimension: 2, range: 3)
            let e2 = try WordEmbedding.hashed(words: words.reversed(), dimension: 2, range: 3)
            #expect(e1.vectors == e2.vectors, "iteration \(iteration): \(words)")
            #expect(Set(e1.vectors.values).count == e1.vectors.count, "iteration \(iteration): not injective for \(words)")
            #expect(e1.vectors.values.allSatisfy { $0.allSatisfy { $0.isInteger && $0 >= Rational(-3) && $0 <= Rational(3) } })
        }
    }

    @Test func tableErrorsNameThePlace() {
        let cases: [(String, Bool, String)] = [
            ("a,1,2\nb,1,2\n", false, #"line 2: "b" has the same vector as "a" (an embedding must be injective)"#),
            ("a,1\n", false, "line 1: expected a word and 2 coordinates, found 2 fields"),
            ("a,1,x\n", false, #"line 1, coordinate 1: "x" is not a rational number: expected digits"#),
            (#"{"a": [1, 2], "A": [2, 1]}"#, true, #"A: a second vector for the word "a""#),
            (#"{"a": [1]}"#, true, "a: token has 1 coordinate, the dataset's dimension is 2"),
        ]
        for (text, json, message) in cases {
            #expect(throws: InputError.self) { try WordEmbedding.table(Array(text.utf8), dimension: 2, json: json) }
            do { _ = try WordEmbedding.table(Array(text.utf8), dimension: 2, json: json) } catch {
                #expect(error.description == message)
            }
        }
    }

    /// Every next-token dataset parses as a dataset (Assumption 1.3 via InterpolationProblem), and
    /// contradicting contexts are gone: cross-checked against a direct count of the contexts.
    @Test func nextTokenDatasetsAreValid() throws {
        let text = "a b c. a b d. b a c. c a b e. a c. d e f g. a b c."
        let sentences = TextSplitter.sentences(text)
        for context in [nil, 1, 2] {
            let built = try TextDatasetBuilder(task: .nextToken, dimension: 3, context: context).build(sentences: sentences)
            let data = try Dataset(json: built.json)
            _ = try InterpolationProblem(data)
            #expect(data.pairs.count == built.pairs)
            #expect(data.pairs.allSatisfy { $0.output.count == 1 })
        }
        let dist = try TextDatasetBuilder(task: .nextTokenDistribution, dimension: 3).build(sentences: sentences)
        let data = try Dataset(json: dist.json)
        for p in data.pairs {
            #expect(p.output[0].reduce(Rational.zero, +) == Rational.one)
        }
        // {a, b} is followed by c, d and c: the distribution over (a, b, other) is (0, 0, 1) and
        // the next-token task drops that context.
        let causal = try TextDatasetBuilder(task: .causal, dimension: 3).build(sentences: sentences)
        guard case .array(let pairs)? = causal.json["pairs"] else { Issue.record("no pairs"); return }
        for p in pairs {
            guard case .array(let i)? = p["input"], case .array(let o)? = p["output"] else { Issue.record("shape"); return }
            #expect(i.count == o.count)
        }
        #expect(causal.dropped == 2)   // "a b d" and "a c" contradict "a b c" at the prefixes "a b" and "a"
    }
}
