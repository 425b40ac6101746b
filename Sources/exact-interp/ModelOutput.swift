import ArgumentParser
import Certification
import Foundation
import TransformerModel
#if canImport(Glibc)
import Glibc
#endif

/// What a command's check of the model it wrote found (the model as read back from the file).
enum WrittenModelCheck {
    /// The claim holds; the line (if any) is printed before the model becomes the output.
    case holds(String?)
    /// The claim fails: the lines that say where are printed, the model is not the output, and
    /// `what` completes the error message ("on pairs 0, 2 (0-based dataset indices)").
    case fails(lines: [String], what: String)
}

/// The one output tail of every command that writes a model (`construct` in its hardmax, softmax
/// and causal forms, `import`, `bound --balanced -o`): the model's text is staged where it can be
/// checked, the summary printed, the written bytes read back and compared with the model in memory,
/// the model read back checked, and only then does it become the output.
///
/// - A regular output is a temporary file until the check passed (then renamed over the
///   destination); standard output, a device or a FIFO is written only after the check (the text
///   checked is the text then written).
/// - A model that does not read back identically, or whose check throws, is an internal error
///   (exit 70; a resource limit reached exits 2); one whose check fails is kept as
///   NAME.failed.json beside the output and the command exits 70.
struct ModelOutput {
    let target: OutputFile
    /// The command's input, whose name the failed model is kept under for `-o -` or a device.
    let input: String
    /// Where result lines go (standard output, or standard error when the model goes there).
    let say: (String) -> Void

    /// Writes `model` through the tail: `summary` is printed once the text is staged, `announce`
    /// just before the read-back, and `check` judges the model read back.
    func write(_ model: Transformer, summary: () -> Void = {}, announce: () -> Void = {},
               check: (Transformer) throws -> WrittenModelCheck = { _ in .holds(nil) }) throws {
        var text: String? = model.fileText
        let staged = target.kind == .replace ? try target.stage(text ?? "") : nil
        // A staged text is read back from its file (and, on the failure path, kept from there): not
        // held beside the bytes read back, their JSON tree and the model read back.
        if staged != nil { text = nil }
        summary()
        announce()
        let reread = try reread(staged, text: text ?? "")
        guard reread == model else {
            staged?.discard()
            printError("error: the written model does not read back identically")
            throw Exit.internalError
        }
        let verdict: WrittenModelCheck
        do { verdict = try check(reread) } catch let exit as ExitCode {
            staged?.discard()
            throw exit
        } catch {
            staged?.discard()
            if let error = error as? CertificationError, let limit = resourceLimitExit(error) { throw limit }
            printError("error: \(error)")
            throw Exit.internalError
        }
        switch verdict {
        case .holds(let line):
            if let line { say(line) }
        case .fails(let lines, let what):
            lines.forEach(say)
            try failed(staged, text: text, what: what)
        }
        // Only a checked model becomes the output.
        if let staged { try staged.commit() } else { try target.write(text ?? "") }
    }

    /// The written bytes read back: the temporary file when there is one, else the text itself
    /// (standard output or a device cannot be read back).
    private func reread(_ staged: StagedOutput?, text: String) throws -> Transformer {
        // Test hook (Tests/golden/hardening/sigint-during-check): a pause between writing the
        // temporary file and checking it, so that an interrupt can be sent at that moment.
        if let pause = ProcessInfo.processInfo.environment["EXACT_INTERP_TEST_PAUSE_BEFORE_CHECK"], let seconds = Double(pause) {
            printError("test hook: pausing \(seconds) s before the self-check")
            Thread.sleep(forTimeInterval: seconds)
        }
        do {
            if let staged { return try Transformer.parse(readFile(staged.temporary)) }
            return try Transformer.parse(Array(text.utf8))
        } catch let error as InputError {
            staged?.discard()
            printError("error: the written model does not read back: \(error)")
            throw Exit.internalError
        }
    }

    /// A model that does not verify (a bug): it is not the output; it is kept beside it as
    /// NAME.failed.json (or NAME.failed-2.json, … : an existing file with other content is never
    /// replaced) so that it can be reported, and the command exits 70.
    /// `text` is nil when the model was staged: its bytes are then read back from the temporary file.
    private func failed(_ staged: StagedOutput?, text: String?, what: String) throws -> Never {
        let bytes = text.map { Array($0.utf8) } ?? staged.flatMap { readFileQuietly($0.temporary) }
        staged?.discard()
        let kept = bytes.flatMap(keepFailedModel)
        let place = target.path == "-" ? "standard output" : target.path
        let where_ = kept.map { "the failing model is kept in \($0)" } ?? "the failing model could not be kept"
        say("model: NOT written to \(place) (it does not verify); \(where_)")
        printError("error: the constructed model does not verify \(what): this is a bug, please report it with the dataset and \(kept ?? "this output"); \(place) was not written")
        throw Exit.internalError
    }

    /// Writes `bytes` to the first free NAME.failed[-k].json beside the output (for `-o -` or a
    /// device: in the current directory, named after the input); a file already holding exactly
    /// `bytes` is reused. Nil when it cannot be written.
    private func keepFailedModel(_ bytes: [UInt8]) -> String? {
        let output = target.path
        let base: String
        if output == "-" || (fileIdentity(output) != nil && !isRegularFile(output)) {
            base = ((input as NSString).lastPathComponent as NSString).deletingPathExtension
        } else {
            base = output.hasSuffix(".json") ? String(output.dropLast(5)) : output
        }
        for k in 1...100 {
            let path = base + (k == 1 ? ".failed.json" : ".failed-\(k).json")
            if fileIdentity(path) != nil {
                if isRegularFile(path), readFileQuietly(path) == bytes { return path }
                continue
            }
            guard let file = try? OutputFile(path, option: "--output", inputs: [input]), file.kind == .replace,
                  (try? file.write(String(decoding: bytes, as: UTF8.self))) != nil else { return nil }
            return path
        }
        return nil
    }
}

/// True when `path` names a regular file (links followed).
private func isRegularFile(_ path: String) -> Bool {
    var st = stat()
    return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFREG
}

/// The bytes of a file, or nil (no message: the caller only compares them).
private func readFileQuietly(_ path: String) -> [UInt8]? {
    FileManager.default.contents(atPath: path).map { Array($0) }
}
