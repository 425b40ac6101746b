import Certification
import Constructions
import DatasetGeneration
import Evaluation
import ExactArithmetic
import Foundation
import TestSupport
import Testing
import TransformerModel

// r(_:), the literal parser, is TestSupport's (a bad literal stops the run).
func tok(_ xs: Int...) -> Token { xs.map { Rational($0) } }

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
        let report = try certify(model: reread, dataset: data)
        #expect(report.holds, "\(label): certificate fails: \(report.failures.map(\.description))\n\(data.json.rendered())", sourceLocation: sourceLocation)
        #expect(report.eventCount == 0, "\(label): a certified run crossed a kink: \(report.failures.map(\.description))", sourceLocation: sourceLocation)
        return result
    } catch {
        Issue.record("\(label): \(error)\n\(data.json.rendered())", sourceLocation: sourceLocation)
        return nil
    }
}

@Suite struct Theorem16Tests {
    /// Datasets/figure5.json, read from the repository.
    static func bundledFigure5() throws -> Dataset {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Datasets/figure5.json")
        let bytes = try #require(FileManager.default.contents(atPath: url.path), "cannot read \(url.path)")
        return try Dataset.parse([UInt8](bytes))
    }

    @Test(arguments: HardmaxConstruction.Layout.allCases)
    func figure5Certified(layout: HardmaxConstruction.Layout) throws {
        let data = try Self.bundledFigure5()
        #expect(data.digest == figure5.digest, "the inline copy used by the other tests differs from Datasets/figure5.json")
        let result = try #require(certifySoftmax(data, layout, "figure-5 \(layout)"))
        print("figure-5 \(layout): \(result.model.blocks.count) blocks, τ₀ = \(result.temperature) after \(result.attempts.count) tries, width \(result.model.maximumWidth), trapezoids \(result.trapezoids)")
    }
}

@Suite struct Theorem16RandomTests {
    /// ≥ 100 random valid datasets (d ∈ {2, 3, 5}, N ≤ 8 — every tenth N ≤ 15 —, lengths ≤ 8), half
    /// drawn from a shared pool so that separation has work, certified in both layouts.
    @Test func randomDatasetsCertifiedInBothLayouts() {
        var gen = DatasetGenerator(seed: 16)
        let count = 100 * iterationScale
        var temperatures: [Rational] = []
        for k in 0..<count {
            let d = [2, 3, 5][k % 3]
            let n = Int.random(in: 1...(k % 10 == 0 ? 15 : 8), using: &gen.rng)
            let pooled = k % 2 == 0
            let data = gen.dataset(pairs: n, dimension: d, lengths: 1...8, pool: pooled ? max(2 * n, 8) : nil)
            for layout in HardmaxConstruction.Layout.allCases {
                if let result = certifySoftmax(data, layout, "random #\(k) (d = \(d), N = \(data.pairs.count), pooled = \(pooled), \(layout))") {
                    temperatures.append(result.temperature)
                }
            }
        }
        #expect(temperatures.count == 2 * count)
        print("random datasets: τ₀ from \(temperatures.min() ?? 0) to \(temperatures.max() ?? 0)")
    }
}

@Suite struct Theorem16FamilyTests {
    @Test func adversarialFamiliesCertified() {
        for (name, data) in AdversarialDatasets.families() {
            for layout in HardmaxConstruction.Layout.allCases {
                if let result = certifySoftmax(data, layout, "\(name) (\(layout))") {
                    print("\(name) \(layout): τ₀ = \(result.temperature), \(result.model.blocks.count) blocks")
                }
            }
        }
    }
}

@Suite struct SoftmaxCertificateNegativeTests {
    static func built(_ layout: HardmaxConstruction.Layout) throws -> SoftmaxConstruction.Result {
        try SoftmaxConstruction.build(try InterpolationProblem(figure5), pairs: figure5.pairs, digest: figure5.digest, layout: layout)
    }

    /// τ₀ too large: at 2τ₀ (the try just before τ₀ in the search) and at τ = 1 the certificate fails,
    /// and it names the layer and token whose box crossed a kink.
    @Test(arguments: HardmaxConstruction.Layout.allCases)
    func temperatureTooLargeFailsNamingTheKink(layout: HardmaxConstruction.Layout) throws {
        let result = try Self.built(layout)
        let tau0 = result.temperature
        #expect(try certify(model: result.model, dataset: figure5).holds)
        for tau in [tau0 * Rational(2), Rational.one] {
            var model = result.model
            model.temperature = tau
            let report = try certify(model: model, dataset: figure5)
            #expect(!report.holds, "\(layout): τ = \(tau) should not certify")
            let failure = try #require(report.failures.first)
            let event = try #require(failure.firstEvent, "\(layout): the failure names no kink")
            guard case .kinkCrossed = event.kind else {
                Issue.record("\(layout): expected a kink crossing, got \(event)")
                continue
            }
            #expect(event.sublayer == .feedForward)
            #expect(event.block >= 0 && event.block < model.blocks.count)
            #expect(event.token >= 0 && event.token < figure5.pairs[failure.index].input.count)
            #expect(failure.description.contains("block \(event.block) (0-based) FF"), "\(failure)")
            #expect(failure.description.contains("token \(event.token)"), "\(failure)")
            #expect(failure.description.contains("crosses the kink"), "\(failure)")
            #expect(failure.widestFinalBox != nil, "\(failure)")
        }
    }

    /// A certificate is a checker that can fail: one rational changed in the last layer moves a
    /// final point off its output.
    @Test func tamperedModelIsRejected() throws {
        var model = try Self.built(.compact).model
        let last = model.blocks.count - 1
        model.blocks[last].feedForward.ridges[0].neurons[0].output[0] += Rational.one
        let report = try certify(model: model, dataset: figure5)
        #expect(!report.holds)
        #expect(report.failures.contains { $0.widestFinalBox == nil && !$0.missing.isEmpty })
    }

    @Test func digestMismatchIsRejected() throws {
        var model = try Self.built(.compact).model
        model.datasetDigest = "sha256:0000"
        do {
            _ = try certify(model: model, dataset: figure5)
            Issue.record("a digest mismatch must be refused")
        } catch {
            guard case .digestMismatch = error else { Issue.record("expected a digest mismatch, got \(error)"); return }
        }
    }

    /// The τ₀ search's mode: stopping each run at its first enclosure event may only reject more.
    /// At τ₀ both modes certify; at 2τ₀ and τ = 1 both fail.
    @Test func stopAtFirstFailureAcceptsOnlyWhatCompleteAccepts() throws {
        let result = try Self.built(.compact)
        for tau in [result.temperature, result.temperature * Rational(2), Rational.one] {
            var model = result.model
            model.temperature = tau
            let complete = try certify(model: model, dataset: figure5)
            let quick = try certify(model: model, dataset: figure5, options: CertificationOptions(mode: .stopAtFirstFailure))
            #expect(!quick.holds || complete.holds, "τ = \(tau)")
            #expect(quick.holds == (tau == result.temperature), "τ = \(tau): \(quick.firstFailure?.description ?? "certified")")
            #expect(complete.holds == (tau == result.temperature), "τ = \(tau)")
        }
    }

    @Test func missingTemperatureIsAnError() throws {
        var model = try Self.built(.compact).model
        model.temperature = nil
        #expect(throws: CertificationError.self) { try certify(model: model, dataset: figure5) }
    }

    /// Bounded search: with three tries from τ = 1 nothing certifies, and the error says so.
    @Test func exhaustedSearchFailsClearly() throws {
        let problem = try InterpolationProblem(figure5)
        do {
            _ = try SoftmaxConstruction.build(problem, pairs: figure5.pairs, digest: nil, layout: .narrow,
                                              search: TemperatureSearch(start: .one, maximumTries: 3))
            Issue.record("a 3-try search from τ = 1 should not certify figure 5")
        } catch {
            guard case .temperatureNotFound(let attempts) = error else {
                Issue.record("unexpected error \(error)")
                return
            }
            #expect(attempts.map(\.temperature) == [Rational.one, q(1, 2), q(1, 4)])
            #expect(attempts.allSatisfy { !$0.certified })
            #expect(error.description.contains("in 3 tries (τ = 1 down to 1/4, halving)"), "\(error)")
        }
    }

    @Test func sameDatasetGivesIdenticalFiles() throws {
        for layout in HardmaxConstruction.Layout.allCases {
            #expect(try Self.built(layout).model.fileText == Self.built(layout).model.fileText)
        }
    }

    /// On hardmax models the certifier runs the enclosure on exact points, which is exact
    /// evaluation: it must agree with exact evaluation (two independent evaluators), including failures.
    @Test func agreesWithTheHardmaxVerifier() throws {
        var gen = DatasetGenerator(seed: 1616)
        for k in 0..<(20 * iterationScale) {
            let data = gen.dataset(pairs: Int.random(in: 1...5, using: &gen.rng), dimension: 2, lengths: 1...5, pool: k % 2 == 0 ? 8 : nil)
            var model = try HardmaxConstruction.build(try InterpolationProblem(data), digest: data.digest, layout: .compact).model
            if k % 3 == 0 { model.blocks[model.blocks.count - 1].feedForward.ridges[0].neurons[0].output[1] += Rational.one }
            let exact = try certify(model: model, dataset: data, options: CertificationOptions(method: .exactHardmax))
            let enclosure = try certify(model: model, dataset: data, options: CertificationOptions(method: .enclosure))
            #expect(exact.holds == enclosure.holds, "#\(k): verifier \(exact.holds), enclosure \(enclosure.holds)")
            #expect(exact.failures.map(\.index) == enclosure.failures.map(\.index))
        }
    }
}

@Suite struct TrapezoidTests {
    /// The trapezoid agrees with the hat on every point the hat was built for, and is flat on
    /// [a − ε/4, a + ε/4].
    @Test func trapezoidMatchesHatOnItsPoints() throws {
        var gen = DatasetGenerator(seed: 1617)
        for _ in 0..<(50 * iterationScale) {
            let points = gen.distinctTokens(6, dimension: 3)
            let target = gen.token(dimension: 3)
            let hats = HatFunction.moving([(points[0], target)], among: points, dimension: 3)
            let hatLayer = FeedForwardLayer(eta: .one, ridges: hats.map(\.ridge))
            let trap = try #require(TrapezoidHat(hat: hats[0].ridge))
            let trapLayer = FeedForwardLayer(eta: .one, ridges: [trap.ridge])
            let h = CompiledFeedForward<Rational>(hatLayer), t = CompiledFeedForward<Rational>(trapLayer)
            for p in points { #expect(h.apply(p) == t.apply(p)) }
            #expect(t.apply(points[0]) == target)
            // Flat top: a box around the moved point is translated rigidly (no kink crossed, radii kept).
            let u = trap.direction
            let radius = trap.innerHalfWidth / (u.map(\.magnitude).reduce(.zero, +) * Rational(2))
            let box = Box(centre: points[0], radius: [radius, radius, radius])
            let model = Transformer(dimension: 3, blocks: [Block(stage: .custom, feedForward: trapLayer)])
            let run = try EnclosureEvaluator(model).evaluate([box])
            #expect(run.eventCount == 0)
            #expect(run.boxes[0] == Box(centre: target, radius: box.radius))
        }
        // A ridge that is not a hat is left alone.
        let notHat = FeedForwardLayer.Ridge(direction: tok(1, 0), neurons: [.init(bias: .one, output: tok(1, 1))])
        #expect(TrapezoidHat(hat: notHat) == nil)
    }
}
