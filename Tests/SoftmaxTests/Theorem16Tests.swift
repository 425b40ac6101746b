import Certification
import Constructions
import Evaluation
import ExactArithmetic
import Foundation
import Testing
import TransformerModel

func r(_ s: String) -> Rational { (try? Rational(parsing: s)) ?? .zero }
func tok(_ xs: Int...) -> Token { xs.map { Rational($0) } }

/// The bundled Figure-5-like dataset (Datasets/figure5.json).
let figure5 = Dataset(name: "figure-5", dimension: 2, pairs: [
    SequencePair(input: [tok(0, 1), [r("1/2"), r("3")], [r("-1/4"), r("2")], tok(2, -1)], output: [tok(1, 1), tok(3, 0)]),
    SequencePair(input: [tok(1, 2), [r("3/2"), r("1/2")], tok(-1, -1)], output: [[r("-2"), r("1/3")]]),
    SequencePair(input: [tok(0, 1), tok(2, 2), [r("-3/2"), r("5/4")], tok(1, 0), [r("1/2"), r("-1/2")]],
                 output: [tok(0, -2), [r("1/2"), r("1/2")], tok(2, 2)]),
])

/// Builds the softmax model, checks the block bounds, writes and re-reads the file, and re-runs the
/// certificate from the file alone. Records the dataset on failure so it can be replayed.
@discardableResult
func certifySoftmax(_ data: Dataset, _ layout: HardmaxConstruction.Layout, _ label: String,
                    sourceLocation: SourceLocation = #_sourceLocation) -> SoftmaxConstruction.Result? {
    do {
        let problem = try InterpolationProblem(data)
        let result = try SoftmaxConstruction.build(problem, pairs: data.pairs, digest: data.digest, layout: layout)
        let blocks = result.model.blocks.count
        let n = problem.count, m = problem.totalOutputCount
        #expect(blocks <= 2 * m + 3 * n, "\(label): \(blocks) blocks exceed the paper's 2Σm + 3N", sourceLocation: sourceLocation)
        if layout == .compact {
            #expect(blocks <= n + 1, "\(label): compact uses \(blocks) > N + 1 blocks", sourceLocation: sourceLocation)
        } else {
            #expect(blocks <= 2 * m + 2 * n - 1, "\(label): narrow uses \(blocks) blocks", sourceLocation: sourceLocation)
            #expect(result.model.maximumWidth <= 5, "\(label): narrow width \(result.model.maximumWidth)", sourceLocation: sourceLocation)
        }
        #expect(result.model.temperature != nil && result.model.usesSoftmax || blocks == 0, sourceLocation: sourceLocation)
        let reread = try Transformer.parse(Array(result.model.fileText.utf8))
        #expect(reread == result.model, "\(label): model file does not round-trip", sourceLocation: sourceLocation)
        let report = try SoftmaxCertifier.certify(reread, on: data)
        #expect(report.holds, "\(label): certificate fails: \(report.failures.map(\.description))\n\(data.json.rendered())", sourceLocation: sourceLocation)
        #expect(report.eventCount == 0, "\(label): a certified run crossed a kink: \(report.failures.map(\.description))", sourceLocation: sourceLocation)
        return result
    } catch {
        Issue.record("\(label): \(error)\n\(data.json.rendered())", sourceLocation: sourceLocation)
        return nil
    }
}

@Suite struct Theorem16Tests {
    @Test(arguments: HardmaxConstruction.Layout.allCases)
    func figure5Certified(layout: HardmaxConstruction.Layout) throws {
        let result = try #require(certifySoftmax(figure5, layout, "figure-5 \(layout)"))
        print("figure-5 \(layout): \(result.model.blocks.count) blocks, τ₀ = \(result.temperature) after \(result.attempts.count) tries, width \(result.model.maximumWidth), trapezoids \(result.trapezoids)")
    }
}
