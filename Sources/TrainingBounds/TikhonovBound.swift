import ExactArithmetic
import TensorFiles
import TransformerModel

/// R(θ) = ‖θ‖², the squared l2 norm of a model's parameters in the form a training framework holds
/// them: the sum of squares of every exported tensor (`Transformer.denseTensors`), softmax scores
/// folded as A/τ₀, padding layers (`Block.Padding`) left out. For an exact interpolant θ*, min_θ L(θ) + εR(θ) ≤ ε·R(θ*)
/// (see docs/mathematics.md#tikhonov-bound), so R(θ*) is an exact, checkable figure of merit.
public struct TikhonovBound: Sendable, Equatable {
    /// One block's share: feed-forward tensors (U, b, W, η), score tensors (A or Q, K), the rest of
    /// attention (V, ρ).
    public struct BlockTerm: Sendable, Equatable {
        public var stage: String
        public var feedForward: Rational
        public var scores: Rational
        public var values: Rational
        public var total: Rational { feedForward + scores + values }
        /// True when the scores are hardmax: A → cA (c > 0) changes nothing, so only their
        /// infimum 0 is intrinsic.
        public var hardmaxScores: Bool
        /// The block's padding layers (identity layers added by an import, `Block.Padding`): their
        /// tensors are left out of the terms above.
        public var padding: Block.Padding = .none
    }

    public var blocks: [BlockTerm]

    /// R(θ).
    public var total: Rational { blocks.reduce(Rational.zero) { $0 + $1.total } }

    /// R without the hardmax score tensors: the infimum of R over the rescalings A → cA, c > 0, of
    /// hardmax layers (each one leaves the model's function unchanged; the infimum is not attained).
    public var infimumOverHardmaxScoreScaling: Rational {
        blocks.reduce(Rational.zero) { $0 + $1.total - ($1.hardmaxScores ? $1.scores : .zero) }
    }
}

extension Transformer {
    /// R(θ) of the exact parameters.
    ///
    /// Computed from the structured layers, not from the dense tensors: a ridge's direction is a
    /// row of U once per neuron, so its share is n·|direction|² (one sum, not n); the value is the
    /// sum of squares of `denseTensors` exactly (see `tikhonovBound(roundedTo:)` for the rounded forms).
    public var tikhonovBound: TikhonovBound { tikhonovBounds.exact }

    /// R(θ) of `balanced()`, without building it: each ridge's and rank-one or query-key head's
    /// share rescaled by its balancing power of two (`balancingExponent`), exactly the sum of
    /// squares of `balanced().denseTensors`.
    public var balancedTikhonovBound: TikhonovBound { tikhonovBounds.balanced }


    /// R(θ) of the parameters as written in `format` (each value rounded first), or of the exact
    /// parameters when `format` is nil; nil when some value overflows the format.
    public func tikhonovBound(roundedTo format: BinaryFloatFormat?) -> TikhonovBound? {
        guard let format else { return tikhonovBound }
        var terms: [TikhonovBound.BlockTerm] = []
        for i in blocks.indices {
            var term = TikhonovBound.BlockTerm(stage: blocks[i].stage.rawValue, feedForward: .zero, scores: .zero, values: .zero,
                                               hardmaxScores: blocks[i].attention.kind == .hardmax,
                                               padding: blocks[i].padding)
            for t in denseTensors(block: i) {
                // Padding layers are identities added to fit a block order, not trained parameters.
                if blocks[i].padding.feedForward && t.name.contains(".ff.") { continue }
                if blocks[i].padding.attention && t.name.contains(".attn.") { continue }
                var rounded: [Rational] = []
                rounded.reserveCapacity(t.values.count)
                for v in t.values {
                    guard let r = v.rounded(to: format) else { return nil }
                    rounded.append(r)
                }
                let sum = Rational.sumOfSquares(rounded)
                if t.name.hasSuffix(".A") || t.name.hasSuffix(".Q") || t.name.hasSuffix(".K") {
                    term.scores += sum
                } else if t.name.contains(".ff.") {
                    term.feedForward += sum
                } else {
                    term.values += sum
                }
            }
            terms.append(term)
        }
        return TikhonovBound(blocks: terms)
    }

    /// `tikhonovBound` and `balancedTikhonovBound` from one pass over the structured layers (each
    /// share is summed once and used by both), in the groups of `denseTensors`: feed-forward U, b,
    /// W, η; scores A or Q, K (softmax ones folded as A/τ₀); values V and ρ. Padding layers are left out.
    public var tikhonovBounds: (exact: TikhonovBound, balanced: TikhonovBound) {
        let d = Rational(dimension)
        var exactTerms: [TikhonovBound.BlockTerm] = [], balancedTerms: [TikhonovBound.BlockTerm] = []
        exactTerms.reserveCapacity(blocks.count)
        balancedTerms.reserveCapacity(blocks.count)
        /// A pair of shares (s scaled by 4^k, t by 4^−k when balancing): its term in each figure.
        func split(_ s: Rational, _ t: Rational, _ exact: inout [Rational], _ balanced: inout [Rational]) {
            exact.append(s)
            exact.append(t)
            let k = Self.balancingExponent(s, t)
            balanced.append(s.timesPowerOfTwo(2 * k))
            balanced.append(t.timesPowerOfTwo(-2 * k))
        }
        for block in blocks {
            var exact = TikhonovBound.BlockTerm(stage: block.stage.rawValue, feedForward: .zero, scores: .zero, values: .zero,
                                                hardmaxScores: block.attention.kind == .hardmax, padding: block.padding)
            var balanced = exact
            if !block.padding.feedForward {
                let ff = block.feedForward
                var parts: [Rational] = [ff.eta * ff.eta], balancedParts = parts
                for ridge in ff.ridges where !ridge.neurons.isEmpty {
                    let (s, t) = Self.ridgeShares(ridge)
                    split(s, t, &parts, &balancedParts)
                }
                exact.feedForward = Rational.sum(parts)
                balanced.feedForward = Rational.sum(balancedParts)
            }
            if !block.padding.attention {
                let sa = block.attention
                let fold: Rational = sa.kind == .softmax ? (temperature ?? .one).reciprocal : .one
                let fold2 = fold * fold
                var scores: [Rational] = [], balancedScores: [Rational] = [], values: [Rational] = [sa.rho * sa.rho]
                for head in sa.heads {
                    switch head.scores {
                    case .zero: break
                    case .scaledIdentity(let a):
                        scores.append(d * a * a * fold2)
                        balancedScores.append(d * a * a * fold2)
                    case .general(let m):
                        scores.append(Rational.sumOfSquares(m) * fold2)
                        balancedScores.append(Rational.sumOfSquares(m) * fold2)
                    case .rankOne(let p, let q):
                        split(Rational.sumOfSquares(p) * fold2, Rational.sumOfSquares(q), &scores, &balancedScores)
                    case .queryKey(let q, let key):
                        split(Rational.sumOfSquares(q) * fold2, Rational.sumOfSquares(key), &scores, &balancedScores)
                    }
                    switch head.value {
                    case .zero: break
                    case .scaledIdentity(let v): values.append(d * v * v)
                    case .general(let m): values.append(Rational.sumOfSquares(m))
                    }
                }
                exact.scores = Rational.sum(scores)
                balanced.scores = Rational.sum(balancedScores)
                exact.values = Rational.sum(values)
                balanced.values = exact.values
            }
            exactTerms.append(exact)
            balancedTerms.append(balanced)
        }
        return (TikhonovBound(blocks: exactTerms), TikhonovBound(blocks: balancedTerms))
    }

    /// A ridge's two shares of R: s = n·|direction|² + Σ biases² (the part scaled by 2^k when
    /// balancing) and t = Σ |outputs|² (scaled by 2^−k), n its neuron count.
    static func ridgeShares(_ ridge: FeedForwardLayer.Ridge) -> (Rational, Rational) {
        let n = Rational(ridge.neurons.count)
        var biases = SquareSum(), outputs = SquareSum()
        for neuron in ridge.neurons {
            biases.add(squareOf: neuron.bias)
            outputs.add(squaresOf: neuron.output)
        }
        return (n * Rational.sumOfSquares(ridge.direction) + biases.total, outputs.total)
    }

    /// The same function with R made smaller by exact power-of-two rescalings that change no
    /// output: σ(c·z) = c·σ(z) for c > 0, so a ridge's direction and biases times 2^k and its
    /// outputs times 2^−k give the same layer; p qᵀ = (2^k p)(2^−k q)ᵀ and QᵀK = (2^k Q)ᵀ(2^−k K)
    /// give the same scores. Each k minimises that group's share of R (powers of two keep dyadic
    /// parameters dyadic, so float-exact models stay float-exact unless a range is exceeded).
    public func balanced() -> Transformer {
        var out = self
        for i in out.blocks.indices {
            let fold: Rational = out.blocks[i].attention.kind == .softmax ? (temperature ?? .one).reciprocal : .one
            for r in out.blocks[i].feedForward.ridges.indices {
                let ridge = out.blocks[i].feedForward.ridges[r]
                let (s, t) = Self.ridgeShares(ridge)
                let k = Self.balancingExponent(s, t)
                if k == 0 { continue }
                out.blocks[i].feedForward.ridges[r].direction = ridge.direction.map { $0.timesPowerOfTwo(k) }
                for j in ridge.neurons.indices {
                    out.blocks[i].feedForward.ridges[r].neurons[j].bias = ridge.neurons[j].bias.timesPowerOfTwo(k)
                    out.blocks[i].feedForward.ridges[r].neurons[j].output = ridge.neurons[j].output.map { $0.timesPowerOfTwo(-k) }
                }
            }
            for h in out.blocks[i].attention.heads.indices {
                switch out.blocks[i].attention.heads[h].scores {
                case .rankOne(let p, let q):
                    let k = Self.balancingExponent(squaredNorm(p) * fold * fold, squaredNorm(q))
                    out.blocks[i].attention.heads[h].scores = .rankOne(p: p.map { $0.timesPowerOfTwo(k) }, q: q.map { $0.timesPowerOfTwo(-k) })
                case .queryKey(let q, let key):
                    let k = Self.balancingExponent(q.reduce(Rational.zero) { $0 + squaredNorm($1) } * fold * fold,
                                                   key.reduce(Rational.zero) { $0 + squaredNorm($1) })
                    out.blocks[i].attention.heads[h].scores = .queryKey(query: q.map { $0.map { $0.timesPowerOfTwo(k) } },
                                                                        key: key.map { $0.map { $0.timesPowerOfTwo(-k) } })
                default: break
                }
            }
        }
        return out
    }

    /// The k minimising 4^k·s + 4^−k·t (s, t ≥ 0); 0 when either vanishes.
    static func balancingExponent(_ s: Rational, _ t: Rational) -> Int {
        if s.isZero || t.isZero { return 0 }
        func log2(_ x: Rational) -> Int { x.numeratorBitLength - x.denominatorBitLength }
        let guess = (log2(t) - log2(s)) / 4
        func cost(_ k: Int) -> Rational { s.timesPowerOfTwo(2 * k) + t.timesPowerOfTwo(-2 * k) }
        var best = 0, bestCost = cost(0)
        for k in (guess - 2)...(guess + 2) where cost(k) < bestCost {
            best = k
            bestCost = cost(k)
        }
        return best
    }
}
