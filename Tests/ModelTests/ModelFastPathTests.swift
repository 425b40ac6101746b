import ExactArithmetic
import Foundation
import TestSupport
import Testing
@testable import TransformerModel

/// Model files are read one block at a time (`JSONParser.modelFastPath`) without the tree of the
/// whole document; it must give what the whole-tree reader (`Transformer(json:)`) gives, and leave
/// every file it cannot read to that reader (which names the problem).
@Suite struct ModelFastPathTests {
    /// The whole-tree reader, as `Transformer.parse` ran before the fast path.
    static func wholeTree(_ text: String) throws -> Transformer {
        try Transformer(json: try JSONParser.parse(Array(text.utf8)))
    }

    @Test func sameModelAsTheWholeTree() throws {
        var rng = SplitMix64(seed: 23)
        var texts = [ModelFileTests.everyForm.fileText, ModelFileTests.valid]
        for k in 0..<(50 * iterationScale) {
            texts.append(RandomModels.hardmax(&rng, dimension: 1 + k % 4, blocks: 1 + k % 3).fileText)
        }
        for text in texts {
            let fast = JSONParser.modelFastPath(Array(text.utf8))
            #expect(fast != nil, "the fast path declined a valid file:\n\(text)")
            #expect(try fast == Self.wholeTree(text), "\(text)")
        }
    }

    @Test func leavesOtherFilesToTheWholeTree() throws {
        let valid = ModelFileTests.valid
        // "blocks" not last: read by the whole tree (the same model).
        let blocksFirst = #"{"blocks": [], "format": "exact-interp-model", "version": 1, "dimension": 2}"#
        #expect(JSONParser.modelFastPath(Array(blocksFirst.utf8)) == nil)
        #expect(try Transformer.parse(Array(blocksFirst.utf8)) == Self.wholeTree(blocksFirst))
        // No blocks at all, an empty list, trailing text.
        let empty = #"{"format": "exact-interp-model", "version": 1, "dimension": 2, "blocks": [ ]}"#
        #expect(try JSONParser.modelFastPath(Array(empty.utf8)) == Self.wholeTree(empty))
        #expect(JSONParser.modelFastPath(Array(empty.dropLast().utf8)) == nil)
        #expect(JSONParser.modelFastPath(Array((empty + " x").utf8)) == nil)
        // Every malformed variant is declined (the whole-tree reader gives its message).
        for (old, new, _) in ModelFileTests.malformed {
            let text = valid.replacingOccurrences(of: old, with: new)
            #expect(JSONParser.modelFastPath(Array(text.utf8)) == nil, "\(text)")
        }
    }
}
