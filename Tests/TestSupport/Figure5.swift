import ExactArithmetic
import TransformerModel

/// The Figure-5-like dataset of the paper (Datasets/figure5.json): three sequences in the plane,
/// with one, two and three output tokens; the one fixture of every test target that uses it.
public let figure5 = Dataset(name: "figure-5", dimension: 2, pairs: [
    SequencePair(input: [point("0", "1"), point("1/2", "3"), point("-1/4", "2"), point("2", "-1")],
                 output: [point("1", "1"), point("3", "0")]),
    SequencePair(input: [point("1", "2"), point("3/2", "1/2"), point("-1", "-1")], output: [point("-2", "1/3")]),
    SequencePair(input: [point("0", "1"), point("2", "2"), point("-3/2", "5/4"), point("1", "0"), point("1/2", "-1/2")],
                 output: [point("0", "-2"), point("1/2", "1/2"), point("2", "2")]),
])

/// A token from literals of its coordinates.
private func point(_ coordinates: String...) -> Token { coordinates.map(r) }
