/* baseline: the baseline predictor r_hat(u, i) = mu + b_u + b_i of Koren
 * (2010, "Factor in the neighbors", eq. 1), fitted to the regularised
 * squared error of eq. 2
 *   sum (r - mu - b_u - b_i)^2 + lambda_u sum b_u^2 + lambda_i sum b_i^2
 * either by alternating closed-form updates (each sweep solves for every
 * b_i with the b_u fixed, then for every b_u; Koren's eq. 3 is one such
 * step) or by SGD with a per-rating penalty (Koren 2008, section 2.1).
 * A weak but honest reference.  Surprise's BaselineOnly uses ALS with
 * reg_i 10, reg_u 15 and 10 sweeps (0.944 RMSE on random 5-fold ml-100k,
 * 0.946 here on u1..u5); our defaults reg_i 3, reg_u 5 were chosen on a
 * validation fifth of u1.base (0.941 on u1..u5). */
#include "engine/models/blob.h"
#include "engine/models/model.h"
#include "engine/models/rating_sgd.h"
#include "engine/models/registry.h"

#include <stdlib.h>
#include <string.h>

#define BL_MAGIC	0x314c4252u	/* "RBL1" */
#define BL_VERSION	1u

enum {
	BL_METHOD, BL_REG_I, BL_REG_U, BL_LR, BL_REG, BL_NPARAMS
};

static const model_param bl_params[BL_NPARAMS] = {
	{ "method", 0, 0, 1, 1, 1, "0: alternating least squares, 1: SGD" },
	{ "reg_i", 3, 0, 1000, 1, 0, "ALS: penalty lambda_i on item biases" },
	{ "reg_u", 5, 0, 1000, 1, 0, "ALS: penalty lambda_u on user biases" },
	{ "lr", 0.005, 1e-5, 1, 0.001, 0, "SGD: learning rate" },
	{ "reg", 0.02, 0, 10, 0.005, 0, "SGD: per-rating penalty on biases" },
};

typedef struct bl_model {
	model h;
	double mu;
	float *bu, *bi;		/* (n_users), (n_items) */
	rating_triple *tr;	/* SGD only: (nnz) ratings, shuffled */
} bl_model;

static void
bl_free(model *mm)
{
	bl_model *m = (bl_model *)mm;

	if (m == NULL)
		return;
	free(m->bu);
	free(m->bi);
	free(m->tr);
	model_free_header(&m->h);
	free(m);
}

static bl_model *
bl_alloc(const dataset *ds, const interactions *train, const double *params,
    uint64_t seed, rf_error *err)
{
	bl_model *m = calloc(1, sizeof *m);
	size_t nu = (size_t)train->n_users, ni = (size_t)train->n_items;

	if (m == NULL) {
		rf_fail(err, "baseline: out of memory");
		return NULL;
	}
	if (model_init_header(&m->h, &model_baseline_ops, ds, train, params,
	    seed, err) < 0) {
		free(m);
		return NULL;
	}
	m->bu = calloc(nu ? nu : 1, sizeof *m->bu);
	m->bi = calloc(ni ? ni : 1, sizeof *m->bi);
	if (m->bu == NULL || m->bi == NULL) {
		bl_free(&m->h);
		rf_fail(err, "baseline: out of memory");
		return NULL;
	}
	m->mu = rating_mean(train);
	return m;
}

/* SGD's shuffled copy of the ratings (ALS reads the CSR directly). */
static int
bl_build_triples(bl_model *m, rf_error *err)
{
	const interactions *t = m->h.train;

	if ((int)m->h.params[BL_METHOD] != 1)
		return 0;
	m->tr = malloc((size_t)(t->nnz ? t->nnz : 1) * sizeof *m->tr);
	if (m->tr == NULL)
		return rf_fail(err, "baseline: out of memory");
	for (int u = 0; u < t->n_users; u++)
		for (int64_t p = t->ptr[u]; p < t->ptr[u + 1]; p++) {
			m->tr[p].u = u;
			m->tr[p].i = t->idx[p];
			m->tr[p].r = t->val[p];
		}
	return 0;
}

static model *
bl_create(const dataset *ds, const interactions *train, const double *params,
    uint64_t seed, rf_error *err)
{
	bl_model *m;

	if (train->tptr == NULL) {
		rf_fail(err, "baseline: training matrix has no transpose");
		return NULL;
	}
	m = bl_alloc(ds, train, params, seed, err);
	if (m == NULL)
		return NULL;
	if (bl_build_triples(m, err) < 0) {
		bl_free(&m->h);
		return NULL;
	}
	return &m->h;
}

/* One alternating sweep: every b_i given the b_u (Koren 2010, eq. 3 with
 * the user term), then every b_u given the new b_i. */
static void
bl_als_sweep(bl_model *m)
{
	const interactions *t = m->h.train;
	const double reg_i = m->h.params[BL_REG_I];
	const double reg_u = m->h.params[BL_REG_U];

	for (int i = 0; i < t->n_items; i++) {
		double s = 0;

		for (int64_t p = t->tptr[i]; p < t->tptr[i + 1]; p++)
			s += t->tval[p] - m->mu - m->bu[t->tidx[p]];
		m->bi[i] = (float)(s / (reg_i +
		    (double)(t->tptr[i + 1] - t->tptr[i])));
	}
	for (int u = 0; u < t->n_users; u++) {
		double s = 0;

		for (int64_t p = t->ptr[u]; p < t->ptr[u + 1]; p++)
			s += t->val[p] - m->mu - m->bi[t->idx[p]];
		m->bu[u] = (float)(s / (reg_u +
		    (double)(t->ptr[u + 1] - t->ptr[u])));
	}
}

/* One SGD pass in an order that depends only on the seed and the epochs
 * so far: b <- b + lr (e - reg b) (Koren 2008, section 2.1). */
static void
bl_sgd_pass(bl_model *m, int epoch)
{
	const interactions *t = m->h.train;
	const float lr = (float)m->h.params[BL_LR];
	const float reg = (float)m->h.params[BL_REG];
	const float mu = (float)m->mu;
	rf_rng rng;

	rating_epoch_rng(&rng, m->h.seed, epoch);
	rating_shuffle_triples(m->tr, t->nnz, &rng);
	for (int64_t p = 0; p < t->nnz; p++) {
		const int u = m->tr[p].u, i = m->tr[p].i;
		const float e = m->tr[p].r - (mu + m->bu[u] + m->bi[i]);

		m->bu[u] += lr * (e - reg * m->bu[u]);
		m->bi[i] += lr * (e - reg * m->bi[i]);
	}
}

/* The objective the method minimises, at the current biases, over n. */
static double
bl_loss(const bl_model *m)
{
	const interactions *t = m->h.train;
	const int sgd = (int)m->h.params[BL_METHOD] == 1;
	double s = 0;

	if (t->nnz == 0)
		return 0;
	for (int u = 0; u < t->n_users; u++) {
		double n = (double)(t->ptr[u + 1] - t->ptr[u]);

		for (int64_t p = t->ptr[u]; p < t->ptr[u + 1]; p++) {
			double e = t->val[p] - m->mu - m->bu[u] -
			    m->bi[t->idx[p]];

			s += e * e;
		}
		s += (sgd ? m->h.params[BL_REG] * n : m->h.params[BL_REG_U]) *
		    m->bu[u] * m->bu[u];
	}
	for (int i = 0; i < t->n_items; i++) {
		double n = (double)(t->tptr[i + 1] - t->tptr[i]);

		s += (sgd ? m->h.params[BL_REG] * n : m->h.params[BL_REG_I]) *
		    m->bi[i] * m->bi[i];
	}
	return s / (double)t->nnz;
}

static int
bl_epoch(model *mm, int epoch, double *loss, const volatile int *cancel,
    rf_error *err)
{
	bl_model *m = (bl_model *)mm;

	(void)err;
	if (cancel != NULL && *cancel)
		return 1;
	if ((int)mm->params[BL_METHOD] == 1)
		bl_sgd_pass(m, epoch);
	else
		bl_als_sweep(m);
	if (loss != NULL)
		*loss = bl_loss(m);
	mm->epochs_done = epoch + 1;
	return 0;
}

static void
bl_score_user(const model *mm, int u, float *out)
{
	const bl_model *m = (const bl_model *)mm;

	rating_score(m->mu, m->bu[u], m->bi, mm->train->n_items, NULL, 0,
	    NULL, out);
}

static double
bl_predict(const model *mm, int u, int i)
{
	const bl_model *m = (const bl_model *)mm;

	return rating_predict(mm, m->mu, m->bu[u], m->bi[i], NULL, NULL, 0);
}

/* Biases explain nothing about the user's history. */
static int
bl_explain(const model *mm, int u, int i, explain_term *terms, int max)
{
	(void)mm;
	(void)u;
	(void)i;
	(void)terms;
	(void)max;
	return 0;
}

/* Blob: magic, version, n_users, n_items (uint32), mu (double), bu, bi. */
static const uint32_t bl_magic[2] = { BL_MAGIC, BL_VERSION };

typedef struct bl_blob_head {
	uint32_t n_users, n_items;
	double mu;
} bl_blob_head;

static int
bl_save(const model *mm, rf_buf *out, rf_error *err)
{
	const bl_model *m = (const bl_model *)mm;
	size_t nu = (size_t)mm->train->n_users, ni = (size_t)mm->train->n_items;
	bl_blob_head h = { (uint32_t)nu, (uint32_t)ni, m->mu };
	blob_writer w;

	blob_writer_init(&w, out);
	rating_save_biases(&w, bl_magic, &h, sizeof h, m->bu, m->bi, nu, ni);
	return blob_writer_finish(&w, "baseline", err);
}

static model *
bl_load(const dataset *ds, const interactions *train, const double *params,
    const void *data, size_t len, rf_error *err)
{
	bl_blob_head h;
	blob_reader r;
	bl_model *m;

	if (model_check_saved_params(&model_baseline_ops, params, err) < 0)
		return NULL;
	if (rating_load_head(&r, "baseline", data, len, bl_magic, &h,
	    sizeof h, train, err) < 0 ||
	    blob_expect(&r, ((size_t)h.n_users + h.n_items) *
	    sizeof(float)) < 0 ||
	    rating_check_mean("baseline", h.mu, err) < 0)
		return NULL;
	if (train->tptr == NULL) {
		rf_fail(err, "baseline: training matrix has no transpose");
		return NULL;
	}
	m = bl_alloc(ds, train, params, 0, err);
	if (m == NULL)
		return NULL;
	if (bl_build_triples(m, err) < 0 ||
	    blob_get(&r, m->bu, (size_t)h.n_users * sizeof *m->bu) < 0 ||
	    blob_get(&r, m->bi, (size_t)h.n_items * sizeof *m->bi) < 0 ||
	    rating_check_finite(&model_baseline_ops, m->bu, h.n_users, m->bi,
	    h.n_items, err) < 0) {
		bl_free(&m->h);
		return NULL;
	}
	m->mu = h.mu;
	return &m->h;
}

const model_ops model_baseline_ops = {
	.name = "baseline",
	.title = "Baseline",
	.help = "global mean + user and item biases (Koren 2010, eq. 1-3)",
	.memory = "a bias per user and per item; by SGD, 12 bytes a training "
	    "pair more while it trains (the pairs, shuffled)",
	.kinds = MODEL_RATING | MODEL_TOPN,
	.traits = MODEL_LOAD_TRANSPOSE,
	.params = bl_params,
	.nparams = BL_NPARAMS,
	.default_epochs = 10,
	.create = bl_create,
	.epoch = bl_epoch,
	.score_user = bl_score_user,
	.predict = bl_predict,
	.explain = bl_explain,
	.save = bl_save,
	.load = bl_load,
	.free = bl_free,
};
