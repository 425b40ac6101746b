import Testing
import TransformerModel

/// The one table of block bounds (docs/mathematics.md#layouts): the paper's Theorem 1.4 and 1.6
/// bounds and each layout's, with N pairs and Σm output tokens.
@Suite struct BlockBoundTests {
    @Test func paperAndLayoutBounds() {
        // N = 3, Σm = 5.
        #expect(BlockBound.paper(.hardmax, pairs: 3, outputs: 5) == BlockBound(formula: "2Σm + 2N + 1", value: 17))
        #expect(BlockBound.paper(.softmax, pairs: 3, outputs: 5) == BlockBound(formula: "2Σm + 3N", value: 19))
        #expect(BlockBound.layout(.narrow, .hardmax, pairs: 3, outputs: 5) == BlockBound(formula: "2Σm + 2N − 2", value: 14))
        #expect(BlockBound.layout(.narrow, .softmax, pairs: 3, outputs: 5) == BlockBound(formula: "2Σm + 2N − 1", value: 15))
        for kind in [AttentionKind.hardmax, .softmax] {
            #expect(BlockBound.layout(.compact, kind, pairs: 3, outputs: 5) == BlockBound(formula: "N + 1", value: 4))
        }
        #expect(BlockBound.paper(.hardmax, pairs: 1, outputs: 1).description == "2Σm + 2N + 1 = 5")
        // Every layout's bound is within the paper's, for every N ≥ 1 and Σm ≥ N.
        for n in 1...12 {
            for m in n...(3 * n) {
                for layout in BlockLayout.allCases {
                    for kind in [AttentionKind.hardmax, .softmax] {
                        #expect(BlockBound.layout(layout, kind, pairs: n, outputs: m).value < BlockBound.paper(kind, pairs: n, outputs: m).value)
                    }
                }
            }
        }
    }
}
