import ExactArithmetic
import TransformerModel

/// Width-1 feed-forward layers that translate every token (Lemma 4.7 and docs/mathematics.md#leader-selection).
///
/// With U = 0 and b = 1 the neuron is σ(1) = 1 for every token, so FF(x) = x + W·1: a constant shift
/// stored as one ridge with a zero direction (it costs no direction parameters).
public enum ShiftLayer {
    /// The ridge adding `vector` to every token.
    public static func ridge(adding vector: Token) -> FeedForwardLayer.Ridge {
        FeedForwardLayer.Ridge(direction: vector.map { _ in .zero }, neurons: [.init(bias: .one, output: vector)])
    }

    /// FF(x) = x + vector.
    public static func layer(adding vector: Token) -> FeedForwardLayer {
        FeedForwardLayer(eta: .one, ridges: [ridge(adding: vector)])
    }

    /// Lemma 4.7: c = ⌈(1 + max(0, −min_x ⟨w, x⟩)) / |w|²⌉, so that ⟨w, x + c·w⟩ ≥ 1 for every
    /// token x. Rounding c up to an integer keeps bit sizes down.
    public static func alignmentCoefficient(direction w: Token, tokens: [Token]) -> Rational {
        alignmentCoefficient(direction: w, lowest: GenericDirection.projections(of: tokens, onto: w).min() ?? .zero)
    }

    /// `alignmentCoefficient(direction:tokens:)` from `lowest` = min_x ⟨w, x⟩, when it is known.
    public static func alignmentCoefficient(direction w: Token, lowest: Rational) -> Rational {
        let need = Rational.one + max(.zero, -lowest)
        return (need / squaredNorm(w)).ceiling
    }

    /// The smallest integer c ≥ 1 with x + c·1 > 0 for every token (every coordinate ≥ 1 after).
    public static func orthantCoefficient(tokens: [Token]) -> Rational {
        let lowest = tokens.lazy.flatMap { $0 }.min() ?? .zero
        return max(.one, (Rational.one - lowest).ceiling)
    }
}
