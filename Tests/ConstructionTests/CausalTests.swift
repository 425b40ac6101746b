import Certification
import Constructions
import DatasetGeneration
import Evaluation
import ExactArithmetic
import Foundation
import TestSupport
import Testing
import TransformerModel

/// Builds a causal model, round-trips its file and verifies it per position; records the dataset
/// on failure.
@discardableResult
func certifyCausal(_ data: Dataset, _ label: String, sourceLocation: SourceLocation = #_sourceLocation) -> CausalConstruction.Result? {
    do {
        let problem = try CausalProblem(data)
        let result = try CausalConstruction.build(problem, digest: data.digest)
        let reread = try Transformer.parse(Array(result.model.fileText.utf8))
        #expect(reread == result.model, "\(label): model file does not round-trip", sourceLocation: sourceLocation)
        let report = try certifyCausal(model: reread, dataset: data)
        #expect(report.holds, "\(label): \(report.failures.count) positions fail, unmasked \(report.unmaskedBlocks)\n\(data.json.rendered())",
                sourceLocation: sourceLocation)
        #expect(result.distinctStates <= problem.distinctPrefixCount, "\(label): more states than prefixes", sourceLocation: sourceLocation)
        return result
    } catch {
        Issue.record("\(label): \(error)\n\(data.json.rendered())", sourceLocation: sourceLocation)
        return nil
    }
}

/// A straightforward evaluator written from the definitions (docs/mathematics.md#architecture):
/// every score computed, argmax sets by comparison, causal masks by slicing. Independent of the
/// compiled evaluator's prefix sums, running extremes and shared means.
func naiveEvaluate(_ model: Transformer, _ xs: [Token]) -> [Token] {
    var xs = xs
    let d = model.dimension
    for block in model.blocks {
        let ff = block.feedForward
        xs = xs.map { x in
            var y = x.map { ff.eta * $0 }
            for ridge in ff.ridges {
                var t = Rational.zero
                for c in 0..<d { t += ridge.direction[c] * x[c] }
                for n in ridge.neurons {
                    let a = (t + n.bias).relu
                    for c in 0..<d { y[c] += a * n.output[c] }
                }
            }
            return y
        }
        let sa = block.attention
        if sa.isIdentity { continue }
        var out = xs.map { x in x.map { sa.rho * $0 } }
        for head in sa.heads {
            func score(_ a: Token, _ b: Token) -> Rational {
                switch head.scores {
                case .zero: return .zero
                case .scaledIdentity(let s): return s * zip(a, b).reduce(Rational.zero) { $0 + $1.0 * $1.1 }
                case .rankOne(let p, let q):
                    return zip(a, p).reduce(Rational.zero) { $0 + $1.0 * $1.1 } * zip(q, b).reduce(Rational.zero) { $0 + $1.0 * $1.1 }
                case .general(let m):
                    let mb = m.map { row in zip(row, b).reduce(Rational.zero) { $0 + $1.0 * $1.1 } }
                    return zip(a, mb).reduce(Rational.zero) { $0 + $1.0 * $1.1 }
                case .queryKey: return .zero  // not produced by the constructions tested here
                }
            }
            func value(_ x: Token) -> Token {
                switch head.value {
                case .zero: return x.map { _ in .zero }
                case .scaledIdentity(let s): return x.map { s * $0 }
                case .general(let m): return m.map { row in zip(row, x).reduce(Rational.zero) { $0 + $1.0 * $1.1 } }
                }
            }
            for i in xs.indices {
                let visible = sa.causal ? Array(0...i) : Array(xs.indices)
                let scores = visible.map { score(xs[i], xs[$0]) }
                let best = scores.max() ?? .zero
                let argmax = visible.indices.filter { scores[$0] == best }.map { visible[$0] }
                let weight = Rational.one / Rational(argmax.count)
                for k in argmax {
                    let v = value(xs[k])
                    for c in 0..<d { out[i][c] += weight * v[c] }
                }
            }
        }
        xs = out
    }
    return xs
}

@Suite struct CausalTests {
    static let counterexample = Dataset(name: "causal counterexample", dimension: 2,
                                        pairs: [SequencePair(input: [tok(0, 0), tok(0, 1)], output: [tok(0, 0), tok(0, 1)])], causal: true)

    // MARK: datasets

    @Test func readerAndValidation() throws {
        let text = #"{"dimension": 2, "causal": true, "pairs": [{"input": [[0,0],[1,0],[0,0]], "output": [[1,0],[0,0],[2,2]]}]}"#
        let data = try Dataset.parse(Array(text.utf8))
        #expect(data.causal)
        let problem = try CausalProblem(data)
        #expect(problem.positionCount == 3 && problem.distinctPrefixCount == 3)
        // Round trip keeps the flag, and the digest differs from the same pairs read as sets.
        let again = try Dataset.parse(Array(data.json.rendered().utf8))
        #expect(again == data)
        var asSets = data
        asSets.causal = false
        #expect(asSets.digest != data.digest)
        #expect(throws: InputError.self) { try InterpolationProblem(data) }
    }

    @Test func invalidCausalDatasets() {
        func reason(_ text: String) -> String {
            do {
                _ = try CausalProblem(try Dataset.parse(Array(text.utf8)))
                return "accepted"
            } catch { return error.description }
        }
        let conflict = reason(#"{"dimension": 2, "causal": true, "pairs": [{"input": [[0,0],[1,0],[2,0]], "output": [[1,0],[2,0],[3,0]]}, {"input": [[0,0],[1,0]], "output": [[1,0],[5,5]]}]}"#)
        #expect(conflict.contains("pairs[0] and pairs[1] share their first 2 tokens"), "\(conflict)")
        #expect(conflict.hasPrefix("pairs[1].output[1]"), "\(conflict)")
        let constant = reason(#"{"dimension": 2, "causal": true, "pairs": [{"input": [[0,0]], "output": [[1,0]]}, {"input": [[0,0],[0,0]], "output": [[1,0],[2,0]]}]}"#)
        #expect(constant.contains("length 1") && constant.contains("length 2") && constant.contains("same state"), "\(constant)")
        let lengths = reason(#"{"dimension": 2, "causal": true, "pairs": [{"input": [[0,0],[1,1]], "output": [[1,0]]}]}"#)
        #expect(lengths.contains("one target per input position"), "\(lengths)")
        let flag = reason(#"{"dimension": 2, "causal": 1, "pairs": [{"input": [[0,0]], "output": [[1,0]]}]}"#)
        #expect(flag.hasPrefix("causal: expected true or false"), "\(flag)")
        let notCausal = reason(#"{"dimension": 2, "pairs": [{"input": [[0,0]], "output": [[1,0]]}]}"#)
        #expect(notCausal.contains("not a causal dataset"), "\(notCausal)")
    }

    // MARK: the construction

    @Test(arguments: [("GPL-3", 2), ("GPL-2", 3)])
    func licenceTextsCertified(file: String, dimension: Int) throws {
        let data = NextWordData.dataset(files: [NextWordData.licence(file)], dimension: dimension, maximumPositions: 1_000)
        #expect(data.totalInputLength >= 1_000)
        let result = try #require(certifyCausal(data, "\(file) d = \(dimension)"))
        // Every non-identity attention layer is masked, and the model is small: context blocks + 1.
        #expect(result.model.blocks.allSatisfy { $0.attention.isIdentity || $0.attention.causal })
        #expect(result.model.blocks.count == result.contextBlocks + 1 && result.contextBlocks <= 3)
    }

    /// Random small causal datasets over a tiny vocabulary (many shared prefixes and repeats):
    /// certified, and the compiled evaluator agrees with the naive one on every sequence.
    @Test func randomDatasetsCertifiedAndCrossChecked() {
        var rng = SplitMix64(seed: 13)
        var contextBlockCounts: [Int: Int] = [:]
        for iteration in 0..<(40 * iterationScale) {
            let d = 2 + Int(rng.next() % 2)
            let vocabulary = (0..<(2 + Int(rng.next() % 4))).map { _ in (0..<d).map { _ in Rational(Int(rng.next() % 7) - 3) } }
            var targetOf: [[Token]: Token] = [:]
            var constantTarget: [Token: Token] = [:]
            var pairs: [SequencePair] = []
            for _ in 0..<(1 + Int(rng.next() % 6)) {
                let input = (0..<(1 + Int(rng.next() % 6))).map { _ in vocabulary[Int(rng.next() % UInt64(vocabulary.count))] }
                var output: [Token] = []
                for i in input.indices {
                    let prefix = Array(input[...i])
                    let isConstant = prefix.allSatisfy { $0 == prefix[0] }
                    let fresh = vocabulary[Int(rng.next() % UInt64(vocabulary.count))]
                    let t = isConstant ? (constantTarget[prefix[0]] ?? fresh) : (targetOf[prefix] ?? fresh)
                    if isConstant { constantTarget[prefix[0]] = t }
                    targetOf[prefix] = t
                    output.append(t)
                }
                pairs.append(SequencePair(input: input, output: output))
            }
            let data = Dataset(dimension: d, pairs: pairs, causal: true)
            guard let result = certifyCausal(data, "random #\(iteration)") else { continue }
            contextBlockCounts[result.contextBlocks, default: 0] += 1
            for p in data.pairs {
                let fast = try? Evaluator<Rational>(result.model).evaluate(p.input)
                #expect(fast == naiveEvaluate(result.model, p.input), "random #\(iteration): evaluators disagree\n\(data.json.rendered())")
            }
        }
        // The random data exercise the second context block (order beyond the multiset) too.
        #expect(contextBlockCounts.keys.contains { $0 >= 2 }, "context blocks used: \(contextBlockCounts)")
    }

    /// Same tokens in another order, same last token: one uniform layer sees the same multiset, the
    /// second separates the orders.
    @Test func orderNeedsTwoContextBlocks() throws {
        let data = Dataset(dimension: 2, pairs: [
            SequencePair(input: [tok(1, 0), tok(0, 1), tok(1, 1)], output: [tok(0, 1), tok(1, 1), tok(2, 0)]),
            SequencePair(input: [tok(0, 1), tok(1, 0), tok(1, 1)], output: [tok(1, 0), tok(1, 1), tok(0, 2)]),
        ], causal: true)
        let result = try #require(certifyCausal(data, "order matters"))
        #expect(result.contextBlocks == 2)
        // Without its second context block the model cannot tell the two last positions apart.
        var cut = result.model
        cut.blocks.remove(at: 1)
        #expect(!(try certifyCausal(model: cut, dataset: data).holds))
    }

    /// Targets that depend on the last token only need no context block: one position-wise FF.
    @Test func lastTokenTargetsNeedNoContext() throws {
        let next: [Token: Token] = [tok(0, 0): tok(1, 0), tok(1, 0): tok(0, 1), tok(0, 1): tok(0, 0)]
        let inputs: [[Token]] = [[tok(0, 0), tok(1, 0), tok(0, 1)], [tok(1, 0), tok(1, 0), tok(0, 0)], [tok(0, 1), tok(0, 0)]]
        let data = Dataset(dimension: 2, pairs: inputs.map { x in SequencePair(input: x, output: x.map { next[$0] ?? $0 }) }, causal: true)
        let result = try #require(certifyCausal(data, "last token decides"))
        #expect(result.contextBlocks == 0 && result.model.blocks.count == 1)
        let prefixes = try CausalProblem(data).distinctPrefixCount
        #expect(result.distinctStates == 3 && prefixes == 8)
    }

    @Test func sameDatasetGivesIdenticalFiles() throws {
        let data = NextWordData.dataset(files: [NextWordData.licence("MPL-2.0")], dimension: 2, maximumPositions: 200)
        let problem = try CausalProblem(data)
        let a = try CausalConstruction.build(problem, digest: data.digest).model.fileText
        let b = try CausalConstruction.build(problem, digest: data.digest).model.fileText
        #expect(a == b)
    }

    // MARK: mutations: one changed parameter per block kind makes verification fail

    @Test func mutationsRejectedPerBlockKind() throws {
        let data = NextWordData.dataset(files: [NextWordData.licence("BSD")], dimension: 2, maximumPositions: 150)
        let model = try #require(certifyCausal(data, "BSD")).model
        let context = try #require(model.blocks.firstIndex { $0.stage == CausalConstruction.contextStage })
        let last = model.blocks.count - 1
        #expect(model.blocks[last].stage == CausalConstruction.interpolationStage)
        func rejected(_ change: (inout Transformer) -> Void) throws -> Bool {
            var m = model
            change(&m)
            return !(try certifyCausal(model: m, dataset: data).holds)
        }
        // Context FF: the first hat's output (the lift of one token value).
        #expect(try rejected { $0.blocks[context].feedForward.ridges[0].neurons[0].output[0] += .one })
        #expect(try rejected { $0.blocks[context].feedForward.ridges[0].neurons[1].bias += r("1/1000000") })
        // Context SA: ρ, the value scale, and the mask itself.
        #expect(try rejected { $0.blocks[context].attention.rho += .one })
        #expect(try rejected { $0.blocks[context].attention.heads[0].value = .scaledIdentity(Rational(2)) })
        #expect(try rejected { $0.blocks[context].attention.causal = false })
        // Interpolation FF: one hat's output.
        #expect(try rejected { $0.blocks[last].feedForward.ridges[0].neurons[0].output[1] += .one })
        // The unchanged model still verifies (the checks above can pass).
        #expect(try certifyCausal(model: model, dataset: data).holds)
    }

    // MARK: the paper's reformulation

    @Test func smallestCounterexampleIsFound() throws {
        var examined = 0
        let found = try #require(try CausalReformulation.smallestCounterexample(maximumLength: 2, maximumCoordinate: 1, examined: &examined))
        #expect(found.0 == Self.counterexample)
        #expect(found.1.failures == [CausalReformulation.Failure(pair: 0, position: 1, got: tok(0, 0), want: tok(0, 1))])
        #expect(found.1.prefixRunsHold)
        // Every one-token dataset satisfies the claim (a mask changes nothing at position 1).
        var none = 0
        #expect(try CausalReformulation.smallestCounterexample(maximumLength: 1, maximumCoordinate: 2, examined: &none) == nil)
        #expect(none > 0)
    }

    @Test func reformulationFailsInBothLayoutsButTheCausalModelWorks() throws {
        for layout in HardmaxConstruction.Layout.allCases {
            let outcome = try CausalReformulation.check(Self.counterexample, layout: layout)
            #expect(!outcome.holds && outcome.prefixRunsHold, "\(layout)")
        }
        let data = NextWordData.dataset(files: [NextWordData.licence("GPL-3")], dimension: 2, maximumPositions: 40)
        let outcome = try CausalReformulation.check(data)
        #expect(!outcome.holds, "the reformulation should fail on next-word data too")
        certifyCausal(Self.counterexample, "counterexample")
        certifyCausal(data, "GPL-3, 40 positions")
    }
}
