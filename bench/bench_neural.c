/* bench_neural: Protocol B (implicit top-N on ml-100k) for bpr and neural.
 * Every rating of u.data is a positive; per user with >= 5 ratings, the
 * last round(0.2 n) by (timestamp, item) are held out; every item not in
 * the user's train is ranked; NDCG@10 and P@10 against the targets.
 *
 *   bench_neural [--val] [--model bpr|neural|neural-f] [--epochs N]
 *                [--seed S] [name=value ...]
 *
 * --val carves a validation split out of the train part the same way and
 * evaluates on it (how the defaults were tuned; the test part is never
 * looked at then).  With no --model, runs every variant with defaults. */
#include <math.h>
#include <stdio.h>
#include <time.h>
#include <stdlib.h>
#include <string.h>

#include "engine/models/model.h"
#include "engine/models/registry.h"
#include "engine/core/rf.h"
#include "tests/lib/mldata.h"

#define TOPK 10

static int
run(const char *label, const model_ops *ops, const dataset *ds,
    const ml_parts *s, int argc, char **argv, int epochs, uint64_t seed,
    double target, int verbose)
{
	double *params = malloc((size_t)ops->nparams * sizeof *params);
	double t0, t1, loss = 0, ndcg, prec;
	clock_t c0, c1;
	rf_error err = { "" };
	model *m;

	if (params == NULL)
		return -1;
	model_params_default(ops, params);
	ml_apply_params(ops, params, argc, argv, verbose);
	if (epochs <= 0)
		epochs = ops->default_epochs;
	t0 = rf_monotonic();
	c0 = clock();
	m = ops->create(ds, &s->train, params, seed, &err);
	if (m == NULL) {
		fprintf(stderr, "%s: %s\n", label, err.msg);
		free(params);
		return -1;
	}
	for (int e = 0; e < epochs; e++) {
		if (ops->epoch(m, e, &loss, NULL, &err) < 0) {
			fprintf(stderr, "%s: %s\n", label, err.msg);
			ops->free(m);
			free(params);
			return -1;
		}
		if (verbose > 1) {
			double n2 = NAN, p2;

			if (ml_eval_topn(m, s, TOPK, &n2, &p2) < 0)
				n2 = NAN;
			printf("  %s epoch %2d loss %.5f ndcg@10 %.4f (%.1fs)\n",
			    label, e + 1, loss, n2, rf_monotonic() - t0);
			fflush(stdout);
		}
	}
	t1 = rf_monotonic();
	c1 = clock();
	if (ml_eval_topn(m, s, TOPK, &ndcg, &prec) < 0)
		return -1;
	printf("%-9s NDCG@10 %.4f (target >= %.3f %s)  P@10 %.4f  "
	    "train %.2fs wall %.2fs cpu (%d epochs, last loss %.4f)  "
	    "eval %.2fs\n", label, ndcg, target,
	    ndcg >= target ? "ok" : "MISSED", prec, t1 - t0,
	    (double)(c1 - c0) / CLOCKS_PER_SEC, epochs, loss,
	    rf_monotonic() - t1);
	fflush(stdout);
	ops->free(m);
	free(params);
	return 0;
}

int
main(int argc, char **argv)
{
	char path[4096];
	interactions all;
	ml_parts outer, inner;
	const ml_parts *use;
	dataset *ds;
	const char *which = NULL;
	int val = 0, epochs = 0, verbose = 1, a;
	uint64_t seed = 42;

	for (a = 1; a < argc; a++) {
		if (strcmp(argv[a], "--val") == 0)
			val = 1;
		else if (strcmp(argv[a], "--model") == 0 && a + 1 < argc)
			which = argv[++a];
		else if (strcmp(argv[a], "--epochs") == 0 && a + 1 < argc)
			epochs = atoi(argv[++a]);
		else if (strcmp(argv[a], "--seed") == 0 && a + 1 < argc)
			seed = strtoull(argv[++a], NULL, 10);
		else if (strcmp(argv[a], "-v") == 0)
			verbose = 2;
		else
			break;
	}
	snprintf(path, sizeof path, "%s/ml-100k/u.data", ml_data_dir());
	if (ml_load(path, 943, 1682, 1, &all) < 0) {
		fprintf(stderr, "bench_neural: cannot read %s\n", path);
		return 77;
	}
	if (ml_temporal_parts(&all, 0.2, &outer) < 0) {
		fprintf(stderr, "bench_neural: out of memory\n");
		return 1;
	}
	use = &outer;
	if (val) {
		if (ml_temporal_parts(&outer.train, 0.2, &inner) < 0)
			return 1;
		use = &inner;
	}
	ds = ml_dataset(&use->train, 0);
	if (ds == NULL)
		return 1;
	printf("Protocol B%s: %d users, %d items, %lld train, %lld held out\n",
	    val ? " (validation carved from train)" : "", use->train.n_users,
	    use->train.n_items, (long long)use->train.nnz,
	    (long long)use->test.nnz);
	if (which == NULL || strcmp(which, "bpr") == 0)
		run("bpr", &model_bpr_ops, ds, use, argc - a, argv + a, epochs,
		    seed, 0.150, verbose);
	if (which == NULL || strcmp(which, "neural") == 0)
		run("neural", &model_neural_ops, ds, use, argc - a, argv + a,
		    epochs, seed, 0.165, verbose);
	if (which == NULL || strcmp(which, "neural-f") == 0) {
		char *fa[64];
		int n = 0;

		fa[n++] = "features=1";
		for (int k = a; k < argc && n < 64; k++)
			fa[n++] = argv[k];
		run("neural-f", &model_neural_ops, ds, use, n, fa, epochs,
		    seed, 0.165, verbose);
	}
	free(ds);
	if (val)
		ml_parts_free(&inner);
	ml_parts_free(&outer);
	interactions_free(&all);
	return 0;
}
