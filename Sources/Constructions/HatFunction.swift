import ExactArithmetic
import TransformerModel

/// A hat function that moves one point and fixes the rest (Lemma 4.8).
///
/// Along a direction u, with a = ⟨u, p⟩ and a half-width ε > 0,
///
///     hat(t) = σ(t − a + ε) − 2σ(t − a) + σ(t − a − ε)        (= ε − |t − a| on |t − a| ≤ ε, else 0)
///     FF(x)  = x + shift + displacement · hat(⟨u, x⟩),         displacement = (y − shift − p)/ε
///
/// so FF(p) = y exactly, and every point whose projection is at least ε away from a only gets
/// `shift` (usually 0; a constant shift that rides in the same FF is allowed). Several hats with
/// one direction and disjoint supports share one FF: each moves its own point.
public struct HatFunction: Sendable, Equatable {
    /// u: the direction the hat looks along.
    public var direction: Token
    /// p: the point moved.
    public var source: Token
    /// y: where p lands (including any shift of the same layer).
    public var target: Token
    /// a = ⟨u, p⟩.
    public var center: Rational
    /// ε: the hat vanishes outside (a − ε, a + ε).
    public var halfWidth: Rational
    /// (y − shift − p)/ε.
    public var displacement: Token

    /// The hat moving `source` to `target` along `direction` with half-width `halfWidth`, in a layer
    /// that also adds the constant `shift` to every token.
    public init(moving source: Token, to target: Token, direction: Token, halfWidth: Rational, shift: Token? = nil) {
        precondition(halfWidth > .zero, "a hat needs a positive half-width")
        self.direction = direction
        self.source = source
        self.target = target
        center = Rational.dot(direction, source)
        self.halfWidth = halfWidth
        let delta = subtracted(subtracted(target, shift ?? source.map { _ in .zero }), source)
        displacement = scaled(delta, by: halfWidth.reciprocal)
    }

    /// The width-3 ridge of the hat.
    public var ridge: FeedForwardLayer.Ridge {
        let twice = scaled(displacement, by: Rational(-2))
        return FeedForwardLayer.Ridge(direction: direction, neurons: [
            .init(bias: halfWidth - center, output: displacement),
            .init(bias: -center, output: twice),
            .init(bias: -center - halfWidth, output: displacement),
        ])
    }

    /// hat(⟨u, x⟩), the scalar profile.
    public func profile(_ x: Token) -> Rational {
        let t = Rational.dot(direction, x) - center
        return (t + halfWidth).relu - Rational(2) * t.relu + (t - halfWidth).relu
    }

    /// Hats moving each `source` to its `target`, for the current set of distinct `points` (which
    /// contains the sources). One direction u separates every point; each hat's half-width is the
    /// distance along u to its nearest other point, times `widthFactor` (1 for exact hardmax: a
    /// neighbour exactly ε away is fixed; 1/2 for margins). The supports are then pairwise disjoint
    /// and contain no other point, so one FF can hold all of them.
    /// `direction`, when given, must already separate `points` (it saves recomputing one). With
    /// dyadic `weights` each half-width is the largest power of two below that distance.
    public static func moving(_ moves: [(source: Token, target: Token)], among points: [Token], dimension d: Int,
                              shift: Token? = nil, widthFactor: Rational = .one, direction: Token? = nil,
                              weights: WeightFormat = .exact) -> [HatFunction] {
        if let direction {
            let sorted = GenericDirection.projections(of: points, onto: direction).sorted()
            return moving(moves, direction: direction, sortedProjections: sorted, shift: shift, widthFactor: widthFactor, weights: weights)
        }
        let found = GenericDirection.separatingAllWithProjections(points, dimension: d)
        return moving(moves, direction: found.direction, sortedProjections: found.sorted, shift: shift, widthFactor: widthFactor, weights: weights)
    }

    /// `moving(_:among:…)` along `u` with the points' projections on u given, sorted.
    static func moving(_ moves: [(source: Token, target: Token)], direction u: Token, sortedProjections projections: [Rational],
                       shift: Token? = nil, widthFactor: Rational = .one, weights: WeightFormat = .exact) -> [HatFunction] {
        return moves.map { move in
            let a = Rational.dot(u, move.source)
            let eps = weights.width(atMost: nearestGap(to: a, in: projections) * widthFactor)
            return HatFunction(moving: move.source, to: move.target, direction: u, halfWidth: eps, shift: shift)
        }
    }

    /// Distance from `a` (an element of `sorted`) to its nearest other element; 1 when alone.
    static func nearestGap(to a: Rational, in sorted: [Rational]) -> Rational {
        var lo = 0, hi = sorted.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if sorted[mid] < a { lo = mid + 1 } else { hi = mid }
        }
        var best: Rational? = nil
        if lo > 0 { best = a - sorted[lo - 1] }
        if lo + 1 < sorted.count { let g = sorted[lo + 1] - a; best = best.map { min($0, g) } ?? g }
        return best ?? .one
    }
}

/// A feed-forward layer of several hats and an optional constant shift.
public func hatLayer(_ hats: [HatFunction], shift: Token? = nil) -> FeedForwardLayer {
    var ridges = hats.map(\.ridge)
    if let shift, shift.contains(where: { !$0.isZero }) { ridges.append(ShiftLayer.ridge(adding: shift)) }
    return FeedForwardLayer(eta: .one, ridges: ridges)
}
