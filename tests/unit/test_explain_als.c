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
	double params[16], worst = 0, tol = 1e-7;
	interactions tr;
	dataset ds = { 0 };
	model *m;
	fusion *f;
	const model *ms[1];
	const float *X, *Y;
	int fs, checked = 0, failures = 0;
	rf_error err;
	rf_rng r;

	/* Values 1..3 so the confidences differ. */
	rf_rng_seed(&r, 7);
	for (int k = 0; k < NU * NI; k++)
		dense[k] = rf_rng_uniform(&r) < 0.35 || k % NI == (k / NI) %
		    NI ? (float)(1 + rf_rng_below(&r, 3)) : 0;
	if (dense_to_interactions(&tr, NU, NI, dense) < 0)
		return 99;
	ds.n_users = NU;
	ds.n_items = NI;
	model_params_default(ops, params);
	params[model_param_index(ops, "factors")] = NF;
	params[model_param_index(ops, "reg")] = reg;
	params[model_param_index(ops, "alpha")] = alpha;
	params[model_param_index(ops, "threads")] = 1;
	params[model_param_index(ops, "conf")] = 1;
	if ((m = ops->create(&ds, &tr, params, 3, &err)) == NULL) {
		printf("FAIL create: %s\n", err.msg);
		return 1;
	}
	for (int e = 0; e < 6; e++) {
		double loss;

		if (ops->epoch(m, e, &loss, NULL, &err) != 0) {
			printf("FAIL epoch: %s\n", err.msg);
			return 1;
		}
	}
	if (als_factors(m, &X, &Y, &fs) < 0 || fs != 8) {
		printf("FAIL als_factors (stride %d)\n", fs);
		return 1;
	}
	ms[0] = m;
	if ((f = fusion_new(&ds, ms, NULL, 1, &err)) == NULL) {
		printf("FAIL fusion_new: %s\n", err.msg);
		return 1;
	}
	for (int u = 0; u < NU; u++)
		for (int i = 0; i < NI; i++) {
			explanation x;
			const explain_model *em;
			int64_t L = tr.ptr[u + 1] - tr.ptr[u];
			double full = fold_in_score(&tr, Y, fs, u, i, -1, reg,
			    alpha);

			if (explain_item(f, u, i, 1, &x, &err) < 0) {
				printf("FAIL explain %d %d: %s\n", u, i,
				    err.msg);
				return 1;
			}
			em = &x.models[0];
			if (em->probe != 1 || em->n_probe != (L <
			    EXPLAIN_MAX_PROBE ? L : EXPLAIN_MAX_PROBE) ||
			    strstr(em->probe_note, "fold-in") == NULL) {
				printf("FAIL user %d item %d: probe %d, %d "
				    "terms of %lld; note '%s'\n", u, i,
				    em->probe, em->n_probe, (long long)L,
				    em->note);
				failures++;
				continue;
			}
			for (int k = 0; k < em->n_probe; k++) {
				int64_t q = interactions_find(&tr, u,
				    em->probe_terms[k].item);
				double want, d;

				if (q < 0) {
					printf("FAIL probe names item %d, "
					    "not in user %d's history\n",
					    em->probe_terms[k].item, u);
					failures++;
					continue;
				}
				want = full - fold_in_score(&tr, Y, fs, u, i, q,
				    reg, alpha);
				d = fabs(em->probe_terms[k].contribution -
				    want) / (1 + fabs(want));
				if (d > worst)
					worst = d;
				if (k > 0 && em->probe_terms[k].contribution >
				    em->probe_terms[k - 1].contribution)
					failures++;
				checked++;
			}
		}
	(void)X;
	printf("%d probe drops against Gaussian elimination: worst relative "
	    "difference %.3g (tolerance %.0e)\n", checked, worst, tol);
	if (worst > tol || checked == 0)
		failures++;
	fusion_free(f);
	m->ops->free(m);
	interactions_free(&tr);
	if (failures)
		printf("FAIL: %d failures\n", failures);
	return failures ? 1 : 0;
}
