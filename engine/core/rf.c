/* rf: shared helpers for the engine (errors, clocks, buffers, hashing, RNG). */
#include "engine/core/rf.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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

uint64_t
rf_fnv1a(uint64_t h, const void *p, size_t n)
{
	const unsigned char *s = p;

	while (n-- > 0) {
		h ^= *s++;
		h *= 0x100000001b3ULL;
	}
	return h;
}

static uint64_t
splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

void
rf_rng_seed(rf_rng *r, uint64_t seed)
{
	int i;

	for (i = 0; i < 4; i++)
		r->s[i] = splitmix64(&seed);
}

static uint64_t
rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

uint64_t
rf_rng_next(rf_rng *r)
{
	uint64_t *s = r->s;
	uint64_t result = rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

uint32_t
rf_rng_below(rf_rng *r, uint32_t n)
{
	/* Lemire's multiply-shift; the bias is below 2^-32 and irrelevant here. */
	return (uint32_t)(((rf_rng_next(r) >> 32) * (uint64_t)n) >> 32);
}

double
rf_rng_uniform(rf_rng *r)
{
	return (rf_rng_next(r) >> 11) * (1.0 / 9007199254740992.0);
}

double
rf_rng_normal(rf_rng *r)
{
	double u1, u2;

	do
		u1 = rf_rng_uniform(r);
	while (u1 <= 1e-300);
	u2 = rf_rng_uniform(r);
	return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}

static int blas_exclusive;

void
rf_blas_set_exclusive(int on)
{
	blas_exclusive = on;
}

int
rf_blas_exclusive(void)
{
	return blas_exclusive;
}

/* Quicksort with median of three (recursing on the smaller side, so the
 * stack stays O(log n)) and an insertion sort for short runs. */
void
rf_sort_u64(uint64_t *a, int64_t n)
{
	while (n > 24) {
		uint64_t x = a[0], y = a[n / 2], z = a[n - 1], pivot, t;
		int64_t i = 0, j = n - 1;

		pivot = x < y ? (y < z ? y : (x < z ? z : x)) :
		    (x < z ? x : (y < z ? z : y));
		for (;;) {
			while (a[i] < pivot)
				i++;
			while (a[j] > pivot)
				j--;
			if (i >= j)
				break;
			t = a[i];
			a[i] = a[j];
			a[j] = t;
			i++;
			j--;
		}
		/* Recurse on the smaller side, loop on the larger. */
		if (j + 1 < n - (j + 1)) {
			rf_sort_u64(a, j + 1);
			a += j + 1;
			n -= j + 1;
		} else {
			rf_sort_u64(a + j + 1, n - (j + 1));
			n = j + 1;
		}
	}
	for (int64_t i = 1; i < n; i++) {
		uint64_t v = a[i];
		int64_t j = i;

		while (j > 0 && a[j - 1] > v) {
			a[j] = a[j - 1];
			j--;
		}
		a[j] = v;
	}
}
