import DatasetGeneration
import ExactArithmetic
import Foundation
import Testing
import TransformerModel

/// The validity-space generator: every draw valid (read back from its JSON text and accepted by
/// `InterpolationProblem`, the label embedding or `CausalProblem`), reproducible, and reaching every
/// feature it promises; and the shrinker.
@Suite("Validity-space generator") struct ValiditySpaceGeneratorTests {
    /// Valid in the reading of its kind, through the same readers `validate` uses.
    static func requireValid(_ data: Dataset, _ label: String) {
        let text = data.json.rendered()
        guard let reread = try? Dataset.parse(Array(text.utf8)) else {
            Issue.record("\(label): the reader rejects the generated text\n\(text)")
            return
        }
        #expect(reread == data, "\(label): read back differently\n\(text)")
        do {
            if data.causal {
                _ = try CausalProblem(reread)
            } else if reread.isLabelled {
                _ = try InterpolationProblem(try reread.embedded(LabelEmbedding.choose(for: reread)))
            } else {
                _ = try InterpolationProblem(reread)
            }
        } catch {
            Issue.record("\(label): invalid: \(error)\n\(text)")
        }
    }

    @Test(arguments: ValiditySpaceGenerator.Kind.allCases)
    func everyDrawIsValid(kind: ValiditySpaceGenerator.Kind) {
        var generator = ValiditySpaceGenerator(seed: 2026)
        var knobs = ValiditySpaceGenerator.Knobs()
        knobs.kind = kind
        for k in 0..<400 {
            Self.requireValid(generator.dataset(knobs), "\(kind) #\(k)")
        }
    }

    @Test func sameSeedSameDatasets() {
        for kind in ValiditySpaceGenerator.Kind.allCases {
            var knobs = ValiditySpaceGenerator.Knobs()
            knobs.kind = kind
            var a = ValiditySpaceGenerator(seed: 7), b = ValiditySpaceGenerator(seed: 7), c = ValiditySpaceGenerator(seed: 8)
            let xs = (0..<30).map { _ in a.dataset(knobs).json.rendered() }
            #expect(xs == (0..<30).map { _ in b.dataset(knobs).json.rendered() }, "\(kind)")
            #expect(xs != (0..<30).map { _ in c.dataset(knobs).json.rendered() }, "\(kind)")
        }
    }

    /// Each promised feature turns up in 400 draws, and every dimension 1…8, geometry and kind of
    /// coordinate.
    @Test func featuresAreReached() {
        var generator = ValiditySpaceGenerator(seed: 99)
        var counts: [String: Int] = [:]
        var dimensions = Set<Int>()
        for _ in 0..<400 {
            let (data, f) = generator.draw()
            dimensions.insert(data.dimension)
            let flags: [(String, Bool)] = [
                ("repeated token", f.repeatedToken), ("exact duplicate pair", f.exactDuplicatePair),
                ("reordered duplicate pair", f.reorderedDuplicatePair), ("shared token", f.sharedToken),
                ("outputs = inputs", f.outputsEqualInputs), ("beyond 2^64", f.beyond2to64), ("near tie", f.nearTie),
                ("fraction", f.fractional), ("negative", f.negative),
                ("geometry \(f.geometry.rawValue)", true), ("coordinates \(f.coordinates.rawValue)", true),
            ]
            for (name, on) in flags where on { counts[name, default: 0] += 1 }
        }
        print("validity-space features in 400 draws: \(counts.sorted { $0.key < $1.key })")
        #expect(dimensions == Set(1...8))
        var expected = ["repeated token", "exact duplicate pair", "reordered duplicate pair", "shared token", "outputs = inputs",
                        "beyond 2^64", "near tie", "fraction", "negative"]
        expected += ValiditySpaceGenerator.Geometry.allCases.map { "geometry \($0.rawValue)" }
        expected += ValiditySpaceGenerator.Coordinates.allCases.map { "coordinates \($0.rawValue)" }
        for name in expected { #expect(counts[name, default: 0] >= 5, "\(name): \(counts[name, default: 0]) of 400") }
    }

    /// The rank of a list of vectors (exact Gaussian elimination).
    static func rank(_ rows: [[Rational]]) -> Int {
        var m = rows
        var rank = 0
        for c in 0..<(m.first?.count ?? 0) {
            guard let p = m.indices.first(where: { $0 >= rank && !m[$0][c].isZero }) else { continue }
            m.swapAt(rank, p)
            for r in m.indices where r != rank && !m[r][c].isZero {
                let f = m[r][c] / m[rank][c]
                m[r] = zip(m[r], m[rank]).map { $0 - f * $1 }
            }
            rank += 1
        }
        return rank
    }

    /// Geometry is what it says: collinear tokens have rank ≤ 1 differences, coplanar ones rank ≤ 2,
    /// orthant tokens one sign pattern.
    @Test func geometryHolds() {
        var generator = ValiditySpaceGenerator(seed: 5)
        for geometry in [ValiditySpaceGenerator.Geometry.collinear, .coplanar, .orthant] {
            var knobs = ValiditySpaceGenerator.Knobs()
            knobs.geometry = geometry
            knobs.dimensions = 2...5
            for k in 0..<60 {
                let data = generator.dataset(knobs)
                var tokens: [Token] = []
                for t in data.pairs.flatMap({ $0.input + $0.output }) where !tokens.contains(t) { tokens.append(t) }
                guard tokens.count >= 2 else { continue }
                switch geometry {
                case .collinear:
                    // Only tokens of the shape: outputs drawn fresh lie on the line too.
                    let v = zip(tokens[1], tokens[0]).map { $0 - $1 }
                    for t in tokens.dropFirst(2) {
                        let w = zip(t, tokens[0]).map { $0 - $1 }
                        for a in 0..<data.dimension { for b in 0..<data.dimension {
                            #expect(v[a] * w[b] == v[b] * w[a], "collinear #\(k)\n\(data.json.rendered())")
                        } }
                    }
                case .coplanar:
                    let differences = tokens.dropFirst().map { t in zip(t, tokens[0]).map { $0 - $1 } }
                    #expect(Self.rank(differences) <= 2, "coplanar #\(k)\n\(data.json.rendered())")
                default:
                    for c in 0..<data.dimension {
                        let signs = Set(tokens.map { $0[c].signum }.filter { $0 != 0 })
                        #expect(signs.count <= 1, "orthant #\(k)\n\(data.json.rendered())")
                    }
                }
            }
        }
    }
}

@Suite("Dataset shrinker") struct DatasetShrinkerTests {
    /// A deliberately false property (no dataset may contain a coordinate ≥ 2^64 together with a
    /// repeated input token) shrinks to the smallest such dataset: one pair, two tokens (t, t), one
    /// output, d = 2 (the property is checked from d = 2 on), coordinates 0 and ±2^64; and it is written to the folder given, not the regression folder.
    @Test func falsePropertyShrinksToMinimalDatasetAndIsSaved() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("exact-interp-shrink-\(UInt64.random(in: 0...UInt64.max))")
        defer { try? FileManager.default.removeItem(at: folder) }
        let limit = Rational.powerOfTwo(64)
        var knobs = ValiditySpaceGenerator.Knobs()
        knobs.coordinates = .large
        knobs.repeatPercent = 80
        knobs.dimensions = 2...8
        let run = Property.run(.narrowHardmax, count: 200, seed: 3, knobs: knobs, saveTo: folder,
                               name: "shrinker-self-test (false on purpose)") { data in
            guard data.dimension >= 2 else { return nil }  // as the real property: d = 1 is not checked
            let big = data.pairs.contains { ($0.input + $0.output).joined().contains { $0.magnitude >= limit } }
            let repeated = data.pairs.contains { Set($0.input).count < $0.input.count }
            return big && repeated ? "big and repeated" : nil
        }
        let failure = try #require(run.failure, "the false property never failed")
        let shrunk = failure.shrunk
        #expect(shrunk.pairs.count == 1 && shrunk.pairs[0].input.count == 2 && shrunk.pairs[0].output.count == 1, "\(shrunk.json.rendered())")
        #expect(shrunk.dimension == 2, "\(shrunk.json.rendered())")  // the property is checked from d = 2 on
        let values = Set(shrunk.pairs[0].input.joined())
        #expect(values.isSubset(of: [.zero, limit]) || values.isSubset(of: [.zero, -limit]), "\(shrunk.json.rendered())")
        let file = try #require(failure.file)
        #expect(file.deletingLastPathComponent().path == folder.path)
        #expect(try Dataset.parse([UInt8](Data(contentsOf: file))) == shrunk)
    }

    @Test func shrinkingKeepsValidityAndKind() {
        var generator = ValiditySpaceGenerator(seed: 11)
        for kind in ValiditySpaceGenerator.Kind.allCases {
            var knobs = ValiditySpaceGenerator.Knobs()
            knobs.kind = kind
            for _ in 0..<10 {
                let data = generator.dataset(knobs)
                for c in DatasetShrinker.candidates(data) where DatasetShrinker.isValid(c) {
                    #expect(c.causal == data.causal && c.isLabelled == data.isLabelled)
                }
                // "Fails" while there are two pairs or more: shrinks to exactly two valid pairs.
                let outcome = DatasetShrinker.shrink(data) { $0.pairs.count >= 2 }
                if data.pairs.count >= 2 {
                    #expect(outcome.dataset.pairs.count == 2 && DatasetShrinker.isValid(outcome.dataset))
                }
            }
        }
    }
}
