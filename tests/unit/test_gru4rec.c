/* test_gru4rec: the sequence model (engine/models/gru4rec.c, gru_cell.c).
 * 1. The GRU layer's forward pass against a double-precision reference
 *    written from the equations, and its backward pass (BPTT over a
 *    packed batch of unequal lengths) against central differences of
 *    that reference.
 * 2. gru4rec_loss_grad() (sampled softmax with the logQ correction, tied
 *    item + category embeddings, output bias) against central
 *    differences of a double-precision reference of the same loss.
 * 3. A synthetic log where the next item is a fixed function of the
 *    previous one, hidden among items that are not followed by theirs:
 *    the GRU learns it (HR@10 near 1 on the held-out next items), item-
 *    kNN, which sees histories as sets, cannot.
 * 4. Same seed -> same losses and scores; save -> load -> the same
 *    scores; corrupt or foreign blobs refused.
 * 5. The probe is an exact leave-one-out: each drop equals the score
 *    minus the score of the model loaded on the train part without that
 *    item (older items sliding into the window included). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/data/split.h"
#include "engine/eval/metrics.h"
#include "engine/models/gru4rec.h"
#include "engine/models/registry.h"
#include "engine/core/rng.h"
#include "tests/lib/check.h"
#include "tests/lib/mldata.h"
#include "tests/lib/tinydata.h"

/* Central differences of a double-precision reference with this step
 * are exact to ~1e-9; the analytic gradients are float32, so they are
 * compared with a relative tolerance (floor 1e-3 on the denominator). */
#define FD_STEP 1e-6
#define GRAD_TOL 1e-3

static const model_ops *ops = &model_gru4rec_ops;

static void
set_param(double *prm, const char *name, double v)
{
	int p = model_param_index(ops, name);

	CHECK_MSG(p >= 0, "gru4rec has no parameter %s", name);
	if (p >= 0)
		prm[p] = v;
}

/* ---- a double-precision GRU from the equations (gru_cell.h) ------------- */

typedef struct ref_gru {
	int nin, nh;
	const double *wx, *wh, *bx, *bh;	/* as gru_layer */
} ref_gru;

static double
ref_sigmoid(double v)
{
	return 1.0 / (1.0 + exp(-v));
}

/* h <- GRU(x, h) */
static void
ref_gru_step(const ref_gru *g, const double *x, double *h)
{
	int nh = g->nh, g3 = 3 * nh;
	double a[3 * 64], c[3 * 64], out[64];

	for (int j = 0; j < g3; j++) {
		a[j] = g->bx[j];
		c[j] = g->bh[j];
		for (int k = 0; k < g->nin; k++)
			a[j] += x[k] * g->wx[k * g3 + j];
		for (int k = 0; k < nh; k++)
			c[j] += h[k] * g->wh[k * g3 + j];
	}
	for (int j = 0; j < nh; j++) {
		double z = ref_sigmoid(a[j] + c[j]);
		double r = ref_sigmoid(a[nh + j] + c[nh + j]);
		double n = tanh(a[2 * nh + j] + r * c[2 * nh + j]);

		out[j] = (1 - z) * n + z * h[j];
	}
	memcpy(h, out, (size_t)nh * sizeof *h);
}

/* ---- 1. the layer ------------------------------------------------------- */

enum { CELL_IN = 5, CELL_H = 4, CELL_SEQ = 3, CELL_ROWS = 4 + 3 + 1 };
static const int cell_len[CELL_SEQ] = { 4, 3, 1 };

/* L = sum over packed rows of w . h(row), for parameters th (wx, wh, bx,
 * bh packed in that order) and inputs x (rows, nin, packed). */
static double
cell_ref_loss(const double *th, const double *x, const double *w,
    const gru_pack *p)
{
	ref_gru g = { CELL_IN, CELL_H, th, th + CELL_IN * 3 * CELL_H,
	    th + (CELL_IN + CELL_H) * 3 * CELL_H,
	    th + (CELL_IN + CELL_H + 1) * 3 * CELL_H };
	double loss = 0;

	for (int s = 0; s < CELL_SEQ; s++) {
		double h[CELL_H] = { 0 };

		for (int t = 0; t < cell_len[s]; t++) {
			int row = p->offset[t] + s;

			ref_gru_step(&g, x + row * CELL_IN, h);
			for (int j = 0; j < CELL_H; j++)
				loss += w[row * CELL_H + j] * h[j];
		}
	}
	return loss;
}

static void
test_cell(void)
{
	enum { NW = (CELL_IN + CELL_H + 2) * 3 * CELL_H };
	double th[NW], xd[CELL_ROWS * CELL_IN], w[CELL_ROWS * CELL_H];
	float thf[NW], gf[NW], xf[CELL_ROWS * CELL_IN], dx[CELL_ROWS * CELL_IN];
	float dh[CELL_ROWS * CELL_H], da[CELL_ROWS * 3 * CELL_H];
	float dc[CELL_SEQ * 3 * CELL_H];
	float cmem[10 * CELL_ROWS * CELL_H];
	double worst = 0;
	gru_layer lay, grad;
	gru_cache cache;
	gru_pack pack;
	rf_rng r;

	if (gru_pack_alloc(&pack, 4) < 0) {
		CHECK_FAIL("out of memory");
		return;
	}
	CHECK_EQ(gru_pack_set(&pack, cell_len, CELL_SEQ), 0);
	CHECK_EQ(pack.rows, CELL_ROWS);
	CHECK_EQ(pack.active[0], 3);
	CHECK_EQ(pack.active[1], 2);
	CHECK_EQ(pack.active[3], 1);
	/* lengths that rise are refused */
	{
		int bad[2] = { 1, 3 };

		CHECK_EQ(gru_pack_set(&pack, bad, 2), -1);
		CHECK_EQ(gru_pack_set(&pack, cell_len, CELL_SEQ), 0);
	}
	rf_rng_seed(&r, 3);
	for (int k = 0; k < NW; k++)
		thf[k] = (float)(th[k] = 0.7 * rf_rng_normal(&r));
	for (int k = 0; k < CELL_ROWS * CELL_IN; k++)
		xf[k] = (float)(xd[k] = rf_rng_normal(&r));
	for (int k = 0; k < CELL_ROWS * CELL_H; k++)
		w[k] = rf_rng_normal(&r);
	lay.nin = grad.nin = CELL_IN;
	lay.nh = grad.nh = CELL_H;
	lay.wx = thf;
	lay.wh = thf + CELL_IN * 3 * CELL_H;
	lay.bx = thf + (CELL_IN + CELL_H) * 3 * CELL_H;
	lay.bh = lay.bx + 3 * CELL_H;
	memset(gf, 0, sizeof gf);
	grad.wx = gf;
	grad.wh = gf + (lay.wh - thf);
	grad.bx = gf + (lay.bx - thf);
	grad.bh = gf + (lay.bh - thf);
	CHECK(gru_cache_floats(CELL_ROWS, CELL_H) <= sizeof cmem /
	    sizeof *cmem);
	gru_cache_map(&cache, cmem, CELL_ROWS, CELL_H);
	gru_forward(&lay, &pack, xf, &cache);
	/* the forward states against the reference */
	{
		ref_gru g = { CELL_IN, CELL_H, th, th + (lay.wh - thf),
		    th + (lay.bx - thf), th + (lay.bh - thf) };

		for (int s = 0; s < CELL_SEQ; s++) {
			double h[CELL_H] = { 0 };

			for (int t = 0; t < cell_len[s]; t++) {
				int row = pack.offset[t] + s;

				ref_gru_step(&g, xd + row * CELL_IN, h);
				for (int j = 0; j < CELL_H; j++)
					CHECK_NEAR(cache.h[row * CELL_H + j],
					    h[j], 1e-5);
			}
		}
	}
	for (int k = 0; k < CELL_ROWS * CELL_H; k++)
		dh[k] = (float)w[k];
	memset(dx, 0, sizeof dx);
	gru_backward(&lay, &pack, xf, &cache, dh, da, dc, &grad, dx);
	/* every weight, then every input */
	for (int k = 0; k < NW + CELL_ROWS * CELL_IN; k++) {
		double *v = k < NW ? &th[k] : &xd[k - NW];
		double got = k < NW ? gf[k] : dx[k - NW], save = *v, lp, lm;
		double num, rel;

		*v = save + FD_STEP;
		lp = cell_ref_loss(th, xd, w, &pack);
		*v = save - FD_STEP;
		lm = cell_ref_loss(th, xd, w, &pack);
		*v = save;
		num = (lp - lm) / (2 * FD_STEP);
		rel = fabs(got - num) / fmax(fmax(fabs(num), fabs(got)), 1e-3);
		if (rel > worst)
			worst = rel;
		check_context("GRU layer, %s %d", k < NW ? "weight" : "input",
		    k < NW ? k : k - NW);
		CHECK_NEAR(got, num, GRAD_TOL *
		    fmax(fmax(fabs(num), fabs(got)), 1e-3));
	}
	check_context_clear();
	printf("GRU layer: %d gradients against central differences of a "
	    "double reference, worst relative error %.2g\n",
	    NW + CELL_ROWS * CELL_IN, worst);
	gru_pack_free(&pack);
}

/* ---- 2. the loss -------------------------------------------------------- */

enum { LG_ITEMS = 9, LG_CATS = 3, LG_H = 4, LG_SEQ = 3, LG_CAND = 9 };

typedef struct loss_case {
	int32_t items[32];
	int start[LG_SEQ], len[LG_SEQ];
	int32_t cand[LG_CAND];
	float logq[LG_CAND];
	const int32_t *cat_of;
	size_t off_item, off_cat, off_bias, off_wx, off_wh, off_bx, off_bh;
} loss_case;

/* The loss of gru4rec.h's comment, in double, from parameters th. */
static double
ref_loss(const double *th, const loss_case *lc)
{
	ref_gru g = { LG_H, LG_H, th + lc->off_wx, th + lc->off_wh,
	    th + lc->off_bx, th + lc->off_bh };
	double loss = 0, e[LG_ITEMS][LG_H];
	int n = 0;

	for (int i = 0; i < LG_ITEMS; i++)
		for (int k = 0; k < LG_H; k++)
			e[i][k] = th[lc->off_item + (size_t)i * LG_H + k] +
			    (lc->cat_of[i] >= 0 ? th[lc->off_cat +
			    (size_t)lc->cat_of[i] * LG_H + k] : 0);
	for (int s = 0; s < LG_SEQ; s++) {
		const int32_t *q = lc->items + lc->start[s];
		double h[LG_H] = { 0 };

		for (int t = 0; t < lc->len[s]; t++) {
			double l[LG_CAND], mx = -INFINITY, z = 0, lt = 0;

			ref_gru_step(&g, e[q[t]], h);
			for (int c = 0; c < LG_CAND; c++) {
				int i = lc->cand[c];

				l[c] = th[lc->off_bias + i];
				for (int k = 0; k < LG_H; k++)
					l[c] += h[k] * e[i][k];
				if (i != q[t + 1])
					l[c] -= lc->logq[c];
				else
					lt = l[c];
				mx = fmax(mx, l[c]);
			}
			for (int c = 0; c < LG_CAND; c++)
				z += exp(l[c] - mx);
			loss += mx + log(z) - lt;
			n++;
		}
	}
	return loss / n;
}

/* A dataset with item categories around tm. */
static dataset *
cat_dataset(const interactions *tm, int32_t *cats, int ncat)
{
	dataset *ds = ml_dataset(tm, 0);

	if (ds != NULL) {
		ds->item_category = cats;
		ds->n_categories = ncat;
	}
	return ds;
}

static void
test_loss_gradient(void)
{
	/* items 0..8, categories 0,1,2 and none for item 8 */
	static int32_t cats[LG_ITEMS] = { 0, 1, 2, 0, 1, 2, 0, 1, -1 };
	static const int32_t seqs[] = {
		0, 3, 5, 1, 7, 2,	/* 5 steps */
		4, 4, 8, 6,		/* 3 steps, an item read twice */
		2, 5,			/* 1 step */
	};
	loss_case lc;
	interactions tm;
	dataset *ds;
	double prm[16], *th, worst = 0, loss;
	float *theta, *grad;
	gru4rec_net p, g;
	const int32_t *cat_of;
	int ncat;
	size_t np;
	rf_error err = { "" };
	model *m;
	rf_rng r;

	memset(&lc, 0, sizeof lc);
	memcpy(lc.items, seqs, sizeof seqs);
	lc.start[0] = 0, lc.len[0] = 5;
	lc.start[1] = 6, lc.len[1] = 3;
	lc.start[2] = 10, lc.len[2] = 1;
	/* every target (3 5 1 7 2, 4 8 6, 5) and item 0, never one */
	{
		static const int32_t cand[LG_CAND] = { 3, 5, 1, 7, 2, 4, 8, 6,
		    0 };

		memcpy(lc.cand, cand, sizeof cand);
	}
	if (tiny_random_matrix(&tm, 4, LG_ITEMS, 0.5, 5) < 0 ||
	    (ds = cat_dataset(&tm, cats, LG_CATS)) == NULL) {
		CHECK_FAIL("out of memory");
		return;
	}
	model_params_default(ops, prm);
	set_param(prm, "factors", LG_H);
	set_param(prm, "window", 6);
	set_param(prm, "batch", 4);
	if ((m = ops->create(ds, &tm, prm, 1, &err)) == NULL) {
		CHECK_FAIL("create: %s", err.msg);
		return;
	}
	np = gru4rec_parameters(m, &theta, &grad, &p, &g, &ncat, &cat_of);
	CHECK_EQ(ncat, LG_CATS);
	CHECK_EQ(np, (size_t)(LG_ITEMS + LG_CATS) * LG_H + LG_ITEMS +
	    2 * LG_H * 3 * LG_H + 2 * 3 * LG_H);
	lc.cat_of = cat_of;
	lc.off_item = (size_t)(p.item - theta);
	lc.off_cat = (size_t)(p.cat - theta);
	lc.off_bias = (size_t)(p.bias - theta);
	lc.off_wx = (size_t)(p.gru.wx - theta);
	lc.off_wh = (size_t)(p.gru.wh - theta);
	lc.off_bx = (size_t)(p.gru.bx - theta);
	lc.off_bh = (size_t)(p.gru.bh - theta);
	if (ncat != LG_CATS || (th = malloc(np * sizeof *th)) == NULL) {
		CHECK_FAIL("no categories or out of memory");
		return;
	}
	/* Parameters of order 1, so no gradient is negligible; logQ of
	 * either sign's worth, so the target's exemption counts. */
	rf_rng_seed(&r, 11);
	for (size_t k = 0; k < np; k++)
		th[k] = theta[k] = (float)(0.5 * rf_rng_normal(&r));
	for (int c = 0; c < LG_CAND; c++)
		lc.logq[c] = (float)(-2.0 * rf_rng_uniform(&r));
	loss = gru4rec_loss_grad(m, lc.items, lc.start, lc.len, LG_SEQ,
	    lc.cand, lc.logq, LG_CAND, &err);
	CHECK_MSG(loss >= 0, "loss: %s", err.msg);
	CHECK_NEAR(loss, ref_loss(th, &lc), 1e-5);
	for (size_t k = 0; k < np; k++) {
		double save = th[k], lp, lm, num, rel;

		th[k] = save + FD_STEP;
		lp = ref_loss(th, &lc);
		th[k] = save - FD_STEP;
		lm = ref_loss(th, &lc);
		th[k] = save;
		num = (lp - lm) / (2 * FD_STEP);
		rel = fabs(grad[k] - num) /
		    fmax(fmax(fabs(num), fabs(grad[k])), 1e-3);
		if (rel > worst)
			worst = rel;
		check_context("loss gradient, parameter %zu", k);
		CHECK_NEAR(grad[k], num, GRAD_TOL *
		    fmax(fmax(fabs(num), fabs(grad[k])), 1e-3));
	}
	check_context_clear();
	printf("sampled-softmax loss: %zu gradients against central "
	    "differences of a double reference, worst relative error %.2g\n",
	    np, worst);
	/* what the hook refuses */
	{
		int32_t dup[LG_CAND] = { 3, 5, 1, 7, 2, 4, 8, 6, 6 };
		int32_t miss[LG_CAND] = { 3, 5, 1, 7, 2, 4, 8, 0 };

		CHECK(gru4rec_loss_grad(m, lc.items, lc.start, lc.len, LG_SEQ,
		    dup, lc.logq, LG_CAND, &err) < 0);
		CHECK(gru4rec_loss_grad(m, lc.items, lc.start, lc.len, LG_SEQ,
		    miss, lc.logq, LG_CAND - 1, &err) < 0);
		CHECK_CONTAINS(err.msg, "not a candidate");
	}
	free(th);
	ops->free(m);
	free(ds);
	interactions_free(&tm);
}

/* ---- 3. the synthetic log ----------------------------------------------- */

/*
 * Triggers 0..SYN_A-1, each with its own follower f(a) = SYN_A + pi(a).
 * A user's log is SYN_PAIRS pairs (a, f(a)) and SYN_NOISE lone triggers
 * (not followed by theirs), shuffled as units, the last unit a pair, all
 * triggers distinct.  The held-out next item is f(last): a fixed
 * function of the previous item.  As a set, the history holds
 * SYN_NOISE + 1 triggers without their follower, and nothing but the
 * order says which one came last.
 */
enum { SYN_USERS = 400, SYN_A = 80, SYN_PAIRS = 6, SYN_NOISE = 30 };

static int
synthetic_log(interactions *all)
{
	enum { UNITS = SYN_PAIRS + SYN_NOISE };
	int perm[SYN_A], pi[SYN_A], kind[UNITS];
	size_t n = 0, cap = (size_t)SYN_USERS * (2 * SYN_PAIRS + SYN_NOISE);
	ml_triple *t = malloc(cap * sizeof *t);
	rf_rng r;
	int rc;

	if (t == NULL)
		return -1;
	rf_rng_seed(&r, 2024);
	for (int a = 0; a < SYN_A; a++)
		pi[a] = a;
	for (int a = SYN_A; a > 1; a--) {
		int j = (int)rf_rng_below(&r, (uint32_t)a), x = pi[a - 1];

		pi[a - 1] = pi[j];
		pi[j] = x;
	}
	for (int u = 0; u < SYN_USERS; u++) {
		long long ts = 1000;

		for (int a = 0; a < SYN_A; a++)
			perm[a] = a;
		for (int a = SYN_A; a > 1; a--) {
			int j = (int)rf_rng_below(&r, (uint32_t)a), x;

			x = perm[a - 1];
			perm[a - 1] = perm[j];
			perm[j] = x;
		}
		/* which units are pairs: the last, and PAIRS-1 others */
		for (int k = 0; k < UNITS; k++)
			kind[k] = 0;
		kind[UNITS - 1] = 1;
		for (int p = 1; p < SYN_PAIRS; ) {
			int k = (int)rf_rng_below(&r, UNITS - 1);

			if (!kind[k])
				kind[k] = 1, p++;
		}
		for (int k = 0; k < UNITS; k++) {
			int a = perm[k];

			t[n].u = u, t[n].i = a, t[n].r = 1, t[n++].ts = ts++;
			if (kind[k])
				t[n].u = u, t[n].i = SYN_A + pi[a], t[n].r = 1,
				    t[n++].ts = ts++;
		}
	}
	rc = ml_triples_matrix(t, n, SYN_USERS, 2 * SYN_A, all);
	free(t);
	return rc;
}

static double
hit_rate(const model *m, const interactions *tr, const interactions *te)
{
	metrics mt;

	if (ml_eval_metrics(m, tr, te, 10, &mt) < 0) {
		CHECK_FAIL("eval failed");
		return -1;
	}
	return mt.hit_rate;
}

static model *
train_model(const model_ops *o, const dataset *ds, const interactions *tr,
    const double *prm, int epochs, uint64_t seed, double *losses)
{
	rf_error err = { "" };
	double loss;
	model *m = o->create(ds, tr, prm, seed, &err);

	for (int e = 0; m != NULL && e < epochs; e++) {
		if (o->epoch(m, e, &loss, NULL, &err) != 0) {
			o->free(m);
			m = NULL;
		} else if (losses != NULL)
			losses[e] = loss;
	}
	if (m == NULL)
		CHECK_FAIL("%s: %s", o->name, err.msg);
	return m;
}

static void
test_synthetic(void)
{
	interactions all;
	ml_parts pt;
	dataset *ds;
	double prm[16], kprm[16], hr_gru, hr_knn;
	model *g, *k;

	if (synthetic_log(&all) < 0 || ml_last_parts(&all, 1, &pt) < 0 ||
	    (ds = ml_dataset(&pt.train, 0)) == NULL) {
		CHECK_FAIL("out of memory");
		return;
	}
	CHECK_EQ(pt.test.nnz, SYN_USERS);
	model_params_default(ops, prm);
	set_param(prm, "factors", 32);
	set_param(prm, "lr", 0.01);
	set_param(prm, "dropout", 0);
	model_params_default(&model_itemknn_ops, kprm);
	g = train_model(ops, ds, &pt.train, prm, 15, 5, NULL);
	k = train_model(&model_itemknn_ops, ds, &pt.train, kprm, 1, 5, NULL);
	if (g == NULL || k == NULL)
		return;
	hr_gru = hit_rate(g, &pt.train, &pt.test);
	hr_knn = hit_rate(k, &pt.train, &pt.test);
	printf("synthetic next = f(previous): HR@10 gru4rec %.3f, item-kNN "
	    "%.3f (a set holds %d triggers without their follower)\n",
	    hr_gru, hr_knn, SYN_NOISE + 1);
	CHECK(hr_gru >= 0.95);
	CHECK(hr_knn <= 0.5);
	CHECK(hr_gru - hr_knn >= 0.4);
	ops->free(g);
	model_itemknn_ops.free(k);
	free(ds);
	interactions_free(&all);
	ml_parts_free(&pt);
}

/* ---- 4. determinism, save and load -------------------------------------- */

/* The first 150 users of u.data (with their timestamps), implicit. */
static int
ml_slice(const char *dir, interactions *all, interactions *sl)
{
	char path[4200];

	snprintf(path, sizeof path, "%s/ml-100k/u.data", dir);
	if (ml_load(path, 943, 1682, 1, all) < 0)
		return -1;
	return slice_users(all, 150, sl);
}

static void
small_params(double *prm)
{
	model_params_default(ops, prm);
	set_param(prm, "factors", 16);
	set_param(prm, "window", 20);
	set_param(prm, "batch", 32);
}

static void
test_determinism_and_blob(const interactions *sl, const dataset *ds,
    rf_buf *blob)
{
	double prm[16], la[3], lb[3];
	rf_error err = { "" };
	model *a, *b, *c;

	CHECK(!(ops->traits & MODEL_ROW_BASED));
	small_params(prm);
	a = train_model(ops, ds, sl, prm, 3, 42, la);
	b = train_model(ops, ds, sl, prm, 3, 42, lb);
	if (a == NULL || b == NULL)
		return;
	for (int e = 0; e < 3; e++)
		CHECK_NEAR(lb[e], la[e], 0);	/* the same seed, the same */
	printf("gru4rec loss (mean cross-entropy per position): %.4f -> "
	    "%.4f -> %.4f\n", la[0], la[1], la[2]);
	CHECK(la[2] < la[0]);
	CHECK_EQ(same_scores(a, b, sl->n_users, sl->n_items), 1);
	ops->free(b);
	b = train_model(ops, ds, sl, prm, 1, 43, NULL);
	if (b != NULL) {
		CHECK_EQ(same_scores(a, b, sl->n_users, sl->n_items), 0);
		ops->free(b);
	}
	if (ops->save(a, blob, &err) < 0 || (c = ops->load(ds, sl, prm,
	    blob->data, blob->len, &err)) == NULL) {
		CHECK_FAIL("save/load: %s", err.msg);
		ops->free(a);
		return;
	}
	CHECK_EQ(same_scores(a, c, sl->n_users, sl->n_items), 1);
	ops->free(c);
	ops->free(a);
	/* refused: truncated, another shape, a parameter out of range, a
	 * weight that is not a number */
	CHECK(ops->load(ds, sl, prm, blob->data, blob->len - 1, &err) ==
	    NULL);
	set_param(prm, "factors", 32);
	CHECK(ops->load(ds, sl, prm, blob->data, blob->len, &err) == NULL);
	CHECK_CONTAINS(err.msg, "factors");
	set_param(prm, "factors", 16);
	set_param(prm, "dropout", 2);
	CHECK(ops->load(ds, sl, prm, blob->data, blob->len, &err) == NULL);
	CHECK_CONTAINS(err.msg, "is out of range");
	set_param(prm, "dropout", 0.2);
	{
		float nan = NAN, keep;
		unsigned char *last = blob->data + blob->len - sizeof nan;

		memcpy(&keep, last, sizeof keep);
		memcpy(last, &nan, sizeof nan);
		CHECK(ops->load(ds, sl, prm, blob->data, blob->len, &err) ==
		    NULL);
		CHECK_CONTAINS(err.msg, "not finite");
		memcpy(last, &keep, sizeof keep);
	}
}

/* ---- 5. the probe ------------------------------------------------------- */

/* src without user u's entry of item (same dimensions). */
static int
without_entry(const interactions *src, int u, int item, interactions *out)
{
	int64_t at = interactions_find(src, u, item), k = 0;

	if (at < 0 || interactions_alloc(out, src->n_users, src->n_items,
	    src->nnz - 1) < 0)
		return -1;
	for (int v = 0; v < src->n_users; v++) {
		for (int64_t x = src->ptr[v]; x < src->ptr[v + 1]; x++) {
			if (x == at)
				continue;
			out->idx[k] = src->idx[x];
			out->val[k] = src->val[x];
			out->ts[k] = interactions_time(src, x);
			out->beh[k++] = src->beh[x];
		}
		out->ptr[v + 1] = k;
	}
	return interactions_build_transpose(out);
}

static void
test_probe(const interactions *sl, const dataset *ds, const rf_buf *blob)
{
	const int u = 4;
	double prm[16];
	explain_term terms[64], top[3];
	model_probe p = { .max = 64, .terms = terms };
	float *full = malloc((size_t)sl->n_items * sizeof *full);
	float *cut = malloc((size_t)sl->n_items * sizeof *cut);
	rf_error err = { "" };
	double worst = 0;
	int64_t n = sl->ptr[u + 1] - sl->ptr[u];
	int i = 0, nt;
	model *m;

	small_params(prm);
	if (full == NULL || cut == NULL || (m = ops->load(ds, sl, prm,
	    blob->data, blob->len, &err)) == NULL) {
		CHECK_FAIL("load: %s", err.msg);
		return;
	}
	/* a history longer than the window: older items slide in */
	CHECK(n > 20);
	m->ops->score_user(m, u, full);
	while (interactions_contains(sl, u, i))
		i++;
	CHECK_EQ(ops->probe(m, u, i, full[i], &p), 0);
	CHECK_EQ(p.n, 20);
	CHECK_CONTAINS(p.how, "re-run");
	for (int k = 0; k < p.n; k++) {
		interactions ed;
		model *e;

		CHECK(k == 0 || terms[k].contribution <=
		    terms[k - 1].contribution);
		if (without_entry(sl, u, terms[k].item, &ed) < 0 ||
		    (e = ops->load(ds, &ed, prm, blob->data, blob->len,
		    &err)) == NULL) {
			CHECK_FAIL("left out %d: %s", terms[k].item, err.msg);
			continue;
		}
		e->ops->score_user(e, u, cut);
		CHECK_NEAR(terms[k].contribution, (double)full[i] - cut[i],
		    1e-4);
		worst = fmax(worst, fabs(terms[k].contribution -
		    ((double)full[i] - cut[i])));
		ops->free(e);
		interactions_free(&ed);
	}
	printf("probe: %d leave-one-out drops against the model loaded "
	    "without the item, worst difference %.2g\n", p.n, worst);
	/* explain: the same terms, the largest first */
	nt = ops->explain(m, u, i, top, 3);
	CHECK_EQ(nt, 3);
	for (int k = 0; k < nt; k++) {
		CHECK_EQ(top[k].item, terms[k].item);
		CHECK_NEAR(top[k].contribution, terms[k].contribution, 0);
	}
	ops->free(m);
	free(full);
	free(cut);
}

int
main(void)
{
	interactions all, sl;
	rf_buf blob = { 0 };
	dataset *ds;

	test_cell();
	test_loss_gradient();
	test_synthetic();
	if (ml_slice(check_data_dir("ml-100k/u.data"), &all, &sl) < 0 ||
	    (ds = ml_dataset(&sl, 0)) == NULL) {
		CHECK_FAIL("cannot read ml-100k/u.data");
		return check_done();
	}
	test_determinism_and_blob(&sl, ds, &blob);
	if (blob.len > 0)
		test_probe(&sl, ds, &blob);
	rf_buf_free(&blob);
	free(ds);
	interactions_free(&sl);
	interactions_free(&all);
	return check_done();
}
