extension Rational {
    /// Σ values without rounding, by pairwise (balanced) summation.
    ///
    /// Adding terms one by one to a running total costs the total's size for every term; when the
    /// terms have many different denominators the total's denominator is their lcm, so that is
    /// quadratic in the number of terms (the Tikhonov bound of a model with 10⁵ parameters of
    /// distinct denominators took minutes). Summing pairs, then pairs of pairs, keeps the operands
    /// of each level about equal in size: the same exact result at a fraction of the cost.
    public static func sum(_ values: [Rational]) -> Rational {
        if values.isEmpty { return .zero }
        var level = values
        while level.count > 1 {
            var next: [Rational] = []
            next.reserveCapacity((level.count + 1) / 2)
            var i = 0
            while i + 1 < level.count {
                next.append(level[i] + level[i + 1])
                i += 2
            }
            if i < level.count { next.append(level[i]) }
            level = next
        }
        return level[0]
    }
}

extension Rational {
    /// Σ xᵢ² without rounding (`SquareSum`): the same value as `sum(values.map { $0 * $0 })`.
    public static func sumOfSquares(_ values: [Rational]) -> Rational {
        var acc = SquareSum()
        acc.add(squaresOf: values)
        return acc.total
    }

    /// Σ over the rows of Σ xᵢ² (`SquareSum`).
    public static func sumOfSquares(_ rows: [[Rational]]) -> Rational {
        var acc = SquareSum()
        for row in rows { acc.add(squaresOf: row) }
        return acc.total
    }
}

/// An exact running sum of squares, Σ xᵢ².
///
/// Inline values are grouped by denominator: the squares of one denominator q are summed as
/// integers (Σ pᵢ², 128 bits, flushed before it would overflow) and divided by q² once, so a
/// group costs one gcd however many terms it has. The group totals and the squares of GMP values
/// are then added by `Rational.sum(_:)` (pairwise). The result is the exact sum, whatever the
/// grouping and the order of the terms.
public struct SquareSum {
    private var totals: [Int: Int128] = [:]
    private var terms: [Rational] = []
    /// The denominator of the previous value and its running total (consecutive values often
    /// share one): 0 before the first inline value.
    private var lastDenominator = 0
    private var lastTotal: Int128 = 0

    public init() {}

    /// Adds x².
    @inline(__always)
    public mutating func add(squareOf x: Rational) {
        switch x.storage {
        case .small(let n, let d):
            if n == 0 { return }
            let square = Int128(n) * Int128(n)  // |n| < 2^63: n² < 2^126
            if d != lastDenominator {
                settle()
                lastDenominator = d
                lastTotal = 0
            }
            let (s, o) = lastTotal.addingReportingOverflow(square)
            if o {
                flush(d, lastTotal)
                lastTotal = square
            } else {
                lastTotal = s
            }
        case .big:
            terms.append(x * x)
        }
    }

    /// Adds Σ xᵢ² over `values`.
    public mutating func add(squaresOf values: [Rational]) {
        for x in values { add(squareOf: x) }
    }

    /// Σ xᵢ² of every value added.
    public var total: Rational {
        var copy = self
        copy.settle()
        copy.lastDenominator = 0
        // Sorted: the same additions in the same order on every run (the value never depends on it).
        for d in copy.totals.keys.sorted() { copy.flush(d, copy.totals[d] ?? 0) }
        return Rational.sum(copy.terms)
    }

    private mutating func flush(_ d: Int, _ total: Int128) {
        if total == 0 { return }
        let q = UInt128(UInt(d))
        terms.append(Rational.reduced(total, q * q))  // q < 2^63: q² < 2^126
    }

    /// Moves the running total into its denominator's group.
    private mutating func settle() {
        guard lastDenominator != 0 else { return }
        if let previous = totals[lastDenominator] {
            let (s, o) = previous.addingReportingOverflow(lastTotal)
            if o { flush(lastDenominator, lastTotal) } else { totals[lastDenominator] = s }
        } else {
            totals[lastDenominator] = lastTotal
        }
        lastTotal = 0
    }
}
