#ifndef EXACT_INTERP_MPQ_BENCH_H
#define EXACT_INTERP_MPQ_BENCH_H
// The reference loop of the dot-product benchmark: length-n dot products on raw GMP mpq_t in C,
// the way a C program using GMP directly would write them (mpq_mul into a scratch value, mpq_add
// into the accumulator). The vectors are set up from decimal "p/q" text before timing.

#ifdef __cplusplus
extern "C" {
#endif

/// Opaque: `count` pairs of length-`length` vectors of mpq_t, plus one result per pair.
typedef struct mpq_bench mpq_bench;

/// Reads `count * length` entries of each of `a` and `b` ("p/q" or "p", base 10, canonical).
/// Returns NULL if an entry does not parse.
mpq_bench *mpq_bench_create(const char *const *a, const char *const *b, long count, long length);

/// Frees everything `mpq_bench_create` allocated.
void mpq_bench_destroy(mpq_bench *bench);

/// Computes all `count` dot products `repeats` times (results overwritten each time).
void mpq_bench_run(mpq_bench *bench, long repeats);

/// Writes the text of result `index` into `buffer` (NUL-terminated); returns the length needed
/// including the NUL, so a short buffer can be retried.
long mpq_bench_result(const mpq_bench *bench, long index, char *buffer, long capacity);

#ifdef __cplusplus
}
#endif
#endif
