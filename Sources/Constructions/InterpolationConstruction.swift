import Evaluation
import ExactArithmetic
import TransformerModel

/// The construction `construct` runs on a (possibly labelled) dataset, with every choice it makes,
/// so that a library user gets the same model as the command line:
///
/// - labels: a labelled dataset gets `LabelEmbedding.choose(for:)`, which the model records;
/// - attention: Theorem 1.4 (hardmax, `HardmaxConstruction`) or Theorem 1.6 (softmax,
///   `SoftmaxConstruction`, with its τ₀ search);
/// - classification (labelled data, compact hardmax layout): also the collapse onto a token of each
///   sequence (`ClassificationConstruction.smaller(than:)`), keeping the fewer structured parameters;
/// - weights (`WeightFormat`): every coordinate of the data must be a value of the format (hardmax).
///
/// Causal datasets have their own construction (`CausalConstruction`).
public enum InterpolationConstruction {
    /// The attention of every layer: hardmax (Theorem 1.4) or softmax (Theorem 1.6).
    public enum Attention: String, Sendable, CaseIterable {
        case hardmax, softmax
    }

    /// The choices a caller makes; the defaults are `construct`'s.
    public struct Options: Sendable {
        public var layout: HardmaxConstruction.Layout
        public var attention: Attention
        /// Compact hardmax: attention heads per many-sequence separation block (1 or 2).
        public var separationHeads: Int
        /// The numbers every parameter must be (hardmax only).
        public var weights: WeightFormat
        /// Softmax: where the τ₀ search starts and how many temperatures it tries.
        public var temperatureSearch: TemperatureSearch
        /// Softmax: the resource limits of the τ₀ search's exact evaluations.
        public var limits: EvaluationLimits

        public init(layout: HardmaxConstruction.Layout = .narrow, attention: Attention = .hardmax, separationHeads: Int = 1,
                    weights: WeightFormat = .exact, temperatureSearch: TemperatureSearch = TemperatureSearch(),
                    limits: EvaluationLimits = EvaluationLimits()) {
            self.layout = layout
            self.attention = attention
            self.separationHeads = separationHeads
            self.weights = weights
            self.temperatureSearch = temperatureSearch
            self.limits = limits
        }
    }

    /// A dataset made ready for the construction: labels replaced by the tokens of the chosen
    /// embedding, and the validated problem (repeats merged, `notices` saying which).
    public struct Input: Sendable {
        /// The dataset as constructed and verified (labels embedded).
        public let dataset: Dataset
        /// The label embedding of a labelled dataset, else nil.
        public let labels: LabelEmbedding?
        /// The validated problem the stages work on.
        public let problem: InterpolationProblem

        /// Embeds the labels (if any) and validates the data: `.invalidData` when the theorem does
        /// not accept it.
        public init(_ given: Dataset) throws(ConstructionError) {
            var data = given
            var labels: LabelEmbedding? = nil
            if given.isLabelled {
                let chosen = LabelEmbedding.choose(for: given)
                do { data = try given.embedded(chosen) } catch {
                    throw .stageCheckFailed(stage: "label embedding", detail: error.description)
                }
                labels = chosen
            }
            do { problem = try InterpolationProblem(data) } catch { throw .invalidData(error) }
            dataset = data
            self.labels = labels
        }
    }

    /// The construction's output with its figures.
    public struct Result: Sendable {
        /// The model, with its label embedding (and τ₀ for softmax) recorded.
        public var model: Transformer
        public var stages: [StageSummary]
        /// The paper's bound: 2Σm + 2N + 1 (Theorem 1.4) or 2Σm + 3N (Theorem 1.6).
        public var paperBound: BlockBound
        /// This layout's bound.
        public var layoutBound: BlockBound
        /// Labelled data in the compact hardmax layout: both constructions and the one kept.
        public var classification: ClassificationConstruction.Choice?
        /// Softmax: every temperature tried; the last one is τ₀ (empty for hardmax).
        public var temperatureAttempts: [TemperatureSearch.Attempt]
    }

    /// Why no model was built.
    public enum Failure: Error, CustomStringConvertible {
        /// Invalid data or a failed stage check.
        case construction(ConstructionError)
        /// Softmax: no tried temperature certified the model.
        case temperatureNotFound(SoftmaxConstructionError)
        /// A coordinate of the data (named) is not a value of the requested weight format.
        case dataNotRepresentable(format: WeightFormat, coordinate: String)
        /// The options ask for something not implemented (named).
        case unsupported(String)

        public var description: String {
            switch self {
            case .construction(let e): return e.description
            case .temperatureNotFound(let e): return e.description
            case .dataNotRepresentable(let format, let coordinate):
                return "\(coordinate): --weights \(format.name) needs every coordinate of the data to be a \(format.name)"
            case .unsupported(let what): return what
            }
        }
    }

    /// Builds the model for `input` with `options` (`digest` identifies the dataset file). Every
    /// stage is checked exactly as it is built; the caller re-reads and verifies what it writes.
    public static func build(_ input: Input, digest: String?, options: Options = Options(),
                             progress: @escaping (String) -> Void = { _ in }) throws(Failure) -> Result {
        if options.weights != .exact {
            guard options.attention == .hardmax else {
                throw .unsupported("--weights \(options.weights.name) is implemented for hardmax constructions only")
            }
            if let bad = options.weights.firstNonRepresentable(in: input.dataset) {
                throw .dataNotRepresentable(format: options.weights, coordinate: bad)
            }
        }
        var result: Result
        switch options.attention {
        case .softmax:
            let built: SoftmaxConstruction.Result
            do {
                built = try SoftmaxConstruction.build(input.problem, pairs: input.dataset.pairs, digest: digest, layout: options.layout,
                                                      search: options.temperatureSearch, limits: options.limits, progress: progress)
            } catch {
                switch error {
                case .construction(let e): throw .construction(e)
                case .temperatureNotFound: throw .temperatureNotFound(error)
                }
            }
            result = Result(model: built.model, stages: built.stages, paperBound: built.paperBound, layoutBound: built.layoutBound,
                            classification: nil, temperatureAttempts: built.attempts)
        case .hardmax:
            do {
                var built = try HardmaxConstruction.build(input.problem, digest: digest, layout: options.layout,
                                                          separationHeads: options.separationHeads, weights: options.weights,
                                                          progress: progress)
                var choice: ClassificationConstruction.Choice? = nil
                // A compact classifier: also the construction without leader moves; keep the smaller.
                if input.labels != nil && options.layout == .compact {
                    let both = try ClassificationConstruction.smaller(than: built, input.problem, digest: digest) { message in
                        progress("classification: \(message)")
                    }
                    built = both.kept
                    choice = both
                }
                result = Result(model: built.model, stages: built.stages, paperBound: built.paperBound, layoutBound: built.layoutBound,
                                classification: choice, temperatureAttempts: [])
            } catch {
                throw .construction(error)
            }
        }
        result.model.labels = input.labels
        return result
    }
}
