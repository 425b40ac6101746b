import ExactArithmetic
import LinearProgramming
import TransformerModel

/// Lemma 4.6 (one direction, a unique leader in every sequence, see docs/mathematics.md#lemma-4-6).
///
/// Input: sequences X^1 … X^N and (j, i) with x_i^j extreme in conv(X^j). Output: w such that
/// (i) ⟨w, ·⟩ is maximised on X^j by x_i^j alone, and (ii) every X^n has a unique maximiser k_n.
///
/// Construction: w₀ from the Lemma 4.5 LP; v = (1, t, t², …) with all distinct token values of the
/// dataset projecting to distinct numbers; g_n the gap between the top value of ⟨w₀, ·⟩ on X^n and
/// the next lower one; S the spread of ⟨v, ·⟩ over all tokens; w = w₀ + δv with δ the largest power
/// of two ≤ min_n g_n / (S + 1) (δ = 1 when no sequence has a gap). Then δ·S < g_n: ties at the top
/// are broken by v and nothing below the top can overtake it.
public enum UniqueLeaders {
    /// The construction; `direction` is nil when x_i^j is not extreme (the checker then reports the
    /// violated hypothesis with the convex combination).
    public struct Construction: Sendable, Equatable {
        /// j.
        public var sequence: Int
        /// i (index into X^j).
        public var index: Int
        /// The Lemma 4.5 witness for x_i^j in X^j.
        public var witness: ExtremePointWitness
        /// v.
        public var generic: Token
        /// min_n g_n (nil: no sequence has a gap).
        public var smallestGap: Rational?
        /// S.
        public var spread: Rational
        /// δ.
        public var delta: Rational
        /// w = w₀ + δv.
        public var direction: Token?

        /// w₀ (nil when x_i^j is not extreme).
        public var base: Token? {
            if case .separating(let w, _) = witness { return w }
            return nil
        }

        public var parameters: [LemmaParameter] {
            guard let w0 = base, let w = direction else {
                return LeaderExtremePoint.Construction(index: index, witness: witness, layer: nil).parameters
            }
            return [LemmaParameter("w₀", "\(LemmaSupport.show(w0)) (Lemma 4.5 LP on X^\(sequence), token \(index))"),
                    LemmaParameter("v", "\(LemmaSupport.show(generic)) (distinct projections of all token values)"),
                    LemmaParameter("δ", "\(delta) (largest power of two ≤ min g_n/(S + 1); min g_n = \(smallestGap?.description ?? "∞"), S = \(spread))"),
                    LemmaParameter("w", "w₀ + δv = \(LemmaSupport.show(w))")]
        }
    }

    /// What the construction computes from all the sequences alone, the same for every (j, i): the
    /// distinct token values, the generic direction v separating them and the spread S of their
    /// projections. `lemmas` computes it once for the dataset instead of once per sequence.
    public struct Shared: Sendable {
        public let values: [Token]
        public let generic: Token
        public let spread: Rational

        public init(sequences: [[Token]], dimension d: Int) {
            let values = LemmaSupport.distinct(sequences.flatMap { $0 })
            let v = GenericDirection.separatingAll(values, dimension: d)
            let pv = values.map { Rational.dot(v, $0) }
            self.values = values
            generic = v
            spread = (pv.max() ?? .zero) - (pv.min() ?? .zero)
        }
    }

    /// Builds w for token `index` of sequence `sequence`. `shared`, when given, must be
    /// `Shared(sequences: sequences, …)` (it saves recomputing it).
    public static func construct(sequences: [[Token]], sequence j: Int, index i: Int, shared: Shared? = nil) throws(LemmaError) -> Construction {
        guard sequences.indices.contains(j) else { throw .invalidInput("sequence index \(j) is outside 0..<\(sequences.count)") }
        guard let d = sequences[j].first?.count else { throw .invalidInput("sequence \(j) is empty") }
        for (n, s) in sequences.enumerated() { try LemmaSupport.requireDimension(s, d, "sequence \(n): token") }
        guard sequences[j].indices.contains(i) else { throw .invalidInput("token index \(i) is outside 0..<\(sequences[j].count) (sequence \(j))") }
        let witness: ExtremePointWitness
        do { witness = try ExtremePointTest.decide(points: sequences[j], index: i) } catch {
            throw .internalError("Lemma 4.5 LP: \(error.description)")
        }
        let common = shared ?? Shared(sequences: sequences, dimension: d)
        let v = common.generic
        let spread = common.spread
        guard case .separating(let w0, _) = witness else {
            return Construction(sequence: j, index: i, witness: witness, generic: v, smallestGap: nil, spread: spread, delta: .zero, direction: nil)
        }
        var smallestGap: Rational? = nil
        for s in sequences {
            let p = s.map { Rational.dot(w0, $0) }
            guard let top = p.max(), let next = p.filter({ $0 < top }).max() else { continue }
            smallestGap = smallestGap.map { min($0, top - next) } ?? (top - next)
        }
        let delta = smallestGap.map { GenericDirection.powerOfTwo(atMost: $0 / (spread + .one)) } ?? .one
        let w = added(w0, scaled(v, by: delta))
        return Construction(sequence: j, index: i, witness: witness, generic: v, smallestGap: smallestGap, spread: spread, delta: delta, direction: w)
    }

    /// The index of the unique maximiser value of ⟨w, ·⟩ on `tokens` (first occurrence), or nil
    /// with the maximisers when there are several distinct ones.
    static func uniqueMaximiser(_ w: Token, _ tokens: [Token]) -> (index: Int?, maximisers: [Int]) {
        let p = tokens.map { Rational.dot(w, $0) }
        guard let top = p.max() else { return (nil, []) }
        let at = p.indices.filter { p[$0] == top }
        let values = LemmaSupport.distinct(at.map { tokens[$0] })
        return (values.count == 1 ? at.first : nil, at)
    }

    /// Checks the hypothesis (x_i^j extreme, via the re-checked witness) and properties (i)–(ii)
    /// directly on the exact projections; returns the leaders k_n through `leaders`.
    public static func check(_ construction: Construction, sequences: [[Token]]) -> LemmaCheck {
        var ignored: [Int] = []
        return check(construction, sequences: sequences, leaders: &ignored)
    }

    static func check(_ construction: Construction, sequences: [[Token]], leaders: inout [Int]) -> LemmaCheck {
        var found: [Int] = []
        let result = runCheck("4.6") { (verified: inout [String]) throws(LemmaFailure) in
            let j = construction.sequence, i = construction.index
            guard sequences.indices.contains(j), sequences[j].indices.contains(i) else {
                throw LemmaFailure("token \(i) of sequence \(j) does not exist")
            }
            let xj = sequences[j]
            if let reason = construction.witness.check(points: xj, index: i) {
                throw LemmaFailure("Lemma 4.5 witness rejected: \(reason)")
            }
            if case .convexCombination(let lambda) = construction.witness {
                let terms = lambda.indices.filter { !lambda[$0].isZero }.map { "\(lambda[$0])·x_\($0)" }.joined(separator: " + ")
                throw LemmaFailure("hypothesis violated: x_\(i)^\(j) = \(LemmaSupport.show(xj[i])) is not an extreme point of conv(X^\(j)): x_\(i) = \(terms) (checked exactly)")
            }
            verified.append("hypothesis: x_\(i)^\(j) = \(LemmaSupport.show(xj[i])) is an extreme point of conv(X^\(j)) (Lemma 4.5 witness w₀ checked exactly)")
            guard let w = construction.direction, w.count == xj[i].count else { throw LemmaFailure("no direction w was built") }
            let (top, maxima) = uniqueMaximiser(w, xj)
            guard let k = top, xj[k] == xj[i] else {
                throw LemmaFailure("property (i) fails: ⟨w, ·⟩ on X^\(j) is maximised by {\(maxima.map { "x_\($0)" }.joined(separator: ", "))}, not by x_\(i) alone")
            }
            verified.append("(i) x_\(i)^\(j) is the unique maximiser of ⟨w, ·⟩ on X^\(j)")
            for (n, s) in sequences.enumerated() {
                let (kn, ties) = uniqueMaximiser(w, s)
                guard let kn else {
                    throw LemmaFailure("property (ii) fails: sequence \(n) has \(ties.count) maximisers of ⟨w, ·⟩: {\(ties.map { "x_\($0) = \(LemmaSupport.show(s[$0]))" }.joined(separator: ", "))}")
                }
                found.append(kn)
            }
            verified.append("(ii) every sequence has a unique maximiser of ⟨w, ·⟩: k = (\(found.map(String.init).joined(separator: ", "))) for sequences 0…\(sequences.count - 1)")
        }
        leaders = found
        return result
    }
}
