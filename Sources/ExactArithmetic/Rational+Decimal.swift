/// Short decimal approximations of rationals, computed exactly (no `Double`).
extension Rational {
    /// How `scientific` rounds: to nearest (ties away from zero), or toward −∞ or +∞ — directed
    /// rounding keeps a printed interval [down(lo), up(hi)] around the exact one.
    public enum DecimalRounding: Sendable { case nearest, down, up }

    /// "1.234e5", "-2.000e-3", "0": the value rounded to `digits` significant decimal digits
    /// (1…18; nearest, ties up, unless `rounding` says otherwise), for reports; a JSON number as written.
    public func scientific(digits: Int = 4, rounding: DecimalRounding = .nearest) -> String {
        if isZero { return "0" }
        let negative = signum < 0
        let m = magnitude
        let ten = Rational(10)
        func power(_ k: Int) -> Rational { (try? ten.power(k)) ?? .one }
        // 10^e ≤ m < 10^(e+1), from a bit-length estimate (log10 2 ≈ 0.30103).
        var e = (m.numeratorBitLength - m.denominatorBitLength) * 30103 / 100000
        while power(e) > m { e -= 1 }
        while power(e + 1) <= m { e += 1 }
        let k = min(max(digits, 1), 18)
        let scaled = m / power(e - k + 1)
        // The magnitude goes down for a value rounded toward zero, up away from it.
        let awayFromZero = rounding == .up && !negative || rounding == .down && negative
        let rounded: Rational
        switch rounding {
        case .nearest: rounded = (scaled + Rational(1) / Rational(2)).floor
        case .down, .up: rounded = awayFromZero ? -((-scaled).floor) : scaled.floor
        }
        var leading = rounded.exactInt ?? 0
        if leading >= (power(k).exactInt ?? Int.max) { leading /= 10; e += 1 }
        let text = String(leading)
        let mantissa = k == 1 ? text : String(text.prefix(1)) + "." + String(text.dropFirst())
        return (negative ? "-" : "") + mantissa + (e == 0 ? "" : "e\(e)")
    }
}
