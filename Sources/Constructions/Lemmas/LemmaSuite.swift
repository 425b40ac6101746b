import Evaluation
import ExactArithmetic
import TransformerModel

/// One row of `LemmaSuite.run`: one lemma applied to one sequence with deterministic choices.
public struct LemmaSuiteRow: Sendable, Equatable {
    /// The outcome of one row.
    public enum Status: String, Sendable {
        case holds
        case fails
        /// The lemma's hypotheses cannot be met for this sequence by any choice (e.g. a token at the
        /// origin for Lemma 4.1, or more than two tokens on a sphere of ℚ¹).
        case notApplicable = "n/a"
    }

    /// "4.1" … "4.8", "4.8 multi".
    public var lemma: String
    /// j: the input sequence X^j.
    public var sequence: Int
    public var status: Status
    /// The instance: what was chosen.
    public var instance: String
    /// Why it fails or does not apply.
    public var reason: String?
}

/// Runs every lemma on every input sequence of a dataset with fixed, deterministic choices (the
/// `lemmas` command). Each row is an exact check; the suite holds when no row fails.
///
/// Choices for the input X^j (its distinct tokens, in first-occurrence order), m^j its number of
/// distinct outputs:
/// - 4.1: the default w (moment curve, distinct non-zero projections), γ = 1/2, T = 3.
/// - 4.2: orthant preparation lifting token 0, γ = 1/2, T = 3.
/// - 4.3: the sphere image of X^j on |x| = 1, γ = 1/2, T = 2.
/// - 4.4: orthant preparation with the first min(m^j, n^j) tokens as leaders, γ = 1, T = 1.
/// - 4.5: every token, with its checked LP witness.
/// - 4.6, 4.7: the first extreme token of X^j, against all input sequences; β = 1.
/// - 4.8: P = all distinct input values; one hat moving token 0 of X^j to y^j_0; "4.8 multi": one FF
///   moving every token t of X^j to y^j_{t mod m^j}.
public enum LemmaSuite {
    /// All rows, lemma-major within each sequence, sequences in order.
    public static func run(_ dataset: Dataset) -> [LemmaSuiteRow] {
        let sequences = dataset.pairs.map { LemmaSupport.distinct($0.input) }
        let outputs = dataset.pairs.map { LemmaSupport.distinct($0.output) }
        let points = LemmaSupport.distinct(sequences.flatMap { $0 })
        let d = dataset.dimension
        var pointIndex: [Token: Int] = [:]
        for (k, p) in points.enumerated() { pointIndex[p] = k }
        // Computed once for the dataset, not once per sequence (they depend on all the values only):
        // the separating directions of Lemmas 4.6/4.7 and 4.8 made `lemmas` cubic in N.
        let shared = UniqueLeaders.Shared(sequences: sequences, dimension: d)
        let separating = GenericDirection.separatingAll(points, dimension: d)
        let perSequence = parallelMap(Array(sequences.indices)) { [pointIndex] j in
            rows(for: j, sequences: sequences, outputs: outputs[j], points: points, pointIndex: pointIndex, dimension: d,
                 shared: shared, separating: separating)
        }
        return perSequence.flatMap { $0 }
    }

    /// "1 token", "3 tokens".
    static func count(_ n: Int, _ noun: String) -> String { "\(n) \(noun)\(n == 1 ? "" : "s")" }

    static func row(_ lemma: String, _ j: Int, _ instance: String, _ check: LemmaCheck) -> LemmaSuiteRow {
        LemmaSuiteRow(lemma: lemma, sequence: j, status: check.holds ? .holds : .fails, instance: instance, reason: check.failure)
    }

    static func errorRow(_ lemma: String, _ j: Int, _ instance: String, _ error: LemmaError) -> LemmaSuiteRow {
        LemmaSuiteRow(lemma: lemma, sequence: j, status: .fails, instance: instance, reason: error.description)
    }

    static func rows(for j: Int, sequences: [[Token]], outputs: [Token], points: [Token], pointIndex: [Token: Int], dimension d: Int,
                     shared: UniqueLeaders.Shared, separating: Token) -> [LemmaSuiteRow] {
        let x = sequences[j]
        let n = x.count
        var out: [LemmaSuiteRow] = []

        // 4.1
        if let zero = x.firstIndex(where: { $0.allSatisfy(\.isZero) }) {
            out.append(LemmaSuiteRow(lemma: "4.1", sequence: j, status: .notApplicable, instance: "—",
                                     reason: "x_\(zero) = 0, so ⟨w, x_\(zero)⟩ = 0 for every w"))
        } else {
            do {
                let c = try RankOneClustering.construct(tokens: x, gamma: RankOneClustering.defaultGamma, steps: RankOneClustering.defaultSteps)
                let check = RankOneClustering.check(c, tokens: x)
                let plus = x.filter { Rational.dot(c.direction, $0) > .zero }.count
                out.append(row("4.1", j, "w = \(LemmaSupport.show(c.direction)), γ = 1/2, T = 3: \(plus) → x₊, \(n - plus) → x₋", check))
            } catch { out.append(errorRow("4.1", j, "γ = 1/2", error)) }
        }

        // 4.2
        do {
            let c = try FullClustering.construct(tokens: x, gamma: FullClustering.defaultGamma, steps: FullClustering.defaultSteps, prepare: true, leader: 0)
            out.append(row("4.2", j, "prepared (shift \(c.preparation?.shift.description ?? "?")·1, x_0 → \(c.preparation.map { LemmaSupport.show($0.targets[0]) } ?? "?")), γ = 1/2, T = 3: \(n) → x_ℓ", FullClustering.check(c, tokens: x)))
        } catch { out.append(errorRow("4.2", j, "prepared", error)) }

        // 4.3
        if d == 1 && n > 2 {
            out.append(LemmaSuiteRow(lemma: "4.3", sequence: j, status: .notApplicable, instance: "—",
                                     reason: "a sphere of ℚ¹ has two points, X^\(j) has \(n) distinct tokens"))
        } else {
            do {
                let c = try NoClustering.construct(tokens: x, gamma: NoClustering.defaultGamma, steps: NoClustering.defaultSteps, projectOntoRadius: NoClustering.defaultRadius)
                out.append(row("4.3", j, "\(count(n, "sphere point")) (|x| = 1, inverse stereographic), γ = 1/2, T = 2: no token moves", NoClustering.check(c)))
            } catch { out.append(errorRow("4.3", j, "sphere image", error)) }
        }

        // 4.4
        let m = max(1, min(outputs.count, n, d == 1 ? 2 : n))
        do {
            let c = try PartialClustering.construct(tokens: x, gamma: PartialClustering.defaultGamma, steps: PartialClustering.defaultSteps, prepare: true, leaderCount: m)
            out.append(row("4.4", j, "prepared, m = \(m) leader\(m == 1 ? " (x_0)" : "s (x_0…x_\(m - 1))"), γ = 1: \(count(n, "token")) → \(count(m, "value"))", PartialClustering.check(c, tokens: x)))
        } catch { out.append(errorRow("4.4", j, "prepared, m = \(m)", error)) }

        // 4.5
        var extremeIndices: [Int] = []
        var interior = 0
        var skipped: [Int] = []
        var failure: String? = nil
        for i in x.indices {
            if x[i].allSatisfy(\.isZero) { skipped.append(i); continue }
            do {
                let c = try LeaderExtremePoint.construct(tokens: x, index: i)
                let check = LeaderExtremePoint.check(c, tokens: x)
                if let f = check.failure { failure = failure ?? "token \(i): \(f)" }
                if c.witness.isExtreme { extremeIndices.append(i) } else { interior += 1 }
            } catch { failure = failure ?? "token \(i): \(error)" }
        }
        let skipNote = skipped.isEmpty ? "" : " (x_\(skipped[0]) = 0 skipped: hypothesis x_i ≠ 0)"
        out.append(LemmaSuiteRow(lemma: "4.5", sequence: j, status: failure == nil ? .holds : .fails,
                                 instance: "\(n == 1 ? "the only token" : "all \(n) tokens"): \(extremeIndices.count) extreme (leaders via A = x_i wᵀ/|x_i|²), \(interior) not (convex combinations)\(skipNote)",
                                 reason: failure))

        // 4.6 and 4.7: the first extreme token (any token, even the origin, may be extreme).
        var first: Int? = extremeIndices.first
        if first == nil, let z = skipped.first, (try? LeaderExtremePoint.construct(tokens: x, index: z).witness.isExtreme) == true { first = z }
        if let i = first {
            var unique: UniqueLeaders.Construction? = nil
            do {
                let c = try UniqueLeaders.construct(sequences: sequences, sequence: j, index: i, shared: shared)
                unique = c
                out.append(row("4.6", j, "i = \(i), w = \(c.direction.map(LemmaSupport.show) ?? "—") (δ = \(c.delta)): a unique leader in all \(sequences.count) sequences", UniqueLeaders.check(c, sequences: sequences)))
            } catch { out.append(errorRow("4.6", j, "i = \(i)", error)) }
            do {
                let c = try LeaderAlignment.construct(sequences: sequences, sequence: j, index: i, unique: unique)
                out.append(row("4.7", j, "i = \(i), c = \(c.coefficient), β = 1: every token attends to its sequence's leader", LeaderAlignment.check(c, sequences: sequences)))
            } catch { out.append(errorRow("4.7", j, "i = \(i)", error)) }
        } else {
            for lemma in ["4.6", "4.7"] {
                out.append(LemmaSuiteRow(lemma: lemma, sequence: j, status: .fails, instance: "—", reason: "no extreme token found in X^\(j)"))
            }
        }

        // 4.8: single hat and multi-hat among all distinct input values.
        if let y0 = outputs.first, let p = pointIndex[x[0]] {
            do {
                let c = try HatMove.construct(points: points, moves: [.init(index: p, target: y0)], separating: separating)
                out.append(row("4.8", j, "x_0 = p_\(p) → y_0 = \(LemmaSupport.show(y0)) among \(points.count) points", HatMove.check(c, points: points)))
            } catch { out.append(errorRow("4.8", j, "single hat", error)) }
            var moves: [HatMove.Move] = []
            for (t, token) in x.enumerated() {
                if let k = pointIndex[token] { moves.append(.init(index: k, target: outputs[t % outputs.count])) }
            }
            do {
                let c = try HatMove.construct(points: points, moves: moves, separating: separating)
                out.append(row("4.8 multi", j, "\(count(moves.count, "hat")) (width \(c.layer.width)): x_t → y_(t mod \(outputs.count)) among \(points.count) points", HatMove.check(c, points: points)))
            } catch { out.append(errorRow("4.8 multi", j, "\(moves.count) hats", error)) }
        }
        return out
    }
}

// MARK: - Defaults

// The parameters a lemma uses when none are given: the suite's rows and `exact-interp lemma` read
// them from here, so the two never disagree.

extension RankOneClustering {
    /// γ = 1/2 and T = 3 steps.
    public static let defaultGamma = Rational(1) / Rational(2)
    public static let defaultSteps = 3
}

extension FullClustering {
    /// γ = 1/2 and T = 3 steps.
    public static let defaultGamma = Rational(1) / Rational(2)
    public static let defaultSteps = 3
}

extension NoClustering {
    /// γ = 1/2, T = 2 steps, and the unit sphere for the projected form.
    public static let defaultGamma = Rational(1) / Rational(2)
    public static let defaultSteps = 2
    public static let defaultRadius = Rational.one
}

extension PartialClustering {
    /// γ = 1 and T = 1 step.
    public static let defaultGamma = Rational.one
    public static let defaultSteps = 1
}

extension LeaderAlignment {
    /// β = 1.
    public static let defaultBeta = Rational.one
}

extension HatMove {
    /// The default half-widths are scaled by 1.
    public static let defaultWidthFactor = Rational.one
}
