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

/* Relative error, with a floor of 1e-2 on the denominator.  The forward
 * pass is float32 (the loss is summed in double): with steps of 1e-3 and
 * 1e-4 the difference quotient carries ~1e-4 .. 1e-3 absolute noise. */
#define GRAD_TOL 2e-2
#define GRAD_STEP 1e-3f
#define NGROUPS 16

static int failures;

static void
check(int ok, const char *what)
{
	printf("%s: %s\n", ok ? "ok" : "FAIL", what);
	if (!ok)
		failures++;
}

static void
set_param(double *prm, const char *name, double v)
{
	int p = model_param_index(&model_neural_ops, name);

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
	    (ds = ml_dataset(&tm, 0)) == NULL) {
		check(0, "tiny data");
		return;
	}
	rf_rng_seed(&r, 99);
	ds->user_features = malloc((size_t)nu * UF_COUNT * sizeof(float));
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
		check(0, err.msg);
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
	ng = neural_groups(m, g, NGROUPS);
	for (int k = 0; k < ng; k++)
		if (strncmp(g[k].name, "mlp.b", 5) == 0)
			for (size_t x = 0; x < g[k].count; x++)
				theta[g[k].offset + x] = (float)(0.4 +
				    0.3 * fabs(rf_rng_normal(&r)));
	ga = malloc(np * sizeof *ga);
	if (neural_loss_grad(m, users, items, labels, nb, &err) < 0) {
		check(0, err.msg);
		return;
	}
	memcpy(ga, grad, np * sizeof *ga);
	for (int k = 0; k < ng; k++) {
		double worst = 0, gmax = 0;
		char msg[200];

		for (size_t x = g[k].offset; x < g[k].offset + g[k].count;
		    x++) {
			double rel = INFINITY;

			/* Two steps: a big one can straddle a ReLU kink, a
			 * small one suffers float rounding; a wrong gradient
			 * fails at both. */
			for (int st = 0; st < 2; st++) {
				float save = theta[x], hi, lo;
				float h = st ? GRAD_STEP / 10 : GRAD_STEP;
				double lp, lm, num;

				theta[x] = hi = save + h;
				lp = neural_loss_grad(m, users, items, labels,
				    nb, &err);
				theta[x] = lo = save - h;
				lm = neural_loss_grad(m, users, items, labels,
				    nb, &err);
				theta[x] = save;
				num = (lp - lm) / ((double)hi - lo);
				rel = fmin(rel, fabs(num - ga[x]) /
				    fmax(fmax(fabs(num), fabs(ga[x])), 1e-2));
			}
			if (rel > worst)
				worst = rel;
			if (fabs(ga[x]) > gmax)
				gmax = fabs(ga[x]);
		}
		snprintf(msg, sizeof msg, "neural gradient (features=%d, "
		    "reg=%g) %-11s %4zu params, max |g| %.3f, worst relative "
		    "error %.2e (tolerance %.0e)", features, reg, g[k].name,
		    g[k].count, gmax, worst, GRAD_TOL);
		check(worst <= GRAD_TOL && gmax > 0, msg);
	}
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
	int same = sa && sb;

	for (int u = 0; same && u < nu; u += step) {
		a->ops->score_user(a, u, sa);
		b->ops->score_user(b, u, sb);
		if (memcmp(sa, sb, (size_t)ni * sizeof *sa) != 0)
			same = 0;
	}
	free(sa);
	free(sb);
	return same;
}

/* score_user's cached item half against a direct forward pass. */
static double
score_vs_forward(model *m, int u, int ni)
{
	float *s = malloc((size_t)ni * sizeof *s), *th, *gr;
	double worst = 0;
	rf_error err;

	int pr = model_param_index(m->ops, "reg");
	double reg = m->params[pr];

	/* the loss adds reg/2 |theta|^2: leave it out here */
	m->params[pr] = 0;
	neural_parameters(m, &th, &gr);
	m->ops->score_user(m, u, s);
	for (int i = 0; i < ni; i += 7) {
		/* BCE with label 1 is softplus(-z): recover the logit z */
		float y = 1;
		double l = neural_loss_grad(m, &u, &i, &y, 1, &err);
		double z = -log(expm1(l));

		if (fabs(z - s[i]) > worst)
			worst = fabs(z - s[i]);
	}
	m->params[pr] = reg;
	free(s);
	return worst;
}

static void
test_training(const char *dir)
{
	char path[4096], msg[200];
	interactions all, sl;
	dataset *ds;
	double prm[16], loss[4], lb, diff;
	rf_error err = { "" };
	model *a, *b, *c;
	rf_buf blob = { 0 };
	int same = 1, epochs = 3;

	snprintf(path, sizeof path, "%s/ml-100k/u1.base", dir);
	if (ml_load(path, 943, 1682, 1, &all) < 0) {
		check(0, "read u1.base");
		return;
	}
	slice_users(&all, 150, &sl);
	ds = ml_dataset(&sl, 0);
	model_params_default(&model_neural_ops, prm);
	a = model_neural_ops.create(ds, &sl, prm, 42, &err);
	b = model_neural_ops.create(ds, &sl, prm, 42, &err);
	if (a == NULL || b == NULL) {
		check(0, err.msg);
		return;
	}
	for (int e = 0; e < epochs; e++) {
		model_neural_ops.epoch(a, e, &loss[e], NULL, &err);
		model_neural_ops.epoch(b, e, &lb, NULL, &err);
		if (lb != loss[e])
			same = 0;
	}
	snprintf(msg, sizeof msg, "neural loss falls: %.4f -> %.4f -> %.4f "
	    "(mean BCE per epoch)", loss[0], loss[1], loss[2]);
	check(loss[2] < loss[1] && loss[1] < loss[0], msg);
	check(same && scores_equal(a, b, sl.n_users, sl.n_items, 17),
	    "neural same seed -> same losses and scores");
	diff = score_vs_forward(a, 3, sl.n_items);
	snprintf(msg, sizeof msg, "neural score_user = forward logit: worst "
	    "difference %.2e (tolerance 1e-3)", diff);
	check(diff < 1e-3, msg);
	if (model_neural_ops.save(a, &blob, &err) < 0 ||
	    (c = model_neural_ops.load(ds, &sl, prm, blob.data, blob.len,
	    &err)) == NULL) {
		check(0, err.msg);
	} else {
		check(scores_equal(a, c, sl.n_users, sl.n_items, 7) &&
		    c->epochs_done == epochs,
		    "neural save -> load -> same scores");
		model_neural_ops.free(c);
		set_param(prm, "mlp", 32);
		check(model_neural_ops.load(ds, &sl, prm, blob.data, blob.len,
		    &err) == NULL, "neural load refuses other shapes");
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
	char path[4096];
	FILE *f;

	test_gradient(0, 0);
	test_gradient(1, 0);
	test_gradient(1, 0.01);
	snprintf(path, sizeof path, "%s/ml-100k/u1.base", ml_data_dir());
	f = fopen(path, "r");
	if (f == NULL) {
		const char *ci = getenv("CI");

		printf("skip: no %s\n", path);
		if (ci && strcmp(ci, "true") == 0)
			return 1;
		return failures ? 1 : 77;
	}
	fclose(f);
	test_training(ml_data_dir());
	return failures ? 1 : 0;
}
