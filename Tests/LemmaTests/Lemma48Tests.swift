import Constructions
import DatasetGeneration
import Evaluation
import ExactArithmetic
import TestSupport
import Testing
import TransformerModel

/// Lemma 4.8 (hat function): on ≥ 1,000 random configurations — including points 2⁻¹⁰⁰ apart —
/// one hat moves exactly its point and fixes every other; multi-hats move exactly their points.
/// Checked twice: by the lemma's checker (evaluating the layer) and by the hat formula written
/// out here from the rational parameters.
@Suite struct Lemma48Tests {
    static let tiny = (try? Rational(2).power(-100)) ?? .zero

    /// Random distinct points, some pairs only 2⁻¹⁰⁰ apart (in one coordinate or along a diagonal).
    static func configuration(_ rng: inout SplitMix64, dimension d: Int) -> [Token] {
        var points: [Token] = []
        for _ in 0..<Int.random(in: 1...7, using: &rng) {
            points.append(randomToken(&rng, dimension: d, range: 5))
            if Bool.random(using: &rng), let p = points.last {
                var q = p
                if Bool.random(using: &rng) {
                    q[Int.random(in: 0..<d, using: &rng)] += tiny
                } else {
                    q = q.map { $0 - tiny }
                }
                points.append(q)
            }
        }
        return LemmaSupport.distinct(points)
    }

    /// FF(x) from the hat formula: x + Σ (y − p)/ε · (σ(t − a + ε) − 2σ(t − a) + σ(t − a − ε)).
    static func formula(_ c: HatMove.Construction, _ points: [Token], _ x: Token) -> Token {
        var out = x
        let t = Rational.dot(c.direction, x)
        for h in c.hats {
            let s = t - h.center, e = h.halfWidth
            let hat = (s + e).relu - Rational(2) * s.relu + (s - e).relu
            let displacement = scaled(subtracted(h.move.target, points[h.move.index]), by: e.reciprocal)
            out = added(out, scaled(displacement, by: hat))
        }
        return out
    }

    @Test func randomConfigurationsMoveExactlyTheChosenPoints() throws {
        var rng = SplitMix64(seed: 4_8)
        var configurations = 0, withTinyGaps = 0, multi = 0
        for round in 0..<(1100 * iterationScale) {
            let d = [1, 2, 3, 4][round % 4]
            let points = Self.configuration(&rng, dimension: d)
            configurations += 1
            if points.indices.contains(where: { a in points.indices.contains { b in b != a && subtracted(points[a], points[b]).allSatisfy { $0.magnitude <= Self.tiny } } }) {
                withTinyGaps += 1
            }
            // One hat, or several (every third round), with targets that may coincide with other points.
            let count = round % 3 == 0 ? Int.random(in: 1...points.count, using: &rng) : 1
            if count > 1 { multi += 1 }
            let chosen = Array(points.indices.shuffled(using: &rng).prefix(count))
            let moves = chosen.map { i in
                HatMove.Move(index: i, target: Bool.random(using: &rng) ? points[Int.random(in: 0..<points.count, using: &rng)] : randomToken(&rng, dimension: d))
            }
            let factor = round % 5 == 0 ? r("1/2") : .one
            let c = try HatMove.construct(points: points, moves: moves, widthFactor: factor)
            let check = HatMove.check(c, points: points)
            #expect(check.holds, "\(show(points)) moves \(moves.map { "\($0.index)→\(show($0.target))" }): \(check.failure ?? "")")
            // Independently: exactly the chosen points change, each onto its target.
            let targets = Dictionary(uniqueKeysWithValues: moves.map { ($0.index, $0.target) })
            for (k, p) in points.enumerated() {
                let y = Self.formula(c, points, p)
                #expect(y == (targets[k] ?? p), "formula: point \(k) of \(show(points)) → \(show(y))")
            }
        }
        #expect(configurations >= 1000 && withTinyGaps >= 300 && multi >= 200, "\(configurations) configurations, \(withTinyGaps) with 2⁻¹⁰⁰ gaps, \(multi) multi-hat")
    }

    @Test func theoremHatsAndLemmaHatsAgree() throws {
        // A direction given explicitly builds the hats here; with the same u and ε the layers act alike.
        let points = [tok(0, 1), tok(2, 2), rtok("-3/2", "5/4"), tok(1, 0), rtok("1/2", "-1/2")]
        let shared = try HatMove.construct(points: points, moves: [.init(index: 1, target: tok(7, 7))])
        let own = try HatMove.construct(points: points, moves: [.init(index: 1, target: tok(7, 7))], direction: shared.direction,
                                        halfWidth: shared.hats[0].halfWidth)
        #expect(shared.sharedWithTheorem14 && !own.sharedWithTheorem14)
        for p in points + [tok(3, 3), rtok("1/3", "2")] {
            let a = CompiledFeedForward<Rational>(shared.layer).apply(p), b = CompiledFeedForward<Rational>(own.layer).apply(p)
            #expect(a == b, "\(show(p))")
        }
    }

    @Test func brokenHypothesesAreNamed() throws {
        let points = [tok(0, 1), tok(2, 2), tok(0, 3), tok(1, 0)]
        let flat = try HatMove.construct(points: points, moves: [.init(index: 0, target: tok(5, 5))], direction: tok(1, 0))
        #expect(HatMove.check(flat, points: points).failure == "hypothesis violated: u = [1, 0] is not generic for p_0: ⟨u, p_2⟩ = ⟨u, p_0⟩ = 0")
        let wide = try HatMove.construct(points: points, moves: [.init(index: 3, target: tok(5, 5))], direction: tok(1, 2), halfWidth: Rational(2))
        #expect(HatMove.check(wide, points: points).failure == "point 0 moved: expected [0, 1], got [2, 7/2]")
        let twice = points + [tok(2, 2)]
        let dup = try HatMove.construct(points: twice, moves: [.init(index: 0, target: tok(5, 5))])
        #expect(HatMove.check(dup, points: twice).failure?.hasPrefix("hypothesis violated: points 1 and 4 are equal") == true)
        #expect(throws: LemmaError.self) { try HatMove.construct(points: points, moves: [.init(index: 0, target: tok(1, 1))], halfWidth: .zero) }
        #expect(throws: LemmaError.self) { try HatMove.construct(points: points, moves: [.init(index: 4, target: tok(1, 1))]) }
        #expect(throws: LemmaError.self) { try HatMove.construct(points: points, moves: [.init(index: 0, target: tok(1, 1, 1))]) }
    }

    @Test func tamperedLayerIsCaught() throws {
        let points = [tok(0, 1), tok(2, 2), tok(0, 3), tok(1, 0)]
        var c = try HatMove.construct(points: points, moves: [.init(index: 1, target: tok(-4, 4))])
        c.layer.ridges[0].neurons[1].bias += r("1/7")
        #expect(HatMove.check(c, points: points).failure?.hasPrefix("point 1 missed its target: expected [-4, 4], got") == true)
    }
}
