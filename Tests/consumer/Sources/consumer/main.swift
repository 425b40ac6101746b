// Uses the library products as a dependent package would: exact arithmetic with `Rational`, a
// dataset file, a Theorem 1.4 construction and Certification's verdict on it.
import Certification
import Constructions
import ExactArithmetic
import Foundation
import TransformerModel

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
    let data = try Dataset.parse([UInt8](bytes))
    let problem = try InterpolationProblem(data)
    let model = try HardmaxConstruction.build(problem, digest: data.digest, layout: .compact).model
    let report = try certify(model: model, dataset: data)
    guard report.holds, report.method == .exactHardmax else { fail("the constructed model does not certify") }
    print("certified: T(X^j) = Y^j as sets for all \(report.pairs.count) pairs (\(model.blocks.count) blocks)")
} catch {
    fail("\(error)")
}
