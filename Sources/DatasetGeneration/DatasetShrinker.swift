import ExactArithmetic
import TransformerModel

/// Shrinks a dataset on which a property fails to a small one on which it still fails, keeping
/// every candidate valid (docs/dataset-format.md): fewer pairs, fewer tokens, fewer coordinates,
/// fewer distinct tokens, shorter coordinates. Greedy: the first smaller valid candidate that still
/// fails is taken and the search starts again, until no candidate fails (a local minimum: removing
/// any one pair, token or coordinate, merging any two tokens or shortening any value makes the
/// property hold or the data invalid) or `budget` property runs are spent.
public enum DatasetShrinker {
    /// A dataset's size, compared lexicographically: pairs, tokens, d, distinct tokens, bits of all
    /// coordinates, then Σ |numerator| + denominator. Every accepted step makes it strictly smaller,
    /// and sizes are tuples of natural numbers, so shrinking ends.
    public struct Size: Comparable, Sendable, CustomStringConvertible {
        public var counts: [Int]
        public var magnitude: Rational
        public static func < (a: Size, b: Size) -> Bool {
            a.counts != b.counts ? a.counts.lexicographicallyPrecedes(b.counts) : a.magnitude < b.magnitude
        }
        public var description: String {
            "pairs \(counts[0]), tokens \(counts[1]), d \(counts[2]), distinct tokens \(counts[3]), bits \(counts[4])"
        }
    }

    public static func size(_ data: Dataset) -> Size {
        let tokens = data.pairs.flatMap { $0.input + $0.output }
        var distinct = Set<Token>()
        for t in tokens { distinct.insert(t) }
        var bits = 0
        var magnitude = Rational.zero
        for x in tokens.joined() {
            bits += x.numeratorBitLength + x.denominatorBitLength + (x.signum < 0 ? 1 : 0)
            magnitude = magnitude + x.numerator.magnitude + x.denominator
        }
        return Size(counts: [data.pairs.count, tokens.count, data.dimension, distinct.count, bits], magnitude: magnitude)
    }

    /// Well-formed, valid and consistent in the reading its kind calls for (sets, labels, causal).
    public static func isValid(_ data: Dataset) -> Bool {
        guard data.dimension >= 1, !data.pairs.isEmpty,
              data.pairs.allSatisfy({ !$0.input.isEmpty && ($0.label != nil || !$0.output.isEmpty)
                  && ($0.input + $0.output).allSatisfy { $0.count == data.dimension } }) else { return false }
        if data.causal { return (try? CausalProblem(data)) != nil }
        if data.isLabelled {
            guard let embedded = try? data.embedded(LabelEmbedding.choose(for: data)) else { return false }
            return (try? InterpolationProblem(embedded)) != nil
        }
        return (try? InterpolationProblem(data)) != nil
    }

    public struct Outcome: Sendable {
        public var dataset: Dataset
        /// Accepted shrinking steps and property runs spent.
        public var steps: Int
        public var runs: Int
    }

    /// `fails` is the property's negation (true: the property fails on this dataset).
    public static func shrink(_ data: Dataset, budget: Int = 3000, fails: (Dataset) -> Bool) -> Outcome {
        var current = data
        var currentSize = size(data)
        var steps = 0, runs = 0
        var improved = true
        while improved && runs < budget {
            improved = false
            for candidate in candidates(current) where runs < budget {
                let s = size(candidate)
                guard s < currentSize, isValid(candidate) else { continue }
                runs += 1
                if fails(candidate) {
                    current = candidate
                    currentSize = s
                    steps += 1
                    improved = true
                    break
                }
            }
        }
        return Outcome(dataset: current, steps: steps, runs: runs)
    }

    /// Smaller neighbours of `data`, the biggest cuts first.
    public static func candidates(_ data: Dataset) -> [Dataset] {
        var out: [Dataset] = []
        let pairs = data.pairs
        // Whole halves, then single pairs.
        if pairs.count >= 4 {
            var a = data; a.pairs = Array(pairs.prefix(pairs.count / 2)); out.append(a)
            var b = data; b.pairs = Array(pairs.suffix(pairs.count - pairs.count / 2)); out.append(b)
        }
        if pairs.count > 1 {
            for j in pairs.indices {
                var c = data; c.pairs.remove(at: j); out.append(c)
            }
        }
        // Single tokens (a causal position takes its target with it).
        for j in pairs.indices {
            for i in pairs[j].input.indices where pairs[j].input.count > 1 {
                var c = data
                c.pairs[j].input.remove(at: i)
                if data.causal { c.pairs[j].output.remove(at: i) }
                out.append(c)
            }
            if !data.causal && pairs[j].label == nil {
                for i in pairs[j].output.indices where pairs[j].output.count > 1 {
                    var c = data; c.pairs[j].output.remove(at: i); out.append(c)
                }
            }
        }
        // One coordinate fewer.
        if data.dimension > 1 {
            for k in 0..<data.dimension {
                out.append(mapTokens(data, dimension: data.dimension - 1) { t in var u = t; u.remove(at: k); return u })
            }
        }
        // One token everywhere replaced by another token of the dataset.
        let tokens = distinctInOrder(pairs.flatMap { $0.input + $0.output })
        if tokens.count > 1 {
            for (a, t) in tokens.enumerated() {
                for (b, u) in tokens.enumerated() where a != b {
                    out.append(mapTokens(data, dimension: data.dimension) { $0 == t ? u : $0 })
                }
            }
        }
        // One value everywhere replaced by a shorter one.
        let values = distinctInOrder(pairs.flatMap { ($0.input + $0.output).joined() }.map { [$0] }).map { $0[0] }
        for v in values {
            for w in simpler(v) where w != v {
                out.append(mapTokens(data, dimension: data.dimension) { $0.map { $0 == v ? w : $0 } })
            }
        }
        return out
    }

    /// Shorter values near v: 0, ±1, its magnitude, its integer part, halves of its numerator and
    /// denominator, and v rounded to fewer bits.
    static func simpler(_ v: Rational) -> [Rational] {
        var out: [Rational] = [.zero, .one, -.one]
        if v.signum < 0 { out.append(v.magnitude) }
        let truncated = v.signum < 0 ? v.ceiling : v.floor
        out.append(truncated)
        if truncated.numeratorBitLength > 1 {
            let top = Rational.powerOfTwo(truncated.numeratorBitLength - 1)
            out.append(v.signum < 0 ? -top : top)
        }
        out.append((v.numerator / 2).floor / v.denominator)
        out.append(v.numerator / (v.denominator / 2).ceiling)
        let bits = max(v.numeratorBitLength, v.denominatorBitLength)
        if bits > 2 { out.append(v.roundedDown(significantBits: max(1, bits / 2))) }
        return out
    }

    static func mapTokens(_ data: Dataset, dimension: Int, _ f: (Token) -> Token) -> Dataset {
        var c = data
        c.dimension = dimension
        for j in c.pairs.indices {
            c.pairs[j].input = c.pairs[j].input.map(f)
            c.pairs[j].output = c.pairs[j].output.map(f)
        }
        return c
    }

    static func distinctInOrder(_ tokens: [Token]) -> [Token] {
        var seen = Set<Token>()
        return tokens.filter { seen.insert($0).inserted }
    }
}
