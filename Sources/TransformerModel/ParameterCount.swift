import ExactArithmetic

/// Parameter counts with the one convention of Remark 1.5 (see docs/mathematics.md#parameter-count).
public struct ParameterCount: Sendable, Equatable {
    /// Counting structured forms as stored (ridges, rank one, scaled identity).
    public var structured: Int
    /// Counting every matrix in full: FF 2wd + w + 1, SA 2d² + 1 per head.
    public var dense: Int

    public init(structured: Int = 0, dense: Int = 0) {
        self.structured = structured
        self.dense = dense
    }

    public static func + (l: ParameterCount, r: ParameterCount) -> ParameterCount {
        ParameterCount(structured: l.structured + r.structured, dense: l.dense + r.dense)
    }
}

extension FeedForwardLayer {
    /// d per distinct non-zero row of U, + w + d·w + 1; dense 2wd + w + 1.
    public func parameterCount(dimension d: Int) -> ParameterCount {
        let w = width
        let rows = Set(ridges.filter { $0.neurons.count > 0 && !$0.direction.allSatisfy(\.isZero) }.map(\.direction))
        return ParameterCount(structured: d * rows.count + w + d * w + 1, dense: 2 * w * d + w + 1)
    }
}

extension SelfAttentionLayer {
    /// A (0 | 1 | 2d | d² | 2kd) + V (0 | 1 | d²) per head, + 1 for ρ; dense 2d² per head + 1.
    public func parameterCount(dimension d: Int) -> ParameterCount {
        var structured = 1
        for h in heads {
            switch h.scores {
            case .zero: break
            case .scaledIdentity: structured += 1
            case .rankOne: structured += 2 * d
            case .general: structured += d * d
            case .queryKey(let q, _): structured += 2 * q.count * d
            }
            switch h.value {
            case .zero: break
            case .scaledIdentity: structured += 1
            case .general: structured += d * d
            }
        }
        return ParameterCount(structured: structured, dense: 2 * d * d * max(heads.count, 1) + 1)
    }
}

extension Transformer {
    /// Padding layers (`Block.Padding`: identities added by an import) are not counted.
    public var parameterCount: ParameterCount {
        blocks.reduce(ParameterCount()) { acc, b in
            acc + (b.padding.feedForward ? ParameterCount() : b.feedForward.parameterCount(dimension: dimension))
                + (b.padding.attention ? ParameterCount() : b.attention.parameterCount(dimension: dimension))
        }
    }

    /// Largest FF width.
    public var maximumWidth: Int { blocks.map(\.feedForward.width).max() ?? 0 }

    /// Every rational parameter of the model, for bit-size statistics.
    public var allParameters: [Rational] { blocks.flatMap(\.allParameters) }

    /// Largest numerator and denominator bit lengths over all parameters.
    public var largestBitLengths: (numerator: Int, denominator: Int) {
        blocks.reduce((0, 0)) { acc, b in
            let l = b.largestBitLengths
            return (max(acc.0, l.numerator), max(acc.1, l.denominator))
        }
    }
}

extension Block {
    public var allParameters: [Rational] {
        var out: [Rational] = [feedForward.eta, attention.rho]
        for r in feedForward.ridges {
            out += r.direction
            for n in r.neurons { out.append(n.bias); out += n.output }
        }
        for h in attention.heads {
            switch h.scores {
            case .zero: break
            case .scaledIdentity(let a): out.append(a)
            case .rankOne(let p, let q): out += p + q
            case .general(let m): out += m.flatMap { $0 }
            case .queryKey(let q, let k): out += q.flatMap { $0 } + k.flatMap { $0 }
            }
            switch h.value {
            case .zero: break
            case .scaledIdentity(let v): out.append(v)
            case .general(let m): out += m.flatMap { $0 }
            }
        }
        return out
    }

    public var largestBitLengths: (numerator: Int, denominator: Int) {
        allParameters.reduce((0, 0)) { (max($0.0, $1.numeratorBitLength), max($0.1, $1.denominatorBitLength)) }
    }
}
