import ArgumentParser
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A file a command writes (`-o`, `--trace`): checked before any work starts, written so that no
/// command can lose data.
///
/// - `-` is standard output.
/// - An output that is the same file as one of the command's inputs (same device and inode, links
///   resolved) is refused (exit 64) before anything is read or written: the input stays untouched.
/// - An existing non-regular file (a FIFO, a character device such as /dev/null, /dev/stdout) is
///   written through, never replaced.
/// - A regular file (or a new one) is written to a temporary file in the same directory and renamed
///   over the destination only when the content is complete and, for `construct`, after its self-check
///   passed (`stage` then `commit`). Interrupting the command (SIGINT, SIGTERM) removes the temporary
///   file: a complete-looking output always means a finished command.
/// - The directory must exist and be writable; this is checked up front, before a long construction.
struct OutputFile {
    enum Kind { case standardOutput, writeThrough, replace }

    let path: String
    let option: String
    let kind: Kind
    /// Where a replaced file goes: `path` with symbolic links resolved, so that a link survives.
    private(set) var destination: String

    /// Checks `path` against the command's `inputs` and the file system.
    init(_ path: String, option: String, inputs: [String]) throws {
        self.path = path
        self.option = option
        destination = path
        if path == "-" { kind = .standardOutput; return }
        if let out = fileIdentity(path) {
            var st1 = stat()
            if !StandardStreams.outputClosed, fstat(STDOUT_FILENO, &st1) == 0, [UInt64(st1.st_dev), UInt64(st1.st_ino)] == out {
                kind = .standardOutput  // -o /dev/stdout, or the file standard output already goes to
                return
            }
            if let resolved = realpath(path, nil) {
                destination = String(cString: resolved)
                free(resolved)
            }
            for input in inputs where fileIdentity(input) == out {
                printError("error: \(option) \(path) is the input \(input) (the same file): refusing to overwrite an input")
                throw ExitCode.validationFailure
            }
            var st = stat()
            if stat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR {
                printError("error: \(option) \(path): is a directory")
                throw Exit.invalidInput
            }
            kind = (st.st_mode & S_IFMT) == S_IFREG ? .replace : .writeThrough
        } else {
            kind = .replace
        }
        if kind == .replace {
            let dir = OutputFile.directory(of: path)
            var st = stat()
            guard stat(dir, &st) == 0 else {
                printError("error: \(option) \(path): cannot write in \(dir): \(String(cString: strerror(errno)))")
                throw Exit.invalidInput
            }
            guard (st.st_mode & S_IFMT) == S_IFDIR else {
                printError("error: \(option) \(path): \(dir) is not a directory")
                throw Exit.invalidInput
            }
            guard access(dir, W_OK) == 0 else {
                printError("error: \(option) \(path): cannot write in \(dir): \(String(cString: strerror(errno)))")
                throw Exit.invalidInput
            }
            // The temporary file must be creatable next to the destination (a special file system
            // such as /proc, or a read-only one, refuses it): tried now, before any work.
            let probe = OutputFile.directory(of: destination) + "/." + (destination as NSString).lastPathComponent + ".partial-\(getpid())"
            let fd = open(probe, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
            guard fd >= 0 || errno == EEXIST else {
                let code = errno
                let reason: String
                switch code {
                case ENOENT, EPERM, EOPNOTSUPP:
                    reason = "\(OutputFile.directory(of: destination)) does not accept new files (a special file system such as /proc or /sys?), so the output cannot be written there"
                case EROFS: reason = "\(OutputFile.directory(of: destination)) is on a read-only file system"
                case EACCES: reason = "permission denied: cannot create a file in \(OutputFile.directory(of: destination))"
                default: reason = "cannot create a file in \(OutputFile.directory(of: destination)): \(String(cString: strerror(code)))"
                }
                printError("error: \(option) \(path): \(reason)")
                throw Exit.invalidInput
            }
            if fd >= 0 {
                close(fd)
                unlink(probe)
            }
        }
    }

    static func directory(of path: String) -> String {
        let dir = (path as NSString).deletingLastPathComponent
        return dir.isEmpty ? "." : dir
    }

    /// Writes the whole content now (temporary file + rename for regular files).
    func write(_ text: String) throws {
        if let staged = try stage(text) { try staged.commit() }
    }

    /// Writes the content where it can be checked before it becomes the output: a temporary file
    /// for regular files (commit renames it), directly for standard output and non-regular files
    /// (nil: nothing left to commit).
    func stage(_ text: String) throws -> StagedOutput? {
        let bytes = Array(text.utf8)
        switch kind {
        case .standardOutput:
            fflush(standardOutputStream())
            try writeAll(bytes, to: STDOUT_FILENO, name: "standard output")
            return nil
        case .writeThrough:
            let fd = open(path, O_WRONLY | O_CLOEXEC)
            guard fd >= 0 else { throw writeError() }
            defer { close(fd) }
            try writeAll(bytes, to: fd, name: path)
            return nil
        case .replace:
            let dir = OutputFile.directory(of: destination)
            let base = (destination as NSString).lastPathComponent
            let temp = dir + "/." + base + ".partial-\(getpid())"
            TemporaryFiles.register(temp)
            let fd = open(temp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
            guard fd >= 0 else { TemporaryFiles.remove(temp); throw writeError() }
            do {
                try writeAll(bytes, to: fd, name: path)
                guard close(fd) == 0 else { throw writeError() }
            } catch {
                TemporaryFiles.remove(temp)
                throw error
            }
            return StagedOutput(temporary: temp, destination: destination)
        }
    }

    private func writeError() -> ExitCode {
        printError("error: cannot write \(path): \(String(cString: strerror(errno)))")
        return Exit.invalidInput
    }

    private func writeAll(_ bytes: [UInt8], to fd: Int32, name: String) throws {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { raw in
                Glibc.write(fd, raw.baseAddress! + offset, bytes.count - offset)
            }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else {
                printError("error: cannot write \(name): \(fd == STDOUT_FILENO ? standardOutputFailure() : String(cString: strerror(errno)))")
                throw Exit.invalidInput
            }
            offset += n
        }
    }
}

/// A complete output waiting in its temporary file for `commit`.
struct StagedOutput {
    let temporary: String
    private(set) var destination: String

    /// Renames the temporary file over the destination.
    func commit() throws {
        guard rename(temporary, destination) == 0 else {
            printError("error: cannot write \(destination): \(String(cString: strerror(errno)))")
            TemporaryFiles.remove(temporary)
            throw Exit.invalidInput
        }
        TemporaryFiles.forget(temporary)
    }

    /// Removes the temporary file (the content failed its check).
    func discard() { TemporaryFiles.remove(temporary) }
}

/// Temporary output files to delete when the process is interrupted (SIGINT, SIGTERM, SIGHUP).
enum TemporaryFiles {
    /// One pending path as a C string, readable from a signal handler (the CLI stages one file at a time).
    nonisolated(unsafe) private static var pending: UnsafeMutablePointer<CChar>? = nil
    nonisolated(unsafe) private static var installed = false

    static func register(_ path: String) {
        installHandlers()
        let old = pending
        pending = strdup(path)
        free(old)
    }

    static func forget(_ path: String) {
        if let p = pending, String(cString: p) == path {
            pending = nil
            free(p)
        }
    }

    static func remove(_ path: String) {
        unlink(path)
        forget(path)
    }

    private static func installHandlers() {
        guard !installed else { return }
        installed = true
        for sig in [SIGINT, SIGTERM, SIGHUP] {
            signal(sig) { sig in
                if let p = TemporaryFiles.pending { unlink(p) }
                signal(sig, SIG_DFL)
                raise(sig)
            }
        }
    }
}

/// Device and inode of the file `path` names (symbolic links followed); nil when it does not exist.
func fileIdentity(_ path: String) -> [UInt64]? {
    var st = stat()
    guard stat(path, &st) == 0 else { return nil }
    return [UInt64(st.st_dev), UInt64(st.st_ino)]
}

/// Flushes standard output and turns a failed write (a full disk, /dev/full, a closed pipe) into
/// exit 2: a result that never arrived must not look like success.
func flushStandardOutput() -> Bool {
    let out = standardOutputStream()
    if fflush(out) != 0 || ferror(out) != 0 {
        printError("error: cannot write standard output: \(standardOutputFailure())")
        return false
    }
    return true
}

/// Why standard output cannot be written: "standard output is closed" when it was closed at
/// start (`>&-`), else the system's reason (errno).
func standardOutputFailure() -> String {
    StandardStreams.outputClosed ? "standard output is closed" : String(cString: strerror(errno))
}

/// The C library's `stdout` stream (what `print` writes to), looked up by name: Swift 6 does not
/// let code read the C global `stdout` directly.
func standardOutputStream() -> UnsafeMutablePointer<FILE>? {
    dlsym(dlopen(nil, RTLD_NOW), "stdout")?.assumingMemoryBound(to: UnsafeMutablePointer<FILE>?.self).pointee
}

/// Writes a whole file through `OutputFile` (refused when it is one of `inputs`; temporary file
/// and rename, or write-through for devices and FIFOs), or exits 2.
func writeFile(_ path: String, _ text: String, inputs: [String] = []) throws {
    try OutputFile(path, option: "--output", inputs: inputs).write(text)
}
