import ExactArithmetic

/// A parsed JSON document that keeps numbers as the exact text they were written with.
///
/// Foundation's decoders turn `0.1` into the double nearest to it; docs/mathematics.md#data-formats reads it as 1/10.
/// Objects keep their key order so that writing is deterministic.
public enum JSONValue: Sendable {
    case null
    case bool(Bool)
    /// The literal text of a JSON number, e.g. "-2.5e-3".
    case number(String)
    case string(String)
    case array([JSONValue])
    case object([(key: String, value: JSONValue)])

    /// The value stored under `key`, if this is an object that has it.
    public subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.first { $0.key == key }?.value
    }

    /// A short name of the kind of value, for error messages.
    public var kindName: String {
        switch self {
        case .null: return "null"
        case .bool: return "a boolean"
        case .number: return "a number"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }
}

/// A JSON syntax error with its position.
public struct JSONSyntaxError: Error, CustomStringConvertible {
    public let line: Int
    public let column: Int
    public let reason: String
    public var description: String { "JSON syntax error at line \(line), column \(column): \(reason)" }
}

/// A strict RFC 8259 parser (no comments, no trailing commas), with a nesting limit so that
/// hostile input cannot exhaust the stack.
public struct JSONParser {
    public static let maximumDepth = 256

    /// The document, or (reading in chunks, `datasetInChunks`) the part of it not yet consumed.
    private var bytes: [UInt8]
    private var index = 0
    /// Reading in chunks: the next piece of the document (empty at its end); nil once it is all in
    /// `bytes`.
    private var source: (() -> [UInt8])? = nil
    /// Reading in chunks: the most bytes of the document held at once.
    private var largestWindow = 0

    private init(_ bytes: [UInt8]) { self.bytes = bytes }

    /// Why `prefix` (the first bytes of a file) cannot begin a JSON text in UTF-8, when the reason
    /// is its encoding: a UTF-8 byte order mark, UTF-16, or a NUL byte (a binary file, /dev/zero).
    /// nil when the start looks like text. Readers call it on the first piece they read, so that an
    /// endless binary input is refused at its first byte.
    public static func encodingProblem(_ prefix: some Collection<UInt8>) -> String? {
        let b = Array(prefix.prefix(4))
        guard let first = b.first else { return nil }
        if b.starts(with: [0xEF, 0xBB, 0xBF]) {
            return "the file starts with a UTF-8 byte order mark (bytes EF BB BF): remove it (JSON text has none)"
        }
        if b.starts(with: [0xFE, 0xFF]) || b.starts(with: [0xFF, 0xFE]) {
            return "the file starts with a UTF-16 byte order mark: it is UTF-16; save it as UTF-8"
        }
        if b.count >= 2, (first == 0) != (b[1] == 0), max(first, b[1]) < 0x80 {
            return "the file looks like UTF-16 (NUL bytes beside ASCII characters): save it as UTF-8"
        }
        if first == 0 {
            return "the file starts with a NUL byte: not a JSON text (a binary file, or a device such as /dev/zero?)"
        }
        return nil
    }

    /// Parses one JSON document (surrounding white space allowed).
    public static func parse(_ bytes: [UInt8]) throws(JSONSyntaxError) -> JSONValue {
        if let problem = encodingProblem(bytes) { throw JSONSyntaxError(line: 1, column: 1, reason: problem) }
        var parser = JSONParser(bytes)
        parser.skipWhitespace()
        let value = try parser.parseValue(depth: 0)
        parser.skipWhitespace()
        guard parser.index == bytes.count else { throw parser.error("unexpected text after the document") }
        return value
    }

    public static func parse(_ text: String) throws(JSONSyntaxError) -> JSONValue { try parse(Array(text.utf8)) }

    private func error(_ reason: String) -> JSONSyntaxError {
        var line = 1, column = 1
        for b in bytes[..<min(index, bytes.count)] {
            if b == 10 { line += 1; column = 1 } else { column += 1 }
        }
        return JSONSyntaxError(line: line, column: column, reason: reason)
    }

    private mutating func skipWhitespace() {
        while index < bytes.count, [32, 9, 10, 13].contains(bytes[index]) { index += 1 }
    }

    private mutating func expect(_ literal: String, _ value: JSONValue) throws(JSONSyntaxError) -> JSONValue {
        let l = Array(literal.utf8)
        guard index + l.count <= bytes.count, Array(bytes[index..<index + l.count]) == l else {
            throw error("invalid literal")
        }
        index += l.count
        return value
    }

    private mutating func parseValue(depth: Int) throws(JSONSyntaxError) -> JSONValue {
        guard depth < JSONParser.maximumDepth else { throw error("nesting deeper than \(JSONParser.maximumDepth)") }
        guard index < bytes.count else { throw error("unexpected end of input") }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try parseObject(depth: depth)
        case UInt8(ascii: "["): return try parseArray(depth: depth)
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): return try expect("true", .bool(true))
        case UInt8(ascii: "f"): return try expect("false", .bool(false))
        case UInt8(ascii: "n"): return try expect("null", .null)
        case UInt8(ascii: "-"), 48...57: return .number(try parseNumber())
        default: throw error("unexpected character")
        }
    }

    private mutating func parseObject(depth: Int) throws(JSONSyntaxError) -> JSONValue {
        index += 1
        var members: [(key: String, value: JSONValue)] = []
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") { index += 1; return .object(members) }
        while true {
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw error("expected a string key") }
            let key = try parseString()
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw error("expected ':'") }
            index += 1
            skipWhitespace()
            let value = try parseValue(depth: depth + 1)
            if members.contains(where: { $0.key == key }) { throw error("duplicate key \"\(key)\"") }
            members.append((key, value))
            skipWhitespace()
            guard index < bytes.count else { throw error("unexpected end of input in an object") }
            if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
            if bytes[index] == UInt8(ascii: "}") { index += 1; return .object(members) }
            throw error("expected ',' or '}'")
        }
    }

    private mutating func parseArray(depth: Int) throws(JSONSyntaxError) -> JSONValue {
        index += 1
        var items: [JSONValue] = []
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") { index += 1; return .array(items) }
        while true {
            skipWhitespace()
            items.append(try parseValue(depth: depth + 1))
            skipWhitespace()
            guard index < bytes.count else { throw error("unexpected end of input in an array") }
            if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
            if bytes[index] == UInt8(ascii: "]") { index += 1; return .array(items) }
            if bytes[index] == UInt8(ascii: "/"), case .number(let numerator)? = items.last {
                var end = index + 1
                while end < bytes.count, bytes[end] >= 48, bytes[end] <= 57 { end += 1 }
                let denominator = String(decoding: bytes[(index + 1)..<end], as: UTF8.self)
                throw error("expected ',' or ']'; fractions are strings: \"\(numerator)/\(denominator.isEmpty ? "q" : denominator)\"")
            }
            throw error("expected ',' or ']'")
        }
    }

    private mutating func parseNumber() throws(JSONSyntaxError) -> String {
        let start = index
        func digit(_ i: Int) -> Bool { i < bytes.count && bytes[i] >= 48 && bytes[i] <= 57 }
        if bytes[index] == UInt8(ascii: "-") { index += 1 }
        guard digit(index) else { throw error("expected a digit") }
        if bytes[index] == 48 { index += 1 } else { while digit(index) { index += 1 } }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            guard digit(index) else { throw error("expected a digit after '.'") }
            while digit(index) { index += 1 }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard digit(index) else { throw error("expected a digit in the exponent") }
            while digit(index) { index += 1 }
        }
        return String(decoding: bytes[start..<index], as: UTF8.self)
    }

    private mutating func parseString() throws(JSONSyntaxError) -> String {
        index += 1
        var out: [UInt8] = []
        while true {
            guard index < bytes.count else { throw error("unterminated string") }
            let c = bytes[index]
            if c == UInt8(ascii: "\"") { index += 1; break }
            if c < 0x20 { throw error("control character in a string") }
            if c >= 0x80 {
                let length = try utf8SequenceLength()
                out.append(contentsOf: bytes[index..<index + length])
                index += length
                continue
            }
            if c != UInt8(ascii: "\\") { out.append(c); index += 1; continue }
            index += 1
            guard index < bytes.count else { throw error("unterminated escape") }
            let e = bytes[index]
            index += 1
            switch e {
            case UInt8(ascii: "\""): out.append(0x22)
            case UInt8(ascii: "\\"): out.append(0x5C)
            case UInt8(ascii: "/"): out.append(0x2F)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var code = try parseHex4()
                if (0xD800..<0xDC00).contains(code) {
                    guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else {
                        throw error("unpaired surrogate")
                    }
                    index += 2
                    let low = try parseHex4()
                    guard (0xDC00..<0xE000).contains(low) else { throw error("unpaired surrogate") }
                    code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                }
                guard let scalar = Unicode.Scalar(code) else { throw error("invalid \\u escape") }
                out.append(contentsOf: Array(String(Character(scalar)).utf8))
            default: throw error("invalid escape")
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The length of the well-formed UTF-8 sequence at `index` (RFC 3629: no overlong forms, no
    /// surrogates, nothing above U+10FFFF); invalid UTF-8 is an error naming its byte offset.
    private func utf8SequenceLength() throws(JSONSyntaxError) -> Int {
        let c = bytes[index]
        func continuation(_ k: Int, _ range: ClosedRange<UInt8> = 0x80...0xBF) -> Bool {
            index + k < bytes.count && range.contains(bytes[index + k])
        }
        let ok: Bool, length: Int
        switch c {
        case 0xC2...0xDF: length = 2; ok = continuation(1)
        case 0xE0: length = 3; ok = continuation(1, 0xA0...0xBF) && continuation(2)
        case 0xE1...0xEC, 0xEE...0xEF: length = 3; ok = continuation(1) && continuation(2)
        case 0xED: length = 3; ok = continuation(1, 0x80...0x9F) && continuation(2)
        case 0xF0: length = 4; ok = continuation(1, 0x90...0xBF) && continuation(2) && continuation(3)
        case 0xF1...0xF3: length = 4; ok = continuation(1) && continuation(2) && continuation(3)
        case 0xF4: length = 4; ok = continuation(1, 0x80...0x8F) && continuation(2) && continuation(3)
        default: length = 1; ok = false
        }
        guard ok else { throw error("invalid UTF-8 at byte offset \(index) (byte 0x\(String(c, radix: 16, uppercase: true)))") }
        return length
    }

    private mutating func parseHex4() throws(JSONSyntaxError) -> UInt32 {
        guard index + 4 <= bytes.count else { throw error("short \\u escape") }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let c = bytes[index]
            let d: UInt32
            switch c {
            case 48...57: d = UInt32(c - 48)
            case 65...70: d = UInt32(c - 55)
            case 97...102: d = UInt32(c - 87)
            default: throw error("invalid hex digit")
            }
            v = v * 16 + d
            index += 1
        }
        return v
    }
}

// MARK: - Datasets without a tree

extension JSONParser {
    private struct NotTheFastPath: Error {}

    /// Reads a well-formed dataset straight from its bytes into tokens, without building a
    /// `JSONValue` tree (a 200 MB file would need several gigabytes for the tree). Returns nil on
    /// anything unusual (a syntax error, an unknown or repeated key, "pairs" before "dimension", a
    /// token of the wrong size, a malformed number): the caller then reads the file through the
    /// tree, whose messages name the problem. Accepts exactly what `Dataset(json:)` accepts.
    static func datasetFastPath(_ bytes: [UInt8]) -> Dataset? {
        var p = JSONParser(bytes)
        return try? p.readDataset()
    }

    /// The fast path on a document that arrives in pieces (`next()` returns the next piece, an
    /// empty array at the end), keeping only a window of about `window` bytes ahead of the cursor:
    /// consumed bytes are dropped before each token is read, so the document is never whole in
    /// memory. Returns nil (and the caller reads the whole document) on anything the fast path
    /// rejects, and also when a value does not fit in the window: reaching the end of the window
    /// before the end of the document always fails the read, it never ends a number or a string.
    /// The second result is the most document bytes held at once.
    static func datasetInChunks(window: Int, next: @escaping () -> [UInt8]) -> (Dataset?, largestWindow: Int) {
        var p = JSONParser([])
        p.source = next
        p.refill(window: max(1, window))
        let dataset = try? p.readDataset(window: max(1, window))
        return (dataset, p.largestWindow)
    }

    /// Reading in chunks: drops the consumed bytes and reads pieces until `window` bytes lie ahead
    /// of the cursor or the document ends. Does nothing while that many are already there.
    private mutating func refill(window: Int) {
        guard let next = source, bytes.count - index < window else { return }
        bytes.removeSubrange(0..<index)
        index = 0
        while bytes.count < window {
            let piece = next()
            if piece.isEmpty { source = nil; break }
            bytes.append(contentsOf: piece)
        }
        largestWindow = max(largestWindow, bytes.count)
    }

    private mutating func byte(_ c: UInt8) throws {
        skipWhitespace()
        guard index < bytes.count, bytes[index] == c else { throw NotTheFastPath() }
        index += 1
    }

    /// True and consumed when the next non-space byte is `c`.
    private mutating func accept(_ c: UInt8) -> Bool {
        skipWhitespace()
        if index < bytes.count, bytes[index] == c { index += 1; return true }
        return false
    }

    private mutating func key() throws -> String {
        skipWhitespace()
        guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw NotTheFastPath() }
        let k = try parseString()
        try byte(UInt8(ascii: ":"))
        return k
    }

    /// `window`: reading in chunks, the bytes kept ahead of the cursor before each key and token.
    private mutating func readDataset(window: Int = 0) throws -> Dataset {
        try byte(UInt8(ascii: "{"))
        var name: String? = nil, dimension: Int? = nil, pairs: [SequencePair]? = nil
        var seen: Set<String> = []
        repeat {
            refill(window: window)
            let k = try key()
            guard seen.insert(k).inserted else { throw NotTheFastPath() }
            skipWhitespace()
            switch k {
            case "name":
                guard case .string(let s) = try parseValue(depth: 1) else { throw NotTheFastPath() }
                name = s
            case "dimension":
                guard case .number(let text) = try parseValue(depth: 1), let d = Int(text), d >= 1, d <= Dataset.maximumDimension else {
                    throw NotTheFastPath()
                }
                dimension = d
            case "pairs":
                guard let d = dimension else { throw NotTheFastPath() }
                pairs = try readPairs(dimension: d, window: window)
            default:
                throw NotTheFastPath()
            }
        } while accept(UInt8(ascii: ","))
        try byte(UInt8(ascii: "}"))
        skipWhitespace()
        while source != nil, index == bytes.count {
            refill(window: window)
            skipWhitespace()
        }
        guard index == bytes.count, let dimension, let pairs else { throw NotTheFastPath() }
        return Dataset(name: name, dimension: dimension, pairs: pairs)
    }

    private mutating func readPairs(dimension d: Int, window: Int) throws -> [SequencePair] {
        try byte(UInt8(ascii: "["))
        var pairs: [SequencePair] = []
        var scratch: [Token] = []
        repeat {
            try byte(UInt8(ascii: "{"))
            var input: [Token]? = nil, output: [Token]? = nil
            repeat {
                refill(window: window)
                switch try key() {
                case "input" where input == nil: input = try readSequence(dimension: d, window: window, scratch: &scratch)
                case "output" where output == nil: output = try readSequence(dimension: d, window: window, scratch: &scratch)
                default: throw NotTheFastPath()
                }
            } while accept(UInt8(ascii: ","))
            try byte(UInt8(ascii: "}"))
            guard let input, let output else { throw NotTheFastPath() }
            pairs.append(SequencePair(input: input, output: output))
        } while accept(UInt8(ascii: ","))
        try byte(UInt8(ascii: "]"))
        return pairs
    }

    /// One sequence of tokens, in an array of exactly its length (`scratch` collects the tokens:
    /// a growing array would hold up to twice the room).
    private mutating func readSequence(dimension d: Int, window: Int, scratch: inout [Token]) throws -> [Token] {
        try byte(UInt8(ascii: "["))
        scratch.removeAll(keepingCapacity: true)
        repeat {
            refill(window: window)
            try byte(UInt8(ascii: "["))
            var token: Token = []
            token.reserveCapacity(d)
            repeat {
                skipWhitespace()
                guard index < bytes.count else { throw NotTheFastPath() }
                let text: String
                switch bytes[index] {
                case UInt8(ascii: "\""): text = try parseString()
                case UInt8(ascii: "-"), 48...57: text = try parseNumber()
                default: throw NotTheFastPath()
                }
                guard token.count < d, let r = try? Rational(parsing: text) else { throw NotTheFastPath() }
                token.append(r)
            } while accept(UInt8(ascii: ","))
            try byte(UInt8(ascii: "]"))
            guard token.count == d else { throw NotTheFastPath() }
            scratch.append(token)
        } while accept(UInt8(ascii: ","))
        try byte(UInt8(ascii: "]"))
        var tokens: [Token] = []
        tokens.reserveCapacity(scratch.count)
        tokens.append(contentsOf: scratch)
        return tokens
    }
}

// MARK: - Writing

extension JSONValue {
    /// Deterministic text: two-space indentation, arrays of scalars on one line, keys in stored order.
    public func rendered() -> String {
        var out = ""
        render(into: &out, indent: 0)
        out += "\n"
        return out
    }

    private var isScalar: Bool {
        switch self {
        case .array, .object: return false
        default: return true
        }
    }

    private func render(into out: inout String, indent: Int) {
        let pad = String(repeating: "  ", count: indent)
        switch self {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .number(let n): out += n
        case .string(let s): out += JSONValue.quoted(s)
        case .array(let items):
            if items.isEmpty { out += "[]"; return }
            if items.allSatisfy({ $0.isScalar || $0.isFlatArray }) && items.count <= 64 {
                out += "["
                for (k, item) in items.enumerated() {
                    if k > 0 { out += ", " }
                    item.render(into: &out, indent: indent)
                }
                out += "]"
                return
            }
            out += "[\n"
            for (k, item) in items.enumerated() {
                out += pad + "  "
                item.render(into: &out, indent: indent + 1)
                out += k + 1 < items.count ? ",\n" : "\n"
            }
            out += pad + "]"
        case .object(let members):
            if members.isEmpty { out += "{}"; return }
            out += "{\n"
            for (k, m) in members.enumerated() {
                out += pad + "  " + JSONValue.quoted(m.key) + ": "
                m.value.render(into: &out, indent: indent + 1)
                out += k + 1 < members.count ? ",\n" : "\n"
            }
            out += pad + "}"
        }
    }

    private var isFlatArray: Bool {
        if case .array(let items) = self { return items.count <= 16 && items.allSatisfy { $0.isScalar } }
        return false
    }

    /// `s` as a JSON string literal, quoted and escaped as the writer writes it.
    public static func quoted(_ s: String) -> String {
        // Nearly every string written is a rational such as "-3/4": nothing to escape.
        if !s.utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
            return "\"" + s + "\""
        }
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 {
                    let hex = String(u.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        return out + "\""
    }
}
