/* pop: most popular items, the baseline every top-N model must beat.
 * Score = distinct users per item in train; ties go to the lower item index
 * (topk_select's rule).  Gives no reasons of its own: the plain-language
 * popularity reason comes from the explanation layer. */
#include "engine/models/registry.h"

#include <stdlib.h>
#include <string.h>

typedef struct pop_model {
	model base;
	float *count;		/* (n_items) distinct train users per item */
} pop_model;

static model *
pop_create(const dataset *ds, const interactions *train, const double *params,
    uint64_t seed, rf_error *err)
{
	pop_model *p = calloc(1, sizeof *p);

	if (p == NULL) {
		rf_fail(err, "pop: out of memory");
		return NULL;
	}
	if (model_init_header(&p->base, &model_pop_ops, ds, train, params,
	    seed, err) < 0) {
		free(p);
		return NULL;
	}
	if ((p->count = calloc((size_t)train->n_items + 1, sizeof *p->count))
	    == NULL) {
		model_free_header(&p->base);
		free(p);
		rf_fail(err, "pop: out of memory");
		return NULL;
	}
	return &p->base;
}

static int
pop_epoch(model *m, int epoch, double *loss, const volatile int *cancel,
    rf_error *err)
{
	pop_model *p = (pop_model *)m;
	const interactions *t = m->train;

	(void)epoch;
	(void)err;
	if (cancel && *cancel)
		return 1;
	/* One value per (user, item) in the CSR, so the row count of the
	 * transpose is the number of distinct users. */
	for (int i = 0; i < t->n_items; i++)
		p->count[i] = 0;
	for (int64_t k = 0; k < t->nnz; k++)
		p->count[t->idx[k]] += 1;
	*loss = 0;
	m->epochs_done++;
	return 0;
}

static void
pop_score_user(const model *m, int u, float *out)
{
	const pop_model *p = (const pop_model *)m;

	(void)u;
	memcpy(out, p->count, (size_t)m->train->n_items * sizeof *out);
}

/* The same row for every user: the counts of items [lo, hi). */
static void
pop_score_users(const model *m, const int32_t *users, int n, int lo, int hi,
    float *out)
{
	const pop_model *p = (const pop_model *)m;

	(void)users;
	for (int j = 0; j < n; j++)
		memcpy(out + (size_t)j * (size_t)(hi - lo), p->count + lo,
		    (size_t)(hi - lo) * sizeof *out);
}

static int
pop_save(const model *m, rf_buf *out, rf_error *err)
{
	const pop_model *p = (const pop_model *)m;

	if (rf_buf_append(out, p->count, (size_t)m->train->n_items *
	    sizeof *p->count) < 0)
		return rf_fail(err, "pop: out of memory");
	return 0;
}

static void pop_free(model *m);

static model *
pop_load(const dataset *ds, const interactions *train, const double *params,
    const void *data, size_t len, rf_error *err)
{
	model *m;

	if (model_check_saved_params(&model_pop_ops, params, err) < 0)
		return NULL;
	if (len != (size_t)train->n_items * sizeof(float)) {
		rf_fail(err, "pop: saved model has %zu bytes, expected %zu",
		    len, (size_t)train->n_items * sizeof(float));
		return NULL;
	}
	if ((m = pop_create(ds, train, params, 0, err)) == NULL)
		return NULL;
	memcpy(((pop_model *)m)->count, data, len);
	if (model_check_finite(&model_pop_ops, "counts", ((pop_model *)m)->count,
	    (size_t)train->n_items, err) < 0) {
		pop_free(m);
		return NULL;
	}
	m->epochs_done = 1;
	return m;
}

static void
pop_free(model *m)
{
	pop_model *p = (pop_model *)m;

	if (m == NULL)
		return;
	free(p->count);
	model_free_header(m);
	free(p);
}

const model_ops model_pop_ops = {
	.name = "pop",
	.title = "Pop",
	.help = "most popular items (distinct users per item in train)",
	.memory = "one count per item",
	.kinds = MODEL_TOPN,
	.traits = MODEL_BY_POPULARITY,
	.params = NULL,
	.nparams = 0,
	.default_epochs = 1,
	.create = pop_create,
	.epoch = pop_epoch,
	.score_user = pop_score_user,
	.score_users = pop_score_users,
	.predict = NULL,
	.explain = NULL,
	.save = pop_save,
	.load = pop_load,
	.free = pop_free,
};
