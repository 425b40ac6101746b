import TransformerModel

/// A stage of the interpolation pipeline (docs/mathematics.md#theorem-1-4, the paper's Figure 5).
public enum ConstructionStage: Int, Sendable, CaseIterable, Comparable {
    case separation, leaderSelection, collapse, interpolation

    public static func < (l: ConstructionStage, r: ConstructionStage) -> Bool { l.rawValue < r.rawValue }

    /// Panel title of the configuration after this stage.
    public var afterTitle: String {
        switch self {
        case .separation: return "After separation"
        case .leaderSelection: return "After leader selection"
        case .collapse: return "After collapse"
        case .interpolation: return "Output"
        }
    }

    /// The stage a sublayer belongs to, from its block's stage (`Block.stage`), or nil for blocks
    /// outside the pipeline. A "leaders+collapse" block does the last leader move in its FF and the
    /// collapse (Lemma 4.4) in its SA, so the two sublayers belong to different stages. The
    /// re-collapse of Theorem 1.6 is a collapse (onto the outputs).
    public static func of(_ stage: Block.Stage, attention: Bool) -> ConstructionStage? {
        switch stage {
        case .separation: return .separation
        case .leaderSelection: return .leaderSelection
        case .leadersAndCollapse: return attention ? .collapse : .leaderSelection
        case .collapse, .reCollapse: return .collapse
        case .interpolation: return .interpolation
        case .lemma47, .custom, .imported, .causalContext, .causalInterpolation: return nil
        }
    }
}

/// Where the stages of a model begin and end, read from the stage labels of its blocks alone.
///
/// Sublayers are numbered 0 ..< 2L: sublayer 2b is the FF of block b, 2b + 1 its SA. Each step is
/// a range of sublayers; the configuration after the last sublayer of step k is panel k + 1 of a
/// picture (panel 0 is the input).
public struct StagePlan: Sendable, Equatable {
    /// One step: the sublayers from the previous checkpoint to this one.
    public struct Step: Sendable, Equatable {
        /// "After separation", …, or "After blocks 3–5" for a model outside the pipeline.
        public var title: String
        /// The pipeline stage, when the model follows it.
        public var stage: ConstructionStage?
        public var sublayers: Range<Int>

        /// "blocks 1–6 (FF of block 6)"-style description, 1-based like the paper's layers.
        public var blocksDescription: String {
            if sublayers.isEmpty { return "no blocks" }
            let first = sublayers.lowerBound, last = sublayers.upperBound - 1
            let b0 = first / 2, b1 = last / 2  // 0-based, as blocks[k] of the model file
            let startsWithSA = first % 2 == 1, endsWithFF = last % 2 == 0
            if b0 == b1 {
                if startsWithSA { return "SA of block \(b0)" }
                if endsWithFF { return "FF of block \(b0)" }
                return "block \(b0)"
            }
            var text = "blocks \(b0)–\(b1)"
            if startsWithSA { text += " (from the SA of block \(b0))" }
            if endsWithFF { text += " (up to the FF of block \(b1))" }
            return text
        }
    }

    public var steps: [Step]
    /// True when every block's label belongs to the pipeline and the stages come in order.
    public var followsPipeline: Bool
    public var sublayerCount: Int

    /// The step that ends with `stage`, when the model follows the pipeline.
    public func step(_ stage: ConstructionStage) -> Int? {
        followsPipeline ? steps.firstIndex { $0.stage == stage } : nil
    }

    /// Most panels for a model outside the pipeline (label runs are merged beyond that).
    public static let maximumGenericSteps = 8

    public init(_ model: Transformer) {
        let labels = model.blocks.map(\.stage)
        sublayerCount = 2 * labels.count
        let stages = (0..<sublayerCount).map { ConstructionStage.of(labels[$0 / 2], attention: $0 % 2 == 1) }
        var ordered = true
        var previous: ConstructionStage? = nil
        for s in stages {
            guard let s else { ordered = false; break }
            if let p = previous, s < p { ordered = false; break }
            previous = s
        }
        if ordered && sublayerCount > 0 {
            followsPipeline = true
            var start = 0
            steps = ConstructionStage.allCases.map { stage in
                let end: Int
                if stage == .interpolation {
                    end = stages.count
                } else {
                    end = max(start, (stages.lastIndex { ($0 ?? stage) <= stage } ?? -1) + 1)
                }
                defer { start = end }
                return Step(title: stage.afterTitle, stage: stage, sublayers: start..<end)
            }
        } else {
            followsPipeline = false
            steps = StagePlan.genericSteps(labels)
        }
    }

    /// Runs of equal labels, merged into at most `maximumGenericSteps` groups.
    static func genericSteps(_ labels: [Block.Stage]) -> [Step] {
        if labels.isEmpty { return [Step(title: "Output (no blocks)", stage: nil, sublayers: 0..<0)] }
        var runs: [(label: Block.Stage, blocks: Range<Int>)] = []
        for (b, label) in labels.enumerated() {
            if let last = runs.last, last.label == label {
                runs[runs.count - 1].blocks = last.blocks.lowerBound..<(b + 1)
            } else {
                runs.append((label, b..<(b + 1)))
            }
        }
        let groups = min(runs.count, maximumGenericSteps)
        var steps: [Step] = []
        for g in 0..<groups {
            let r0 = g * runs.count / groups, r1 = (g + 1) * runs.count / groups
            let blocks = runs[r0].blocks.lowerBound..<runs[r1 - 1].blocks.upperBound
            let names = runs[r0..<r1].map(\.label.rawValue)
            var seen = Set<String>()
            let label = names.filter { seen.insert($0).inserted }.joined(separator: ", ")
            let last = g == groups - 1
            let span = blocks.count == 1 ? "block \(blocks.lowerBound)" : "blocks \(blocks.lowerBound)–\(blocks.upperBound - 1)"
            steps.append(Step(title: last ? "Output (\(label))" : "After \(span) (\(label))", stage: nil,
                              sublayers: (2 * blocks.lowerBound)..<(2 * blocks.upperBound)))
        }
        return steps
    }
}
