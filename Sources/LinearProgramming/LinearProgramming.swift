import ExactArithmetic

/// A linear program in inequality form over ℚ:
///
///     maximise cᵀx   subject to   A x ≤ b,  x ≥ 0.
///
/// Solved exactly by `SimplexSolver` (dense tableau, Bland's rule). Every answer carries a
/// certificate that `verify` re-checks exactly from the problem alone, so the solver is never
/// trusted: an optimum comes with a dual solution of the same value, infeasibility with a Farkas
/// vector, unboundedness with a feasible point and an improving ray.
public struct LinearProgram: Sendable, Equatable {
    /// c, one entry per variable.
    public var objective: [Rational]
    /// A, one row per constraint, each with `objective.count` entries.
    public var constraints: [[Rational]]
    /// b, one entry per constraint.
    public var bounds: [Rational]

    public init(objective: [Rational], constraints: [[Rational]], bounds: [Rational]) {
        self.objective = objective
        self.constraints = constraints
        self.bounds = bounds
    }

    /// Number of variables.
    public var variableCount: Int { objective.count }
    /// Number of constraints.
    public var constraintCount: Int { constraints.count }

    /// Why the problem is malformed (rows of the wrong length, b of the wrong length), or nil.
    public var shapeError: String? {
        if bounds.count != constraints.count {
            return "b has \(bounds.count) entries for \(constraints.count) constraints"
        }
        for (i, row) in constraints.enumerated() where row.count != objective.count {
            return "constraint \(i) has \(row.count) coefficients for \(objective.count) variables"
        }
        return nil
    }

    /// (A x)_i for every row.
    public func rowValues(_ x: [Rational]) -> [Rational] { constraints.map { Rational.dot($0, x) } }

    /// (Aᵀ y)_j for every column.
    public func columnValues(_ y: [Rational]) -> [Rational] {
        var out = [Rational](repeating: .zero, count: variableCount)
        for (i, row) in constraints.enumerated() where !y[i].isZero {
            for j in row.indices where !row[j].isZero { out[j] += y[i] * row[j] }
        }
        return out
    }
}

/// What the simplex method found, with its certificate.
public enum LinearProgramResult: Sendable, Equatable {
    /// An optimal x, a dual solution y (y ≥ 0, Aᵀy ≥ c) and the common value cᵀx = bᵀy.
    case optimal(x: [Rational], dual: [Rational], value: Rational)
    /// y ≥ 0 with Aᵀy ≥ 0 and bᵀy < 0: no x ≥ 0 satisfies A x ≤ b (Farkas' lemma).
    case infeasible(farkas: [Rational])
    /// A feasible x and a ray r ≥ 0 with A r ≤ 0 and cᵀr > 0: x + t·r is feasible for every t ≥ 0.
    case unbounded(x: [Rational], ray: [Rational])
}

extension LinearProgram {
    /// Re-checks `result` exactly against this problem: nil when its certificate holds, else the
    /// reason it does not. This is the only thing callers should rely on.
    public func verify(_ result: LinearProgramResult) -> String? {
        if let shapeError { return "malformed problem: \(shapeError)" }
        let n = variableCount, m = constraintCount
        func feasible(_ x: [Rational], _ name: String) -> String? {
            guard x.count == n else { return "\(name) has \(x.count) entries for \(n) variables" }
            if let j = x.firstIndex(where: { $0 < .zero }) { return "\(name)[\(j)] = \(x[j]) < 0" }
            let ax = rowValues(x)
            for i in 0..<m where ax[i] > bounds[i] {
                return "constraint \(i) violated by \(name): (A x)_\(i) = \(ax[i]) > b_\(i) = \(bounds[i])"
            }
            return nil
        }
        switch result {
        case .optimal(let x, let y, let value):
            if let e = feasible(x, "x") { return e }
            guard y.count == m else { return "dual has \(y.count) entries for \(m) constraints" }
            if let i = y.firstIndex(where: { $0 < .zero }) { return "dual y[\(i)] = \(y[i]) < 0" }
            let aty = columnValues(y)
            for j in 0..<n where aty[j] < objective[j] {
                return "dual infeasible: (Aᵀy)_\(j) = \(aty[j]) < c_\(j) = \(objective[j])"
            }
            let primal = Rational.dot(objective, x), dual = Rational.dot(bounds, y)
            guard primal == value else { return "cᵀx = \(primal) differs from the reported value \(value)" }
            guard dual == value else { return "bᵀy = \(dual) differs from cᵀx = \(primal): no optimality proof" }
            return nil
        case .infeasible(let y):
            guard y.count == m else { return "Farkas vector has \(y.count) entries for \(m) constraints" }
            if let i = y.firstIndex(where: { $0 < .zero }) { return "Farkas y[\(i)] = \(y[i]) < 0" }
            let aty = columnValues(y)
            if let j = aty.firstIndex(where: { $0 < .zero }) { return "Farkas (Aᵀy)_\(j) = \(aty[j]) < 0" }
            let by = Rational.dot(bounds, y)
            guard by < .zero else { return "Farkas bᵀy = \(by) is not negative" }
            return nil
        case .unbounded(let x, let r):
            if let e = feasible(x, "x") { return e }
            guard r.count == n else { return "ray has \(r.count) entries for \(n) variables" }
            if let j = r.firstIndex(where: { $0 < .zero }) { return "ray[\(j)] = \(r[j]) < 0" }
            let ar = rowValues(r)
            if let i = ar.firstIndex(where: { $0 > .zero }) { return "ray leaves constraint \(i): (A r)_\(i) = \(ar[i]) > 0" }
            let cr = Rational.dot(objective, r)
            guard cr > .zero else { return "ray does not improve the objective: cᵀr = \(cr)" }
            return nil
        }
    }
}

/// The exact dense simplex method with Bland's rule.
///
/// Tableau over the variables x (n) and slacks s (m) of A x + s = b. When some b_i < 0, phase 1
/// adds one artificial variable x₀ with coefficient −1 in every row and maximises −x₀ (Chvátal's
/// method); phase 2 maximises cᵀx from the feasible basis found. Bland's rule — the entering
/// variable is the lowest-indexed one with a positive reduced cost, ties in the ratio test go to
/// the lowest-indexed basic variable — cannot cycle, so the method terminates even on the very
/// degenerate programs of Lemma 4.5 (every constraint tight at the origin).
public enum SimplexSolver {
    /// Solves `problem`; nil only when the problem is malformed (see `LinearProgram.shapeError`).
    public static func solve(_ problem: LinearProgram) -> LinearProgramResult? {
        guard problem.shapeError == nil else { return nil }
        var t = Tableau(problem)
        if let farkas = t.phaseOne() { return .infeasible(farkas: farkas) }
        return t.phaseTwo()
    }
}

/// The working tableau: rows[i] · (x, s[, x₀]) = rhs[i], basic variable basis[i]; the objective
/// row holds z + Σ obj_j v_j = value, so obj_j = −(reduced cost of v_j).
struct Tableau {
    let n: Int
    let m: Int
    let problem: LinearProgram
    var rows: [[Rational]]
    var rhs: [Rational]
    var basis: [Int]
    var obj: [Rational]
    var value: Rational
    /// Number of columns in use (n + m, plus 1 while the artificial variable exists).
    var columns: Int

    init(_ p: LinearProgram) {
        problem = p
        let n = p.variableCount, m = p.constraintCount
        self.n = n
        self.m = m
        columns = n + m
        rows = (0..<m).map { i in
            var row = p.constraints[i]
            row += [Rational](repeating: .zero, count: m)
            row[n + i] = .one
            return row
        }
        rhs = p.bounds
        basis = (0..<m).map { n + $0 }
        obj = [Rational](repeating: .zero, count: n + m)
        value = .zero
    }

    /// Pivots variable `q` into the basis in row `p`.
    mutating func pivot(row p: Int, column q: Int) {
        let inv = rows[p][q].reciprocal
        if inv != .one {
            for j in 0..<columns where !rows[p][j].isZero { rows[p][j] *= inv }
            rhs[p] *= inv
        }
        let pivotRow = rows[p]
        let nonzero = (0..<columns).filter { !pivotRow[$0].isZero }
        for i in 0..<m where i != p {
            let f = rows[i][q]
            if f.isZero { continue }
            for j in nonzero { rows[i][j] -= f * pivotRow[j] }
            rhs[i] -= f * rhs[p]
        }
        let f = obj[q]
        if !f.isZero {
            for j in nonzero { obj[j] -= f * pivotRow[j] }
            value -= f * rhs[p]
        }
        basis[p] = q
    }

    enum Outcome { case optimal, unbounded(column: Int) }

    /// Bland's rule iterations until optimal or unbounded; `allowed` excludes columns.
    mutating func iterate(allowed: (Int) -> Bool = { _ in true }) -> Outcome {
        while true {
            // Entering: lowest index with a positive reduced cost (obj_j < 0).
            guard let q = (0..<columns).first(where: { allowed($0) && obj[$0] < .zero }) else { return .optimal }
            var leave: Int? = nil
            var best: Rational = .zero
            for i in 0..<m where rows[i][q] > .zero {
                let ratio = rhs[i] / rows[i][q]
                if let l = leave {
                    if ratio < best || (ratio == best && basis[i] < basis[l]) { leave = i; best = ratio }
                } else {
                    leave = i; best = ratio
                }
            }
            guard let p = leave else { return .unbounded(column: q) }
            pivot(row: p, column: q)
        }
    }

    /// Phase 1 when some b_i < 0. Returns a Farkas vector when the problem is infeasible; otherwise
    /// leaves a feasible basis over the original columns.
    mutating func phaseOne() -> [Rational]? {
        guard let start = rhs.indices.min(by: { rhs[$0] < rhs[$1] }), rhs[start] < .zero else { return nil }
        let a = n + m
        columns = a + 1
        for i in 0..<m { rows[i].append(Rational(-1)) }
        obj = [Rational](repeating: .zero, count: a) + [.one]   // maximise −x₀: obj row of −x₀ is +1 at x₀
        value = .zero
        pivot(row: start, column: a)     // feasible: x₀ = −min b
        _ = iterate()                    // bounded above by 0, so never unbounded
        if value < .zero {
            // Phase-1 optimum −x₀ < 0: the duals of the slack rows are a Farkas vector.
            return (0..<m).map { obj[n + $0] }
        }
        // Drive x₀ out of the basis if it sits there at level 0 (a degenerate pivot).
        if let p = basis.firstIndex(of: a) {
            if let q = (0..<a).first(where: { !rows[p][$0].isZero }) { pivot(row: p, column: q) }
        }
        columns = a
        for i in 0..<m { rows[i].removeLast() }
        return nil
    }

    /// Phase 2 from a feasible basis.
    mutating func phaseTwo() -> LinearProgramResult {
        let c = problem.objective + [Rational](repeating: .zero, count: m)
        obj = c.map { -$0 }
        value = .zero
        for i in 0..<m {
            let cb = c[basis[i]]
            if cb.isZero { continue }
            for j in 0..<columns where !rows[i][j].isZero { obj[j] += cb * rows[i][j] }
            value += cb * rhs[i]
        }
        switch iterate() {
        case .optimal:
            return .optimal(x: primal(), dual: (0..<m).map { obj[n + $0] }, value: value)
        case .unbounded(let q):
            var ray = [Rational](repeating: .zero, count: n + m)
            ray[q] = .one
            for i in 0..<m { ray[basis[i]] = -rows[i][q] }
            return .unbounded(x: primal(), ray: Array(ray.prefix(n)))
        }
    }

    func primal() -> [Rational] {
        var x = [Rational](repeating: .zero, count: n)
        for i in 0..<m where basis[i] < n { x[basis[i]] = rhs[i] }
        return x
    }
}
