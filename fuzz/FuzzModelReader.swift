// libFuzzer target: the model reader (`make fuzz`, docs/testing.md#fuzzing).
// Any input must give a Transformer or an InputError, never a crash; an accepted model must
// survive write → read unchanged.
import TransformerModel

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzModelReader(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    if let model = try? Transformer.parse(bytes) {
        let again = try? Transformer.parse(Array(model.fileText.utf8))
        precondition(again == model, "write → read changed the model")
        _ = model.parameterCount
    }
    return 0
}
