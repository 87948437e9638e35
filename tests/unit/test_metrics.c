/* test_metrics: every measure on small cases worked by hand (the
 * expected values are derived in the comments), top-K selection against a
 * full sort, and the evaluator on a 3-user example. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/eval/compare.h"
#include "engine/eval/metrics.h"
#include "engine/core/rng.h"
#include "tests/lib/check.h"
#include "tests/lib/mldata.h"

/* Every figure against its hand-derived value. */
#define TOL 1e-12

static void
test_rating(void)
{
	/* errors 0.5, -1, 2 -> squares 0.25 + 1 + 4 = 5.25, RMSE =
	 * sqrt(5.25 / 3) = sqrt(1.75); MAE = 3.5 / 3. */
	double pred[] = { 3.5, 2, 5 }, truth[] = { 3, 3, 3 };

	CHECK_NEAR(metric_rmse(pred, truth, 3), sqrt(1.75), TOL);
	CHECK_NEAR(metric_mae(pred, truth, 3), 3.5 / 3, TOL);
}

static void
test_user_topn(void)
{
	user_metrics m;
	/* Ranked list (K = 5): 7 3 9 1 4; relevant {1, 2, 7}.
	 * Hits at ranks 1 (item 7) and 4 (item 1).
	 *   precision = 2/5;  recall = 2/3
	 *   DCG  = 1/log2(2) + 1/log2(5) = 1 + 1/log2(5)
	 *   IDCG = over min(5, 3) = 3 hits: 1 + 1/log2(3) + 1/log2(4)
	 *   AP   = (1/1 + 2/4) / min(5, 3) = 1.5 / 3 = 0.5
	 *   hit = 1;  RR = 1/1 */
	int32_t ranked[] = { 7, 3, 9, 1, 4 }, rel[] = { 1, 2, 7 };

	metrics_user_topn(ranked, 5, 5, rel, 3, &m);
	CHECK_NEAR(m.precision, 0.4, TOL);
	CHECK_NEAR(m.recall, 2.0 / 3, TOL);
	CHECK_NEAR(m.ndcg, (1 + 1 / log2(5)) / (1 + 1 / log2(3) + 0.5), TOL);
	CHECK_NEAR(m.ap, 0.5, TOL);
	CHECK_NEAR(m.hit, 1, TOL);
	CHECK_NEAR(m.rr, 1, TOL);

	/* Same list, relevant {4} only: hit at rank 5.
	 *   precision 1/5, recall 1, DCG 1/log2(6), IDCG 1,
	 *   AP = (1/5) / 1, RR = 1/5 */
	{
		int32_t rel2[] = { 4 };

		metrics_user_topn(ranked, 5, 5, rel2, 1, &m);
		CHECK_NEAR(m.precision, 0.2, TOL);
		CHECK_NEAR(m.recall, 1, TOL);
		CHECK_NEAR(m.ndcg, 1 / log2(6), TOL);
		CHECK_NEAR(m.ap, 0.2, TOL);
		CHECK_NEAR(m.rr, 0.2, TOL);
	}
	/* No hit: everything 0. */
	{
		int32_t rel3[] = { 100 };

		metrics_user_topn(ranked, 5, 5, rel3, 1, &m);
		CHECK_NEAR(m.precision + m.recall + m.ndcg + m.ap + m.hit +
		    m.rr, 0, TOL);
	}
	/* A short list (2 items ranked, K = 3), relevant {5, 6, 8, 9}:
	 * ranked 6 5 -> hits at 1, 2; precision 2/3 (K in the denominator),
	 * recall 2/4, DCG = 1 + 1/log2(3), IDCG over min(3, 4) = 3:
	 * 1 + 1/log2(3) + 1/2; AP = (1 + 1) / 3. */
	{
		int32_t r4[] = { 6, 5 }, rel4[] = { 5, 6, 8, 9 };

		metrics_user_topn(r4, 2, 3, rel4, 4, &m);
		CHECK_NEAR(m.precision, 2.0 / 3, TOL);
		CHECK_NEAR(m.recall, 0.5, TOL);
		CHECK_NEAR(m.ndcg, (1 + 1 / log2(3)) / (1.5 + 1 / log2(3)),
		    TOL);
		CHECK_NEAR(m.ap, 2.0 / 3, TOL);
	}
}

static void
test_topk(void)
{
	/* Ties go to the lower index; NaN and -inf are skipped. */
	float s[] = { 1, 5, 3, 5, -INFINITY, NAN, 4, 0 };
	int32_t top[8];
	int n = topk_select(s, 8, 3, top);

	CHECK_EQ(n, 3);
	CHECK_EQ(top[0], 1);
	CHECK_EQ(top[1], 3);
	CHECK_EQ(top[2], 6);
	/* More than the valid ones: 5 5 4 3 1 0 (indices 1 3 6 2 0 7). */
	n = topk_select(s, 8, 8, top);
	CHECK_EQ(n, 6);
	{
		static const int32_t want[] = { 1, 3, 6, 2, 0, 7 };

		for (int k = 0; k < 6 && k < n; k++)
			CHECK_EQ(top[k], want[k]);
	}
	/* Against a full sort on random scores with many ties. */
	{
		rf_rng r;
		float v[2000];
		int32_t a[50], order[2000];

		rf_rng_seed(&r, 3);
		for (int i = 0; i < 2000; i++) {
			v[i] = (float)rf_rng_below(&r, 300);
			order[i] = i;
		}
		/* insertion sort by (score desc, index asc) */
		for (int i = 1; i < 2000; i++) {
			int32_t x = order[i];
			int j = i;

			while (j > 0 && (v[order[j - 1]] < v[x] ||
			    (v[order[j - 1]] == v[x] && order[j - 1] > x))) {
				order[j] = order[j - 1];
				j--;
			}
			order[j] = x;
		}
		/* both ways of keeping the top (a sorted array up to 32, a
		 * heap past it), at and around the switch */
		for (int kk = 1; kk <= 50; kk += kk < 30 ? 7 : 1) {
			n = topk_select(v, 2000, kk, a);
			CHECK_EQ(n, kk);
			for (int k = 0; k < kk && k < n; k++)
				CHECK_EQ(a[k], order[k]);
		}
		/* fewer valid than k: NaN and -inf among them */
		for (int i = 0; i < 2000; i++)
			if (i % 50 != 7)
				v[i] = i % 2 ? NAN : -INFINITY;
		n = topk_select(v, 2000, 50, a);
		CHECK_EQ(n, 40);
		n = topk_select(v, 2000, 20, a);
		CHECK_EQ(n, 20);
		for (int k = 1; k < 20 && k < n; k++)
			CHECK(v[a[k - 1]] > v[a[k]] || (v[a[k - 1]] == v[a[k]] &&
			    a[k - 1] < a[k]));
	}
}

/* Scores: item i scores 10 - i for every user (item 0 best). */
static void
score_desc(const void *ctx, int u, float *out)
{
	(void)ctx;
	(void)u;
	for (int i = 0; i < 6; i++)
		out[i] = (float)(10 - i);
}

static void
set_rows(interactions *m, const int *counts, const int32_t *idx)
{
	int64_t p = 0;

	for (int u = 0; u < m->n_users; u++) {
		m->ptr[u] = p;
		for (int c = 0; c < counts[u]; c++, p++) {
			m->idx[p] = idx[p];
			m->val[p] = 1;
		}
	}
	m->ptr[m->n_users] = p;
}

static void
test_evaluator(void)
{
	/* 3 users x 6 items, K = 2, every user ranks 0 1 2 3 4 5.
	 * train: u0 {0}, u1 {}, u2 {1, 2};  test: u0 {2}, u1 {1, 5}, u2 {}.
	 * u0: candidates 1 2 3.. -> list [1, 2]: hit at rank 2:
	 *     P 1/2, R 1, NDCG (1/log2 3) / 1, AP (1/2)/1, HR 1, RR 1/2
	 * u1: list [0, 1]: hit at rank 2 (item 1); relevant 2:
	 *     P 1/2, R 1/2, NDCG (1/log2 3) / (1 + 1/log2 3), AP (1/2)/2,
	 *     HR 1, RR 1/2
	 * u2: no test items: not counted.
	 * Means over 2 users; coverage = |{0, 1, 2}| / 6 = 0.5;
	 * popularity (train users per item: 1 1 1 0 0 0): lists hold
	 * 1 2 0 1 -> mean 1. */
	interactions tr, te;
	static const int trc[] = { 1, 0, 2 }, tec[] = { 1, 2, 0 };
	static const int32_t tri[] = { 0, 1, 2 }, tei[] = { 2, 1, 5 };
	static const int32_t pop[] = { 1, 1, 1, 0, 0, 0 };
	double l3 = 1 / log2(3);
	metrics m;
	rf_error err;

	if (interactions_alloc(&tr, 3, 6, 3) < 0 ||
	    interactions_alloc(&te, 3, 6, 3) < 0) {
		CHECK_FAIL("out of memory");
		return;
	}
	set_rows(&tr, trc, tri);
	set_rows(&te, tec, tei);
	for (int threads = 1; threads <= 2; threads++) {
		topn_eval ev = {
			.score = score_desc, .ctx = NULL, .train = &tr,
			.test = &te, .popularity = pop, .k = 2,
			.threads = threads,
		};

		metrics_clear(&m);
		check_context("%d thread(s)", threads);
		if (metrics_eval_topn(&ev, &m, &err) != 0) {
			CHECK_FAIL("eval: %s", err.msg);
			continue;
		}
		CHECK_EQ(m.n_users, 2);
		CHECK_NEAR(m.precision, 0.5, TOL);
		CHECK_NEAR(m.recall, 0.75, TOL);
		CHECK_NEAR(m.ndcg, (l3 + l3 / (1 + l3)) / 2, TOL);
		CHECK_NEAR(m.map, (0.5 + 0.25) / 2, TOL);
		CHECK_NEAR(m.hit_rate, 1, TOL);
		CHECK_NEAR(m.mrr, 0.5, TOL);
		CHECK_NEAR(m.coverage, 0.5, TOL);
		CHECK_NEAR(m.mean_popularity, 1, TOL);
	}
	check_context_clear();
	interactions_free(&tr);
	interactions_free(&te);
}

/* A random factor model for the evaluator's block and sample paths. */
enum { FU = 600, FI = 400, FK = 6 };
static float fac_u[FU * FK], fac_i[FI * FK];

static void
fac_score(const void *ctx, int u, float *out)
{
	(void)ctx;
	for (int i = 0; i < FI; i++) {
		float s = 0;

		for (int f = 0; f < FK; f++)
			s += fac_u[u * FK + f] * fac_i[i * FK + f];
		out[i] = s;
	}
}

static void
fac_block(const void *ctx, const int32_t *users, int n, int lo, int hi,
    float *out)
{
	float row[FI];

	for (int j = 0; j < n; j++) {
		fac_score(ctx, users[j], row);
		memcpy(out + (size_t)j * (hi - lo), row + lo,
		    (size_t)(hi - lo) * sizeof *row);
	}
}

/*
 * Scoring in blocks gives the very figures of scoring user by user; a
 * seeded sample of users estimates the NDCG with an interval that holds
 * the exact figure about 95% of the time (checked over 40 seeds: at least
 * 34 must hold it; at 95% coverage fewer happens with probability under
 * 1%, and the seeds are fixed, so the test does not flicker).
 */
static void
test_evaluator_blocks(void)
{
	interactions tr, te;
	rf_rng rng;
	int64_t p = 0, q = 0;
	metrics exact, m;
	rf_error err;
	int held = 0;

	rf_rng_seed(&rng, 5);
	for (int j = 0; j < FU * FK; j++)
		fac_u[j] = (float)rf_rng_normal(&rng);
	for (int j = 0; j < FI * FK; j++)
		fac_i[j] = (float)rf_rng_normal(&rng);
	if (interactions_alloc(&tr, FU, FI, FU * 20) < 0 ||
	    interactions_alloc(&te, FU, FI, FU * 20) < 0) {
		CHECK_FAIL("out of memory");
		return;
	}
	/* Each user: items in order, 5% in train, 5% (of the taste's
	 * liking, noisy) in test. */
	for (int u = 0; u < FU; u++) {
		float sc[FI];

		tr.ptr[u] = p;
		te.ptr[u] = q;
		fac_score(NULL, u, sc);
		for (int i = 0; i < FI && p - tr.ptr[u] < 20; i++)
			if (rf_rng_uniform(&rng) < 0.05) {
				tr.idx[p] = i;
				tr.val[p++] = 1;
			} else if (q - te.ptr[u] < 20 && sc[i] +
			    rf_rng_normal(&rng) > 3) {
				te.idx[q] = i;
				te.val[q++] = 1;
			}
	}
	tr.ptr[FU] = p;
	te.ptr[FU] = q;
	tr.nnz = p;
	te.nnz = q;
	for (int threads = 1; threads <= 2; threads++) {
		topn_eval a = { .score = fac_score, .train = &tr, .test = &te,
			.k = 10, .threads = threads };
		topn_eval b = a;

		b.score_block = fac_block;
		check_context("%d thread(s)", threads);
		if (metrics_eval_topn(&a, &exact, &err) != 0 ||
		    metrics_eval_topn(&b, &m, &err) != 0) {
			CHECK_FAIL("eval: %s", err.msg);
			continue;
		}
		CHECK(exact.n_users > 300);
		CHECK_NEAR(m.ndcg, exact.ndcg, 0);
		CHECK_NEAR(m.recall, exact.recall, 0);
		CHECK_NEAR(m.coverage, exact.coverage, 0);
		CHECK_NEAR(exact.ndcg_se, 0, 0);
		CHECK_EQ(exact.n_test_users, exact.n_users);
	}
	check_context_clear();
	for (uint64_t seed = 1; seed <= 40; seed++) {
		topn_eval s = { .score = fac_score, .score_block = fac_block,
			.train = &tr, .test = &te, .k = 10, .threads = 2,
			.sample_users = 120, .sample_seed = seed };
		double half;

		if (metrics_eval_topn(&s, &m, &err) != 0) {
			CHECK_FAIL("eval: %s", err.msg);
			continue;
		}
		CHECK_EQ(m.n_users, 120);
		CHECK_EQ(m.n_test_users, exact.n_users);
		CHECK(m.ndcg_se > 0);
		half = student_t95(m.n_users - 1) * m.ndcg_se;
		held += fabs(m.ndcg - exact.ndcg) <= half;
	}
	printf("sampled NDCG: the 95%% interval held the exact figure %.4f "
	    "for %d of 40 seeds\n", exact.ndcg, held);
	CHECK(held >= 34);
	interactions_free(&tr);
	interactions_free(&te);
}

/* A catalogue of several tiles (at 256 users a tile holds 2048 items):
 * small integer scores from a hash, so that ties abound, and an item in
 * eleven scored -INFINITY (no row). */
enum { TU = 700, TI = 5000 };

static float
tile_score(int u, int i)
{
	uint32_t h = (uint32_t)u * 2654435761u ^ (uint32_t)i * 40503u;

	h ^= h >> 15;
	h *= 2246822519u;
	h ^= h >> 13;
	return h % 11 == 0 ? -INFINITY : (float)(h % 23);
}

static void
tile_user(const void *ctx, int u, float *out)
{
	(void)ctx;
	for (int i = 0; i < TI; i++)
		out[i] = tile_score(u, i);
}

static void
tile_block(const void *ctx, const int32_t *users, int n, int lo, int hi,
    float *out)
{
	(void)ctx;
	for (int j = 0; j < n; j++)
		for (int i = lo; i < hi; i++)
			*out++ = tile_score(users[j], i);
}

/*
 * Tiles of items: each user's top K kept across tiles (ties to the lower
 * item, -INFINITY never listed, known items left out wherever they fall)
 * gives the very lists of topk_select over the whole row: every figure
 * and each user's NDCG the same, for K 10 and 100, on one and two
 * threads.
 */
static void
test_evaluator_tiles(void)
{
	interactions tr, te;
	int32_t pop[TI] = { 0 };
	double *pa = malloc(TU * sizeof *pa), *pb = malloc(TU * sizeof *pb);
	rf_rng rng;
	int64_t p = 0, q = 0;
	rf_error err;

	if (pa == NULL || pb == NULL || interactions_alloc(&tr, TU, TI,
	    TU * 120) < 0 || interactions_alloc(&te, TU, TI, TU * 40) < 0) {
		CHECK_FAIL("out of memory");
		return;
	}
	rf_rng_seed(&rng, 9);
	/* known items all over the catalogue, test items among the rest
	 * (some users without any) */
	for (int u = 0; u < TU; u++) {
		tr.ptr[u] = p;
		te.ptr[u] = q;
		for (int i = 0; i < TI; i++) {
			double x = rf_rng_uniform(&rng);

			if (x < 0.01 && p - tr.ptr[u] < 120) {
				tr.idx[p] = i;
				tr.val[p++] = 1;
				pop[i]++;
			} else if (x > 1 - 0.003 * (u % 3) && q - te.ptr[u] <
			    40) {
				te.idx[q] = i;
				te.val[q++] = 1;
			}
		}
	}
	tr.ptr[TU] = p;
	te.ptr[TU] = q;
	tr.nnz = p;
	te.nnz = q;
	for (int k = 10; k <= 100; k += 90)
		for (int threads = 1; threads <= 2; threads++) {
			topn_eval a = { .score = tile_user, .train = &tr,
				.test = &te, .popularity = pop, .k = k,
				.threads = threads, .per_user_ndcg = pa };
			topn_eval b = a;
			metrics ma, mb;

			b.score_block = tile_block;
			b.per_user_ndcg = pb;
			check_context("K %d, %d thread(s)", k, threads);
			if (metrics_eval_topn(&a, &ma, &err) != 0 ||
			    metrics_eval_topn(&b, &mb, &err) != 0) {
				CHECK_FAIL("eval: %s", err.msg);
				continue;
			}
			CHECK(ma.n_users > 400 && ma.n_users < TU);
			CHECK(ma.ndcg > 0);
			ml_check_same_topn(&ma, &mb, pa, pb, TU);
		}
	check_context_clear();
	free(pa);
	free(pb);
	interactions_free(&tr);
	interactions_free(&te);
}

int
main(void)
{
	test_rating();
	test_user_topn();
	test_topk();
	test_evaluator();
	test_evaluator_blocks();
	test_evaluator_tiles();
	return check_done();
}
