import Certification
import Constructions
import DatasetGeneration
import Evaluation
import ExactArithmetic
import Foundation
import TestSupport
import Testing
import TransformerModel

/// Iteration multiplier for randomized tests (FLINT style): ITERATIONS=10 runs ten times more.
let iterationScale: Int = Int(ProcessInfo.processInfo.environment["ITERATIONS"] ?? "") ?? 1

// r(_:), the literal parser, is TestSupport's (a bad literal stops the run).
func tok(_ xs: Int...) -> Token { xs.map { Rational($0) } }

/// Builds, checks the layout bounds, writes and re-reads the model, and verifies it exactly on the
/// dataset as given. Records the dataset on failure so it can be replayed.
@discardableResult
func certify(_ data: Dataset, _ layout: HardmaxConstruction.Layout, _ label: String,
             sourceLocation: SourceLocation = #_sourceLocation) -> HardmaxConstruction.Result? {
    do {
        let problem = try InterpolationProblem(data)
        let result = try HardmaxConstruction.build(problem, digest: data.digest, layout: layout)
        let blocks = result.model.blocks.count
        let n = problem.count, m = problem.totalOutputCount
        #expect(blocks <= 2 * m + 2 * n + 1, "\(label): \(blocks) blocks exceed the paper's bound", sourceLocation: sourceLocation)
        if layout == .compact {
            #expect(blocks <= n + 1, "\(label): compact uses \(blocks) > N + 1 blocks", sourceLocation: sourceLocation)
        } else {
            #expect(blocks <= 2 * m + 2 * n - 2, "\(label): narrow uses \(blocks) blocks", sourceLocation: sourceLocation)
            #expect(result.model.maximumWidth <= 4, "\(label): narrow width \(result.model.maximumWidth)", sourceLocation: sourceLocation)
        }
        let reread = try Transformer.parse(Array(result.model.fileText.utf8))
        #expect(reread == result.model, "\(label): model file does not round-trip", sourceLocation: sourceLocation)
        let report = try certify(model: reread, dataset: data)
        #expect(report.holds, "\(label): verification failed on pairs \(report.failures.map(\.index))\n\(data.json.rendered())", sourceLocation: sourceLocation)
        return result
    } catch {
        Issue.record("\(label): \(error)\n\(data.json.rendered())", sourceLocation: sourceLocation)
        return nil
    }
}

@Suite struct Theorem14Tests {
    @Test(arguments: HardmaxConstruction.Layout.allCases)
    func figure5Certified(layout: HardmaxConstruction.Layout) {
        certify(figure5, layout, "figure-5 \(layout)")
    }

    @Test func sameDatasetGivesIdenticalFiles() throws {
        for layout in HardmaxConstruction.Layout.allCases {
            let p = try InterpolationProblem(figure5)
            let a = try HardmaxConstruction.build(p, digest: figure5.digest, layout: layout).model.fileText
            let b = try HardmaxConstruction.build(p, digest: figure5.digest, layout: layout).model.fileText
            #expect(a == b)
        }
    }

    /// Compact separation puts several sequences in one block: a block lifting three or more
    /// sequences has at least three hats (width ≥ 3·3 + 1), which one-at-a-time separation never
    /// builds (case 3 has two). It needs no more separation blocks than the narrow layout, and
    /// the result still certifies.
    @Test func compactSeparationBatchesSequences() {
        var gen = DatasetGenerator(seed: 41)
        var batched = 0
        for k in 0..<(20 * iterationScale) {
            let data = gen.dataset(pairs: 24, dimension: 2 + k % 2, lengths: 3...8, pool: 30)
            guard let compact = certify(data, .compact, "batch #\(k) compact"),
                  let narrow = certify(data, .narrow, "batch #\(k) narrow"),
                  let compactSeparation = compact.stages.first(where: { $0.stage == .separation }),
                  let narrowSeparation = narrow.stages.first(where: { $0.stage == .separation }) else { continue }
            #expect(compactSeparation.blocks <= narrowSeparation.blocks,
                    "batch #\(k): compact separation \(compactSeparation.blocks) > narrow \(narrowSeparation.blocks)")
            if compactSeparation.maximumWidth >= 10 { batched += 1 }
        }
        #expect(batched > 0, "no separation block lifted three or more sequences")
    }

    /// ≥ 500 random valid datasets (d ∈ {2, 3, 5}, N ≤ 30, lengths ≤ 12), half of them drawn from a
    /// shared pool so that separation has work, certified in both layouts.
    @Test func randomDatasetsCertifiedInBothLayouts() {
        var gen = DatasetGenerator(seed: 14)
        let count = 500 * iterationScale
        for k in 0..<count {
            let d = [2, 3, 5][k % 3]
            let n = Int.random(in: 1...(k % 10 == 0 ? 30 : 8), using: &gen.rng)
            let pooled = k % 2 == 0
            let data = gen.dataset(pairs: n, dimension: d, lengths: 1...12, pool: pooled ? max(2 * n, 12) : nil)
            for layout in HardmaxConstruction.Layout.allCases {
                certify(data, layout, "random #\(k) (d = \(d), N = \(data.pairs.count), pooled = \(pooled), \(layout))")
            }
        }
    }

    /// The collapse (docs/mathematics.md#collapse): compact hardmax with one output per pair uses
    /// the rank-one scores A = 1·1ᵀ (one pass over the keys), and the model certifies; with an
    /// m^j ≥ 2 somewhere, or in the narrow layout, it is Lemma 4.4's A = I. Random datasets, half
    /// of them pooled so that separation has work.
    @Test func singleOutputCompactCollapseIsRankOne() {
        var gen = DatasetGenerator(seed: 44)
        let ones = { (d: Int) in ScoreMatrix.rankOne(p: [Rational](repeating: .one, count: d), q: [Rational](repeating: .one, count: d)) }
        for k in 0..<(60 * iterationScale) {
            let d = [2, 3, 5][k % 3]
            let n = 1 + k % 12
            let single = k % 3 != 2
            let data = gen.dataset(pairs: n, dimension: d, lengths: 1...9, pool: k % 2 == 0 ? 2 * n + 4 : nil,
                                   maxOutputs: single ? 1 : nil)
            let multiple = data.pairs.contains { Set($0.output).count > 1 }
            for layout in HardmaxConstruction.Layout.allCases {
                let label = "#\(k) (d = \(d), N = \(n), \(layout), max m = \(multiple ? "≥ 2" : "1"))"
                guard let result = certify(data, layout, label) else { continue }
                guard let collapse = result.model.blocks.first(where: { $0.stage == .leadersAndCollapse && $0.attention != .identity }),
                      let head = collapse.attention.heads.first else {
                    Issue.record("\(label): no collapse attention\n\(data.json.rendered())")
                    continue
                }
                let expected = layout == .compact && !multiple ? ones(d) : ScoreMatrix.scaledIdentity(.one)
                #expect(collapse.attention.heads.count == 1 && head.scores == expected && head.value == .scaledIdentity(.one)
                        && collapse.attention.rho == .zero, "\(label): collapse \(collapse.attention)\n\(data.json.rendered())")
            }
        }
    }

    // MARK: Adversarial families

    @Test func adversarialFamiliesCertified() {
        for (name, data) in AdversarialDatasets.families() {
            for layout in HardmaxConstruction.Layout.allCases { certify(data, layout, "\(name) (\(layout))") }
        }
    }

    // MARK: Rejections

    @Test func dimensionOneIsRejected() throws {
        let data = Dataset(dimension: 1, pairs: [SequencePair(input: [[Rational.one]], output: [[Rational.zero]])])
        let problem = try InterpolationProblem(data)
        #expect(throws: ConstructionError.self) { try HardmaxConstruction.build(problem, digest: nil, layout: .narrow) }
    }

    @Test func infeasibleDataIsRejectedBeforeConstruction() {
        let data = Dataset(dimension: 2, pairs: [
            SequencePair(input: [tok(0, 0), tok(1, 0)], output: [tok(1, 1)]),
            SequencePair(input: [tok(1, 0), tok(0, 0)], output: [tok(2, 2)]),
        ])
        #expect(throws: InputError.self) { try InterpolationProblem(data) }
    }

    /// The one interpolation predicate: sets, not sequences (order and repeats do not count), and
    /// it fails on one missing or one extra value.
    @Test func interpolatesComparesSets() {
        let a = [Rational(1), Rational(0)], b = [Rational(0), Rational(1)], c = [Rational(1), Rational(1)]
        #expect(interpolates([a, b, a], [b, a]))
        #expect(!interpolates([a, b], [a]))
        #expect(!interpolates([a], [a, c]))
        #expect(!interpolates([[Rational]](), [a]))
        let (missing, unexpected) = setDifference(got: [a, b], want: [a, c])
        #expect(missing == [c] && unexpected == [b])
    }

    /// The verifier is a checker that can fail: a model with one rational changed is rejected.
    @Test func verifierRejectsTamperedModel() throws {
        let problem = try InterpolationProblem(figure5)
        var model = try HardmaxConstruction.build(problem, digest: figure5.digest, layout: .compact).model
        let last = model.blocks.count - 1
        model.blocks[last].feedForward.ridges[0].neurons[0].output[0] += Rational.one
        let report = try certify(model: model, dataset: figure5)
        #expect(report.method == .exactHardmax)
        #expect(!report.holds)
        #expect(!report.failures.isEmpty)
    }

    @Test func verifierRejectsDigestMismatch() throws {
        let problem = try InterpolationProblem(figure5)
        var model = try HardmaxConstruction.build(problem, digest: figure5.digest, layout: .compact).model
        model.datasetDigest = "sha256:0000"
        #expect(throws: CertificationError.self) { try certify(model: model, dataset: figure5) }
        do { _ = try certify(model: model, dataset: figure5) } catch {
            guard case .digestMismatch(let recorded, _) = error else { Issue.record("expected a digest mismatch, got \(error)"); return }
            #expect(recorded == "sha256:0000")
        }
    }
}
