import Constructions
import DatasetGeneration
@testable import Evaluation
import ExactArithmetic
import Testing
import TransformerModel

/// Two algorithms for the enclosure's key selection must give identical runs: the straightforward
/// one (every query scans every key: O(n²) per layer) and the one the certificate uses (rank-one
/// scores without a mask: one scan per sign class of α, shared by its queries: O(n·d)).
@Suite struct KeySelectionCrossCheck {
    static func compare(_ model: Transformer, _ boxes: [Box], _ label: @autoclosure () -> String) throws {
        let fast = try EnclosureEvaluator(model).evaluate(boxes)
        let slow = try EnclosureEvaluator(model, temperature: nil, straightforward: true).evaluate(boxes)
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
