import Certification
/// A minimal SVG writer: elements as text lines, attributes escaped, numbers in a fixed format.
///
/// Written here rather than taken from a library (the project has no such dependency); every number
/// goes through `SVG.number`, so the same picture always has the same bytes.
struct SVGWriter {
    private(set) var lines: [String] = []
    private var depth = 0

    mutating func open(_ name: String, _ attributes: [(String, String)] = []) {
        lines.append(indent + "<" + name + SVG.attributes(attributes) + ">")
        depth += 1
    }

    mutating func close(_ name: String) {
        depth -= 1
        lines.append(indent + "</" + name + ">")
    }

    mutating func empty(_ name: String, _ attributes: [(String, String)]) {
        lines.append(indent + "<" + name + SVG.attributes(attributes) + "/>")
    }

    mutating func text(_ name: String, _ attributes: [(String, String)], _ content: String) {
        lines.append(indent + "<" + name + SVG.attributes(attributes) + ">" + SVG.escape(content) + "</" + name + ">")
    }

    mutating func raw(_ line: String) { lines.append(indent + line) }

    private var indent: String { String(repeating: " ", count: depth) }

    var document: String { lines.joined(separator: "\n") + "\n" }
}

enum SVG {
    static func attributes(_ list: [(String, String)]) -> String {
        list.map { " \($0.0)=\"\(escape($0.1))\"" }.joined()
    }

    static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for c in s {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.append(c)
            }
        }
        return out
    }

    /// A pixel coordinate with at most two decimals ("12.5", "-3", "0.07"); clamped to ±10^7 so no
    /// conversion to Int can trap.
    static func number(_ v: Double) -> String {
        guard v.isFinite else { return "0" }
        let clamped = min(max(v, -1e7), 1e7)
        let hundredths = Int((clamped * 100).rounded())
        let negative = hundredths < 0
        let m = hundredths.magnitude
        var s = String(m / 100)
        let frac = m % 100
        if frac != 0 {
            s += frac % 10 == 0 ? "." + String(frac / 10) : (frac < 10 ? ".0" : ".") + String(frac)
        }
        return (negative ? "-" : "") + s
    }
}
