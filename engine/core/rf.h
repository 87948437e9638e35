/* rf: the few things every engine module shares: an error message buffer,
 * a clock, and checked allocation helpers.  Nothing here prints. */
#ifndef RF_H
#define RF_H

#include <stddef.h>
#include <stdint.h>

#if defined(__GNUC__) || defined(__clang__)
#define RF_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define RF_PRINTF(a, b)
#endif

/* Every fallible engine call takes an rf_error and returns -1 (or NULL) after
 * filling it; the caller decides how to show the message. */
typedef struct rf_error {
	char msg[1024];
} rf_error;

/* Fill err (if not NULL) and return -1. */
int rf_fail(rf_error *err, const char *fmt, ...) RF_PRINTF(2, 3);

/* Wall-clock seconds (CLOCK_REALTIME) and monotonic seconds. */
double rf_now(void);
double rf_monotonic(void);

/* A growable byte buffer (model blobs, text building). */
typedef struct rf_buf {
	unsigned char *data;
	size_t len, cap;
} rf_buf;

int rf_buf_append(rf_buf *b, const void *p, size_t n);
int rf_buf_printf(rf_buf *b, const char *fmt, ...) RF_PRINTF(2, 3);
void rf_buf_free(rf_buf *b);

/* FNV-1a 64-bit over bytes, continuing from h (start with RF_FNV_SEED). */
#define RF_FNV_SEED 0xcbf29ce484222325ULL
uint64_t rf_fnv1a(uint64_t h, const void *p, size_t n);

/* A small, fast, seedable PRNG (splitmix64-seeded xoshiro256**) so every
 * model is deterministic under a seed on every platform. */
typedef struct rf_rng {
	uint64_t s[4];
} rf_rng;

void rf_rng_seed(rf_rng *r, uint64_t seed);
uint64_t rf_rng_next(rf_rng *r);
/* Uniform in [0, n). */
uint32_t rf_rng_below(rf_rng *r, uint32_t n);
/* Uniform in [0, 1). */
double rf_rng_uniform(rf_rng *r);
/* Standard normal (Box-Muller). */
double rf_rng_normal(rf_rng *r);

/* BLAS threads.  The engine keeps OpenBLAS single-threaded: its own
 * threads (ALS, the evaluator, fusion pools) are the one level.  A caller
 * that knows nothing else computes meanwhile (synchronous training in
 * batch mode) declares it, and a large dense step (EASE's factorisation)
 * may then use every core.  openblas_set_num_threads() is process-wide,
 * so a background job never does. */
void rf_blas_set_exclusive(int on);
int rf_blas_exclusive(void);

/* Sort 64-bit keys ascending, in place: cheaper than qsort's indirect
 * calls for the sort keys the dataset and the sample generator build. */
void rf_sort_u64(uint64_t *a, int64_t n);

#endif
