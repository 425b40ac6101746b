import ArgumentParser
import Constructions
import ExactArithmetic
import TransformerModel

struct LemmaCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lemma",
        abstract: "Build one lemma of Section 4 from a dataset and check its claim exactly.",
        discussion: """
        LEMMA is 4.1 … 4.8 (docs/lemmas.md; statements in docs/mathematics.md#lemma-4-1 … #lemma-4-8). The lemma acts on the input sequence X^j of pair j \
        (--sequence, default 0), taken as a set: its distinct tokens in first-occurrence order, \
        numbered x_0, x_1, …. Lemma 4.8 acts on P, all distinct input token values of the dataset.

          4.1  rank-one clustering      [--direction w] [--gamma γ] [--steps T]
          4.2  full clustering          [--prepare [--token ℓ]] [--gamma γ] [--steps T]
          4.3  no clustering            [--project [--radius r]] [--gamma γ] [--steps T]
          4.4  partial clustering       [--prepare] [--leaders ℓ,s,…] [--leader-count m] [--gamma γ] [--steps T]
          4.5  leader ⇔ extreme point   [--token i]
          4.6  one direction, unique leaders    [--token i]
          4.7  shift FF + rank-one alignment    [--token i] [--beta β]
          4.8  hat function             [--token i]… [--target y]… [--direction u] [--half-width ε] [--width-factor f]

        Vectors are comma-separated rationals ("1,-1/2"). --prepare adds the orthant preparation \
        (docs/mathematics.md#leader-selection; one FF: shift into the positive orthant, hats moving the leaders). --project \
        applies Lemma 4.3 to the sequence's image on the sphere |x| = r (inverse stereographic \
        projection). For 4.6/4.7 the default token is the first extreme one; for 4.8 the default \
        move is token 0 of the sequence to its first output token, and repeated --token/--target \
        (and --sequence) give several hats in one layer.

        Prints the rational parameters and every fact checked. Exits 0 when the claim holds, 1 \
        when a hypothesis or property fails (the reason is printed), 2 on invalid input.
        """
    )

    @Argument(help: "4.1, 4.2, …, 4.8.") var lemma: String
    @Option(help: "Dataset JSON file.") var dataset: String
    @Option(help: "Pair index j (X^j is its input); repeat for 4.8 moves.") var sequence: [Int] = []
    @Option(help: "Token index (into the distinct tokens of X^j); repeat for 4.8.") var token: [Int] = []
    @Option(help: "4.8: target of the moved token, e.g. \"3,1/2\"; repeat with --token.") var target: [String] = []
    @Option(help: "4.1: w; 4.8: u.") var direction: String?
    @Option(help: "4.1–4.4: γ (default 1/2; 4.4: 1).") var gamma: Rational?
    @Option(help: "4.1–4.4: number of steps T to check.") var steps: Int?
    @Flag(help: "4.2, 4.4: add the orthant preparation FF.") var prepare = false
    @Option(help: "4.4: leader indices, ℓ first, e.g. \"1,4,2\".") var leaders: String?
    @Option(help: "4.4 with --prepare: number m of leaders (default: the pair's distinct outputs).") var leaderCount: Int?
    @Flag(help: "4.3: use the sequence's image on the sphere |x| = r.") var project = false
    @Option(help: "4.3 with --project: r (default 1).") var radius: Rational?
    @Option(help: "4.7: β (default 1).") var beta: Rational?
    @Option(help: "4.8: one half-width ε for every hat.") var halfWidth: Rational?
    @Option(help: "4.8: scale of the default half-widths (default 1).") var widthFactor: Rational?

    /// Lines printed before the parameters, once the construction is known to be buildable (so
    /// invalid input prints nothing on standard output).
    private var header: [String] = []

    static let titles = [
        "4.1": "rank-one clustering", "4.2": "full clustering", "4.3": "no clustering", "4.4": "partial clustering",
        "4.5": "leader ⇔ extreme point", "4.6": "one direction, unique leaders", "4.7": "shift FF + rank-one alignment",
        "4.8": "hat function",
    ]

    /// Options each lemma accepts (besides --dataset and --sequence).
    static let accepted: [String: Set<String>] = [
        "4.1": ["direction", "gamma", "steps"],
        "4.2": ["prepare", "token", "gamma", "steps"],
        "4.3": ["project", "radius", "gamma", "steps"],
        "4.4": ["prepare", "leaders", "leader-count", "gamma", "steps"],
        "4.5": ["token"], "4.6": ["token"], "4.7": ["token", "beta"],
        "4.8": ["token", "target", "direction", "half-width", "width-factor"],
    ]

    mutating func run() throws {
        guard let title = Self.titles[lemma], let accepted = Self.accepted[lemma] else {
            printError("error: unknown lemma \"\(lemma)\": expected one of 4.1, 4.2, 4.3, 4.4, 4.5, 4.6, 4.7, 4.8")
            throw Exit.usage
        }
        let given: [(String, Bool)] = [
            ("token", !token.isEmpty), ("target", !target.isEmpty), ("direction", direction != nil), ("gamma", gamma != nil),
            ("steps", steps != nil), ("prepare", prepare), ("leaders", leaders != nil), ("leader-count", leaderCount != nil),
            ("project", project), ("radius", radius != nil), ("beta", beta != nil), ("half-width", halfWidth != nil),
            ("width-factor", widthFactor != nil),
        ]
        if let bad = given.first(where: { $0.1 && !accepted.contains($0.0) }) {
            printError("error: --\(bad.0) does not apply to Lemma \(lemma) (it takes: \(accepted.sorted().map { "--" + $0 }.joined(separator: ", ")))")
            throw Exit.invalidInput
        }
        if sequence.count > 1 && lemma != "4.8" {
            printError("error: --sequence is given \(sequence.count) times; only Lemma 4.8 moves tokens of several sequences")
            throw Exit.invalidInput
        }
        if (token.count > 1) && lemma != "4.8" {
            printError("error: --token is given \(token.count) times; only Lemma 4.8 takes several")
            throw Exit.invalidInput
        }
        let data = try loadDataset(dataset)
        let sequences = data.pairs.map { LemmaSupport.distinct($0.input) }
        let j = sequence.first ?? 0
        for s in sequence where !data.pairs.indices.contains(s) {
            printError("error: --sequence \(s): the dataset has \(data.pairs.count) pair\(data.pairs.count == 1 ? "" : "s") (0…\(data.pairs.count - 1))")
            throw Exit.invalidInput
        }
        let x = sequences[j]
        let d = data.dimension

        header = ["Lemma \(lemma) (\(title)) on \(dataset)"]
        var output: (parameters: [LemmaParameter], check: LemmaCheck)
        do {
            switch lemma {
            case "4.1", "4.2", "4.3", "4.4":
                describe(sequence: j, x, original: data.pairs[j].input.count)
                output = try clustering(x, pair: data.pairs[j], dimension: d)
            case "4.5":
                describe(sequence: j, x, original: data.pairs[j].input.count)
                let i = try index(token.first ?? 0, in: x, sequence: j)
                let c = try LeaderExtremePoint.construct(tokens: x, index: i)
                output = (c.parameters, LeaderExtremePoint.check(c, tokens: x))
            case "4.6", "4.7":
                header.append("sequences: \(sequences.count) (inputs, as sets); X^\(j) = \(LemmaSupport.show(set: x))")
                let i = try token.first.map { try index($0, in: x, sequence: j) } ?? firstExtreme(x)
                header.append("chosen: x_\(i)^\(j) = \(LemmaSupport.show(x[i]))")
                if lemma == "4.6" {
                    let c = try UniqueLeaders.construct(sequences: sequences, sequence: j, index: i)
                    output = (c.parameters, UniqueLeaders.check(c, sequences: sequences))
                } else {
                    let b = beta ?? LeaderAlignment.defaultBeta
                    let c = try LeaderAlignment.construct(sequences: sequences, sequence: j, index: i, beta: b)
                    output = (c.parameters, LeaderAlignment.check(c, sequences: sequences))
                }
            default:
                output = try hats(data, sequences)
            }
        } catch let error as LemmaError {
            switch error {
            case .invalidInput(let s):
                printError("error: \(s)")
                throw Exit.invalidInput
            case .internalError:
                printError("error: \(error)")
                throw Exit.internalError
            }
        }
        for line in header { print(line) }
        print("parameters:")
        let width = output.parameters.map(\.name.count).max() ?? 0
        for p in output.parameters { print("  \(p.name.padding(toLength: width, withPad: " ", startingAt: 0))  \(p.value)") }
        if !output.check.verified.isEmpty {
            print("checked exactly:")
            for line in output.check.verified { print("  - \(line)") }
        }
        if let failure = output.check.failure {
            print("FAILS: \(failure)")
            throw Exit.propertyFailed
        }
        print("holds: Lemma \(lemma)")
    }

    mutating func describe(sequence j: Int, _ x: [Token], original: Int) {
        let note = original == x.count ? "" : " (\(original) as given, repeated tokens kept once)"
        header.append("sequence: X^\(j), \(x.count) distinct tokens\(note)")
        header.append("tokens: " + x.enumerated().map { "x_\($0) = \(LemmaSupport.show($1))" }.joined(separator: ", "))
    }

    func index(_ i: Int, in x: [Token], sequence j: Int) throws -> Int {
        guard x.indices.contains(i) else {
            printError("error: --token \(i): X^\(j) has \(x.count) distinct tokens (0…\(x.count - 1))")
            throw Exit.invalidInput
        }
        return i
    }

    /// The first token of `x` whose Lemma 4.5 LP says extreme (token 0 when none is).
    func firstExtreme(_ x: [Token]) throws -> Int {
        for i in x.indices {
            if try LeaderExtremePoint.construct(tokens: x, index: i).witness.isExtreme { return i }
        }
        return 0
    }

    func vector(_ text: String, option: String, dimension d: Int) throws -> Token {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        var out: Token = []
        for p in parts { out.append(try parseRational(p, option: option)) }
        guard out.count == d else {
            printError("error: \(option) \"\(text)\": \(out.count) coordinate\(out.count == 1 ? "" : "s"), the dataset's dimension is \(d)")
            throw Exit.invalidInput
        }
        return out
    }

    mutating func clustering(_ x: [Token], pair: SequencePair, dimension d: Int) throws -> ([LemmaParameter], LemmaCheck) {
        let g = gamma
        if let steps, !(0...1000).contains(steps) {
            printError("error: --steps must be in 0...1000")
            throw Exit.invalidInput
        }
        switch lemma {
        case "4.1":
            let w = try direction.map { try vector($0, option: "--direction", dimension: d) }
            let c = try RankOneClustering.construct(tokens: x, direction: w, gamma: g ?? RankOneClustering.defaultGamma, steps: steps ?? RankOneClustering.defaultSteps)
            return (c.parameters, RankOneClustering.check(c, tokens: x))
        case "4.2":
            if !token.isEmpty && !prepare {
                printError("error: --token chooses the leader lifted by --prepare; without --prepare the leader is the token above all others")
                throw Exit.invalidInput
            }
            let l = try index(token.first ?? 0, in: x, sequence: sequence.first ?? 0)
            let c = try FullClustering.construct(tokens: x, gamma: g ?? FullClustering.defaultGamma, steps: steps ?? FullClustering.defaultSteps, prepare: prepare, leader: l)
            return (c.parameters, FullClustering.check(c, tokens: x))
        case "4.3":
            if radius != nil && !project {
                printError("error: --radius needs --project")
                throw Exit.invalidInput
            }
            if let radius, radius <= .zero {
                printError("error: --radius must be positive")
                throw Exit.invalidInput
            }
            let c = try NoClustering.construct(tokens: x, gamma: g ?? NoClustering.defaultGamma, steps: steps ?? NoClustering.defaultSteps,
                                               projectOntoRadius: project ? (radius ?? NoClustering.defaultRadius) : nil)
            return (c.parameters, NoClustering.check(c))
        default:
            var list: [Int]? = nil
            if let leaders {
                let parts = leaders.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
                var parsed: [Int] = []
                for p in parts {
                    guard let v = Int(p) else {
                        printError("error: --leaders \"\(leaders)\": \"\(p)\" is not a token index")
                        throw Exit.invalidInput
                    }
                    parsed.append(v)
                }
                list = parsed
            }
            if leaderCount != nil && (!prepare || leaders != nil) {
                printError("error: --leader-count needs --prepare and no --leaders")
                throw Exit.invalidInput
            }
            let m = leaderCount ?? max(1, min(LemmaSupport.distinct(pair.output).count, x.count, d == 1 ? 2 : x.count))
            let c = try PartialClustering.construct(tokens: x, gamma: g ?? PartialClustering.defaultGamma, steps: steps ?? PartialClustering.defaultSteps, leaders: list, prepare: prepare, leaderCount: m)
            return (c.parameters, PartialClustering.check(c, tokens: x))
        }
    }

    mutating func hats(_ data: Dataset, _ sequences: [[Token]]) throws -> ([LemmaParameter], LemmaCheck) {
        let d = data.dimension
        let points = LemmaSupport.distinct(sequences.flatMap { $0 })
        var pointIndex: [Token: Int] = [:]
        for (k, p) in points.enumerated() { pointIndex[p] = k }
        let tokens = token.isEmpty ? [0] : token
        let seqs = sequence.isEmpty ? [0] : sequence
        guard seqs.count == 1 || seqs.count == tokens.count else {
            printError("error: give --sequence once or once per --token (\(seqs.count) vs \(tokens.count))")
            throw Exit.invalidInput
        }
        guard target.isEmpty || target.count == tokens.count else {
            printError("error: give one --target per --token (\(target.count) vs \(tokens.count))")
            throw Exit.invalidInput
        }
        var moves: [HatMove.Move] = []
        var lines: [String] = []
        for (n, t) in tokens.enumerated() {
            let j = seqs.count == 1 ? seqs[0] : seqs[n]
            let i = try index(t, in: sequences[j], sequence: j)
            guard let k = pointIndex[sequences[j][i]] else { throw Exit.internalError }
            let y: Token
            if target.isEmpty {
                guard let first = data.pairs[j].output.first else { throw Exit.invalidInput }
                y = first
            } else {
                y = try vector(target[n], option: "--target", dimension: d)
            }
            moves.append(.init(index: k, target: y))
            lines.append("x_\(i)^\(j) = p_\(k) = \(LemmaSupport.show(points[k])) → \(LemmaSupport.show(y))")
        }
        header.append("points: P = all \(points.count) distinct input values of the dataset")
        header.append("moves: " + lines.joined(separator: "; "))
        let u = try direction.map { try vector($0, option: "--direction", dimension: d) }
        let eps = halfWidth
        let factor = widthFactor ?? HatMove.defaultWidthFactor
        let c = try HatMove.construct(points: points, moves: moves, direction: u, halfWidth: eps, widthFactor: factor)
        return (c.parameters, HatMove.check(c, points: points))
    }
}
