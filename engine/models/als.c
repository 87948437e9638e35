/* als: implicit-feedback matrix factorisation by alternating least squares
 * (Hu, Koren, Volinsky, "Collaborative Filtering for Implicit Feedback
 * Datasets", ICDM 2008), each least-squares problem solved approximately by
 * a few warm-started conjugate-gradient steps (Takacs, Pilaszy, Tikk,
 * "Applications of the Conjugate Gradient Method for Implicit Feedback
 * Collaborative Filtering", RecSys 2011).
 *
 * Every stored (u, i) is a preference p_ui = 1 with confidence
 * c_ui = 1 + alpha r_ui (HKV eq. 1-2; r is the stored value, clamped at 0);
 * every other pair is p = 0 with c = 1.  The objective (HKV eq. 3) is
 *   L = sum_{u,i} c_ui (p_ui - x_u.y_i)^2 + reg (sum |x_u|^2 + sum |y_i|^2).
 *
 * Factors are float32 rows with a stride rounded up to a multiple of 8; the
 * padding columns are zero and stay zero (their rows of Y^T Y, of b and of
 * every CG residual are zero), and the fixed 8-wide blocks let a plain -O2
 * build vectorise the inner products without -ffast-math. */
#include <cblas.h>
#include <lapacke.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "engine/models/model.h"
#include "engine/models/registry.h"

#define ALS_MAGIC	0x534c4149u	/* "IALS" */
#define ALS_VERSION	1u
#define ALS_BLOCK	8

enum { P_FACTORS, P_REG, P_ALPHA, P_CG_STEPS };

/* Defaults: reg 20 and alpha 2 were chosen on a validation split carved
 * from Protocol B's train part the same temporal way (last 20% per user);
 * over alpha in {1..10} x reg in {1..150} the validation NDCG@10 has a
 * plateau at alpha 1.5-3, reg 15-25 (0.171-0.173), and falls away on both
 * sides (reg 5: 0.163, reg 80: 0.137). */

static const model_param als_params[] = {
	{ "factors", 64, 1, 1024, 8, 1, "latent dimensions" },
	{ "reg", 20, 0, 1000, 0.5, 0,
	  "L2 weight on the factors (HKV 2008 eq. 3)" },
	{ "alpha", 2, 0, 1000, 0.5, 0,
	  "confidence slope: c_ui = 1 + alpha r_ui (HKV 2008 eq. 2)" },
	{ "cg_steps", 3, 1, 100, 1, 1,
	  "conjugate-gradient steps per solve, warm-started (Takacs 2011)" },
};

typedef struct als_model {
	model base;
	int nu, ni, f, fs;	/* users, items, factors, padded stride */
	float *X;		/* (nu, fs) user factors */
	float *Y;		/* (ni, fs) item factors */
	float *G;		/* (fs, fs) Gram of the fixed side + reg I */
	float *R, *P, *AP;	/* (max(nu, ni), fs) CG state, one row each */
	double *rs;		/* (max(nu, ni)) r.r per row */
	float *w;		/* (longest row) per-entry weights */
} als_model;

/* 8-wide blocks: eight independent partial sums are no reassociation, so
 * the compiler may put them in vector lanes. */
static inline float
als_dot(const float *restrict a, const float *restrict b, int fs)
{
	float s[ALS_BLOCK] = { 0 };

	for (int k = 0; k < fs; k += ALS_BLOCK)
		for (int l = 0; l < ALS_BLOCK; l++)
			s[l] += a[k + l] * b[k + l];
	return ((s[0] + s[4]) + (s[1] + s[5])) + ((s[2] + s[6]) +
	    (s[3] + s[7]));
}

static inline void
als_axpy(float *restrict y, float a, const float *restrict x, int fs)
{
	for (int k = 0; k < fs; k += ALS_BLOCK)
		for (int l = 0; l < ALS_BLOCK; l++)
			y[k + l] += a * x[k + l];
}

/* t[q] = F[idx[q]] . v for q < n.  Eight named partial sums per row (not
 * an array: gcc keeps those in memory) pack into two vector registers;
 * consecutive rows are independent, so their latencies overlap. */
static void
als_dots(const float *F, const int32_t *idx, int64_t n, const float *v,
    int fs, float *t)
{
	for (int64_t q = 0; q < n; q++) {
		const float *a = F + (size_t)idx[q] * fs;
		float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
		float s4 = 0, s5 = 0, s6 = 0, s7 = 0;

		for (int k = 0; k < fs; k += ALS_BLOCK) {
			s0 += a[k] * v[k];
			s1 += a[k + 1] * v[k + 1];
			s2 += a[k + 2] * v[k + 2];
			s3 += a[k + 3] * v[k + 3];
			s4 += a[k + 4] * v[k + 4];
			s5 += a[k + 5] * v[k + 5];
			s6 += a[k + 6] * v[k + 6];
			s7 += a[k + 7] * v[k + 7];
		}
		t[q] = ((s0 + s4) + (s1 + s5)) + ((s2 + s6) + (s3 + s7));
	}
}

/* out += sum_q w[q] F[idx[q]], four rows per pass over out. */
static void
als_gather_axpy(float *restrict out, const float *F, const int32_t *idx,
    int64_t n, const float *w, int fs)
{
	int64_t q = 0;

	for (; q + 4 <= n; q += 4) {
		const float *a = F + (size_t)idx[q] * fs;
		const float *b = F + (size_t)idx[q + 1] * fs;
		const float *c = F + (size_t)idx[q + 2] * fs;
		const float *d = F + (size_t)idx[q + 3] * fs;
		float wa = w[q], wb = w[q + 1], wc = w[q + 2], wd = w[q + 3];

		for (int k = 0; k < fs; k += ALS_BLOCK)
			for (int l = 0; l < ALS_BLOCK; l++)
				out[k + l] += (wa * a[k + l] + wb * b[k + l]) +
				    (wc * c[k + l] + wd * d[k + l]);
	}
	for (; q < n; q++)
		als_axpy(out, w[q], F + (size_t)idx[q] * fs, fs);
}

static inline float
als_conf1(const als_model *am, float r)
{
	/* c - 1 = alpha r */
	return (float)am->base.params[P_ALPHA] * (r > 0 ? r : 0);
}

static void
als_free(model *m)
{
	als_model *am = (als_model *)m;

	if (am == NULL)
		return;
	free(am->X);
	free(am->Y);
	free(am->G);
	free(am->R);
	free(am->P);
	free(am->AP);
	free(am->rs);
	free(am->w);
	model_free_header(&am->base);
	free(am);
}

static size_t
als_longest_row(const interactions *tr)
{
	int64_t m = 0;

	for (int u = 0; u < tr->n_users; u++)
		if (tr->ptr[u + 1] - tr->ptr[u] > m)
			m = tr->ptr[u + 1] - tr->ptr[u];
	for (int i = 0; i < tr->n_items; i++)
		if (tr->tptr[i + 1] - tr->tptr[i] > m)
			m = tr->tptr[i + 1] - tr->tptr[i];
	return (size_t)m;
}

static als_model *
als_alloc(const dataset *ds, const interactions *train, const double *params,
    uint64_t seed, rf_error *err)
{
	als_model *am = calloc(1, sizeof *am);
	size_t rows;

	if (am == NULL) {
		rf_fail(err, "als: out of memory");
		return NULL;
	}
	if (model_init_header(&am->base, &model_als_ops, ds, train, params,
	    seed, err) < 0) {
		free(am);
		return NULL;
	}
	am->nu = train->n_users;
	am->ni = train->n_items;
	am->f = (int)am->base.params[P_FACTORS];
	am->fs = (am->f + ALS_BLOCK - 1) / ALS_BLOCK * ALS_BLOCK;
	rows = (size_t)(am->nu > am->ni ? am->nu : am->ni) + 1;
	am->X = calloc(((size_t)am->nu + 1) * am->fs, sizeof *am->X);
	am->Y = calloc(((size_t)am->ni + 1) * am->fs, sizeof *am->Y);
	am->G = calloc((size_t)am->fs * am->fs, sizeof *am->G);
	am->R = malloc(rows * am->fs * sizeof *am->R);
	am->P = malloc(rows * am->fs * sizeof *am->P);
	am->AP = malloc(rows * am->fs * sizeof *am->AP);
	am->rs = malloc(rows * sizeof *am->rs);
	am->w = malloc((als_longest_row(train) + 1) * sizeof *am->w);
	if (!am->X || !am->Y || !am->G || !am->R || !am->P || !am->AP ||
	    !am->rs || !am->w) {
		rf_fail(err, "als: out of memory for %d x %d factors",
		    am->nu + am->ni, am->f);
		als_free(&am->base);
		return NULL;
	}
	return am;
}

/* Small normal entries, N(0, 1) * 0.1 / sqrt(f), users then items, from the
 * model's seed: the same seed gives the same factors on every platform. */
static model *
als_create(const dataset *ds, const interactions *train, const double *params,
    uint64_t seed, rf_error *err)
{
	als_model *am = als_alloc(ds, train, params, seed, err);
	rf_rng rng;
	double sc;

	if (am == NULL)
		return NULL;
	sc = 0.1 / sqrt((double)am->f);
	rf_rng_seed(&rng, seed);
	for (int u = 0; u < am->nu; u++)
		for (int k = 0; k < am->f; k++)
			am->X[(size_t)u * am->fs + k] =
			    (float)(sc * rf_rng_normal(&rng));
	for (int i = 0; i < am->ni; i++)
		for (int k = 0; k < am->f; k++)
			am->Y[(size_t)i * am->fs + k] =
			    (float)(sc * rf_rng_normal(&rng));
	return &am->base;
}

/* G = F^T F + reg I over the fixed side (HKV section 4: Y^T Y is shared by
 * every row's system and costs one ssyrk per half-iteration). */
static void
als_gram(als_model *am, const float *F, int nf, double reg)
{
	int fs = am->fs;

	cblas_ssyrk(CblasRowMajor, CblasUpper, CblasTrans, fs, nf, 1.0f, F,
	    fs, 0.0f, am->G, fs);
	for (int a = 0; a < fs; a++) {
		for (int b = a + 1; b < fs; b++)
			am->G[(size_t)b * fs + a] = am->G[(size_t)a * fs + b];
		am->G[(size_t)a * fs + a] += (float)reg;
	}
}

/* One half-iteration: every row t of T (users, or items) solves
 *   (F^T F + F^T (C^t - I) F + reg I) x_t = F^T C^t p(t)      (HKV eq. 4)
 * by cg_steps of CG from the current x_t (Takacs et al. 2011, alg. 2).
 * All rows step in lockstep so the dense part G p of every product is one
 * sgemm; the sparse part sum_i (c_ti - 1)(f_i.p) f_i is per row, over the
 * row's observed entries only.  Returns 1 when cancelled. */
static int
als_half(als_model *am, float *T, int nt, const float *F, int nf,
    const int64_t *ptr, const int32_t *idx, const float *val,
    const volatile int *cancel)
{
	int fs = am->fs, steps = (int)am->base.params[P_CG_STEPS];
	float *R = am->R, *P = am->P, *AP = am->AP, *w = am->w;

	if (nt == 0)
		return 0;
	als_gram(am, F, nf, am->base.params[P_REG]);
	/* r = b - A x = sum_i (c_i - (c_i - 1) f_i.x) f_i - G x */
	cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, nt, fs, fs,
	    1.0f, T, fs, am->G, fs, 0.0f, AP, fs);
	for (int t = 0; t < nt; t++) {
		float *r = R + (size_t)t * fs, *x = T + (size_t)t * fs;
		const float *gx = AP + (size_t)t * fs;
		int64_t lo = ptr[t], n = ptr[t + 1] - lo;

		for (int k = 0; k < fs; k++)
			r[k] = -gx[k];
		als_dots(F, idx + lo, n, x, fs, w);
		for (int64_t q = 0; q < n; q++) {
			float c1 = als_conf1(am, val[lo + q]);

			w[q] = 1.0f + c1 - c1 * w[q];
		}
		als_gather_axpy(r, F, idx + lo, n, w, fs);
		memcpy(P + (size_t)t * fs, r, (size_t)fs * sizeof *r);
		am->rs[t] = als_dot(r, r, fs);
	}
	for (int s = 0; s < steps; s++) {
		if (cancel && *cancel)
			return 1;
		cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, nt, fs,
		    fs, 1.0f, P, fs, am->G, fs, 0.0f, AP, fs);
		for (int t = 0; t < nt; t++) {
			float *r = R + (size_t)t * fs, *p = P + (size_t)t * fs;
			float *ap = AP + (size_t)t * fs, *x = T + (size_t)t * fs;
			double rs = am->rs[t], rsn, pap, a;
			int64_t lo = ptr[t], n = ptr[t + 1] - lo;

			if (rs < 1e-20)
				continue;	/* converged: p, r stay put */
			als_dots(F, idx + lo, n, p, fs, w);
			for (int64_t q = 0; q < n; q++)
				w[q] *= als_conf1(am, val[lo + q]);
			als_gather_axpy(ap, F, idx + lo, n, w, fs);
			pap = als_dot(p, ap, fs);
			if (!(pap > 0)) {
				am->rs[t] = 0;
				continue;
			}
			a = rs / pap;
			als_axpy(x, (float)a, p, fs);
			als_axpy(r, (float)-a, ap, fs);
			rsn = als_dot(r, r, fs);
			if (s + 1 < steps) {
				float beta = (float)(rsn / rs);

				for (int k = 0; k < fs; k++)
					p[k] = r[k] + beta * p[k];
			}
			am->rs[t] = rsn;
		}
	}
	return 0;
}

/* The full objective (HKV eq. 3) without touching the nu x ni zeros:
 *   sum_{all u,i} (x_u.y_i)^2 = sum_u x_u^T (Y^T Y) x_u = <X^T X, Y^T Y>_F,
 * and each observed pair swaps its (0 - s)^2 for c (1 - s)^2:
 *   L = <X^T X, Y^T Y> + sum_obs [c_ui (1 - s_ui)^2 - s_ui^2]
 *       + reg (|X|^2 + |Y|^2).
 * One f x f ssyrk per side and one dot per observed pair. */
static double
als_objective(als_model *am)
{
	const interactions *tr = am->base.train;
	int fs = am->fs;
	float *xtx = am->G, *yty;
	double l = 0, nx = 0, ny = 0;

	yty = malloc((size_t)fs * fs * sizeof *yty);
	if (yty == NULL)
		return NAN;
	cblas_ssyrk(CblasRowMajor, CblasUpper, CblasTrans, fs, am->nu, 1.0f,
	    am->X, fs, 0.0f, xtx, fs);
	cblas_ssyrk(CblasRowMajor, CblasUpper, CblasTrans, fs, am->ni, 1.0f,
	    am->Y, fs, 0.0f, yty, fs);
	for (int a = 0; a < fs; a++) {
		l += (double)xtx[(size_t)a * fs + a] * yty[(size_t)a * fs + a];
		nx += xtx[(size_t)a * fs + a];
		ny += yty[(size_t)a * fs + a];
		for (int b = a + 1; b < fs; b++)
			l += 2.0 * xtx[(size_t)a * fs + b] *
			    yty[(size_t)a * fs + b];
	}
	free(yty);
	for (int u = 0; u < am->nu; u++) {
		int64_t lo = tr->ptr[u], n = tr->ptr[u + 1] - lo;

		als_dots(am->Y, tr->idx + lo, n, am->X + (size_t)u * fs, fs,
		    am->w);
		for (int64_t q = 0; q < n; q++) {
			double s = am->w[q];
			double c = 1.0 + als_conf1(am, tr->val[lo + q]);

			l += c * (1 - s) * (1 - s) - s * s;
		}
	}
	return l + am->base.params[P_REG] * (nx + ny);
}

/* One ALS epoch: users given items, then items given users.  The loss is
 * the objective of HKV eq. 3 over the number of observed pairs. */
static int
als_epoch(model *m, int epoch, double *loss, const volatile int *cancel,
    rf_error *err)
{
	als_model *am = (als_model *)m;
	const interactions *tr = m->train;

	(void)epoch;
	(void)err;
	*loss = 0;
	if (als_half(am, am->X, am->nu, am->Y, am->ni, tr->ptr, tr->idx,
	    tr->val, cancel) || als_half(am, am->Y, am->ni, am->X, am->nu,
	    tr->tptr, tr->tidx, tr->tval, cancel))
		return 1;
	*loss = als_objective(am) / (double)(tr->nnz ? tr->nnz : 1);
	return 0;
}

/* score(u, j) = x_u . y_j for every j: one sgemv of Y by x_u. */
static void
als_score_user(const model *m, int u, float *out)
{
	const als_model *am = (const als_model *)m;

	if (u < 0 || u >= am->nu) {
		memset(out, 0, (size_t)am->ni * sizeof *out);
		return;
	}
	cblas_sgemv(CblasRowMajor, CblasNoTrans, am->ni, am->fs, 1.0f, am->Y,
	    am->fs, am->X + (size_t)u * am->fs, 1, 0.0f, out, 1);
}

static int
term_cmp(const void *a, const void *b)
{
	const explain_term *x = a, *y = b;

	if (x->contribution != y->contribution)
		return x->contribution < y->contribution ? 1 : -1;
	return (x->item > y->item) - (x->item < y->item);
}

/* HKV 2008 section 5: with W^u = (Y^T C^u Y + reg I)^-1 the exact
 * least-squares user vector is x_u = W^u Y^T C^u p(u), so
 *   y_j . x_u = sum_{i in history} s^u_ji c_ui,   s^u_ji = y_j^T W^u y_i.
 * The terms decompose the closed-form x_u for the current Y; the stored
 * x_u came from a few CG steps and differs from it by the CG residual, so
 * they sum to y_j . x_u(exact), close to but not exactly score(u, j).
 * Solved in double: one f x f Cholesky (LAPACK dpotrf/dpotrs) per call.
 * weight = s^u_ji, contribution = s^u_ji c_ui. */
static int
als_explain(const model *m, int u, int j, explain_term *terms, int max)
{
	const als_model *am = (const als_model *)m;
	const interactions *tr = am->base.train;
	int f = am->f, fs = am->fs, n = 0, rc = 0;
	int64_t lo, hi;
	double *A, *z;
	explain_term *all;

	if (u < 0 || u >= am->nu || j < 0 || j >= am->ni || max <= 0)
		return 0;
	lo = tr->ptr[u];
	hi = tr->ptr[u + 1];
	A = calloc((size_t)f * f, sizeof *A);
	z = malloc((size_t)f * sizeof *z);
	all = malloc((size_t)(hi - lo + 1) * sizeof *all);
	if (A == NULL || z == NULL || all == NULL)
		goto out;
	/* A = Y^T Y + sum_history (c - 1) y_i y_i^T + reg I (lower part) */
	for (int i = 0; i < am->ni; i++) {
		const float *y = am->Y + (size_t)i * fs;

		for (int a = 0; a < f; a++)
			for (int b = 0; b <= a; b++)
				A[(size_t)a * f + b] += (double)y[a] * y[b];
	}
	for (int64_t q = lo; q < hi; q++) {
		const float *y = am->Y + (size_t)tr->idx[q] * fs;
		double c1 = als_conf1(am, tr->val[q]);

		for (int a = 0; a < f; a++)
			for (int b = 0; b <= a; b++)
				A[(size_t)a * f + b] += c1 * y[a] * y[b];
	}
	for (int a = 0; a < f; a++) {
		A[(size_t)a * f + a] += am->base.params[P_REG];
		z[a] = am->Y[(size_t)j * fs + a];
	}
	if (LAPACKE_dpotrf(LAPACK_ROW_MAJOR, 'L', f, A, f) != 0 ||
	    LAPACKE_dpotrs(LAPACK_ROW_MAJOR, 'L', f, 1, A, f, z, 1) != 0)
		goto out;
	/* z = W^u y_j; s^u_ji = z . y_i */
	for (int64_t q = lo; q < hi; q++) {
		const float *y = am->Y + (size_t)tr->idx[q] * fs;
		double s = 0;

		for (int a = 0; a < f; a++)
			s += z[a] * y[a];
		all[n].item = tr->idx[q];
		all[n].weight = s;
		all[n].contribution = s * (1.0 + als_conf1(am, tr->val[q]));
		n++;
	}
	qsort(all, (size_t)n, sizeof *all, term_cmp);
	rc = n < max ? n : max;
	if (rc > 0)
		memcpy(terms, all, (size_t)rc * sizeof *terms);
out:
	free(A);
	free(z);
	free(all);
	return rc;
}

/* Blob: uint32 magic, version, n_users, n_items, factors; then X and Y
 * rows of `factors` floats (no padding). */
static int
als_save(const model *m, rf_buf *out, rf_error *err)
{
	const als_model *am = (const als_model *)m;
	uint32_t hdr[5] = { ALS_MAGIC, ALS_VERSION, (uint32_t)am->nu,
	    (uint32_t)am->ni, (uint32_t)am->f };

	if (rf_buf_append(out, hdr, sizeof hdr) < 0)
		return rf_fail(err, "als: out of memory");
	for (int u = 0; u < am->nu; u++)
		if (rf_buf_append(out, am->X + (size_t)u * am->fs,
		    (size_t)am->f * sizeof(float)) < 0)
			return rf_fail(err, "als: out of memory");
	for (int i = 0; i < am->ni; i++)
		if (rf_buf_append(out, am->Y + (size_t)i * am->fs,
		    (size_t)am->f * sizeof(float)) < 0)
			return rf_fail(err, "als: out of memory");
	return 0;
}

static model *
als_load(const dataset *ds, const interactions *train, const double *params,
    const void *data, size_t len, rf_error *err)
{
	const unsigned char *p = data;
	uint32_t hdr[5];
	als_model *am;
	size_t want;

	if (len < sizeof hdr) {
		rf_fail(err, "als: saved model truncated");
		return NULL;
	}
	memcpy(hdr, p, sizeof hdr);
	p += sizeof hdr;
	if (hdr[0] != ALS_MAGIC || hdr[1] != ALS_VERSION) {
		rf_fail(err, "als: not an als model (or another version)");
		return NULL;
	}
	if (hdr[2] != (uint32_t)train->n_users ||
	    hdr[3] != (uint32_t)train->n_items) {
		rf_fail(err, "als: saved for %u users x %u items, data has "
		    "%d x %d", hdr[2], hdr[3], train->n_users, train->n_items);
		return NULL;
	}
	if (params != NULL && hdr[4] != (uint32_t)floor(params[P_FACTORS] +
	    0.5)) {
		rf_fail(err, "als: saved with %u factors, parameters say %g",
		    hdr[4], params[P_FACTORS]);
		return NULL;
	}
	if (hdr[4] < 1 || hdr[4] > 1024) {
		rf_fail(err, "als: saved model corrupt");
		return NULL;
	}
	want = sizeof hdr + ((size_t)hdr[2] + hdr[3]) * hdr[4] * sizeof(float);
	if (len != want) {
		rf_fail(err, "als: saved model is %zu bytes, expected %zu",
		    len, want);
		return NULL;
	}
	if ((am = als_alloc(ds, train, params, 0, err)) == NULL)
		return NULL;
	for (int u = 0; u < am->nu; u++, p += (size_t)am->f * sizeof(float))
		memcpy(am->X + (size_t)u * am->fs, p,
		    (size_t)am->f * sizeof(float));
	for (int i = 0; i < am->ni; i++, p += (size_t)am->f * sizeof(float))
		memcpy(am->Y + (size_t)i * am->fs, p,
		    (size_t)am->f * sizeof(float));
	return &am->base;
}

const model_ops model_als_ops = {
	.name = "als",
	.help = "implicit ALS with conjugate gradient (Hu, Koren, Volinsky "
	    "2008; Takacs et al. 2011)",
	.kinds = MODEL_TOPN,
	.params = als_params,
	.nparams = (int)(sizeof als_params / sizeof als_params[0]),
	.default_epochs = 15,
	.create = als_create,
	.epoch = als_epoch,
	.score_user = als_score_user,
	.predict = NULL,
	.explain = als_explain,
	.save = als_save,
	.load = als_load,
	.free = als_free,
};
