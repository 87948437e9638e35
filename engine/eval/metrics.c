/* metrics: rating and top-K accuracy, and the full-ranking evaluator. */
#include "engine/eval/metrics.h"
#include "engine/core/rng.h"
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

int
topk_select(const float *scores, int n_items, int k, int32_t *out)
{
	int n = 0;
	float thr = -INFINITY;	/* the weakest kept score once k are kept */

	if (k <= 0)
		return 0;
	/* out is a min-heap on "worse": its root is the weakest kept item. */
	for (int32_t i = 0; i < n_items; i++) {
		float v = scores[i];

		if (n == k) {
			/* Items come in index order: one that only ties the
			 * root has the higher index, so it is worse. */
			if (!(v > thr))
				continue;
			out[0] = i;
			heap_sift_down(scores, out, n, 0);
			thr = scores[out[0]];
			continue;
		}
		if (isnan(v) || v == -INFINITY)
			continue;
		{
			int j = n++;

			out[j] = i;
			while (j > 0 && worse(scores, out[j],
			    out[(j - 1) / 2])) {
				int32_t t = out[j];

				out[j] = out[(j - 1) / 2];
				out[(j - 1) / 2] = t;
				j = (j - 1) / 2;
			}
		}
		if (n == k)
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

static int
contains_sorted(const int32_t *a, int n, int32_t x)
{
	int lo = 0, hi = n;

	while (lo < hi) {
		int mid = lo + (hi - lo) / 2;

		if (a[mid] < x)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && a[lo] == x;
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
		if (!contains_sorted(relevant, n_rel, ranked[r]))
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

/* The evaluator: test users split over threads by position (j % threads),
 * per-user results kept by position and summed in order afterwards so the
 * figures do not depend on the thread count. */
struct eval_shared {
	const topn_eval *ev;
	const int32_t *users;
	int n;
	int block;		/* users scored at once (score_block) */
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

/* One user's ranking and measures, from its scores (overwritten). */
static void
eval_rank_user(struct eval_worker *w, int j, float *scores, int32_t *top)
{
	struct eval_shared *sh = w->sh;
	const topn_eval *ev = sh->ev;
	const interactions *tr = ev->train, *te = ev->test;
	int u = sh->users[j], n;

	for (int64_t p = tr->ptr[u]; p < tr->ptr[u + 1]; p++)
		scores[tr->idx[p]] = -INFINITY;
	n = topk_select(scores, tr->n_items, ev->k, top);
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

static void
eval_worker_run(void *arg)
{
	struct eval_worker *w = arg;
	struct eval_shared *sh = w->sh;
	const topn_eval *ev = sh->ev;
	int n_items = ev->train->n_items, k = ev->k, B = sh->block;
	float *scores = malloc((size_t)(n_items ? n_items : 1) * (size_t)B *
	    sizeof *scores);
	int32_t *top = malloc((size_t)k * sizeof *top);
	double next = 0;

	if (scores == NULL || top == NULL) {
		sh->failed = 1;
		free(scores);
		free(top);
		return;
	}
	if (ev->score_block != NULL) {
		/* Blocks of B users by position, block b on thread
		 * b % threads: each block's scores in one product. */
		for (int b = w->t; (int64_t)b * B < sh->n; b += sh->threads) {
			int lo = b * B, cnt = sh->n - lo < B ? sh->n - lo : B;

			if (ev->cancel && *ev->cancel) {
				w->cancelled = 1;
				break;
			}
			if (sh->failed)
				break;
			ev->score_block(ev->ctx, sh->users + lo, cnt, scores);
			for (int j = 0; j < cnt; j++)
				eval_rank_user(w, lo + j, scores +
				    (size_t)j * n_items, top);
			eval_progress(w, cnt, &next);
		}
	} else
		for (int j = w->t; j < sh->n; j += sh->threads) {
			if (ev->cancel && *ev->cancel) {
				w->cancelled = 1;
				break;
			}
			if (sh->failed)
				break;
			ev->score(ev->ctx, sh->users[j], scores);
			eval_rank_user(w, j, scores, top);
			eval_progress(w, 1, &next);
		}
	free(scores);
	free(top);
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
	/* Blocks of about 16 MB of scores per thread. */
	sh.block = 1;
	if (ev->score_block != NULL && n_items > 0) {
		long b = (16L << 20) / ((long)n_items * (long)sizeof(float));

		sh.block = b < 1 ? 1 : b > 256 ? 256 : (int)b;
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
