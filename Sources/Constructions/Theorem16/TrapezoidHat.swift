import ExactArithmetic
import TransformerModel

/// Lemma 4.8 with margins (see docs/mathematics.md#softmax-margins): a hat with a flat top.
///
/// Along a direction u, with centre a, outer half-width ε and inner half-width θ < ε,
///
///     trap(t) = σ(t − a + ε) − σ(t − a + θ) − σ(t − a − θ) + σ(t − a − ε)
///
/// is ε − θ on |t − a| ≤ θ, 0 outside (a − ε, a + ε), linear in between. FF(x) = x + D·trap(⟨u, x⟩)
/// translates every point near p by the same vector, so a whole box around p moves rigidly (its
/// radii do not change), and the kinks stay at least min(θ, gap − ε) away from every point of the
/// hardmax trajectory. The width-3 hat of Lemma 4.8 puts its middle kink *on* p, so every box
/// around p would straddle it; the trapezoid costs one more neuron and removes that.
public struct TrapezoidHat: Sendable, Equatable {
    public var direction: Token
    /// a = ⟨u, p⟩.
    public var centre: Rational
    /// ε: the trapezoid vanishes outside (a − ε, a + ε).
    public var outerHalfWidth: Rational
    /// θ: the top is flat on [a − θ, a + θ].
    public var innerHalfWidth: Rational
    /// D: FF adds (ε − θ)·D on the flat top.
    public var displacement: Token

    /// The width-4 ridge.
    public var ridge: FeedForwardLayer.Ridge {
        let minus = displacement.map { -$0 }
        return FeedForwardLayer.Ridge(direction: direction, neurons: [
            .init(bias: outerHalfWidth - centre, output: displacement),
            .init(bias: innerHalfWidth - centre, output: minus),
            .init(bias: -innerHalfWidth - centre, output: minus),
            .init(bias: -outerHalfWidth - centre, output: displacement),
        ])
    }

    /// The trapezoid with the same peak translation as the width-3 hat `ridge`, half its support
    /// (ε′ = ε/2) and a flat top of half-width ε/4; nil when `ridge` is not a hat of Lemma 4.8
    /// (three neurons with kinks a − ε, a, a + ε and outputs D, −2D, D).
    ///
    /// On the points of the hardmax trajectory both agree: the hat's own point gets ε·D = (ε′ − θ)·4D,
    /// and every other point lies at least ε from a (the hat's half-width is at most the distance to
    /// its nearest neighbour), so outside both supports. Kinks end up ε/4 from the moved point and
    /// ε/2 from every other point.
    public init?(hat ridge: FeedForwardLayer.Ridge) {
        guard ridge.neurons.count == 3 else { return nil }
        let n = ridge.neurons.sorted { $0.bias > $1.bias }
        let eps = n[0].bias - n[1].bias
        guard eps > .zero, n[1].bias - n[2].bias == eps,
              n[2].output == n[0].output, n[1].output == n[0].output.map({ Rational(-2) * $0 }),
              n[0].output.contains(where: { !$0.isZero }) else { return nil }
        direction = ridge.direction
        centre = -n[1].bias
        outerHalfWidth = eps / Rational(2)
        innerHalfWidth = eps / Rational(4)
        displacement = n[0].output.map { Rational(4) * $0 }
    }
}

/// Rebuilding hardmax layers with margins (docs/mathematics.md#softmax-margins): every hat ridge becomes a trapezoid.
enum MarginConversion {
    /// `layer` with each Lemma 4.8 hat replaced by its trapezoid; the number of hats replaced.
    static func withMargins(_ layer: FeedForwardLayer) -> (layer: FeedForwardLayer, converted: Int) {
        var converted = 0
        let ridges = layer.ridges.map { ridge -> FeedForwardLayer.Ridge in
            guard let trapezoid = TrapezoidHat(hat: ridge) else { return ridge }
            converted += 1
            return trapezoid.ridge
        }
        return (FeedForwardLayer(eta: layer.eta, ridges: ridges), converted)
    }
}
