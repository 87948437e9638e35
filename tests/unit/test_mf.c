/* test_mf: biased MF.  The analytic gradient of one rating's regularised
 * squared error against central finite differences (double); one SGD
 * epoch on a one-rating problem moves every parameter by -lr/2 times that
 * gradient; on u1.base the loss decreases over epochs and the RMSE is
 * sane; the same seed gives the same scores bit-for-bit; save/load round
 * trip; explain.  Exit 0 pass, 1 fail, 77 skip (no data, CI unset). */
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
	enum { K = 6, N = 2 + 2 * K };
	double theta[N], g[N], gn[N], reg[4] = { 0.03, 0.07, 0.05, 0.11 };
	rf_rng rng;

	rf_rng_seed(&rng, 3);
	for (int trial = 0; trial < 20; trial++) {
		double r = 1 + rf_rng_below(&rng, 5);

		for (int j = 0; j < N; j++)
			theta[j] = rf_rng_normal(&rng) * 0.5;
		mf_rating_loss_grad(K, 3.5, r, reg, theta, g);
		for (int j = 0; j < N; j++) {
			const double h = 1e-5, keep = theta[j];
			double lp, lm;

			theta[j] = keep + h;
			lp = mf_rating_loss_grad(K, 3.5, r, reg, theta, gn);
			theta[j] = keep - h;
			lm = mf_rating_loss_grad(K, 3.5, r, reg, theta, gn);
			theta[j] = keep;
			gn[j] = (lp - lm) / (2 * h);
			/* relative 1e-6, with a floor of 1e-3 */
			CHECK_NEAR(g[j], gn[j], 1e-6 * fmax(1e-3, fabs(gn[j]) +
			    fabs(g[j])));
		}
	}
}

/* A problem with a single rating: an epoch is exactly one SGD step. */
static void
test_sgd_step(void)
{
	const model_ops *ops = &model_mf_ops;
	enum { K = 12 };
	double params[16], theta[2 + 2 * K], grad[2 + 2 * K], reg[4];
	double lr, loss;
	interactions m;
	rating_factors f;
	dataset *ds;
	model *mod;
	rf_error err;

	if (interactions_alloc(&m, 3, 4, 1) < 0) {
		CHECK_FAIL("out of memory");
		return;
	}
	m.ptr[2] = m.ptr[3] = 1;	/* user 1 rated item 2 */
	m.idx[0] = 2;
	m.val[0] = 4;
	if (interactions_build_transpose(&m) < 0 ||
	    (ds = ml_dataset(&m, 1)) == NULL) {
		CHECK_FAIL("out of memory");
		return;
	}
	model_params_default(ops, params);
	params[model_param_index(ops, "factors")] = K;
	params[model_param_index(ops, "init_std")] = 0.4;
	params[model_param_index(ops, "reg_bias_n")] = 0.3;
	params[model_param_index(ops, "reg_n")] = 0.2;
	mod = ops->create(ds, &m, params, 11, &err);
	if (mod == NULL || mf_factors(mod, &f) < 0) {
		CHECK_FAIL("one-rating mf: %s", mod ? "no factors" : err.msg);
		return;
	}
	/* Two epochs so the biases are non-zero when we look. */
	for (int e = 0; e < 2; e++) {
		theta[0] = f.bu[1];
		theta[1] = f.bi[2];
		for (int k = 0; k < K; k++) {
			theta[2 + k] = f.P[1 * f.kpad + k];
			theta[2 + K + k] = f.Q[2 * f.kpad + k];
		}
		mf_rating_regs(mod, 1, 2, reg);
		mf_rating_loss_grad(K, f.mu, 4, reg, theta, grad);
		lr = mf_learning_rate(mod, e);
		if (ops->epoch(mod, e, &loss, NULL, &err) != 0) {
			CHECK_FAIL("epoch %d: %s", e, err.msg);
			break;
		}
		/* every parameter moved by -lr/2 times the gradient (float) */
		for (int j = 0; j < 2 + 2 * K; j++) {
			double got = j == 0 ? f.bu[1] : j == 1 ? f.bi[2] :
			    j < 2 + K ? f.P[f.kpad + j - 2] :
			    f.Q[2 * f.kpad + j - 2 - K];

			CHECK_NEAR(got, theta[j] - lr / 2 * grad[j], 1e-6);
		}
	}
	ops->free(mod);
	free(ds);
	interactions_free(&m);
}

int
main(void)
{
	interactions tr, te;
	dataset *ds;
	model *a, *b, *c;
	double first, last, r;
	int mono, mono2;
	explain_term terms[5];
	float *s;

	test_gradient();
	test_sgd_step();

	rt_load_u1(&tr, &te, &ds);
	a = rt_train(&model_mf_ops, ds, &tr, NULL, 5,
	    model_mf_ops.default_epochs, 0, &mono, &first, &last);
	b = rt_train(&model_mf_ops, ds, &tr, NULL, 5,
	    model_mf_ops.default_epochs, 0, &mono2, &first, &last);
	c = rt_train(&model_mf_ops, ds, &tr, NULL, 6,
	    model_mf_ops.default_epochs, 0, &mono2, &first, &last);
	if (a == NULL || b == NULL || c == NULL)
		return check_done();
	printf("mf loss %.4f -> %.4f over %d epochs\n", first, last,
	    a->ops->default_epochs);
	/* the loss decreases every epoch */
	CHECK(mono);
	CHECK(last < first);
	r = rmse(a, &te);
	printf("mf RMSE on u1.test %.4f (sanity bound 0.94)\n", r);
	CHECK(r < 0.94);
	/* the same seed gives the same scores bit-for-bit, another others */
	CHECK_EQ(same_scores(a, b, 943, 1682), 1);
	CHECK_EQ(same_scores(a, c, 943, 1682), 0);
	rt_round_trip(ds, &tr, a, 4, "factors", 1, 0x5a);

	/* score_user is the unclamped prediction; predict clamps. */
	if ((s = malloc(1682 * sizeof *s)) == NULL) {
		CHECK_FAIL("out of memory");
		return check_done();
	}
	for (int u = 0; u < 943; u += 37) {
		a->ops->score_user(a, u, s);
		for (int i = 0; i < 1682; i++) {
			double p = a->ops->predict(a, u, i);

			if (s[i] > 1 && s[i] < 5)
				CHECK_NEAR(p, s[i], 1e-4);
			CHECK(p >= 1 && p <= 5);
		}
	}
	{
		int n = a->ops->explain(a, 0, 0, terms, 5);

		/* five terms, largest first */
		CHECK_EQ(n, 5);
		for (int j = 1; j < n; j++)
			CHECK(terms[j].contribution <=
			    terms[j - 1].contribution);
	}
	free(s);
	a->ops->free(a);
	b->ops->free(b);
	c->ops->free(c);
	free(ds);
	interactions_free(&tr);
	interactions_free(&te);
	return check_done();
}
