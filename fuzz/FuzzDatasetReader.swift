// libFuzzer target: the dataset reader (`make fuzz`, docs/testing.md#fuzzing).
// Any input must give a Dataset or an InputError, never a crash; the one reader's rules applied
// pair by pair (`Dataset.parse`) and to the whole JSON tree (`Dataset(json:)`) must agree; read in 7-byte pieces with a 64-byte window, the input gives the
// same dataset or none; an accepted dataset must survive write → read unchanged.
import TransformerModel

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzDatasetReader(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let fast = try? Dataset.parse(bytes)
    let tree = try? Dataset(json: JSONParser.parse(bytes))
    precondition(fast == tree, "the two dataset readers disagree")
    var offset = 0
    let pieces = Dataset.parse(window: 64, chunks: {
        let end = min(bytes.count, offset + 7)
        defer { offset = end }
        return Array(bytes[offset..<end])
    }).dataset
    precondition(pieces == nil || pieces == tree, "reading in pieces gave another dataset")
    if let fast {
        let again = try? Dataset.parse(Array(fast.json.rendered().utf8))
        precondition(again == fast, "write → read changed the dataset")
        _ = try? InterpolationProblem(fast)
        _ = fast.digest
    }
    return 0
}
