import Evaluation
import ExactArithmetic
import Foundation
@testable import TensorFiles
import TestSupport
import Testing
import TrainingBounds
@testable import TransformerModel

// Safetensors export and import (TensorFiles: TensorExport.swift, Safetensors.swift) and the Tikhonov bound
// (TrainingBounds: TikhonovBound.swift): randomized round trips on float-exact models, R cross-checked against an
// independent sum over the parsed file, and every kind of bad file rejected with its reason.

/// Deterministic generator (SplitMix64) so that a failing seed can be replayed.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E3779B97F4A7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58476D1CE4E5B9
        z = (z ^ (z >> 27)) &* 0x94D049BB133111EB
        return z ^ (z >> 31)
    }
}

/// A random dyadic rational m/2^k (exact in float32 and float64), often zero.
func dyadic(_ rng: inout SplitMix) -> Rational {
    if rng.next() % 5 == 0 { return .zero }
    let m = Int(rng.next() % 2001) - 1000
    return Rational(m).timesPowerOfTwo(-Int(rng.next() % 12))
}

/// A random model with every structured type, float-exact parameters.
func randomFloatExactModel(_ rng: inout SplitMix) -> Transformer {
    let d = 1 + Int(rng.next() % 4)
    func vec() -> [Rational] { (0..<d).map { _ in dyadic(&rng) } }
    func mat(_ rows: Int) -> [[Rational]] { (0..<rows).map { _ in vec() } }
    let softmax = rng.next() % 2 == 0
    var blocks: [Block] = []
    for i in 0..<(1 + Int(rng.next() % 4)) {
        var ridges: [FeedForwardLayer.Ridge] = []
        for _ in 0..<Int(rng.next() % 4) {
            var direction = vec()
            // Consecutive ridges with different directions (equal ones would merge on import
            // without the metadata's hint; the hint keeps them apart, tested below).
            if let last = ridges.last, last.direction == direction { direction[0] += .one }
            ridges.append(.init(direction: direction, neurons: (0..<(1 + Int(rng.next() % 3))).map { _ in .init(bias: dyadic(&rng), output: vec()) }))
        }
        var heads: [AttentionHead] = []
        for _ in 0..<Int(rng.next() % 3) {
            let scores: ScoreMatrix
            switch rng.next() % 5 {
            case 0: scores = .zero
            case 1: scores = .scaledIdentity(dyadic(&rng))
            case 2: scores = .rankOne(p: vec(), q: vec())
            case 3: scores = .general(mat(d))
            default: scores = .queryKey(query: mat(2), key: mat(2))
            }
            let value: ValueMatrix
            switch rng.next() % 3 {
            case 0: value = .zero
            case 1: value = .scaledIdentity(dyadic(&rng))
            default: value = .general(mat(d))
            }
            heads.append(AttentionHead(scores: scores, value: value))
        }
        blocks.append(Block(stage: i % 2 == 0 ? .separation : .collapse,
                            feedForward: FeedForwardLayer(eta: dyadic(&rng), ridges: ridges),
                            attention: SelfAttentionLayer(kind: softmax ? .softmax : .hardmax, rho: dyadic(&rng), heads: heads,
                                                          causal: rng.next() % 3 == 0)))
    }
    return Transformer(dimension: d, blocks: blocks, temperature: softmax ? Rational.powerOfTwo(-Int(rng.next() % 8)) : nil,
                       datasetDigest: rng.next() % 2 == 0 ? "sha256:00" : nil, metadata: ModelMetadata(entries: ["construction": "random"]))
}

func roundTrip(_ m: Transformer, _ format: BinaryFloatFormat) throws -> Transformer {
    let bytes = try m.safetensors.serialized(format: format)
    return try Transformer(importing: SafetensorsFile.parse(bytes))
}

/// Expects `parse` to reject `bytes` with a reason containing `reason`.
func expectRejected(_ bytes: [UInt8], _ reason: String, sourceLocation: SourceLocation = #_sourceLocation) {
    do {
        let file = try SafetensorsFile.parse(bytes)
        _ = try Transformer(importing: file)
        Issue.record("accepted a bad file (expected: \(reason))", sourceLocation: sourceLocation)
    } catch let error as InputError {
        #expect(error.description.contains(reason), "\(error) should say \(reason)", sourceLocation: sourceLocation)
    } catch {
        Issue.record("unexpected error \(error)", sourceLocation: sourceLocation)
    }
}

/// A file from a header text and data bytes.
func rawFile(_ header: String, _ data: [UInt8]) -> [UInt8] {
    let h = Array(header.utf8)
    return (0..<8).map { UInt8(truncatingIfNeeded: UInt64(h.count) >> UInt64(8 * $0)) } + h + data
}

@Suite("Safetensors export and import")
struct InteropTests {
    @Test("float-exact random models: export → import gives the same model file, in float64 and float32")
    func roundTrips() throws {
        var rng = SplitMix(state: 14)
        for iteration in 0..<(120 * iterationScale) {
            let m = randomFloatExactModel(&rng)
            for format in [BinaryFloatFormat.float64, .float32] {
                let back = try roundTrip(m, format)
                #expect(back.fileText == m.fileText, "iteration \(iteration), \(format): \(m.fileText)\nimported:\n\(back.fileText)")
                #expect(back.digest == m.digest)
            }
        }
    }

    @Test("the same model gives the same bytes; the official layout (8-byte length, padded JSON, tiled data)")
    func deterministicLayout() throws {
        var rng = SplitMix(state: 7)
        let m = randomFloatExactModel(&rng)
        let a = try m.safetensors.serialized(format: .float64), b = try m.safetensors.serialized(format: .float64)
        #expect(a == b)
        var n = 0
        for k in 0..<8 { n |= Int(a[k]) << (8 * k) }
        #expect(n % 8 == 0 && a[8] == UInt8(ascii: "{"))
    }

    @Test("R equals an independent sum of squares over the parsed tensors (float-exact models)")
    func boundMatchesTensors() throws {
        var rng = SplitMix(state: 99)
        for _ in 0..<(200 * iterationScale) {
            let m = randomFloatExactModel(&rng)
            let file = try SafetensorsFile.parse(m.safetensors.serialized(format: .float64))
            let sum = file.tensors.reduce(Rational.zero) { s, t in t.values.reduce(s) { $0 + $1 * $1 } }
            #expect(m.tikhonovBound.total == sum)
            #expect(m.tikhonovBound(roundedTo: .float32)?.total == sum)
        }
    }

    @Test("the balanced figure is the sum of squares of balanced()'s tensors, and R of thirds equals the tensors' sum")
    func balancedBoundMatchesTensors() throws {
        var rng = SplitMix(state: 123)
        func tensorSum(_ m: Transformer) -> Rational {
            m.denseTensors.reduce(Rational.zero) { s, t in t.values.reduce(s) { $0 + $1 * $1 } }
        }
        for iteration in 0..<(200 * iterationScale) {
            var m = randomFloatExactModel(&rng)
            #expect(m.balancedTikhonovBound == m.balanced().tikhonovBound, "iteration \(iteration)")
            #expect(m.balancedTikhonovBound.total == tensorSum(m.balanced()), "iteration \(iteration)")
            // Denominators other than powers of two (the constructions' parameters have them).
            for i in m.blocks.indices {
                for r in m.blocks[i].feedForward.ridges.indices {
                    for j in m.blocks[i].feedForward.ridges[r].neurons.indices {
                        m.blocks[i].feedForward.ridges[r].neurons[j].bias += Rational(j + 1) / Rational(3 + 2 * r)
                    }
                }
            }
            #expect(m.tikhonovBound.total == tensorSum(m), "iteration \(iteration)")
            #expect(m.balancedTikhonovBound.total == tensorSum(m.balanced()), "iteration \(iteration)")
        }
    }

    @Test("softmax scores are written divided by τ₀: R counts A/τ₀")
    func temperatureFolded() throws {
        let sa = SelfAttentionLayer(kind: .softmax, rho: .one, scores: .scaledIdentity(.one), value: .zero)
        let m = model(d: 2, sa: sa, temperature: r("1/4"))
        let a = m.denseTensors.first { $0.name.hasSuffix(".A") }
        #expect(a?.values == [r("4"), .zero, .zero, r("4")])
        // η = 1, ρ = 1, A/τ = 4·I: R = 1 + 1 + 32.
        #expect(m.tikhonovBound.total == r("34"))
        #expect(try roundTrip(m, .float64) == m)
    }

    @Test("values that are not float64 are rounded and the digest then differs; 1/3 becomes its nearest double")
    func roundedImport() throws {
        let ff = FeedForwardLayer.dense(eta: r("1/3"), u: [[.one]], b: [.zero], w: [[.one]])
        let m = model(d: 1, ff: ff)
        let back = try roundTrip(m, .float64)
        #expect(back.blocks[0].feedForward.eta == (try Rational(exactly: 1.0 / 3.0)))
        #expect(back.digest != m.digest)
        #expect(m.tikhonovBound(roundedTo: .float64) != m.tikhonovBound)
    }

    @Test("structured rebuild without metadata: zero, a·I, rank one, general; ridges from equal rows")
    func structuredRules() throws {
        let rows = [[Rational(2), Rational(4)], [Rational(3), Rational(6)]]  // p = (1, 3/2), q = (2, 4)
        #expect(Transformer.scores(dense: rows.flatMap { $0 }, 2, hint: nil) == .rankOne(p: [r("1"), r("3/2")], q: [r("2"), r("4")]))
        #expect(Transformer.scores(dense: [r("5"), .zero, .zero, r("5")], 2, hint: nil) == .scaledIdentity(r("5")))
        #expect(Transformer.scores(dense: [.zero, .zero, .zero, .zero], 2, hint: nil) == .zero)
        #expect(Transformer.scores(dense: [r("1"), r("2"), r("3"), r("5")], 2, hint: nil) == .general([[r("1"), r("2")], [r("3"), r("5")]]))
        // A false hint is checked, not trusted.
        #expect(Transformer.scores(dense: [r("1"), r("2"), r("3"), r("5")], 2, hint: .scaledIdentity) == .general([[r("1"), r("2")], [r("3"), r("5")]]))
        let n = FeedForwardLayer.Neuron(bias: .zero, output: [.one])
        let grouped = Transformer.ridges(rows: [[.one], [.one], [r("2")]], neurons: [n, n, n], sizes: nil)
        #expect(grouped.map(\.neurons.count) == [2, 1])
        #expect(Transformer.ridges(rows: [[.one], [.one], [r("2")]], neurons: [n, n, n], sizes: [1, 1, 1]).map(\.neurons.count) == [1, 1, 1])
        #expect(Transformer.ridges(rows: [[.one], [r("3")], [r("2")]], neurons: [n, n, n], sizes: [2, 1]).map(\.neurons.count) == [1, 1, 1])
    }

    @Test("structure hints are read once into types; a hint that does not parse is no hint")
    func structureHintsAreTyped() {
        let meta = ["blocks.0.ridges": "2,1", "blocks.0.attn.heads.0.scores": "query_key", "blocks.0.attn.heads.0.value": "general",
                    "blocks.0.attn.heads.1.scores": "rank_one", "blocks.0.attn.heads.1.value": "identity",
                    "blocks.0.attn.heads.x.scores": "general", "blocks.1.ridges": "1,x", "blocks.2.ridges": "",
                    "blocks.3.ridges": "9223372036854775807,9223372036854775807"]
        let hints = StructureHints(metadata: meta, block: 0)
        #expect(hints == StructureHints(ridgeSizes: [2, 1], scores: [0: .queryKey, 1: .rankOne], values: [0: .general]))
        #expect(StructureHints(metadata: meta, block: 1).ridgeSizes == nil)
        #expect(StructureHints(metadata: meta, block: 2).ridgeSizes == [])
        #expect(StructureHints(metadata: meta, block: 4) == StructureHints())
        // Sizes whose sum overflows are checked against the neuron count first, not added up.
        let n = FeedForwardLayer.Neuron(bias: .zero, output: [.one])
        let sizes = StructureHints(metadata: meta, block: 3).ridgeSizes
        #expect(Transformer.ridges(rows: [[.one], [.one]], neurons: [n, n], sizes: sizes).map(\.neurons.count) == [2])
    }

    @Test("bad files are rejected with a reason naming what is wrong")
    func badFiles() throws {
        let eight = [UInt8](repeating: 0, count: 8)
        expectRejected([1, 2, 3], "truncated")
        expectRejected(rawFile("{}", []).dropLast(1).map { $0 }, "truncated")
        expectRejected(rawFile("[1]", []), "bad header")
        expectRejected(rawFile("{\"a\":", []), "bad header")
        expectRejected(rawFile(#"{"blocks.0.ff.eta":{"dtype":"F64","shape":[],"data_offsets":[0,8]},"blocks.0.attn.rho":{"dtype":"F64","shape":[],"data_offsets":[4,12]}}"#, eight + eight),
                       "overlapping")
        expectRejected(rawFile(#"{"blocks.0.ff.eta":{"dtype":"F64","shape":[],"data_offsets":[8,16]}}"#, eight + eight), "unused")
        expectRejected(rawFile(#"{"blocks.0.ff.eta":{"dtype":"F64","shape":[2],"data_offsets":[0,8]}}"#, eight), "wrong shape")
        expectRejected(rawFile(#"{"blocks.0.ff.eta":{"dtype":"I64","shape":[],"data_offsets":[0,8]}}"#, eight), "unsupported dtype")
        expectRejected(rawFile(#"{"blocks.0.ff.eta":{"dtype":"F64","shape":[],"data_offsets":[0,8]}}"#, eight + [0]), "cover")
        expectRejected(rawFile(#"{"blocks.0.ff.eta":{"dtype":"F64","shape":[],"data_offsets":[0,16]}}"#, eight), "wrong shape")
        expectRejected(rawFile(#"{"weight":{"dtype":"F64","shape":[],"data_offsets":[0,8]}}"#, eight), "unknown tensor name")
        expectRejected(rawFile(#"{"blocks.0.ff.eta":{"dtype":"F16","shape":[],"data_offsets":[0,2]}}"#, [0x00, 0x7C]), "not a finite number")
        expectRejected(rawFile(#"{"__metadata__":{"dimension":"1"},"blocks.0.ff.eta":{"dtype":"F64","shape":[],"data_offsets":[0,8]}}"#, eight), "blocks.0.ff.U: missing")
        // A real export with one tensor's shape changed in the header.
        var rng = SplitMix(state: 3)
        var m = randomFloatExactModel(&rng)
        m.blocks[0].feedForward = FeedForwardLayer.dense(eta: .one, u: [[Rational](repeating: .one, count: m.dimension)], b: [.one], w: (0..<m.dimension).map { _ in [.one] })
        let good = try m.safetensors.serialized(format: .float64)
        var n = 0
        for k in 0..<8 { n |= Int(good[k]) << (8 * k) }
        let header = String(decoding: good[8..<(8 + n)], as: UTF8.self)
            .replacingOccurrences(of: "\"blocks.0.ff.b\":{\"dtype\":\"F64\",\"shape\":[1]", with: "\"blocks.0.ff.b\":{\"dtype\":\"F64\",\"shape\":[8]")
        #expect(header.utf8.count == n)
        expectRejected(Array(good[0..<8]) + Array(header.utf8) + Array(good[(8 + n)...]), "wrong shape")
    }

    @Test("balancing keeps the function exactly and never increases R")
    func balancing() throws {
        var rng = SplitMix(state: 5)
        for iteration in 0..<(100 * iterationScale) {
            var m = randomFloatExactModel(&rng)
            // Hardmax, so that the exact evaluator runs every layer.
            for i in m.blocks.indices { m.blocks[i].attention.kind = .hardmax }
            m.temperature = nil
            let b = m.balanced()
            #expect(b.tikhonovBound.total <= m.tikhonovBound.total, "iteration \(iteration)")
            let xs = (0..<3).map { _ in (0..<m.dimension).map { _ in dyadic(&rng) } }
            #expect(exactOutput(b, xs) == exactOutput(m, xs), "iteration \(iteration): \(m.fileText)")
        }
        // A ridge with a large output and a small direction is balanced by a power of two.
        let ff = FeedForwardLayer.dense(eta: .one, u: [[r("1/64")]], b: [.zero], w: [[r("64")]])
        let m = model(d: 1, ff: ff)
        #expect(m.balanced().blocks[0].feedForward.ridges[0].direction == [.one])
        #expect(m.balanced().tikhonovBound.total < m.tikhonovBound.total)
    }
}
