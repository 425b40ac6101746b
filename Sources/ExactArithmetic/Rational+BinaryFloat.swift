/// IEEE 754 binary interchange formats (and bfloat16), as bit patterns, without `Double` arithmetic.
///
/// A tensor file stores numbers as bits. Reading them exactly means decoding sign, exponent and
/// significand as integers: the value is ±m·2^e, a dyadic rational. Writing them means rounding a
/// rational to the nearest representable value, ties to even — the same rule as `doubleValue`,
/// here computed on `Rational` alone for any precision (float32 by way of a double would round
/// twice and could be wrong by one unit in the last place).
public enum BinaryFloatFormat: String, Sendable, CaseIterable {
    case float64, float32, float16, bfloat16

    /// Bits of the biased exponent field.
    public var exponentBits: Int {
        switch self {
        case .float64: return 11
        case .float32, .bfloat16: return 8
        case .float16: return 5
        }
    }

    /// Bits of the stored fraction (the significand has one more, implicit, bit).
    public var fractionBits: Int {
        switch self {
        case .float64: return 52
        case .float32: return 23
        case .float16: return 10
        case .bfloat16: return 7
        }
    }

    /// Bytes per value.
    public var byteCount: Int { (1 + exponentBits + fractionBits) / 8 }

    /// The safetensors dtype name ("F64", "F32", "F16", "BF16").
    public var safetensorsName: String {
        switch self {
        case .float64: return "F64"
        case .float32: return "F32"
        case .float16: return "F16"
        case .bfloat16: return "BF16"
        }
    }

    var bias: Int { (1 << (exponentBits - 1)) - 1 }
    /// Exponent of the unit in the last place of subnormals (and of the smallest normals).
    var minimumUlpExponent: Int { 1 - bias - fractionBits }
    /// Largest unbiased exponent of a finite value.
    var maximumExponent: Int { bias }
}

extension Rational {
    /// The exact value of a finite value of `format` given by its bits (the low `1 + exponent +
    /// fraction` bits of `bits`). Infinities and NaNs throw `.nonFiniteDouble` (they have no value).
    public init(bits: UInt64, format: BinaryFloatFormat) throws(ArithmeticError) {
        let f = format.fractionBits, e = format.exponentBits
        let fraction = bits & ((1 << UInt64(f)) - 1)
        let biased = Int((bits >> UInt64(f)) & ((1 << UInt64(e)) - 1))
        let negative = (bits >> UInt64(f + e)) & 1 == 1
        if biased == (1 << e) - 1 { throw .nonFiniteDouble(negative ? -.infinity : .infinity) }
        // Normal: (2^f + fraction)·2^(biased − bias − f); subnormal (biased = 0): fraction·2^(1 − bias − f).
        let significand = biased == 0 ? fraction : fraction | (1 << UInt64(f))
        let exponent = (biased == 0 ? 1 : biased) - format.bias - f
        let m = Rational(Int(significand))   // < 2^53: fits
        self = (negative ? -m : m).timesPowerOfTwo(exponent)
    }

    /// The bits of the value of `format` nearest to this rational, ties to even; nil when the
    /// rounded magnitude exceeds the format's largest finite value. Tiny values round to
    /// subnormals or to +0 / −0 (the sign is kept).
    public func bits(format: BinaryFloatFormat) -> UInt64? {
        let f = format.fractionBits, e = format.exponentBits
        let signBit: UInt64 = signum < 0 ? 1 << UInt64(f + e) : 0
        if isZero { return 0 }
        let x = magnitude
        // floor(log2 x): x ∈ [2^(nb − db − 1), 2^(nb − db + 1)).
        var floorLog = numeratorBitLength - denominatorBitLength
        if x < Rational.powerOfTwo(floorLog) { floorLog -= 1 }
        if floorLog > format.maximumExponent { return nil }
        // Round x/2^ulp to an integer m (ties to even): x ≈ m·2^ulp, m < 2^(f+1).
        let ulp = max(floorLog - f, format.minimumUlpExponent)
        let scaled = x.timesPowerOfTwo(-ulp)
        var m = scaled.floor
        let rest = scaled - m
        let half = Rational.powerOfTwo(-1)
        if rest > half || (rest == half && !(m.timesPowerOfTwo(-1)).isInteger) { m += .one }
        guard var significand = m.exactInt.map({ UInt64($0) }) else { return nil }  // < 2^(f+2)
        var ulpExponent = ulp
        if significand == 1 << UInt64(f + 1) { significand >>= 1; ulpExponent += 1 }  // rounded up to 2^(f+1)
        if significand == 0 { return signBit }
        if significand < 1 << UInt64(f) { return signBit | significand }          // subnormal
        let biased = ulpExponent + f + format.bias
        if biased >= (1 << e) - 1 { return nil }
        return signBit | (UInt64(biased) << UInt64(f)) | (significand - (1 << UInt64(f)))
    }

    /// The value of `format` nearest to this rational, as an exact rational (nil on overflow).
    public func rounded(to format: BinaryFloatFormat) -> Rational? {
        guard let b = bits(format: format) else { return nil }
        return try? Rational(bits: b, format: format)
    }

    /// True when this rational is exactly a finite value of `format`.
    public func isRepresentable(in format: BinaryFloatFormat) -> Bool {
        // Quick rejections: a denominator that is not a power of two, or too many significant bits.
        if !isZero {
            let den = denominator
            guard den.numeratorBitLength == 1 || (den - Rational.powerOfTwo(den.numeratorBitLength - 1)).isZero else { return false }
        }
        return rounded(to: format) == self
    }
}

extension Rational {
    /// The unit in the last place of this value in `format`: 2^(⌊log₂|x|⌋ − fraction bits) for a
    /// normal magnitude, the subnormal spacing below the normal range (and at 0). For a value of the
    /// format it is the gap to its neighbour away from zero; a tolerance of k ulps of a target is
    /// k times this (docs/trained-models.md#certified-losses).
    public func unitInLastPlace(in format: BinaryFloatFormat) -> Rational {
        if isZero { return Rational.powerOfTwo(format.minimumUlpExponent) }
        let x = magnitude
        var floorLog = numeratorBitLength - denominatorBitLength
        if x < Rational.powerOfTwo(floorLog) { floorLog -= 1 }
        return Rational.powerOfTwo(max(floorLog - format.fractionBits, format.minimumUlpExponent))
    }
}
