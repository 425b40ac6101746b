import CGMP

extension Rational {
    /// ⟨a, b⟩ without rounding, fast for small entries.
    ///
    /// The products of inline entries are summed as one fraction with 128-bit numerator and a
    /// word-sized common denominator (the lcm of the terms' denominators), reduced once at the end:
    /// vectors whose entries share a denominator, the usual case for token data and for the
    /// parameters the constructions build, never run a gcd per term. When an entry is a GMP value or
    /// a word overflows, the rest of the sum runs in one GMP accumulator, as a C `mpq_t` loop would.
    public static func dot(_ a: [Rational], _ b: [Rational]) -> Rational {
        precondition(a.count == b.count, "dot of vectors of lengths \(a.count) and \(b.count)")
        let n = a.count
        var accN: Int128 = 0
        var accD: UInt = 1
        var i = 0
        fast: while i < n {
            guard case let .small(an, ad) = a[i].storage, case let .small(bn, bd) = b[i].storage else { break fast }
            let p = Int128(an) * Int128(bn)
            let (td, o1) = UInt(ad).multipliedReportingOverflow(by: UInt(bd))
            if o1 { break fast }
            if td == accD {
                let (s, o) = accN.addingReportingOverflow(p)
                if o { break fast }
                accN = s
            } else {
                let g = gcdWord(accD, td)
                let fa = td / g, ft = accD / g
                let (l, o2) = accD.multipliedReportingOverflow(by: fa)
                let (x, o3) = accN.multipliedReportingOverflow(by: Int128(fa))
                let (y, o4) = p.multipliedReportingOverflow(by: Int128(ft))
                if o2 || o3 || o4 { break fast }
                let (s, o5) = x.addingReportingOverflow(y)
                if o5 { break fast }
                accN = s
                accD = l
            }
            i += 1
        }
        let head = reduced(accN, UInt128(accD))
        if i == n { return head }
        // Slow tail: one GMP accumulator and one scratch value, no allocation per term.
        return head.withMPQ { h in
            build { acc in
                __gmpq_set(acc, h)
                withTemporaryMPQ { t in
                    for k in i..<n {
                        a[k].withMPQ { x in b[k].withMPQ { y in
                            __gmpq_mul(t, x, y)
                            __gmpq_add(acc, acc, t)
                        } }
                    }
                }
            }
        }
    }
}
