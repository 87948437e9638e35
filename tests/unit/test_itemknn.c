/* test_itemknn: item-item cosine against hand-computed values, the
 * k-truncation and the shrinkage; explain terms sum to the score; the
 * KNNBaseline rating variant against a direct double-precision computation
 * of Koren 2010 eq. 3; save/load; a Protocol A sanity bound on u1.
 *
 * The hand case (binary, 4 users x 4 items):
 *   u0: 0 1 2    u1: 0 1    u2: 1 3    u3: 0 2 3
 * item columns: i0 = {u0,u1,u3}, i1 = {u0,u1,u2}, i2 = {u0,u3},
 * i3 = {u2,u3}; norms sqrt3, sqrt3, sqrt2, sqrt2; co-occurrence counts
 *   (0,1) 2   (0,2) 2   (0,3) 1   (1,2) 1   (1,3) 1   (2,3) 1
 * so with shrink 0:  s01 = 2/3, s02 = 2/sqrt6, s03 = s12 = s13 = 1/sqrt6,
 * s23 = 1/2; with shrink 1 the denominators grow by one:
 *   s01 = 2/4, s02 = 2/(sqrt6+1), s03 = s12 = s13 = 1/(sqrt6+1), s23 = 1/3.
 * u2 holds items 1 and 3, so score(u2, j) = s1j [j in N(1)] + s3j [j in N(3)]:
 *   k = 3, shrink 0: (2/3 + 1/sqrt6, 1/sqrt6, 1/sqrt6 + 1/2, 1/sqrt6)
 *   k = 1, shrink 0: N(1) = {0}, N(3) = {2}: (2/3, 0, 1/2, 0)
 *   k = 3, shrink 1: (1/2 + 1/(sqrt6+1), 1/(sqrt6+1), 1/(sqrt6+1) + 1/3,
 *                     1/(sqrt6+1)). */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/models/model.h"
#include "engine/models/registry.h"
#include "tests/lib/check.h"
#include "tests/lib/mldata.h"
#include "tests/lib/tinydata.h"

static model *
train(const interactions *tr, const dataset *ds, double k, double shrink,
    double rating)
{
	const model_ops *ops = &model_itemknn_ops;
	double params[16], loss;
	rf_error err;

	model_params_default(ops, params);
	params[model_param_index(ops, "k")] = k;
	params[model_param_index(ops, "shrink")] = shrink;
	params[model_param_index(ops, "rating")] = rating;
	model *m = ops->create(ds, tr, params, 7, &err);
	if (m == NULL || ops->epoch(m, 0, &loss, NULL, &err) != 0) {
		CHECK_FAIL("itemknn: %s", err.msg);
		exit(check_done());
	}
	return m;
}

static void
check_explain(const model *m, const interactions *tr, int u, int j)
{
	explain_term t[2048];
	float *sc = malloc((size_t)tr->n_items * sizeof *sc);
	double sum = 0;

	if (sc == NULL) {
		CHECK_FAIL("out of memory");
		exit(check_done());
	}
	check_context("explain(%d, %d)", u, j);
	m->ops->score_user(m, u, sc);
	int n = m->ops->explain(m, u, j, t, 2048);
	for (int q = 0; q < n; q++) {
		sum += t[q].contribution;
		/* largest first */
		if (q > 0)
			CHECK(t[q].contribution <= t[q - 1].contribution);
	}
	CHECK_NEAR(sum, sc[j], 1e-4 * (1 + fabs(sc[j])));
	check_context_clear();
	free(sc);
}

static void
test_hand(void)
{
	static const float x[4 * 4] = {
		1, 1, 1, 0,
		1, 1, 0, 0,
		0, 1, 0, 1,
		1, 0, 1, 1,
	};
	double r6 = sqrt(6.0);
	struct {
		double k, shrink, want[4];
	} cases[] = {
		{ 3, 0, { 2.0 / 3 + 1 / r6, 1 / r6, 1 / r6 + 0.5, 1 / r6 } },
		{ 1, 0, { 2.0 / 3, 0, 0.5, 0 } },
		{ 3, 1, { 0.5 + 1 / (r6 + 1), 1 / (r6 + 1),
		    1 / (r6 + 1) + 1.0 / 3, 1 / (r6 + 1) } },
	};
	interactions tr;
	float sc[4];
	dataset *ds;

	if (dense_to_interactions(&tr, 4, 4, x) < 0 ||
	    (ds = ml_dataset(&tr, 0)) == NULL) {
		CHECK_FAIL("out of memory");
		exit(check_done());
	}
	for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
		model *m = train(&tr, ds, cases[c].k, cases[c].shrink, 0);

		m->ops->score_user(m, 2, sc);
		check_context("k=%g shrink=%g, user 2", cases[c].k,
		    cases[c].shrink);
		for (int j = 0; j < 4; j++)
			CHECK_NEAR(sc[j], cases[c].want[j], 1e-6);
		check_context_clear();
		for (int u = 0; u < 4; u++)
			for (int j = 0; j < 4; j++)
				check_explain(m, &tr, u, j);
		/* explain(u0, 3) names items 0, 1, 2 with weights s03, s13,
		 * s23 (k = 3, shrink 0): 1/2 first, then the two 1/sqrt6 */
		if (c == 0) {
			explain_term t[4];
			int n = m->ops->explain(m, 0, 3, t, 4);

			CHECK_EQ(n, 3);
			if (n == 3) {
				CHECK_EQ(t[0].item, 2);
				CHECK_NEAR(t[0].weight, 0.5, 1e-6);   /* s23 */
				CHECK_NEAR(t[1].weight, 1 / r6, 1e-6); /* s03 */
				CHECK_NEAR(t[2].weight, 1 / r6, 1e-6); /* s13 */
			}
		}
		/* recency 1 (k = 3, shrink 0): u2 saw item 1 before item
		 * 3, so item 1's row weighs 0.5^(1/1) and item 3's 1:
		 *   (0.5 (2/3) + 1/sqrt6, 1/sqrt6, 0.5 / sqrt6 + 1/2,
		 *    0.5 / sqrt6): s31 and s32 come from item 3 */
		if (c == 0) {
			const double want[4] = { 1.0 / 3 + 1 / r6, 1 / r6,
			    0.5 / r6 + 0.5, 0.5 / r6 };
			int64_t ts[16], *keep_ts;
			uint8_t beh[16], *keep_beh;

			if (tr.nnz > 16) {
				CHECK_FAIL("the hand case has %lld entries",
				    (long long)tr.nnz);
				exit(check_done());
			}
			for (int64_t p = 0; p < tr.nnz; p++) {
				ts[p] = 100;
				beh[p] = 1;
			}
			for (int64_t p = tr.ptr[2]; p < tr.ptr[3]; p++)
				ts[p] = tr.idx[p] == 1 ? 10 : 20;
			keep_ts = tr.ts;
			keep_beh = tr.beh;
			tr.ts = ts;
			tr.beh = beh;
			m->params[model_param_index(m->ops, "recency")] = 1;
			m->ops->score_user(m, 2, sc);
			check_context("recency 1, user 2");
			for (int j = 0; j < 4; j++)
				CHECK_NEAR(sc[j], want[j], 1e-6);
			check_context_clear();
			for (int u = 0; u < 4; u++)
				for (int j = 0; j < 4; j++)
					check_explain(m, &tr, u, j);
			tr.ts = keep_ts;
			tr.beh = keep_beh;
		}
		m->ops->free(m);
	}
	free(ds);
	interactions_free(&tr);
}

/* KNNBaseline by the book, in double, on dense arrays. */
#define RU 7
#define RI 5
static void
test_rating(void)
{
	static const float r[RU * RI] = {
		5, 3, 0, 1, 4,
		4, 0, 0, 1, 2,
		1, 1, 0, 5, 0,
		1, 0, 0, 4, 3,
		0, 1, 5, 4, 0,
		2, 4, 3, 0, 5,
		3, 0, 4, 2, 1,
	};
	const int passes = 10, rk = 2;
	const double reg_i = 3, reg_u = 15, shrink = 2;
	double mu = 0, bu[RU] = { 0 }, bi[RI] = { 0 }, s[RI][RI];
	int n = 0;
	interactions tr;
	dataset *ds;

	for (int a = 0; a < RU * RI; a++)
		if (r[a] != 0) {
			mu += r[a];
			n++;
		}
	mu /= n;
	for (int p = 0; p < passes; p++) {
		for (int i = 0; i < RI; i++) {
			double dev = 0;
			int c = 0;
			for (int u = 0; u < RU; u++)
				if (r[u * RI + i] != 0) {
					dev += r[u * RI + i] - mu - bu[u];
					c++;
				}
			bi[i] = dev / (reg_i + c);
		}
		for (int u = 0; u < RU; u++) {
			double dev = 0;
			int c = 0;
			for (int i = 0; i < RI; i++)
				if (r[u * RI + i] != 0) {
					dev += r[u * RI + i] - mu - bi[i];
					c++;
				}
			bu[u] = dev / (reg_u + c);
		}
	}
	for (int i = 0; i < RI; i++)
		for (int j = 0; j < RI; j++) {
			double pr = 0, si = 0, sj = 0;
			int c = 0;
			for (int u = 0; u < RU; u++) {
				if (r[u * RI + i] == 0 || r[u * RI + j] == 0)
					continue;
				double ei = r[u * RI + i] - mu - bu[u] - bi[i];
				double ej = r[u * RI + j] - mu - bu[u] - bi[j];
				pr += ei * ej;
				si += ei * ei;
				sj += ej * ej;
				c++;
			}
			s[i][j] = 0;
			if (i != j && c > 1 && si > 0 && sj > 0)
				s[i][j] = pr / sqrt(si * sj) * (c - 1) /
				    (c - 1 + shrink);
		}
	if (dense_to_interactions(&tr, RU, RI, r) < 0 ||
	    (ds = ml_dataset(&tr, 1)) == NULL) {
		CHECK_FAIL("out of memory");
		exit(check_done());
	}
	const model_ops *ops = &model_itemknn_ops;
	double params[16], loss;
	rf_error err;
	model_params_default(ops, params);
	params[model_param_index(ops, "rating_k")] = rk;
	params[model_param_index(ops, "rating_shrink")] = shrink;
	/* rating = -1 (auto) must switch the variant on for rating data */
	model *m = ops->create(ds, &tr, params, 7, &err);
	if (m == NULL || ops->epoch(m, 0, &loss, NULL, &err) != 0) {
		CHECK_FAIL("itemknn rating: %s", err.msg);
		exit(check_done());
	}
	for (int u = 0; u < RU; u++)
		for (int j = 0; j < RI; j++) {
			/* N^k(j;u): u's rated items with the rk largest
			 * positive s_ij */
			int used[RI] = { 0 }, got = 0;
			double num = 0, den = 0, want;

			while (got < rk) {
				int best = -1;
				for (int i = 0; i < RI; i++)
					if (!used[i] && r[u * RI + i] != 0 &&
					    s[j][i] > 0 && (best < 0 ||
					    s[j][i] > s[j][best]))
						best = i;
				if (best < 0)
					break;
				used[best] = 1;
				got++;
				num += s[j][best] * (r[u * RI + best] - mu -
				    bu[u] - bi[best]);
				den += s[j][best];
			}
			want = mu + bu[u] + bi[j] + (den > 0 ? num / den : 0);
			want = want < 1 ? 1 : want > 5 ? 5 : want;
			check_context("predict(%d, %d)", u, j);
			CHECK_NEAR(ops->predict(m, u, j), want, 1e-4);
		}
	/* save / load keeps predictions and scores */
	{
		rf_buf buf = { 0 };

		check_context_clear();
		if (ops->save(m, &buf, &err) < 0) {
			CHECK_FAIL("save: %s", err.msg);
			exit(check_done());
		}
		model *m2 = ops->load(ds, &tr, params, buf.data, buf.len,
		    &err);
		if (m2 == NULL) {
			CHECK_FAIL("load: %s", err.msg);
			exit(check_done());
		}
		for (int u = 0; u < RU; u++)
			for (int j = 0; j < RI; j++)
				CHECK_NEAR(ops->predict(m2, u, j),
				    ops->predict(m, u, j), 0);
		/* a bad magic is refused */
		((unsigned char *)buf.data)[0] ^= 1;
		CHECK(ops->load(ds, &tr, params, buf.data, buf.len, &err) ==
		    NULL);
		ops->free(m2);
		rf_buf_free(&buf);
	}
	ops->free(m);
	free(ds);
	interactions_free(&tr);
}

/* u1.base / u1.test: explain sums on real data, and the rating variant's
 * RMSE stays where KNNBaseline belongs (0.93 on this fold). */
static void
test_ml100k(const char *dir)
{
	char path[4200];
	interactions base, test;
	dataset *ds;
	double r;

	snprintf(path, sizeof path, "%s/ml-100k/u1.base", dir);
	if (ml_load(path, 943, 1682, 0, &base) < 0) {
		CHECK_FAIL("cannot read %s", path);
		return;
	}
	snprintf(path, sizeof path, "%s/ml-100k/u1.test", dir);
	if (ml_load(path, 943, 1682, 0, &test) < 0 ||
	    (ds = ml_dataset(&base, 1)) == NULL) {
		CHECK_FAIL("cannot read %s", path);
		return;
	}
	model *m = train(&base, ds, 100, 10, -1);
	for (int u = 0; u < 943; u += 97)
		for (int j = 0; j < 1682; j += 211)
			check_explain(m, &base, u, j);
	r = rmse(m, &test);
	printf("u1 KNNBaseline RMSE %.4f (bound 0.940)\n", r);
	CHECK(r <= 0.940);
	m->ops->free(m);
	free(ds);
	interactions_free(&base);
	interactions_free(&test);
}

/* max_mb caps the neighbour lists: fewer than k per item, the best ones
 * (the lists of the capped model are the first k_used of the free one's),
 * and the model says so. */
static void
test_budget(void)
{
	const model_ops *ops = &model_itemknn_ops;
	interactions tm;
	dataset *ds;
	double params[16], loss;
	rf_error err;
	model *a, *b;
	char text[512];
	float sa[200], sb[200];
	/* 0.01 MB over 200 items: 6 neighbours of 8 bytes each */
	const int n = 200, kept = (int)(0.01 * 1048576 / (8.0 * n));

	if (tiny_random_matrix(&tm, 300, n, 0.2, 5) < 0 ||
	    (ds = ml_dataset(&tm, 0)) == NULL) {
		CHECK_FAIL("out of memory");
		return;
	}
	model_params_default(ops, params);
	params[model_param_index(ops, "k")] = kept;
	a = ops->create(ds, &tm, params, 1, &err);
	params[model_param_index(ops, "k")] = 50;
	params[model_param_index(ops, "max_mb")] = 0.01;
	b = ops->create(ds, &tm, params, 1, &err);
	if (a == NULL || b == NULL || ops->epoch(a, 0, &loss, NULL, &err) ||
	    ops->epoch(b, 0, &loss, NULL, &err)) {
		CHECK_FAIL("itemknn: %s", err.msg);
		return;
	}
	CHECK_EQ(ops->report(a, text, sizeof text), 0);
	CHECK(ops->report(b, text, sizeof text) > 0);
	{
		char want[64];

		snprintf(want, sizeof want, "kept at most %d neighbours per item, "
		    "not k 50", kept);
		CHECK_CONTAINS(text, want);
	}
	for (int u = 0; u < 300; u += 7) {
		ops->score_user(a, u, sa);
		ops->score_user(b, u, sb);
		CHECK(memcmp(sa, sb, sizeof sa) == 0);
	}
	ops->free(a);
	ops->free(b);
	free(ds);
	interactions_free(&tm);
}

int
main(void)
{
	test_hand();
	test_budget();
	test_rating();
	test_ml100k(check_data_dir("ml-100k/u1.test"));
	return check_done();
}
