// exact-interp-bench: `make bench` runs every registered benchmark once and writes one JSON file.
// Benchmarks are measurements, never tests: nothing here fails on a timing.
import Foundation
import TransformerModel

/// Every benchmark, in the order they run and appear in the results file.
/// Each lives in its own file of this directory; add new ones here.
let registry: [Benchmark] = [
    constructionBenchmark, textBenchmark,
    dotProductBenchmark, gmpSelfCheck,
    evaluatorBenchmark, float64Benchmark,
    drawingBenchmark,
    softmaxBenchmark,
    causalBenchmark,
    corpusBenchmark,
]

// A child of the corpus benchmark: one size of one corpus, in its own process (CorpusBenchmark.swift).
let arguments = Array(CommandLine.arguments.dropFirst())
if arguments.first == "--corpus-child" {
    guard arguments.count == 4, let bytes = Int(arguments[2]) else {
        progress("usage: exact-interp-bench --corpus-child TEXT BYTES OUTPUT")
        exit(64)
    }
    exit(corpusChild(textPath: arguments[1], bytes: bytes, output: arguments[3]))
}

let options = BenchOptions.parse(CommandLine.arguments.dropFirst())
if options.list {
    for benchmark in registry { print("\(benchmark.name)\t\(benchmark.summary)") }
    exit(0)
}
var results: [(key: String, value: JSONValue)] = [
    ("machine", .object([
        ("cores", .number(String(ProcessInfo.processInfo.activeProcessorCount))),
        ("os", .string(ProcessInfo.processInfo.operatingSystemVersionString)),
    ])),
    ("quick", .bool(options.quick)),
]
for benchmark in registry where options.only.isEmpty || options.only.contains(benchmark.name) {
    progress("bench: \(benchmark.name) …")
    let started = Date()
    let record = benchmark.run(options)
    progress(String(format: "bench: %@ done in %.1f s", benchmark.name, Date().timeIntervalSince(started)))
    results.append((benchmark.name, record))
}
let text = JSONValue.object(results).rendered()
if let path = options.output {
    guard FileManager.default.createFile(atPath: path, contents: Data(text.utf8)) else {
        progress("error: cannot write \(path)")
        exit(2)
    }
    progress("bench: results written to \(path)")
} else {
    print(text, terminator: "")
}
