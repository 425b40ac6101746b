import ArgumentParser
import Certification
import Constructions
import Dispatch
import ExactArithmetic
import Foundation
import TransformerModel

enum AttentionChoice: String, ExpressibleByArgument, CaseIterable {
    case hardmax, softmax
}

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

        --weights float64|float32 (hardmax): every parameter is exactly a value of that format (dyadic \
        hat widths and ramps, dyadic β, integer sphere leaders of one norm), so the exported tensors \
        are the certified weights; the data's coordinates must be values of the format (else exit 2 \
        naming the first that is not, with its pair and token). Exit 2 also when a parameter would \
        still need more precision or range than the format has.

        Exits 0 when the model is built and verified (certified), 2 for invalid or infeasible data, 70 when a \
        stage fails its own check (a bug: please report it).
        """
    )

    @Argument(help: "Dataset JSON file.") var dataset: String
    @Option(name: .shortAndLong, help: "Where to write the model JSON.") var output: String
    @Option(help: "narrow or compact.") var layout: HardmaxConstruction.Layout = .narrow
    @Option(help: "hardmax (Theorem 1.4) or softmax (Theorem 1.6).") var attention: AttentionChoice = .hardmax
    @Option(help: "softmax: the first temperature of the τ₀ search (halved after each failed try); auto: the largest power of two ≤ min(1, 4g), g the smallest attention score gap.") var tauStart: String = "auto"
    @Option(help: "softmax: the largest number of temperatures tried.") var tauTries: Int = 64
    @Option(help: "exact (default), float64 or float32: the numbers every parameter must be (hardmax).") var weights: WeightChoice = .exact
    @Flag(help: "No progress messages on stderr.") var quiet = false

    func run() throws {
        var data = try loadDataset(dataset)
        var labels: LabelEmbedding? = nil
        if data.isLabelled {
            let chosen = LabelEmbedding.choose(for: data)
            do { data = try data.embedded(chosen) } catch {
                printError("error: \(dataset): \(error)")
                throw Exit.internalError
            }
            labels = chosen
        }
        let problem: InterpolationProblem
        do { problem = try InterpolationProblem(data) } catch {
            printError("error: \(dataset): \(error)")
            throw Exit.invalidInput
        }
        for notice in problem.notices { printError("notice: \(notice)") }
        if weights != .exact {
            guard attention == .hardmax else {
                printError("error: --weights \(weights.rawValue) is implemented for hardmax constructions only")
                throw Exit.invalidInput
            }
            if let bad = weights.format.firstNonRepresentable(in: data) {
                printError("error: \(dataset): \(bad): --weights \(weights.rawValue) needs every coordinate of the data to be a \(weights.rawValue)")
                throw Exit.invalidInput
            }
        }
        if attention == .softmax {
            try runSoftmax(data, problem, labels: labels)
            return
        }
        let started = DispatchTime.now()
        let quiet = self.quiet
        var result: HardmaxConstruction.Result
        do {
            result = try HardmaxConstruction.build(problem, digest: data.digest, layout: layout, weights: weights.format) { message in
                if !quiet { printError("[\(elapsed(since: started))] \(message)") }
            }
            // A compact classifier: also the construction without leader moves; keep the smaller.
            if labels != nil && layout == .compact {
                let direct = try ClassificationConstruction.build(problem, digest: data.digest) { message in
                    if !quiet { printError("[\(elapsed(since: started))] classification: \(message)") }
                }
                let (a, b) = (direct.model.parameterCount.structured, result.model.parameterCount.structured)
                print("classification: collapse onto a token of each sequence (\(direct.model.blocks.count) blocks, \(a) structured parameters) vs leader moves (\(result.model.blocks.count) blocks, \(b)): keeping the \(a < b ? "first" : "second")")
                if a < b { result = direct }
            }
        } catch {
            throw exitCode(for: error)
        }
        var model = result.model
        model.labels = labels
        try writeFile(output, model.fileText)
        printSummary(model, problem, attention: "hardmax", stages: result.stages, layoutBound: result.layoutBound,
                     paperBound: "2Σm + 2N + 1 = \(result.paperBound)")
        if let labels { printLabels(labels, model, problem) }
        if !quiet { printError("[\(elapsed(since: started))] verifying the written model") }
        let report = try verifyWritten(model, data)
        print("verification: \(report.holds ? "T(X^j) = Y^j as sets for all \(data.pairs.count) pairs (exact)" : "FAILED on \(report.failures.count) pairs")")
        guard report.holds else {
            printError("error: the constructed model does not verify: this is a bug, please report it")
            throw Exit.internalError
        }
    }

    /// Reports a construction error: 2 for data the theorem does not accept, 70 for a stage that
    /// failed its own exact check (a bug).
    func exitCode(for error: ConstructionError) -> ExitCode {
        switch error {
        case .invalidData(let e):
            printError("error: \(dataset): \(e)")
            return Exit.invalidInput
        case .stageCheckFailed:
            printError("error: \(error)")
            return Exit.internalError
        }
    }

    /// The figures both theorems print: the dataset, blocks per stage, counts against the bounds, sizes.
    func printSummary(_ model: Transformer, _ problem: InterpolationProblem, attention: String, stages: [StageSummary],
                      layoutBound: Int, paperBound: String) {
        let counts = model.parameterCount
        let bits = model.largestBitLengths
        print("dataset: N = \(problem.count), d = \(problem.dimension), Σn = \(problem.totalInputCount), Σm = \(problem.totalOutputCount)")
        print("model: \(output) (\(layout.rawValue) layout, \(attention)\(weights == .exact ? "" : ", every parameter a \(weights.rawValue)"))")
        for s in stages {
            print("  \(pad(s.stage, 18)) \(pad(String(s.blocks), 4)) blocks, width ≤ \(pad(String(s.maximumWidth), 4)) bits ≤ \(s.largestNumeratorBits)/\(s.largestDenominatorBits)")
        }
        print("blocks: \(model.blocks.count) (layout bound \(layoutBound), paper bound \(paperBound))")
        print("largest width: \(model.maximumWidth)")
        print("parameters: \(counts.structured) structured, \(counts.dense) dense")
        print("largest bit length: numerator \(bits.numerator), denominator \(bits.denominator)")
        print("Tikhonov R(θ*) = ‖θ*‖²: \(model.tikhonovBound.total.scientific()), \(model.balanced().tikhonovBound.total.scientific()) balanced (exact: exact-interp bound)")
    }

    /// Re-reads the written file and verifies it: what is certified is the file, not the memory.
    func verifyWritten(_ model: Transformer, _ data: Dataset) throws -> VerificationReport {
        let reread = try loadModel(output)
        guard reread == model else {
            printError("error: the written model does not read back identically")
            throw Exit.internalError
        }
        do { return try Verifier.verifyHardmax(reread, on: data, progress: verificationProgress(reread, data, quiet: quiet)) } catch {
            printError("error: \(error)")
            throw Exit.internalError
        }
    }
}

func elapsed(since start: DispatchTime) -> String {
    let s = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
    return String(format: "%.2fs", s)
}

extension Construct {
    /// Classification (docs/mathematics.md#classification): the chosen embedding, the final
    /// staircase's width against the number of labels, and the parameters against N·d.
    func printLabels(_ labels: LabelEmbedding, _ model: Transformer, _ problem: InterpolationProblem) {
        let shown = labels.entries.map { "\"\($0.label)\" → \(show($0.token))" }.joined(separator: ", ")
        print("labels: \(labels.entries.count) (\(shown)), recorded in the model")
        let last = model.blocks.last.map { $0.feedForward.width } ?? 0
        let nd = problem.count * problem.dimension
        let counts = model.parameterCount
        print("classification: final staircase width \(last) for \(labels.entries.count) labels (2L − 1 = \(2 * labels.entries.count - 1)); \(model.blocks.count) blocks for N = \(problem.count) (N + 1 = \(problem.count + 1)); \(counts.structured) structured parameters, N·d = \(nd)")
    }

    /// Theorem 1.6: build, search τ₀ (the certificate), write, and check the file reads back as the certified model.
    func runSoftmax(_ data: Dataset, _ problem: InterpolationProblem, labels: LabelEmbedding?) throws {
        let start = tauStart == "auto" ? nil : try parsePositiveRational(tauStart, option: "--tau-start")
        guard (1...4096).contains(tauTries) else {
            printError("error: --tau-tries must be in 1...4096")
            throw Exit.invalidInput
        }
        let started = DispatchTime.now()
        let quiet = self.quiet
        let result: SoftmaxConstruction.Result
        do {
            result = try SoftmaxConstruction.build(problem, pairs: data.pairs, digest: data.digest, layout: layout,
                                                   search: TemperatureSearch(start: start, maximumTries: tauTries)) { message in
                if !quiet { printError("[\(elapsed(since: started))] \(message)") }
            }
        } catch {
            switch error {
            case .construction(let error):
                throw exitCode(for: error)
            case .temperatureNotFound:
                printError("error: \(error)")
                throw Exit.propertyFailed
            }
        }
        var model = result.model
        model.labels = labels
        try writeFile(output, model.fileText)
        printSummary(model, problem, attention: "softmax", stages: result.stages, layoutBound: result.layoutBound,
                     paperBound: "2Σm + 3N = \(result.paperBound)")
        if let labels { printLabels(labels, model, problem) }
        print("temperature: τ₀ = \(result.temperature) (\(result.attempts.count) tries, halving from \(result.attempts.first?.temperature.description ?? "?"))")
        // The τ₀ search ran the full certificate on the model in memory, on every pair as given, and
        // accepted it with no enclosure event at all (stricter than `verify`). The file is that model
        // iff it reads back equal to it, so comparing them certifies the file without a second run.
        let reread = try loadModel(output)
        guard reread == model else {
            printError("error: the written model does not read back identically")
            throw Exit.internalError
        }
        print("certificate: T_τ(X^j) = Y^j as sets for all \(data.pairs.count) pairs and every τ ∈ (0, \(result.temperature)] (exact enclosures)")
    }
}
