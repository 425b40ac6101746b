@testable import Certification
import Constructions
import DatasetGeneration
import Evaluation
import ExactArithmetic
import Foundation
import TestSupport
import Testing
import TransformerModel
@testable import Visualization

/// Iteration multiplier for randomized tests (FLINT style): ITERATIONS=10 runs ten times more.
let iterationScale: Int = Int(ProcessInfo.processInfo.environment["ITERATIONS"] ?? "") ?? 1

// r(_:), the literal parser, is TestSupport's (a bad literal stops the run).
func tok(_ xs: Int...) -> Token { xs.map { Rational($0) } }

/// A dataset with a model built by Theorem 1.4.
struct Built {
    let data: Dataset
    let problem: InterpolationProblem
    let result: HardmaxConstruction.Result

    init(_ data: Dataset, _ layout: HardmaxConstruction.Layout) throws {
        self.data = data
        problem = try InterpolationProblem(data)
        result = try HardmaxConstruction.build(problem, digest: data.digest, layout: layout)
    }

    var model: Transformer { result.model }

    func analysis(_ projection: (x: Int, y: Int)? = (0, 1)) throws -> StageAnalysis {
        try StageAnalysis(model: model, dataset: data, problem: problem, projection: projection)
    }
}

/// Expected configurations at the five checkpoints, computed with `Evaluator.trace` (not with
/// `StageTrace`) and the stage lengths `construct` reports: input, after separation, after the FF
/// of the last leader block, after its SA (the collapse), output.
func expectedCheckpoints(_ built: Built) throws -> [[[Token]]] {
    let evaluator = try Evaluator<Rational>(built.model)
    let sep = built.result.stages[0].blocks, lead = built.result.stages[1].blocks
    return try built.problem.pairs.map { pair in
        let records = try evaluator.trace(pair.inputs)
        let afterSeparation = sep == 0 ? pair.inputs : records[2 * sep - 1].tokens
        return [pair.inputs, afterSeparation, records[2 * (sep + lead - 1)].tokens,
                records[2 * (sep + lead) - 1].tokens, records.last?.tokens ?? pair.inputs]
    }.reduce(into: [[[Token]]](repeating: [], count: 5)) { acc, perPair in
        for k in 0..<5 { acc[k].append(perPair[k]) }
    }
}

/// Checks that panel k shows exactly the distinct values of `sequences` (as markers of the right
/// sequence, at their exactly scaled positions); returns a description of the first mismatch.
func mismatch(_ svg: ParsedSVG, panel k: Int, _ sequences: [[Token]], projection: (x: Int, y: Int), targets: Bool = false) -> String? {
    guard let map = svg.pixelMap(panel: k) else { return "panel \(k): no readable data-window / data-plot" }
    var remaining = targets ? svg.targets(inPanel: k) : svg.tokens(inPanel: k)
    var expectedCount = 0
    for (j, s) in sequences.enumerated() {
        var seen = Set<Token>()
        for x in s where seen.insert(x).inserted {
            expectedCount += 1
            let (px, py) = map(x[projection.x], x[projection.y])
            // Markers are written with two decimals.
            guard let at = remaining.firstIndex(where: { $0.sequence == j && abs($0.x - px) <= 0.006 && abs($0.y - py) <= 0.006 }) else {
                return "panel \(k): no \(targets ? "target" : "token") of sequence \(j) at (\(px), \(py)) for \(x)"
            }
            remaining.remove(at: at)
        }
    }
    if expectedCount == 0 { return "panel \(k): no token expected: nothing was compared" }
    return remaining.isEmpty ? nil : "panel \(k): \(remaining.count) unexpected markers besides the \(expectedCount) expected"
}

@Suite struct PictureTests {
    static let stageTitles = ["Input Xʲ", "After separation", "After leader selection", "After collapse", "Output"]

    @Test(arguments: HardmaxConstruction.Layout.allCases)
    func figure5PictureIsWellFormedWithOnePanelPerStage(layout: HardmaxConstruction.Layout) throws {
        let built = try Built(figure5, layout)
        let svg = try built.analysis().picture(model: built.model, projection: (0, 1), datasetName: "figure-5").svg
        let (parsed, error) = ParsedSVG.parse(svg)
        let doc = try #require(parsed, "not well-formed XML: \(error)")
        #expect(doc.elements.first?.name == "svg")
        #expect(doc.panels.map { $0.attributes["data-title"] ?? "" } == Self.stageTitles)
        #expect(doc.elements.contains { $0.attributes["class"] == "cube" })
        #expect(doc.elements.contains { $0.attributes["class"] == "sphere" })
        #expect(doc.elements.contains { $0.attributes["class"] == "diagonal" })
        #expect(doc.elements.contains { $0.attributes["class"] == "path" })
    }

    /// Every panel shows the exact configuration of its checkpoint, each token at its scaled
    /// position; the input and output panels show the targets.
    @Test(arguments: HardmaxConstruction.Layout.allCases)
    func figure5TokensAtExactScaledPositions(layout: HardmaxConstruction.Layout) throws {
        let built = try Built(figure5, layout)
        let svg = try built.analysis().picture(model: built.model, projection: (0, 1), datasetName: nil).svg
        let doc = try #require(ParsedSVG.parse(svg).0)
        let expected = try expectedCheckpoints(built)
        for k in 0..<5 {
            let problem = mismatch(doc, panel: k, expected[k], projection: (0, 1))
            #expect(problem == nil, "\(problem ?? "")")
        }
        let outputs = built.problem.pairs.map(\.outputs)
        for k in [0, 4] {
            let problem = mismatch(doc, panel: k, outputs, projection: (0, 1), targets: true)
            #expect(problem == nil, "\(problem ?? "")")
        }
        #expect(doc.targets(inPanel: 2).isEmpty)
    }

    /// Random datasets in ℚ² and ℚ³ (projections on random coordinate pairs), both layouts:
    /// well-formed, five panels, every token of every panel in place, identical bytes on a rerun.
    @Test func randomDatasetsDrawnExactly() throws {
        var gen = DatasetGenerator(seed: 7)
        for k in 0..<(12 * iterationScale) {
            let d = k % 3 == 2 ? 3 : 2
            let data = gen.dataset(pairs: Int.random(in: 1...6, using: &gen.rng), dimension: d, lengths: 1...5,
                                   pool: k % 2 == 0 ? 8 : nil)
            let layout: HardmaxConstruction.Layout = k % 4 < 2 ? .narrow : .compact
            let x = d == 2 ? 0 : Int.random(in: 0..<d, using: &gen.rng)
            let y = (x + Int.random(in: 1..<d, using: &gen.rng)) % d
            let label = "random #\(k) (d = \(d), \(layout), coordinates \(x), \(y))\n\(data.json.rendered())"
            let built = try Built(data, layout)
            let analysis = try built.analysis((x, y))
            let svg = analysis.picture(model: built.model, projection: (x, y), datasetName: "random").svg
            let doc = try #require(ParsedSVG.parse(svg).0, "\(label)")
            #expect(doc.panels.count == 5, "\(label)")
            let expected = try expectedCheckpoints(built)
            for p in 0..<5 {
                let problem = mismatch(doc, panel: p, expected[p], projection: (x, y))
                #expect(problem == nil, "\(label): \(problem ?? "")")
            }
            #expect(svg.contains("projection on coordinates") == (d > 2), "\(label)")
            let again = try built.analysis((x, y)).picture(model: built.model, projection: (x, y), datasetName: "random").svg
            #expect(again == svg, "\(label): not deterministic")
        }
    }

    /// Coordinates near 2^±100 draw without trapping and stay well-formed.
    @Test func hugeAndTinyCoordinates() throws {
        let big = Rational(1 << 40) * Rational(1 << 60), tiny = Rational.one / big
        let data = Dataset(dimension: 2, pairs: [
            SequencePair(input: [[big, tiny], [tiny, big], [-big, -tiny]], output: [[tiny, tiny]]),
            SequencePair(input: [[big, tiny], [big + tiny, big]], output: [[big, big], [-tiny, tiny]]),
            SequencePair(input: [[tiny, tiny], [Rational.zero, tiny]], output: [[big, -big]]),
        ])
        for layout in HardmaxConstruction.Layout.allCases {
            let built = try Built(data, layout)
            let svg = try built.analysis().picture(model: built.model, projection: (0, 1), datasetName: nil).svg
            let doc = try #require(ParsedSVG.parse(svg).0)
            #expect(doc.panels.count == 5)
            let problem = mismatch(doc, panel: 0, built.problem.pairs.map(\.inputs), projection: (0, 1))
            #expect(problem == nil, "\(problem ?? "")")
        }
    }

    /// N = 1000 short sequences through a small hand-made pipeline model: draws, thins the arrows
    /// and says so. (Timing is for the benchmark, never a test condition.)
    @Test func thousandSequencesDrawWithThinnedArrows() throws {
        var gen = DatasetGenerator(seed: 1000)
        let data = gen.dataset(pairs: 1000, dimension: 2, lengths: 1...3, maxOutputs: 1)
        let problem = try InterpolationProblem(data)
        let shift = { (v: Int) in
            FeedForwardLayer(ridges: [.init(direction: [.zero, .zero], neurons: [.init(bias: .one, output: [Rational(v), Rational(v)])])])
        }
        let collapse = SelfAttentionLayer(rho: .zero, scores: .scaledIdentity(.one), value: .scaledIdentity(.one))
        let model = Transformer(dimension: 2, blocks: [
            Block(stage: .separation, feedForward: shift(1)),
            Block(stage: .leaderSelection, feedForward: shift(30)),
            Block(stage: .leadersAndCollapse, feedForward: shift(1), attention: collapse),
            Block(stage: .interpolation, feedForward: shift(-40)),
        ])
        let analysis = try StageAnalysis(model: model, dataset: data, problem: problem, projection: (0, 1), runChecks: false)
        var picture = analysis.picture(model: model, projection: (0, 1), datasetName: "large")
        picture.maximumArrows = 300
        let svg = picture.svg
        let doc = try #require(ParsedSVG.parse(svg).0)
        #expect(doc.panels.count == 5)
        #expect(svg.contains("arrows: 1 in"))
        let drawn = doc.elements.filter { $0.panel == 2 && $0.attributes["class"] == "path" }.count
        #expect(drawn > 0 && drawn <= 300)
        #expect(doc.tokens(inPanel: 0).count == problem.totalInputCount)
    }

    /// Softmax models are drawn from a float64 evaluation, and the picture says so; without a
    /// temperature they are an error, not a trap.
    @Test func softmaxModelsDrawnInFloat64() throws {
        let built = try Built(figure5, .compact)
        var model = built.model
        let collapse = try #require(model.blocks.lastIndex { $0.stage == .leadersAndCollapse })
        model.blocks[collapse].attention.kind = .softmax
        #expect(throws: EvaluationError.self) {
            try StageAnalysis(model: model, dataset: figure5, problem: built.problem, projection: (0, 1))
        }
        model.temperature = r("1/1000")
        let analysis = try StageAnalysis(model: model, dataset: figure5, problem: built.problem, projection: (0, 1))
        #expect(analysis.exactTrace == nil)
        #expect(analysis.checks.map(\.outcome) == [.notApplicable])
        let svg = analysis.picture(model: model, projection: (0, 1), datasetName: nil).svg
        let doc = try #require(ParsedSVG.parse(svg).0)
        #expect(doc.panels.count == 5)
        #expect(svg.contains("Softmax model evaluated in float64"))
        #expect(doc.tokens(inPanel: 0).count == built.problem.totalInputCount)
    }

    @Test func axisTicksAreRoundAndLabelledExactly() {
        #expect(Axis.label(5, exponent: -1) == "0.5")
        #expect(Axis.label(-25, exponent: -3) == "−0.025")
        #expect(Axis.label(20, exponent: 0) == "20")
        #expect(Axis.label(1, exponent: 12) == "1e12")
        #expect(Axis.label(2, exponent: -12) == "2e-12")
        let axis = Axis(covering: [-1.3, 2.9])
        #expect(axis.lo <= -1.3 && axis.hi >= 2.9)
        let ticks = axis.ticks.map(\.label)
        #expect(ticks.count >= 3 && ticks.count <= 12, "\(ticks)")
        #expect(ticks.contains("0") && ticks.contains("1") && ticks.contains("2"), "\(ticks)")
        #expect(SVG.number(12.345) == "12.35" || SVG.number(12.345) == "12.34")
        #expect(SVG.number(-0.07) == "-0.07")
        #expect(SVG.number(3) == "3")
        #expect(SVG.number(.infinity) == "0")
        #expect(SVG.escape("a<b & \"c\"") == "a&lt;b &amp; &quot;c&quot;")
    }
}

@Suite struct PlanTests {
    @Test func stagesReadFromBlockLabels() throws {
        let built = try Built(figure5, .narrow)
        let plan = StagePlan(built.model)
        #expect(plan.followsPipeline)
        let sep = built.result.stages[0].blocks, lead = built.result.stages[1].blocks
        #expect(plan.steps.map(\.sublayers) == [0..<(2 * sep), (2 * sep)..<(2 * (sep + lead) - 1),
                                               (2 * (sep + lead) - 1)..<(2 * (sep + lead)),
                                               (2 * (sep + lead))..<(2 * built.model.blocks.count)])
        #expect(ConstructionStage.of(.leadersAndCollapse, attention: false) == .leaderSelection)
        #expect(ConstructionStage.of(.leadersAndCollapse, attention: true) == .collapse)
        #expect(ConstructionStage.of(.leaderSelection, attention: true) == .leaderSelection)
        #expect(ConstructionStage.of(.collapse, attention: false) == .collapse)
        #expect(ConstructionStage.of(.reCollapse, attention: false) == .collapse)
        #expect(ConstructionStage.of(.lemma47, attention: false) == nil)
        #expect(ConstructionStage.of(.custom, attention: true) == nil)
    }

    @Test func modelsOutsideThePipelineGetOnePanelPerLabelRun() {
        let blocks: [Block] = [Block.Stage.lemma47, .lemma47, .custom, .separation].map { Block(stage: $0) }
        let plan = StagePlan(Transformer(dimension: 2, blocks: blocks))
        #expect(!plan.followsPipeline)
        #expect(plan.steps.map(\.sublayers) == [0..<4, 4..<6, 6..<8])
        #expect(plan.steps.last?.title.hasPrefix("Output") == true)
        let many = (0..<20).map { Block(stage: $0 % 2 == 0 ? .custom : .lemma47) }
        #expect(StagePlan(Transformer(dimension: 2, blocks: many)).steps.count == StagePlan.maximumGenericSteps)
        // Stages out of order are not the pipeline either.
        let swapped = [Block.Stage.interpolation, .separation].map { Block(stage: $0) }
        #expect(!StagePlan(Transformer(dimension: 2, blocks: swapped)).followsPipeline)
    }
}

@Suite struct ReportTests {
    /// The report's per-stage figures, block count, bounds, parameters and bit lengths equal the
    /// ones `construct` prints (from `HardmaxConstruction.Result`), and every check passes.
    @Test func figuresEqualThoseConstructPrints() throws {
        var gen = DatasetGenerator(seed: 77)
        let (a, b, c, dd, e, f) = (tok(0, 0), tok(1, 0), tok(0, 1), tok(1, 1), tok(2, 3), tok(-1, 2))
        let repeated = Dataset(dimension: 2, pairs: [
            SequencePair(input: [a, a, b, b, c], output: [e, e]),
            SequencePair(input: [c, b, a], output: [e]),
            SequencePair(input: [dd, dd], output: [f]),
        ])
        var cases: [(String, Dataset)] = [("figure-5", figure5), ("repeated tokens and pairs", repeated)]
        for k in 0..<(6 * iterationScale) {
            cases.append(("random #\(k)", gen.dataset(pairs: 1 + k % 5, dimension: 2 + k % 2, lengths: 1...6, pool: k % 2 == 0 ? 9 : nil)))
        }
        for (name, data) in cases {
            for layout in HardmaxConstruction.Layout.allCases {
                let label = "\(name) \(layout)\n\(data.json.rendered())"
                let built = try Built(data, layout)
                let analysis = try built.analysis(nil)
                let report = ConstructionReport(model: built.model, dataset: data, problem: built.problem, checks: analysis.checks)
                let expected = built.result.stages.map {
                    ConstructionReport.StageFigures(stage: $0.stage, blocks: $0.blocks, maximumWidth: $0.maximumWidth,
                                                    numeratorBits: $0.largestNumeratorBits, denominatorBits: $0.largestDenominatorBits)
                }
                #expect(report.stages == expected, "\(label)")
                #expect(report.blocks == built.model.blocks.count, "\(label)")
                #expect(report.paperBound == built.result.paperBound.value, "\(label)")
                #expect(report.layoutBound?.value == built.result.layoutBound.value, "\(label)")
                #expect(report.parameters == built.model.parameterCount, "\(label)")
                #expect(report.largestBits == built.model.largestBitLengths, "\(label)")
                #expect(report.holds, "\(label): \(report.checks.filter { $0.outcome == .failed })")
                #expect(!report.checks.contains { $0.outcome == .notApplicable }, "\(label)")
                let text = report.markdown(modelPath: "m.json", datasetPath: "d.json")
                for s in built.result.stages {
                    let row = "| \(s.stage) | \(s.blocks) | \(s.maximumWidth) | \(s.largestNumeratorBits) | \(s.largestDenominatorBits) |"
                    #expect(text.contains(row), "\(label): missing \(row)")
                }
                #expect(text.contains("2Σm + 2N + 1 = \(built.result.paperBound.value)"), "\(label)")
                #expect(text.contains("= \(built.result.layoutBound.value) | yes"), "\(label)")
                #expect(text.contains("| parameters (structured) | \(built.model.parameterCount.structured) |"), "\(label)")
                #expect(text.contains("All "), "\(label)")
                let again = ConstructionReport(model: built.model, dataset: data, problem: built.problem,
                                               checks: try built.analysis(nil).checks).markdown(modelPath: "m.json", datasetPath: "d.json")
                #expect(again == text, "\(label): not deterministic")
            }
        }
    }

    @Test func softmaxModelsShowTauOrSayNotAvailable() throws {
        let built = try Built(figure5, .compact)
        var model = built.model
        model.blocks[model.blocks.count - 1].attention = SelfAttentionLayer(kind: .softmax, rho: .zero, scores: .scaledIdentity(.one), value: .scaledIdentity(.one))
        model.temperature = r("1/64")
        let report = ConstructionReport(model: model, dataset: figure5, problem: built.problem, checks: [])
        let text = report.markdown(modelPath: "m", datasetPath: "d")
        #expect(text.contains("τ₀: 1/64"))
        #expect(text.contains("2Σm + 3N"))
        #expect(text.contains("largest enclosure radius per stage, over its layers and at its end"))
        model.temperature = nil
        #expect(ConstructionReport(model: model, dataset: figure5, problem: built.problem, checks: []).markdown(modelPath: "m", datasetPath: "d")
            .contains("τ₀: not recorded"))
        // The verdict: not run, certified, or NOT certified with the reason (never "certified" by default).
        #expect(text.contains("**Verdict: not checked here.**"))
        var failing = report
        failing.certificate = .init(temperature: r("1/64"), pairs: 3, failureCount: 1, failures: ["pair 2: token 1 ends in a box"])
        let failingText = failing.markdown(modelPath: "m", datasetPath: "d")
        #expect(failingText.contains("**Verdict: NOT certified** for τ in (0, 1/64]: the enclosure certificate fails for 1 of 3 pairs (pair 2: token 1 ends in a box)."))
        #expect(!failingText.contains("certified**: T_τ"))
        #expect(!failing.holds)
        var certified = report
        certified.certificate = .init(temperature: r("1/64"), pairs: 3, failureCount: 0, failures: [])
        #expect(certified.markdown(modelPath: "m", datasetPath: "d").contains("**Verdict: certified.**"))
    }
}

/// Each checker must be able to fail: tampered models and crafted configurations.
@Suite struct StageCheckNegativeTests {
    func checks(_ model: Transformer, _ data: Dataset) throws -> [StageCheck] {
        let problem = try InterpolationProblem(data)
        return try StageAnalysis(model: model, dataset: data, problem: problem, projection: nil).checks
    }

    func failed(_ checks: [StageCheck]) -> [String] { checks.filter { $0.outcome == .failed }.map(\.claim) }

    @Test func withoutSeparationSequencesShareValues() throws {
        var model = try Built(figure5, .narrow).model
        model.blocks.removeAll { $0.stage == .separation }
        let c = try checks(model, figure5)
        let f = try #require(c.first { $0.claim == "different sequences share no token value" })
        #expect(f.outcome == .failed)
        #expect(f.detail.contains("pairs[0]") && f.detail.contains("pairs[2]") && f.detail.contains("[0, 1]"), "\(f.detail)")
        #expect(failed(c).contains("T(X^j) = Y^j as sets for every pair of the dataset as given"))
    }

    @Test func withoutCollapseSequencesKeepTooManyValues() throws {
        var model = try Built(figure5, .narrow).model
        let last = try #require(model.blocks.lastIndex { $0.stage == .leadersAndCollapse })
        model.blocks[last].attention = .identity
        let f = failed(try checks(model, figure5))
        #expect(f.contains("each sequence holds exactly m^j distinct values"), "\(f)")
        #expect(f.contains("T(X^j) = Y^j as sets for every pair of the dataset as given"), "\(f)")
    }

    @Test func missingInterpolationBlockFailsTheOutput() throws {
        var model = try Built(figure5, .narrow).model
        model.blocks.removeLast()
        let f = failed(try checks(model, figure5))
        #expect(f == ["T(X^j) = Y^j as sets for every pair of the dataset as given"], "\(f)")
    }

    @Test func wrongDimensionOrCoordinatesAreErrorsNotTraps() throws {
        let built = try Built(figure5, .compact)
        var model = built.model
        model.dimension = 3
        #expect(throws: EvaluationError.self) {
            try StageAnalysis(model: model, dataset: figure5, problem: built.problem, projection: (0, 1))
        }
        #expect(throws: EvaluationError.self) {
            try StageAnalysis(model: built.model, dataset: figure5, problem: built.problem, projection: (0, 2))
        }
    }

    @Test func digestMismatchIsReported() throws {
        var model = try Built(figure5, .compact).model
        model.datasetDigest = "sha256:00"
        #expect(failed(try checks(model, figure5)) == ["the dataset is the one the model was built for (digest)"])
    }

    /// The leader-selection checks on crafted configurations, one violated hypothesis at a time.
    @Test func leaderGeometryChecksFailOnePropertyAtATime() {
        let name = { (j: Int) in "pairs[\(j)]" }
        let s1 = [r("-3/5"), r("-4/5")], s2 = [r("-4/5"), r("-3/5")]
        let good = (placed: [[tok(3, 3), s1, tok(1, 2)], [tok(4, 4), s2, tok(2, 1)]],
                    collapsed: [[tok(3, 3), s1], [tok(4, 4), s2]], outputs: Set([tok(9, 9)]))
        func run(_ placed: [[Token]], _ collapsed: [[Token]], _ outputs: Set<Token> = good.outputs, counts: [Int] = [2, 2]) -> [String] {
            StageChecks.leaderChecks(placed: placed, collapsed: collapsed, outputCounts: counts, outputs: outputs, name: name)
                .filter { $0.outcome == .failed }.map(\.claim)
        }
        #expect(run(good.placed, good.collapsed).isEmpty)
        // A sphere leader off the common sphere.
        let far = [r("-8/5"), r("-6/5")]
        #expect(run([[tok(3, 3), s1, tok(1, 2)], [tok(4, 4), far, tok(2, 1)]], [[tok(3, 3), s1], [tok(4, 4), far]])
                == ["the other m^j − 1 leaders lie on one sphere |x|² = R in the negative orthant"])
        // A sphere leader with a positive coordinate.
        let up = [r("3/5"), r("-4/5")]
        #expect(run([[tok(3, 3), up, tok(1, 2)], good.placed[1]], [[tok(3, 3), up], good.collapsed[1]])
                == ["the other m^j − 1 leaders lie on one sphere |x|² = R in the negative orthant"])
        // A main leader off the line through 1.
        #expect(run([[tok(3, 4), s1, tok(1, 2)], good.placed[1]], [[tok(3, 4), s1], good.collapsed[1]])
                == ["one main leader p_j = λ_j·1 per sequence, λ_j > 0 distinct"])
        // A non-leader outside the cube (0, 3)².
        #expect(run([[tok(3, 3), s1, tok(1, 2)], [tok(4, 4), s2, tok(3, 1)]], good.collapsed)
                == ["every non-leader lies in the cube (0, a)^d, a = min_j λ_j, below its main leader"])
        // A leader that is an output token.
        #expect(run(good.placed, good.collapsed, Set([s2]))
                == ["leader targets are fresh: no leader is an output token"])
        // A collapsed value that was not there before the collapse.
        #expect(run([[tok(3, 3), tok(1, 2)], good.placed[1]], good.collapsed)
                == ["the collapse keeps the leaders in place and moves every other token onto one"])
        // Too many values left.
        let s3 = [r("-1"), r("0")]
        #expect(run([[tok(3, 3), s1, tok(1, 2), s3], good.placed[1]], [[tok(3, 3), s1, s3], good.collapsed[1]], counts: [2, 2])
                == ["each sequence holds exactly m^j distinct values"])
    }
}

@Suite struct SoftmaxReportTests {
    /// The report of a softmax model gives τ₀ and, per stage, the largest enclosure radius: boxes
    /// grow through the softmax collapse and the re-collapse (docs/mathematics.md#re-collapse) brings every one back to a point.
    @Test(arguments: HardmaxConstruction.Layout.allCases)
    func enclosureRadiiPerStage(layout: HardmaxConstruction.Layout) throws {
        let problem = try InterpolationProblem(figure5)
        let built = try SoftmaxConstruction.build(problem, pairs: figure5.pairs, digest: figure5.digest, layout: layout)
        let report = ConstructionReport(model: built.model, dataset: figure5, problem: problem, checks: [])
        let radii = try #require(report.enclosureRadii)
        #expect(radii.map(\.stage) == [.separation, .leadersAndCollapse, .reCollapse])
        #expect(radii.last?.final == .zero, "the re-collapse must end on exact points: \(radii)")
        #expect(radii.contains { $0.largest > .zero }, "softmax never clusters exactly: some box must have a radius")
        let text = report.markdown(modelPath: "m", datasetPath: "d")
        #expect(text.contains("τ₀: \(built.temperature)"))
        #expect(text.contains("at the end 0"))
    }
}
