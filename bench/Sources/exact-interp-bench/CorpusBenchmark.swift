import Certification
import Constructions
import Evaluation
import ExactArithmetic
import Foundation
import TextDatasets
import TransformerModel
#if canImport(Glibc)
import Glibc
#endif

/// Issue 23, items 3 and 5: growth to corpus scale. The Debian copyright texts
/// (`cat /usr/share/doc/*/copyright`) and changelogs (`zcat /usr/share/doc/*/changelog.Debian.gz`),
/// paths in byte order, each cut to its first 1/8, 1/4, 1/2 and all of its bytes, go through what
/// `from-text --dimension 8 --positions last` then `construct --layout compact` do: build the
/// dataset, construct, render the model file's text, parse it back, check it reads back equal, and
/// certify the parsed model; then `Evaluator<Double>.evaluateAll` beside `Evaluator<Rational>` on
/// a sample of the pairs (the float64 path against exact evaluation). Each size runs in a child process (this binary, `--corpus-child`) so that its CPU time and
/// peak RSS are its own (`wait4`). The record per corpus fits the CPU-time exponent: the
/// least-squares slope of log CPU against log Σn (and against log N) over the four sizes.
let corpusBenchmark = Benchmark(
    name: "corpus",
    summary: "copyright and changelog texts at 1/8, 1/4, 1/2, all: from-text + construct --layout compact + check; CPU, RSS, growth exponent"
) { options in
    let corpora: [(name: String, command: String)] = [
        ("copyright", "cat /usr/share/doc/*/copyright"),
        ("changelog", "zcat /usr/share/doc/*/changelog.Debian.gz"),
    ]
    let fractions = options.quick ? [16, 8] : [8, 4, 2, 1]
    var records: [(key: String, value: JSONValue)] = []
    for corpus in corpora {
        let path = NSTemporaryDirectory() + "exact-interp-bench-\(corpus.name)-\(getpid()).txt"
        defer { try? FileManager.default.removeItem(atPath: path) }
        // LC_ALL=C: the shell's glob lists the paths in byte order, the same on every machine.
        _ = run(["/bin/sh", "-c", "LC_ALL=C; export LC_ALL; \(corpus.command) > '\(path)' 2>/dev/null"])
        guard let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? nil, size > 0 else {
            records.append((corpus.name, .object([("skipped", .string("`\(corpus.command)` gave no text"))])))
            continue
        }
        var sizes: [JSONValue] = []
        var points: [(tokens: Double, pairs: Double, cpu: Double)] = []
        for k in fractions {
            let bytes = size / k
            progress("  corpus \(corpus.name) 1/\(k): \(bytes) bytes")
            let out = path + ".\(k).json"
            defer { try? FileManager.default.removeItem(atPath: out) }
            let child = run([Bundle.main.executablePath ?? CommandLine.arguments[0], "--corpus-child", path, String(bytes), out])
            guard child.status == 0, let data = FileManager.default.contents(atPath: out),
                  case .object(var fields)? = try? JSONParser.parse(Array(data)) else {
                sizes.append(.object([("fraction", .string("1/\(k)")), ("bytes", jsonNumber(bytes)),
                                      ("error", .string("child exited with status \(child.status)"))]))
                continue
            }
            fields.insert(contentsOf: [("fraction", .string("1/\(k)")), ("bytes", jsonNumber(bytes))], at: 0)
            fields += [("cpu_seconds", jsonNumber(child.cpu)), ("wall_seconds", jsonNumber(child.wall)),
                       ("max_rss_mb", jsonNumber(child.maxRSSKilobytes / 1024))]
            if let n = number(fields, "sum_n"), let pairs = number(fields, "N"), verified(fields) {
                points.append((n, pairs, child.cpu))
            }
            progress(String(format: "  corpus %@ 1/%d: %.1f s CPU, %.1f s wall, %d MB", corpus.name, k, child.cpu, child.wall,
                            child.maxRSSKilobytes / 1024))
            sizes.append(.object(fields))
        }
        var record: [(key: String, value: JSONValue)] = [("command", .string(corpus.command)), ("total_bytes", jsonNumber(size)),
                                                         ("sizes", .array(sizes))]
        if points.count >= 2 {
            record.append(("cpu_exponent_vs_sum_n", jsonNumber(slope(points.map { ($0.tokens, $0.cpu) }))))
            record.append(("cpu_exponent_vs_pairs", jsonNumber(slope(points.map { ($0.pairs, $0.cpu) }))))
        }
        records.append((corpus.name, .object(record)))
    }
    return .object(records)
}

/// The child of the corpus benchmark: the first `bytes` bytes of `textPath`, as `from-text` and
/// `construct --layout compact` would treat them; writes its record (JSON) to `output`.
func corpusChild(textPath: String, bytes: Int, output: String) -> Int32 {
    guard let file = FileManager.default.contents(atPath: textPath) else { return 2 }
    let text = String(decoding: file.prefix(bytes), as: UTF8.self)
    var record: [(key: String, value: JSONValue)] = []
    do {
        let dataset = try timed { () throws -> Dataset in
            let builder = TextDatasetBuilder(task: .nextToken, dimension: 8, positions: .last, name: "corpus")
            return try Dataset(json: try builder.build(sentences: TextSplitter.sentences(text)).json).sharingEqualTokens()
        }
        let data = dataset.value
        let problem = try InterpolationProblem(data)
        let built = try timed { try HardmaxConstruction.build(problem, digest: data.digest, layout: .compact) }
        let model = built.value.model
        let rendered = timed { model.fileText }
        let parsed = try timed { try Transformer.parse(Array(rendered.value.utf8)) }
        let checked = try timed { try certify(model: parsed.value, dataset: data) }
        // The float64 path against exact evaluation on the same pairs: a sample of at most
        // `float64Sample` pairs (every k-th), since the float64 path visits every active neuron of
        // a layer one by one (docs/benchmarks.md#float64-path) and its cost on these wide layers
        // grows like tokens × width.
        let stride = max(1, data.pairs.count / float64Sample)
        let sample = Swift.stride(from: 0, to: data.pairs.count, by: stride).map { data.pairs[$0].input }
        let float = try Evaluator<Double>(model)
        let exact = try Evaluator<Rational>(model)
        let floatInputs = sample.map { $0.map { $0.map(\.doubleValue) } }
        let floatRun = try timed { try float.evaluateAll(floatInputs) }
        let exactRun = try timed { try exact.evaluateAll(sample) }
        let holds = parsed.value == model && checked.value.holds
        record += [
            ("N", jsonNumber(problem.count)), ("sum_n", jsonNumber(problem.totalInputCount)),
            ("dataset_seconds", jsonNumber(dataset.seconds)),
            ("construct_seconds", jsonNumber(built.seconds)),
            ("render_seconds", jsonNumber(rendered.seconds)), ("model_bytes", jsonNumber(rendered.value.utf8.count)),
            ("parse_seconds", jsonNumber(parsed.seconds)), ("verify_seconds", jsonNumber(checked.seconds)),
            ("verified", .bool(holds)),
            ("blocks", jsonNumber(model.blocks.count)), ("largest_width", jsonNumber(model.maximumWidth)),
            ("numerator_bits", jsonNumber(model.largestBitLengths.numerator)),
            ("denominator_bits", jsonNumber(model.largestBitLengths.denominator)),
            ("float64_sample_pairs", jsonNumber(sample.count)),
            ("float64_seconds", jsonNumber(floatRun.seconds)), ("exact_sample_seconds", jsonNumber(exactRun.seconds)),
            ("float64_over_exact", jsonNumber(floatRun.seconds / max(exactRun.seconds, 1e-9))),
        ]
    } catch {
        record.append(("error", .string("\(error)")))
    }
    return FileManager.default.createFile(atPath: output, contents: Data(JSONValue.object(record).rendered().utf8)) ? 0 : 2
}

/// Pairs of the float64 comparison per size (every k-th pair of the dataset).
let float64Sample = 1000

/// Whether a record says `"verified": true`.
private func verified(_ fields: [(key: String, value: JSONValue)]) -> Bool {
    fields.contains { field in
        if field.key == "verified", case .bool(true) = field.value { return true }
        return false
    }
}

/// A numeric field of a record.
private func number(_ fields: [(key: String, value: JSONValue)], _ key: String) -> Double? {
    guard let value = fields.first(where: { $0.key == key })?.value, case .number(let text) = value else { return nil }
    return Double(text)
}

/// Least-squares slope of log y against log x.
private func slope(_ points: [(Double, Double)]) -> Double {
    let xs = points.map { log($0.0) }, ys = points.map { log($0.1) }
    let mx = xs.reduce(0, +) / Double(xs.count), my = ys.reduce(0, +) / Double(ys.count)
    var sxy = 0.0, sxx = 0.0
    for (x, y) in zip(xs, ys) { sxy += (x - mx) * (y - my); sxx += (x - mx) * (x - mx) }
    return sxx > 0 ? sxy / sxx : .nan
}

/// Runs `arguments` (the first is the program) and waits: exit status, wall seconds, the child's
/// CPU seconds (user + system) and peak resident set size in kilobytes, from `wait4`.
private func run(_ arguments: [String]) -> (status: Int32, wall: Double, cpu: Double, maxRSSKilobytes: Int) {
    let start = DispatchTime.now().uptimeNanoseconds
    var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
    defer { for p in argv { free(p) } }
    var pid: pid_t = 0
    guard posix_spawn(&pid, arguments[0], nil, nil, &argv, environ) == 0 else { return (127, 0, 0, 0) }
    var status: Int32 = 0
    var usage = rusage()
    while wait4(pid, &status, 0, &usage) < 0 && errno == EINTR {}
    let wall = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    let cpu = Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
        + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
    let exited = (status & 0x7f) == 0
    return (exited ? (status >> 8) & 0xff : 128 + (status & 0x7f), wall, cpu, Int(usage.ru_maxrss))
}
