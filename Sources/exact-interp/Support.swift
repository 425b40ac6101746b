import ArgumentParser
import Certification
import ExactArithmetic
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Evaluation
import TrainedModels
import TransformerModel

/// Exit codes documented in `--help` and docs/cli.md.
enum Exit {
    static let propertyFailed = ExitCode(1)
    static let invalidInput = ExitCode(2)
    static let usage = ExitCode(64)
    static let internalError = ExitCode(70)
}

/// Prints to standard error (diagnostics and progress never go to standard output). A failed
/// write (standard error closed, /dev/full, a full disk) is ignored: a diagnostic that cannot be
/// shown must never stop the command or change its result (docs/cli.md#exit-codes).
func printError(_ message: String) {
    let bytes = Array((message + "\n").utf8)
    var offset = 0
    while offset < bytes.count {
        let n = bytes.withUnsafeBytes { raw -> Int in
            guard let base = raw.baseAddress else { return 0 }
            return Glibc.write(STDERR_FILENO, base + offset, bytes.count - offset)
        }
        if n < 0 && errno == EINTR { continue }
        guard n > 0 else { return }
        offset += n
    }
}

/// The standard streams as the command found them.
enum StandardStreams {
    /// Standard output was closed when the command started (`>&-`).
    nonisolated(unsafe) static var outputClosed = false

    /// Gives a closed standard input, output or error an open descriptor before anything else is
    /// opened, so that no file the command opens (a model, a temporary output) can become
    /// descriptor 0, 1 or 2 and receive diagnostics or results. A closed standard error becomes
    /// /dev/null for writing (diagnostics vanish, the command still runs); a closed standard
    /// output becomes /dev/null for reading only, so that any write to it fails and the command
    /// reports "standard output is closed" (exit 2) instead of losing its result silently.
    static func prepare() {
        // A closed pipe on standard error must not kill the command (SIGPIPE): the write fails and
        // is ignored. On standard output it fails too, and the command exits 2 (flushStandardOutput).
        signal(SIGPIPE, SIG_IGN)
        for fd in [STDIN_FILENO, STDOUT_FILENO, STDERR_FILENO] where fcntl(fd, F_GETFD) == -1 && errno == EBADF {
            if fd == STDOUT_FILENO { outputClosed = true }
            let null = open("/dev/null", fd == STDERR_FILENO ? O_WRONLY : O_RDONLY)
            if null >= 0 && null != fd {
                dup2(null, fd)
                close(null)
            }
        }
    }
}

/// Runs `body`; when it throws, prints "error: <context><error>" and exits with `code`. An
/// `ExitCode` thrown inside (by `readFile`, which has printed its message) passes through unchanged.
func orExit<T>(_ code: ExitCode, _ context: String = "", _ body: () throws -> T) throws -> T {
    do { return try body() } catch let exit as ExitCode { throw exit } catch {
        printError("error: \(context)\(error)")
        throw code
    }
}

/// The largest input file a command reads, in bytes: EXACT_INTERP_MAX_INPUT_BYTES (a positive
/// integer, optionally with K, M or G for 2^10, 2^20, 2^30), else 1 GiB (docs/cli.md#resource-limits).
/// An endless input (/dev/zero, `yes |`) stops there with exit 2 instead of exhausting memory.
enum InputLimit {
    static let defaultBytes = 1 << 30

    static let bytes: Int = {
        guard let text = ProcessInfo.processInfo.environment["EXACT_INTERP_MAX_INPUT_BYTES"] else { return defaultBytes }
        let units: [Character: Int] = ["K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30]
        var digits = Substring(text), scale = 1
        if let last = digits.last, let unit = units[last] { scale = unit; digits = digits.dropLast() }
        guard let n = Int(digits), n >= 1, case (let v, false) = n.multipliedReportingOverflow(by: scale) else {
            printError("notice: EXACT_INTERP_MAX_INPUT_BYTES=\(text) is not a positive number of bytes (such as 2000000000 or 4G): the limit stays \(describe(defaultBytes))")
            return defaultBytes
        }
        return v
    }()

    /// "1,073,741,824 bytes (1 GiB)".
    static func describe(_ n: Int) -> String {
        var digits = String(n), grouped = ""
        while digits.count > 3 { grouped = "," + digits.suffix(3) + grouped; digits.removeLast(3) }
        let exact = [(1 << 30, "GiB"), (1 << 20, "MiB"), (1 << 10, "KiB")].first { n >= $0.0 && n % $0.0 == 0 }
        return digits + grouped + " bytes" + (exact.map { " (\(n / $0.0) \($0.1))" } ?? "")
    }

    static var advice: String { "set EXACT_INTERP_MAX_INPUT_BYTES to raise it" }
}

/// An input path as messages name it: "-" is "standard input".
func inputName(_ path: String) -> String { path == "-" ? "standard input" : path }

/// What a file read by `readFile` must be, judged on its first piece so that an endless or binary
/// input (/dev/zero) is refused at once instead of after the input size limit.
enum InputKind {
    case any
    /// A UTF-8 JSON text: no byte order mark, not UTF-16, no NUL byte (`JSONParser.encodingProblem`).
    case json
    /// UTF-8 text (from-text inputs, embedding tables): no NUL byte.
    case text
    /// A safetensors file: an 8-byte header length, then the JSON header's "{".
    case safetensors

    /// The message (after "error: FILE: ") when `first`, the file's first bytes, cannot start this kind.
    func problem(_ first: ArraySlice<UInt8>) -> String? {
        switch self {
        case .any: return nil
        case .json: return JSONParser.encodingProblem(first).map { "JSON syntax error at line 1, column 1: \($0)" }
        case .text:
            guard let at = first.firstIndex(of: 0) else { return nil }
            return "byte \(at - first.startIndex) is a NUL byte: not UTF-8 text (UTF-16, a binary file, or a device such as /dev/zero?)"
        case .safetensors:
            // A PyTorch pickle gets the message that says how to save safetensors instead.
            if let pickle = TorchPickle.diagnosis(Array(first)) { return pickle }
            guard first.count > 8, first[first.startIndex + 8] != UInt8(ascii: "{") else { return nil }
            return "not a safetensors file: after the 8-byte header length, byte 8 must start the JSON header with '{'"
        }
    }
}

/// Reads a whole file, or exits 2 with a message naming it and the system's reason (no such
/// file, is a directory, permission denied), or the input size limit (`InputLimit`). A file whose
/// first piece cannot start `kind` (`InputKind.problem`: a byte order mark, UTF-16 or NUL bytes in
/// JSON, NUL bytes in text) is refused after that piece, so /dev/zero stops at once.
func readFile(_ path: String, kind: InputKind = .any) throws -> [UInt8] {
    let name = inputName(path)
    func fail(_ reason: String) -> ExitCode {
        printError("error: cannot read \(name): \(reason)")
        return Exit.invalidInput
    }
    let fd = path == "-" ? dup(STDIN_FILENO) : open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { throw fail(String(cString: strerror(errno))) }
    defer { close(fd) }
    var st = stat()
    guard fstat(fd, &st) == 0 else { throw fail(String(cString: strerror(errno))) }
    if (st.st_mode & S_IFMT) == S_IFDIR { throw fail(String(cString: strerror(EISDIR))) }
    let regular = (st.st_mode & S_IFMT) == S_IFREG
    let limit = InputLimit.bytes
    if regular && Int(st.st_size) > limit {
        throw fail("the file has \(InputLimit.describe(Int(st.st_size))), above the input size limit of \(InputLimit.describe(limit)); \(InputLimit.advice)")
    }
    var bytes: [UInt8] = []
    bytes.reserveCapacity(regular ? Int(st.st_size) : 1 << 16)
    var chunk = [UInt8](repeating: 0, count: 1 << 20)
    while true {
        let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if n < 0 && errno == EINTR { continue }
        guard n >= 0 else { throw fail(String(cString: strerror(errno))) }
        if n == 0 { break }
        if bytes.isEmpty, let problem = kind.problem(chunk[0..<n]) {
            printError("error: \(name): \(problem)")
            throw Exit.invalidInput
        }
        guard n <= limit - bytes.count else {
            throw fail("it goes on past the input size limit of \(InputLimit.describe(limit)) (an endless input?); \(InputLimit.advice)")
        }
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
    guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG, Int(st.st_size) <= InputLimit.bytes else { return nil }
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
    return try orExit(Exit.invalidInput, "\(inputName(path)): ") { try Dataset.parse(readFile(path, kind: .json)) }
}

/// Loads and parses a model file, exiting 2 with the reader's message on any problem.
func loadModel(_ path: String) throws -> Transformer {
    try orExit(Exit.invalidInput, "\(inputName(path)): ") { try Transformer.parse(readFile(path, kind: .json)) }
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
                   indices: [Int]? = nil, meter: WorkMeter? = nil, limits: EvaluationLimits = EvaluationLimits(),
                   signs: SignDecisions = .exact,
                   progress: (@Sendable (Int, Int) -> Void)? = nil) throws -> CertificationReport {
    do {
        return try certify(model: model, dataset: data,
                           options: CertificationOptions(temperature: temperature, indices: indices, meter: meter,
                                                         limits: limits, signs: signs, progress: progress))
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

/// When `error` is an exact evaluation that stopped at `--max-bits`, prints the resource-limit
/// message and returns exit 2: a construction's self-check that was cut short failed for want of
/// resources, not by a bug (70) or a property (1). nil for every other error.
func resourceLimitExit(_ error: CertificationError) -> ExitCode? {
    guard case .evaluation(let e) = error, e.overrun != nil else { return nil }
    printError("error: \(e)")
    return Exit.invalidInput
}

/// `--max-bits`: the resource limit of exact evaluation, for every command that evaluates a model.
struct LimitOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Resource limit: the largest bit length of a numerator or denominator of any coordinate during exact evaluation (default \(EvaluationLimits.defaultMaximumBits)); above it the command stops with exit 2.", valueName: "bits"))
    var maxBits: Int = EvaluationLimits.defaultMaximumBits

    func validate() throws { try requirePositive(maxBits, "--max-bits") }

    /// The limits every evaluator of the command is given.
    var evaluation: EvaluationLimits { EvaluationLimits(maximumBits: maxBits) }
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
func pairCount(_ n: Int) -> String { counted(n, "pair") }

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
