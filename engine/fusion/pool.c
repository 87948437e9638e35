/* pool: cached candidate pools, several users' candidates scored once
 * (on up to two threads) and then re-ranked and evaluated after every
 * settings change without scoring a model again.
 *
 * A pool keeps, per user, the union of every model's top-M over the items
 * the user has not seen in train, and each model's raw score and rank among
 * those candidates (float32, CSR-like: user r's block of n_models x len
 * values starts at n_models * ptr[r], model m's row at + m * len).  Moving a
 * weight only re-runs fusion_block_fuse() over the cached values: no model
 * is scored again.  The transformed values (normalised score, 1/(k+rank),
 * Borda points) are cached too and recomputed only when the normalisation
 * or k changes.
 */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "engine/core/threads.h"
#include "engine/eval/metrics.h"
#include "engine/fusion/fusion_priv.h"

/* Growable per-thread output. */
typedef struct pbuf {
	int32_t *item;
	uint16_t *from;
	float *raw;
	size_t n, cap;		/* candidates */
	float *pred, *truth;
	size_t np, pcap;	/* pairs */
	int64_t *len, *plen;	/* per user of the thread's range */
} pbuf;

static int
pbuf_reserve(pbuf *b, int nm, size_t more)
{
	if (b->n + more > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		void *p;

		while (cap < b->n + more)
			cap *= 2;
		if ((p = realloc(b->item, cap * sizeof *b->item)) == NULL)
			return -1;
		b->item = p;
		if ((p = realloc(b->from, cap * sizeof *b->from)) == NULL)
			return -1;
		b->from = p;
		if ((p = realloc(b->raw, cap * nm * sizeof *b->raw)) == NULL)
			return -1;
		b->raw = p;
		b->cap = cap;
	}
	return 0;
}

static int
pbuf_reserve_pairs(pbuf *b, int nm, size_t more)
{
	if (b->np + more > b->pcap) {
		size_t cap = b->pcap ? b->pcap : 1024;
		void *p;

		while (cap < b->np + more)
			cap *= 2;
		if ((p = realloc(b->pred, cap * nm * sizeof *b->pred)) == NULL)
			return -1;
		b->pred = p;
		if ((p = realloc(b->truth, cap * sizeof *b->truth)) == NULL)
			return -1;
		b->truth = p;
		b->pcap = cap;
	}
	return 0;
}

static void
pbuf_free(pbuf *b)
{
	free(b->item);
	free(b->from);
	free(b->raw);
	free(b->pred);
	free(b->truth);
	free(b->len);
	free(b->plen);
}

/* One array from the threads' parts (part[t] of n[t] bytes): the first
 * grown in place, the others appended and freed as they go (set NULL),
 * so that a pool is never held twice.  NULL when out of memory (what is
 * left in part[] is still the caller's). */
static void *
join_parts(void **part, const size_t *n, int nt)
{
	size_t total = 0, at;
	char *out;

	for (int t = 0; t < nt; t++)
		total += n[t];
	if ((out = realloc(part[0], total ? total : 1)) == NULL)
		return NULL;
	part[0] = NULL;
	at = n[0];
	for (int t = 1; t < nt; t++) {
		if (n[t] > 0)
			memcpy(out + at, part[t], n[t]);
		at += n[t];
		free(part[t]);
		part[t] = NULL;
	}
	return out;
}

/* Users whose candidates are taken at once on a long catalogue, and the
 * catalogue's length from which they are (fusion_pool_tiles_from()). */
#define POOL_BLOCK_USERS	256
static int pool_block_from = 65536;

/* Two threads rank or transform a pool from EVAL_SHARE_CELLS values
 * (candidates x models: the work, about 2 ms of it on one core), fewer on
 * one: a thread's start costs tens of microseconds.  By rows (2000 until
 * this) a tune on ml-100k's 943 users, thousands of rankings of a few ms
 * each, ran on one core. */
#define EVAL_SHARE_CELLS (1L << 20)

static int64_t pool_share_cells = EVAL_SHARE_CELLS;

void
fusion_pool_shares_from(int64_t cells)
{
	pool_share_cells = cells >= 0 ? cells : EVAL_SHARE_CELLS;
}

static int
pool_shares(const fusion_pool *p)
{
	return p->nu >= 2 && (int64_t)p->ptr[p->nu] * p->nm >=
	    pool_share_cells ? 2 : 1;
}

void
fusion_pool_tiles_from(int n_items)
{
	pool_block_from = n_items;
}

typedef struct pool_job {
	const fusion *f;
	const interactions *excl, *eval;
	const int32_t *users;
	int from, to, M, preds;
	pbuf out;
	int failed;
} pool_job;

static void
pool_job_run(void *arg)
{
	pool_job *j = arg;
	const fusion *f = j->f;
	int nm = f->n, use_pre = 0, full = 0;
	fusion_scratch s;
	fusion_pre pre;

	j->out.len = calloc((size_t)(j->to - j->from) + 1, sizeof(int64_t));
	j->out.plen = calloc((size_t)(j->to - j->from) + 1, sizeof(int64_t));
	/* A long catalogue: the models that score blocks of users take
	 * their top-M in tiles of a block of users at once (one sgemm a
	 * tile, the item factors read once a block, not once a user); the
	 * others' whole score rows are kept. */
	if (j->excl->n_items >= pool_block_from)
		for (int m = 0; m < nm; m++) {
			if (f->models[m]->ops->score_users != NULL)
				use_pre = 1;
			else
				full = 1;
		}
	if (!use_pre)
		full = 1;
	if (j->out.len == NULL || j->out.plen == NULL ||
	    fusion_scratch_init(&s, nm, j->excl->n_items, j->M, full) < 0) {
		j->failed = 1;
		return;
	}
	if (use_pre) {
		if (fusion_pre_init(&pre, f, POOL_BLOCK_USERS,
		    j->M) < 0) {
			fusion_scratch_free(&s);
			j->failed = 1;
			return;
		}
	}
	for (int r = j->from; r < j->to; r++) {
		int u = j->users[r];
		int len;
		size_t off;

		if (use_pre && (r - j->from) % POOL_BLOCK_USERS == 0) {
			int cnt = j->to - r < POOL_BLOCK_USERS ? j->to - r :
			    POOL_BLOCK_USERS;

			if (fusion_pre_compute(&pre, f, j->excl, j->users + r,
			    cnt) < 0) {
				j->failed = 1;
				break;
			}
		}
		len = use_pre ? fusion_candidates_pre(f, j->excl, u, &pre,
		    (r - j->from) % POOL_BLOCK_USERS, &s) :
		    fusion_candidates(f, j->excl, u, -1, &s, NULL);

		if (pbuf_reserve(&j->out, nm, (size_t)len) < 0) {
			j->failed = 1;
			break;
		}
		off = j->out.n;
		memcpy(j->out.item + off, s.cand,
		    (size_t)len * sizeof(int32_t));
		fusion_candidates_fill(f, &s, len, j->out.raw + off * nm,
		    NULL, j->out.from + off);
		j->out.n += (size_t)len;
		j->out.len[r - j->from] = len;
		if (j->preds && j->eval) {
			int64_t lo = j->eval->ptr[u], hi = j->eval->ptr[u + 1];

			if (pbuf_reserve_pairs(&j->out, nm, (size_t)(hi - lo))
			    < 0) {
				j->failed = 1;
				break;
			}
			for (int64_t p = lo; p < hi; p++) {
				size_t q = j->out.np++;

				for (int m = 0; m < nm; m++)
					j->out.pred[q * nm + m] = (float)
					    f->models[m]->ops->predict(
					    f->models[m], u, j->eval->idx[p]);
				j->out.truth[q] = j->eval->val[p];
			}
			j->out.plen[r - j->from] = hi - lo;
		}
	}
	fusion_scratch_free(&s);
	if (use_pre)
		fusion_pre_free(&pre);
	return;
}

void
fusion_pool_free(fusion_pool *p)
{
	if (p == NULL)
		return;
	free(p->users);
	free(p->row);
	free(p->ptr);
	free(p->item);
	free(p->from);
	free(p->raw);
	free(p->rank);
	free(p->tr);
	for (int k = 0; k < p->n_aside; k++)
		free(p->aside[k].tr);
	free(p->pptr);
	free(p->pred);
	free(p->truth);
	free(p);
}

int
fusion_pool_n_users(const fusion_pool *p)
{
	return p->nu;
}

int64_t
fusion_pool_n_candidates(const fusion_pool *p)
{
	return p->ptr[p->nu];
}

fusion_pool *
fusion_pool_build(const fusion *f, const interactions *exclude,
    const interactions *eval, const int32_t *users, int n_users,
    int threads, rf_error *err)
{
	const interactions *excl = exclude ? exclude : f->models[0]->train;
	fusion_pool *p = calloc(1, sizeof *p);
	pool_job job[2];
	int nt = threads >= 2 ? 2 : 1, nm = f->n;
	int M = f->set.pool_m;
	size_t nc = 0;

	memset(job, 0, sizeof job);
	if (p == NULL)
		goto oom;
	if (excl->n_items != f->models[0]->train->n_items ||
	    (eval && (eval->n_users != excl->n_users ||
	    eval->n_items != excl->n_items))) {
		fusion_pool_free(p);
		rf_fail(err, "fusion: the parts differ in size from the "
		    "models' train part");
		return NULL;
	}
	p->nm = nm;
	p->n_items = excl->n_items;
	p->eval = eval;
	p->key.kind = TR_NONE;
	p->n_asked = 0;
	if ((p->row = malloc(((size_t)excl->n_users + 1) * sizeof *p->row))
	    == NULL)
		goto oom;
	for (int u = 0; u < excl->n_users; u++)
		p->row[u] = -1;
	if (users) {
		if ((p->users = malloc(((size_t)n_users + 1) *
		    sizeof *p->users)) == NULL)
			goto oom;
		for (int r = 0; r < n_users; r++) {
			if (users[r] < 0 || users[r] >= excl->n_users) {
				fusion_pool_free(p);
				rf_fail(err, "fusion: no user %d", users[r]);
				return NULL;
			}
			if (p->row[users[r]] >= 0)
				continue;
			p->row[users[r]] = p->nu;
			p->users[p->nu++] = users[r];
		}
	} else {
		if ((p->users = malloc(((size_t)excl->n_users + 1) *
		    sizeof *p->users)) == NULL)
			goto oom;
		for (int u = 0; u < excl->n_users; u++)
			if (eval == NULL || eval->ptr[u + 1] > eval->ptr[u]) {
				p->row[u] = p->nu;
				p->users[p->nu++] = u;
			}
	}
	if (nt > p->nu)
		nt = p->nu > 0 ? p->nu : 1;
	for (int t = 0; t < nt; t++) {
		job[t].f = f;
		job[t].excl = excl;
		job[t].eval = eval;
		job[t].users = p->users;
		job[t].from = (int)((int64_t)p->nu * t / nt);
		job[t].to = (int)((int64_t)p->nu * (t + 1) / nt);
		job[t].M = M;
		job[t].preds = f->can_predict && eval != NULL;
	}
	/* One level of threads (engine/core/threads.h). */
	rf_parallel(nt, pool_job_run, job, sizeof job[0]);
	for (int t = 0; t < nt; t++) {
		if (job[t].failed)
			goto oom;
		nc += job[t].out.n;
	}
	/* The per-user lengths first (from the threads' counts), then each
	 * array joined (join_parts(): no second copy of the pool). */
	p->ptr = malloc(((size_t)p->nu + 1) * sizeof *p->ptr);
	if (!p->ptr)
		goto oom;
	if (job[0].preds) {
		p->pptr = malloc(((size_t)p->nu + 1) * sizeof *p->pptr);
		if (!p->pptr)
			goto oom;
		p->pptr[0] = 0;
	}
	p->ptr[0] = 0;
	for (int t = 0; t < nt; t++)
		for (int r = job[t].from; r < job[t].to; r++) {
			int64_t len = job[t].out.len[r - job[t].from];

			p->ptr[r + 1] = p->ptr[r] + len;
			if (len > p->maxlen)
				p->maxlen = (int)len;
			if (p->pptr)
				p->pptr[r + 1] = p->pptr[r] +
				    job[t].out.plen[r - job[t].from];
		}
#define JOIN(dst, field, count, per)					\
	do {								\
		void *part_[2];						\
		size_t n_[2];						\
									\
		for (int t = 0; t < nt; t++) {				\
			part_[t] = job[t].out.field;			\
			n_[t] = job[t].out.count * (per) *		\
			    sizeof *job[t].out.field;			\
		}							\
		dst = join_parts(part_, n_, nt);			\
		for (int t = 0; t < nt; t++)				\
			job[t].out.field = part_[t];			\
		if (dst == NULL)					\
			goto oom;					\
	} while (0)
	JOIN(p->item, item, n, 1);
	JOIN(p->from, from, n, 1);
	JOIN(p->raw, raw, n, (size_t)nm);
	if (p->pptr) {
		JOIN(p->pred, pred, np, (size_t)nm);
		JOIN(p->truth, truth, np, 1);
	}
#undef JOIN
	/* written when first transformed */
	if ((p->tr = malloc((nc * nm + 1) * sizeof *p->tr)) == NULL)
		goto oom;
	for (int t = 0; t < nt; t++)
		pbuf_free(&job[t].out);
	return p;
oom:
	for (int t = 0; t < 2; t++)
		pbuf_free(&job[t].out);
	fusion_pool_free(p);
	rf_fail(err, "fusion: out of memory building candidate pools");
	return NULL;
}

/* The transform the settings want. */
static struct pool_tr_key
wanted_key(const fusion *f)
{
	struct pool_tr_key k;

	k.kind = fusion_transform_kind(&f->set);
	k.norm = k.kind == TR_NORM ? (int)f->set.norm : -1;
	k.k = k.kind == TR_RRF ? f->set.rrf_k : 0;
	k.active = fusion_active_models(f);
	return k;
}

static int
same_key(const struct pool_tr_key *a, const struct pool_tr_key *b)
{
	return a->kind == b->kind && a->norm == b->norm && a->k == b->k &&
	    a->active == b->active;
}

/* Is the pool's transform the one the settings want? */
static int
transform_current(const fusion *f, const fusion_pool *p)
{
	struct pool_tr_key want = wanted_key(f);

	return same_key(&p->key, &want);
}

/* Swap the transform in use with the one kept aside in slot k. */
static void
swap_aside(fusion_pool *p, int k)
{
	float *tr = p->tr;
	struct pool_tr_key key = p->key;

	p->tr = p->aside[k].tr;
	p->key = p->aside[k].key;
	p->aside[k].tr = tr;
	p->aside[k].key = key;
	p->aside[k].used = ++p->clock;
}

/* Is the transform want in p->tr: in use, or brought back from aside (no
 * work either way)? */
static int
transform_at_hand(fusion_pool *p, const struct pool_tr_key *want)
{
	if (same_key(&p->key, want))
		return 1;
	for (int k = 0; k < p->n_aside; k++)
		if (same_key(&p->aside[k].key, want)) {
			swap_aside(p, k);
			return 1;
		}
	return 0;
}

/* One share of the pool's rows transformed (on one thread). */
struct transform_share {
	const fusion *f;
	fusion_pool *p;
	int from, to;
};

static void
transform_share_run(void *arg)
{
	struct transform_share *t = arg;
	fusion_pool *p = t->p;
	/* (NULL: each block allocates its own) */
	int32_t *scratch = malloc(FUSION_TRANSFORM_SCRATCH(p->maxlen) *
	    sizeof *scratch);

	for (int r = t->from; r < t->to; r++) {
		int len = (int)(p->ptr[r + 1] - p->ptr[r]);
		size_t off = (size_t)p->ptr[r] * p->nm;

		fusion_transform(t->f, p->nm, len, p->raw + off,
		    p->rank != NULL ? p->rank + off : NULL,
		    p->from + p->ptr[r], p->tr + off, scratch);
	}
	free(scratch);
}

/* The transform the settings want in p->tr: kept in use, back from
 * aside, or made (on two threads for a big pool). */
/* The pool's ranks, made the first time settings read them (one thread
 * at a time: a tune's worker and the front may share the pool); the
 * same as the candidates' fill gives (fusion_rank_row()). */
/* The bytes of one value per candidate and model: a transform, or the
 * ranks. */
static size_t
pool_cells_bytes(const fusion_pool *p)
{
	return ((size_t)p->ptr[p->nu] * p->nm + 1) * sizeof(float);
}

/* The transform in use has its room (given back by fusion_pool_shed(),
 * it is allocated again). */
static int
pool_tr_ready(fusion_pool *p)
{
	return p->tr != NULL || (p->tr = malloc(pool_cells_bytes(p))) != NULL ?
	    0 : -1;
}

/* The least recently used slot kept aside (-1: none). */
static int
aside_oldest(const fusion_pool *p)
{
	int oldest = -1;

	for (int k = 0; k < p->n_aside; k++)
		if (oldest < 0 || p->aside[k].used < p->aside[oldest].used)
			oldest = k;
	return oldest;
}

static pthread_mutex_t ranks_mu = PTHREAD_MUTEX_INITIALIZER;

static int
pool_ranks(const fusion *f, fusion_pool *p)
{
	int32_t *rank;
	fusion_scored *sort;

	if (!fusion_uses_ranks(f) ||
	    __atomic_load_n(&p->rank, __ATOMIC_ACQUIRE) != NULL)
		return 0;
	pthread_mutex_lock(&ranks_mu);
	if (p->rank == NULL) {
		rank = malloc(pool_cells_bytes(p));
		sort = malloc(((size_t)p->maxlen + 1) * sizeof *sort);
		if (rank != NULL && sort != NULL) {
			for (int r = 0; r < p->nu; r++) {
				int len = (int)(p->ptr[r + 1] - p->ptr[r]);
				size_t off = (size_t)p->ptr[r] * p->nm;

				for (int m = 0; m < p->nm; m++)
					fusion_rank_row(p->raw + off +
					    (size_t)m * len, len, rank + off +
					    (size_t)m * len, sort);
			}
			__atomic_store_n(&p->rank, rank, __ATOMIC_RELEASE);
		} else
			free(rank);
		free(sort);
	}
	pthread_mutex_unlock(&ranks_mu);
	return p->rank != NULL ? 0 : -1;
}

/* Whether the transform in use, the ranks (when ranks) and n transforms
 * aside fit the pool's budget for what it keeps to go faster. */
static int
pool_fits(const fusion_pool *p, int ranks, int n)
{
	return (double)(1 + (ranks != 0) + n) *
	    (double)pool_cells_bytes(p) <=
	    (double)POOL_TR_BUDGET;
}

/* The ranks when the settings read them.  They count against the budget:
 * the least recently used transforms aside go first, before the ranks
 * are made (the two never peak together). */
static int
pool_ranks_kept(const fusion *f, fusion_pool *p)
{
	int ranks = p->rank != NULL || fusion_uses_ranks(f);

	while (p->n_aside > 0 && !pool_fits(p, ranks, p->n_aside)) {
		int oldest = aside_oldest(p);

		free(p->aside[oldest].tr);
		p->aside[oldest] = p->aside[--p->n_aside];
	}
	return pool_ranks(f, p);
}

int
fusion_pool_transform(const fusion *f, fusion_pool *p)
{
	struct pool_tr_key want = wanted_key(f);
	struct transform_share sh[2];
	int oldest = -1, ns = pool_shares(p);

	if (pool_ranks_kept(f, p) < 0)
		return -1;
	if (transform_at_hand(p, &want))
		return 0;
	/* The one in use goes aside (a new slot while memory allows, else
	 * in place of the least recently used), and the transform is made
	 * in the buffer that comes free. */
	if (p->key.kind != TR_NONE) {
		if (p->n_aside < POOL_TR_ASIDE &&
		    pool_fits(p, p->rank != NULL, p->n_aside + 1) &&
		    (p->aside[p->n_aside].tr = malloc(pool_cells_bytes(p))) !=
		    NULL) {
			p->aside[p->n_aside].key.kind = TR_NONE;
			oldest = p->n_aside++;
		} else
			oldest = aside_oldest(p);
		if (oldest >= 0)
			swap_aside(p, oldest);
	}
	if (pool_tr_ready(p) < 0)
		return -1;
	for (int t = 0; t < ns; t++)
		sh[t] = (struct transform_share){ f, p,
		    (int)((int64_t)p->nu * t / ns),
		    (int)((int64_t)p->nu * (t + 1) / ns) };
	/* One level of threads (engine/core/threads.h). */
	rf_parallel(ns, transform_share_run, sh, sizeof sh[0]);
	p->key = want;
	return 0;
}

void
fusion_pool_shed(fusion_pool *p)
{
	if (p == NULL)
		return;
	for (int k = 0; k < p->n_aside; k++)
		free(p->aside[k].tr);
	p->n_aside = 0;
	p->n_asked = 0;
	free(p->tr);
	p->tr = NULL;
	p->key.kind = TR_NONE;
	pthread_mutex_lock(&ranks_mu);
	free(p->rank);
	__atomic_store_n(&p->rank, NULL, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&ranks_mu);
}

/* Before a fused ranking of the pool: 0 when p->tr holds the transform
 * the settings want (in use, back from aside, or made now because one of
 * the last rankings asked for it too), 1 when the ranking makes it block
 * by block instead.  A search that tries a new set of models, or a new
 * normalisation, at every step (ensemble selection) would otherwise
 * transform the whole pool, every model, for one ranking; one that comes
 * back to a set (selection's next round, coordinate ascent's next step)
 * has it kept.  The figures are the same either way. */
static int
pool_transform_for_ranking(const fusion *f, fusion_pool *p)
{
	struct pool_tr_key want = wanted_key(f);

	if (transform_at_hand(p, &want))
		return 0;
	for (int k = 0; k < p->n_asked; k++)
		if (same_key(&p->asked[k], &want))
			return fusion_pool_transform(f, p) < 0 ? -1 : 0;
	/* the newest first, the oldest forgotten */
	memmove(p->asked + 1, p->asked, (size_t)(POOL_TR_ASKED - 1) *
	    sizeof *p->asked);
	p->asked[0] = want;
	if (p->n_asked < POOL_TR_ASKED)
		p->n_asked++;
	return 1;
}

void
fusion_pool_block(const fusion_pool *p, int r, fusion_block *b)
{
	size_t off = (size_t)p->ptr[r] * p->nm;

	b->nm = p->nm;
	b->len = (int)(p->ptr[r + 1] - p->ptr[r]);
	b->item = p->item + p->ptr[r];
	b->from = p->from + p->ptr[r];
	b->raw = p->raw + off;
	b->rank = p->rank != NULL ? p->rank + off : NULL;
	b->tr = p->tr != NULL ? p->tr + off : NULL;
}

int
fusion_pool_eval(fusion *f, fusion_pool *p, int single, int k, metrics *out,
    rf_error *err)
{
	return fusion_pool_eval_users(f, p, single, k, out, NULL, NULL, err);
}

int
fusion_pool_eval_rows(fusion *f, fusion_pool *p, int single, int k,
    metrics *out, double *ndcg, rf_error *err)
{
	double *rec = malloc(((size_t)p->nu + 1) * sizeof *rec);
	double *const pu[2] = { ndcg, rec };
	int rc;

	if (rec == NULL)
		return rf_fail(err, "fusion: out of memory");
	for (int r = 0; r < p->nu; r++)
		ndcg[r] = NAN;
	rc = fusion_pool_eval_users(f, p, single, k, out, pu, NULL, err);
	free(rec);
	return rc;
}

/* One share of a pool's rows ranked: each row's top k and its metrics
 * kept by row, summed in row order afterwards (the figures do not depend
 * on the threads). */
struct eval_share {
	const fusion *f;
	const fusion_pool *p;
	int single, k, from, to;
	int per_block;		/* transform each block here */
	const uint8_t *rows;
	int32_t *items;		/* (nu x k) the rows' top k */
	int *nt;		/* (nu) how many; -1 a row not ranked */
	user_metrics *um;	/* (nu) */
	int failed;
};

static void
eval_share_run(void *arg)
{
	struct eval_share *e = arg;
	const fusion_pool *p = e->p;
	float *fused = malloc(((size_t)p->maxlen + 1) * sizeof *fused);
	int32_t *top = malloc(((size_t)e->k + 1) * sizeof *top);
	float *tr = NULL;
	int32_t *scratch = NULL;

	if (e->per_block) {
		tr = malloc(((size_t)p->maxlen * p->nm + 1) * sizeof *tr);
		scratch = malloc(FUSION_TRANSFORM_SCRATCH(p->maxlen) *
		    sizeof *scratch);
	}
	if (fused == NULL || top == NULL || (e->per_block && (tr == NULL ||
	    scratch == NULL))) {
		e->failed = 1;
		goto out;
	}
	for (int r = e->from; r < e->to; r++) {
		int u = p->users[r], nt;
		int64_t lo = p->eval->ptr[u], hi = p->eval->ptr[u + 1];
		int32_t *items = e->items + (size_t)r * e->k;
		fusion_block b;
		const float *sc;

		e->nt[r] = -1;
		if (hi == lo || (e->rows != NULL && !e->rows[r]))
			continue;
		fusion_pool_block(p, r, &b);
		if (e->single >= 0)
			sc = b.raw + (size_t)e->single * b.len;
		else {
			if (e->per_block) {
				fusion_transform(e->f, b.nm, b.len, b.raw,
				    b.rank, b.from, tr, scratch);
				b.tr = tr;
			}
			fusion_block_fuse(e->f, u, &b, fused);
			sc = fused;
		}
		nt = topk_select(sc, b.len, e->k, top);
		for (int j = 0; j < nt; j++)
			items[j] = b.item[top[j]];
		e->nt[r] = nt;
		metrics_user_topn(items, nt, e->k, p->eval->idx + lo,
		    (int)(hi - lo), &e->um[r]);
	}
out:
	free(fused);
	free(top);
	free(tr);
	free(scratch);
}

int
fusion_pool_eval_users(fusion *f, fusion_pool *p, int single, int k,
    metrics *out, double *const per_user[2], const uint8_t *rows,
    rf_error *err)
{
	size_t nu = (size_t)p->nu + 1;
	int32_t *items = k >= 1 ? malloc(nu * (size_t)k * sizeof *items) :
	    NULL;
	int *nts = malloc(nu * sizeof *nts);
	user_metrics *ums = malloc(nu * sizeof *ums);
	uint8_t *seen = calloc((size_t)p->n_items + 1, 1);
	double sum[6] = { 0 }, pop = 0;
	int64_t n = 0, nrec = 0, covered = 0;
	const int32_t *popv = f->popularity;
	struct eval_share sh[2];
	int ns = pool_shares(p), failed = 0, per_block = 0;

	metrics_clear(out);
	out->k = k;
	if (!items || !nts || !ums || !seen || k < 1 || p->eval == NULL) {
		free(items);
		free(nts);
		free(ums);
		free(seen);
		return rf_fail(err, k < 1 ? "fusion: K must be at least 1" :
		    p->eval == NULL ? "fusion: the pool has no part to "
		    "evaluate" : "fusion: out of memory");
	}
	/* the ranks first, when the settings read them */
	if (single < 0 && (pool_ranks_kept(f, p) < 0 ||
	    (per_block = pool_transform_for_ranking(f, p)) < 0)) {
		free(items);
		free(nts);
		free(ums);
		free(seen);
		return rf_fail(err, "fusion: out of memory for the pool's "
		    "ranks");
	}
	for (int t = 0; t < ns; t++)
		sh[t] = (struct eval_share){ f, p, single, k,
		    (int)((int64_t)p->nu * t / ns),
		    (int)((int64_t)p->nu * (t + 1) / ns), per_block, rows,
		    items, nts, ums, 0 };
	/* One level of threads (engine/core/threads.h). */
	rf_parallel(ns, eval_share_run, sh, sizeof sh[0]);
	for (int t = 0; t < ns; t++)
		failed |= sh[t].failed;
	for (int r = 0; r < p->nu && !failed; r++) {
		const int32_t *it = items + (size_t)r * k;
		const user_metrics *um = &ums[r];

		if (nts[r] < 0)
			continue;
		for (int j = 0; j < nts[r]; j++) {
			if (!seen[it[j]]) {
				seen[it[j]] = 1;
				covered++;
			}
			if (popv)
				pop += popv[it[j]];
		}
		nrec += nts[r];
		if (per_user) {
			per_user[0][r] = um->ndcg;
			per_user[1][r] = um->recall;
		}
		sum[0] += um->precision;
		sum[1] += um->recall;
		sum[2] += um->ndcg;
		sum[3] += um->ap;
		sum[4] += um->hit;
		sum[5] += um->rr;
		n++;
	}
	free(items);
	free(nts);
	free(ums);
	free(seen);
	if (failed)
		return rf_fail(err, "fusion: out of memory");
	out->n_users = n;
	if (n > 0) {
		out->precision = sum[0] / n;
		out->recall = sum[1] / n;
		out->ndcg = sum[2] / n;
		out->map = sum[3] / n;
		out->hit_rate = sum[4] / n;
		out->mrr = sum[5] / n;
	}
	out->coverage = p->n_items ? (double)covered / p->n_items : 0;
	out->mean_popularity = popv && nrec ? pop / nrec : NAN;
	return 0;
}

int
fusion_pool_rank_user(fusion *f, fusion_pool *p, int u, int k,
    int32_t *items, float *scores)
{
	int r, nt;
	fusion_block b;
	float *fused;

	if (u < 0 || u >= f->n_users || (r = p->row[u]) < 0 || k < 1 ||
	    pool_ranks_kept(f, p) < 0)
		return -1;
	if (pool_tr_ready(p) < 0)
		return -1;
	fusion_pool_block(p, r, &b);
	if (!transform_current(f, p)) {
		/* Only this user's block: re-ranking one user must not pay
		 * for every user's transform.  The pool's cache is then
		 * mixed, so mark it stale for the next whole-pool use. */
		fusion_transform(f, b.nm, b.len, b.raw, b.rank, b.from,
		    p->tr + (size_t)p->ptr[r] * p->nm, NULL);
		p->key.kind = TR_NONE;
	}
	if ((fused = malloc(((size_t)b.len + 1) * sizeof *fused)) == NULL)
		return -1;
	fusion_block_fuse(f, u, &b, fused);
	nt = fusion_block_top(&b, fused, k, items, scores, NULL);
	free(fused);
	return nt;
}

int
fusion_pool_eval_rating(fusion *f, fusion_pool *p, int single, metrics *out,
    rf_error *err)
{
	double se = 0, ae = 0;
	int64_t n = 0;

	if (p->pptr == NULL)
		return rf_fail(err, "fusion: no rating predictions (every "
		    "single must predict ratings, and the pool needs a part)");
	for (int r = 0; r < p->nu; r++)
		for (int64_t q = p->pptr[r]; q < p->pptr[r + 1]; q++) {
			const float *pr = p->pred + (size_t)q * p->nm;
			double v = single >= 0 ? pr[single] :
			    fusion_fused_prediction(f, p->users[r], pr);
			double d = fusion_clip_rating(f, v) - p->truth[q];

			se += d * d;
			ae += fabs(d);
			n++;
		}
	out->n_pred = n;
	out->rmse = n ? sqrt(se / n) : NAN;
	out->mae = n ? ae / n : NAN;
	return 0;
}
