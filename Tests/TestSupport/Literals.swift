import ExactArithmetic

/// An exact rational from a literal in a test ("3/4", "-2", "0.5"): the one literal helper of every
/// test target. A literal that does not parse is a bug in the test: it stops the run, naming the
/// literal (it never silently becomes 0).
public func r(_ s: String) -> Rational {
    do {
        return try Rational(parsing: s)
    } catch {
        preconditionFailure("test literal \"\(s)\" is not a rational: \(error)")
    }
}
