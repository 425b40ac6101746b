import Certification
import Constructions
import DatasetGeneration
import ExactArithmetic
import Foundation
import Testing
import TransformerModel

/// The property of docs/testing.md#properties: on every valid dataset with d ≥ 2, the construction
/// of each mode succeeds, its model file round-trips, stays within the paper's block bound, and
/// certifies exactly on the dataset as given.
enum PropertyMode: String, CaseIterable, Sendable {
    case narrowHardmax = "narrow-hardmax"
    case compactHardmax = "compact-hardmax"
    case narrowSoftmax = "narrow-softmax"
    case compactSoftmax = "compact-softmax"
    case labelledNarrow = "labelled-narrow"
    case labelledCompact = "labelled-compact"
    case causal = "causal"

    var kind: ValiditySpaceGenerator.Kind {
        switch self {
        case .labelledNarrow, .labelledCompact: .labelled
        case .causal: .causal
        default: .sets
        }
    }

    var layout: HardmaxConstruction.Layout {
        switch self {
        case .narrowHardmax, .narrowSoftmax, .labelledNarrow: .narrow
        default: .compact
        }
    }

    var isSoftmax: Bool { self == .narrowSoftmax || self == .compactSoftmax }

    /// The modes that apply to a dataset of this kind.
    static func modes(for data: Dataset) -> [PropertyMode] {
        allCases.filter { $0.kind == (data.causal ? .causal : data.isLabelled ? .labelled : .sets) }
    }

    /// Generator settings: d from 2 (the theorems' range; d = 1 set data are checked for validity by
    /// the generator's tests and refused by `construct`, tools/properties.py) except for causal data,
    /// which `construct --causal` interpolates in any dimension; and small datasets for
    /// softmax, whose constructions are slower.
    var knobs: ValiditySpaceGenerator.Knobs {
        var k = isSoftmax ? ValiditySpaceGenerator.Knobs.small : ValiditySpaceGenerator.Knobs()
        k.kind = kind
        k.dimensions = self == .causal ? 1...8 : 2...8
        return k
    }
}

enum Property {
    /// Test-only sabotage (docs/testing.md, "Shrinking, shown"): with
    /// EXACT_INTERP_PROPERTY_SABOTAGE=1 the property also demands that no coordinate reaches 2^64, a
    /// false claim that makes the runs fail, shrink and save a regression file on purpose.
    static let sabotage = ProcessInfo.processInfo.environment["EXACT_INTERP_PROPERTY_SABOTAGE"] == "1"

    /// nil when the property holds (or does not apply: d = 1 outside causal data); otherwise why it fails.
    static func failure(_ data: Dataset, _ mode: PropertyMode) -> String? {
        guard data.dimension >= 2 || mode == .causal else { return nil }
        if sabotage, data.pairs.contains(where: { ($0.input + $0.output).joined().contains { $0.magnitude >= Rational.powerOfTwo(64) } }) {
            return "sabotage: a coordinate reaches 2^64"
        }
        do {
            switch mode {
            case .causal:
                let problem = try CausalProblem(data)
                let result = try CausalConstruction.build(problem, digest: data.digest)
                let reread = try Transformer.parse(Array(result.model.fileText.utf8))
                guard reread == result.model else { return "model file does not round-trip" }
                let report = try certifyCausal(model: reread, dataset: data)
                return report.holds ? nil : "\(report.failures.count) positions fail"
            case .narrowSoftmax, .compactSoftmax:
                let problem = try InterpolationProblem(data)
                let result = try SoftmaxConstruction.build(problem, pairs: data.pairs, digest: data.digest, layout: mode.layout)
                let blocks = result.model.blocks.count
                guard blocks <= 2 * problem.totalOutputCount + 3 * problem.count else { return "\(blocks) blocks exceed 2Σm + 3N" }
                let reread = try Transformer.parse(Array(result.model.fileText.utf8))
                guard reread == result.model else { return "model file does not round-trip" }
                let report = try certify(model: reread, dataset: data)
                return report.holds ? nil : "certificate fails: \(report.failures.map(\.description).prefix(3))"
            case .narrowHardmax, .compactHardmax, .labelledNarrow, .labelledCompact:
                var embedding: LabelEmbedding? = nil
                var data = data
                if data.isLabelled {
                    let chosen = LabelEmbedding.choose(for: data)
                    data = try data.embedded(chosen)
                    embedding = chosen
                }
                let problem = try InterpolationProblem(data)
                var model = try HardmaxConstruction.build(problem, digest: data.digest, layout: mode.layout).model
                if embedding != nil && mode.layout == .compact {
                    // `construct` also builds the collapse classifier and keeps the smaller: both must hold.
                    var direct = try ClassificationConstruction.build(problem, digest: data.digest).model
                    direct.labels = embedding
                    let report = try certify(model: try Transformer.parse(Array(direct.fileText.utf8)), dataset: data)
                    guard report.holds else { return "classification (collapse) model fails on pairs \(report.failures.map(\.index))" }
                }
                model.labels = embedding
                let blocks = model.blocks.count
                guard blocks <= 2 * problem.totalOutputCount + 2 * problem.count + 1 else { return "\(blocks) blocks exceed 2Σm + 2N + 1" }
                let reread = try Transformer.parse(Array(model.fileText.utf8))
                guard reread == model else { return "model file does not round-trip" }
                let report = try certify(model: reread, dataset: data)
                return report.holds ? nil : "verification fails on pairs \(report.failures.map(\.index))"
            }
        } catch {
            return "\(type(of: error)): \(error)"
        }
    }

    /// Tests/regressions/properties: shrunk failures, replayed by `RegressionReplayTests`.
    static let regressionFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("regressions/properties")

    /// Where a run saves its shrunk failures: EXACT_INTERP_PROPERTY_SAVE_DIR when set (`make test`
    /// sets a folder under .build, since it writes nothing outside .build: the failure message says
    /// to copy the file into Tests/regressions/properties), else the regression folder itself
    /// (`swift test`, `make properties`).
    static let saveFolder: URL = ProcessInfo.processInfo.environment["EXACT_INTERP_PROPERTY_SAVE_DIR"]
        .map { URL(fileURLWithPath: $0) } ?? regressionFolder

    /// Iterations: EXACT_INTERP_PROPERTY_COUNT datasets per hardmax layout (default 150 in `make
    /// test`; `make properties` sets 2100), a seventh of it for each softmax layout (at least 4),
    /// half for the labelled layouts and for causal data.
    static var baseCount: Int {
        max(1, Int(ProcessInfo.processInfo.environment["EXACT_INTERP_PROPERTY_COUNT"] ?? "") ?? 150)
    }

    static func count(_ mode: PropertyMode) -> Int {
        switch mode {
        case .narrowHardmax, .compactHardmax: baseCount
        case .narrowSoftmax, .compactSoftmax: max(4, baseCount / 7)
        case .labelledNarrow, .labelledCompact, .causal: max(4, baseCount / 2)
        }
    }

    /// The seed of a run: EXACT_INTERP_PROPERTY_SEED, else a fixed one per mode, so `make test` is
    /// reproducible (`make properties` passes a fresh one and prints it).
    static func seed(_ mode: PropertyMode) -> UInt64 {
        if let s = ProcessInfo.processInfo.environment["EXACT_INTERP_PROPERTY_SEED"].flatMap(UInt64.init) {
            return s &+ UInt64(PropertyMode.allCases.firstIndex(of: mode) ?? 0)
        }
        return 0x5EED_0000 &+ UInt64(PropertyMode.allCases.firstIndex(of: mode) ?? 0)
    }

    struct Run {
        var checked = 0
        var skipped = 0
        var seconds = 0.0
        var failure: (original: Dataset, shrunk: Dataset, reason: String, file: URL?)?
    }

    /// Draws `count` datasets, checks the property on each, and stops at the first failure, which it
    /// shrinks, prints as JSON and saves as a regression file (`save`: false in the shrinker's own
    /// tests, which write elsewhere).
    static func run(_ mode: PropertyMode, count: Int, seed: UInt64, knobs: ValiditySpaceGenerator.Knobs? = nil,
                    saveTo folder: URL? = saveFolder, name: String? = nil, fails: ((Dataset) -> String?)? = nil) -> Run {
        let name = name ?? mode.rawValue
        let check = fails ?? { failure($0, mode) }
        var generator = ValiditySpaceGenerator(seed: seed)
        var run = Run()
        let start = DispatchTime.now()
        for k in 0..<count {
            let data = generator.dataset(knobs ?? mode.knobs)
            guard data.dimension >= 2 || mode == .causal else { run.skipped += 1; continue }
            run.checked += 1
            guard let reason = check(data) else { continue }
            let outcome = DatasetShrinker.shrink(data) { check($0) != nil }
            var shrunk = outcome.dataset
            let shrunkReason = check(shrunk) ?? reason
            shrunk.name = "\(name) property, seed \(seed) draw \(k), shrunk: \(shrunkReason)"
            let text = shrunk.json.rendered()
            print("""
                property \(name) FAILS on draw \(k) of seed \(seed): \(reason)
                shrunk in \(outcome.steps) steps (\(outcome.runs) runs) from \(DatasetShrinker.size(data)) to \(DatasetShrinker.size(shrunk)):
                \(text)
                """)
            var file: URL? = nil
            if let folder {
                let url = folder.appendingPathComponent("\(name)-\(String(shrunk.digest.dropFirst("sha256:".count).prefix(12))).json")
                try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
                if (try? Data(text.utf8).write(to: url)) != nil {
                    file = url
                    print("saved as \(url.path)" + (folder.standardizedFileURL == regressionFolder.standardizedFileURL ? ""
                        : " (keep it: cp \(url.path) \(regressionFolder.path)/)"))
                }
            }
            run.failure = (data, shrunk, shrunkReason, file)
            break
        }
        run.seconds = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
        return run
    }
}
