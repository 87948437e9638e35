/* test_bpr: BPR-MF (engine/models/bpr.c).
 * 1. The analytic gradient of the BPR objective (Rendle et al. 2009 eq. 4)
 *    over a fixed set of triples against central finite differences, for
 *    every user factor, item factor and item bias of a tiny model.
 * 2. The epoch loss falls on a 200-user slice of ml-100k u1.base (implicit).
 * 3. Same seed -> same scores; save -> load -> same scores.
 * 4. An epoch's SGD step (bpr_triple_step) moves every parameter by -lr
 *    times that gradient, and one thread or two give the same model bit
 *    for bit (the block schedule, bpr.c).
 * 5. Settling after a fit (the strata let go) changes nothing: a fit
 *    that settles midway ends bit for bit where one that does not ends. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/models/blob.h"
#include "engine/models/neural.h"
#include "engine/models/registry.h"
#include "tests/lib/mldata.h"
#include "tests/lib/settle.h"
#include "tests/lib/tinydata.h"
#include "engine/core/rng.h"
#include "tests/lib/check.h"

/* Relative, with a floor of 1e-3 on the denominator: the loss is summed in
 * double but the analytic gradient is float32 (about 1e-7 absolute). */
#define GRAD_TOL 1e-3

typedef struct triple {
	int u, i, j;
} triple;

static double
total_loss(model *m, const triple *t, int nt, float *scratch)
{
	double s = 0;
	float gbi, gbj;
	int k;
	float *p, *q, *b;

	bpr_parameters(m, &p, &q, &b, &k);
	for (int x = 0; x < nt; x++)
		s += bpr_triple_loss_grad(m, t[x].u, t[x].i, t[x].j, scratch,
		    scratch + k, scratch + 2 * k, &gbi, &gbj);
	return s;
}

static void
test_gradient(void)
{
	const int nu = 5, ni = 8, nt = 12;
	interactions tm;
	dataset *ds;
	double prm[8];
	const char *gname[3] = { "user factors", "item factors", "item bias" };
	rf_error err;
	triple t[12];
	model *m;
	float *p, *q, *b, *gp, *gq, *gb, scratch[64];
	int k;
	rf_rng r;

	if (tiny_random_matrix(&tm, nu, ni, 0.3, 7) < 0 ||
	    (ds = ml_dataset(&tm, 0)) == NULL) {
		CHECK_FAIL("out of memory");
		return;
	}
	model_params_default(&model_bpr_ops, prm);
	prm[model_param_index(&model_bpr_ops, "factors")] = 4;
	prm[model_param_index(&model_bpr_ops, "reg")] = 0.05;
	prm[model_param_index(&model_bpr_ops, "init")] = 0.7;
	m = model_bpr_ops.create(ds, &tm, prm, 3, &err);
	if (m == NULL) {
		CHECK_FAIL("create: %s", err.msg);
		return;
	}
	bpr_parameters(m, &p, &q, &b, &k);
	CHECK_EQ(k, 4);
	rf_rng_seed(&r, 11);
	for (int i = 0; i < ni; i++)
		b[i] = (float)(0.5 * rf_rng_normal(&r));
	/* triples with repeated users and items so gradients accumulate */
	for (int x = 0; x < nt; x++) {
		t[x].u = (int)rf_rng_below(&r, nu);
		t[x].i = (int)rf_rng_below(&r, ni);
		t[x].j = (t[x].i + 1 + (int)rf_rng_below(&r, ni - 1)) % ni;
	}
	gp = calloc((size_t)nu * k, sizeof *gp);
	gq = calloc((size_t)ni * k, sizeof *gq);
	gb = calloc((size_t)ni, sizeof *gb);
	if (gp == NULL || gq == NULL || gb == NULL) {
		CHECK_FAIL("out of memory");
		return;
	}
	for (int x = 0; x < nt; x++) {
		float g[3 * 16], gbi, gbj;

		bpr_triple_loss_grad(m, t[x].u, t[x].i, t[x].j, g, g + k,
		    g + 2 * k, &gbi, &gbj);
		for (int f = 0; f < k; f++) {
			gp[t[x].u * k + f] += g[f];
			gq[t[x].i * k + f] += g[k + f];
			gq[t[x].j * k + f] += g[2 * k + f];
		}
		gb[t[x].i] += gbi;
		gb[t[x].j] += gbj;
	}
	for (int grp = 0; grp < 3; grp++) {
		float *theta = grp == 0 ? p : grp == 1 ? q : b;
		float *ga = grp == 0 ? gp : grp == 1 ? gq : gb;
		int n = grp == 0 ? nu * k : grp == 1 ? ni * k : ni;

		check_context("bpr gradient, %s", gname[grp]);
		for (int x = 0; x < n; x++) {
			float save = theta[x], hi, lo;
			double lp, lm, num;

			theta[x] = hi = save + 1e-3f;
			lp = total_loss(m, t, nt, scratch);
			theta[x] = lo = save - 1e-3f;
			lm = total_loss(m, t, nt, scratch);
			theta[x] = save;
			num = (lp - lm) / ((double)hi - lo);
			CHECK_NEAR(ga[x], num, GRAD_TOL *
			    fmax(fmax(fabs(num), fabs(ga[x])), 1e-3));
		}
	}
	check_context_clear();
	free(gp);
	free(gq);
	free(gb);
	model_bpr_ops.free(m);
	free(ds);
	interactions_free(&tm);
}

static void
test_training(const char *dir)
{
	char path[4200];
	interactions all, sl;
	dataset *ds;
	double prm[8], loss[8];
	rf_error err;
	model *a, *b2, *c;
	rf_buf blob = { 0 };
	float *sa, *sb;
	int ni, epochs = 6;

	snprintf(path, sizeof path, "%s/ml-100k/u1.base", dir);
	if (ml_load(path, 943, 1682, 1, &all) < 0) {
		CHECK_FAIL("cannot read %s", path);
		return;
	}
	if (slice_users(&all, 200, &sl) < 0 ||
	    (ds = ml_dataset(&sl, 0)) == NULL) {
		CHECK_FAIL("out of memory");
		return;
	}
	model_params_default(&model_bpr_ops, prm);
	a = model_bpr_ops.create(ds, &sl, prm, 42, &err);
	b2 = model_bpr_ops.create(ds, &sl, prm, 42, &err);
	if (a == NULL || b2 == NULL) {
		CHECK_FAIL("create: %s", err.msg);
		return;
	}
	for (int e = 0; e < epochs; e++) {
		double lb;

		if (model_bpr_ops.epoch(a, e, &loss[e], NULL, &err) != 0 ||
		    model_bpr_ops.epoch(b2, e, &lb, NULL, &err) != 0) {
			CHECK_FAIL("epoch %d: %s", e, err.msg);
			return;
		}
		/* the same seed, the same losses */
		CHECK_NEAR(lb, loss[e], 0);
	}
	printf("bpr loss falls: %.4f -> %.4f -> %.4f over %d epochs\n",
	    loss[0], loss[2], loss[epochs - 1], epochs);
	CHECK(loss[epochs - 1] < loss[0] * 0.9);
	CHECK(loss[2] < loss[0]);
	ni = sl.n_items;
	sa = malloc((size_t)ni * sizeof *sa);
	sb = malloc((size_t)ni * sizeof *sb);
	if (sa == NULL || sb == NULL) {
		CHECK_FAIL("out of memory");
		return;
	}
	/* the same seed, the same scores */
	for (int u = 0; u < sl.n_users; u += 37) {
		model_bpr_ops.score_user(a, u, sa);
		model_bpr_ops.score_user(b2, u, sb);
		CHECK(memcmp(sa, sb, (size_t)ni * sizeof *sa) == 0);
	}
	/* another seed, other scores */
	c = model_bpr_ops.create(ds, &sl, prm, 43, &err);
	if (c == NULL || model_bpr_ops.epoch(c, 0, &loss[7], NULL, &err) !=
	    0) {
		CHECK_FAIL("seed 43: %s", err.msg);
	} else {
		model_bpr_ops.score_user(c, 0, sb);
		model_bpr_ops.score_user(a, 0, sa);
		CHECK(memcmp(sa, sb, (size_t)ni * sizeof *sa) != 0);
	}
	if (c != NULL)
		model_bpr_ops.free(c);
	/* a block of users in one sgemm (the bias in every row), and the
	 * evaluator's tiles on a temporal carve of the same users */
	{
		ml_parts parts;

		if (ml_temporal_parts(&sl, 0.2, &parts) < 0)
			CHECK_FAIL("split");
		else {
			ml_check_score_users(a, &parts.train, &parts.test);
			ml_parts_free(&parts);
		}
	}
	/* save / load round trip */
	if (model_bpr_ops.save(a, &blob, &err) < 0 ||
	    (c = model_bpr_ops.load(ds, &sl, prm, blob.data, blob.len,
	    &err)) == NULL) {
		CHECK_FAIL("save/load: %s", err.msg);
	} else {
		for (int u = 0; u < sl.n_users; u += 13) {
			model_bpr_ops.score_user(a, u, sa);
			model_bpr_ops.score_user(c, u, sb);
			CHECK(memcmp(sa, sb, (size_t)ni * sizeof *sa) == 0);
		}
		CHECK_EQ(c->epochs_done, epochs);
		model_bpr_ops.free(c);
		/* a truncated blob is refused */
		CHECK(model_bpr_ops.load(ds, &sl, prm, blob.data,
		    blob.len - 1, &err) == NULL);
	}
	rf_buf_free(&blob);
	free(sa);
	free(sb);
	model_bpr_ops.free(a);
	model_bpr_ops.free(b2);
	free(ds);
	interactions_free(&sl);
	interactions_free(&all);
}

/* One step of the epoch's kernel against -lr times the reference
 * gradient (computed in double from the same parameters). */
static void
test_step(void)
{
	const int nu = 4, ni = 9;
	const float lr = 0.07f;
	interactions tm;
	dataset *ds;
	double prm[16], l_ref, l_step;
	rf_error err;
	model *m;
	float *p, *q, *b, g[3 * 8], gbi, gbj, p0[8], qi0[8], qj0[8], bi0, bj0;
	int k;

	if (tiny_random_matrix(&tm, nu, ni, 0.4, 3) < 0 ||
	    (ds = ml_dataset(&tm, 0)) == NULL) {
		CHECK_FAIL("out of memory");
		return;
	}
	model_params_default(&model_bpr_ops, prm);
	prm[model_param_index(&model_bpr_ops, "factors")] = 8;
	prm[model_param_index(&model_bpr_ops, "reg")] = 0.05;
	prm[model_param_index(&model_bpr_ops, "init")] = 0.5;
	if ((m = model_bpr_ops.create(ds, &tm, prm, 5, &err)) == NULL) {
		CHECK_FAIL("create: %s", err.msg);
		return;
	}
	bpr_parameters(m, &p, &q, &b, &k);
	b[2] = 0.3f;
	b[7] = -0.2f;
	memcpy(p0, p + 1 * k, sizeof p0);
	memcpy(qi0, q + 2 * k, sizeof qi0);
	memcpy(qj0, q + 7 * k, sizeof qj0);
	bi0 = b[2];
	bj0 = b[7];
	l_ref = bpr_triple_loss_grad(m, 1, 2, 7, g, g + k, g + 2 * k, &gbi,
	    &gbj);
	l_step = bpr_triple_step(m, 1, 2, 7, lr);
	check_context("bpr step");
	CHECK_NEAR(l_step, l_ref, 1e-5 * (1 + fabs(l_ref)));
	for (int f = 0; f < k; f++) {
		CHECK_NEAR(p[1 * k + f], p0[f] - lr * g[f], 1e-6);
		CHECK_NEAR(q[2 * k + f], qi0[f] - lr * g[k + f], 1e-6);
		CHECK_NEAR(q[7 * k + f], qj0[f] - lr * g[2 * k + f], 1e-6);
	}
	CHECK_NEAR(b[2], bi0 - lr * gbi, 1e-6);
	CHECK_NEAR(b[7], bj0 - lr * gbj, 1e-6);
	check_context_clear();
	model_bpr_ops.free(m);
	free(ds);
	interactions_free(&tm);
}

/* A save streamed in pieces of 1000 bytes (blob_stream_begin) hands the
 * sink, in order, the very bytes of a save into one buffer, and never
 * holds more than a piece. */
struct pieces {
	rf_buf all;
	size_t most;
	int n;
};

static int
collect(void *ud, const void *p, size_t n, rf_error *err)
{
	struct pieces *pc = ud;

	(void)err;
	pc->n++;
	if (n > pc->most)
		pc->most = n;
	return rf_buf_append(&pc->all, p, n);
}

static void
test_stream(model *m)
{
	struct pieces pc = { { 0 }, 0, 0 };
	rf_buf whole = { 0 }, out = { 0 };
	rf_error err;

	if (model_bpr_ops.save(m, &whole, &err) < 0 ||
	    blob_stream_begin(&out, collect, &pc, 1000, &err) < 0) {
		CHECK_FAIL("save: %s", err.msg);
		return;
	}
	CHECK(model_bpr_ops.save(m, &out, &err) == 0);
	CHECK(blob_stream_end(&out, &err) == 0);
	CHECK_EQ(out.len, 0);
	CHECK_EQ(pc.all.len, whole.len);
	CHECK(pc.all.len == whole.len &&
	    memcmp(pc.all.data, whole.data, whole.len) == 0);
	CHECK(pc.n > 10);
	CHECK(pc.most <= 1000);
	rf_buf_free(&pc.all);
	rf_buf_free(&whole);
	rf_buf_free(&out);
}

/* The block schedule: any thread count, the same model (and loss). */
static void
test_threads(const char *dir)
{
	char path[4200];
	interactions all;
	dataset *ds;
	double prm[16];
	rf_error err;
	model *m[3];
	float *sa, *sb;
	int ni;

	snprintf(path, sizeof path, "%s/ml-100k/u1.base", dir);
	if (ml_load(path, 943, 1682, 1, &all) < 0 ||
	    (ds = ml_dataset(&all, 0)) == NULL) {
		CHECK_FAIL("cannot read %s", path);
		return;
	}
	model_params_default(&model_bpr_ops, prm);
	for (int x = 0; x < 3; x++) {
		prm[model_param_index(&model_bpr_ops, "threads")] = x + 1;
		if ((m[x] = model_bpr_ops.create(ds, &all, prm, 7, &err)) ==
		    NULL) {
			CHECK_FAIL("create: %s", err.msg);
			return;
		}
	}
	for (int e = 0; e < 3; e++) {
		double l[3];

		for (int x = 0; x < 3; x++)
			if (model_bpr_ops.epoch(m[x], e, &l[x], NULL, &err) !=
			    0)
				CHECK_FAIL("epoch: %s", err.msg);
		CHECK_NEAR(l[1], l[0], 0);
		CHECK_NEAR(l[2], l[0], 0);
	}
	ni = all.n_items;
	sa = malloc((size_t)ni * sizeof *sa);
	sb = malloc((size_t)ni * sizeof *sb);
	if (sa == NULL || sb == NULL) {
		CHECK_FAIL("out of memory");
		return;
	}
	for (int u = 0; u < all.n_users; u += 17)
		for (int x = 1; x < 3; x++) {
			model_bpr_ops.score_user(m[0], u, sa);
			model_bpr_ops.score_user(m[x], u, sb);
			CHECK(memcmp(sa, sb, (size_t)ni * sizeof *sa) == 0);
		}
	free(sa);
	free(sb);
	test_stream(m[0]);
	for (int x = 0; x < 3; x++)
		model_bpr_ops.free(m[x]);
	free(ds);
	interactions_free(&all);
}

int
main(void)
{
	test_gradient();
	test_step();
	/* the strata go after a fit and come back the same */
	check_settle(&model_bpr_ops, 0);
	test_training(check_data_dir("ml-100k/u1.base"));
	test_threads(check_data_dir("ml-100k/u1.base"));
	return check_done();
}
