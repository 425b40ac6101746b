import DatasetGeneration
import Evaluation
import ExactArithmetic
import Foundation
import Testing
import TransformerModel

/// Iteration multiplier for randomized tests (FLINT style): ITERATIONS=10 runs ten times more.
let iterationScale: Int = Int(ProcessInfo.processInfo.environment["ITERATIONS"] ?? "") ?? 1

func q(_ n: Int, _ d: Int = 1) -> Rational { (try? Rational(numerator: n, denominator: d)) ?? .zero }

@Suite struct DyadicRoundingTests {
    @Test func roundingIsDirectedAndShort() {
        var rng = SplitMix64(seed: 61)
        for _ in 0..<(500 * iterationScale) {
            let x = q(Int.random(in: -1_000_000...1_000_000, using: &rng), Int.random(in: 1...1_000_003, using: &rng))
                * Rational.powerOfTwo(Int.random(in: -300...300, using: &rng))
            let bits = Int.random(in: 1...24, using: &rng)
            let up = x.roundedUp(significantBits: bits), down = x.roundedDown(significantBits: bits)
            #expect(down <= x && x <= up, "x = \(x), bits = \(bits): \(down) ≤ x ≤ \(up) fails")
            for y in [up, down] where !y.isZero {
                // A dyadic: denominator a power of two, numerator at most bits + 1 bits beyond trailing zeros.
                let den = y.denominator
                #expect(Rational.powerOfTwo(den.numeratorBitLength - 1) == den, "\(y) is not dyadic")
                var m = y.numerator.magnitude
                while m.isInteger, (m / Rational(2)).isInteger, !m.isZero { m = m / Rational(2) }
                #expect(m.numeratorBitLength <= bits + 1, "\(y) has \(m.numeratorBitLength) significant bits")
            }
        }
    }

    @Test func shortDyadicsAreKept() {
        for x in [q(3, 8), q(-5), Rational.powerOfTwo(-200) * q(7), q(255, 256)] {
            #expect(x.roundedUp(significantBits: 8) == x)
            #expect(x.roundedDown(significantBits: 8) == x)
        }
        #expect(Rational.powerOfTwo(10) == Rational(1024))
        #expect(Rational.powerOfTwo(-3) == q(1, 8))
        #expect(q(3, 5).timesPowerOfTwo(70) * Rational.powerOfTwo(-70) == q(3, 5))
    }
}

@Suite struct ExponentialBoundTests {
    /// lower(x) ≤ e^{−x} ≤ upper(x) against libm, with the float error of exp allowed explicitly
    /// (a relative 1e-12, far above exp's 1 ulp and far below the bounds' 2^{-30} gap).
    @Test func boundsBracketTheTrueValue() {
        var rng = SplitMix64(seed: 62)
        var xs: [Rational] = [.zero, q(1, 1_000_000_000), q(1, 3), q(1), ExponentialBounds.ln2Lower, ExponentialBounds.ln2Upper,
                              q(2), q(10), q(100), q(700)]
        for _ in 0..<(300 * iterationScale) {
            xs.append(q(Int.random(in: 0...700_000, using: &rng), Int.random(in: 1...1000, using: &rng)))
        }
        for x in xs where x <= q(700) {
            let lower = ExponentialBounds.lowerNegativeExp(x), upper = ExponentialBounds.upperNegativeExp(x)
            let truth = exp(-x.doubleValue)
            #expect(lower <= upper, "x = \(x)")
            #expect(lower.doubleValue <= truth * (1 + 1e-12), "x = \(x): lower \(lower.doubleValue) > e^-x = \(truth)")
            #expect(upper.doubleValue >= truth * (1 - 1e-12), "x = \(x): upper \(upper.doubleValue) < e^-x = \(truth)")
            // Tight: upper ≤ lower·(1 + 2^{-28}).
            #expect(upper <= lower * (Rational.one + Rational.powerOfTwo(-28)), "x = \(x): bounds too loose")
        }
    }

    /// Pure rational consistency, no libm: e^{−(x+y)} = e^{−x}e^{−y}, so each bracket must meet the
    /// product of the others; and huge arguments keep short numbers.
    @Test func boundsAreMultiplicativelyConsistent() {
        var rng = SplitMix64(seed: 63)
        for _ in 0..<(200 * iterationScale) {
            let x = q(Int.random(in: 0...50_000, using: &rng), Int.random(in: 1...97, using: &rng))
            let y = q(Int.random(in: 0...50_000, using: &rng), Int.random(in: 1...97, using: &rng))
            let lx = ExponentialBounds.lowerNegativeExp(x), ux = ExponentialBounds.upperNegativeExp(x)
            let ly = ExponentialBounds.lowerNegativeExp(y), uy = ExponentialBounds.upperNegativeExp(y)
            let lxy = ExponentialBounds.lowerNegativeExp(x + y), uxy = ExponentialBounds.upperNegativeExp(x + y)
            #expect(lx * ly <= uxy, "x = \(x), y = \(y)")
            #expect(lxy <= ux * uy, "x = \(x), y = \(y)")
            #expect(ux.numeratorBitLength <= 40, "upper bound of e^-\(x) is not short")
        }
        // e^{-10000} < 2^{-4096}: clamped to the floor, still an upper bound of the lower bound.
        let huge = q(10_000)
        #expect(ExponentialBounds.upperNegativeExp(huge) == Rational.powerOfTwo(-ExponentialBounds.floorExponent))
        #expect(ExponentialBounds.lowerNegativeExp(huge) <= ExponentialBounds.upperNegativeExp(huge))
        // From the saturation on, the bound is the clamp, for any floor; just below it, it is not.
        for floor in [ExponentialBounds.floorExponent, 256, 64] {
            let clamp = Rational.powerOfTwo(-floor), start = ExponentialBounds.saturation(floorExponent: floor)
            for x in [start, start + q(1, 1_000_000), start * q(3), start * Rational.powerOfTwo(200)] {
                #expect(ExponentialBounds.upperNegativeExp(x, floorExponent: floor) == clamp, "floor \(floor), x = \(x)")
            }
            #expect(ExponentialBounds.upperNegativeExp(start - q(2), floorExponent: floor) > clamp, "floor \(floor)")
        }
        // log₂ e^{-1000} = −1442.69…: the upper bound sits within a factor 2 of it.
        let u = ExponentialBounds.upperNegativeExp(q(1000))
        #expect(u.denominatorBitLength - u.numeratorBitLength == 1442 || u.denominatorBitLength - u.numeratorBitLength == 1443)
    }
}

// MARK: - Enclosure soundness

/// Random small models, boxes and temperatures: float64 evaluation at sampled points of the input
/// boxes, at temperatures τ ≤ τ₀, must land inside the enclosure computed for τ₀.
@Suite struct EnclosureSoundnessTests {
    static func randomRational(_ rng: inout SplitMix64, range: Int = 4) -> Rational {
        let den = [1, 2, 4, 3][Int.random(in: 0...3, using: &rng)]
        return q(Int.random(in: -range * den...range * den, using: &rng), den)
    }

    static func randomVector(_ rng: inout SplitMix64, _ d: Int, range: Int = 4) -> Token {
        (0..<d).map { _ in randomRational(&rng, range: range) }
    }

    static func randomModel(_ rng: inout SplitMix64, dimension d: Int, temperature: Rational) -> Transformer {
        var blocks: [Block] = []
        for b in 0..<Int.random(in: 1...3, using: &rng) {
            let width = Int.random(in: 0...4, using: &rng)
            let eta = [Rational.one, .zero, q(1, 2), q(-1)][Int.random(in: 0...3, using: &rng)]
            let ridges = (0..<width).map { _ in
                FeedForwardLayer.Ridge(direction: randomVector(&rng, d, range: 2),
                                       neurons: [.init(bias: randomRational(&rng), output: randomVector(&rng, d, range: 2))])
            }
            let scores: ScoreMatrix
            switch Int.random(in: 0...3, using: &rng) {
            case 0: scores = .scaledIdentity(randomRational(&rng, range: 2))
            case 1: scores = .rankOne(p: randomVector(&rng, d, range: 2), q: randomVector(&rng, d, range: 2))
            case 2: scores = .general((0..<d).map { _ in randomVector(&rng, d, range: 2) })
            default: scores = .zero
            }
            let value: ValueMatrix = Bool.random(using: &rng)
                ? .scaledIdentity(randomRational(&rng, range: 2))
                : .general((0..<d).map { _ in randomVector(&rng, d, range: 1) })
            let rho = [Rational.one, .zero, q(1, 2)][Int.random(in: 0...2, using: &rng)]
            blocks.append(Block(stage: .custom, feedForward: FeedForwardLayer(eta: eta, ridges: ridges),
                                attention: SelfAttentionLayer(kind: .softmax, rho: rho, scores: scores, value: value,
                                                              causal: Int.random(in: 0...4, using: &rng) == 0)))
        }
        return Transformer(dimension: d, blocks: blocks, temperature: temperature)
    }

    @Test func floatEvaluationAtSampledPointsLiesInsideTheEnclosure() throws {
        var rng = SplitMix64(seed: 64)
        var checked = 0
        for trial in 0..<(150 * iterationScale) {
            let d = Int.random(in: 2...3, using: &rng)
            let tau0 = [q(2), q(1), q(1, 4), q(1, 32)][Int.random(in: 0...3, using: &rng)]
            let model = Self.randomModel(&rng, dimension: d, temperature: tau0)
            let n = Int.random(in: 1...4, using: &rng)
            let radii = [Rational.zero, q(1, 64), q(1, 8), q(1, 1000)]
            let boxes = (0..<n).map { _ in
                Box(centre: Self.randomVector(&rng, d), radius: (0..<d).map { _ in radii[Int.random(in: 0...3, using: &rng)] })
            }
            let enclosure = try EnclosureEvaluator(model).evaluate(boxes)
            for tau in [tau0, tau0 / Rational(3), tau0 / Rational(50)] {
                let float = try Evaluator<Double>(model, temperature: tau)
                for _ in 0..<4 {
                    // A point of the input boxes: the centre moved by r·s, s ∈ {−1, −1/2, …, 1}.
                    let xs = boxes.map { box in
                        box.centre.indices.map { e in box.centre[e] + box.radius[e] * q(Int.random(in: -2...2, using: &rng), 2) }
                    }
                    let ys = try float.evaluate(xs.map { $0.map(\.doubleValue) })
                    for (i, y) in ys.enumerated() {
                        let box = enclosure.boxes[i]
                        for e in 0..<d {
                            let c = box.centre[e].doubleValue, r = box.radius[e].doubleValue
                            // Float error allowance: relative 1e-9 of the magnitudes involved.
                            let tolerance = 1e-9 * (1 + abs(c) + abs(y[e]) + r)
                            #expect(abs(y[e] - c) <= r + tolerance,
                                    "trial \(trial), τ = \(tau), token \(i), coordinate \(e): float \(y[e]) outside \(box)\nmodel: \(model.fileText)\ninput boxes: \(boxes)")
                            checked += 1
                        }
                    }
                }
            }
        }
        #expect(checked > 1000)
    }

    /// With exact points and large score gaps the enclosure is tight, so the soundness test above
    /// does not pass merely because boxes are huge: here the float value must lie within a box
    /// whose radius is tiny, and the certified weights must be bounded by the libm value.
    @Test func enclosureIsTightForWellSeparatedScores() throws {
        // One softmax layer, A = I, V = I, ρ = 0 on three well separated tokens: each attends to itself.
        let layer = SelfAttentionLayer(kind: .softmax, rho: .zero, scores: .scaledIdentity(.one), value: .scaledIdentity(.one))
        let model = Transformer(dimension: 2, blocks: [Block(stage: .collapse, attention: layer)], temperature: q(1, 8))
        let tokens: [Token] = [[q(3), q(3)], [q(-3), q(3)], [q(0), q(-4)]]
        let run = try EnclosureEvaluator(model).evaluate(points: tokens)
        let float = try Evaluator<Double>(model).evaluate(tokens.map { $0.map(\.doubleValue) })
        for i in tokens.indices {
            let box = run.boxes[i]
            #expect(box.centre == tokens[i])
            #expect(box.largestRadius < Rational.powerOfTwo(-100), "radius \(box.largestRadius)")
            #expect(box.largestRadius > .zero, "softmax never gives an exact point")
            for e in 0..<2 { #expect(abs(float[i][e] - box.centre[e].doubleValue) <= 1e-12) }
        }
        #expect(run.eventCount == 0)
    }
}

/// Cross-check of two independent evaluators: on exact points of a hardmax model every box stays a
/// point, and the points are exactly what `Evaluator<Rational>` computes (ties included).
@Suite struct EnclosureHardmaxCrossCheck {
    @Test func pointEnclosuresOfHardmaxModelsAreExactEvaluation() throws {
        var rng = SplitMix64(seed: 65)
        for trial in 0..<(200 * iterationScale) {
            let d = Int.random(in: 1...3, using: &rng)
            var model = EnclosureSoundnessTests.randomModel(&rng, dimension: d, temperature: .one)
            for b in model.blocks.indices { model.blocks[b].attention.kind = .hardmax }
            model.temperature = nil
            // Small integer tokens make score ties (and so argmax sets of several keys) common.
            let tokens = (0..<Int.random(in: 1...5, using: &rng)).map { _ in (0..<d).map { _ in q(Int.random(in: -2...2, using: &rng)) } }
            let exact = try Evaluator<Rational>(model).evaluate(tokens)
            let run = try EnclosureEvaluator(model).evaluate(points: tokens)
            #expect(run.boxes.allSatisfy { $0.isPoint }, "trial \(trial): a box of a hardmax run on points is not a point")
            #expect(run.boxes.map(\.centre) == exact, "trial \(trial): enclosure \(run.boxes) ≠ exact \(exact)\n\(model.fileText)")
            #expect(run.eventCount == 0)
        }
    }
}

// MARK: - Tiered weight floor

/// The certificate's first run clamps weight bounds at 2^−quickWeightFloorExponent, its second (only
/// when the first is not conclusive and met the clamp) at 2^−4096. Here the attention's weights are far below both clamps, so every radius
/// after it is the clamp, and the next layer has a kink 2^−kinkExponent from the centre.
@Suite struct TieredWeightFloorTests {
    /// Tokens 1 and 2 (d = 1) both attend to 2 with score gaps ≥ 10⁶ (τ₀ = 1); then FF with η = 0 and
    /// two neurons whose slopes cancel once both are active: a point iff the box misses the first kink.
    static func model(kinkExponent: Int) -> Transformer {
        let attention = SelfAttentionLayer(kind: .softmax, rho: .zero, scores: .scaledIdentity(q(1_000_000)), value: .scaledIdentity(.one))
        let feedForward = FeedForwardLayer(eta: .zero, ridges: [
            .init(direction: [q(1)], neurons: [.init(bias: -(q(2) - Rational.powerOfTwo(-kinkExponent)), output: [q(1)]),
                                              .init(bias: q(-1), output: [q(-1)])]),
        ])
        return Transformer(dimension: 1, blocks: [Block(stage: .custom, attention: attention), Block(stage: .custom, feedForward: feedForward)],
                           temperature: q(1))
    }

    @Test func aQuickRunThatCrossesAKinkIsRedoneWithTheFullFloor() throws {
        let evaluator = try EnclosureEvaluator(Self.model(kinkExponent: 1000))
        let input: [Token] = [[q(1)], [q(2)]]
        let expected: Token = [q(-1) + Rational.powerOfTwo(-1000)]
        var quick = evaluator
        quick.weightFloorExponent = EnclosureEvaluator.quickWeightFloorExponent
        let quickRun = quick.evaluate(points: input)
        #expect(quickRun.eventCount > 0 && quickRun.clampedWeights, "the quick floor's radius must cross the kink 2^-1000 away")
        let full = evaluator.evaluate(points: input)
        #expect(full.eventCount == 0 && full.boxes.allSatisfy(\.isPoint))
        let tiered = evaluator.evaluateTiered(points: input)
        #expect(tiered.eventCount == 0, "\(tiered.events)")
        #expect(tiered.boxes.map(\.centre) == [expected, expected] && tiered.boxes.allSatisfy(\.isPoint))
    }

    /// Random models with score gaps from small to far beyond both clamps: whenever the full-floor
    /// run is conclusive so is the tiered one, and a tiered run that is not conclusive is exactly the
    /// full run (boxes and events, stopping at the first event or not).
    @Test func tieredRunsAgreeWithTheFullFloor() throws {
        var rng = SplitMix64(seed: 70)
        var conclusive = 0, inconclusive = 0
        for trial in 0..<(200 * iterationScale) {
            let d = Int.random(in: 1...2, using: &rng)
            var model = EnclosureSoundnessTests.randomModel(&rng, dimension: d, temperature: [q(1), q(1, 8), q(2)][trial % 3])
            let scale = [q(1), q(100), q(1_000_000)][trial % 3]
            for b in model.blocks.indices where Bool.random(using: &rng) {
                model.blocks[b].attention = SelfAttentionLayer(kind: .softmax, rho: .zero,
                                                               scores: .scaledIdentity(EnclosureSoundnessTests.randomRational(&rng, range: 2) * scale),
                                                               value: .scaledIdentity(.one))
            }
            let points = (0..<Int.random(in: 1...6, using: &rng)).map { _ in EnclosureSoundnessTests.randomVector(&rng, d, range: 3) }
            let evaluator = try EnclosureEvaluator(model)
            for stop in [false, true] {
                let full = evaluator.evaluate(points: points, stopAtFirstEvent: stop)
                let tiered = evaluator.evaluateTiered(points: points, stopAtFirstEvent: stop)
                let fullConclusive = full.eventCount == 0 && full.boxes.allSatisfy(\.isPoint)
                let tieredConclusive = tiered.eventCount == 0 && tiered.boxes.allSatisfy(\.isPoint)
                #expect(!fullConclusive || tieredConclusive, "trial \(trial): the full floor certifies, the tiered run does not\n\(model.fileText)")
                if tieredConclusive {
                    conclusive += 1
                } else {
                    inconclusive += 1
                    #expect(tiered.boxes == full.boxes && tiered.events.map(\.description) == full.events.map(\.description)
                            && tiered.eventCount == full.eventCount && tiered.stopped == full.stopped,
                            "trial \(trial), stop \(stop): an inconclusive tiered run differs from the full one\n\(model.fileText)\ninput: \(points)")
                }
            }
        }
        #expect(conclusive > 0 && inconclusive > 0, "both outcomes should occur: \(conclusive) conclusive, \(inconclusive) not")
    }

    @Test func aConclusiveQuickRunIsKeptAndAFailingFullRunIsReported() throws {
        let input: [Token] = [[q(1)], [q(2)]]
        // A kink 2^-(F/2) away for the quick floor F: the quick run alone certifies.
        let easy = try EnclosureEvaluator(Self.model(kinkExponent: EnclosureEvaluator.quickWeightFloorExponent / 2))
        var quick = easy
        quick.weightFloorExponent = EnclosureEvaluator.quickWeightFloorExponent
        let quickRun = quick.evaluate(points: input)
        #expect(quickRun.eventCount == 0 && quickRun.boxes.allSatisfy(\.isPoint))
        #expect(easy.evaluateTiered(points: input).boxes == quickRun.boxes)
        // Kink 2^-5000 away: both floors cross it; the full run's events are what is reported.
        let hard = try EnclosureEvaluator(Self.model(kinkExponent: 5000))
        let tiered = hard.evaluateTiered(points: input)
        #expect(tiered.eventCount > 0 && !tiered.boxes.allSatisfy(\.isPoint))
        #expect(tiered.events.map(\.description) == hard.evaluate(points: input).events.map(\.description))
        #expect(tiered.events.first?.description.contains("crosses the kink of neuron 0") == true, "\(tiered.events)")
    }
}
