/* svdpp: SVD++ (Koren 2008, "Factorization meets the neighborhood: a
 * multifaceted collaborative filtering model", eq. 15)
 *   r_hat(u, i) = mu + b_u + b_i
 *       + q_i . (p_u + |N(u)|^-1/2 sum_{j in N(u)} y_j)
 * with N(u) the items u rated in the training data, fitted by SGD.
 *
 * The efficient schedule (the standard trick; a deviation from Koren's
 * per-rating updates, which touch every y_j of N(u) on each rating and
 * cost O(sum_u |N(u)|^2) per epoch): users are visited in a shuffled
 * order; for each user the implicit sum z_u = |N(u)|^-1/2 sum_j y_j is
 * computed once, held fixed while the user's ratings are visited in a
 * shuffled order (b_u, b_i, p_u, q_i updated per rating as in eq. 15's
 * rules), and the gradient sum_r e_r q_i is accumulated; at the end of
 * the user each y_j of N(u) takes one step
 *   y_j <- y_j + lr (|N(u)|^-1/2 sum_r e_r q_i - reg_y y_j).
 * That is exact gradient descent, user by user, on the objective with the
 * y penalty counted once per (user, implicit item) pair rather than once
 * per rating: sum_r e_r^2 + ... + reg_y sum_u sum_{j in N(u)} |y_j|^2.
 * An epoch costs O(nnz k), about twice biased MF. */
#include "engine/models/blob.h"
#include "engine/models/model.h"
#include "engine/models/rating_grad.h"
#include "engine/models/rating_sgd.h"
#include "engine/models/registry.h"
#include "engine/core/rng.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define SP_LANES	8
#define SP_MAGIC	0x31505352u	/* "RSP1" */
#define SP_VERSION	1u
/* Users between two looks at the cancel flag. */
#define SP_USERS_CHUNK	256

enum {
	SP_FACTORS, SP_LR, SP_DECAY, SP_REG, SP_REG_Y, SP_REG_BIAS,
	SP_REG_BIAS_N, SP_INIT_STD, SP_NPARAMS
};

/* Defaults chosen on a validation fifth carved (seeded) out of u1.base,
 * never on the u*.test files; checked once on u1..u5 (bench/protocol_a). */
static const model_param sp_params[SP_NPARAMS] = {
	{ "factors", 64, 1, 1024, 1, 1, "latent dimension k" },
	{ "lr", 0.04, 1e-5, 1, 0.005, 0, "SGD learning rate at epoch 0" },
	{ "lr_decay", 0.855, 0.5, 1, 0.01, 0,
	    "learning rate multiplier per epoch" },
	{ "reg", 0.1, 0, 10, 0.005, 0,
	    "L2 penalty on p_u and q_i, per rating" },
	{ "reg_y", 0.3, 0, 10, 0.01, 0,
	    "L2 penalty on the implicit factors y_j, per (user, item)" },
	{ "reg_bias", 0.02, 0, 10, 0.005, 0,
	    "L2 penalty on the biases, per rating" },
	{ "reg_bias_n", 4, 0, 100, 0.5, 0,
	    "L2 penalty on the biases, per user/item" },
	{ "init_std", 0.025, 0, 1, 0.005, 0,
	    "std. deviation of the initial factors" },
};

typedef struct sp_pair {
	int32_t i;
	float r;
} sp_pair;

typedef struct sp_model {
	model h;
	int k, kpad;
	double mu;
	float *bu, *bi;		/* (n_users), (n_items) */
	float *ubr, *ibr;	/* (n_users), (n_items) per-rating bias L2 */
	float *P, *Q, *Y;	/* (n_users, kpad), (n_items, kpad) x 2 */
	float *E;		/* (n_users, kpad) p_u + z_u, for scoring */
	sp_pair *pairs;		/* (nnz) each user's ratings, shuffled */
	int32_t *uorder;	/* (n_users) visiting order */
	float *z, *g;		/* (kpad) scratch of epoch() */
} sp_model;

static void
sp_free(model *mm)
{
	sp_model *m = (sp_model *)mm;

	if (m == NULL)
		return;
	free(m->bu);
	free(m->bi);
	free(m->ubr);
	free(m->ibr);
	free(m->P);
	free(m->Q);
	free(m->Y);
	free(m->E);
	free(m->pairs);
	free(m->uorder);
	free(m->z);
	free(m->g);
	model_free_header(&m->h);
	free(m);
}

/* A model of the right shape: zero parameters, the ratings copied. */
static sp_model *
sp_alloc(const dataset *ds, const interactions *train, const double *params,
    uint64_t seed, rf_error *err)
{
	sp_model *m;
	size_t nu = (size_t)train->n_users, ni = (size_t)train->n_items;
	size_t nnz = (size_t)train->nnz, kp;

	if (train->tptr == NULL) {
		rf_fail(err, "svdpp: training matrix has no transpose");
		return NULL;
	}
	m = calloc(1, sizeof *m);
	if (m == NULL) {
		rf_fail(err, "svdpp: out of memory");
		return NULL;
	}
	if (model_init_header(&m->h, &model_svdpp_ops, ds, train, params,
	    seed, err) < 0) {
		free(m);
		return NULL;
	}
	m->k = (int)m->h.params[SP_FACTORS];
	m->kpad = (m->k + SP_LANES - 1) / SP_LANES * SP_LANES;
	kp = (size_t)m->kpad;
	/* P, Q, Y, E and the biases, and the ratings copied. */
	if (model_check_room(&m->h, (2 * (nu + ni) * (uint64_t)kp +
	    4 * (nu + ni)) * sizeof(float) + (nnz + nu) * 8, SP_FACTORS,
	    2 * (nu + ni) * sizeof(float), 1, err) < 0) {
		sp_free(&m->h);
		return NULL;
	}
	m->bu = calloc(nu + 1, sizeof *m->bu);
	m->bi = calloc(ni + 1, sizeof *m->bi);
	m->ubr = calloc(nu + 1, sizeof *m->ubr);
	m->ibr = calloc(ni + 1, sizeof *m->ibr);
	m->P = calloc(nu * kp + 1, sizeof *m->P);
	m->Q = calloc(ni * kp + 1, sizeof *m->Q);
	m->Y = calloc(ni * kp + 1, sizeof *m->Y);
	m->E = calloc(nu * kp + 1, sizeof *m->E);
	m->pairs = malloc((nnz + 1) * sizeof *m->pairs);
	m->uorder = malloc((nu + 1) * sizeof *m->uorder);
	m->z = calloc(kp, sizeof *m->z);
	m->g = calloc(kp, sizeof *m->g);
	if (!m->bu || !m->bi || !m->ubr || !m->ibr || !m->P || !m->Q ||
	    !m->Y || !m->E || !m->pairs || !m->uorder || !m->z || !m->g) {
		sp_free(&m->h);
		rf_fail(err, "svdpp: out of memory for %zu x %zu x %d factors",
		    nu, ni, m->k);
		return NULL;
	}
	for (size_t p = 0; p < nnz; p++) {
		m->pairs[p].i = train->idx[p];
		m->pairs[p].r = train->val[p];
	}
	m->mu = rating_mean(train);
	/* Bias penalty per rating: reg_bias + reg_bias_n / n, so a user's
	 * or item's total is reg_bias n b^2 + reg_bias_n b^2 (the per-entity
	 * part as in Koren's baseline estimates, 2010 eq. 3). */
	for (size_t u = 0; u < nu; u++) {
		int64_t n = train->ptr[u + 1] - train->ptr[u];

		m->uorder[u] = (int32_t)u;
		m->ubr[u] = (float)(m->h.params[SP_REG_BIAS] +
		    m->h.params[SP_REG_BIAS_N] / (double)(n > 0 ? n : 1));
	}
	for (size_t i = 0; i < ni; i++) {
		int64_t n = train->tptr != NULL ?
		    train->tptr[i + 1] - train->tptr[i] : 1;

		m->ibr[i] = (float)(m->h.params[SP_REG_BIAS] +
		    m->h.params[SP_REG_BIAS_N] / (double)(n > 0 ? n : 1));
	}
	return m;
}

/* z = |N(u)|^-1/2 sum_{j in N(u)} y_j (the implicit part of eq. 15). */
static void
sp_implicit_sum(const sp_model *m, int u, float *restrict z)
{
	const interactions *t = m->h.train;
	const int64_t lo = t->ptr[u], hi = t->ptr[u + 1];
	const int kpad = m->kpad;

	memset(z, 0, (size_t)kpad * sizeof *z);
	if (hi == lo)
		return;
	for (int64_t p = lo; p < hi; p++) {
		const float *restrict y = m->Y + (size_t)t->idx[p] * kpad;

		for (int f = 0; f < kpad; f++)
			z[f] += y[f];
	}
	for (int f = 0; f < kpad; f++)
		z[f] *= (float)(1.0 / sqrt((double)(hi - lo)));
}

/* E[u] = p_u + z_u for every user: what scoring and prediction read. */
static void
sp_refresh_effective(sp_model *m)
{
	const int kpad = m->kpad;

	for (int u = 0; u < m->h.train->n_users; u++) {
		float *e = m->E + (size_t)u * kpad;
		const float *p = m->P + (size_t)u * kpad;

		sp_implicit_sum(m, u, e);
		for (int f = 0; f < kpad; f++)
			e[f] += p[f];
	}
}

static model *
sp_create(const dataset *ds, const interactions *train, const double *params,
    uint64_t seed, rf_error *err)
{
	sp_model *m = sp_alloc(ds, train, params, seed, err);

	if (m == NULL)
		return NULL;
	/* Y starts at zero as in Surprise: the implicit part grows from the
	 * data. */
	rating_init_factors(m->P, m->Q, train, m->k, m->kpad,
	    m->h.params[SP_INIT_STD], seed);
	sp_refresh_effective(m);
	return &m->h;
}

double
svdpp_learning_rate(const model *mm, int epoch)
{
	return rating_learning_rate(mm->params[SP_LR], mm->params[SP_DECAY],
	    epoch);
}

/* One rating's SGD step with z fixed: e from eq. 15, then
 *   b_u += lr (e - reg_bu b_u), b_i += lr (e - reg_bi b_i),
 *   g += e q_i, p_u += lr (e q_i - reg p_u),
 *   q_i += lr (e (p_u + z) - reg q_i)
 * (old values on every right-hand side).  Returns e. */
static inline float
sp_sgd_step(float *restrict p, float *restrict q, const float *restrict z,
    float *restrict g, float *restrict bu, float *restrict bi, int kpad,
    float r, float mu, float lr, float shrink, float reg_bu, float reg_bi)
{
	float acc[SP_LANES] = { 0 };
	float dot, e, le;

	for (int b = 0; b < kpad; b += SP_LANES)
		for (int j = 0; j < SP_LANES; j++)
			acc[j] += q[b + j] * (p[b + j] + z[b + j]);
	dot = ((acc[0] + acc[4]) + (acc[1] + acc[5])) +
	    ((acc[2] + acc[6]) + (acc[3] + acc[7]));
	e = r - (mu + *bu + *bi + dot);
	*bu += lr * (e - reg_bu * *bu);
	*bi += lr * (e - reg_bi * *bi);
	le = lr * e;
	for (int b = 0; b < kpad; b += SP_LANES)
		for (int j = 0; j < SP_LANES; j++) {
			const float pv = p[b + j], qv = q[b + j];

			g[b + j] += e * qv;
			p[b + j] = shrink * pv + le * qv;
			q[b + j] = shrink * qv + le * (pv + z[b + j]);
		}
	return e;
}

static void
sp_shuffle_pairs(sp_pair *x, int64_t n, rf_rng *rng)
{
	for (int64_t j = n - 1; j > 0; j--) {
		int64_t r = (int64_t)rf_rng_below(rng, (uint32_t)(j + 1));
		sp_pair t = x[j];

		x[j] = x[r];
		x[r] = t;
	}
}

/* All of one user's ratings, then the user's y_j step. */
static double
sp_train_user(sp_model *m, int u, float lr, rf_rng *rng)
{
	const interactions *t = m->h.train;
	const int64_t lo = t->ptr[u], hi = t->ptr[u + 1];
	const int kpad = m->kpad;
	const float mu = (float)m->mu;
	const float shrink = 1.0f - lr * (float)m->h.params[SP_REG];
	const float yshrink = 1.0f - lr * (float)m->h.params[SP_REG_Y];
	float *restrict z = m->z, *restrict g = m->g;
	float *p = m->P + (size_t)u * kpad;
	float s;
	double sse = 0;

	if (hi == lo)
		return 0;
	sp_implicit_sum(m, u, z);
	memset(g, 0, (size_t)kpad * sizeof *g);
	sp_shuffle_pairs(m->pairs + lo, hi - lo, rng);
	for (int64_t x = lo; x < hi; x++) {
		const int i = m->pairs[x].i;
		float e = sp_sgd_step(p, m->Q + (size_t)i * kpad, z, g,
		    m->bu + u, m->bi + i, kpad, m->pairs[x].r, mu, lr, shrink,
		    m->ubr[u], m->ibr[i]);

		sse += (double)e * e;
	}
	s = (float)(lr / sqrt((double)(hi - lo)));
	for (int64_t x = lo; x < hi; x++) {
		float *restrict y = m->Y + (size_t)t->idx[x] * kpad;

		for (int f = 0; f < kpad; f++)
			y[f] = yshrink * y[f] + s * g[f];
	}
	return sse;
}

/* The penalties of the objective (see the top of the file) at the current
 * parameters. */
static double
sp_penalty(const sp_model *m)
{
	const interactions *t = m->h.train;
	const double reg = m->h.params[SP_REG], reg_y = m->h.params[SP_REG_Y];
	const size_t kp = (size_t)m->kpad;
	double s = 0;

	for (int u = 0; u < t->n_users; u++) {
		double n = (double)(t->ptr[u + 1] - t->ptr[u]);

		s += n * (reg * rating_sumsq(m->P + u * kp, kp) +
		    m->ubr[u] * m->bu[u] * m->bu[u]);
	}
	for (int i = 0; i < t->n_items; i++) {
		double n = (double)(t->tptr[i + 1] - t->tptr[i]);

		s += n * (reg * rating_sumsq(m->Q + i * kp, kp) +
		    m->ibr[i] * m->bi[i] * m->bi[i] +
		    reg_y * rating_sumsq(m->Y + i * kp, kp));
	}
	return s;
}

static int
sp_epoch(model *mm, int epoch, double *loss, const volatile int *cancel,
    rf_error *err)
{
	sp_model *m = (sp_model *)mm;
	const interactions *t = mm->train;
	const float lr = (float)svdpp_learning_rate(mm, epoch);
	double sse = 0;
	rf_rng rng;

	(void)err;
	/* The order depends only on the seed and the epochs so far. */
	rating_epoch_rng(&rng, mm->seed, epoch);
	rating_shuffle_i32(m->uorder, t->n_users, &rng);
	for (int v = 0; v < t->n_users; v++) {
		if (v % SP_USERS_CHUNK == 0 && cancel != NULL && *cancel) {
			sp_refresh_effective(m);
			return 1;
		}
		sse += sp_train_user(m, m->uorder[v], lr, &rng);
	}
	sp_refresh_effective(m);
	if (loss != NULL)
		*loss = t->nnz ? (sse + sp_penalty(m)) / (double)t->nnz : 0;
	mm->epochs_done = epoch + 1;
	return 0;
}

static void
sp_score_user(const model *mm, int u, float *out)
{
	const sp_model *m = (const sp_model *)mm;

	rating_score(m->mu, m->bu[u], m->bi, mm->train->n_items, m->Q,
	    m->kpad, m->E + (size_t)u * m->kpad, out);
}

static double
sp_predict(const model *mm, int u, int i)
{
	const sp_model *m = (const sp_model *)mm;

	return rating_predict(mm, m->mu, m->bu[u], m->bi[i],
	    m->E + (size_t)u * m->kpad, m->Q + (size_t)i * m->kpad, m->k);
}

/* The implicit part of eq. 15 is an exact sum over the history:
 * q_i . y_j / sqrt|N(u)| is what item j adds to the score of i. */
static int
sp_explain(const model *mm, int u, int i, explain_term *terms, int max)
{
	const sp_model *m = (const sp_model *)mm;
	const interactions *t = mm->train;
	const int64_t lo = t->ptr[u], hi = t->ptr[u + 1];
	const float *q = m->Q + (size_t)i * m->kpad;
	explain_term *all;
	double s;
	int cnt = 0;

	if (max <= 0 || hi == lo)
		return 0;
	all = malloc((size_t)(hi - lo) * sizeof *all);
	if (all == NULL)
		return 0;
	s = 1.0 / sqrt((double)(hi - lo));
	for (int64_t p = lo; p < hi; p++) {
		const float *y = m->Y + (size_t)t->idx[p] * m->kpad;
		double d = 0;

		for (int f = 0; f < m->k; f++)
			d += (double)q[f] * y[f];
		all[cnt].item = t->idx[p];
		all[cnt].weight = s;
		all[cnt].contribution = s * d;
		cnt++;
	}
	cnt = model_keep_top_terms(all, cnt, terms, max);
	free(all);
	return cnt;
}

/* Blob: magic, version, n_users, n_items, k, kpad (uint32), mu (double),
 * then bu, bi, P, Q, Y as floats, host byte order. */
static const uint32_t sp_magic[2] = { SP_MAGIC, SP_VERSION };

typedef struct sp_blob_head {
	uint32_t n_users, n_items, k, kpad;
	double mu;
} sp_blob_head;

static int
sp_save(const model *mm, rf_buf *out, rf_error *err)
{
	const sp_model *m = (const sp_model *)mm;
	size_t nu = (size_t)mm->train->n_users, ni = (size_t)mm->train->n_items;
	size_t kp = (size_t)m->kpad;
	sp_blob_head h = { (uint32_t)nu, (uint32_t)ni, (uint32_t)m->k,
	    (uint32_t)m->kpad, m->mu };
	blob_writer w;

	blob_writer_init(&w, out);
	rating_save_biases(&w, sp_magic, &h, sizeof h, m->bu, m->bi, nu, ni);
	blob_put(&w, m->P, nu * kp * sizeof *m->P);
	blob_put(&w, m->Q, ni * kp * sizeof *m->Q);
	blob_put(&w, m->Y, ni * kp * sizeof *m->Y);
	return blob_writer_finish(&w, "svdpp", err);
}

static model *
sp_load(const dataset *ds, const interactions *train, const double *params,
    const void *data, size_t len, rf_error *err)
{
	sp_blob_head h;
	blob_reader r;
	sp_model *m;
	size_t nu, ni, kp;

	if (model_check_saved_params(&model_svdpp_ops, params, err) < 0)
		return NULL;
	if (rating_load_head(&r, "svdpp", data, len, sp_magic, &h, sizeof h,
	    train, err) < 0 || rating_check_mean("svdpp", h.mu, err) < 0)
		return NULL;
	nu = h.n_users;
	ni = h.n_items;
	kp = h.kpad;
	m = sp_alloc(ds, train, params, 0, err);
	if (m == NULL)
		return NULL;
	if (blob_match(&r, "factors", h.k, m->k) < 0 ||
	    blob_match(&r, "padded factors", h.kpad, m->kpad) < 0 ||
	    blob_expect(&r, (nu + ni) * sizeof(float) +
	    (nu + 2 * ni) * kp * sizeof(float)) < 0 ||
	    blob_get(&r, m->bu, nu * sizeof *m->bu) < 0 ||
	    blob_get(&r, m->bi, ni * sizeof *m->bi) < 0 ||
	    blob_get(&r, m->P, nu * kp * sizeof *m->P) < 0 ||
	    blob_get(&r, m->Q, ni * kp * sizeof *m->Q) < 0 ||
	    blob_get(&r, m->Y, ni * kp * sizeof *m->Y) < 0 ||
	    rating_check_finite(&model_svdpp_ops, m->bu, nu, m->bi, ni,
	    err) < 0 ||
	    model_check_finite(&model_svdpp_ops, "user factors", m->P, nu * kp,
	    err) < 0 ||
	    model_check_finite(&model_svdpp_ops, "item factors", m->Q, ni * kp,
	    err) < 0 ||
	    model_check_finite(&model_svdpp_ops, "implicit factors", m->Y,
	    ni * kp, err) < 0) {
		sp_free(&m->h);
		return NULL;
	}
	m->mu = h.mu;
	sp_refresh_effective(m);
	return &m->h;
}

int
svdpp_factors(const model *mm, rating_factors *f)
{
	const sp_model *m = (const sp_model *)mm;

	if (mm->ops != &model_svdpp_ops)
		return -1;
	f->mu = m->mu;
	f->k = m->k;
	f->kpad = m->kpad;
	f->bu = m->bu;
	f->bi = m->bi;
	f->P = m->P;
	f->Q = m->Q;
	f->Y = m->Y;
	return 0;
}

void
svdpp_rating_regs(const model *mm, int u, int i, double reg[5])
{
	const sp_model *m = (const sp_model *)mm;

	reg[0] = m->ubr[u];
	reg[1] = m->ibr[i];
	reg[2] = mm->params[SP_REG];
	reg[3] = mm->params[SP_REG];
	reg[4] = mm->params[SP_REG_Y];
}

double
svdpp_rating_loss_grad(int k, int n, double mu, double r, const double reg[5],
    const double *theta, double *grad)
{
	const double bu = theta[0], bi = theta[1];
	const double *p = theta + 2, *q = theta + 2 + k, *y = theta + 2 + 2 * k;
	const double s = n > 0 ? 1.0 / sqrt((double)n) : 0;
	double pred = mu + bu + bi, e, loss;
	double *gy = grad + 2 + 2 * k;

	/* pred = mu + b_u + b_i + q . (p + s sum_j y_j) */
	for (int f = 0; f < k; f++) {
		double z = 0;

		for (int j = 0; j < n; j++)
			z += y[(size_t)j * k + f];
		pred += q[f] * (p[f] + s * z);
	}
	e = r - pred;
	loss = e * e + reg[0] * bu * bu + reg[1] * bi * bi;
	grad[0] = -2 * e + 2 * reg[0] * bu;
	grad[1] = -2 * e + 2 * reg[1] * bi;
	for (int f = 0; f < k; f++) {
		double z = 0;

		for (int j = 0; j < n; j++)
			z += y[(size_t)j * k + f];
		loss += reg[2] * p[f] * p[f] + reg[3] * q[f] * q[f];
		grad[2 + f] = -2 * e * q[f] + 2 * reg[2] * p[f];
		grad[2 + k + f] = -2 * e * (p[f] + s * z) + 2 * reg[3] * q[f];
	}
	for (int j = 0; j < n; j++)
		for (int f = 0; f < k; f++) {
			double yv = y[(size_t)j * k + f];

			loss += reg[4] * yv * yv;
			gy[(size_t)j * k + f] = -2 * e * s * q[f] +
			    2 * reg[4] * yv;
		}
	return loss;
}

/* `train svdpp --search`: the main parameters, one at a time. */
static const model_search svdpp_search[] = {
	{ "reg", 4, { 0.05, 0.1, 0.15, 0.25 }, 0 },
	{ NULL, 0, { 0 }, 0 }
};

const model_ops model_svdpp_ops = {
	.name = "svdpp",
	.title = "SVD++",
	.help = "SVD++: biased MF plus implicit feedback of rated items "
	    "(Koren 2008, eq. 15)",
	.memory = "(2 users + 2 items) x factors floats (p, q, y and the users' "
	    "implicit sums), biases; 12 bytes a training pair more while it "
	    "trains",
	.kinds = MODEL_RATING | MODEL_TOPN,
	.traits = MODEL_LOAD_TRANSPOSE,
	.params = sp_params,
	.nparams = SP_NPARAMS,
	.search = svdpp_search,
	.default_epochs = 20,
	.create = sp_create,
	.epoch = sp_epoch,
	.score_user = sp_score_user,
	.predict = sp_predict,
	.explain = sp_explain,
	.save = sp_save,
	.load = sp_load,
	.free = sp_free,
};
