import Certification
import Evaluation
import ExactArithmetic
import TransformerModel

/// A readable report on a model and its dataset (Markdown): the dataset, the blocks per stage,
/// the counts against the paper's bounds, the exact checks of every stage, the bit lengths per
/// block, and τ₀ for softmax models. Every figure is computed from the two files.
public struct ConstructionReport: Sendable {
    /// One stage's figures, as `construct` prints them.
    public struct StageFigures: Sendable, Equatable {
        public var stage: Block.Stage
        public var blocks: Int
        public var maximumWidth: Int
        public var numeratorBits: Int
        public var denominatorBits: Int
    }

    /// One block's largest bit lengths.
    public struct BlockBits: Sendable, Equatable {
        public var stage: Block.Stage
        public var numerator: Int
        public var denominator: Int
    }

    public var datasetName: String?
    public var datasetDigest: String
    public var pairCount: Int
    public var dimension: Int
    public var totalInputs: Int
    public var totalOutputs: Int
    /// Per distinct pair: index in the file, n^j, m^j.
    public var pairs: [(index: Int, inputs: Int, outputs: Int)]
    public var notices: [String]

    public var blocks: Int
    public var stages: [StageFigures]
    public var maximumWidth: Int
    public var parameters: ParameterCount
    public var largestBits: (numerator: Int, denominator: Int)
    /// 2Σm + 2N + 1 (Theorem 1.4) or 2Σm + 3N (Theorem 1.6).
    public var paperBound: Int
    public var paperBoundFormula: String
    /// The bound of the model's layout (`ModelMetadata.layout`), when known.
    public var layoutBound: (name: String, formula: String, value: Int)?
    /// Softmax when some attention layer is softmax or the construction chose softmax, else hardmax.
    public var attention: AttentionKind
    /// What the model file says the model is (typed at the reader).
    public var metadata: ModelMetadata
    /// A classifier's label embedding and how many pairs carry each label (docs/mathematics.md#classification).
    public var labels: [(label: String, token: Token, pairs: Int)] = []
    public var blockBits: [BlockBits]
    public var checks: [StageCheck]
    public var temperature: Rational?
    /// Softmax models with τ₀: per stage (in block order) the largest enclosure radius of any token
    /// after any layer of the stage, and after the stage's last layer, from the enclosure evaluator
    /// run on the dataset as given.
    public var enclosureRadii: [(stage: Block.Stage, largest: Rational, final: Rational)]?

    /// Softmax: the enclosure certificate's verdict, when the caller ran it (`exact-interp report`
    /// does, as `verify` runs it). Nil: not run, and the report says so instead of a verdict.
    public var certificate: CertificateVerdict?

    /// The verdict of the enclosure certificate for every τ' ∈ (0, τ].
    public struct CertificateVerdict: Sendable {
        public var temperature: Rational
        public var pairs: Int
        /// One line per failing pair (the first few), empty when it holds.
        public var failures: [String]
        public var failureCount: Int
        public var holds: Bool { failureCount == 0 }
        public init(temperature: Rational, pairs: Int, failureCount: Int, failures: [String]) {
            self.temperature = temperature
            self.pairs = pairs
            self.failureCount = failureCount
            self.failures = failures
        }
    }

    /// True when no check failed (softmax: and the certificate, when run, holds).
    public var holds: Bool { !checks.contains { $0.outcome == .failed } && certificate?.holds != false }

    public init(model: Transformer, dataset: Dataset, problem: InterpolationProblem, checks: [StageCheck]) {
        datasetName = dataset.name
        datasetDigest = dataset.digest
        pairCount = problem.count
        dimension = problem.dimension
        totalInputs = problem.totalInputCount
        totalOutputs = problem.totalOutputCount
        pairs = problem.pairs.map { ($0.sourceIndex, $0.inputs.count, $0.outputs.count) }
        notices = problem.notices
        blocks = model.blocks.count
        maximumWidth = model.maximumWidth
        parameters = model.parameterCount
        largestBits = model.largestBitLengths
        metadata = model.metadata
        if let embedding = model.labels {
            labels = embedding.entries.map { e in (e.label, e.token, dataset.pairs.filter { $0.label == e.label }.count) }
        }
        temperature = model.temperature
        self.checks = checks
        let kind: AttentionKind = model.usesSoftmax || model.metadata.attention?.value == .softmax ? .softmax : .hardmax
        let softmax = kind == .softmax
        attention = kind
        blockBits = model.blocks.map { b in
            let bits = b.largestBitLengths
            return BlockBits(stage: b.stage, numerator: bits.numerator, denominator: bits.denominator)
        }

        // Consecutive blocks of one family form a stage; a pipeline model lists all three.
        var runs: [(Block.Stage, [Block])] = []
        for b in model.blocks {
            let f = b.stage.family
            if let last = runs.last, last.0 == f { runs[runs.count - 1].1.append(b) } else { runs.append((f, [b])) }
        }
        let canonical: [Block.Stage] = [.separation, .leadersAndCollapse, .interpolation]
        if runs.map(\.0).allSatisfy(canonical.contains), runs.map(\.0) == canonical.filter({ f in runs.contains { $0.0 == f } }) {
            runs = canonical.map { f in runs.first { $0.0 == f } ?? (f, []) }
        }
        stages = runs.map { name, blocks in
            StageFigures(stage: name, blocks: blocks.count, maximumWidth: blocks.map(\.feedForward.width).max() ?? 0,
                         numeratorBits: blocks.map(\.largestBitLengths.numerator).max() ?? 0,
                         denominatorBits: blocks.map(\.largestBitLengths.denominator).max() ?? 0)
        }

        let n = problem.count, m = problem.totalOutputCount
        let paper = BlockBound.paper(kind, pairs: n, outputs: m)
        paperBound = paper.value
        paperBoundFormula = paper.formula
        if let layout = model.metadata.layout?.value {
            let bound = BlockBound.layout(layout, kind, pairs: n, outputs: m)
            layoutBound = (layout.rawValue, bound.formula, bound.value)
        } else {
            layoutBound = nil
        }
        if softmax { enclosureRadii = ConstructionReport.largestRadii(model, dataset) }
    }

    // MARK: Markdown

    /// The report's text. `figure`: a picture to link at the top (path relative to the report).
    public func markdown(modelPath: String, datasetPath: String, figure: String? = nil) -> String {
        var out: [String] = []
        let theorem = metadata.construction.map { " (\($0.text))" } ?? ""
        out.append("# Construction report: \(datasetName ?? datasetPath)")
        out.append("")
        out.append("Model `\(modelPath)`\(theorem), dataset `\(datasetPath)`. Every figure below is computed from these two files; "
                   + "the checks re-evaluate the model in exact rational arithmetic.")
        if attention == .softmax {
            out += ["", ConstructionReport.verdictLine(certificate)]
        }
        if let figure {
            out += ["", "![The tokens after every stage](\(figure))"]
        }

        out += ["", "## Dataset", ""]
        out.append("| N | d | Σn | Σm | digest |")
        out.append("|---|---|---|---|---|")
        out.append("| \(pairCount) | \(dimension) | \(totalInputs) | \(totalOutputs) | `\(datasetDigest)` |")
        out.append("")
        out.append("Counted as sets (repeated tokens removed, identical pairs merged), as the construction counts them.")
        out.append("")
        out.append("| pair | n^j | m^j |")
        out.append("|---|---|---|")
        let shownPairs = 20
        for p in pairs.prefix(shownPairs) { out.append("| \(p.index) | \(p.inputs) | \(p.outputs) |") }
        if pairs.count > shownPairs { out.append("| … \(pairs.count - shownPairs) more | | |") }
        for notice in notices.prefix(10) { out.append("- notice: \(notice)") }
        if !labels.isEmpty {
            out += ["", "## Labels", ""]
            out.append("A classifier: each label's token was chosen by `construct` and is recorded in the model; "
                       + "the final staircase needs one step per change of label along its direction.")
            out.append("")
            out.append("| label | token | pairs |")
            out.append("|---|---|---|")
            for l in labels { out.append("| \(l.label) | (\(l.token.map(\.description).joined(separator: ", "))) | \(l.pairs) |") }
        }

        out += ["", "## Blocks per stage", ""]
        out.append("| stage | blocks | largest width | numerator bits | denominator bits |")
        out.append("|---|---|---|---|---|")
        for s in stages {
            out.append("| \(s.stage) | \(s.blocks) | \(s.maximumWidth) | \(s.numeratorBits) | \(s.denominatorBits) |")
        }
        out.append("| **total** | **\(blocks)** | **\(maximumWidth)** | **\(largestBits.numerator)** | **\(largestBits.denominator)** |")

        out += ["", "## Counts against the bounds", ""]
        out.append("| quantity | value | bound | within |")
        out.append("|---|---|---|---|")
        out.append("| blocks L | \(blocks) | paper (\(attention == .softmax ? "Theorem 1.6" : "Theorem 1.4")): \(paperBoundFormula) = \(paperBound) | \(blocks <= paperBound ? "yes" : "**NO**") |")
        if let l = layoutBound {
            out.append("| blocks L | \(blocks) | \(l.name) layout: \(l.formula) = \(l.value) | \(blocks <= l.value ? "yes" : "**NO**") |")
        } else {
            out.append("| blocks L | \(blocks) | layout bound: not known for this model | – |")
        }
        if metadata.layout?.value == .narrow {
            out.append("| largest width | \(maximumWidth) | narrow layout: 4 | \(maximumWidth <= 4 ? "yes" : "**NO**") |")
        }
        let scale = dimension * totalOutputs
        out.append("| parameters (structured) | \(parameters.structured) | O(dΣm): dΣm = \(scale), ratio \(ConstructionReport.ratio(parameters.structured, scale)) | – |")
        out.append("| parameters (dense) | \(parameters.dense) | | – |")

        out += ["", "## Exact checks per stage", ""]
        out.append("| stage | claim | reference | result | detail |")
        out.append("|---|---|---|---|---|")
        for c in checks {
            let result = c.outcome == .failed ? "**FAIL**" : c.outcome.rawValue
            out.append("| \(c.stage) | \(ConstructionReport.cell(c.claim)) | \(c.reference) | \(result) | \(ConstructionReport.cell(c.detail)) |")
        }
        let failed = checks.filter { $0.outcome == .failed }.count
        let passed = checks.filter { $0.outcome == .passed }.count
        out.append("")
        if attention == .softmax && passed == 0 && failed == 0 {
            out.append("The stage checks are exact hardmax checks: none applies to a softmax model. What certifies it is the "
                       + "enclosure certificate (see Softmax below).")
        } else if failed == 0 {
            out.append(passed == 1 ? "The 1 applicable check passes." : "All \(passed) applicable checks pass.")
        } else {
            out.append("**\(failed) \(failed == 1 ? "check FAILS" : "checks FAIL")**, \(passed) \(passed == 1 ? "passes" : "pass").")
        }

        out += ["", "## Bit lengths per block", ""]
        out.append("Largest numerator and denominator bit length over the block's parameters"
                   + (blockBits.count > ConstructionReport.chartRows ? " (maximum over each range of blocks)." : ".")
                   + " Blocks are numbered from 0, as blocks[k] in the model file (every block number in this report is 0-based).")
        out.append("")
        out.append("```")
        out += bitChart()
        out.append("```")

        out += ["", "## Softmax", ""]
        if attention == .softmax {
            out.append("- τ₀: " + (temperature.map { "\($0) (the model's temperature)" } ?? "not recorded in the model"))
            if let c = certificate {
                if c.holds {
                    out.append("- certificate: **certified**: T_τ(X^j) = Y^j as sets for all \(c.pairs) pairs and every τ in (0, \(c.temperature)] (exact enclosures)")
                } else {
                    out.append("- certificate: **NOT certified** for τ in (0, \(c.temperature)]: \(c.failureCount) of \(c.pairs) \(c.pairs == 1 ? "pair fails" : "pairs fail")"
                               + (c.failures.count < c.failureCount ? " (the first \(c.failures.count) below)" : ""))
                    for f in c.failures { out.append("  - \(ConstructionReport.cell(f))") }
                }
            } else {
                out.append("- certificate: not run for this report (`exact-interp verify` runs it for every τ in (0, τ₀])")
            }
            if let radii = enclosureRadii {
                out.append("- largest enclosure radius per stage, over its layers and at its end (every token, at τ₀; 0 means exact points):")
                for (stage, largest, final) in radii {
                    out.append("  - \(stage): \(ConstructionReport.short(largest)), at the end \(ConstructionReport.short(final))")
                }
            } else {
                out.append("- largest enclosure radius per stage: not available (the model records no τ₀)")
            }
        } else {
            out.append("Hardmax model: no temperature. τ₀ and enclosure radii: not applicable.")
        }
        return out.joined(separator: "\n") + "\n"
    }

    /// The softmax verdict at the top of the report: what the certificate says, or that it was not run.
    static func verdictLine(_ c: CertificateVerdict?) -> String {
        guard let c else { return "**Verdict: not checked here.** The enclosure certificate was not run for this report; `exact-interp verify` runs it." }
        if c.holds {
            return "**Verdict: certified.** The enclosure certificate holds: T_τ(X^j) = Y^j as sets for all \(c.pairs) pairs and every τ in (0, \(c.temperature)]."
        }
        return "**Verdict: NOT certified** for τ in (0, \(c.temperature)]: the enclosure certificate fails for \(c.failureCount) of \(c.pairs) \(c.pairs == 1 ? "pair" : "pairs")"
            + (c.failures.first.map { " (\($0))" } ?? "") + "."
    }

    /// A non-negative rational as written when short, else as a power-of-two bound: r < 2^k with
    /// k = bits(p) − bits(q) + 1 (exact, from the bit lengths of r = p/q).
    static func short(_ r: Rational) -> String {
        if r.isZero || r.numeratorBitLength + r.denominatorBitLength <= 64 { return r.description }
        return "< 2^\(r.numeratorBitLength - r.denominatorBitLength + 1)"
    }

    /// Per stage family, in order of first appearance, the largest radius of the enclosure trace
    /// over the stage's layers and after its last layer.
    static func largestRadii(_ model: Transformer, _ dataset: Dataset) -> [(stage: Block.Stage, largest: Rational, final: Rational)]? {
        guard model.temperature != nil, let evaluator = try? EnclosureEvaluator(model) else { return nil }
        let traces = parallelMap(dataset.pairs) { pair in evaluator.trace(pair.input.map { Box(point: $0) }) }
        var order: [Block.Stage] = []
        var largest: [Block.Stage: Rational] = [:], final: [Block.Stage: Rational] = [:]
        for trace in traces {
            for (k, record) in trace.enumerated() {
                let stage = record.stage.family
                if largest[stage] == nil { order.append(stage); largest[stage] = .zero; final[stage] = .zero }
                let top = record.boxes.map(\.largestRadius).max() ?? .zero
                largest[stage] = max(largest[stage] ?? .zero, top)
                let last = k + 1 == trace.count || trace[k + 1].stage.family != stage
                if last { final[stage] = max(final[stage] ?? .zero, top) }
            }
        }
        return order.map { ($0, largest[$0] ?? .zero, final[$0] ?? .zero) }
    }

    static let chartRows = 64
    static let barWidth = 24

    /// Rows "block(s)  stage  numerator bar  denominator bar".
    func bitChart() -> [String] {
        guard !blockBits.isEmpty else { return ["(no blocks)"] }
        let rows = min(blockBits.count, ConstructionReport.chartRows)
        let top = max(1, blockBits.map { max($0.numerator, $0.denominator) }.max() ?? 1)
        var groups: [(label: String, stage: String, num: Int, den: Int)] = []
        for g in 0..<rows {
            let a = g * blockBits.count / rows, b = (g + 1) * blockBits.count / rows
            let slice = blockBits[a..<b]
            let label = b - a == 1 ? "\(a)" : "\(a)–\(b - 1)"
            var seen = Set<Block.Stage>()
            let stage = slice.map(\.stage).filter { seen.insert($0).inserted }.map(\.rawValue).joined(separator: ",")
            groups.append((label, stage, slice.map(\.numerator).max() ?? 0, slice.map(\.denominator).max() ?? 0))
        }
        let lw = max(5, groups.map(\.label.count).max() ?? 5)
        let sw = min(24, max(5, groups.map(\.stage.count).max() ?? 5))
        func padded(_ s: String, _ w: Int) -> String { s.count >= w ? String(s.prefix(w)) : s + String(repeating: " ", count: w - s.count) }
        func bar(_ v: Int) -> String {
            let eighths = v * ConstructionReport.barWidth * 8 / top
            let full = String(repeating: "█", count: eighths / 8)
            let parts = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"]
            return padded(full + parts[eighths % 8], ConstructionReport.barWidth)
        }
        var lines = [padded("block", lw) + "  " + padded("stage", sw) + "  " + padded("numerator bits", ConstructionReport.barWidth + 6)
                     + "  denominator bits"]
        for g in groups {
            let num = String(g.num), den = String(g.den)
            lines.append(padded(g.label, lw) + "  " + padded(g.stage, sw) + "  " + padded(num, 5) + " " + bar(g.num) + "  "
                         + padded(den, 5) + " " + bar(g.den))
        }
        return lines.map { line in
            var l = line
            while l.hasSuffix(" ") { l.removeLast() }
            return l
        }
    }

    /// a/b with one decimal, from integers.
    static func ratio(_ a: Int, _ b: Int) -> String {
        guard b > 0 else { return "–" }
        let tenths = (a * 10 + b / 2) / b
        return "\(tenths / 10).\(tenths % 10)"
    }

    /// Text safe inside a Markdown table cell.
    static func cell(_ s: String) -> String {
        s.replacingOccurrences(of: "|", with: "\\|")
    }
}

extension String {
    fileprivate func replacingOccurrences(of target: String, with replacement: String) -> String {
        split(separator: Character(target), omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
