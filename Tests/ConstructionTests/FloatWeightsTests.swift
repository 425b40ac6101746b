import Certification
@testable import Constructions
import DatasetGeneration
import Evaluation
import ExactArithmetic
import TestSupport
import Testing
import TransformerModel
import TensorFiles

// construct --weights float32|float64 (WeightFormat.swift): random datasets with float32
// coordinates give models whose every parameter is a float32, that verify exactly, and that
// survive export → import byte for byte; data that is not float32 is named; the checks fail on
// purpose on tampered models.

/// A random dataset on the grid (1/4)ℤ (every coordinate a float32), or nil when rounding made it
/// infeasible.
func quarterGridDataset(_ gen: inout DatasetGenerator, pairs: Int, dimension d: Int, pooled: Bool) -> Dataset? {
    var data = gen.dataset(pairs: pairs, dimension: d, lengths: 1...8, pool: pooled ? max(2 * pairs, 10) : nil)
    let four = Rational(4)
    func snap(_ t: Token) -> Token { t.map { ($0 * four).floor / four } }
    for j in data.pairs.indices {
        data.pairs[j].input = data.pairs[j].input.map(snap)
        data.pairs[j].output = data.pairs[j].output.map(snap)
    }
    return (try? InterpolationProblem(data)) == nil ? nil : data
}

@Suite struct FloatWeightsTests {
    @Test(arguments: [BinaryFloatFormat.float32, .float64])
    func randomDatasetsGiveFloatExactCertifiedModels(format: BinaryFloatFormat) throws {
        var gen = DatasetGenerator(seed: 32)
        var built = 0
        for k in 0..<(60 * iterationScale) {
            let d = [2, 3, 4][k % 3]
            guard let data = quarterGridDataset(&gen, pairs: 1 + k % 6, dimension: d, pooled: k % 2 == 0) else { continue }
            #expect(WeightFormat.float(format).firstNonRepresentable(in: data) == nil)
            for layout in HardmaxConstruction.Layout.allCases {
                let label = "#\(k) d = \(d) \(layout) \(format)"
                let problem = try InterpolationProblem(data)
                let result: HardmaxConstruction.Result
                do { result = try HardmaxConstruction.build(problem, digest: data.digest, layout: layout, weights: .float(format)) } catch {
                    Issue.record("\(label): \(error)\n\(data.json.rendered())")
                    continue
                }
                let model = result.model
                #expect(WeightFormat.float(format).firstNonRepresentable(in: model) == nil, "\(label)")
                #expect(model.metadata.other["weights"] == format.rawValue)
                let report = try certify(model: model, dataset: data)
                #expect(report.holds, "\(label): \(report.failures.map(\.index))\n\(data.json.rendered())")
                let file = try SafetensorsFile.parse(model.safetensors.serialized(format: format))
                let back = try Transformer(importing: file)
                #expect(back.fileText == model.fileText, "\(label): export → import changed the model")
                built += 1
            }
        }
        #expect(built >= 60)
    }

    @Test func figure5IsNotFloat32AndTheOneThirdIsNamed() {
        let message = WeightFormat.float(.float32).firstNonRepresentable(in: figure5)
        #expect(message == "pair 1, output token 0, coordinate 1: 1/3 is not exactly a float32")
        #expect(WeightFormat.exact.firstNonRepresentable(in: figure5) == nil)
    }

    @Test func checkerFindsATamperedParameter() throws {
        var gen = DatasetGenerator(seed: 5)
        var data: Dataset? = nil
        while data == nil { data = quarterGridDataset(&gen, pairs: 3, dimension: 2, pooled: false) }
        guard let data else { return }
        var model = try HardmaxConstruction.build(try InterpolationProblem(data), digest: data.digest, layout: .narrow,
                                                  weights: .float(.float32)).model
        #expect(WeightFormat.float(.float32).firstNonRepresentable(in: model) == nil)
        model.blocks[0].feedForward.ridges[0].neurons[0].bias = r("1/3")
        #expect(WeightFormat.float(.float32).firstNonRepresentable(in: model)?.contains("1/3") == true)
        model.blocks[0].feedForward.ridges[0].neurons[0].bias = Rational(1 << 25) + .one  // 26 significant bits
        #expect(WeightFormat.float(.float32).firstNonRepresentable(in: model) != nil)
        #expect(WeightFormat.float(.float64).firstNonRepresentable(in: model) == nil)
    }

    @Test(arguments: [2, 3, 5])
    func integerSpherePointsShareOneNormInTheNegativeOrthant(dimension d: Int) throws {
        for count in (d == 2 ? [1, 2, 5, 12] : [1, 2, 5, 12, 30]) {
            let avoid: Set<Token> = [[Rational](repeating: Rational(-1), count: d)]
            let points = try #require(WeightFormat.integerSpherePoints(count, dimension: d, avoiding: avoid), "d = \(d), \(count) points")
            #expect(points.count == count)
            #expect(Set(points).count == count)
            #expect(points.allSatisfy { $0.allSatisfy { $0 <= Rational(-1) && $0.isInteger } })
            #expect(Set(points.map(squaredNorm)).count == 1, "d = \(d): norms \(Set(points.map(squaredNorm)))")
            #expect(points.allSatisfy { !avoid.contains($0) })
        }
    }

    @Test func dyadicStaircaseRampsArePowersOfTwo() {
        let moves: [(source: Token, target: Token)] = [([r("0")], [r("1")]), ([r("3")], [r("-1")]), ([r("10")], [r("2")])]
        let stairs = Staircase(moves: moves, dimension: 1, weights: .float(.float32))
        for ramp in stairs.ramps {
            let run = ramp.end - ramp.start
            #expect(GenericDirection.powerOfTwo(atMost: run) == run)
        }
        #expect(WeightFormat.float(.float32).firstNonRepresentable(in: Transformer(dimension: 1, blocks: [Block(stage: .custom, feedForward: stairs.layer)])) == nil)
    }
}
