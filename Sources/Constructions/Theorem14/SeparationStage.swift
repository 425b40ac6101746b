import Evaluation
import ExactArithmetic
import TransformerModel

/// Stage 1 of Theorem 1.4 (Lemma 5.1, see docs/mathematics.md#separation and #many-sequences-per-block): make different sequences share no token value.
///
/// Sequences are processed by non-increasing number of distinct tokens; the processed ones stay
/// pairwise disjoint. For the next sequence X:
/// 1. X shares no value with a processed sequence: nothing to do.
/// 2. X has a token t no processed sequence contains: a hat lifts t above every value along u, so t
///    leads X.
/// 3. Every token of X is processed: take t ∈ X, the processed X^k ∋ t and s ∈ X^k \ X; lift s to
///    the top and t to the second place along u. X^k is led by s, X by t.
/// Then a *separation block*: FF = the hats + the shift of Lemma 4.7, SA = rank one w wᵀ with
/// V = βI, ρ = 1, where w = u + δv (Lemma 4.6) gives every sequence a unique leader. Each token
/// gains β·(its leader); leaders differ, so the sequences split for all but finitely many β, and a
/// β from a fixed list is confirmed exactly. The compact layout puts up to `batchLimit`
/// consecutive case-2 sequences in one block (`separateBatch`): fewer blocks, shorter numbers.
struct SeparationStage {
    let layout: HardmaxConstruction.Layout
    let progress: (String) -> Void
    /// Attention heads of the compact layout's refinement blocks (1 or 2).
    var heads: Int = 1
    /// Narrow hardmax: start with lift-free direction rounds (`DirectionRounds`).
    var directionRounds: Bool = true
    /// Float weights: dyadic hat widths and β.
    var weights: WeightFormat = .exact

    /// The stage label written to model files.
    static let label: Block.Stage = .separation

    /// β candidates, short numbers first.
    static let betaCandidates: [Rational] = {
        var out: [Rational] = []
        for n in 1...12 {
            out.append(Rational(n))
            if n > 1 { out.append(Rational(1) / Rational(n)) }
        }
        return out
    }()

    func run(_ state: inout ConstructionState) throws(ConstructionError) {
        let d = state.dimension
        // Compact: many sequences per block first; whatever is still joined falls back below.
        if layout == .compact {
            _ = SeparationRefinement(progress: progress, heads: heads, weights: weights).run(&state, stage: self)
        } else if directionRounds {
            _ = DirectionRounds(progress: progress, weights: weights).run(&state)
        }
        // No value shared by two sequences (what the rounds usually leave): every sequence would
        // be case 1 below, bookkeeping only, which hashes every value. Decided on interned ids.
        if SeparationRefinement.joined(state.internedSequences()).active.isEmpty {
            try checkDisjoint(state)
            return
        }
        let order = state.sequences.indices.sorted {
            state.sequences[$0].count != state.sequences[$1].count ? state.sequences[$0].count > state.sequences[$1].count : $0 < $1
        }
        var processed: [Int] = []
        var owner: [Token: Int] = [:]
        var step = 0
        var nextReport = 0
        while step < order.count {
            let j = order[step]
            let x = state.sequences[j]
            guard x.contains(where: { owner[$0] != nil }) else {
                processed.append(j)
                for v in x { owner[v] = j }
                step += 1
                continue
            }
            if step >= nextReport {
                progress("separation: sequence \(step + 1) of \(order.count)")
                nextReport = step + max(10, order.count / 20)
            }
            if layout == .compact {
                let taken = separateBatch(from: step, order: order, processed: processed, owner: owner, state: &state)
                if taken > 0 {
                    processed += order[step..<(step + taken)]
                    step += taken
                    owner = [:]
                    for p in processed { for v in state.sequences[p] { owner[v] = p } }
                    continue
                }
            }
            let all = state.allValues()
            let u = GenericDirection.separatingAll(all, dimension: d)
            let top = all.map { Rational.dot(u, $0) }.max() ?? .zero
            func lift(_ p: Token, above level: Rational) -> Token { SeparationStage.lift(p, above: level, along: u) }
            var moves: [(source: Token, target: Token)]
            let leaderOfX: Token
            if let t = x.first(where: { owner[$0] == nil }) {
                leaderOfX = lift(t, above: top)
                moves = [(t, leaderOfX)]
            } else {
                let t = x[0]
                let members = Set(x)
                guard let k = owner[t], let s = state.sequences[k].first(where: { !members.contains($0) }) else {
                    throw .stageCheckFailed(stage: "separation", detail: "\(state.pair(j)) is covered by processed sequences but no processed sequence has a token outside it")
                }
                leaderOfX = lift(t, above: top)
                moves = [(s, lift(s, above: Rational.dot(u, leaderOfX))), (t, leaderOfX)]
            }
            // Narrow: one move per block (the first ones with identity attention).
            if layout == .narrow {
                while moves.count > 1 {
                    let first = moves.removeFirst()
                    let hats = HatFunction.moving([first], among: state.allValues(), dimension: d, weights: weights)
                    try state.append(Block(stage: SeparationStage.label, feedForward: hatLayer(hats)))
                }
            }
            // u still separates every value here unless the narrow branch above moved one.
            let hats = layout == .narrow
                ? HatFunction.moving(moves, among: state.allValues(), dimension: d, weights: weights)
                : HatFunction.moving(moves, among: all, dimension: d, direction: u, weights: weights)
            let hatFF = hatLayer(hats)
            let lifted = state.applying(hatFF)
            let w = leaderDirection(base: u, sequences: lifted, dimension: d)
            let c = ShiftLayer.alignmentCoefficient(direction: w, tokens: lifted.flatMap { $0 })
            let shift = scaled(w, by: c)
            var ff = hatFF
            ff.ridges.append(ShiftLayer.ridge(adding: shift))
            switch accept(ff: ff, direction: w, leaders: [(j, leaderOfX)], processed: processed,
                          state: &state, lifted: lifted, shift: shift) {
            case .accepted: break
            case .notLedByLiftedToken:
                throw .stageCheckFailed(stage: "separation", detail: "\(state.pair(j)) is not led by its lifted token alone")
            case .noBeta:
                throw .stageCheckFailed(stage: "separation", detail: "no β in the candidate list separates \(state.pair(j))")
            }
            processed.append(j)
            owner = [:]
            for p in processed { for v in state.sequences[p] { owner[v] = p } }
            step += 1
        }
        try checkDisjoint(state)
    }

    /// p + λu with the smallest integer λ giving ⟨u, ·⟩ ≥ level + 1 (an integer λ keeps it short).
    static func lift(_ p: Token, above level: Rational, along u: Token) -> Token {
        let lambda = ((level + .one - Rational.dot(u, p)) / squaredNorm(u)).ceiling
        return added(p, scaled(u, by: lambda))
    }

    /// Lemma 4.6 with w₀ = u: w = u + δv, v separating every value, δ a power of two below
    /// min_n g_n/(S + 1), so that each sequence's top along u, broken by v, is its unique leader
    /// (δ = 0 when every top along u is already unique).
    /// `uniqueTopsAlongBase`: whether every sequence already has a unique top along u, when the
    /// caller knows it (from projections it holds); computed here otherwise.
    func leaderDirection(base u: Token, sequences: [[Token]], dimension d: Int, uniqueTopsAlongBase: Bool? = nil) -> Token {
        // When u already gives every sequence a unique top (the usual case: u separates all values
        // and a lifted token sits strictly above the rest), δ = 0 works and keeps numbers short.
        if uniqueTopsAlongBase ?? parallelMap(sequences, { DirectionRounds.hasUniqueTop($0, along: u) }).allSatisfy({ $0 }) { return u }
        var values: [Token] = []
        var seen = Set<Token>()
        for s in sequences { for x in s where seen.insert(x).inserted { values.append(x) } }
        let v = GenericDirection.separatingAll(values, dimension: d)
        let pv = values.map { Rational.dot(v, $0) }
        let spread = (pv.max() ?? .zero) - (pv.min() ?? .zero)
        var smallestGap: Rational? = nil
        for s in sequences {
            let p = s.map { Rational.dot(u, $0) }
            guard let top = p.max() else { continue }
            if let next = p.filter({ $0 < top }).max() {
                let g = top - next
                smallestGap = smallestGap.map { min($0, g) } ?? g
            }
        }
        let delta = smallestGap.map { GenericDirection.powerOfTwo(atMost: $0 / (spread + .one)) } ?? .one
        return added(u, scaled(v, by: delta))
    }

    /// How one separation block fared.
    enum Outcome { case accepted, notLedByLiftedToken, noBeta }

    /// Checks that each sequence of `leaders` is led by its lifted token alone, then tries β from
    /// the list until the block keeps the invariant and appends it; the state is untouched otherwise.
    func accept(ff: FeedForwardLayer, direction w: Token, leaders: [(sequence: Int, leader: Token)],
                processed: [Int], state: inout ConstructionState, lifted: [[Token]], shift: Token) -> Outcome {
        let counts = state.sequences.map(\.count)
        // X must be led by its lifted token alone: the unique maximiser of ⟨w, ·⟩ on X.
        for (j, leader) in leaders {
            let projections = lifted[j].map { Rational.dot(w, $0) }
            guard let top = projections.max(), projections.filter({ $0 == top }).count == 1,
                  let at = projections.firstIndex(of: top), lifted[j][at] == leader else { return .notLedByLiftedToken }
        }
        // FF = hats + the constant shift, so FF(X) = lifted + shift; only the attention depends on β.
        let group = processed + leaders.map(\.sequence)
        let found = SeparationStage.appendFirstSeparatingBeta(ff: ff, direction: w, weights: weights, afterHats: lifted, shift: shift,
                                                              state: &state) { next in
            keepsInvariant(next, group: group, counts: counts)
        }
        return found ? .accepted : .noBeta
    }

    /// The one β search of the separation stage (single-sequence blocks, many-sequence blocks
    /// and direction rounds): for each (β, β₂) of `betaChoices(heads:)` that `weights` allows, the
    /// hardmax attention with ρ = 1, scores w wᵀ and V = βI (and with two heads a second head,
    /// scores w (−w)ᵀ, V = β₂I) is applied exactly to the tokens after `ff`, which are
    /// `afterHats` + `shift` (`ff` = hats, then the constant shift; each sequence's shifted tokens
    /// are made where its attention runs, not held for every place at once); the first result
    /// that `separates` (judged on its interned form) and keeps repeated tokens in step appends
    /// the block (ff, that attention) to `state`. False, with `state` untouched, when no β does.
    static func appendFirstSeparatingBeta(ff: FeedForwardLayer, direction w: Token, heads: Int = 1, weights: WeightFormat,
                                          afterHats: [[Token]], shift: Token, state: inout ConstructionState,
                                          separates: (InternedSequences) -> Bool) -> Bool {
        let negW = w.map { -$0 }
        for (beta, beta2) in betaChoices(heads: heads) where weights.allows(beta) && weights.allows(beta2) {
            var headList = [AttentionHead(scores: .rankOne(p: w, q: w), value: .scaledIdentity(beta))]
            if heads >= 2 { headList.append(AttentionHead(scores: .rankOne(p: w, q: negW), value: .scaledIdentity(beta2))) }
            let sa = SelfAttentionLayer(kind: .hardmax, rho: .one, heads: headList)
            let attention = CompiledAttention<Rational>(sa, temperature: nil)
            let next = parallelMap(afterHats) { s in attention.apply(s.map { added($0, shift) }) }
            let table = InternedSequences(next)
            if separates(table),
               state.appendIfRepeatsFollow(Block(stage: label, feedForward: ff, attention: sa), result: next, interned: table) {
                return true
            }
        }
        return false
    }

    /// β (and the second head's β) to try, short numbers first.
    static func betaChoices(heads: Int) -> [(Rational, Rational)] {
        if heads < 2 { return betaCandidates.map { ($0, .zero) } }
        var out: [(Rational, Rational)] = []
        for a in betaCandidates.prefix(8) { for b in betaCandidates.prefix(8) where a != b { out.append((a, b)) } }
        return out
    }

    /// At most this many sequences share one separation block (compact layout).
    static let batchLimit = 32

    /// Compact layout: separates several consecutive case-2 sequences with one block, lifting a
    /// fresh token of each to its own height above every value (later sequences higher). A later
    /// sequence's lifted token must not lie in an earlier one, so each sequence is still led by its
    /// own lifted token; the exact invariant check decides, as for one sequence. Returns how many
    /// sequences were separated: 0 (state untouched) when fewer than two qualify or the block fails,
    /// and the caller then takes the sequences one by one.
    func separateBatch(from start: Int, order: [Int], processed: [Int], owner: [Token: Int],
                       state: inout ConstructionState) -> Int {
        var batch: [(sequence: Int, token: Token)] = []
        var members: [Set<Token>] = []
        for j in order[start...] {
            guard batch.count < SeparationStage.batchLimit else { break }
            let x = state.sequences[j]
            guard x.contains(where: { owner[$0] != nil }),
                  let t = x.first(where: { v in owner[v] == nil && !members.contains { $0.contains(v) } }) else { break }
            batch.append((j, t))
            members.append(Set(x))
        }
        guard batch.count >= 2 else { return 0 }
        let d = state.dimension
        let all = state.allValues()
        let u = GenericDirection.separatingAll(all, dimension: d)
        var level = all.map { Rational.dot(u, $0) }.max() ?? .zero
        var moves: [(source: Token, target: Token)] = []
        var leaders: [(sequence: Int, leader: Token)] = []
        for (j, t) in batch {
            let target = SeparationStage.lift(t, above: level, along: u)
            level = Rational.dot(u, target)
            moves.append((t, target))
            leaders.append((j, target))
        }
        let hatFF = hatLayer(HatFunction.moving(moves, among: all, dimension: d, direction: u, weights: weights))
        let lifted = state.applying(hatFF)
        let w = leaderDirection(base: u, sequences: lifted, dimension: d)
        let shift = scaled(w, by: ShiftLayer.alignmentCoefficient(direction: w, tokens: lifted.flatMap { $0 }))
        var ff = hatFF
        ff.ridges.append(ShiftLayer.ridge(adding: shift))
        let outcome = accept(ff: ff, direction: w, leaders: leaders, processed: processed, state: &state,
                             lifted: lifted, shift: shift)
        return outcome == .accepted ? batch.count : 0
    }

    /// (a) the sequences in `group` are pairwise disjoint; (b) every sequence keeps its number of
    /// distinct values and all sequences stay pairwise distinct as sets.
    func keepsInvariant(_ sequences: InternedSequences, group: [Int], counts: [Int]) -> Bool {
        var owner = [Int](repeating: -1, count: sequences.values.count)
        for p in group {
            for v in sequences.ids[p] {
                if owner[v] >= 0, owner[v] != p { return false }
                owner[v] = p
            }
        }
        // Ids name values one to one: two sequences are equal as sets when their sorted ids are.
        var sets = Set<[Int]>()
        for (i, s) in sequences.ids.enumerated() {
            guard s.count == counts[i], sets.insert(s.sorted()).inserted else { return false }
        }
        return true
    }

    /// After separation every value belongs to exactly one sequence.
    func checkDisjoint(_ state: ConstructionState) throws(ConstructionError) {
        let table = state.internedSequences()
        var owner = [Int](repeating: -1, count: table.values.count)
        for (j, s) in table.ids.enumerated() {
            for v in s {
                if owner[v] >= 0, owner[v] != j {
                    throw .stageCheckFailed(stage: "separation", detail: "\(state.pair(owner[v])) and \(state.pair(j)) still share the value \(table.values[v])")
                }
                owner[v] = j
            }
        }
    }
}
