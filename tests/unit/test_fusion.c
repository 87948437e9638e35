/* test_fusion: the fusion engine against hand computations, with fake
 * models of fixed score tables (tests/fakemodel.h):
 *  - weighted z-score fusion with hand-set weights on a tiny case;
 *  - every normalisation (min-max, 1/rank, Borda points, raw);
 *  - RRF and Borda on hand-made rankings;
 *  - contributions adding up to the fused score for every recommended
 *    item of every user, for every method, on a small random dataset;
 *  - pool re-ranking equal to on-the-fly recommendation;
 *  - tune never below the best single model on validation; tune
 *    keeping a strong model alone against a random one, and choosing
 *    feature-weighted stacking where weights must depend on activity;
 *  - the ridge stack against a closed-form solve done here;
 *  - settings text round trip. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/fusion/fusion.h"
#include "tests/lib/fakemodel.h"
/* test_pool_tiles compares two pools entry by entry. */
#include "engine/fusion/fusion_priv.h"
#include "engine/fusion/user.h"
#include "engine/core/rng.h"
#include "tests/lib/check.h"

/* The three items of a ranking, in the order worked out by hand. */
static void
check_order(const int32_t *items, int n, int a, int b, int c)
{
	if (n < 3) {
		CHECK_FAIL("%d items ranked, want 3", n);
		return;
	}
	CHECK_EQ(items[0], a);
	CHECK_EQ(items[1], b);
	CHECK_EQ(items[2], c);
}

/* Two users, four items; user 0 has seen item 3, user 1 item 0. */
static const float tabA[] = { 1, 2, 3, 9, 5, 1, 2, 3 };
static const float tabB[] = { 4, 0, 2, 9, 7, 3, 3, 1 };

static void
test_tiny(void)
{
	static const int pairs[][2] = { { 0, 3 }, { 1, 0 } };
	interactions tr;
	dataset ds = { 0 };
	fake_model *a, *b;
	const model *ms[2];
	const char *names[] = { "a", "b" };
	fusion *f;
	fusion_contrib c;
	rf_error err;
	int32_t items[4];
	float sc[4];
	int n;
	double za[3], zb[3], mean, sd;

	if (fake_matrix(&tr, 2, 4, pairs, 2, NULL) < 0) {
		CHECK_FAIL("out of memory");
		exit(check_done());
	}
	ds.n_users = 2;
	ds.n_items = 4;
	a = fake_new(&ds, &tr, tabA);
	b = fake_new(&ds, &tr, tabB);
	if (a == NULL || b == NULL) {
		CHECK_FAIL("out of memory");
		exit(check_done());
	}
	ms[0] = &a->base;
	ms[1] = &b->base;
	f = fusion_new(&ds, ms, names, 2, &err);
	if (f == NULL) {
		CHECK_FAIL("fusion_new: %s", err.msg);
		exit(check_done());
	}

	/* Hand computation, user 0, candidates items 0..2 (3 is seen):
	 * z-scores with the population sd over the pool. */
	mean = 2;
	sd = sqrt(2.0 / 3);
	for (int i = 0; i < 3; i++)
		za[i] = (tabA[i] - mean) / sd;
	mean = 2;
	sd = sqrt(8.0 / 3);
	for (int i = 0; i < 3; i++)
		zb[i] = (tabB[i] - mean) / sd;
	fusion_set_weight(f, 0, 3, &err);
	fusion_set_weight(f, 1, 1, &err);
	n = fusion_recommend(f, 0, 4, items, sc, &err);
	CHECK_EQ(n, 3);
	/* fused = 0.75 za + 0.25 zb: item 2 (0.9186), item 1 (-0.3062),
	 * item 0 (-0.6124) */
	check_order(items, n, 2, 1, 0);
	for (int r = 0; r < n; r++)
		CHECK_NEAR(sc[r], 0.75 * za[items[r]] + 0.25 * zb[items[r]],
		    1e-5);

	/* Each normalisation through the contributions: contrib / w = T. */
	{
		struct { const char *p; double want[3][2]; } cases[] = {
			/* min-max: A (1,2,3) -> 0, .5, 1; B (4,0,2) -> 1,0,.5 */
			{ "norm=minmax", { { 0, 1 }, { .5, 0 }, { 1, .5 } } },
			/* 1/rank: A ranks 3,2,1; B ranks 1,3,2 */
			{ "norm=rank", { { 1. / 3, 1 }, { .5, 1. / 3 },
			    { 1, .5 } } },
			/* Borda (len - rank) / len */
			{ "norm=borda", { { 0, 2. / 3 }, { 1. / 3, 0 },
			    { 2. / 3, 1. / 3 } } },
			{ "norm=raw", { { 1, 4 }, { 2, 0 }, { 3, 2 } } },
		};

		for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
			check_context("%s", cases[k].p);
			CHECK_MSG(fusion_set_param(f, cases[k].p, &err) == 0,
			    "%s", err.msg);
			for (int i = 0; i < 3; i++) {
				if (fusion_contributions(f, 0, i, &c, &err) <
				    0) {
					CHECK_FAIL("contrib: %s", err.msg);
					continue;
				}
				CHECK_NEAR(c.contrib[0] / 0.75,
				    cases[k].want[i][0], 1e-6);
				CHECK_NEAR(c.contrib[1] / 0.25,
				    cases[k].want[i][1], 1e-6);
				CHECK_NEAR(c.fused, 0.75 * cases[k].want[i][0] +
				    0.25 * cases[k].want[i][1], 1e-6);
			}
		}
		check_context_clear();
		CHECK_EQ(fusion_set_param(f, "norm=zscore", &err), 0);
	}

	/* RRF, k = 60, equal weights: A ranks items 2,1,0; B 0,2,1. */
	fusion_set_weight(f, 0, 1, &err);
	fusion_set_weight(f, 1, 1, &err);
	fusion_set_method(f, FUSE_RRF);
	{
		double want[3] = {
			.5 / 63 + .5 / 61, .5 / 62 + .5 / 63, .5 / 61 + .5 / 62
		};

		n = fusion_recommend(f, 0, 3, items, sc, &err);
		CHECK_EQ(n, 3);
		check_order(items, n, 2, 0, 1);
		for (int r = 0; r < n; r++)
			CHECK_NEAR(sc[r], want[items[r]], 1e-7);
		CHECK_EQ(fusion_set_param(f, "k=0", &err), 0);
		n = fusion_recommend(f, 0, 3, items, sc, &err);
		CHECK_EQ(n, 3);
		for (int r = 0; r < n; r++)
			CHECK_NEAR(sc[r], items[r] == 0 ? .5 / 3 + .5 :
			    items[r] == 1 ? .5 / 2 + .5 / 3 : .5 + .5 / 2,
			    1e-7);
	}
	/* Borda: points len - rank. A: item2 2, item1 1, item0 0;
	 * B: item0 2, item2 1, item1 0.  Weights 1:3. */
	fusion_set_method(f, FUSE_BORDA);
	fusion_set_weight(f, 1, 3, &err);
	n = fusion_recommend(f, 0, 3, items, sc, &err);
	CHECK_EQ(n, 3);
	check_order(items, n, 0, 2, 1);
	for (int r = 0; r < n; r++) {
		double pa = items[r] == 2 ? 2 : items[r] == 1 ? 1 : 0;
		double pb = items[r] == 0 ? 2 : items[r] == 2 ? 1 : 0;

		CHECK_NEAR(sc[r], .25 * pa + .75 * pb, 1e-6);
	}
	/* Vote, n = 1: each model votes for its top item (A: 2, B: 0);
	 * the 1:3 weighted z-score breaks the tie between them: item 0. */
	fusion_set_method(f, FUSE_VOTE);
	CHECK_EQ(fusion_set_param(f, "n=1", &err), 0);
	n = fusion_recommend(f, 0, 3, items, sc, &err);
	CHECK_EQ(n, 3);
	check_order(items, n, 0, 2, 1);
	if (n == 3) {
		CHECK(sc[0] >= 1 && sc[0] < 1.5);
		CHECK(sc[1] >= 0.5);
		CHECK(sc[2] < 0.5);
	}

	/* Settings round trip. */
	{
		char text[512], text2[512];
		fusion_settings s;

		fusion_settings_format(fusion_get_settings(f), text,
		    sizeof text);
		CHECK_MSG(fusion_settings_parse(text, &s, &err) == 0,
		    "parse: %s", err.msg);
		fusion_settings_format(&s, text2, sizeof text2);
		CHECK_STR(text2, text);
		CHECK_EQ(s.method, FUSE_VOTE);
		CHECK_EQ(s.vote_n, 1);
		CHECK_EQ(s.n, 2);
		CHECK_NEAR(s.w[1], 3, 0);
		CHECK(fusion_settings_parse("method=nope", &s, &err) < 0);
		CHECK(fusion_settings_parse("w=a:-1", &s, &err) < 0);
	}
	fusion_free(f);
	fake_free(a);
	fake_free(b);
	interactions_free(&tr);
}

/* A small random problem: nu users, ni items, three fake models of
 * varying quality against a hidden taste, train/valid/test parts. */
typedef struct problem {
	int nu, ni;
	interactions train, valid, test;
	dataset ds;
	fake_model *fm[4];
	const model *ms[4];
	int nm;
} problem;

static void
problem_make(problem *p, int nu, int ni, uint64_t seed)
{
	rf_rng rng;
	float *taste = malloc((size_t)nu * ni * sizeof *taste);
	int (*pr[3])[2];
	int np[3] = { 0 };
	float *tab = malloc((size_t)nu * ni * sizeof *tab);
	static const double noise[4] = { 0.8, 1.2, 2.0, 0.0 };

	memset(p, 0, sizeof *p);
	p->nu = nu;
	p->ni = ni;
	rf_rng_seed(&rng, seed);
	for (int k = 0; k < 3; k++)
		pr[k] = malloc((size_t)nu * ni * sizeof *pr[k]);
	if (taste == NULL || tab == NULL || pr[0] == NULL || pr[1] == NULL ||
	    pr[2] == NULL) {
		CHECK_FAIL("out of memory");
		exit(check_done());
	}
	for (int u = 0; u < nu; u++)
		for (int i = 0; i < ni; i++) {
			double pop = 1.5 * (1.0 - (double)i / ni);

			taste[u * ni + i] = (float)(pop + rf_rng_normal(&rng));
		}
	/* Each user's items: taste above a threshold; 60% train, 20% valid,
	 * 20% test at random. */
	for (int u = 0; u < nu; u++)
		for (int i = 0; i < ni; i++)
			if (taste[u * ni + i] > 1.6) {
				double x = rf_rng_uniform(&rng);
				int part = x < 0.6 ? 0 : x < 0.8 ? 1 : 2;

				pr[part][np[part]][0] = u;
				pr[part][np[part]][1] = i;
				np[part]++;
			}
	if (fake_matrix(&p->train, nu, ni, (const int (*)[2])pr[0], np[0],
	    NULL) < 0 || fake_matrix(&p->valid, nu, ni,
	    (const int (*)[2])pr[1], np[1], NULL) < 0 ||
	    fake_matrix(&p->test, nu, ni, (const int (*)[2])pr[2], np[2],
	    NULL) < 0) {
		CHECK_FAIL("out of memory");
		exit(check_done());
	}
	p->ds.n_users = nu;
	p->ds.n_items = ni;
	p->ds.rating_min = -100;
	p->ds.rating_max = 100;
	/* Model k = taste + noise_k (model 3: popularity only). */
	p->nm = 4;
	for (int k = 0; k < 4; k++) {
		for (int u = 0; u < nu; u++)
			for (int i = 0; i < ni; i++)
				tab[u * ni + i] = k == 3 ?
				    (float)(1.0 - (double)i / ni) :
				    (float)(taste[u * ni + i] +
				    noise[k] * rf_rng_normal(&rng));
		if ((p->fm[k] = fake_new(&p->ds, &p->train, tab)) == NULL) {
			CHECK_FAIL("out of memory");
			exit(check_done());
		}
		p->ms[k] = &p->fm[k]->base;
	}
	for (int k = 0; k < 3; k++)
		free(pr[k]);
	free(taste);
	free(tab);
}

static void
problem_free(problem *p)
{
	for (int k = 0; k < p->nm; k++)
		fake_free(p->fm[k]);
	interactions_free(&p->train);
	interactions_free(&p->valid);
	interactions_free(&p->test);
}

static void
test_contributions(void)
{
	problem p;
	const char *names[] = { "good", "fair", "poor", "pop" };
	fusion *f;
	fusion_pool *pool;
	rf_error err;
	int32_t items[10], items2[10];
	float sc[10], sc2[10];
	int64_t checked = 0, pooled = 0;

	problem_make(&p, 60, 80, 7);
	f = fusion_new(&p.ds, p.ms, names, 4, &err);
	if (f == NULL) {
		CHECK_FAIL("fusion_new: %s", err.msg);
		exit(check_done());
	}
	/* pools smaller than the catalogue */
	CHECK_EQ(fusion_set_param(f, "m=15", &err), 0);
	fusion_set_weight(f, 0, 0.5, &err);
	fusion_set_weight(f, 1, 0.3, &err);
	fusion_set_weight(f, 2, 0.15, &err);
	fusion_set_weight(f, 3, 0.05, &err);
	pool = fusion_pool_build(f, NULL, &p.valid, NULL, 0, 2, &err);
	CHECK_MSG(pool != NULL, "pool: %s", err.msg);
	CHECK_MSG(fusion_fit_stack(f, pool, 0, 1, &err) == 0, "stack: %s",
	    err.msg);
	for (int meth = 0; meth < FUSE_METHOD_COUNT; meth++)
		for (int norm = 0; norm < NORM_COUNT; norm++) {
			char np[32];

			fusion_set_method(f, (enum fusion_method)meth);
			snprintf(np, sizeof np, "norm=%s",
			    fusion_norm_name((enum fusion_norm)norm));
			CHECK_EQ(fusion_set_param(f, np, &err), 0);
			for (int u = 0; u < p.nu; u++) {
				int n = fusion_recommend(f, u, 10, items, sc,
				    &err);

				check_context("%s %s, user %d",
				    fusion_method_name(
				    (enum fusion_method)meth), np, u);
				CHECK(n > 0);
				for (int r = 0; r < n; r++) {
					fusion_contrib c;
					double s;

					if (fusion_contributions(f, u, items[r],
					    &c, &err) < 0) {
						CHECK_FAIL("contributions: %s",
						    err.msg);
						continue;
					}
					s = c.base;
					for (int m = 0; m < c.n_models; m++)
						s += c.contrib[m];
					CHECK_NEAR(s, c.fused, 1e-9 *
					    (1 + fabs(c.fused)));
					CHECK_NEAR(c.fused, sc[r], 2e-5 *
					    (1 + fabs(sc[r])));
					CHECK(c.in_pool);
					CHECK_EQ(c.fused_rank, r + 1);
					checked++;
				}
				/* The pooled re-rank agrees with the
				 * on-the-fly ranking (same candidates). */
				if (pool && p.valid.ptr[u + 1] >
				    p.valid.ptr[u]) {
					int n2 = fusion_pool_rank_user(f, pool,
					    u, 10, items2, sc2);

					CHECK_EQ(n2, n);
					for (int r = 0; r < n && r < n2; r++) {
						CHECK_EQ(items2[r], items[r]);
						CHECK_NEAR(sc2[r], sc[r], 1e-5 *
						    (1 + fabs(sc[r])));
					}
					pooled++;
				}
			}
		}
	check_context_clear();
	printf("contributions: %lld (user, item, method, norm) checked, "
	    "%lld pooled rankings compared\n", (long long)checked,
	    (long long)pooled);
	CHECK(checked > 0);
	CHECK(pooled > 0);
	fusion_pool_free(pool);
	fusion_free(f);
	problem_free(&p);
}

/* A model at weight 0 takes no part: the fusion equals the one built
 * without it (the independent reference), for every linear method and
 * normalisation, on the fly and in a pool: the same top 10, the same
 * scores, the same NDCG. */
static void
test_weight_zero(void)
{
	problem p;
	const char *names[] = { "good", "fair", "poor", "pop" };
	const char *names3[] = { "good", "poor", "pop" };
	const model *ms3[3];
	fusion *f, *g;
	fusion_pool *pf, *pg;
	rf_error err;
	int32_t a[10], b[10];
	float sa[10], sb[10];
	int64_t compared = 0;

	problem_make(&p, 60, 80, 7);
	ms3[0] = p.ms[0];
	ms3[1] = p.ms[2];
	ms3[2] = p.ms[3];
	f = fusion_new(&p.ds, p.ms, names, 4, &err);
	g = fusion_new(&p.ds, ms3, names3, 3, &err);
	if (f == NULL || g == NULL) {
		CHECK_FAIL("fusion_new: %s", err.msg);
		exit(check_done());
	}
	CHECK_EQ(fusion_set_param(f, "m=15", &err), 0);
	CHECK_EQ(fusion_set_param(g, "m=15", &err), 0);
	fusion_set_weight(f, 0, 0.5, &err);
	fusion_set_weight(f, 1, 0, &err);
	fusion_set_weight(f, 2, 0.3, &err);
	fusion_set_weight(f, 3, 0.2, &err);
	fusion_set_weight(g, 0, 0.5, &err);
	fusion_set_weight(g, 1, 0.3, &err);
	fusion_set_weight(g, 2, 0.2, &err);
	pf = fusion_pool_build(f, NULL, &p.valid, NULL, 0, 2, &err);
	pg = fusion_pool_build(g, NULL, &p.valid, NULL, 0, 1, &err);
	CHECK_MSG(pf != NULL && pg != NULL, "pool: %s", err.msg);
	for (int meth = 0; meth < FUSE_STACK; meth++)
		for (int norm = 0; norm < NORM_COUNT; norm++) {
			char np[32];
			metrics mf, mg;

			snprintf(np, sizeof np, "norm=%s",
			    fusion_norm_name((enum fusion_norm)norm));
			fusion_set_method(f, (enum fusion_method)meth);
			fusion_set_method(g, (enum fusion_method)meth);
			CHECK_EQ(fusion_set_param(f, np, &err), 0);
			CHECK_EQ(fusion_set_param(g, np, &err), 0);
			check_context("%s %s", fusion_method_name(
			    (enum fusion_method)meth), np);
			for (int u = 0; u < p.nu; u++) {
				int na = fusion_recommend(f, u, 10, a, sa,
				    &err);
				int nb = fusion_recommend(g, u, 10, b, sb,
				    &err);

				CHECK_EQ(na, nb);
				for (int r = 0; r < na && r < nb; r++) {
					CHECK_EQ(a[r], b[r]);
					CHECK_NEAR(sa[r], sb[r], 1e-5 *
					    (1 + fabs(sb[r])));
				}
				compared++;
			}
			if (pf != NULL && pg != NULL &&
			    fusion_pool_eval(f, pf, -1, 10, &mf, &err) == 0 &&
			    fusion_pool_eval(g, pg, -1, 10, &mg, &err) == 0)
				CHECK_NEAR(mf.ndcg, mg.ndcg, 1e-12);
		}
	check_context_clear();
	printf("weight 0: %lld user rankings equal to the fusion without "
	    "the model\n", (long long)compared);
	CHECK(compared > 0);
	fusion_pool_free(pf);
	fusion_pool_free(pg);
	fusion_free(f);
	fusion_free(g);
	problem_free(&p);
}

/* Tune on validation and check it never ends below the best single
 * model there, and that the settings it leaves measure what it said. */
static void
check_tune(fusion *f, fusion_pool *valid, fusion_pool *test,
    const char **names)
{
	for (int metric = 0; metric < 3; metric++) {
		enum tune_metric tm = (enum tune_metric)metric;
		fusion_tune_report rep;
		metrics mt;
		rf_error err;
		double best = tm == TUNE_RMSE ? INFINITY : -1;

		check_context("%s", fusion_tune_metric_name(tm));
		if (fusion_tune(f, valid, test, tm, &rep, NULL, &err) < 0) {
			CHECK_FAIL("tune: %s", err.msg);
			continue;
		}
		for (int m = 0; m < rep.n_models; m++)
			best = tm == TUNE_RMSE ? fmin(best,
			    rep.single_valid[m]) : fmax(best,
			    rep.single_valid[m]);
		if (tm == TUNE_RMSE)
			CHECK(rep.fused_valid <= best);
		else
			CHECK(rep.fused_valid >= best);
		/* And the settings left behind measure the same. */
		if (tm == TUNE_RMSE)
			CHECK_EQ(fusion_pool_eval_rating(f, valid, -1, &mt,
			    &err), 0);
		else
			CHECK_EQ(fusion_pool_eval(f, valid, -1,
			    tm == TUNE_NDCG10 ? 10 : 20, &mt, &err), 0);
		CHECK_NEAR(tm == TUNE_RMSE ? mt.rmse : tm == TUNE_NDCG10 ?
		    mt.ndcg : mt.recall, rep.fused_valid, 1e-12);
		printf("tune %-9s: best single %.4f (%s), fused %.4f valid / "
		    "%.4f test, norm %s, %d evals, %.3f s\n",
		    fusion_tune_metric_name(tm), best,
		    names[rep.best_single], rep.fused_valid, rep.fused_test,
		    fusion_norm_name(rep.norm), rep.evaluations, rep.seconds);
	}
	check_context_clear();
}

/* Fuse n models of p from the first and check the tuning. */
static void
tune_models(const problem *p, int first, int n, const char **names)
{
	fusion *f;
	fusion_pool *valid, *test;
	rf_error err;

	if ((f = fusion_new(&p->ds, p->ms + first, names + first, n, &err)) ==
	    NULL) {
		CHECK_FAIL("fusion_new: %s", err.msg);
		return;
	}
	valid = fusion_pool_build(f, NULL, &p->valid, NULL, 0, 1, &err);
	test = fusion_pool_build(f, NULL, &p->test, NULL, 0, 2, &err);
	if (valid == NULL || test == NULL)
		CHECK_FAIL("pools: %s", err.msg);
	else
		check_tune(f, valid, test, names + first);
	fusion_pool_free(valid);
	fusion_pool_free(test);
	fusion_free(f);
}

/* The test figures made once the tuning is over (fusion_tune() without
 * a test pool, the valid pool shed, then fusion_tune_test(): how the
 * session saves memory) are those of a tuning given both pools, and the
 * shed pool still measures what the tuning said. */
static void
check_tune_test_later(const problem *p, int n, const char **names)
{
	fusion *f = NULL, *g = NULL;
	fusion_pool *va = NULL, *ta = NULL, *vb = NULL, *tb = NULL;
	fusion_tune_report a, b;
	metrics mt;
	rf_error err;

	if ((f = fusion_new(&p->ds, p->ms, names, n, &err)) == NULL ||
	    (g = fusion_new(&p->ds, p->ms, names, n, &err)) == NULL ||
	    (va = fusion_pool_build(f, NULL, &p->valid, NULL, 0, 1,
	    &err)) == NULL ||
	    (ta = fusion_pool_build(f, NULL, &p->test, NULL, 0, 1,
	    &err)) == NULL ||
	    (vb = fusion_pool_build(g, NULL, &p->valid, NULL, 0, 1,
	    &err)) == NULL) {
		CHECK_FAIL("setup: %s", err.msg);
		goto out;
	}
	if (fusion_tune(f, va, ta, TUNE_NDCG10, &a, NULL, &err) != 0 ||
	    fusion_tune(g, vb, NULL, TUNE_NDCG10, &b, NULL, &err) != 0) {
		CHECK_FAIL("tune: %s", err.msg);
		goto out;
	}
	CHECK(isnan(b.fused_test));
	CHECK_EQ(b.test_single, -1);
	fusion_pool_shed(vb);
	if ((tb = fusion_pool_build(g, NULL, &p->test, NULL, 0, 1,
	    &err)) == NULL) {
		CHECK_FAIL("test pool: %s", err.msg);
		goto out;
	}
	fusion_tune_test(g, tb, &b);
	CHECK_EQ(a.chosen, b.chosen);
	CHECK_EQ(a.test_single, b.test_single);
	CHECK_EQ(a.evaluations, b.evaluations);
	CHECK_NEAR(a.fused_valid, b.fused_valid, 0);
	CHECK_NEAR(a.fused_test, b.fused_test, 0);
	CHECK_NEAR(a.test_vs_single.lo, b.test_vs_single.lo, 0);
	CHECK_NEAR(a.test_vs_single.hi, b.test_vs_single.hi, 0);
	for (int m = 0; m < n; m++)
		CHECK_NEAR(a.single_test[m], b.single_test[m], 0);
	CHECK_EQ(fusion_pool_eval(g, vb, -1, 10, &mt, &err), 0);
	CHECK_NEAR(mt.ndcg, b.fused_valid, 1e-12);
	/* A pool that gave its transforms back ranks one user as before. */
	fusion_pool_shed(vb);
	CHECK(vb->tr == NULL);
	for (int r = 0; r < vb->nu && r < 5; r++) {
		int32_t ia[10], ib[10];
		float sa[10], sb[10];
		int na = fusion_pool_rank_user(f, va, va->users[r], 10, ia, sa);
		int nb = fusion_pool_rank_user(g, vb, vb->users[r], 10, ib, sb);

		CHECK_EQ(va->users[r], vb->users[r]);
		CHECK_EQ(na, nb);
		for (int q = 0; q < na && q < nb; q++) {
			CHECK_EQ(ia[q], ib[q]);
			CHECK_NEAR(sa[q], sb[q], 0);
		}
	}
	printf("tune with the test pool built after: chose %s, test %.4f, "
	    "as with both pools\n", fusion_tune_candidate_name(
	    (enum tune_candidate)b.chosen), b.fused_test);
out:
	fusion_pool_free(va);
	fusion_pool_free(ta);
	fusion_pool_free(vb);
	fusion_pool_free(tb);
	fusion_free(f);
	fusion_free(g);
}

static void
test_tune(void)
{
	const char *names[] = { "good", "fair", "poor", "pop" };

	for (uint64_t seed = 1; seed <= 4; seed++) {
		problem p;

		problem_make(&p, 80, 100, seed * 11);
		printf("seed %llu, all four models:\n",
		    (unsigned long long)seed);
		tune_models(&p, 0, 4, names);
		/* A lone useless model cannot drag the floor down: with only
		 * "poor" and "pop" the result still matches the better. */
		printf("seed %llu, poor and pop:\n", (unsigned long long)seed);
		tune_models(&p, 2, 2, names);
		if (seed == 1)
			check_tune_test_later(&p, 4, names);
		problem_free(&p);
	}
}

/*
 * Two made-up problems for tune's choice, each where the right answer is
 * known:
 *  guard: a strong model (taste + a little noise) and a random one.  The
 *    random one cannot help out of sample: tune keeps the strong model
 *    alone, and the fused ranking on test is exactly its ranking.
 *  fwls: half the users are heavy (many train items) and model A knows
 *    their taste while B is noise for them; for the light half it is the
 *    other way round.  No global weighting can serve both halves; weights
 *    that depend on activity can: feature-weighted stacking must beat
 *    every global way out of fold, and be chosen.
 */
static void
tune_problem(int nu, int ni, int kind, uint64_t seed, problem *p)
{
	rf_rng rng;
	float *taste = malloc((size_t)nu * ni * sizeof *taste);
	float *tab = malloc((size_t)nu * ni * sizeof *tab);
	int (*pr[3])[2], np[3] = { 0 };

	memset(p, 0, sizeof *p);
	p->nu = nu;
	p->ni = ni;
	rf_rng_seed(&rng, seed);
	for (int k = 0; k < 3; k++)
		pr[k] = malloc((size_t)nu * ni * sizeof *pr[k]);
	if (!taste || !tab || !pr[0] || !pr[1] || !pr[2]) {
		CHECK_FAIL("out of memory");
		exit(check_done());
	}
	for (int u = 0; u < nu; u++) {
		int heavy = u % 2 == 0;

		for (int i = 0; i < ni; i++) {
			double x;
			int part;

			taste[u * ni + i] = (float)rf_rng_normal(&rng);
			if (taste[u * ni + i] < 0.8)
				continue;
			/* heavy users: most of what they like in train */
			x = rf_rng_uniform(&rng);
			if (kind == 1 && !heavy)
				part = x < 0.15 ? 0 : x < 0.6 ? 1 : 2;
			else
				part = x < 0.6 ? 0 : x < 0.8 ? 1 : 2;
			pr[part][np[part]][0] = u;
			pr[part][np[part]][1] = i;
			np[part]++;
		}
	}
	if (fake_matrix(&p->train, nu, ni, (const int (*)[2])pr[0], np[0],
	    NULL) < 0 || fake_matrix(&p->valid, nu, ni,
	    (const int (*)[2])pr[1], np[1], NULL) < 0 ||
	    fake_matrix(&p->test, nu, ni, (const int (*)[2])pr[2], np[2],
	    NULL) < 0) {
		CHECK_FAIL("out of memory");
		exit(check_done());
	}
	p->ds.n_users = nu;
	p->ds.n_items = ni;
	p->nm = 2;
	for (int k = 0; k < 2; k++) {
		for (int u = 0; u < nu; u++)
			for (int i = 0; i < ni; i++) {
				int knows = kind == 0 ? k == 0 :
				    (k == 0) == (u % 2 == 0);

				tab[u * ni + i] = knows ? (float)(taste[u * ni +
				    i] + 0.3 * rf_rng_normal(&rng)) :
				    (float)rf_rng_normal(&rng);
			}
		if ((p->fm[k] = fake_new(&p->ds, &p->train, tab)) == NULL) {
			CHECK_FAIL("out of memory");
			exit(check_done());
		}
		p->ms[k] = &p->fm[k]->base;
	}
	for (int k = 0; k < 3; k++)
		free(pr[k]);
	free(taste);
	free(tab);
}

/* The folds: five on thin evidence, two on many users. */
static void
test_tune_folds(void)
{
	check_context("folds");
	CHECK_EQ(fusion_tune_folds(2), 5);
	CHECK_EQ(fusion_tune_folds(943), 5);
	CHECK_EQ(fusion_tune_folds(TUNE_FOLDS_USERS), 5);
	CHECK_EQ(fusion_tune_folds(TUNE_FOLDS_USERS + 1), 2);
	CHECK_EQ(fusion_tune_folds(10000), 2);
}

/* A pool ranked on two threads gives the figures one thread gives, bit
 * for bit: a whole tune (every way, on masked rows and whole, every
 * transform) on the fwls problem, once on one share and once on two. */
static void
test_pool_shares(void)
{
	const char *names[] = { "a", "b" };
	fusion_tune_report rep[2];
	problem p;

	check_context("shares");
	tune_problem(400, 80, 1, 21, &p);
	for (int k = 0; k < 2; k++) {
		fusion *f;
		fusion_pool *valid, *test;
		rf_error err;

		fusion_pool_shares_from(k == 0 ? INT64_MAX : 0);
		f = fusion_new(&p.ds, p.ms, names, 2, &err);
		valid = f ? fusion_pool_build(f, NULL, &p.valid, NULL, 0, 1,
		    &err) : NULL;
		test = f ? fusion_pool_build(f, NULL, &p.test, NULL, 0, 1,
		    &err) : NULL;
		memset(&rep[k], 0, sizeof rep[k]);
		if (valid == NULL || test == NULL)
			CHECK_FAIL("%s", err.msg);
		else if (fusion_tune(f, valid, test, TUNE_NDCG10, &rep[k], NULL,
		    &err) < 0)
			CHECK_FAIL("tune: %s", err.msg);
		fusion_pool_free(valid);
		fusion_pool_free(test);
		fusion_free(f);
	}
	fusion_pool_shares_from(-1);
	CHECK_EQ(rep[0].chosen, rep[1].chosen);
	CHECK_EQ(rep[0].evaluations, rep[1].evaluations);
	for (int c = 0; c < TUNE_CAND_COUNT; c++) {
		CHECK_EQ(rep[0].cand[c].tried, rep[1].cand[c].tried);
		if (rep[0].cand[c].tried) {
			CHECK_NEAR(rep[0].cand[c].cv, rep[1].cand[c].cv, 0);
			CHECK_NEAR(rep[0].cand[c].valid, rep[1].cand[c].valid,
			    0);
			CHECK_NEAR(rep[0].cand[c].vs_single.lo,
			    rep[1].cand[c].vs_single.lo, 0);
		}
	}
	CHECK_NEAR(rep[0].fused_test, rep[1].fused_test, 0);
	CHECK(rep[0].chosen != TUNE_SINGLE);	/* transforms were ranked */
	problem_free(&p);
}

static void
test_tune_choice(void)
{
	const char *names[] = { "strong", "random" };
	const char *names2[] = { "a", "b" };

	for (uint64_t seed = 1; seed <= 3; seed++) {
		problem p;
		fusion *f;
		fusion_pool *valid, *test;
		fusion_tune_report rep;
		metrics single, fused;
		rf_error err;

		check_context("guard, seed %llu", (unsigned long long)seed);
		tune_problem(300, 80, 0, seed, &p);
		f = fusion_new(&p.ds, p.ms, names, 2, &err);
		valid = f ? fusion_pool_build(f, NULL, &p.valid, NULL, 0, 1,
		    &err) : NULL;
		test = f ? fusion_pool_build(f, NULL, &p.test, NULL, 0, 1,
		    &err) : NULL;
		if (valid == NULL || test == NULL) {
			CHECK_FAIL("%s", err.msg);
		} else if (fusion_tune(f, valid, test, TUNE_NDCG10, &rep, NULL,
		    &err) < 0) {
			CHECK_FAIL("tune: %s", err.msg);
		} else {
			int64_t nv = 0;

			CHECK_EQ(rep.best_single, 0);
			CHECK_EQ(rep.chosen, TUNE_SINGLE);
			/* five folds on 300 users; every user with validation
			 * items measured out of fold once, by every way */
			CHECK_EQ(rep.folds, 5);
			for (int u = 0; u < p.nu; u++)
				nv += p.valid.ptr[u + 1] > p.valid.ptr[u];
			for (int c = 0; c < TUNE_CAND_COUNT; c++)
				CHECK(!rep.cand[c].tried ||
				    rep.cand[c].vs_single.n == nv);
			/* the strong model is the best single model on every
			 * fold's learning users, so the single way's out-of-
			 * fold figure is its figure on all of them */
			CHECK_NEAR(rep.cand[TUNE_SINGLE].cv,
			    rep.cand[TUNE_SINGLE].valid, 1e-12);
			fusion_pool_eval(f, test, 0, 10, &single, &err);
			fusion_pool_eval(f, test, -1, 10, &fused, &err);
			CHECK_NEAR(fused.ndcg, single.ndcg, 0);
			CHECK_NEAR(fused.recall, single.recall, 0);
			/* every other way was judged, and none beat the
			 * strong model out of fold beyond doubt */
			for (int c = 1; c < TUNE_CAND_COUNT; c++)
				CHECK(!rep.cand[c].tried ||
				    rep.cand[c].cv <= rep.cand[0].cv ||
				    rep.cand[c].vs_single.lo <= 0);
		}
		fusion_pool_free(valid);
		fusion_pool_free(test);
		fusion_free(f);
		problem_free(&p);

		check_context("fwls, seed %llu", (unsigned long long)seed);
		tune_problem(400, 80, 1, seed + 10, &p);
		f = fusion_new(&p.ds, p.ms, names2, 2, &err);
		valid = f ? fusion_pool_build(f, NULL, &p.valid, NULL, 0, 1,
		    &err) : NULL;
		test = f ? fusion_pool_build(f, NULL, &p.test, NULL, 0, 1,
		    &err) : NULL;
		if (valid == NULL || test == NULL) {
			CHECK_FAIL("%s", err.msg);
		} else if (fusion_tune(f, valid, test, TUNE_NDCG10, &rep, NULL,
		    &err) < 0) {
			CHECK_FAIL("tune: %s", err.msg);
		} else {
			for (int c = 0; c < TUNE_CAND_COUNT; c++)
				if (c != TUNE_FWLS && c != TUNE_STACK &&
				    rep.cand[c].tried)
					CHECK(rep.cand[TUNE_FWLS].cv >
					    rep.cand[c].cv);
			CHECK(rep.chosen == TUNE_FWLS ||
			    rep.chosen == TUNE_STACK);
			/* and it holds on test, better than either alone */
			CHECK(rep.fused_test > rep.single_test[0] &&
			    rep.fused_test > rep.single_test[1]);
			CHECK(rep.test_vs_single.lo > 0);
			printf("fwls seed %llu: single %.4f / %.4f, weights "
			    "%.4f, fwls %.4f (cross-validated), chose %s; test "
			    "fused %.4f\n", (unsigned long long)seed,
			    rep.single_valid[0], rep.single_valid[1],
			    rep.cand[TUNE_WEIGHTS].cv, rep.cand[TUNE_FWLS].cv,
			    rep.cand[rep.chosen].name, rep.fused_test);
		}
		fusion_pool_free(valid);
		fusion_pool_free(test);
		fusion_free(f);
		problem_free(&p);
	}
	check_context_clear();
}

/* Ridge stack on a tiny rating case against the normal equations solved
 * here by Gaussian elimination.  All users have the same train size and
 * timestamps span nothing, so the user features are 0 and the design is
 * [1, p_a, p_b] (the interaction columns are 0 and get 0 weights). */
static void
test_ridge(void)
{
	enum { NU = 6, NI = 5 };
	int tp[NU][2], vp[NU * 3][2], nv = 0;
	interactions tr, va;
	dataset ds = { 0 };
	float ta[NU * NI], tb[NU * NI];
	fake_model *a, *b;
	const model *ms[2];
	const char *names[] = { "a", "b" };
	fusion *f;
	fusion_pool *pool;
	rf_error err;
	rf_rng rng;
	double A[3][3] = { { 0 } }, y[3] = { 0 }, l2 = 0.5;
	const char *cn[64];
	double coef[64];
	int nc;

	rf_rng_seed(&rng, 3);
	for (int u = 0; u < NU; u++) {
		tp[u][0] = u;
		tp[u][1] = 0;
		for (int i = 1; i <= 3; i++) {
			vp[nv][0] = u;
			vp[nv][1] = i;
			nv++;
		}
	}
	for (int k = 0; k < NU * NI; k++) {
		ta[k] = (float)(3 + rf_rng_normal(&rng));
		tb[k] = (float)(2.5 + 0.7 * rf_rng_normal(&rng));
	}
	if (fake_matrix(&tr, NU, NI, (const int (*)[2])tp, NU, NULL) < 0 ||
	    fake_matrix(&va, NU, NI, (const int (*)[2])vp, nv, NULL) < 0) {
		CHECK_FAIL("out of memory");
		return;
	}
	for (int k = 0; k < NU; k++)
		tr.ts[k] = 5;		/* no recency spread */
	for (int k = 0; k < nv; k++)
		va.val[k] = (float)(1 + (k * 7) % 5);	/* ratings 1..5 */
	ds.n_users = NU;
	ds.n_items = NI;
	ds.is_rating = 1;
	ds.rating_min = 1;
	ds.rating_max = 5;
	a = fake_new(&ds, &tr, ta);
	b = fake_new(&ds, &tr, tb);
	if (a == NULL || b == NULL) {
		CHECK_FAIL("out of memory");
		return;
	}
	ms[0] = &a->base;
	ms[1] = &b->base;
	if ((f = fusion_new(&ds, ms, names, 2, &err)) == NULL) {
		CHECK_FAIL("fusion_new: %s", err.msg);
		return;
	}
	CHECK_EQ(fusion_set_param(f, "l2=0.5", &err), 0);
	pool = fusion_pool_build(f, NULL, &va, NULL, 0, 1, &err);
	if (pool == NULL) {
		CHECK_FAIL("pool: %s", err.msg);
		return;
	}
	{
		char sum[16] = "x";

		/* No stack yet: nothing to say. */
		CHECK_EQ(fusion_stack_summary(f, sum, sizeof sum), -1);
		CHECK_STR(sum, "");
	}
	CHECK_MSG(fusion_fit_stack(f, pool, 1, 1, &err) == 0, "ridge: %s",
	    err.msg);
	for (int k = 0; k < nv; k++) {
		int u = vp[k][0], i = vp[k][1];
		double x[3] = { 1, ta[u * NI + i], tb[u * NI + i] };

		for (int r = 0; r < 3; r++) {
			for (int c = 0; c < 3; c++)
				A[r][c] += x[r] * x[c];
			y[r] += x[r] * va.val[k];
		}
	}
	A[1][1] += l2;
	A[2][2] += l2;
	for (int c = 0; c < 3; c++)		/* Gaussian elimination */
		for (int r = c + 1; r < 3; r++) {
			double q = A[r][c] / A[c][c];

			for (int j = c; j < 3; j++)
				A[r][j] -= q * A[c][j];
			y[r] -= q * y[c];
		}
	for (int r = 2; r >= 0; r--) {
		for (int j = r + 1; j < 3; j++)
			y[r] -= A[r][j] * y[j];
		y[r] /= A[r][r];
	}
	nc = fusion_stack_coefs(f, cn, coef, 64);
	/* intercept, the three user features (activity, recency, spread:
	 * 0 here), a, b, then the interaction weights (user features x
	 * models), 0 here */
	CHECK_EQ(nc, 1 + 3 + 2 + 3 * 2);
	CHECK_NEAR(coef[0], y[0], 1e-6);
	CHECK_NEAR(coef[4], y[1], 1e-6);
	CHECK_NEAR(coef[5], y[2], 1e-6);
	for (int k = 1; k < nc; k++)
		if (k != 4 && k != 5)
			CHECK_NEAR(coef[k], 0, 1e-9);
	/* fusion_predict applies it (clipped by the metrics, not here). */
	CHECK_NEAR(fusion_predict(f, 2, 4), y[0] + y[1] * ta[2 * NI + 4] +
	    y[2] * tb[2 * NI + 4], 1e-5);
	/* The summary: a rating blend, each model's coefficient for the
	 * average user (the closed form's, the features adding nothing
	 * here), the larger in size first. */
	{
		char sum[128], want[128];
		double w[2];
		int big = fabs(y[1]) >= fabs(y[2]) ? 1 : 2;

		CHECK_EQ(fusion_stack_weights(f, w), 1);
		CHECK_NEAR(w[0], y[1], 1e-6);
		CHECK_NEAR(w[1], y[2], 1e-6);
		CHECK_EQ(fusion_stack_summary(f, sum, sizeof sum), 1);
		snprintf(want, sizeof want, "%s %+.3f, %s %+.3f",
		    names[big - 1], y[big], names[2 - big], y[3 - big]);
		CHECK_STR(sum, want);
		/* Too small a buffer: whole entries only. */
		CHECK_EQ(fusion_stack_summary(f, sum, 12), 1);
		snprintf(want, sizeof want, "%s %+.3f", names[big - 1],
		    y[big]);
		CHECK_STR(sum, want);
	}
	printf("ridge: intercept %.6f, a %.6f, b %.6f (closed form %.6f, "
	    "%.6f, %.6f)\n", coef[0], coef[4], coef[5], y[0], y[1], y[2]);
	fusion_pool_free(pool);
	fusion_free(f);
	fake_free(a);
	fake_free(b);
	interactions_free(&tr);
	interactions_free(&va);
}

/* One kept block ranked by the current settings against
 * fusion_recommend() + fusion_contributions(): the same items, scores,
 * contributions and base, bit for bit.  Returns the items compared. */
static int
check_user_block(const fusion *f, const fusion_user *blk, const char *what)
{
	enum { K = 10, NM = 4 };
	int u = fusion_user_id(blk);
	int32_t it[K], it2[K];
	float sc[K], sc2[K];
	double con[K * NM], base = -1;
	rf_error err;
	int n = fusion_user_rank(f, blk, K, it, sc, con, &base, &err);
	int n2 = fusion_recommend(f, u, K, it2, sc2, &err);

	CHECK_MSG(n > 0 && n == n2, "%s user %d: %d ranked, recommend %d", what,
	    u, n, n2);
	for (int r = 0; r < n && r < n2; r++) {
		fusion_contrib c;

		CHECK_MSG(it[r] == it2[r] && sc[r] == sc2[r], "%s user %d rank %d: "
		    "item %d %.9g, recommend %d %.9g", what, u, r, it[r], sc[r],
		    it2[r], sc2[r]);
		CHECK_MSG(fusion_contributions(f, u, it[r], &c, &err) == 0,
		    "contributions: %s", err.msg);
		CHECK_MSG(c.base == base, "%s user %d: base %.17g, want %.17g",
		    what, u, base, c.base);
		for (int m = 0; m < NM; m++)
			CHECK_MSG(con[r * NM + m] == c.contrib[m], "%s user %d "
			    "item %d model %d: %.17g, want %.17g", what, u,
			    it[r], m, con[r * NM + m], c.contrib[m]);
	}
	/* Without the optional outputs: the same items. */
	n2 = fusion_user_rank(f, blk, K, it2, NULL, NULL, NULL, &err);
	CHECK_MSG(n2 == n && memcmp(it, it2, (size_t)(n > 0 ? n : 0) *
	    sizeof *it) == 0, "%s user %d: ranked without contributions", what,
	    u);
	return n > 0 ? n : 0;
}

/* User blocks kept across settings changes (fusion_user) rank as the
 * fusion ranks on the fly, for several users and every method. */
static void
test_user_block(void)
{
	enum { NB = 8 };
	problem p;
	const char *names[] = { "good", "fair", "poor", "pop" };
	fusion *f;
	fusion_pool *pool;
	fusion_user *blk[NB];
	rf_error err;
	int64_t checked = 0;

	problem_make(&p, 64, 90, 13);
	f = fusion_new(&p.ds, p.ms, names, 4, &err);
	CHECK_MSG(f != NULL, "fusion_new: %s", err.msg);
	if (f == NULL)
		exit(1);
	fusion_set_param(f, "m=15", &err);
	pool = fusion_pool_build(f, NULL, &p.valid, NULL, 0, 1, &err);
	CHECK_MSG(pool != NULL, "pool: %s", err.msg);
	CHECK_MSG(pool && fusion_fit_stack(f, pool, 0, 1, &err) == 0,
	    "stack: %s", err.msg);
	/* Scored once, before any of the settings below. */
	for (int b = 0; b < NB; b++) {
		blk[b] = fusion_user_new(f, b % 2 ? NULL : &p.train, b * 8,
		    &err);
		CHECK_MSG(blk[b] != NULL, "fusion_user_new: %s", err.msg);
		if (blk[b] == NULL)
			exit(1);
		CHECK_MSG(fusion_user_id(blk[b]) == b * 8, "user id %d, want %d",
		    fusion_user_id(blk[b]), b * 8);
	}
	CHECK_MSG(fusion_user_new(f, NULL, p.nu, &err) == NULL,
	    "a user out of range was scored");
	CHECK_MSG(fusion_user_rank(f, blk[0], 0, NULL, NULL, NULL, NULL, &err) <
	    0, "K = 0 accepted");
	for (int meth = 0; meth < FUSE_METHOD_COUNT; meth++)
		for (int norm = 0; norm < NORM_COUNT; norm += 2) {
			char what[64];

			fusion_set_method(f, (enum fusion_method)meth);
			snprintf(what, sizeof what, "norm=%s",
			    fusion_norm_name((enum fusion_norm)norm));
			fusion_set_param(f, what, &err);
			/* A slider moved. */
			fusion_set_weight(f, meth % 4, 0.2 + 0.3 * norm, &err);
			snprintf(what, sizeof what, "%s/%s",
			    fusion_method_name((enum fusion_method)meth),
			    fusion_norm_name((enum fusion_norm)norm));
			for (int b = 0; b < NB; b++)
				checked += check_user_block(f, blk[b], what);
		}
	printf("user blocks: %lld (user, item, method, norm) equal to "
	    "recommend + contributions\n", (long long)checked);
	for (int b = 0; b < NB; b++)
		fusion_user_free(blk[b]);
	fusion_pool_free(pool);
	fusion_free(f);
	problem_free(&p);
}

/* A long catalogue's pools take the block scorers' top-M in tiles of
 * users at once (fusion_pool_tiles_from()): the very same pool as one
 * user at a time, over several tiles of items, with models of both
 * kinds. */
/* A pool's ranks, made when first read, are those the candidates' fill
 * gives user by user (fusion_user_new()). */
static void
check_ranks_as_fill(const fusion *f, const fusion_pool *p)
{
	int64_t differ = 0, seen = 0;
	rf_error err;

	for (int r = 0; r < p->nu && p->rank != NULL; r++) {
		fusion_user *ub = fusion_user_new(f, NULL, p->users[r], &err);
		int len = (int)(p->ptr[r + 1] - p->ptr[r]);
		size_t off = (size_t)p->ptr[r] * p->nm;

		if (ub == NULL || ub->len != len) {
			differ++;
			fusion_user_free(ub);
			continue;
		}
		for (size_t q = 0; q < (size_t)len * p->nm; q++, seen++)
			differ += ub->rank[q] != p->rank[off + q];
		fusion_user_free(ub);
	}
	CHECK(seen > 0);
	CHECK_EQ(differ, 0);
}

static void
test_pool_tiles(int only_blocks)
{
	problem p;
	const char *names[] = { "good", "fair", "poor", "pop" };
	const model *ms[4];
	fusion *f;
	fusion_pool *a, *b;
	rf_error err;
	int64_t same = 0;
	int nm = only_blocks ? 2 : 4;

	problem_make(&p, 70, 1500, 11);
	p.fm[0]->base.ops = &fake_block_ops;
	p.fm[2]->base.ops = &fake_block_ops;
	/* only block scorers: no whole score row is kept (the scratch's
	 * candidates' scores by position) */
	for (int m = 0; m < 4; m++)
		ms[m] = p.ms[only_blocks ? 2 * (m % 2) : m];
	if (only_blocks)
		names[1] = "poor";
	if ((f = fusion_new(&p.ds, ms, names, nm, &err)) == NULL) {
		CHECK_FAIL("fusion_new: %s", err.msg);
		exit(check_done());
	}
	CHECK_EQ(fusion_set_param(f, "m=25", &err), 0);
	a = fusion_pool_build(f, NULL, &p.valid, NULL, 0, 2, &err);
	fusion_pool_tiles_from(0);
	b = fusion_pool_build(f, NULL, &p.valid, NULL, 0, 2, &err);
	fusion_pool_tiles_from(65536);
	CHECK_MSG(a != NULL && b != NULL, "pool: %s", err.msg);
	if (a != NULL && b != NULL) {
		int64_t nc = a->ptr[a->nu];

		/* a weighted fusion of normalised scores reads no ranks:
		 * none are made; rrf's transform makes them, the same both
		 * ways (and as the fill's, one user at a time) */
		CHECK(a->rank == NULL && b->rank == NULL);
		fusion_set_method(f, FUSE_RRF);
		CHECK_EQ(fusion_pool_transform(f, a), 0);
		CHECK_EQ(fusion_pool_transform(f, b), 0);
		CHECK(a->rank != NULL && b->rank != NULL);
		fusion_set_method(f, FUSE_WEIGHTED);
		check_ranks_as_fill(f, a);
		CHECK_EQ(a->nu, b->nu);
		CHECK_EQ(nc, b->ptr[b->nu]);
		if (a->nu == b->nu && nc == b->ptr[b->nu]) {
			for (int r = 0; r <= a->nu; r++)
				CHECK_EQ(a->ptr[r], b->ptr[r]);
			for (int64_t c = 0; c < nc; c++) {
				CHECK_EQ(a->item[c], b->item[c]);
				CHECK_EQ(a->from[c], b->from[c]);
				for (int m = 0; m < nm; m++) {
					CHECK_EQ(a->raw[m * nc + c],
					    b->raw[m * nc + c]);
					CHECK_EQ(a->rank[m * nc + c],
					    b->rank[m * nc + c]);
				}
				same++;
			}
		}
	}
	printf("pool in tiles (%d models%s): %lld candidates of %d users as "
	    "one user at a time\n", nm, only_blocks ? ", all block scorers" :
	    "", (long long)same, a ? a->nu : 0);
	CHECK(same > 1000);
	fusion_pool_free(a);
	fusion_pool_free(b);
	fusion_free(f);
	problem_free(&p);
}

static int
pool_key_eq(const struct pool_tr_key *x, const struct pool_tr_key *y)
{
	return x->kind == y->kind && x->norm == y->norm && x->k == y->k &&
	    x->active == y->active;
}

/* A ranking of a pool whose transform is not at hand makes it block by
 * block (the first ask), the next ranking under the same settings keeps
 * it for the pool (the second): the figures of both, per user, are the
 * very same, for every method, normalisation and set of models taking
 * part, and the same as those of a pool transformed whole beforehand. */
static void
test_pool_per_block(void)
{
	problem p;
	const char *names[] = { "good", "fair", "poor", "pop" };
	static const double ws[][4] = {
		{ 1, 1, 1, 1 }, { 3, 1, 0, 0 }, { 0, 2, 1, 0.5 }, { 1, 0, 0, 0 }
	};
	fusion *f;
	fusion_pool *a;
	rf_error err;
	double *pa[2], *pb[2];
	int compared = 0, per_block = 0;

	problem_make(&p, 300, 400, 5);
	if ((f = fusion_new(&p.ds, p.ms, names, 4, &err)) == NULL) {
		CHECK_FAIL("fusion_new: %s", err.msg);
		exit(check_done());
	}
	a = fusion_pool_build(f, NULL, &p.valid, NULL, 0, 2, &err);
	CHECK_MSG(a != NULL, "pool: %s", err.msg);
	if (a == NULL)
		exit(check_done());
	for (int t = 0; t < 2; t++) {
		pa[t] = calloc((size_t)a->nu + 1, sizeof *pa[t]);
		pb[t] = calloc((size_t)a->nu + 1, sizeof *pb[t]);
	}
	for (int meth = 0; meth <= FUSE_VOTE; meth++)
		for (int norm = 0; norm <= NORM_RAW; norm++)
			for (size_t w = 0; w < sizeof ws / sizeof ws[0]; w++) {
				char np[32];
				metrics m1, m2, m3;
				struct pool_tr_key k1;

				snprintf(np, sizeof np, "norm=%s",
				    fusion_norm_name((enum fusion_norm)norm));
				fusion_set_method(f, (enum fusion_method)meth);
				CHECK_EQ(fusion_set_param(f, np, &err), 0);
				for (int m = 0; m < 4; m++)
					CHECK_EQ(fusion_set_weight(f, m, ws[w][m],
					    &err), 0);
				check_context("%s %s weights %zu",
				    fusion_method_name((enum fusion_method)meth),
				    np, w);
				CHECK_EQ(fusion_pool_eval_users(f, a, -1, 10,
				    &m1, pa, NULL, &err), 0);
				k1 = a->key;
				CHECK_EQ(fusion_pool_eval_users(f, a, -1, 10,
				    &m2, pb, NULL, &err), 0);
				/* kept by the second ranking; made per block
				 * by the first when it was not the pool's */
				CHECK(a->key.kind != TR_NONE);
				per_block += !pool_key_eq(&k1, &a->key);
				CHECK_EQ(m1.ndcg, m2.ndcg);
				CHECK_EQ(m1.recall, m2.recall);
				CHECK_EQ(m1.coverage, m2.coverage);
				for (int r = 0; r < a->nu; r++) {
					CHECK_EQ(pa[0][r], pb[0][r]);
					CHECK_EQ(pa[1][r], pb[1][r]);
				}
				/* a third time: from the kept transform */
				CHECK_EQ(fusion_pool_eval(f, a, -1, 10, &m3,
				    &err), 0);
				CHECK_EQ(m3.ndcg, m1.ndcg);
				compared++;
			}
	check_context_clear();
	printf("pool per block: %d settings ranked both ways alike (%d of "
	    "them per block first)\n", compared, per_block);
	CHECK(per_block > compared / 2);
	for (int t = 0; t < 2; t++) {
		free(pa[t]);
		free(pb[t]);
	}
	fusion_pool_free(a);
	fusion_free(f);
	problem_free(&p);
}

int
main(void)
{
	test_tiny();
	test_contributions();
	test_weight_zero();
	test_tune();
	test_tune_folds();
	test_pool_shares();
	test_tune_choice();
	test_ridge();
	test_user_block();
	test_pool_tiles(0);
	test_pool_tiles(1);
	test_pool_per_block();
	return check_done();
}
