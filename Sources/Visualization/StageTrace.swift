import Certification
import Evaluation
import ExactArithmetic
import TransformerModel

/// A number that can be placed on a picture.
public protocol Plottable: Scalar {
    /// The nearest double. Pictures are the display path: this is the only place where exact
    /// values become doubles, after every exact decision has been taken.
    var plotValue: Double { get }
}

extension Rational: Plottable {
    public var plotValue: Double { doubleValue }
}

extension Double: Plottable {
    public var plotValue: Double { self }
}

/// A point of a picture, in data coordinates (the two drawn coordinates of a token).
public struct PlotPoint: Hashable, Sendable {
    public var x: Double
    public var y: Double
    public init(x: Double, y: Double) {
        self.x = x
        self.y = y
    }
}

/// The path of one token value through the sublayers of one step, projected on the drawn coordinates.
public struct TokenPath: Sendable, Equatable {
    public var sequence: Int
    /// Start, then the position after every sublayer that moved it (thinned to a bounded count).
    public var points: [PlotPoint]

    /// Most vertices kept per path; longer paths are halved (every other vertex) as they grow.
    public static let maximumVertices = 64
}

/// Every sequence evaluated through a model, kept at the checkpoints of a `StagePlan`.
///
/// `checkpoints[k][j]` holds the tokens of sequence j after step k − 1 (k = 0: the input), in the
/// scalar type of the evaluation: exact rationals for hardmax models, doubles for softmax ones.
/// With a projection, `paths[k]` also holds the path of every distinct value of every sequence
/// through step k (tokens equal at the start of a step stay equal through it: FF acts per token
/// and equal tokens of one sequence see the same attention).
public struct StageTrace<S: Plottable>: Sendable {
    public let plan: StagePlan
    public let checkpoints: [[[[S]]]]
    public let paths: [[TokenPath]]

    /// Evaluates `inputs` through `model` on all cores. `projection` = the two drawn coordinates
    /// (nil: no paths, as for reports). `temperature` overrides τ for softmax layers. Throws when
    /// an exact evaluation passes `limits` (the overrun at the earliest block, ties to the earliest sequence).
    public init(model: Transformer, inputs: [[[S]]], projection: (x: Int, y: Int)?,
                temperature: Rational? = nil, limits: EvaluationLimits = EvaluationLimits()) throws(EvaluationError) {
        let evaluator = try Evaluator<S>(model, temperature: temperature, limits: limits)
        let plan = StagePlan(model)
        let cap = TokenPath.maximumVertices
        let perSequence = try firstError(parallelMap(Array(inputs.enumerated())) { (j, input) -> Result<([[[S]]], [[TokenPath]]), EvaluationError> in
            var current = input
            var checkpoints = [input]
            var paths: [[TokenPath]] = []
            for step in plan.steps {
                // One path per distinct value at the start of the step.
                var representative: [Int] = []
                if projection != nil {
                    var seen = Set<[S]>()
                    for (i, x) in current.enumerated() where seen.insert(x).inserted { representative.append(i) }
                }
                func point(_ x: [S]) -> PlotPoint {
                    guard let (cx, cy) = projection else { return PlotPoint(x: 0, y: 0) }
                    return PlotPoint(x: x[cx].plotValue, y: x[cy].plotValue)
                }
                var points = representative.map { [point(current[$0])] }
                let next: [[S]]
                do throws(EvaluationError) {
                    next = try evaluator.run(current, sublayers: step.sublayers) { tokens, _ in
                        for (r, i) in representative.enumerated() {
                            let p = point(tokens[i])
                            if p != points[r].last {
                                points[r].append(p)
                                if points[r].count > 2 * cap { points[r] = StageTrace.halved(points[r]) }
                            }
                        }
                    }
                } catch { return .failure(error) }
                current = next
                checkpoints.append(current)
                paths.append(points.map { TokenPath(sequence: j, points: $0) })
            }
            return .success((checkpoints, paths))
        })
        self.plan = plan
        let steps = plan.steps.count
        checkpoints = (0...steps).map { k in perSequence.map { $0.0[k] } }
        paths = (0..<steps).map { k in perSequence.flatMap { $0.1[k] } }
    }

    /// Every other vertex, keeping the first and the last.
    static func halved(_ points: [PlotPoint]) -> [PlotPoint] {
        guard let last = points.last else { return points }
        var out = stride(from: 0, to: points.count - 1, by: 2).map { points[$0] }
        out.append(last)
        return out
    }

    /// Distinct values of sequence j at checkpoint k, in order of first occurrence.
    public func distinctValues(checkpoint k: Int, sequence j: Int) -> [[S]] {
        var seen = Set<[S]>()
        return checkpoints[k][j].filter { seen.insert($0).inserted }
    }
}
