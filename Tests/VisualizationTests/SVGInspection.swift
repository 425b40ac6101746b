import ExactArithmetic
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// An SVG document parsed with Foundation's XMLParser: every element with its attributes and
/// the panel (`<g class="panel">`) it lies in. Parsing fails on malformed XML.
struct ParsedSVG {
    struct Element {
        var name: String
        var attributes: [String: String]
        /// Index of the enclosing panel, or nil outside every panel.
        var panel: Int?
    }

    var elements: [Element] = []
    var panels: [Element] = []

    /// nil with the parser's error when the text is not well-formed XML.
    static func parse(_ text: String) -> (ParsedSVG?, String) {
        let delegate = Collector()
        let parser = XMLParser(data: Data(text.utf8))
        parser.delegate = delegate
        guard parser.parse() else {
            return (nil, "\(parser.parserError.map { "\($0)" } ?? "unknown error") at line \(parser.lineNumber)")
        }
        return (delegate.result, "")
    }

    final class Collector: NSObject, XMLParserDelegate {
        var result = ParsedSVG()
        /// Depth of the open panel group, if inside one.
        var panelDepth: Int? = nil
        var depth = 0

        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?,
                    qualifiedName: String?, attributes: [String: String] = [:]) {
            depth += 1
            if name == "g" && attributes["class"] == "panel" {
                result.panels.append(Element(name: name, attributes: attributes, panel: result.panels.count))
                panelDepth = depth
            }
            result.elements.append(Element(name: name, attributes: attributes, panel: panelDepth == nil ? nil : result.panels.count - 1))
        }

        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
            if depth == panelDepth { panelDepth = nil }
            depth -= 1
        }
    }

    /// Markers of tokens in panel k: (sequence, x, y) in pixels.
    func tokens(inPanel k: Int) -> [(sequence: Int, x: Double, y: Double)] {
        elements.filter { $0.panel == k && $0.name == "use" && $0.attributes["class"] == "token" }.compactMap { e in
            guard let s = e.attributes["data-sequence"].flatMap(Int.init), let x = e.attributes["x"].flatMap(Double.init),
                  let y = e.attributes["y"].flatMap(Double.init) else { return nil }
            return (s, x, y)
        }
    }

    /// Target rings of panel k.
    func targets(inPanel k: Int) -> [(sequence: Int, x: Double, y: Double)] {
        elements.filter { $0.panel == k && $0.name == "circle" && $0.attributes["class"] == "target" }.compactMap { e in
            guard let s = e.attributes["data-sequence"].flatMap(Int.init), let x = e.attributes["cx"].flatMap(Double.init),
                  let y = e.attributes["cy"].flatMap(Double.init) else { return nil }
            return (s, x, y)
        }
    }

    /// The exact pixel map of panel k, read from its `data-window` and `data-plot` attributes:
    /// px = left + (x − xlo)·width/(xhi − xlo), py = top + height − (y − ylo)·height/(yhi − ylo),
    /// computed here in rationals, independently of the drawing code's doubles.
    func pixelMap(panel k: Int) -> ((Rational, Rational) -> (Double, Double))? {
        guard k < panels.count,
              let window = panels[k].attributes["data-window"]?.split(separator: " ").compactMap({ try? Rational(parsing: String($0)) }),
              let plot = panels[k].attributes["data-plot"]?.split(separator: " ").compactMap({ try? Rational(parsing: String($0)) }),
              window.count == 4, plot.count == 4, window[1] > window[0], window[3] > window[2] else { return nil }
        let (xlo, xhi, ylo, yhi) = (window[0], window[1], window[2], window[3])
        let (left, top, width, height) = (plot[0], plot[1], plot[2], plot[3])
        return { x, y in
            ((left + (x - xlo) * width / (xhi - xlo)).doubleValue,
             (top + height - (y - ylo) * height / (yhi - ylo)).doubleValue)
        }
    }
}
