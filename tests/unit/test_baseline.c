/* test_baseline: the bias model against the regularised least-squares
 * solution computed directly (normal equations, Gaussian elimination in
 * double) on a tiny problem; loss decreasing and a sane RMSE on u1.base;
 * save/load round trip and rejection of bad blobs; SGD deterministic
 * under a seed.  Exit 0 pass, 1 fail, 77 skip (no data, CI unset). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/models/model.h"
#include "engine/models/registry.h"
#include "tests/lib/mldata.h"
#include "tests/lib/tinydata.h"
#include "tests/lib/ratingtest.h"

/* A small interactions matrix from (u, i, r) rows sorted by (u, i). */
static int
tiny_matrix(interactions *m, int nu, int ni, const int (*rows)[2],
    const float *r, int n)
{
	if (interactions_alloc(m, nu, ni, n) < 0)
		return -1;
	for (int k = 0; k < n; k++) {
		m->ptr[rows[k][0] + 1]++;
		m->idx[k] = rows[k][1];
		m->val[k] = r[k];
	}
	for (int u = 0; u < nu; u++)
		m->ptr[u + 1] += m->ptr[u];
	return interactions_build_transpose(m);
}

/* Solve A x = b (n x n, row-major) by Gaussian elimination with partial
 * pivoting; A and b are overwritten. */
static void
solve_dense(double *a, double *b, int n)
{
	for (int c = 0; c < n; c++) {
		int piv = c;

		for (int r = c + 1; r < n; r++)
			if (fabs(a[r * n + c]) > fabs(a[piv * n + c]))
				piv = r;
		for (int j = 0; j < n; j++) {
			double t = a[c * n + j];

			a[c * n + j] = a[piv * n + j];
			a[piv * n + j] = t;
		}
		{
			double t = b[c];

			b[c] = b[piv];
			b[piv] = t;
		}
		for (int r = c + 1; r < n; r++) {
			double f = a[r * n + c] / a[c * n + c];

			for (int j = c; j < n; j++)
				a[r * n + j] -= f * a[c * n + j];
			b[r] -= f * b[c];
		}
	}
	for (int r = n - 1; r >= 0; r--) {
		double s = b[r];

		for (int j = r + 1; j < n; j++)
			s -= a[r * n + j] * b[j];
		b[r] = s / a[r * n + r];
	}
}

/* ALS sweeps converge to the minimiser of
 *   sum (r - mu - b_u - b_i)^2 + reg_u sum b_u^2 + reg_i sum b_i^2,
 * whose normal equations we solve here directly. */
static void
test_tiny_closed_form(void)
{
	static const int rows[][2] = {
		{ 0, 0 }, { 0, 1 }, { 0, 3 }, { 1, 0 }, { 1, 2 },
		{ 2, 1 }, { 2, 2 }, { 2, 3 }, { 3, 0 }, { 3, 3 }
	};
	static const float r[] = { 5, 3, 4, 4, 1, 2, 2, 5, 3, 4 };
	const int n = 10, nu = 4, ni = 4, dim = nu + ni;
	const model_ops *ops = &model_baseline_ops;
	double params[16], a[64] = { 0 }, b[8] = { 0 }, mu = 0;
	double prev = INFINITY, loss;
	int monotone = 1;
	interactions m;
	dataset *ds;
	model *mod;
	rf_error err;

	if (tiny_matrix(&m, nu, ni, rows, r, n) < 0 ||
	    (ds = ml_dataset(&m, 1)) == NULL) {
		CHECK_FAIL("out of memory");
		return;
	}
	model_params_default(ops, params);
	params[model_param_index(ops, "reg_u")] = 2;
	params[model_param_index(ops, "reg_i")] = 1.5;
	for (int k = 0; k < n; k++)
		mu += r[k];
	mu /= n;
	for (int k = 0; k < n; k++) {
		int u = rows[k][0], i = nu + rows[k][1];

		a[u * dim + u] += 1;
		a[i * dim + i] += 1;
		a[u * dim + i] += 1;
		a[i * dim + u] += 1;
		b[u] += r[k] - mu;
		b[i] += r[k] - mu;
	}
	for (int u = 0; u < nu; u++)
		a[u * dim + u] += 2;
	for (int i = nu; i < dim; i++)
		a[i * dim + i] += 1.5;
	solve_dense(a, b, dim);

	mod = ops->create(ds, &m, params, 1, &err);
	if (mod == NULL) {
		CHECK_FAIL("create: %s", err.msg);
		return;
	}
	for (int e = 0; e < 300; e++) {
		if (ops->epoch(mod, e, &loss, NULL, &err) != 0) {
			CHECK_FAIL("epoch %d: %s", e, err.msg);
			break;
		}
		if (loss > prev + 1e-9)
			monotone = 0;
		prev = loss;
	}
	/* ALS reaches the regularised least-squares solution (clamped to
	 * the rating range as predict() is) ... */
	for (int u = 0; u < nu; u++)
		for (int i = 0; i < ni; i++) {
			double want = mu + b[u] + b[nu + i];

			want = want < 1 ? 1 : want > 5 ? 5 : want;
			CHECK_NEAR(ops->predict(mod, u, i), want, 1e-5);
		}
	/* ... and its objective never increases on the way */
	CHECK(monotone);
	ops->free(mod);
	free(ds);
	interactions_free(&m);
}

static model *
train(const dataset *ds, const interactions *tr, int method, uint64_t seed,
    int epochs, double *first, double *last, int *monotone)
{
	const model_ops *ops = &model_baseline_ops;
	double params[16];

	model_params_default(ops, params);
	params[model_param_index(ops, "method")] = method;
	return rt_train(ops, ds, tr, params, seed, epochs, 1e-9, monotone,
	    first, last);
}

static void
test_round_trip(const dataset *ds, const interactions *tr, model *mod)
{
	const model_ops *ops = mod->ops;
	rf_buf buf = { 0 };
	rf_error err;
	model *back;
	int64_t differ = 0;

	if (ops->save(mod, &buf, &err) < 0) {
		CHECK_FAIL("save: %s", err.msg);
		return;
	}
	/* a saved model loads back and predicts bit-for-bit the same */
	back = ops->load(ds, tr, mod->params, buf.data, buf.len, &err);
	CHECK_MSG(back != NULL, "load: %s", err.msg);
	if (back != NULL) {
		for (int u = 0; u < tr->n_users; u++)
			for (int i = 0; i < tr->n_items; i++)
				differ += ops->predict(mod, u, i) !=
				    ops->predict(back, u, i);
		CHECK_EQ(differ, 0);
		ops->free(back);
	}
	/* damaged blobs are rejected: cut short, bad magic */
	back = ops->load(ds, tr, mod->params, buf.data, buf.len - 1, &err);
	CHECK(back == NULL);
	buf.data[0] ^= 0xff;
	back = ops->load(ds, tr, mod->params, buf.data, buf.len, &err);
	CHECK(back == NULL);
	rf_buf_free(&buf);
}

int
main(void)
{
	interactions tr, te;
	dataset *ds;
	model *als, *sgd, *sgd2;
	double first, last, r;
	int mono;

	test_tiny_closed_form();

	rt_load_u1(&tr, &te, &ds);
	als = train(ds, &tr, 0, 1, 10, &first, &last, &mono);
	if (als == NULL)
		return check_done();
	printf("ALS loss %.4f -> %.4f\n", first, last);
	/* the loss decreases over the epochs */
	CHECK(mono);
	CHECK(last < first);
	r = rmse(als, &te);
	printf("ALS RMSE on u1.test %.4f (sanity bound 0.97)\n", r);
	CHECK(r < 0.97);
	test_round_trip(ds, &tr, als);

	sgd = train(ds, &tr, 1, 7, 10, &first, &last, &mono);
	sgd2 = train(ds, &tr, 1, 7, 10, &first, &last, &mono);
	if (sgd == NULL || sgd2 == NULL)
		return check_done();
	printf("SGD loss %.4f -> %.4f, RMSE %.4f\n", first, last,
	    rmse(sgd, &te));
	CHECK(mono);
	CHECK(last < first);
	/* the same seed, the same scores bit-for-bit */
	CHECK_EQ(same_scores(sgd, sgd2, 943, 1682), 1);
	test_round_trip(ds, &tr, sgd);
	{
		double lo = 5, hi = 1;

		for (int u = 0; u < 943; u++)
			for (int i = 0; i < 1682; i++) {
				double p = als->ops->predict(als, u, i);

				lo = p < lo ? p : lo;
				hi = p > hi ? p : hi;
			}
		/* predictions clamped to [1, 5] */
		CHECK(lo >= 1);
		CHECK(hi <= 5);
	}
	als->ops->free(als);
	sgd->ops->free(sgd);
	sgd2->ops->free(sgd2);
	free(ds);
	interactions_free(&tr);
	interactions_free(&te);
	return check_done();
}
