import ExactArithmetic
import TransformerModel

/// The pure-attention hardmax system with normalisation (see docs/mathematics.md#hardmax-dynamics):
/// tokens z_1 … z_n in ℚ^d, a matrix A and a scalar α > 0, the same in every layer,
///
///     C_i(k) = argmax_j ⟨A z_i(k), z_j(k)⟩,   z_i(k+1) = (z_i(k) + α·mean_{j∈C_i(k)} z_j(k)) / (1 + α).
public struct DynamicsSystem: Sendable {
    public let dimension: Int
    /// A, row by row (d × d).
    public let matrix: [[Rational]]
    public let alpha: Rational
    /// A = Aᵀ.
    public let isSymmetric: Bool
    /// A symmetric with every pivot of its exact LDLᵀ elimination positive (Sylvester's criterion):
    /// the hypothesis of F4, F6 and F7.
    public let isPositiveDefinite: Bool

    /// Checks α > 0 and that A is d × d.
    public init(dimension: Int, matrix: [[Rational]]? = nil, alpha: Rational) throws(InputError) {
        guard dimension >= 1 else { throw InputError(path: "dimension", reason: "expected a positive integer") }
        guard alpha > .zero else { throw InputError(path: "alpha", reason: "α must be positive, found \(alpha)") }
        let a = matrix ?? (0..<dimension).map { i in (0..<dimension).map { $0 == i ? Rational.one : .zero } }
        guard a.count == dimension else {
            throw InputError(path: "matrix", reason: "expected \(dimension) rows, found \(a.count)")
        }
        for (r, row) in a.enumerated() where row.count != dimension {
            throw InputError(path: "matrix[\(r)]", reason: "expected \(dimension) entries, found \(row.count)")
        }
        self.dimension = dimension
        self.matrix = a
        self.alpha = alpha
        let symmetric = (0..<dimension).allSatisfy { i in (0..<dimension).allSatisfy { a[i][$0] == a[$0][i] } }
        self.isSymmetric = symmetric
        self.isPositiveDefinite = symmetric && DynamicsSystem.pivotsPositive(a)
    }

    /// Exact symmetric elimination without pivoting: a symmetric matrix is positive definite iff every
    /// pivot is positive (equivalently every leading principal minor is).
    static func pivotsPositive(_ a: [[Rational]]) -> Bool {
        var m = a
        let d = m.count
        for k in 0..<d {
            let pivot = m[k][k]
            guard pivot > .zero else { return false }
            for i in (k + 1)..<max(k + 1, d) {
                let factor = m[i][k] / pivot
                if factor.isZero { continue }
                for j in k..<d { m[i][j] -= factor * m[k][j] }
            }
        }
        return true
    }

    /// ⟨A x, y⟩.
    public func form(_ x: [Rational], _ y: [Rational]) -> Rational {
        Rational.dot(matrixVector(matrix, x), y)
    }

    /// |x|²_A = ⟨A x, x⟩.
    public func squaredNorm(_ x: [Rational]) -> Rational { form(x, x) }
}

/// A dynamics input file: `{"name"?, "description"?, "dimension", "tokens", "matrix"?}`
/// (docs/dynamics.md). Coordinates are read exactly, as in datasets.
public struct DynamicsInput: Sendable {
    public var name: String?
    public var dimension: Int
    public var tokens: [[Rational]]
    public var matrix: [[Rational]]?

    public init(name: String? = nil, dimension: Int, tokens: [[Rational]], matrix: [[Rational]]? = nil) {
        self.name = name
        self.dimension = dimension
        self.tokens = tokens
        self.matrix = matrix
    }

    /// A word list: a JSON object word → token (names for tokens in summaries).
    public static func parseWords(_ bytes: [UInt8], dimension d: Int) throws(InputError) -> [[Rational]: String] {
        let json = try JSONReader.document(bytes)
        guard case .object(let members) = json else { throw InputError(path: "", reason: "expected an object word → token") }
        var out: [[Rational]: String] = [:]
        for (word, value) in members {
            let token = try JSONReader(value: value, path: word).token(dimension: d)
            if let other = out[token] { throw InputError(path: word, reason: "same token as \"\(other)\"") }
            out[token] = word
        }
        return out
    }

    public static func parse(_ bytes: [UInt8]) throws(InputError) -> DynamicsInput {
        let json = try JSONReader.document(bytes)
        guard case .object = json else {
            throw InputError(path: "", reason: "a dynamics file is a JSON object, found \(json.kindName)")
        }
        let root = JSONReader(value: json, path: "")
        try root.allowingOnly(["name", "description", "dimension", "tokens", "matrix"])
        let name = try root.optionalField("name")?.string()
        _ = try root.optionalField("description")?.string()
        guard let dimValue = json["dimension"] else { throw InputError(path: "dimension", reason: "missing") }
        guard case .number(let dimText) = dimValue, let d = Int(dimText), d >= 1, d <= 10_000 else {
            throw InputError(path: "dimension", reason: "expected a positive integer (at most 10000)")
        }
        guard let tokensValue = json["tokens"] else { throw InputError(path: "tokens", reason: "missing") }
        guard case .array(let items) = tokensValue, !items.isEmpty else {
            throw InputError(path: "tokens", reason: "expected a non-empty array of tokens")
        }
        var tokens: [[Rational]] = []
        for (i, t) in items.enumerated() {
            tokens.append(try JSONReader(value: t, path: "tokens[\(i)]").token(dimension: d))
        }
        var matrix: [[Rational]]? = nil
        if let m = json["matrix"] {
            guard case .array(let rows) = m, rows.count == d else {
                throw InputError(path: "matrix", reason: "expected \(d) rows of \(d) numbers")
            }
            var a: [[Rational]] = []
            for (r, row) in rows.enumerated() {
                a.append(try JSONReader(value: row, path: "matrix[\(r)]").token(dimension: d))
            }
            matrix = a
        }
        return DynamicsInput(name: name, dimension: d, tokens: tokens, matrix: matrix)
    }
}
