import ExactArithmetic

/// The adversarial dataset families of issue 5 (see docs/mathematics.md#theorem-1-4), each valid under Assumption 1.3 and each
/// aimed at one weak spot of the Theorem 1.4/1.6 constructions: sequences nested in each other, a
/// sequence equal to the union of two others, collinear and interior (non-extreme) tokens, outputs
/// equal to other inputs or shared between sequences, m = n, m = 1, repeated tokens and pairs,
/// very large and very small coordinates, one token, sequences that differ in one token.
public enum AdversarialDatasets {
    /// The families, named; `huge` sets the large coordinates (its reciprocal the tiny ones).
    public static func families(huge big: Rational = Rational(1 << 40) * Rational(1 << 60)) -> [(name: String, dataset: Dataset)] {
        func tok(_ xs: Int...) -> Token { xs.map { Rational($0) } }
        let a = tok(0, 0), b = tok(1, 0), c = tok(0, 1), dd = tok(1, 1), e = tok(2, 3), f = tok(-1, 2)
        let tiny = big.isZero ? Rational.one : Rational.one / big
        return [
            ("nested", Dataset(dimension: 2, pairs: [
                SequencePair(input: [a], output: [tok(5, 5)]),
                SequencePair(input: [a, b], output: [tok(5, 5)]),
                SequencePair(input: [a, b, c], output: [tok(6, 6), tok(7, 7)]),
                SequencePair(input: [a, b, c, dd], output: [tok(8, 8)]),
            ])),
            ("union of two others", Dataset(dimension: 2, pairs: [
                SequencePair(input: [a, b], output: [tok(1, 2)]),
                SequencePair(input: [c, dd], output: [tok(3, 4)]),
                SequencePair(input: [a, b, c, dd], output: [tok(5, 6), tok(7, 8)]),
            ])),
            ("collinear", Dataset(dimension: 2, pairs: [
                SequencePair(input: [tok(0, 0), tok(1, 1), tok(2, 2), tok(3, 3)], output: [tok(1, 0), tok(0, 1)]),
                SequencePair(input: [tok(1, 1), tok(2, 2)], output: [tok(2, 0)]),
                SequencePair(input: [tok(2, 2), tok(3, 3), tok(4, 4)], output: [tok(3, 0), tok(0, 3), tok(1, 1)]),
            ])),
            ("interior tokens", Dataset(dimension: 2, pairs: [
                SequencePair(input: [tok(0, 0), tok(4, 0), tok(0, 4), tok(1, 1)], output: [tok(9, 9)]),
                SequencePair(input: [tok(1, 1), tok(-4, -4), tok(4, -1), tok(-1, 4)], output: [tok(1, 1), tok(2, 2)]),
            ])),
            ("outputs are other inputs", Dataset(dimension: 2, pairs: [
                SequencePair(input: [a, b, c], output: [dd, e]),
                SequencePair(input: [dd, e], output: [a]),
                SequencePair(input: [e, f], output: [b, c]),
            ])),
            ("shared outputs", Dataset(dimension: 2, pairs: [
                SequencePair(input: [a, b], output: [e]),
                SequencePair(input: [c, dd], output: [e]),
                SequencePair(input: [a, f, e], output: [e, f]),
            ])),
            ("m = n", Dataset(dimension: 3, pairs: [
                SequencePair(input: [tok(1, 2, 3), tok(3, 2, 1), tok(0, 0, 1)], output: [tok(1, 1, 1), tok(2, 2, 2), tok(3, 3, 3)]),
                SequencePair(input: [tok(1, 2, 3), tok(5, 5, 5)], output: [tok(0, 1, 0), tok(1, 0, 0)]),
            ])),
            ("m = 1", Dataset(dimension: 2, pairs: [
                SequencePair(input: [a, b, c, dd, e, f], output: [a]),
                SequencePair(input: [a, b], output: [a]),
            ])),
            ("repeated tokens and pairs", Dataset(dimension: 2, pairs: [
                SequencePair(input: [a, a, b, b, c], output: [e, e]),
                SequencePair(input: [c, b, a], output: [e]),
                SequencePair(input: [dd, dd], output: [f]),
            ])),
            ("huge and tiny coordinates", Dataset(dimension: 2, pairs: [
                SequencePair(input: [[big, tiny], [tiny, big], [-big, -tiny]], output: [[tiny, tiny]]),
                SequencePair(input: [[big, tiny], [big + tiny, big]], output: [[big, big], [-tiny, tiny]]),
                SequencePair(input: [[tiny, tiny], [Rational.zero, tiny]], output: [[big, -big]]),
            ])),
            ("single pair, single token", Dataset(dimension: 2, pairs: [SequencePair(input: [a], output: [b])])),
            ("identical sequences but one token", Dataset(dimension: 4, pairs: [
                SequencePair(input: [tok(1, 0, 0, 0), tok(0, 1, 0, 0), tok(0, 0, 1, 0)], output: [tok(1, 1, 1, 1)]),
                SequencePair(input: [tok(1, 0, 0, 0), tok(0, 1, 0, 0), tok(0, 0, 0, 1)], output: [tok(2, 2, 2, 2)]),
                SequencePair(input: [tok(1, 0, 0, 0), tok(0, 0, 1, 0), tok(0, 0, 0, 1)], output: [tok(3, 3, 3, 3)]),
                SequencePair(input: [tok(0, 1, 0, 0), tok(0, 0, 1, 0), tok(0, 0, 0, 1)], output: [tok(4, 4, 4, 4)]),
            ])),
        ]
    }
}
