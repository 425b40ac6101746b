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
        /// (1/n) Σ_i ‖T(X)_i − y_i‖², position by position (targets as long as inputs): the loss of
        /// the Python package's Example 2.2 training; nn.MSELoss divides it further by d.
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
                               significantBits: Int = 128, limits: EvaluationLimits = EvaluationLimits()) throws(CertificationError) -> Report {
        let out = try outputs(model: model, dataset: dataset, temperature: temperature, significantBits: significantBits, limits: limits)
        return try compute(kind: kind, outputs: out, dataset: dataset, exact: !model.usesSoftmax, significantBits: significantBits)
    }

    /// T(X) for every pair of `dataset`: exact points for a hardmax model, rigorous intervals at τ
    /// for a softmax one. `limits` bounds the exact evaluation (an overrun throws).
    public static func outputs(model: Transformer, dataset: Dataset, temperature: Rational? = nil,
                               significantBits: Int = 128, limits: EvaluationLimits = EvaluationLimits()) throws(CertificationError) -> [[[RationalInterval]]] {
        guard model.dimension == dataset.dimension else {
            throw .dimensionMismatch(model: model.dimension, dataset: dataset.dimension)
        }
        let inputs = dataset.pairs.map(\.input)
        do {
            if model.usesSoftmax {
                return try RigorousEvaluator(model, temperature: temperature, significantBits: significantBits).evaluateAll(inputs)
            }
            // An evaluation stopped at the resource limit has no outputs to judge: an error, not a loss.
            let exact = try Evaluator<Rational>(model, limits: limits).evaluateAll(inputs)
            return exact.map { $0.map { $0.map(RationalInterval.init) } }
        } catch { throw .evaluation(error) }
    }

    /// `kind` from outputs already enclosed; `exact` (hardmax outputs): nothing is rounded.
    public static func compute(kind: Kind, outputs: [[[RationalInterval]]], dataset: Dataset, exact: Bool,
                               significantBits: Int = 128) throws(CertificationError) -> Report {
        var losses: [RationalInterval] = []
        for (j, pair) in dataset.pairs.enumerated() {
            let loss: RationalInterval
            switch kind {
            case .hausdorff: loss = hausdorffSquared(outputs[j], pair.output).squareRoot(significantBits: significantBits)
            case .hausdorffSquared: loss = hausdorffSquared(outputs[j], pair.output)
            case .meanSquared:
                guard pair.output.count == outputs[j].count else {
                    throw .evaluation(EvaluationError("pairs[\(j)]: mean-squared compares position by position, but the target has \(pair.output.count) token\(pair.output.count == 1 ? "" : "s") and the input \(outputs[j].count)"))
                }
                var sum = RationalInterval.zero
                for (x, y) in zip(outputs[j], pair.output) { sum = sum + squaredDistance(x, y) }
                loss = sum * (Rational.one / Rational(max(1, pair.output.count)))
            }
            losses.append(exact ? loss : loss.rounded(significantBits: significantBits))
        }
        let total = losses.reduce(RationalInterval.zero, +)
        let mean = total * (Rational.one / Rational(max(1, losses.count)))
        return Report(kind: kind, pairs: losses, mean: exact ? mean : mean.rounded(significantBits: significantBits))
    }

    /// How a pair stands against a tolerance, decided on intervals.
    public enum Verdict: Sendable, Equatable {
        case within, outside, undecided
    }

    /// Whether T(X) and Y agree to `units` units in the last place of `format`, coordinate by
    /// coordinate: every output token within units·ulp(y_c) of some target token y in every
    /// coordinate c, and every target token so near some output token (the Hausdorff pattern with a
    /// per-coordinate ulp box instead of a ball). Targets made in float arithmetic are only that
    /// close to what the model computes exactly.
    public static func withinUnitsInTheLastPlace(_ outputs: [[RationalInterval]], _ targets: [Token], units: Int,
                                                  format: BinaryFloatFormat) -> Verdict {
        let k = Rational(units)
        let boxes = targets.map { y in y.map { k * $0.unitInLastPlace(in: format) } }
        /// x near y: proved, refuted, or neither.
        func near(_ x: [RationalInterval], _ t: Int) -> Verdict {
            var verdict = Verdict.within
            for (c, interval) in x.enumerated() where c < targets[t].count {
                let lo = targets[t][c] - boxes[t][c], hi = targets[t][c] + boxes[t][c]
                if interval.hi < lo || interval.lo > hi { return .outside }
                if interval.lo < lo || interval.hi > hi { verdict = .undecided }
            }
            return verdict
        }
        let table = outputs.map { x in targets.indices.map { near(x, $0) } }
        /// Every row (or column) has a proved entry: within; some has only refuted ones: outside.
        func cover(_ rows: [[Verdict]]) -> Verdict {
            if rows.allSatisfy({ $0.contains(.within) }) { return .within }
            if rows.contains(where: { $0.allSatisfy { $0 == .outside } }) { return .outside }
            return .undecided
        }
        let forward = cover(table)
        let backward = cover(targets.indices.map { t in table.map { $0[t] } })
        if forward == .outside || backward == .outside { return .outside }
        return forward == .within && backward == .within ? .within : .undecided
    }

    /// ‖x − y‖² for a box x and an exact y.
    public static func squaredDistance(_ x: [RationalInterval], _ y: Token) -> RationalInterval {
        var sum = RationalInterval.zero
        for (a, b) in zip(x, y) { sum = sum + (a - RationalInterval(b)).squared }
        return sum
    }

    /// d_H(A, B)² = max(max_a min_b ‖a − b‖², max_b min_a ‖a − b‖²): min and max are monotone, so
    /// they act on interval endpoints.
    public static func hausdorffSquared(_ a: [[RationalInterval]], _ b: [Token]) -> RationalInterval {
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
