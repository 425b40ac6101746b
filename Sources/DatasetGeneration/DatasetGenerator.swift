import ExactArithmetic
import TransformerModel

/// Random valid datasets for tests and benchmarks (Assumption 1.3 holds by construction).
public struct DatasetGenerator {
    public var rng: SplitMix64
    public init(seed: UInt64) { rng = SplitMix64(seed: seed) }

    /// A random token with small rational coordinates (numerators |p| ≤ range, denominators ≤ 4).
    public mutating func token(dimension d: Int, range: Int = 20) -> Token {
        (0..<d).map { _ in
            let den = Int.random(in: 1...4, using: &rng)
            let num = Int.random(in: -range * den...range * den, using: &rng)
            return (try? Rational(numerator: num, denominator: den)) ?? .zero
        }
    }

    /// N pairs with input lengths in `lengths` and 1 ≤ m ≤ n outputs. With `pool`, input tokens are
    /// drawn from a shared pool of that many values (so sequences overlap and separation has work);
    /// otherwise they are fresh. Inputs are pairwise distinct as sets.
    public mutating func dataset(pairs n: Int, dimension d: Int, lengths: ClosedRange<Int>, pool: Int? = nil,
                                 maxOutputs: Int? = nil) -> Dataset {
        let poolTokens = pool.map { size in distinctTokens(size, dimension: d) }
        var seen = Set<Set<Token>>()
        var pairs: [SequencePair] = []
        var attempts = 0
        while pairs.count < n && attempts < 100 * n {
            attempts += 1
            let len = Int.random(in: lengths, using: &rng)
            var input: [Token]
            if let poolTokens {
                input = Array(poolTokens.shuffled(using: &rng).prefix(min(len, poolTokens.count)))
            } else {
                input = distinctTokens(len, dimension: d)
            }
            guard seen.insert(Set(input)).inserted else { continue }
            let mCap = min(input.count, maxOutputs ?? input.count)
            let m = Int.random(in: 1...mCap, using: &rng)
            input.shuffle(using: &rng)
            pairs.append(SequencePair(input: input, output: distinctTokens(m, dimension: d)))
        }
        return Dataset(name: "random", dimension: d, pairs: pairs)
    }

    /// `count` pairwise distinct random tokens.
    public mutating func distinctTokens(_ count: Int, dimension d: Int) -> [Token] {
        var set = Set<Token>()
        var out: [Token] = []
        var range = 20
        while out.count < count {
            let t = token(dimension: d, range: range)
            if set.insert(t).inserted { out.append(t) } else { range += 1 }
        }
        return out
    }
}
