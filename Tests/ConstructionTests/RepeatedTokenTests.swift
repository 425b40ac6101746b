import Certification
@testable import Constructions
import DatasetGeneration
import ExactArithmetic
import Testing
import TransformerModel

/// Repeated tokens (docs/construction.md#repeated-tokens): attention counts positions, so the
/// constructions, which reason on distinct values, must hold on the sequences as given.
@Suite struct RepeatedTokenTests {
    /// Valid datasets that broke `construct --layout narrow` (exit 70) before the construction
    /// state carried multiplicities: tied tops weighed by position.
    static let reproducers: [Dataset] = [
        Dataset(name: "issue-21-a", dimension: 2, pairs: [
            SequencePair(input: [tok(0, 0), tok(0, 0), tok(1, 0), tok(1, 0), tok(0, 1)], output: [tok(3, 3), tok(3, 3)]),
            SequencePair(input: [tok(1, 0), tok(0, 1), tok(0, 1)], output: [tok(4, 4), tok(5, 5), tok(4, 4)]),
        ]),
        Dataset(name: "issue-21-b", dimension: 2, pairs: [
            SequencePair(input: [tok(-1, -2), tok(0, 1), tok(-1, -2)], output: [tok(0, 0)]),
            SequencePair(input: [tok(0, 1)], output: [tok(0, 0)]),
        ]),
    ]

    @Test(arguments: HardmaxConstruction.Layout.allCases)
    func reproducersCertify(layout: HardmaxConstruction.Layout) {
        for data in Self.reproducers {
            #expect(certify(data, layout, "\(data.name ?? "") \(layout)") != nil)
        }
    }

    /// The problem keeps every input sequence that repeats a token — its own and those of pairs
    /// merged into it — as given; sequences without repeats add nothing.
    @Test func problemKeepsRepeatedInputsAsGiven() throws {
        let a = tok(1, 0), b = tok(0, 1)
        let data = Dataset(dimension: 2, pairs: [
            SequencePair(input: [a, b], output: [a]),
            SequencePair(input: [b, a, a], output: [a]),       // merged into pairs[0], with a repeat
            SequencePair(input: [b, b, a], output: [a]),       // merged too, other multiplicities
            SequencePair(input: [b], output: [b]),
        ])
        let problem = try InterpolationProblem(data)
        #expect(problem.count == 2)
        #expect(problem.pairs[0].repeatedInputs.map(\.sourceIndex) == [1, 2])
        #expect(problem.pairs[0].repeatedInputs.map(\.tokens) == [[b, a, a], [b, b, a]])
        #expect(problem.pairs[1].repeatedInputs.isEmpty)
    }

    /// A block whose hardmax tie averages a repeated token: on the distinct values the tie's mean
    /// is ((−1,−2) + (0,1))/2, on the sequence as given ((−1,−2)·2 + (0,1))/3, added to the token (ρ = 1). The state refuses the
    /// block, naming the stage, the pair and the token; a candidate test leaves the state untouched.
    @Test func stageInvariantNamesStagePairAndToken() throws {
        let w = tok(3, -1)                 // ⟨w, (−1,−2)⟩ = ⟨w, (0,1)⟩ = −1: a tie
        let sa = SelfAttentionLayer(kind: .hardmax, rho: .one, scores: .rankOne(p: w, q: w), value: .scaledIdentity(.one))
        let block = Block(stage: .separation, attention: sa)
        var state = ConstructionState(try InterpolationProblem(Self.reproducers[1]))
        #expect(state.sequencesWithRepeats == [0])
        let accepted = state.appendIfRepeatsFollow(block, result: state.applying(block))
        #expect(!accepted)
        #expect(state.blocks.isEmpty)
        do {
            try state.append(block)
            Issue.record("a block that averages a repeated token was accepted")
        } catch {
            let message = error.description
            #expect(message.contains("the separation stage failed its exact check"), "\(message)")
            #expect(message.contains("pairs[0].input[0]"), "\(message)")
            #expect(message.contains("to (-5/3, -3) on the sequence as given") && message.contains("to (-3/2, -5/2) on its distinct tokens"), "\(message)")
        }
        // Positive control: the same block on the distinct tokens, given without the repeat.
        var plain = ConstructionState(try InterpolationProblem(Dataset(dimension: 2, pairs: [
            SequencePair(input: [tok(-1, -2), tok(0, 1)], output: [tok(0, 0)]),
            SequencePair(input: [tok(0, 1)], output: [tok(0, 0)]),
        ])))
        try plain.append(block)
        #expect(plain.blocks.count == 1)
    }

    @Test func uniqueTopAlongADirection() {
        #expect(DirectionRounds.hasUniqueTop([tok(-1, -2), tok(0, 1)], along: tok(0, 1)))
        #expect(!DirectionRounds.hasUniqueTop([tok(-1, -2), tok(0, 1)], along: tok(3, -1)))
        #expect(DirectionRounds.hasUniqueTop([], along: tok(1, 0)))
    }

    /// Random datasets from small pools with repeated tokens, identical pairs and shared tokens,
    /// d = 2…4, in every hardmax layout and as labelled data: all certify on the data as given.
    /// (Before the fix, narrow failed on about one in seven of them.)
    @Test func randomRepeatedTokenDatasetsCertify() throws {
        var rng = SplitMix64(seed: 2121)
        var checked = 0, withRepeats = 0
        for iteration in 0..<(40 * iterationScale) {
            let d = Int.random(in: 2...4, using: &rng)
            let pool = (0..<Int.random(in: 1...5, using: &rng)).map { _ in
                (0..<d).map { _ in Rational(Int.random(in: -2...2, using: &rng)) }
            }
            var outputOf: [Set<Token>: [Token]] = [:]
            var pairs: [SequencePair] = []
            for _ in 0..<Int.random(in: 1...5, using: &rng) {
                let input = (0..<Int.random(in: 1...5, using: &rng)).map { _ in pool[Int.random(in: 0..<pool.count, using: &rng)] }
                let key = Set(input)
                let output = outputOf[key] ?? (0..<Int.random(in: 1...key.count, using: &rng)).map { _ in
                    (0..<d).map { _ in Rational(Int.random(in: -3...3, using: &rng)) }
                }
                outputOf[key] = output
                pairs.append(SequencePair(input: input, output: output))
            }
            let data = Dataset(name: "repeats #\(iteration)", dimension: d, pairs: pairs)
            if pairs.contains(where: { Set($0.input).count < $0.input.count }) { withRepeats += 1 }
            for layout in HardmaxConstruction.Layout.allCases where certify(data, layout, "\(data.name ?? "") \(layout)") != nil {
                checked += 1
            }
            let labelled = Dataset(dimension: d, pairs: pairs.map {
                SequencePair(input: $0.input, output: [], label: "l\(outputOf[Set($0.input)]?.count ?? 0)")
            })
            let (model, embedded) = try ClassificationTests.classifier(labelled)
            #expect(try certify(model: model, dataset: embedded).holds, "labelled \(data.name ?? "")\n\(labelled.json.rendered())")
        }
        #expect(checked == 2 * 40 * iterationScale)
        #expect(withRepeats >= 20 * iterationScale, "the generator must repeat tokens: \(withRepeats)")
    }
}
