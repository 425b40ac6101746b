import DatasetGeneration
import Evaluation
import ExactArithmetic
import Foundation
import TestSupport
import Testing
import TransformerModel

/// Iteration multiplier for randomized tests (FLINT style): ITERATIONS=10 runs ten times more.
let iterationScale: Int = max(1, Int(ProcessInfo.processInfo.environment["ITERATIONS"] ?? "") ?? 1)

// r(_:), the literal parser, is TestSupport's (a bad literal stops the run).

/// A token of integers.
func tok(_ xs: Int...) -> Token { xs.map { Rational($0) } }

/// A token from rational texts.
func tok(_ xs: String...) -> Token { xs.map(r) }

/// A one-block model: `ff` then `sa`.
func model(d: Int, ff: FeedForwardLayer = .identity, sa: SelfAttentionLayer = .identity, temperature: Rational? = nil) -> Transformer {
    Transformer(dimension: d, blocks: [Block(stage: .custom, feedForward: ff, attention: sa)], temperature: temperature)
}

/// T(X) exactly.
func exactOutput(_ m: Transformer, _ xs: [Token], sourceLocation: SourceLocation = #_sourceLocation) -> [Token] {
    do { return try Evaluator<Rational>(m).evaluate(xs) } catch {
        Issue.record("cannot evaluate: \(error)", sourceLocation: sourceLocation)
        return []
    }
}

/// The trace record of the attention sub-layer of block 0.
func attentionRecord(_ m: Transformer, _ xs: [Token], sourceLocation: SourceLocation = #_sourceLocation) -> LayerRecord<Rational>? {
    do { return try Evaluator<Rational>(m).trace(xs).first { $0.sublayer == .attention } } catch {
        Issue.record("cannot trace: \(error)", sourceLocation: sourceLocation)
        return nil
    }
}

/// A random small rational k/den, |k| ≤ range·den.
func smallRational(_ rng: inout SplitMix64, range: Int, denominators: [Int]) -> Rational {
    let den = denominators[Int.random(in: 0..<denominators.count, using: &rng)]
    let num = Int.random(in: -range * den...range * den, using: &rng)
    return (try? Rational(numerator: num, denominator: den)) ?? .zero
}
