/// The block layouts of the constructions (docs/mathematics.md#layouts): what `construct --layout`
/// chooses and `metadata.layout` records.
public enum BlockLayout: String, Sendable, Equatable, CaseIterable {
    /// Paper-shaped: constant width ≤ 4, one move per block.
    case narrow
    /// Wide blocks: ≤ N − 1 separation blocks, one leader+collapse block, one staircase.
    case compact
}

/// A bound on the number of blocks L, with the formula it comes from: the one place the paper's
/// bounds and the layouts' bounds are written (the constructions, `construct` and the report
/// all take them from here).
public struct BlockBound: Sendable, Equatable, CustomStringConvertible {
    /// The formula in N (pairs) and Σm (output tokens), e.g. "2Σm + 2N + 1".
    public var formula: String
    public var value: Int

    public init(formula: String, value: Int) {
        self.formula = formula
        self.value = value
    }

    /// "formula = value".
    public var description: String { "\(formula) = \(value)" }

    /// The paper's bound: 2Σm + 2N + 1 blocks for hardmax (Theorem 1.4), 2Σm + 3N for softmax
    /// (Theorem 1.6); `pairs` is N, `outputs` is Σm.
    public static func paper(_ attention: AttentionKind, pairs n: Int, outputs m: Int) -> BlockBound {
        switch attention {
        case .hardmax: return BlockBound(formula: "2Σm + 2N + 1", value: 2 * m + 2 * n + 1)
        case .softmax: return BlockBound(formula: "2Σm + 3N", value: 2 * m + 3 * n)
        }
    }

    /// The bound a layout guarantees: narrow 2Σm + 2N − 2 (hardmax) or 2Σm + 2N − 1 (softmax, one
    /// block more for the re-collapse), compact N + 1.
    public static func layout(_ layout: BlockLayout, _ attention: AttentionKind, pairs n: Int, outputs m: Int) -> BlockBound {
        switch (layout, attention) {
        case (.narrow, .hardmax): return BlockBound(formula: "2Σm + 2N − 2", value: 2 * m + 2 * n - 2)
        case (.narrow, .softmax): return BlockBound(formula: "2Σm + 2N − 1", value: 2 * m + 2 * n - 1)
        case (.compact, _): return BlockBound(formula: "N + 1", value: n + 1)
        }
    }
}
