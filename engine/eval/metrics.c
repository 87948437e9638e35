/* metrics: rating and top-K accuracy, and the full-ranking evaluator. */
#include "engine/eval/metrics.h"
#include "engine/core/mem.h"
#include "engine/core/rng.h"
#include "engine/core/sort.h"
#include "engine/core/threads.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
metrics_clear(metrics *m)
{
	m->k = 0;
	m->n_users = 0;
	m->n_pred = 0;
	m->precision = m->recall = m->ndcg = m->map = m->hit_rate = NAN;
	m->mrr = m->coverage = m->mean_popularity = NAN;
	m->rmse = m->mae = NAN;
	m->n_test_users = 0;
	m->ndcg_se = NAN;
}

double
metric_rmse(const double *pred, const double *truth, int64_t n)
{
	double s = 0;

	if (n <= 0)
		return NAN;
	for (int64_t k = 0; k < n; k++)
		s += (pred[k] - truth[k]) * (pred[k] - truth[k]);
	return sqrt(s / (double)n);
}

double
metric_mae(const double *pred, const double *truth, int64_t n)
{
	double s = 0;

	if (n <= 0)
		return NAN;
	for (int64_t k = 0; k < n; k++)
		s += fabs(pred[k] - truth[k]);
	return s / (double)n;
}

/* The evaluator's blocks of users and tiles of users x items (512 KB of
 * scores): see metrics_eval_topn. */
#define EVAL_BLOCK_USERS	256
#define EVAL_TILE_FLOATS	(1 << 17)

/* a ranks below b: lower score, or the same score and a higher index. */
static int
worse(const float *s, int32_t a, int32_t b)
{
	return s[a] < s[b] || (s[a] == s[b] && a > b);
}

static void
heap_sift_down(const float *s, int32_t *h, int n, int j)
{
	for (;;) {
		int l = 2 * j + 1, r = l + 1, m = j;
		int32_t t;

		if (l < n && worse(s, h[l], h[m]))
			m = l;
		if (r < n && worse(s, h[r], h[m]))
			m = r;
		if (m == j)
			return;
		t = h[j];
		h[j] = h[m];
		h[m] = t;
		j = m;
	}
}

/* The first index in [i, n) whose score beats thr, n when none does.
 * Once k are kept nearly every item of a long catalogue is below the
 * weakest of them: sixteen at a time on one vector compare.  Items come in
 * index order, so one that only ties the weakest has the higher index and
 * is worse; NaN and -INFINITY never pass. */
static int
topk_next_above(const float *s, int i, int n, float thr)
{
	for (; i + 16 <= n; i += 16) {
		int any = 0;

		for (int j = 0; j < 16; j++)
			any |= s[i + j] > thr;
		if (any)
			break;
	}
	while (i < n && !(s[i] > thr))
		i++;
	return i;
}

/* topk_select for a short k: the kept items in a sorted array, each
 * newcomer moved in from the end (a few predictable steps, where a
 * heap's are taken at random), the scores kept beside the items. */
#define TOPK_SORTED_MAX 32

static int
topk_select_sorted(const float *scores, int n_items, int k, int32_t *out)
{
	float ks[TOPK_SORTED_MAX];
	int n = 0, i = 0;

	for (; i < n_items && n < k; i++) {
		float v = scores[i];
		int p = n++;

		if (isnan(v) || v == -INFINITY) {
			n--;
			continue;
		}
		/* items come in index order: a tie stays behind */
		for (; p > 0 && ks[p - 1] < v; p--) {
			ks[p] = ks[p - 1];
			out[p] = out[p - 1];
		}
		ks[p] = v;
		out[p] = i;
	}
	if (n < k)
		return n;
	while ((i = topk_next_above(scores, i, n_items, ks[k - 1])) <
	    n_items) {
		float v = scores[i];
		int p = k - 1;

		for (; p > 0 && ks[p - 1] < v; p--) {
			ks[p] = ks[p - 1];
			out[p] = out[p - 1];
		}
		ks[p] = v;
		out[p] = i++;
	}
	return n;
}

int
topk_select(const float *scores, int n_items, int k, int32_t *out)
{
	int n = 0, i = 0;
	float thr = -INFINITY;	/* the weakest kept score once k are kept */

	if (k <= 0)
		return 0;
	if (k <= TOPK_SORTED_MAX)
		return topk_select_sorted(scores, n_items, k, out);
	/* out is a min-heap on "worse": its root is the weakest kept item. */
	for (; i < n_items && n < k; i++) {
		int j = n;

		if (isnan(scores[i]) || scores[i] == -INFINITY)
			continue;
		out[n++] = i;
		while (j > 0 && worse(scores, out[j], out[(j - 1) / 2])) {
			int32_t t = out[j];

			out[j] = out[(j - 1) / 2];
			out[(j - 1) / 2] = t;
			j = (j - 1) / 2;
		}
		if (n == k)
			thr = scores[out[0]];
	}
	while ((i = topk_next_above(scores, i, n_items, thr)) < n_items) {
		out[0] = i++;
		heap_sift_down(scores, out, n, 0);
		thr = scores[out[0]];
	}
	/* Pop the weakest to the back: best first. */
	for (int m = n; m > 1; m--) {
		int32_t t = out[0];

		out[0] = out[m - 1];
		out[m - 1] = t;
		heap_sift_down(scores, out, m - 1, 0);
	}
	return n;
}

void
metrics_user_topn(const int32_t *ranked, int n_ranked, int k,
    const int32_t *relevant, int n_rel, user_metrics *out)
{
	double dcg = 0, idcg = 0, ap = 0;
	int hits = 0, first = 0, ideal = n_rel < k ? n_rel : k;

	memset(out, 0, sizeof *out);
	if (n_rel <= 0 || k <= 0)
		return;
	for (int r = 0; r < n_ranked && r < k; r++) {
		if (rf_find_i32(relevant, n_rel, ranked[r]) < 0)
			continue;
		hits++;
		dcg += 1.0 / log2((double)r + 2.0);
		ap += (double)hits / (double)(r + 1);
		if (!first)
			first = r + 1;
	}
	for (int r = 0; r < ideal; r++)
		idcg += 1.0 / log2((double)r + 2.0);
	out->precision = (double)hits / (double)k;
	out->recall = (double)hits / (double)n_rel;
	out->ndcg = idcg > 0 ? dcg / idcg : 0;
	out->ap = ap / (double)ideal;
	out->hit = hits > 0;
	out->rr = first ? 1.0 / first : 0;
}

static int
cmp_i32(const void *a, const void *b)
{
	int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;

	return (x > y) - (x < y);
}

/* A running top K of one user over items fed in index order, a tile at a
 * time (the block path): a tile's scores are gone once it is fed, so the
 * heap keeps each score beside its item.  The same choice as
 * topk_select: NaN and -INFINITY skipped, ties to the lower index. */
struct ranked {
	float score;
	int32_t item;
};

struct topk_run {
	struct ranked *h;	/* (k) a min-heap: its root the weakest kept */
	int n;
	float thr;		/* the root's score once k are kept */
};

/* a ranks below b */
static int
ranked_worse(struct ranked a, struct ranked b)
{
	return a.score < b.score || (a.score == b.score && a.item > b.item);
}

static void
ranked_sift_down(struct ranked *h, int n, int j)
{
	for (;;) {
		int l = 2 * j + 1, r = l + 1, m = j;
		struct ranked t;

		if (l < n && ranked_worse(h[l], h[m]))
			m = l;
		if (r < n && ranked_worse(h[r], h[m]))
			m = r;
		if (m == j)
			return;
		t = h[j];
		h[j] = h[m];
		h[m] = t;
		j = m;
	}
}

/* The scores of the items lo .. lo + count - 1. */
static void
topk_run_feed(struct topk_run *r, int k, const float *s, int lo, int count)
{
	int i = 0;

	for (; i < count && r->n < k; i++) {
		int j = r->n;

		if (isnan(s[i]) || s[i] == -INFINITY)
			continue;
		r->h[r->n++] = (struct ranked){ s[i], lo + i };
		while (j > 0 && ranked_worse(r->h[j], r->h[(j - 1) / 2])) {
			struct ranked t = r->h[j];

			r->h[j] = r->h[(j - 1) / 2];
			r->h[(j - 1) / 2] = t;
			j = (j - 1) / 2;
		}
		if (r->n == k)
			r->thr = r->h[0].score;
	}
	while ((i = topk_next_above(s, i, count, r->thr)) < count) {
		r->h[0] = (struct ranked){ s[i], lo + i };
		i++;
		ranked_sift_down(r->h, r->n, 0);
		r->thr = r->h[0].score;
	}
}

/* The items kept, best first, into out; returns how many. */
static int
topk_run_finish(struct topk_run *r, int32_t *out)
{
	for (int m = r->n; m > 1; m--) {
		struct ranked t = r->h[0];

		r->h[0] = r->h[m - 1];
		r->h[m - 1] = t;
		ranked_sift_down(r->h, m - 1, 0);
	}
	for (int j = 0; j < r->n; j++)
		out[j] = r->h[j].item;
	return r->n;
}

/* The evaluator: test users split over threads by position (j % threads,
 * or by blocks of users), per-user results kept by position and summed in
 * order afterwards so the figures do not depend on the thread count. */
struct eval_shared {
	const topn_eval *ev;
	const int32_t *users;
	int n;
	int block;		/* users scored at once (score_block) */
	int tile_items;		/* items of a tile (score_block) */
	int64_t ranked;		/* users done, for progress (atomic) */
	user_metrics *um;
	double *popsum;		/* (n) summed popularity of the list */
	int *listlen;		/* (n) */
	int threads;
	volatile int failed;
};

struct eval_worker {
	struct eval_shared *sh;
	int t;
	uint8_t *seen;		/* (n_items) recommended at least once */
	int cancelled;
};

/* One user's measures from its list of n items, best first. */
static void
eval_measure_user(struct eval_worker *w, int j, const int32_t *top, int n)
{
	struct eval_shared *sh = w->sh;
	const topn_eval *ev = sh->ev;
	const interactions *te = ev->test;
	int u = sh->users[j];

	metrics_user_topn(top, n, ev->k, te->idx + te->ptr[u],
	    (int)(te->ptr[u + 1] - te->ptr[u]), &sh->um[j]);
	sh->listlen[j] = n;
	sh->popsum[j] = 0;
	for (int r = 0; r < n; r++) {
		w->seen[top[r]] = 1;
		if (ev->popularity)
			sh->popsum[j] += ev->popularity[top[r]];
	}
}

/* Leave out u's known items in [lo, hi) of a tile: the row is sorted
 * (dataset.h), so one cursor walks it once over the tiles. */
static void
eval_exclude_known(const interactions *tr, int u, int64_t *at, int lo,
    int hi, float *row)
{
	for (; *at < tr->ptr[u + 1] && tr->idx[*at] < hi; (*at)++)
		if (tr->idx[*at] >= lo)
			row[tr->idx[*at] - lo] = -INFINITY;
}

int
topk_block(score_block_fn fn, const void *ctx, const interactions *known,
    const int32_t *users, int n, int n_items, int k, int tile_items,
    float *tile, int32_t *tops, float *scores, int *counts)
{
	struct topk_run *run = malloc(((size_t)n + 1) * sizeof *run);
	struct ranked *heaps = malloc(((size_t)n * (size_t)k + 1) *
	    sizeof *heaps);
	int64_t *at = malloc(((size_t)n + 1) * sizeof *at);

	if (run == NULL || heaps == NULL || at == NULL) {
		free(run);
		free(heaps);
		free(at);
		return -1;
	}
	for (int j = 0; j < n; j++) {
		run[j] = (struct topk_run){ heaps + (size_t)j * k, 0,
		    -INFINITY };
		at[j] = known->ptr[users[j]];
	}
	for (int lo = 0; lo < n_items; lo += tile_items) {
		int width = n_items - lo < tile_items ? n_items - lo :
		    tile_items;

		fn(ctx, users, n, lo, lo + width, tile);
		for (int j = 0; j < n; j++) {
			float *row = tile + (size_t)j * width;

			eval_exclude_known(known, users[j], &at[j], lo,
			    lo + width, row);
			topk_run_feed(&run[j], k, row, lo, width);
		}
	}
	for (int j = 0; j < n; j++) {
		int32_t *t = tops + (size_t)j * k;

		counts[j] = topk_run_finish(&run[j], t);
		/* topk_run_finish leaves the heap sorted best first. */
		for (int q = 0; q < counts[j]; q++)
			scores[(size_t)j * k + q] = run[j].h[q].score;
	}
	free(run);
	free(heaps);
	free(at);
	return 0;
}

/* Progress now and then, from the caller's thread only (share 0). */
static void
eval_progress(struct eval_worker *w, int done, double *next)
{
	struct eval_shared *sh = w->sh;
	const topn_eval *ev = sh->ev;
	int64_t all = __atomic_add_fetch(&sh->ranked, done,
	    __ATOMIC_RELAXED);

	if (w->t != 0 || ev->progress == NULL || rf_monotonic() < *next)
		return;
	*next = rf_monotonic() + 0.25;
	ev->progress(ev->progress_ud, all, sh->n);
}

static int
eval_stop(struct eval_worker *w)
{
	const topn_eval *ev = w->sh->ev;

	if (ev->cancel && *ev->cancel)
		w->cancelled = 1;
	return w->cancelled || w->sh->failed;
}

/* Blocks of users by position, block b on thread b % threads; each block
 * scored a tile of items at a time (a tile's scores in one product, small
 * enough to stay in cache while it is ranked), every user's top K kept
 * across the tiles. */
static void
eval_blocks(struct eval_worker *w, float *tile, struct topk_run *run,
    int64_t *at, int32_t *top)
{
	struct eval_shared *sh = w->sh;
	const topn_eval *ev = sh->ev;
	const interactions *tr = ev->train;
	int n_items = tr->n_items, B = sh->block, C = sh->tile_items;
	double next = 0;

	for (int b = w->t; (int64_t)b * B < sh->n; b += sh->threads) {
		int first = b * B, cnt = sh->n - first < B ? sh->n - first : B;
		const int32_t *users = sh->users + first;

		for (int j = 0; j < cnt; j++) {
			run[j].n = 0;
			at[j] = tr->ptr[users[j]];
		}
		for (int lo = 0; lo < n_items; lo += C) {
			int width = n_items - lo < C ? n_items - lo : C;

			if (eval_stop(w))
				return;
			ev->score_block(ev->ctx, users, cnt, lo, lo + width,
			    tile);
			for (int j = 0; j < cnt; j++) {
				float *row = tile + (size_t)j * width;

				eval_exclude_known(tr, users[j], &at[j], lo,
				    lo + width, row);
				topk_run_feed(&run[j], ev->k, row, lo, width);
			}
		}
		for (int j = 0; j < cnt; j++)
			eval_measure_user(w, first + j, top,
			    topk_run_finish(&run[j], top));
		eval_progress(w, cnt, &next);
	}
}

/* A user at a time: its scores of every item, then its top K. */
static void
eval_users(struct eval_worker *w, float *scores, int32_t *top)
{
	struct eval_shared *sh = w->sh;
	const topn_eval *ev = sh->ev;
	const interactions *tr = ev->train;
	double next = 0;

	for (int j = w->t; j < sh->n; j += sh->threads) {
		int u = sh->users[j];

		if (eval_stop(w))
			return;
		ev->score(ev->ctx, u, scores);
		for (int64_t p = tr->ptr[u]; p < tr->ptr[u + 1]; p++)
			scores[tr->idx[p]] = -INFINITY;
		eval_measure_user(w, j, top, topk_select(scores, tr->n_items,
		    ev->k, top));
		eval_progress(w, 1, &next);
	}
}

static void
eval_worker_run(void *arg)
{
	struct eval_worker *w = arg;
	struct eval_shared *sh = w->sh;
	const topn_eval *ev = sh->ev;
	int n_items = ev->train->n_items, k = ev->k, B = sh->block;
	int blocks = ev->score_block != NULL;
	size_t floats = blocks ? (size_t)B * (size_t)sh->tile_items :
	    (size_t)n_items;
	float *scores = malloc((floats ? floats : 1) * sizeof *scores);
	int32_t *top = malloc((size_t)k * sizeof *top);
	struct ranked *heaps = blocks ? malloc((size_t)B * (size_t)k *
	    sizeof *heaps) : NULL;
	struct topk_run *run = blocks ? malloc((size_t)B * sizeof *run) :
	    NULL;
	int64_t *at = blocks ? malloc((size_t)B * sizeof *at) : NULL;

	if (scores == NULL || top == NULL || (blocks && (heaps == NULL ||
	    run == NULL || at == NULL)))
		sh->failed = 1;
	else if (blocks) {
		for (int j = 0; j < B; j++)
			run[j].h = heaps + (size_t)j * k;
		eval_blocks(w, scores, run, at, top);
	} else
		eval_users(w, scores, top);
	free(scores);
	free(top);
	free(heaps);
	free(run);
	free(at);
}

int
metrics_eval_topn(const topn_eval *ev, metrics *out, rf_error *err)
{
	struct eval_shared sh = { 0 };
	struct eval_worker w[2];
	int32_t *users = NULL;
	int n = 0, threads = ev->threads >= 2 ? 2 : 1;
	int n_items = ev->train->n_items, cancelled = 0;
	int64_t nrec = 0, covered = 0;
	uint64_t per_thread;
	double sum[6] = { 0 }, pop = 0;

	memset(w, 0, sizeof w);
	out->k = ev->k;
	if (ev->k < 1)
		return rf_fail(err, "eval: K must be at least 1");
	if ((users = malloc(((size_t)ev->test->n_users + 1) * sizeof *users))
	    == NULL)
		return rf_fail(err, "eval: out of memory");
	for (int u = 0; u < ev->test->n_users; u++) {
		if (ev->per_user_ndcg != NULL)
			ev->per_user_ndcg[u] = NAN;
		if (ev->test->ptr[u + 1] > ev->test->ptr[u])
			users[n++] = u;
	}
	out->n_test_users = n;
	if (ev->max_users > 0 && n > ev->max_users) {
		/* Evenly spaced subset: deterministic and spread over the
		 * index range. */
		for (int j = 0; j < ev->max_users; j++)
			users[j] = users[(int64_t)j * n / ev->max_users];
		n = ev->max_users;
	}
	if (ev->sample_users > 0 && n > ev->sample_users) {
		/* A random sample, the same for a seed: the first
		 * sample_users of a partial Fisher-Yates shuffle, then in
		 * index order again. */
		rf_rng rng;

		rf_rng_seed(&rng, ev->sample_seed);
		for (int j = 0; j < ev->sample_users; j++) {
			int r = j + (int)rf_rng_below(&rng, (uint32_t)(n - j));
			int32_t t = users[j];

			users[j] = users[r];
			users[r] = t;
		}
		n = ev->sample_users;
		qsort(users, (size_t)n, sizeof *users, cmp_i32);
	}
	sh.ev = ev;
	sh.users = users;
	sh.n = n;
	sh.threads = threads;
	/* Blocks of up to EVAL_BLOCK_USERS users (fewer when there are few,
	 * so that both threads have some), scored in tiles of about
	 * EVAL_TILE_FLOATS scores: sgemm runs at its best rate on 256 users
	 * x 512 items of 64 factors (bench_sgemm: the tile stays in a core's
	 * cache, where it is ranked next), and 256 users share each pass
	 * over the item factors. */
	sh.block = 1;
	sh.tile_items = n_items > 0 ? n_items : 1;
	if (ev->score_block != NULL && n > 0) {
		int b = (n + threads - 1) / threads;
		int c;

		sh.block = b > EVAL_BLOCK_USERS ? EVAL_BLOCK_USERS : b;
		c = EVAL_TILE_FLOATS / sh.block / 16 * 16;
		sh.tile_items = c < 16 ? 16 : c;
		if (sh.tile_items > n_items)
			sh.tile_items = n_items > 0 ? n_items : 1;
	}
	/* Per user its measures, list length and popularity; per thread its
	 * scores (every item's, or a tile and each block user's top K) and a
	 * seen mark. */
	per_thread = ev->score_block != NULL ? (uint64_t)sh.block *
	    ((uint64_t)sh.tile_items * sizeof(float) + (uint64_t)ev->k *
	    sizeof(struct ranked) + sizeof(struct topk_run) +
	    sizeof(int64_t)) : (uint64_t)n_items * sizeof(float);
	per_thread += (uint64_t)n_items + 1 + (uint64_t)ev->k *
	    sizeof(int32_t);
	if (rf_mem_check(((uint64_t)n + 1) * (sizeof *sh.um +
	    sizeof *sh.popsum + sizeof *sh.listlen) + (uint64_t)threads *
	    per_thread, "eval: the evaluation buffers", NULL, err) < 0) {
		free(users);
		return -1;
	}
	sh.um = calloc((size_t)n + 1, sizeof *sh.um);
	sh.popsum = calloc((size_t)n + 1, sizeof *sh.popsum);
	sh.listlen = calloc((size_t)n + 1, sizeof *sh.listlen);
	if (sh.um == NULL || sh.popsum == NULL || sh.listlen == NULL)
		goto oom;
	for (int t = 0; t < threads; t++) {
		w[t].sh = &sh;
		w[t].t = t;
		if ((w[t].seen = calloc((size_t)n_items + 1, 1)) == NULL)
			goto oom;
	}
	/* One level of threads (engine/core/threads.h). */
	rf_parallel(threads, eval_worker_run, w, sizeof w[0]);
	if (sh.failed)
		goto oom;
	for (int t = 0; t < threads; t++)
		cancelled |= w[t].cancelled;
	if (cancelled)
		goto done;
	for (int j = 0; j < n; j++) {
		if (ev->per_user_ndcg != NULL)
			ev->per_user_ndcg[users[j]] = sh.um[j].ndcg;
		sum[0] += sh.um[j].precision;
		sum[1] += sh.um[j].recall;
		sum[2] += sh.um[j].ndcg;
		sum[3] += sh.um[j].ap;
		sum[4] += sh.um[j].hit;
		sum[5] += sh.um[j].rr;
		pop += sh.popsum[j];
		nrec += sh.listlen[j];
	}
	for (int i = 0; i < n_items; i++)
		if (w[0].seen[i] || (threads > 1 && w[1].seen[i]))
			covered++;
	out->n_users = n;
	out->precision = n ? sum[0] / n : NAN;
	out->recall = n ? sum[1] / n : NAN;
	out->ndcg = n ? sum[2] / n : NAN;
	out->map = n ? sum[3] / n : NAN;
	out->hit_rate = n ? sum[4] / n : NAN;
	out->mrr = n ? sum[5] / n : NAN;
	out->coverage = n_items ? (double)covered / n_items : NAN;
	out->mean_popularity = nrec && ev->popularity ? pop / (double)nrec :
	    NAN;
	/* The NDCG mean's standard error over a sample (0: every user). */
	if (n < out->n_test_users && n > 1) {
		double var = 0, fpc;

		for (int j = 0; j < n; j++)
			var += (sh.um[j].ndcg - out->ndcg) *
			    (sh.um[j].ndcg - out->ndcg);
		var /= n - 1;
		fpc = 1.0 - (double)n / (double)out->n_test_users;
		out->ndcg_se = sqrt(var / n * (fpc > 0 ? fpc : 0));
	} else
		out->ndcg_se = 0;
	if (ev->progress != NULL)
		ev->progress(ev->progress_ud, n, n);
done:
	for (int t = 0; t < threads; t++)
		free(w[t].seen);
	free(sh.um);
	free(sh.popsum);
	free(sh.listlen);
	free(users);
	return cancelled ? 1 : 0;
oom:
	for (int t = 0; t < threads; t++)
		free(w[t].seen);
	free(sh.um);
	free(sh.popsum);
	free(sh.listlen);
	free(users);
	return rf_fail(err, "eval: out of memory");
}

int
metrics_eval_rating(predict_fn predict, const void *ctx,
    const interactions *test, double lo, double hi, metrics *out,
    rf_error *err)
{
	double se = 0, ae = 0;

	(void)err;
	for (int u = 0; u < test->n_users; u++) {
		for (int64_t k = test->ptr[u]; k < test->ptr[u + 1]; k++) {
			double p = predict(ctx, u, test->idx[k]);
			double d;

			if (lo < hi)
				p = p < lo ? lo : (p > hi ? hi : p);
			d = p - test->val[k];
			se += d * d;
			ae += fabs(d);
		}
	}
	out->n_pred = test->nnz;
	out->rmse = test->nnz ? sqrt(se / (double)test->nnz) : NAN;
	out->mae = test->nnz ? ae / (double)test->nnz : NAN;
	return 0;
}

void
metrics_format(const metrics *m, char *buf, size_t n)
{
	size_t len = 0;

	buf[0] = '\0';
	if (m->n_pred > 0 && !isnan(m->rmse))
		len += (size_t)snprintf(buf + len, n - len,
		    "rmse=%.4f mae=%.4f ", m->rmse, m->mae);
	if (len < n && m->k > 0 && !isnan(m->ndcg))
		len += (size_t)snprintf(buf + len, n - len,
		    "ndcg@%d=%.4f precision@%d=%.4f recall@%d=%.4f "
		    "map@%d=%.4f hr@%d=%.4f mrr@%d=%.4f coverage=%.4f ",
		    m->k, m->ndcg, m->k, m->precision, m->k, m->recall,
		    m->k, m->map, m->k, m->hit_rate, m->k, m->mrr,
		    m->coverage);
	if (len > 0 && len < n)
		buf[len - 1] = '\0';
}
