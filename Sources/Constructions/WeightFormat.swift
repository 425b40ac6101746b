import ExactArithmetic
import TransformerModel

/// Which numbers a construction may use for its parameters (docs/construction.md#float-weights).
///
/// `.exact` (the default) allows any rational. `.float(f)` asks for a model whose every parameter
/// is exactly a value of the binary format f, so that the weights loaded in a float framework are
/// the weights that were certified. The stages then choose dyadic numbers where they have a free
/// choice: hat half-widths and staircase ramps are powers of two below the gap they must fit in,
/// β is taken from the dyadic candidates, and the sphere leaders of the collapse are integer
/// points of one common norm instead of rational points of the unit sphere. Directions (moment
/// curve), lifts, shifts and δ are integers or powers of two already. Whether every parameter then
/// fits the format's precision and range is checked on the finished model
/// (`firstNonRepresentable`), never assumed.
public enum WeightFormat: Sendable, Equatable {
    case exact
    case float(BinaryFloatFormat)

    /// True when the construction must use dyadic numbers.
    public var isDyadic: Bool { self != .exact }

    /// The format's name: "exact", "float64", "float32".
    public var name: String {
        switch self {
        case .exact: return "exact"
        case .float(let f): return f.rawValue
        }
    }

    /// A half-width (or ramp length) that fits in `bound` > 0: the bound itself, or the largest
    /// power of two ≤ bound.
    func width(atMost bound: Rational) -> Rational {
        isDyadic ? GenericDirection.powerOfTwo(atMost: bound) : bound
    }

    /// True when `x` may be used as a parameter: any rational, or a dyadic one.
    func allows(_ x: Rational) -> Bool {
        guard isDyadic else { return true }
        let q = x.denominator
        return q == Rational.one || (q.isInteger && GenericDirection.powerOfTwo(atMost: q) == q)
    }

    /// The first coordinate of the dataset (as given) that is not a value of the format, as
    /// "pair j, input token t, coordinate c: value"; nil when all are (or for `.exact`).
    public func firstNonRepresentable(in data: Dataset) -> String? {
        guard case .float(let f) = self else { return nil }
        for (j, pair) in data.pairs.enumerated() {
            for (side, tokens) in [("input", pair.input), ("output", pair.output)] {
                for (t, token) in tokens.enumerated() {
                    for (c, x) in token.enumerated() where !x.isRepresentable(in: f) {
                        return "pair \(j), \(side) token \(t), coordinate \(c): \(x) is not exactly a \(f.rawValue)"
                    }
                }
            }
        }
        return nil
    }

    /// The first parameter of `model` that is not a value of the format, named by block and
    /// place; nil when all are (or for `.exact`).
    public func firstNonRepresentable(in model: Transformer) -> String? {
        guard case .float(let f) = self else { return nil }
        func bad(_ xs: [Rational]) -> Rational? { xs.first { !$0.isRepresentable(in: f) } }
        for (i, block) in model.blocks.enumerated() {
            let at = "block \(i) (\(block.stage))"
            let ff = block.feedForward
            if let x = bad([ff.eta]) { return "\(at) η: \(x)" }
            for (r, ridge) in ff.ridges.enumerated() {
                if let x = bad(ridge.direction) { return "\(at) ridge \(r) direction: \(x)" }
                for (n, neuron) in ridge.neurons.enumerated() {
                    if let x = bad([neuron.bias] + neuron.output) { return "\(at) ridge \(r) neuron \(n): \(x)" }
                }
            }
            let sa = block.attention
            if let x = bad([sa.rho]) { return "\(at) ρ: \(x)" }
            for (h, head) in sa.heads.enumerated() {
                var scores: [Rational] = []
                switch head.scores {
                case .zero: break
                case .scaledIdentity(let a): scores = [a]
                case .rankOne(let p, let q): scores = p + q
                case .general(let m): scores = m.flatMap { $0 }
                case .queryKey(let q, let k): scores = q.flatMap { $0 } + k.flatMap { $0 }
                }
                if let x = bad(scores) { return "\(at) head \(h) scores: \(x)" }
                var values: [Rational] = []
                switch head.value {
                case .zero: break
                case .scaledIdentity(let v): values = [v]
                case .general(let m): values = m.flatMap { $0 }
                }
                if let x = bad(values) { return "\(at) head \(h) values: \(x)" }
            }
        }
        if let t = model.temperature, !t.isRepresentable(in: f) { return "temperature: \(t)" }
        return nil
    }

    /// `count` distinct points of ℤ^d, every coordinate ≤ −1, all of one squared norm, none in
    /// `avoid`: the smallest norm with enough such points among the vectors with entries in [1, M],
    /// M = 2, 4, 8, … (while M^d stays below about 4·10⁶). Small norms have many points in d ≥ 3;
    /// in d = 2 the norm must be a sum of two squares in many ways (a few dozen points fit the
    /// limit). nil when none is found.
    static func integerSpherePoints(_ count: Int, dimension d: Int, avoiding avoid: Set<Token>) -> [Token]? {
        if count == 0 { return [] }
        var m = 2
        while true {
            var total = 1
            for _ in 0..<d {
                let (p, o) = total.multipliedReportingOverflow(by: m)
                if o || p > 4_000_000 { return nil }
                total = p
            }
            // Only norms ≤ m² + d − 1 are complete in [1, m]^d (every point of such a norm is inside).
            let limit = m * m + d - 1
            var counts = [Int32](repeating: 0, count: limit + 1)
            forEachVector(d, m) { v in
                let norm = v.reduce(0) { $0 + $1 * $1 }
                if norm <= limit { counts[norm] += 1 }
            }
            for norm in 0...limit where Int(counts[norm]) >= count {
                var points: [Token] = []
                forEachVector(d, m) { v in
                    if points.count < count && v.reduce(0, { $0 + $1 * $1 }) == norm {
                        let p = v.map { Rational(-$0) }
                        if !avoid.contains(p) { points.append(p) }
                    }
                }
                if points.count == count { return points }
            }
            m *= 2
        }
    }

    /// Calls `body` on every vector of [1, m]^d in lexicographic order.
    private static func forEachVector(_ d: Int, _ m: Int, _ body: ([Int]) -> Void) {
        var v = [Int](repeating: 1, count: d)
        while true {
            body(v)
            var c = d - 1
            while c >= 0 {
                if v[c] < m { v[c] += 1; break }
                v[c] = 1
                c -= 1
            }
            if c < 0 { return }
        }
    }
}
