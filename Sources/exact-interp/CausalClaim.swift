import ArgumentParser
import Certification
import Constructions
import ExactArithmetic
import TransformerModel

struct CausalClaim: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "causal-claim",
        abstract: "Check the paper's reformulation of causal (next-token) interpolation exactly.",
        discussion: """
        The paper (Section 7.2.4) reduces masked attention to interpolation: split each sequence into \
        its prefixes, each with one output token. Read naively, build the unmasked Theorem 1.4 model \
        on that prefix dataset, then run it with causal masks on the whole sequences. This command \
        does exactly that on a causal dataset ("causal": true, docs/causal.md) and lists every \
        position the masked run gets wrong (with the exact output and the target). It also checks \
        that the unmasked model does interpolate every prefix run on its own (what the \
        reformulation does justify).

        --search enumerates one-sequence datasets in d = 2 (length 1, 2, … ≤ --max-length; \
        coordinates in 0…c for c = 1, 2, … ≤ --max-coordinate; inputs then targets in \
        lexicographic order) and prints the first one on which the claim fails: the smallest \
        counterexample in that order. -o writes it as a causal dataset.

        Exits 0 when the claim holds on the dataset (--search: no counterexample within the bounds), \
        1 when it fails (a failing position, a prefix dataset with no model, or a counterexample \
        found), 2 on invalid input, 64 on usage errors.
        """
    )

    @Argument(help: "Causal dataset JSON file (omit with --search).") var dataset: String?
    @Flag(help: "Search for the smallest counterexample instead of checking a dataset.") var search = false
    @Option(help: "--search: the longest sequence tried.") var maxLength: Int = 2
    @Option(help: "--search: the largest coordinate tried.") var maxCoordinate: Int = 2
    @Option(name: .shortAndLong, help: "--search: write the counterexample found to this file.") var output: String?
    @Option(help: "Layout of the Theorem 1.4 model built on the prefix dataset (narrow or compact).") var layout: HardmaxConstruction.Layout = .compact

    func validate() throws {
        if search {
            guard dataset == nil else { throw ValidationError("give either a dataset or --search, not both") }
            guard (1...4).contains(maxLength), (1...3).contains(maxCoordinate) else {
                throw ValidationError("--max-length must be in 1...4 and --max-coordinate in 1...3 (the search is exhaustive)")
            }
        } else if dataset == nil {
            throw ValidationError("give a causal dataset, or --search")
        }
    }

    func run() throws {
        if search {
            try runSearch()
            return
        }
        guard let dataset else { throw Exit.usage }
        if output != nil { printError("notice: -o is used with --search only") }
        let data = try loadDataset(dataset)
        _ = try orExit(Exit.invalidInput, "\(dataset): ") { try CausalProblem(data) }
        let outcome = try orExit(Exit.internalError) { try CausalReformulation.check(data, layout: layout) }
        printOutcome(outcome)
        if !outcome.holds { throw Exit.propertyFailed }
    }

    func runSearch() throws {
        var examined = 0
        let found = try orExit(Exit.internalError) {
            try CausalReformulation.smallestCounterexample(maximumLength: maxLength, maximumCoordinate: maxCoordinate, examined: &examined)
        }
        guard let (data, outcome) = found else {
            print("no counterexample among \(examined) datasets (length ≤ \(maxLength), coordinates in 0…\(maxCoordinate), d = 2)")
            return
        }
        print("smallest counterexample (after \(examined) datasets that satisfy the claim's hypotheses, in the order of --help):")
        for (j, p) in data.pairs.enumerated() {
            print("  pair \(j): input \(p.input.map(show).joined(separator: " ")), targets \(p.output.map(show).joined(separator: " "))")
        }
        printOutcome(outcome)
        if let output {
            try writeFile(output, data.json.rendered())
            print("written: \(output)")
        }
        throw Exit.propertyFailed
    }

    func printOutcome(_ outcome: CausalReformulation.Outcome) {
        print("prefix dataset: \(pairCount(outcome.prefixDataset.pairs.count)) (one per position), d = \(outcome.prefixDataset.dimension)")
        if let why = outcome.infeasible {
            print("claim FAILS: the prefix dataset has no Theorem 1.4 model: \(why)")
            return
        }
        print("unmasked Theorem 1.4 model on the prefix dataset: \(outcome.model?.blocks.count ?? 0) blocks (\(layout.rawValue) layout)")
        print("each prefix run alone, unmasked: \(outcome.prefixRunsHold ? "every prefix maps to its target (exact)" : "FAILS (a bug: please report it)")")
        print("the same model with causal masks on the whole sequences (positions count from 0):")
        for f in outcome.failures {
            print("  pair \(f.pair) position \(f.position): got \(show(f.got)), target \(show(f.want))")
        }
        if outcome.holds {
            print("claim holds on this dataset: \(outcome.positions == 1 ? "the 1 position maps to its target" : "all \(outcome.positions) positions map to their targets") (exact)")
        } else {
            print("claim FAILS: \(outcome.failures.count) of \(counted(outcome.positions, "position")) \(outcome.failures.count == 1 ? "misses its target" : "miss their targets") (exact)")
        }
    }
}
