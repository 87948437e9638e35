/* mf: the seed's biased matrix factorisation
 *   r_hat(u, i) = mu + b_u + b_i + p_u . q_i
 * (Koren, Bell, Volinsky 2009, "Matrix factorization techniques for
 * recommender systems", eq. 4; the seed writes it q_u . p_i), fitted by
 * Funk's stochastic gradient descent on the regularised squared error
 * (ibid. eq. 5) over the training ratings in a shuffled order.
 *
 * Speed is the point of the layout: the ratings live as packed (u, i, r)
 * triples, reshuffled in place every epoch run by run (see MF_RUN) so no
 * index indirection or function call sits in the loop, and the factors
 * as row-major float rows padded to a multiple of MF_LANES so the two
 * loops over k of one update are fixed-width blocks that gcc and clang
 * vectorise at plain -O2 (the dot product keeps MF_LANES partial sums, so
 * no reassociation of a float reduction is needed, and the result is the
 * same on every build). */
#include "engine/models/blob.h"
#include "engine/models/model.h"
#include "engine/models/rating_grad.h"
#include "engine/models/rating_sgd.h"
#include "engine/models/registry.h"
#include "engine/core/rng.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MF_LANES	8
#define MF_MAGIC	0x31464d52u	/* "RMF1" */
#define MF_VERSION	1u
/* Factor bytes one block of the rating grid may touch: big problems are
 * cut into a G x G grid of user ranges x item ranges (as LIBMF does for
 * its threads, Chin et al. 2015) so that a block's rows stay in L2 while
 * its ratings are visited; small ones (ml-100k) are one block. */
#ifndef MF_CACHE_BYTES
#define MF_CACHE_BYTES	(768 * 1024)
#endif
/* Within a grid block the ratings are shuffled once at create; each epoch
 * then cuts the block into runs of MF_RUN ratings at a random offset,
 * visits the runs in a random order and shuffles each run in place
 * before its SGD pass.  A run is a few KB, so the reshuffle stays in L1
 * where a full Fisher-Yates over the block costs a cache miss per rating
 * (a fifth of the epoch on ml-100k); the moving offset lets ratings drift
 * between runs over the epochs.  A run is also the unit between two looks
 * at the cancel flag. */
#define MF_RUN	1024

enum {
	MF_FACTORS, MF_LR, MF_DECAY, MF_REG, MF_REG_BIAS, MF_REG_N,
	MF_REG_BIAS_N, MF_INIT_STD, MF_NPARAMS
};

/* Defaults: chosen by a random then a local search on a validation fifth
 * carved (seeded) out of u1.base, never on the u*.test files, under the
 * budget of 0.05 s per ml-100k fold (15 epochs; k = 48 matched k = 64 on
 * the validation fifth at three quarters of the cost); then checked
 * once on u1..u5 (bench/protocol_a).  A large decaying step from small
 * factors (Funk's incremental flavour) beat longer, slower schedules. */
static const model_param mf_params[MF_NPARAMS] = {
	{ "factors", 48, 1, 1024, 1, 1, "latent dimension k" },
	{ "lr", 0.05, 1e-5, 1, 0.005, 0, "SGD learning rate at epoch 0" },
	{ "lr_decay", 0.88, 0.5, 1, 0.01, 0,
	    "learning rate multiplier per epoch" },
	{ "reg", 0.065, 0, 10, 0.005, 0,
	    "L2 penalty on the factors, per rating" },
	{ "reg_bias", 0.02, 0, 10, 0.005, 0,
	    "L2 penalty on the biases, per rating" },
	{ "reg_n", 0, 0, 100, 0.1, 0,
	    "L2 penalty on the factors, per user/item" },
	{ "reg_bias_n", 2.5, 0, 100, 0.5, 0,
	    "L2 penalty on the biases, per user/item" },
	{ "init_std", 0.02, 0, 1, 0.005, 0,
	    "std. deviation of the initial factors" },
};

/* Per-rating L2 weights of one user or item: reg + reg_n / n, so that the
 * penalty summed over its n ratings is reg n |x|^2 + reg_n |x|^2, a mix of
 * the per-rating weighting SGD implies and the per-entity one of Koren's
 * baseline estimates (2010, eq. 3). */
typedef struct mf_reg {
	float f, b;	/* factors, bias */
} mf_reg;

typedef struct mf_model {
	model h;
	int k, kpad;
	double mu;
	float *bu, *bi;		/* (n_users), (n_items) */
	float *P, *Q;		/* (n_users, kpad), (n_items, kpad) */
	mf_reg *ureg, *ireg;	/* (n_users), (n_items) */
	rating_triple *tr;		/* (nnz) training ratings, shuffled */
	int64_t ntr;
	int grid;		/* G: the grid is G x G blocks */
	int64_t *boff;		/* (G*G + 1) start of each block in tr */
	int32_t *border;	/* (G*G) visiting order of the blocks */
	int32_t *rorder;	/* visiting order of one block's runs */
} mf_model;

static void
mf_free(model *mm)
{
	mf_model *m = (mf_model *)mm;

	if (m == NULL)
		return;
	free(m->bu);
	free(m->bi);
	free(m->P);
	free(m->Q);
	free(m->tr);
	free(m->boff);
	free(m->border);
	free(m->rorder);
	free(m->ureg);
	free(m->ireg);
	model_free_header(&m->h);
	free(m);
}

/* Allocate a model of the right shape with zeroed parameters. */
static mf_model *
mf_alloc(const dataset *ds, const interactions *train, const double *params,
    uint64_t seed, rf_error *err)
{
	mf_model *m = calloc(1, sizeof *m);
	size_t nu = (size_t)train->n_users, ni = (size_t)train->n_items;

	if (m == NULL) {
		rf_fail(err, "mf: out of memory");
		return NULL;
	}
	if (model_init_header(&m->h, &model_mf_ops, ds, train, params, seed,
	    err) < 0) {
		free(m);
		return NULL;
	}
	m->k = (int)m->h.params[MF_FACTORS];
	m->kpad = (m->k + MF_LANES - 1) / MF_LANES * MF_LANES;
	/* The factors and biases; the packed ratings come on top (16 bytes
	 * an entry, a generous bound). */
	if (model_check_room(&m->h, ((nu + ni) * (uint64_t)m->kpad +
	    4 * (nu + ni)) * sizeof(float) + 16 * (uint64_t)train->nnz,
	    MF_FACTORS, (nu + ni) * sizeof(float), 1, err) < 0) {
		mf_free(&m->h);
		return NULL;
	}
	m->bu = calloc(nu ? nu : 1, sizeof *m->bu);
	m->bi = calloc(ni ? ni : 1, sizeof *m->bi);
	m->P = calloc(nu * (size_t)m->kpad + 1, sizeof *m->P);
	m->Q = calloc(ni * (size_t)m->kpad + 1, sizeof *m->Q);
	m->ureg = calloc(nu ? nu : 1, sizeof *m->ureg);
	m->ireg = calloc(ni ? ni : 1, sizeof *m->ireg);
	if (!m->bu || !m->bi || !m->P || !m->Q || !m->ureg || !m->ireg) {
		mf_free(&m->h);
		rf_fail(err, "mf: out of memory for %zu x %zu x %d factors",
		    nu, ni, m->k);
		return NULL;
	}
	return m;
}

static void
mf_reg_of(mf_reg *r, int64_t n, const double *params)
{
	double inv = n > 0 ? 1.0 / (double)n : 1.0;

	r->f = (float)(params[MF_REG] + params[MF_REG_N] * inv);
	r->b = (float)(params[MF_REG_BIAS] + params[MF_REG_BIAS_N] * inv);
}

static int
mf_block_of(const mf_model *m, int u, int i)
{
	const interactions *t = m->h.train;
	int gu = (int)((int64_t)u * m->grid / t->n_users);
	int gi = (int)((int64_t)i * m->grid / t->n_items);

	return gu * m->grid + gi;
}

/* The training ratings as packed triples, grouped by grid block (a
 * counting sort) and shuffled within each block; each epoch then visits
 * the blocks in a new order and reshuffles them run by run. */
static int
mf_build_triples(mf_model *m, rf_error *err)
{
	const interactions *t = m->h.train;
	double bytes = ((double)t->n_users + t->n_items) * m->kpad *
	    sizeof(float);
	int64_t nb, *next, maxruns = 1;
	rf_rng rng;

	m->ntr = t->nnz;
	m->grid = 1;
	while (bytes / m->grid > MF_CACHE_BYTES && m->grid < 256)
		m->grid++;
	nb = (int64_t)m->grid * m->grid;
	m->tr = malloc((size_t)(t->nnz ? t->nnz : 1) * sizeof *m->tr);
	m->boff = calloc((size_t)nb + 1, sizeof *m->boff);
	m->border = malloc((size_t)nb * sizeof *m->border);
	next = malloc((size_t)nb * sizeof *next);
	if (m->tr == NULL || m->boff == NULL || m->border == NULL ||
	    next == NULL) {
		free(next);
		return rf_fail(err, "mf: out of memory for %lld ratings",
		    (long long)t->nnz);
	}
	for (int u = 0; u < t->n_users; u++)
		for (int64_t p = t->ptr[u]; p < t->ptr[u + 1]; p++)
			m->boff[mf_block_of(m, u, t->idx[p]) + 1]++;
	for (int64_t b = 0; b < nb; b++) {
		m->boff[b + 1] += m->boff[b];
		next[b] = m->boff[b];
		m->border[b] = (int32_t)b;
	}
	for (int u = 0; u < t->n_users; u++)
		for (int64_t p = t->ptr[u]; p < t->ptr[u + 1]; p++) {
			rating_triple *x = &m->tr[next[mf_block_of(m, u,
			    t->idx[p])]++];

			x->u = u;
			x->i = t->idx[p];
			x->r = t->val[p];
		}
	free(next);
	m->mu = rating_mean(t);
	rf_rng_seed(&rng, m->h.seed ^ 0x6d665f7472697073ULL);
	for (int64_t b = 0; b < nb; b++) {
		int64_t n = m->boff[b + 1] - m->boff[b];

		rating_shuffle_triples(m->tr + m->boff[b], n, &rng);
		if (n / MF_RUN + 2 > maxruns)
			maxruns = n / MF_RUN + 2;
	}
	m->rorder = malloc((size_t)maxruns * sizeof *m->rorder);
	if (m->rorder == NULL)
		return rf_fail(err, "mf: out of memory");
	for (int u = 0; u < t->n_users; u++)
		mf_reg_of(&m->ureg[u], t->ptr[u + 1] - t->ptr[u], m->h.params);
	for (int i = 0; i < t->n_items; i++)
		mf_reg_of(&m->ireg[i],
		    t->tptr != NULL ? t->tptr[i + 1] - t->tptr[i] : 1,
		    m->h.params);
	return 0;
}

static model *
mf_create(const dataset *ds, const interactions *train, const double *params,
    uint64_t seed, rf_error *err)
{
	mf_model *m = mf_alloc(ds, train, params, seed, err);

	if (m == NULL)
		return NULL;
	if (mf_build_triples(m, err) < 0) {
		mf_free(&m->h);
		return NULL;
	}
	rating_init_factors(m->P, m->Q, train, m->k, m->kpad,
	    m->h.params[MF_INIT_STD], seed);
	return &m->h;
}

double
mf_learning_rate(const model *mm, int epoch)
{
	return rating_learning_rate(mm->params[MF_LR], mm->params[MF_DECAY],
	    epoch);
}

/* One SGD step on one rating (Koren et al. 2009, the updates after eq. 5,
 * the factor step written as p <- (1 - lr reg_u) p + lr e q).  Two fixed-
 * width loops over k; inlined, and restrict on the parameters tells the
 * compiler p and q never overlap.  Returns the error before the step. */
static inline float
mf_sgd_step(float *restrict p, float *restrict q, float *restrict bu,
    float *restrict bi, int kpad, float r, float mu, float lr,
    const mf_reg *ur, const mf_reg *ir)
{
	const float su = 1.0f - lr * ur->f, si = 1.0f - lr * ir->f;
	float acc[MF_LANES] = { 0 };
	float dot, e, le;

	for (int b = 0; b < kpad; b += MF_LANES)
		for (int j = 0; j < MF_LANES; j++)
			acc[j] += p[b + j] * q[b + j];
	dot = ((acc[0] + acc[4]) + (acc[1] + acc[5])) +
	    ((acc[2] + acc[6]) + (acc[3] + acc[7]));
	e = r - (mu + *bu + *bi + dot);
	*bu += lr * (e - ur->b * *bu);
	*bi += lr * (e - ir->b * *bi);
	le = lr * e;
	for (int b = 0; b < kpad; b += MF_LANES)
		for (int j = 0; j < MF_LANES; j++) {
			const float pv = p[b + j], qv = q[b + j];

			p[b + j] = su * pv + le * qv;
			q[b + j] = si * qv + le * pv;
		}
	return e;
}

/* Rows of the ratings MF_AHEAD places ahead are requested early, so that
 * their cache misses overlap the arithmetic of the current ones. */
#ifndef MF_AHEAD
#define MF_AHEAD	4
#endif


/* SGD over tr[0..n); returns the sum of squared errors seen. */
static double
mf_sgd_run(const rating_triple *restrict tr, int64_t n, int kpad, float mu,
    float lr, const mf_reg *restrict ureg, const mf_reg *restrict ireg,
    float *restrict bu, float *restrict bi, float *restrict P,
    float *restrict Q)
{
	double sse = 0;

	for (int64_t t = 0; t < n; t++) {
		const int u = tr[t].u, i = tr[t].i;
		float e;

		if (t + MF_AHEAD < n) {
			RF_PREFETCH_FLOATS(P + (size_t)tr[t + MF_AHEAD].u *
			    kpad, kpad);
			RF_PREFETCH_FLOATS(Q + (size_t)tr[t + MF_AHEAD].i *
			    kpad, kpad);
		}
		e = mf_sgd_step(P + (size_t)u * kpad,
		    Q + (size_t)i * kpad, bu + u, bi + i, kpad, tr[t].r, mu,
		    lr, ureg + u, ireg + i);

		sse += (double)e * e;
	}
	return sse;
}

/* The penalty part of the objective at the current parameters, each
 * rating's terms summed over the ratings (so it matches the per-rating
 * regularised loss of eq. 5 averaged over the epoch). */
static double
mf_penalty(const mf_model *m)
{
	const interactions *t = m->h.train;
	double s = 0;

	for (int u = 0; u < t->n_users; u++) {
		double n = (double)(t->ptr[u + 1] - t->ptr[u]);

		if (n > 0)
			s += n * (m->ureg[u].f * rating_sumsq(m->P +
			    (size_t)u * m->kpad, (size_t)m->kpad) +
			    m->ureg[u].b * m->bu[u] * m->bu[u]);
	}
	for (int i = 0; i < t->n_items && t->tptr != NULL; i++) {
		double n = (double)(t->tptr[i + 1] - t->tptr[i]);

		if (n > 0)
			s += n * (m->ireg[i].f * rating_sumsq(m->Q +
			    (size_t)i * m->kpad, (size_t)m->kpad) +
			    m->ireg[i].b * m->bi[i] * m->bi[i]);
	}
	return s;
}

static int
mf_epoch(model *mm, int epoch, double *loss, const volatile int *cancel,
    rf_error *err)
{
	mf_model *m = (mf_model *)mm;
	const float lr = (float)mf_learning_rate(mm, epoch);
	double sse = 0;
	rf_rng rng;

	(void)err;
	/* The epoch's order depends only on the seed and the epoch number
	 * (and the epochs before it). */
	rating_epoch_rng(&rng, mm->seed, epoch);
	rating_shuffle_i32(m->border, (int64_t)m->grid * m->grid, &rng);
	for (int64_t b = 0; b < (int64_t)m->grid * m->grid; b++) {
		const int64_t lo = m->boff[m->border[b]];
		const int64_t hi = m->boff[m->border[b] + 1];
		int64_t off, nruns;

		if (hi == lo)
			continue;
		/* Run 0 is [lo, lo + off), run j > 0 starts at
		 * lo + off + (j - 1) MF_RUN. */
		off = hi - lo > MF_RUN ? (int64_t)rf_rng_below(&rng, MF_RUN) : 0;
		nruns = 1 + (hi - lo - off + MF_RUN - 1) / MF_RUN;
		for (int64_t j = 0; j < nruns; j++)
			m->rorder[j] = (int32_t)j;
		rating_shuffle_i32(m->rorder, nruns, &rng);
		for (int64_t j = 0; j < nruns; j++) {
			int64_t s = m->rorder[j] == 0 ? lo :
			    lo + off + (int64_t)(m->rorder[j] - 1) * MF_RUN;
			int64_t e = m->rorder[j] == 0 ? lo + off :
			    s + MF_RUN < hi ? s + MF_RUN : hi;

			if (cancel != NULL && *cancel)
				return 1;
			rating_shuffle_triples(m->tr + s, e - s, &rng);
			sse += mf_sgd_run(m->tr + s, e - s, m->kpad,
			    (float)m->mu, lr, m->ureg, m->ireg, m->bu, m->bi,
			    m->P, m->Q);
		}
	}
	if (loss != NULL)
		*loss = m->ntr ? (sse + mf_penalty(m)) / (double)m->ntr : 0;
	mm->epochs_done = epoch + 1;
	return 0;
}

static void
mf_score_user(const model *mm, int u, float *out)
{
	const mf_model *m = (const mf_model *)mm;

	rating_score(m->mu, m->bu[u], m->bi, mm->train->n_items, m->Q,
	    m->kpad, m->P + (size_t)u * m->kpad, out);
}

static double
mf_predict(const model *mm, int u, int i)
{
	const mf_model *m = (const mf_model *)mm;

	return rating_predict(mm, m->mu, m->bu[u], m->bi[i],
	    m->P + (size_t)u * m->kpad, m->Q + (size_t)i * m->kpad, m->k);
}

/* MF has no exact per-history-item decomposition; as its reasons we give
 * the rated items closest to i in factor space (cosine of q_i, q_j, the
 * weight), signed and scaled by how far the user's rating of j sat above
 * what the biases predicted (the contribution). */
static int
mf_explain(const model *mm, int u, int i, explain_term *terms, int max)
{
	const mf_model *m = (const mf_model *)mm;
	const interactions *t = mm->train;
	const float *qi = m->Q + (size_t)i * m->kpad;
	double ni = sqrt(rating_sumsq(qi, (size_t)m->kpad));
	int64_t n = t->ptr[u + 1] - t->ptr[u];
	explain_term *all;
	int cnt = 0;

	if (max <= 0 || n == 0 || ni == 0)
		return 0;
	all = malloc((size_t)n * sizeof *all);
	if (all == NULL)
		return 0;
	for (int64_t p = t->ptr[u]; p < t->ptr[u + 1]; p++) {
		int j = t->idx[p];
		const float *qj = m->Q + (size_t)j * m->kpad;
		double d = 0, nj = sqrt(rating_sumsq(qj, (size_t)m->kpad));

		if (j == i || nj == 0)
			continue;
		for (int f = 0; f < m->k; f++)
			d += (double)qi[f] * qj[f];
		all[cnt].item = j;
		all[cnt].weight = d / (ni * nj);
		all[cnt].contribution = all[cnt].weight *
		    (t->val[p] - (m->mu + m->bu[u] + m->bi[j]));
		cnt++;
	}
	cnt = model_keep_top_terms(all, cnt, terms, max);
	free(all);
	return cnt;
}

/* Blob: magic, version, n_users, n_items, k, kpad (uint32 each), mu
 * (double), then bu, bi, P, Q as floats, host byte order. */
static const uint32_t mf_magic[2] = { MF_MAGIC, MF_VERSION };

typedef struct mf_blob_head {
	uint32_t n_users, n_items, k, kpad;
	double mu;
} mf_blob_head;

static int
mf_save(const model *mm, rf_buf *out, rf_error *err)
{
	const mf_model *m = (const mf_model *)mm;
	size_t nu = (size_t)mm->train->n_users, ni = (size_t)mm->train->n_items;
	mf_blob_head h = { (uint32_t)nu, (uint32_t)ni, (uint32_t)m->k,
	    (uint32_t)m->kpad, m->mu };
	blob_writer w;

	blob_writer_init(&w, out);
	rating_save_biases(&w, mf_magic, &h, sizeof h, m->bu, m->bi, nu, ni);
	blob_put(&w, m->P, nu * m->kpad * sizeof *m->P);
	blob_put(&w, m->Q, ni * m->kpad * sizeof *m->Q);
	return blob_writer_finish(&w, "mf", err);
}

static model *
mf_load(const dataset *ds, const interactions *train, const double *params,
    const void *data, size_t len, rf_error *err)
{
	mf_blob_head h;
	blob_reader r;
	mf_model *m;
	size_t nu, ni;

	if (model_check_saved_params(&model_mf_ops, params, err) < 0)
		return NULL;
	if (rating_load_head(&r, "mf", data, len, mf_magic, &h, sizeof h,
	    train, err) < 0 || rating_check_mean("mf", h.mu, err) < 0)
		return NULL;
	nu = h.n_users;
	ni = h.n_items;
	m = mf_alloc(ds, train, params, 0, err);
	if (m == NULL)
		return NULL;
	if (blob_match(&r, "factors", h.k, m->k) < 0 ||
	    blob_match(&r, "padded factors", h.kpad, m->kpad) < 0 ||
	    blob_expect(&r, (nu + ni) * sizeof(float) +
	    (nu + ni) * (size_t)h.kpad * sizeof(float)) < 0 ||
	    blob_get(&r, m->bu, nu * sizeof *m->bu) < 0 ||
	    blob_get(&r, m->bi, ni * sizeof *m->bi) < 0 ||
	    blob_get(&r, m->P, nu * h.kpad * sizeof *m->P) < 0 ||
	    blob_get(&r, m->Q, ni * h.kpad * sizeof *m->Q) < 0 ||
	    rating_check_finite(&model_mf_ops, m->bu, nu, m->bi, ni, err) < 0 ||
	    model_check_finite(&model_mf_ops, "user factors", m->P,
	    nu * h.kpad, err) < 0 ||
	    model_check_finite(&model_mf_ops, "item factors", m->Q,
	    ni * h.kpad, err) < 0) {
		mf_free(&m->h);
		return NULL;
	}
	m->mu = h.mu;
	if (mf_build_triples(m, err) < 0) {
		mf_free(&m->h);
		return NULL;
	}
	return &m->h;
}

int
mf_factors(const model *mm, rating_factors *f)
{
	const mf_model *m = (const mf_model *)mm;

	if (mm->ops != &model_mf_ops)
		return -1;
	f->mu = m->mu;
	f->k = m->k;
	f->kpad = m->kpad;
	f->bu = m->bu;
	f->bi = m->bi;
	f->P = m->P;
	f->Q = m->Q;
	f->Y = NULL;
	return 0;
}

void
mf_rating_regs(const model *mm, int u, int i, double reg[4])
{
	const mf_model *m = (const mf_model *)mm;

	reg[0] = m->ureg[u].b;
	reg[1] = m->ireg[i].b;
	reg[2] = m->ureg[u].f;
	reg[3] = m->ireg[i].f;
}

double
mf_rating_loss_grad(int k, double mu, double r, const double reg[4],
    const double *theta, double *grad)
{
	const double bu = theta[0], bi = theta[1];
	const double *p = theta + 2, *q = theta + 2 + k;
	double pred = mu + bu + bi, e, loss;

	for (int f = 0; f < k; f++)
		pred += p[f] * q[f];
	e = r - pred;
	loss = e * e + reg[0] * bu * bu + reg[1] * bi * bi;
	grad[0] = -2 * e + 2 * reg[0] * bu;
	grad[1] = -2 * e + 2 * reg[1] * bi;
	for (int f = 0; f < k; f++) {
		loss += reg[2] * p[f] * p[f] + reg[3] * q[f] * q[f];
		grad[2 + f] = -2 * e * q[f] + 2 * reg[2] * p[f];
		grad[2 + k + f] = -2 * e * p[f] + 2 * reg[3] * q[f];
	}
	return loss;
}

/* `train mf --search`: the main parameters, one at a time. */
static const model_search mf_search[] = {
	{ "reg", 5, { 0.02, 0.04, 0.065, 0.1, 0.15 }, 0 },
	{ "factors", 4, { 16, 48, 100, 200 }, 0 },
	{ NULL, 0, { 0 }, 0 }
};

const model_ops model_mf_ops = {
	.name = "mf",
	.title = "MF",
	.help = "biased matrix factorisation by SGD (Koren, Bell, Volinsky 2009)",
	.memory = "(users + items) x factors floats (rounded up to 8) and a bias "
	    "and two weights per user and item; 12 bytes a training pair "
	    "more while it trains (the pairs in blocks)",
	.kinds = MODEL_RATING | MODEL_TOPN,
	.traits = MODEL_LOAD_TRANSPOSE,	/* its items' regularisation */
	.params = mf_params,
	.nparams = MF_NPARAMS,
	.search = mf_search,
	.default_epochs = 15,
	.create = mf_create,
	.epoch = mf_epoch,
	.score_user = mf_score_user,
	.predict = mf_predict,
	.explain = mf_explain,
	.save = mf_save,
	.load = mf_load,
	.free = mf_free,
};
