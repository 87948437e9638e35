/* test_explain_als: `explain USER ITEM --probe` for ALS on a tiny problem.
 * The probe folds the user's vector in with the item factors fixed (Hu,
 * Koren & Volinsky 2008, eq. 4) and reports, per history item left out,
 * score(full fold-in) - score(fold-in without it); here every reported
 * drop is recomputed directly by Gaussian elimination in double from the
 * model's factors, with the confidence rule c = 1 + alpha log(1 + r)
 * (conf=1, HKV eq. 6), computed in float as the model does. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/explain/explain.h"
#include "engine/models/als.h"
#include "engine/models/registry.h"
#include "tests/lib/tinydata.h"
#include "engine/core/rng.h"
#include "tests/lib/check.h"

#define NU 9
#define NI 12
#define NF 5		/* not a multiple of 8: rows are padded */

/* Solve A z = b (n x n, destroyed) by Gaussian elimination with partial
 * pivoting. */
static void
gauss(double *A, double *b, int n)
{
	for (int c = 0; c < n; c++) {
		int p = c;

		for (int r = c + 1; r < n; r++)
			if (fabs(A[r * n + c]) > fabs(A[p * n + c]))
				p = r;
		if (p != c) {
			double t;

			for (int k = 0; k < n; k++) {
				t = A[c * n + k];
				A[c * n + k] = A[p * n + k];
				A[p * n + k] = t;
			}
			t = b[c];
			b[c] = b[p];
			b[p] = t;
		}
		for (int r = c + 1; r < n; r++) {
			double g = A[r * n + c] / A[c * n + c];

			for (int k = c; k < n; k++)
				A[r * n + k] -= g * A[c * n + k];
			b[r] -= g * b[c];
		}
	}
	for (int c = n - 1; c >= 0; c--) {
		for (int k = c + 1; k < n; k++)
			b[c] -= A[c * n + k] * b[k];
		b[c] /= A[c * n + c];
	}
}

/* y_i . x_u where x_u folds in u's row without position skip (-1: none). */
static double
fold_in_score(const interactions *tr, const float *Y, int fs, int u,
    int i, int64_t skip, double reg, double alpha)
{
	double A[NF * NF] = { 0 }, b[NF] = { 0 }, s = 0;

	for (int j = 0; j < tr->n_items; j++)
		for (int a = 0; a < NF; a++)
			for (int c = 0; c < NF; c++)
				A[a * NF + c] += (double)Y[j * fs + a] *
				    Y[j * fs + c];
	for (int64_t q = tr->ptr[u]; q < tr->ptr[u + 1]; q++) {
		const float *y = Y + (size_t)tr->idx[q] * fs;
		double c1 = (double)((float)alpha * log1pf(tr->val[q]));

		if (q == skip)
			continue;
		for (int a = 0; a < NF; a++) {
			for (int c = 0; c < NF; c++)
				A[a * NF + c] += c1 * y[a] * y[c];
			b[a] += (1 + c1) * y[a];
		}
	}
	for (int a = 0; a < NF; a++)
		A[a * NF + a] += reg;
	gauss(A, b, NF);
	for (int a = 0; a < NF; a++)
		s += b[a] * Y[i * fs + a];
	return s;
}

int
main(void)
{
	const model_ops *ops = &model_als_ops;
	const double reg = 0.7, alpha = 3;
	float dense[NU * NI];
	double params[16];
	interactions tr;
	dataset ds = { 0 };
	model *m;
	fusion *f;
	const model *ms[1];
	const float *X, *Y;
	int fs, checked = 0;
	rf_error err;
	rf_rng r;

	/* Values 1..3 so the confidences differ. */
	rf_rng_seed(&r, 7);
	for (int k = 0; k < NU * NI; k++)
		dense[k] = rf_rng_uniform(&r) < 0.35 || k % NI == (k / NI) %
		    NI ? (float)(1 + rf_rng_below(&r, 3)) : 0;
	if (dense_to_interactions(&tr, NU, NI, dense) < 0) {
		CHECK_FAIL("out of memory");
		return check_done();
	}
	ds.n_users = NU;
	ds.n_items = NI;
	model_params_default(ops, params);
	params[model_param_index(ops, "factors")] = NF;
	params[model_param_index(ops, "reg")] = reg;
	params[model_param_index(ops, "alpha")] = alpha;
	params[model_param_index(ops, "threads")] = 1;
	params[model_param_index(ops, "conf")] = 1;
	if ((m = ops->create(&ds, &tr, params, 3, &err)) == NULL) {
		CHECK_FAIL("create: %s", err.msg);
		return check_done();
	}
	for (int e = 0; e < 6; e++) {
		double loss;

		if (ops->epoch(m, e, &loss, NULL, &err) != 0) {
			CHECK_FAIL("epoch %d: %s", e, err.msg);
			return check_done();
		}
	}
	if (als_factors(m, &X, &Y, &fs) < 0) {
		CHECK_FAIL("als_factors");
		return check_done();
	}
	CHECK_EQ(fs, 8);	/* NF = 5 padded to 8 */
	ms[0] = m;
	if ((f = fusion_new(&ds, ms, NULL, 1, &err)) == NULL) {
		CHECK_FAIL("fusion_new: %s", err.msg);
		return check_done();
	}
	for (int u = 0; u < NU; u++)
		for (int i = 0; i < NI; i++) {
			explanation x;
			const explain_model *em;
			const explain_reason *pt;
			int64_t L = tr.ptr[u + 1] - tr.ptr[u];
			double full = fold_in_score(&tr, Y, fs, u, i, -1, reg,
			    alpha);

			check_context("user %d item %d", u, i);
			if (explain_item(f, u, i, 1, &x, &err) < 0) {
				CHECK_FAIL("explain: %s", err.msg);
				continue;
			}
			em = &x.models[0];
			/* probed: one drop per history item (up to the
			 * cap), said to come from the fold-in */
			CHECK_EQ(em->probe, 1);
			CHECK_EQ(em->n_probe, L < EXPLAIN_MAX_PROBE ? L :
			    EXPLAIN_MAX_PROBE);
			CHECK_CONTAINS(em->probe_note, "fold-in");
			pt = em->probe_terms;
			for (int k = 0; k < em->n_probe; k++) {
				int64_t q = interactions_find(&tr, u,
				    pt[k].item);
				double want;

				CHECK_MSG(q >= 0, "probe names item %d, not in "
				    "the history", em->probe_terms[k].item);
				if (q < 0)
					continue;
				want = full - fold_in_score(&tr, Y, fs, u, i, q,
				    reg, alpha);
				/* relative 1e-7 */
				CHECK_NEAR(em->probe_terms[k].contribution,
				    want, 1e-7 * (1 + fabs(want)));
				/* largest drop first */
				if (k > 0)
					CHECK(pt[k].contribution <=
					    pt[k - 1].contribution);
				checked++;
			}
		}
	check_context_clear();
	(void)X;
	printf("%d probe drops against Gaussian elimination\n", checked);
	CHECK(checked > 0);
	fusion_free(f);
	m->ops->free(m);
	interactions_free(&tr);
	return check_done();
}
