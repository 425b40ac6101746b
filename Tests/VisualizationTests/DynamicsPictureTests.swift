import ExactArithmetic
import HardmaxDynamics
import Testing
import Visualization

/// The dynamics picture: well-formed SVG, one disc per strict leader of the last layer, one ring per
/// other token, one cross per certified limit point, the same bytes twice.
@Suite struct DynamicsPictureTests {
    @Test func workedCaseA() throws {
        let tokens: [[Rational]] = [[1, 1], [1, -1], [-1, 1], [-1, -1], [Rational(1) / Rational(2), 0], [Rational(-1) / Rational(2), 0]]
        let run = DynamicsRun(system: try DynamicsSystem(dimension: 2, alpha: Rational(1) / Rational(2)), tokens: tokens, layerCount: 6)
        let svg = DynamicsPicture(run: run, title: "worked case (a)").svg
        let (parsed, error) = ParsedSVG.parse(svg)
        let doc = try #require(parsed, "\(error)")
        #expect(doc.elements.filter { $0.attributes["class"] == "leader" }.count == 4)
        #expect(doc.elements.filter { $0.attributes["class"] == "follower" }.count == 2)
        #expect(doc.elements.filter { $0.attributes["class"] == "limit-cluster" }.count == 2)
        #expect(doc.elements.filter { $0.attributes["class"] == "limit-leader" }.count == 4)
        #expect(doc.elements.filter { $0.name == "polyline" }.count == 6)
        #expect(svg == DynamicsPicture(run: run, title: "worked case (a)").svg)
    }
}
