@testable import Evaluation
import ExactArithmetic
import Testing
import TransformerModel

/// The float64 path's feed-forward kernel (layer order over the active neurons found by sorted
/// kinks, flat storage, in place) against the plain neuron-by-neuron loop it replaced
/// (`applyReference`, `Evaluator.evaluateReference`): identical bits on random models built to hit
/// exact ties (t + b = 0 in float64), near ties (2^-20 … 2^-60 away, some of which round to ties),
/// and values beyond 2^53 (which round on conversion and in every operation).
@Suite struct Float64KernelTests {
    /// Random feed-forward layers whose kinks sit on the projections of grid tokens.
    struct Generator {
        var rng: SplitMix64
        let d: Int

        mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &rng) }

        /// The same random stream in dimension 1, 2, 3 or 8 by turns (`iteration` mod 4): the
        /// smallest dimensions and the text datasets' d = 8.
        func cyclingDimension(_ iteration: Int) -> Generator { Generator(rng: rng, d: [1, 2, 3, 8][iteration % 4]) }

        /// k/4, |k| ≤ 8: the grid the tokens and directions live on (exact in float64).
        mutating func grid() -> Rational { Rational(int(-8...8)) / Rational(4) }

        /// A coordinate: mostly grid, sometimes beyond 2^53, sometimes not dyadic.
        mutating func coordinate() -> Rational {
            switch int(0...9) {
            case 0: return Rational(1 << 53) + Rational(int(-3...3))   // 2^53 ± 3: odd ones round
            case 1: return Rational(int(-5...5)) / Rational(3)
            default: return grid()
            }
        }

        mutating func token() -> Token { (0..<d).map { _ in coordinate() } }

        mutating func direction() -> Token {
            int(0...5) == 0 ? Token(repeating: .zero, count: d) : (0..<d).map { _ in grid() }
        }

        /// A bias for direction u: on a grid token's kink (an exact tie), beside it, or anywhere.
        mutating func bias(_ u: Token) -> Rational {
            let grid = (0..<d).map { _ in self.grid() }
            let kink = -Rational.dot(u, grid)
            switch int(0...7) {
            case 0, 1, 2: return kink
            case 3: return kink + Rational(int(-1...1)) / Rational(1 << [20, 52, 53, 60][int(0...3)])
            case 4: return kink + Rational(1 << 53) * Rational(int(-2...2)) + Rational(int(-1...1))
            case 5: return Rational(int(-7...7)) / Rational(3)
            default: return grid
                .reduce(Rational.zero) { $0 + $1 }
            }
        }

        mutating func output() -> Token {
            (0..<d).map { _ in
                switch int(0...7) {
                case 0: return Rational(1 << 53) + Rational(1)
                case 1: return Rational(int(-9...9)) / Rational(7)
                default: return grid()
                }
            }
        }

        /// Ridges on 1–3 directions interleaved in layer order (hats share directions, as in the
        /// constructions), a few neurons each; `wide`: 20–80 ridges, so that groups have more
        /// than 64 neurons and the kernel's bit-set checkpoints are used.
        mutating func feedForward(wide: Bool = false) -> FeedForwardLayer {
            let directions = (0..<int(1...3)).map { _ in direction() }
            let ridges = (0..<int(wide ? 20...80 : 0...8)).map { _ -> FeedForwardLayer.Ridge in
                let u = directions[int(0...(directions.count - 1))]
                return FeedForwardLayer.Ridge(direction: u, neurons: (0..<int(1...6)).map { _ in
                    FeedForwardLayer.Neuron(bias: bias(u), output: output())
                })
            }
            let eta = [Rational.one, .one, .zero, Rational(1) / Rational(2), Rational(-1), Rational(1) / Rational(3)][int(0...5)]
            return FeedForwardLayer(eta: eta, ridges: ridges)
        }
    }

    static func sameBits(_ a: [[Double]], _ b: [[Double]]) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { x, y in
            x.count == y.count && zip(x, y).allSatisfy { $0.bitPattern == $1.bitPattern }
        }
    }

    @Test func feedForwardKernelEqualsPlainLoopBitForBit() {
        var gen = Generator(rng: SplitMix64(seed: 0x5eed_f64), d: 1)
        var exactTies = 0, compared = 0
        for iteration in 0..<(400 * iterationScale) {
            gen = Generator(rng: gen.rng, d: [1, 2, 3, 4, 8][iteration % 5])  // 8: the fused kernel
            let layer = gen.feedForward(wide: iteration % 4 == 3)
            let float = CompiledFeedForward<Double>(layer)
            let exactLayerOrder = CompiledFeedForward<Rational>(layer, layerOrder: true)
            let exactPrefix = CompiledFeedForward<Rational>(layer)
            for _ in 0..<12 {
                let x = gen.token()
                let xd = x.map(Double.init)
                let fast = float.apply(xd)
                let plain = float.applyReference(xd)
                compared += 1
                if float.preActivations(xd).contains(0) { exactTies += 1 }
                #expect(Self.sameBits([fast], [plain]), "layer \(layer) token \(x): \(fast) vs \(plain)")
                let exact = exactPrefix.apply(x)
                #expect(exactLayerOrder.apply(x) == exact && exactLayerOrder.applyReference(x) == exact, "layer \(layer) token \(x)")
            }
        }
        // Not vacuous: the generator hits float64 exact ties often.
        #expect(exactTies > compared / 20, "\(exactTies) exact ties in \(compared) tokens")
    }

    /// FF(x) from a known projection t = ⟨u, x⟩ (the separation rounds' shortcut) equals FF(x), on
    /// every layer whose neurons all lie along u with η = 1; every other layer is refused.
    @Test func applyFromProjectionEqualsApply() {
        var gen = Generator(rng: SplitMix64(seed: 0x9e0_7ec7), d: 1)
        var shortcuts = 0, refused = 0, moved = 0
        for iteration in 0..<(400 * iterationScale) {
            gen = gen.cyclingDimension(iteration)
            var layer = gen.feedForward(wide: iteration % 4 == 3)
            if iteration % 3 != 0, let u = layer.ridges.first?.direction {
                // One direction, η = 1: the form of a round's hat layer.
                layer = FeedForwardLayer(eta: .one, ridges: layer.ridges.map { FeedForwardLayer.Ridge(direction: u, neurons: $0.neurons) })
            }
            let compiled = CompiledFeedForward<Rational>(layer)
            let directions = Set(layer.ridges.filter { !$0.neurons.isEmpty }.map(\.direction))
            guard let u = directions.first else { continue }
            let eligible = directions.count == 1 && layer.eta == .one
            #expect(compiled.dependsOnlyOnProjection(along: u) == eligible, "layer \(layer)")
            guard eligible else { refused += 1; continue }
            shortcuts += 1
            for _ in 0..<12 {
                let x = gen.token()
                let y = compiled.apply(x, projection: Rational.dot(u, x))
                if y != x { moved += 1 }
                #expect(y == compiled.apply(x), "layer \(layer) token \(x)")
            }
        }
        // Not vacuous: both kinds of layer, and tokens the layer moves.
        #expect(shortcuts > 100 && refused > 50 && moved > 100, "\(shortcuts) eligible, \(refused) refused, \(moved) moved")
    }

    /// The search of a direction's kinks (through the cached summit of every 16th kink when there
    /// are at least 128) against counting them one by one: every width around the summit's
    /// threshold and block edges, kinks repeated in runs longer than a summit block, t on a kink,
    /// between kinks and beyond both ends.
    @Test func activeCountEqualsCountingTheKinks() {
        var gen = Generator(rng: SplitMix64(seed: 0xac7_c0), d: 1)
        var summitSearches = 0
        for iteration in 0..<(300 * iterationScale) {
            let width = [0, 1, 15, 16, 17, 127, 128, 129, 160, 255, 256, 257, 600][iteration % 13] + gen.int(0...2)
            // Biases from a small pool (long runs of equal kinks) or spread out.
            let pool = gen.int(0...1) == 0 ? 3 : 1000
            let biases = (0..<width).map { _ in Rational(gen.int(-pool...pool)) / Rational(gen.int(1...3)) }
            let u: Token = [.one]
            let layer = FeedForwardLayer(ridges: [FeedForwardLayer.Ridge(direction: u, neurons: biases.map {
                FeedForwardLayer.Neuron(bias: $0, output: [.one])
            })])
            let compiled = CompiledFeedForward<Rational>(layer)
            guard let group = compiled.groups.first else {
                #expect(width == 0, "no direction group for width \(width)")
                continue
            }
            if !group.summit.isEmpty { summitSearches += 1 }
            for _ in 0..<40 {
                let t: Rational = gen.int(0...2) == 0 ? Rational(gen.int(-pool - 2...pool + 2)) / Rational(gen.int(1...3))
                    : -(biases.randomElement(using: &gen.rng) ?? .zero)
                let expected = biases.filter { t + $0 > .zero }.count
                #expect(group.activeCount(at: t) == expected, "width \(width), t = \(t): \(group.activeCount(at: t)) vs \(expected)")
            }
        }
        // Not vacuous: the two-level search ran.
        #expect(summitSearches > 100, "\(summitSearches) layers searched through a summit")
    }

    @Test func float64EvaluationEqualsPlainAlgorithmBitForBit() throws {
        var gen = Generator(rng: SplitMix64(seed: 0xf10a7), d: 2)
        for iteration in 0..<(150 * iterationScale) {
            gen = gen.cyclingDimension(iteration)
            let d = gen.d
            var model = RandomModels.hardmax(&gen.rng, dimension: d, blocks: gen.int(1...4))
            for b in model.blocks.indices where gen.int(0...2) > 0 { model.blocks[b].feedForward = gen.feedForward() }
            let evaluator = try Evaluator<Double>(model)
            // Sequences drawn from a small vocabulary (evaluateAll shares the first layer's
            // outputs between equal inputs), with −0 and NaN coordinates now and then (never shared).
            let vocabulary = (0..<6).map { _ in gen.token().map(Double.init) }
            var sequences: [[[Double]]] = []
            for _ in 0..<6 {
                let xs: [[Double]] = (0..<gen.int(0...6)).map { _ in
                    var x = gen.int(0...1) == 0 ? vocabulary[gen.int(0...5)] : gen.token().map(Double.init)
                    switch gen.int(0...9) {
                    case 0: x[0] = -0.0
                    case 1: x[0] = 0.0
                    case 2: x[0] = .nan
                    default: break
                    }
                    return x
                }
                sequences.append(xs)
                let fast = try evaluator.evaluate(xs)
                let plain = evaluator.evaluateReference(xs)
                #expect(Self.sameBits(fast, plain), "model \(model) tokens \(xs): \(fast) vs \(plain)")
                #expect(Self.sameBits(try evaluator.trace(xs).last?.tokens ?? xs, plain), "trace of \(xs)")
            }
            let all = try evaluator.evaluateAll(sequences)
            #expect(all.count == sequences.count && zip(all, sequences).allSatisfy { Self.sameBits($0, evaluator.evaluateReference($1)) },
                    "evaluateAll, model \(model)")
        }
    }
}

extension Evaluator {
    /// T(X) by the plain algorithm: every block as SA(FF(X)) with the feed-forward layer neuron by
    /// neuron (`CompiledFeedForward.applyReference`). The floating-point path must equal it bit for
    /// bit; it lives here, with the only tests that call it.
    func evaluateReference(_ xs: [[S]]) -> [[S]] {
        blocks.reduce(xs) { tokens, block in block.attention.apply(tokens.map(block.feedForward.applyReference)) }
    }
}
