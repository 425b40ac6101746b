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
