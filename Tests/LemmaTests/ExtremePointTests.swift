import DatasetGeneration
import ExactArithmetic
import LinearProgramming
import TestSupport
import Testing
import TransformerModel

/// Lemma 4.5's LP: every answer carries a witness that checks exactly, and in d = 2 extremeness
/// agrees with an independent brute-force hull test.
@Suite struct ExtremePointTests {
    /// Brute force in the plane, written independently of the LP: x_i is *not* extreme iff it lies
    /// on a closed segment between two other points or in a closed triangle of three (Carathéodory).
    static func bruteForceIsExtreme(_ points: [Token], _ i: Int) -> Bool {
        let p = points[i]
        let others = points.indices.filter { $0 != i && points[$0] != p }.map { points[$0] }
        func orient(_ a: Token, _ b: Token, _ c: Token) -> Int {
            ((b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])).signum
        }
        func onSegment(_ a: Token, _ b: Token) -> Bool {
            orient(a, b, p) == 0
                && min(a[0], b[0]) <= p[0] && p[0] <= max(a[0], b[0])
                && min(a[1], b[1]) <= p[1] && p[1] <= max(a[1], b[1])
        }
        for a in others.indices { for b in others.indices where b > a {
            if onSegment(others[a], others[b]) { return false }
            for c in others.indices where c > b {
                let s = [orient(others[a], others[b], p), orient(others[b], others[c], p), orient(others[c], others[a], p)]
                if s.allSatisfy({ $0 >= 0 }) || s.allSatisfy({ $0 <= 0 }) {
                    // A degenerate (collinear) triangle only contains points of its segments.
                    if orient(others[a], others[b], others[c]) != 0 { return false }
                }
            }
        } }
        return true
    }

    /// Random set with interior points (convex combinations of 2–3 others) and collinear points
    /// (on the line through two others, inside or beyond the segment).
    static func randomSet(_ rng: inout SplitMix64, dimension d: Int) -> (points: [Token], interior: Set<Int>) {
        var points: [Token] = []
        var interior = Set<Int>()
        let base = Int.random(in: 1...6, using: &rng)
        for _ in 0..<base { points.append(randomToken(&rng, dimension: d, range: 6)) }
        let extra = Int.random(in: 0...4, using: &rng)
        for _ in 0..<extra where points.count >= 2 {
            let a = points[Int.random(in: 0..<points.count, using: &rng)]
            let b = points[Int.random(in: 0..<points.count, using: &rng)]
            switch Int.random(in: 0..<3, using: &rng) {
            case 0:  // on the open segment: interior
                let t = (try? Rational(numerator: Int.random(in: 1...6, using: &rng), denominator: 7)) ?? r("1/2")
                let q = zip(a, b).map { $0 + t * ($1 - $0) }
                if a != b { interior.insert(points.count) }
                points.append(q)
            case 1:  // collinear beyond b: may well be extreme
                let t = Rational(Int.random(in: 2...3, using: &rng))
                points.append(zip(a, b).map { $0 + t * ($1 - $0) })
            default: // a convex combination of three points with positive weights
                let c = points[Int.random(in: 0..<points.count, using: &rng)]
                let q = (0..<d).map { (a[$0] + b[$0] + Rational(2) * c[$0]) / Rational(4) }
                if !(a == b && b == c) { interior.insert(points.count) }
                points.append(q)
            }
        }
        // Distinct tokens (Lemma 4.5's hypothesis): keep first occurrences, remap the interior marks.
        var seen = Set<Token>(), kept: [Token] = [], keptInterior = Set<Int>()
        for (k, p) in points.enumerated() where seen.insert(p).inserted {
            if interior.contains(k) { keptInterior.insert(kept.count) }
            kept.append(p)
        }
        return (kept, keptInterior)
    }

    @Test func randomPointSetsCarryCheckedWitnesses() throws {
        var rng = SplitMix64(seed: 45)
        var sets = 0, extreme = 0, notExtreme = 0, collinearOrInterior = 0
        for dimension in [2, 3, 5] {
            for _ in 0..<(350 * iterationScale) {
                let (points, interior) = Self.randomSet(&rng, dimension: dimension)
                sets += 1
                collinearOrInterior += interior.isEmpty ? 0 : 1
                for i in points.indices {
                    let witness: ExtremePointWitness
                    do { witness = try ExtremePointTest.decide(points: points, index: i) } catch {
                        Issue.record("d = \(dimension), i = \(i): \(error) for \(show(points))")
                        continue
                    }
                    #expect(witness.check(points: points, index: i) == nil, "\(show(points)) i = \(i)")
                    if witness.isExtreme { extreme += 1 } else { notExtreme += 1 }
                    if interior.contains(i) {
                        #expect(!witness.isExtreme, "constructed interior point \(i) called extreme in \(show(points))")
                    }
                    if dimension == 2 {
                        #expect(witness.isExtreme == Self.bruteForceIsExtreme(points, i),
                                "LP and brute force disagree on point \(i) of \(show(points))")
                    }
                }
            }
        }
        #expect(sets >= 1000)
        #expect(extreme > 0 && notExtreme > 0 && collinearOrInterior > 100, "\(extreme) extreme, \(notExtreme) not, \(collinearOrInterior) sets with interior points")
    }

    @Test func tamperedWitnessesFail() throws {
        let square = [tok(0, 0), tok(2, 0), tok(0, 2), tok(2, 2), tok(1, 1)]
        let corner = try ExtremePointTest.decide(points: square, index: 3)
        #expect(corner.isExtreme)
        let centre = try ExtremePointTest.decide(points: square, index: 4)
        #expect(!centre.isExtreme)
        #expect(ExtremePointWitness.separating(direction: tok(1, 0), margin: .one).check(points: square, index: 3)?.contains("is not positive") == true)
        #expect(ExtremePointWitness.convexCombination(weights: [r("1/2"), .zero, .zero, r("1/2"), .zero]).check(points: square, index: 2)?.contains("differs from x_2") == true)
        #expect(ExtremePointWitness.convexCombination(weights: [r("1/2"), .zero, .zero, r("1/4"), .zero]).check(points: square, index: 4)?.contains("sum to 3/4") == true)
        #expect(ExtremePointWitness.convexCombination(weights: [r("-1"), .zero, .zero, r("2"), .zero]).check(points: square, index: 4)?.contains("negative") == true)
        #expect(ExtremePointWitness.separating(direction: tok(1, 1), margin: Rational(7)).check(points: square, index: 3)?.contains("margin") == true)
    }

    @Test func singlePointAndDuplicates() throws {
        #expect(try ExtremePointTest.decide(points: [tok(1, 2)], index: 0).isExtreme)
        // A repeated point is the point itself (sequences are sets).
        #expect(try ExtremePointTest.decide(points: [tok(1, 2), tok(1, 2), tok(0, 0)], index: 0).isExtreme)
        #expect(try !ExtremePointTest.decide(points: [tok(0, 0), tok(1, 1), tok(2, 2)], index: 1).isExtreme)
    }
}
