import Evaluation
import ExactArithmetic
import TransformerModel

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

    /// True when every attention layer is masked and every position lands exactly on its target
    /// (a digest mismatch is `CertificationError.digestMismatch`, never a report).
    public var holds: Bool { digestMatches != false && unmaskedBlocks.isEmpty && failures.isEmpty }
}

/// The causal branch of the judge: runs `model` exactly (with its causal masks) on each whole input
/// sequence of the causal `dataset` and compares output position i with target i, in order (not as
/// sets). Checks dimensions and the recorded digest as `certify` does.
public func certifyCausal(model: Transformer, dataset: Dataset, bindingDigest: Bool = true, meter: WorkMeter? = nil,
                          limits: EvaluationLimits = EvaluationLimits(), progress: (@Sendable (Int, Int) -> Void)? = nil) throws(CertificationError) -> CausalVerificationReport {
    guard model.dimension == dataset.dimension else {
        throw .dimensionMismatch(model: model.dimension, dataset: dataset.dimension)
    }
    guard dataset.causal else { throw .evaluation(EvaluationError("the dataset is not causal (no \"causal\": true)")) }
    let digest = dataset.digest
    if bindingDigest, let recorded = model.datasetDigest, recorded != digest {
        throw .digestMismatch(model: recorded, dataset: digest)
    }
    let outputs: [[Token]]
    do {
        outputs = try exactOutputs(model, dataset.pairs.map(\.input), meter: meter, limits: limits, progress: progress)
    } catch { throw .evaluation(error) }
    var failures: [CausalVerificationReport.PositionFailure] = []
    for (j, pair) in dataset.pairs.enumerated() {
        for i in pair.output.indices where i >= outputs[j].count || outputs[j][i] != pair.output[i] {
            failures.append(.init(pair: j, position: i, got: i < outputs[j].count ? outputs[j][i] : [], want: pair.output[i]))
        }
    }
    let unmasked = model.blocks.indices.filter { !model.blocks[$0].attention.isIdentity && !model.blocks[$0].attention.causal }
    return CausalVerificationReport(failures: failures, unmaskedBlocks: unmasked, positions: dataset.totalInputLength,
                                    pairs: dataset.pairs.count,
                                    digestMatches: bindingDigest ? model.datasetDigest.map { _ in true } : nil,
                                    modelDigest: model.datasetDigest, datasetDigest: digest)
}
