import CGMP

/// Powers of two and directed rounding to short dyadic rationals m·2^e.
///
/// The softmax certificate (see docs/mathematics.md#enclosure-certificate) carries error radii through hundreds of layers. Exact radii
/// would grow without bound in bit size; rounding each one *up* to a dyadic with a few significant
/// bits keeps it short and keeps it an upper bound, so every enclosure stays sound.
extension Rational {
    /// An integer e with |x| ≥ 2^e, for x ≠ 0, from bit lengths alone (|p|/q > 2^(bits(p) − 1 − bits(q))):
    /// the enclosure evaluator decides most comparisons with it before computing anything.
    public var log2LowerBound: Int { numeratorBitLength - denominatorBitLength - 1 }
    /// An integer e with |x| < 2^e, for x ≠ 0 (|p|/q < 2^(bits(p) − (bits(q) − 1))).
    public var log2UpperBound: Int { numeratorBitLength - denominatorBitLength + 1 }

    /// 2^k, for any integer k.
    public static func powerOfTwo(_ k: Int) -> Rational { Rational.one.timesPowerOfTwo(k) }

    /// x·2^k exactly.
    public func timesPowerOfTwo(_ k: Int) -> Rational {
        if k == 0 || isZero { return self }
        if case let .small(a, b) = storage, k.magnitude < 62 {
            // |a|·2^k and b·2^−k stay below 2^127: the inline path, reduced once.
            return k > 0 ? Rational.reduced(Int128(a) << k, UInt128(b)) : Rational.reduced(Int128(a), UInt128(b) << -k)
        }
        return gmpUnary { out, q in
            if k > 0 { __gmpq_mul_2exp(out, q, UInt(k)) } else { __gmpq_div_2exp(out, q, UInt(k.magnitude)) }
        }
    }

    /// The smallest m·2^e ≥ x with |m| < 2^(bits+1) (x itself when it already is that short).
    public func roundedUp(significantBits bits: Int) -> Rational { roundedDyadic(bits, up: true) }

    /// The largest m·2^e ≤ x with |m| < 2^(bits+1).
    public func roundedDown(significantBits bits: Int) -> Rational { roundedDyadic(bits, up: false) }

    private func roundedDyadic(_ bits: Int, up: Bool) -> Rational {
        if isZero { return self }
        // x·2^s lies in (2^(bits−1), 2^(bits+1)): its ceiling or floor has at most bits + 1 bits.
        let s = max(bits, 1) - (numeratorBitLength - denominatorBitLength)
        let scaled = timesPowerOfTwo(s)
        if scaled.isInteger { return self }
        return (up ? scaled.ceiling : scaled.floor).timesPowerOfTwo(-s)
    }
}
