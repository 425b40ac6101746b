import Evaluation
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
            let projections = GenericDirection.projections(of: points, onto: direction)
            return moving(moves, direction: direction, projections: projections, shift: shift, widthFactor: widthFactor, weights: weights)
        }
        let found = GenericDirection.separatingAllWithProjections(points, dimension: d)
        return moving(moves, direction: found.direction, projections: found.projections, shift: shift, widthFactor: widthFactor, weights: weights)
    }

    /// `moving(_:among:…)` along `u` with the points' projections on u given (pairwise distinct).
    static func moving(_ moves: [(source: Token, target: Token)], direction u: Token, projections: [Rational],
                       shift: Token? = nil, widthFactor: Rational = .one, weights: WeightFormat = .exact) -> [HatFunction] {
        let centers = moves.map { Rational.dot(u, $0.source) }
        let gaps = nearestGaps(to: centers, among: projections)
        return zip(moves, gaps).map { move, gap in
            HatFunction(moving: move.source, to: move.target, direction: u, halfWidth: weights.width(atMost: gap * widthFactor), shift: shift)
        }
    }

    /// For each a of `centers`: the distance from a to the nearest other element of `values`
    /// (pairwise distinct), 1 when there is none. When every a is one of `values` (a hat moves
    /// one of the points) this is one pass over `values`, in chunks on all cores, with a binary
    /// search among the centers: O(n log k) for n values and k centers, where sorting the values
    /// costs O(n log n). Otherwise, `nearestGap` on the sorted values, as always. `chunk`: values
    /// per task (tests pass small ones so that the tasks' results are combined).
    static func nearestGaps(to centers: [Rational], among values: [Rational], chunk: Int = 65_536) -> [Rational] {
        let keys = Array(Set(centers)).sorted()
        guard !keys.isEmpty else { return [] }
        // below[i], above[i]: the nearest value under and over keys[i]; found[i]: keys[i] is a value.
        typealias Neighbours = (below: [Rational?], above: [Rational?], found: [Bool])
        let starts = Array(stride(from: 0, to: values.count, by: max(chunk, 1)))
        let parts = parallelMap(starts) { start -> Neighbours in
            var below = [Rational?](repeating: nil, count: keys.count), above = below
            var found = [Bool](repeating: false, count: keys.count)
            for v in values[start..<min(start + max(chunk, 1), values.count)] {
                var lo = 0, hi = keys.count  // lo: the first key ≥ v
                while lo < hi {
                    let mid = (lo + hi) / 2
                    if keys[mid] < v { lo = mid + 1 } else { hi = mid }
                }
                if lo > 0, above[lo - 1].map({ v < $0 }) ?? true { above[lo - 1] = v }
                var next = lo
                if lo < keys.count, keys[lo] == v { found[lo] = true; next = lo + 1 }
                if next < keys.count, below[next].map({ v > $0 }) ?? true { below[next] = v }
            }
            return (below, above, found)
        }
        var below = [Rational?](repeating: nil, count: keys.count), above = below
        var found = [Bool](repeating: false, count: keys.count)
        for part in parts {
            for i in keys.indices {
                if let b = part.below[i], below[i].map({ b > $0 }) ?? true { below[i] = b }
                if let a = part.above[i], above[i].map({ a < $0 }) ?? true { above[i] = a }
                found[i] = found[i] || part.found[i]
            }
        }
        guard found.allSatisfy({ $0 }) else {
            let sorted = values.sorted()
            return centers.map { nearestGap(to: $0, in: sorted) }
        }
        var gapOf: [Rational: Rational] = [:]
        for (i, a) in keys.enumerated() {
            var best: Rational? = below[i].map { a - $0 }
            if let c = above[i] { let g = c - a; best = best.map { min($0, g) } ?? g }
            gapOf[a] = best ?? .one
        }
        return centers.map { gapOf[$0] ?? .one }
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
