import ArgumentParser
import Certification
import ExactArithmetic
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Evaluation
import TransformerModel

/// Exit codes documented in `--help` and docs/cli.md.
enum Exit {
    static let propertyFailed = ExitCode(1)
    static let invalidInput = ExitCode(2)
    static let usage = ExitCode(64)
    static let internalError = ExitCode(70)
}

/// Prints to standard error (diagnostics and progress never go to standard output).
func printError(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}

/// Runs `body`; when it throws, prints "error: <context><error>" and exits with `code`. An
/// `ExitCode` thrown inside (by `readFile`, which has printed its message) passes through unchanged.
func orExit<T>(_ code: ExitCode, _ context: String = "", _ body: () throws -> T) throws -> T {
    do { return try body() } catch let exit as ExitCode { throw exit } catch {
        printError("error: \(context)\(error)")
        throw code
    }
}

/// Reads a whole file, or exits 2 with a message naming it and the system's reason (no such
/// file, is a directory, permission denied).
func readFile(_ path: String) throws -> [UInt8] {
    func fail(_ reason: String) -> ExitCode {
        printError("error: cannot read \(path): \(reason)")
        return Exit.invalidInput
    }
    let fd = path == "-" ? dup(STDIN_FILENO) : open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { throw fail(String(cString: strerror(errno))) }
    defer { close(fd) }
    var st = stat()
    guard fstat(fd, &st) == 0 else { throw fail(String(cString: strerror(errno))) }
    if (st.st_mode & S_IFMT) == S_IFDIR { throw fail(String(cString: strerror(EISDIR))) }
    var bytes: [UInt8] = []
    bytes.reserveCapacity((st.st_mode & S_IFMT) == S_IFREG ? Int(st.st_size) : 1 << 16)
    var chunk = [UInt8](repeating: 0, count: 1 << 20)
    while true {
        let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if n < 0 && errno == EINTR { continue }
        guard n >= 0 else { throw fail(String(cString: strerror(errno))) }
        if n == 0 { break }
        bytes.append(contentsOf: chunk[0..<n])
    }
    return bytes
}

/// A result line: on standard output, or on standard error when `output` is "-" (the file itself
/// goes to standard output and must not be mixed with results).
func say(_ line: String, besides output: String) {
    if output == "-" { printError(line) } else { print(line) }
}

/// Reads a regular file's dataset in 1 MB pieces (`Dataset.parse(chunks:)`), never holding the
/// whole file; nil when the file is not a regular file, cannot be read, or needs the whole-text
/// reader (`readFile`, which then reports the system's reason or the dataset's error).
func readDatasetInChunks(_ path: String) -> Dataset? {
    guard path != "-" else { return nil }
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var st = stat()
    guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { return nil }
    var failed = false
    let (dataset, _) = Dataset.parse(chunks: {
        var piece = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = piece.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n < 0 { failed = true; return [] }
            piece.removeLast(piece.count - n)
            return piece
        }
    })
    return failed ? nil : dataset
}

/// Loads and parses a dataset, exiting 2 with the reader's message on any problem. A valid
/// dataset is read in pieces (the file is never whole in memory, docs/cli.md#resource-limits);
/// anything else through the whole text, whose reader names the problem.
func loadDataset(_ path: String) throws -> Dataset {
    if let dataset = readDatasetInChunks(path) { return dataset }
    return try orExit(Exit.invalidInput, "\(path): ") { try Dataset.parse(readFile(path)) }
}

/// Loads and parses a model file, exiting 2 with the reader's message on any problem.
func loadModel(_ path: String) throws -> Transformer {
    try orExit(Exit.invalidInput, "\(path): ") { try Transformer.parse(readFile(path)) }
}

/// Checks that a model and a dataset share their dimension.
func requireSameDimension(_ model: Transformer, _ dataset: Dataset) throws {
    guard model.dimension == dataset.dimension else {
        printError("error: \(CertificationError.dimensionMismatch(model: model.dimension, dataset: dataset.dimension))")
        throw Exit.invalidInput
    }
}

/// Certification's verdict on a model file and a dataset file. Input problems (dimensions, a
/// dataset that is not the one the model was built for, no τ₀) exit 2, naming the files; with
/// `builtHere` (a model this run just built) they are a bug, exit 70.
func certifyOrExit(_ model: Transformer, _ data: Dataset, modelPath: String, datasetPath: String,
                   temperature: Rational? = nil, builtHere: Bool = false,
                   indices: [Int]? = nil, meter: WorkMeter? = nil,
                   progress: (@Sendable (Int, Int) -> Void)? = nil) throws -> CertificationReport {
    do {
        return try certify(model: model, dataset: data, temperature: temperature, indices: indices, meter: meter, progress: progress)
    } catch {
        switch error {
        case .digestMismatch(let built, let digest):
            printError("error: \(modelPath) was built for the dataset with digest \(built), but \(datasetPath) has digest \(digest): not the same dataset")
        case .missingTemperature:
            printError("error: \(modelPath): a softmax model needs a \"temperature\" (τ₀), or give one with --tau")
        default:
            printError("error: \(error)")
        }
        throw builtHere ? Exit.internalError : Exit.invalidInput
    }
}

/// A model is about one dataset: when it records a digest, every command that takes both checks
/// it (exit 2 on a mismatch: another or an edited dataset is the wrong input, not a failed property).
func requireMatchingDigest(_ model: Transformer, _ data: Dataset, modelPath: String, datasetPath: String) throws {
    if let built = model.datasetDigest, built != data.digest {
        printError("error: \(modelPath) was built for the dataset with digest \(built), but \(datasetPath) has digest \(data.digest): not the same dataset")
        throw Exit.invalidInput
    }
}

/// Loads a model and a dataset for a command that takes both: same dimension, matching digest.
func loadModelAndDataset(model: String, dataset: String) throws -> (Transformer, Dataset) {
    let transformer = try loadModel(model)
    let data = try loadDataset(dataset, for: transformer)
    try requireSameDimension(transformer, data)
    try requireMatchingDigest(transformer, data, modelPath: model, datasetPath: dataset)
    return (transformer, data)
}

/// Prints the deduplication notices: all of them with `verbose` or when there are at most
/// three, else one summary line with the count and the first three.
func printNotices(_ notices: [String], verbose: Bool) {
    if verbose || notices.count <= 3 {
        for notice in notices { printError("notice: \(notice)") }
        return
    }
    printError("notice: \(notices.count) repeated tokens or pairs treated as one (--verbose lists all); the first 3: " + notices.prefix(3).joined(separator: "; "))
}

/// Exits 2 with the resource-limit message when an exact evaluation stopped at `--max-bits`.
func requireWithinLimit<S: Scalar>(_ evaluator: Evaluator<S>) throws {
    try orExit(Exit.invalidInput) { try evaluator.checkLimit() }
}

/// `--max-bits`: the resource limit of exact evaluation, for every command that evaluates a model.
struct LimitOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Resource limit: the largest bit length of a numerator or denominator of any coordinate during exact evaluation (default \(EvaluationLimits.defaultMaximumBits)); above it the command stops with exit 2.", valueName: "bits"))
    var maxBits: Int = EvaluationLimits.defaultMaximumBits

    func validate() throws { try requirePositive(maxBits, "--max-bits") }

    /// Sets the limit for every evaluator the command makes.
    func apply() { EvaluationLimits.maximumBits = maxBits }
}

/// Parses a rational command-line value.
func parseRational(_ text: String, option: String) throws -> Rational {
    return try orExit(Exit.invalidInput, "\(option): ") { try Rational(parsing: text) }
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

/// Usage check for integer options: "--pairs must be a positive integer, found -1" (exit 64).
func requirePositive(_ value: Int, _ option: String) throws {
    guard value >= 1 else { throw ValidationError("\(option) must be a positive integer, found \(value)") }
}

/// Usage check for a float64 tolerance: finite and ≥ 0 (nan, inf and negative values are refused).
func requireTolerance(_ value: Double) throws {
    guard value.isFinite, value >= 0 else {
        throw ValidationError("--tolerance must be a finite number ≥ 0, found \(value)")
    }
}

/// Usage check for a rational option that must be positive (temperatures): exit 64 with the reason.
func requirePositiveRational(_ text: String?, _ option: String) throws {
    guard let text else { return }
    guard let value = try? Rational(parsing: text) else {
        throw ValidationError("\(option) must be a positive rational such as 1/2, found \"\(text)\"")
    }
    guard value > .zero else { throw ValidationError("\(option) must be positive, found \(text)") }
}

/// "1 pair", "3 pairs".
func pairCount(_ n: Int) -> String { n == 1 ? "1 pair" : "\(n) pairs" }

/// "1 block", "3 blocks": `n` and the noun, plural unless n = 1 (`plural` when not noun + "s").
func counted(_ n: Int, _ noun: String, _ plural: String? = nil) -> String {
    n == 1 ? "1 \(noun)" : "\(n) \(plural ?? noun + "s")"
}

/// "all 3 pairs", "the 1 pair".
func allPairs(_ n: Int) -> String { n == 1 ? "the 1 pair" : "all \(n) pairs" }

/// Progress for long exact verifications: "[elapsed] verified k of N pairs" on stderr at every
/// tenth of the pairs, or nil when the run is short (under about 2·10⁷ token·blocks, a second or
/// so), so that small runs stay quiet.
func verificationProgress(_ model: Transformer, _ data: Dataset, quiet: Bool) -> (@Sendable (Int, Int) -> Void)? {
    let tokens = data.pairs.reduce(0) { $0 + $1.input.count }
    guard !quiet, model.blocks.count.multipliedReportingOverflow(by: tokens).partialValue > 20_000_000 else { return nil }
    let started = DispatchTime.now()
    printError("[\(elapsed(since: started))] verifying \(pairCount(data.pairs.count)) through \(counted(model.blocks.count, "block")) (\(counted(tokens, "token")))")
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
    return try orExit(Exit.invalidInput, "\(path): ") { try data.embedded(labels) }
}
