import Evaluation
import ExactArithmetic
import Testing
import TransformerModel

/// The estimate behind the progress lines of long runs (docs/cli.md, "Long runs report…"):
/// `WorkMeter.unitsPerBlock` counts n² attention pairs plus n tokens per block and sequence, times
/// 1 + (the largest coordinate's bit length) / 64, and the evaluator's meter counts the same measure,
/// so a finished run stands at 100% of its estimate.
@Suite struct WorkEstimateTests {
    /// n tokens in d = 2 whose largest coordinate is `largest`.
    static func sequence(_ n: Int, largest: Rational = Rational(3)) -> [Token] {
        (0..<n).map { i in [i == 0 ? largest : Rational(i % 5), Rational(-1)] }
    }

    @Test func attentionPairsGrowWithTheSquareOfTheLength() {
        for n in [1, 2, 10, 100, 1000, 20_000] {
            #expect(WorkMeter.unitsPerBlock(Self.sequence(n)) == n * n + n, "n = \(n)")
        }
        // Doubling a long sequence multiplies its cost by about four, not two.
        let ratio = Double(WorkMeter.unitsPerBlock(Self.sequence(2000))) / Double(WorkMeter.unitsPerBlock(Self.sequence(1000)))
        #expect(ratio > 3.99 && ratio < 4.0)
    }

    @Test func numberSizesScaleTheCost() {
        let n = 50, base = n * n + n
        // 1 + bits/64 machine words: 2^63 has 64 bits (factor 2), 2^200 has 201 (4), 1/2^1000 has 1001 (16).
        let cases: [(Rational, Int)] = [
            (Rational(3), 1),
            (Rational.powerOfTwo(63), 2),
            (Rational.powerOfTwo(200), 4),
            (Rational.powerOfTwo(-1000), 16),
        ]
        for (largest, factor) in cases {
            #expect(WorkMeter.unitsPerBlock(Self.sequence(n, largest: largest)) == factor * base, "\(largest.bitSize) bits")
        }
        // The largest coordinate of any token decides, wherever it stands.
        var tokens = Self.sequence(n)
        tokens[n - 1][1] = Rational.powerOfTwo(200)
        #expect(WorkMeter.unitsPerBlock(tokens) == 4 * base)
    }

    @Test func theEstimateSumsSequencesAndBlocks() {
        let sequences = [Self.sequence(3), Self.sequence(10), Self.sequence(1)]
        #expect(WorkMeter.estimate(sequences, blocks: 7) == Double(7 * (12 + 110 + 2)))
        #expect(WorkMeter.estimate(sequences, blocks: 0) == 0)
    }

    /// After an evaluation the meter holds exactly the estimate: the progress lines end at 100%.
    @Test func aFinishedEvaluationMeetsItsEstimate() throws {
        var rng = SplitMix64(seed: 12)
        for _ in 0..<(5 * iterationScale) {
            let model = RandomModels.hardmax(&rng, dimension: 2, blocks: 4)
            let sequences = (0..<6).map { _ in RandomModels.sequence(&rng, 2) }.filter { !$0.isEmpty }
            var evaluator = try Evaluator<Rational>(model)
            let meter = WorkMeter()
            evaluator.meter = meter
            _ = try evaluator.evaluateAll(sequences)
            #expect(Double(meter.units) == WorkMeter.estimate(sequences, blocks: model.blocks.count))
        }
    }
}
