import Certification
import ExactArithmetic
import Testing
import TransformerModel

/// `FloatComparison` (the analysis behind `compare`): exact and float64 side by side on a rank-one
/// hardmax layer whose two attention scores differ by `gap` (Datasets/models/near-tie.model.json
/// has gap 2⁻⁶⁰).
@Suite struct FloatComparisonTests {
    /// One collapse block: scores (p·x_i)(q·x_j) with p = e₁, q = e₁ + e₂, value the identity, so
    /// every token attends to the token with the larger second coordinate.
    static func nearTie(gap: Rational) -> (Transformer, Dataset) {
        let head = AttentionHead(scores: .rankOne(p: [.one, .zero, .zero], q: [.one, .one, .zero]),
                                 value: .scaledIdentity(.one))
        let model = Transformer(dimension: 3, blocks: [
            Block(stage: .collapse, attention: SelfAttentionLayer(kind: .hardmax, rho: .zero, heads: [head])),
        ])
        let top: Token = [.one, gap, Rational(5)]
        let data = Dataset(dimension: 3, pairs: [
            SequencePair(input: [top, [.one, .zero, Rational(-5)]], output: [top]),
        ])
        return (model, data)
    }

    @Test func float64RoundsAwayAGapOfTwoToTheMinus60() throws {
        let gap = try Rational(2).power(-60)
        let (model, data) = Self.nearTie(gap: gap)
        let c = try FloatComparison(model, data, tolerance: 1e-9)
        // Exactly, both tokens attend to the first and the output is {x₀}; in float64 1 + 2⁻⁶⁰ = 1,
        // so both tokens average the two inputs and land at [1, 0, 0], 5 away from x₀.
        #expect(c.exactFailures == 0)
        #expect(c.floatFailures == 1)
        #expect(c.pairCount == 1)
        #expect(c.layers.map(\.label) == ["block 0 FF (collapse)", "block 0 SA (collapse)"])
        #expect(c.layers[0].argmaxDiffers == 0 && c.layers[0].maxError == 0)
        #expect(c.layers[1].argmaxDiffers == 2)
        #expect(c.layers[1].maxError == 5)
        #expect(c.layers[1].scoreGap == gap)
        #expect(c.firstDivergence == "block 0 SA (collapse), pair 0, token 0: float64 attends to [0, 1], exact to [0]")
    }

    @Test func float64AgreesWhenTheGapIsRepresentable() throws {
        let (model, data) = Self.nearTie(gap: Rational(1) / Rational(2))
        let c = try FloatComparison(model, data, tolerance: 0)
        #expect(c.exactFailures == 0 && c.floatFailures == 0)
        #expect(c.layers.allSatisfy { $0.argmaxDiffers == 0 && $0.signDiffers == 0 && $0.maxError == 0 })
        #expect(c.layers[1].scoreGap == Rational(1) / Rational(2))
        #expect(c.firstDivergence == nil)
    }

    @Test func aWrongModelFailsBothArithmetics() throws {
        // Targets that no evaluation reaches: exact and float64 agree that the pair fails.
        let (model, good) = Self.nearTie(gap: Rational(1) / Rational(2))
        var data = good
        data.pairs[0].output = [[Rational(7), .zero, .zero]]
        let c = try FloatComparison(model, data, tolerance: 1e-9)
        #expect(c.exactFailures == 1 && c.floatFailures == 1)
        #expect(c.firstDivergence == nil)
    }
}
