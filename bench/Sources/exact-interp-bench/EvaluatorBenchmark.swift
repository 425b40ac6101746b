import Constructions
import DatasetGeneration
import Evaluation
import ExactArithmetic
import TransformerModel

/// Issue 3: exact vs float64 hardmax evaluation of a 64-block model of hat FF layers and rank-one
/// attention, on 1,000 sequences of 10 tokens in d = 8 (10,000 tokens) with small rationals.
///
/// The model keeps its numbers small for all 64 blocks, as the constructions' models do: blocks go
/// in pairs sharing one positive direction w, with A = w wᵀ, ρ = 1 and V = +I then −I. Every token
/// is in the positive orthant when a pair starts (an FF shift by 8·1 sees to that), so all tokens
/// attend to their sequence's leader along w, and the pair translates each sequence by minus its
/// leader: tokens stay on a bounded grid. Every FF also carries four hats (Lemma 4.8) along its
/// own direction, centred on actual token values, each moving one value by a small step. Ties of
/// the coarse initial grid are kept (they exercise the averaging path).
let evaluatorBenchmark = Benchmark(
    name: "evaluator",
    summary: "exact vs float64 hardmax evaluation, 64 blocks of hats + rank-one attention, 10,000 tokens in d = 8"
) { options in
    let sequences = options.quick ? 100 : 1_000
    let workload = EvaluatorWorkload(sequences: sequences, length: 10, dimension: 8, blocks: 64, seed: 3)
    let model = workload.model
    let tokens = sequences * 10
    let exactInputs = workload.inputs
    let floatInputs = exactInputs.map { $0.map { $0.map(\.doubleValue) } }
    do {
        let exact = try Evaluator<Rational>(model)
        let float = try Evaluator<Double>(model)
        _ = try float.evaluateAll(Array(floatInputs.prefix(50)))  // warm-up: page in code and allocator
        _ = try exact.evaluateAll(Array(exactInputs.prefix(50)))
        // Interleaved repeats, best of each: the machine is shared, and the float64 run is short.
        let repeats = options.quick ? 1 : 3
        var exactTimes: [Double] = [], floatTimes: [Double] = []
        var e = try timed { try exact.evaluateAll(exactInputs) }
        var f = try timed { try float.evaluateAll(floatInputs) }
        exactTimes.append(e.seconds); floatTimes.append(f.seconds)
        for _ in 1..<repeats {
            f = try timed { try float.evaluateAll(floatInputs) }
            e = try timed { try exact.evaluateAll(exactInputs) }
            exactTimes.append(e.seconds); floatTimes.append(f.seconds)
        }
        let exactSeconds = exactTimes.min() ?? e.seconds, floatSeconds = floatTimes.min() ?? f.seconds
        // What the run computed: bit lengths stay small; float64 lands where exact does.
        var numeratorBits = 0, denominatorBits = 0
        var largestError = 0.0
        var setsAgree = 0
        for (j, sequence) in e.value.enumerated() {
            for (i, token) in sequence.enumerated() {
                for (c, x) in token.enumerated() {
                    numeratorBits = max(numeratorBits, x.numeratorBitLength)
                    denominatorBits = max(denominatorBits, x.denominatorBitLength)
                    largestError = max(largestError, abs(f.value[j][i][c] - x.doubleValue))
                }
            }
            if Set(sequence.map { $0.map(\.doubleValue) }) == Set(f.value[j]) { setsAgree += 1 }
        }
        let layers = 2 * model.blocks.count
        let ratio = exactSeconds / floatSeconds
        progress(String(format: "  evaluator: exact %.3f s, float64 %.3f s (best of %d), ratio %.2f (target ≤ 10)", exactSeconds, floatSeconds, repeats, ratio))
        return .object([
            ("blocks", jsonNumber(model.blocks.count)),
            ("layers", jsonNumber(layers)),
            ("sequences", jsonNumber(sequences)),
            ("tokens", jsonNumber(tokens)),
            ("dimension", jsonNumber(8)),
            ("ff_width", jsonNumber(model.maximumWidth)),
            ("repeats", jsonNumber(repeats)),
            ("exact_seconds", jsonNumber(exactSeconds)),
            ("float64_seconds", jsonNumber(floatSeconds)),
            ("exact_seconds_all", .array(exactTimes.map(jsonNumber))),
            ("float64_seconds_all", .array(floatTimes.map(jsonNumber))),
            ("exact_token_layers_per_second", jsonNumber(Double(tokens * layers) / exactSeconds)),
            ("float64_token_layers_per_second", jsonNumber(Double(tokens * layers) / floatSeconds)),
            ("exact_token_blocks_per_second", jsonNumber(Double(tokens * model.blocks.count) / exactSeconds)),
            ("exact_over_float64_time_ratio", jsonNumber(ratio)),
            ("target_ratio", jsonNumber(10)),
            ("output_numerator_bits", jsonNumber(numeratorBits)),
            ("output_denominator_bits", jsonNumber(denominatorBits)),
            ("float64_largest_error", jsonNumber(largestError)),
            ("float64_sequences_equal_to_exact", jsonNumber(setsAgree)),
        ])
    } catch {
        return .object([("error", .string("\(error)"))])
    }
}

/// The benchmark's model and inputs, deterministic for a seed.
struct EvaluatorWorkload {
    let model: Transformer
    let inputs: [[Token]]

    init(sequences: Int, length: Int, dimension d: Int, blocks: Int, seed: UInt64) {
        var rng = SplitMix64(seed: seed)
        func integer(_ range: ClosedRange<Int>) -> Rational { Rational(Int.random(in: range, using: &rng)) }
        func quarter(_ range: ClosedRange<Int>) -> Rational {
            (try? Rational(numerator: Int.random(in: range, using: &rng), denominator: 4)) ?? .zero
        }
        inputs = (0..<sequences).map { _ in (0..<length).map { _ in (0..<d).map { _ in quarter(0...16) } } }
        // Hats are centred on values of a sample of sequences, followed block by block.
        var sample = Array(inputs.prefix(20))
        var built: [Block] = []
        var w: Token = []
        let shift = [Rational](repeating: Rational(8), count: d)
        let half = (try? Rational(numerator: 1, denominator: 2)) ?? .one
        for b in 0..<blocks {
            let opening = b % 2 == 0
            if opening { w = (0..<d).map { _ in integer(1...3) } }
            let u = (0..<d).map { _ in integer(-3...3) }
            var ridges: [FeedForwardLayer.Ridge] = []
            var used = Set<Rational>()
            for _ in 0..<4 {
                let sequence = sample[Int.random(in: 0..<sample.count, using: &rng)]
                let source = sequence[Int.random(in: 0..<sequence.count, using: &rng)]
                let center = Rational.dot(u, source)
                // Supports of half-width 1/2 around distinct centres at least 1 apart stay disjoint.
                guard used.allSatisfy({ ($0 - center).magnitude >= .one }) else { continue }
                used.insert(center)
                let target = source.map { $0 + quarter(-2...2) }
                ridges.append(HatFunction(moving: source, to: target, direction: u, halfWidth: half).ridge)
            }
            if opening { ridges.append(ShiftLayer.ridge(adding: shift)) }
            let sa = SelfAttentionLayer(kind: .hardmax, rho: .one, scores: .rankOne(p: w, q: w),
                                        value: .scaledIdentity(opening ? .one : Rational(-1)))
            let block = Block(stage: .custom, feedForward: FeedForwardLayer(eta: .one, ridges: ridges), attention: sa)
            let compiled = CompiledBlock<Rational>(block, temperature: nil)
            sample = sample.map(compiled.apply)
            built.append(block)
        }
        model = Transformer(dimension: d, blocks: built, metadata: ModelMetadata(entries: ["construction": "evaluator benchmark"]))
    }
}
