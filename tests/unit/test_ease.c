/* test_ease: EASE against a direct inverse on a tiny case.
 *
 * X is 8 users x 5 items; the last five users each hold one item, so their
 * score vector is exactly a row of B.  The reference inverts
 * G = X^T X + lambda I by Gauss-Jordan in double and forms
 * B = I - P diag(1/diag P) with diag(B) = 0 (Steck 2019 eq. 8). */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/explain/explain.h"
#include "engine/models/model.h"
#include "engine/models/registry.h"
#include "tests/lib/check.h"
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
	dataset *ds;

	if (dense_to_interactions(&tr, NU, NI, &X[0][0]) < 0 ||
	    (ds = ml_dataset(&tr, 0)) == NULL) {
		CHECK_FAIL("out of memory");
		return -1;
	}
	check_context("binary=%d lambda=%g", binary, lambda);
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
	if (invert(B, NI) < 0) {
		CHECK_FAIL("the reference G is singular");
		return -1;
	}
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
		CHECK_FAIL("create/epoch: %s", err.msg);
		return -1;
	}
	/* probe users 3..7 hold one item each: their scores are rows of B */
	for (int i = 0; i < NI; i++) {
		ops->score_user(m, 3 + i, sc);
		for (int j = 0; j < NI; j++)
			CHECK_NEAR(sc[j], B[i * NI + j] * xv[3 + i][i], 1e-5);
		/* diag(B) = 0 exactly */
		CHECK_NEAR(sc[i], 0, 0);
	}
	/* every user: score = x_u B; explain terms sum to it */
	for (int u = 0; u < NU; u++) {
		ops->score_user(m, u, sc);
		for (int j = 0; j < NI; j++) {
			double want = 0, sum = 0;
			explain_term t[NI];

			for (int i = 0; i < NI; i++)
				want += xv[u][i] * B[i * NI + j];
			CHECK_NEAR(sc[j], want, 1e-5);
			int n = ops->explain(m, u, j, t, NI);
			for (int q = 0; q < n; q++) {
				sum += t[q].contribution;
				/* largest first */
				if (q > 0)
					CHECK(t[q].contribution <=
					    t[q - 1].contribution);
			}
			CHECK_NEAR(sum, sc[j], 1e-5);
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
		CHECK_NEAR(loss, obj / (double)tr.nnz, 1e-4 * obj);
	}
	/* recency: with times, each history row of B weighs
	 * 0.5^(later / h), later = the user's entries with a later time
	 * (ties weigh alike), counted here by hand; B is the same fit */
	{
		/* user 2 holds items 0, 2, 3, 4: item 0 first, 2 and 3 at
		 * one time, 4 last; user 1 holds 1, 2, 4 at one time */
		static const int64_t when[NU][NI] = {
			{ 10, 30, 0, 20, 0 }, { 0, 5, 5, 0, 5 },
			{ 100, 0, 200, 200, 300 },
		};
		static const double later[3][NI] = {
			{ 2, 0, 0, 1, 0 }, { 0, 0, 0, 0, 0 },
			{ 3, 0, 1, 1, 0 },
		};
		const int kr = model_param_index(ops, "recency");
		uint8_t beh[64], *keep_beh;
		int64_t ts[64], *keep_ts;

		if (tr.nnz > 64) {
			CHECK_FAIL("the tiny case has %lld entries",
			    (long long)tr.nnz);
			return -1;
		}
		for (int u = 0; u < NU; u++)
			for (int64_t p = tr.ptr[u]; p < tr.ptr[u + 1]; p++) {
				ts[p] = u < 3 ? when[u][tr.idx[p]] : 7;
				beh[p] = 1;
			}
		keep_ts = tr.ts;
		keep_beh = tr.beh;
		tr.ts = ts;
		tr.beh = beh;
		for (double h = 0; h <= 2.5; h += 2.5) {
			m->params[kr] = h;
			for (int u = 0; u < 3; u++) {
				ops->score_user(m, u, sc);
				for (int j = 0; j < NI; j++) {
					double want = 0, sum = 0;
					explain_term t[NI];
					int n;

					for (int i = 0; i < NI; i++)
						want += xv[u][i] * B[i * NI + j] *
						    (h > 0 ? pow(0.5,
						    later[u][i] / h) : 1);
					CHECK_NEAR(sc[j], want, 1e-5);
					n = ops->explain(m, u, j, t, NI);
					for (int q = 0; q < n; q++)
						sum += t[q].contribution;
					CHECK_NEAR(sum, sc[j], 1e-5);
				}
			}
		}
		/* The probe (explain ... --probe) leaves each history item
		 * out and re-scores the rest with their own weights: the
		 * later counts without it.  User 2, item 1, recency 2.5. */
		{
			const model *ms[1] = { m };
			fusion *f = fusion_new(ds, ms, NULL, 1, &err);
			explanation x;
			const int hu = 2, j = 1;
			const double h = 2.5;

			m->params[kr] = h;
			if (f == NULL || explain_item(f, hu, j, 1, &x,
			    &err) < 0) {
				CHECK_FAIL("explain --probe: %s", err.msg);
			} else {
				const explain_model *e = &x.models[0];

				CHECK_EQ(e->probe, 1);
				CHECK_EQ(e->n_probe, 4);
				for (int k = 0; k < e->n_probe; k++) {
					int out = e->probe_terms[k].item;
					double full = 0, rest = 0;

					for (int i = 0; i < NI; i++) {
						int lf = 0, lr = 0;

						if (xv[hu][i] == 0)
							continue;
						for (int o = 0; o < NI; o++)
							if (xv[hu][o] != 0 &&
							    when[hu][o] >
							    when[hu][i]) {
								lf++;
								lr += o != out;
							}
						full += xv[hu][i] *
						    B[i * NI + j] *
						    pow(0.5, lf / h);
						if (i != out)
							rest += xv[hu][i] *
							    B[i * NI + j] *
							    pow(0.5, lr / h);
					}
					CHECK_NEAR(e->probe_terms[k].contribution,
					    full - rest, 1e-5);
				}
			}
			fusion_free(f);
		}
		/* -1 (not chosen yet, outside a training): as 0 */
		m->params[kr] = -1;
		ops->score_user(m, 2, sc);
		for (int j = 0; j < NI; j++) {
			double want = 0;

			for (int i = 0; i < NI; i++)
				want += xv[2][i] * B[i * NI + j];
			CHECK_NEAR(sc[j], want, 1e-5);
		}
		tr.ts = keep_ts;
		tr.beh = keep_beh;
		m->params[kr] = params[kr];
	}
	/* save / load round trip */
	{
		rf_buf buf = { 0 };
		float sc2[NI];

		if (ops->save(m, &buf, &err) < 0) {
			CHECK_FAIL("save: %s", err.msg);
			return -1;
		}
		model *m2 = ops->load(ds, &tr, params, buf.data, buf.len,
		    &err);
		if (m2 == NULL) {
			CHECK_FAIL("load: %s", err.msg);
			return -1;
		}
		for (int u = 0; u < NU; u++) {
			ops->score_user(m, u, sc);
			ops->score_user(m2, u, sc2);
			CHECK(memcmp(sc, sc2, sizeof sc) == 0);
		}
		/* a truncated blob is refused */
		CHECK(ops->load(ds, &tr, params, buf.data, buf.len - 1,
		    &err) == NULL);
		ops->free(m2);
		rf_buf_free(&buf);
	}
	check_context_clear();
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
	model *a, *r;
	dataset *dsf, *dsc;
	double loss;

	if (tiny_random_matrix(&full, SU, SI, 0.25, 7) < 0) {
		CHECK_FAIL("out of memory");
		return -1;
	}
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
	if (dense_to_interactions(&cut, SU, SMAX, xs) < 0 ||
	    (dsf = ml_dataset(&full, 0)) == NULL ||
	    (dsc = ml_dataset(&cut, 0)) == NULL) {
		CHECK_FAIL("out of memory");
		return -1;
	}
	model_params_default(ops, params);
	params[model_param_index(ops, "lambda")] = 3;
	params[model_param_index(ops, "max_items")] = SMAX;
	a = ops->create(dsf, &full, params, 1, &err);
	if (a == NULL || ops->epoch(a, 0, &loss, NULL, &err) != 0) {
		CHECK_FAIL("subset create: %s", err.msg);
		return -1;
	}
	params[model_param_index(ops, "max_items")] = 10000;
	r = ops->create(dsc, &cut, params, 1, &err);
	if (r == NULL || ops->epoch(r, 0, &loss, NULL, &err) != 0) {
		CHECK_FAIL("reference create: %s", err.msg);
		return -1;
	}
	for (int u = 0; u < SU; u++) {
		float lowest = INFINITY;

		check_context("subset, user %d", u);
		ops->score_user(a, u, sa);
		ops->score_user(r, u, sr);
		for (int k = 0; k < SMAX; k++) {
			explain_term t[SI];
			double sum = 0;
			int n;

			CHECK_NEAR(sa[top[k]], sr[k], 1e-5);
			if (sa[top[k]] < lowest)
				lowest = sa[top[k]];
			n = ops->explain(a, u, top[k], t, SI);
			for (int q = 0; q < n; q++)
				sum += t[q].contribution;
			CHECK_NEAR(sum, sa[top[k]], 1e-5);
		}
		/* every item outside B ranks below all of B's, finitely */
		for (int i = 0; i < SI; i++) {
			int in = 0;

			for (int k = 0; k < SMAX; k++)
				in |= top[k] == i;
			if (!in)
				CHECK(sa[i] < lowest && isfinite(sa[i]));
		}
	}
	check_context_clear();
	/* the model says what it kept, in its own report; with every item
	 * in B there is nothing to say */
	{
		char text[512], want[64];
		int64_t in = 0;

		for (int64_t p = 0; p < full.nnz; p++)
			for (int k = 0; k < SMAX; k++)
				in += top[k] == full.idx[p];
		CHECK(ops->report(a, text, sizeof text) > 0);
		snprintf(want, sizeof want, "the %d items with the most users "
		    "of %d", SMAX, SI);
		CHECK_CONTAINS(text, want);
		snprintf(want, sizeof want, "%.1f%% of the training pairs",
		    100.0 * (double)in / (double)full.nnz);
		CHECK_CONTAINS(text, want);
		CHECK_EQ(ops->report(r, text, sizeof text), 0);
	}
	{
		rf_buf buf = { 0 };
		float sb[SI];
		model *b;

		params[model_param_index(ops, "max_items")] = SMAX;
		if (ops->save(a, &buf, &err) < 0 || (b = ops->load(dsf, &full,
		    params, buf.data, buf.len, &err)) == NULL) {
			CHECK_FAIL("subset save/load: %s", err.msg);
			return -1;
		}
		for (int u = 0; u < SU; u++) {
			ops->score_user(a, u, sa);
			ops->score_user(b, u, sb);
			CHECK(memcmp(sa, sb, sizeof sa) == 0);
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
	run_tiny(1, 2.0);
	run_tiny(0, 3.5);
	run_subset();
	return check_done();
}
