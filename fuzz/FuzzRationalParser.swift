// libFuzzer target: the rational parser (`make fuzz`, docs/testing.md#fuzzing).
// Any text must give a Rational or a RationalParseError quoting it, never a crash; an accepted
// value must print in lowest terms and read back equal.
import ExactArithmetic

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRationalParser(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    do {
        let value = try Rational(parsing: text)
        let again = try? Rational(parsing: value.description)
        precondition(again == value, "print → parse changed \(text)")
    } catch {
        precondition(error.text == text, "the error does not quote the text")
    }
    return 0
}
