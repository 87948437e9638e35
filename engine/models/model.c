/* model: helpers shared by every model implementation. */
#include "engine/models/model.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
model_probe_threshold(const interactions *tr, int u, int64_t *first)
{
	int64_t lo = tr->ptr[u], L = tr->ptr[u + 1] - lo, *t;

	*first = INT64_MIN;
	if (L <= MODEL_PROBE_MAX_HISTORY || tr->ts == NULL)
		return 0;
	if ((t = malloc((size_t)L * sizeof *t)) == NULL)
		return -1;
	memcpy(t, tr->ts + lo, (size_t)L * sizeof *t);
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
