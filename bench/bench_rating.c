/* bench_rating: throughput of mf's SGD epoch, in millions of ratings per
 * second on one thread at 64 factors, on ml-100k (u1.base) and on a
 * synthetic 10 M-rating problem; best of N epochs, against the 20 M/s
 * target (LIBMF does 17-22 M/s per thread).  Prints figures, never fails
 * on speed.  Usage: bench_rating [synthetic_millions [factors [repeats]]] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/models/model.h"
#include "engine/models/registry.h"
#include "tests/lib/mldata.h"
#include "engine/core/rng.h"

#define TARGET_MPS	20.0

/* A low-rank problem with ratings on 1..5: users and items with 8 hidden
 * tastes, skewed item popularity (i = n x^3, x uniform), so the access
 * pattern is realistic: nnz / n_users ratings per user. */
static int
synthetic(interactions *m, int n_users, int n_items, int64_t nnz,
    uint64_t seed)
{
	rf_rng rng;
	float *uf, *itf;
	int64_t per = nnz / n_users, k = 0;

	rf_rng_seed(&rng, seed);
	uf = malloc((size_t)n_users * 8 * sizeof *uf);
	itf = malloc((size_t)n_items * 8 * sizeof *itf);
	if (uf == NULL || itf == NULL ||
	    interactions_alloc(m, n_users, n_items, per * n_users) < 0) {
		free(uf);
		free(itf);
		return -1;
	}
	for (int j = 0; j < n_users * 8; j++)
		uf[j] = (float)(0.4 * rf_rng_normal(&rng));
	for (int j = 0; j < n_items * 8; j++)
		itf[j] = (float)(0.4 * rf_rng_normal(&rng));
	for (int u = 0; u < n_users; u++) {
		int64_t start = k;

		for (int64_t j = 0; j < per; j++) {
			double x = rf_rng_uniform(&rng);
			int i = (int)((double)n_items * x * x * x);
			double r = 3.5;

			for (int f = 0; f < 8; f++)
				r += uf[u * 8 + f] * itf[i * 8 + f];
			r += 0.5 * rf_rng_normal(&rng);
			r = r < 1 ? 1 : r > 5 ? 5 : r;
			m->idx[k] = i;
			m->val[k] = (float)(int)(r + 0.5);
			k++;
		}
		/* Insertion sort keeps the row's items ascending (CSR);
		 * the odd repeated item is harmless to SGD's speed. */
		for (int64_t a = start + 1; a < k; a++) {
			int32_t x = m->idx[a];
			float v = m->val[a];
			int64_t b = a - 1;

			while (b >= start && m->idx[b] > x) {
				m->idx[b + 1] = m->idx[b];
				m->val[b + 1] = m->val[b];
				b--;
			}
			m->idx[b + 1] = x;
			m->val[b + 1] = v;
		}
		m->ptr[u + 1] = k;
	}
	free(uf);
	free(itf);
	return interactions_build_transpose(m);
}

/* Best-of-repeats epoch time of mf on train; returns M ratings/s. */
static double
bench_mf(const dataset *ds, const interactions *train, int factors,
    int repeats, double *create_s)
{
	const model_ops *ops = &model_mf_ops;
	double params[32], best = 1e30, t0;
	rf_error err;
	model *m;

	model_params_default(ops, params);
	params[model_param_index(ops, "factors")] = factors;
	t0 = rf_monotonic();
	m = ops->create(ds, train, params, 1, &err);
	*create_s = rf_monotonic() - t0;
	if (m == NULL) {
		fprintf(stderr, "bench_rating: %s\n", err.msg);
		return 0;
	}
	for (int e = 0; e < repeats; e++) {
		double loss, t;

		t0 = rf_monotonic();
		if (ops->epoch(m, e, &loss, NULL, &err) != 0) {
			fprintf(stderr, "bench_rating: %s\n", err.msg);
			break;
		}
		t = rf_monotonic() - t0;
		if (t < best)
			best = t;
	}
	ops->free(m);
	return (double)train->nnz / best / 1e6;
}

int
main(int argc, char **argv)
{
	double millions = argc > 1 ? atof(argv[1]) : 10;
	int factors = argc > 2 ? atoi(argv[2]) : 64;
	int repeats = argc > 3 ? atoi(argv[3]) : 10;
	char path[1024];
	interactions tr;
	dataset *ds;
	double mps, cs;

	snprintf(path, sizeof path, "%s/ml-100k/u1.base", ml_data_dir());
	if (ml_load(path, 943, 1682, 0, &tr) == 0) {
		ds = ml_dataset(&tr, 1);
		if (ds == NULL)
			return 1;
		mps = bench_mf(ds, &tr, factors, repeats * 5, &cs);
		printf("mf sgd ml-100k u1.base: %lld ratings, k=%d: "
		    "%.1f M ratings/s per epoch (best of %d), create %.4f s, "
		    "ratio to %.0f M/s target %.2f\n", (long long)tr.nnz,
		    factors, mps, repeats * 5, cs, TARGET_MPS,
		    mps / TARGET_MPS);
		free(ds);
		interactions_free(&tr);
	} else
		printf("mf sgd ml-100k: data not found under %s, skipped\n",
		    ml_data_dir());
	if (millions > 0) {
		int64_t nnz = (int64_t)(millions * 1e6);

		if (synthetic(&tr, 100000, 20000, nnz, 7) < 0) {
			fprintf(stderr, "bench_rating: out of memory\n");
			return 1;
		}
		ds = ml_dataset(&tr, 1);
		if (ds == NULL)
			return 1;
		mps = bench_mf(ds, &tr, factors, repeats, &cs);
		printf("mf sgd synthetic 100000 x 20000, %lld ratings, k=%d: "
		    "%.1f M ratings/s per epoch (best of %d), create %.2f s, "
		    "ratio to %.0f M/s target %.2f\n", (long long)tr.nnz,
		    factors, mps, repeats, cs, TARGET_MPS, mps / TARGET_MPS);
		free(ds);
		interactions_free(&tr);
	}
	return 0;
}
