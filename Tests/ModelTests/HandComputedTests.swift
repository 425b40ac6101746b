import Evaluation
import ExactArithmetic
import TestSupport
import Testing
import TransformerModel

/// Layers evaluated on inputs whose outputs were computed by hand (the comments show the working).
@Suite struct HardmaxHandTests {
    /// A = I, V = I, ρ = 0 on (1,0), (0,1), (1,1): s_1· = (1, 0, 1), s_2· = (0, 1, 1), s_3· = (1, 1, 2).
    /// Tokens 1 and 2 tie between two keys and get the average of both.
    @Test func tieOfTwoTokensAveragesBoth() {
        let sa = SelfAttentionLayer(rho: .zero, scores: .scaledIdentity(.one), value: .scaledIdentity(.one))
        let xs = [tok(1, 0), tok(0, 1), tok(1, 1)]
        let m = model(d: 2, sa: sa)
        #expect(exactOutput(m, xs) == [tok("1", "1/2"), tok("1/2", "1"), tok(1, 1)])
        #expect(attentionRecord(m, xs)?.argmaxSets == [[[0, 2], [1, 2], [2]]])
    }

    /// A = I, V = I/2, ρ = 1/2 on (1,0), (1,2), (1,−1), (0,5).
    /// Token 1: s = (1, 1, 1, 0): a tie of three, mean (1, 1/3); out = (1/2, 0) + (1/2)(1, 1/3) = (1, 1/6).
    /// Token 2: s = (1, 5, −1, 10) → {4}: (1/2, 1) + (0, 5/2) = (1/2, 7/2).
    /// Token 3: s = (1, −1, 2, −5) → {3}: (1/2, −1/2) + (1/2, −1/2) = (1, −1).
    /// Token 4: s = (0, 10, −5, 25) → {4}: (0, 5/2) + (0, 5/2) = (0, 5).
    @Test func tieOfThreeTokensAveragesAllThree() {
        let half = r("1/2")
        let sa = SelfAttentionLayer(rho: half, scores: .scaledIdentity(.one), value: .scaledIdentity(half))
        let xs = [tok(1, 0), tok(1, 2), tok(1, -1), tok(0, 5)]
        let m = model(d: 2, sa: sa)
        #expect(exactOutput(m, xs) == [tok("1", "1/6"), tok("1/2", "7/2"), tok(1, -1), tok(0, 5)])
        #expect(attentionRecord(m, xs)?.argmaxSets == [[[0, 1, 2], [3], [2], [3]]])
    }

    /// A = p qᵀ with p = e_1, q = e_2: α_i = x_i[0], β_k = x_k[1].
    /// Tokens (2,1), (−1,3), (0,−2), (1,3): α = (2, −1, 0, 1), β = (1, 3, −2, 3).
    /// α > 0 → argmax β = {2, 4} (a tie): mean((−1,3), (1,3)) = (0, 3).
    /// α < 0 → argmin β = {3}: (0, −2).  α = 0 → every key: mean = (2/4, 5/4) = (1/2, 5/4).
    /// Score gaps: token 1: 2·(3 − 1) = 4; token 4: 1·(3 − 1) = 2; token 2: 1·(1 − (−2)) = 3 → smallest 2.
    static let signsTokens = [tok(2, 1), tok(-1, 3), tok(0, -2), tok(1, 3)]
    static let signsOutput = [tok(0, 3), tok(0, -2), tok("1/2", "5/4"), tok(0, 3)]
    static let signsSets: [[[Int]]] = [[[1, 3], [2], [0, 1, 2, 3], [1, 3]]]

    @Test func rankOneScoresOfEachSignAndZero() {
        let sa = SelfAttentionLayer(rho: .zero, scores: .rankOne(p: tok(1, 0), q: tok(0, 1)), value: .scaledIdentity(.one))
        let m = model(d: 2, sa: sa)
        #expect(exactOutput(m, Self.signsTokens) == Self.signsOutput)
        let record = attentionRecord(m, Self.signsTokens)
        #expect(record?.argmaxSets == Self.signsSets)
        #expect(record?.smallestScoreGap == Rational(2))
    }

    /// The same A = p qᵀ = [[0, 1], [0, 0]] given densely: the O(n²) path agrees with the O(n) one.
    @Test func rankOneAsDenseMatrixAgrees() {
        let sa = SelfAttentionLayer(rho: .zero, scores: .general([tok(0, 1), tok(0, 0)]), value: .scaledIdentity(.one))
        let m = model(d: 2, sa: sa)
        #expect(exactOutput(m, Self.signsTokens) == Self.signsOutput)
        let record = attentionRecord(m, Self.signsTokens)
        #expect(record?.argmaxSets == Self.signsSets)
        #expect(record?.smallestScoreGap == Rational(2))
    }

    /// A = −I (a negative scaled identity), V = 2I, ρ = 1 on (1,0), (0,2), (−1,1):
    /// s_1· = −(1, 0, −1) → {3}: (1,0) + 2(−1,1) = (−1, 2).
    /// s_2· = −(0, 4, 2) → {1}: (0,2) + 2(1,0) = (2, 2).
    /// s_3· = −(−1, 2, 2) → {1}: (−1,1) + 2(1,0) = (1, 1).
    @Test func scaledIdentityScoresAndValues() {
        let sa = SelfAttentionLayer(rho: .one, scores: .scaledIdentity(Rational(-1)), value: .scaledIdentity(Rational(2)))
        let xs = [tok(1, 0), tok(0, 2), tok(-1, 1)]
        #expect(exactOutput(model(d: 2, sa: sa), xs) == [tok(-1, 2), tok(2, 2), tok(1, 1)])
    }

    /// A = 0, V = I, ρ = 0: every token becomes the sequence mean ((1 + 3 + 1/2)/3, (2 − 1 + 0)/3) = (3/2, 1/3).
    @Test func zeroAttentionGivesTheSequenceMean() {
        let sa = SelfAttentionLayer(rho: .zero, scores: .zero, value: .scaledIdentity(.one))
        let xs = [tok(1, 2), tok(3, -1), tok("1/2", "0")]
        let mean = tok("3/2", "1/3")
        #expect(exactOutput(model(d: 2, sa: sa), xs) == [mean, mean, mean])
        // A zero matrix given densely, and A = 0·I, mean the same.
        for scores in [ScoreMatrix.general([tok(0, 0), tok(0, 0)]), .scaledIdentity(.zero)] {
            let dense = SelfAttentionLayer(rho: .zero, scores: scores, value: .scaledIdentity(.one))
            #expect(exactOutput(model(d: 2, sa: dense), xs) == [mean, mean, mean], "\(scores)")
        }
    }

    /// With a causal mask, A = 0 gives prefix means: (1,2); ((1+3)/2, (2−1)/2) = (2, 1/2); (3/2, 1/3).
    @Test func causalZeroAttentionGivesPrefixMeans() {
        let sa = SelfAttentionLayer(rho: .zero, scores: .zero, value: .scaledIdentity(.one), causal: true)
        let xs = [tok(1, 2), tok(3, -1), tok("1/2", "0")]
        #expect(exactOutput(model(d: 2, sa: sa), xs) == [tok(1, 2), tok("2", "1/2"), tok("3/2", "1/3")])
    }

    /// α = x[0], β = x[1] on (1,0), (1,5), (−1,2), (1,−3).
    /// Without a mask: α > 0 → argmax β = {2}, α < 0 → argmin β = {4}.
    /// Causal: token 1 sees {1} → itself; token 2 sees β = (0, 5) → {2}; token 3 (α < 0) sees
    /// β = (0, 5, 2) → argmin {1}; token 4 sees all: α > 0 → {2}.
    @Test func causalMaskLimitsKeysToEarlierTokens() {
        let xs = [tok(1, 0), tok(1, 5), tok(-1, 2), tok(1, -3)]
        for scores in [ScoreMatrix.rankOne(p: tok(1, 0), q: tok(0, 1)), .general([tok(0, 1), tok(0, 0)])] {
            let open = SelfAttentionLayer(rho: .zero, scores: scores, value: .scaledIdentity(.one))
            #expect(exactOutput(model(d: 2, sa: open), xs) == [tok(1, 5), tok(1, 5), tok(1, -3), tok(1, 5)], "\(scores)")
            let masked = SelfAttentionLayer(rho: .zero, scores: scores, value: .scaledIdentity(.one), causal: true)
            let m = model(d: 2, sa: masked)
            #expect(exactOutput(m, xs) == [tok(1, 0), tok(1, 5), tok(1, 0), tok(1, 5)], "\(scores)")
            #expect(attentionRecord(m, xs)?.argmaxSets == [[[0], [1], [0], [1]]], "\(scores)")
        }
    }

    /// Two heads, ρ = 1 on (1,2), (3,4). Head 1: A = e_1 e_1ᵀ, V = I: both tokens have α > 0 and
    /// attend to the larger first coordinate, token 2: + (3,4). Head 2: A = 0, V = diag(0,1): + the
    /// mean of (0, y) = (0, 3). Out: (1,2) + (3,4) + (0,3) = (4, 9); (3,4) + (3,4) + (0,3) = (6, 11).
    @Test func twoHeadsAddTheirContributions() {
        let sa = SelfAttentionLayer(kind: .hardmax, rho: .one, heads: [
            AttentionHead(scores: .rankOne(p: tok(1, 0), q: tok(1, 0)), value: .scaledIdentity(.one)),
            AttentionHead(scores: .zero, value: .general([tok(0, 0), tok(0, 1)])),
        ])
        let xs = [tok(1, 2), tok(3, 4)]
        let m = model(d: 2, sa: sa)
        #expect(exactOutput(m, xs) == [tok(4, 9), tok(6, 11)])
        #expect(attentionRecord(m, xs)?.argmaxSets == [[[1], [1]], [[0, 1], [0, 1]]])
    }

    /// A = QᵀK with Q = [[1, 1]], K = [[0, 1]] (k = 1): A = [[0, 1], [0, 1]], s_ik = (x_i[0] + x_i[1])·x_k[1].
    /// On (1,0), (−2,1), (0,3): α = (1, −1, 3), β = (0, 1, 3): α > 0 → {3}, α < 0 → {1}.
    @Test func queryKeyScores() {
        let sa = SelfAttentionLayer(rho: .zero, scores: .queryKey(query: [tok(1, 1)], key: [tok(0, 1)]), value: .scaledIdentity(.one))
        let xs = [tok(1, 0), tok(-2, 1), tok(0, 3)]
        #expect(exactOutput(model(d: 2, sa: sa), xs) == [tok(0, 3), tok(1, 0), tok(0, 3)])
    }

    /// An empty sequence maps to an empty sequence under every score form (no key to start from).
    @Test func emptySequenceDoesNotCrash() throws {
        let forms: [ScoreMatrix] = [.zero, .scaledIdentity(.one), .rankOne(p: tok(1, 0), q: tok(0, 1)),
                                    .general([tok(1, 0), tok(0, 1)]), .queryKey(query: [tok(1, 0)], key: [tok(0, 1)])]
        for scores in forms {
            for causal in [false, true] {
                let m = model(d: 2, ff: .dense(eta: .one, u: [tok(1, 1)], b: [.one], w: [tok(1), tok(0)]),
                              sa: SelfAttentionLayer(rho: .zero, scores: scores, value: .scaledIdentity(.one), causal: causal))
                #expect(exactOutput(m, []) == [], "\(scores) causal \(causal)")
                #expect(try Evaluator<Double>(m).evaluate([]) == [], "\(scores) causal \(causal)")
                let record = attentionRecord(m, [])
                #expect(record?.tokens == [] && record?.smallestScoreGap == nil, "\(scores) causal \(causal)")
            }
        }
    }

    /// One token attends to itself: SA(x) = ρx + Vx.
    @Test func singleTokenAttendsToItself() {
        let sa = SelfAttentionLayer(rho: r("1/3"), scores: .rankOne(p: tok(-1, 2), q: tok(5, 7)), value: .scaledIdentity(r("2/3")))
        #expect(exactOutput(model(d: 2, sa: sa), [tok(3, -6)]) == [tok(3, -6)])
    }

    /// Identity layers (ρ = 1, V = 0; η = 1, W = 0) change nothing, whatever the scores.
    @Test func identityLayersChangeNothing() {
        let sa = SelfAttentionLayer(rho: .one, scores: .scaledIdentity(Rational(7)), value: .zero)
        let ff = FeedForwardLayer(eta: .one, ridges: [.init(direction: tok(1, 1), neurons: [.init(bias: .one, output: tok(0, 0))])])
        #expect(sa.isIdentity && ff.isIdentity)
        let xs = [tok(1, 2), tok(-3, 4), tok(1, 2)]
        #expect(exactOutput(model(d: 2, ff: ff, sa: sa), xs) == xs)
    }
}

/// Feed-forward layers against hand values.
@Suite struct FeedForwardHandTests {
    /// U = I, b = (0, −1), W = diag(1, 2), η = 1: FF(x) = x + (σ(x_1), 2σ(x_2 − 1)).
    /// (3, −2) → (3 + 3, −2 + 0) = (6, −2); (−1, 4) → (−1, 4 + 6) = (−1, 10).
    /// η = 0: (3, −2) → (3, 0); (−1, 4) → (0, 6).
    @Test func denseLayer() {
        let u = [tok(1, 0), tok(0, 1)], b = [Rational.zero, Rational(-1)], w = [tok(1, 0), tok(0, 2)]
        let xs = [tok(3, -2), tok(-1, 4)]
        #expect(exactOutput(model(d: 2, ff: .dense(eta: .one, u: u, b: b, w: w)), xs) == [tok(6, -2), tok(-1, 10)])
        #expect(exactOutput(model(d: 2, ff: .dense(eta: .zero, u: u, b: b, w: w)), xs) == [tok(3, 0), tok(0, 6)])
    }

    /// A hat along u = (1,1) centred at 0 with ε = 1 and displacement (1, −1) (Lemma 4.8):
    /// hat(t) = σ(t + 1) − 2σ(t) + σ(t − 1). t = 0 → 1; t = 1/2 → 1/2; t = −1/2 → 1/2; t = 1 → 0; t = 10 → 0.
    static let hat = FeedForwardLayer(eta: .one, ridges: [.init(direction: tok(1, 1), neurons: [
        .init(bias: .one, output: tok(1, -1)), .init(bias: .zero, output: tok(-2, 2)), .init(bias: Rational(-1), output: tok(1, -1)),
    ])])

    @Test func ridgeHat() {
        let xs = [tok(0, 0), tok("1/4", "1/4"), tok("-1/2", "0"), tok(1, 0), tok(5, 5)]
        let want = [tok(1, -1), tok("3/4", "-1/4"), tok("0", "-1/2"), tok(1, 0), tok(5, 5)]
        #expect(exactOutput(model(d: 2, ff: Self.hat), xs) == want)
    }

    /// Kink distances: (1, 0) has t = 1, on the kink of σ(t − 1): distance 0. (1/4, 1/4): t = 1/2,
    /// pre-activations (3/2, 1/2, −1/2): distance 1/2. Signs follow.
    @Test func kinkDistanceAndSigns() throws {
        let m = model(d: 2, ff: Self.hat)
        let onKink = try Evaluator<Rational>(m).trace([tok(1, 0)])[0]
        #expect(onKink.smallestKinkDistance == .zero)
        #expect(onKink.activationSigns == [[1, 1, 0]])
        let inside = try Evaluator<Rational>(m).trace([tok("1/4", "1/4")])[0]
        #expect(inside.smallestKinkDistance == r("1/2"))
        #expect(inside.activationSigns == [[1, 1, -1]])
    }

    /// A zero direction gives the constant neuron σ(b) (a shift, Lemma 4.7): x + σ(2)·(1, −1/2).
    @Test func zeroDirectionIsAShift() {
        let ff = FeedForwardLayer(eta: .one, ridges: [.init(direction: tok(0, 0), neurons: [.init(bias: Rational(2), output: tok("1", "-1/2"))])])
        #expect(exactOutput(model(d: 2, ff: ff), [tok(0, 0), tok(-5, 7)]) == [tok(2, -1), tok(-3, 6)])
    }
}

/// Softmax on Double against hand values (σ(z) = 1/(1 + e^−z) is the two-key softmax weight).
@Suite struct SoftmaxHandTests {
    /// σ(1), σ(2), to double precision.
    static let sigmoid1 = 0.7310585786300049
    static let sigmoid2 = 0.8807970779778823

    func close(_ a: Double, _ b: Double, _ tolerance: Double = 1e-12) -> Bool { abs(a - b) <= tolerance * max(1, abs(b)) }

    @Test func weightsOfTwoScores() throws {
        let w = Softmax.weights([1, 0], temperature: .one)
        #expect(close(w[0], Self.sigmoid1) && close(w[1], 1 - Self.sigmoid1))
        let half = Softmax.weights([1, 0], temperature: r("1/2"))
        #expect(close(half[0], Self.sigmoid2) && close(half[1], 1 - Self.sigmoid2))
        let equal = Softmax.weights([3, 3, 3, 3], temperature: .one)
        #expect(equal == [0.25, 0.25, 0.25, 0.25])
    }

    /// exp(1000) overflows a double: the row maximum must be subtracted first.
    @Test func stableWithHugeScores() throws {
        let w = Softmax.weights([1000, 999, -1e308], temperature: .one)
        #expect(close(w[0], Self.sigmoid1) && close(w[1], 1 - Self.sigmoid1) && w[2] == 0)
        let big = Softmax.weights([1e300, 1e300], temperature: .one)
        #expect(big == [0.5, 0.5])
        #expect(Softmax.weights([], temperature: .one) == [])
    }

    /// A temperature below the smallest double (2^−1100) is the hardmax limit, not NaN.
    @Test func temperatureThatUnderflowsIsTheHardmaxLimit() throws {
        let tiny = try Rational(2).power(-1100)
        let w = Softmax.weights([2, 5, 5, 1], temperature: tiny)
        #expect(w == [0, 0.5, 0.5, 0])
    }

    /// Rational cannot represent exp: no weights.
    @Test func rationalHasNoSoftmax() {
        #expect(Softmax.weights([Rational.one, .zero], temperature: .one) == nil)
    }

    /// Through the evaluator: α = x[1] = 1, β = x[0] = (1000, 999), V = I, ρ = 0, τ = 1:
    /// both tokens get σ(1)·(1000, 1) + (1 − σ(1))·(999, 1) = (999 + σ(1), 1). With τ = 1/2, σ(2).
    @Test func softmaxLayerThroughTheEvaluator() throws {
        let sa = SelfAttentionLayer(kind: .softmax, rho: .zero, scores: .rankOne(p: tok(0, 1), q: tok(1, 0)), value: .scaledIdentity(.one))
        let xs: [[Double]] = [[1000, 1], [999, 1]]
        for (tau, s) in [(Rational.one, Self.sigmoid1), (r("1/2"), Self.sigmoid2)] {
            let out = try Evaluator<Double>(model(d: 2, sa: sa, temperature: tau)).evaluate(xs)
            for y in out { #expect(close(y[0], 999 + s) && close(y[1], 1), "τ = \(tau): \(y)") }
        }
        // Causal: token 1 sees only itself.
        let causal = SelfAttentionLayer(kind: .softmax, rho: .zero, scores: .rankOne(p: tok(0, 1), q: tok(1, 0)), value: .scaledIdentity(.one), causal: true)
        let out = try Evaluator<Double>(model(d: 2, sa: causal, temperature: .one)).evaluate(xs)
        #expect(out[0] == [1000, 1] && close(out[1][0], 999 + Self.sigmoid1))
    }

    /// Exact evaluation refuses softmax layers, and a softmax model needs a temperature.
    @Test func evaluatorRefusesWhatItCannotDo() {
        let sa = SelfAttentionLayer(kind: .softmax, rho: .zero, scores: .zero, value: .scaledIdentity(.one))
        #expect(throws: EvaluationError.self) { try Evaluator<Rational>(model(d: 2, sa: sa, temperature: .one)) }
        do {
            _ = try Evaluator<Double>(model(d: 2, sa: sa))
            Issue.record("a softmax model without τ was accepted")
        } catch {
            #expect(error.description.contains("no temperature"))
        }
        #expect((try? Evaluator<Double>(model(d: 2, sa: sa), temperature: .one)) != nil)
    }
}
