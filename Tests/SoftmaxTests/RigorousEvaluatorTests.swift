import Certification
import Constructions
import DatasetGeneration
import Evaluation
import ExactArithmetic
import Foundation
import Testing
import TransformerModel

/// Evaluation at one temperature with rational intervals (docs/mathematics.md#rigorous-evaluation).
@Suite struct RigorousEvaluatorTests {
    /// e^{−y} bounds: against three independent references — the float64 exp (tests only), the
    /// 2^{−30} bounds of the enclosure certificate, and the functional equation e^{−a}e^{−b} = e^{−(a+b)}
    /// whose two sides reduce the range differently — and narrow to the asked precision.
    @Test func negativeExpBoundsAreTightAndConsistent() {
        var rng = SplitMix64(seed: 2203)
        var checked = 0
        for _ in 0..<(300 * iterationScale) {
            let y = q(Int.random(in: 0...5_000_000, using: &rng), Int.random(in: 1...100_000, using: &rng))
            for bits in [40, 96, 160] {
                let e = ExponentialBounds.negativeExp(y, bits: bits)
                #expect(e.lo <= e.hi && e.lo.signum >= 0, "y = \(y), bits \(bits): \(e)")
                guard e.lo.signum > 0 else { continue }
                #expect(e.width <= e.lo * Rational.powerOfTwo(4 - bits), "y = \(y), bits \(bits): relative width \((e.width / e.lo).doubleValue)")
                // float64's own error: y's rounding times y, plus a few units in the last place.
                let reference = exp(-y.doubleValue), slack = (y.doubleValue + 8) * 4e-16
                if reference > 1e-300 {
                    #expect(e.lo.doubleValue <= reference * (1 + slack) && reference <= e.hi.doubleValue * (1 + slack), "y = \(y): \(reference) ∉ \(e)")
                }
                if y.doubleValue < 20_000 {
                    #expect(e.hi >= ExponentialBounds.lowerNegativeExp(y) && e.lo <= ExponentialBounds.upperNegativeExp(y), "y = \(y)")
                }
                checked += 1
            }
            let a = y, b = q(Int.random(in: 0...3_000, using: &rng), Int.random(in: 1...997, using: &rng))
            let ea = ExponentialBounds.negativeExp(a, bits: 128), eb = ExponentialBounds.negativeExp(b, bits: 128)
            let sum = ExponentialBounds.negativeExp(a + b, bits: 128)
            #expect(ea.lo * eb.lo <= sum.hi && sum.lo <= ea.hi * eb.hi, "e^{-\(a)}·e^{-\(b)} and e^{-(a+b)} do not meet")
        }
        #expect(checked >= 600 * iterationScale)
        #expect(ExponentialBounds.negativeExp(.zero, bits: 64) == RationalInterval(.one))
    }

    /// A random model with dense score (Q, K) and value matrices, softmax at τ, a ReLU FF before.
    static func randomModel(_ rng: inout SplitMix64, dimension d: Int, blocks: Int, causal: Bool, tau: Rational) -> Transformer {
        func entry() -> Rational { q(Int.random(in: -8...8, using: &rng), Int.random(in: 1...4, using: &rng)) }
        func matrix(_ rows: Int, _ cols: Int) -> [[Rational]] { (0..<rows).map { _ in (0..<cols).map { _ in entry() } } }
        let list = (0..<blocks).map { _ -> Block in
            let width = Int.random(in: 1...4, using: &rng)
            let ff = FeedForwardLayer.dense(eta: .one, u: matrix(width, d), b: (0..<width).map { _ in entry() }, w: matrix(d, width))
            let h = Int.random(in: 1...3, using: &rng)
            let sa = SelfAttentionLayer(kind: .softmax, rho: Int.random(in: 0...1, using: &rng) == 0 ? .zero : .one,
                                        scores: .queryKey(query: matrix(h, d), key: matrix(h, d)), value: .general(matrix(d, d)), causal: causal)
            return Block(stage: .custom, feedForward: ff, attention: sa)
        }
        return Transformer(dimension: d, blocks: list, temperature: tau)
    }

    /// The float64 evaluation of the same model lies in the intervals (up to its own rounding), and
    /// the intervals are narrow: at 128 bits a radius below 2^{−80}·max(1, |x|).
    @Test func softmaxIntervalsContainTheFloat64ValuesAndAreNarrow() throws {
        var rng = SplitMix64(seed: 2204)
        var compared = 0
        for iteration in 0..<(25 * iterationScale) {
            let d = Int.random(in: 1...4, using: &rng)
            let tau = [q(1, 10), q(1), q(3), q(1, 1000)][iteration % 4]
            let model = Self.randomModel(&rng, dimension: d, blocks: Int.random(in: 1...2, using: &rng), causal: iteration % 3 == 0, tau: tau)
            let tokens = (0..<Int.random(in: 1...6, using: &rng)).map { _ in (0..<d).map { _ in q(Int.random(in: -4...4, using: &rng), 2) } }
            let boxes = try RigorousEvaluator(model).evaluate(tokens)
            let float = try Evaluator<Double>(model).evaluate(tokens.map { $0.map(\.doubleValue) })
            for (i, token) in boxes.enumerated() {
                for (e, interval) in token.enumerated() {
                    let scale = max(1, interval.magnitude.doubleValue)
                    #expect(interval.lo.doubleValue - 1e-9 * scale <= float[i][e] && float[i][e] <= interval.hi.doubleValue + 1e-9 * scale,
                            "iteration \(iteration): token \(i) coordinate \(e): float64 \(float[i][e]) outside \(interval)")
                    #expect(interval.radius <= Rational.powerOfTwo(-80) * max(.one, interval.magnitude), "iteration \(iteration): radius \(interval.radius.doubleValue)")
                    compared += 1
                }
            }
        }
        #expect(compared >= 25 * iterationScale)
    }

    /// Hardmax models: the intervals are the exact points of `Evaluator<Rational>`.
    @Test func hardmaxModelsGiveExactPoints() throws {
        let w: Token = [q(2), q(3)]
        let model = Transformer(dimension: 2, blocks: [
            Block(stage: .custom, feedForward: .dense(eta: .one, u: [[q(1), q(-1)]], b: [q(1, 3)], w: [[q(2)], [q(-1, 2)]]),
                  attention: SelfAttentionLayer(kind: .hardmax, rho: .one, scores: .rankOne(p: w, q: w), value: .scaledIdentity(q(1, 2)))),
        ])
        let tokens: [Token] = [[q(0), q(1)], [q(1, 2), q(3)], [q(-1, 4), q(2)], [q(0), q(1)]]
        let boxes = try RigorousEvaluator(model).evaluate(tokens)
        let exact = try Evaluator<Rational>(model).evaluate(tokens)
        #expect(boxes.map { $0.map(\.lo) } == exact && boxes.allSatisfy { $0.allSatisfy(\.isPoint) })
    }

    /// A hardmax layer after a softmax layer: two equal tokens beside a third get equal, non-point
    /// outputs and score intervals,
    /// which cannot decide the argmax — an error naming block, head and token, never a guess.
    @Test func undecidableHardmaxIsAnError() throws {
        let soft = SelfAttentionLayer(kind: .softmax, rho: .zero, scores: .scaledIdentity(.one), value: .scaledIdentity(.one))
        let hard = SelfAttentionLayer(kind: .hardmax, rho: .one, scores: .scaledIdentity(.one), value: .scaledIdentity(.one))
        let model = Transformer(dimension: 1, blocks: [Block(stage: .custom, attention: soft), Block(stage: .custom, attention: hard)],
                                temperature: q(1, 3))
        do {
            _ = try RigorousEvaluator(model).evaluate([[q(1)], [q(1)], [q(0)]])
            Issue.record("an undecidable hardmax argmax was decided")
        } catch {
            #expect(error.description.contains("block 1 (0-based) attention head 0, token 0"), "\(error)")
            #expect(error.description.contains("overlap"), "\(error)")
        }
        #expect(throws: EvaluationError.self) { try RigorousEvaluator(model, temperature: .zero) }
        #expect(throws: EvaluationError.self) { try RigorousEvaluator(Transformer(dimension: 1, blocks: [Block(stage: .custom, attention: soft)])) }
    }
}

/// Certified losses (docs/trained-models.md#certified-losses).
@Suite struct CertifiedLossTests {
    /// Softmax models: the loss interval contains the float64 loss (up to float64's rounding), is
    /// narrow, and hausdorff is the square root of hausdorff-squared.
    @Test func softmaxLossIntervalsContainTheFloat64Loss() throws {
        var rng = SplitMix64(seed: 2205)
        var checked = 0
        for iteration in 0..<(20 * iterationScale) {
            let d = Int.random(in: 1...3, using: &rng)
            let model = RigorousEvaluatorTests.randomModel(&rng, dimension: d, blocks: Int.random(in: 1...2, using: &rng), causal: false, tau: q(1, 2))
            func token() -> Token { (0..<d).map { _ in q(Int.random(in: -4...4, using: &rng), 2) } }
            let pairs = (0..<Int.random(in: 1...4, using: &rng)).map { _ in
                SequencePair(input: (0..<Int.random(in: 1...4, using: &rng)).map { _ in token() }, output: [token()])
            }
            let data = Dataset(dimension: d, pairs: pairs)
            let squared = try CertifiedLoss.compute(model: model, dataset: data, kind: .hausdorffSquared)
            let plain = try CertifiedLoss.compute(model: model, dataset: data, kind: .hausdorff)
            let evaluator = try Evaluator<Double>(model)
            for (j, pair) in pairs.enumerated() {
                let out = try evaluator.evaluate(pair.input.map { $0.map(\.doubleValue) })
                let h = hausdorffDistance(out, pair.output.map { $0.map(\.doubleValue) })
                let s = squared.pairs[j], p = plain.pairs[j]
                let slack = 1e-9 * max(1, h * h)
                #expect(s.lo.doubleValue - slack <= h * h && h * h <= s.hi.doubleValue + slack, "iteration \(iteration) pair \(j): \(h * h) ∉ \(s)")
                #expect(s.width <= Rational.powerOfTwo(-60) * max(.one, s.magnitude), "iteration \(iteration): width \(s.width.doubleValue)")
                #expect((p.lo * p.lo) <= s.hi && s.lo <= (p.hi * p.hi), "iteration \(iteration): √ and ² disagree")
                checked += 1
            }
            #expect(squared.mean.lo <= squared.pairs.map(\.hi).reduce(.zero, +) / Rational(pairs.count))
        }
        #expect(checked >= 20 * iterationScale)
    }

    /// Hardmax models: exact losses. The figure-5 model interpolates (loss 0); moving one target by
    /// (3, 4) gives exactly 25 for that pair in hausdorff-squared and 5 in hausdorff; mean-squared
    /// needs outputs as long as inputs; a target token far from every output counts (Y → T(X)).
    @Test func hardmaxLossesAreExact() throws {
        let data = try Theorem16Tests.bundledFigure5()
        let model = try HardmaxConstruction.build(try InterpolationProblem(data), digest: nil, layout: .compact).model
        let zero = try CertifiedLoss.compute(model: model, dataset: data, kind: .hausdorffSquared)
        #expect(zero.isExact && zero.pairs.allSatisfy { $0 == .zero } && zero.mean == .zero)
        var moved = data
        moved.pairs[1].output = [added(data.pairs[1].output[0], [q(3), q(4)])]
        let squared = try CertifiedLoss.compute(model: model, dataset: moved, kind: .hausdorffSquared)
        #expect(squared.pairs[1] == RationalInterval(q(25)) && squared.pairs[0] == .zero)
        #expect(squared.mean == RationalInterval(q(25, 3)))
        let plain = try CertifiedLoss.compute(model: model, dataset: moved, kind: .hausdorff)
        #expect(plain.pairs[1].contains(q(5)) && plain.pairs[1].width <= Rational.powerOfTwo(-100))
        #expect(throws: CertificationError.self) { try CertifiedLoss.compute(model: model, dataset: data, kind: .meanSquared) }
        // Both directions of the Hausdorff distance: the extra target (3, 4) is 13 from (1, 1), 16 from (3, 0).
        var extra = data
        extra.pairs[0].output.append(added(data.pairs[0].output[1], [q(0), q(4)]))
        let backward = try CertifiedLoss.compute(model: model, dataset: extra, kind: .hausdorffSquared)
        #expect(backward.pairs[0] == RationalInterval(q(13)), "\(backward.pairs[0])")
    }

    /// K units in the last place, coordinate by coordinate, both directions; intervals that straddle
    /// the edge are undecided.
    @Test func unitsInTheLastPlace() throws {
        let y: Token = [q(3, 4), q(-5)]
        let ulp = y.map { $0.unitInLastPlace(in: .float32) }
        #expect(ulp == [Rational.powerOfTwo(-24), Rational.powerOfTwo(-21)])
        #expect(Rational.zero.unitInLastPlace(in: .float32) == Rational.powerOfTwo(-149))
        let exactly = [y.map { RationalInterval($0) }]
        #expect(CertifiedLoss.withinUnitsInTheLastPlace(exactly, [y], units: 0, format: .float32) == .within)
        let off = [[RationalInterval(y[0] + ulp[0]), RationalInterval(y[1] - ulp[1])]]
        #expect(CertifiedLoss.withinUnitsInTheLastPlace(off, [y], units: 0, format: .float32) == .outside)
        #expect(CertifiedLoss.withinUnitsInTheLastPlace(off, [y], units: 1, format: .float32) == .within)
        #expect(CertifiedLoss.withinUnitsInTheLastPlace(off, [y], units: 1, format: .float64) == .outside)
        // A target no output is near: the backward direction fails.
        #expect(CertifiedLoss.withinUnitsInTheLastPlace(exactly, [y, [q(7), q(7)]], units: 4, format: .float32) == .outside)
        // An interval across the edge of the ulp box.
        let straddle = [[RationalInterval(lo: y[0] + ulp[0] / Rational(2), hi: y[0] + Rational(2) * ulp[0]), RationalInterval(y[1])]]
        #expect(CertifiedLoss.withinUnitsInTheLastPlace(straddle, [y], units: 1, format: .float32) == .undecided)
    }
}

