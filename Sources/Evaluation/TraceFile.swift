import ExactArithmetic
import TransformerModel

extension Evaluator {
    /// Every layer's tokens (and, for attention, the argmax sets of every head) for each input
    /// sequence, as the JSON file `eval --trace` writes: exact values as strings ("-7/12"), doubles
    /// as numbers. Throws when an exact evaluation passes the resource limit.
    public func traceFile(_ sequences: [[Token]]) throws(EvaluationError) -> JSONValue {
        func number(_ x: S) -> JSONValue { S.isExact ? .string(x.description) : .number(x.description) }
        var pairs: [JSONValue] = []
        for input in sequences {
            let records = try trace(input.map { $0.map(S.init) })
            pairs.append(.object([("layers", .array(records.map { r in
                var members: [(key: String, value: JSONValue)] = [
                    ("block", .number(String(r.block))), ("stage", .string(r.stage.rawValue)), ("layer", .string(r.sublayer.rawValue)),
                    ("tokens", .array(r.tokens.map { .array($0.map(number)) })),
                ]
                if !r.argmaxSets.isEmpty {
                    members.append(("argmax_sets", .array(r.argmaxSets.map { head in
                        .array(head.map { .array($0.map { .number(String($0)) }) })
                    })))
                }
                return .object(members)
            }))]))
        }
        return .object([("arithmetic", .string(S.isExact ? "exact" : "float64")),
                        ("block_numbering", .string("0-based, as blocks[k] in the model file")), ("pairs", .array(pairs))])
    }
}
