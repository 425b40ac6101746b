import ExactArithmetic
import TransformerModel

/// A safetensors file: named dense tensors of floating-point numbers and string metadata.
///
/// The format (Hugging Face's tensor container): 8 bytes, the header length N as a little-endian
/// unsigned 64-bit integer; N bytes of UTF-8 JSON, an object mapping each tensor name to
/// `{"dtype", "shape", "data_offsets": [begin, end]}` plus an optional `"__metadata__"` object of
/// strings; then the data, each tensor's values row-major, little-endian, at bytes [begin, end)
/// counted from the end of the header. The ranges tile the data exactly: no overlap, no gap.
///
/// Values are held as exact rationals: writing rounds each to the nearest value of the chosen
/// format (ties to even, `Rational.bits(format:)`); reading turns each value's bits into the exact
/// dyadic rational it is (`Rational(bits:format:)`), never through decimal text or `Double`.
public struct SafetensorsFile: Sendable, Equatable {
    /// One tensor: its name, shape (row-major) and values (count = product of the shape).
    public struct Tensor: Sendable, Equatable {
        public var name: String
        public var shape: [Int]
        public var values: [Rational]
        /// The format it was read in (writing uses the file-wide format).
        public var format: BinaryFloatFormat
        public init(name: String, shape: [Int], values: [Rational], format: BinaryFloatFormat = .float64) {
            self.name = name
            self.shape = shape
            self.values = values
            self.format = format
        }
    }

    public var metadata: [String: String]
    public var tensors: [Tensor]

    public init(metadata: [String: String], tensors: [Tensor]) {
        self.metadata = metadata
        self.tensors = tensors
    }

    /// The largest header the reader accepts (the reference implementation's limit).
    public static let maximumHeaderLength = 100_000_000

    /// Why a tensor cannot be written in a format.
    public struct WriteError: Error, CustomStringConvertible {
        public let tensor: String
        public let index: [Int]
        public let value: Rational
        public let format: BinaryFloatFormat
        public var description: String {
            "\(tensor)\(index): \(value) is beyond the largest finite \(format.rawValue)"
        }
    }

    // MARK: Writing

    /// The file's bytes with every value rounded to `format`. Tensors are written in name order,
    /// the header is padded with spaces to a multiple of 8 bytes: same tensors, same bytes.
    public func serialized(format: BinaryFloatFormat) throws(WriteError) -> [UInt8] {
        let sorted = tensors.sorted { $0.name < $1.name }
        var data: [UInt8] = []
        var entries: [String] = []
        if !metadata.isEmpty {
            let members = metadata.keys.sorted().map { JSONValue.quoted($0) + ":" + JSONValue.quoted(metadata[$0] ?? "") }
            entries.append("\"__metadata__\":{" + members.joined(separator: ",") + "}")
        }
        for t in sorted {
            let begin = data.count
            for (k, v) in t.values.enumerated() {
                guard let bits = v.bits(format: format) else {
                    throw WriteError(tensor: t.name, index: Self.multiIndex(k, shape: t.shape), value: v, format: format)
                }
                for byte in 0..<format.byteCount { data.append(UInt8(truncatingIfNeeded: bits >> UInt64(8 * byte))) }
            }
            let shape = "[" + t.shape.map(String.init).joined(separator: ",") + "]"
            entries.append(JSONValue.quoted(t.name) + ":{\"dtype\":\"\(format.safetensorsName)\",\"shape\":\(shape),\"data_offsets\":[\(begin),\(data.count)]}")
        }
        var header = Array(("{" + entries.joined(separator: ",") + "}").utf8)
        while header.count % 8 != 0 { header.append(UInt8(ascii: " ")) }
        var out: [UInt8] = []
        out.reserveCapacity(8 + header.count + data.count)
        for byte in 0..<8 { out.append(UInt8(truncatingIfNeeded: UInt64(header.count) >> UInt64(8 * byte))) }
        return out + header + data
    }

    static func multiIndex(_ flat: Int, shape: [Int]) -> [Int] {
        var rest = flat
        var index = [Int](repeating: 0, count: shape.count)
        for axis in shape.indices.reversed() where shape[axis] > 0 {
            index[axis] = rest % shape[axis]
            rest /= shape[axis]
        }
        return index
    }

    // MARK: Reading

    /// Reads and checks a safetensors file: header length within the file, a JSON object,
    /// supported dtypes (F64, F32, F16, BF16), shapes matching the byte ranges, ranges that tile the
    /// data without overlap or gap, finite values. Errors name the tensor and what is wrong.
    public static func parse(_ bytes: [UInt8]) throws(InputError) -> SafetensorsFile {
        guard bytes.count >= 8 else {
            throw InputError(path: "", reason: "truncated: \(bytes.count) bytes, a safetensors file starts with an 8-byte header length")
        }
        var length: UInt64 = 0
        for byte in 0..<8 { length |= UInt64(bytes[byte]) << UInt64(8 * byte) }
        guard length <= UInt64(maximumHeaderLength) else {
            throw InputError(path: "header", reason: "header length \(length) exceeds the limit of \(maximumHeaderLength) bytes")
        }
        let headerLength = Int(length)
        guard headerLength <= bytes.count - 8 else {
            throw InputError(path: "header", reason: "truncated: the header length is \(headerLength) bytes but only \(bytes.count - 8) follow")
        }
        let headerBytes = Array(bytes[8..<(8 + headerLength)])
        guard headerBytes.first == UInt8(ascii: "{") else {
            throw InputError(path: "header", reason: "bad header: it must be a JSON object starting with '{'")
        }
        let json: JSONValue
        do { json = try JSONParser.parse(headerBytes) } catch {
            throw InputError(path: "header", reason: "bad header: \(error.description)")
        }
        guard case .object(let members) = json else { throw InputError(path: "header", reason: "bad header: not a JSON object") }
        let data = bytes[(8 + headerLength)...]
        var metadata: [String: String] = [:]
        var seen = Set<String>()
        var tensors: [(tensor: Tensor, begin: Int, end: Int)] = []
        for (name, value) in members {
            guard seen.insert(name).inserted else { throw InputError(path: name, reason: "bad header: the name appears twice") }
            if name == "__metadata__" {
                guard case .object(let items) = value else { throw InputError(path: name, reason: "expected an object of strings") }
                for (k, v) in items {
                    guard case .string(let s) = v else { throw InputError(path: "__metadata__.\(k)", reason: "expected a string, found \(v.kindName)") }
                    metadata[k] = s
                }
                continue
            }
            let entry = JSONReader(value: value, path: name)
            try entry.allowingOnly(["dtype", "shape", "data_offsets"])
            let dtype = try entry.field("dtype").string()
            guard let format = BinaryFloatFormat.allCases.first(where: { $0.safetensorsName == dtype }) else {
                throw InputError(path: name + ".dtype", reason: "unsupported dtype \"\(dtype)\" (F64, F32, F16 or BF16)")
            }
            var shape: [Int] = []
            for axis in try entry.field("shape").array() { shape.append(try axis.integer(in: 0...Int(Int32.max))) }
            let offsets = try entry.field("data_offsets").array()
            guard offsets.count == 2 else { throw InputError(path: name + ".data_offsets", reason: "expected [begin, end]") }
            let begin = try offsets[0].integer(in: 0...Int.max), end = try offsets[1].integer(in: 0...Int.max)
            var count = 1
            for n in shape {
                let (product, overflow) = count.multipliedReportingOverflow(by: n)
                guard !overflow, product <= Int(Int32.max) else { throw InputError(path: name + ".shape", reason: "too many values") }
                count = product
            }
            guard end >= begin, end - begin == count * format.byteCount else {
                throw InputError(path: name, reason: "wrong shape: \(shape) of \(dtype) needs \(count * format.byteCount) bytes, data_offsets [\(begin), \(end)] hold \(end >= begin ? end - begin : 0)")
            }
            guard end <= data.count else {
                throw InputError(path: name, reason: "truncated: data_offsets end at byte \(end) but the data has \(data.count) bytes")
            }
            var values: [Rational] = []
            values.reserveCapacity(count)
            for k in 0..<count {
                var bits: UInt64 = 0
                let start = data.startIndex + begin + k * format.byteCount
                for byte in 0..<format.byteCount { bits |= UInt64(data[start + byte]) << UInt64(8 * byte) }
                do { values.append(try Rational(bits: bits, format: format)) } catch {
                    throw InputError(path: name + "\(multiIndex(k, shape: shape))", reason: "not a finite number (infinity or NaN)")
                }
            }
            tensors.append((Tensor(name: name, shape: shape, values: values, format: format), begin, end))
        }
        // The ranges must tile the data: sorted by start, each begins where the previous ended.
        var position = 0
        for t in tensors.sorted(by: { ($0.begin, $0.end) < ($1.begin, $1.end) }) {
            if t.begin < position { throw InputError(path: t.tensor.name, reason: "overlapping data_offsets: [\(t.begin), \(t.end)] starts before byte \(position), where the previous tensor ends") }
            if t.begin > position { throw InputError(path: t.tensor.name, reason: "data_offsets leave bytes \(position)..<\(t.begin) unused") }
            position = t.end
        }
        guard position == data.count else {
            throw InputError(path: "", reason: "the data has \(data.count) bytes but the tensors cover \(position)")
        }
        return SafetensorsFile(metadata: metadata, tensors: tensors.map(\.tensor))
    }

    /// The tensor named `name`, if any.
    public func tensor(_ name: String) -> Tensor? { tensors.first { $0.name == name } }
}
