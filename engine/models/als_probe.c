/* als_probe: ALS's leave-one-out probe of a recommendation (the model's
 * ops->probe), exact by fold-in with the item factors fixed. */
#include "engine/models/als.h"

#include <cblas.h>
#include <lapacke.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * ALS by fold-in (Hu, Koren & Volinsky 2008, eq. 4): with the item factors
 * Y fixed, the user's least-squares vector is
 *   x_u = (Y^T C^u Y + reg I)^-1 Y^T C^u p(u),  c_ui from als_confidence1(),
 * with p = 1 on the history and c = 1, p = 0 elsewhere (the confidence
 * rule and parameters of engine/models/als.c).  score(full) uses the
 * fold-in of the whole history -- the exact least-squares vector that
 * ALS's own explain decomposes, not the model's stored CG iterate -- so
 * every probe compares like with like.  Leaving history item h out turns
 * its entry into an unobserved one: A_h = A - c1 y_h y_h^T (c1 = c - 1)
 * and b_h = b - c y_h.  By Sherman-Morrison, with W = A^-1, w = W y_h,
 * d = y_h . w and xh = y_h . x_u,
 *   x_u - x_h = w (c - c1 xh) / (1 - c1 d),
 * so the drop of item i's score is (y_i . w)(c - c1 xh) / (1 - c1 d):
 * one Cholesky of A and one f x (probes + 1) triangular solve in double
 * (LAPACK dpotrf/dpotrs) instead of a factorisation per probe.  1 - c1 d
 * = det A_h / det A > 0 since A_h >= reg I; when it is tiny (ill-
 * conditioned), the probe is re-solved directly on A_h (dposv).
 */
int
als_probe(const model *m, int u, int i, double score, model_probe *p)
{
	const interactions *tr = m->train;
	const float *X, *Y;
	int fs, f, kf = model_param_index(m->ops, "factors");
	int kr = model_param_index(m->ops, "reg");
	int64_t lo = tr->ptr[u], hi = tr->ptr[u + 1], L = hi - lo, first;
	int nsel = 0, n = 0, nr, rc = -1;
	double *A = NULL, *A0 = NULL, *D = NULL, *b = NULL, *x = NULL;
	double *R = NULL, *tmp = NULL, full, reg;
	int64_t *sel = NULL, *ts = NULL;
	explain_term *all = NULL;
	enum { CHUNK = 256 };

	if (als_factors(m, &X, &Y, &fs) < 0 || kf < 0 || kr < 0) {
		snprintf(p->note, sizeof p->note, "probing isn't available "
		    "for %s: no factors", m->ops->name);
		return -1;
	}
	(void)X;
	f = (int)m->params[kf];
	reg = m->params[kr];
	if (f < 1 || f > fs) {
		snprintf(p->note, sizeof p->note, "probing isn't available "
		    "for %s: %d factors in rows of %d", m->ops->name, f, fs);
		return -1;
	}
	if (L == 0) {
		snprintf(p->note, sizeof p->note, "no history to probe");
		return -1;
	}
	A = calloc((size_t)f * f, sizeof *A);
	A0 = malloc((size_t)f * f * sizeof *A0);
	D = malloc((size_t)CHUNK * f * sizeof *D);
	b = calloc((size_t)f, sizeof *b);
	x = malloc((size_t)f * sizeof *x);
	tmp = malloc((size_t)f * sizeof *tmp);
	sel = malloc((size_t)L * sizeof *sel);
	all = malloc((size_t)L * sizeof *all);
	if (!A || !A0 || !D || !b || !x || !tmp || !sel || !all ||
	    model_probe_threshold(m, u, &ts, &first) < 0)
		goto oom;
	/* A = Y^T Y (lower triangle) in double, a chunk of rows at a time
	 * through dsyrk; the padding columns past f are zero and left out. */
	for (int r0 = 0; r0 < tr->n_items; r0 += CHUNK) {
		int rows = tr->n_items - r0 < CHUNK ? tr->n_items - r0 : CHUNK;

		for (int r = 0; r < rows; r++)
			for (int a = 0; a < f; a++)
				D[(size_t)r * f + a] =
				    Y[(size_t)(r0 + r) * fs + a];
		cblas_dsyrk(CblasRowMajor, CblasLower, CblasTrans, f, rows,
		    1.0, D, f, 1.0, A, f);
	}
	/* + sum_history c1 y y^T + reg I;  b = sum_history c y. */
	for (int64_t q = lo; q < hi; q++) {
		const float *y = Y + (size_t)tr->idx[q] * fs;
		float r = tr->val[q];
		double c1 = (double)als_confidence1(m, r);

		for (int a = 0; a < f; a++) {
			for (int c = 0; c <= a; c++)
				A[(size_t)a * f + c] += c1 * y[a] * y[c];
			b[a] += (1.0 + c1) * y[a];
		}
		if (ts == NULL || ts[q - lo] >= first) {
			if (first != INT64_MIN || nsel < MODEL_PROBE_MAX_HISTORY)
				sel[nsel++] = q;
		}
	}
	for (int a = 0; a < f; a++)
		A[(size_t)a * f + a] += reg;
	memcpy(A0, A, (size_t)f * f * sizeof *A);
	memcpy(x, b, (size_t)f * sizeof *x);
	if (LAPACKE_dpotrf(LAPACK_ROW_MAJOR, 'L', f, A, f) != 0 ||
	    LAPACKE_dpotrs(LAPACK_ROW_MAJOR, 'L', f, 1, A, f, x, 1) != 0) {
		snprintf(p->note, sizeof p->note, "probing failed for %s: "
		    "Y^T C^u Y + reg I is not positive definite",
		    m->ops->name);
		goto out;
	}
	full = 0;
	for (int a = 0; a < f; a++)
		full += x[a] * Y[(size_t)i * fs + a];
	/* R = W [y_h ...], one column per probe. */
	nr = nsel;
	if ((R = malloc((size_t)f * nr * sizeof *R)) == NULL)
		goto oom;
	for (int a = 0; a < f; a++)
		for (int h = 0; h < nr; h++)
			R[(size_t)a * nr + h] =
			    Y[(size_t)tr->idx[sel[h]] * fs + a];
	if (LAPACKE_dpotrs(LAPACK_ROW_MAJOR, 'L', f, nr, A, f, R, nr) != 0) {
		snprintf(p->note, sizeof p->note, "probing failed for %s: "
		    "the solve W y_h", m->ops->name);
		goto out;
	}
	for (int h = 0; h < nsel; h++) {
		int64_t q = sel[h];
		const float *y = Y + (size_t)tr->idx[q] * fs;
		const float *yi = Y + (size_t)i * fs;
		float r = tr->val[q];
		double c1 = (double)als_confidence1(m, r);
		double s = 0, d = 0, xh = 0, den, drop;

		for (int a = 0; a < f; a++) {
			double w = R[(size_t)a * nr + h];

			s += yi[a] * w;
			d += y[a] * w;
			xh += y[a] * x[a];
		}
		den = 1.0 - c1 * d;
		if (den > 1e-6)
			drop = s * (1.0 + c1 - c1 * xh) / den;
		else {
			/* Direct: (A - c1 y y^T) x_h = b - c y. */
			double sh = 0;

			for (int a = 0; a < f; a++) {
				for (int c = 0; c <= a; c++)
					A[(size_t)a * f + c] =
					    A0[(size_t)a * f + c] -
					    c1 * y[a] * y[c];
				tmp[a] = b[a] - (1.0 + c1) * y[a];
			}
			if (LAPACKE_dposv(LAPACK_ROW_MAJOR, 'L', f, 1, A, f,
			    tmp, 1) != 0) {
				snprintf(p->note, sizeof p->note,
				    "probing failed for %s: a left-out "
				    "system is not positive definite",
				    m->ops->name);
				goto out;
			}
			for (int a = 0; a < f; a++)
				sh += tmp[a] * yi[a];
			drop = full - sh;
			/* A is the factor no more: refactor for the next. */
			memcpy(A, A0, (size_t)f * f * sizeof *A);
			if (LAPACKE_dpotrf(LAPACK_ROW_MAJOR, 'L', f, A, f)
			    != 0) {
				snprintf(p->note, sizeof p->note,
				    "probing failed for %s: refactoring",
				    m->ops->name);
				goto out;
			}
		}
		all[n].item = tr->idx[q];
		all[n].contribution = drop;
		all[n].weight = s;
		n++;
	}
	model_probe_keep(p, all, n);
	rc = 0;
	snprintf(p->how, sizeof p->how, "fold-in with the "
	    "item factors fixed (HKV 2008 eq. 4): the full history's "
	    "fold-in, the exact least-squares user vector as in ALS's own "
	    "explain, scores %.6g (the model's stored vector: %.6g); each "
	    "probe is that minus the fold-in without the item%s",
	    full, score, nsel < L ? " (the 500 most recent)" : "");
	goto out;
oom:
	snprintf(p->note, sizeof p->note, "probing failed: out of memory");
out:
	free(A);
	free(A0);
	free(D);
	free(b);
	free(x);
	free(tmp);
	free(R);
	free(sel);
	free(ts);
	free(all);
	return rc;
}
