// Uses the library as a dependent package would, through the one umbrella import. The block between
// the markers is docs/library.md's example, verbatim (tools/consumer-test.sh compares them).
import Foundation
// library-example begin
import ExactInterp

func buildVerifyEvaluate(_ bytes: [UInt8]) throws -> (holds: Bool, blocks: Int, outputs: [[Token]]) {
    let data = try Dataset.parse(bytes)                                   // exact rationals, validated
    let problem = try InterpolationProblem(data)                          // Assumption 1.3, repeats noted
    let model = try HardmaxConstruction.build(problem, digest: data.digest, layout: .compact).model
    let report = try certify(model: model, dataset: data)                 // the judge: exact, from the model alone
    let outputs = try Evaluator<Rational>(model).evaluateAll(data.pairs.map(\.input))  // T(X) in ℚ
    return (report.holds, model.blocks.count, outputs)
}
// library-example end

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("consumer: \(message)\n".utf8))
    exit(1)
}

let third = Rational(1) / Rational(3)
guard third + third + third == .one, (third * Rational(3)).description == "1" else { fail("1/3 · 3 ≠ 1") }
print("Rational: 1/3 + 1/3 + 1/3 = \(third + third + third)")

guard CommandLine.arguments.count == 2, let bytes = FileManager.default.contents(atPath: CommandLine.arguments[1]) else {
    fail("usage: consumer DATASET.json")
}
do {
    let (holds, blocks, outputs) = try buildVerifyEvaluate([UInt8](bytes))
    guard holds, outputs.count > 0 else { fail("the constructed model does not certify") }
    print("certified: T(X^j) = Y^j as sets for all \(outputs.count) pairs (\(blocks) blocks)")
} catch {
    fail("\(error)")
}
