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
    /// The items of the arrays being parsed, innermost last: each array collects its items here and
    /// takes them out at its end as one array of the right size (not regrown item by item).
    private var pending: [JSONValue] = []

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
        while index < bytes.count {
            switch bytes[index] {
            case 32, 9, 10, 13: index += 1
            default: return
            }
        }
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
        let first = pending.count
        defer { pending.removeSubrange(first...) }
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") { index += 1; return .array([]) }
        while true {
            skipWhitespace()
            pending.append(try parseValue(depth: depth + 1))
            skipWhitespace()
            guard index < bytes.count else { throw error("unexpected end of input in an array") }
            if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
            if bytes[index] == UInt8(ascii: "]") { index += 1; return .array(Array(pending[first...])) }
            if bytes[index] == UInt8(ascii: "/"), case .number(let numerator)? = pending.last {
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
        // Nearly every string is plain ASCII ("-7/12", a key): taken as it stands. At the first
        // escape, control or non-ASCII byte the loop below reads the string from its start.
        let start = index
        while index < bytes.count {
            let c = bytes[index]
            if c == UInt8(ascii: "\"") {
                index += 1
                return String(decoding: bytes[start..<(index - 1)], as: UTF8.self)
            }
            if c < 0x20 || c >= 0x80 || c == UInt8(ascii: "\\") { break }
            index += 1
        }
        index = start
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

// MARK: - Datasets and models without a whole tree

extension JSONParser {
    private struct NotTheFastPath: Error {}

    /// Reads a valid dataset without building the `JSONValue` tree of the whole document (a 200 MB
    /// file would need several gigabytes for it): the root's members and then one pair at a time
    /// are parsed into small trees and read by the one dataset reader's own rules
    /// (`Dataset.header`, `Dataset.readPair`). Returns nil on any error, and when "dimension" or
    /// "causal" comes after "pairs": the caller then reads the whole tree with `Dataset(json:)`,
    /// whose message names the problem. Gives exactly what `Dataset(json:)` gives.
    static func datasetFastPath(_ bytes: [UInt8]) -> Dataset? {
        var p = JSONParser(bytes)
        return try? p.readDataset()
    }

    /// The same on a document that arrives in pieces (`next()` returns the next piece, an empty
    /// array at the end), keeping a window of about `window` bytes ahead of the cursor: consumed
    /// bytes are dropped before each member and pair is read, so the document is never whole in
    /// memory. A member or pair longer than the window widens it until the value is in (reaching
    /// the end of the window never ends a number or a string: the value is read again with more).
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

    /// One value at `depth`. Reading in chunks, the window is first refilled, then widened (doubled)
    /// until the value ends inside it, so that no value is ever read cut.
    private mutating func wholeValue(depth: Int, window: Int) throws -> JSONValue {
        refill(window: window)
        skipSpace()
        var w = window
        while source != nil, endOfValue() == nil {
            w = 2 * max(w, bytes.count - index)
            refill(window: w)
        }
        return try parseValue(depth: depth)
    }

    /// Reading in chunks: where the value starting at the cursor ends, when that is inside `bytes`
    /// (a light scan of brackets and strings; `parseValue` then checks the value in full); nil
    /// when the value may go on past them.
    private func endOfValue() -> Int? {
        var i = index, depth = 0, inString = false
        while i < bytes.count {
            let c = bytes[i]
            if inString {
                if c == UInt8(ascii: "\\") { i += 2; continue }
                if c == UInt8(ascii: "\"") {
                    inString = false
                    if depth == 0 { return i + 1 }
                }
            } else {
                switch c {
                case UInt8(ascii: "\""): inString = true
                case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    depth -= 1
                    if depth == 0 { return i + 1 }
                    if depth < 0 { return i }  // a number or literal ended by its container's bracket
                case UInt8(ascii: ","), 32, 9, 10, 13:
                    if depth == 0 { return i }
                default: break
                }
            }
            i += 1
        }
        return nil
    }

    /// `skipWhitespace`, reading more of a chunked document while the window ends in white space.
    private mutating func skipSpace() {
        skipWhitespace()
        while index == bytes.count, source != nil {
            refill(window: 1)
            skipWhitespace()
        }
    }

    private mutating func byte(_ c: UInt8) throws {
        skipSpace()
        guard index < bytes.count, bytes[index] == c else { throw NotTheFastPath() }
        index += 1
    }

    /// True and consumed when the next non-space byte is `c`.
    private mutating func accept(_ c: UInt8) -> Bool {
        skipSpace()
        if index < bytes.count, bytes[index] == c { index += 1; return true }
        return false
    }

    /// `window`: reading in chunks, the bytes kept ahead of the cursor (0: the document is whole).
    private mutating func readDataset(window: Int = 0) throws -> Dataset {
        try byte(UInt8(ascii: "{"))
        var members: [(key: String, value: JSONValue)] = []
        var pairs: [SequencePair]? = nil, header: Dataset.Header? = nil
        repeat {
            guard case .string(let k) = try wholeValue(depth: 1, window: window) else { throw NotTheFastPath() }
            try byte(UInt8(ascii: ":"))
            guard pairs == nil || k != "pairs", !members.contains(where: { $0.key == k }) else { throw NotTheFastPath() }
            if k == "pairs" {
                // The pairs are read under the root seen so far; it must not change after them.
                let seen = try Dataset.header(.object(members))
                pairs = try readPairs(header: seen, window: window)
                header = seen
            } else {
                members.append((k, try wholeValue(depth: 1, window: window)))
            }
        } while accept(UInt8(ascii: ","))
        try byte(UInt8(ascii: "}"))
        skipSpace()
        guard index == bytes.count, let pairs, !pairs.isEmpty, let seen = header else { throw NotTheFastPath() }
        let root = try Dataset.header(.object(members))
        guard root.dimension == seen.dimension, root.causal == seen.causal else { throw NotTheFastPath() }
        return Dataset(name: root.name, dimension: root.dimension, pairs: pairs, causal: root.causal)
    }

    /// Reads a valid model file without building the `JSONValue` tree of the whole document (the
    /// tree of a 93 MB model takes several times its bytes): the root's members and then one block
    /// at a time are parsed into small trees and read by the one model reader's own rules
    /// (`Transformer(json:)` on the root with its blocks left out, `Block(reader:dimension:)` on
    /// each block). Returns nil on any error and when "blocks" is not the root's last member: the
    /// caller then reads the whole tree with `Transformer(json:)`, whose message names the problem.
    /// Gives exactly what `Transformer(json:)` gives.
    static func modelFastPath(_ bytes: [UInt8]) -> Transformer? {
        var p = JSONParser(bytes)
        return try? p.readModel()
    }

    private mutating func readModel() throws -> Transformer {
        try byte(UInt8(ascii: "{"))
        var members: [(key: String, value: JSONValue)] = []
        repeat {
            guard case .string(let k) = try wholeValue(depth: 1, window: 0) else { throw NotTheFastPath() }
            try byte(UInt8(ascii: ":"))
            guard !members.contains(where: { $0.key == k }) else { throw NotTheFastPath() }
            if k == "blocks" {
                // Every rule of the root, on the members before the blocks (the last member).
                let root = try Transformer(json: .object(members + [(k, .array([]))]))
                var blocks: [Block] = []
                try byte(UInt8(ascii: "["))
                if !accept(UInt8(ascii: "]")) {
                    repeat {
                        let item = try wholeValue(depth: 2, window: 0)
                        blocks.append(try Block(reader: JSONReader(value: item, path: "blocks[\(blocks.count)]"), dimension: root.dimension))
                    } while accept(UInt8(ascii: ","))
                    try byte(UInt8(ascii: "]"))
                }
                try byte(UInt8(ascii: "}"))
                skipSpace()
                guard index == bytes.count else { throw NotTheFastPath() }
                return Transformer(dimension: root.dimension, blocks: blocks, temperature: root.temperature,
                                   datasetDigest: root.datasetDigest, metadata: root.metadata, labels: root.labels)
            }
            members.append((k, try wholeValue(depth: 1, window: 0)))
        } while accept(UInt8(ascii: ","))
        throw NotTheFastPath()
    }

    private mutating func readPairs(header: Dataset.Header, window: Int) throws -> [SequencePair] {
        try byte(UInt8(ascii: "["))
        var pairs: [SequencePair] = []
        repeat {
            let item = try wholeValue(depth: 2, window: window)
            pairs.append(try Dataset.readPair(JSONReader(value: item, path: "pairs[\(pairs.count)]"), index: pairs.count,
                                              header: header, first: pairs.first))
        } while accept(UInt8(ascii: ","))
        try byte(UInt8(ascii: "]"))
        return pairs
    }
}

// MARK: - Writing

extension JSONValue {
    /// Deterministic text: two-space indentation, arrays of scalars on one line, keys in stored order.
    public func rendered() -> String {
        String(decoding: renderedBytes(), as: UTF8.self)
    }

    /// The UTF-8 bytes of `rendered()`, built in one byte buffer (no intermediate strings).
    public func renderedBytes() -> [UInt8] {
        var out: [UInt8] = []
        render(into: &out, indent: 0)
        out.append(UInt8(ascii: "\n"))
        return out
    }

    private var isScalar: Bool {
        switch self {
        case .array, .object: return false
        default: return true
        }
    }

    private static func append(_ s: String, to out: inout [UInt8]) {
        var s = s
        s.withUTF8 { out.append(contentsOf: $0) }
    }

    /// Two spaces per level.
    private static func pad(_ out: inout [UInt8], _ levels: Int) {
        for _ in 0..<(2 * levels) { out.append(UInt8(ascii: " ")) }
    }

    private func render(into out: inout [UInt8], indent: Int) {
        switch self {
        case .null: Self.append("null", to: &out)
        case .bool(let b): Self.append(b ? "true" : "false", to: &out)
        case .number(let n): Self.append(n, to: &out)
        case .string(let s): Self.appendQuoted(s, to: &out)
        case .array(let items):
            if items.isEmpty { Self.append("[]", to: &out); return }
            if items.allSatisfy({ $0.isScalar || $0.isFlatArray }) && items.count <= 64 {
                out.append(UInt8(ascii: "["))
                for (k, item) in items.enumerated() {
                    if k > 0 { out.append(UInt8(ascii: ",")); out.append(UInt8(ascii: " ")) }
                    item.render(into: &out, indent: indent)
                }
                out.append(UInt8(ascii: "]"))
                return
            }
            out.append(UInt8(ascii: "["))
            out.append(UInt8(ascii: "\n"))
            for (k, item) in items.enumerated() {
                Self.pad(&out, indent + 1)
                item.render(into: &out, indent: indent + 1)
                if k + 1 < items.count { out.append(UInt8(ascii: ",")) }
                out.append(UInt8(ascii: "\n"))
            }
            Self.pad(&out, indent)
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            if members.isEmpty { Self.append("{}", to: &out); return }
            out.append(UInt8(ascii: "{"))
            out.append(UInt8(ascii: "\n"))
            for (k, m) in members.enumerated() {
                Self.pad(&out, indent + 1)
                Self.appendQuoted(m.key, to: &out)
                out.append(UInt8(ascii: ":"))
                out.append(UInt8(ascii: " "))
                m.value.render(into: &out, indent: indent + 1)
                if k + 1 < members.count { out.append(UInt8(ascii: ",")) }
                out.append(UInt8(ascii: "\n"))
            }
            Self.pad(&out, indent)
            out.append(UInt8(ascii: "}"))
        }
    }

    /// `quoted(s)` appended to `out`; a string with nothing to escape (nearly every one: rationals
    /// such as "-3/4") is copied as is.
    private static func appendQuoted(_ s: String, to out: inout [UInt8]) {
        var s = s
        let plain = s.withUTF8 { bytes -> Bool in
            guard !bytes.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) else { return false }
            out.append(UInt8(ascii: "\""))
            out.append(contentsOf: bytes)
            out.append(UInt8(ascii: "\""))
            return true
        }
        if !plain { append(quoted(s), to: &out) }
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
