/* test_ease: EASE against a direct inverse on a tiny case.
 *
 * X is 8 users x 5 items; the last five users each hold one item, so their
 * score vector is exactly a row of B.  The reference inverts
 * G = X^T X + lambda I by Gauss-Jordan in double and forms
 * B = I - P diag(1/diag P) with diag(B) = 0 (Steck 2019 eq. 8). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/models/model.h"
#include "engine/models/registry.h"
#include "tests/lib/mldata.h"
#include "tests/lib/tinydata.h"

#define NU 8
#define NI 5

static const float X[NU][NI] = {
	{ 1, 1, 0, 1, 0 },
	{ 0, 3, 1, 0, 1 },
	{ 2, 0, 1, 1, 1 },
	{ 1, 0, 0, 0, 0 },
	{ 0, 1, 0, 0, 0 },
	{ 0, 0, 1, 0, 0 },
	{ 0, 0, 0, 1, 0 },
	{ 0, 0, 0, 0, 1 },
};

static double worst;
static int failed;

static void
check(const char *what, double got, double want, double tol)
{
	double d = fabs(got - want);

	if (d > worst)
		worst = d;
	if (!(d <= tol)) {
		printf("FAIL %s: got %.8g want %.8g (diff %.3g > %.3g)\n",
		    what, got, want, d, tol);
		failed = 1;
	}
}

/* In-place Gauss-Jordan inverse with partial pivoting. */
static int
invert(double *a, int n)
{
	double *inv = calloc((size_t)n * n, sizeof *inv);

	if (inv == NULL)
		return -1;
	for (int i = 0; i < n; i++)
		inv[i * n + i] = 1;
	for (int c = 0; c < n; c++) {
		int p = c;
		for (int r = c + 1; r < n; r++)
			if (fabs(a[r * n + c]) > fabs(a[p * n + c]))
				p = r;
		if (a[p * n + c] == 0) {
			free(inv);
			return -1;
		}
		for (int j = 0; j < n; j++) {
			double t = a[c * n + j];
			a[c * n + j] = a[p * n + j];
			a[p * n + j] = t;
			t = inv[c * n + j];
			inv[c * n + j] = inv[p * n + j];
			inv[p * n + j] = t;
		}
		double d = a[c * n + c];
		for (int j = 0; j < n; j++) {
			a[c * n + j] /= d;
			inv[c * n + j] /= d;
		}
		for (int r = 0; r < n; r++) {
			if (r == c)
				continue;
			double f = a[r * n + c];
			for (int j = 0; j < n; j++) {
				a[r * n + j] -= f * a[c * n + j];
				inv[r * n + j] -= f * inv[c * n + j];
			}
		}
	}
	memcpy(a, inv, (size_t)n * n * sizeof *a);
	free(inv);
	return 0;
}

static int
run_tiny(int binary, double lambda)
{
	interactions tr;
	const model_ops *ops = &model_ease_ops;
	double params[8], G[NI * NI], B[NI * NI], loss, xv[NU][NI];
	rf_error err;
	float sc[NI];
	char what[128];

	if (dense_to_interactions(&tr, NU, NI, &X[0][0]) < 0)
		return -1;
	dataset *ds = ml_dataset(&tr, 0);
	model_params_default(ops, params);
	params[model_param_index(ops, "lambda")] = lambda;
	params[model_param_index(ops, "binary")] = binary;
	for (int u = 0; u < NU; u++)
		for (int i = 0; i < NI; i++)
			xv[u][i] = binary ? X[u][i] != 0 : X[u][i];
	/* reference */
	for (int a = 0; a < NI; a++)
		for (int b = 0; b < NI; b++) {
			double s = a == b ? lambda : 0;
			for (int u = 0; u < NU; u++)
				s += xv[u][a] * xv[u][b];
			G[a * NI + b] = s;
		}
	memcpy(B, G, sizeof G);
	if (invert(B, NI) < 0)
		return -1;
	{
		double dg[NI];
		for (int j = 0; j < NI; j++)
			dg[j] = B[j * NI + j];
		for (int i = 0; i < NI; i++)
			for (int j = 0; j < NI; j++)
				B[i * NI + j] = i == j ? 0 : -B[i * NI + j] /
				    dg[j];
	}

	model *m = ops->create(ds, &tr, params, 1, &err);
	if (m == NULL || ops->epoch(m, 0, &loss, NULL, &err) != 0) {
		printf("FAIL create/epoch: %s\n", err.msg);
		return -1;
	}
	/* probe users 3..7 hold one item each: their scores are rows of B */
	for (int i = 0; i < NI; i++) {
		ops->score_user(m, 3 + i, sc);
		for (int j = 0; j < NI; j++) {
			snprintf(what, sizeof what, "binary=%d B[%d][%d]",
			    binary, i, j);
			check(what, sc[j],
			    B[i * NI + j] * xv[3 + i][i], 1e-5);
		}
		snprintf(what, sizeof what, "diag B[%d][%d] == 0", i, i);
		check(what, sc[i], 0, 0);
	}
	/* every user: score = x_u B; explain terms sum to it */
	for (int u = 0; u < NU; u++) {
		ops->score_user(m, u, sc);
		for (int j = 0; j < NI; j++) {
			double want = 0, sum = 0;
			explain_term t[NI];

			for (int i = 0; i < NI; i++)
				want += xv[u][i] * B[i * NI + j];
			snprintf(what, sizeof what, "binary=%d score(%d,%d)",
			    binary, u, j);
			check(what, sc[j], want, 1e-5);
			int n = ops->explain(m, u, j, t, NI);
			for (int q = 0; q < n; q++) {
				sum += t[q].contribution;
				if (q > 0 && t[q].contribution >
				    t[q - 1].contribution) {
					printf("FAIL explain order\n");
					failed = 1;
				}
			}
			snprintf(what, sizeof what, "explain sum (%d,%d)", u,
			    j);
			check(what, sum, sc[j], 1e-5);
		}
	}
	/* the reported loss: (||X - XB||^2 + lambda ||B||^2) / nnz */
	{
		double obj = 0;

		for (int u = 0; u < NU; u++)
			for (int j = 0; j < NI; j++) {
				double r = xv[u][j];
				for (int i = 0; i < NI; i++)
					r -= xv[u][i] * B[i * NI + j];
				obj += r * r;
			}
		for (int a = 0; a < NI * NI; a++)
			obj += lambda * B[a] * B[a];
		snprintf(what, sizeof what, "binary=%d loss", binary);
		check(what, loss, obj / (double)tr.nnz, 1e-4 * obj);
	}
	/* save / load round trip */
	{
		rf_buf buf = { 0 };
		float sc2[NI];

		if (ops->save(m, &buf, &err) < 0) {
			printf("FAIL save: %s\n", err.msg);
			return -1;
		}
		model *m2 = ops->load(ds, &tr, params, buf.data, buf.len,
		    &err);
		if (m2 == NULL) {
			printf("FAIL load: %s\n", err.msg);
			return -1;
		}
		for (int u = 0; u < NU; u++) {
			ops->score_user(m, u, sc);
			ops->score_user(m2, u, sc2);
			if (memcmp(sc, sc2, sizeof sc) != 0) {
				printf("FAIL load: scores differ\n");
				failed = 1;
			}
		}
		if (ops->load(ds, &tr, params, buf.data, buf.len - 1, &err)) {
			printf("FAIL load accepted a truncated blob\n");
			failed = 1;
		}
		ops->free(m2);
		rf_buf_free(&buf);
	}
	ops->free(m);
	free(ds);
	interactions_free(&tr);
	return 0;
}

/* A catalogue larger than max_items: B covers the most popular items (by
 * users in train, ties by index), exactly as EASE on the matrix cut down
 * to those columns; every other item ranks below all of them. */
#define SU 30
#define SI 20
#define SMAX 8

static int
run_subset(void)
{
	const model_ops *ops = &model_ease_ops;
	interactions full, cut;
	double params[8];
	float xs[SU * SMAX], sa[SI], sr[SMAX];
	int users[SI], top[SMAX], ntop = 0;
	rf_error err;
	char what[96];
	model *a, *r;
	dataset *dsf, *dsc;
	double loss;

	if (tiny_random_matrix(&full, SU, SI, 0.25, 7) < 0)
		return -1;
	/* the reference subset: most users first, then lower index */
	for (int i = 0; i < SI; i++)
		users[i] = (int)(full.tptr[i + 1] - full.tptr[i]);
	while (ntop < SMAX) {
		int best = -1;

		for (int i = 0; i < SI; i++) {
			int taken = 0;

			for (int k = 0; k < ntop; k++)
				taken |= top[k] == i;
			if (!taken && (best < 0 || users[i] > users[best]))
				best = i;
		}
		top[ntop++] = best;
	}
	/* keep the subset in item order, as B does */
	for (int x = 1; x < SMAX; x++)
		for (int y = x; y > 0 && top[y - 1] > top[y]; y--) {
			int t = top[y];

			top[y] = top[y - 1];
			top[y - 1] = t;
		}
	memset(xs, 0, sizeof xs);
	for (int u = 0; u < SU; u++)
		for (int64_t p = full.ptr[u]; p < full.ptr[u + 1]; p++)
			for (int k = 0; k < SMAX; k++)
				if (top[k] == full.idx[p])
					xs[u * SMAX + k] = full.val[p];
	if (dense_to_interactions(&cut, SU, SMAX, xs) < 0)
		return -1;
	dsf = ml_dataset(&full, 0);
	dsc = ml_dataset(&cut, 0);
	model_params_default(ops, params);
	params[model_param_index(ops, "lambda")] = 3;
	params[model_param_index(ops, "max_items")] = SMAX;
	a = ops->create(dsf, &full, params, 1, &err);
	if (a == NULL || ops->epoch(a, 0, &loss, NULL, &err) != 0) {
		printf("FAIL subset create: %s\n", err.msg);
		return -1;
	}
	params[model_param_index(ops, "max_items")] = 10000;
	r = ops->create(dsc, &cut, params, 1, &err);
	if (r == NULL || ops->epoch(r, 0, &loss, NULL, &err) != 0) {
		printf("FAIL reference create: %s\n", err.msg);
		return -1;
	}
	for (int u = 0; u < SU; u++) {
		float lowest = INFINITY;

		ops->score_user(a, u, sa);
		ops->score_user(r, u, sr);
		for (int k = 0; k < SMAX; k++) {
			explain_term t[SI];
			double sum = 0;
			int n;

			snprintf(what, sizeof what, "subset score(%d,%d)", u,
			    top[k]);
			check(what, sa[top[k]], sr[k], 1e-5);
			if (sa[top[k]] < lowest)
				lowest = sa[top[k]];
			n = ops->explain(a, u, top[k], t, SI);
			for (int q = 0; q < n; q++)
				sum += t[q].contribution;
			snprintf(what, sizeof what, "subset explain(%d,%d)", u,
			    top[k]);
			check(what, sum, sa[top[k]], 1e-5);
		}
		for (int i = 0; i < SI; i++) {
			int in = 0;

			for (int k = 0; k < SMAX; k++)
				in |= top[k] == i;
			if (!in && !(sa[i] < lowest && isfinite(sa[i]))) {
				printf("FAIL subset: item %d outside B scores "
				    "%g, not below %g\n", i, sa[i], lowest);
				failed = 1;
			}
		}
	}
	{
		rf_buf buf = { 0 };
		float sb[SI];
		model *b;

		params[model_param_index(ops, "max_items")] = SMAX;
		if (ops->save(a, &buf, &err) < 0 || (b = ops->load(dsf, &full,
		    params, buf.data, buf.len, &err)) == NULL) {
			printf("FAIL subset save/load: %s\n", err.msg);
			return -1;
		}
		for (int u = 0; u < SU; u++) {
			ops->score_user(a, u, sa);
			ops->score_user(b, u, sb);
			if (memcmp(sa, sb, sizeof sa) != 0) {
				printf("FAIL subset load: scores differ\n");
				failed = 1;
			}
		}
		ops->free(b);
		rf_buf_free(&buf);
	}
	printf("subset: %d of %d items in B, as EASE on those columns\n",
	    SMAX, SI);
	ops->free(a);
	ops->free(r);
	free(dsf);
	free(dsc);
	interactions_free(&full);
	interactions_free(&cut);
	return 0;
}

int
main(void)
{
	if (run_tiny(1, 2.0) < 0 || run_tiny(0, 3.5) < 0 || run_subset() < 0) {
		printf("FAIL: setup\n");
		return 1;
	}
	printf("test_ease: worst difference %.3g (tolerance 1e-5 on B and "
	    "scores)\n", worst);
	return failed;
}
