/* stack: the learned combination.  Fits, on a validation pool, a logistic
 * regression (top-N) or a ridge blend (ratings) over the models' scores,
 * the user features and their products; and keeps it as text. */
#include "engine/fusion/stack.h"

#include <cblas.h>
#include <lapacke.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "engine/core/rng.h"
#include "engine/fusion/fusion_priv.h"

void
fusion_stack_names(fusion *f)
{
	int n = f->n;

	f->ntheta = 1 + UFN + n * (1 + UFN);
	snprintf(f->theta_names[0], sizeof f->theta_names[0], "intercept");
	for (int j = 0; j < UFN; j++)
		snprintf(f->theta_names[1 + j], sizeof f->theta_names[0], "%s",
		    fusion_ufeat_names[j]);
	for (int m = 0; m < n; m++) {
		snprintf(f->theta_names[1 + UFN + m], sizeof f->theta_names[0],
		    "%s", f->set.names[m]);
		for (int j = 0; j < UFN; j++)
			snprintf(f->theta_names[1 + UFN + n + j * n + m],
			    sizeof f->theta_names[0], "%s*%s",
			    f->set.names[m], fusion_ufeat_names[j]);
	}
}

/* One design row: [1, x_u, t_m, x_uf t_m]. */
static void
stack_row(const fusion *f, int u, const float *t, size_t stride, double *x)
{
	const float *uf = f->ufeat + (size_t)u * UFN;
	int n = f->n;

	x[0] = 1;
	for (int j = 0; j < UFN; j++)
		x[1 + j] = uf[j];
	for (int m = 0; m < n; m++) {
		double tm = t[(size_t)m * stride];

		x[1 + UFN + m] = tm;
		for (int j = 0; j < UFN; j++)
			x[1 + UFN + n + j * n + m] = uf[j] * tm;
	}
}

/* Solve (A) theta = b for the SPD A (d x d, destroyed) by Cholesky
 * (LAPACK dposv); a tiny ridge is added if A is not positive definite. */
static int
solve_spd(double *A, double *b, int d, rf_error *err)
{
	double *A0 = malloc((size_t)d * d * sizeof *A0);
	double *b0 = malloc((size_t)d * sizeof *b0);
	int info;

	if (A0 == NULL || b0 == NULL) {
		free(A0);
		free(b0);
		return rf_fail(err, "fusion: out of memory");
	}
	memcpy(A0, A, (size_t)d * d * sizeof *A);
	memcpy(b0, b, (size_t)d * sizeof *b);
	info = LAPACKE_dposv(LAPACK_ROW_MAJOR, 'U', d, 1, A, d, b, 1);
	for (double jit = 1e-8; info != 0 && jit < 1e3; jit *= 100) {
		memcpy(A, A0, (size_t)d * d * sizeof *A);
		memcpy(b, b0, (size_t)d * sizeof *b);
		for (int i = 0; i < d; i++)
			A[(size_t)i * d + i] += jit * (1 + fabs(A0[(size_t)i * d
			    + i]));
		info = LAPACKE_dposv(LAPACK_ROW_MAJOR, 'U', d, 1, A, d, b, 1);
	}
	free(A0);
	free(b0);
	return info == 0 ? 0 : rf_fail(err, "fusion: the stack's normal "
	    "equations are singular");
}

/* Ridge blend of the rating predictions on the pool's pairs, closed form:
 * (X'X + l2 I') theta = X'y, I' without the intercept. */
static int
stack_fit_rating(fusion *f, fusion_pool *p, const uint8_t *mask,
    rf_error *err)
{
	int d = f->ntheta;
	double *A = calloc((size_t)d * d, sizeof *A);
	double *b = calloc((size_t)d, sizeof *b);
	double *x = calloc((size_t)d, sizeof *x);
	int64_t n = 0;

	if (!A || !b || !x) {
		free(A);
		free(b);
		free(x);
		return rf_fail(err, "fusion: out of memory");
	}
	for (int r = 0; r < p->nu; r++)
		for (int64_t q = p->pptr[r]; q < p->pptr[r + 1] &&
		    (mask == NULL || mask[r]); q++) {
			stack_row(f, p->users[r], p->pred + (size_t)q * p->nm,
			    1, x);
			cblas_dsyr(CblasRowMajor, CblasUpper, d, 1.0, x, 1,
			    A, d);
			cblas_daxpy(d, p->truth[q], x, 1, b, 1);
			n++;
		}
	if (n == 0) {
		free(A);
		free(b);
		free(x);
		return rf_fail(err, "fusion: no validation pairs to fit the "
		    "stack on");
	}
	for (int i = 1; i < d; i++)
		A[(size_t)i * d + i] += f->set.l2;
	if (solve_spd(A, b, d, err) < 0) {
		free(A);
		free(b);
		free(x);
		return -1;
	}
	memcpy(f->theta, b, (size_t)d * sizeof *b);
	free(A);
	free(b);
	free(x);
	return 0;
}

/* Logistic regression on validation positives vs sampled pool negatives,
 * fitted by Newton's method / IRLS with an L2 penalty (not on the
 * intercept): theta += (X'WX + l2 I')^-1 (X'(y - p) - l2 I' theta). */
#define STACK_NEG_PER_USER 60
#define STACK_NEWTON_ITERS 25

/* The rows the logistic stack learns from: every candidate in a user's
 * validation row (y 1) and up to STACK_NEG_PER_USER draws from the other
 * candidates (y 0; with replacement, a rare positive drawn skipped), per
 * pooled user of mask.  Writes them to X (n, d) and y when X is not NULL;
 * returns n.  Called twice with the same seed, to count and then to fill:
 * the rows are held once, at their exact size. */
static size_t
stack_samples(const fusion *f, const fusion_pool *p, const uint8_t *mask,
    uint64_t seed, double *X, double *y)
{
	int d = f->ntheta;
	size_t n = 0;
	rf_rng rng;

	rf_rng_seed(&rng, seed);
	for (int r = 0; r < p->nu; r++) {
		int u = p->users[r];
		fusion_block b;
		const int32_t *rel = p->eval->idx + p->eval->ptr[u];
		int nrel = (int)(p->eval->ptr[u + 1] - p->eval->ptr[u]), q = 0;
		int npos = 0;

		fusion_pool_block(p, r, &b);
		if (nrel == 0 || (mask != NULL && !mask[r]))
			continue;
		/* Positives: candidates in the user's validation row (both
		 * lists ascending). */
		for (int c = 0; c < b.len; c++) {
			while (q < nrel && rel[q] < b.item[c])
				q++;
			if (q < nrel && rel[q] == b.item[c]) {
				if (X != NULL) {
					stack_row(f, u, b.tr + c,
					    (size_t)b.len, X + n * d);
					y[n] = 1;
				}
				n++;
				npos++;
			}
		}
		/* Negatives: uniform over the other candidates. */
		for (int s = 0; s < STACK_NEG_PER_USER && npos > 0 &&
		    b.len > npos; s++) {
			int c = (int)rf_rng_below(&rng, (uint32_t)b.len);
			int lo = 0, hi = nrel;

			while (lo < hi) {
				int mid = (lo + hi) / 2;

				if (rel[mid] < b.item[c])
					lo = mid + 1;
				else
					hi = mid;
			}
			if (lo < nrel && rel[lo] == b.item[c])
				continue;
			if (X != NULL) {
				stack_row(f, u, b.tr + c, (size_t)b.len,
				    X + n * d);
				y[n] = 0;
			}
			n++;
		}
	}
	return n;
}

static int
stack_fit_topn(fusion *f, fusion_pool *p, const uint8_t *mask,
    uint64_t seed, rf_error *err)
{
	int d = f->ntheta;
	size_t n;
	double *X = NULL, *y = NULL, *A = NULL, *g = NULL, *z = NULL;
	int rc = -1;

	if (p->eval == NULL)
		return rf_fail(err, "fusion: the pool has no validation part");
	if (fusion_pool_transform(f, p) < 0)
		return rf_fail(err, "fusion: out of memory for the pool's "
		    "ranks");
	n = stack_samples(f, p, mask, seed, NULL, NULL);
	if (n > 0 && ((X = malloc(n * d * sizeof *X)) == NULL ||
	    (y = malloc(n * sizeof *y)) == NULL))
		goto oom;
	if (n > 0)
		stack_samples(f, p, mask, seed, X, y);
	if (n == 0) {
		rf_fail(err, "fusion: no validation item is among the "
		    "candidates; cannot fit the stack");
		goto out;
	}
	A = malloc((size_t)d * d * sizeof *A);
	g = malloc((size_t)d * sizeof *g);
	z = malloc(n * sizeof *z);
	if (!A || !g || !z)
		goto oom;
	memset(f->theta, 0, sizeof f->theta);
	for (int it = 0; it < STACK_NEWTON_ITERS; it++) {
		double step = 0;

		cblas_dgemv(CblasRowMajor, CblasNoTrans, (int)n, d, 1.0, X, d,
		    f->theta, 1, 0.0, z, 1);
		memset(A, 0, (size_t)d * d * sizeof *A);
		for (int i = 0; i < d; i++)
			g[i] = i ? -f->set.l2 * f->theta[i] : 0;
		for (size_t i = 0; i < n; i++) {
			double pr = 1.0 / (1.0 + exp(-z[i]));
			double w = pr * (1 - pr);

			cblas_daxpy(d, y[i] - pr, X + i * d, 1, g, 1);
			if (w > 1e-12)
				cblas_dsyr(CblasRowMajor, CblasUpper, d, w,
				    X + i * d, 1, A, d);
		}
		for (int i = 1; i < d; i++)
			A[(size_t)i * d + i] += f->set.l2;
		A[0] += 1e-9;
		if (solve_spd(A, g, d, err) < 0)
			goto out;
		for (int i = 0; i < d; i++) {
			f->theta[i] += g[i];
			step += g[i] * g[i];
		}
		if (step < 1e-14)
			break;
	}
	rc = 0;
	goto out;
oom:
	rf_fail(err, "fusion: out of memory fitting the stack");
out:
	free(X);
	free(y);
	free(A);
	free(g);
	free(z);
	return rc;
}

int
fusion_fit_stack(fusion *f, fusion_pool *valid, int rating, uint64_t seed,
    rf_error *err)
{
	return fusion_fit_stack_rows(f, valid, NULL, rating, seed, err);
}

int
fusion_fit_stack_rows(fusion *f, fusion_pool *valid, const uint8_t *mask,
    int rating, uint64_t seed, rf_error *err)
{
	int rc;

	fusion_stack_names(f);
	f->set.method = FUSE_STACK;
	if (rating) {
		if (valid->pptr == NULL)
			return rf_fail(err, "fusion: a rating stack needs "
			    "models that predict ratings and a validation "
			    "part");
		rc = stack_fit_rating(f, valid, mask, err);
		f->stack_kind = rc == 0 ? STACK_RATING : STACK_NONE;
	} else {
		/* The stack ranks by T_m: the raw or rank-only transforms
		 * of rrf/borda have no meaning here; keep the norm. */
		rc = stack_fit_topn(f, valid, mask, seed, err);
		f->stack_kind = rc == 0 ? STACK_TOPN : STACK_NONE;
	}
	return rc;
}

int
fusion_stack_coefs(const fusion *f, const char **names, double *coef,
    int max)
{
	int n = 0;

	if (f->stack_kind == STACK_NONE)
		return 0;
	for (int i = 0; i < f->ntheta && n < max; i++, n++) {
		if (names)
			names[n] = f->theta_names[i];
		if (coef)
			coef[n] = f->theta[i];
	}
	return n;
}

int
fusion_stack_weights(const fusion *f, double *w)
{
	if (f->stack_kind == STACK_NONE)
		return -1;
	memcpy(w, f->theta + 1 + UFN, (size_t)f->n * sizeof *w);
	return f->stack_kind == STACK_RATING;
}

int
fusion_stack_summary(const fusion *f, char *buf, size_t n)
{
	double th[FUSION_MAX_MODELS];
	int order[FUSION_MAX_MODELS], kind;
	size_t len = 0;

	if (n > 0)
		buf[0] = '\0';
	if ((kind = fusion_stack_weights(f, th)) < 0 || n == 0)
		return -1;
	for (int m = 0; m < f->n; m++) {
		int j = m;

		/* Insertion by size, largest first; ties keep the order. */
		for (; j > 0 && fabs(th[m]) > fabs(th[order[j - 1]]); j--)
			order[j] = order[j - 1];
		order[j] = m;
	}
	for (int i = 0; i < f->n; i++) {
		int w = snprintf(buf + len, n - len, "%s%s %+.3f", i ? ", " :
		    "", f->set.names[order[i]], th[order[i]]);

		if (w < 0 || (size_t)w >= n - len) {
			buf[len] = '\0';	/* whole entries only */
			break;
		}
		len += (size_t)w;
	}
	return kind;
}

/* Text form: "kind=topn ufn=2 names=ease,als theta=v,v,..." with theta in
 * the fitted layout [1, x_u (UFN), T_m (n), x_uf T_m (UFN x n)] and every
 * value in %.17g, which round-trips a double exactly. */
int
fusion_stack_format(const fusion *f, char *buf, size_t n)
{
	size_t len;

	if (f->stack_kind == STACK_NONE || n == 0)
		return -1;
	len = (size_t)snprintf(buf, n, "kind=%s ufn=%d names=",
	    f->stack_kind == STACK_RATING ? "rating" : "topn", UFN);
	for (int m = 0; m < f->n && len < n; m++)
		len += (size_t)snprintf(buf + len, n - len, "%s%s", m ? "," :
		    "", f->set.names[m]);
	if (len < n)
		len += (size_t)snprintf(buf + len, n - len, " theta=");
	for (int i = 0; i < f->ntheta && len < n; i++)
		len += (size_t)snprintf(buf + len, n - len, "%s%.17g",
		    i ? "," : "", f->theta[i]);
	return len < n ? 0 : -1;
}

int
fusion_stack_parse(fusion *f, const char *text, rf_error *err)
{
	char names[FUSION_MAX_MODELS][FUSION_NAME_MAX];
	double th[1 + UFN + FUSION_MAX_MODELS * (1 + UFN)];
	int map[FUSION_MAX_MODELS], used[FUSION_MAX_MODELS] = { 0 };
	int kind = STACK_NONE, ufn = -1, nn = 0, nt = -1, d;
	const char *p = text;

	while (*p) {
		const char *w = p, *eq;
		size_t wl;

		while (*p && *p != ' ')
			p++;
		wl = (size_t)(p - w);
		while (*p == ' ')
			p++;
		if (wl == 0)
			continue;
		if ((eq = memchr(w, '=', wl)) == NULL)
			return rf_fail(err, "stored stack: '%.*s' is not "
			    "key=value", (int)wl, w);
		if (strncmp(w, "kind=", 5) == 0) {
			if (wl == 9 && strncmp(eq + 1, "topn", 4) == 0)
				kind = STACK_TOPN;
			else if (wl == 11 && strncmp(eq + 1, "rating", 6) == 0)
				kind = STACK_RATING;
			else
				return rf_fail(err, "stored stack: unknown "
				    "kind '%.*s'", (int)wl, w);
		} else if (strncmp(w, "ufn=", 4) == 0)
			ufn = atoi(eq + 1);
		else if (strncmp(w, "names=", 6) == 0) {
			const char *q = eq + 1;

			while (q < p && *q != ' ') {
				size_t l = strcspn(q, ", ");

				if (nn == FUSION_MAX_MODELS || l == 0 ||
				    l >= FUSION_NAME_MAX)
					return rf_fail(err, "stored stack: bad "
					    "model names");
				memcpy(names[nn], q, l);
				names[nn++][l] = '\0';
				q += l;
				if (*q == ',')
					q++;
			}
		} else if (strncmp(w, "theta=", 6) == 0) {
			const char *q = eq + 1;

			nt = 0;
			while (q < w + wl) {
				char *end;

				if (nt == (int)(sizeof th / sizeof *th))
					return rf_fail(err, "stored stack: "
					    "too many coefficients");
				th[nt] = strtod(q, &end);
				if (end == q || !isfinite(th[nt]) ||
				    (*end != ',' && end != w + wl))
					return rf_fail(err, "stored stack: "
					    "bad coefficient");
				nt++;
				q = *end == ',' ? end + 1 : end;
			}
		}
		/* other keys: from a later version, ignored */
	}
	if (kind == STACK_NONE || ufn != UFN || nn == 0 ||
	    nt != 1 + UFN + nn * (1 + UFN))
		return rf_fail(err, "stored stack: incomplete or from another "
		    "version");
	if (kind == STACK_RATING && !f->can_predict)
		return rf_fail(err, "stored stack: a rating stack over models "
		    "that do not all predict ratings");
	/* The same set of models, in any order. */
	if (nn != f->n)
		return rf_fail(err, "stored stack was fitted on %d models, "
		    "the fusion has %d", nn, f->n);
	for (int m = 0; m < f->n; m++) {
		int j;

		for (j = 0; j < nn; j++)
			if (!used[j] && strcasecmp(names[j],
			    f->set.names[m]) == 0)
				break;
		if (j == nn)
			return rf_fail(err, "stored stack was fitted without "
			    "model '%s'", f->set.names[m]);
		used[j] = 1;
		map[m] = j;
	}
	d = 1 + UFN + f->n * (1 + UFN);
	memset(f->theta, 0, sizeof f->theta);
	for (int i = 0; i < 1 + UFN; i++)
		f->theta[i] = th[i];
	for (int m = 0; m < f->n; m++) {
		f->theta[1 + UFN + m] = th[1 + UFN + map[m]];
		for (int j = 0; j < UFN; j++)
			f->theta[1 + UFN + f->n + j * f->n + m] =
			    th[1 + UFN + nn + j * nn + map[m]];
	}
	fusion_stack_names(f);
	f->ntheta = d;
	f->stack_kind = kind;
	f->set.method = FUSE_STACK;
	return 0;
}
