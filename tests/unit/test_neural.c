/* test_neural: NeuMF (engine/models/neural.c).
 * 1. neural_loss_grad() against central finite differences of the same
 *    loss, for every parameter of every group (GMF and MLP embeddings,
 *    each MLP layer's weights and biases, the feature weights with
 *    features=1, the output layer) of a tiny model.
 * 2. The epoch loss falls on a 200-user slice of ml-100k u1.base (implicit).
 * 3. Same seed -> same losses and scores; save -> load -> same scores. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/models/neural.h"
#include "engine/models/registry.h"
#include "tests/lib/mldata.h"
#include "tests/lib/tinydata.h"
#include "engine/core/rng.h"
#include "tests/lib/check.h"

/* Relative error, with a floor of 1e-2 on the denominator.  The forward
 * pass is float32 (the loss is summed in double): with steps of 1e-3 and
 * 1e-4 the difference quotient carries ~1e-4 .. 1e-3 absolute noise. */
#define GRAD_TOL 2e-2
#define GRAD_STEP 1e-3f
#define NGROUPS 16

/* A parameter the test relies on: one it does not have is a failure, not
 * a test of the defaults. */
static void
set_param(double *prm, const char *name, double v)
{
	int p = model_param_index(&model_neural_ops, name);

	CHECK_MSG(p >= 0, "neural has no parameter %s", name);
	if (p >= 0)
		prm[p] = v;
}

static void
test_gradient(int features, double reg)
{
	const int nu = 6, ni = 9, nb = 14;
	interactions tm;
	dataset *ds;
	double prm[16];
	neural_group g[NGROUPS];
	rf_error err = { "" };
	int users[14], items[14], ng;
	float labels[14], *theta, *grad, *ga;
	size_t np;
	model *m;
	rf_rng r;

	if (tiny_random_matrix(&tm, nu, ni, 0.3, 5) < 0 ||
	    (ds = ml_dataset(&tm, 0)) == NULL ||
	    (ds->user_features = malloc((size_t)nu * UF_COUNT *
	    sizeof(float))) == NULL) {
		CHECK_FAIL("out of memory");
		return;
	}
	rf_rng_seed(&r, 99);
	for (int x = 0; x < nu * UF_COUNT; x++)
		ds->user_features[x] = (float)rf_rng_uniform(&r);
	model_params_default(&model_neural_ops, prm);
	set_param(prm, "factors", 3);
	set_param(prm, "mlp", 8);
	set_param(prm, "layers", 2);
	set_param(prm, "batch", 16);
	set_param(prm, "reg", reg);
	set_param(prm, "features", features);
	m = model_neural_ops.create(ds, &tm, prm, 1, &err);
	if (m == NULL) {
		CHECK_FAIL("create: %s", err.msg);
		return;
	}
	/* Parameters of order 1, so no gradient is negligible. */
	np = neural_parameters(m, &theta, &grad);
	for (size_t x = 0; x < np; x++)
		theta[x] = (float)(0.6 * rf_rng_normal(&r));
	for (int x = 0; x < nb; x++) {
		users[x] = (int)rf_rng_below(&r, nu);
		items[x] = (int)rf_rng_below(&r, ni);
		labels[x] = (float)(x % 3 == 0);
	}
	/* Positive MLP biases keep most ReLUs alive (a dead tower would
	 * have nothing to check); pre-activations still take both signs. */
	/* The groups cover every parameter once: 4 embeddings, W and b per
	 * layer, the feature weights with features=1, the output layer. */
	ng = neural_groups(m, g, NGROUPS);
	CHECK_EQ(ng, 4 + 2 * 2 + (features ? 1 : 0) + 2);
	{
		size_t covered = 0;
		int has_features = 0;

		for (int k = 0; k < ng; k++) {
			covered += g[k].count;
			has_features |= strcmp(g[k].name, "features.W") == 0;
		}
		CHECK_EQ(covered, np);
		CHECK_EQ(has_features, features != 0);
	}
	for (int k = 0; k < ng; k++)
		if (strncmp(g[k].name, "mlp.b", 5) == 0)
			for (size_t x = 0; x < g[k].count; x++)
				theta[g[k].offset + x] = (float)(0.4 +
				    0.3 * fabs(rf_rng_normal(&r)));
	if ((ga = malloc(np * sizeof *ga)) == NULL) {
		CHECK_FAIL("out of memory");
		return;
	}
	if (neural_loss_grad(m, users, items, labels, nb, &err) < 0) {
		CHECK_FAIL("loss: %s", err.msg);
		return;
	}
	memcpy(ga, grad, np * sizeof *ga);
	for (int k = 0; k < ng; k++) {
		double gmax = 0;

		check_context("neural gradient (features=%d, reg=%g) %s",
		    features, reg, g[k].name);
		for (size_t x = g[k].offset; x < g[k].offset + g[k].count;
		    x++) {
			double best = NAN, rel = INFINITY;

			/* Two steps: a big one can straddle a ReLU kink, a
			 * small one suffers float rounding; a wrong gradient
			 * fails at both.  The closer one is compared. */
			for (int st = 0; st < 2; st++) {
				float save = theta[x], hi, lo;
				float h = st ? GRAD_STEP / 10 : GRAD_STEP;
				double lp, lm, num, e;

				theta[x] = hi = save + h;
				lp = neural_loss_grad(m, users, items, labels,
				    nb, &err);
				theta[x] = lo = save - h;
				lm = neural_loss_grad(m, users, items, labels,
				    nb, &err);
				theta[x] = save;
				num = (lp - lm) / ((double)hi - lo);
				e = fabs(num - ga[x]) /
				    fmax(fmax(fabs(num), fabs(ga[x])), 1e-2);
				if (e < rel) {
					rel = e;
					best = num;
				}
			}
			/* relative GRAD_TOL, with a floor of 1e-2 */
			CHECK_NEAR(ga[x], best, GRAD_TOL *
			    fmax(fmax(fabs(best), fabs(ga[x])), 1e-2));
			if (fabs(ga[x]) > gmax)
				gmax = fabs(ga[x]);
		}
		/* a group whose gradient is all zero checks nothing */
		CHECK(gmax > 0);
	}
	check_context_clear();
	free(ga);
	model_neural_ops.free(m);
	free(ds->user_features);
	free(ds);
	interactions_free(&tm);
}

static int
scores_equal(const model *a, const model *b, int nu, int ni, int step)
{
	float *sa = malloc((size_t)ni * sizeof *sa);
	float *sb = malloc((size_t)ni * sizeof *sb);
	int same = sa && sb ? 1 : -1;	/* -1: out of memory */

	for (int u = 0; same == 1 && u < nu; u += step) {
		a->ops->score_user(a, u, sa);
		b->ops->score_user(b, u, sb);
		if (memcmp(sa, sb, (size_t)ni * sizeof *sa) != 0)
			same = 0;
	}
	free(sa);
	free(sb);
	return same;
}

/* score_user's cached item half against a direct forward pass: the
 * logit recovered from the loss with label 1, every 7th item. */
static void
check_score_vs_forward(model *m, int u, int ni)
{
	float *s = malloc((size_t)ni * sizeof *s), *th, *gr;
	rf_error err;
	int pr = model_param_index(m->ops, "reg");
	double reg;

	if (s == NULL || pr < 0) {
		CHECK_FAIL(s ? "neural has no parameter reg" : "out of memory");
		free(s);
		return;
	}
	/* the loss adds reg/2 |theta|^2: leave it out here */
	reg = m->params[pr];
	m->params[pr] = 0;
	neural_parameters(m, &th, &gr);
	m->ops->score_user(m, u, s);
	for (int i = 0; i < ni; i += 7) {
		/* BCE with label 1 is softplus(-z): recover the logit z */
		float y = 1;
		double l = neural_loss_grad(m, &u, &i, &y, 1, &err);

		CHECK_NEAR(s[i], -log(expm1(l)), 1e-3);
	}
	m->params[pr] = reg;
	free(s);
}

static void
test_training(const char *dir)
{
	char path[4200];
	interactions all, sl;
	dataset *ds;
	double prm[16], loss[4], lb;
	rf_error err = { "" };
	model *a, *b, *c;
	rf_buf blob = { 0 };
	int epochs = 3;

	snprintf(path, sizeof path, "%s/ml-100k/u1.base", dir);
	if (ml_load(path, 943, 1682, 1, &all) < 0) {
		CHECK_FAIL("cannot read %s", path);
		return;
	}
	if (slice_users(&all, 150, &sl) < 0 ||
	    (ds = ml_dataset(&sl, 0)) == NULL) {
		CHECK_FAIL("out of memory");
		return;
	}
	model_params_default(&model_neural_ops, prm);
	a = model_neural_ops.create(ds, &sl, prm, 42, &err);
	b = model_neural_ops.create(ds, &sl, prm, 42, &err);
	if (a == NULL || b == NULL) {
		CHECK_FAIL("create: %s", err.msg);
		return;
	}
	for (int e = 0; e < epochs; e++) {
		if (model_neural_ops.epoch(a, e, &loss[e], NULL, &err) != 0 ||
		    model_neural_ops.epoch(b, e, &lb, NULL, &err) != 0) {
			CHECK_FAIL("epoch %d: %s", e, err.msg);
			return;
		}
		/* the same seed, the same losses */
		CHECK_NEAR(lb, loss[e], 0);
	}
	printf("neural loss falls: %.4f -> %.4f -> %.4f (mean BCE per "
	    "epoch)\n", loss[0], loss[1], loss[2]);
	CHECK(loss[1] < loss[0]);
	CHECK(loss[2] < loss[1]);
	/* and the same scores */
	CHECK_EQ(scores_equal(a, b, sl.n_users, sl.n_items, 17), 1);
	check_score_vs_forward(a, 3, sl.n_items);
	if (model_neural_ops.save(a, &blob, &err) < 0 ||
	    (c = model_neural_ops.load(ds, &sl, prm, blob.data, blob.len,
	    &err)) == NULL) {
		CHECK_FAIL("save/load: %s", err.msg);
	} else {
		/* save -> load -> the same scores */
		CHECK_EQ(scores_equal(a, c, sl.n_users, sl.n_items, 7), 1);
		CHECK_EQ(c->epochs_done, epochs);
		model_neural_ops.free(c);
		/* other shapes are refused */
		set_param(prm, "mlp", 32);
		CHECK(model_neural_ops.load(ds, &sl, prm, blob.data, blob.len,
		    &err) == NULL);
	}
	rf_buf_free(&blob);
	model_neural_ops.free(a);
	model_neural_ops.free(b);
	free(ds);
	interactions_free(&sl);
	interactions_free(&all);
}

int
main(void)
{
	test_gradient(0, 0);
	test_gradient(1, 0);
	test_gradient(1, 0.01);
	test_training(check_data_dir("ml-100k/u1.base"));
	return check_done();
}
