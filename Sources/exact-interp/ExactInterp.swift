import ArgumentParser

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
          2   invalid input: unreadable file, malformed or infeasible dataset, malformed model
          64  usage error (unknown option, missing argument)
          70  internal error: a construction stage failed its own exact check (please report it)
        """,
        version: toolVersion,
        subcommands: [
            Validate.self, Construct.self, Verify.self, Eval.self, Compare.self,
            LemmaCommand.self, LemmasCommand.self, Draw.self, Report.self, Generate.self,
            Export.self, Import.self, Bound.self, DynamicsCommand.self, MergeShards.self,
        ]
    )
}
