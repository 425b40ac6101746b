import CGMP

extension Rational {
    /// The exact value of a finite double (every double is a dyadic rational).
    public init(exactly x: Double) throws(ArithmeticError) {
        guard x.isFinite else { throw .nonFiniteDouble(x) }
        if x == 0 { self = .zero; return }
        let biased = Int(x.exponentBitPattern)
        var m = UInt(x.significandBitPattern) | (biased == 0 ? 0 : 1 << 52)
        var p = (biased == 0 ? 1 : biased) - 1075   // x = ±m · 2^p
        let tz = m.trailingZeroBitCount
        m >>= tz
        p += tz
        let negative = x.sign == .minus
        let bits = UInt.bitWidth - m.leadingZeroBitCount
        if p >= 0, p + bits <= 62 {
            let v = Int(m << p)
            self = Rational(storage: .small(negative ? -v : v, 1))
        } else if p < 0, -p <= 62 {
            self = Rational(storage: .small(negative ? -Int(m) : Int(m), 1 << -p))
        } else {
            self = Rational.build { q in
                let num = numeratorRef(q), den = denominatorRef(q)
                __gmpz_set_ui(num, m)
                __gmpz_set_ui(den, 1)
                if p >= 0 { __gmpz_mul_2exp(num, num, UInt(p)) } else { __gmpz_mul_2exp(den, den, UInt(-p)) }
                if negative { __gmpz_neg(num, num) }
            }
        }
    }

    /// The double nearest to this value, ties to even (GMP's `mpq_get_d` truncates instead).
    /// Values beyond the double range become ±infinity; tiny ones round to subnormals or ±0.
    public var doubleValue: Double {
        if case let .small(a, b) = storage, a.magnitude <= 1 << 53, b <= 1 << 53 {
            return Double(a) / Double(b)  // both exact, IEEE division rounds correctly
        }
        return withMPQ { q in Rational.roundToNearestEven(q) }
    }

    private static func roundToNearestEven(_ q: UnsafeMutablePointer<__mpq_struct>) -> Double {
        let num = numeratorRef(q), den = denominatorRef(q)
        let sign = num.pointee._mp_size
        if sign == 0 { return 0 }
        return withTemporaryMPZ { a in
            withTemporaryMPZ { quotient in
                withTemporaryMPZ { remainder in
                    __gmpz_abs(a, num)
                    let nb = Int(__gmpz_sizeinbase(a, 2)), db = Int(__gmpz_sizeinbase(den, 2))
                    // value = |num|/den ∈ [2^(nb-db-1), 2^(nb-db+1)); take ≥ 57 quotient bits.
                    let s = 57 + db - nb
                    if s >= 0 {
                        __gmpz_mul_2exp(a, a, UInt(s))
                        __gmpz_tdiv_qr(quotient, remainder, a, den)
                    } else {
                        __gmpz_mul_2exp(remainder, den, UInt(-s))  // remainder reused as scaled divisor
                        __gmpz_tdiv_qr(quotient, remainder, a, remainder)
                    }
                    let sticky = remainder.pointee._mp_size != 0
                    let qb = Int(__gmpz_sizeinbase(quotient, 2))
                    let e = qb - 1 - s                        // floor(log2 value)
                    let negative = sign < 0
                    if e > 1023 { return negative ? -Double.infinity : Double.infinity }
                    let ulp = max(e - 52, -1074)
                    let shift = ulp + s                       // ≥ 4: bits below the last kept one
                    let halfBit = __gmpz_tstbit(quotient, UInt(shift - 1)) != 0
                    let lowerBits = Int(__gmpz_scan1(quotient, 0)) < shift - 1
                    __gmpz_tdiv_q_2exp(quotient, quotient, UInt(shift))
                    var m = __gmpz_get_ui(quotient)            // < 2^53 here
                    if halfBit && (lowerBits || sticky || m & 1 == 1) { m += 1 }
                    let magnitude = Double(sign: .plus, exponent: ulp, significand: Double(m))
                    return negative ? -magnitude : magnitude
                }
            }
        }
    }
}
