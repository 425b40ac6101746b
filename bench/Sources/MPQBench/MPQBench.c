#include "MPQBench.h"

#include <gmp.h>
#include <stdlib.h>
#include <string.h>

struct mpq_bench {
    long count, length;
    mpq_t *a, *b, *results;
    mpq_t scratch;
};

static mpq_t *read_all(const char *const *text, long n, int *ok) {
    mpq_t *v = malloc(sizeof(mpq_t) * (size_t)(n > 0 ? n : 1));
    for (long i = 0; i < n; i++) {
        mpq_init(v[i]);
        if (mpq_set_str(v[i], text[i], 10) != 0) *ok = 0;
        mpq_canonicalize(v[i]);
    }
    return v;
}

static void clear_all(mpq_t *v, long n) {
    for (long i = 0; i < n; i++) mpq_clear(v[i]);
    free(v);
}

mpq_bench *mpq_bench_create(const char *const *a, const char *const *b, long count, long length) {
    int ok = 1;
    mpq_bench *bench = malloc(sizeof *bench);
    bench->count = count;
    bench->length = length;
    bench->a = read_all(a, count * length, &ok);
    bench->b = read_all(b, count * length, &ok);
    bench->results = malloc(sizeof(mpq_t) * (size_t)(count > 0 ? count : 1));
    for (long j = 0; j < count; j++) mpq_init(bench->results[j]);
    mpq_init(bench->scratch);
    if (!ok) {
        mpq_bench_destroy(bench);
        return NULL;
    }
    return bench;
}

void mpq_bench_destroy(mpq_bench *bench) {
    if (!bench) return;
    clear_all(bench->a, bench->count * bench->length);
    clear_all(bench->b, bench->count * bench->length);
    clear_all(bench->results, bench->count);
    mpq_clear(bench->scratch);
    free(bench);
}

void mpq_bench_run(mpq_bench *bench, long repeats) {
    const long n = bench->length;
    for (long r = 0; r < repeats; r++) {
        for (long j = 0; j < bench->count; j++) {
            mpq_ptr acc = bench->results[j];
            mpq_set_ui(acc, 0, 1);
            const mpq_t *x = bench->a + j * n, *y = bench->b + j * n;
            for (long i = 0; i < n; i++) {
                mpq_mul(bench->scratch, x[i], y[i]);
                mpq_add(acc, acc, bench->scratch);
            }
        }
    }
}

long mpq_bench_result(const mpq_bench *bench, long index, char *buffer, long capacity) {
    mpq_srcptr q = bench->results[index];
    size_t need = mpz_sizeinbase(mpq_numref(q), 10) + mpz_sizeinbase(mpq_denref(q), 10) + 3;
    if ((long)need > capacity) return (long)need;
    mpq_get_str(buffer, 10, q);
    return (long)strlen(buffer) + 1;
}
