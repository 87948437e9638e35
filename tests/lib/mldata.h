/* mldata: load a MovieLens-format file (user \t item \t rating \t ts) straight
 * into a dataset, without the store, so model tests and benchmarks can run
 * on ml-100k splits with the item/user index spaces of u.data (943 x 1682:
 * external id N -> index N-1).  For tests and benchmarks only. */
#ifndef RF_TESTS_MLDATA_H
#define RF_TESTS_MLDATA_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/data/dataset.h"
#include "engine/eval/eval.h"
#include "engine/eval/metrics.h"
#include "engine/models/model.h"
#include "engine/data/split.h"
#include "tests/lib/check.h"

typedef struct ml_triple {
	int u, i;
	float r;
	long long ts;
} ml_triple;

static int
ml_triple_cmp(const void *a, const void *b)
{
	const ml_triple *x = a, *y = b;

	if (x->u != y->u)
		return x->u < y->u ? -1 : 1;
	return (x->i > y->i) - (x->i < y->i);
}

/* n triples (0-based, at most one per (user, item)) as an interactions
 * matrix of n_users x n_items with its transpose; t is sorted in place.
 * 0, or -1 when out of memory. */
static inline int
ml_triples_matrix(ml_triple *t, size_t n, int n_users, int n_items,
    interactions *m)
{
	qsort(t, n, sizeof *t, ml_triple_cmp);
	if (interactions_alloc(m, n_users, n_items, (int64_t)n) < 0)
		return -1;
	for (size_t k = 0; k < n; k++) {
		m->ptr[t[k].u + 1]++;
		m->idx[k] = t[k].i;
		m->val[k] = t[k].r;
		m->ts[k] = t[k].ts;
		m->beh[k] = 1;	/* BEH_RATING bit (1 << 0) */
	}
	for (int k = 0; k < n_users; k++)
		m->ptr[k + 1] += m->ptr[k];
	return interactions_build_transpose(m);
}

/* Read path into an interactions matrix of n_users x n_items (ids are
 * 1-based in the file).  binary: every rating becomes value 1 (implicit).
 * Returns 0, or -1 when the file cannot be read. */
static inline int
ml_load(const char *path, int n_users, int n_items, int binary,
    interactions *m)
{
	FILE *f = fopen(path, "r");
	ml_triple *t = NULL;
	size_t n = 0, cap = 0;
	int u, i;
	float r;
	long long ts;
	int rc;

	if (f == NULL)
		return -1;
	while (fscanf(f, "%d %d %f %lld", &u, &i, &r, &ts) == 4) {
		if (u < 1 || u > n_users || i < 1 || i > n_items)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 4096;
			t = realloc(t, cap * sizeof *t);
			if (t == NULL) {
				fclose(f);
				return -1;
			}
		}
		t[n].u = u - 1;
		t[n].i = i - 1;
		t[n].r = binary ? 1.0f : r;
		t[n].ts = ts;
		n++;
	}
	fclose(f);
	rc = ml_triples_matrix(t, n, n_users, n_items, m);
	free(t);
	return rc;
}

/* A minimal dataset around an interactions matrix (metadata left empty). */
static inline dataset *
ml_dataset(const interactions *all, int is_rating)
{
	dataset *ds = calloc(1, sizeof *ds);

	if (ds == NULL)
		return NULL;
	ds->n_users = all->n_users;
	ds->n_items = all->n_items;
	ds->is_rating = is_rating;
	ds->rating_min = 1;
	ds->rating_max = 5;
	ds->all = *all;		/* shallow: do not dataset_free() this */
	return ds;
}

/* The data folder, unchecked (the benches report what is missing; the
 * tests ask check_data_dir(), which skips or fails). */
static inline const char *
ml_data_dir(void)
{
	return check_data_root();
}

/* The parts of an interactions matrix made by the engine's own split;
 * Protocol B's is split temporal FRAC (per user, the last FRAC by time is
 * test; users with fewer than SPLIT_MIN_USER entries stay whole in
 * train). */
typedef struct ml_parts {
	interactions train;	/* with its transpose */
	interactions test;
} ml_parts;

/* The train (with transpose) and test parts of all under spec. */
static inline int
ml_split_parts(const interactions *all, const split_spec *spec,
    ml_parts *p)
{
	split sp;
	rf_error err;
	int rc;

	memset(p, 0, sizeof *p);
	if (split_make(all, spec, &sp, &err) < 0) {
		fprintf(stderr, "split: %s\n", err.msg);
		return -1;
	}
	rc = split_extract(all, sp.assign, SPLIT_MASK_TRAIN,
	    SPLIT_X_TRANSPOSE | SPLIT_X_TIMES, &p->train, &err) < 0 ||
	    split_extract(all, sp.assign, SPLIT_MASK_TEST, 0, &p->test,
	    &err) < 0 ? -1 : 0;
	if (rc < 0)
		fprintf(stderr, "split: %s\n", err.msg);
	split_free(&sp);
	return rc;
}

static inline int
ml_temporal_parts(const interactions *all, double frac, ml_parts *p)
{
	split_spec spec;

	memset(&spec, 0, sizeof spec);
	spec.kind = SPLIT_TEMPORAL;
	spec.frac = frac;
	return ml_split_parts(all, &spec, p);
}

/* `split last n`: each user's last n entries by (time, item) are test. */
static inline int
ml_last_parts(const interactions *all, int n, ml_parts *p)
{
	split_spec spec;

	memset(&spec, 0, sizeof spec);
	spec.kind = SPLIT_LAST;
	spec.last_n = n;
	return ml_split_parts(all, &spec, p);
}

/* Set the parameters named by "name=value" arguments (others ignored;
 * unknown names said on stderr when verbose). */
static inline void
ml_apply_params(const model_ops *ops, double *params, int argc,
    char **argv, int verbose)
{
	for (int a = 0; a < argc; a++) {
		char name[64];
		const char *eq = strchr(argv[a], '=');
		int p;

		if (eq == NULL || (size_t)(eq - argv[a]) >= sizeof name)
			continue;
		memcpy(name, argv[a], (size_t)(eq - argv[a]));
		name[eq - argv[a]] = '\0';
		p = model_param_index(ops, name);
		if (p >= 0)
			params[p] = atof(eq + 1);
		else if (verbose)
			fprintf(stderr, "%s: no parameter %s\n", ops->name,
			    name);
	}
}

static inline void
ml_parts_free(ml_parts *p)
{
	interactions_free(&p->train);
	interactions_free(&p->test);
}

static inline void
ml_score_model(const void *ctx, int u, float *out)
{
	const model *m = ctx;

	m->ops->score_user(m, u, out);
}

/* Every top-N measure at k of a model on test, with the engine's
 * evaluator (full ranking over the items not in the user's train). */
static inline int
ml_eval_metrics(const model *m, const interactions *train,
    const interactions *test, int k, metrics *out)
{
	topn_eval ev;
	rf_error err;

	memset(&ev, 0, sizeof ev);
	ev.score = ml_score_model;
	ev.ctx = m;
	ev.train = train;
	ev.test = test;
	ev.k = k;
	ev.threads = 1;
	if (metrics_eval_topn(&ev, out, &err) != 0) {
		fprintf(stderr, "eval: %s\n", err.msg);
		return -1;
	}
	return 0;
}

/* NDCG@k and P@k of a model on the test part. */
static inline int
ml_eval_topn(const model *m, const ml_parts *p, int k, double *ndcg,
    double *prec)
{
	metrics mt;

	if (ml_eval_metrics(m, &p->train, &p->test, k, &mt) < 0)
		return -1;
	*ndcg = mt.ndcg;
	*prec = mt.precision;
	return 0;
}

/* Two evaluations of the same users ranked the same: every top-N figure
 * and each user's NDCG (pa, pb: n_users) equal. */
static inline void
ml_check_same_topn(const metrics *a, const metrics *b, const double *pa,
    const double *pb, int n_users)
{
	CHECK_EQ(b->n_users, a->n_users);
	CHECK_NEAR(b->ndcg, a->ndcg, 0);
	CHECK_NEAR(b->precision, a->precision, 0);
	CHECK_NEAR(b->recall, a->recall, 0);
	CHECK_NEAR(b->map, a->map, 0);
	CHECK_NEAR(b->mrr, a->mrr, 0);
	CHECK_NEAR(b->coverage, a->coverage, 0);
	if (!isnan(a->mean_popularity) || !isnan(b->mean_popularity))
		CHECK_NEAR(b->mean_popularity, a->mean_popularity, 0);
	for (int u = 0; u < n_users; u++)
		if (!isnan(pa[u]) || !isnan(pb[u]))
			CHECK_NEAR(pb[u], pa[u], 0);
}

/*
 * A factor model's score_users against its score_user: blocks of users
 * over the whole catalogue and over a range of it, each score within
 * float rounding of the user-by-user one (sgemm and sgemv add in orders
 * of their own); and the evaluator's figures from tiles against user by
 * user on test (items known leaves out), each user's NDCG too.
 */
static inline void
ml_check_score_users(const model *m, const interactions *known,
    const interactions *test)
{
	int ni = known->n_items, nu = known->n_users;
	int ranges[2][2] = { { 0, ni }, { ni / 3, ni / 3 + 101 } };
	int32_t users[64];
	int n = 0;
	float *block = malloc((size_t)64 * (size_t)ni * sizeof *block);
	float *row = malloc((size_t)ni * sizeof *row);
	double *pa = malloc(((size_t)nu + 1) * sizeof *pa);
	double *pb = malloc(((size_t)nu + 1) * sizeof *pb);
	double worst = 0;
	metrics a, b;
	rf_error err;

	if (block == NULL || row == NULL || pa == NULL || pb == NULL ||
	    m->ops->score_users == NULL || ni < 150) {
		CHECK_FAIL("%s: no score_users, too few items or out of memory",
		    m->ops->name);
		goto out;
	}
	for (int u = 0; u < nu && n < 64; u += 7)
		users[n++] = u;
	for (int r = 0; r < 2; r++) {
		int lo = ranges[r][0], hi = ranges[r][1];

		m->ops->score_users(m, users, n, lo, hi, block);
		for (int j = 0; j < n; j++) {
			m->ops->score_user(m, users[j], row);
			for (int i = lo; i < hi; i++) {
				double d = fabs((double)block[(size_t)j *
				    (hi - lo) + i - lo] - row[i]) /
				    (1.0 + fabs(row[i]));

				if (d > worst)
					worst = d;
			}
		}
	}
	printf("%s: score_users against score_user: worst relative "
	    "difference %.2g\n", m->ops->name, worst);
	CHECK(worst <= 1e-5);
	{
		topn_eval one = { .score = eval_model_score, .ctx = m,
			.train = known, .test = test, .k = 10, .threads = 2,
			.per_user_ndcg = pa };
		topn_eval tiles = one;

		tiles.score_block = eval_model_score_block;
		tiles.per_user_ndcg = pb;
		if (metrics_eval_topn(&one, &a, &err) != 0 ||
		    metrics_eval_topn(&tiles, &b, &err) != 0) {
			CHECK_FAIL("eval: %s", err.msg);
			goto out;
		}
	}
	printf("%s: NDCG@10 %.6f user by user, %.6f in tiles\n",
	    m->ops->name, a.ndcg, b.ndcg);
	CHECK(a.n_users > 0);
	ml_check_same_topn(&a, &b, pa, pb, nu);
out:
	free(block);
	free(row);
	free(pa);
	free(pb);
}

#endif
