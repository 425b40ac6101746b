import ArgumentParser
import Constructions
import ExactArithmetic
import TransformerModel

/// The lemmas of Section 4 `lemma` builds, by their number in the paper.
enum LemmaNumber: String, ExpressibleByArgument, CaseIterable {
    case rankOneClustering = "4.1", fullClustering = "4.2", noClustering = "4.3", partialClustering = "4.4"
    case leaderExtremePoint = "4.5", uniqueLeaders = "4.6", leaderAlignment = "4.7", hatFunction = "4.8"

    var title: String {
        switch self {
        case .rankOneClustering: return "rank-one clustering"
        case .fullClustering: return "full clustering"
        case .noClustering: return "no clustering"
        case .partialClustering: return "partial clustering"
        case .leaderExtremePoint: return "leader ⇔ extreme point"
        case .uniqueLeaders: return "one direction, unique leaders"
        case .leaderAlignment: return "shift FF + rank-one alignment"
        case .hatFunction: return "hat function"
        }
    }

    /// The options this lemma takes (besides --dataset and --sequence).
    var accepted: Set<LemmaOption> {
        switch self {
        case .rankOneClustering: return [.direction, .gamma, .steps]
        case .fullClustering: return [.prepare, .token, .gamma, .steps]
        case .noClustering: return [.project, .radius, .gamma, .steps]
        case .partialClustering: return [.prepare, .leaders, .leaderCount, .gamma, .steps]
        case .leaderExtremePoint, .uniqueLeaders: return [.token]
        case .leaderAlignment: return [.token, .beta]
        case .hatFunction: return [.token, .target, .direction, .halfWidth, .widthFactor]
        }
    }
}

/// The lemma-specific options of `lemma`, by their command-line names.
enum LemmaOption: String, CaseIterable, Comparable {
    case token, target, direction, gamma, steps, prepare, leaders, leaderCount = "leader-count", project, radius, beta
    case halfWidth = "half-width", widthFactor = "width-factor"

    static func < (a: LemmaOption, b: LemmaOption) -> Bool { a.rawValue < b.rawValue }
}

/// `lemma 4.4 --leaders ℓ,s,…`: comma-separated token indices, ℓ first.
struct TokenIndices: ExpressibleByArgument {
    let indices: [Int]
    init?(argument: String) {
        var parsed: [Int] = []
        for part in argument.split(separator: ",") {
            guard let v = Int(part.trimmingCharacters(in: .whitespaces)) else { return nil }
            parsed.append(v)
        }
        indices = parsed
    }
}

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

    @Argument(help: "4.1, 4.2, …, 4.8.") var lemma: LemmaNumber
    @Option(help: "Dataset JSON file.") var dataset: String
    @Option(help: "Pair index j (X^j is its input); repeat for 4.8 moves.") var sequence: [Int] = []
    @Option(help: "Token index (into the distinct tokens of X^j); repeat for 4.8.") var token: [Int] = []
    @Option(help: "4.8: target of the moved token, e.g. \"3,1/2\"; repeat with --token.") var target: [RationalVector] = []
    @Option(help: "4.1: w; 4.8: u.") var direction: RationalVector?
    @Option(help: "4.1–4.4: γ (default 1/2; 4.4: 1).") var gamma: Rational?
    @Option(help: "4.1–4.4: number of steps T to check.") var steps: Int?
    @Flag(help: "4.2, 4.4: add the orthant preparation FF.") var prepare = false
    @Option(help: "4.4: leader indices, ℓ first, e.g. \"1,4,2\".") var leaders: TokenIndices?
    @Option(help: "4.4 with --prepare: number m of leaders (default: the pair's distinct outputs).") var leaderCount: Int?
    @Flag(help: "4.3: use the sequence's image on the sphere |x| = r.") var project = false
    @Option(help: "4.3 with --project: r (default 1).") var radius: Rational?
    @Option(help: "4.7: β (default 1).") var beta: Rational?
    @Option(help: "4.8: one half-width ε for every hat.") var halfWidth: Rational?
    @Option(help: "4.8: scale of the default half-widths (default 1).") var widthFactor: Rational?

    /// Lines printed before the parameters, once the construction is known to be buildable (so
    /// invalid input prints nothing on standard output).
    private var header: [String] = []

    /// The largest --steps: each step is an exact attention layer on the whole sequence.
    static let maximumSteps = 1000

    /// Usage checks that need no file (exit 64): option values in range, which options the lemma
    /// takes, and options that need or exclude each other.
    func validate() throws {
        if let steps, !(0...Self.maximumSteps).contains(steps) {
            throw ValidationError("--steps must be in 0...\(Self.maximumSteps), found \(steps)")
        }
        if let s = sequence.first(where: { $0 < 0 }) { throw ValidationError("--sequence must be a non-negative integer (a 0-based pair index), found \(s)") }
        if let t = token.first(where: { $0 < 0 }) { throw ValidationError("--token must be a non-negative integer (a 0-based token index), found \(t)") }
        if let leaderCount { try requirePositive(leaderCount, "--leader-count") }
        for (value, option) in [(radius, "--radius"), (halfWidth, "--half-width"), (widthFactor, "--width-factor")] {
            if let value, value <= .zero { throw ValidationError("\(option) must be positive, found \(value)") }
        }
        let given: [(LemmaOption, Bool)] = [
            (.token, !token.isEmpty), (.target, !target.isEmpty), (.direction, direction != nil), (.gamma, gamma != nil),
            (.steps, steps != nil), (.prepare, prepare), (.leaders, leaders != nil), (.leaderCount, leaderCount != nil),
            (.project, project), (.radius, radius != nil), (.beta, beta != nil), (.halfWidth, halfWidth != nil),
            (.widthFactor, widthFactor != nil),
        ]
        if let bad = given.first(where: { $0.1 && !lemma.accepted.contains($0.0) }) {
            throw ValidationError("--\(bad.0.rawValue) does not apply to Lemma \(lemma.rawValue) (it takes: \(lemma.accepted.sorted().map { "--" + $0.rawValue }.joined(separator: ", ")))")
        }
        if lemma != .hatFunction {
            if sequence.count > 1 {
                throw ValidationError("--sequence is given \(sequence.count) times; only Lemma 4.8 moves tokens of several sequences")
            }
            if token.count > 1 { throw ValidationError("--token is given \(token.count) times; only Lemma 4.8 takes several") }
        }
        switch lemma {
        case .fullClustering where !token.isEmpty && !prepare:
            throw ValidationError("--token chooses the leader lifted by --prepare; without --prepare the leader is the token above all others")
        case .noClustering where radius != nil && !project:
            throw ValidationError("--radius needs --project")
        case .partialClustering where leaderCount != nil && (!prepare || leaders != nil):
            throw ValidationError("--leader-count needs --prepare and no --leaders")
        case .hatFunction:
            let tokens = max(token.count, 1)
            guard sequence.count <= 1 || sequence.count == tokens else {
                throw ValidationError("give --sequence once or once per --token (\(sequence.count) vs \(tokens))")
            }
            guard target.isEmpty || target.count == tokens else {
                throw ValidationError("give one --target per --token (\(target.count) vs \(tokens))")
            }
        default:
            break
        }
    }

    mutating func run() throws {
        let data = try loadDataset(dataset)
        let sequences = data.pairs.map { LemmaSupport.distinct($0.input) }
        let j = sequence.first ?? 0
        for s in sequence where !data.pairs.indices.contains(s) {
            // An index the dataset does not have is a usage error (64), as an out-of-range option.
            printError("error: --sequence \(s): the dataset has \(pairCount(data.pairs.count)) (indices 0…\(data.pairs.count - 1))")
            throw Exit.usage
        }
        let x = sequences[j]
        let d = data.dimension

        header = ["Lemma \(lemma.rawValue) (\(lemma.title)) on \(dataset)"]
        var output: (parameters: [LemmaParameter], check: LemmaCheck)
        do {
            switch lemma {
            case .rankOneClustering, .fullClustering, .noClustering, .partialClustering:
                describe(sequence: j, x, original: data.pairs[j].input.count)
                output = try clustering(x, pair: data.pairs[j], dimension: d)
            case .leaderExtremePoint:
                describe(sequence: j, x, original: data.pairs[j].input.count)
                let i = try index(token.first ?? 0, in: x, sequence: j)
                let c = try LeaderExtremePoint.construct(tokens: x, index: i)
                output = (c.parameters, LeaderExtremePoint.check(c, tokens: x))
            case .uniqueLeaders, .leaderAlignment:
                header.append("sequences: \(sequences.count) (inputs, as sets); X^\(j) = \(LemmaSupport.show(set: x))")
                let i = try token.first.map { try index($0, in: x, sequence: j) } ?? firstExtreme(x)
                header.append("chosen: x_\(i)^\(j) = \(LemmaSupport.show(x[i]))")
                if lemma == .uniqueLeaders {
                    let c = try UniqueLeaders.construct(sequences: sequences, sequence: j, index: i)
                    output = (c.parameters, UniqueLeaders.check(c, sequences: sequences))
                } else {
                    let b = beta ?? LeaderAlignment.defaultBeta
                    let c = try LeaderAlignment.construct(sequences: sequences, sequence: j, index: i, beta: b)
                    output = (c.parameters, LeaderAlignment.check(c, sequences: sequences))
                }
            case .hatFunction:
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
        print("holds: Lemma \(lemma.rawValue)")
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

    mutating func clustering(_ x: [Token], pair: SequencePair, dimension d: Int) throws -> ([LemmaParameter], LemmaCheck) {
        let g = gamma
        switch lemma {
        case .rankOneClustering:
            let w = try direction?.token(option: "--direction", dimension: d)
            let c = try RankOneClustering.construct(tokens: x, direction: w, gamma: g ?? RankOneClustering.defaultGamma, steps: steps ?? RankOneClustering.defaultSteps)
            return (c.parameters, RankOneClustering.check(c, tokens: x))
        case .fullClustering:
            let l = try index(token.first ?? 0, in: x, sequence: sequence.first ?? 0)
            let c = try FullClustering.construct(tokens: x, gamma: g ?? FullClustering.defaultGamma, steps: steps ?? FullClustering.defaultSteps, prepare: prepare, leader: l)
            return (c.parameters, FullClustering.check(c, tokens: x))
        case .noClustering:
            let c = try NoClustering.construct(tokens: x, gamma: g ?? NoClustering.defaultGamma, steps: steps ?? NoClustering.defaultSteps,
                                               projectOntoRadius: project ? (radius ?? NoClustering.defaultRadius) : nil)
            return (c.parameters, NoClustering.check(c))
        default:
            let m = leaderCount ?? max(1, min(LemmaSupport.distinct(pair.output).count, x.count, d == 1 ? 2 : x.count))
            let c = try PartialClustering.construct(tokens: x, gamma: g ?? PartialClustering.defaultGamma, steps: steps ?? PartialClustering.defaultSteps, leaders: leaders?.indices, prepare: prepare, leaderCount: m)
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
                y = try target[n].token(option: "--target", dimension: d)
            }
            moves.append(.init(index: k, target: y))
            lines.append("x_\(i)^\(j) = p_\(k) = \(LemmaSupport.show(points[k])) → \(LemmaSupport.show(y))")
        }
        header.append("points: P = all \(points.count) distinct input values of the dataset")
        header.append("moves: " + lines.joined(separator: "; "))
        let u = try direction?.token(option: "--direction", dimension: d)
        let eps = halfWidth
        let factor = widthFactor ?? HatMove.defaultWidthFactor
        let c = try HatMove.construct(points: points, moves: moves, direction: u, halfWidth: eps, widthFactor: factor)
        return (c.parameters, HatMove.check(c, points: points))
    }
}
