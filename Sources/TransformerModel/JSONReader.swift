import ExactArithmetic

/// The one reader of JSON files (datasets, models, embedding tables, dynamics files, shard reports):
/// a value and its JSON path, with field access whose errors name that path (`pairs[2].input[3][1]`,
/// `blocks[4].feedforward.eta`). Every exact number goes through `rational()`.
public struct JSONReader {
    public let value: JSONValue
    /// Where `value` sits in its document: "" for the root, then `key`, `a.b`, `a[3]`.
    public let path: String

    public init(value: JSONValue, path: String) {
        self.value = value
        self.path = path
    }

    /// Parses a whole document; a syntax error is an `InputError` at the root naming line and column.
    public static func document(_ bytes: [UInt8]) throws(InputError) -> JSONValue {
        do { return try JSONParser.parse(bytes) } catch { throw InputError(path: "", reason: error.description) }
    }

    public func field(_ key: String) throws(InputError) -> JSONReader {
        guard case .object = value else { throw InputError(path: path, reason: "expected an object, found \(value.kindName)") }
        guard let v = value[key] else { throw InputError(path: join(key), reason: "missing") }
        return JSONReader(value: v, path: join(key))
    }

    /// Rejects keys other than `allowed`: a misspelt optional field must not be silently ignored.
    public func allowingOnly(_ allowed: [String]) throws(InputError) {
        guard case .object(let members) = value else { throw InputError(path: path, reason: "expected an object, found \(value.kindName)") }
        for m in members where !allowed.contains(m.key) {
            throw InputError(path: join(m.key), reason: "unknown key \"\(m.key)\" (expected \(allowed.joined(separator: ", ")))")
        }
    }

    public func optionalField(_ key: String) -> JSONReader? {
        value[key].map { JSONReader(value: $0, path: join(key)) }
    }

    private func join(_ key: String) -> String { path.isEmpty ? key : path + "." + key }

    public func string() throws(InputError) -> String {
        guard case .string(let s) = value else { throw InputError(path: path, reason: "expected a string, found \(value.kindName)") }
        return s
    }

    public func bool() throws(InputError) -> Bool {
        guard case .bool(let b) = value else { throw InputError(path: path, reason: "expected true or false, found \(value.kindName)") }
        return b
    }

    public func integer(in range: ClosedRange<Int>) throws(InputError) -> Int {
        guard case .number(let s) = value, let n = Int(s), range.contains(n) else {
            throw InputError(path: path, reason: "expected an integer in \(range.lowerBound)...\(range.upperBound)")
        }
        return n
    }

    public func array() throws(InputError) -> [JSONReader] {
        guard case .array(let items) = value else { throw InputError(path: path, reason: "expected an array, found \(value.kindName)") }
        return items.enumerated().map { JSONReader(value: $1, path: "\(path)[\($0)]") }
    }

    /// One exact number: a JSON number (read as the decimal it spells) or a string holding an
    /// integer, a fraction "p/q" or a decimal.
    public func rational() throws(InputError) -> Rational {
        let text: String
        switch value {
        case .number(let s), .string(let s): text = s
        default: throw InputError(path: path, reason: "expected a number or a string such as \"-7/12\", found \(value.kindName)")
        }
        do { return try Rational(parsing: text) } catch { throw InputError(path: path, reason: error.description) }
    }

    /// What `rational()` returns for `value` when it is a well-formed number, else nil (and
    /// `rational()` names the problem).
    static func wellFormedRational(_ value: JSONValue) -> Rational? {
        switch value {
        case .number(let s), .string(let s): return try? Rational(parsing: s)
        default: return nil
        }
    }

    /// A vector of a model file: `d` exact numbers.
    public func vector(dimension d: Int) throws(InputError) -> [Rational] {
        try rationals(d, notAnArray: "expected an array, found \(value.kindName)",
                      wrongCount: { "expected \(d) entries, found \($0)" })
    }

    /// A token of a dataset (or of a word table, a dynamics file): `d` exact coordinates.
    public func token(dimension d: Int) throws(InputError) -> Token {
        try rationals(d, notAnArray: "expected a token (an array of \(d) numbers), found \(value.kindName)",
                      wrongCount: { "token has \($0) coordinate\($0 == 1 ? "" : "s"), the dataset's dimension is \(d)" })
    }

    /// `d` exact numbers at `path[0]` … `path[d-1]`; the two shape errors are worded by the caller.
    private func rationals(_ d: Int, notAnArray: @autoclosure () -> String, wrongCount: (Int) -> String) throws(InputError) -> [Rational] {
        guard case .array(let items) = value else { throw InputError(path: path, reason: notAnArray()) }
        guard items.count == d else { throw InputError(path: path, reason: wrongCount(items.count)) }
        var out: [Rational] = []
        out.reserveCapacity(d)
        for (c, item) in items.enumerated() {
            // The JSON path is spelt out only for a coordinate that has an error to name.
            if let r = JSONReader.wellFormedRational(item) { out.append(r); continue }
            out.append(try JSONReader(value: item, path: "\(path)[\(c)]").rational())
        }
        return out
    }

    public func matrix(rows: Int?, columns d: Int) throws(InputError) -> [[Rational]] {
        let items = try array()
        if let rows, items.count != rows { throw InputError(path: path, reason: "expected \(rows) row\(rows == 1 ? "" : "s"), found \(items.count)") }
        if items.isEmpty { throw InputError(path: path, reason: "a matrix needs at least one row") }
        var out: [[Rational]] = []
        for item in items { out.append(try item.vector(dimension: d)) }
        return out
    }

    /// The value as a message quotes it: a number as written, a string quoted, else its kind.
    public var shown: String {
        switch value {
        case .number(let s): return s
        case .string(let s): return JSONValue.quoted(s)
        default: return value.kindName
        }
    }
}
