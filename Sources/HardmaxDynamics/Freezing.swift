import ExactArithmetic

/// The F9 certificate (docs/mathematics.md#hardmax-dynamics): at layer K every attention set holds
/// strict leaders only, so while the sets stay as they are z_i(k) = m_i + t·(z_i(K) − m_i) with
/// t = (1+α)^{−(k−K)} ∈ (0, 1]. Every competing score gap is then a quadratic c0 + c1·t + c2·t² in t;
/// when each is positive on (0, 1] and the ties inside each set hold identically in t, the sets never
/// change, and the limit of z_i is m_i exactly.
public struct FreezingCertificate: Sendable, Equatable {
    /// K: the layer the certificate starts from.
    public let layer: Int
    /// m_i: the mean of the leaders z_i follows (its exact limit).
    public let limits: [[Rational]]
    /// How many quadratic gaps and identical ties were checked.
    public let gapCount: Int
    public let tieCount: Int
    /// The distinct limit points, in order of the first token that reaches each.
    public let clusters: [LimitCluster]
}

/// One point of the limit configuration (F8): a leader (tokens gather on a leader) or a non-leader
/// cluster (tokens tied between several leaders gather at their mean, where no token sits).
public struct LimitCluster: Sendable, Equatable {
    public let point: [Rational]
    /// The tokens (0-based) that converge to it.
    public let members: [Int]
    /// True when the point is the value of a strict leader.
    public let isLeader: Bool
}

/// Why the certificate does not hold at a layer (the first reason found).
public struct FreezingFailure: Error, Sendable, Equatable, CustomStringConvertible {
    public let reason: String
    public var description: String { reason }
}

extension DynamicsSystem {
    /// Tries the F9 certificate at `layer` (whose attention sets must be the exact ones).
    public func freezingCertificate(_ layer: DynamicsLayer) -> Result<FreezingCertificate, FreezingFailure> {
        let z = layer.tokens
        let leaders = Set(layer.strictLeaders)
        for (i, set) in layer.attention.enumerated() where !set.allSatisfy(leaders.contains) {
            return .failure(FreezingFailure(reason: "z_\(i + 1) attends to a token that is not a strict leader"))
        }
        let m = layer.attention.map { set in DynamicsSystem.mean(set.map { z[$0] }) }
        let d = z.indices.map { subtracted(z[$0], m[$0]) }
        var gaps = 0, ties = 0
        for i in z.indices {
            let set = layer.attention[i]
            guard let c = set.first else { return .failure(FreezingFailure(reason: "C_\(i + 1) is empty")) }
            let am = matrixVector(matrix, m[i]), ad = matrixVector(matrix, d[i])
            for c2 in set.dropFirst() where z[c2] != z[c] {
                let diff = subtracted(z[c], z[c2])
                guard Rational.dot(am, diff).isZero, Rational.dot(ad, diff).isZero else {
                    return .failure(FreezingFailure(reason: "the tie of z_\(i + 1) between z_\(c + 1) and z_\(c2 + 1) does not hold for every t"))
                }
                ties += 1
            }
            for j in z.indices where !set.contains(j) {
                let toC = subtracted(z[c], m[j])
                let c0 = Rational.dot(am, toC)
                let c1 = Rational.dot(ad, toC) - Rational.dot(am, d[j])
                let c2 = -Rational.dot(ad, d[j])
                guard DynamicsSystem.positiveOnUnitInterval(c0, c1, c2) else {
                    return .failure(FreezingFailure(reason: "the gap of z_\(i + 1) between z_\(c + 1) and z_\(j + 1), \(c0) + \(c1)·t + \(c2)·t², is not positive on (0, 1]"))
                }
                gaps += 1
            }
        }
        var clusters: [LimitCluster] = []
        var seen: [[Rational]: Int] = [:]
        var members: [[Int]] = []
        var points: [[Rational]] = []
        for i in z.indices {
            if let k = seen[m[i]] { members[k].append(i) } else {
                seen[m[i]] = points.count
                points.append(m[i])
                members.append([i])
            }
        }
        let leaderValues = Set(layer.strictLeaders.map { z[$0] })
        for (k, p) in points.enumerated() {
            clusters.append(LimitCluster(point: p, members: members[k], isLeader: leaderValues.contains(p)))
        }
        return .success(FreezingCertificate(layer: layer.index, limits: m, gapCount: gaps, tieCount: ties, clusters: clusters))
    }

    /// c0 + c1 t + c2 t² > 0 for every t ∈ (0, 1], decided exactly: the value at 1, the sign as t → 0⁺
    /// (the first non-zero coefficient), and the vertex when it lies inside (0, 1) and is a minimum.
    public static func positiveOnUnitInterval(_ c0: Rational, _ c1: Rational, _ c2: Rational) -> Bool {
        guard c0 + c1 + c2 > .zero else { return false }
        let nearZero = c0 > .zero || (c0.isZero && (c1 > .zero || (c1.isZero && c2 > .zero)))
        guard nearZero else { return false }
        if c2 > .zero {
            let vertex = -c1 / (Rational(2) * c2)
            if vertex > .zero && vertex < .one {
                return c0 - c1 * c1 / (Rational(4) * c2) > .zero
            }
        }
        return true
    }

    /// F8: z_i(k) = m_i + (1+α)^{−(k−K)} (z_i(K) − m_i) exactly for a layer k ≥ K after the certificate.
    public func checkFrozen(_ certificate: FreezingCertificate, start: DynamicsLayer, _ layer: DynamicsLayer) throws(FactViolation) {
        let onePlus = Rational.one + alpha
        var t = Rational.one
        for _ in 0..<max(0, layer.index - certificate.layer) { t = t / onePlus }
        for i in layer.tokens.indices {
            let m = certificate.limits[i]
            let expected = added(m, scaled(subtracted(start.tokens[i], m), by: t))
            guard expected == layer.tokens[i] else {
                throw FactViolation(fact: .f8, layer: layer.index,
                                    detail: "z_\(i + 1) = \(showPoint(layer.tokens[i])), the frozen formula from layer \(certificate.layer) gives \(showPoint(expected))")
            }
        }
    }
}
