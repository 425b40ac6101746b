import ExactArithmetic
import TransformerModel

/// Lemma 4.8 (hat function: move one point, fix the rest, see docs/mathematics.md#lemma-4-8).
///
/// Distinct points P = {p_1, …, p_n}, an index i and a target y. With u generic for p_i
/// (⟨u, p_k⟩ ≠ ⟨u, p_i⟩ for k ≠ i), a = ⟨u, p_i⟩ and ε > 0 at most the distance along u to the
/// nearest other point, the width-3 layer
///
///     hat(t) = σ(t − a + ε) − 2σ(t − a) + σ(t − a − ε)      (= ε − |t − a| on |t − a| ≤ ε, else 0)
///     FF(x)  = x + (y − p_i)/ε · hat(⟨u, x⟩)
///
/// gives FF(p_i) = y exactly and FF(p_k) = p_k for every other point. K hats along one common u
/// whose supports contain no other point share one FF of width 3K and move K points at once.
///
/// By default the hats are exactly those Theorem 1.4 uses (`HatFunction.moving`, one generic u for
/// all points, each ε the gap to the nearest neighbour along u); a given direction or half-width
/// builds the hats here from the formula above, so a broken hypothesis can be checked.
public enum HatMove {
    /// One requested move: point `index` of P goes to `target`.
    public struct Move: Sendable, Equatable {
        public var index: Int
        public var target: Token
        public init(index: Int, target: Token) {
            self.index = index
            self.target = target
        }
    }

    /// One hat's rational parameters.
    public struct Hat: Sendable, Equatable {
        public var move: Move
        /// a = ⟨u, p_i⟩.
        public var center: Rational
        /// ε.
        public var halfWidth: Rational
    }

    /// The construction: u, the hats and the FF layer (checkers evaluate the layer).
    public struct Construction: Sendable, Equatable {
        /// u.
        public var direction: Token
        public var hats: [Hat]
        /// FF = x + Σ hats, width 3K.
        public var layer: FeedForwardLayer
        /// True when built by `HatFunction.moving` (the Theorem 1.4 code path).
        public var sharedWithTheorem14: Bool

        public var parameters: [LemmaParameter] {
            var out = [LemmaParameter("u", "\(LemmaSupport.show(direction))\(sharedWithTheorem14 ? " (generic for all points: HatFunction.moving, as in Theorem 1.4)" : "")")]
            for h in hats {
                out.append(LemmaParameter("hat p_\(h.move.index)", "a = ⟨u, p_\(h.move.index)⟩ = \(h.center), ε = \(h.halfWidth), target y = \(LemmaSupport.show(h.move.target))"))
            }
            out.append(LemmaParameter("FF", "x + Σ (y − p_i)/ε · hat_i(⟨u, x⟩), width \(layer.width)"))
            return out
        }
    }

    /// Builds the hats moving `moves` among `points`. `direction` and `halfWidth` override the
    /// defaults (then the hats are built here); `widthFactor` scales the default half-widths (1/2
    /// gives the margins softmax needs, docs/mathematics.md#softmax-margins).
    /// `separating`, when given, must be `GenericDirection.separatingAll` of the distinct points
    /// (the default direction; `lemmas` computes it once for all its rows).
    public static func construct(points: [Token], moves: [Move], direction: Token? = nil, halfWidth: Rational? = nil,
                                 widthFactor: Rational = .one, separating: Token? = nil) throws(LemmaError) -> Construction {
        guard let d = points.first?.count else { throw .invalidInput("no points") }
        try LemmaSupport.requireDimension(points, d, "point")
        guard !moves.isEmpty else { throw .invalidInput("no move requested") }
        for m in moves {
            guard points.indices.contains(m.index) else { throw .invalidInput("point index \(m.index) is outside 0..<\(points.count)") }
            guard m.target.count == d else { throw .invalidInput("target \(LemmaSupport.show(m.target)) has \(m.target.count) coordinates, expected \(d)") }
        }
        guard Set(moves.map(\.index)).count == moves.count else { throw .invalidInput("a point is moved twice") }
        if let direction, direction.count != d { throw .invalidInput("u has \(direction.count) coordinates, expected \(d)") }
        if let halfWidth, halfWidth <= .zero { throw .invalidInput("the half-width ε must be positive, got \(halfWidth)") }
        guard widthFactor > .zero else { throw .invalidInput("the width factor must be positive, got \(widthFactor)") }
        let distinct = LemmaSupport.distinct(points)

        if direction == nil && halfWidth == nil {
            let hats = HatFunction.moving(moves.map { (points[$0.index], $0.target) }, among: distinct, dimension: d, widthFactor: widthFactor,
                                          direction: separating)
            let u = hats.first?.direction ?? separating ?? GenericDirection.separatingAll(distinct, dimension: d)
            return Construction(direction: u, hats: zip(moves, hats).map { Hat(move: $0, center: $1.center, halfWidth: $1.halfWidth) },
                                layer: hatLayer(hats), sharedWithTheorem14: true)
        }
        let u = direction ?? GenericDirection.separatingAll(distinct, dimension: d)
        let projections = distinct.map { Rational.dot(u, $0) }
        var hats: [Hat] = []
        var ridges: [FeedForwardLayer.Ridge] = []
        for m in moves {
            let p = points[m.index]
            let a = Rational.dot(u, p)
            // Default ε: the nearest *positive* distance along u (so even a non-generic u builds a
            // layer, and the checker can report the broken hypothesis), 1 when there is none.
            let eps = halfWidth ?? (projections.map { ($0 - a).magnitude }.filter { !$0.isZero }.min() ?? .one) * widthFactor
            let displacement = scaled(subtracted(m.target, p), by: eps.reciprocal)
            ridges.append(FeedForwardLayer.Ridge(direction: u, neurons: [
                .init(bias: eps - a, output: displacement),
                .init(bias: -a, output: scaled(displacement, by: Rational(-2))),
                .init(bias: -a - eps, output: displacement),
            ]))
            hats.append(Hat(move: m, center: a, halfWidth: eps))
        }
        return Construction(direction: u, hats: hats, layer: FeedForwardLayer(eta: .one, ridges: ridges), sharedWithTheorem14: false)
    }

    /// Checks the hypotheses (distinct points; u generic for every moved point), then evaluates the
    /// layer exactly on every point: each moved point lands on its target, every other stays.
    public static func check(_ construction: Construction, points: [Token]) -> LemmaCheck {
        runCheck("4.8") { (verified: inout [String]) throws(LemmaFailure) in
            if let (a, b) = LemmaSupport.firstRepeat(points) {
                throw LemmaFailure("hypothesis violated: points \(a) and \(b) are equal (\(LemmaSupport.show(points[a]))): P must be pairwise distinct")
            }
            let u = construction.direction
            let projections = points.map { Rational.dot(u, $0) }
            var targets: [Int: Token] = [:]
            for h in construction.hats {
                let i = h.move.index
                guard points.indices.contains(i) else { throw LemmaFailure("point index \(i) is outside 0..<\(points.count)") }
                if let k = points.indices.first(where: { $0 != i && projections[$0] == projections[i] }) {
                    throw LemmaFailure("hypothesis violated: u = \(LemmaSupport.show(u)) is not generic for p_\(i): ⟨u, p_\(k)⟩ = ⟨u, p_\(i)⟩ = \(projections[i])")
                }
                guard h.halfWidth > .zero else { throw LemmaFailure("hypothesis ε > 0 violated: ε = \(h.halfWidth) for p_\(i)") }
                targets[i] = h.move.target
            }
            verified.append("hypotheses: \(points.count) pairwise distinct points; u = \(LemmaSupport.show(u)) is generic for every moved point")
            let out = LemmaSupport.applyFeedForward(construction.layer, points)
            for k in points.indices {
                if let y = targets[k] {
                    guard out[k] == y else {
                        throw LemmaFailure("point \(k) missed its target: expected \(LemmaSupport.show(y)), got \(LemmaSupport.show(out[k]))")
                    }
                } else {
                    guard out[k] == points[k] else {
                        throw LemmaFailure("point \(k) moved: expected \(LemmaSupport.show(points[k])), got \(LemmaSupport.show(out[k]))")
                    }
                }
            }
            let moved = targets.count
            verified.append("evaluated exactly: FF(p_i) = y for the \(moved) moved point\(moved == 1 ? "" : "s") and FF(p_k) = p_k for the other \(points.count - moved)")
        }
    }
}
