/* bench_sgemm: the machine's cblas_sgemm rate on the shape full-ranking
 * evaluation has (a block of users' factors times every item's), the
 * yardstick `make bench-scale` measures scoring against in the same run.
 * OpenBLAS runs with the threads OPENBLAS_NUM_THREADS gives (the scale
 * bench sets 1).
 *
 *   bench_sgemm [ITEMS [FACTORS [USERS]]]     (200000 64 256)
 *
 * Prints "sgemm: G GFLOP/s (USERS x FACTORS x ITEMS, best of 5)". */
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>

#include "engine/core/rf.h"
#include "engine/core/rng.h"

int
main(int argc, char **argv)
{
	long items = argc > 1 ? atol(argv[1]) : 200000;
	long f = argc > 2 ? atol(argv[2]) : 64;
	long users = argc > 3 ? atol(argv[3]) : 256;
	float *a, *b, *c;
	double best = 0, flop = 2.0 * users * f * items;
	rf_rng rng;

	if (items < 1 || f < 1 || users < 1) {
		fprintf(stderr, "usage: bench_sgemm [ITEMS [FACTORS [USERS]]]\n");
		return 2;
	}
	a = malloc((size_t)users * f * sizeof *a);
	b = malloc((size_t)items * f * sizeof *b);
	c = malloc((size_t)users * items * sizeof *c);
	if (a == NULL || b == NULL || c == NULL) {
		fprintf(stderr, "bench_sgemm: out of memory\n");
		return 1;
	}
	rf_rng_seed(&rng, 1);
	for (long x = 0; x < users * f; x++)
		a[x] = (float)rf_rng_uniform(&rng) - 0.5f;
	for (long x = 0; x < items * f; x++)
		b[x] = (float)rf_rng_uniform(&rng) - 0.5f;
	/* scores (users, items) = A (users, f) B^T, B (items, f) row-major:
	 * the product the evaluator forms for a block of users */
	for (int run = 0; run < 5; run++) {
		double t0 = rf_monotonic(), dt;

		cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)users,
		    (int)items, (int)f, 1.0f, a, (int)f, b, (int)f, 0.0f, c,
		    (int)items);
		dt = rf_monotonic() - t0;
		if (dt > 0 && flop / dt > best)
			best = flop / dt;
	}
	printf("sgemm: %.1f GFLOP/s (%ld x %ld x %ld, best of 5)\n", best / 1e9,
	    users, f, items);
	free(a);
	free(b);
	free(c);
	return 0;
}
