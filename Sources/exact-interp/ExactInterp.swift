import ArgumentParser
import Foundation

/// Version printed by `--version` and stored in model metadata.
let toolVersion = "0.1.0"

@main
struct ExactInterp: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "exact-interp",
        abstract: "Exact rational verification of transformer interpolation.",
        discussion: """
        After Alcalde, Fantuzzi and Zuazua, "Exact Sequence Interpolation with
        Transformers" (arXiv:2502.02270). Builds transformers that map given input
        sequences exactly onto given output sequences (Theorem 1.4, hardmax;
        Theorem 1.6, softmax), and checks every claim in exact rational arithmetic:
        no floating point on the exact path.

        Datasets and models are JSON files (docs/dataset-format.md,
        docs/model-format.md); docs/cli.md describes every command.

        EXIT CODES
          0   success: valid, interpolated, certified
          1   a checked property does not hold (not interpolated, certificate
              rejected, lemma check failed)
          2   invalid input: unreadable file, malformed or infeasible dataset,
              malformed model, digest mismatch, a resource limit reached
              (--max-bits, EXACT_INTERP_MAX_INPUT_BYTES), an output that cannot
              be written (standard output too)
          64  usage error: unknown command or option, missing argument, a value
              out of range, an output that is one of the inputs
          70  internal error: a construction stage failed its own exact check
              (please report it)
        """,
        version: toolVersion,
        subcommands: [
            Validate.self, Construct.self, Verify.self, Eval.self, Compare.self,
            LemmaCommand.self, LemmasCommand.self, Draw.self, Report.self, Generate.self, FromText.self, CausalClaim.self,
            Export.self, Import.self, DatasetFromArrays.self, Bound.self, Loss.self, Tikhonov.self, DynamicsCommand.self, MergeShards.self,
        ]
    )

    /// Runs the command, then makes sure its standard output arrived: a failed write (a full disk,
    /// /dev/full, a closed standard output) exits 2 instead of 0. Every message the tool prints,
    /// the argument parser's included, starts with "error:"; writes to standard error never stop
    /// the command (`printError`).
    static func main() {
        StandardStreams.prepare()
        let outcome: Error?
        if let unknown = unknownCommandMessage(Array(CommandLine.arguments.dropFirst())) {
            printError(unknown)
            Foundation.exit(Exit.usage.rawValue)
        }
        do {
            var command = try parseAsRoot(joiningNegativeValues(Array(CommandLine.arguments.dropFirst())))
            try command.run()
            outcome = nil
        } catch {
            outcome = error
        }
        guard let outcome else {
            if !flushStandardOutput() { Foundation.exit(Exit.invalidInput.rawValue) }
            Foundation.exit(0)
        }
        let code = exitCode(for: outcome).rawValue
        let text = fullMessage(for: outcome)
        if code == 0 {
            // --help, --version: the text is the result, on standard output.
            if !text.isEmpty { print(text) }
            if !flushStandardOutput() { Foundation.exit(Exit.invalidInput.rawValue) }
            Foundation.exit(0)
        }
        if !text.isEmpty { printError(lowercasingErrorPrefix(text)) }
        _ = flushStandardOutput()
        Foundation.exit(code)
    }
}

/// The argument parser's "Error: …" as the tool's "error: …" (one prefix for every message).
func lowercasingErrorPrefix(_ text: String) -> String {
    text.hasPrefix("Error: ") ? "error: " + text.dropFirst("Error: ".count) : text
}

/// `--pairs -1` as `--pairs=-1`: the argument parser would otherwise read "-1" as an option and
/// say "Missing value for '--pairs'"; joined, the command's own check says what is wrong with -1.
func joiningNegativeValues(_ arguments: [String]) -> [String] {
    var out: [String] = []
    var i = 0
    while i < arguments.count {
        let a = arguments[i]
        if a == "--" { out += arguments[i...]; break }
        if a.hasPrefix("--"), !a.contains("="), i + 1 < arguments.count,
           let next = arguments[i + 1].utf8.dropFirst().first, arguments[i + 1].hasPrefix("-"),
           (next >= UInt8(ascii: "0") && next <= UInt8(ascii: "9")) || next == UInt8(ascii: ".") {
            out.append(a + "=" + arguments[i + 1])
            i += 2
            continue
        }
        out.append(a)
        i += 1
    }
    return out
}

/// "error: unknown command 'constuct'; did you mean 'construct'?" when the first argument is
/// neither an option nor a command (the argument parser would read it as a positional and complain
/// about the options that follow). Nil when the command line starts with a known command or an option.
func unknownCommandMessage(_ arguments: [String]) -> String? {
    guard let first = arguments.first, !first.hasPrefix("-") else { return nil }
    let names = ExactInterp.configuration.subcommands.map { $0._commandName } + ["help"]
    guard !names.contains(first) else { return nil }
    let scored = names.map { (name: $0, distance: editDistance(first.lowercased(), $0)) }
    let best = scored.min { $0.distance < $1.distance || ($0.distance == $1.distance && $0.name < $1.name) }
    if let best, best.distance <= max(2, best.name.count / 3) {
        return "error: unknown command '\(first)'; did you mean '\(best.name)'?"
    }
    return "error: unknown command '\(first)' (commands: \(names.filter { $0 != "help" }.joined(separator: ", ")); see exact-interp --help)"
}

/// Levenshtein distance (insertions, deletions, substitutions) between two strings, by characters.
func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a), b = Array(b)
    guard !a.isEmpty else { return b.count }
    guard !b.isEmpty else { return a.count }
    var previous = Array(0...b.count)
    for i in 1...a.count {
        var current = [i] + Array(repeating: 0, count: b.count)
        for j in 1...b.count {
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
        }
        previous = current
    }
    return previous[b.count]
}
