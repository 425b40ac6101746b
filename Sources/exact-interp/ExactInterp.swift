import ArgumentParser
import Foundation

/// Version printed by `--version` and stored in model metadata.
let toolVersion = "0.1.0"

@main
struct ExactInterp: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "exact-interp",
        abstract: "Exact rational verification of transformer interpolation (Alcalde, Fantuzzi, Zuazua).",
        discussion: """
        Builds transformers that map given input sequences exactly onto given output sequences
        (Theorem 1.4, hardmax; Theorem 1.6, softmax), and checks every claim in exact rational
        arithmetic: no floating point on the exact path.

        Datasets and models are JSON files (docs/dataset-format.md, docs/model-format.md).

        EXIT CODES
          0   success: valid, interpolated, certified
          1   a checked property does not hold (not interpolated, certificate rejected, lemma check failed)
          2   invalid input: unreadable file, malformed or infeasible dataset, malformed model,
              digest mismatch, a resource limit reached (--max-bits, EXACT_INTERP_MAX_INPUT_BYTES),
              an output that cannot be written (standard output too)
          64  usage error (unknown option, missing argument, a value out of range, an output that
              is one of the inputs)
          70  internal error: a construction stage failed its own exact check (please report it)
        """,
        version: toolVersion,
        subcommands: [
            Validate.self, Construct.self, Verify.self, Eval.self, Compare.self,
            LemmaCommand.self, LemmasCommand.self, Draw.self, Report.self, Generate.self, FromText.self, CausalClaim.self,
            Export.self, Import.self, Bound.self, DynamicsCommand.self, MergeShards.self,
        ]
    )

    /// Runs the command, then makes sure its standard output arrived: a failed write (a full disk,
    /// /dev/full, a closed standard output) exits 2 instead of 0. Every message the tool prints,
    /// the argument parser's included, starts with "error:"; writes to standard error never stop
    /// the command (`printError`).
    static func main() {
        StandardStreams.prepare()
        let outcome: Error?
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
        var code = exitCode(for: outcome).rawValue
        if code == Exit.internalError.rawValue, let limit = resourceLimitExit() {
            // A self-check that failed because an evaluation stopped at --max-bits: not a bug.
            code = limit.rawValue
        }
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
