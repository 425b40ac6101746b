import ArgumentParser
import Certification
import Constructions
import Dispatch
import ExactArithmetic
import Foundation
import TrainingBounds
import TransformerModel
#if canImport(Glibc)
import Glibc
#endif

/// --attention (construct, import): hardmax or softmax.
typealias AttentionChoice = InterpolationConstruction.Attention
extension InterpolationConstruction.Attention: ExpressibleByArgument {}

extension HardmaxConstruction.Layout: ExpressibleByArgument {}

enum WeightChoice: String, ExpressibleByArgument, CaseIterable {
    case exact, float64, float32
    var format: WeightFormat {
        switch self {
        case .exact: return .exact
        case .float64: return .float(.float64)
        case .float32: return .float(.float32)
        }
    }
}

struct Construct: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Build a transformer that interpolates a dataset exactly, and verify it.",
        discussion: """
        Theorem 1.4 (hardmax, docs/mathematics.md#theorem-1-4): separation → leader selection → collapse → interpolation, each stage \
        checked exactly before the next. Prints the number of blocks, the largest width, the \
        parameter counts (structured and dense), the largest numerator and denominator bit lengths, \
        the paper's bound 2Σm + 2N + 1 and this layout's bound, then re-verifies the written model \
        exactly on the dataset as given.

        Layouts: narrow (paper-shaped, width ≤ 4, at most 2Σm + 2N − 2 blocks) and compact (wide \
        blocks, at most N + 1). The same dataset always gives a byte-identical model file.

        Theorem 1.6 (--attention softmax, docs/mathematics.md#theorem-1-6): the same stages built with margins (flat-top hats), every \
        attention layer softmax, then the re-collapse (compact: one staircase, N + 1 \
        blocks; narrow: a projection and one width-4 block per cluster, at most 2Σm + 2N − 1 blocks, \
        within the paper's 2Σm + 3N; docs/mathematics.md#re-collapse). τ₀ is searched by halving from --tau-start (default: near the \
        smallest attention score gap of the construction; at most \
        --tau-tries tries): the first τ at which the enclosure certificate holds is stored in the \
        model, and the written file must read back identical to the certified model: T_τ(X^j) = Y^j for every τ ∈ (0, τ₀]. Exits 1 \
        when no tried temperature certifies.

        Causal (--causal, for a dataset with "causal": true; docs/causal.md): context blocks (a \
        multi-hat FF lifting every distinct value to a generic point, then causal hardmax attention \
        with zero scores, the uniform average over the visible prefix) until equal states have equal \
        targets, then one multi-hat FF mapping each distinct state to its target. Every step is \
        checked exactly; the written model is re-verified per position, with its masks.

        --weights float64|float32 (hardmax): every parameter is exactly a value of that format (dyadic \
        hat widths and ramps, dyadic β, integer sphere leaders of one norm), so the exported tensors \
        are the certified weights; the data's coordinates must be values of the format (else exit 2 \
        naming the first that is not, with its pair and token). Exit 2 also when a parameter would \
        still need more precision or range than the format has.

        -o - writes the model to standard output only once it is verified (the summary then goes to \
        standard error). A model that fails the final verification is not the output: the failing \
        pairs are listed and the model is kept as FILE.failed.json beside the output.

        Exits 0 when the model is built and verified (certified), 2 for invalid or infeasible data, 70 when a \
        stage or the final verification fails its check (a bug: please report it).
        """
    )

    @Argument(help: "Dataset JSON file.") var dataset: String
    @OptionGroup var destination: OutputOption
    @Option(help: "narrow or compact.") var layout: HardmaxConstruction.Layout = .narrow
    @Option(help: "Compact hardmax: attention heads per many-sequence separation block (1, or 2: top and bottom leaders).")
    var separationHeads: Int = 1
    @Option(help: "hardmax (Theorem 1.4) or softmax (Theorem 1.6).") var attention: AttentionChoice = .hardmax
    @Option(help: "softmax: the first temperature of the τ₀ search (halved after each failed try); auto: the largest power of two ≤ min(1, 4g), g the smallest attention score gap.") var tauStart: TemperatureStart = .auto
    @Option(help: "softmax: the largest number of temperatures tried.") var tauTries: Int = 64
    @Flag(help: "Causal dataset: build a model that, run with its causal masks on each whole input sequence, maps position i to target i (docs/causal.md).") var causal = false
    @Option(help: "exact (default), float64 or float32: the numbers every parameter must be (hardmax).") var weights: WeightChoice = .exact
    @OptionGroup var progress: QuietFlag
    @Flag(help: "List every repeated token or pair (default: a count and the first three).") var verbose = false

    var output: String { destination.output }
    var quiet: Bool { progress.quiet }

    /// `auto` or a positive rational.
    enum TemperatureStart: ExpressibleByArgument {
        case auto
        case value(Rational)
        init?(argument: String) {
            if argument == "auto" { self = .auto } else if let r = Rational(argument: argument) { self = .value(r) } else { return nil }
        }
        var defaultValueDescription: String { "auto" }
        var rational: Rational? { if case .value(let r) = self { return r } else { return nil } }
    }

    func validate() throws {
        if attention == .hardmax {
            guard tauStart.rational == nil else { throw ValidationError("--tau-start applies to --attention softmax only (hardmax has no temperature)") }
        } else if let start = tauStart.rational, start <= .zero {
            throw ValidationError("--tau-start must be positive, found \(start)")
        }
        guard (1...4096).contains(tauTries) else { throw ValidationError("--tau-tries must be in 1...4096, found \(tauTries)") }
        guard (1...2).contains(separationHeads) else { throw ValidationError("--separation-heads must be 1 or 2, found \(separationHeads)") }
        if weights != .exact && attention == .softmax {
            throw ValidationError("--weights \(weights.rawValue) is implemented for hardmax constructions only")
        }
        if causal {
            guard attention == .hardmax else { throw ValidationError("--causal builds hardmax models only") }
            guard weights == .exact else {
                throw ValidationError("--weights \(weights.rawValue) is not implemented for --causal (its lifts are integers up to 2²⁰ but its hats are not dyadic)")
            }
        }
    }

    @OptionGroup var limits: LimitOptions

    func run() throws {
        // The output is checked before the (possibly long) construction: not an input, writable.
        let target = try OutputFile(output, option: "--output", inputs: [dataset])
        let given = try loadConstructDataset()
        if causal || given.causal {
            try runCausal(given, target)
            return
        }
        let input: InterpolationConstruction.Input
        do { input = try InterpolationConstruction.Input(given) } catch { throw exitCode(for: error) }
        printNotices(input.problem.notices, verbose: verbose)
        let started = DispatchTime.now()
        let quiet = self.quiet
        let heartbeat = constructionHeartbeat()
        defer { heartbeat.stop() }
        let options = InterpolationConstruction.Options(
            layout: layout, attention: attention, separationHeads: separationHeads, weights: weights.format,
            temperatureSearch: TemperatureSearch(start: tauStart.rational, maximumTries: tauTries),
            limits: limits.evaluation)
        let result: InterpolationConstruction.Result
        do {
            result = try InterpolationConstruction.build(input, digest: input.dataset.digest, options: options) { message in
                heartbeat.note(message)
                if !quiet { printError("[\(elapsed(since: started))] \(message)") }
            }
        } catch {
            switch error {
            case .construction(let error):
                throw exitCode(for: error)
            case .temperatureNotFound:
                printError("error: \(error)")
                throw Exit.propertyFailed
            case .dataNotRepresentable:
                printError("error: \(dataset): \(error)")
                throw Exit.invalidInput
            case .unsupported:
                printError("error: \(error)")
                throw Exit.usage
            }
        }
        if let choice = result.classification {
            let (a, b) = (choice.direct.model.parameterCount.structured, choice.leaderMoves.model.parameterCount.structured)
            say("classification: collapse onto a token of each sequence (\(choice.direct.model.blocks.count) blocks, \(a) structured parameters) vs leader moves (\(choice.leaderMoves.model.blocks.count) blocks, \(b)): keeping the \(choice.keepsDirect ? "first" : "second")")
        }
        let problem = input.problem
        let model = attention == .hardmax ? brokenForTesting(result.model) : result.model
        let summary = {
            printSummary(model, problem, stages: result.stages, layoutBound: result.layoutBound.value,
                         paperBound: result.paperBound.description)
            if let labels = input.labels { printLabels(labels, model, problem) }
        }
        let tail = ModelOutput(target: target, input: dataset, say: say)
        let data = input.dataset
        if attention == .softmax {
            // The τ₀ search ran the full certificate on the model in memory, on every pair as given, and
            // accepted it with no enclosure event at all (stricter than `verify`). The file is that model
            // iff it reads back equal to it, so comparing them certifies the file without a second run.
            let temperature = model.temperature ?? .zero
            try tail.write(model, summary: {
                summary()
                say("temperature: τ₀ = \(temperature) (\(counted(result.temperatureAttempts.count, "try", "tries")), halving from \(result.temperatureAttempts.first?.temperature.description ?? "?"))")
            })
            say("certificate: T_τ(X^j) = Y^j as sets for \(allPairs(data.pairs.count)) and every τ ∈ (0, \(temperature)] (exact enclosures)")
            return
        }
        try tail.write(model, summary: summary, announce: {
            if !quiet { printError("[\(elapsed(since: started))] verifying the written model") }
        }) { reread in
            let report = try certify(model: reread, dataset: data, options: CertificationOptions(limits: limits.evaluation, progress: verificationProgress(reread, data, quiet: quiet)))
            guard report.holds else {
                let failures = report.failures
                var lines = ["verification: FAILED on \(pairCount(failures.count)) of \(data.pairs.count)"]
                for f in failures.prefix(Self.failuresShown) {
                    lines.append("  pair \(f.index): tokens of T(X) not in Y: \(tokenList(f.unexpected)); tokens of Y missing from T(X): \(tokenList(f.missing))")
                }
                if failures.count > Self.failuresShown { lines.append("  … \(failures.count - Self.failuresShown) more failing pairs") }
                let shown = failures.prefix(Self.failuresShown).map { String($0.index) }.joined(separator: ", ")
                    + (failures.count > Self.failuresShown ? ", …" : "")
                return .fails(lines: lines, what: "on \(failures.count == 1 ? "pair" : "pairs") \(shown) (0-based dataset indices)")
            }
            return .holds("verification: T(X^j) = Y^j as sets for \(allPairs(data.pairs.count)) (exact)")
        }
    }

    /// One stage of the summary: name, blocks, width, numerator and denominator bits, in columns.
    static func stageLine(_ s: StageSummary, nameWidth: Int, widthWidth: Int) -> String {
        "  \(pad(s.stage.rawValue, nameWidth)) \(pad(String(s.blocks), 4)) \(s.blocks == 1 ? "block, " : "blocks,") width ≤ \(pad(String(s.maximumWidth), widthWidth)) numerator \(counted(s.largestNumeratorBits, "bit")), denominator \(counted(s.largestDenominatorBits, "bit"))"
    }

    /// Failing pairs or positions listed when a construction does not verify.
    static let failuresShown = 5

    /// Test hook (Tests/golden/construct/failed-verification): EXACT_INTERP_TEST_BREAK_MODEL=1 appends
    /// a block x ↦ x + σ(x₁)·e₁ to the constructed model, so that the pairs with an output token of
    /// positive first coordinate fail the final verification.
    func brokenForTesting(_ model: Transformer) -> Transformer {
        guard ProcessInfo.processInfo.environment["EXACT_INTERP_TEST_BREAK_MODEL"] == "1", model.dimension >= 1 else { return model }
        var broken = model
        let e1: Token = (0..<model.dimension).map { $0 == 0 ? Rational.one : Rational.zero }
        broken.blocks.append(Block(stage: .custom, feedForward: FeedForwardLayer(ridges: [.init(direction: e1, neurons: [.init(bias: .zero, output: e1)])])))
        printError("test hook: the model is broken on purpose (EXACT_INTERP_TEST_BREAK_MODEL=1)")
        return broken
    }

    /// The dataset, or exit 2; a model file given instead gets construct's own hint (construct takes
    /// a dataset and writes the model; the "MODEL DATASET" hint of the other commands does not apply).
    func loadConstructDataset() throws -> Dataset {
        if let data = readDatasetInChunks(dataset) { return data }
        let bytes = try readFile(dataset, kind: .json)
        do { return try Dataset.parse(bytes) } catch where error.path.isEmpty && error.reason == Dataset.looksLikeModelReason {
            printError("error: \(dataset): this looks like a model file, not a dataset: construct builds a model from a DATASET (construct DATASET -o MODEL); to check this model use `exact-interp verify \(dataset) DATASET`")
            throw Exit.invalidInput
        } catch {
            printError("error: \(dataset): \(error)")
            throw Exit.invalidInput
        }
    }

    /// Every few seconds without a stage message, a line saying the construction is still at work
    /// and on what (the stages report their own progress in between).
    func constructionHeartbeat() -> Heartbeat {
        let box = HeartbeatBox()
        let heartbeat = Heartbeat(quiet: quiet) { "construct: still working (last step: \(box.heartbeat?.last ?? "reading the data"))" }
        box.heartbeat = heartbeat
        return heartbeat
    }

    /// Result lines: standard output, or standard error when the model itself goes to standard output.
    func say(_ line: String) { exact_interp.say(line, besides: output) }

    /// Reports a construction error: 2 for data the theorem does not accept, 70 for a stage that
    /// failed its own exact check (a bug).
    func exitCode(for error: ConstructionError) -> ExitCode {
        switch error {
        case .invalidData(let e):
            printError("error: \(dataset): \(e)")
            return Exit.invalidInput
        case .resourceLimit(let e):
            printError("error: \(e)")
            return Exit.invalidInput
        case .stageCheckFailed:
            printError("error: \(error)")
            return Exit.internalError
        }
    }

    /// The figures both theorems print: the dataset, blocks per stage, counts against the bounds, sizes.
    func printSummary(_ model: Transformer, _ problem: InterpolationProblem, stages: [StageSummary],
                      layoutBound: Int, paperBound: String) {
        let counts = model.parameterCount
        let bits = model.largestBitLengths
        say("dataset: N = \(problem.count), d = \(problem.dimension), Σn = \(problem.totalInputCount), Σm = \(problem.totalOutputCount)")
        say("model: \(output == "-" ? "standard output" : output) (\(layout.rawValue) layout, \(attention.rawValue)\(weights == .exact ? "" : ", every parameter a \(weights.rawValue)"))")
        for s in stages {
            say(Self.stageLine(s, nameWidth: 18, widthWidth: 4))
        }
        say("blocks: \(model.blocks.count) (layout bound \(layoutBound), paper bound \(paperBound))")
        say("largest width: \(model.maximumWidth)")
        say("parameters: \(counts.structured) structured, \(counts.dense) dense")
        say("largest bit length: numerator \(bits.numerator), denominator \(bits.denominator)")
        let bounds = model.tikhonovBounds
        say("Tikhonov R(θ*) = ‖θ*‖²: \(bounds.exact.total.scientific()), \(bounds.balanced.total.scientific()) balanced (exact: exact-interp bound)")
    }

}

func elapsed(since start: DispatchTime) -> String {
    let s = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
    return String(format: "%.2fs", s)
}

extension Construct {
    /// Classification (docs/mathematics.md#classification): the chosen embedding; for the compact
    /// layout the final staircase's width 2S + 1 with S its steps, one per label change along its
    /// direction (L − 1 when the sequences come ordered by label, the fewest; up to N − 1 for the
    /// collapse onto a token), and the blocks against N + 1; the parameters against N·d.
    func printLabels(_ labels: LabelEmbedding, _ model: Transformer, _ problem: InterpolationProblem) {
        let shown = labels.entries.map { "\"\($0.label)\" → \(show($0.token))" }.joined(separator: ", ")
        say("labels: \(labels.entries.count) (\(shown)), recorded in the model")
        let width = model.blocks.last.map { $0.feedForward.width } ?? 0
        let labelCount = labels.entries.count
        let nd = problem.count * problem.dimension
        let counts = model.parameterCount
        var parts: [String] = []
        if layout == .compact, width % 2 == 1 {
            let steps = (width - 1) / 2
            if steps == labelCount - 1 {
                parts.append("final staircase width \(width) = 2L − 1: one step per label change, the fewest for L = \(labelCount) labels")
            } else {
                parts.append("final staircase width \(width) = 2·\(steps) + 1: one step at each of the \(steps) label changes along its direction (at most N − 1 = \(problem.count - 1), at least L − 1 = \(labelCount - 1))")
            }
            parts.append("\(model.blocks.count) blocks for N = \(problem.count) (N + 1 = \(problem.count + 1))")
        } else {
            parts.append("\(labelCount) labels, \(model.blocks.count) blocks for N = \(problem.count)")
        }
        parts.append("\(counts.structured) structured parameters, N·d = \(nd)")
        say("classification: " + parts.joined(separator: "; "))
    }
}

extension Construct {
    /// Causal datasets: build, write, re-read and verify per position.
    func runCausal(_ data: Dataset, _ target: OutputFile) throws {
        guard data.causal else {
            printError("error: \(dataset): --causal needs a causal dataset (\"causal\": true, one target per input position; see docs/dataset-format.md)")
            throw Exit.invalidInput
        }
        guard causal else {
            printError("error: \(dataset) is a causal dataset: add --causal (docs/causal.md)")
            throw Exit.usage
        }
        let problem = try orExit(Exit.invalidInput, "\(dataset): ") { try CausalProblem(data) }
        let started = DispatchTime.now()
        let quiet = self.quiet
        let result: CausalConstruction.Result
        do {
            result = try CausalConstruction.build(problem, digest: data.digest) { message in
                if !quiet { printError("[\(elapsed(since: started))] \(message)") }
            }
        } catch {
            throw exitCode(for: error)
        }
        let model = brokenForTesting(result.model)
        let summary = {
            let counts = model.parameterCount
            let bits = model.largestBitLengths
            say("dataset: N = \(problem.count), d = \(problem.dimension), positions Σn = \(problem.positionCount), distinct prefixes = \(problem.distinctPrefixCount)")
            say("model: \(output == "-" ? "standard output" : output) (causal, hardmax)")
            for s in result.stages {
                say(Self.stageLine(s, nameWidth: 21, widthWidth: 6))
            }
            // Under the masks equal prefixes give equal states, so equal counts mean the state is an
            // injective function of the prefix on this dataset (not needed: equal states ⇒ equal targets is).
            let injective = result.distinctStates == problem.distinctPrefixCount
            say("distinct states after the context blocks: \(result.distinctStates) for \(problem.distinctPrefixCount) distinct prefixes (\(injective ? "injective on the dataset's prefixes" : "not injective; equal states have equal targets"))")
            say("blocks: \(model.blocks.count)")
            say("largest width: \(model.maximumWidth)")
            say("parameters: \(counts.structured) structured, \(counts.dense) dense")
            say("largest bit length: numerator \(bits.numerator), denominator \(bits.denominator)")
        }
        try ModelOutput(target: target, input: dataset, say: say).write(model, summary: summary, announce: {
            if !quiet { printError("[\(elapsed(since: started))] verifying the written model") }
        }) { reread in
            let report = try certifyCausal(model: reread, dataset: data, limits: limits.evaluation, progress: verificationProgress(reread, data, quiet: quiet))
            guard report.holds else {
                let failures = report.failures
                var lines = ["verification: FAILED on \(failures.count) of \(counted(report.positions, "position"))\(report.unmaskedBlocks.isEmpty ? "" : ", attention unmasked in blocks \(report.unmaskedBlocks.map(String.init).joined(separator: ", "))")"]
                for f in failures.prefix(Self.failuresShown) {
                    lines.append("  pair \(f.pair) position \(f.position): got \(show(f.got)), target \(show(f.want))")
                }
                if failures.count > Self.failuresShown { lines.append("  … \(failures.count - Self.failuresShown) more failing positions") }
                let what = failures.first.map { "at \(failures.count == 1 ? "1 position" : "\(failures.count) positions") (the first: pair \($0.pair) position \($0.position), 0-based)" }
                return .fails(lines: lines, what: what ?? "(attention without a causal mask)")
            }
            return .holds("verification: every position maps to its target under the causal masks (\(counted(report.positions, "position")), exact)")
        }
    }
}
