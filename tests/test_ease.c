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
#include "tests/mldata.h"
#include "tests/tinydata.h"

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

/* Too many items: refuse with the memory it would take. */
static int
run_refusal(void)
{
	interactions tr;
	double params[8];
	rf_error err;

	if (interactions_alloc(&tr, 2, 50000, 0) < 0 ||
	    interactions_build_transpose(&tr) < 0)
		return -1;
	model_params_default(&model_ease_ops, params);
	err.msg[0] = 0;
	model *m = model_ease_ops.create(NULL, &tr, params, 1, &err);
	if (m != NULL || strstr(err.msg, "GB") == NULL) {
		printf("FAIL: 50000 items not refused (%s)\n", err.msg);
		failed = 1;
		if (m)
			model_ease_ops.free(m);
	} else
		printf("refusal: %s\n", err.msg);
	interactions_free(&tr);
	return 0;
}

int
main(void)
{
	if (run_tiny(1, 2.0) < 0 || run_tiny(0, 3.5) < 0 || run_refusal() < 0) {
		printf("FAIL: setup\n");
		return 1;
	}
	printf("test_ease: worst difference %.3g (tolerance 1e-5 on B and "
	    "scores)\n", worst);
	return failed;
}
