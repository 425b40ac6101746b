import DatasetGeneration
import ExactArithmetic
import Foundation
import MPQBench
import TransformerModel

/// Issue 2: length-8 exact dot products, `Rational.dot` (the evaluator's representation) beside
/// the same loop on raw GMP `mpq_t` in C and on `Double`, on small (≤ 20-bit) and grown
/// (~200-bit) values, in one run. Targets: small ≥ 5× faster than C; grown ≤ 1.5× the C time.
/// Every exact result is compared with the C result: a benchmark that computes wrong values
/// reports `results_agree: false`.
let dotProductBenchmark = Benchmark(
    name: "dot-product",
    summary: "length-8 Rational.dot vs raw GMP mpq_t loop in C vs Double, small (≤20-bit) and grown (~200-bit) values"
) { options in
    let pairs = options.quick ? 64 : 256
    let rounds = options.quick ? 3 : 15
    let roundSeconds = options.quick ? 0.01 : 0.05
    var rng = SplitMix64(seed: 0xD07_2026)
    let small = DotData(kind: .small, pairs: pairs, using: &rng)
    let grown = DotData(kind: .grown, pairs: pairs, using: &rng)
    return .object([
        ("length", jsonNumber(DotData.length)),
        ("pairs", jsonNumber(pairs)),
        ("rounds", jsonNumber(rounds)),
        ("statistic", .string("nanoseconds per dot product, fastest of the interleaved rounds")),
        ("small", measureDots(small, rounds: rounds, roundSeconds: roundSeconds)),
        ("grown", measureDots(grown, rounds: rounds, roundSeconds: roundSeconds)),
    ])
}

/// `pairs` pairs of length-8 vectors. Each vector has one common denominator (entries k/D stored
/// reduced), as tokens and layer parameters do: small has |k|, D ≤ 2^20; grown has |k|, D of
/// about 200 bits.
struct DotData {
    enum Kind: String { case small, grown }
    static let length = 8
    let kind: Kind
    let a: [[Rational]], b: [[Rational]]

    init(kind: Kind, pairs: Int, using rng: inout SplitMix64) {
        self.kind = kind
        func vector(_ rng: inout SplitMix64) -> [Rational] {
            switch kind {
            case .small:
                let d = Int.random(in: 1...(1 << 20), using: &rng)
                return (0..<DotData.length).map { _ in
                    let k = Int.random(in: -(1 << 20)...(1 << 20), using: &rng)
                    return (try? Rational(numerator: k, denominator: d)) ?? .zero
                }
            case .grown:
                let d = randomInteger(bits: 200, using: &rng)
                return (0..<DotData.length).map { _ in
                    let k = randomInteger(bits: 200, using: &rng)
                    let signed = Bool.random(using: &rng) ? k : -k
                    return (try? signed.divided(by: d)) ?? .zero
                }
            }
        }
        var a: [[Rational]] = [], b: [[Rational]] = []
        for _ in 0..<pairs {
            a.append(vector(&rng))
            b.append(vector(&rng))
        }
        self.a = a
        self.b = b
    }

    /// The largest bit length of any numerator or denominator.
    var largestBits: Int {
        (a + b).joined().map { max($0.numeratorBitLength, $0.denominatorBitLength) }.max() ?? 0
    }
}

/// A random positive integer with exactly `bits` bits.
func randomInteger(bits: Int, using rng: inout SplitMix64) -> Rational {
    var x = Rational.one  // the leading bit
    var remaining = bits - 1
    while remaining > 0 {
        let chunk = min(remaining, 50)
        x = x * Rational(1 << chunk) + Rational(Int(rng.next() >> UInt64(64 - chunk)))
        remaining -= chunk
    }
    return x
}

// The three loops. `@inline(never)` keeps each one a separate, honestly timed function; the
// results are returned so the work cannot be optimised away.

@inline(never)
func rationalDots(_ data: DotData, repeats: Int, into out: inout [Rational]) {
    for _ in 0..<repeats {
        for j in 0..<data.a.count { out[j] = Rational.dot(data.a[j], data.b[j]) }
    }
}

/// The textbook loop s = s + aᵢ·bᵢ on `Rational` (a gcd per operation), for comparison.
@inline(never)
func naiveRationalDots(_ data: DotData, repeats: Int, into out: inout [Rational]) {
    for _ in 0..<repeats {
        for j in 0..<data.a.count {
            let x = data.a[j], y = data.b[j]
            var s = Rational.zero
            for i in 0..<x.count { s = s + x[i] * y[i] }
            out[j] = s
        }
    }
}

@inline(never)
func doubleDots(_ a: [[Double]], _ b: [[Double]], repeats: Int, into out: inout [Double]) {
    for _ in 0..<repeats {
        for j in 0..<a.count { out[j] = Double.dot(a[j], b[j]) }
    }
}

/// Nanoseconds per dot product of several loops, each doing `repeats × dots` products per call.
/// Each loop's repeat count is calibrated so one call takes about `roundSeconds`; then the loops
/// run in turn, round after round, and each keeps its fastest round. Interleaving matters on a
/// shared machine: every loop sees the same background load, so the ratios stay meaningful.
func nanosecondsPerDot(dots: Int, rounds: Int, roundSeconds: Double, _ loops: [(Int) -> Void]) -> [Double] {
    let repeats = loops.map { body -> Int in
        var n = 1
        while true {
            let t = timed { body(n) }.seconds
            if t >= roundSeconds / 4 || n >= 1 << 24 { return max(1, Int(Double(n) * roundSeconds / max(t, 1e-9))) }
            n *= 4
        }
    }
    var best = [Double](repeating: .infinity, count: loops.count)
    for _ in 0..<rounds {
        for (k, body) in loops.enumerated() {
            best[k] = min(best[k], timed { body(repeats[k]) }.seconds / Double(repeats[k]))
        }
    }
    return best.map { $0 * 1e9 / Double(dots) }
}

private func measureDots(_ data: DotData, rounds: Int, roundSeconds: Double) -> JSONValue {
    let count = data.a.count
    progress("  dot-product \(data.kind.rawValue): \(count) pairs, entries up to \(data.largestBits) bits")

    // C: the vectors are handed over as text, outside the timed region.
    let flatA = data.a.joined().map(\.description), flatB = data.b.joined().map(\.description)
    let handle: OpaquePointer? = withCStrings(flatA) { a in
        withCStrings(flatB) { b in mpq_bench_create(a, b, count, DotData.length) }
    }
    guard let handle else { return .object([("error", .string("the C benchmark could not read the vectors"))]) }
    defer { mpq_bench_destroy(handle) }

    var exact = [Rational](repeating: .zero, count: count)
    var naive = exact
    let doublesA = data.a.map { $0.map(\.doubleValue) }, doublesB = data.b.map { $0.map(\.doubleValue) }
    var floats = [Double](repeating: 0, count: count)

    let ns = nanosecondsPerDot(dots: count, rounds: rounds, roundSeconds: roundSeconds, [
        { rationalDots(data, repeats: $0, into: &exact) },
        { mpq_bench_run(handle, $0) },
        { doubleDots(doublesA, doublesB, repeats: $0, into: &floats) },
        { naiveRationalDots(data, repeats: $0, into: &naive) },
    ])
    let (swiftNs, cNs, doubleNs, naiveNs) = (ns[0], ns[1], ns[2], ns[3])

    // Exactness: Rational.dot, the textbook loop and the C loop must give the same values.
    var agree = exact == naive
    for j in 0..<count where agree {
        agree = cResult(handle, j) == exact[j].description
    }
    let ratio = cNs / swiftNs
    var record: [(key: String, value: JSONValue)] = [
        ("entry_bits_max", jsonNumber(data.largestBits)),
        ("swift_rational_ns", jsonNumber(swiftNs)),
        ("c_mpq_ns", jsonNumber(cNs)),
        ("double_ns", jsonNumber(doubleNs)),
        ("swift_naive_loop_ns", jsonNumber(naiveNs)),
        ("speedup_vs_c", jsonNumber(ratio)),
        ("slowdown_vs_c", jsonNumber(swiftNs / cNs)),
    ]
    switch data.kind {
    case .small: record += [("target", .string("speedup_vs_c ≥ 5")), ("meets_target", .bool(ratio >= 5))]
    case .grown: record += [("target", .string("slowdown_vs_c ≤ 1.5")), ("meets_target", .bool(swiftNs / cNs <= 1.5))]
    }
    record.append(("results_agree", .bool(agree)))
    // Keep the double results observable too.
    record.append(("double_checksum", jsonNumber(floats.reduce(0, +))))
    return .object(record)
}

/// The text of C result `index`.
private func cResult(_ handle: OpaquePointer, _ index: Int) -> String {
    var buffer = [CChar](repeating: 0, count: 64)
    let need = mpq_bench_result(handle, index, &buffer, buffer.count)
    if need > buffer.count {
        buffer = [CChar](repeating: 0, count: need)
        _ = mpq_bench_result(handle, index, &buffer, buffer.count)
    }
    return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}

/// Runs `body` with a C array of NUL-terminated copies of `strings`, freed afterwards.
func withCStrings<R>(_ strings: [String], _ body: (UnsafePointer<UnsafePointer<CChar>?>?) -> R) -> R {
    let copies = strings.map { strdup($0) }
    defer { copies.forEach { free($0) } }
    let pointers = copies.map { UnsafePointer<CChar>($0) }
    return pointers.withUnsafeBufferPointer { body($0.baseAddress) }
}
