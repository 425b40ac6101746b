import ExactArithmetic

/// A whole run of the dynamics: the layers, the facts checked at each step, the F9 certificate
/// (the first layer it holds at), an exact repetition of a configuration, and the float64 comparison.
public struct DynamicsRun: Sendable {
    public let system: DynamicsSystem
    public let rule: UpdateRule
    /// Layers 0 … K (fewer when a fact fails).
    public let layers: [DynamicsLayer]
    /// The first fact that failed, if any (the run stops there).
    public let violation: FactViolation?
    /// The first layer the F9 certificate holds at, if any within the run.
    public let certificate: FreezingCertificate?
    /// Why the certificate does not hold at the last layer (nil when it holds).
    public let lastFreezingFailure: FreezingFailure?
    /// The first exact repetition: configuration at `layer` equals the one at `layer − period`.
    public let repetition: (layer: Int, period: Int)?
    /// The first layer where float64 arithmetic gives a different attention set, if any.
    public let float64FirstDifference: Int?
    /// Float64 tokens at the last layer.
    public let float64Tokens: [[Double]]

    /// Runs `layerCount` layers from `tokens` exactly (and in float64 alongside), checking every fact.
    public init(system: DynamicsSystem, tokens: [[Rational]], layerCount: Int, rule: UpdateRule = .paper,
                progress: ((Int) -> Void)? = nil) {
        self.system = system
        self.rule = rule
        var layers = [system.layer(0, tokens, rule: rule)]
        var violation: FactViolation? = nil
        var certificate: FreezingCertificate? = nil
        var certificateStart: DynamicsLayer? = nil
        var lastFailure: FreezingFailure? = nil
        var seen: [[[Rational]]: Int] = [tokens: 0]
        var repetition: (Int, Int)? = nil
        var fl = tokens.map { $0.map(\.doubleValue) }
        let flMatrix = system.matrix.map { $0.map(\.doubleValue) }
        let flAlpha = system.alpha.doubleValue
        var flDifference: Int? = nil

        func tryCertificate(_ layer: DynamicsLayer) {
            guard certificate == nil else { return }
            switch system.freezingCertificate(layer) {
            case .success(let c): certificate = c; certificateStart = layer; lastFailure = nil
            case .failure(let f): lastFailure = f
            }
        }
        do {
            try FactChecks.checkTies(system, layers[0])
            if system.isPositiveDefinite { try FactChecks.checkLargestNorm(system, layers[0]) }
        } catch { violation = error }
        if violation == nil { tryCertificate(layers[0]) }
        if DynamicsRun.floatAttention(fl, flMatrix, rule: rule) != layers[0].attention { flDifference = 0 }
        var k = 0
        while violation == nil && k < layerCount {
            let current = layers[k]
            let next = system.layer(k + 1, system.step(current, rule: rule), rule: rule)
            do {
                try FactChecks.checkStep(system, current, next)
                if let c = certificate, let start = certificateStart { try system.checkFrozen(c, start: start, next) }
            } catch {
                violation = error
            }
            layers.append(next)
            k += 1
            if violation != nil { break }
            tryCertificate(next)
            if repetition == nil {
                if let earlier = seen[next.tokens] { repetition = (k, k - earlier) } else { seen[next.tokens] = k }
            }
            let flSets = DynamicsRun.floatAttention(fl, flMatrix, rule: rule)
            fl = DynamicsRun.floatStep(fl, flSets, alpha: flAlpha, rule: rule)
            if flDifference == nil && DynamicsRun.floatAttention(fl, flMatrix, rule: rule) != next.attention { flDifference = k }
            progress?(k)
        }
        self.layers = layers
        self.violation = violation
        self.certificate = certificate
        self.lastFreezingFailure = certificate == nil ? lastFailure : nil
        self.repetition = repetition
        self.float64FirstDifference = flDifference
        self.float64Tokens = fl
    }

    /// The same attention sets in float64 (every comparison on rounded scores).
    static func floatAttention(_ tokens: [[Double]], _ m: [[Double]], rule: UpdateRule) -> [[Int]] {
        let a = rule == .transposedMatrix ? m.indices.map { i in m.indices.map { m[$0][i] } } : m
        return tokens.map { zi in
            let q = a.map { row in zip(row, zi).reduce(0.0) { $0 + $1.0 * $1.1 } }
            var best = -Double.infinity
            var set: [Int] = []
            for (j, zj) in tokens.enumerated() {
                var s = zip(q, zj).reduce(0.0) { $0 + $1.0 * $1.1 }
                if rule == .argmin { s = -s }
                if s < best { continue }
                if s == best { set.append(j); continue }
                best = s
                set = [j]
            }
            return set
        }
    }

    static func floatStep(_ tokens: [[Double]], _ sets: [[Int]], alpha: Double, rule: UpdateRule) -> [[Double]] {
        tokens.indices.map { i in
            let set = sets[i]
            let mean = (0..<tokens[i].count).map { c in set.reduce(0.0) { $0 + tokens[$1][c] } / Double(max(1, set.count)) }
            return zip(tokens[i], mean).map { z, m in
                switch rule {
                case .unnormalised: return z + alpha * m
                case .swappedAlpha: return (alpha * z + m) / (1 + alpha)
                default: return (z + alpha * m) / (1 + alpha)
                }
            }
        }
    }
}
