import ExactArithmetic
import HardmaxDynamics

/// An SVG picture of a 2-D run of the hardmax dynamics: the hull of the input tokens, every token's
/// trajectory (exact positions, turned into doubles only to be placed on the page), the strict
/// leaders of the last layer as filled discs, the other tokens' last positions as rings, and the
/// certified limit points (when F9 holds) as crosses.
public struct DynamicsPicture: Sendable {
    public let run: DynamicsRun
    public let title: String

    public init(run: DynamicsRun, title: String) {
        self.run = run
        self.title = title
    }

    static let size = 480.0, margin = 40.0

    public var svg: String {
        let layers = run.layers
        var xs: [Double] = [], ys: [Double] = []
        for l in layers { for z in l.tokens where z.count >= 2 { xs.append(z[0].doubleValue); ys.append(z[1].doubleValue) } }
        let lo = min(xs.min() ?? 0, ys.min() ?? 0), hi = max(xs.max() ?? 1, ys.max() ?? 1)
        let span = max(hi - lo, 1e-9) * 1.1, mid = (hi + lo) / 2
        let s = DynamicsPicture.size, m = DynamicsPicture.margin
        func px(_ v: Double) -> Double { m + (v - (mid - span / 2)) / span * s }
        func py(_ v: Double) -> Double { m + s - (v - (mid - span / 2)) / span * s }
        func p(_ z: [Rational]) -> (String, String) { (SVG.number(px(z[0].doubleValue)), SVG.number(py(z[1].doubleValue))) }
        var w = SVGWriter()
        let total = SVG.number(s + 2 * m)
        w.raw("<?xml version=\"1.0\" encoding=\"UTF-8\"?>")
        w.open("svg", [("xmlns", "http://www.w3.org/2000/svg"), ("width", total), ("height", SVG.number(s + 2 * m + 20)),
                       ("viewBox", "0 0 \(total) \(SVG.number(s + 2 * m + 20))"), ("font-family", "sans-serif"), ("font-size", "12")])
        w.empty("rect", [("x", "0"), ("y", "0"), ("width", total), ("height", SVG.number(s + 2 * m + 20)), ("fill", "white")])
        w.text("text", [("x", SVG.number(m)), ("y", "20")], "\(title): α = \(run.system.alpha), \(layers.count - 1) layers")
        if let first = layers.first {
            let hull = DynamicsPicture.hull(first.tokens.map { ($0[0].doubleValue, $0[1].doubleValue) })
            let pts = hull.map { "\(SVG.number(px($0.0))),\(SVG.number(py($0.1)))" }.joined(separator: " ")
            w.empty("polygon", [("points", pts), ("fill", "#eef3fb"), ("stroke", "#8aa"), ("stroke-dasharray", "4 3")])
        }
        let n = layers.first?.tokens.count ?? 0
        for i in 0..<n {
            let pts = layers.map { l -> String in let q = p(l.tokens[i]); return "\(q.0),\(q.1)" }.joined(separator: " ")
            w.empty("polyline", [("points", pts), ("fill", "none"), ("stroke", "#555"), ("stroke-width", "1")])
        }
        if let last = layers.last {
            for i in 0..<n {
                let q = p(last.tokens[i])
                if last.strictLeaders.contains(i) {
                    w.empty("circle", [("class", "leader"), ("cx", q.0), ("cy", q.1), ("r", "5"), ("fill", "#c0392b")])
                } else {
                    w.empty("circle", [("class", "follower"), ("cx", q.0), ("cy", q.1), ("r", "4"), ("fill", "none"), ("stroke", "#2471a3"), ("stroke-width", "1.5")])
                }
            }
        }
        if let first = layers.first {
            for i in 0..<n {
                let q = p(first.tokens[i])
                w.text("text", [("x", q.0), ("y", q.1), ("dx", "6"), ("dy", "-6"), ("fill", "#333")], "z\(i + 1)")
            }
        }
        if let c = run.certificate {
            for cl in c.clusters {
                let q = p(cl.point)
                w.text("text", [("class", cl.isLeader ? "limit-leader" : "limit-cluster"), ("x", q.0), ("y", q.1), ("text-anchor", "middle"),
                                ("dy", "4"), ("fill", cl.isLeader ? "#c0392b" : "#1e8449"), ("font-size", "14")], "×")
            }
        }
        let legend = "filled: strict leaders at the last layer; rings: other tokens; lines: trajectories; dashed: hull of layer 0"
            + (run.certificate == nil ? "" : "; ×: certified limits (green: non-leader clusters)")
        w.text("text", [("x", SVG.number(m)), ("y", SVG.number(s + 2 * m + 10)), ("font-size", "10")], legend)
        w.close("svg")
        return w.document
    }

    /// Convex hull (monotone chain) of points in the plane, counter-clockwise.
    static func hull(_ points: [(Double, Double)]) -> [(Double, Double)] {
        let pts = points.sorted { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
        guard pts.count > 2 else { return pts }
        func cross(_ o: (Double, Double), _ a: (Double, Double), _ b: (Double, Double)) -> Double {
            (a.0 - o.0) * (b.1 - o.1) - (a.1 - o.1) * (b.0 - o.0)
        }
        var lower: [(Double, Double)] = [], upper: [(Double, Double)] = []
        for q in pts {
            while lower.count >= 2 && cross(lower[lower.count - 2], lower[lower.count - 1], q) <= 0 { lower.removeLast() }
            lower.append(q)
        }
        for q in pts.reversed() {
            while upper.count >= 2 && cross(upper[upper.count - 2], upper[upper.count - 1], q) <= 0 { upper.removeLast() }
            upper.append(q)
        }
        return Array(lower.dropLast() + upper.dropLast())
    }
}
