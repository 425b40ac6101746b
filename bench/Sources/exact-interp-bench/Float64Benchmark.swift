import Certification
import Constructions
import Evaluation
import ExactArithmetic
import Foundation
import TextDatasets
import TransformerModel

/// Issue 23: the float64 path against exact verification on a corpus model — the first 1 MB of
/// the Debian copyright files (/usr/share/doc/*/copyright, paths in byte order) as a next-word
/// dataset (`from-text --dimension 8 --positions last`), its compact hardmax model, then
/// `certify` (what `verify` runs) beside `Evaluator<Double>.evaluateAll` (what `eval --arithmetic
/// float64` runs), interleaved, best of three each. docs/benchmarks.md#float64-path has the CLI
/// figures (CPU seconds, files read included).
let float64Benchmark = Benchmark(
    name: "float64",
    summary: "exact verification vs float64 evaluation of a compact model of 1 MB of copyright texts (d = 8)"
) { options in
    let root = "/usr/share/doc"
    let packages = ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []).sorted()
    var bytes = Data()
    let limit = options.quick ? 200_000 : 1_000_000
    for package in packages where bytes.count < limit {
        if let data = FileManager.default.contents(atPath: root + "/" + package + "/copyright") { bytes.append(data) }
    }
    guard !bytes.isEmpty else { return .object([("skipped", .string("no \(root)/*/copyright files"))]) }
    let text = String(decoding: bytes.prefix(limit), as: UTF8.self)
    var record: [(key: String, value: JSONValue)] = [("bytes", jsonNumber(min(bytes.count, limit)))]
    do {
        let builder = TextDatasetBuilder(task: .nextToken, dimension: 8, positions: .last, name: "copyright")
        let data = try Dataset(json: try builder.build(sentences: TextSplitter.sentences(text)).json)
        let problem = try InterpolationProblem(data)
        let model = try HardmaxConstruction.build(problem, digest: data.digest, layout: .compact).model
        let floatInputs = data.pairs.map { $0.input.map { $0.map(\.doubleValue) } }
        let float = try Evaluator<Double>(model)
        var exactTimes: [Double] = [], floatTimes: [Double] = []
        var verified = false
        for _ in 0..<(options.quick ? 1 : 3) {
            let e = try timed { try certify(model: model, dataset: data) }
            let f = try timed { try float.evaluateAll(floatInputs) }
            verified = e.value.holds
            exactTimes.append(e.seconds); floatTimes.append(f.seconds)
        }
        let exactSeconds = exactTimes.min() ?? 0, floatSeconds = floatTimes.min() ?? 0
        progress(String(format: "  float64: verify %.3f s, float64 eval %.3f s, verify/float64 %.2f", exactSeconds, floatSeconds,
                        exactSeconds / max(floatSeconds, 1e-9)))
        record += [
            ("N", jsonNumber(problem.count)), ("sum_n", jsonNumber(problem.totalInputCount)),
            ("blocks", jsonNumber(model.blocks.count)), ("largest_width", jsonNumber(model.maximumWidth)),
            ("verified", .bool(verified)),
            ("verify_seconds", jsonNumber(exactSeconds)), ("float64_seconds", jsonNumber(floatSeconds)),
            ("verify_over_float64", jsonNumber(exactSeconds / max(floatSeconds, 1e-9))),
        ]
    } catch {
        record.append(("error", .string("\(error)")))
    }
    return .object(record)
}
