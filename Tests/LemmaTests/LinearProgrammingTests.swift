import DatasetGeneration
import ExactArithmetic
import LinearProgramming
import TestSupport
import Testing
import TransformerModel

/// The exact simplex method (Lemma 4.5, docs/mathematics.md#lemma-4-5): certificates checked on textbook, degenerate, infeasible and
/// unbounded programs, and optima cross-checked against brute-force vertex enumeration.
@Suite struct LinearProgrammingTests {
    func solve(_ lp: LinearProgram, sourceLocation: SourceLocation = #_sourceLocation) -> LinearProgramResult? {
        guard let result = SimplexSolver.solve(lp) else {
            Issue.record("solver refused \(lp)", sourceLocation: sourceLocation)
            return nil
        }
        #expect(lp.verify(result) == nil, "certificate rejected: \(lp.verify(result) ?? "") for \(lp)", sourceLocation: sourceLocation)
        return result
    }

    @Test func textbookOptimum() {
        // max 3x + 5y, x ≤ 4, 2y ≤ 12, 3x + 2y ≤ 18: optimum 36 at (2, 6).
        let lp = LinearProgram(objective: tok(3, 5), constraints: [tok(1, 0), tok(0, 2), tok(3, 2)], bounds: tok(4, 12, 18))
        #expect(solve(lp) == .optimal(x: tok(2, 6), dual: [.zero, r("3/2"), .one], value: Rational(36)))
    }

    @Test func phaseOneFeasible() {
        // max −x − y with x + y ≥ 2 (−x − y ≤ −2), x ≤ 3: optimum −2.
        let lp = LinearProgram(objective: tok(-1, -1), constraints: [tok(-1, -1), tok(1, 0)], bounds: tok(-2, 3))
        guard case .optimal(_, _, let v) = solve(lp) else { Issue.record("not optimal"); return }
        #expect(v == Rational(-2))
    }

    @Test func infeasibleHasFarkasVector() {
        // x + y ≤ 1 and x + y ≥ 3.
        let lp = LinearProgram(objective: tok(1, 1), constraints: [tok(1, 1), tok(-1, -1)], bounds: tok(1, -3))
        guard case .infeasible = solve(lp) else { Issue.record("expected infeasible"); return }
    }

    @Test func unboundedHasRay() {
        // max x + y with x − y ≤ 1.
        let lp = LinearProgram(objective: tok(1, 1), constraints: [tok(1, -1)], bounds: tok(1))
        guard case .unbounded = solve(lp) else { Issue.record("expected unbounded"); return }
    }

    /// Beale's example cycles under the textbook largest-coefficient rule; Bland's rule terminates.
    @Test func bealeDoesNotCycle() {
        let lp = LinearProgram(
            objective: [r("3/4"), Rational(-20), r("1/2"), Rational(-6)],
            constraints: [[r("1/4"), Rational(-8), Rational(-1), Rational(9)],
                          [r("1/2"), Rational(-12), r("-1/2"), Rational(3)],
                          [.zero, .zero, .one, .zero]],
            bounds: tok(0, 0, 1))
        guard case .optimal(_, _, let v) = solve(lp) else { Issue.record("not optimal"); return }
        #expect(v == r("5/4"))
    }

    /// Tampered certificates are rejected, each with its reason.
    @Test func tamperedCertificatesFail() {
        let lp = LinearProgram(objective: tok(3, 5), constraints: [tok(1, 0), tok(0, 2), tok(3, 2)], bounds: tok(4, 12, 18))
        #expect(lp.verify(.optimal(x: tok(2, 6), dual: tok(0, 2, 1), value: Rational(36)))?.contains("bᵀy") == true)
        #expect(lp.verify(.optimal(x: tok(3, 6), dual: [.zero, r("3/2"), .one], value: Rational(39)))?.contains("constraint 2 violated") == true)
        #expect(lp.verify(.optimal(x: tok(2, 6), dual: [.zero, r("1/2"), .one], value: Rational(36)))?.contains("dual infeasible") == true)
        #expect(lp.verify(.infeasible(farkas: tok(1, 0, 0)))?.contains("not negative") == true)
        #expect(lp.verify(.unbounded(x: tok(0, 0), ray: tok(1, 0)))?.contains("leaves constraint 0") == true)
        #expect(LinearProgram(objective: tok(1), constraints: [tok(1, 2)], bounds: tok(1)).verify(.infeasible(farkas: tok(1)))?.contains("malformed") == true)
    }

    /// Random two-variable programs against brute-force vertex enumeration: the optimum over all
    /// feasible intersections of two constraint lines (including the axes) equals the LP value.
    @Test func randomTwoVariableProgramsMatchVertexEnumeration() {
        var rng = SplitMix64(seed: 41)
        var counts = (optimal: 0, infeasible: 0, unbounded: 0)
        for _ in 0..<(300 * iterationScale) {
            let m = Int.random(in: 1...5, using: &rng)
            let rows = (0..<m).map { _ in randomToken(&rng, dimension: 2, range: 5) }
            let b = (0..<m).map { _ in randomRational(&rng, range: 6) }
            let c = randomToken(&rng, dimension: 2, range: 4)
            let lp = LinearProgram(objective: c, constraints: rows, bounds: b)
            guard let result = solve(lp) else { continue }
            // Lines a·x = β: the constraints and the axes x = 0, y = 0.
            let lines: [(Token, Rational)] = zip(rows, b).map { ($0, $1) } + [(tok(1, 0), .zero), (tok(0, 1), .zero)]
            var best: Rational? = nil
            for p in lines.indices { for q in lines.indices where q > p {
                let (a1, b1) = lines[p], (a2, b2) = lines[q]
                let det = a1[0] * a2[1] - a1[1] * a2[0]
                if det.isZero { continue }
                let x = [(b1 * a2[1] - a1[1] * b2) / det, (a1[0] * b2 - b1 * a2[0]) / det]
                guard x.allSatisfy({ $0 >= .zero }), zip(rows, b).allSatisfy({ Rational.dot($0, x) <= $1 }) else { continue }
                let v = Rational.dot(c, x)
                best = best.map { max($0, v) } ?? v
            } }
            switch result {
            case .optimal(_, _, let v):
                counts.optimal += 1
                #expect(best == v, "LP optimum \(v), vertex enumeration \(best.map(\.description) ?? "none") for \(lp)")
            case .infeasible:
                counts.infeasible += 1
                #expect(best == nil, "LP says infeasible but vertex \(best!) is feasible for \(lp)")
            case .unbounded:
                counts.unbounded += 1
            }
        }
        #expect(counts.optimal > 0 && counts.infeasible > 0 && counts.unbounded > 0, "\(counts)")
    }
}
