/// Word-sized integer helpers for the fast path of `Rational`.

/// Greatest common divisor of two unsigned integers by the binary (Stein) algorithm; gcd(0, b) = b.
/// The one implementation behind every width the fast path uses.
@inlinable
func binaryGCD<T: FixedWidthInteger & UnsignedInteger>(_ a: T, _ b: T) -> T {
    var u = a, v = b
    if u == 0 { return v }
    if v == 0 { return u }
    let shift = (u | v).trailingZeroBitCount
    u >>= u.trailingZeroBitCount
    repeat {
        v >>= v.trailingZeroBitCount
        if u > v { swap(&u, &v) }
        v -= u
    } while v != 0
    return u << shift
}

/// Greatest common divisor of two unsigned words.
@inlinable
func gcdWord(_ a: UInt, _ b: UInt) -> UInt { binaryGCD(a, b) }

/// Greatest common divisor of a 128-bit magnitude and a word.
@inlinable
func gcdWide(_ a: UInt128, _ b: UInt) -> UInt {
    if b == 0 { return UInt(truncatingIfNeeded: a) }  // only called with a fitting `a` then
    return gcdWord(UInt(truncatingIfNeeded: a % UInt128(b)), b)
}

/// Greatest common divisor of two 128-bit magnitudes.
@inlinable
func gcdWide(_ a: UInt128, _ b: UInt128) -> UInt128 { binaryGCD(a, b) }
