import Evaluation
import ExactArithmetic
import TransformerModel

/// A training loss computed rigorously (see docs/trained-models.md#certified-losses): exact for a
/// hardmax model, a rational interval that contains the true value for a softmax model at its τ.
public enum CertifiedLoss {
    /// Which loss.
    public enum Kind: String, Sendable, CaseIterable {
        /// The Hausdorff distance between the output set T(X) and the target set Y.
        case hausdorff
        /// Its square; with a one-token target y it is max_i ‖T(X)_i − y‖², the training loss of
        /// the paper's Section 2 experiments.
        case hausdorffSquared = "hausdorff-squared"
        /// (1/(n·d)) Σ_i ‖T(X)_i − y_i‖², position by position (nn.MSELoss): outputs as long as inputs.
        case meanSquared = "mean-squared"
    }

    /// The loss of every pair and their mean.
    public struct Report: Sendable {
        public var kind: Kind
        /// Per pair, in dataset order.
        public var pairs: [RationalInterval]
        /// (1/N) Σ_j loss_j.
        public var mean: RationalInterval
        /// True when every interval is a point (hardmax models: the loss is exact).
        public var isExact: Bool { pairs.allSatisfy(\.isPoint) }
    }

    /// Computes `kind` for every pair of `dataset` (as given, repeats included). `temperature`
    /// overrides a softmax model's τ; `significantBits` sets the rigorous evaluation's precision.
    public static func compute(model: Transformer, dataset: Dataset, kind: Kind, temperature: Rational? = nil,
                               significantBits: Int = 128) throws(CertificationError) -> Report {
        guard model.dimension == dataset.dimension else {
            throw .dimensionMismatch(model: model.dimension, dataset: dataset.dimension)
        }
        let inputs = dataset.pairs.map(\.input)
        let outputs: [[[RationalInterval]]]
        // Hardmax losses are exact rationals: nothing is rounded.
        let exact = !model.usesSoftmax
        do {
            if model.usesSoftmax {
                outputs = try RigorousEvaluator(model, temperature: temperature, significantBits: significantBits).evaluateAll(inputs)
            } else {
                outputs = try Evaluator<Rational>(model).evaluateAll(inputs).map { $0.map { $0.map(RationalInterval.init) } }
            }
        } catch { throw .evaluation(error) }
        var losses: [RationalInterval] = []
        for (j, pair) in dataset.pairs.enumerated() {
            let loss: RationalInterval
            switch kind {
            case .hausdorff: loss = hausdorffSquared(outputs[j], pair.output).squareRoot(significantBits: significantBits)
            case .hausdorffSquared: loss = hausdorffSquared(outputs[j], pair.output)
            case .meanSquared:
                guard pair.output.count == outputs[j].count else {
                    throw .evaluation(EvaluationError("pairs[\(j)]: mean-squared compares position by position, but the output has \(pair.output.count) tokens and the input \(outputs[j].count)"))
                }
                var sum = RationalInterval.zero
                for (x, y) in zip(outputs[j], pair.output) { sum = sum + squaredDistance(x, y) }
                loss = sum * (Rational.one / Rational(max(1, pair.output.count * dataset.dimension)))
            }
            losses.append(exact ? loss : loss.rounded(significantBits: significantBits))
        }
        let total = losses.reduce(RationalInterval.zero, +)
        let mean = total * (Rational.one / Rational(max(1, losses.count)))
        return Report(kind: kind, pairs: losses, mean: exact ? mean : mean.rounded(significantBits: significantBits))
    }

    /// ‖x − y‖² for a box x and an exact y.
    static func squaredDistance(_ x: [RationalInterval], _ y: Token) -> RationalInterval {
        var sum = RationalInterval.zero
        for (a, b) in zip(x, y) { sum = sum + (a - RationalInterval(b)).squared }
        return sum
    }

    /// d_H(A, B)² = max(max_a min_b ‖a − b‖², max_b min_a ‖a − b‖²): min and max are monotone, so
    /// they act on interval endpoints.
    static func hausdorffSquared(_ a: [[RationalInterval]], _ b: [Token]) -> RationalInterval {
        guard !a.isEmpty, !b.isEmpty else { return .zero }
        let d = a.map { x in b.map { squaredDistance(x, $0) } }
        func minimum(_ list: [RationalInterval]) -> RationalInterval {
            RationalInterval(lo: list.map(\.lo).min() ?? .zero, hi: list.map(\.hi).min() ?? .zero)
        }
        func maximum(_ list: [RationalInterval]) -> RationalInterval {
            RationalInterval(lo: list.map(\.lo).max() ?? .zero, hi: list.map(\.hi).max() ?? .zero)
        }
        let forward = maximum(d.map(minimum))
        let backward = maximum(b.indices.map { k in minimum(d.map { $0[k] }) })
        return maximum([forward, backward])
    }
}
