import ExactArithmetic

/// A ReLU feed-forward layer acting on each token separately (see docs/mathematics.md#architecture):
///
///     FF(x) = η·x + Σ_r Σ_j w_{r,j} · σ(⟨u_r, x⟩ + b_{r,j})
///
/// Neurons are grouped in *ridges* that share one row u_r of U. A dense layer has one neuron per
/// ridge; a hat (Lemma 4.8) is one ridge of three neurons. The grouping is what the structured
/// parameter count charges d for once (Remark 1.5), and what lets the evaluator compute ⟨u_r, x⟩
/// once per ridge.
public struct FeedForwardLayer: Sendable, Equatable {
    /// One hidden neuron: its bias b_j and its column w_j of W.
    public struct Neuron: Sendable, Equatable {
        public var bias: Rational
        public var output: Token
        public init(bias: Rational, output: Token) {
            self.bias = bias
            self.output = output
        }
    }

    /// Neurons sharing the row `direction` of U.
    public struct Ridge: Sendable, Equatable {
        public var direction: Token
        public var neurons: [Neuron]
        public init(direction: Token, neurons: [Neuron]) {
            self.direction = direction
            self.neurons = neurons
        }
    }

    /// The residual weight η (1: residual, 0: non-residual).
    public var eta: Rational
    public var ridges: [Ridge]

    public init(eta: Rational = .one, ridges: [Ridge] = []) {
        self.eta = eta
        self.ridges = ridges
    }

    /// FF(x) = x.
    public static let identity = FeedForwardLayer()

    /// A dense layer from U (w × d, rows), b (w) and W (d × w, rows).
    public static func dense(eta: Rational, u: [[Rational]], b: [Rational], w: [[Rational]]) -> FeedForwardLayer {
        let ridges = u.indices.map { j in
            Ridge(direction: u[j], neurons: [Neuron(bias: b[j], output: w.map { $0[j] })])
        }
        return FeedForwardLayer(eta: eta, ridges: ridges)
    }

    /// Number of hidden neurons.
    public var width: Int { ridges.reduce(0) { $0 + $1.neurons.count } }

    /// True when the layer is the identity map.
    public var isIdentity: Bool {
        eta == .one && ridges.allSatisfy { $0.neurons.allSatisfy { $0.output.allSatisfy(\.isZero) } }
    }

    /// Appends `other`'s neurons (same η required by the caller's design).
    public mutating func append(_ ridges: [Ridge]) { self.ridges += ridges }
}

/// The score matrix A = QᵀK of an attention head, in the structured forms of docs/mathematics.md#architecture.
public enum ScoreMatrix: Sendable, Equatable {
    /// A = 0: every token attends to all tokens equally.
    case zero
    /// A = a·I.
    case scaledIdentity(Rational)
    /// A = p qᵀ, so s_ik = ⟨x_i, p⟩⟨q, x_k⟩ (Lemmas 4.1, 4.5–4.7).
    case rankOne(p: Token, q: Token)
    /// A given in full (rows).
    case general([[Rational]])
    /// A = QᵀK from query and key matrices (k × d each, rows).
    case queryKey(query: [[Rational]], key: [[Rational]])
}

/// The value matrix V of an attention head.
public enum ValueMatrix: Sendable, Equatable {
    case zero
    case scaledIdentity(Rational)
    case general([[Rational]])
}

/// How attention weights are formed from scores.
public enum AttentionKind: String, Sendable, Equatable {
    /// Uniform over the argmax set (paper (3.3), docs/mathematics.md#architecture); ties are exact.
    case hardmax
    /// exp(s/τ) normalised, with the model's temperature τ.
    case softmax
}

/// One attention head: scores and values.
public struct AttentionHead: Sendable, Equatable {
    public var scores: ScoreMatrix
    public var value: ValueMatrix
    public init(scores: ScoreMatrix, value: ValueMatrix) {
        self.scores = scores
        self.value = value
    }
}

/// A self-attention layer (see docs/mathematics.md#architecture, #causal-attention, #multi-head):
///
///     SA(X)_i = ρ·x_i + Σ_h Σ_k λ^h_ik(X) · V_h x_k
///
/// with λ from hardmax or softmax, over all k, or k ≤ i with a causal mask.
public struct SelfAttentionLayer: Sendable, Equatable {
    public var kind: AttentionKind
    public var rho: Rational
    public var heads: [AttentionHead]
    public var causal: Bool

    public init(kind: AttentionKind = .hardmax, rho: Rational = .one, heads: [AttentionHead] = [], causal: Bool = false) {
        self.kind = kind
        self.rho = rho
        self.heads = heads
        self.causal = causal
    }

    /// One-head layer.
    public init(kind: AttentionKind = .hardmax, rho: Rational, scores: ScoreMatrix, value: ValueMatrix, causal: Bool = false) {
        self.init(kind: kind, rho: rho, heads: [AttentionHead(scores: scores, value: value)], causal: causal)
    }

    /// SA(X) = X.
    public static let identity = SelfAttentionLayer()

    /// True when the layer is the identity map (ρ = 1 and every V = 0).
    public var isIdentity: Bool {
        rho == .one && heads.allSatisfy { head in
            switch head.value {
            case .zero: return true
            case .scaledIdentity(let v): return v.isZero
            case .general(let m): return m.allSatisfy { $0.allSatisfy(\.isZero) }
            }
        }
    }
}

/// A block: FF followed by SA, B(X) = SA(FF(X)), with the stage that built it.
public struct Block: Sendable, Equatable {
    /// The stage of a construction that built a block. Model files carry it as its string (the
    /// raw value); any other string is an input error naming its JSON path. The stage is a label:
    /// evaluation and certification never read it, pictures and reports group blocks by it.
    public enum Stage: String, Sendable, CaseIterable, CustomStringConvertible {
        /// Lemma 5.1: sequences made disjoint (docs/mathematics.md#separation).
        case separation = "separation"
        /// Leader moves of Lemmas 4.5–4.8 (docs/mathematics.md#leader-selection).
        case leaderSelection = "leaders"
        /// The last leader move (FF) and the collapse of Lemma 4.4 (SA) in one block.
        case leadersAndCollapse = "leaders+collapse"
        /// A collapse onto leaders (docs/mathematics.md#collapse).
        case collapse = "collapse"
        /// Leaders moved onto outputs (docs/mathematics.md#interpolation).
        case interpolation = "interpolation"
        /// Theorem 1.6: clusters mapped onto outputs by layers constant near each cluster
        /// (docs/mathematics.md#re-collapse).
        case reCollapse = "re-collapse"
        /// The shift of Lemma 4.7, built on its own by `exact-interp lemma 4.7`.
        case lemma47 = "lemma 4.7"
        /// Causal construction: blocks that give every prefix its own state, with causal masks
        /// (docs/mathematics.md#causal-attention).
        case causalContext = "causal-context"
        /// Causal construction: the block that maps every prefix state onto its next token.
        case causalInterpolation = "causal-interpolation"
        /// A block built by hand or by a test, outside every construction.
        case custom = "custom"
        /// A block imported from a tensor file that names no stage (`exact-interp import`).
        case imported = "imported"

        public var description: String { rawValue }

        /// The group `construct` prints one summary line for: the leader moves and the collapse
        /// form one "leaders+collapse" stage.
        public var family: Stage {
            switch self {
            case .leaderSelection, .collapse, .leadersAndCollapse: return .leadersAndCollapse
            default: return self
            }
        }
    }

    /// Which of a block's layers are padding: identity layers inserted only to fit another
    /// block order into FF-then-SA blocks (`exact-interp import --architecture sa-ff`,
    /// docs/trained-models.md). They are part of the function (the identity) but not of the
    /// trained model, so `bound` leaves them out of R(θ). Files write it only when non-empty, as
    /// `"padding": ["feedforward"]` and/or `["attention"]`; readers require each marked layer
    /// to be the identity.
    public struct Padding: Sendable, Equatable {
        public var feedForward: Bool
        public var attention: Bool
        public init(feedForward: Bool = false, attention: Bool = false) {
            self.feedForward = feedForward
            self.attention = attention
        }
        public static let none = Padding()
        public var isEmpty: Bool { !feedForward && !attention }
        /// The layer names as model files write them, in block order.
        public var names: [String] { (feedForward ? ["feedforward"] : []) + (attention ? ["attention"] : []) }
    }

    public var stage: Stage
    public var feedForward: FeedForwardLayer
    public var attention: SelfAttentionLayer
    /// Identity layers that are padding, not trained parameters (usually none).
    public var padding: Padding

    public init(stage: Stage, feedForward: FeedForwardLayer = .identity, attention: SelfAttentionLayer = .identity,
                padding: Padding = .none) {
        self.stage = stage
        self.feedForward = feedForward
        self.attention = attention
        self.padding = padding
    }
}

/// A transformer T = B_L ∘ … ∘ B_1 on tokens of ℚ^d, with what is needed to re-check it.
public struct Transformer: Sendable, Equatable {
    public var dimension: Int
    public var blocks: [Block]
    /// τ₀ for softmax layers: a softmax certificate holds for every τ in (0, τ₀].
    public var temperature: Rational?
    /// `Dataset.digest` of the dataset the model was built for, if any.
    public var datasetDigest: String?
    /// What the file says the model is (construction, layout, attention) and its provenance,
    /// typed at the reader (`ModelMetadata`); never evidence for a verdict.
    public var metadata: ModelMetadata
    /// The label embedding of a classifier (docs/mathematics.md#classification), nil otherwise.
    public var labels: LabelEmbedding?

    public init(dimension: Int, blocks: [Block], temperature: Rational? = nil, datasetDigest: String? = nil,
                metadata: ModelMetadata = ModelMetadata(), labels: LabelEmbedding? = nil) {
        self.dimension = dimension
        self.blocks = blocks
        self.temperature = temperature
        self.datasetDigest = datasetDigest
        self.metadata = metadata
        self.labels = labels
    }

    /// True when some attention layer is softmax.
    public var usesSoftmax: Bool { blocks.contains { $0.attention.kind == .softmax && !$0.attention.isIdentity } }
}
