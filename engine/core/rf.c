/* rf: errors, clocks and growable buffers (see rf.h). */
#include "engine/core/rf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

void *
rf_calloc_big(size_t n, size_t size)
{
	void *p;

	if (size != 0 && n > SIZE_MAX / size)
		return NULL;
	if ((p = calloc(n, size)) == NULL)
		return NULL;
#ifdef MADV_HUGEPAGE
	/* Big callocs are fresh mappings no page of which was touched yet;
	 * the advice covers the 2 MB-aligned part of it.  Only advice: where
	 * it is refused nothing changes. */
	if (n * size >= RF_BIG_BYTES) {
		uintptr_t lo = ((uintptr_t)p + ((1u << 21) - 1)) &
		    ~(uintptr_t)((1u << 21) - 1);
		uintptr_t hi = ((uintptr_t)p + n * size) &
		    ~(uintptr_t)((1u << 21) - 1);

		if (hi > lo)
			(void)madvise((void *)lo, hi - lo, MADV_HUGEPAGE);
	}
#endif
	return p;
}

int
rf_fail(rf_error *err, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return -1;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof err->msg, fmt, ap);
	va_end(ap);
	return -1;
}

double
rf_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

double
rf_monotonic(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int
rf_buf_append(rf_buf *b, const void *p, size_t n)
{
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		unsigned char *d;

		/* Doubling amortises small appends; an append larger than
		 * the buffer (a model's matrix) gets exactly its room, as
		 * doubling could take twice what it needs. */
		if (b->len + n > 2 * cap)
			cap = b->len + n;
		while (cap < b->len + n)
			cap *= 2;
		d = realloc(b->data, cap);
		if (d == NULL)
			return -1;
		b->data = d;
		b->cap = cap;
	}
	if (n > 0)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	return 0;
}

int
rf_buf_printf(rf_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -1;
	/* Room for the terminating NUL, which is not counted in len. */
	if (rf_buf_append(b, NULL, 0) < 0)
		return -1;
	if (b->len + (size_t)n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		unsigned char *d;

		while (cap < b->len + (size_t)n + 1)
			cap *= 2;
		d = realloc(b->data, cap);
		if (d == NULL)
			return -1;
		b->data = d;
		b->cap = cap;
	}
	va_start(ap, fmt);
	vsnprintf((char *)b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return 0;
}

void
rf_buf_free(rf_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}
