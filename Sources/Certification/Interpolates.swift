import ExactArithmetic
import TransformerModel

/// The one test of interpolation: T(X) = Y as sets of token values (see
/// docs/mathematics.md#data). Multiplicities and order do not matter.
public func interpolates<T: Hashable>(_ got: [T], _ want: [T]) -> Bool { Set(got) == Set(want) }

/// What separates T(X) from Y as sets: the tokens of Y that T(X) misses and the tokens of T(X)
/// that are not in Y, each sorted by their text so that reports are deterministic.
public func setDifference(got: [Token], want: [Token]) -> (missing: [Token], unexpected: [Token]) {
    let g = Set(got), w = Set(want)
    return (w.subtracting(g).sorted { show($0) < show($1) }, g.subtracting(w).sorted { show($0) < show($1) })
}

/// "[1, 1/2]".
public func show(_ token: [Rational]) -> String { tokenDescription(token) }

/// Tokens for a failure line: sorted, at most five, then "… (k more)"; "none" when empty.
public func tokenList(_ tokens: [[Rational]]) -> String {
    let shown = tokens.map(show).sorted()
    if shown.isEmpty { return "none" }
    return shown.prefix(5).joined(separator: " ") + (shown.count > 5 ? " … (\(shown.count - 5) more)" : "")
}
