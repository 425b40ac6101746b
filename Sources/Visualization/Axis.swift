import Certification
/// One axis of a panel: the data window [lo, hi] and round tick marks (1, 2 or 5 × 10^e).
///
/// Tick labels are built from integers (k × 10^e), not printed from doubles, so they are exact
/// and identical on every platform.
struct Axis: Equatable {
    var lo: Double
    var hi: Double
    /// Tick step m × 10^e with m ∈ {1, 2, 5}; nil when the window is too far out for ticks.
    var step: (mantissa: Int, exponent: Int)?

    static func == (l: Axis, r: Axis) -> Bool {
        l.lo == r.lo && l.hi == r.hi && l.step?.mantissa == r.step?.mantissa && l.step?.exponent == r.step?.exponent
    }

    /// A window around `values` (finite), padded and snapped outward to the tick step.
    init(covering values: [Double]) {
        var lo = values.min() ?? 0, hi = values.max() ?? 0
        if !(hi > lo) {
            let half = lo == 0 ? 1 : max(abs(lo) / 4, 1e-300)
            lo -= half
            hi += half
        }
        let pad = (hi - lo) * 0.06
        lo -= pad
        hi += pad
        self.lo = lo
        self.hi = hi
        step = Axis.niceStep(hi - lo)
        if let s = step {
            let size = Double(s.mantissa) * Axis.powerOfTen(s.exponent)
            let a = (lo / size).rounded(.down), b = (hi / size).rounded(.up)
            if abs(a) < 1e15 && abs(b) < 1e15 {
                self.lo = a * size
                self.hi = b * size
            } else {
                step = nil
            }
        }
    }

    /// Widens the window symmetrically to `width` data units (for equal scales on both axes).
    mutating func widen(to width: Double) {
        guard width > hi - lo else { return }
        let mid = lo / 2 + hi / 2
        lo = mid - width / 2
        hi = mid + width / 2
        if step != nil { step = Axis.niceStep(hi - lo) }  // about five ticks on the wider window too
    }

    /// 10^e by repeated multiplication (no libm: the same bits everywhere); e clamped to ±300.
    static func powerOfTen(_ e: Int) -> Double {
        let n = min(abs(e), 300)
        var p = 1.0
        for _ in 0..<n { p *= 10 }
        return e >= 0 ? p : 1 / p
    }

    /// About five ticks over `range`.
    static func niceStep(_ range: Double) -> (mantissa: Int, exponent: Int)? {
        guard range.isFinite, range > 0 else { return nil }
        let raw = range / 5
        var e = 0
        while e < 300 && powerOfTen(e + 1) <= raw { e += 1 }
        while e > -300 && powerOfTen(e) > raw { e -= 1 }
        let r = raw / powerOfTen(e)
        if r < 1.5 { return (1, e) }
        if r < 3.5 { return (2, e) }
        if r < 7.5 { return (5, e) }
        return (1, e + 1)
    }

    /// Power of ten factored out of the tick labels ("0 5 10 (×10¹²)") when they would be long.
    var factorExponent: Int {
        guard let s = step, s.exponent >= 6 || s.exponent <= -5 else { return 0 }
        return s.exponent
    }

    /// Tick positions (data units) and their labels (in units of 10^factorExponent).
    var ticks: [(value: Double, label: String)] {
        guard let s = step else { return [] }
        let size = Double(s.mantissa) * Axis.powerOfTen(s.exponent)
        let a = (lo / size).rounded(.up), b = (hi / size).rounded(.down)
        guard abs(a) < 1e15, abs(b) < 1e15, a <= b, b - a < 100 else { return [] }
        return (Int(a)...Int(b)).map { i in
            (Double(i) * size, Axis.label(i * s.mantissa, exponent: s.exponent - factorExponent))
        }
    }

    /// k × 10^e as short decimal text.
    static func label(_ k: Int, exponent e: Int) -> String {
        if k == 0 { return "0" }
        let negative = k < 0
        var digits = String(k.magnitude)
        var e = e
        while digits.count > 1 && digits.hasSuffix("0") { digits.removeLast(); e += 1 }
        let body: String
        if e >= 0 && digits.count + e <= 9 {
            body = digits + String(repeating: "0", count: e)
        } else if e < 0 && -e <= 9 {
            let padded = String(repeating: "0", count: max(0, -e - digits.count + 1)) + digits
            let cut = padded.index(padded.endIndex, offsetBy: e)
            body = padded[..<cut] + "." + padded[cut...]
        } else {
            body = digits + "e" + String(e)
        }
        return (negative ? "−" : "") + body
    }
}
