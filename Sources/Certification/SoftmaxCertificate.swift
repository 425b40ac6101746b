import Evaluation
import ExactArithmetic
import TransformerModel

/// The outcome of re-running the softmax enclosure certificate (Theorem 1.6) from a model file.
public struct SoftmaxCertificateReport: Sendable {
    /// One pair's outcome.
    public struct PairResult: Sendable, CustomStringConvertible {
        public var index: Int
        /// Every final box is an exact point and the points are Y^j as a set.
        public var certified: Bool
        /// The first token whose final box is not a point, with its largest radius.
        public var widestFinalBox: (token: Int, radius: Rational)?
        /// Output tokens missing from the final points / final points not in Y (exact points only).
        public var missing: [Token]
        public var unexpected: [Token]
        /// The first place the enclosure left the piecewise-affine structure (kink crossed, attention
        /// not resolved), and how many such places there were.
        public var firstEvent: EnclosureEvent?
        public var eventCount: Int

        public var description: String {
            if certified { return "pair \(index): certified" }
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

    public var pairs: [PairResult]
    /// τ₀: the statement covers every τ ∈ (0, τ₀] (nil for a model without softmax layers).
    public var temperature: Rational?
    /// nil when the model names no dataset; else whether the digest matches.
    public var digestMatches: Bool?
    public var modelDigest: String?
    public var datasetDigest: String

    /// True when the digest (if any) matches and every pair is certified.
    public var holds: Bool { digestMatches != false && pairs.allSatisfy(\.certified) }
    public var failures: [PairResult] { pairs.filter { !$0.certified } }
    /// Enclosure events over all pairs (0 for a construction of Theorem 1.6 that certifies).
    public var eventCount: Int { pairs.reduce(0) { $0 + $1.eventCount } }
}

/// The softmax certificate of Theorem 1.6, re-run from the model file alone (see docs/mathematics.md#enclosure-certificate).
///
/// Softmax outputs are irrational, so no exact evaluator can run the model. Instead every token is
/// enclosed in a box (exact rational centre, outward-rounded rational radii) and the model is run on
/// boxes by `EnclosureEvaluator`, which bounds every softmax weight of a key whose score gap g > 0
/// it has certified by a rational upper bound of e^{−g/τ₀} ≥ e^{−g/τ} for every τ ≤ τ₀. So one run
/// proves a statement for every τ ∈ (0, τ₀] at once: if every final box is an exact point and the
/// points are exactly Y^j as a set, then T_τ(X^j) = Y^j for all those τ. Nothing from the
/// construction is used; every decision is an exact comparison of rationals.
public enum SoftmaxCertifier {
    /// Runs the certificate for `model` on every pair of `dataset` as given, for every τ ∈ (0, τ₀]
    /// with τ₀ = `temperature` (default: the model's).
    /// `indices`: only these pairs (0-based, e.g. one shard's); nil: every pair.
    public static func certify(_ model: Transformer, on dataset: Dataset, temperature: Rational? = nil,
                               indices: [Int]? = nil) throws(EvaluationError) -> SoftmaxCertificateReport {
        guard model.dimension == dataset.dimension else {
            throw EvaluationError("the model acts on ℚ^\(model.dimension) but the dataset's dimension is \(dataset.dimension)")
        }
        let tau = temperature ?? model.temperature
        if model.usesSoftmax && tau == nil {
            throw EvaluationError("the model has no temperature τ₀: a softmax certificate is a statement for every τ ∈ (0, τ₀], give τ₀")
        }
        let evaluator = try EnclosureEvaluator(model, temperature: tau)
        let chosen = indices ?? Array(dataset.pairs.indices)
        guard chosen.allSatisfy(dataset.pairs.indices.contains) else { throw EvaluationError("a pair index is outside the dataset") }
        let runs = parallelMap(chosen) { evaluator.evaluate(points: dataset.pairs[$0].input) }
        let pairs = chosen.indices.map { n -> SoftmaxCertificateReport.PairResult in
            let j = chosen[n]
            let run = runs[n]
            let wide = run.boxes.firstIndex { !$0.isPoint }.map { ($0, run.boxes[$0].largestRadius) }
            var missing: [Token] = [], unexpected: [Token] = []
            if wide == nil {
                let got = Set(run.boxes.map(\.centre)), want = Set(dataset.pairs[j].output)
                missing = Array(want.subtracting(got))
                unexpected = Array(got.subtracting(want))
            }
            return .init(index: j, certified: wide == nil && missing.isEmpty && unexpected.isEmpty,
                         widestFinalBox: wide, missing: missing, unexpected: unexpected,
                         firstEvent: run.events.first, eventCount: run.eventCount)
        }
        let digest = dataset.digest
        return SoftmaxCertificateReport(pairs: pairs, temperature: tau, digestMatches: model.datasetDigest.map { $0 == digest },
                                        modelDigest: model.datasetDigest, datasetDigest: digest)
    }
}
