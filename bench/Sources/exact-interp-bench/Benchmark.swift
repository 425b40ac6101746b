import Foundation
import TransformerModel

/// One named measurement of `make bench`; `run` returns its JSON record.
struct Benchmark: Sendable {
    let name: String
    let summary: String
    let run: @Sendable (BenchOptions) -> JSONValue
}

/// Command-line options of exact-interp-bench.
struct BenchOptions: Sendable {
    /// `--quick`: smaller sizes, for a smoke run.
    var quick = false
    /// `--only NAME` (repeatable): run just these benchmarks.
    var only: Set<String> = []
    /// `--output FILE`: where the JSON goes (standard output otherwise).
    var output: String?
    /// `--list`: print the registered benchmarks and exit.
    var list = false

    static func parse<S: Sequence>(_ arguments: S) -> BenchOptions where S.Element == String {
        var options = BenchOptions()
        var iterator = arguments.makeIterator()
        while let argument = iterator.next() {
            switch argument {
            case "--quick": options.quick = true
            case "--list": options.list = true
            case "--only": if let name = iterator.next() { options.only.insert(name) }
            case "--output": options.output = iterator.next()
            case "--help", "-h":
                print("usage: exact-interp-bench [--quick] [--only NAME]... [--list] [--output FILE]")
                exit(0)
            default:
                progress("error: unknown argument \(argument)")
                exit(64)
            }
        }
        return options
    }
}

/// Progress and diagnostics go to standard error.
func progress(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}

/// Wall-clock seconds of `body`, with its result.
func timed<T>(_ body: () throws -> T) rethrows -> (seconds: Double, value: T) {
    let start = DispatchTime.now().uptimeNanoseconds
    let value = try body()
    return (Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9, value)
}

/// A JSON number from a measured double, rounded to 4 significant digits for readability.
func jsonNumber(_ x: Double) -> JSONValue { .number(String(format: "%.4g", x)) }

/// A JSON number from an integer.
func jsonNumber(_ x: Int) -> JSONValue { .number(String(x)) }
