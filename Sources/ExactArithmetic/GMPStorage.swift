import CGMP

/// Owner of one GMP `mpq_t`, immutable once built.
///
/// A `Rational` too large for machine words points at one of these. The `mpq_t` is
/// initialised in `init`, filled exactly once by the builder that created the box, and
/// cleared exactly once in `deinit`; nothing mutates it afterwards, so sharing a box between
/// copies of a `Rational` keeps value semantics.
///
/// Swift may end an object's lifetime right after its last use, which can be *before* a C
/// call that received its raw pointer has run. Every access therefore goes through
/// `withValue`, which keeps the box alive for the whole closure.
@usableFromInline
final class GMPRationalBox: @unchecked Sendable {
    @usableFromInline let pointer: UnsafeMutablePointer<__mpq_struct>

    @usableFromInline
    init() {
        pointer = .allocate(capacity: 1)
        __gmpq_init(pointer)
    }

    deinit {
        __gmpq_clear(pointer)
        pointer.deallocate()
    }

    /// Runs `body` on the `mpq_t` while the box is guaranteed alive.
    @inlinable
    func withValue<R>(_ body: (UnsafeMutablePointer<__mpq_struct>) throws -> R) rethrows -> R {
        try withExtendedLifetime(self) { try body(pointer) }
    }
}

/// The numerator `mpz_t` of an `mpq_t` (GMP's `mpq_numref`).
@inlinable
func numeratorRef(_ q: UnsafeMutablePointer<__mpq_struct>) -> UnsafeMutablePointer<__mpz_struct> {
    UnsafeMutableRawPointer(q).assumingMemoryBound(to: __mpz_struct.self)
}

/// The denominator `mpz_t` of an `mpq_t` (GMP's `mpq_denref`).
@inlinable
func denominatorRef(_ q: UnsafeMutablePointer<__mpq_struct>) -> UnsafeMutablePointer<__mpz_struct> {
    numeratorRef(q) + 1
}

/// Sets `z` to the 128-bit integer `v`.
@usableFromInline
func setMPZ(_ z: UnsafeMutablePointer<__mpz_struct>, _ v: Int128) {
    let magnitude = v.magnitude
    let high = UInt(truncatingIfNeeded: magnitude >> 64)
    let low = UInt(truncatingIfNeeded: magnitude)
    __gmpz_set_ui(z, high)
    __gmpz_mul_2exp(z, z, 64)
    __gmpz_add_ui(z, z, low)
    if v < 0 { __gmpz_neg(z, z) }
}

/// A scratch `mpq_t` on the stack for the duration of `body` (initialised and cleared here).
@inlinable
func withTemporaryMPQ<R>(_ body: (UnsafeMutablePointer<__mpq_struct>) throws -> R) rethrows -> R {
    var q = __mpq_struct()
    __gmpq_init(&q)
    defer { __gmpq_clear(&q) }
    return try withUnsafeMutablePointer(to: &q) { try body($0) }
}

/// A scratch `mpz_t` on the stack for the duration of `body`.
@inlinable
func withTemporaryMPZ<R>(_ body: (UnsafeMutablePointer<__mpz_struct>) throws -> R) rethrows -> R {
    var z = __mpz_struct()
    __gmpz_init(&z)
    defer { __gmpz_clear(&z) }
    return try withUnsafeMutablePointer(to: &z) { try body($0) }
}

/// Decimal text of an `mpz_t`.
func decimalString(_ z: UnsafePointer<__mpz_struct>) -> String {
    let digits = __gmpz_sizeinbase(z, 10) + 2
    var buffer = [CChar](repeating: 0, count: digits)
    buffer.withUnsafeMutableBufferPointer { buf in
        _ = __gmpz_get_str(buf.baseAddress, 10, z)
    }
    let bytes = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
    return String(decoding: bytes, as: UTF8.self)
}
