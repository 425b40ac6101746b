import ExactArithmetic

/// The exact answer to "is x_i an extreme point of conv(X)?" with a witness either way (Lemma 4.5).
///
/// Only `check` is to be believed: it re-verifies the witness in ℚ from the points alone.
public enum ExtremePointWitness: Sendable, Equatable {
    /// w with ⟨w, x_i⟩ > ⟨w, x_k⟩ for every k ≠ i (with x_k ≠ x_i: sets, not lists): x_i is the
    /// unique maximiser of ⟨w, ·⟩ on X, hence extreme. `margin` is min_k ⟨w, x_i − x_k⟩ (> 0; 1
    /// when there is no other point).
    case separating(direction: [Rational], margin: Rational)
    /// λ ≥ 0 over the other points, Σλ = 1 and Σ_k λ_k x_k = x_i: x_i is a convex combination of
    /// the others, hence not extreme. `weights[i]` is 0.
    case convexCombination(weights: [Rational])

    /// True for `.separating`.
    public var isExtreme: Bool {
        if case .separating = self { return true }
        return false
    }

    /// Re-checks the witness exactly: nil when it proves its claim about `points[index]`, else the
    /// reason it does not. Assumes nothing about how the witness was found.
    public func check(points: [[Rational]], index i: Int) -> String? {
        guard points.indices.contains(i) else { return "index \(i) is outside 0..<\(points.count)" }
        let d = points[i].count
        if let k = points.firstIndex(where: { $0.count != d }) {
            return "point \(k) has \(points[k].count) coordinates, point \(i) has \(d)"
        }
        switch self {
        case .separating(let w, let margin):
            guard w.count == d else { return "separating direction has \(w.count) coordinates, points have \(d)" }
            let top = Rational.dot(w, points[i])
            var smallest: Rational? = nil
            for k in points.indices where k != i && points[k] != points[i] {
                let gap = top - Rational.dot(w, points[k])
                guard gap > .zero else {
                    return "separating direction fails: ⟨w, x_\(i)⟩ − ⟨w, x_\(k)⟩ = \(gap) is not positive"
                }
                smallest = smallest.map { min($0, gap) } ?? gap
            }
            let expected = smallest ?? .one
            guard margin == expected else { return "reported margin \(margin) differs from the checked margin \(expected)" }
            return nil
        case .convexCombination(let lambda):
            guard lambda.count == points.count else { return "\(lambda.count) weights for \(points.count) points" }
            if let k = lambda.firstIndex(where: { $0 < .zero }) { return "weight λ_\(k) = \(lambda[k]) is negative" }
            guard lambda[i].isZero else { return "weight λ_\(i) = \(lambda[i]) on the point itself must be 0" }
            let total = lambda.reduce(Rational.zero, +)
            guard total == .one else { return "weights sum to \(total), not 1" }
            var sum = [Rational](repeating: .zero, count: d)
            for k in points.indices where !lambda[k].isZero {
                for c in 0..<d { sum[c] += lambda[k] * points[k][c] }
            }
            guard sum == points[i] else {
                return "Σ λ_k x_k = [\(sum.map(\.description).joined(separator: ", "))] differs from x_\(i)"
            }
            if let k = points.indices.first(where: { !lambda[$0].isZero && points[$0] == points[i] }) {
                return "weight on x_\(k), which equals x_\(i): not a combination of other points"
            }
            return nil
        }
    }
}

/// Decides extremeness with one exact LP (Lemma 4.5) and returns a witness.
public enum ExtremePointTest {
    /// Why the LP answer could not be turned into a checked witness (a solver bug: never expected).
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// The LP of Lemma 4.5 (see docs/mathematics.md#lemma-4-5), with w = w⁺ − w⁻ so that the origin is feasible (no phase 1):
    ///
    ///     maximise δ  subject to  δ − ⟨w⁺ − w⁻, x_i − x_k⟩ ≤ 0  (k ≠ i, x_k ≠ x_i),
    ///                             w⁺ ≤ 1, w⁻ ≤ 1, δ ≤ 1,  all variables ≥ 0.
    ///
    /// Variables: w⁺ (d), w⁻ (d), δ. Rows: one per other point (in order), then the bounds.
    public static func program(points: [[Rational]], index i: Int) -> (LinearProgram, others: [Int]) {
        let d = points[i].count
        let others = points.indices.filter { $0 != i && points[$0] != points[i] }
        var rows: [[Rational]] = []
        for k in others {
            let diff = (0..<d).map { points[i][$0] - points[k][$0] }
            rows.append(diff.map { -$0 } + diff + [.one])
        }
        for c in 0..<(2 * d + 1) {
            var row = [Rational](repeating: .zero, count: 2 * d + 1)
            row[c] = .one
            rows.append(row)
        }
        var objective = [Rational](repeating: .zero, count: 2 * d + 1)
        objective[2 * d] = .one
        let bounds = [Rational](repeating: .zero, count: others.count) + [Rational](repeating: .one, count: 2 * d + 1)
        return (LinearProgram(objective: objective, constraints: rows, bounds: bounds), others)
    }

    /// Solves the LP, turns its optimum into a witness, and checks the witness exactly before
    /// returning it. The optimum δ* is > 0 iff x_i is extreme: then w = w⁺ − w⁻ separates; when
    /// δ* = 0 the duals λ of the first rows satisfy Σλ ≥ 1 and Σλ_k (x_i − x_k) = 0 (the bound
    /// rows' duals vanish since bᵀy = 0), so λ/Σλ is the convex combination.
    ///
    /// Points equal to x_i are ignored (they are x_i itself); `points` must share one dimension.
    public static func decide(points: [[Rational]], index i: Int) throws(Failure) -> ExtremePointWitness {
        guard points.indices.contains(i) else { throw Failure(description: "index \(i) is outside 0..<\(points.count)") }
        let d = points[i].count
        guard points.allSatisfy({ $0.count == d }) else { throw Failure(description: "points of different dimensions") }
        let (lp, others) = program(points: points, index: i)
        guard let result = SimplexSolver.solve(lp) else { throw Failure(description: "malformed LP") }
        if let reason = lp.verify(result) { throw Failure(description: "LP certificate rejected: \(reason)") }
        guard case .optimal(let x, let y, let value) = result else {
            throw Failure(description: "the extreme-point LP is feasible and bounded, but the solver said \(result)")
        }
        let witness: ExtremePointWitness
        if value > .zero {
            let w = (0..<d).map { x[$0] - x[d + $0] }
            var margin: Rational? = nil
            for k in others {
                let gap = Rational.dot(w, points[i]) - Rational.dot(w, points[k])
                margin = margin.map { min($0, gap) } ?? gap
            }
            witness = .separating(direction: w, margin: margin ?? .one)
        } else {
            let raw = Array(y.prefix(others.count))
            let total = raw.reduce(Rational.zero, +)
            guard total > .zero else { throw Failure(description: "LP optimum 0 but the duals carry no weight") }
            var lambda = [Rational](repeating: .zero, count: points.count)
            for (r, k) in others.enumerated() { lambda[k] = raw[r] / total }
            witness = .convexCombination(weights: lambda)
        }
        if let reason = witness.check(points: points, index: i) {
            throw Failure(description: "witness rejected: \(reason)")
        }
        return witness
    }
}
