import ExactArithmetic
import TransformerModel

/// An axis-aligned box { x : |x_e − c_e| ≤ r_e for every coordinate e } around a token (see docs/mathematics.md#enclosure-certificate).
///
/// The centre is exact; the radii are non-negative dyadics rounded outward, so they stay short. A
/// box with every radius zero is an exact point. Per-coordinate radii (rather than one ℓ∞ radius)
/// let a box that lies on a coordinate axis keep that fact: the narrow softmax layout projects
/// every cluster onto an axis before collapsing it (docs/mathematics.md#re-collapse), and only then can a residual layer
/// map the cluster's box to an exact point.
public struct Box: Sendable, Hashable, CustomStringConvertible {
    public var centre: Token
    public var radius: [Rational]

    /// The exact point x (radius 0).
    public init(point: Token) {
        centre = point
        radius = [Rational](repeating: .zero, count: point.count)
    }

    /// The box with the given centre and radii (the caller keeps radii ≥ 0).
    public init(centre: Token, radius: [Rational]) {
        self.centre = centre
        self.radius = radius
    }

    /// True when every radius is zero: the box is the single point `centre`.
    public var isPoint: Bool { radius.allSatisfy(\.isZero) }

    /// max_e r_e.
    public var largestRadius: Rational { radius.max() ?? .zero }

    /// True when x lies in the box.
    public func contains(_ x: Token) -> Bool {
        x.count == centre.count && x.indices.allSatisfy { (x[$0] - centre[$0]).magnitude <= radius[$0] }
    }

    /// "[c_1, …] ± [r_1, …]", or the point alone.
    public var description: String {
        let c = "[" + centre.map(\.description).joined(separator: ", ") + "]"
        return isPoint ? c : c + " ± [" + radius.map(\.description).joined(separator: ", ") + "]"
    }
}

/// Which half of a block an enclosure event happened in.
public enum EnclosureSublayer: String, Sendable {
    case feedForward = "FF"
    case attention = "SA"
}

/// A place where the enclosure could not follow the exact piecewise-affine structure.
///
/// Either a box straddles a ReLU kink (the layer is not affine on it, so the evaluator falls back
/// to interval arithmetic for that neuron), or attention cannot certify which key a token
/// attends to (two keys with different values both may have the top score). Neither makes the
/// enclosure unsound; both are why a certificate can fail, and the first one is what a failing
/// certificate reports.
public struct EnclosureEvent: Sendable, CustomStringConvertible {
    public enum Kind: Sendable {
        /// Neuron `neuron` (flat index over the layer; ridge `ridge`) has pre-activations
        /// `centre ± spread` on the box, with |centre| < spread: the box crosses its kink.
        case kinkCrossed(neuron: Int, ridge: Int, centre: Rational, spread: Rational)
        /// In head `head`, key `key` cannot be shown to score below `leader`, yet their values differ.
        case attentionUnresolved(head: Int, key: Int, leader: Int)
    }

    /// Block index (0-based).
    public var block: Int
    public var stage: Block.Stage
    public var sublayer: EnclosureSublayer
    /// Token index in the sequence.
    public var token: Int
    public var kind: Kind

    public var description: String {
        let place = "block \(block) (0-based) \(sublayer.rawValue) (\(stage)), token \(token)"
        switch kind {
        case let .kinkCrossed(neuron, ridge, centre, spread):
            return "\(place): its box crosses the kink of neuron \(neuron) (ridge \(ridge)): pre-activation \(short(centre)) ± \(short(spread)) contains 0"
        case let .attentionUnresolved(head, key, leader):
            return "\(place): head \(head) cannot separate key \(key) from key \(leader) (score gap not certified positive, different values)"
        }
    }
}

/// A rational in short form: exact when small, else about 6 significant digits.
func short(_ r: Rational) -> String {
    if r.numeratorBitLength + r.denominatorBitLength <= 48 { return r.description }
    let e = r.numeratorBitLength - r.denominatorBitLength
    // m·2^e with m ∈ [1/2, 2): print as a decimal estimate without any Double arithmetic on the exact path.
    let mantissa = r.timesPowerOfTwo(-e + 20).floor
    return "≈\(mantissa)·2^\(e - 20)"
}
