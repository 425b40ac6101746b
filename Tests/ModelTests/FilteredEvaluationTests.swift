@testable import Evaluation
import ExactArithmetic
import Testing
import TransformerModel

/// The float64 filter of the exact path (`FloatFilter`, docs/mathematics.md#filtered-exact-evaluation)
/// against exact arithmetic: its error bound holds, every sign it decides is the exact sign, and a
/// filtered evaluation equals the unfiltered one on random models built to have near ties (2⁻⁶⁰
/// gaps), exact ties and values beyond 2⁵³ (and beyond the filter's range, 2⁴⁰⁰).
@Suite struct FilteredEvaluationTests {
    typealias Generator = Float64KernelTests.Generator

    /// 2^e for e ≥ 0 (beyond a machine word when e ≥ 62).
    static func power(_ e: Int) -> Rational {
        var r = Rational.one
        for _ in 0..<(e / 60) { r = r * Rational(1 << 60) }
        return r * Rational(1 << (e % 60))
    }

    /// A value near `x`: x itself (an exact tie), x ± 2^−60 or 2^−52, or x ± 1 beyond 2^53.
    static func near(_ x: Rational, _ gen: inout Generator) -> Rational {
        switch gen.int(0...7) {
        case 0, 1, 2: return x
        case 3: return x + Rational(gen.int(-1...1)) / power(60)
        case 4: return x + Rational(gen.int(-1...1)) / power(52)
        case 5: return x * power(70) + Rational(gen.int(-1...1))
        case 6: return gen.int(0...9) == 0 ? power(450) : x  // outside the filter's range: exact
        default: return gen.coordinate()
        }
    }

    /// n tokens around one base token: copies, copies moved by 2^−60 in a coordinate, fresh ones.
    static func nearTieSequence(_ gen: inout Generator, n: Int) -> [Token] {
        let base = gen.token()
        return (0..<n).map { _ in
            var x = gen.int(0...4) == 0 ? gen.token() : base
            if gen.int(0...1) == 0 {
                let j = gen.int(0...(x.count - 1))
                x[j] = near(x[j], &gen)
            }
            return x
        }
    }

    @Test func dotBoundHoldsAndSignsAreExact() throws {
        var gen = Generator(rng: SplitMix64(seed: 0xf117e4), d: 8)
        var decided = 0, undecided = 0
        for iteration in 0..<(3000 * iterationScale) {
            gen = gen.cyclingDimension(iteration)
            let a = gen.token().map { Self.near($0, &gen) }, b = gen.token().map { Self.near($0, &gen) }
            guard let ad = FloatFilter.approximations(a), let bd = FloatFilter.approximations(b) else { continue }
            let (t, e) = FloatFilter.dot(ad, bd)
            let exact = Rational.dot(a, b)
            let distance = (exact - (try Rational(exactly: t))).magnitude
            #expect(distance <= (try Rational(exactly: e)), "a = \(a), b = \(b): |⟨a, b⟩ − \(t)| = \(distance) > bound \(e)")
            // Compare ⟨a, b⟩ with a value near it: an exact tie, 2^−60 away, or far.
            let y = Self.near(exact, &gen)
            guard let yd = FloatFilter.approximation(y) else { continue }
            if let sign = FloatFilter.sign(t, e, yd, FloatFilter.conversionError(yd)) {
                decided += 1
                #expect(sign == (exact - y).signum, "a = \(a), b = \(b), y = \(y): filter says \(sign)")
            } else {
                undecided += 1
            }
        }
        // Both outcomes occur: the filter decides most, and the near ties fall back.
        #expect(decided > 100 * iterationScale && undecided > 100 * iterationScale, "decided \(decided), undecided \(undecided)")
    }

    @Test func filteredArgmaxSetsEqualExactOnes() {
        var gen = Generator(rng: SplitMix64(seed: 0xa7a4), d: 8)
        var nearTies = 0, clear = 0
        for iteration in 0..<(400 * iterationScale) {
            gen = gen.cyclingDimension(iteration)
            let d = gen.d
            let scores: ScoreMatrix = iteration % 3 == 0
                ? .scaledIdentity(Rational(gen.int(1...3)) / Rational(gen.int(1...3)) * Rational(gen.int(0...1) * 2 - 1))
                : .general((0..<d).map { _ in (0..<d).map { _ in gen.grid() } })
            for causal in [false, true] {
                let layer = SelfAttentionLayer(kind: .hardmax, rho: .one, heads: [AttentionHead(scores: scores, value: .zero)], causal: causal)
                let attention = CompiledAttention<Rational>(layer, temperature: nil)
                let xs = Self.nearTieSequence(&gen, n: gen.int(1...12))
                let keys: [Token]
                switch CompiledScores<Rational>(scores) {
                case .multiple(let a): keys = xs.map { scaled($0, by: a) }
                case .general(let m): keys = xs.map { matrixVector(m, $0) }
                default: keys = xs
                }
                let (exactSets, _, _, gap) = attention.denseHardmax(xs, keys: keys, values: [], observe: true)
                let filtered = attention.filteredArgmaxSets(xs, keys: keys)
                if let filtered {
                    #expect(filtered == exactSets, "scores \(scores), causal \(causal), tokens \(xs): \(filtered) vs \(exactSets)")
                }
                if let gap {
                    if gap > .zero && gap < Self.power(40).reciprocal { nearTies += 1 }
                    if gap > Self.power(20).reciprocal { clear += 1 }
                }
            }
        }
        #expect(nearTies > 20 * iterationScale && clear > 20 * iterationScale, "near ties \(nearTies), clear gaps \(clear)")
    }

    @Test func symmetricScoresEqualTheFullMatrix() {
        var gen = Generator(rng: SplitMix64(seed: 0x5e3), d: 8)
        for iteration in 0..<(200 * iterationScale) {
            gen = gen.cyclingDimension(iteration)
            let d = gen.d
            let a = Rational(gen.int(1...3)) / Rational(gen.int(1...3)) * Rational(gen.int(0...1) * 2 - 1)
            let layer = SelfAttentionLayer(kind: .hardmax, rho: .one, heads: [AttentionHead(scores: .scaledIdentity(a), value: .scaledIdentity(.one))], causal: false)
            let attention = CompiledAttention<Rational>(layer, temperature: nil)
            let xs = Self.nearTieSequence(&gen, n: gen.int(1...12))
            let keys = xs.map { scaled($0, by: a) }
            let full = attention.denseHardmax(xs, keys: keys, values: xs, observe: true)
            let half = attention.denseHardmax(xs, keys: keys, values: xs, observe: true, symmetric: true)
            #expect(full.0 == half.0 && full.1 == half.1 && full.2 == half.2 && full.3 == half.3, "a = \(a), tokens \(xs)")
        }
    }

    @Test func rankOneStandInsGiveTheExactSets() {
        var gen = Generator(rng: SplitMix64(seed: 0x4a41), d: 8)
        var nearTies = 0, zeroAlphas = 0
        for iteration in 0..<(400 * iterationScale) {
            gen = gen.cyclingDimension(iteration)
            let d = gen.d
            var xs = Self.nearTieSequence(&gen, n: gen.int(1...12))
            // p ⟂ a token now and then (α = 0 exactly, and ±2^−60·p_j for its moved copies).
            var p = (0..<d).map { _ in gen.grid() }
            if d >= 2 && gen.int(0...1) == 0 { p = [xs[0][1], -xs[0][0]] + Array(repeating: Rational.zero, count: d - 2) }
            var q = gen.int(0...1) == 0 ? p : (0..<d).map { _ in gen.grid() }
            if d >= 2 && iteration % 3 == 0 {
                // Cancellation beyond 2^53: x = (2^53 + a, 2^53 + b, …), ⟨(1, −1, 0…), x⟩ = a − b exactly,
                // but the rounded coordinates give a − b ± 2, which can order two tokens the wrong way.
                let big = Rational(1 << 53)
                for i in xs.indices { xs[i][0] = big + Rational(gen.int(-6...6)); xs[i][1] = big + Rational(gen.int(-6...6)) }
                let w = [Rational.one, Rational(-1)] + Array(repeating: Rational.zero, count: d - 2)
                q = w
                if gen.int(0...1) == 0 { p = w }
            }
            let layer = SelfAttentionLayer(kind: .hardmax, rho: .one, heads: [AttentionHead(scores: .rankOne(p: p, q: q), value: .scaledIdentity(.one))], causal: false)
            var attention = CompiledAttention<Rational>(layer, temperature: nil)
            attention.parameters.filtered = true
            let (_, observed) = attention.apply(xs, observe: true)
            guard let (alpha, beta) = attention.rankOneStandIns(p, q, xs) else { continue }
            let top = beta.max() ?? .zero, bottom = beta.min() ?? .zero
            let sets = alpha.map { a in
                a > .zero ? beta.indices.filter { beta[$0] == top } : a < .zero ? beta.indices.filter { beta[$0] == bottom } : Array(beta.indices)
            }
            #expect(sets == observed.argmaxSets.first, "p \(p), q \(q), tokens \(xs): \(sets) vs \(observed.argmaxSets)")
            var unfiltered = attention
            unfiltered.parameters.filtered = false
            #expect(attention.apply(xs) == unfiltered.apply(xs), "p \(p), q \(q), tokens \(xs)")
            if let gap = observed.smallestScoreGap, gap > .zero && gap < Self.power(40).reciprocal { nearTies += 1 }
            if xs.contains(where: { Rational.dot($0, p).isZero }) { zeroAlphas += 1 }
        }
        #expect(nearTies > 20 * iterationScale && zeroAlphas > 20 * iterationScale, "near ties \(nearTies), α = 0 \(zeroAlphas)")
    }

    @Test func filteredEvaluationEqualsUnfiltered() throws {
        var gen = Generator(rng: SplitMix64(seed: 0xf1e7), d: 2)
        for iteration in 0..<(150 * iterationScale) {
            gen = gen.cyclingDimension(iteration)
            let d = gen.d
            var model = RandomModels.hardmax(&gen.rng, dimension: d, blocks: gen.int(1...4))
            for b in model.blocks.indices where gen.int(0...2) > 0 { model.blocks[b].feedForward = gen.feedForward(wide: gen.int(0...3) == 0) }
            let filtered = try Evaluator<Rational>(model, signs: .float64Filter)
            let plain = try Evaluator<Rational>(model)
            var sequences: [[Token]] = []
            for _ in 0..<6 {
                let xs = Self.nearTieSequence(&gen, n: gen.int(0...8))
                sequences.append(xs)
                let got = try filtered.evaluate(xs), want = try plain.evaluate(xs)
                #expect(got == want, "model \(model) tokens \(xs): filtered \(got) vs unfiltered \(want)")
            }
            #expect(try filtered.evaluateAll(sequences) == plain.evaluateAll(sequences), "evaluateAll, model \(model)")
        }
    }

    /// A layer with a kink beyond 2⁴⁰⁰ on one of its two directions: that group has no doubles and
    /// is searched exactly, the other through the filter.
    @Test func groupWithoutDoublesIsSearchedExactly() throws {
        let u = [Rational.one, Rational(2)]
        let normal = FeedForwardLayer(eta: .one, ridges: [.init(direction: u, neurons: [.init(bias: Rational(-100), output: [.one, .zero])])])
        let huge = FeedForwardLayer(eta: .one, ridges: [
            .init(direction: u, neurons: [.init(bias: -Self.power(450), output: [.one, .zero]), .init(bias: Rational(3), output: [.zero, .one])]),
            .init(direction: [.one, .zero], neurons: [.init(bias: Rational(-1000), output: [.one, .one])]),
        ])
        var compiled = CompiledFeedForward<Rational>(huge)
        compiled.enableFloatFilter()
        #expect(compiled.groupFilters.map { $0 == nil } == [true, false])
        let model = Transformer(dimension: 2, blocks: [
            Block(stage: .custom, feedForward: normal, attention: .identity),
            Block(stage: .custom, feedForward: huge, attention: .identity),
        ])
        let evaluator = try Evaluator<Rational>(model, signs: .float64Filter)
        let xs: [Token] = [[.one, .one], [Rational(-5), .one]]
        #expect(try evaluator.evaluate(xs) == Evaluator<Rational>(model).evaluate(xs))
        #expect(try evaluator.evaluate(xs) == [[.one, Rational(7)], [Rational(-5), .one]])
    }

    @Test func filteredFeedForwardEqualsUnfiltered() {
        var gen = Generator(rng: SplitMix64(seed: 0xff17), d: 2)
        for iteration in 0..<(400 * iterationScale) {
            gen = gen.cyclingDimension(iteration)
            let layer = gen.feedForward(wide: iteration % 4 == 3)
            var filtered = CompiledFeedForward<Rational>(layer)
            filtered.enableFloatFilter()
            var plain = filtered
            plain.filtered = false
            for _ in 0..<8 {
                let x = gen.token().map { Self.near($0, &gen) }
                var cache = ProjectionCache<Rational>()
                #expect(filtered.apply(x) == plain.apply(x), "layer \(layer) token \(x)")
                #expect(filtered.apply(x, cache: &cache) == plain.apply(x), "cached: layer \(layer) token \(x)")
            }
        }
    }

    /// The exact path decides every sign in ℚ unless the float64 filter is asked for
    /// (`SignDecisions`): by default no layer holds a double or filters; `.float64Filter` turns the
    /// filter on in every exact feed-forward layer on prefix sums and every attention layer, and
    /// never on doubles (the goldens verify/float-filter-* show `verify` giving the same verdict).
    @Test func signDecisionsDefaultToExact() throws {
        var rng = SplitMix64(seed: 0x5167)
        for _ in 0..<(20 * iterationScale) {
            var model = RandomModels.hardmax(&rng, dimension: 3, blocks: 3)
            var gen = Generator(rng: rng, d: 3)
            for b in model.blocks.indices { model.blocks[b].feedForward = gen.feedForward(wide: false) }
            rng = gen.rng
            let exact = try Evaluator<Rational>(model)
            #expect(exact.blocks.allSatisfy { !$0.feedForward.filtered && $0.feedForward.groupFilters.isEmpty && !$0.attention.parameters.filtered },
                    "default evaluator filters: \(model)")
            let filtered = try Evaluator<Rational>(model, signs: .float64Filter)
            #expect(filtered.blocks.allSatisfy { $0.attention.parameters.filtered }, "attention not filtered: \(model)")
            #expect(filtered.blocks.allSatisfy { $0.feedForward.filtered == $0.feedForward.usesPrefixSums
                && $0.feedForward.groupFilters.count == ($0.feedForward.usesPrefixSums ? $0.feedForward.groups.count : 0) },
                    "feed-forward filter state: \(model)")
            let floats = try Evaluator<Double>(model, signs: .float64Filter)
            #expect(floats.blocks.allSatisfy { !$0.feedForward.filtered && !$0.attention.parameters.filtered }, "doubles filtered: \(model)")
        }
    }
}
