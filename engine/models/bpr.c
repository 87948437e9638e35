/* bpr: Bayesian Personalised Ranking with matrix factorisation (Rendle,
 * Freudenthaler, Gantner, Schmidt-Thieme 2009, "BPR: Bayesian Personalized
 * Ranking from Implicit Feedback").  The score is x_ui = p_u . q_i + b_i;
 * LearnBPR (section 4.3, figure 4) draws triples (u, i, j) uniformly with
 * (u, i) observed and j unobserved, and takes one SGD step on
 * ln sigma(x_ui - x_uj) - reg/2 |theta|^2 (eq. 4) per triple. */
#include "engine/models/blob.h"
#include "engine/models/neural.h"
#include "engine/models/registry.h"
#include "engine/core/rng.h"

#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

enum { BPR_FACTORS, BPR_LR, BPR_REG, BPR_INIT, BPR_NPARAMS };

static const model_param bpr_params[BPR_NPARAMS] = {
	{ "factors", 64, 1, 1024, 1, 1, "latent factors per user and item" },
	{ "lr", 0.05, 1e-5, 1, 0.005, 0, "SGD learning rate" },
	{ "reg", 0.01, 0, 1, 0.001, 0,
	    "L2 regularisation of the factors and biases a triple touches" },
	{ "init", 0.1, 1e-4, 1, 0.01, 0,
	    "standard deviation of the initial factors" },
};

/* Defaults chosen on a validation split carved from Protocol B's train
 * part the same temporal way (bench/bench_neural --val): over lr in
 * {0.02, 0.05, 0.1} x reg in {0.002, 0.01, 0.02} and 20..100 epochs,
 * lr 0.05 / reg 0.01 was best or tied (0.153-0.157 from 40 epochs on);
 * 60 epochs sit on that plateau.  factors 128 gave no gain. */
#define BPR_DEFAULT_EPOCHS 60
#define BPR_MAX_TRIES 64	/* rejection-sampling tries for a negative */

typedef struct bpr_model {
	model base;
	int k;
	float *p;		/* (n_users, k) user factors */
	float *q;		/* (n_items, k) item factors */
	float *b;		/* (n_items) item biases */
	int32_t *pair_user;	/* (nnz) user of each observed pair */
	rf_rng rng;
} bpr_model;

static void
bpr_free(model *m)
{
	bpr_model *bm = (bpr_model *)m;

	if (bm == NULL)
		return;
	free(bm->p);
	free(bm->q);
	free(bm->b);
	free(bm->pair_user);
	model_free_header(m);
	free(bm);
}

/* Allocate a model with every array, unset. */
static bpr_model *
bpr_alloc(const dataset *ds, const interactions *train, const double *params,
    uint64_t seed, rf_error *err)
{
	bpr_model *bm = calloc(1, sizeof *bm);
	size_t nu = (size_t)train->n_users, ni = (size_t)train->n_items;

	if (bm == NULL) {
		rf_fail(err, "bpr: out of memory");
		return NULL;
	}
	if (model_init_header(&bm->base, &model_bpr_ops, ds, train, params,
	    seed, err) < 0) {
		free(bm);
		return NULL;
	}
	bm->k = (int)bm->base.params[BPR_FACTORS];
	if (model_check_room(&bm->base, ((nu + ni) * (uint64_t)bm->k + ni) *
	    sizeof(float) + (uint64_t)train->nnz * sizeof(int32_t),
	    BPR_FACTORS, (nu + ni) * sizeof(float), 1, err) < 0) {
		bpr_free(&bm->base);
		return NULL;
	}
	bm->p = malloc((nu ? nu : 1) * (size_t)bm->k * sizeof *bm->p);
	bm->q = malloc((ni ? ni : 1) * (size_t)bm->k * sizeof *bm->q);
	bm->b = calloc(ni ? ni : 1, sizeof *bm->b);
	bm->pair_user = malloc((size_t)(train->nnz ? train->nnz : 1) *
	    sizeof *bm->pair_user);
	if (!bm->p || !bm->q || !bm->b || !bm->pair_user) {
		bpr_free(&bm->base);
		rf_fail(err, "bpr: out of memory for %zu x %zu x %d factors",
		    nu, ni, bm->k);
		return NULL;
	}
	for (int u = 0; u < train->n_users; u++)
		for (int64_t e = train->ptr[u]; e < train->ptr[u + 1]; e++)
			bm->pair_user[e] = u;
	rf_rng_seed(&bm->rng, seed);
	return bm;
}

static model *
bpr_create(const dataset *ds, const interactions *train, const double *params,
    uint64_t seed, rf_error *err)
{
	bpr_model *bm;
	double sd;

	if (train->n_users <= 0 || train->n_items < 2)
		return rf_fail(err, "bpr: needs users and at least two items"),
		    NULL;
	bm = bpr_alloc(ds, train, params, seed, err);
	if (bm == NULL)
		return NULL;
	sd = bm->base.params[BPR_INIT];
	for (size_t x = 0; x < (size_t)train->n_users * (size_t)bm->k; x++)
		bm->p[x] = (float)(sd * rf_rng_normal(&bm->rng));
	for (size_t x = 0; x < (size_t)train->n_items * (size_t)bm->k; x++)
		bm->q[x] = (float)(sd * rf_rng_normal(&bm->rng));
	return &bm->base;
}

double
bpr_triple_loss_grad(const model *m, int u, int i, int j, float *gp_u,
    float *gq_i, float *gq_j, float *gb_i, float *gb_j)
{
	const bpr_model *bm = (const bpr_model *)m;
	const int k = bm->k;
	const float *pu = bm->p + (size_t)u * k;
	const float *qi = bm->q + (size_t)i * k;
	const float *qj = bm->q + (size_t)j * k;
	const float reg = (float)m->params[BPR_REG];
	double x = bm->b[i] - bm->b[j], nrm = 0, loss;
	float g;

	for (int f = 0; f < k; f++) {
		x += (double)pu[f] * (qi[f] - qj[f]);
		nrm += (double)pu[f] * pu[f] + (double)qi[f] * qi[f] +
		    (double)qj[f] * qj[f];
	}
	nrm += (double)bm->b[i] * bm->b[i] + (double)bm->b[j] * bm->b[j];
	/* -ln sigma(x) = ln(1 + e^-x), computed without overflow. */
	loss = x > 0 ? log1p(exp(-x)) : -x + log1p(exp(x));
	loss += 0.5 * reg * nrm;
	/* d(-ln sigma(x))/dx = -(1 - sigma(x)) = -sigma(-x) */
	g = (float)(-1.0 / (1.0 + exp(x)));
	for (int f = 0; f < k; f++) {
		gp_u[f] = g * (qi[f] - qj[f]) + reg * pu[f];
		gq_i[f] = g * pu[f] + reg * qi[f];
		gq_j[f] = -g * pu[f] + reg * qj[f];
	}
	*gb_i = g + reg * bm->b[i];
	*gb_j = -g + reg * bm->b[j];
	return loss;
}

static int
bpr_epoch(model *m, int epoch, double *loss, const volatile int *cancel,
    rf_error *err)
{
	bpr_model *bm = (bpr_model *)m;
	const interactions *t = m->train;
	const int k = bm->k;
	const float lr = (float)m->params[BPR_LR];
	float *g = malloc(3 * (size_t)k * sizeof *g);
	double sum = 0;
	int64_t n = t->nnz, done = 0;

	(void)epoch;
	if (g == NULL)
		return rf_fail(err, "bpr: out of memory");
	if (n <= 0) {
		free(g);
		return rf_fail(err, "bpr: no training interactions");
	}
	/* One epoch = as many triples as observed pairs (LearnBPR draws
	 * with replacement; an epoch is only a reporting unit). */
	for (int64_t s = 0; s < n; s++) {
		int64_t e = (int64_t)(rf_rng_uniform(&bm->rng) * (double)n);
		int u, i, j = 0, tries;
		float gbi, gbj, *pu, *qi, *qj;

		if ((s & 4095) == 0 && cancel && *cancel)
			break;
		if (e >= n)
			e = n - 1;
		u = bm->pair_user[e];
		i = t->idx[e];
		for (tries = 0; tries < BPR_MAX_TRIES; tries++) {
			j = (int)rf_rng_below(&bm->rng, (uint32_t)t->n_items);
			if (!interactions_contains(t, u, j))
				break;
		}
		if (tries == BPR_MAX_TRIES)
			continue;	/* u has (almost) every item */
		sum += bpr_triple_loss_grad(m, u, i, j, g, g + k, g + 2 * k,
		    &gbi, &gbj);
		done++;
		pu = bm->p + (size_t)u * k;
		qi = bm->q + (size_t)i * k;
		qj = bm->q + (size_t)j * k;
		for (int f = 0; f < k; f++) {
			pu[f] -= lr * g[f];
			qi[f] -= lr * g[k + f];
			qj[f] -= lr * g[2 * k + f];
		}
		bm->b[i] -= lr * gbi;
		bm->b[j] -= lr * gbj;
	}
	free(g);
	*loss = done ? sum / (double)done : 0;
	if (cancel && *cancel)
		return 1;
	m->epochs_done++;
	return 0;
}

static void
bpr_score_user(const model *m, int u, float *out)
{
	const bpr_model *bm = (const bpr_model *)m;
	const int ni = m->train->n_items;

	/* out = Q p_u + b */
	memcpy(out, bm->b, (size_t)ni * sizeof *out);
	cblas_sgemv(CblasRowMajor, CblasNoTrans, ni, bm->k, 1.0f, bm->q,
	    bm->k, bm->p + (size_t)u * bm->k, 1, 1.0f, out, 1);
}

void
bpr_parameters(model *m, float **user_f, float **item_f, float **item_bias,
    int *k)
{
	bpr_model *bm = (bpr_model *)m;

	*user_f = bm->p;
	*item_f = bm->q;
	*item_bias = bm->b;
	*k = bm->k;
}

/* Blob: "RFBPR1\0\0", int32 n_users, n_items, k, epochs_done, then the
 * floats of p, q, b in host byte order. */
static const char bpr_magic[8] = "RFBPR1";

static int
bpr_save(const model *m, rf_buf *out, rf_error *err)
{
	const bpr_model *bm = (const bpr_model *)m;
	int32_t hdr[4] = { m->train->n_users, m->train->n_items, bm->k,
	    m->epochs_done };
	size_t nu = (size_t)hdr[0], ni = (size_t)hdr[1], k = (size_t)bm->k;
	blob_writer w;

	blob_writer_init(&w, out);
	blob_put(&w, bpr_magic, sizeof bpr_magic);
	blob_put(&w, hdr, sizeof hdr);
	blob_put(&w, bm->p, nu * k * sizeof(float));
	blob_put(&w, bm->q, ni * k * sizeof(float));
	blob_put(&w, bm->b, ni * sizeof(float));
	return blob_writer_finish(&w, "bpr", err);
}

static model *
bpr_load(const dataset *ds, const interactions *train, const double *params,
    const void *data, size_t len, rf_error *err)
{
	int32_t hdr[4];
	blob_reader r;
	bpr_model *bm;
	size_t nu, ni, k;

	if (model_check_saved_params(&model_bpr_ops, params, err) < 0)
		return NULL;
	if (blob_reader_init(&r, "bpr", data, len, bpr_magic,
	    sizeof bpr_magic, err) < 0 ||
	    blob_get(&r, hdr, sizeof hdr) < 0 ||
	    blob_match(&r, "users", hdr[0], train->n_users) < 0 ||
	    blob_match(&r, "items", hdr[1], train->n_items) < 0 ||
	    blob_match(&r, "factors", hdr[2],
	    (int32_t)floor(params[BPR_FACTORS] + 0.5)) < 0)
		return NULL;
	nu = (size_t)hdr[0];
	ni = (size_t)hdr[1];
	k = (size_t)hdr[2];
	if (blob_expect(&r, (nu * k + ni * k + ni) * sizeof(float)) < 0)
		return NULL;
	bm = bpr_alloc(ds, train, params, 0, err);
	if (bm == NULL)
		return NULL;
	if (blob_get(&r, bm->p, nu * k * sizeof(float)) < 0 ||
	    blob_get(&r, bm->q, ni * k * sizeof(float)) < 0 ||
	    blob_get(&r, bm->b, ni * sizeof(float)) < 0 ||
	    model_check_finite(&model_bpr_ops, "user factors", bm->p, nu * k,
	    err) < 0 ||
	    model_check_finite(&model_bpr_ops, "item factors", bm->q, ni * k,
	    err) < 0 ||
	    model_check_finite(&model_bpr_ops, "item biases", bm->b, ni,
	    err) < 0) {
		bpr_free(&bm->base);
		return NULL;
	}
	bm->base.epochs_done = hdr[3];
	return &bm->base;
}

/* `train bpr --search`: the main parameters, one at a time. */
static const model_search bpr_search[] = {
	{ "lr", 4, { 0.01, 0.02, 0.05, 0.1 } },
	{ "reg", 4, { 0.001, 0.005, 0.01, 0.05 } },
	{ NULL, 0, { 0 } }
};

const model_ops model_bpr_ops = {
	.name = "bpr",
	.title = "BPR",
	.help = "BPR-MF: pairwise ranking by SGD on sampled triples "
	    "(Rendle et al. 2009)",
	.kinds = MODEL_TOPN,
	.params = bpr_params,
	.nparams = BPR_NPARAMS,
	.search = bpr_search,
	.default_epochs = BPR_DEFAULT_EPOCHS,
	.create = bpr_create,
	.epoch = bpr_epoch,
	.score_user = bpr_score_user,
	.predict = NULL,
	.explain = NULL,
	.save = bpr_save,
	.load = bpr_load,
	.free = bpr_free,
};
