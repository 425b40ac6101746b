import Evaluation
import ExactArithmetic
import TransformerModel

/// Directions with distinct projections, found from the moment curve (1, t, t², …, t^{d−1}).
///
/// For two distinct points p ≠ q, ⟨v(t), p − q⟩ is a non-zero polynomial in t of degree < d, so it
/// vanishes for fewer than d values of t: trying t = 0, 1, 2, … finds a good direction after at
/// most (d − 1)·(number of pairs) failures, and in practice after one or two. Integer entries keep
/// every projection as short as the points themselves (see docs/mathematics.md#lemma-4-6, #lemma-4-8).
public enum GenericDirection {
    /// v(t) = (1, t, t², …, t^{d−1}).
    public static func momentCurve(_ t: Int, dimension d: Int) -> Token {
        var v: Token = []
        var power = Rational.one
        for _ in 0..<d {
            v.append(power)
            power *= Rational(t)
        }
        return v
    }

    /// The first v(t) under which the given pairwise distinct points have pairwise distinct
    /// projections ⟨v, p⟩.
    public static func separatingAll(_ points: [Token], dimension d: Int) -> Token {
        separatingAllWithProjections(points, dimension: d).direction
    }

    /// `separatingAll` with the projections ⟨v, p⟩ of `points` (in their order): callers that
    /// place hats along v reuse them (`HatFunction.moving`), so they are computed once, in chunks
    /// on all cores. `prefixTrial`: how many points a direction is tried on before all of them
    /// (tests pass small ones so that both outcomes of the trial are reached).
    static func separatingAllWithProjections(_ points: [Token], dimension d: Int, prefixTrial: Int = 4096)
        -> (direction: Token, projections: [Rational]) {
        var t = 0
        while true {
            let v = momentCurve(t, dimension: d)
            // A v(t) that fails usually shows a repeated projection among the first few thousand
            // points: that prefix is tried alone first (a repeat there is a repeat in all).
            if repeatsProjection(points.prefix(prefixTrial), onto: v) { t += 1; continue }
            let p = projections(of: points, onto: v)
            var seen = Set<Rational>()
            seen.reserveCapacity(p.count)
            if p.allSatisfy({ seen.insert($0).inserted }) { return (v, p) }
            t += 1
        }
    }

    /// True when two of `points` have equal projections on `v` (stops at the first repeat).
    static func repeatsProjection(_ points: ArraySlice<Token>, onto v: Token) -> Bool {
        var seen = Set<Rational>()
        seen.reserveCapacity(points.count)
        return !points.allSatisfy { seen.insert(Rational.dot(v, $0)).inserted }
    }

    /// ⟨v, p⟩ for every p, in order, in chunks on all cores.
    static func projections(of points: [Token], onto v: Token) -> [Rational] {
        let chunk = 4096
        if points.count <= chunk { return points.map { Rational.dot(v, $0) } }
        let starts = Array(stride(from: 0, to: points.count, by: chunk))
        return parallelMap(starts) { start in
            points[start..<min(start + chunk, points.count)].map { Rational.dot(v, $0) }
        }.flatMap { $0 }
    }

    /// The first v(t) under which `point` projects differently from every other point.
    public static func isolating(_ point: Token, from points: [Token], dimension d: Int) -> Token {
        var t = 0
        while true {
            let v = momentCurve(t, dimension: d)
            let a = Rational.dot(v, point)
            if points.allSatisfy({ $0 == point || Rational.dot(v, $0) != a }) { return v }
            t += 1
        }
    }

    /// The largest power of two 2^k (k ∈ ℤ) that is ≤ `bound` (> 0): a short number below a bound.
    public static func powerOfTwo(atMost bound: Rational) -> Rational {
        precondition(bound > .zero, "powerOfTwo(atMost:) needs a positive bound")
        var p = Rational.one
        let two = Rational(2), half = Rational(1) / Rational(2)
        if p <= bound {
            while p * two <= bound { p *= two }
        } else {
            while p > bound { p *= half }
        }
        return p
    }
}
