import Certification
import ExactArithmetic
import TransformerModel

extension StagePicture {
    /// The picture of `trace` (the evaluation of `problem`'s inputs through `model`), on the
    /// coordinates `projection`. `geometry` (from the exact configuration after the collapse) adds
    /// the cube, sphere and line of docs/mathematics.md#leader-selection to the leader-selection and collapse panels.
    public init<S: Plottable>(trace: StageTrace<S>, problem: InterpolationProblem, model: Transformer,
                              projection: (x: Int, y: Int), datasetName: String?, geometry: LeaderGeometry?) {
        let d = problem.dimension
        let plan = trace.plan
        func point(_ x: [S]) -> PlotPoint { PlotPoint(x: x[projection.x].plotValue, y: x[projection.y].plotValue) }
        func exactPoint(_ x: Token) -> PlotPoint { PlotPoint(x: x[projection.x].doubleValue, y: x[projection.y].doubleValue) }
        func tokens(_ k: Int) -> [(sequence: Int, point: PlotPoint)] {
            problem.pairs.indices.flatMap { j in trace.distinctValues(checkpoint: k, sequence: j).map { (j, point($0)) } }
        }
        let targets = problem.pairs.enumerated().flatMap { j, pair in pair.outputs.map { (j, exactPoint($0)) } }

        var panels: [Panel] = [Panel(title: "Input Xʲ", subtitle: "\(problem.count) sequences, \(problem.totalInputCount) distinct tokens\nfilled markers: input tokens; rings: targets Yʲ",
                                     tokens: tokens(0), targets: targets, paths: [])]
        for (k, step) in plan.steps.enumerated() {
            let last = k == plan.steps.count - 1
            var subtitle = step.blocksDescription
            switch step.stage {
            case .separation?: subtitle += "\nno token value is shared by two sequences (Lemma 5.1)"
            case .leaderSelection?: subtitle += "\nshift into (0, a)ᵈ; leaders to λ_j·1 and to the sphere (§5.3)"
            case .collapse?: subtitle += "\nevery non-leader joins its main leader p_j (Lemma 4.4)"
            case .interpolation?: subtitle += "\neach leader moved onto its target: T(Xʲ) on the rings Yʲ"
            case nil: if last { subtitle += "\nT(Xʲ) should sit on the rings Yʲ" }
            }
            var panel = Panel(title: step.title, subtitle: subtitle, tokens: tokens(k + 1), targets: last ? targets : [],
                              paths: trace.paths[k])
            panel.windowOnTokens = last
            if last && !plan.steps.isEmpty { panel.notes.append("framed on Tʲ and Yʲ: the paths enter from where the previous panel left the tokens") }
            if let geometry, plan.followsPipeline, step.stage == .leaderSelection || step.stage == .collapse {
                if let a = geometry.cubeSide {
                    panel.cubeSide = a.doubleValue
                    panel.notes.append("dashed square: the cube (0, a)\(StagePicture.superscripted(d)), a = \(StagePicture.brief(a))")
                }
                if let r2 = geometry.sphereRadiusSquared {
                    panel.sphereRadius = r2.doubleValue.squareRoot()
                    panel.notes.append("dashed circle: the sphere |x|² = R, R = \(StagePicture.brief(r2))\(d > 2 ? " (outline of its projection)" : "")")
                }
                if geometry.mainLeadersOnDiagonal && geometry.mainLeaders.contains(where: { $0 != nil }) {
                    panel.diagonal = true
                    panel.notes.append("dotted line: λ·1, where the main leaders p_j sit")
                }
            }
            panels.append(panel)
        }

        let theorem = model.metadata.construction.map { $0.value?.title ?? $0.text }
        let name = datasetName.map { "“\($0)”" } ?? "the dataset"
        var title = (theorem.map { "\($0) on \(name)" } ?? "Model on \(name)") + ": the tokens after every stage"
        let sub = { (c: Int) in "x" + StagePicture.subscripted(c) }
        if d > 2 { title += " — projection on coordinates (\(sub(projection.x)), \(sub(projection.y))) of ℚ\(StagePicture.superscripted(d))" }
        var notes: [String] = []
        var modelLine = "N = \(problem.count) sequences in ℚ\(StagePicture.superscripted(d)), Σn = \(problem.totalInputCount), Σm = \(problem.totalOutputCount); model: \(model.blocks.count) block\(model.blocks.count == 1 ? "" : "s")"
        let details = [model.metadata.layout.map { "\($0.text) layout" }, model.usesSoftmax ? "softmax" : "hardmax"].compactMap { $0 }
        modelLine += " (" + details.joined(separator: ", ") + "); blocks numbered from 0, as blocks[k] in the model file."
        notes.append(modelLine)
        if S.isExact {
            notes.append("Positions are the exact rational values of the evaluation, rounded to doubles only to place them on the page.")
        } else {
            notes.append("Softmax model evaluated in float64: positions are approximate (exact certificates come from `verify`).")
        }
        if !plan.followsPipeline {
            notes.append("The blocks' stage labels do not follow the Figure 5 pipeline: one panel per run of equal labels.")
        }
        let labels = problem.pairs.map { p in "pair \(p.sourceIndex): n = \(p.inputs.count) token\(p.inputs.count == 1 ? "" : "s") → m = \(p.outputs.count)" }
        self.init(title: title, notes: notes, panels: panels, sequenceLabels: labels,
                  axisLabels: (sub(projection.x), sub(projection.y)))
    }

    /// Exact text when short, else an approximation marked as such.
    static func brief(_ r: Rational) -> String {
        r.numeratorBitLength + r.denominatorBitLength <= 64 ? r.description : "≈ \(r.doubleValue)"
    }

    /// "¹²" for 12.
    static func superscripted(_ n: Int) -> String {
        let digits = ["⁰", "¹", "²", "³", "⁴", "⁵", "⁶", "⁷", "⁸", "⁹"]
        return String(n).map { c in c.wholeNumberValue.map { digits[$0] } ?? (c == "-" ? "⁻" : String(c)) }.joined()
    }

    /// "₁₂" for 12.
    static func subscripted(_ n: Int) -> String {
        let digits = ["₀", "₁", "₂", "₃", "₄", "₅", "₆", "₇", "₈", "₉"]
        return String(n).map { c in c.wholeNumberValue.map { digits[$0] } ?? String(c) }.joined()
    }
}
