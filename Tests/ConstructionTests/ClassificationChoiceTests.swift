import Certification
import Constructions
import DatasetGeneration
import Testing
import TransformerModel

/// The compact classifier's choice lives in Constructions (`ClassificationConstruction.smaller`),
/// not in the CLI: the kept model has the fewer structured parameters and certifies.
@Suite struct ClassificationChoiceTests {
    @Test func keptModelIsTheSmallerAndCertifies() throws {
        var keptDirect = 0, keptLeaderMoves = 0, skipped = 0
        for seed in 0..<(6 * iterationScale) {
            var g = DatasetGenerator(seed: UInt64(900 + seed))
            let data = ClassificationTests.labelled(g.dataset(pairs: 8 + 8 * (seed % 4), dimension: 2 + seed % 2, lengths: 2...5,
                                                              pool: 30, maxOutputs: 1), labels: 2 + seed % 3, seed: UInt64(seed))
            // Identical inputs with different labels are infeasible: skipped, and counted.
            guard let embedded = try? data.embedded(LabelEmbedding.choose(for: data)),
                  let problem = try? InterpolationProblem(embedded) else { skipped += 1; continue }
            let leaderMoves = try HardmaxConstruction.build(problem, digest: embedded.digest, layout: .compact)
            let choice = try ClassificationConstruction.smaller(than: leaderMoves, problem, digest: embedded.digest)
            let (a, b) = (choice.direct.model.parameterCount.structured, choice.leaderMoves.model.parameterCount.structured)
            #expect(choice.keepsDirect == (a < b), "seed \(seed): \(a) vs \(b)")
            #expect(choice.kept.model.parameterCount.structured == min(a, b))
            #expect(try certify(model: choice.kept.model, dataset: embedded).holds, "seed \(seed)")
            if choice.keepsDirect { keptDirect += 1 } else { keptLeaderMoves += 1 }
        }
        #expect(keptDirect + keptLeaderMoves >= 4 * iterationScale, "only \(keptDirect + keptLeaderMoves) checked, \(skipped) infeasible")
        #expect(keptDirect >= 1, "the direct construction should win somewhere (\(keptDirect) of \(6 * iterationScale))")
    }
}
