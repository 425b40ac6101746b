import DatasetGeneration
import ExactArithmetic
import Foundation
import TestSupport
import TransformerModel

/// Iteration multiplier for randomized tests (FLINT style): ITERATIONS=10 runs ten times more.
let iterationScale: Int = max(1, Int(ProcessInfo.processInfo.environment["ITERATIONS"] ?? "") ?? 1)

/// An exact rational from text ("3/4", "-2", "0.5"); tests only.
// r(_:), the literal parser, is TestSupport's (a bad literal stops the run).
/// An integer token.
func tok(_ xs: Int...) -> Token { xs.map { Rational($0) } }
/// A token from rational texts.
func rtok(_ xs: String...) -> Token { xs.map(r) }

/// "[1, 1/2]".
func show(_ t: Token) -> String { "[" + t.map(\.description).joined(separator: ", ") + "]" }
func show(_ ts: [Token]) -> String { "[" + ts.map(show).joined(separator: ", ") + "]" }

/// A small random rational p/q with |p/q| ≤ range.
func randomRational(_ rng: inout SplitMix64, range: Int = 10, maxDenominator: Int = 4) -> Rational {
    let q = Int.random(in: 1...maxDenominator, using: &rng)
    let p = Int.random(in: -range * q...range * q, using: &rng)
    return (try? Rational(numerator: p, denominator: q)) ?? .zero
}

func randomToken(_ rng: inout SplitMix64, dimension d: Int, range: Int = 10) -> Token {
    (0..<d).map { _ in randomRational(&rng, range: range) }
}
