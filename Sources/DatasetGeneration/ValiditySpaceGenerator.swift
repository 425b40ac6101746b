import ExactArithmetic
import TransformerModel

/// Seeded random datasets that span the whole validity space of docs/dataset-format.md, for the
/// property tests (`PropertyTests`, `make properties`) and `generate --profile validity-space`.
///
/// Unlike `DatasetGenerator` (distinct tokens, fresh or pooled), a dataset drawn here may repeat a
/// token inside a sequence, repeat a pair exactly or with the same sets in another order and
/// multiplicity, share tokens across sequences from a small pool, give outputs equal to (a subset
/// of) its inputs, put every token on one line, one plane or in one orthant, and use integer,
/// fractional, huge (beyond 2^53 and 2^64) or nearly tied (2^−60 apart) coordinates. Every knob is
/// a probability or a range, and every choice has positive probability, so every valid dataset of
/// the chosen kind can be drawn (docs/testing.md, "Reaching every valid dataset"). Each dataset is
/// valid by construction: an input set seen before gets the same output set (label) again, m ≤ n
/// counts distinct tokens, causal targets follow one map from prefixes.
public struct ValiditySpaceGenerator {
    /// Sets (the theorems' pairs), labelled pairs (classification) or causal sequences.
    public enum Kind: String, CaseIterable, Sendable { case sets, labelled, causal }
    /// Where the tokens of one dataset lie.
    public enum Geometry: String, CaseIterable, Sendable { case general, collinear, coplanar, orthant }
    /// Which coordinates one dataset uses (`mixed`: each coordinate picks one of the others).
    public enum Coordinates: String, CaseIterable, Sendable { case integer, fraction, large, nearTie = "near-tie", mixed }

    /// The knobs. Probabilities are in percent (0...100).
    public struct Knobs: Sendable, Equatable {
        public var kind: Kind = .sets
        public var dimensions: ClosedRange<Int> = 1...8
        public var pairs: ClosedRange<Int> = 1...6
        /// Distinct input tokens per sequence (before repeats are added).
        public var lengths: ClosedRange<Int> = 1...5
        /// Size of the shared token pool (inputs, and outputs when not fresh); fresh tokens are
        /// mixed in with probability `freshPercent`.
        public var poolSizes: ClosedRange<Int> = 2...8
        public var freshPercent = 25
        /// Chance that a sequence repeats some of its tokens (1 to 3 extra copies each time).
        public var repeatPercent = 40
        /// Chance that a pair copies an earlier one (half exactly, half the same sets reordered with
        /// other multiplicities).
        public var duplicatePercent = 20
        /// Chance that the outputs are drawn from the pair's own inputs (all of them: outputs = inputs).
        public var outputsFromInputsPercent = 30
        /// nil: one drawn per dataset.
        public var geometry: Geometry? = nil
        public var coordinates: Coordinates? = nil
        /// Distinct labels of a labelled dataset.
        public var labels: ClosedRange<Int> = 1...3
        public init() {}

        /// Small datasets for slow properties (softmax): N ≤ 3, lengths ≤ 3, pool ≤ 5.
        public static let small: Knobs = {
            var k = Knobs()
            k.pairs = 1...3
            k.lengths = 1...3
            k.poolSizes = 2...5
            return k
        }()
    }

    /// What one draw contains (for statistics and for the generator's own tests).
    public struct Features: Sendable, Equatable {
        public var geometry: Geometry = .general
        public var coordinates: Coordinates = .integer
        public var repeatedToken = false
        public var exactDuplicatePair = false
        public var reorderedDuplicatePair = false
        public var sharedToken = false
        public var outputsEqualInputs = false
        public var beyond2to64 = false
        public var nearTie = false
        public var fractional = false
        public var negative = false
    }

    public var rng: SplitMix64
    public init(seed: UInt64) { rng = SplitMix64(seed: seed) }

    // MARK: Random primitives

    mutating func percent(_ p: Int) -> Bool { Int(rng.next() % 100) < p }
    mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &rng) }

    /// A non-negative integer of a random bit length: geometric (each further 8-bit step with
    /// probability 1/2), so small values dominate but every integer has positive probability
    /// (lengths are capped at 256 bits in practice).
    mutating func magnitude(maxBits: Int = 256) -> Rational {
        var bits = 1 + Int(rng.next() % 4)
        while bits < maxBits && percent(50) { bits += 8 }
        var value = Rational.zero
        var remaining = bits
        while remaining > 0 {
            let chunk = min(remaining, 60)
            value = value.timesPowerOfTwo(chunk) + Rational(Int(rng.next() >> UInt64(64 - chunk)))
            remaining -= chunk
        }
        return value
    }

    mutating func signed(_ x: Rational) -> Rational { percent(50) ? -x : x }

    /// One coordinate of the given kind.
    public mutating func coordinate(_ kind: Coordinates) -> Rational {
        switch kind {
        case .integer:
            return signed(percent(60) ? Rational(int(0...3)) : magnitude(maxBits: 40))
        case .fraction:
            let den: Rational
            switch rng.next() % 4 {
            case 0: den = Rational(int(1...4))
            case 1: den = (try? Rational(10).power(int(1...20))) ?? .one
            case 2: den = Rational.powerOfTwo(int(1...70))
            default: den = magnitude(maxBits: 80) + .one
            }
            return signed(magnitude(maxBits: 80) / den)
        case .large:
            // Near and beyond 2^53 and 2^64, and far beyond (up to 2^200), sometimes with a fraction.
            let base: Rational
            switch rng.next() % 4 {
            case 0: base = Rational.powerOfTwo(53)
            case 1: base = Rational.powerOfTwo(64)
            case 2: base = Rational.powerOfTwo(63)
            default: base = Rational.powerOfTwo(int(65...200))
            }
            var x = base * Rational(int(1...3)) + Rational(int(-2...2))
            if percent(25) { x = x + Rational.one / Rational(int(2...7)) }
            return signed(x)
        case .nearTie:
            // Small values whose neighbours (see `nearTieNeighbour`) differ by k · 2^−60.
            return coordinate(percent(50) ? .integer : .fraction).magnitudeCapped(bits: 24)
        case .mixed:
            return coordinate([Coordinates.integer, .fraction, .large, .nearTie][int(0...3)])
        }
    }

    // MARK: Geometry

    /// The shape one dataset's tokens are drawn from.
    struct Shape {
        var d: Int
        var geometry: Geometry
        var coordinates: Coordinates
        var origin: Token
        var directions: [Token]
        var signs: [Rational]
    }

    mutating func shape(d: Int, geometry: Geometry, coordinates: Coordinates) -> Shape {
        var directions: [Token] = []
        let count = geometry == .collinear ? 1 : geometry == .coplanar ? 2 : 0
        for _ in 0..<count {
            var v = (0..<d).map { _ in coordinate(coordinates == .large ? .integer : coordinates) }
            if v.allSatisfy(\.isZero) { v[int(0...(d - 1))] = .one }
            directions.append(v)
        }
        return Shape(d: d, geometry: geometry, coordinates: coordinates,
                     origin: (0..<d).map { _ in coordinate(coordinates) }, directions: directions,
                     signs: (0..<d).map { _ in percent(50) ? .one : -.one })
    }

    /// A token of the shape: origin + Σ t_i v_i on a line or plane, sign-fixed magnitudes in one
    /// orthant, independent coordinates otherwise.
    mutating func token(_ s: Shape) -> Token {
        switch s.geometry {
        case .general:
            return (0..<s.d).map { _ in coordinate(s.coordinates) }
        case .orthant:
            return (0..<s.d).map { c in coordinate(s.coordinates).magnitude * s.signs[c] }
        case .collinear, .coplanar:
            var x = s.origin
            for v in s.directions {
                let t = coordinate(percent(70) ? .integer : .fraction).magnitudeCapped(bits: 30)
                for c in 0..<s.d { x[c] = x[c] + t * v[c] }
            }
            return x
        }
    }

    /// A neighbour 2^−60-ish away from `t` (one coordinate moved by k · 2^−60, |k| ≤ 3): with the
    /// near-tie coordinates, pools contain such clusters, so attention scores nearly tie.
    mutating func nearTieNeighbour(_ t: Token, _ s: Shape) -> Token {
        var x = t
        let k = Rational([-3, -2, -1, 1, 2, 3][int(0...5)])
        if s.geometry == .collinear || s.geometry == .coplanar, let v = s.directions.first {
            for c in 0..<s.d { x[c] = x[c] + k.timesPowerOfTwo(-60) * v[c] }
        } else {
            let c = int(0...(s.d - 1))
            x[c] = x[c] + k.timesPowerOfTwo(-60)
            if s.geometry == .orthant && x[c].signum * s.signs[c].signum < 0 { x[c] = t[c] }
        }
        return x
    }

    /// `count` distinct tokens of the shape (fewer when the shape cannot give that many quickly).
    /// Near-tie neighbours are taken of the last token drawn, or of `near` (an array: a `Set`'s
    /// order changes from run to run, and the draw must not).
    mutating func distinctTokens(_ count: Int, _ s: Shape, avoiding existing: Set<Token> = [], near: Token? = nil) -> [Token] {
        var seen = existing
        var out: [Token] = []
        var attempts = 0
        while out.count < count && attempts < 50 * (count + 1) {
            attempts += 1
            let t: Token
            if s.coordinates == .nearTie || (s.coordinates == .mixed && percent(25)), let base = out.last ?? near, percent(60) {
                t = nearTieNeighbour(base, s)
            } else {
                t = token(s)
            }
            if seen.insert(t).inserted { out.append(t) }
        }
        return out
    }

    // MARK: Datasets

    public mutating func dataset(_ knobs: Knobs = Knobs()) -> Dataset { draw(knobs).dataset }

    /// A valid dataset and what it contains.
    public mutating func draw(_ knobs: Knobs = Knobs()) -> (dataset: Dataset, features: Features) {
        var f = Features()
        let d = int(knobs.dimensions)
        f.geometry = knobs.geometry ?? Geometry.allCases[int(0...(Geometry.allCases.count - 1))]
        f.coordinates = knobs.coordinates ?? Coordinates.allCases[int(0...(Coordinates.allCases.count - 1))]
        let s = shape(d: d, geometry: f.geometry, coordinates: f.coordinates)
        let pool = distinctTokens(int(knobs.poolSizes), s)
        let n = int(knobs.pairs)
        var data: Dataset
        switch knobs.kind {
        case .sets, .labelled: data = setPairs(n, knobs, s, pool)
        case .causal: data = causalPairs(n, knobs, s, pool)
        }
        data.name = "validity-space"
        summarise(data, &f)
        return (data, f)
    }

    /// Draws `k` distinct tokens: from the pool, or fresh with probability `freshPercent`.
    mutating func pick(_ k: Int, _ knobs: Knobs, _ s: Shape, _ pool: [Token]) -> [Token] {
        var chosen: [Token] = []
        var seen = Set<Token>()
        var shuffled = pool.shuffled(using: &rng)
        var attempts = 0
        while chosen.count < k && attempts < 20 * (k + 1) {
            attempts += 1
            let t: Token
            if !shuffled.isEmpty && !percent(knobs.freshPercent) {
                t = shuffled.removeLast()
            } else if let fresh = distinctTokens(1, s, avoiding: seen, near: chosen.last ?? pool.first).first {
                t = fresh
            } else { continue }
            if seen.insert(t).inserted { chosen.append(t) }
        }
        return chosen
    }

    /// The same tokens, each distinct one kept, with random extra copies and a random order.
    mutating func withMultiplicities(_ tokens: [Token], percent p: Int) -> [Token] {
        var out = tokens
        if percent(p) && !tokens.isEmpty {
            for _ in 0..<int(1...3) { out.append(tokens[int(0...(tokens.count - 1))]) }
        }
        return out.shuffled(using: &rng)
    }

    mutating func setPairs(_ n: Int, _ knobs: Knobs, _ s: Shape, _ pool: [Token]) -> Dataset {
        let labelled = knobs.kind == .labelled
        let labelNames = (0..<int(knobs.labels)).map { "class-\($0)" }
        var outputOf: [Set<Token>: (outputs: [Token], label: String?)] = [:]
        var pairs: [SequencePair] = []
        for _ in 0..<n {
            if !pairs.isEmpty && percent(knobs.duplicatePercent) {
                var copy = pairs[int(0...(pairs.count - 1))]
                if percent(50) {
                    copy.input = withMultiplicities(distinctInOrder(copy.input), percent: 50)
                    if !labelled { copy.output = withMultiplicities(distinctInOrder(copy.output), percent: 50) }
                }
                pairs.append(copy)
                continue
            }
            let k = int(knobs.lengths)
            let distinct = pick(k, knobs, s, pool)
            guard !distinct.isEmpty else { continue }
            let input = withMultiplicities(distinct, percent: knobs.repeatPercent)
            let key = Set(distinct)
            if let known = outputOf[key] {
                pairs.append(SequencePair(input: input, output: labelled ? [] : withMultiplicities(distinctInOrder(known.outputs), percent: 50),
                                          label: known.label))
                continue
            }
            if labelled {
                let label = labelNames[int(0...(labelNames.count - 1))]
                outputOf[key] = ([], label)
                pairs.append(SequencePair(input: input, output: [], label: label))
                continue
            }
            var outputs: [Token]
            if percent(knobs.outputsFromInputsPercent) {
                outputs = percent(50) ? distinct : Array(distinct.shuffled(using: &rng).prefix(int(1...distinct.count)))
            } else {
                outputs = pick(int(1...distinct.count), knobs, s, pool)
                if outputs.isEmpty { outputs = [distinct[0]] }
            }
            let output = withMultiplicities(outputs, percent: knobs.repeatPercent / 2)
            outputOf[key] = (output, nil)
            pairs.append(SequencePair(input: input, output: output))
        }
        if pairs.isEmpty {
            let t = pool.first ?? token(s)
            pairs = [SequencePair(input: [t], output: labelled ? [] : [t], label: labelled ? labelNames[0] : nil)]
        }
        return Dataset(dimension: s.d, pairs: pairs)
    }

    /// Causal sequences over the pool (repeats are the rule: positions differ), targets from one
    /// map prefix → target and one map for constant prefixes (docs/dataset-format.md#causal-datasets).
    mutating func causalPairs(_ n: Int, _ knobs: Knobs, _ s: Shape, _ pool: [Token]) -> Dataset {
        let vocabulary = pool.isEmpty ? [token(s)] : pool
        var targetOf: [[Token]: Token] = [:]
        var constantTarget: [Token: Token] = [:]
        var pairs: [SequencePair] = []
        for _ in 0..<n {
            if !pairs.isEmpty && percent(knobs.duplicatePercent) {
                var copy = pairs[int(0...(pairs.count - 1))]
                let cut = int(1...copy.input.count)
                copy.input = Array(copy.input.prefix(cut))
                copy.output = Array(copy.output.prefix(cut))
                pairs.append(copy)
                continue
            }
            let length = int(knobs.lengths.lowerBound...(knobs.lengths.upperBound + 2))
            let input = (0..<length).map { _ in vocabulary[int(0...(vocabulary.count - 1))] }
            var output: [Token] = []
            for i in input.indices {
                let prefix = Array(input[...i])
                let isConstant = prefix.allSatisfy { $0 == prefix[0] }
                let fresh: Token
                if i + 1 < input.count && percent(knobs.outputsFromInputsPercent) {
                    fresh = input[i + 1]
                } else if percent(knobs.freshPercent) {
                    fresh = token(s)
                } else {
                    fresh = vocabulary[int(0...(vocabulary.count - 1))]
                }
                let t = isConstant ? (constantTarget[prefix[0]] ?? targetOf[prefix] ?? fresh) : (targetOf[prefix] ?? fresh)
                if isConstant { constantTarget[prefix[0]] = t }
                targetOf[prefix] = t
                output.append(t)
            }
            pairs.append(SequencePair(input: input, output: output))
        }
        return Dataset(dimension: s.d, pairs: pairs, causal: true)
    }

    func distinctInOrder(_ tokens: [Token]) -> [Token] {
        var seen = Set<Token>()
        return tokens.filter { seen.insert($0).inserted }
    }

    func summarise(_ data: Dataset, _ f: inout Features) {
        var seenInputs: [[Token]] = []
        var firstPair: [Token: Int] = [:]
        for (j, p) in data.pairs.enumerated() {
            let distinct = distinctInOrder(p.input)
            if distinct.count < p.input.count { f.repeatedToken = true }
            if seenInputs.contains(p.input) { f.exactDuplicatePair = true }
            else if seenInputs.contains(where: { Set($0) == Set(p.input) }) { f.reorderedDuplicatePair = true }
            seenInputs.append(p.input)
            for t in distinct {
                if let k = firstPair[t], k != j { f.sharedToken = true } else { firstPair[t] = j }
            }
            if !data.causal && p.label == nil && Set(p.output) == Set(p.input) { f.outputsEqualInputs = true }
            for x in (p.input + p.output).joined() {
                if x.magnitude >= Rational.powerOfTwo(64) { f.beyond2to64 = true }
                if !x.isInteger { f.fractional = true }
                if x.signum < 0 { f.negative = true }
            }
        }
        let tokens = Array(Set(data.pairs.flatMap { $0.input + $0.output }))
        outer: for a in tokens.indices {
            for b in tokens.indices where b > a {
                let gap = zip(tokens[a], tokens[b]).map { ($0 - $1).magnitude }.max() ?? .zero
                if !gap.isZero && gap <= Rational.powerOfTwo(-58) { f.nearTie = true; break outer }
            }
        }
    }
}

extension Rational {
    /// The value itself, or (when its numerator or denominator has more than `bits` bits) its
    /// integer part modulo 2^bits with the same sign: keeps a coordinate small enough to shift.
    func magnitudeCapped(bits: Int) -> Rational {
        guard numeratorBitLength > bits || denominatorBitLength > bits else { return self }
        let m = self.magnitude.floor
        let limit = Rational.powerOfTwo(bits)
        let reduced = m - (m / limit).floor * limit
        return signum < 0 ? -reduced : reduced
    }
}
