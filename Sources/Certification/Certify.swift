import Evaluation
import ExactArithmetic
import TransformerModel

/// Why a model cannot be judged on a dataset at all (invalid input, not a failed property).
public enum CertificationError: Error, CustomStringConvertible, Sendable {
    /// The model acts on ℚ^model, the dataset's tokens are in ℚ^dataset.
    case dimensionMismatch(model: Int, dataset: Int)
    /// The model records the digest of the dataset it was built for, and this is another one.
    case digestMismatch(model: String, dataset: String)
    /// A softmax model with no τ₀ and none given.
    case missingTemperature
    /// The model cannot be evaluated (a bad temperature, a layer the evaluator rejects).
    case evaluation(EvaluationError)

    public var description: String {
        switch self {
        case .dimensionMismatch(let m, let d):
            return "the model acts on ℚ^\(m) but the dataset's dimension is \(d)"
        case .digestMismatch(let m, let d):
            return "the model was built for the dataset with digest \(m), but this dataset has digest \(d): not the same dataset"
        case .missingTemperature:
            return "the model has no temperature τ₀: a softmax certificate is a statement for every τ ∈ (0, τ₀], give τ₀"
        case .evaluation(let e):
            return e.description
        }
    }
}

/// The verdict on a model and a dataset, whichever way it was reached.
public struct CertificationReport: Sendable {
    /// How the verdict was reached.
    public enum Method: Sendable, Equatable {
        /// Exact rational evaluation of a hardmax model (Theorem 1.4; see docs/mathematics.md#exactness).
        case exactHardmax
        /// The enclosure certificate for every τ ∈ (0, τ₀] (Theorem 1.6; see
        /// docs/mathematics.md#enclosure-certificate).
        case enclosure
    }

    /// One pair's outcome.
    public struct PairResult: Sendable, CustomStringConvertible {
        public var index: Int
        /// T(X^j) = Y^j as sets (for the enclosure: every final box is an exact point and the
        /// points are Y^j as a set).
        public var holds: Bool
        /// Output tokens T(X) misses / tokens of T(X) not in Y (exact points only), sorted.
        public var missing: [Token]
        public var unexpected: [Token]
        /// Enclosure only: the first token whose final box is not a point, with its largest radius.
        public var widestFinalBox: (token: Int, radius: Rational)?
        /// Enclosure only: the first place the enclosure left the piecewise-affine structure (kink
        /// crossed, attention not resolved), and how many such places there were.
        public var firstEvent: EnclosureEvent?
        public var eventCount: Int
        /// Enclosure only: the run stopped at its first event (`Certifier.Mode.stopAtFirstFailure`).
        public var stopped: Bool


        public var description: String {
            if holds { return "pair \(index): certified" }
            if stopped, let firstEvent { return "pair \(index): \(firstEvent)" }
            var parts: [String] = []
            if let (token, radius) = widestFinalBox {
                parts.append("token \(token) ends in a box of radius \(radius), not an exact point")
            } else {
                parts.append("the final points are not the output set (\(missing.count) outputs missing, \(unexpected.count) unexpected points)")
            }
            if let firstEvent { parts.append("first failure: \(firstEvent)" + (eventCount > 1 ? " (\(eventCount) such events)" : "")) }
            return "pair \(index): " + parts.joined(separator: "; ")
        }
    }

    public var method: Method
    public var pairs: [PairResult]
    /// τ₀ of an enclosure certificate: the statement covers every τ ∈ (0, τ₀] (nil for exact
    /// hardmax evaluation, and for an enclosure of a model without softmax layers).
    public var temperature: Rational?
    /// nil when the model names no dataset; true when its digest matches (a mismatch is
    /// `CertificationError.digestMismatch`, never a report).
    public var digestMatches: Bool?
    public var datasetDigest: String

    /// True when every pair holds.
    public var holds: Bool { pairs.allSatisfy(\.holds) }
    public var failures: [PairResult] { pairs.filter { !$0.holds } }
    /// The first failing pair, or nil when the verdict holds.
    public var firstFailure: PairResult? { pairs.first { !$0.holds } }
    /// Enclosure events over all pairs (0 for a construction of Theorem 1.6 that certifies).
    public var eventCount: Int { pairs.reduce(0) { $0 + $1.eventCount } }
}

/// The one judge: every verdict on a model and a dataset is computed here, from the model file
/// alone. Nothing from a construction is used, and this module cannot import construction code
/// (Constructions sits above it in Package.swift).
public enum Certifier {
    /// `complete` runs every pair to its end (what `verify` prints). `stopAtFirstFailure` stops
    /// each enclosure run at its first event and counts the event as a failure, and runs the pairs in
    /// groups of `failureGroupSize`, in order, up to the first group with a failure (later pairs are
    /// not in the report): cheaper, it accepts only what `complete` accepts, and its first failing
    /// pair does not depend on the machine (the τ₀ search).
    public enum Mode: Sendable { case complete, stopAtFirstFailure }

    /// Pairs per group in `stopAtFirstFailure` mode: a constant, so that reports do not depend on
    /// the number of cores.
    public static let failureGroupSize = 16
}


/// How `certify` judges (every field has the default of a plain verification).
public struct CertificationOptions: Sendable {
    /// Softmax: certify every τ ∈ (0, τ] instead of the model's τ₀.
    public var temperature: Rational?
    /// Exact hardmax evaluation or the enclosure certificate; nil: by the model's attention.
    public var method: CertificationReport.Method?
    /// `.stopAtFirstFailure` for the τ₀ search (accepts only what `.complete` accepts).
    public var mode: Certifier.Mode
    /// False: the model's recorded dataset digest is not compared (the stage checks' own runs).
    public var bindingDigest: Bool
    /// Only these pairs (a shard); nil: every pair.
    public var indices: [Int]?
    /// Counts the work of exact evaluation, for progress reports.
    public var meter: WorkMeter?
    /// The resource limit of exact evaluation (`--max-bits`): an evaluation that passes it makes
    /// `certify` throw `CertificationError.evaluation` with an `overrun`, never judge partial outputs.
    public var limits: EvaluationLimits
    /// Exact hardmax evaluation: every sign in ℚ (`.exact`, the default) or the float64 filter
    /// first with exact fallback (`.float64Filter`, `verify --float-filter`); the verdict is the same.
    public var signs: SignDecisions
    /// Pairs done of the total, for progress lines.
    public var progress: (@Sendable (Int, Int) -> Void)?

    public init(temperature: Rational? = nil, method: CertificationReport.Method? = nil, mode: Certifier.Mode = .complete,
                bindingDigest: Bool = true, indices: [Int]? = nil, meter: WorkMeter? = nil,
                limits: EvaluationLimits = EvaluationLimits(), signs: SignDecisions = .exact,
                progress: (@Sendable (Int, Int) -> Void)? = nil) {
        self.temperature = temperature
        self.method = method
        self.mode = mode
        self.bindingDigest = bindingDigest
        self.indices = indices
        self.meter = meter
        self.limits = limits
        self.signs = signs
        self.progress = progress
    }
}

/// Judges `model` on every pair of `dataset` as given.
///
/// Checks once that the dimensions agree and, when the model records a dataset digest, that it is
/// this dataset's. Then picks the method: exact rational evaluation for a model without softmax
/// layers (T(X^j) = Y^j as sets, see docs/mathematics.md#theorem-1-4), the enclosure certificate
/// for a softmax model, at τ₀ = `options.temperature` or the model's (a statement for every
/// τ ∈ (0, τ₀], see docs/mathematics.md#enclosure-certificate). `options` (`CertificationOptions`)
/// can force the method (the enclosure runs on hardmax models too: on exact points it is exact
/// evaluation, an independent cross-check), stop at the first failure (the τ₀ search), skip the
/// digest check (running a model on another dataset: the report then says nothing about the
/// digest), judge only some pairs (a shard, docs/scaling.md), and carry a meter and a progress
/// callback (called after each pair of an exact evaluation, from worker threads, serialised).
/// When an exact evaluation stopped at the resource limit (`--max-bits`) the error is thrown, never
/// an incomplete verdict.
public func certify(model: Transformer, dataset: Dataset,
                    options: CertificationOptions = CertificationOptions()) throws(CertificationError) -> CertificationReport {
    guard model.dimension == dataset.dimension else {
        throw .dimensionMismatch(model: model.dimension, dataset: dataset.dimension)
    }
    let chosenPairs = options.indices ?? Array(dataset.pairs.indices)
    guard chosenPairs.allSatisfy(dataset.pairs.indices.contains) else {
        throw .evaluation(EvaluationError("a pair index is outside the dataset"))
    }
    let digest = dataset.digest
    if options.bindingDigest, let recorded = model.datasetDigest, recorded != digest {
        throw .digestMismatch(model: recorded, dataset: digest)
    }
    let chosen = options.method ?? (model.usesSoftmax ? .enclosure : .exactHardmax)
    var report: CertificationReport
    switch chosen {
    case .exactHardmax:
        report = try exactReport(model, dataset, chosenPairs, meter: options.meter, limits: options.limits, signs: options.signs,
                                 progress: options.progress)
    case .enclosure:
        report = try enclosureReport(model, dataset, chosenPairs, temperature: options.temperature ?? model.temperature, mode: options.mode)
    }
    report.digestMatches = options.bindingDigest ? model.datasetDigest.map { _ in true } : nil
    report.datasetDigest = digest
    return report
}

func exactReport(_ model: Transformer, _ dataset: Dataset, _ chosen: [Int], meter: WorkMeter?, limits: EvaluationLimits,
                 signs: SignDecisions, progress: (@Sendable (Int, Int) -> Void)?) throws(CertificationError) -> CertificationReport {
    let inputs = chosen.map { dataset.pairs[$0].input }
    // Each pair is judged as soon as its output is computed: only the verdicts are kept, not
    // T(X^j) of every pair at once (Σn vectors on a corpus).
    let pairs: [CertificationReport.PairResult]
    do {
        var evaluator = try Evaluator<Rational>(model, limits: limits, signs: signs)
        evaluator.meter = meter
        let total = inputs.count
        var done: (@Sendable (Int) -> Void)? = nil
        if let progress { done = { progress($0, total) } }
        let judge: @Sendable (Int, [Token]) -> CertificationReport.PairResult = { n, output in
            let j = chosen[n]
            let want = dataset.pairs[j].output
            let (missing, unexpected) = setDifference(got: output, want: want)
            return CertificationReport.PairResult(index: j, holds: interpolates(output, want), missing: missing, unexpected: unexpected,
                                                  widestFinalBox: nil, firstEvent: nil, eventCount: 0, stopped: false)
        }
        pairs = try evaluator.evaluateAll(inputs, progress: done, reduce: judge)
    } catch { throw .evaluation(error) }
    return CertificationReport(method: .exactHardmax, pairs: pairs, temperature: nil, digestMatches: nil, datasetDigest: "")
}

/// T(X^j) of every input in ℚ (in parallel), with a meter and a progress callback (done, total).
func exactOutputs(_ model: Transformer, _ inputs: [[Token]], meter: WorkMeter?, limits: EvaluationLimits,
                  signs: SignDecisions = .exact, progress: (@Sendable (Int, Int) -> Void)?) throws(EvaluationError) -> [[Token]] {
    var evaluator = try Evaluator<Rational>(model, limits: limits, signs: signs)
    evaluator.meter = meter
    let total = inputs.count
    if let progress { return try evaluator.evaluateAll(inputs) { progress($0, total) } }
    return try evaluator.evaluateAll(inputs)
}

/// The softmax certificate of Theorem 1.6 from the model file alone.
///
/// Softmax outputs are irrational, so no exact evaluator can run the model. Instead every token is
/// enclosed in a box (exact rational centre, outward-rounded rational radii) and the model is run on
/// boxes by `EnclosureEvaluator`, which bounds every softmax weight of a key whose score gap g > 0
/// it has certified by a rational upper bound of e^{−g/τ₀} ≥ e^{−g/τ} for every τ ≤ τ₀. So one run
/// proves a statement for every τ ∈ (0, τ₀] at once: if every final box is an exact point and the
/// points are exactly Y^j as a set, then T_τ(X^j) = Y^j for all those τ. Every decision is an exact
/// comparison of rationals.
func enclosureReport(_ model: Transformer, _ dataset: Dataset, _ chosen: [Int], temperature tau: Rational?,
                     mode: Certifier.Mode) throws(CertificationError) -> CertificationReport {
    if model.usesSoftmax && tau == nil { throw .missingTemperature }
    let evaluator: EnclosureEvaluator
    do { evaluator = try EnclosureEvaluator(model, temperature: tau) } catch { throw .evaluation(error) }
    let stopEarly = mode == .stopAtFirstFailure
    // Stopping at the first failure: pairs in groups of a fixed size, in order, up to the first group
    // with a failure (so the first failing pair is the same on any machine).
    let groupSize = stopEarly ? Certifier.failureGroupSize : max(chosen.count, 1)
    var pairs: [CertificationReport.PairResult] = []
    for start in stride(from: 0, to: chosen.count, by: groupSize) {
        let group = Array(chosen[start..<min(start + groupSize, chosen.count)])
        let runs = parallelMap(group) { evaluator.evaluateTiered(points: dataset.pairs[$0].input, stopAtFirstEvent: stopEarly) }
        let results = group.indices.map { n in pairResult(group[n], runs[n], dataset) }
        pairs += results
        if stopEarly && results.contains(where: { !$0.holds }) { break }
    }
    return CertificationReport(method: .enclosure, pairs: pairs, temperature: tau, digestMatches: nil, datasetDigest: "")
}

/// The verdict on pair j from its enclosure run.
private func pairResult(_ j: Int, _ run: EnclosureEvaluator.Run, _ dataset: Dataset) -> CertificationReport.PairResult {
    let wide = run.stopped ? nil : run.boxes.firstIndex { !$0.isPoint }.map { ($0, run.boxes[$0].largestRadius) }
    var missing: [Token] = [], unexpected: [Token] = []
    var holds = false
    if !run.stopped && wide == nil {
        let centres = run.boxes.map(\.centre)
        (missing, unexpected) = setDifference(got: centres, want: dataset.pairs[j].output)
        holds = interpolates(centres, dataset.pairs[j].output)
    }
    return .init(index: j, holds: holds, missing: missing, unexpected: unexpected, widestFinalBox: wide,
                 firstEvent: run.events.first, eventCount: run.eventCount, stopped: run.stopped)
}
