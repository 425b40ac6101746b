/// Word-sized integer helpers for the fast path of `Rational`.

/// Greatest common divisor of two unsigned integers by the binary (Stein) algorithm; gcd(0, b) = b.
/// The word-sized gcd of the fast path (`gcdWide` ends in it).
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

/// Greatest common divisor of two 128-bit magnitudes: Euclid's remainder steps while the smaller
/// operand is wider than a word, then the word-sized binary algorithm. Stein's algorithm on two-word
/// integers costs up to 128 rounds of two-word shifts and subtractions; here a word-sized operand
/// (the usual case: a sum of products over a word-sized denominator) takes one 128-bit remainder.
@inlinable
func gcdWide(_ a: UInt128, _ b: UInt128) -> UInt128 {
    var (u, v) = a >= b ? (a, b) : (b, a)
    while v > UInt128(UInt.max) { (u, v) = (v, u % v) }
    if v == 0 { return u }
    return UInt128(gcdWord(UInt(truncatingIfNeeded: u % v), UInt(truncatingIfNeeded: v)))
}
