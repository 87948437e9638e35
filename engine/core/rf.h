/* rf: the few things every engine module shares: an error message buffer,
 * clocks and a growable byte buffer.  Nothing here prints.  The rest of
 * engine/core/ has one header per job: rng, hash, sort, utf8, civil
 * (dates), threads (the one BLAS/threads policy), table. */
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

/* calloc() for big arrays read at random (hash tables, factor matrices):
 * those of RF_BIG_BYTES or more are asked to sit on huge pages where the
 * system allows it (one TLB entry per 2 MB instead of per 4 KB: a random
 * read then costs one cache miss, not two).  Freed by free(). */
#define RF_BIG_BYTES	((size_t)8 << 20)
void *rf_calloc_big(size_t n, size_t size);

/* Ask for the cache line at p early (read; no effect on results), and
 * for the n floats from p, a line at a time.  Macros, used inside the
 * loop that needs the data: GCC takes a function made of prefetches only
 * for one without effect (const) and may drop its calls, prefetches and
 * all (BPR's did: its steps waited for every row).  `objdump -d` of the
 * object shows whether they are there. */
#if defined(__GNUC__) || defined(__clang__)
#define RF_PREFETCH(p)	__builtin_prefetch((p), 0, 3)
#else
#define RF_PREFETCH(p)	((void)(p))
#endif
#define RF_PREFETCH_FLOATS(p, n)					\
	do {								\
		const float *rf_pf_ = (p);				\
									\
		for (int rf_f_ = 0; rf_f_ < (n); rf_f_ += 16)		\
			RF_PREFETCH(rf_pf_ + rf_f_);			\
	} while (0)

/* A growable byte buffer (model blobs, text building). */
typedef struct rf_buf {
	unsigned char *data;
	size_t len, cap;
} rf_buf;

int rf_buf_append(rf_buf *b, const void *p, size_t n);
int rf_buf_printf(rf_buf *b, const char *fmt, ...) RF_PRINTF(2, 3);
void rf_buf_free(rf_buf *b);

#endif
