/// Hausdorff distance between two token sets (Euclidean), in floating point: the float64 path's
/// measure of how far T(X) lies from Y (`eval --arithmetic float64`, `compare`). The exact and
/// rigorous paths bound it in ℚ instead (`CertifiedLoss`).
public func hausdorffDistance(_ a: [[Double]], _ b: [[Double]]) -> Double {
    func directed(_ x: [[Double]], _ y: [[Double]]) -> Double {
        x.map { p in y.map { q in zip(p, q).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) } }.min() ?? .infinity }.max() ?? 0
    }
    return max(directed(a, b), directed(b, a)).squareRoot()
}
