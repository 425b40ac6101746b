import Certification
import ExactArithmetic
import TransformerModel

/// The search for τ₀ (see docs/mathematics.md#enclosure-certificate): halve τ from a start value until the enclosure
/// certificate holds, with a bounded number of tries.
///
/// A try at τ runs the enclosure evaluator with weights bounded for every τ′ ∈ (0, τ] on every pair
/// and accepts when every final box is an exact point and the points are the outputs as a set. The
/// search stops a run at its first enclosure event (a box crossing a kink, or attention it cannot
/// resolve): such a run rarely ends in exact points, and stopping early keeps failed tries cheap.
/// Each try is Certification's `certify` in its stop-at-first-failure mode; the certificate that
/// `verify` re-runs never stops early, so whatever this search accepts, it accepts too.
public struct TemperatureSearch: Sendable {
    /// The first τ tried; nil: `automaticStart` from the model's score gaps.
    public var start: Rational?
    /// At most this many tries: start, start/2, …, start/2^(tries − 1).
    public var maximumTries: Int

    public init(start: Rational? = nil, maximumTries: Int = 64) {
        self.start = start
        self.maximumTries = maximumTries
    }

    /// The default first τ: the largest power of two ≤ min(1, 4g), g the smallest gap between a
    /// token's top attention score and its runner-up along the hardmax trajectory (the centres of
    /// the boxes). Off-leader weights are about e^{−g/τ}, so the certificate needs τ a modest
    /// factor below g: starting near g saves the tries from 1 down to there, which are sure to fail
    /// when g is small (many leaders on one sphere make g tiny).
    public static func automaticStart(smallestScoreGap g: Rational?) -> Rational {
        guard let g, g > .zero else { return .one }
        var tau = Rational.one
        let bound = min(.one, Rational(4) * g)
        while tau > bound { tau = tau / Rational(2) }
        return tau
    }

    /// One try.
    public struct Attempt: Sendable {
        public var temperature: Rational
        /// nil when the certificate holds at this temperature.
        public var failure: String?
        public var certified: Bool { failure == nil }
    }

    /// Tries τ = start, start/2, … until one certifies `model` on `pairs`; returns every attempt
    /// (the last one certified, unless the tries ran out).
    public func run(_ model: Transformer, on pairs: [SequencePair], smallestScoreGap: Rational? = nil,
                    progress: (String) -> Void = { _ in }) -> [Attempt] {
        var attempts: [Attempt] = []
        var tau = start ?? TemperatureSearch.automaticStart(smallestScoreGap: smallestScoreGap)
        for _ in 0..<max(maximumTries, 0) {
            let failure = TemperatureSearch.failure(of: model, at: tau, on: pairs)
            attempts.append(Attempt(temperature: tau, failure: failure))
            if failure == nil {
                progress("τ = \(tau): certified")
                break
            }
            progress("τ = \(tau): not certified (\(failure ?? ""))")
            tau = tau / Rational(2)
        }
        return attempts
    }

    /// Why the enclosure certificate fails at `tau` (first failing pair), or nil when it holds:
    /// Certification's verdict in its stop-at-first-failure mode.
    public static func failure(of model: Transformer, at tau: Rational, on pairs: [SequencePair]) -> String? {
        var unbound = model
        unbound.datasetDigest = nil
        let data = Dataset(dimension: model.dimension, pairs: pairs)
        do {
            let report = try certify(model: unbound, dataset: data,
                                     options: CertificationOptions(temperature: tau, method: .enclosure, mode: .stopAtFirstFailure))
            return report.firstFailure?.description
        } catch {
            return error.description
        }
    }
}
