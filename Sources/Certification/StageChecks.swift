import Evaluation
import ExactArithmetic
import TransformerModel

/// One exact check of a stage's claim, re-evaluated from the model file (never taken from the
/// construction's own bookkeeping).
public struct StageCheck: Sendable, Equatable {
    public enum Outcome: String, Sendable { case passed = "pass", failed = "FAIL", notApplicable = "n/a" }
    /// What a check is about: a stage of the pipeline, its output, or the whole model. The raw value
    /// is the name reports print.
    public enum Scope: String, Sendable, CustomStringConvertible {
        case separation, leaderSelection = "leader selection", collapse, output, model = "all"
        public var description: String { rawValue }
    }
    public var stage: Scope
    public var claim: String
    /// Where the claim comes from: the paper's numbering or an anchor of docs/mathematics.md.
    public var reference: String
    public var outcome: Outcome
    /// What failed (pair, value), or why the check does not apply; empty when it passed.
    public var detail: String

    public init(stage: Scope, claim: String, reference: String, outcome: Outcome, detail: String = "") {
        self.stage = stage
        self.claim = claim
        self.reference = reference
        self.outcome = outcome
        self.detail = detail
    }
}

/// The leaders of docs/mathematics.md#leader-selection as a model leaves them, read off the configuration after the collapse:
/// in each sequence the one value in the open positive orthant is the main leader p_j, the others
/// are the sphere leaders (Lemma 4.4).
public struct LeaderGeometry: Sendable, Equatable {
    /// p_j, or nil when sequence j has no value, or several, in the open positive orthant.
    public var mainLeaders: [Token?]
    /// The collapsed values of sequence j other than p_j.
    public var sphereLeaders: [[Token]]
    /// a = the smallest coordinate of a main leader: the cube (0, a)^d of docs/mathematics.md#leader-selection.
    public var cubeSide: Rational?
    /// R when every sphere leader of every sequence has |x|² = R (nil when they differ or there are none).
    public var sphereRadiusSquared: Rational?
    /// True when every main leader is on the line through 1 (all coordinates equal).
    public var mainLeadersOnDiagonal: Bool

    /// `collapsed[j]` = the distinct values of sequence j after the collapse.
    public init(collapsed: [[Token]]) {
        mainLeaders = collapsed.map { values in
            let positive = values.filter { $0.allSatisfy { $0 > .zero } }
            return positive.count == 1 ? positive[0] : nil
        }
        sphereLeaders = zip(collapsed, mainLeaders).map { values, p in values.filter { $0 != p } }
        cubeSide = mainLeaders.compactMap { $0?.min() }.min()
        let radii = Set(sphereLeaders.flatMap { $0 }.map { squaredNorm($0) })
        sphereRadiusSquared = radii.count == 1 ? radii.first : nil
        mainLeadersOnDiagonal = mainLeaders.allSatisfy { p in p.map { Set($0).count == 1 } ?? false }
    }
}

/// Exact checks of every stage of a Theorem 1.4 model on its dataset (see docs/mathematics.md#theorem-1-4).
public enum StageChecks {
    /// Evaluates `problem`'s (deduplicated) inputs exactly at the checkpoints of `StagePlan(model)`
    /// and checks every stage. Hardmax models only (the evaluation is exact).
    public static func run(model: Transformer, problem: InterpolationProblem, dataset: Dataset) throws(EvaluationError) -> [StageCheck] {
        let plan = StagePlan(model)
        let evaluator = try Evaluator<Rational>(model)
        let perSequence = parallelMap(problem.pairs.map(\.inputs)) { input -> [[Token]] in
            var current = input
            var out = [input]
            for step in plan.steps {
                for s in step.sublayers {
                    let block = evaluator.blocks[s / 2]
                    current = s % 2 == 0 ? current.map(block.feedForward.apply) : block.attention.apply(current)
                }
                out.append(current)
            }
            return out
        }
        let checkpoints = (0...plan.steps.count).map { k in perSequence.map { $0[k] } }
        return run(model: model, problem: problem, dataset: dataset, plan: plan, checkpoints: checkpoints)
    }

    /// `checkpoints[k][j]`: the tokens of `problem`'s (deduplicated) sequence j after step k − 1 of
    /// `plan` (k = 0: the input), evaluated exactly. The output check is Certification's `certify`
    /// on `dataset` as given (within `limits`), and the recorded digest.
    public static func run(model: Transformer, problem: InterpolationProblem, dataset: Dataset,
                           plan: StagePlan, checkpoints: [[[Token]]], limits: EvaluationLimits = EvaluationLimits()) -> [StageCheck] {
        var checks: [StageCheck] = []
        func distinct(_ tokens: [Token]) -> [Token] {
            var seen = Set<Token>()
            return tokens.filter { seen.insert($0).inserted }
        }
        let name = { (j: Int) in "pairs[\(problem.pairs[j].sourceIndex)]" }
        let inputCounts = problem.pairs.map(\.inputs.count)
        let outputCounts = problem.pairs.map(\.outputs.count)
        let distinctAt = { (k: Int) in problem.pairs.indices.map { distinct(checkpoints[k][$0]) } }
        let outside = "the model's stage labels do not follow separation → leader selection → collapse → interpolation"

        // docs/mathematics.md#separation, Lemma 5.1.
        if let s = plan.step(.separation) {
            let values = distinctAt(s + 1)
            checks.append(disjointness(values, name: name))
            var detail = ""
            var sets: [Set<Token>: Int] = [:]
            for (j, v) in values.enumerated() {
                if v.count != inputCounts[j] {
                    detail = "\(name(j)) holds \(v.count) distinct values, its input \(inputCounts[j])"
                    break
                }
                if let k = sets.updateValue(j, forKey: Set(v)) {
                    detail = "\(name(k)) and \(name(j)) became equal as sets"
                    break
                }
            }
            checks.append(StageCheck(stage: .separation, claim: "every sequence keeps its n^j distinct values; inputs stay distinct as sets",
                                     reference: "docs/mathematics.md#separation (b)", outcome: detail.isEmpty ? .passed : .failed, detail: detail))
        } else {
            checks.append(StageCheck(stage: .separation, claim: "different sequences share no token value",
                                     reference: "Lemma 5.1 (docs/mathematics.md#separation)", outcome: .notApplicable, detail: outside))
        }

        // docs/mathematics.md#classification: no leader moves; the collapse block shifts (FF) and
        // sends every token to one of its own sequence's values (SA). Told apart by the typed stages
        // of the blocks (a collapse without leader moves), never by the file's metadata text.
        let leaderMoves = plan.step(.leaderSelection).map { !plan.steps[$0].sublayers.isEmpty } ?? false
        if !leaderMoves, let c = plan.step(.collapse), !plan.steps[c].sublayers.isEmpty {
            let before = distinctAt(c), collapsed = distinctAt(c + 1)
            let block = plan.steps[c].sublayers.lowerBound / 2
            let ff = CompiledFeedForward<Rational>(model.blocks[block].feedForward)
            var detail = ""
            for (j, v) in collapsed.enumerated() {
                if v.count != 1 { detail = "\(name(j)) holds \(v.count) values, not one"; break }
                if !before[j].map(ff.apply).contains(v[0]) { detail = "\(name(j)): \(v[0]) is not one of its own (shifted) values"; break }
            }
            checks.append(StageCheck(stage: .collapse, claim: "each sequence collapses onto one of its own (shifted) values",
                                     reference: "docs/mathematics.md#classification, Lemmas 4.6–4.7", outcome: detail.isEmpty ? .passed : .failed, detail: detail))
        } else if let l = plan.step(.leaderSelection), let c = plan.step(.collapse), !plan.steps[c].sublayers.isEmpty {
            let placed = distinctAt(l + 1), collapsed = distinctAt(c + 1)
            checks += leaderChecks(placed: placed, collapsed: collapsed, outputCounts: outputCounts,
                                   outputs: Set(problem.pairs.flatMap(\.outputs)), name: name)
        } else {
            checks.append(StageCheck(stage: .collapse, claim: "each sequence holds exactly m^j distinct values",
                                     reference: "docs/mathematics.md#collapse, Lemma 4.4", outcome: .notApplicable,
                                     detail: plan.followsPipeline ? "the model has no collapse layer" : outside))
        }

        // docs/mathematics.md#interpolation: the output, on the dataset as given: Certification's verdict (the digest is checked
        // on its own below).
        let claim = "T(X^j) = Y^j as sets for every pair of the dataset as given"
        do {
            let report = try certify(model: model, dataset: dataset, options: CertificationOptions(method: .exactHardmax, bindingDigest: false, limits: limits))
            let failed = report.failures.map { "pairs[\($0.index)]" }
            checks.append(StageCheck(stage: .output, claim: claim, reference: "Theorem 1.4",
                                     outcome: failed.isEmpty ? .passed : .failed,
                                     detail: failed.isEmpty ? "" : "not interpolated: " + listed(failed)))
        } catch {
            checks.append(StageCheck(stage: .output, claim: claim, reference: "Theorem 1.4", outcome: .failed, detail: "\(error)"))
        }
        if let recorded = model.datasetDigest {
            let digest = dataset.digest
            checks.append(StageCheck(stage: .output, claim: "the dataset is the one the model was built for (digest)",
                                     reference: "docs/model-format.md", outcome: recorded == digest ? .passed : .failed,
                                     detail: recorded == digest ? "" : "model built for \(recorded), dataset is \(digest)"))
        }
        return checks
    }

    /// After separation every value belongs to exactly one sequence.
    static func disjointness(_ values: [[Token]], name: (Int) -> String) -> StageCheck {
        var owner: [Token: Int] = [:]
        var detail = ""
        search: for (j, v) in values.enumerated() {
            for x in v {
                if let k = owner.updateValue(j, forKey: x), k != j {
                    detail = "\(name(k)) and \(name(j)) share the value \(show(x))"
                    break search
                }
            }
        }
        return StageCheck(stage: .separation, claim: "different sequences share no token value",
                          reference: "Lemma 5.1", outcome: detail.isEmpty ? .passed : .failed, detail: detail)
    }

    static func leaderChecks(placed: [[Token]], collapsed: [[Token]], outputCounts: [Int], outputs: Set<Token>,
                             name: (Int) -> String) -> [StageCheck] {
        var checks: [StageCheck] = []
        func add(_ stage: StageCheck.Scope, _ claim: String, _ reference: String, _ detail: String) {
            checks.append(StageCheck(stage: stage, claim: claim, reference: reference,
                                     outcome: detail.isEmpty ? .passed : .failed, detail: detail))
        }
        let geometry = LeaderGeometry(collapsed: collapsed)

        var detail = ""
        var lambdas = Set<Rational>()
        for (j, p) in geometry.mainLeaders.enumerated() {
            guard let p else {
                detail = "\(name(j)) has no single collapsed value in the open positive orthant"
                break
            }
            guard Set(p).count == 1 else {
                detail = "\(name(j)): main leader \(show(p)) is not on the line through 1"
                break
            }
            guard lambdas.insert(p[0]).inserted else {
                detail = "\(name(j)): main leader \(show(p)) is shared with another sequence"
                break
            }
        }
        add(.leaderSelection, "one main leader p_j = λ_j·1 per sequence, λ_j > 0 distinct", "docs/mathematics.md#leader-selection step 2", detail)

        detail = ""
        search: for (j, leaders) in geometry.sphereLeaders.enumerated() {
            for x in leaders {
                if x.contains(where: { $0 > .zero }) || x.allSatisfy(\.isZero) {
                    detail = "\(name(j)): leader \(show(x)) is not a non-zero point of the closed negative orthant"
                    break search
                }
            }
        }
        if detail.isEmpty, geometry.sphereRadiusSquared == nil, geometry.sphereLeaders.contains(where: { !$0.isEmpty }) {
            detail = "the sphere leaders do not all have the same |x|²"
        }
        add(.leaderSelection, "the other m^j − 1 leaders lie on one sphere |x|² = R in the negative orthant",
            "docs/mathematics.md#leader-selection, Lemma 4.3", detail)

        detail = ""
        if let a = geometry.cubeSide {
            search: for (j, values) in placed.enumerated() {
                let leaders = Set(collapsed[j])
                for x in values where !leaders.contains(x) {
                    if !x.allSatisfy({ $0 > .zero && $0 < a }) {
                        detail = "\(name(j)): non-leader \(show(x)) is outside the cube (0, \(a))^d"
                        break search
                    }
                }
            }
        } else {
            detail = "no main leader, so no cube"
        }
        add(.leaderSelection, "every non-leader lies in the cube (0, a)^d, a = min_j λ_j, below its main leader",
            "docs/mathematics.md#leader-selection step 1, Lemma 4.4", detail)

        detail = ""
        search: for (j, v) in collapsed.enumerated() {
            for x in v where outputs.contains(x) && outputCounts[j] > 0 {
                detail = "\(name(j)): leader \(show(x)) is an output token"
                break search
            }
        }
        add(.leaderSelection, "leader targets are fresh: no leader is an output token", "docs/mathematics.md#leader-selection step 2", detail)
        detail = ""
        for (j, v) in collapsed.enumerated() where v.count != outputCounts[j] {
            detail = "\(name(j)) holds \(v.count) distinct values, m^j = \(outputCounts[j])"
            break
        }
        add(.collapse, "each sequence holds exactly m^j distinct values", "docs/mathematics.md#collapse, Lemma 4.4", detail)

        detail = ""
        for (j, v) in collapsed.enumerated() {
            let before = Set(placed[j])
            if let x = v.first(where: { !before.contains($0) }) {
                detail = "\(name(j)): \(show(x)) was not a value of the sequence before the collapse"
                break
            }
        }
        add(.collapse, "the collapse keeps the leaders in place and moves every other token onto one", "Lemma 4.4", detail)

        return checks
    }

    static func listed(_ names: [String]) -> String {
        names.prefix(10).joined(separator: ", ") + (names.count > 10 ? ", … (\(names.count) in all)" : "")
    }
}
