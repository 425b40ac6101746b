import ExactArithmetic
import Foundation
import TextDatasets
import TransformerModel

/// Next-word causal datasets from the licence texts of /usr/share/common-licenses, for the causal
/// tests and the causal benchmark (the real-text command `from-text --task causal` is a separate
/// feature; this is a small deterministic stand-in, mirrored by `tools/next_word_testdata.py`).
///
/// Sentences end at . ; : ! ?; words are lower-case runs of [a-z0-9]; a word is embedded as the
/// integer vector of its 64-bit FNV-1a hash, byte c modulo `modulus` for coordinate c. A sentence
/// w_1 … w_n (n ≥ 2) gives input e(w_1) … e(w_{n−1}) and targets e(w_2) … e(w_n). Sentences that
/// would make the dataset inconsistent (a prefix with two targets, or the constant-prefix rule of
/// `CausalProblem`) are dropped. Stops once `maximumPositions` positions are reached.
public enum NextWordData {
    public static func embedding(_ word: String, dimension d: Int, modulus: UInt64) -> Token {
        let h = WordEmbedding.fnv1a(word)
        return (0..<d).map { c in Rational(Int((h >> (UInt64(c % 8) * 8)) % modulus) + c / 8) }
    }

    public static func dataset(files: [String], dimension d: Int, modulus: UInt64 = 16, maximumPositions: Int) -> Dataset {
        var pairs: [SequencePair] = []
        var targetOf: [[Token]: Token] = [:]
        var constantTarget: [Token: Token] = [:]
        var positions = 0
        for file in files {
            guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { continue }
            for sentence in text.lowercased().split(whereSeparator: { ".;:!?".contains($0) }) {
                let words = sentence.split(whereSeparator: { !(("a"..."z").contains($0) || ("0"..."9").contains($0)) })
                guard words.count >= 2 else { continue }
                let e = words.map { embedding(String($0), dimension: d, modulus: modulus) }
                let input = Array(e.dropLast()), output = Array(e.dropFirst())
                var fresh: [[Token]: Token] = [:]
                var ok = true
                for i in input.indices {
                    let prefix = Array(input[...i])
                    if let t = targetOf[prefix] ?? fresh[prefix], t != output[i] { ok = false; break }
                    fresh[prefix] = output[i]
                }
                var run = 0
                var constant = constantTarget[input[0]]
                while ok && run < input.count && input[run] == input[0] {
                    if let t = constant, t != output[run] { ok = false }
                    constant = constant ?? output[run]
                    run += 1
                }
                guard ok else { continue }
                targetOf.merge(fresh) { a, _ in a }
                constantTarget[input[0]] = constant
                pairs.append(SequencePair(input: input, output: output))
                positions += input.count
                if positions >= maximumPositions {
                    return Dataset(name: "next-word", dimension: d, pairs: pairs, causal: true)
                }
            }
        }
        return Dataset(name: "next-word", dimension: d, pairs: pairs, causal: true)
    }

    public static func licence(_ name: String) -> String { "/usr/share/common-licenses/" + name }
}
