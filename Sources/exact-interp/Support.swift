import ArgumentParser
import ExactArithmetic
import Foundation
import TransformerModel

/// Exit codes documented in `--help` and docs/cli.md.
enum Exit {
    static let propertyFailed = ExitCode(1)
    static let invalidInput = ExitCode(2)
    static let internalError = ExitCode(70)
}

/// Prints to standard error (diagnostics and progress never go to standard output).
func printError(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}

/// Reads a whole file, or exits 2 with a message naming it.
func readFile(_ path: String) throws -> [UInt8] {
    guard let data = FileManager.default.contents(atPath: path) else {
        printError("error: cannot read \(path)")
        throw Exit.invalidInput
    }
    return [UInt8](data)
}

/// Writes a whole file, or exits 2.
func writeFile(_ path: String, _ text: String) throws {
    guard FileManager.default.createFile(atPath: path, contents: Data(text.utf8)) else {
        printError("error: cannot write \(path)")
        throw Exit.invalidInput
    }
}

/// Loads and parses a dataset, exiting 2 with the reader's message on any problem.
func loadDataset(_ path: String) throws -> Dataset {
    do {
        return try Dataset.parse(readFile(path))
    } catch let error as InputError {
        printError("error: \(path): \(error)")
        throw Exit.invalidInput
    }
}

/// Loads and parses a model file, exiting 2 with the reader's message on any problem.
func loadModel(_ path: String) throws -> Transformer {
    do {
        return try Transformer.parse(readFile(path))
    } catch let error as InputError {
        printError("error: \(path): \(error)")
        throw Exit.invalidInput
    }
}

/// Checks that a model and a dataset share their dimension.
func requireSameDimension(_ model: Transformer, _ dataset: Dataset) throws {
    guard model.dimension == dataset.dimension else {
        printError("error: the model acts on ℚ^\(model.dimension) but the dataset's dimension is \(dataset.dimension)")
        throw Exit.invalidInput
    }
}

/// Parses a rational command-line value.
func parseRational(_ text: String, option: String) throws -> Rational {
    do { return try Rational(parsing: text) } catch {
        printError("error: \(option): \(error)")
        throw Exit.invalidInput
    }
}

/// Parses a command-line value that must be a positive rational (temperatures, radii).
func parsePositiveRational(_ text: String, option: String) throws -> Rational {
    let value = try parseRational(text, option: option)
    guard value > .zero else {
        printError("error: \(option) must be positive")
        throw Exit.invalidInput
    }
    return value
}

/// "[1, 1/2]".
func show(_ token: [Rational]) -> String { "[" + token.map(\.description).joined(separator: ", ") + "]" }

/// Tokens for a failure line: sorted, at most five, then "… (k more)"; "none" when empty.
func tokenList(_ tokens: [[Rational]]) -> String {
    let shown = tokens.map(show).sorted()
    if shown.isEmpty { return "none" }
    return shown.prefix(5).joined(separator: " ") + (shown.count > 5 ? " … (\(shown.count - 5) more)" : "")
}

/// "1 pair", "3 pairs".
func pairCount(_ n: Int) -> String { n == 1 ? "1 pair" : "\(n) pairs" }

/// Progress for long exact verifications: "[elapsed] verified k of N pairs" on stderr at every
/// tenth of the pairs, or nil when the run is short (under about 2·10⁷ token·blocks, a second or
/// so), so that small runs stay quiet.
func verificationProgress(_ model: Transformer, _ data: Dataset, quiet: Bool) -> (@Sendable (Int, Int) -> Void)? {
    let tokens = data.pairs.reduce(0) { $0 + $1.input.count }
    guard !quiet, model.blocks.count.multipliedReportingOverflow(by: tokens).partialValue > 20_000_000 else { return nil }
    let started = DispatchTime.now()
    printError("[\(elapsed(since: started))] verifying \(data.pairs.count) pairs through \(model.blocks.count) blocks (\(tokens) tokens)")
    return { done, total in
        let step = max(1, total / 10)
        if done % step == 0 || done == total {
            printError("[\(elapsed(since: started))] verified \(done) of \(total) pairs")
        }
    }
}

/// Loads a dataset to check against `model`: a labelled dataset gets the label embedding the model
/// records (docs/mathematics.md#classification); exits 2 when the model has none or lacks a label.
func loadDataset(_ path: String, for model: Transformer) throws -> Dataset {
    let data = try loadDataset(path)
    guard data.isLabelled else { return data }
    guard let labels = model.labels else {
        printError("error: \(path) is labelled, but the model records no label embedding (build it with `exact-interp construct` on the labelled dataset)")
        throw Exit.invalidInput
    }
    do { return try data.embedded(labels) } catch {
        printError("error: \(path): \(error)")
        throw Exit.invalidInput
    }
}
