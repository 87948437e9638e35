/* test_als: implicit ALS (Hu, Koren, Volinsky 2008) with CG against the
 * closed-form normal equations, solved here in double by Gaussian
 * elimination from the factors the model saves:
 *   x_u = (Y^T C^u Y + reg I)^-1 Y^T C^u p(u)        (HKV eq. 4)
 * on a tiny matrix after convergence; the reported loss against the
 * objective summed over every (u, i); explain terms summing to
 * y_j . x_u(exact) (HKV section 5); determinism under a seed and across
 * thread counts (bit-identical factors for threads = 1 and 2); the loss
 * decreasing on ml-100k u1.base; save/load; als_factors(); settling
 * after a fit (the training state let go) and training on.  Everything
 * runs twice where the machine has AVX2 + FMA: with the dispatched kernels
 * and with the generic ones (RECFUSE_ALS_GENERIC=1). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/models/als.h"
#include "engine/models/model.h"
#include "engine/models/registry.h"
#include "tests/lib/check.h"
#include "tests/lib/mldata.h"
#include "tests/lib/settle.h"
#include "tests/lib/tinydata.h"

/* Solve a x = b (n x n, row-major, destroyed) by Gaussian elimination
 * with partial pivoting. */
static void
gauss_solve(double *a, double *b, int n)
{
	for (int c = 0; c < n; c++) {
		int p = c;
		for (int r = c + 1; r < n; r++)
			if (fabs(a[r * n + c]) > fabs(a[p * n + c]))
				p = r;
		for (int j = 0; j < n; j++) {
			double t = a[c * n + j];
			a[c * n + j] = a[p * n + j];
			a[p * n + j] = t;
		}
		double t = b[c];
		b[c] = b[p];
		b[p] = t;
		for (int r = c + 1; r < n; r++) {
			double f = a[r * n + c] / a[c * n + c];
			for (int j = c; j < n; j++)
				a[r * n + j] -= f * a[c * n + j];
			b[r] -= f * b[c];
		}
	}
	for (int c = n - 1; c >= 0; c--) {
		double s = b[c];
		for (int j = c + 1; j < n; j++)
			s -= a[c * n + j] * b[j];
		b[c] = s / a[c * n + c];
	}
}

/* Factors out of the saved blob: 5 uint32 (magic, version, users, items,
 * factors), then X and Y rows. */
typedef struct factors {
	int nu, ni, f;
	const float *X, *Y;
	rf_buf buf;
} factors;

static int
get_factors(const model *m, factors *fa)
{
	uint32_t hdr[5];
	rf_error err;

	memset(fa, 0, sizeof *fa);
	if (m->ops->save(m, &fa->buf, &err) < 0) {
		CHECK_FAIL("save: %s", err.msg);
		return -1;
	}
	if (fa->buf.len < sizeof hdr) {
		CHECK_FAIL("saved blob of %zu bytes", fa->buf.len);
		return -1;
	}
	memcpy(hdr, fa->buf.data, sizeof hdr);
	fa->nu = (int)hdr[2];
	fa->ni = (int)hdr[3];
	fa->f = (int)hdr[4];
	fa->X = (const float *)(fa->buf.data + sizeof hdr);
	fa->Y = fa->X + (size_t)fa->nu * fa->f;
	return 0;
}

/* The confidence rule under test (the model's `conf` parameter), written
 * out here independently: c - 1 for a value v (0 for no interaction). */
static int conf_mode = 1;

static double
ref_conf1(double alpha, double v)
{
	if (v <= 0)
		return 0;
	switch (conf_mode) {
	case 0:
		return alpha * v;		/* HKV eq. 2 */
	case 1:
		return alpha * log(1 + v);	/* HKV eq. 6, epsilon 1 */
	default:
		return alpha;			/* presence */
	}
}

/* HKV eq. 3 summed over every (u, i) (not over nnz) from the factors. */
static double
hkv_objective(const interactions *tr, const factors *fa, double reg,
    double alpha)
{
	int f = fa->f;
	double obj = 0;

	for (int u = 0; u < fa->nu; u++)
		for (int i = 0; i < fa->ni; i++) {
			int64_t at = interactions_find(tr, u, i);
			double c = 1 + (at >= 0 ? ref_conf1(alpha, tr->val[at]) :
			    0), p = at >= 0, s = 0;

			for (int q = 0; q < f; q++)
				s += (double)fa->X[u * f + q] * fa->Y[i * f + q];
			obj += c * (p - s) * (p - s);
		}
	for (int a = 0; a < fa->nu * f; a++)
		obj += reg * fa->X[a] * fa->X[a];
	for (int a = 0; a < fa->ni * f; a++)
		obj += reg * fa->Y[a] * fa->Y[a];
	return obj;
}

/* The exact least-squares row for row r of tr given the other side F. */
static void
closed_form(const interactions *tr, int r, const float *F, int nf, int f,
    double reg, double alpha, int by_item, double *x)
{
	double *a = calloc((size_t)f * f, sizeof *a);
	const int64_t *ptr = by_item ? tr->tptr : tr->ptr;
	const int32_t *idx = by_item ? tr->tidx : tr->idx;
	const float *val = by_item ? tr->tval : tr->val;

	if (a == NULL) {
		CHECK_FAIL("out of memory");
		exit(check_done());
	}
	for (int i = 0; i < nf; i++)
		for (int p = 0; p < f; p++)
			for (int q = 0; q < f; q++)
				a[p * f + q] += (double)F[i * f + p] *
				    F[i * f + q];
	for (int p = 0; p < f; p++) {
		a[p * f + p] += reg;
		x[p] = 0;
	}
	for (int64_t k = ptr[r]; k < ptr[r + 1]; k++) {
		const float *y = F + (size_t)idx[k] * f;
		double c = 1 + ref_conf1(alpha, val[k]);
		for (int p = 0; p < f; p++) {
			for (int q = 0; q < f; q++)
				a[p * f + q] += (c - 1) * y[p] * y[q];
			x[p] += c * y[p];
		}
	}
	gauss_solve(a, x, f);
	free(a);
}

static int threads = 2;	/* the thread count make() asks for */

/* Which kernels the model runs (for the messages). */
static const char *
kernels(void)
{
	const char *g = getenv("RECFUSE_ALS_GENERIC");

	return g && strcmp(g, "1") == 0 ? "generic" : "dispatched";
}

static model *
make(const interactions *tr, const dataset *ds, int f, double reg,
    double alpha, int cg, uint64_t seed)
{
	const model_ops *ops = &model_als_ops;
	double params[16];
	rf_error err;

	model_params_default(ops, params);
	params[model_param_index(ops, "factors")] = f;
	params[model_param_index(ops, "reg")] = reg;
	params[model_param_index(ops, "alpha")] = alpha;
	params[model_param_index(ops, "cg_steps")] = cg;
	params[model_param_index(ops, "threads")] = threads;
	params[model_param_index(ops, "conf")] = conf_mode;
	model *m = ops->create(ds, tr, params, seed, &err);
	if (m == NULL) {
		CHECK_FAIL("create: %s", err.msg);
		exit(check_done());
	}
	return m;
}

static void
check_explain(const model *m, const interactions *tr, const factors *fa,
    int u, int j, double reg, double alpha)
{
	explain_term *t = malloc(4096 * sizeof *t);
	double *x = malloc((size_t)fa->f * sizeof *x), want = 0, sum = 0;

	if (t == NULL || x == NULL) {
		CHECK_FAIL("out of memory");
		exit(check_done());
	}
	closed_form(tr, u, fa->Y, fa->ni, fa->f, reg, alpha, 0, x);
	for (int p = 0; p < fa->f; p++)
		want += x[p] * fa->Y[(size_t)j * fa->f + p];
	int n = m->ops->explain(m, u, j, t, 4096);
	check_context("explain(%d, %d)", u, j);
	/* one term per history item, summing to y_j . x_u (exact) */
	CHECK_EQ(n, tr->ptr[u + 1] - tr->ptr[u]);
	for (int q = 0; q < n; q++)
		sum += t[q].contribution;
	CHECK_NEAR(sum, want, 1e-4 * (1 + fabs(want)));
	check_context_clear();
	free(t);
	free(x);
}

#define NU 9
#define NI 7
static void
test_tiny(void)
{
	static const float r[NU * NI] = {
		1, 0, 2, 0, 0, 1, 0,
		0, 3, 0, 1, 0, 0, 1,
		1, 1, 0, 0, 2, 0, 0,
		0, 0, 1, 1, 0, 0, 0,
		2, 0, 0, 0, 1, 1, 1,
		0, 1, 1, 0, 0, 0, 2,
		1, 0, 0, 1, 1, 0, 0,
		0, 0, 0, 0, 0, 3, 1,
		1, 1, 1, 0, 0, 0, 0,
	};
	const int f = 3;
	const double reg = 0.3, alpha = 1.5;
	interactions tr;
	factors fa;
	double loss = 0, x[8];
	rf_error err;
	dataset *ds;

	if (dense_to_interactions(&tr, NU, NI, r) < 0 ||
	    (ds = ml_dataset(&tr, 0)) == NULL) {
		CHECK_FAIL("out of memory");
		exit(check_done());
	}
	model *m = make(&tr, ds, f, reg, alpha, 10, 11);
	for (int e = 0; e < 400; e++)
		if (m->ops->epoch(m, e, &loss, NULL, &err) != 0) {
			CHECK_FAIL("epoch %d: %s", e, err.msg);
			exit(check_done());
		}
	if (get_factors(m, &fa) < 0)
		exit(check_done());
	CHECK_EQ(fa.nu, NU);
	CHECK_EQ(fa.ni, NI);
	CHECK_EQ(fa.f, f);
	check_context("conf %d, %s kernels", conf_mode, kernels());
	/* items were solved last, against the final X: exact up to CG */
	for (int i = 0; i < NI; i++) {
		closed_form(&tr, i, fa.X, NU, f, reg, alpha, 1, x);
		for (int p = 0; p < f; p++)
			CHECK_NEAR(fa.Y[i * f + p], x[p], 1e-4);
	}
	/* users: at the ALS fixed point they solve theirs too */
	for (int u = 0; u < NU; u++) {
		closed_form(&tr, u, fa.Y, NI, f, reg, alpha, 0, x);
		for (int p = 0; p < f; p++)
			CHECK_NEAR(fa.X[u * f + p], x[p], 1e-4);
	}
	/* the loss: HKV eq. 3 summed over every (u, i), over nnz */
	{
		double obj = hkv_objective(&tr, &fa, reg, alpha);

		CHECK_NEAR(loss, obj / (double)tr.nnz, 1e-5 * obj);
	}
	/* scores are x_u . y_j */
	for (int u = 0; u < NU; u++) {
		float sc[NI];
		m->ops->score_user(m, u, sc);
		for (int j = 0; j < NI; j++) {
			double s = 0;
			for (int q = 0; q < f; q++)
				s += (double)fa.X[u * f + q] * fa.Y[j * f + q];
			CHECK_NEAR(sc[j], s, 1e-5);
		}
	}
	check_context_clear();
	for (int u = 0; u < NU; u++)
		for (int j = 0; j < NI; j++)
			check_explain(m, &tr, &fa, u, j, reg, alpha);
	rf_buf_free(&fa.buf);
	m->ops->free(m);
	free(ds);
	interactions_free(&tr);
}

/* The reported loss is HKV eq. 3 at every epoch, not only at convergence:
 * summed here over every (u, i) of a sparse matrix from the factors, and
 * it falls each epoch.  A reg that outweighs the data shrinks the factors
 * to zero, the loss then sits at the mean confidence, and the model says
 * so in its report (and not otherwise). */
static void
test_loss_each_epoch(void)
{
	const int f = 4;
	const double reg = 0.5, alpha = 2;
	interactions tr;
	dataset *ds;
	rf_error err;
	double prev = INFINITY, loss, csum = 0;
	char text[512];
	model *m;

	if (tiny_random_matrix(&tr, 40, 30, 0.2, 9) < 0 ||
	    (ds = ml_dataset(&tr, 0)) == NULL) {
		CHECK_FAIL("out of memory");
		exit(check_done());
	}
	m = make(&tr, ds, f, reg, alpha, 3, 5);
	for (int e = 0; e < 6; e++) {
		factors fa;
		double obj;

		if (m->ops->epoch(m, e, &loss, NULL, &err) != 0 ||
		    get_factors(m, &fa) < 0) {
			CHECK_FAIL("epoch %d: %s", e, err.msg);
			exit(check_done());
		}
		check_context("epoch %d", e);
		obj = hkv_objective(&tr, &fa, reg, alpha);
		CHECK_NEAR(loss, obj / (double)tr.nnz, 1e-5 * obj / tr.nnz);
		CHECK(loss < prev);
		prev = loss;
		rf_buf_free(&fa.buf);
	}
	check_context_clear();
	CHECK_EQ(m->ops->report(m, text, sizeof text), 0);
	m->ops->free(m);
	/* reg 1000 against about 6 pairs a user: nothing survives */
	m = make(&tr, ds, f, 1000, alpha, 3, 5);
	for (int e = 0; e < 4; e++)
		if (m->ops->epoch(m, e, &loss, NULL, &err) != 0)
			CHECK_FAIL("epoch %d: %s", e, err.msg);
	for (int64_t q = 0; q < tr.nnz; q++)
		csum += 1 + ref_conf1(alpha, tr.val[q]);
	CHECK_NEAR(loss, csum / (double)tr.nnz, 1e-6 * csum / tr.nnz);
	CHECK(m->ops->report(m, text, sizeof text) > 0);
	CHECK_CONTAINS(text, "shrank to zero");
	m->ops->free(m);
	free(ds);
	interactions_free(&tr);
}

/* ml-100k u1.base (implicit): the loss falls every epoch; the same seed
 * gives the same factors bit for bit on one thread and on two, another
 * seed others; explain sums on real data; als_factors(); save/load. */
static void
test_ml100k(const char *dir)
{
	char path[4200];
	interactions tr;
	rf_error err;
	double prev = INFINITY, loss;
	factors fa, fb, fc;
	const model_ops *ops = &model_als_ops;
	double params[16];
	dataset *ds;

	snprintf(path, sizeof path, "%s/ml-100k/u1.base", dir);
	if (ml_load(path, 943, 1682, 1, &tr) < 0 ||
	    (ds = ml_dataset(&tr, 0)) == NULL) {
		CHECK_FAIL("cannot read %s", path);
		return;
	}
	check_context("u1.base, %s kernels", kernels());
	model_params_default(ops, params);
	model *m = make(&tr, ds, 64, params[model_param_index(ops, "reg")],
	    params[model_param_index(ops, "alpha")], 3, 5);
	/* same seed on one thread: the same factors, bit for bit */
	threads = 1;
	model *m2 = make(&tr, ds, 64, params[model_param_index(ops, "reg")],
	    params[model_param_index(ops, "alpha")], 3, 5);
	threads = 2;
	model *m3 = make(&tr, ds, 64, params[model_param_index(ops, "reg")],
	    params[model_param_index(ops, "alpha")], 3, 6);
	for (int e = 0; e < 5; e++) {
		double l2, l3;

		if (ops->epoch(m, e, &loss, NULL, &err) != 0 ||
		    ops->epoch(m2, e, &l2, NULL, &err) != 0 ||
		    ops->epoch(m3, e, &l3, NULL, &err) != 0) {
			CHECK_FAIL("epoch %d: %s", e, err.msg);
			exit(check_done());
		}
		printf("u1.base epoch %d loss %.6f\n", e, loss);
		CHECK(loss < prev);
		prev = loss;
	}
	if (get_factors(m, &fa) < 0 || get_factors(m2, &fb) < 0 ||
	    get_factors(m3, &fc) < 0)
		exit(check_done());
	CHECK_EQ(fa.buf.len, fb.buf.len);
	CHECK_EQ(fa.buf.len, fc.buf.len);
	if (fa.buf.len == fb.buf.len && fa.buf.len == fc.buf.len) {
		/* threads 2 and 1, seed 5: the same */
		CHECK(memcmp(fa.buf.data, fb.buf.data, fa.buf.len) == 0);
		/* seeds 5 and 6: not */
		CHECK(memcmp(fa.buf.data, fc.buf.data, fa.buf.len) != 0);
	}
	{
		const float *X, *Y;
		int k = 0;

		if (als_factors(m, &X, &Y, &k) < 0) {
			CHECK_FAIL("als_factors");
		} else {
			CHECK_EQ(k, 64);
			for (int q = 0; q < 64 && k == 64; q++) {
				CHECK_NEAR(X[7 * 64 + q], fa.X[7 * 64 + q], 0);
				CHECK_NEAR(Y[11 * 64 + q], fa.Y[11 * 64 + q],
				    0);
			}
		}
	}
	/* a block of users in one sgemm, and the evaluator's tiles */
	{
		interactions te;

		snprintf(path, sizeof path, "%s/ml-100k/u1.test", dir);
		if (ml_load(path, 943, 1682, 1, &te) < 0)
			CHECK_FAIL("cannot read %s", path);
		else {
			ml_check_score_users(m, &tr, &te);
			/* popularity: the same row for every user, ties
			 * everywhere */
			{
				const model_ops *pop = model_lookup("pop");
				double pp[8];
				model *pm;
				double l;

				model_params_default(pop, pp);
				pm = pop->create(ds, &tr, pp, 1, &err);
				if (pm == NULL || pop->epoch(pm, 0, &l, NULL,
				    &err) < 0)
					CHECK_FAIL("pop: %s", err.msg);
				else
					ml_check_score_users(pm, &tr, &te);
				if (pm != NULL)
					pop->free(pm);
			}
			interactions_free(&te);
		}
	}
	check_context_clear();
	for (int u = 0; u < 943; u += 131)
		check_explain(m, &tr, &fa, u, (u * 37) % 1682,
		    m->params[model_param_index(ops, "reg")],
		    m->params[model_param_index(ops, "alpha")]);
	/* save / load round trip */
	{
		model *l = ops->load(ds, &tr, m->params, fa.buf.data,
		    fa.buf.len, &err);
		float *s1 = malloc(1682 * sizeof *s1);
		float *s2 = malloc(1682 * sizeof *s2);

		if (l == NULL || s1 == NULL || s2 == NULL) {
			CHECK_FAIL("load: %s", l ? "out of memory" : err.msg);
			exit(check_done());
		}
		for (int u = 0; u < 943; u += 50) {
			ops->score_user(m, u, s1);
			ops->score_user(l, u, s2);
			CHECK(memcmp(s1, s2, 1682 * sizeof *s1) == 0);
		}
		/* a truncated blob is refused */
		CHECK(ops->load(ds, &tr, m->params, fa.buf.data,
		    fa.buf.len - 4, &err) == NULL);
		free(s1);
		free(s2);
		ops->free(l);
	}
	rf_buf_free(&fa.buf);
	rf_buf_free(&fb.buf);
	rf_buf_free(&fc.buf);
	ops->free(m);
	ops->free(m2);
	ops->free(m3);
	free(ds);
	interactions_free(&tr);
}

int
main(void)
{
	const char *dir;

	/* the dispatched kernels (AVX2 + FMA when the CPU has them) */
	unsetenv("RECFUSE_ALS_GENERIC");
	for (conf_mode = 0; conf_mode <= 2; conf_mode++)
		test_tiny();
	conf_mode = 1;
	/* the generic ones, which every machine can run */
	setenv("RECFUSE_ALS_GENERIC", "1", 1);
	test_tiny();
	unsetenv("RECFUSE_ALS_GENERIC");
	test_loss_each_epoch();
	/* the training state goes after a fit; the tracked dots come back
	 * computed afresh (the same sums in another order) */
	check_settle(&model_als_ops, 1e-5);
	dir = check_data_dir("ml-100k/u1.base");
	unsetenv("RECFUSE_ALS_GENERIC");
	test_ml100k(dir);
	setenv("RECFUSE_ALS_GENERIC", "1", 1);
	test_ml100k(dir);
	return check_done();
}
