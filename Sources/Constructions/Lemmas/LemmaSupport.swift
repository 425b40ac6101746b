import Evaluation
import ExactArithmetic
import TransformerModel

/// What a lemma checker found (see docs/mathematics.md#lemma-4-1 … #lemma-4-8): the facts it verified exactly, in order, and — when the
/// claim does not hold — the first hypothesis or property that broke.
public struct LemmaCheck: Sendable, Equatable {
    /// "4.1" … "4.8".
    public var lemma: String
    /// Facts verified exactly, one line each.
    public var verified: [String]
    /// Why the check fails ("hypothesis … violated: …", "step 2, token 3: expected …, got …"); nil
    /// when it holds.
    public var failure: String?

    public init(lemma: String, verified: [String], failure: String?) {
        self.lemma = lemma
        self.verified = verified
        self.failure = failure
    }

    /// True when every hypothesis and every claimed property was confirmed.
    public var holds: Bool { failure == nil }
}

/// One named parameter of a lemma's construction, rendered exactly for printing.
public struct LemmaParameter: Sendable, Equatable {
    public var name: String
    public var value: String
    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

/// Why a lemma's construction cannot even be built from the given input — not a violated
/// hypothesis (that is the checker's business), but malformed input: wrong dimensions, indices out
/// of range, a non-positive half-width — or, for `.internalError`, an exact LP whose certificate
/// was rejected (a bug).
public enum LemmaError: Error, Equatable, CustomStringConvertible {
    case invalidInput(String)
    case internalError(String)

    public var description: String {
        switch self {
        case .invalidInput(let s): return s
        case .internalError(let s): return "internal error: \(s)"
        }
    }
}

/// A failed hypothesis or property inside a checker; becomes `LemmaCheck.failure`.
struct LemmaFailure: Error {
    let reason: String
    init(_ reason: String) { self.reason = reason }
}

/// Runs a checker body that records verified facts and throws at the first failure.
func runCheck(_ lemma: String, _ body: (inout [String]) throws(LemmaFailure) -> Void) -> LemmaCheck {
    var verified: [String] = []
    do {
        try body(&verified)
        return LemmaCheck(lemma: lemma, verified: verified, failure: nil)
    } catch {
        return LemmaCheck(lemma: lemma, verified: verified, failure: error.reason)
    }
}

// MARK: - Shared helpers

/// Helpers the lemma constructions and checkers share.
public enum LemmaSupport {
    /// "[1, 1/2]".
    public static func show(_ token: Token) -> String { tokenDescription(token) }

    /// "{[1, 2], [0, 1]}".
    public static func show(set tokens: [Token]) -> String { "{" + tokens.map(show).joined(separator: ", ") + "}" }

    /// The distinct values of `tokens`, in first-occurrence order (sequences are sets, see docs/mathematics.md#data).
    public static func distinct(_ tokens: [Token]) -> [Token] {
        var seen = Set<Token>()
        return tokens.filter { seen.insert($0).inserted }
    }

    /// First pair of equal tokens (i < k), if any.
    static func firstRepeat(_ tokens: [Token]) -> (Int, Int)? {
        var first: [Token: Int] = [:]
        for (k, t) in tokens.enumerated() {
            if let i = first[t] { return (i, k) }
            first[t] = k
        }
        return nil
    }

    /// Throws unless there is at least one token and every token has `d` coordinates.
    static func requireDimension(_ tokens: [Token], _ d: Int, _ what: String) throws(LemmaError) {
        guard !tokens.isEmpty else { throw .invalidInput("no \(what)s: the lemma needs at least one") }
        guard d >= 1 else { throw .invalidInput("tokens need at least one coordinate") }
        if let k = tokens.firstIndex(where: { $0.count != d }) {
            throw .invalidInput("\(what) \(k) has \(tokens[k].count) coordinates, expected \(d)")
        }
    }

    /// SA(X) exactly, with the argmax set of every token under the layer's first head.
    static func applyAttention(_ layer: SelfAttentionLayer, _ tokens: [Token]) -> (tokens: [Token], argmax: [[Int]]) {
        let compiled = CompiledAttention<Rational>(layer, temperature: nil)
        let (out, observation) = compiled.apply(tokens, observe: true)
        return (out, observation.argmaxSets.first ?? [])
    }

    /// FF(x) exactly for every token.
    static func applyFeedForward(_ layer: FeedForwardLayer, _ tokens: [Token]) -> [Token] {
        let compiled = CompiledFeedForward<Rational>(layer)
        return tokens.map { compiled.apply($0) }
    }

    /// The hypothesis γ ∈ (0, 1] of Lemmas 4.1–4.4.
    static func requireGamma(_ gamma: Rational) throws(LemmaFailure) {
        guard gamma > .zero && gamma <= .one else {
            throw LemmaFailure("hypothesis γ ∈ (0,1] violated: γ = \(gamma)")
        }
    }

    /// The layer SA(X)_i = (1 − γ) x_i + γ · mean_{k ∈ C_i} x_k with scores `scores` (Lemmas 4.1–4.4).
    static func clusteringLayer(scores: ScoreMatrix, gamma: Rational) -> SelfAttentionLayer {
        SelfAttentionLayer(kind: .hardmax, rho: .one - gamma, scores: scores, value: .scaledIdentity(gamma))
    }

    /// The values the tokens with indices `set` hold.
    static func values(_ tokens: [Token], _ set: [Int]) -> Set<Token> { Set(set.map { tokens[$0] }) }

    /// x_∞ + (1 − γ)^t (x_0 − x_∞): the closed form of Lemmas 4.1, 4.2 and 4.4.
    static func closedForm(start: Token, limit: Token, contraction: Rational) -> Token {
        zip(start, limit).map { $1 + contraction * ($0 - $1) }
    }

    /// Throws unless `tokens` is a non-empty sequence in one dimension and `steps` lies in `range`;
    /// returns the dimension (the construct functions of Lemmas 4.1–4.4).
    static func requireSequence(_ tokens: [Token], steps: Int, in range: ClosedRange<Int> = 0...1000,
                                why: String = "") throws(LemmaError) -> Int {
        guard let d = tokens.first?.count else { throw .invalidInput("the sequence is empty") }
        try requireDimension(tokens, d, "token")
        guard range.contains(steps) else { throw .invalidInput("steps must be in \(range)\(why), got \(steps)") }
        return d
    }

    /// The step-by-step claim of Lemmas 4.1–4.4: `layer` (V = γI, ρ = 1 − γ) iterated `steps`
    /// times from `x0` sends token i to the single value `targets[i]` only, and token i is then
    /// exactly targets[i] + (1 − γ)^t (x_i^0 − targets[i]) (a token whose target is itself stays
    /// put). Every failure names the step and the token: "attends to {…} instead of
    /// `targetName(i)` = [target] only" (or `attendFailure`, given the step, the token and its
    /// argmax set), and "token i`tokenNote(i)`: expected [closed form]`closedFormNote`, got […]".
    /// `afterAttention(t, i, x_i^t)` runs between the two checks of a token (Lemma 4.1's sign
    /// check). Returns the configuration after the last step.
    static func iterateClustering(
        _ layer: SelfAttentionLayer, gamma: Rational, steps: Int, start x0: [Token], targets: [Token],
        targetName: (Int) -> String = { _ in "" },
        attendFailure: ((_ step: Int, _ token: Int, _ argmax: [Int]) -> String)? = nil,
        tokenNote: (Int) -> String = { _ in "" }, closedFormNote: String = "",
        afterAttention: (_ step: Int, _ token: Int, _ next: Token) throws(LemmaFailure) -> Void = { _, _, _ in }
    ) throws(LemmaFailure) -> [Token] {
        var current = x0
        var contraction = Rational.one
        for t in stride(from: 1, through: steps, by: 1) {
            let (next, argmax) = applyAttention(layer, current)
            contraction *= .one - gamma
            for i in x0.indices {
                let target = targets[i]
                let set = i < argmax.count ? argmax[i] : []
                let attended = values(current, set)
                guard attended == [target] else {
                    if let attendFailure { throw LemmaFailure(attendFailure(t, i, set)) }
                    throw LemmaFailure("step \(t), token \(i): attends to \(show(set: Array(attended).sorted { $0.lexicographicallyPrecedes($1) })) instead of \(targetName(i)) = \(show(target)) only")
                }
                try afterAttention(t, i, next[i])
                let expected = closedForm(start: x0[i], limit: target, contraction: contraction)
                guard next[i] == expected else {
                    throw LemmaFailure("step \(t), token \(i)\(tokenNote(i)): expected \(show(expected))\(closedFormNote), got \(show(next[i]))")
                }
            }
            current = next
        }
        return current
    }

    /// "after T step(s): {…}", the configuration a clustering lemma reached.
    static func afterSteps(_ steps: Int, _ tokens: [Token]) -> String {
        "after \(steps) step\(steps == 1 ? "" : "s"): \(show(set: tokens))"
    }

    /// A point of the sphere |x| = r in ℚ^d by inverse stereographic projection of t ∈ ℚ^{d−1}:
    /// r·(2t, |t|² − 1)/(|t|² + 1), whose squared norm is exactly r² (see docs/mathematics.md#lemma-4-3).
    public static func inverseStereographic(_ t: Token, radius r: Rational) -> Token {
        let n2 = squaredNorm(t)
        let scale = r / (n2 + .one)
        return t.map { Rational(2) * $0 * scale } + [(n2 - .one) * scale]
    }

    /// The k-th (k ≥ 1) rational point of |x| = r inside the negative orthant: −r·u(t) for
    /// t = (k + 1, 1, …, 1), where every coordinate of u is positive because t > 0 and |t|² > 1.
    /// In ℚ¹ the sphere has one negative point, −r (k = 1 only).
    public static func negativeSpherePoint(_ k: Int, dimension d: Int, radius r: Rational = .one) -> Token? {
        guard k >= 1 else { return nil }
        if d == 1 { return k == 1 ? [-r] : nil }
        var t = [Rational](repeating: .one, count: d - 1)
        t[0] = Rational(k + 1)
        return inverseStereographic(t, radius: -r)
    }
}

/// The attention Lemmas 4.2–4.4 share (docs/mathematics.md#lemma-4-2): the hardmax layer A = I,
/// V = γI, ρ = 1 − γ, iterated T times.
public struct IdentityClustering: Sendable, Equatable {
    /// γ.
    public var gamma: Rational
    /// T.
    public var steps: Int
    /// A = I, V = γI, ρ = 1 − γ (a test may tamper with it: the checkers read the layer, not γ).
    public var layer: SelfAttentionLayer

    init(gamma: Rational, steps: Int) {
        self.gamma = gamma
        self.steps = steps
        layer = LemmaSupport.clusteringLayer(scores: .scaledIdentity(.one), gamma: gamma)
    }

    /// γ, the layer and T, as printed.
    var parameters: [LemmaParameter] {
        [LemmaParameter("γ", gamma.description),
         LemmaParameter("layer", "A = I, V = γ·I = \(gamma)·I, ρ = 1 − γ = \(Rational.one - gamma)"),
         LemmaParameter("steps", "T = \(steps)")]
    }
}

/// A construction of Lemmas 4.2–4.4: its `IdentityClustering`, whose γ, T and layer it reads and
/// writes as its own.
public protocol IdentityClusteringConstruction {
    var attention: IdentityClustering { get set }
}

extension IdentityClusteringConstruction {
    /// γ.
    public var gamma: Rational {
        get { attention.gamma }
        set { attention.gamma = newValue }
    }
    /// T.
    public var steps: Int {
        get { attention.steps }
        set { attention.steps = newValue }
    }
    /// A = I, V = γI, ρ = 1 − γ.
    public var layer: SelfAttentionLayer {
        get { attention.layer }
        set { attention.layer = newValue }
    }
}

extension OrthantPreparation {
    /// The start of the checks of Lemmas 4.2 and 4.4: the distinct tokens after the preparation
    /// FF, recorded in `verified`, or the tokens as given without one.
    static func start(_ preparation: OrthantPreparation?, _ tokens: [Token], verified: inout [String]) -> [Token] {
        guard let p = preparation else { return tokens }
        let x0 = LemmaSupport.applyFeedForward(p.layer, LemmaSupport.distinct(tokens))
        verified.append("preparation: FF(X) = \(LemmaSupport.show(set: x0))")
        return x0
    }
}

/// The orthant preparation of docs/mathematics.md#leader-selection for one sequence, used by Lemmas 4.2 and 4.4 when the data
/// does not already satisfy their hypotheses: one FF that shifts every token by c·1 into the open
/// positive orthant (cube (0, a)^d) and hat-moves chosen leaders (Lemma 4.8): the first to a·1,
/// the others to distinct rational points of the unit sphere inside the negative orthant.
public struct OrthantPreparation: Sendable, Equatable {
    /// c: the shift c·1 puts every token in the open positive orthant.
    public var shift: Rational
    /// a: after the shift every token lies in (0, a)^d.
    public var cube: Rational
    /// Indices (into the sequence's distinct tokens) of the leaders moved, the first to a·1.
    public var leaders: [Int]
    /// Where each leader lands.
    public var targets: [Token]
    /// FF = shift + hats, one layer.
    public var layer: FeedForwardLayer

    /// Builds the preparation for `tokens` (pairwise distinct) with the given leader indices.
    public init(tokens: [Token], leaders: [Int], dimension d: Int) throws(LemmaError) {
        guard !leaders.isEmpty else { throw .invalidInput("at least one leader is needed") }
        if let bad = leaders.first(where: { !tokens.indices.contains($0) }) {
            throw .invalidInput("leader index \(bad) is outside 0..<\(tokens.count)")
        }
        guard Set(leaders).count == leaders.count else { throw .invalidInput("leader indices repeat: \(leaders)") }
        if let (i, k) = LemmaSupport.firstRepeat(tokens) { throw .invalidInput("tokens \(i) and \(k) are equal: pass distinct tokens") }
        let c = ShiftLayer.orthantCoefficient(tokens: tokens)
        let a = ((tokens.lazy.flatMap { $0 }.max() ?? .zero) + c).floor + .one
        var targets = [[Rational](repeating: a, count: d)]
        for k in 1..<max(leaders.count, 1) {
            guard let p = LemmaSupport.negativeSpherePoint(k, dimension: d) else {
                throw .invalidInput("ℚ^\(d) has no \(k + 1) distinct points of one sphere in the closed negative orthant: use fewer leaders")
            }
            targets.append(p)
        }
        let shiftVector = [Rational](repeating: c, count: d)
        let moves = zip(leaders, targets).map { (source: tokens[$0], target: $1) }
        let hats = HatFunction.moving(moves, among: tokens, dimension: d, shift: shiftVector)
        shift = c
        cube = a
        self.leaders = leaders
        self.targets = targets
        layer = hatLayer(hats, shift: shiftVector)
    }
}
