import Certification
import Constructions
import ExactArithmetic
import Foundation
import TransformerModel

/// Issue 13: `construct --causal` + per-position verification on next-word datasets from the licence
/// texts of /usr/share/common-licenses (≥ 1,000 positions, d ≥ 2). Reports blocks, width and
/// parameters against Σn (the number of positions = the number of outputs) and the times.
let causalBenchmark = Benchmark(
    name: "causal",
    summary: "construct --causal + per-position verify on next-word datasets from the licence texts (1,000 positions to every sentence of 17 texts, d = 2, 4, 8)"
) { options in
    let all = ["GPL-3", "GPL-2", "GPL-1", "LGPL-2.1", "LGPL-2", "LGPL-3", "Apache-2.0", "MPL-2.0", "MPL-1.1", "Artistic",
               "GFDL-1.3", "GFDL-1.2", "BSD", "CC0-1.0"]
    let runs: [(files: [String], d: Int, positions: Int)] = options.quick
        ? [(["GPL-3"], 2, 1_000)]
        : [(["GPL-3"], 2, 1_000), (["GPL-3"], 4, 1_000), (["GPL-3"], 8, 1_000),
           (["GPL-3", "GPL-2"], 2, 4_000), (all, 2, 1_000_000), (all, 4, 1_000_000), (all, 8, 1_000_000)]
    var records: [JSONValue] = []
    for run in runs {
        let data = NextWordData.dataset(files: run.files.map { "/usr/share/common-licenses/" + $0 }, dimension: run.d,
                                        maximumPositions: run.positions)
        progress("  causal \(run.files.joined(separator: "+")) d = \(run.d): \(data.totalInputLength) positions")
        var record: [(key: String, value: JSONValue)] = [
            ("texts", .string(run.files.joined(separator: "+"))), ("d", jsonNumber(run.d)),
            ("N", jsonNumber(data.pairs.count)), ("positions", jsonNumber(data.totalInputLength)),
        ]
        do {
            let problem = try CausalProblem(data)
            let built = try timed { try CausalConstruction.build(problem, digest: data.digest) }
            let checked = try timed { try certifyCausal(model: built.value.model, dataset: data) }
            let model = built.value.model
            let counts = model.parameterCount
            let bits = model.largestBitLengths
            let tokens = Set(data.pairs.flatMap(\.input)).count
            record += [
                ("distinct_prefixes", jsonNumber(problem.distinctPrefixCount)), ("distinct_tokens", jsonNumber(tokens)),
                ("construct_seconds", jsonNumber(built.seconds)), ("verify_seconds", jsonNumber(checked.seconds)),
                ("verified", .bool(checked.value.holds)),
                ("context_blocks", jsonNumber(built.value.contextBlocks)), ("blocks", jsonNumber(model.blocks.count)),
                ("largest_width", jsonNumber(model.maximumWidth)),
                ("parameters_structured", jsonNumber(counts.structured)), ("parameters_dense", jsonNumber(counts.dense)),
                ("structured_per_position", jsonNumber(Double(counts.structured) / Double(max(1, data.totalInputLength)))),
                ("numerator_bits", jsonNumber(bits.numerator)), ("denominator_bits", jsonNumber(bits.denominator)),
            ]
        } catch {
            record.append(("error", .string("\(error)")))
        }
        records.append(.object(record))
    }
    return .object([("runs", .array(records))])
}

/// Next-word causal datasets from the licence texts (a copy of Tests/ConstructionTests/NextWordData.swift,
/// mirrored in Python by tools/next_word_testdata.py; the real-text command is a separate feature).
///
/// Sentences end at . ; : ! ?; words are lower-case runs of [a-z0-9]; a word is embedded as the
/// integer vector of its 64-bit FNV-1a hash, byte c modulo `modulus` for coordinate c. A sentence
/// w_1 … w_n (n ≥ 2) gives input e(w_1) … e(w_{n−1}) and targets e(w_2) … e(w_n). Sentences that
/// would make the dataset inconsistent (a prefix with two targets, or the constant-prefix rule of
/// `CausalProblem`) are dropped. Stops once `maximumPositions` positions are reached.
enum NextWordData {
    static func embedding(_ word: String, dimension d: Int, modulus: UInt64) -> Token {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in word.utf8 { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01b3 }
        return (0..<d).map { c in Rational(Int((h >> (UInt64(c % 8) * 8)) % modulus) + c / 8) }
    }

    static func dataset(files: [String], dimension d: Int, modulus: UInt64 = 16, maximumPositions: Int) -> Dataset {
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

    static func licence(_ name: String) -> String { "/usr/share/common-licenses/" + name }
}
