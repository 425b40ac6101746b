import Constructions
import DatasetGeneration
import ExactArithmetic
import TransformerModel
import Visualization

/// Issue 7: `draw` and `report` on N random pairs in ℚ² (short sequences, compact layout).
/// Separates the exact stage-by-stage evaluation (the cost `verify` also pays) from building
/// the picture and the report themselves.
let drawingBenchmark = Benchmark(
    name: "drawing",
    summary: "draw + report of a Theorem 1.4 model on N = 100 / 1000 pairs in ℚ² (evaluation vs SVG/Markdown)"
) { options in
    let sizes = options.quick ? [100] : [100, 1000]
    var runs: [JSONValue] = []
    for n in sizes {
        progress("  drawing N = \(n)")
        var generator = DatasetGenerator(seed: UInt64(7000 + n))
        let dataset = generator.dataset(pairs: n, dimension: 2, lengths: 1...3)
        var record: [(key: String, value: JSONValue)] = [("N", jsonNumber(n)), ("d", jsonNumber(2)), ("layout", .string("compact"))]
        do {
            let problem = try InterpolationProblem(dataset)
            let built = try timed { try HardmaxConstruction.build(problem, digest: dataset.digest, layout: .compact) }
            let model = built.value.model
            let traced = try timed { try StageAnalysis(model: model, dataset: dataset, problem: problem, projection: (0, 1)) }
            let drawn = timed { traced.value.picture(model: model, projection: (0, 1), datasetName: "bench").svg }
            let reported = timed {
                ConstructionReport(model: model, dataset: dataset, problem: problem, checks: traced.value.checks)
                    .markdown(modelPath: "model.json", datasetPath: "dataset.json")
            }
            record += [
                ("blocks", jsonNumber(model.blocks.count)),
                ("tokens", jsonNumber(problem.totalInputCount)),
                ("construct_seconds", jsonNumber(built.seconds)),
                ("evaluate_and_check_seconds", jsonNumber(traced.seconds)),
                ("svg_seconds", jsonNumber(drawn.seconds)),
                ("svg_bytes", jsonNumber(drawn.value.utf8.count)),
                ("report_seconds", jsonNumber(reported.seconds)),
                ("checks_pass", .bool(!traced.value.checks.contains { $0.outcome == .failed })),
            ]
        } catch {
            record.append(("error", .string("\(error)")))
        }
        runs.append(.object(record))
    }
    return .object([("runs", .array(runs))])
}
