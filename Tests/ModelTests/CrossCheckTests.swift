import DatasetGeneration
import Evaluation
import ExactArithmetic
import TestSupport
import Testing
import TransformerModel

/// Random small hardmax models with dyadic parameters (k/4, k/2), so that float64 can be exact.
enum RandomModels {
    static func pick<T>(_ rng: inout SplitMix64, _ xs: [T]) -> T { xs[Int.random(in: 0..<xs.count, using: &rng)] }

    static func dyadic(_ rng: inout SplitMix64, _ bound: Int = 2) -> Rational {
        smallRational(&rng, range: bound, denominators: [1, 2, 4])
    }

    static func vector(_ rng: inout SplitMix64, _ d: Int, _ bound: Int = 2) -> Token { (0..<d).map { _ in dyadic(&rng, bound) } }
    static func matrix(_ rng: inout SplitMix64, rows: Int, _ d: Int) -> [[Rational]] { (0..<rows).map { _ in vector(&rng, d) } }

    static func scores(_ rng: inout SplitMix64, _ d: Int) -> ScoreMatrix {
        switch Int.random(in: 0..<8, using: &rng) {
        case 0: return .zero
        case 1: return .scaledIdentity(dyadic(&rng))
        case 2: return .general(matrix(&rng, rows: d, d))
        case 3: return .queryKey(query: matrix(&rng, rows: 1 + d / 2, d), key: matrix(&rng, rows: 1 + d / 2, d))
        default: return .rankOne(p: vector(&rng, d), q: vector(&rng, d))
        }
    }

    static func value(_ rng: inout SplitMix64, _ d: Int) -> ValueMatrix {
        switch Int.random(in: 0..<5, using: &rng) {
        case 0: return .zero
        case 1: return .general(matrix(&rng, rows: d, d))
        default: return .scaledIdentity(pick(&rng, [r("1/2"), .one, Rational(-1), Rational(2)]))
        }
    }

    static func feedForward(_ rng: inout SplitMix64, _ d: Int) -> FeedForwardLayer {
        let ridges = (0..<Int.random(in: 0...2, using: &rng)).map { _ in
            FeedForwardLayer.Ridge(direction: vector(&rng, d), neurons: (0..<Int.random(in: 1...3, using: &rng)).map { _ in
                FeedForwardLayer.Neuron(bias: dyadic(&rng), output: vector(&rng, d))
            })
        }
        return FeedForwardLayer(eta: pick(&rng, [.one, .one, .zero, r("1/2"), Rational(-1)]), ridges: ridges)
    }

    static func attention(_ rng: inout SplitMix64, _ d: Int, causal: Bool? = nil) -> SelfAttentionLayer {
        let heads = (0..<Int.random(in: 1...2, using: &rng)).map { _ in AttentionHead(scores: scores(&rng, d), value: value(&rng, d)) }
        return SelfAttentionLayer(kind: .hardmax, rho: pick(&rng, [.zero, .one, r("1/2"), Rational(-1)]), heads: heads,
                                  causal: causal ?? (Int.random(in: 0..<4, using: &rng) == 0))
    }

    static func hardmax(_ rng: inout SplitMix64, dimension d: Int, blocks: Int, causal: Bool? = nil) -> Transformer {
        Transformer(dimension: d, blocks: (0..<blocks).map { b in
            Block(stage: .custom, feedForward: feedForward(&rng, d), attention: attention(&rng, d, causal: causal))
        })
    }

    /// 0…6 tokens with coordinates k/4, |k| ≤ 8: a coarse grid, so ties are frequent.
    static func sequence(_ rng: inout SplitMix64, _ d: Int) -> [Token] {
        let n = Int.random(in: 0..<20, using: &rng) == 0 ? 0 : Int.random(in: 1...6, using: &rng)
        return (0..<n).map { _ in (0..<d).map { _ in smallRational(&rng, range: 2, denominators: [4]) } }
    }

    /// Every score matrix rewritten as the dense `.general` A it stands for.
    static func densified(_ m: Transformer) -> Transformer {
        var out = m
        let d = m.dimension
        for b in out.blocks.indices {
            for h in out.blocks[b].attention.heads.indices {
                out.blocks[b].attention.heads[h].scores = .general(Reference.denseScores(out.blocks[b].attention.heads[h].scores, d))
            }
        }
        return out
    }
}

/// A naive evaluator written from docs/mathematics.md#architecture alone (no code shared with `Evaluation`): every score
/// s_ik = Σ_a Σ_b x_i[a] A[a][b] x_k[b] from the dense A, argmax sets by filtering, means by summing.
enum Reference {
    static func denseScores(_ s: ScoreMatrix, _ d: Int) -> [[Rational]] {
        switch s {
        case .zero: return (0..<d).map { _ in Array(repeating: .zero, count: d) }
        case .scaledIdentity(let a): return (0..<d).map { i in (0..<d).map { $0 == i ? a : .zero } }
        case .rankOne(let p, let q): return p.map { pi in q.map { pi * $0 } }
        case .general(let m): return m
        case .queryKey(let q, let k):
            return (0..<d).map { a in (0..<d).map { b in q.indices.reduce(Rational.zero) { $0 + q[$1][a] * k[$1][b] } } }
        }
    }

    static func denseValue(_ v: ValueMatrix, _ d: Int) -> [[Rational]] {
        switch v {
        case .zero: return (0..<d).map { _ in Array(repeating: .zero, count: d) }
        case .scaledIdentity(let a): return (0..<d).map { i in (0..<d).map { $0 == i ? a : .zero } }
        case .general(let m): return m
        }
    }

    /// What one block does, as the trace reports it.
    struct BlockResult {
        var afterFF: [Token]
        var signs: [[Int8]]
        var kink: Rational?
        var afterSA: [Token]
        var sets: [[[Int]]]
        var gap: Rational?
    }

    static func block(_ block: Block, _ xs: [Token], d: Int) -> BlockResult {
        var result = BlockResult(afterFF: [], signs: [], kink: nil, afterSA: [], sets: [], gap: nil)
        let ff = block.feedForward
        for x in xs {
            var y = x.map { ff.eta * $0 }
            var signs: [Int8] = []
            for ridge in ff.ridges {
                for neuron in ridge.neurons {
                    var pre = neuron.bias
                    for c in 0..<d { pre = pre + ridge.direction[c] * x[c] }
                    signs.append(pre > .zero ? 1 : (pre < .zero ? -1 : 0))
                    let distance = pre < .zero ? -pre : pre
                    result.kink = result.kink.map { min($0, distance) } ?? distance
                    if pre > .zero { for c in 0..<d { y[c] = y[c] + neuron.output[c] * pre } }
                }
            }
            result.signs.append(signs)
            result.afterFF.append(y)
        }
        if ff.isIdentity { result.signs = []; result.kink = nil }
        let sa = block.attention
        let ys = result.afterFF
        var out = ys.map { y in y.map { sa.rho * $0 } }
        for head in sa.heads {
            let a = denseScores(head.scores, d), v = denseValue(head.value, d)
            var headSets: [[Int]] = []
            for i in ys.indices {
                let keys = sa.causal ? Array(0...i) : Array(ys.indices)
                let s = keys.map { k in
                    var t = Rational.zero
                    for p in 0..<d { for q in 0..<d { t = t + ys[i][p] * a[p][q] * ys[k][q] } }
                    return t
                }
                guard let best = s.max() else { continue }
                let set = keys.indices.filter { s[$0] == best }.map { keys[$0] }
                if let runnerUp = s.filter({ $0 < best }).max() {
                    result.gap = result.gap.map { min($0, best - runnerUp) } ?? (best - runnerUp)
                }
                headSets.append(set)
                let weight = Rational.one / Rational(set.count)
                for k in set {
                    for p in 0..<d {
                        var vx = Rational.zero
                        for q in 0..<d { vx = vx + v[p][q] * ys[k][q] }
                        out[i][p] = out[i][p] + weight * vx
                    }
                }
            }
            result.sets.append(headSets)
        }
        if sa.isIdentity { out = ys; result.sets = []; result.gap = nil }
        result.afterSA = out
        return result
    }
}

@Suite struct CrossCheckTests {
    /// The evaluator against the naive reference: outputs, argmax sets, score gaps, ReLU signs and
    /// kink distances, on random models (1–3 blocks, 1–2 heads, every score and value form, masks);
    /// and `Evaluator.run`, the sublayer loop `StageTrace` uses (`checkSublayerRun`).
    @Test func evaluatorMatchesTheNaiveReference() throws {
        var rng = SplitMix64(seed: 2024)
        for k in 0..<(300 * iterationScale) {
            let d = 1 + k % 3
            let m = RandomModels.hardmax(&rng, dimension: d, blocks: 1 + k % 3)
            let xs = RandomModels.sequence(&rng, d)
            let trace = try Evaluator<Rational>(m).trace(xs)
            var current = xs
            var afterSublayer: [Int: [Token]] = [:]
            for (b, block) in m.blocks.enumerated() {
                let want = Reference.block(block, current, d: d)
                if !block.feedForward.isIdentity { afterSublayer[2 * b] = want.afterFF }
                if !block.attention.isIdentity { afterSublayer[2 * b + 1] = want.afterSA }
                let ff = trace[2 * b], sa = trace[2 * b + 1]
                let label = "case \(k), block \(b), input \(xs.map(\.description))\nmodel:\n\(m.fileText)"
                guard ff.tokens == want.afterFF, ff.activationSigns == want.signs, ff.smallestKinkDistance == want.kink else {
                    Issue.record("FF differs: \(ff.tokens) vs \(want.afterFF), signs \(ff.activationSigns) vs \(want.signs), kink \(String(describing: ff.smallestKinkDistance)) vs \(String(describing: want.kink)); \(label)")
                    break
                }
                guard sa.tokens == want.afterSA, sa.argmaxSets == want.sets, sa.smallestScoreGap == want.gap else {
                    Issue.record("SA differs: \(sa.tokens) vs \(want.afterSA), sets \(sa.argmaxSets) vs \(want.sets), gap \(String(describing: sa.smallestScoreGap)) vs \(String(describing: want.gap)); \(label)")
                    break
                }
                current = want.afterSA
            }
            #expect(try Evaluator<Rational>(m).evaluate(xs) == current, "case \(k): evaluate and trace disagree")
            try checkSublayerRun(m, xs, reference: afterSublayer, output: current, cut: k % (2 * m.blocks.count + 1),
                                 label: "case \(k), input \(xs.map(\.description))\nmodel:\n\(m.fileText)")
        }
    }

    /// `Evaluator.run` against the reference: `after` sees exactly the sublayers that are not the
    /// identity, in order, with the reference's tokens; the whole run is the reference's output and
    /// `evaluate`'s; split at `cut` it composes to the same.
    func checkSublayerRun(_ m: Transformer, _ xs: [Token], reference: [Int: [Token]], output: [Token], cut: Int, label: String) throws {
        let evaluator = try Evaluator<Rational>(m)
        let sublayers = 2 * m.blocks.count
        var seen: [Int] = []
        let all = try evaluator.run(xs, sublayers: 0..<sublayers) { tokens, s in
            seen.append(s)
            #expect(tokens == reference[s], "sublayer \(s): \(label)")
        }
        #expect(seen == reference.keys.sorted(), "sublayers run \(seen), not identity \(reference.keys.sorted()): \(label)")
        #expect(all == output, "run differs from the reference: \(label)")
        #expect(try all == evaluator.evaluate(xs), "run differs from evaluate: \(label)")
        let first = try evaluator.run(xs, sublayers: 0..<cut)
        #expect(try evaluator.run(first, sublayers: cut..<sublayers) == all, "split at \(cut): \(label)")
    }

    /// Rank-one (O(n)), scaled identity, zero and query-key heads against the same A given as a dense
    /// `.general` matrix (O(n²) path): identical outputs, argmax sets and score gaps.
    @Test func structuredScoresAgreeWithDenseMatrices() throws {
        var rng = SplitMix64(seed: 11)
        for k in 0..<(300 * iterationScale) {
            let d = 1 + k % 4
            let m = RandomModels.hardmax(&rng, dimension: d, blocks: 1 + k % 3)
            let dense = RandomModels.densified(m)
            let xs = RandomModels.sequence(&rng, d)
            let a = try Evaluator<Rational>(m).trace(xs), b = try Evaluator<Rational>(dense).trace(xs)
            for l in a.indices where a[l].tokens != b[l].tokens || a[l].argmaxSets != b[l].argmaxSets || a[l].smallestScoreGap != b[l].smallestScoreGap {
                Issue.record("case \(k), layer \(l): structured \(a[l].tokens) sets \(a[l].argmaxSets) gap \(String(describing: a[l].smallestScoreGap)); dense \(b[l].tokens) sets \(b[l].argmaxSets) gap \(String(describing: b[l].smallestScoreGap)); input \(xs.map(\.description))\n\(m.fileText)")
                break
            }
        }
    }

    /// Float64 and exact on models and tokens where every intermediate value is a short dyadic
    /// rational (a multiple of 2⁻¹² below 2⁶ in magnitude) and every tie has a power-of-two size:
    /// then every double operation is exact, and both paths must agree bit for bit — tokens, argmax
    /// sets, ReLU signs, score gaps and kink distances. Cases outside that range are skipped (and
    /// counted: enough must remain).
    @Test func float64AgreesExactlyWhereItIsExact() throws {
        var rng = SplitMix64(seed: 64)
        var checked = 0
        let total = 400 * iterationScale
        for k in 0..<total {
            let d = 1 + k % 3
            let m = RandomModels.hardmax(&rng, dimension: d, blocks: 1 + k % 3)
            let xs = RandomModels.sequence(&rng, d)
            let exact = try Evaluator<Rational>(m).trace(xs)
            guard exact.allSatisfy(Self.isShortDyadic) else { continue }
            checked += 1
            let float = try Evaluator<Double>(m).trace(xs.map { $0.map(\.doubleValue) })
            for l in exact.indices {
                let e = exact[l], f = float[l]
                let same = f.tokens == e.tokens.map { $0.map(\.doubleValue) } && f.argmaxSets == e.argmaxSets
                    && f.activationSigns == e.activationSigns && f.smallestScoreGap == e.smallestScoreGap?.doubleValue
                    && f.smallestKinkDistance == e.smallestKinkDistance?.doubleValue
                if !same {
                    Issue.record("case \(k), layer \(l): float64 \(f.tokens) sets \(f.argmaxSets) signs \(f.activationSigns); exact \(e.tokens) sets \(e.argmaxSets) signs \(e.activationSigns); input \(xs.map(\.description))\n\(m.fileText)")
                    break
                }
            }
        }
        #expect(checked >= total / 5, "only \(checked) of \(total) random cases stayed in the exactly representable range")
    }

    static func isShortDyadic(_ record: LayerRecord<Rational>) -> Bool {
        let scale = Rational(4096), bound = Rational(64)
        let tokensOK = record.tokens.allSatisfy { $0.allSatisfy { ($0 * scale).isInteger && $0.magnitude <= bound } }
        let tiesOK = record.argmaxSets.allSatisfy { $0.allSatisfy { $0.count.nonzeroBitCount == 1 } }
        return tokensOK && tiesOK
    }

    /// Parallel evaluation of many sequences gives the sequential results, in order.
    @Test func parallelEvaluationIsDeterministic() throws {
        var rng = SplitMix64(seed: 5)
        let m = RandomModels.hardmax(&rng, dimension: 3, blocks: 3)
        let inputs = (0..<200).map { _ in RandomModels.sequence(&rng, 3) }
        let evaluator = try Evaluator<Rational>(m)
        let sequential = try inputs.map { try evaluator.evaluate($0) }
        #expect(try evaluator.evaluateAll(inputs) == sequential)
        #expect(try evaluator.evaluateAll(inputs) == sequential)
    }
}

/// The exact evaluator's fast paths against the naive reference on narrow-layout-like chains: many
/// hat layers on one shared direction (per-direction prefix sums, projections cached across
/// layers while a token stays put), interleaved with shifts, other directions and attention layers
/// (which clear the cache).
@Suite struct StructuredFeedForwardTests {
    /// A Lemma 4.8 hat on `u` centred at `a` with half-width `eps` and displacement `D`.
    static func hat(_ u: Token, center a: Rational, halfWidth eps: Rational, displacement D: Token) -> FeedForwardLayer.Ridge {
        FeedForwardLayer.Ridge(direction: u, neurons: [
            .init(bias: eps - a, output: D),
            .init(bias: -a, output: D.map { $0 * Rational(-2) }),
            .init(bias: -a - eps, output: D),
        ])
    }

    @Test func hatChainsMatchTheNaiveReference() throws {
        var rng = SplitMix64(seed: 77)
        for k in 0..<(150 * iterationScale) {
            let d = 1 + k % 3
            let u = RandomModels.vector(&rng, d, 3)
            let v = RandomModels.vector(&rng, d, 3)
            var xs = RandomModels.sequence(&rng, d)
            if xs.isEmpty { xs = [RandomModels.vector(&rng, d)] }
            var blocks: [Block] = []
            var current = xs
            for _ in 0..<(4 + k % 12) {
                let roll = Int.random(in: 0..<10, using: &rng)
                let direction = roll < 7 ? u : v
                // Centre the hat on a current token (so it really moves it) or on a random point.
                let target = roll % 2 == 0 ? RandomModels.pick(&rng, current) : RandomModels.vector(&rng, d)
                let a = Rational.dot(direction, target)
                let eps = RandomModels.pick(&rng, [Rational(1), Rational(1) / Rational(2), Rational(1) / Rational(1024)])
                var ff = FeedForwardLayer(ridges: [Self.hat(direction, center: a, halfWidth: eps, displacement: RandomModels.vector(&rng, d))])
                if roll == 9 { ff.ridges.append(FeedForwardLayer.Ridge(direction: u.map { _ in .zero }, neurons: [.init(bias: .one, output: RandomModels.vector(&rng, d))])) }
                let attention = roll == 8 ? RandomModels.attention(&rng, d) : SelfAttentionLayer.identity
                let block = Block(stage: .custom, feedForward: ff, attention: attention)
                blocks.append(block)
                current = Reference.block(block, current, d: d).afterSA
            }
            let model = Transformer(dimension: d, blocks: blocks)
            let got = try Evaluator<Rational>(model).evaluate(xs)
            #expect(got == current, "case \(k): input \(xs.map(\.description))\nmodel:\n\(model.fileText)")
        }
    }
}
