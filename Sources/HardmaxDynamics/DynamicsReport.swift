import ExactArithmetic
import TransformerModel

/// The text and JSON the `dynamics` command prints for a run (deterministic, exact).
public struct DynamicsReport: Sendable {
    public let run: DynamicsRun
    public let name: String?
    public let matrixGiven: Bool

    public init(run: DynamicsRun, name: String?, matrixGiven: Bool) {
        self.run = run
        self.name = name
        self.matrixGiven = matrixGiven
    }

    var matrixText: String {
        let s = run.system
        let kind = s.isPositiveDefinite ? "symmetric positive definite" : (s.isSymmetric ? "symmetric, not positive definite" : "not symmetric")
        let body = matrixGiven ? "[" + s.matrix.map { $0.map(\.description).joined(separator: " ") }.joined(separator: "; ") + "]" : "I"
        return "A = \(body) (\(kind))"
    }

    /// Which facts the run checks.
    public var checkedFacts: [Fact] {
        [.f1, .f2, .f3] + (run.system.isPositiveDefinite ? [.f4, .f6, .f7] : [])
    }

    public func text(finalOnly: Bool = false) -> String {
        let s = run.system
        let n = run.layers.first?.tokens.count ?? 0
        var out = "dynamics\(name.map { " \"\($0)\"" } ?? ""): n = \(n) tokens in ℚ^\(s.dimension), α = \(s.alpha), \(matrixText)"
        if run.rule != .paper { out += ", rule \(run.rule.name) (a deliberately wrong convention)" }
        out += "\n"
        for layer in run.layers where !finalOnly || layer.index == run.layers.count - 1 {
            out += "layer \(layer.index)\n"
            for (i, z) in layer.tokens.enumerated() {
                var line = "  z\(i + 1) = \(showPoint(z))  C = \(indexSet(layer.attention[i]))"
                if layer.strictLeaders.contains(i) { line += "  leader" }
                if layer.argmaxLeaders.contains(i) != layer.strictLeaders.contains(i) {
                    line += layer.argmaxLeaders.contains(i) ? "  argmax-leader" : "  not an argmax-leader"
                }
                out += line + "\n"
            }
            out += "  strict leaders \(indexSet(layer.strictLeaders)); lowest-index-argmax leaders \(indexSet(layer.argmaxLeaders))\n"
        }
        let last = run.layers.count - 1
        let facts = checkedFacts.map(\.rawValue).joined(separator: " ")
        if let v = run.violation {
            out += "facts: \(v)\n"
        } else {
            out += "facts: \(facts) hold at every layer 0 … \(last)"
            out += s.isPositiveDefinite ? "\n" : " (F4 F6 F7 need A symmetric positive definite: not checked)\n"
        }
        out += leaderSummary
        if run.violation != nil {
            out += "F9: not tried past the failing fact\n"
        } else if let c = run.certificate {
            out += "F9: attention frozen for ever from layer \(c.layer) (\(c.gapCount) score gaps positive on (0, 1], \(c.tieCount) ties identical in t)"
            out += c.layer < last ? "; F8 checked exactly at layers \(c.layer + 1) … \(last)\n" : "\n"
            out += "limit configuration (exact):\n"
            for cl in c.clusters {
                let kind = cl.isLeader ? "leader" : "non-leader cluster"
                out += "  \(showPoint(cl.point))  \(kind), \(cl.members.count) token\(cl.members.count == 1 ? "" : "s") \(indexSet(cl.members))\n"
            }
        } else if let f = run.lastFreezingFailure {
            out += "F9: no certificate up to layer \(last) (at layer \(last): \(f))\n"
        }
        if let r = run.repetition {
            out += r.period == 1
                ? "repetition: layer \(r.layer) equals layer \(r.layer - 1) exactly: a fixed point\n"
                : "repetition: layer \(r.layer) equals layer \(r.layer - r.period) exactly: a periodic orbit of period \(r.period)\n"
        }
        if let lastLayer = run.layers.last, Set(lastLayer.tokens).count == 1, n > 1 {
            out += "collapse: every token equals \(showPoint(lastLayer.tokens[0])) at layer \(last)\n"
        }
        if let k = run.float64FirstDifference {
            out += "float64: the attention sets first differ from the exact ones at layer \(k)\n"
        } else {
            out += "float64: the same attention sets as the exact run at every layer 0 … \(last)\n"
        }
        return out
    }

    /// One line for a sequence of a dataset: leaders at the last layer (as words when `names` knows
    /// them), the certificate and the limit clusters.
    public static func sequenceSummary(_ run: DynamicsRun, names: [[Rational]: String]) -> String {
        guard let first = run.layers.first, let last = run.layers.last else { return "no layers" }
        func name(_ z: [Rational]) -> String { names[z] ?? showPoint(z) }
        let leaderNames = last.strictLeaders.filter { i in last.strictLeaders.first { last.tokens[$0] == last.tokens[i] } == i }
            .map { name(last.tokens[$0]) }
        var out = "leaders " + (leaderNames.isEmpty ? "none" : leaderNames.joined(separator: ", "))
        let emerged = last.strictLeaders.filter { !first.strictLeaders.contains($0) }
        if !emerged.isEmpty { out += " (emerging: " + emerged.map { name(first.tokens[$0]) }.joined(separator: ", ") + ")" }
        if let v = run.violation { return out + "; \(v)" }
        if let c = run.certificate {
            let clusters = c.clusters.map { cl -> String in
                let who = cl.members.map { name(first.tokens[$0]) }.joined(separator: " ")
                return cl.isLeader ? "\(name(cl.point)) ← \(who)" : "non-leader \(showPoint(cl.point)) ← \(who)"
            }
            out += "; frozen from layer \(c.layer); limits: " + clusters.joined(separator: "; ")
        } else {
            out += "; no F9 certificate by layer \(last.index)"
        }
        return out
    }

    var leaderSummary: String {
        let noLeader = run.layers.filter { $0.strictLeaders.isEmpty }.map(\.index)
        var out = ""
        if let first = run.layers.first, let last = run.layers.last {
            let emerged = last.strictLeaders.filter { !first.strictLeaders.contains($0) }
            out += "leaders: \(indexSet(first.strictLeaders)) at layer 0, \(indexSet(last.strictLeaders)) at layer \(last.index)"
            if !emerged.isEmpty {
                let when = emerged.map { i in "z\(i + 1) at layer \(run.layers.first { $0.strictLeaders.contains(i) }?.index ?? last.index)" }
                out += "; emerging: " + when.joined(separator: ", ")
            }
            out += "\n"
        }
        if !noLeader.isEmpty {
            out += "no strict leader at \(noLeader.count) of \(run.layers.count) layers (first: layer \(noLeader[0]))\n"
        }
        return out
    }

    public var json: JSONValue {
        func point(_ z: [Rational]) -> JSONValue { Dataset.jsonValue(z) }
        func ints(_ s: [Int]) -> JSONValue { .array(s.map { .number(String($0 + 1)) }) }
        var members: [(key: String, value: JSONValue)] = []
        if let name { members.append(("name", .string(name))) }
        members.append(("dimension", .number(String(run.system.dimension))))
        members.append(("alpha", Dataset.jsonValue(run.system.alpha)))
        members.append(("matrix", .array(run.system.matrix.map(point))))
        members.append(("positive_definite", .bool(run.system.isPositiveDefinite)))
        members.append(("rule", .string(run.rule.name)))
        members.append(("layers", .array(run.layers.map { l in
            .object([("layer", .number(String(l.index))),
                     ("tokens", .array(l.tokens.map(point))),
                     ("attention", .array(l.attention.map(ints))),
                     ("strict_leaders", ints(l.strictLeaders)),
                     ("argmax_leaders", ints(l.argmaxLeaders))])
        })))
        members.append(("facts_checked", .array(checkedFacts.map { .string($0.rawValue) })))
        if let v = run.violation {
            members.append(("violation", .object([("fact", .string(v.fact.rawValue)), ("layer", .number(String(v.layer))), ("detail", .string(v.detail))])))
        } else {
            members.append(("violation", .null))
        }
        if let c = run.certificate, run.violation == nil {
            members.append(("certificate", .object([
                ("layer", .number(String(c.layer))),
                ("gaps", .number(String(c.gapCount))),
                ("ties", .number(String(c.tieCount))),
                ("limits", .array(c.limits.map(point))),
                ("clusters", .array(c.clusters.map { cl in
                    .object([("point", point(cl.point)), ("kind", .string(cl.isLeader ? "leader" : "non-leader cluster")),
                             ("members", ints(cl.members))])
                })),
            ])))
        } else {
            members.append(("certificate", .null))
        }
        if let r = run.repetition {
            members.append(("repetition", .object([("layer", .number(String(r.layer))), ("period", .number(String(r.period)))])))
        } else {
            members.append(("repetition", .null))
        }
        members.append(("float64_first_difference", run.float64FirstDifference.map { .number(String($0)) } ?? .null))
        return .object(members)
    }
}
