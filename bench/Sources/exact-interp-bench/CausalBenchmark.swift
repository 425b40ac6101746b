import Certification
import Constructions
import DatasetGeneration
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
