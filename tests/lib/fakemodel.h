/* fakemodel: test-only models with fixed score tables, so the fusion and
 * explanation tests do not depend on any real model. */
#ifndef RF_TESTS_FAKEMODEL_H
#define RF_TESTS_FAKEMODEL_H

#include <stdlib.h>
#include <string.h>

#include "engine/data/dataset.h"
#include "engine/models/model.h"

typedef struct fake_model {
	model base;
	float *tab;		/* (n_users, n_items), owned */
	int n_items;
	explain_term *terms;	/* optional fixed reasons (all items) */
	int n_terms;
} fake_model;

static void
fake_score_user(const model *m, int u, float *out)
{
	const fake_model *fm = (const fake_model *)m;

	memcpy(out, fm->tab + (size_t)u * fm->n_items,
	    (size_t)fm->n_items * sizeof *out);
}

static double
fake_predict(const model *m, int u, int i)
{
	const fake_model *fm = (const fake_model *)m;

	return fm->tab[(size_t)u * fm->n_items + i];
}

static int
fake_explain(const model *m, int u, int i, explain_term *terms, int max)
{
	const fake_model *fm = (const fake_model *)m;
	int n = fm->n_terms < max ? fm->n_terms : max;

	(void)u;
	(void)i;
	if (n > 0)
		memcpy(terms, fm->terms, (size_t)n * sizeof *terms);
	return n;
}

static const model_ops fake_ops = {
	.name = "fake",
	.help = "fixed score table (tests)",
	.kinds = MODEL_TOPN | MODEL_RATING,
	.score_user = fake_score_user,
	.predict = fake_predict,
	.explain = fake_explain,
};

/* The same table by blocks of users x a range of items, as a factor
 * model scores (model_ops.score_users). */
static void
fake_score_users(const model *m, const int32_t *users, int n, int lo,
    int hi, float *out)
{
	const fake_model *fm = (const fake_model *)m;

	for (int j = 0; j < n; j++)
		memcpy(out + (size_t)j * (hi - lo), fm->tab +
		    (size_t)users[j] * fm->n_items + lo,
		    (size_t)(hi - lo) * sizeof *out);
}

static const model_ops fake_block_ops = {
	.name = "fake",
	.help = "fixed score table, scored by blocks too (tests)",
	.kinds = MODEL_TOPN | MODEL_RATING,
	.score_user = fake_score_user,
	.score_users = fake_score_users,
	.predict = fake_predict,
	.explain = fake_explain,
};

/* A fake model over train with a copy of tab (n_users x n_items). */
static inline fake_model *
fake_new(const dataset *ds, const interactions *train, const float *tab)
{
	fake_model *fm = calloc(1, sizeof *fm);

	if (fm == NULL)
		return NULL;
	fm->base.ops = &fake_ops;
	fm->base.ds = ds;
	fm->base.train = train;
	fm->n_items = train->n_items;
	fm->tab = malloc((size_t)train->n_users * train->n_items *
	    sizeof *fm->tab);
	if (fm->tab == NULL) {
		free(fm);
		return NULL;
	}
	memcpy(fm->tab, tab, (size_t)train->n_users * train->n_items *
	    sizeof *fm->tab);
	return fm;
}

static inline void
fake_free(fake_model *fm)
{
	if (fm) {
		free(fm->tab);
		free(fm->terms);
		free(fm);
	}
}

/* An interactions matrix from (user, item) pairs sorted by user then
 * item; value 1, ts = position, beh bits given per pair (or rating). */
static inline int
fake_matrix(interactions *m, int nu, int ni, const int (*pairs)[2], int n,
    const uint8_t *beh)
{
	if (interactions_alloc(m, nu, ni, n) < 0)
		return -1;
	for (int k = 0; k < n; k++) {
		m->ptr[pairs[k][0] + 1]++;
		m->idx[k] = pairs[k][1];
		m->val[k] = 1;
		m->ts[k] = 1000 + k;
		m->beh[k] = beh ? beh[k] : 1;
	}
	for (int u = 0; u < nu; u++)
		m->ptr[u + 1] += m->ptr[u];
	return interactions_build_transpose(m);
}

#endif
