import ArgumentParser
import Certification
import TransformerModel

struct Verify: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Re-check a model file against a dataset exactly, from the file alone.",
        discussion: """
        Evaluates the model in exact rational arithmetic on every pair of the dataset as given and \
        checks T(X^j) = Y^j as sets. When the model records a dataset digest, the dataset must match \
        it. No construction code is involved.

        Exits 0 iff every pair is interpolated, 1 otherwise, listing the failing pairs; 2 on \
        invalid input, including a dataset whose digest differs from the one the model records.
        """
    )

    @Argument(help: "Model JSON file.") var model: String
    @Argument(help: "Dataset JSON file.") var dataset: String

    func run() throws {
        let transformer = try loadModel(model)
        let data = try loadDataset(dataset)
        try requireSameDimension(transformer, data)
        // A certificate is about one dataset: another (or an edited) dataset is the wrong input,
        // not a failed property.
        if let built = transformer.datasetDigest, built != data.digest {
            printError("error: \(model) was built for the dataset with digest \(built), but \(dataset) has digest \(data.digest): not the same dataset")
            throw Exit.invalidInput
        }
        let report: VerificationReport
        do { report = try Verifier.verifyHardmax(transformer, on: data) } catch {
            printError("error: \(error)")
            throw Exit.invalidInput
        }
        if report.digestMatches == false {
            print("dataset digest: MISMATCH (model built for \(report.modelDigest ?? "?"), dataset is \(report.datasetDigest))")
        } else if report.digestMatches == true {
            print("dataset digest: matches \(report.datasetDigest)")
        }
        for f in report.failures {
            print("pair \(f.index): NOT interpolated: tokens of T(X) not in Y: \(tokenList(f.unexpected)); tokens of Y missing from T(X): \(tokenList(f.missing))")
        }
        if report.holds {
            print("verified: T(X^j) = Y^j as sets for all \(pairCount(report.pairs.count)) (exact hardmax, \(transformer.blocks.count) blocks)")
        } else {
            print("NOT verified: \(report.failures.count) of \(pairCount(report.pairs.count)) fail")
            throw Exit.propertyFailed
        }
    }
}
