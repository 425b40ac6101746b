import Constructions
import ExactArithmetic
import TestSupport
import Testing
import TransformerModel

/// The step-by-step checks of Lemmas 4.1–4.4 share one loop (`LemmaSupport.iterateClustering`):
/// every kind of failure it reports, on a tampered layer, with its whole message.
@Suite struct ClusteringFailureTests {
    static let line = [tok(2, 1), tok(1, 1), tok(-1, 0), tok(-3, 2)]
    static let cube = [tok(1, 2), rtok("1/2", "1/3"), tok(3, 3), tok(2, 1)]
    static let sphere = [tok(5, 0), tok(3, 4), tok(0, -5)]
    /// ℓ = x_1, L′ = {x_0}: token 0 is a leader of the sphere part.
    static let partial = [tok(-1, 0), tok(3, 3), tok(1, 2)]

    static func failures() throws -> [String] {
        var out: [String] = []
        var a = try RankOneClustering.construct(tokens: line, direction: tok(1, 0))
        a.layer.heads[0].value = .scaledIdentity(r("2/3"))
        out.append(RankOneClustering.check(a, tokens: line).failure ?? "holds")
        var b = try RankOneClustering.construct(tokens: line, direction: tok(1, 0))
        b.layer.heads[0].scores = .rankOne(p: tok(-1, 0), q: tok(1, 0))
        out.append(RankOneClustering.check(b, tokens: line).failure ?? "holds")
        var c = try RankOneClustering.construct(tokens: line, direction: tok(1, 0))
        c.layer.rho = r("-3")
        out.append(RankOneClustering.check(c, tokens: line).failure ?? "holds")
        var d = try FullClustering.construct(tokens: cube)
        d.layer.heads[0].scores = .scaledIdentity(Rational(-1))
        out.append(FullClustering.check(d, tokens: cube).failure ?? "holds")
        var e = try FullClustering.construct(tokens: cube)
        e.layer.rho = r("1/3")
        out.append(FullClustering.check(e, tokens: cube).failure ?? "holds")
        var f = try NoClustering.construct(tokens: sphere)
        f.layer.heads[0].scores = .scaledIdentity(Rational(-1))
        out.append(NoClustering.check(f).failure ?? "holds")
        var g = try NoClustering.construct(tokens: sphere)
        g.layer.heads[0].value = .scaledIdentity(r("1/3"))
        out.append(NoClustering.check(g).failure ?? "holds")
        var h = try PartialClustering.construct(tokens: partial, leaders: [1, 0])
        h.layer.heads[0].value = .scaledIdentity(r("1/2"))
        out.append(PartialClustering.check(h, tokens: partial).failure ?? "holds")
        var i = try PartialClustering.construct(tokens: partial, leaders: [1, 0])
        i.layer.heads[0].scores = .scaledIdentity(Rational(-1))
        out.append(PartialClustering.check(i, tokens: partial).failure ?? "holds")
        let follower = [tok(1, 2), tok(3, 3), tok(-1, 0)]
        var j = try PartialClustering.construct(tokens: follower, gamma: r("1/2"), steps: 2, leaders: [1, 2])
        j.layer.rho = r("1/4")
        out.append(PartialClustering.check(j, tokens: follower).failure ?? "holds")
        return out
    }

    /// In order: 4.1 closed form, attention, sign; 4.2 attention, closed form; 4.3 attention, a
    /// moved point; 4.4 a moved leader, a leader attending elsewhere, a non-leader off its closed form.
    @Test func everyFailureNamesStepTokenAndValues() throws {
        #expect(try Self.failures() == [
            "step 1, token 0: expected [2, 1] (closed form x_± + (1−γ)^t (x_i^0 − x_±)), got [7/3, 7/6]",
            "step 1, token 0: attends to {[-3, 2]} instead of x₊ = [2, 1] only",
            "step 1, token 0: ⟨w, x_0^1⟩ = -5 changed sign",
            "step 1, token 0: attends to {[1/2, 1/3]} instead of x_ℓ = [3, 3] only",
            "step 1, token 0: expected [2, 5/2] (closed form x_ℓ + (1−γ)^t (x_i^0 − x_ℓ)), got [11/6, 13/6]",
            "step 1, token 0: C_0 = {2}, expected {0}",
            "step 1, token 0 moved: expected [5, 0], got [25/6, 0]",
            "step 1, token 0 (a leader) moved: expected [-1, 0], got [-1/2, 0]",
            "step 1, token 0: attends to {[3, 3]} instead of itself = [-1, 0] only",
            "step 1, token 0: expected [2, 5/2], got [7/4, 2]",
        ])
    }
}
