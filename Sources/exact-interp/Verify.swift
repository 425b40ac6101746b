import ArgumentParser
import Certification
import Evaluation
import ExactArithmetic
import TransformerModel

struct Verify: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Re-check a model file against a dataset exactly, from the file alone.",
        discussion: """
        Hardmax models: evaluates the model in exact rational arithmetic on every pair of the dataset \
        as given and checks T(X^j) = Y^j as sets. When the model records a dataset digest, the \
        dataset must match it. No construction code is involved.

        Softmax models (Theorem 1.6): runs the enclosure certificate at the model's τ₀ (or --tau): \
        every token is a box with an exact centre and outward-rounded rational radii, softmax \
        weights are bounded with rational upper bounds of e^{-g/τ₀}, valid for every τ ≤ τ₀. It holds \
        when every final box is an exact point and the points are Y^j as a set: then T_τ(X^j) = Y^j \
        for every τ ∈ (0, τ₀]. On failure it names, per failing pair, the token whose final box is \
        not a point and the first layer and token whose box crossed a ReLU kink.

        Causal datasets ("causal": true, docs/causal.md): runs the model with its causal masks on \
        each whole input sequence and compares output position i with target i, in order. Every \
        non-identity attention layer must be masked (else a position would see later tokens). \
        Failing positions are listed with what the model gives and the target.

        --float-filter (hardmax sets; ignored with a notice for softmax models and causal datasets): decides each ReLU sign and argmax set first on doubles with a \
        proved error bound and compares in exact arithmetic only when the bound cannot decide \
        (docs/mathematics.md#filtered-exact-evaluation). The verdict is the same; it is faster, and \
        adds the bound and IEEE 754 rounding to what you trust. Without it no double is involved.

        Sharded (--shard k/K, 1 ≤ k ≤ K): checks only the pairs whose 0-based index i has \
        i mod K = k − 1, and with --shard-report FILE writes their verdicts as JSON with the model \
        and dataset digests; `exact-interp merge-shards` combines the K reports (docs/scaling.md).

        Exits 0 iff every pair (of the shard) is interpolated (certified), 1 otherwise, listing the failing pairs; \
        2 on invalid input, including a dataset whose digest differs from the one the model records.
        """
    )

    @OptionGroup var files: ModelAndDataset
    @OptionGroup var temperature: TemperatureOption
    @OptionGroup var progress: QuietFlag
    @Option(help: "Check only shard k/K: the pairs with 0-based index i, i mod K = k − 1 (1 ≤ k ≤ K).") var shard: Shard?
    @Option(help: "With --shard: write the shard's verdicts and the model and dataset digests as JSON to FILE (for merge-shards).") var shardReport: String?
    @OptionGroup var limits: LimitOptions
    @Flag(help: "Hardmax: decide signs on doubles with a proved error bound first, exactly only when it cannot decide (same verdict, faster; default: every sign in exact arithmetic).")
    var floatFilter = false

    var quiet: Bool { progress.quiet }

    func validate() throws {
        if shardReport != nil && shard == nil { throw ValidationError("--shard-report needs --shard k/K") }
        if let shardReport, shardReport == files.model || shardReport == files.dataset {
            throw ValidationError("--shard-report \(shardReport) would overwrite an input")
        }
    }

    /// The pairs to check: the shard's, or all (nil).
    func selectedIndices(_ data: Dataset) -> [Int]? {
        shard.map { $0.pairIndices(total: data.pairs.count) }
    }

    /// Writes the shard report when asked.
    func writeShardReport(_ transformer: Transformer, _ data: Dataset, certificate: String, temperature: Rational?,
                          verdicts: [ShardReport.Verdict]) throws {
        guard let path = shardReport, let part = shard else { return }
        let report = ShardReport(modelDigest: ShardReport.modelDigest(transformer), datasetDigest: data.digest,
                                 certificate: certificate, temperature: temperature?.description, shard: part,
                                 pairCount: data.pairs.count, verdicts: verdicts)
        try writeFile(path, report.fileText, inputs: [files.model, files.dataset])
    }

    /// "all N pairs", or "the n pairs of shard k/K (of N)".
    func scope(_ checked: Int, _ data: Dataset) -> String {
        guard let part = shard else { return allPairs(checked) }
        return "the \(pairCount(checked)) of shard \(part) (of \(data.pairs.count))"
    }

    func run() throws {
        let (transformer, data) = try files.load()
        // The filter serves exact hardmax evaluation of sets: say so when it cannot apply.
        if floatFilter && (data.causal || transformer.usesSoftmax) {
            printError("notice: --float-filter ignored: \(data.causal ? "causal datasets are checked" : "softmax models are certified by enclosures") with every sign decided exactly")
        }
        if data.causal {
            guard shard == nil else {
                printError("error: --shard is not implemented for causal datasets: verify them whole")
                throw Exit.usage
            }
            try runCausal(transformer, data)
            return
        }
        let override = temperature.tau
        if override != nil && !transformer.usesSoftmax { printError("notice: --tau ignored: the model has no softmax layer") }
        let indices = selectedIndices(data)
        let meter = WorkMeter()
        let report: CertificationReport
        do {
            let inputs = (indices ?? Array(data.pairs.indices)).map { data.pairs[$0].input }
            let heartbeat = Heartbeat(quiet: quiet || transformer.usesSoftmax,
                                      status: meterStatus("verify", meter, estimate: WorkMeter.estimate(inputs, blocks: transformer.blocks.count)))
            defer { heartbeat.stop() }
            report = try certifyOrExit(transformer, data, modelPath: files.model, datasetPath: files.dataset, temperature: override,
                                       indices: indices, meter: meter, limits: limits.evaluation,
                                       signs: floatFilter ? .float64Filter : .exact, progress: verificationProgress(transformer, data, quiet: quiet))
        }
        if report.digestMatches == true { print("dataset digest: matches \(report.datasetDigest)") }
        switch report.method {
        case .exactHardmax:
            let describe = { (f: CertificationReport.PairResult) in
                "NOT interpolated: tokens of T(X) not in Y: \(tokenList(f.unexpected)); tokens of Y missing from T(X): \(tokenList(f.missing))"
            }
            for f in report.failures { print("pair \(f.index): " + describe(f)) }
            try writeShardReport(transformer, data, certificate: "hardmax", temperature: nil, verdicts: report.pairs.map {
                ShardReport.Verdict(index: $0.index, holds: $0.holds, detail: $0.holds ? nil : describe($0))
            })
            if report.holds {
                print("verified: T(X^j) = Y^j as sets for \(scope(report.pairs.count, data)) (exact hardmax, \(counted(transformer.blocks.count, "block")))")
            } else {
                print("NOT verified: \(report.failures.count) of \(shard == nil ? pairCount(report.pairs.count) : scope(report.pairs.count, data)) fail")
                throw Exit.propertyFailed
            }
        case .enclosure:
            for f in report.failures { print(f.description) }
            try writeShardReport(transformer, data, certificate: "softmax", temperature: report.temperature, verdicts: report.pairs.map {
                ShardReport.Verdict(index: $0.index, holds: $0.holds, detail: $0.holds ? nil : $0.description)
            })
            let tau = report.temperature?.description ?? "?"
            if report.holds {
                print("certified: T_τ(X^j) = Y^j as sets for \(shard == nil ? allPairs(report.pairs.count) : scope(report.pairs.count, data)) and every τ ∈ (0, \(tau)] (softmax enclosure certificate, \(counted(transformer.blocks.count, "block")))")
            } else {
                print("NOT certified for τ ∈ (0, \(tau)]: \(report.failures.count) of \(shard == nil ? pairCount(report.pairs.count) : scope(report.pairs.count, data)) fail")
                throw Exit.propertyFailed
            }
        }
    }

    /// Causal datasets: per position, in order, with every attention layer masked.
    func runCausal(_ transformer: Transformer, _ data: Dataset) throws {
        if transformer.usesSoftmax {
            printError("error: \(files.model): causal certificates are hardmax only (the model has softmax layers)")
            throw Exit.invalidInput
        }
        _ = try orExit(Exit.invalidInput, "\(files.dataset): ") { try CausalProblem(data) }
        let report: CausalVerificationReport
        do {
            report = try certifyCausal(model: transformer, dataset: data, meter: WorkMeter(), limits: limits.evaluation,
                                       progress: verificationProgress(transformer, data, quiet: quiet))
        } catch {
            switch error {
            case .digestMismatch(let built, let digest):
                printError("error: \(files.model) was built for the dataset with digest \(built), but \(files.dataset) has digest \(digest): not the same dataset")
            default:
                printError("error: \(error)")
            }
            throw Exit.invalidInput
        }
        if report.digestMatches == true { print("dataset digest: matches \(report.datasetDigest)") }
        for b in report.unmaskedBlocks {
            print("block \(b): attention has no causal mask: position i would see later tokens, so this is not a causal model")
        }
        for f in report.failures.prefix(20) {
            print("pair \(f.pair) position \(f.position): NOT interpolated: got \(show(f.got)), target \(show(f.want))")
        }
        if report.failures.count > 20 { print("… \(report.failures.count - 20) more failing positions") }
        if report.holds {
            print("verified: every position i of every sequence maps to its target y_i, run with causal masks (\(counted(report.positions, "position")), \(pairCount(report.pairs)), exact hardmax, \(counted(transformer.blocks.count, "block")))")
        } else {
            print("NOT verified: \(report.failures.count) of \(counted(report.positions, "position")) fail\(report.unmaskedBlocks.isEmpty ? "" : ", \(report.unmaskedBlocks.count) attention layers unmasked")")
            throw Exit.propertyFailed
        }
    }
}
