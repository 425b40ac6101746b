import ExactArithmetic
import Foundation
import HardmaxDynamics
import Testing
import TransformerModel

private func r(_ n: Int, _ d: Int = 1) -> Rational { Rational(n) / Rational(d) }
private func pt(_ x: Rational, _ y: Rational) -> [Rational] { [x, y] }
private let identity2: [[Rational]] = [[1, 0], [0, 1]]

/// The worked cases of docs/mathematics.md#hardmax-dynamics, as exact golden values.
@Suite struct WorkedCaseTests {
    let caseA: [[Rational]] = [pt(1, 1), pt(1, -1), pt(-1, 1), pt(-1, -1), pt(r(1, 2), 0), pt(r(-1, 2), 0)]
    let caseC: [[Rational]] = [pt(1, 2), pt(1, -1), pt(r(1, 2), 0)]

    @Test func caseA_tieForEver_limitIsANonLeaderCluster() throws {
        let s = try DynamicsSystem(dimension: 2, alpha: r(1, 2))
        let run = DynamicsRun(system: s, tokens: caseA, layerCount: 6)
        #expect(run.violation == nil)
        #expect(run.layers[6].tokens[4] == pt(r(697, 729), 0))
        for k in 0...6 {
            // z(k) = (1 − ½(⅔)^k, 0), tied between (1, 1) and (1, −1) at every layer.
            let expected = Rational.one - r(1, 2) * (try r(2, 3).power(k))
            #expect(run.layers[k].tokens[4] == pt(expected, 0))
            #expect(run.layers[k].attention[4] == [0, 1])
        }
        let c = try #require(run.certificate)
        #expect(c.layer == 0)
        #expect(c.limits[4] == pt(1, 0))
        let cluster = try #require(c.clusters.first { $0.point == pt(1, 0) })
        #expect(!cluster.isLeader && cluster.members == [4])
    }

    @Test func caseB_emergingLeader() throws {
        let tokens = [pt(0, -2), pt(r(3, 2), 0), pt(1, -1), pt(1, r(-1, 2)), pt(r(3, 2), r(3, 2))]
        let run = DynamicsRun(system: try DynamicsSystem(dimension: 2, alpha: 1), tokens: tokens, layerCount: 3)
        #expect(run.violation == nil)
        #expect(!run.layers[0].strictLeaders.contains(3))
        #expect(run.layers[1].strictLeaders.contains(3))
        // the authors' convention calls z2 a leader at layer 0 (a tie with z5 at a lower index).
        #expect(run.layers[0].argmaxLeaders.contains(1) && !run.layers[0].strictLeaders.contains(1))
    }

    @Test func caseC_tieThenOneLeader() throws {
        let run = DynamicsRun(system: try DynamicsSystem(dimension: 2, alpha: 1), tokens: caseC, layerCount: 3)
        #expect(run.violation == nil)
        #expect(run.layers[0].attention[2] == [0, 1])
        #expect(run.layers.map { $0.tokens[2] } == [pt(r(1, 2), 0), pt(r(3, 4), r(1, 4)), pt(r(7, 8), r(9, 8)), pt(r(15, 16), r(25, 16))])
        let c = try #require(run.certificate)
        #expect(c.layer == 1 && c.limits[2] == pt(1, 2))
    }
}

/// Every fact check fails on purpose when fed a layer made with a wrong convention.
@Suite struct FactCheckNegativeTests {
    let caseC: [[Rational]] = [pt(1, 2), pt(1, -1), pt(r(1, 2), 0)]

    func layers(_ s: DynamicsSystem, _ tokens: [[Rational]], _ rule: UpdateRule) -> (DynamicsLayer, DynamicsLayer) {
        let l0 = s.layer(0, tokens, rule: rule)
        return (l0, s.layer(1, s.step(l0, rule: rule), rule: rule))
    }

    func fails(_ fact: Fact, _ body: () throws(FactViolation) -> Void) {
        do { try body(); Issue.record("\(fact.rawValue) did not fail") } catch { #expect(error.fact == fact, "\(error)") }
    }

    @Test func f1_transposedMatrix() throws {
        let s = try DynamicsSystem(dimension: 2, matrix: [[1, 1], [0, 1]], alpha: 1)
        let (l0, _) = layers(s, caseC, .transposedMatrix)
        fails(.f1) { () throws(FactViolation) in try FactChecks.checkTies(s, l0) }
        let (p0, p1) = layers(s, caseC, .paper)
        try FactChecks.checkTies(s, p0)
        try FactChecks.checkDenominators(s, p0, p1)
    }

    @Test func f1_denominatorGrowth() throws {
        let s = try DynamicsSystem(dimension: 2, alpha: 1)
        let (l0, l1) = layers(s, caseC, .paper)
        let shrunk = DynamicsLayer(index: 1, tokens: l1.tokens.map { $0.map { $0 / Rational(7) } }, attention: l1.attention)
        fails(.f1) { () throws(FactViolation) in try FactChecks.checkDenominators(s, l0, shrunk) }
    }

    @Test func f2_wrongAlphaConvention() throws {
        let s = try DynamicsSystem(dimension: 2, alpha: r(1, 2))
        let (l0, l1) = layers(s, caseC, .swappedAlpha)
        fails(.f2) { () throws(FactViolation) in try FactChecks.checkConvex(s, l0, l1) }
    }

    @Test func f3_unnormalisedMovesLeaders() throws {
        let s = try DynamicsSystem(dimension: 2, alpha: 1)
        let (l0, l1) = layers(s, caseC, .unnormalised)
        fails(.f3) { () throws(FactViolation) in try FactChecks.checkLeaders(l0, l1) }
    }

    @Test func f4_argminMissesTheLargestToken() throws {
        let s = try DynamicsSystem(dimension: 2, alpha: 1)
        let (l0, _) = layers(s, caseC, .argmin)
        fails(.f4) { () throws(FactViolation) in try FactChecks.checkLargestNorm(s, l0) }
    }

    @Test func f6_argminShrinksNorms() throws {
        let s = try DynamicsSystem(dimension: 2, alpha: 1)
        let (l0, l1) = layers(s, caseC, .argmin)
        fails(.f6) { () throws(FactViolation) in try FactChecks.checkNormGrowth(s, l0, l1) }
    }

    @Test func f7_wrongAlphaConventionMergesTooFast() throws {
        // (αz + m)/(1+α) with small α puts two followers of one leader almost on it at once.
        let s = try DynamicsSystem(dimension: 2, alpha: r(1, 4))
        let tokens = [pt(2, 0), pt(1, r(1, 2)), pt(1, r(-1, 2))]
        let (l0, l1) = layers(s, tokens, .swappedAlpha)
        fails(.f7) { () throws(FactViolation) in try FactChecks.checkNoMerging(s, l0, l1) }
        let (p0, p1) = layers(s, tokens, .paper)
        try FactChecks.checkNoMerging(s, p0, p1)
    }

    @Test func f8_frozenFormulaRejectsAWrongLayer() throws {
        let s = try DynamicsSystem(dimension: 2, alpha: 1)
        let run = DynamicsRun(system: s, tokens: caseC, layerCount: 3)
        let c = try #require(run.certificate)
        let start = run.layers[c.layer]
        try s.checkFrozen(c, start: start, run.layers[3])
        let wrong = s.layer(3, s.step(run.layers[2], rule: .unnormalised))
        do { try s.checkFrozen(c, start: start, wrong); Issue.record("F8 did not fail") } catch { #expect(error.fact == .f8) }
    }

    @Test func f9_noCertificateWhileATieCanBreak() throws {
        // Case (c) at layer 0: the tie between (1, 2) and (1, −1) does not hold for every t.
        let s = try DynamicsSystem(dimension: 2, alpha: 1)
        if case .success = s.freezingCertificate(s.layer(0, caseC)) { Issue.record("F9 held at layer 0 of case (c)") }
        // A rotation never has leaders, so never a certificate.
        let rot = try DynamicsSystem(dimension: 2, matrix: [[0, -1], [1, 0]], alpha: 1)
        let run = DynamicsRun(system: rot, tokens: [pt(1, 0), pt(0, 1), pt(-1, 0), pt(0, -1)], layerCount: 5)
        #expect(run.certificate == nil && run.layers.allSatisfy { $0.strictLeaders.isEmpty })
    }

    @Test func runStopsAtTheFirstViolationAndNamesIt() throws {
        let s = try DynamicsSystem(dimension: 2, alpha: r(1, 2))
        let run = DynamicsRun(system: s, tokens: caseC, layerCount: 4, rule: .swappedAlpha)
        let v = try #require(run.violation)
        #expect(v.layer == 1 && v.fact == .f2)
    }
}

/// Randomised: the paper's rule never violates a fact; the exact SPD test agrees with leading minors;
/// the exact interval test agrees with dense sampling; F8's formula agrees with stepping.
@Suite struct DynamicsPropertyTests {
    struct Generator {
        var state: UInt64
        mutating func next() -> UInt64 { state = state &* 6364136223846793005 &+ 1442695040888963407; return state >> 33 }
        mutating func int(_ lo: Int, _ hi: Int) -> Int { lo + Int(next() % UInt64(hi - lo + 1)) }
        mutating func rational() -> Rational { r(int(-6, 6), int(1, 4)) }
    }

    static func determinant(_ m: [[Rational]]) -> Rational {
        if m.count == 1 { return m[0][0] }
        var total = Rational.zero
        for c in m.indices {
            let minor = m.dropFirst().map { row in row.enumerated().filter { $0.offset != c }.map(\.element) }
            let term = m[0][c] * determinant(minor)
            total = c % 2 == 0 ? total + term : total - term
        }
        return total
    }

    @Test func positiveDefiniteMatchesLeadingMinors() throws {
        var g = Generator(state: 11)
        let iterations = 300
        for _ in 0..<iterations {
            let d = g.int(1, 3)
            var a = (0..<d).map { _ in (0..<d).map { _ in Rational.zero } }
            for i in 0..<d { for j in i..<d { let v = g.rational(); a[i][j] = v; a[j][i] = v } }
            let s = try DynamicsSystem(dimension: d, matrix: a, alpha: 1)
            let minors = (1...d).allSatisfy { k in Self.determinant(Array(a.prefix(k)).map { Array($0.prefix(k)) }) > .zero }
            #expect(s.isPositiveDefinite == minors, "A = \(a)")
        }
    }

    @Test func intervalTestAgreesWithSampling() {
        var g = Generator(state: 5)
        for _ in 0..<2000 {
            let c0 = r(g.int(-3, 3), g.int(1, 3)), c1 = r(g.int(-6, 6), g.int(1, 3)), c2 = r(g.int(-6, 6), g.int(1, 3))
            let exact = DynamicsSystem.positiveOnUnitInterval(c0, c1, c2)
            let sampledMin = (1...200).map { k -> Rational in let t = r(k, 200); return c0 + c1 * t + c2 * t * t }.min() ?? .zero
            if exact { #expect(sampledMin > .zero, "c = \(c0), \(c1), \(c2)") }
            // near 0: the sign of the first non-zero coefficient
            let nearZero = c0 > .zero || (c0.isZero && (c1 > .zero || (c1.isZero && c2 > .zero)))
            if !nearZero { #expect(!exact) }
        }
    }

    @Test func paperRuleKeepsEveryFactOnRandomSPDSystems() throws {
        var g = Generator(state: 2024)
        let iterations = 40
        for it in 0..<iterations {
            let d = g.int(2, 3)
            // A = BᵀB + I is symmetric positive definite.
            let b = (0..<d).map { _ in (0..<d).map { _ in r(g.int(-2, 2)) } }
            let a = (0..<d).map { i in (0..<d).map { j in (0..<d).reduce(i == j ? Rational.one : .zero) { $0 + b[$1][i] * b[$1][j] } } }
            let tokens = (0..<g.int(3, 6)).map { _ in (0..<d).map { _ in g.rational() } }
            let alpha = r(g.int(1, 3), g.int(1, 3))
            let s = try DynamicsSystem(dimension: d, matrix: a, alpha: alpha)
            #expect(s.isPositiveDefinite)
            let run = DynamicsRun(system: s, tokens: tokens, layerCount: 8)
            #expect(run.violation == nil, "iteration \(it): A = \(a), α = \(alpha), tokens = \(tokens): \(run.violation.map(\.description) ?? "")")
            #expect(run.layers.allSatisfy { !$0.strictLeaders.isEmpty })
            if let c = run.certificate {
                // the certified limit is approached: the frozen formula at layer 8 is what stepping gave.
                try s.checkFrozen(c, start: run.layers[c.layer], run.layers[8])
            }
        }
    }
}

/// The dynamics file reader names what is wrong and where.
@Suite struct DynamicsInputTests {
    @Test func rejectsBadFiles() {
        let cases: [(String, String)] = [
            (#"{"dimension": 2}"#, "tokens"),
            (#"{"dimension": 2, "tokens": [[1]]}"#, "tokens[0]"),
            (#"{"dimension": 2, "tokens": [[1, 2]], "matrix": [[1, 0]]}"#, "matrix"),
            (#"{"dimension": 2, "tokens": [[1, "x"]]}"#, "tokens[0][1]"),
            (#"{"dimension": 2, "tokens": [[1, 2]], "alpha": 1}"#, "alpha"),
        ]
        for (text, path) in cases {
            do { _ = try DynamicsInput.parse(Array(text.utf8)); Issue.record("accepted \(text)") } catch {
                #expect(error.path == path, "\(text): \(error)")
            }
        }
        #expect(throws: InputError.self) { try DynamicsSystem(dimension: 2, alpha: 0) }
    }
}
