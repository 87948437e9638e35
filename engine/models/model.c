/* model: helpers shared by every model implementation. */
#include "engine/models/model.h"

#include <cblas.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/core/mem.h"
#include "engine/core/threads.h"

int
model_param_index(const model_ops *ops, const char *name)
{
	for (int i = 0; i < ops->nparams; i++)
		if (strcmp(ops->params[i].name, name) == 0)
			return i;
	return -1;
}

int
model_param_index_n(const model_ops *ops, const char *name, size_t n)
{
	for (int i = 0; i < ops->nparams; i++)
		if (strncmp(ops->params[i].name, name, n) == 0 &&
		    ops->params[i].name[n] == '\0')
			return i;
	return -1;
}

void
model_params_default(const model_ops *ops, double *params)
{
	for (int i = 0; i < ops->nparams; i++)
		params[i] = ops->params[i].def;
}

int
model_params_bad(const model_ops *ops, const double *params)
{
	for (int k = 0; k < ops->nparams; k++) {
		const model_param *p = &ops->params[k];

		if (!(params[k] >= p->min && params[k] <= p->max) ||
		    (p->integer && params[k] != floor(params[k])))
			return k;
	}
	/* A scoring parameter is -1 (chosen after the fit) or in its
	 * range from 0, nothing between. */
	for (const model_search *s = ops->search; s && s->param; s++) {
		int k = s->scoring ? model_param_index(ops, s->param) : -1;

		if (k >= 0 && params[k] < 0 && params[k] != -1)
			return k;
	}
	return -1;
}

int
model_check_saved_params(const model_ops *ops, const double *params,
    rf_error *err)
{
	const model_param *p;
	int k;

	if (params == NULL || (k = model_params_bad(ops, params)) < 0)
		return 0;
	p = &ops->params[k];
	return rf_fail(err, "%s: saved parameter %s=%g is out of range (%s "
	    "%g..%g)", ops->name, p->name, params[k], p->integer ? "integer" :
	    "real", p->min, p->max);
}

int
model_check_finite(const model_ops *ops, const char *what, const float *a,
    size_t n, rf_error *err)
{
	for (size_t i = 0; i < n; i++)
		if (!isfinite(a[i]))
			return rf_fail(err, "%s: saved %s hold a non-finite "
			    "value (%g at %zu)", ops->name, what, (double)a[i],
			    i);
	return 0;
}

int
model_init_header(model *m, const model_ops *ops, const dataset *ds,
    const interactions *train, const double *params, uint64_t seed,
    rf_error *err)
{
	m->ops = ops;
	snprintf(m->name, sizeof m->name, "%s", ops->name);
	m->ds = ds;
	m->train = train;
	m->seed = seed;
	m->epochs_done = 0;
	m->params = calloc((size_t)(ops->nparams ? ops->nparams : 1),
	    sizeof *m->params);
	if (m->params == NULL)
		return rf_fail(err, "%s: out of memory", ops->name);
	for (int i = 0; i < ops->nparams; i++) {
		double v = params ? params[i] : ops->params[i].def;

		if (ops->params[i].integer)
			v = floor(v + 0.5);
		m->params[i] = v;
	}
	return 0;
}

int
model_check_room(const model *m, uint64_t need, int param,
    uint64_t per_unit, int blas, rf_error *err)
{
	const char *name = m->ops->name;
	char what[96], hint[96] = "";
	rf_mem_room room;
	uint64_t usable;
	rf_error blas_err;

	if (blas && rf_blas_ready(&blas_err) < 0)
		return rf_fail(err, "%s: %s", name, blas_err.msg);
	rf_mem_room_now(&room);
	usable = rf_mem_usable(&room);
	if (need <= usable)
		return 0;
	if (param >= 0 && param < m->ops->nparams && per_unit > 0) {
		const model_param *p = &m->ops->params[param];
		double scaled = (double)per_unit * m->params[param];
		double fixed = (double)need > scaled ? (double)need - scaled : 0;
		double fit = (double)usable > fixed ?
		    floor(((double)usable - fixed) / (double)per_unit) : 0;

		if (fit >= p->min && fit < m->params[param])
			snprintf(hint, sizeof hint, "; try %s=%.0f", p->name,
			    fit);
		else
			snprintf(hint, sizeof hint, "; not even %s=%g fits",
			    p->name, p->min);
	}
	snprintf(what, sizeof what, "%s: the model's arrays", name);
	return rf_mem_refuse(&room, need, what, hint, err);
}

/* The users' rows gathered on the stack, this many floats at a time:
 * 256 users of 64 factors, enough for sgemm's full rate (bench_sgemm). */
#define MODEL_GATHER_FLOATS 16384

/* c (cnt x width) = a (cnt x k, rows lda apart) Y_lo..hi^T + the bias */
static void
score_factor_rows(const model_factor_tables *ft, const float *a, int lda,
    int cnt, int lo, int width, float *c)
{
	float beta = 0.0f;

	if (ft->item_bias != NULL) {
		for (int j = 0; j < cnt; j++)
			memcpy(c + (size_t)j * width, ft->item_bias + lo,
			    (size_t)width * sizeof *c);
		beta = 1.0f;
	}
	cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, cnt, width, ft->k,
	    1.0f, a, lda, ft->item + (size_t)lo * (size_t)ft->stride,
	    ft->stride, beta, c, width);
}

void
model_score_factor_block(const model_factor_tables *ft,
    const int32_t *users, int n, int lo, int hi, float *out)
{
	float rows[MODEL_GATHER_FLOATS];
	int width = hi - lo, k = ft->k, per = MODEL_GATHER_FLOATS / k;

	if (n <= 0 || width <= 0)
		return;
	for (int j0 = 0; per > 0 && j0 < n; j0 += per) {
		int cnt = n - j0 < per ? n - j0 : per;

		for (int j = 0; j < cnt; j++) {
			int u = users[j0 + j];

			if (u >= 0 && u < ft->n_users)
				memcpy(rows + (size_t)j * k, ft->user +
				    (size_t)u * ft->stride, (size_t)k *
				    sizeof *rows);
			else
				memset(rows + (size_t)j * k, 0, (size_t)k *
				    sizeof *rows);
		}
		score_factor_rows(ft, rows, k, cnt, lo, width, out +
		    (size_t)j0 * width);
	}
	/* More factors than the stack holds (more than any model has): a
	 * user at a time, from its row in place. */
	for (int j = 0; per == 0 && j < n; j++) {
		float *c = out + (size_t)j * width;

		if (users[j] >= 0 && users[j] < ft->n_users)
			score_factor_rows(ft, ft->user + (size_t)users[j] *
			    ft->stride, ft->stride, 1, lo, width, c);
		else
			for (int i = 0; i < width; i++)
				c[i] = ft->item_bias ? ft->item_bias[lo + i] :
				    0.0f;
	}
}

void
model_free_header(model *m)
{
	free(m->params);
	m->params = NULL;
}

static int
term_by_contribution(const void *a, const void *b)
{
	const explain_term *x = a, *y = b;

	if (x->contribution != y->contribution)
		return x->contribution < y->contribution ? 1 : -1;
	return (x->item > y->item) - (x->item < y->item);
}

int
model_keep_top_terms(explain_term *all, int n, explain_term *terms, int max)
{
	if (n <= 0 || max <= 0)
		return 0;
	qsort(all, (size_t)n, sizeof *all, term_by_contribution);
	if (n > max)
		n = max;
	memcpy(terms, all, (size_t)n * sizeof *terms);
	return n;
}

int
model_probe_threshold(const model *m, int u, int64_t **ts, int64_t *first)
{
	const interactions *tr = m->train;
	int64_t L = tr->ptr[u + 1] - tr->ptr[u], *t;

	*first = INT64_MIN;
	*ts = NULL;
	if (L <= MODEL_PROBE_MAX_HISTORY)
		return 0;
	if ((*ts = malloc((size_t)L * sizeof **ts)) == NULL ||
	    (t = malloc((size_t)L * sizeof *t)) == NULL) {
		free(*ts);
		*ts = NULL;
		return -1;
	}
	if (!dataset_row_times(m->ds, tr, u, *ts, NULL)) {
		free(*ts);
		free(t);
		*ts = NULL;
		return 0;
	}
	memcpy(t, *ts, (size_t)L * sizeof *t);
	/* A partial selection sort: the MAX newest to the front. */
	for (int64_t a = 0; a < MODEL_PROBE_MAX_HISTORY; a++) {
		int64_t best = a, x;

		for (int64_t b = a + 1; b < L; b++)
			if (t[b] > t[best])
				best = b;
		x = t[a];
		t[a] = t[best];
		t[best] = x;
	}
	*first = t[MODEL_PROBE_MAX_HISTORY - 1];
	free(t);
	return 0;
}

void
model_probe_keep(model_probe *p, explain_term *all, int n)
{
	p->n = model_keep_top_terms(all, n, p->terms, p->max);
}

static int
recency_cmp(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

float *
model_recency_row(const model *m, int u, double half_life)
{
	const interactions *tr = m->train;
	int64_t n = tr->ptr[u + 1] - tr->ptr[u], *ts, *sorted;
	float *w;

	if (!(half_life > 0) || n < 2)
		return NULL;
	w = malloc((size_t)n * sizeof *w);
	ts = malloc((size_t)n * 2 * sizeof *ts);
	if (w == NULL || ts == NULL ||
	    !dataset_row_times(m->ds, tr, u, ts, NULL)) {
		free(w);
		free(ts);
		return NULL;
	}
	sorted = ts + n;
	memcpy(sorted, ts, (size_t)n * sizeof *ts);
	qsort(sorted, (size_t)n, sizeof *sorted, recency_cmp);
	for (int64_t k = 0; k < n; k++) {
		/* later: the entries after the last with this time */
		int64_t lo = 0, hi = n;

		while (lo < hi) {
			int64_t mid = lo + (hi - lo) / 2;

			if (sorted[mid] <= ts[k])
				lo = mid + 1;
			else
				hi = mid;
		}
		w[k] = (float)exp2(-(double)(n - lo) / half_life);
	}
	free(ts);
	return w;
}
