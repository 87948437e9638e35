/* bpr: Bayesian Personalised Ranking with matrix factorisation (Rendle,
 * Freudenthaler, Gantner, Schmidt-Thieme 2009, "BPR: Bayesian Personalized
 * Ranking from Implicit Feedback").  The score is x_ui = p_u . q_i + b_i;
 * each observed (u, i) with a sampled unobserved j makes a triple, and
 * each triple one SGD step on ln sigma(x_ui - x_uj) - reg/2 |theta|^2
 * (eq. 4; LearnBPR, section 4.3, figure 4).
 *
 * Scale (issue 12: 10 M events, threads, deterministic): an epoch visits
 * every observed pair once, in the block order of distributed SGD
 * (Gemulla, Nijkamp, Haas, Sismanis, "Large-Scale Matrix Factorization
 * with Distributed Stochastic Gradient Descent", KDD 2011).  Users are
 * cut into BPR_STRATA ranges, items into as many strata by their index
 * modulo BPR_STRATA (every stratum a fair sample of the catalogue, popular
 * and rare items alike: strata of consecutive indices made item biases
 * incomparable across strata and cost ml-100k half its NDCG); block
 * (a, b) holds the triples of the users of range a whose positive i lies
 * in stratum b, with the negative j drawn from stratum b too (so j is
 * still uniform over the items, as in LearnBPR).  In sub-epoch s the
 * blocks (a, a + s mod S) share no user and no item, so threads run them
 * at once with no lock and no lost update, each block in a fixed order
 * from its own generator: the factors are bit for bit the same for any
 * number of threads.  Inside a
 * block users come in runs of BPR_USER_RUN consecutive ones (their rows
 * are read in order), the runs in a random order; a user's triples run
 * together (p_u stays in cache) and the item rows of the triples ahead
 * are fetched while the current one is computed. */
#include "engine/models/blob.h"
#include "engine/models/neural.h"
#include "engine/models/registry.h"
#include "engine/core/rng.h"
#include "engine/core/threads.h"

#include <cblas.h>
#include <math.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

enum { BPR_FACTORS, BPR_LR, BPR_REG, BPR_INIT, BPR_THREADS, BPR_DECAY,
	BPR_NEG_POP, BPR_NPARAMS };

/* User and item ranges of the block schedule: fixed, never the thread
 * count, so that results do not depend on it.  4 gives up to 4 threads a
 * block each per sub-epoch; on ml-100k (Protocol B, seeds 42 and 1-4, an
 * earlier form of the schedule) 1, 2, 4 and 8 ranges averaged 0.1768,
 * 0.1766, 0.1755 and 0.1741, 16 ranges 0.1727 (seeds 1-4).  As it is now
 * (strata by index modulo 4, runs of users): 0.1788, 0.1796, 0.1774,
 * 0.1776, 0.1811, mean 0.1789 (0.1766 before the block schedule). */
#define BPR_STRATA	4
#define BPR_MAX_THREADS	BPR_STRATA
#define BPR_USER_RUN	32	/* users stepped in index order, see above */
#define BPR_AHEAD	4	/* triples whose rows are fetched ahead */

static const model_param bpr_params[BPR_NPARAMS] = {
	{ "factors", 64, 1, 1024, 1, 1, "latent factors per user and item" },
	{ "lr", 0.05, 1e-5, 1, 0.005, 0, "SGD learning rate" },
	{ "reg", 0.01, 0, 1, 0.001, 0,
	    "L2 regularisation of the factors and biases a triple touches" },
	{ "init", 0.1, 1e-4, 1, 0.01, 0,
	    "standard deviation of the initial factors" },
	{ "threads", 2, 1, BPR_MAX_THREADS, 1, 1,
	    "threads for the blocks of an epoch (1: none); results do not "
	    "depend on it" },
	{ "decay", -1, -1, 10, 0.01, 0,
	    "learning-rate schedule: epoch e steps at lr / (1 + decay e) "
	    "(-1: from the data's size)" },
	{ "neg_pop", -1, -1, 1, 0.05, 0,
	    "share of negatives drawn in proportion to item popularity, the "
	    "rest uniformly (-1: from the data's size)" },
};

/* Defaults chosen on a validation split carved from Protocol B's train
 * part the same temporal way (bench/bench_neural --val): over lr in
 * {0.02, 0.05, 0.1} x reg in {0.002, 0.01, 0.02} and 20..100 epochs,
 * lr 0.05 / reg 0.01 was best or tied (0.153-0.157 from 40 epochs on);
 * 60 epochs sit on that plateau.  factors 128 gave no gain. */
#define BPR_DEFAULT_EPOCHS 60
#define BPR_MAX_TRIES 64	/* rejection-sampling tries for a negative */

/* One thread's scratch for a block: the order of its runs of users, and
 * one run's triples in the order they are stepped through. */
typedef struct bpr_scratch {
	int32_t *runs;		/* (runs in the largest user range) */
	int32_t *tu, *ti, *tj;	/* (entries of the longest run) */
} bpr_scratch;

typedef struct bpr_model {
	model base;
	int k;
	int nthreads;
	float *p;		/* (n_users, k) user factors */
	float *q;		/* (n_items, k) item factors */
	float *b;		/* (n_items) item biases */
	/* The item strata: every train row kept again sorted by (stratum,
	 * item), so a user's positives in a stratum are one run of it; and
	 * the item of every train entry, stratum by stratum, to draw
	 * negatives by popularity. */
	int32_t *srow;		/* (nnz) */
	int32_t *popnum;	/* (nnz) */
	int64_t pop_start[BPR_STRATA + 1];	/* stratum b's part of it */
	double neg_pop;		/* share of negatives drawn from popnum */
	double decay;		/* of the learning rate, per epoch */
	bpr_scratch scr[BPR_MAX_THREADS];
	/* per block of the epoch, summed in block order at its end so the
	 * reported loss does not depend on the threads either */
	double block_loss[BPR_STRATA * BPR_STRATA];
	int64_t block_done[BPR_STRATA * BPR_STRATA];
} bpr_model;

/* After the last epoch the strata go (the next epoch makes them again). */
static void
bpr_settle(model *m)
{
	bpr_model *bm = (bpr_model *)m;

	free(bm->srow);
	free(bm->popnum);
	bm->srow = bm->popnum = NULL;
}

static void
bpr_free(model *m)
{
	bpr_model *bm = (bpr_model *)m;

	if (bm == NULL)
		return;
	free(bm->p);
	free(bm->q);
	free(bm->b);
	bpr_settle(m);
	for (int t = 0; t < BPR_MAX_THREADS; t++) {
		free(bm->scr[t].runs);
		free(bm->scr[t].tu);
		free(bm->scr[t].ti);
		free(bm->scr[t].tj);
	}
	model_free_header(m);
	free(bm);
}

/*
 * Uniform negatives (LearnBPR) draw each item about nnz / n_items times an
 * epoch.  Where that is large (ml-100k: 48) the popular items are told
 * apart well; where it is small (the 10 M generated log: 14; a uniform
 * 10 M log: 2) a popular item meets a few negatives an epoch, its score
 * wanders, and the top of every ranking with it: validation NDCG@10 0.02
 * against popularity's 0.05 whatever the factors, reg or lr.  Drawing part
 * of the negatives in proportion to popularity (a static form of Rendle
 * and Freudenthaler's oversampling, WSDM 2014) fixes that, and a faster
 * learning-rate decay settles the noise: on the generated log (temporal
 * split, 500 validation users) one half of the negatives by popularity
 * gives 0.11-0.14, with decay 0.3 0.17 after 5 epochs and 0.215 after 20,
 * where decay 0.05 falls back from 0.145 to 0.11 and reg 0.03 stays under
 * 0.16.  Both cost ml-100k (0.174 -> 0.153 at one half by popularity,
 * 0.164 at decay 0.3), so both follow this measure of sparsity: 0 from 40
 * draws an item on (neg_pop 0, decay 0.02: LearnBPR; on ml-100k, seeds 42
 * and 1-4, decay 0.02 averaged 0.1771, 0 and 0.05 0.1755, 0.1 0.1722),
 * 1 at none (neg_pop 0.5, decay 0.3).
 */
double
bpr_sparsity(const interactions *train)
{
	double per_item = train->n_items > 0 ? (double)train->nnz /
	    train->n_items : 0;

	return per_item >= 40 ? 0 : 1 - per_item / 40;
}


/* The item stratum of item i, and where it sorts in a row of srow. */
#define BPR_STRATUM(i)	((i) % BPR_STRATA)

static int64_t
bpr_key(int32_t i, int n_items)
{
	return (int64_t)BPR_STRATUM(i) * n_items + i;
}

/* Items a stratum holds, and the first index of user range r. */
static int
bpr_stratum_size(int n_items, int b)
{
	return (n_items - b + BPR_STRATA - 1) / BPR_STRATA;
}

static int
bpr_range(int n, int r)
{
	return (int)((int64_t)n * r / BPR_STRATA);
}

/* Sort row[0, n) by bpr_key (short rows: insertion sort). */
static void
bpr_sort_row(int32_t *row, int64_t n, int n_items)
{
	for (int64_t x = 1; x < n; x++) {
		int32_t v = row[x];
		int64_t kv = bpr_key(v, n_items), y = x;

		for (; y > 0 && bpr_key(row[y - 1], n_items) > kv; y--)
			row[y] = row[y - 1];
		row[y] = v;
	}
}

/* srow and popnum (see bpr_model); 0, or -1 out of memory. */
static int
bpr_strata(bpr_model *bm, const interactions *t)
{
	int64_t fill[BPR_STRATA];

	for (int u = 0; u < t->n_users; u++) {
		int64_t lo = t->ptr[u], hi = t->ptr[u + 1];

		memcpy(bm->srow + lo, t->idx + lo, (size_t)(hi - lo) *
		    sizeof *bm->srow);
		bpr_sort_row(bm->srow + lo, hi - lo, t->n_items);
	}
	memset(bm->pop_start, 0, sizeof bm->pop_start);
	for (int i = 0; i < t->n_items; i++)
		bm->pop_start[BPR_STRATUM(i) + 1] += t->tptr[i + 1] - t->tptr[i];
	for (int b = 0; b < BPR_STRATA; b++) {
		bm->pop_start[b + 1] += bm->pop_start[b];
		fill[b] = bm->pop_start[b];
	}
	for (int i = 0; i < t->n_items; i++)
		for (int64_t e = t->tptr[i]; e < t->tptr[i + 1]; e++)
			bm->popnum[fill[BPR_STRATUM(i)]++] = i;
	return 0;
}

/* The training state, made at the first epoch (a model loaded to score
 * never holds it) and let go after the last (bpr_settle()). */
static int
bpr_prepare(bpr_model *bm, rf_error *err)
{
	const interactions *t = bm->base.train;

	bm->srow = malloc((size_t)(t->nnz ? t->nnz : 1) * sizeof *bm->srow);
	bm->popnum = malloc((size_t)(t->nnz ? t->nnz : 1) *
	    sizeof *bm->popnum);
	if (bm->srow == NULL || bm->popnum == NULL || bpr_strata(bm, t) < 0) {
		free(bm->srow);
		free(bm->popnum);
		bm->srow = bm->popnum = NULL;
		return rf_fail(err, "bpr: out of memory for the training state "
		    "of %lld entries", (long long)t->nnz);
	}
	return 0;
}

/* Allocate a model with its factors and scratch (the training state
 * comes with the first epoch). */
static bpr_model *
bpr_alloc(const dataset *ds, const interactions *train, const double *params,
    uint64_t seed, rf_error *err)
{
	bpr_model *bm = calloc(1, sizeof *bm);
	size_t nu = (size_t)train->n_users, ni = (size_t)train->n_items;
	size_t longest = 1;
	size_t runs = (size_t)train->n_users / BPR_STRATA / BPR_USER_RUN + 2;
	int ok;

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
	bm->nthreads = (int)bm->base.params[BPR_THREADS];
	if (bm->nthreads < 1)
		bm->nthreads = 1;
	if (bm->nthreads > BPR_MAX_THREADS)
		bm->nthreads = BPR_MAX_THREADS;
	/* the most entries a run of users has (runs start at each range's
	 * first user) */
	for (int a = 0; a < BPR_STRATA; a++) {
		int hi = bpr_range(train->n_users, a + 1);

		for (int u = bpr_range(train->n_users, a); u < hi;
		    u += BPR_USER_RUN) {
			int z = u + BPR_USER_RUN < hi ? u + BPR_USER_RUN : hi;

			if ((size_t)(train->ptr[z] - train->ptr[u]) > longest)
				longest = (size_t)(train->ptr[z] -
				    train->ptr[u]);
		}
	}
	bm->p = rf_calloc_big((nu ? nu : 1) * (size_t)bm->k, sizeof *bm->p);
	bm->q = rf_calloc_big((ni ? ni : 1) * (size_t)bm->k, sizeof *bm->q);
	bm->b = calloc(ni ? ni : 1, sizeof *bm->b);
	bm->neg_pop = bm->base.params[BPR_NEG_POP] >= 0 ?
	    bm->base.params[BPR_NEG_POP] : 0.5 * bpr_sparsity(train);
	bm->decay = bm->base.params[BPR_DECAY] >= 0 ?
	    bm->base.params[BPR_DECAY] : 0.02 + 0.28 * bpr_sparsity(train);
	ok = bm->p && bm->q && bm->b;
	for (int t = 0; ok && t < bm->nthreads; t++) {
		bpr_scratch *s = &bm->scr[t];

		s->runs = malloc(runs * sizeof *s->runs);
		s->tu = malloc(longest * sizeof *s->tu);
		s->ti = malloc(longest * sizeof *s->ti);
		s->tj = malloc(longest * sizeof *s->tj);
		ok = s->runs && s->tu && s->ti && s->tj;
	}
	if (!ok) {
		bpr_free(&bm->base);
		rf_fail(err, "bpr: out of memory for %zu x %zu x %d factors",
		    nu, ni, bm->k);
		return NULL;
	}
	return bm;
}

static model *
bpr_create(const dataset *ds, const interactions *train, const double *params,
    uint64_t seed, rf_error *err)
{
	bpr_model *bm;
	double sd;
	rf_rng rng;

	if (train->n_users <= 0 || train->n_items < 2)
		return rf_fail(err, "bpr: needs users and at least two items"),
		    NULL;
	bm = bpr_alloc(ds, train, params, seed, err);
	if (bm == NULL)
		return NULL;
	/* Uniform on +-sd sqrt(3): the spread `init` asks for, at a tenth of
	 * the cost of normal draws (340 M of them at 10 M events). */
	sd = bm->base.params[BPR_INIT] * sqrt(3.0);
	rf_rng_seed(&rng, seed);
	for (size_t x = 0; x < (size_t)train->n_users * (size_t)bm->k; x++)
		bm->p[x] = (float)(sd * (2 * rf_rng_uniform(&rng) - 1));
	for (size_t x = 0; x < (size_t)train->n_items * (size_t)bm->k; x++)
		bm->q[x] = (float)(sd * (2 * rf_rng_uniform(&rng) - 1));
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

/* Eight partial sums: no reassociation, so -O2 may use the vector lanes
 * without -ffast-math (as in als.c). */
#define BPR_LANES 8

double
bpr_triple_step(model *m, int u, int i, int j, float lr)
{
	bpr_model *bm = (bpr_model *)m;
	const int k = bm->k;
	float *restrict pu = bm->p + (size_t)u * k;
	float *restrict qi = bm->q + (size_t)i * k;
	float *restrict qj = bm->q + (size_t)j * k;
	const float reg = (float)m->params[BPR_REG];
	float sx[BPR_LANES] = { 0 }, sn[BPR_LANES] = { 0 };
	float x, nrm, g, loss;
	int f = 0;

	for (; f + BPR_LANES <= k; f += BPR_LANES)
		for (int l = 0; l < BPR_LANES; l++) {
			float a = pu[f + l], d = qi[f + l] - qj[f + l];

			sx[l] += a * d;
			sn[l] += a * a + qi[f + l] * qi[f + l] +
			    qj[f + l] * qj[f + l];
		}
	for (; f < k; f++) {
		sx[0] += pu[f] * (qi[f] - qj[f]);
		sn[0] += pu[f] * pu[f] + qi[f] * qi[f] + qj[f] * qj[f];
	}
	x = bm->b[i] - bm->b[j];
	nrm = bm->b[i] * bm->b[i] + bm->b[j] * bm->b[j];
	for (int l = 0; l < BPR_LANES; l++) {
		x += sx[l];
		nrm += sn[l];
	}
	loss = x > 0 ? log1pf(expf(-x)) : -x + log1pf(expf(x));
	loss += 0.5f * reg * nrm;
	/* dl/dx = -sigma(-x); the step goes down the gradient of
	 * bpr_triple_loss_grad(), with p_u's old value in the item steps */
	g = 1.0f / (1.0f + expf(x));
	for (f = 0; f < k; f++) {
		float a = pu[f], di = qi[f], dj = qj[f];

		pu[f] = a + lr * (g * (di - dj) - reg * a);
		qi[f] = di + lr * (g * a - reg * di);
		qj[f] = dj + lr * (-g * a - reg * dj);
	}
	bm->b[i] += lr * (g - reg * bm->b[i]);
	bm->b[j] += lr * (-g - reg * bm->b[j]);
	return loss;
}

/* The first position of srow[lo, hi) whose key is at least `key`. */
static int64_t
bpr_row_seek(const int32_t *srow, int64_t lo, int64_t hi, int64_t key,
    int n_items)
{
	while (lo < hi) {
		int64_t mid = lo + (hi - lo) / 2;

		if (bpr_key(srow[mid], n_items) < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The rows and biases a triple's step will touch, asked for early (a
 * macro: see RF_PREFETCH). */
#define BPR_PREFETCH_ITEMS(bm, i, j)					\
	do {								\
		RF_PREFETCH_FLOATS((bm)->q + (size_t)(i) * (bm)->k,	\
		    (bm)->k);						\
		RF_PREFETCH_FLOATS((bm)->q + (size_t)(j) * (bm)->k,	\
		    (bm)->k);						\
		RF_PREFETCH((bm)->b + (i));				\
		RF_PREFETCH((bm)->b + (j));				\
	} while (0)

/* A negative from stratum ib: with probability neg_pop the item of a
 * random train entry of the stratum (items in proportion to their
 * popularity), else a uniform one. */
static int
bpr_negative(const bpr_model *bm, rf_rng *rng, int ib)
{
	int64_t lo = bm->pop_start[ib], n = bm->pop_start[ib + 1] - lo;
	int size = bpr_stratum_size(bm->base.train->n_items, ib);

	if (bm->neg_pop > 0 && n > 0 && rf_rng_uniform(rng) < bm->neg_pop)
		return bm->popnum[lo + (int64_t)rf_rng_below(rng,
		    (uint32_t)n)];
	return ib + BPR_STRATA * (int)rf_rng_below(rng, (uint32_t)size);
}

/* One block of an epoch: the users of range ua whose positives lie in item
 * stratum ua + sub. */
typedef struct bpr_block_job {
	bpr_model *bm;
	int epoch, sub;
	float lr;
	atomic_int next;	/* the next user range to claim */
	atomic_int stop;
	const volatile int *cancel;
} bpr_block_job;

/* Append u's triples of the block to the run's: its positives in stratum
 * ib, shuffled, each with a negative drawn from the stratum (again while u
 * has it; none found: left out).  Returns the run's count. */
static int
bpr_user_triples(const bpr_model *bm, bpr_scratch *sc, rf_rng *rng, int u,
    int ib, int n)
{
	const interactions *t = bm->base.train;
	const int ni = t->n_items, first = n;
	int64_t lo = t->ptr[u], hi = t->ptr[u + 1], a, z;

	a = bpr_row_seek(bm->srow, lo, hi, (int64_t)ib * ni, ni);
	z = bpr_row_seek(bm->srow, a, hi, (int64_t)(ib + 1) * ni, ni);
	for (int64_t e = a; e < z; e++) {
		int c = first + (int)rf_rng_below(rng, (uint32_t)(n - first) +
		    1), j = 0, tries;

		for (tries = 0; tries < BPR_MAX_TRIES; tries++) {
			int64_t at;

			j = bpr_negative(bm, rng, ib);
			at = bpr_row_seek(bm->srow, a, z, bpr_key(j, ni), ni);
			if (at == z || bm->srow[at] != j)
				break;
		}
		if (tries == BPR_MAX_TRIES)
			continue;	/* u has (almost) all of them */
		sc->tu[n] = u;
		sc->ti[n] = sc->ti[c];
		sc->tj[n] = j;
		sc->ti[c] = bm->srow[e];
		n++;
	}
	return n;
}

static void
bpr_block(bpr_block_job *jb, bpr_scratch *sc, int ua)
{
	bpr_model *bm = jb->bm;
	const interactions *t = bm->base.train;
	const int ib = (ua + jb->sub) % BPR_STRATA;
	const int ulo = bpr_range(t->n_users, ua);
	const int uhi = bpr_range(t->n_users, ua + 1);
	const int runs = (uhi - ulo + BPR_USER_RUN - 1) / BPR_USER_RUN;
	double *loss = &bm->block_loss[jb->sub * BPR_STRATA + ua];
	int64_t *done = &bm->block_done[jb->sub * BPR_STRATA + ua];
	rf_rng rng;

	*loss = 0;
	*done = 0;
	if (bpr_stratum_size(t->n_items, ib) < 2)
		return;
	/* The block's own stream: the same numbers whichever thread runs
	 * it and whenever. */
	rf_rng_seed(&rng, bm->base.seed ^ ((uint64_t)(jb->epoch + 1) *
	    0x9E3779B97F4A7C15ULL) ^ ((uint64_t)(jb->sub * BPR_STRATA + ua +
	    1) * 0xC2B2AE3D27D4EB4FULL));
	for (int x = 0; x < runs; x++)
		sc->runs[x] = x;
	for (int x = runs - 1; x > 0; x--) {
		int y = (int)rf_rng_below(&rng, (uint32_t)x + 1), tmp;

		tmp = sc->runs[x];
		sc->runs[x] = sc->runs[y];
		sc->runs[y] = tmp;
	}
	for (int r = 0; r < runs; r++) {
		int first = ulo + sc->runs[r] * BPR_USER_RUN, n = 0;
		int last = first + BPR_USER_RUN < uhi ? first + BPR_USER_RUN :
		    uhi;

		if (jb->cancel && *jb->cancel) {
			atomic_store(&jb->stop, 1);
			return;
		}
		for (int u = first; u < last; u++)
			n = bpr_user_triples(bm, sc, &rng, u, ib, n);
		/* the rows of the triple BPR_AHEAD on are fetched while
		 * this one is computed, across users */
		for (int y = 0; y < n && y < BPR_AHEAD; y++)
			BPR_PREFETCH_ITEMS(bm, sc->ti[y], sc->tj[y]);
		for (int y = 0; y < n; y++) {
			if (y + BPR_AHEAD < n)
				BPR_PREFETCH_ITEMS(bm, sc->ti[y + BPR_AHEAD],
				    sc->tj[y + BPR_AHEAD]);
			*loss += bpr_triple_step(&bm->base, sc->tu[y],
			    sc->ti[y], sc->tj[y], jb->lr);
		}
		*done += n;
	}
}

typedef struct bpr_worker {
	bpr_block_job *jb;
	bpr_scratch *sc;
} bpr_worker;

static void
bpr_worker_main(void *arg)
{
	bpr_worker *w = arg;
	int a;

	while (!atomic_load(&w->jb->stop) &&
	    (a = atomic_fetch_add(&w->jb->next, 1)) < BPR_STRATA)
		bpr_block(w->jb, w->sc, a);
}

static int
bpr_epoch(model *m, int epoch, double *loss, const volatile int *cancel,
    rf_error *err)
{
	bpr_model *bm = (bpr_model *)m;
	const float lr = (float)(m->params[BPR_LR] / (1 + bm->decay * epoch));
	bpr_worker wk[BPR_MAX_THREADS];
	double sum = 0;
	int64_t done = 0;
	int stopped = 0;

	if (m->train->nnz <= 0)
		return rf_fail(err, "bpr: no training interactions");
	if (bm->srow == NULL && bpr_prepare(bm, err) < 0)
		return -1;
	memset(bm->block_loss, 0, sizeof bm->block_loss);
	memset(bm->block_done, 0, sizeof bm->block_done);
	for (int s = 0; s < BPR_STRATA && !stopped; s++) {
		bpr_block_job jb;

		jb.bm = bm;
		jb.epoch = epoch;
		jb.sub = s;
		jb.lr = lr;
		jb.cancel = cancel;
		atomic_init(&jb.next, 0);
		atomic_init(&jb.stop, 0);
		for (int t = 0; t < bm->nthreads; t++) {
			wk[t].jb = &jb;
			wk[t].sc = &bm->scr[t];
		}
		/* One level of threads (engine/core/threads.h). */
		rf_parallel(bm->nthreads, bpr_worker_main, wk, sizeof wk[0]);
		stopped = atomic_load(&jb.stop);
	}
	for (int x = 0; x < BPR_STRATA * BPR_STRATA; x++) {
		sum += bm->block_loss[x];
		done += bm->block_done[x];
	}
	*loss = done ? sum / (double)done : 0;
	if (stopped || (cancel && *cancel))
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

/* The same for a block of users and the items [lo, hi): b copied into
 * every row, then one sgemm of their rows of P by those of Q. */
static void
bpr_score_users(const model *m, const int32_t *users, int n, int lo, int hi,
    float *out)
{
	const bpr_model *bm = (const bpr_model *)m;
	const model_factor_tables ft = { bm->p, bm->q, bm->b,
	    m->train->n_users, bm->k, bm->k };

	model_score_factor_block(&ft, users, n, lo, hi, out);
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
	{ "lr", 4, { 0.01, 0.02, 0.05, 0.1 }, 0 },
	{ "reg", 4, { 0.001, 0.005, 0.01, 0.05 }, 0 },
	{ NULL, 0, { 0 }, 0 }
};

const model_ops model_bpr_ops = {
	.name = "bpr",
	.title = "BPR",
	.memory = "(users + items) x factors floats and a bias per item (64 "
	    "factors, 1 M users, 4.3 M items: 1.37 GB); while it trains, 8 "
	    "bytes a training pair more (the rows by stratum, the "
	    "popularity table)",
	.help = "BPR-MF: pairwise ranking by SGD on sampled triples "
	    "(Rendle et al. 2009)",
	.kinds = MODEL_TOPN,
	.params = bpr_params,
	.nparams = BPR_NPARAMS,
	.search = bpr_search,
	.default_epochs = BPR_DEFAULT_EPOCHS,
	.create = bpr_create,
	.epoch = bpr_epoch,
	.settle = bpr_settle,
	.score_user = bpr_score_user,
	.score_users = bpr_score_users,
	.predict = NULL,
	.explain = NULL,
	.save = bpr_save,
	.load = bpr_load,
	.free = bpr_free,
};
