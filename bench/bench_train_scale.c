/* bench_train_scale: one model trained on an imported store at scale (10 M
 * events and more), through the engine as the `train` command does it but
 * without the test evaluation that follows it: per epoch the loss, the
 * validation NDCG@10 on a sample of users (popularity's beside it, the bar
 * every model must clear), the epoch's time and the process's resident
 * memory; at the end the peak resident memory of the whole process (store
 * snapshot, split, model) and what training added to it.
 *
 *   bench_train_scale STORE MODEL [--epochs N] [--split SPEC]
 *                     [--valid-users N] [name=value ...]
 *
 * SPEC is the split command's text ("temporal 0.2 --valid 0.1", the
 * default; "none": no validation).  The split is made in memory, not
 * stored.  OPENBLAS_NUM_THREADS=1 is expected (set by the callers). */
#include <math.h>
#include <stdio.h>
#include <time.h>
#include <stdlib.h>
#include <string.h>

#include "engine/core/rf.h"
#include "engine/core/threads.h"
#include "engine/data/dataset.h"
#include "engine/data/split.h"
#include "engine/models/model.h"
#include "engine/models/registry.h"
#include "engine/store/store.h"
#include "engine/train/train.h"

/* VmRSS or VmHWM of this process, in MB (-1 when unknown). */
static double
mem_mb(const char *field)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	double kb = -1;
	size_t n = strlen(field);

	if (f == NULL)
		return -1;
	while (fgets(line, sizeof line, f) != NULL)
		if (strncmp(line, field, n) == 0 && line[n] == ':')
			kb = atof(line + n + 1);
	fclose(f);
	return kb < 0 ? -1 : kb / 1024;
}

/* CPU seconds of the process (every thread): under a shared machine's
 * load the wall clock says little. */
static double
cpu_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static double last_cpu;

static void
die(const char *what, const rf_error *err)
{
	fprintf(stderr, "bench_train_scale: %s: %s\n", what, err->msg);
	exit(1);
}

static void
on_epoch(void *ud, const train_event *ev)
{
	(void)ud;
	if (ev->kind == TRAIN_EPOCH) {
		double cpu = cpu_seconds();

		printf("  epoch %3d  loss %.9g  valid NDCG@10 %.4f  %.2f s "
		    "(CPU %.2f s)  RSS %.0f MB\n", ev->epoch + 1, ev->loss,
		    ev->valid_metric, ev->seconds, cpu - last_cpu,
		    mem_mb("VmRSS"));
		last_cpu = cpu;
	}
	else if (ev->kind == TRAIN_FAILED)
		printf("  failed: %s\n", ev->msg);
	fflush(stdout);
}

/* Train ops with params for epochs on the parts, printing as it goes; the
 * model is freed. */
static void
train_one(const model_ops *ops, const double *params, int epochs,
    const dataset *ds, const interactions *tr, const interactions *va,
    int valid_users, int verbose)
{
	train_spec spec;
	rf_error err = { { 0 } };
	double t0 = rf_monotonic(), before = mem_mb("VmRSS");
	model *m;

	memset(&spec, 0, sizeof spec);
	spec.ops = ops;
	spec.params = params;
	spec.epochs = epochs;
	spec.seed = 42;
	spec.ds = ds;
	spec.train = tr;
	spec.valid = va != NULL && va->nnz > 0 ? va : NULL;
	spec.valid_k = 10;
	spec.valid_max_users = valid_users;
	last_cpu = cpu_seconds();
	m = train_run(&spec, verbose ? on_epoch : NULL, NULL, NULL, NULL,
	    &err);
	if (m == NULL)
		die(ops->name, &err);
	if (verbose)
		printf("%s: %d epochs in %.2f s; RSS before %.0f MB, after "
		    "%.0f MB\n", ops->name, epochs, rf_monotonic() - t0, before,
		    mem_mb("VmRSS"));
	ops->free(m);
}

int
main(int argc, char **argv)
{
	const char *split_text = "temporal 0.2 --valid 0.1";
	int epochs = -1, valid_users = 2000;
	rf_error err = { { 0 } };
	const model_ops *ops;
	double *params;
	store *st;
	dataset *ds;
	split_spec spec;
	split sp;
	interactions tr, va;
	double t0;

	if (argc < 3) {
		fprintf(stderr, "usage: bench_train_scale STORE MODEL "
		    "[--epochs N] [--split SPEC] [--valid-users N] "
		    "[name=value ...]\n");
		return 2;
	}
	if ((ops = model_lookup(argv[2])) == NULL) {
		fprintf(stderr, "bench_train_scale: no model %s\n", argv[2]);
		return 2;
	}
	if ((params = malloc((size_t)(ops->nparams + 1) * sizeof *params)) ==
	    NULL)
		return 1;
	model_params_default(ops, params);
	for (int i = 3; i < argc; i++) {
		if (strcmp(argv[i], "--epochs") == 0 && i + 1 < argc)
			epochs = atoi(argv[++i]);
		else if (strcmp(argv[i], "--split") == 0 && i + 1 < argc)
			split_text = argv[++i];
		else if (strcmp(argv[i], "--valid-users") == 0 && i + 1 < argc)
			valid_users = atoi(argv[++i]);
		else if (train_parse_param(ops, argv[i], params, &err) < 0)
			die("parameters", &err);
	}
	if (epochs < 1)
		epochs = ops->default_epochs;
	rf_blas_init();
	t0 = rf_monotonic();
	if ((st = store_open(argv[1], STORE_READONLY, &err)) == NULL)
		die(argv[1], &err);
	if ((ds = dataset_build(st, &err)) == NULL)
		die("snapshot", &err);
	store_close(st);
	printf("snapshot: %d users, %d items, %lld entries in %.2f s, RSS "
	    "%.0f MB\n", ds->n_users, ds->n_items, (long long)ds->all.nnz,
	    rf_monotonic() - t0, mem_mb("VmRSS"));
	t0 = rf_monotonic();
	if (split_parse(split_text, &spec, &err) < 0 ||
	    split_make(&ds->all, &spec, &sp, &err) < 0 ||
	    split_extract(&ds->all, sp.assign, SPLIT_MASK_TRAIN,
	    SPLIT_X_TRANSPOSE | SPLIT_X_TIMES, &tr, &err) < 0 ||
	    split_extract(&ds->all, sp.assign, SPLIT_MASK_VALID, 0, &va,
	    &err) < 0)
		die("split", &err);
	printf("split %s: train %lld, valid %lld in %.2f s, RSS %.0f MB\n",
	    sp.text, (long long)sp.n_train, (long long)sp.n_valid,
	    rf_monotonic() - t0, mem_mb("VmRSS"));
	fflush(stdout);
	if (va.nnz > 0 && !(ops->traits & MODEL_BY_POPULARITY)) {
		const model_ops *const *all = model_all(), *pop = NULL;
		double pp[8];

		for (int k = 0; all[k] != NULL; k++)
			if (all[k]->traits & MODEL_BY_POPULARITY)
				pop = all[k];
		model_params_default(pop, pp);
		printf("popularity (the bar):\n");
		train_one(pop, pp, 1, ds, &tr, &va, valid_users, 1);
	}
	printf("%s (%d epochs):\n", ops->name, epochs);
	train_one(ops, params, epochs, ds, &tr, &va, valid_users, 1);
	printf("peak RSS of the process %.0f MB\n", mem_mb("VmHWM"));
	interactions_free(&tr);
	interactions_free(&va);
	split_free(&sp);
	dataset_free(ds);
	free(params);
	return 0;
}
