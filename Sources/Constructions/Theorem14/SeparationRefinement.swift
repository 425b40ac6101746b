import Evaluation
import ExactArithmetic
import TransformerModel

/// Many sequences per separation block (see docs/mathematics.md#many-sequences-per-block and
/// docs/mathematics.md#leader-selection): the compact layout's first separation blocks.
///
/// A separation block maps x ∈ X^j to F(x) + β·l_j, F the block's FF (hats, then a shift) and l_j
/// the leader of X^j after F (its top along w). For sequences j ≠ k with l_j ≠ l_k a collision
/// F(x) + β l_j = F(y) + β l_k is one linear equation in β, so one generic β separates every pair
/// of sequences whose leaders differ; only sequences with the same leader stay joined. A *round*
/// chooses the leaders greedily — the next leader, lifted highest among those still to place, is
/// the token contained in the fewest unassigned joined sequences, and it leads all of them — lifts
/// them (one hat each, one FF) in that order above every value, and builds one block. Rounds repeat
/// on the sequences still joined. Each block is confirmed exactly: every sequence is led by its
/// chosen token, and after the block sequences with different leaders share no value, every
/// sequence keeps its number of distinct values and all stay pairwise distinct. When a round
/// cannot be confirmed the caller falls back to one sequence (or batch) per block.
///
/// With `heads = 2` a block has two attention heads: p = w for both, q = w (the top) and q = −w
/// (the bottom). A second greedy over the values that are not top picks lowers tokens below every
/// value; pairs separate when their (top, bottom) leader pairs differ (paper §7.2.3).
struct SeparationRefinement {
    let progress: (String) -> Void
    /// Attention heads per block: 1 (top leaders) or 2 (top and bottom leaders).
    var heads: Int = 1
    /// At most this many rounds before the caller's fallback takes over.
    var maximumRounds: Int = 64
    /// Float weights: dyadic hat widths and β.
    var weights: WeightFormat = .exact

    /// Greedy leaders for the sequences `group` (indices into `sequences`), skipping `excluded`
    /// values: the next pick is the value contained in the fewest unassigned sequences of the
    /// group, and it leads all of them. Returns the picks in order (first = placed highest) and
    /// each assigned sequence's pick index.
    /// Generic over the values: the rounds pass interned ids (`InternedSequences.ids`), which hash
    /// as one word.
    static func greedyLeaders<Value: Hashable>(_ sequences: [[Value]], group: [Int], excluded: Set<Value> = [])
        -> (picks: [Value], leaderOf: [Int: Int]) {
        var id: [Value: Int] = [:]
        var values: [Value] = []
        var members: [[Int]] = []         // value id → group positions containing it
        var seqValues: [[Int]] = []       // group position → value ids
        for (position, j) in group.enumerated() {
            var ids: [Int] = []
            for v in sequences[j] where !excluded.contains(v) {
                let k: Int
                if let known = id[v] { k = known } else {
                    k = values.count
                    id[v] = k
                    values.append(v)
                    members.append([])
                }
                members[k].append(position)
                ids.append(k)
            }
            seqValues.append(ids)
        }
        var count = members.map(\.count)
        var buckets: [[Int]] = Array(repeating: [], count: group.count + 2)
        for k in values.indices.reversed() { buckets[count[k]].append(k) }
        var assigned = [Bool](repeating: false, count: group.count)
        var remaining = group.count
        var picks: [Value] = []
        var leaderOf: [Int: Int] = [:]
        var lowest = 1
        while remaining > 0 {
            while lowest < buckets.count && buckets[lowest].isEmpty { lowest += 1 }
            guard lowest < buckets.count, let k = buckets[lowest].popLast() else { break }
            guard count[k] == lowest else { continue }       // stale entry
            let pick = picks.count
            picks.append(values[k])
            for position in members[k] where !assigned[position] {
                assigned[position] = true
                remaining -= 1
                leaderOf[group[position]] = pick
                for other in seqValues[position] {
                    count[other] -= 1
                    if count[other] >= 1 {
                        buckets[count[other]].append(other)
                        lowest = min(lowest, count[other])
                    }
                }
            }
        }
        return (picks, leaderOf)
    }

    /// The sequences that share a value with another sequence, and Σ over shared values v of
    /// C(c_v, 2), c_v the number of sequences containing v: it drops whenever a joined pair splits.
    static func joined(_ sequences: [[Token]]) -> (active: [Int], pairs: Int) {
        joined(InternedSequences(sequences))
    }

    /// `joined` on interned sequences: per value id, the first sequence holding it and how many do.
    static func joined(_ sequences: InternedSequences) -> (active: [Int], pairs: Int) {
        // A sequence is active when it holds a value another sequence holds.
        var first = [Int](repeating: -1, count: sequences.values.count)
        var count = [Int](repeating: 0, count: sequences.values.count)
        var isActive = [Bool](repeating: false, count: sequences.ids.count)
        var pairs = 0
        for (j, s) in sequences.ids.enumerated() {
            for v in s {
                if first[v] >= 0 {
                    pairs += count[v]              // C(c + 1, 2) − C(c, 2) = c
                    count[v] += 1
                    isActive[first[v]] = true
                    isActive[j] = true
                } else {
                    first[v] = j
                    count[v] = 1
                }
            }
        }
        return (sequences.ids.indices.filter { isActive[$0] }, pairs)
    }

    /// Runs rounds until every pair of sequences is disjoint, a round cannot be confirmed, or
    /// `maximumRounds` is reached. Returns the number of blocks appended.
    func run(_ state: inout ConstructionState, stage: SeparationStage) -> Int {
        var rounds = 0
        // What is still joined after a round is what the next round starts from: computed once.
        var (active, joinedPairs) = SeparationRefinement.joined(state.internedSequences())
        while rounds < maximumRounds {
            if active.isEmpty { break }
            progress("separation: round \(rounds + 1): \(active.count) sequences share values (Σ C(c_v, 2) = \(joinedPairs) over shared values)")
            guard round(&state, active: active, stage: stage) else { break }
            let before = joinedPairs
            (active, joinedPairs) = SeparationRefinement.joined(state.internedSequences())
            rounds += 1
            if joinedPairs >= before { break }
        }
        return rounds
    }

    /// One block: leaders for `active`, their lifts, and the attention with a confirmed β.
    private func round(_ state: inout ConstructionState, active: [Int], stage: SeparationStage) -> Bool {
        let d = state.dimension
        let sequences = state.sequences
        let table = state.internedSequences()
        let all = table.values
        // Leaders chosen on value ids (one id per value: the same picks as on the values).
        let (topPickIDs, topOf) = SeparationRefinement.greedyLeaders(table.ids, group: active)
        let topPicks = topPickIDs.map { all[$0] }
        guard active.allSatisfy({ topOf[$0] != nil }) else { return false }
        // Second head: bottom leaders, by the same greedy over the values that are not top picks
        // (lowered below every value, the first pick lowest). A sequence holds no bottom pick made
        // before its own, so its own pick is its bottom; pairs separate when tops or bottoms differ.
        var bottomPicks: [Token] = []
        var bottomOf: [Int: Int] = [:]
        if heads >= 2 {
            let (ids, of) = SeparationRefinement.greedyLeaders(table.ids, group: active, excluded: Set(topPickIDs))
            (bottomPicks, bottomOf) = (ids.map { all[$0] }, of)
        }
        // u and every value's projection on it (by value id): computed once.
        let (u, projections) = GenericDirection.separatingAllWithProjections(all, dimension: d)
        var level = projections.max() ?? .zero
        var floor = projections.min() ?? .zero
        var moves: [(source: Token, target: Token)] = []
        var lifted: [Token: Token] = [:]
        // A pick stays where it is when it already tops (along u) every sequence it leads and none
        // of them holds a lifted token; decided from the last pick up, since a sequence led by a
        // pick holds no earlier pick. The others go highest first: placed from the last one up.
        var ledBy = [[Int]](repeating: [], count: topPicks.count)
        for j in active { if let t = topOf[j] { ledBy[t].append(j) } }
        // Decided on value ids (`table`: one id per value), with the projections computed above.
        var stays = Set<Token>()
        var liftedSoFar = Set<Int>()
        for (i, p) in topPicks.enumerated().reversed() {
            let id = topPickIDs[i]
            let a = projections[id]
            let canStay = ledBy[i].allSatisfy { j in
                table.ids[j].allSatisfy { v in v == id || (!liftedSoFar.contains(v) && projections[v] < a) }
            }
            if canStay { stays.insert(p) } else { liftedSoFar.insert(id) }
        }
        for p in topPicks.reversed() where !stays.contains(p) {
            let target = SeparationStage.lift(p, above: level, along: u)
            level = Rational.dot(u, target)
            moves.append((p, target))
            lifted[p] = target
        }
        let minusU = u.map { -$0 }
        for p in bottomPicks.reversed() {
            let target = SeparationStage.lift(p, above: -floor, along: minusU)
            floor = Rational.dot(u, target)
            moves.append((p, target))
            lifted[p] = target
        }
        let hatFF = hatLayer(HatFunction.moving(moves, direction: u, projections: projections, weights: weights))
        // Identical values behave identically: the FF runs once per distinct value. Every hat lies
        // along u, so the FF needs only each value's ⟨u, x⟩, computed above.
        let compiled = CompiledFeedForward<Rational>(hatFF)
        let indices = Array(all.indices)
        let images = compiled.dependsOnlyOnProjection(along: u)
            ? parallelMap(indices) { compiled.apply(all[$0], projection: projections[$0]) }
            : parallelMap(all) { compiled.apply($0) }
        let afterHats = table.ids.map { s in s.map { images[$0] } }
        // ⟨u, ·⟩ after the hats: a value the hats left in place (the same storage) keeps its projection.
        let imageProjections = parallelMap(indices) { images[$0] == all[$0] ? projections[$0] : Rational.dot(u, images[$0]) }
        let uniqueTops = parallelMap(table.ids) { ids in SeparationRefinement.hasUniqueTop(ids.map { imageProjections[$0] }) }
        let w = stage.leaderDirection(base: u, sequences: afterHats, dimension: d, uniqueTopsAlongBase: uniqueTops.allSatisfy { $0 })
        // Projections along w by value id (those along u when w = u, the usual case).
        let onW = w == u ? imageProjections : GenericDirection.projections(of: images, onto: w)
        let shift = scaled(w, by: ShiftLayer.alignmentCoefficient(direction: w, lowest: onW.min() ?? .zero))
        var ff = hatFF
        ff.ridges.append(ShiftLayer.ridge(adding: shift))
        // Every active sequence must be led by its chosen token(s): the unique top (and bottom) along w.
        let led = parallelMap(active) { [lifted, bottomOf, bottomPicks] j -> Bool in
            let p = table.ids[j].map { onW[$0] }
            guard let top = p.max(), let at = p.firstIndex(of: top), p.lazy.filter({ $0 == top }).count == 1,
                  let t = topOf[j], afterHats[j][at] == (lifted[topPicks[t]] ?? topPicks[t]) else { return false }
            if let b = bottomOf[j] {
                guard let bottom = p.min(), let at = p.firstIndex(of: bottom), p.lazy.filter({ $0 == bottom }).count == 1,
                      afterHats[j][at] == lifted[bottomPicks[b]] else { return false }
            }
            return true
        }
        guard led.allSatisfy({ $0 }) else { return false }
        // Leader key of each sequence: equal keys may stay joined, different keys must separate.
        var key = [Int](repeating: 0, count: sequences.count)
        for j in sequences.indices {
            if let t = topOf[j] {
                key[j] = bottomOf[j].map { t * (bottomPicks.count + 1) + $0 + 1 } ?? t * (bottomPicks.count + 1)
            } else {
                key[j] = -1 - j
            }
        }
        let counts = sequences.map(\.count)
        // The shifted tokens (afterHats + shift) are made per sequence where the attention runs.
        return SeparationStage.appendFirstSeparatingBeta(ff: ff, direction: w, heads: heads, weights: weights,
                                                         afterHats: afterHats, shift: shift, state: &state) { next in
            SeparationRefinement.separates(next, key: key, counts: counts)
        }
    }

    /// Whether one place alone attains the largest of `projections`.
    static func hasUniqueTop(_ projections: [Rational]) -> Bool {
        guard let top = projections.max() else { return true }
        return projections.lazy.filter { $0 == top }.count == 1
    }

    /// The exact check of a round: sequences with different keys share no value; every sequence
    /// keeps its number of distinct values; all sequences stay pairwise distinct as sets.
    static func separates(_ sequences: [[Token]], key: [Int], counts: [Int]) -> Bool {
        separates(InternedSequences(sequences), key: key, counts: counts)
    }

    /// `separates` on interned sequences (ids name values one to one, so equal sets of values are
    /// equal sorted id lists).
    static func separates(_ sequences: InternedSequences, key: [Int], counts: [Int]) -> Bool {
        var owner = [Int?](repeating: nil, count: sequences.values.count)
        var sets: [Int: Set<[Int]>] = [:]
        var keyCount: [Int: Int] = [:]
        for k in key { keyCount[k, default: 0] += 1 }
        for (j, s) in sequences.ids.enumerated() {
            guard s.count == counts[j] else { return false }
            for v in s {
                if let k = owner[v], k != key[j] { return false }
                owner[v] = key[j]
            }
            // Sequences with different keys share no value (just checked), so they differ as sets
            // (none is empty); only sequences with one key can have become equal.
            if keyCount[key[j], default: 0] > 1, !sets[key[j], default: []].insert(s.sorted()).inserted { return false }
        }
        return true
    }
}

/// Narrow layout: rounds without lifts (width 1: the FF is only the shift of Lemma 4.7). A round
/// picks, among a fixed list of short integer directions, the w whose tops split the joined
/// sequences most, and one separation block with A = w wᵀ, V = βI separates every pair of joined
/// sequences whose tops along w differ. Rounds stop when no direction splits anything more (or after
/// `maximumRounds`); the one-at-a-time steps finish the rest. Checked like the compact rounds.
struct DirectionRounds {
    let progress: (String) -> Void
    var maximumRounds: Int = 48
    var candidatesPerRound: Int = 16
    /// Float weights: β must be a value of the format.
    var weights: WeightFormat = .exact

    /// Short integer directions (entries in −3…3), the same list on every run.
    static func candidates(dimension d: Int, count: Int, round: Int) -> [Token] {
        var rng = SplitMix64(seed: UInt64(0x5EA1 &+ round))
        var out: [Token] = []
        while out.count < count {
            let v = (0..<d).map { _ in Rational(Int(rng.next() % 7) - 3) }
            if v.contains(where: { $0 != .zero }) { out.append(v) }
        }
        return out
    }

    /// Σ over values v and top sets t of C(number of sequences holding v with tops t, 2): what
    /// stays joined after a block with these tops.
    static func remaining(_ sequences: [[Token]], active: [Int], top: [Int: Set<Token>]) -> Int {
        var groups: [Token: [Set<Token>: Int]] = [:]
        for j in active {
            guard let t = top[j] else { continue }
            for v in sequences[j] { groups[v, default: [:]][t, default: 0] += 1 }
        }
        var total = 0
        for (_, byTop) in groups { for (_, c) in byTop where c > 1 { total += c * (c - 1) / 2 } }
        return total
    }

    /// Whether one value of `sequence` alone attains the largest projection on w.
    static func hasUniqueTop(_ sequence: [Token], along w: Token) -> Bool {
        SeparationRefinement.hasUniqueTop(sequence.map { Rational.dot(w, $0) })
    }

    func run(_ state: inout ConstructionState) -> Int {
        var rounds = 0
        let d = state.dimension
        while rounds < maximumRounds {
            let (active, joined) = SeparationRefinement.joined(state.internedSequences())
            if active.isEmpty { break }
            let sequences = state.sequences
            let withRepeats = state.sequencesWithRepeats
            var best: (w: Token, top: [Int: Set<Token>], left: Int)? = nil
            for w in DirectionRounds.candidates(dimension: d, count: candidatesPerRound, round: rounds) {
                // Hardmax ties are exact: a token attends to the mean of its sequence's tied tops,
                // so the set of tops plays the leader's part — but that mean counts positions, so a
                // sequence that repeats a token (active or not) must have a unique top along w.
                guard withRepeats.allSatisfy({ DirectionRounds.hasUniqueTop(sequences[$0], along: w) }) else { continue }
                var top: [Int: Set<Token>] = [:]
                for j in active {
                    let p = sequences[j].map { Rational.dot(w, $0) }
                    guard let m = p.max() else { continue }
                    top[j] = Set(zip(sequences[j], p).filter { $0.1 == m }.map(\.0))
                }
                let left = DirectionRounds.remaining(sequences, active: active, top: top)
                if left < (best?.left ?? joined) { best = (w, top, left) }
            }
            guard let chosen = best else { break }
            let all = state.allValues()
            let shift = scaled(chosen.w, by: ShiftLayer.alignmentCoefficient(direction: chosen.w, tokens: all))
            let ff = FeedForwardLayer(ridges: [ShiftLayer.ridge(adding: shift)])
            var ids: [Set<Token>: Int] = [:]
            var key = [Int](repeating: 0, count: sequences.count)
            for j in sequences.indices {
                if let t = chosen.top[j] {
                    if ids[t] == nil { ids[t] = ids.count }
                    key[j] = ids[t] ?? 0
                } else {
                    key[j] = -1 - j
                }
            }
            let counts = sequences.map(\.count)
            let accepted = SeparationStage.appendFirstSeparatingBeta(ff: ff, direction: chosen.w, weights: weights,
                                                                     afterHats: sequences, shift: shift, state: &state) { next in
                SeparationRefinement.separates(next, key: key, counts: counts)
            }
            guard accepted else { break }
            rounds += 1
            progress("separation: direction round \(rounds): \(active.count) sequences shared values, Σ C(c_v, 2) \(joined) → \(chosen.left)")
        }
        return rounds
    }
}
