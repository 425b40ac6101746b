/// The four tasks of `from-text` (docs/text.md#tasks).
public enum TextTask: String, CaseIterable, Sendable {
    case nextToken = "next-token"
    case nextTokenDistribution = "next-token-distribution"
    case causal
    case classification
}

/// Which positions of a sentence give a next-token pair.
public enum TextPositions: String, CaseIterable, Sendable {
    /// Every word after the first is a target (one pair per position).
    case every
    /// Only the last word of each sentence (one pair per sentence).
    case last
}
