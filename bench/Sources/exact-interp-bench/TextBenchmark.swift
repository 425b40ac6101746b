import Certification
import Constructions
import DatasetGeneration
import ExactArithmetic
import Foundation
import TextDatasets
import TransformerModel

/// Issue 16: real text. Next-word datasets built like `exact-interp from-text --positions last
/// --dimension 8` from /usr/share/common-licenses (every file, and GPL-3 alone), constructed and
/// verified in memory; the pooled (1000, 64, 8) compact run; the two-head separation blocks; and the
/// softmax certificate of GPL-3 beside its hardmax verification.
/// Each record carries the figures measured before the many-sequence separation (`before`).
let textBenchmark = Benchmark(
    name: "text",
    summary: "Theorem 1.4 on next-word datasets from the licence texts (d = 8) and pooled (1000, 64, 8): time, blocks, bits; 1 and 2 heads"
) { options in
    let directory = "/usr/share/common-licenses"
    let files = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).sorted()
    func sentences(_ names: [String]) -> [[String]] {
        names.flatMap { name -> [[String]] in
            guard let data = FileManager.default.contents(atPath: directory + "/" + name) else { return [] }
            return TextSplitter.sentences(String(decoding: data, as: UTF8.self))
        }
    }
    func textDataset(_ names: [String], label: String) -> Dataset? {
        let builder = TextDatasetBuilder(task: .nextToken, dimension: 8, positions: .last, name: label)
        guard let built = try? builder.build(sentences: sentences(names)) else { return nil }
        return try? Dataset(json: built.json)
    }
    var runs: [JSONValue] = []
    var cases: [(label: String, data: Dataset?, layout: HardmaxConstruction.Layout, heads: Int, before: String)] = []
    let gpl3 = textDataset(["GPL-3"], label: "GPL-3")
    cases.append(("GPL-3, last word per sentence", gpl3, .compact, 1,
                  "37 separation blocks (208 sentences)"))
    cases.append(("GPL-3, last word per sentence", gpl3, .narrow, 1, "16.5 s, 113 separation blocks (208 sentences)"))
    if !options.quick {
        let all = textDataset(files, label: "licences")
        cases.append(("all licences, last word per sentence", all, .compact, 1,
                      "190 s construct + verify, 188 separation blocks, 228 bits (1,033 sentences)"))
        cases.append(("all licences, last word per sentence", all, .compact, 2, "—"))
        var generator = DatasetGenerator(seed: UInt64(1000 * 1000 + 64))
        let pooled = generator.dataset(pairs: 1000, dimension: 8, lengths: 64...64, pool: 2000)
        cases.append(("pooled (1000, 64, 8), pool 2000", pooled, .compact, 1, "318 s with verification, 202 separation blocks"))
        cases.append(("pooled (1000, 64, 8), pool 2000", pooled, .compact, 2, "—"))
    }
    var generator = DatasetGenerator(seed: UInt64(200 * 1000 + 32))
    let pooled200 = generator.dataset(pairs: 200, dimension: 8, lengths: 32...32, pool: 400)
    cases.append(("pooled (200, 32, 8), pool 400", pooled200, .compact, 1, "1.28 s, 36 separation blocks"))
    cases.append(("pooled (200, 32, 8), pool 400", pooled200, .compact, 2, "—"))
    for c in cases {
        var record: [(key: String, value: JSONValue)] = [
            ("dataset", .string(c.label)), ("layout", .string(c.layout.rawValue)), ("heads", jsonNumber(c.heads)),
            ("before", .string(c.before)),
        ]
        guard let data = c.data else {
            record.append(("skipped", .string("\(directory) not readable")))
            runs.append(.object(record))
            continue
        }
        progress("  text \(c.label) \(c.layout.rawValue), \(c.heads) head(s)")
        do {
            let problem = try InterpolationProblem(data)
            let built = try timed {
                try HardmaxConstruction.build(problem, digest: data.digest, layout: c.layout, separationHeads: c.heads)
            }
            let checked = try timed { try certify(model: built.value.model, dataset: data) }
            let model = built.value.model
            let separation = built.value.stages.first { $0.stage == .separation }
            record += [
                ("N", jsonNumber(problem.count)), ("sum_n", jsonNumber(problem.totalInputCount)),
                ("construct_seconds", jsonNumber(built.seconds)), ("verify_seconds", jsonNumber(checked.seconds)),
                ("total_seconds", jsonNumber(built.seconds + checked.seconds)),
                ("verified", .bool(checked.value.holds)),
                ("separation_blocks", jsonNumber(separation?.blocks ?? 0)),
                ("blocks", jsonNumber(model.blocks.count)),
                ("largest_width", jsonNumber(model.maximumWidth)),
                ("numerator_bits", jsonNumber(model.largestBitLengths.numerator)),
                ("denominator_bits", jsonNumber(model.largestBitLengths.denominator)),
            ]
        } catch {
            record.append(("error", .string("\(error)")))
        }
        runs.append(.object(record))
    }
    // Theorem 1.6 on GPL-3 (compact): the softmax certificate beside hardmax verification.
    var softmaxRecord: [(key: String, value: JSONValue)] = [
        ("dataset", .string("GPL-3, last word per sentence")), ("layout", .string("compact")),
        ("before", .string("softmax verify 20.8 s CPU vs hardmax 0.14 s (150×); construct 22.4 s CPU")),
    ]
    if let data = gpl3 {
        progress("  text GPL-3 compact, softmax")
        do {
            let problem = try InterpolationProblem(data)
            let hardmax = try HardmaxConstruction.build(problem, digest: data.digest, layout: .compact)
            let verified = try timed { try certify(model: hardmax.model, dataset: data) }
            let softmax = try timed { try SoftmaxConstruction.build(problem, pairs: data.pairs, digest: data.digest, layout: .compact) }
            let certified = try timed { try certify(model: softmax.value.model, dataset: data) }
            softmaxRecord += [
                ("hardmax_verify_seconds", jsonNumber(verified.seconds)),
                ("softmax_construct_seconds", jsonNumber(softmax.seconds)),
                ("softmax_certify_seconds", jsonNumber(certified.seconds)),
                ("certify_over_verify", jsonNumber(certified.seconds / max(verified.seconds, 1e-9))),
                ("softmax_certified", .bool(certified.value.holds)),
                ("tau0", .string(softmax.value.temperature.description)),
                ("softmax_blocks", jsonNumber(softmax.value.model.blocks.count)),
            ]
        } catch {
            softmaxRecord.append(("error", .string("\(error)")))
        }
    } else {
        softmaxRecord.append(("skipped", .string("\(directory) not readable")))
    }
    return .object([("runs", .array(runs)), ("softmax", .object(softmaxRecord))])
}
