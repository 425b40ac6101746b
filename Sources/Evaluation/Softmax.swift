import ExactArithmetic
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Softmax weights on doubles, the only scalar type that can represent them (see
/// docs/mathematics.md#float64): exp(s_k/τ)/Σ exp(s_l/τ), numerically stable (the row maximum is
/// subtracted before `exp`). Exact rationals get their softmax statements from the enclosure
/// evaluator instead, never from this function.
public enum Softmax {
    /// The weights of `scores` at temperature τ.
    public static func weights(_ scores: [Double], temperature: Rational) -> [Double] {
        guard let top = scores.max() else { return [] }
        let tau = temperature.doubleValue
        // A τ below the smallest double rounds to 0: the top score then gets exp(0) = 1 (not 0/0 = NaN)
        // and the others exp(−∞) = 0, the hardmax limit τ → 0.
        let e = scores.map { $0 == top ? 1 : exp(($0 - top) / tau) }
        let total = e.reduce(0, +)
        return e.map { $0 / total }
    }

    /// The weights in `S`, or nil when `S` cannot represent them (every type but `Double`).
    @inlinable
    public static func weights<S: Scalar>(_ scores: [S], temperature: Rational, as: S.Type = S.self) -> [S]? {
        guard let doubles = scores as? [Double] else { return nil }
        return weights(doubles, temperature: temperature) as? [S]
    }

    /// True when the evaluator can run softmax layers on `S`.
    @inlinable
    public static func isAvailable<S: Scalar>(for: S.Type) -> Bool { S.self == Double.self }
}
