import Constructions
import DatasetGeneration
@testable import Evaluation
import ExactArithmetic
import Testing
import TransformerModel

/// Two algorithms for the enclosure must give identical runs: the straightforward one (every query
/// scans every key with its exact error term; feed-forward neuron by neuron) and the one the
/// certificate uses (rank-one scores without a mask: one scan per sign class of α, shared by its
/// queries; dense scores: error terms from bit lengths where they cannot matter; feed-forward per
/// direction with sorted kinks and prefix sums).
@Suite struct KeySelectionCrossCheck {
    static func compare(_ model: Transformer, _ boxes: [Box], _ label: @autoclosure () -> String) throws {
        let fast = try EnclosureEvaluator(model).evaluate(boxes)
        let slow = try ReferenceEnclosureEvaluator(model).evaluate(boxes)
        #expect(fast.boxes == slow.boxes, "\(label()): boxes differ\nfast: \(fast.boxes)\nslow: \(slow.boxes)\nmodel: \(model.fileText)\ninput: \(boxes)")
        #expect(fast.eventCount == slow.eventCount, "\(label()): \(fast.eventCount) events vs \(slow.eventCount)")
        #expect(fast.events.map(\.description) == slow.events.map(\.description), "\(label()): events differ")
    }

    /// Random rank-one softmax and hardmax models (mostly unmasked, α = β or not) on random boxes,
    /// many tokens so that sign classes are shared, with repeated tokens and ties.
    @Test func sharedSignClassesGiveTheStraightforwardRun() throws {
        var rng = SplitMix64(seed: 66)
        for trial in 0..<(150 * iterationScale) {
            let d = Int.random(in: 1...3, using: &rng)
            var model = EnclosureSoundnessTests.randomModel(&rng, dimension: d, temperature: [q(1), q(1, 8), q(2)][trial % 3])
            for b in model.blocks.indices {
                let p = EnclosureSoundnessTests.randomVector(&rng, d, range: 2)
                let qv = Bool.random(using: &rng) ? p : EnclosureSoundnessTests.randomVector(&rng, d, range: 2)
                let old = model.blocks[b].attention
                model.blocks[b].attention = SelfAttentionLayer(kind: Int.random(in: 0...3, using: &rng) == 0 ? .hardmax : .softmax,
                                                              rho: old.rho, scores: .rankOne(p: p, q: qv), value: old.heads.first?.value ?? .scaledIdentity(.one),
                                                              causal: Int.random(in: 0...5, using: &rng) == 0)
            }
            let n = Int.random(in: 1...12, using: &rng)
            let radii = [Rational.zero, .zero, q(1, 64), q(1, 1000), Rational.powerOfTwo(-300)]
            var boxes = (0..<n).map { _ in
                Box(centre: (0..<d).map { _ in q(Int.random(in: -3...3, using: &rng), [1, 2][Int.random(in: 0...1, using: &rng)]) },
                    radius: (0..<d).map { _ in radii[Int.random(in: 0...4, using: &rng)] })
            }
            if n > 2 { boxes[n - 1] = boxes[0] }  // a repeated token
            try Self.compare(model, boxes, "trial \(trial)")
        }
    }

    /// Feed-forward layers of many neurons on few directions (hats, ramps, repeated and zero
    /// directions), on boxes whose centres sit at, next to and between kinks: the per-direction
    /// enclosure equals the neuron-by-neuron one, events included (their order too).
    @Test func perDirectionFeedForwardGivesThePerNeuronRun() throws {
        var rng = SplitMix64(seed: 68)
        for trial in 0..<(300 * iterationScale) {
            let d = Int.random(in: 1...3, using: &rng)
            let directions = (0..<Int.random(in: 1...3, using: &rng)).map { _ in
                Int.random(in: 0...5, using: &rng) == 0 ? [Rational](repeating: .zero, count: d)
                    : EnclosureSoundnessTests.randomVector(&rng, d, range: 2)
            }
            let kinks = (0..<6).map { _ in q(Int.random(in: -8...8, using: &rng), 4) }
            var ridges: [FeedForwardLayer.Ridge] = []
            for _ in 0..<Int.random(in: 1...6, using: &rng) {
                let u = directions[Int.random(in: 0..<directions.count, using: &rng)]
                let neurons = (0..<Int.random(in: 1...4, using: &rng)).map { _ in
                    FeedForwardLayer.Neuron(bias: -kinks[Int.random(in: 0..<kinks.count, using: &rng)],
                                            output: EnclosureSoundnessTests.randomVector(&rng, d, range: 2))
                }
                ridges.append(FeedForwardLayer.Ridge(direction: u, neurons: neurons))
                if Bool.random(using: &rng) {
                    // A hat-like pair: the same slope back down, so prefix sums cancel.
                    ridges.append(FeedForwardLayer.Ridge(direction: u, neurons: neurons.map {
                        .init(bias: $0.bias - q(1, 2), output: $0.output.map { -$0 })
                    }))
                }
            }
            let eta = [Rational.one, .zero, q(1, 2), q(-1)][Int.random(in: 0...3, using: &rng)]
            let model = Transformer(dimension: d, blocks: [Block(stage: .custom, feedForward: FeedForwardLayer(eta: eta, ridges: ridges),
                                                                 attention: .identity)], temperature: q(1))
            let radii = [Rational.zero, q(1, 8), q(1, 1000), Rational.powerOfTwo(-300), q(3)]
            let boxes = (0..<Int.random(in: 1...6, using: &rng)).map { _ in
                Box(centre: (0..<d).map { _ in q(Int.random(in: -12...12, using: &rng), [4, 8][Int.random(in: 0...1, using: &rng)]) },
                    radius: (0..<d).map { _ in radii[Int.random(in: 0...4, using: &rng)].roundedUp(significantBits: 16) })
            }
            try Self.compare(model, boxes, "trial \(trial)")
        }
    }

    /// Dense scores (A = aI and general A) with score gaps from tiny to far beyond the weight
    /// bound's saturation, on boxes with radii from 0 to large: the bit-length shortcuts give the
    /// run of the exact per-key scan.
    @Test func denseScoresWithHugeGapsGiveTheStraightforwardRun() throws {
        var rng = SplitMix64(seed: 69)
        for trial in 0..<(150 * iterationScale) {
            let d = Int.random(in: 1...3, using: &rng)
            let scale = [q(1), q(1000), q(1_000_000), q(1, 1000)][trial % 4]
            var blocks: [Block] = []
            for _ in 0..<Int.random(in: 1...2, using: &rng) {
                let scores: ScoreMatrix = Bool.random(using: &rng)
                    ? .scaledIdentity(EnclosureSoundnessTests.randomRational(&rng, range: 2) * scale)
                    : .general((0..<d).map { _ in EnclosureSoundnessTests.randomVector(&rng, d, range: 2).map { $0 * scale } })
                blocks.append(Block(stage: .custom, feedForward: .identity,
                                    attention: SelfAttentionLayer(kind: Int.random(in: 0...3, using: &rng) == 0 ? .hardmax : .softmax,
                                                                  rho: [Rational.one, .zero][Int.random(in: 0...1, using: &rng)], scores: scores,
                                                                  value: .scaledIdentity(.one), causal: Int.random(in: 0...5, using: &rng) == 0)))
            }
            let model = Transformer(dimension: d, blocks: blocks, temperature: [q(1), q(1, 8), q(2)][trial % 3])
            let radii = [Rational.zero, .zero, q(1, 64), Rational.powerOfTwo(-300), Rational.powerOfTwo(-5000), q(2)]
            let boxes = (0..<Int.random(in: 1...10, using: &rng)).map { _ in
                Box(centre: (0..<d).map { _ in q(Int.random(in: -40...40, using: &rng), [1, 2][Int.random(in: 0...1, using: &rng)]) },
                    radius: (0..<d).map { _ in radii[Int.random(in: 0...5, using: &rng)] })
            }
            try Self.compare(model, boxes, "trial \(trial)")
        }
    }

    /// The constructed softmax models of Theorem 1.6 on their datasets: identical runs.
    @Test func constructedModelsGiveTheStraightforwardRun() throws {
        var gen = DatasetGenerator(seed: 67)
        for trial in 0..<(4 * iterationScale) {
            let data = gen.dataset(pairs: 6, dimension: 3, lengths: 3...6, pool: 10)
            let problem = try InterpolationProblem(data)
            for layout in HardmaxConstruction.Layout.allCases {
                let built = try SoftmaxConstruction.build(problem, pairs: data.pairs, digest: data.digest, layout: layout)
                for (j, pair) in data.pairs.enumerated() {
                    try Self.compare(built.model, pair.input.map { Box(point: $0) }, "trial \(trial) \(layout) pair \(j)")
                }
            }
        }
    }
}
