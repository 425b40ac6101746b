import Evaluation
import ExactArithmetic
import TransformerModel

/// The result of re-checking a model file against a dataset, from the file alone.
public struct VerificationReport: Sendable {
    /// One pair's outcome.
    public struct PairResult: Sendable {
        public var index: Int
        public var interpolated: Bool
        /// Output tokens T(X) misses.
        public var missing: [Token]
        /// Tokens of T(X) that are not in Y.
        public var unexpected: [Token]
    }

    public var pairs: [PairResult]
    /// nil when the model names no dataset; else whether the digest matches.
    public var digestMatches: Bool?
    public var modelDigest: String?
    public var datasetDigest: String

    /// True when the digest (if any) matches and every pair is interpolated.
    public var holds: Bool { digestMatches != false && pairs.allSatisfy(\.interpolated) }
    public var failures: [PairResult] { pairs.filter { !$0.interpolated } }
}

/// Exact verification of hardmax models (Theorem 1.4 certificates).
///
/// Uses only the model file and the evaluator: no construction code is involved, so a model
/// built by anything, or edited by hand, is judged on what it computes.
public enum Verifier {
    /// Evaluates `model` exactly on every pair of `dataset` as given and compares T(X^j) with Y^j
    /// as sets. Softmax models need `SoftmaxCertifier` instead.
    /// `progress(done, total)` is called after each pair (from worker threads, serialised).
    /// `indices`: only these pairs (0-based, e.g. one shard's); nil: every pair.
    public static func verifyHardmax(_ model: Transformer, on dataset: Dataset, indices: [Int]? = nil,
                                     progress: (@Sendable (Int, Int) -> Void)? = nil,
                                     meter: WorkMeter? = nil) throws(EvaluationError) -> VerificationReport {
        guard model.dimension == dataset.dimension else {
            throw EvaluationError("the model acts on ℚ^\(model.dimension) but the dataset's dimension is \(dataset.dimension)")
        }
        let chosen = indices ?? Array(dataset.pairs.indices)
        guard chosen.allSatisfy(dataset.pairs.indices.contains) else { throw EvaluationError("a pair index is outside the dataset") }
        var evaluator = try Evaluator<Rational>(model)
        evaluator.meter = meter
        let inputs = chosen.map { dataset.pairs[$0].input }
        let total = inputs.count
        let outputs = progress.map { report in evaluator.evaluateAll(inputs) { report($0, total) } }
            ?? evaluator.evaluateAll(inputs)
        try evaluator.checkLimit()
        let pairs = chosen.indices.map { n -> VerificationReport.PairResult in
            let j = chosen[n]
            let got = Set(outputs[n]), want = Set(dataset.pairs[j].output)
            return .init(index: j, interpolated: got == want,
                         missing: Array(want.subtracting(got)), unexpected: Array(got.subtracting(want)))
        }
        let digest = dataset.digest
        return VerificationReport(pairs: pairs, digestMatches: model.datasetDigest.map { $0 == digest },
                                  modelDigest: model.datasetDigest, datasetDigest: digest)
    }
}

/// The result of checking a model on a causal dataset, position by position
/// (docs/mathematics.md#causal-attention).
public struct CausalVerificationReport: Sendable {
    /// One position whose output is not its target.
    public struct PositionFailure: Sendable {
        public var pair: Int
        public var position: Int
        public var got: Token
        public var want: Token
    }

    public var failures: [PositionFailure]
    /// Blocks whose attention is not the identity and has no causal mask: such a model lets a
    /// position see later tokens, so it is not a causal model whatever it computes.
    public var unmaskedBlocks: [Int]
    public var positions: Int
    public var pairs: Int
    public var digestMatches: Bool?
    public var modelDigest: String?
    public var datasetDigest: String

    /// True when the digest (if any) matches, every attention layer is masked, and every position
    /// lands exactly on its target.
    public var holds: Bool { digestMatches != false && unmaskedBlocks.isEmpty && failures.isEmpty }
}

extension Verifier {
    /// Runs `model` exactly (with its causal masks) on each whole input sequence of the causal
    /// `dataset` and compares output position i with target i, in order (not as sets).
    public static func verifyCausal(_ model: Transformer, on dataset: Dataset,
                                    progress: (@Sendable (Int, Int) -> Void)? = nil) throws(EvaluationError) -> CausalVerificationReport {
        guard model.dimension == dataset.dimension else {
            throw EvaluationError("the model acts on ℚ^\(model.dimension) but the dataset's dimension is \(dataset.dimension)")
        }
        guard dataset.causal else { throw EvaluationError("the dataset is not causal (no \"causal\": true)") }
        let evaluator = try Evaluator<Rational>(model)
        let inputs = dataset.pairs.map(\.input)
        let total = inputs.count
        let outputs = progress.map { report in evaluator.evaluateAll(inputs) { report($0, total) } }
            ?? evaluator.evaluateAll(inputs)
        var failures: [CausalVerificationReport.PositionFailure] = []
        for (j, pair) in dataset.pairs.enumerated() {
            for i in pair.output.indices where i >= outputs[j].count || outputs[j][i] != pair.output[i] {
                failures.append(.init(pair: j, position: i, got: i < outputs[j].count ? outputs[j][i] : [], want: pair.output[i]))
            }
        }
        let unmasked = model.blocks.indices.filter { !model.blocks[$0].attention.isIdentity && !model.blocks[$0].attention.causal }
        let digest = dataset.digest
        return CausalVerificationReport(failures: failures, unmaskedBlocks: unmasked, positions: dataset.totalInputLength,
                                        pairs: dataset.pairs.count, digestMatches: model.datasetDigest.map { $0 == digest },
                                        modelDigest: model.datasetDigest, datasetDigest: digest)
    }
}
