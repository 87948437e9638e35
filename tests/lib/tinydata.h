/* tinydata: the small hand-made matrices and model comparisons the model
 * tests share (test_als, test_ease, test_itemknn, test_bpr, test_neural,
 * test_baseline, test_mf, test_svdpp). */
#ifndef RF_TINYDATA_H
#define RF_TINYDATA_H

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "engine/data/dataset.h"
#include "engine/models/model.h"
#include "engine/train/train.h"
#include "engine/core/rf.h"
#include "engine/core/rng.h"

/* Dense rows (nu x ni, row-major; 0 = no interaction) to CSR + transpose. */
static inline int
dense_to_interactions(interactions *m, int nu, int ni, const float *x)
{
	int64_t nnz = 0, k = 0;

	for (int a = 0; a < nu * ni; a++)
		nnz += x[a] != 0;
	if (interactions_alloc(m, nu, ni, nnz) < 0)
		return -1;
	for (int u = 0; u < nu; u++) {
		for (int i = 0; i < ni; i++)
			if (x[u * ni + i] != 0) {
				m->idx[k] = i;
				m->val[k] = x[u * ni + i];
				m->beh[k] = 1;
				k++;
			}
		m->ptr[u + 1] = k;
	}
	return interactions_build_transpose(m);
}

/* A small random implicit matrix: each (u, i) observed with prob. dens,
 * plus the diagonal i = u mod ni so no row is empty. */
static inline int
tiny_random_matrix(interactions *m, int nu, int ni, double dens,
    uint64_t seed)
{
	rf_rng r;
	int64_t nnz = 0;
	unsigned char *on = calloc((size_t)nu * ni, 1);

	if (on == NULL)
		return -1;
	rf_rng_seed(&r, seed);
	for (int x = 0; x < nu * ni; x++)
		if (rf_rng_uniform(&r) < dens || x % ni == (x / ni) % ni)
			on[x] = 1, nnz++;
	if (interactions_alloc(m, nu, ni, nnz) < 0)
		return free(on), -1;
	nnz = 0;
	for (int u = 0; u < nu; u++) {
		for (int i = 0; i < ni; i++)
			if (on[u * ni + i]) {
				m->idx[nnz] = i;
				m->val[nnz++] = 1;
			}
		m->ptr[u + 1] = nnz;
	}
	free(on);
	return interactions_build_transpose(m);
}

/* A small rating dataset every model trains on: nu users, ni items (a
 * tiny_random_matrix), ratings 1..5, is_rating set. */
static inline int
tiny_rating_dataset(dataset *ds, int nu, int ni, uint64_t seed)
{
	memset(ds, 0, sizeof *ds);
	if (tiny_random_matrix(&ds->all, nu, ni, 0.4, seed) < 0)
		return -1;
	for (int64_t p = 0; p < ds->all.nnz; p++)
		ds->all.val[p] = (float)(1 + (ds->all.idx[p] + p) % 5);
	if (interactions_build_transpose(&ds->all) < 0)
		return -1;
	ds->n_users = nu;
	ds->n_items = ni;
	ds->is_rating = 1;
	ds->rating_min = 1;
	ds->rating_max = 5;
	return 0;
}

/* One epoch of a model with its default parameters on all of ds. */
static inline model *
tiny_train_default(const model_ops *ops, const dataset *ds, uint64_t seed,
    rf_error *err)
{
	double params[64];
	train_spec spec;

	if (ops->nparams > 64) {
		rf_fail(err, "%s: too many parameters", ops->name);
		return NULL;
	}
	model_params_default(ops, params);
	memset(&spec, 0, sizeof spec);
	spec.ops = ops;
	spec.params = params;
	spec.epochs = 1;
	spec.seed = seed;
	spec.ds = ds;
	spec.train = &ds->all;
	return train_run(&spec, NULL, NULL, NULL, NULL, err);
}

/* Rows [0, nu) of a full matrix. */
static inline int
slice_users(const interactions *all, int nu, interactions *out)
{
	int64_t nnz = all->ptr[nu];

	if (interactions_alloc(out, nu, all->n_items, nnz) < 0)
		return -1;
	memcpy(out->ptr, all->ptr, ((size_t)nu + 1) * sizeof *out->ptr);
	memcpy(out->idx, all->idx, (size_t)nnz * sizeof *out->idx);
	memcpy(out->val, all->val, (size_t)nnz * sizeof *out->val);
	for (int64_t k = 0; k < nnz; k++)
		out->ts[k] = interactions_time(all, k);
	memcpy(out->beh, all->beh, (size_t)nnz * sizeof *out->beh);
	return interactions_build_transpose(out);
}

/* RMSE of a rating model's predictions over a test matrix; NaN (which
 * fails every bound) when there is nothing to measure. */
static inline double
rmse(const model *mod, const interactions *te)
{
	double s = 0;

	if (te->nnz == 0)
		return NAN;

	for (int u = 0; u < te->n_users; u++)
		for (int64_t p = te->ptr[u]; p < te->ptr[u + 1]; p++) {
			double d = mod->ops->predict(mod, u, te->idx[p]) -
			    te->val[p];

			s += d * d;
		}
	return sqrt(s / (double)te->nnz);
}

/* Do two models score users [0, nu) bit-for-bit the same?  1 yes, 0 no,
 * -1 out of memory (neither answer). */
static inline int
same_scores(const model *a, const model *b, int nu, int ni)
{
	float *s1 = malloc((size_t)ni * sizeof *s1);
	float *s2 = malloc((size_t)ni * sizeof *s2);
	int same = s1 != NULL && s2 != NULL ? 1 : -1;

	for (int u = 0; u < nu && same == 1; u++) {
		a->ops->score_user(a, u, s1);
		b->ops->score_user(b, u, s2);
		same = memcmp(s1, s2, (size_t)ni * sizeof *s1) == 0;
	}
	free(s1);
	free(s2);
	return same;
}

#endif
