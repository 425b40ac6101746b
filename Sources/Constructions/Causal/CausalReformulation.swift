import Certification
import Evaluation
import ExactArithmetic
import TransformerModel

/// An exact check of the paper's reformulation of next-token prediction (Section 7.2.4,
/// docs/mathematics.md#causal-attention): split each sequence into its prefixes, build the
/// unmasked Theorem 1.4 construction on the prefix dataset, then run that model with causal masks
/// on the whole sequences. The claim holds on a dataset iff every position lands on its target.
public enum CausalReformulation {
    /// One position where the masked run misses its target.
    public struct Failure: Sendable, Equatable {
        public var pair: Int
        public var position: Int
        public var got: Token
        public var want: Token
        public init(pair: Int, position: Int, got: Token, want: Token) {
            self.pair = pair
            self.position = position
            self.got = got
            self.want = want
        }
    }

    /// What the check found on one causal dataset.
    public struct Outcome: Sendable {
        /// The prefix dataset: one pair per position, input x_1 … x_i, output [y_i].
        public var prefixDataset: Dataset
        /// The unmasked model built on the prefix dataset; nil when it cannot be built.
        public var model: Transformer?
        /// Why the prefix dataset has no Theorem 1.4 model (prefixes equal as sets with different
        /// targets, d = 1, …): the reformulation then fails before any masking.
        public var infeasible: String?
        /// True when the unmasked model interpolates every prefix run on its own (what the
        /// reformulation does justify), checked exactly.
        public var prefixRunsHold: Bool
        /// Positions the masked run on the whole sequences gets wrong, in order.
        public var failures: [Failure]
        public var positions: Int

        /// True when the reformulation works on this dataset.
        public var holds: Bool { infeasible == nil && failures.isEmpty }
    }

    /// The prefix dataset of a causal dataset (docs/mathematics.md#causal-attention): every prefix
    /// x_1 … x_i with the one-token output y_i, read as an ordinary (set) dataset.
    public static func prefixDataset(_ dataset: Dataset) -> Dataset {
        var pairs: [SequencePair] = []
        for p in dataset.pairs {
            for i in p.input.indices { pairs.append(SequencePair(input: Array(p.input[...i]), output: [p.output[i]])) }
        }
        return Dataset(name: dataset.name.map { $0 + " (prefixes)" }, dimension: dataset.dimension, pairs: pairs)
    }

    /// `model` with a causal mask on every attention layer.
    public static func masked(_ model: Transformer) -> Transformer {
        var m = model
        for b in m.blocks.indices { m.blocks[b].attention.causal = true }
        return m
    }

    /// Runs the check on a causal dataset (already validated with `CausalProblem`).
    public static func check(_ dataset: Dataset, layout: HardmaxConstruction.Layout = .compact) throws(EvaluationError) -> Outcome {
        let prefixes = prefixDataset(dataset)
        let positions = dataset.totalInputLength
        // Prefixes equal as sets (the paper's sequences are sets) with different targets: no
        // set-interpolating model exists. Named by pair and position of the causal dataset.
        var firstWithSet: [Set<Token>: (pair: Int, position: Int, target: Token)] = [:]
        for (j, p) in dataset.pairs.enumerated() {
            for i in p.input.indices {
                let key = Set(p.input[...i])
                if let f = firstWithSet[key] {
                    if f.target != p.output[i] {
                        let why = "the prefix of pair \(f.pair) up to position \(f.position) and the prefix of pair \(j) up to position \(i) are equal as sets but have different targets"
                        return Outcome(prefixDataset: prefixes, model: nil, infeasible: why, prefixRunsHold: false, failures: [], positions: positions)
                    }
                } else {
                    firstWithSet[key] = (j, i, p.output[i])
                }
            }
        }
        let problem: InterpolationProblem
        do { problem = try InterpolationProblem(prefixes) } catch {
            return Outcome(prefixDataset: prefixes, model: nil, infeasible: error.description, prefixRunsHold: false, failures: [], positions: positions)
        }
        let model: Transformer
        do { model = try HardmaxConstruction.build(problem, digest: nil, layout: layout).model } catch {
            return Outcome(prefixDataset: prefixes, model: nil, infeasible: error.description, prefixRunsHold: false, failures: [], positions: positions)
        }
        let prefixRuns: Bool
        do { prefixRuns = try certify(model: model, dataset: prefixes, options: CertificationOptions(method: .exactHardmax, bindingDigest: false)).holds } catch {
            if case .evaluation(let e) = error { throw e }
            throw EvaluationError(error.description)
        }
        let outputs = try Evaluator<Rational>(masked(model)).evaluateAll(dataset.pairs.map(\.input))
        var failures: [Failure] = []
        for (j, p) in dataset.pairs.enumerated() {
            for i in p.output.indices where outputs[j][i] != p.output[i] {
                failures.append(Failure(pair: j, position: i, got: outputs[j][i], want: p.output[i]))
            }
        }
        return Outcome(prefixDataset: prefixes, model: model, infeasible: nil, prefixRunsHold: prefixRuns, failures: failures, positions: positions)
    }

    /// The first causal dataset, in a fixed order, on which the reformulation fails: one sequence
    /// of length 1, 2, … ≤ `maximumLength` in d = 2, coordinates in 0…c for c = 1, 2, … ≤
    /// `maximumCoordinate`, inputs then targets enumerated lexicographically (so the first failure
    /// is the smallest by length, then by largest coordinate, then lexicographically). Candidates
    /// that are not valid causal datasets, or whose prefix dataset has no Theorem 1.4 model, are
    /// skipped. `examined` counts the candidates checked.
    public static func smallestCounterexample(maximumLength: Int, maximumCoordinate: Int,
                                              examined: inout Int) throws(EvaluationError) -> (Dataset, Outcome)? {
        guard maximumLength >= 1, maximumCoordinate >= 1 else { return nil }
        for length in 1...maximumLength {
            for c in 1...maximumCoordinate {
                // Tokens of {0…c}²; a candidate is 2·length token indices (inputs, then targets).
                let side = c + 1
                let tokens = (0..<(side * side)).map { t in [Rational(t / side), Rational(t % side)] }
                let slots = 2 * length
                var digits = [Int](repeating: 0, count: slots)
                while true {
                    // Only candidates using coordinate c somewhere are new at this c.
                    let usesC = digits.contains { tokens[$0].contains(Rational(c)) }
                    if usesC {
                        let input = digits[0..<length].map { tokens[$0] }
                        let output = digits[length...].map { tokens[$0] }
                        let data = Dataset(name: "causal counterexample", dimension: 2,
                                           pairs: [SequencePair(input: input, output: output)], causal: true)
                        if (try? CausalProblem(data)) != nil {
                            let outcome = try check(data)
                            if outcome.infeasible == nil {
                                examined += 1
                                if !outcome.failures.isEmpty { return (data, outcome) }
                            }
                        }
                    }
                    // Next tuple, last slot fastest.
                    var k = slots - 1
                    while k >= 0 && digits[k] == tokens.count - 1 { digits[k] = 0; k -= 1 }
                    if k < 0 { break }
                    digits[k] += 1
                }
            }
        }
        return nil
    }
}
