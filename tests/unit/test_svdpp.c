/* test_svdpp: SVD++.  The analytic gradient of one rating's regularised
 * squared error (eq. 15, implicit items included) against central finite
 * differences (double); on a one-rating user, an epoch moves every
 * parameter it touches (b_u, b_i, p_u, q_i, y_j) by -lr/2 times that
 * gradient; explain's terms add up exactly to the implicit part of the
 * prediction; on u1.base the loss decreases and the RMSE is sane; same
 * seed, same scores; save/load round trip.  Exit 0 / 1 / 77. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/models/model.h"
#include "engine/models/rating_grad.h"
#include "engine/models/registry.h"
#include "tests/lib/mldata.h"
#include "tests/lib/tinydata.h"
#include "tests/lib/ratingtest.h"
#include "engine/core/rng.h"

static void
test_gradient(void)
{
	enum { K = 5, NY = 3, N = 2 + 2 * K + NY * K };
	double theta[N], g[N], gn[N];
	double reg[5] = { 0.03, 0.07, 0.05, 0.11, 0.09 };
	rf_rng rng;

	rf_rng_seed(&rng, 4);
	for (int trial = 0; trial < 20; trial++) {
		double r = 1 + rf_rng_below(&rng, 5);

		for (int j = 0; j < N; j++)
			theta[j] = rf_rng_normal(&rng) * 0.5;
		svdpp_rating_loss_grad(K, NY, 3.5, r, reg, theta, g);
		for (int j = 0; j < N; j++) {
			const double h = 1e-5, keep = theta[j];
			double lp, lm;

			theta[j] = keep + h;
			lp = svdpp_rating_loss_grad(K, NY, 3.5, r, reg, theta,
			    gn);
			theta[j] = keep - h;
			lm = svdpp_rating_loss_grad(K, NY, 3.5, r, reg, theta,
			    gn);
			theta[j] = keep;
			gn[j] = (lp - lm) / (2 * h);
			/* relative 1e-6, with a floor of 1e-3 */
			CHECK_NEAR(g[j], gn[j], 1e-6 * fmax(1e-3, fabs(gn[j]) +
			    fabs(g[j])));
		}
	}
}

/* One user with one rating: N(u) = {i}, an epoch is one exact step. */
static void
test_sgd_step(void)
{
	const model_ops *ops = &model_svdpp_ops;
	enum { K = 10, N = 2 + 3 * K };
	double params[16], theta[N], grad[N], reg[5], lr, loss;
	interactions m;
	rating_factors f;
	dataset *ds;
	model *mod;
	rf_error err;

	if (interactions_alloc(&m, 2, 3, 1) < 0) {
		CHECK_FAIL("out of memory");
		return;
	}
	m.ptr[1] = m.ptr[2] = 1;	/* user 0 rated item 1 */
	m.idx[0] = 1;
	m.val[0] = 2;
	if (interactions_build_transpose(&m) < 0 ||
	    (ds = ml_dataset(&m, 1)) == NULL) {
		CHECK_FAIL("out of memory");
		return;
	}
	model_params_default(ops, params);
	params[model_param_index(ops, "factors")] = K;
	params[model_param_index(ops, "init_std")] = 0.4;
	mod = ops->create(ds, &m, params, 5, &err);
	if (mod == NULL || svdpp_factors(mod, &f) < 0) {
		CHECK_FAIL("one-rating svdpp: %s", mod ? "no factors" :
		    err.msg);
		return;
	}
	/* Three epochs: y starts at zero, so look once it has moved. */
	for (int e = 0; e < 3; e++) {
		theta[0] = f.bu[0];
		theta[1] = f.bi[1];
		for (int k = 0; k < K; k++) {
			theta[2 + k] = f.P[k];
			theta[2 + K + k] = f.Q[f.kpad + k];
			theta[2 + 2 * K + k] = f.Y[f.kpad + k];
		}
		svdpp_rating_regs(mod, 0, 1, reg);
		svdpp_rating_loss_grad(K, 1, f.mu, 2, reg, theta, grad);
		lr = svdpp_learning_rate(mod, e);
		if (ops->epoch(mod, e, &loss, NULL, &err) != 0) {
			CHECK_FAIL("epoch %d: %s", e, err.msg);
			break;
		}
		/* every parameter moved by -lr/2 times the gradient (float) */
		for (int j = 0; j < N; j++) {
			double got = j == 0 ? f.bu[0] : j == 1 ? f.bi[1] :
			    j < 2 + K ? f.P[j - 2] :
			    j < 2 + 2 * K ? f.Q[f.kpad + j - 2 - K] :
			    f.Y[f.kpad + j - 2 - 2 * K];

			CHECK_NEAR(got, theta[j] - lr / 2 * grad[j], 1e-6);
		}
	}
	ops->free(mod);
	free(ds);
	interactions_free(&m);
}

/* The implicit part of the prediction, q_i . z_u, must equal the sum of
 * explain's terms over the whole history, one term per history item,
 * largest first. */
static void
test_explain(const model *mod, const interactions *tr)
{
	rating_factors f;
	explain_term *terms = malloc(1700 * sizeof *terms);
	float *zs = malloc((size_t)tr->n_items * sizeof *zs);

	if (terms == NULL || zs == NULL) {
		CHECK_FAIL("out of memory");
		return;
	}
	if (svdpp_factors(mod, &f) < 0) {
		CHECK_FAIL("svdpp_factors");
		return;
	}
	for (int u = 0; u < tr->n_users; u += 53) {
		/* score = mu + b_u + b_i + q_i.p_u + q_i.z_u */
		mod->ops->score_user(mod, u, zs);
		for (int i = 0; i < tr->n_items; i += 97) {
			int n = mod->ops->explain(mod, u, i, terms, 1700);
			double sum = 0, z = zs[i] - f.mu - f.bu[u] - f.bi[i];

			check_context("explain(%d, %d)", u, i);
			for (int k = 0; k < f.k; k++)
				z -= (double)f.Q[(size_t)i * f.kpad + k] *
				    f.P[(size_t)u * f.kpad + k];
			CHECK_EQ(n, tr->ptr[u + 1] - tr->ptr[u]);
			for (int j = 0; j < n; j++) {
				sum += terms[j].contribution;
				if (j > 0)
					CHECK(terms[j].contribution <=
					    terms[j - 1].contribution);
			}
			CHECK_NEAR(sum, z, 1e-4);
		}
	}
	check_context_clear();
	free(zs);
	free(terms);
}

int
main(void)
{
	interactions tr, te;
	dataset *ds;
	model *a, *b;
	double first, last, r;
	int mono, mono2;

	test_gradient();
	test_sgd_step();

	rt_load_u1(&tr, &te, &ds);
	a = rt_train(&model_svdpp_ops, ds, &tr, NULL, 5,
	    model_svdpp_ops.default_epochs, 0, &mono, &first, &last);
	b = rt_train(&model_svdpp_ops, ds, &tr, NULL, 5,
	    model_svdpp_ops.default_epochs, 0, &mono2, &first, &last);
	if (a == NULL || b == NULL)
		return check_done();
	printf("svdpp loss %.4f -> %.4f over %d epochs\n", first, last,
	    model_svdpp_ops.default_epochs);
	/* the loss decreases every epoch */
	CHECK(mono);
	CHECK(last < first);
	r = rmse(a, &te);
	printf("svdpp RMSE on u1.test %.4f (sanity bound 0.93)\n", r);
	CHECK(r < 0.93);
	/* the same seed, the same scores bit-for-bit */
	CHECK_EQ(same_scores(a, b, 943, 1682), 1);
	test_explain(a, &tr);
	rt_round_trip(ds, &tr, a, 8, NULL, 2, 0x11);
	a->ops->free(a);
	b->ops->free(b);
	free(ds);
	interactions_free(&tr);
	interactions_free(&te);
	return check_done();
}
