import Certification
import Constructions
import DatasetGeneration
import ExactArithmetic
import TrainingBounds
import TransformerModel

/// Issue 6: Theorem 1.6 — softmax construction (with its τ₀ search) and the enclosure certificate,
/// beside the hardmax construct + verify time on the same dataset, both layouts. The datasets are
/// those of the construction benchmark (same seeds, distinct tokens).
let softmaxBenchmark = Benchmark(
    name: "softmax",
    summary: "Theorem 1.6 construct (incl. τ₀ search) + enclosure certificate vs hardmax construct + verify, (N, n, d) = (50, 20, 8)"
) { options in
    let shapes: [(n: Int, len: Int, d: Int)] = options.quick ? [(10, 10, 4)] : [(10, 10, 4), (50, 20, 8)]
    var runs: [JSONValue] = []
    for shape in shapes {
        var generator = DatasetGenerator(seed: UInt64(shape.n * 1000 + shape.len))
        let dataset = generator.dataset(pairs: shape.n, dimension: shape.d, lengths: shape.len...shape.len)
        for layout in HardmaxConstruction.Layout.allCases {
            progress("  softmax (\(shape.n), \(shape.len), \(shape.d)) \(layout.rawValue)")
            runs.append(measureSoftmax(dataset, layout: layout, shape: shape))
        }
    }
    return .object([("runs", .array(runs))])
}

private func measureSoftmax(_ dataset: Dataset, layout: HardmaxConstruction.Layout, shape: (n: Int, len: Int, d: Int)) -> JSONValue {
    var record: [(key: String, value: JSONValue)] = [
        ("N", jsonNumber(shape.n)), ("n", jsonNumber(shape.len)), ("d", jsonNumber(shape.d)),
        ("layout", .string(layout.rawValue)),
    ]
    do {
        let problem = try InterpolationProblem(dataset)
        let hardmax = try timed { try HardmaxConstruction.build(problem, digest: dataset.digest, layout: layout) }
        let verified = try timed { try certify(model: hardmax.value.model, dataset: dataset) }
        let softmax = try timed {
            try SoftmaxConstruction.build(problem, pairs: dataset.pairs, digest: dataset.digest, layout: layout)
        }
        let certified = try timed { try certify(model: softmax.value.model, dataset: dataset) }
        let result = softmax.value
        let tau = result.temperature
        record += [
            ("hardmax_construct_seconds", jsonNumber(hardmax.seconds)),
            ("hardmax_verify_seconds", jsonNumber(verified.seconds)),
            ("hardmax_verified", .bool(verified.value.holds)),
            ("hardmax_blocks", jsonNumber(hardmax.value.model.blocks.count)),
            ("softmax_construct_seconds", jsonNumber(softmax.seconds)),
            ("softmax_certify_seconds", jsonNumber(certified.seconds)),
            ("softmax_certified", .bool(certified.value.holds)),
            ("tau0", .string(tau.description)),
            ("tau0_neg_log2", jsonNumber(tau.denominatorBitLength - tau.numeratorBitLength)),
            ("tau_tries", jsonNumber(result.attempts.count)),
            ("softmax_blocks", jsonNumber(result.model.blocks.count)),
            ("layout_bound", jsonNumber(result.layoutBound.value)),
            ("paper_bound", jsonNumber(result.paperBound.value)),
            ("largest_width", jsonNumber(result.model.maximumWidth)),
            ("enclosure_events", jsonNumber(certified.value.eventCount)),
            ("hardmax_tikhonov_R", .number(hardmax.value.model.tikhonovBound.total.scientific())),
            ("softmax_tikhonov_R", .number(result.model.tikhonovBound.total.scientific())),
            ("softmax_tikhonov_R_balanced", .number(result.model.balanced().tikhonovBound.total.scientific())),
        ]
    } catch {
        record.append(("error", .string("\(error)")))
    }
    return .object(record)
}
