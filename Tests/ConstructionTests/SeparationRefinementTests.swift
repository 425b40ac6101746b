import Certification
@testable import Constructions
import DatasetGeneration
import ExactArithmetic
import Testing
import TransformerModel

/// Many sequences per separation block (docs/construction.md#separation).
@Suite struct SeparationRefinementTests {
    /// Randomized cross-check of the greedy against its defining property, on random set families:
    /// every sequence of the group gets a pick it contains; a sequence holds no pick made before its
    /// own (so its own pick is its highest); and a pick contained in one unassigned sequence only
    /// gives that sequence a leader no other sequence shares. Independently, a brute-force count:
    /// two sequences share a leader only if both contain it.
    @Test func greedyLeadersHaveTheirDefiningProperty() {
        var rng = SplitMix64(seed: 1605)
        for iteration in 0..<(300 * iterationScale) {
            let universe = Int.random(in: 2...12, using: &rng)
            let count = Int.random(in: 1...10, using: &rng)
            var seen = Set<Set<Int>>()
            var family: [[Token]] = []
            for _ in 0..<count {
                let size = Int.random(in: 1...universe, using: &rng)
                let set = Set((0..<universe).shuffled(using: &rng).prefix(size))
                if seen.insert(set).inserted { family.append(set.sorted().map { [Rational($0)] }) }
            }
            let group = Array(family.indices)
            let (picks, leaderOf) = SeparationRefinement.greedyLeaders(family, group: group)
            let label = "iteration \(iteration): \(family.map { $0.map { $0[0].description } })"
            for j in group {
                guard let p = leaderOf[j] else { Issue.record("unassigned sequence \(j), \(label)"); continue }
                #expect(family[j].contains(picks[p]), "\(label)")
                for earlier in picks[..<p] { #expect(!family[j].contains(earlier), "sequence \(j) holds an earlier pick, \(label)") }
            }
            #expect(Set(picks).count == picks.count, "\(label)")
            // Sequences sharing a leader all contain it; distinct sets never all share one leader
            // unless a pick was forced (no value held by at most one unassigned sequence).
            var byLeader: [Int: [Int]] = [:]
            for (j, p) in leaderOf { byLeader[p, default: []].append(j) }
            for (p, js) in byLeader where js.count > 1 {
                #expect(js.allSatisfy { family[$0].contains(picks[p]) }, "\(label)")
            }
        }
    }

    /// `joined` against its definition, by brute force on random set families: a sequence is
    /// active when it shares a value with another sequence, and the count is Σ_v C(c_v, 2) over
    /// values held by c_v sequences (each unordered pair of sequences counted once per shared value).
    @Test func joinedMatchesBruteForce() {
        var rng = SplitMix64(seed: 2023)
        for iteration in 0..<(300 * iterationScale) {
            let universe = Int.random(in: 1...10, using: &rng)
            let count = Int.random(in: 0...9, using: &rng)
            let family: [[Token]] = (0..<count).map { _ in
                let size = Int.random(in: 1...universe, using: &rng)
                return (0..<universe).shuffled(using: &rng).prefix(size).map { [Rational($0)] }
            }
            var active: [Int] = [], pairs = 0
            for j in family.indices where family.indices.contains(where: { k in k != j && family[k].contains(where: family[j].contains) }) {
                active.append(j)
            }
            for j in family.indices { for k in family.indices where j < k { pairs += family[j].filter(family[k].contains).count } }
            let got = SeparationRefinement.joined(family)
            #expect(got.active == active && got.pairs == pairs,
                    "iteration \(iteration): \(family.map { $0.map { $0[0].description } }): got \(got), expected \((active, pairs))")
        }
    }

    /// `InternedSequences` against its definition on random families with repeated values: the
    /// values are the distinct values in first-seen order (`ConstructionState.allValues`), and each
    /// sequence's ids name its distinct values in order of first occurrence.
    @Test func internedSequencesMatchTheirDefinition() {
        var rng = SplitMix64(seed: 2311)
        for iteration in 0..<(300 * iterationScale) {
            let universe = Int.random(in: 1...8, using: &rng)
            let family: [[Token]] = (0..<Int.random(in: 0...7, using: &rng)).map { _ in
                (0..<Int.random(in: 1...9, using: &rng)).map { _ in [Rational(Int.random(in: 0..<universe, using: &rng)), Rational(1) / Rational(2)] }
            }
            var seen = Set<Token>(), values: [Token] = []
            for s in family { for x in s where seen.insert(x).inserted { values.append(x) } }
            let deduped = family.map { s in var inS = Set<Token>(); return s.filter { inS.insert($0).inserted } }
            let table = InternedSequences(family)
            #expect(table.values == values, "iteration \(iteration)")
            #expect(table.ids.map { $0.map { table.values[$0] } } == deduped, "iteration \(iteration)")
            #expect(table.tokens() == deduped, "iteration \(iteration)")
        }
    }

    /// `separatingAllWithProjections` returns the first moment-curve direction with pairwise
    /// distinct projections (checked by brute force) and the projections in point order.
    @Test func separatingDirectionComesWithItsProjections() {
        var rng = SplitMix64(seed: 4711)
        for iteration in 0..<(200 * iterationScale) {
            let d = Int.random(in: 1...3, using: &rng)
            var points: [Token] = [], distinct = Set<Token>()
            for _ in 0..<Int.random(in: 1...12, using: &rng) {
                let p = (0..<d).map { _ in Rational(Int.random(in: -3...3, using: &rng)) }
                if distinct.insert(p).inserted { points.append(p) }
            }
            // Every length of the prefix a direction is tried on first, and the default.
            var t = 0
            while Set(points.map { Rational.dot(GenericDirection.momentCurve(t, dimension: d), $0) }).count < points.count { t += 1 }
            for trial in [1, 2, points.count / 2, points.count, 4096] {
                let found = GenericDirection.separatingAllWithProjections(points, dimension: d, prefixTrial: trial)
                #expect(found.direction == GenericDirection.momentCurve(t, dimension: d), "iteration \(iteration), trial \(trial): \(points)")
                #expect(found.projections == points.map { Rational.dot(found.direction, $0) }, "iteration \(iteration)")
            }
        }
    }

    /// The nearest gaps from one pass over the values equal the binary search in the sorted
    /// values, for centers among the values (with repeats) and, through the fallback, outside them.
    @Test func nearestGapsAreTheSortedSearch() {
        var rng = SplitMix64(seed: 99)
        for iteration in 0..<(300 * iterationScale) {
            var values: [Rational] = [], seen = Set<Rational>()
            for _ in 0..<Int.random(in: 0...30, using: &rng) {
                let v = Rational(Int.random(in: -20...20, using: &rng)) / Rational(Int.random(in: 1...4, using: &rng))
                if seen.insert(v).inserted { values.append(v) }
            }
            var centers: [Rational] = []
            for _ in 0..<Int.random(in: 0...6, using: &rng) where !values.isEmpty {
                centers.append(values[Int.random(in: 0..<values.count, using: &rng)])
            }
            if Int.random(in: 0..<4, using: &rng) == 0 { centers.append(Rational(Int.random(in: -30...30, using: &rng)) / Rational(7)) }
            let sorted = values.sorted()
            let want = centers.map { HatFunction.nearestGap(to: $0, in: sorted) }
            for chunk in [1, 2, 3, values.count, 65_536] {
                #expect(HatFunction.nearestGaps(to: centers, among: values, chunk: chunk) == want,
                        "iteration \(iteration), chunk \(chunk): centers \(centers) among \(values)")
            }
        }
    }

    /// The exact check fails on purpose: a shared value between different keys, a lost value, two
    /// equal sets.
    @Test func separationCheckFailsOnPurpose() {
        let a: [Token] = [[Rational(1)], [Rational(2)]], b: [Token] = [[Rational(2)], [Rational(3)]]
        #expect(SeparationRefinement.separates([a, b], key: [0, 0], counts: [2, 2]))
        #expect(!SeparationRefinement.separates([a, b], key: [0, 1], counts: [2, 2]))
        #expect(!SeparationRefinement.separates([a, b], key: [0, 0], counts: [3, 2]))
        #expect(!SeparationRefinement.separates([a, a], key: [0, 0], counts: [2, 2]))
        // Equal sets are caught inside a key group, also when not adjacent; other keys share nothing.
        let c: [Token] = [[Rational(4)]]
        #expect(!SeparationRefinement.separates([a, c, a], key: [0, 1, 0], counts: [2, 1, 2]))
        #expect(!SeparationRefinement.separates([a, c, a], key: [0, 1, 2], counts: [2, 1, 2]))
        #expect(SeparationRefinement.separates([a, c, b], key: [0, 1, 0], counts: [2, 1, 2]))
    }

    /// Text-like data (a Zipf-ish shared vocabulary): the compact layout separates in a handful of
    /// rounds, far below one block per sequence, with 1 and 2 heads, and the result certifies.
    @Test func sharedVocabularyNeedsFewSeparationBlocks() throws {
        var rng = SplitMix64(seed: 16)
        var generator = DatasetGenerator(seed: 16)
        let vocabulary = generator.distinctTokens(60, dimension: 4)
        var pairs: [SequencePair] = []
        var seen = Set<Set<Token>>()
        while pairs.count < 60 {
            let length = Int.random(in: 3...9, using: &rng)
            // Low indices are frequent: the minimum of two uniform draws.
            let words = (0..<length).map { _ in vocabulary[min(Int.random(in: 0..<60, using: &rng), Int.random(in: 0..<60, using: &rng))] }
            let input = Array(Set(words)).sorted { $0.lexicographicallyPrecedes($1) }
            guard seen.insert(Set(input)).inserted else { continue }
            pairs.append(SequencePair(input: input, output: [generator.token(dimension: 4)]))
        }
        let data = Dataset(dimension: 4, pairs: pairs)
        let problem = try InterpolationProblem(data)
        for heads in [1, 2] {
            nonisolated(unsafe) var log: [String] = []
            let result = try HardmaxConstruction.build(problem, digest: data.digest, layout: .compact, separationHeads: heads) { log.append($0) }
            let separation = result.stages.first { $0.stage == .separation }?.blocks ?? -1
            if !(1...6).contains(separation) {
                Issue.record("\(heads) head(s): \(separation) separation blocks for 60 sequences\n\(log.joined(separator: "\n"))")
            }
            #expect(try certify(model: result.model, dataset: data).holds)
        }
    }
}

/// Two-head separation blocks on random pooled datasets, certified like the one-head ones.
@Suite struct TwoHeadSeparationTests {
    @Test func randomPooledDatasetsCertifiedWithTwoHeads() throws {
        var gen = DatasetGenerator(seed: 216)
        for k in 0..<(40 * iterationScale) {
            let d = [2, 3, 5][k % 3]
            let n = Int.random(in: 2...20, using: &gen.rng)
            let data = gen.dataset(pairs: n, dimension: d, lengths: 1...10, pool: max(2 * n, 10))
            let problem = try InterpolationProblem(data)
            do {
                let result = try HardmaxConstruction.build(problem, digest: data.digest, layout: .compact, separationHeads: 2)
                #expect(result.model.blocks.count <= problem.count + 1, "#\(k): \(result.model.blocks.count) blocks")
                let reread = try Transformer.parse(Array(result.model.fileText.utf8))
                #expect(try certify(model: reread, dataset: data).holds, "#\(k)\n\(data.json.rendered())")
            } catch {
                Issue.record("#\(k): \(error)\n\(data.json.rendered())")
            }
        }
    }
}
