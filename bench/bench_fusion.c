/* bench_fusion: the speed targets of the fusion engine (issue 4).
 *  1. ml-100k (temporal 80/20 per user), six models: a weight change ->
 *     every test user re-ranked and NDCG/Recall@10 recomputed, <= 20 ms.
 *  2. A 1 M-user synthetic problem: one user re-ranked after a weight
 *     change, <= 1 ms (and, for scale, a full on-the-fly fused
 *     recommendation that scores the six models).
 * The models are factor models with random float32 factors (diverse
 * rankings make the candidate pools large: the worst case for re-ranking),
 * scored through the model interface with cblas_sgemv.  Best of N; run
 * with OPENBLAS_NUM_THREADS=1. */
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/fusion/fusion.h"
#include "tests/lib/mldata.h"
#include "engine/core/rng.h"

#define NMODELS 6
#define FACTORS 32

typedef struct factor_model {
	model base;
	int n_items, k;
	float *U, *V;		/* (n_users, k), (n_items, k) */
} factor_model;

static void
factor_score(const model *m, int u, float *out)
{
	const factor_model *fm = (const factor_model *)m;

	cblas_sgemv(CblasRowMajor, CblasNoTrans, fm->n_items, fm->k, 1.0f,
	    fm->V, fm->k, fm->U + (size_t)u * fm->k, 1, 0.0f, out, 1);
}

static const model_ops factor_ops = {
	.name = "factor", .kinds = MODEL_TOPN, .score_user = factor_score,
};

static factor_model *
factor_new(const interactions *tr, int k, uint64_t seed, const float *pop)
{
	factor_model *fm = calloc(1, sizeof *fm);
	rf_rng rng;

	if (fm == NULL)
		exit(2);
	rf_rng_seed(&rng, seed);
	fm->base.ops = &factor_ops;
	fm->base.train = tr;
	fm->n_items = tr->n_items;
	fm->k = k;
	fm->U = malloc((size_t)tr->n_users * k * sizeof *fm->U);
	fm->V = malloc((size_t)tr->n_items * k * sizeof *fm->V);
	if (!fm->U || !fm->V)
		exit(2);
	for (size_t j = 0; j < (size_t)tr->n_users * k; j++)
		fm->U[j] = (float)rf_rng_normal(&rng) * 0.3f;
	for (size_t j = 0; j < (size_t)tr->n_items * k; j++)
		fm->V[j] = (float)rf_rng_normal(&rng) * 0.3f;
	/* A shared popularity direction: models agree in part. */
	for (int i = 0; pop && i < tr->n_items; i++)
		fm->V[(size_t)i * k] = pop[i];
	for (int u = 0; pop && u < tr->n_users; u++)
		fm->U[(size_t)u * k] = 1;
	return fm;
}

static void
factor_free(factor_model *fm)
{
	free(fm->U);
	free(fm->V);
	free(fm);
}

/* Per user the last 20% by time held out (users with < 5 kept whole). */
static void
temporal_split(const interactions *all, interactions *tr, interactions *te)
{
	int64_t nte = 0, ntr = 0;
	uint8_t *is_test = calloc((size_t)all->nnz + 1, 1);

	for (int u = 0; u < all->n_users; u++) {
		int64_t lo = all->ptr[u], n = all->ptr[u + 1] - lo;
		int64_t k = n >= 5 ? (int64_t)(0.2 * n + 0.5) : 0;

		/* mark the k latest (selection by timestamp, then item) */
		for (int64_t j = 0; j < k; j++) {
			int64_t best = -1;

			for (int64_t p = lo; p < lo + n; p++) {
				int64_t tp = interactions_time(all, p);
				int64_t tb = best < 0 ? 0 :
				    interactions_time(all, best);

				if (!is_test[p] && (best < 0 || tp > tb ||
				    (tp == tb && all->idx[p] > all->idx[best])))
					best = p;
			}
			is_test[best] = 1;
		}
	}
	for (int64_t p = 0; p < all->nnz; p++)
		is_test[p] ? nte++ : ntr++;
	if (interactions_alloc(tr, all->n_users, all->n_items, ntr) < 0 ||
	    interactions_alloc(te, all->n_users, all->n_items, nte) < 0)
		exit(2);
	ntr = nte = 0;
	for (int u = 0; u < all->n_users; u++) {
		for (int64_t p = all->ptr[u]; p < all->ptr[u + 1]; p++) {
			interactions *m = is_test[p] ? te : tr;
			int64_t *c = is_test[p] ? &nte : &ntr;

			m->idx[*c] = all->idx[p];
			m->val[*c] = all->val[p];
			m->ts[*c] = interactions_time(all, p);
			(*c)++;
		}
		tr->ptr[u + 1] = ntr;
		te->ptr[u + 1] = nte;
	}
	interactions_build_transpose(tr);
	interactions_build_transpose(te);
	free(is_test);
}

static double
bench_ml100k(void)
{
	char path[1024];
	interactions all, tr, te;
	factor_model *fm[NMODELS];
	const model *ms[NMODELS];
	float *pop;
	dataset *ds;
	fusion *f;
	fusion_pool *pool;
	rf_error err;
	metrics mt;
	double best = 1e9, t0, tb;

	snprintf(path, sizeof path, "%s/ml-100k/u.data", ml_data_dir());
	if (ml_load(path, 943, 1682, 1, &all) < 0) {
		printf("ml-100k: %s not found, skipped\n", path);
		return -1;
	}
	temporal_split(&all, &tr, &te);
	ds = ml_dataset(&all, 0);
	pop = calloc(1682, sizeof *pop);
	for (int i = 0; i < 1682; i++)
		pop[i] = (float)(tr.tptr[i + 1] - tr.tptr[i]) / 100.0f;
	for (int m = 0; m < NMODELS; m++) {
		fm[m] = factor_new(&tr, FACTORS, 100 + m, pop);
		ms[m] = &fm[m]->base;
	}
	{
		const char *names[NMODELS] = { "m1", "m2", "m3", "m4", "m5",
		    "m6" };

		f = fusion_new(ds, ms, names, NMODELS, &err);
	}
	if (f == NULL) {
		printf("fusion_new: %s\n", err.msg);
		exit(1);
	}
	tb = rf_monotonic();
	pool = fusion_pool_build(f, NULL, &te, NULL, 0, 2, &err);
	tb = rf_monotonic() - tb;
	if (pool == NULL) {
		printf("pool: %s\n", err.msg);
		exit(1);
	}
	fusion_pool_eval(f, pool, -1, 10, &mt, &err);	/* transforms */
	for (int rep = 0; rep < 30; rep++) {
		fusion_set_weight(f, rep % NMODELS, 0.1 + 0.05 * (rep % 7),
		    &err);
		t0 = rf_monotonic();
		fusion_pool_eval(f, pool, -1, 10, &mt, &err);
		t0 = rf_monotonic() - t0;
		if (t0 < best)
			best = t0;
	}
	printf("ml-100k, %d models, %d users, %lld candidates (%.0f per "
	    "user), pool built in %.3f s\n", NMODELS, fusion_pool_n_users(pool),
	    (long long)fusion_pool_n_candidates(pool),
	    (double)fusion_pool_n_candidates(pool) / fusion_pool_n_users(pool),
	    tb);
	printf("  weight change -> all users re-ranked + NDCG/Recall@10: "
	    "%.2f ms (target 20 ms, ratio %.2f)  [ndcg %.4f]\n", best * 1e3,
	    best * 1e3 / 20, mt.ndcg);
	/* A normalisation change also recomputes the transforms. */
	{
		double bn = 1e9;

		for (int rep = 0; rep < 10; rep++) {
			fusion_set_param(f, rep % 2 ? "norm=zscore" :
			    "norm=minmax", &err);
			t0 = rf_monotonic();
			fusion_pool_eval(f, pool, -1, 10, &mt, &err);
			t0 = rf_monotonic() - t0;
			if (t0 < bn)
				bn = t0;
		}
		printf("  normalisation change -> re-normalise + re-rank + "
		    "metrics: %.2f ms\n", bn * 1e3);
	}
	fusion_pool_free(pool);
	fusion_free(f);
	for (int m = 0; m < NMODELS; m++)
		factor_free(fm[m]);
	free(pop);
	free(ds);
	interactions_free(&tr);
	interactions_free(&te);
	interactions_free(&all);
	return best;
}

static double
bench_million(void)
{
	const int nu = 1000000, ni = 20000, per = 8, pooled = 200;
	interactions tr;
	factor_model *fm[NMODELS];
	const model *ms[NMODELS];
	const char *names[NMODELS] = { "m1", "m2", "m3", "m4", "m5", "m6" };
	dataset ds = { 0 };
	fusion *f;
	fusion_pool *pool;
	int32_t *users, items[10];
	float sc[10];
	rf_error err;
	rf_rng rng;
	double best = 1e9, bfull = 1e9, t0;

	rf_rng_seed(&rng, 9);
	if (interactions_alloc(&tr, nu, ni, (int64_t)nu * per) < 0)
		exit(2);
	for (int u = 0; u < nu; u++) {
		int base = (int)rf_rng_below(&rng, (uint32_t)(ni - 10 * per));

		for (int j = 0; j < per; j++) {
			tr.idx[(int64_t)u * per + j] = base + 10 * j;
			tr.val[(int64_t)u * per + j] = 1;
			tr.ts[(int64_t)u * per + j] = j;
		}
		tr.ptr[u + 1] = (int64_t)(u + 1) * per;
	}
	ds.n_users = nu;
	ds.n_items = ni;
	for (int m = 0; m < NMODELS; m++) {
		fm[m] = factor_new(&tr, FACTORS, 200 + m, NULL);
		ms[m] = &fm[m]->base;
	}
	if ((f = fusion_new(&ds, ms, names, NMODELS, &err)) == NULL) {
		printf("fusion_new: %s\n", err.msg);
		exit(1);
	}
	users = malloc(pooled * sizeof *users);
	for (int j = 0; j < pooled; j++)
		users[j] = (int32_t)((int64_t)j * nu / pooled);
	t0 = rf_monotonic();
	pool = fusion_pool_build(f, NULL, NULL, users, pooled, 2, &err);
	t0 = rf_monotonic() - t0;
	if (pool == NULL) {
		printf("pool: %s\n", err.msg);
		exit(1);
	}
	printf("1M users x %d items, %d models: pool of %d users built in "
	    "%.3f s (%.0f candidates per user)\n", ni, NMODELS, pooled, t0,
	    (double)fusion_pool_n_candidates(pool) / pooled);
	for (int rep = 0; rep < 200; rep++) {
		int u = users[(rep * 37) % pooled];

		fusion_set_weight(f, rep % NMODELS, 0.1 + 0.05 * (rep % 7),
		    &err);
		if (rep % 2)
			fusion_set_param(f, rep % 4 == 1 ? "norm=minmax" :
			    "norm=zscore", &err);
		t0 = rf_monotonic();
		fusion_pool_rank_user(f, pool, u, 10, items, sc);
		t0 = rf_monotonic() - t0;
		if (t0 < best)
			best = t0;
	}
	printf("  weight change -> one user re-ranked: %.3f ms (target 1 ms, "
	    "ratio %.3f)\n", best * 1e3, best * 1e3);
	for (int rep = 0; rep < 10; rep++) {
		t0 = rf_monotonic();
		fusion_recommend(f, users[rep], 10, items, sc, &err);
		t0 = rf_monotonic() - t0;
		if (t0 < bfull)
			bfull = t0;
	}
	printf("  one user from scratch (score %d models over %d items, pool, "
	    "fuse): %.2f ms\n", NMODELS, ni, bfull * 1e3);
	fusion_pool_free(pool);
	fusion_free(f);
	free(users);
	for (int m = 0; m < NMODELS; m++)
		factor_free(fm[m]);
	interactions_free(&tr);
	return best;
}

int
main(void)
{
	bench_ml100k();
	bench_million();
	return 0;
}
