import ArgumentParser
import Constructions
import TransformerModel

struct LemmasCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lemmas",
        abstract: "Run every lemma of Section 4 on every sequence of a dataset and print a table.",
        discussion: """
        Each input sequence X^j (as a set) gets the lemmas with fixed, deterministic choices \
        (docs/lemmas.md): 4.1 default w, γ = 1/2, T = 3; 4.2 prepared, γ = 1/2, T = 3; 4.3 on the \
        sphere image, γ = 1/2, T = 2; 4.4 prepared with m^j leaders, γ = 1; 4.5 every token; 4.6 and \
        4.7 the first extreme token against all sequences; 4.8 one hat (token 0 → y^j_0) and one \
        multi-hat FF (every token of X^j to the outputs) among all input values. Every row is an \
        exact check; "n/a" marks a lemma whose hypotheses no choice can meet for that sequence.

        Exits 0 iff no row fails, 1 otherwise, 2 on invalid input (as `validate`: a malformed dataset, \
        pairs with equal inputs and different outputs, more distinct outputs than inputs).
        """
    )

    @Argument(help: "Dataset JSON file.") var dataset: String
    @Flag(help: "Print the table as JSON.") var json = false
    @Flag(help: "No progress messages on stderr (long runs report every few seconds).") var quiet = false
    @Flag(help: "List every merged pair (more than three are otherwise summarised in one line).") var verbose = false

    func run() throws {
        let given = try loadDataset(dataset)
        // The same acceptance as `validate`: contradictory pairs or m > n are invalid input (2).
        let problem = try orExit(Exit.invalidInput, "\(dataset): ") { try InterpolationProblem(given) }
        // Identical pairs (same input and output sets) are merged, as `construct` merges them: the
        // lemmas depend on the sets only, so a repeat's rows would repeat the first one's. Rows keep
        // the pair's index in the file.
        let data: Dataset
        let fileIndex: [Int]
        if problem.count < given.pairs.count {
            printNotices(problem.notices.filter { $0.hasSuffix("(same sets): merged") }, verbose: verbose)
            data = Dataset(name: given.name, dimension: given.dimension, pairs: problem.pairs.map { given.pairs[$0.sourceIndex] })
            fileIndex = problem.pairs.map(\.sourceIndex)
        } else {
            data = given
            fileIndex = Array(given.pairs.indices)
        }
        let count = data.pairs.count
        let heartbeat = Heartbeat(quiet: quiet) { "lemmas: still running the lemmas of Section 4 on \(count) sequence\(count == 1 ? "" : "s") (each lemma's cost grows with n² tokens per sequence)" }
        let rows = LemmaSuite.run(data).map { row in
            var r = row
            r.sequence = fileIndex[row.sequence]
            return r
        }
        heartbeat.stop()
        let holds = rows.filter { $0.status == .holds }.count
        let fails = rows.filter { $0.status == .fails }.count
        let na = rows.count - holds - fails
        if json {
            let items: [JSONValue] = rows.map { row in
                var members: [(key: String, value: JSONValue)] = [
                    ("lemma", .string(row.lemma)), ("sequence", .number(String(row.sequence))),
                    ("status", .string(row.status.rawValue)), ("instance", .string(row.instance)),
                ]
                if let reason = row.reason { members.append(("reason", .string(reason))) }
                return .object(members)
            }
            let doc: JSONValue = .object([
                ("dataset", .string(dataset)), ("sequences", .number(String(data.pairs.count))),
                ("dimension", .number(String(data.dimension))),
                ("holds", .number(String(holds))), ("fails", .number(String(fails))), ("notApplicable", .number(String(na))),
                ("rows", .array(items)),
            ] + (data.pairs.count < given.pairs.count ? [("pairs", .number(String(given.pairs.count)))] : []))
            print(doc.rendered(), terminator: "")
        } else {
            let mergedNote = data.pairs.count < given.pairs.count ? " (of \(pairCount(given.pairs.count)), repeats merged)" : ""
            print("lemmas on \(dataset): \(data.pairs.count) sequence\(data.pairs.count == 1 ? "" : "s")\(mergedNote), d = \(data.dimension)")
            func column(_ s: String, _ width: Int) -> String { s.padding(toLength: max(width, s.count), withPad: " ", startingAt: 0) }
            print("\(column("lemma", 10)) \(column("seq", 4)) \(column("result", 6))  instance")
            for row in rows {
                print("\(column(row.lemma, 10)) \(column(String(row.sequence), 4)) \(column(row.status == .fails ? "FAILS" : row.status.rawValue, 6))  \(row.instance)")
                if let reason = row.reason { print("\(String(repeating: " ", count: 24))\(row.status == .fails ? "reason" : "why n/a"): \(reason)") }
            }
            print("\(rows.count) checks: \(holds) hold, \(fails) fail, \(na) n/a")
        }
        if fails > 0 { throw Exit.propertyFailed }
    }
}
