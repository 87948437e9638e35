/* bench_knn: Protocol B (implicit top-N on ml-100k) for itemknn, ease and
 * als.  Builds the temporal split from u.data itself: every rating is a
 * positive (value 1); per user, interactions sorted by (timestamp, item),
 * the last round(0.2 n) held out for users with n >= 5.  Full ranking over
 * the items not in the user's train, K = 10; NDCG@10 with binary relevance,
 * IDCG over min(K, |test|); P@10.  Training time is the best of 3 runs.
 *
 * With --rmse: Protocol A for itemknn's rating variant (u1..u5, RMSE).
 *
 * usage: bench_knn [--val] [--rmse] [--runs N] [--epochs N] [model [name=value ...]]
 *   --val   split the train part again the same way and report on that
 *           validation part (for choosing defaults without touching test).
 * Without a model name, runs the three models with their defaults and
 * prints them against the targets. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine/models/model.h"
#include "engine/models/registry.h"
#include "tests/lib/mldata.h"
#include "engine/core/hash.h"

static int bench_epochs;	/* --epochs N overrides the default */
static double bench_cpu;	/* best CPU seconds of the last train_model */

/* Process CPU time: the machine is shared, wall time includes waiting. */
static double
cpu_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static model *
train_model(const model_ops *ops, const dataset *ds, const interactions *tr,
    const double *params, double *secs, int runs)
{
	model *best = NULL;
	rf_error err;

	*secs = 1e30;
	bench_cpu = 1e30;
	for (int run = 0; run < runs; run++) {
		double t0 = rf_monotonic(), c0 = cpu_seconds(), loss;
		model *m = ops->create(ds, tr, params, 42, &err);

		if (m == NULL) {
			fprintf(stderr, "%s: %s\n", ops->name, err.msg);
			exit(1);
		}
		int ep = bench_epochs > 0 ? bench_epochs : ops->default_epochs;
		for (int e = 0; e < ep; e++) {
			if (ops->epoch(m, e, &loss, NULL, &err) != 0) {
				fprintf(stderr, "%s: %s\n", ops->name, err.msg);
				exit(1);
			}
			if (getenv("BENCH_LOSS"))
				fprintf(stderr, "  epoch %d loss %.6f\n", e,
				    loss);
		}
		double t = rf_monotonic() - t0, c = cpu_seconds() - c0;
		if (t < *secs)
			*secs = t;
		if (c < bench_cpu)
			bench_cpu = c;
		if (best)
			best->ops->free(best);
		best = m;
	}
	return best;
}

/* Validation for Protocol A: a fixed pseudo-random fifth of base (by a
 * hash of (user, item)) becomes the test part, the rest the train part. */
static int
carve_random(interactions *base, interactions *test)
{
	interactions tr, te;
	int64_t nte = 0, a = 0, b = 0;

	for (int u = 0; u < base->n_users; u++)
		for (int64_t k = base->ptr[u]; k < base->ptr[u + 1]; k++)
			nte += (rf_fnv1a(RF_FNV_SEED, &(int64_t){ (int64_t)u *
			    base->n_items + base->idx[k] }, 8) % 5) == 0;
	if (interactions_alloc(&tr, base->n_users, base->n_items,
	    base->nnz - nte) < 0 || interactions_alloc(&te, base->n_users,
	    base->n_items, nte) < 0)
		return -1;
	for (int u = 0; u < base->n_users; u++) {
		for (int64_t k = base->ptr[u]; k < base->ptr[u + 1]; k++) {
			interactions *d;
			int64_t *at;
			if ((rf_fnv1a(RF_FNV_SEED, &(int64_t){ (int64_t)u *
			    base->n_items + base->idx[k] }, 8) % 5) == 0)
				d = &te, at = &b;
			else
				d = &tr, at = &a;
			d->idx[*at] = base->idx[k];
			d->val[*at] = base->val[k];
			(*at)++;
		}
		tr.ptr[u + 1] = a;
		te.ptr[u + 1] = b;
	}
	interactions_free(base);
	interactions_free(test);
	*base = tr;
	*test = te;
	if (interactions_build_transpose(base) < 0 ||
	    interactions_build_transpose(test) < 0)
		return -1;
	return 0;
}

/* Protocol A for the KNNBaseline variant: train on u1..u5.base (ratings),
 * RMSE on u1..u5.test, mean of five. */
static int
protocol_a(int runs, int val, int argc, char **argv, int a)
{
	const model_ops *ops = &model_itemknn_ops;
	double params[16], sum = 0, best = 1e30;

	model_params_default(ops, params);
	params[model_param_index(ops, "rating")] = 1;
	for (int q = a; q < argc; q++) {
		char name[64];
		double x;
		if (sscanf(argv[q], "%63[^=]=%lf", name, &x) == 2 &&
		    model_param_index(ops, name) >= 0)
			params[model_param_index(ops, name)] = x;
	}
	for (int f = 1; f <= 5; f++) {
		char path[4096];
		interactions base, test;
		double se = 0, secs;

		snprintf(path, sizeof path, "%s/ml-100k/u%d.base",
		    ml_data_dir(), f);
		if (ml_load(path, 943, 1682, 0, &base) < 0)
			return 77;
		snprintf(path, sizeof path, "%s/ml-100k/u%d.test",
		    ml_data_dir(), f);
		if (ml_load(path, 943, 1682, 0, &test) < 0)
			return 77;
		if (val && carve_random(&base, &test) < 0)
			return 1;
		dataset *ds = ml_dataset(&base, 1);
		model *m = train_model(ops, ds, &base, params, &secs, runs);
		for (int u = 0; u < test.n_users; u++)
			for (int64_t k = test.ptr[u]; k < test.ptr[u + 1]; k++) {
				double d = ops->predict(m, u, test.idx[k]) -
				    test.val[k];
				se += d * d;
			}
		double rmse = sqrt(se / (double)test.nnz);
		printf("u%d: RMSE %.4f  train %.3f s\n", f, rmse, secs);
		sum += rmse;
		if (secs < best)
			best = secs;
		ops->free(m);
		free(ds);
		interactions_free(&base);
		interactions_free(&test);
	}
	printf("itemknn rating=1 Protocol A mean RMSE %.4f (target <= 0.920 "
	    "%s)\n", sum / 5, sum / 5 <= 0.920 ? "ok" : "MISSED");
	return 0;
}

int
main(int argc, char **argv)
{
	char path[4096];
	interactions all;
	ml_parts s, v, *use;
	int val = 0, runs = 3, a = 1, rmse = 0;

	for (; a < argc && argv[a][0] == '-'; a++) {
		if (strcmp(argv[a], "--val") == 0)
			val = 1;
		else if (strcmp(argv[a], "--runs") == 0 && a + 1 < argc)
			runs = atoi(argv[++a]);
		else if (strcmp(argv[a], "--epochs") == 0 && a + 1 < argc)
			bench_epochs = atoi(argv[++a]);
		else if (strcmp(argv[a], "--rmse") == 0)
			rmse = 1;
	}
	if (rmse)
		return protocol_a(runs, val, argc, argv, a);
	snprintf(path, sizeof path, "%s/ml-100k/u.data", ml_data_dir());
	if (ml_load(path, 943, 1682, 1, &all) < 0) {
		fprintf(stderr, "bench_knn: cannot read %s\n", path);
		return 77;
	}
	memset(&v, 0, sizeof v);
	if (ml_temporal_parts(&all, 0.2, &s) < 0)
		return 1;
	use = &s;
	if (val) {
		if (ml_temporal_parts(&s.train, 0.2, &v) < 0)
			return 1;
		use = &v;
	}
	dataset *ds = ml_dataset(&all, 0);
	static const struct {
		const model_ops *ops;
		double target;
	} list[] = {
		{ &model_itemknn_ops, 0.170 },
		{ &model_ease_ops, 0.190 },
		{ &model_als_ops, 0.174 },
	};
	printf("Protocol B (ml-100k temporal 80/20, binary)%s: train nnz %lld\n",
	    val ? " [validation carved from train]" : "",
	    (long long)use->train.nnz);
	for (size_t l = 0; l < sizeof list / sizeof list[0]; l++) {
		const model_ops *ops = list[l].ops;
		double params[64], secs, ndcg, prec;

		if (a < argc && strcmp(argv[a], ops->name) != 0)
			continue;
		model_params_default(ops, params);
		for (int q = a + 1; q < argc; q++) {
			char name[64];
			double x;
			if (sscanf(argv[q], "%63[^=]=%lf", name, &x) != 2)
				continue;
			int pi = model_param_index(ops, name);
			if (pi < 0) {
				fprintf(stderr, "unknown param %s\n", name);
				return 1;
			}
			params[pi] = x;
		}
		model *m = train_model(ops, ds, &use->train, params, &secs,
		    runs);
		if (ml_eval_topn(m, use, 10, &ndcg, &prec) < 0)
			return 1;
		printf("%-8s NDCG@10 %.4f (target >= %.3f %s)  P@10 %.4f  "
		    "train %.3f s wall, %.3f s cpu (best of %d)\n", ops->name,
		    ndcg, list[l].target, ndcg >= list[l].target ? "ok" :
		    "MISSED", prec, secs, bench_cpu, runs);
		ops->free(m);
	}
	free(ds);
	ml_parts_free(&s);
	if (val)
		ml_parts_free(&v);
	interactions_free(&all);
	return 0;
}
