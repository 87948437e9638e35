/* protocol_a: the rating protocol on ml-100k.  Each rating model (baseline,
 * mf, svdpp) is trained with its defaults on u1..u5.base and scored on
 * u1..u5.test: RMSE and MAE per split, their means, the training time
 * (create + default epochs) per fold, best of R runs (the machine is
 * shared and noisy; the runs are identical, deterministic under the
 * seed), against the quality bar.
 * Usage: protocol_a [-r R] [model ...] (default: R = 3, all three models).
 * Run with OPENBLAS_NUM_THREADS=1.  Exit 0 unless data or training
 * fails. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/models/model.h"
#include "engine/models/registry.h"
#include "tests/lib/mldata.h"

typedef struct target {
	const model_ops *ops;
	double rmse;		/* the bar: mean RMSE over u1..u5 */
	double seconds;		/* the bar: training time per fold */
} target;

static int repeats = 3;

static int
run_fold(const model_ops *ops, int fold, double *rmse, double *mae,
    double *secs)
{
	char path[1024];
	interactions tr, te;
	dataset *ds;
	model *m;
	rf_error err;
	double t0, se = 0, ae = 0, loss;

	snprintf(path, sizeof path, "%s/ml-100k/u%d.base", ml_data_dir(),
	    fold);
	if (ml_load(path, 943, 1682, 0, &tr) < 0) {
		fprintf(stderr, "protocol_a: cannot read %s\n", path);
		return -1;
	}
	snprintf(path, sizeof path, "%s/ml-100k/u%d.test", ml_data_dir(),
	    fold);
	if (ml_load(path, 943, 1682, 0, &te) < 0) {
		fprintf(stderr, "protocol_a: cannot read %s\n", path);
		interactions_free(&tr);
		return -1;
	}
	ds = ml_dataset(&tr, 1);
	if (ds == NULL)
		return -1;
	*secs = INFINITY;
	m = NULL;
	for (int rep = 0; rep < repeats; rep++) {
		if (m != NULL)
			ops->free(m);
		t0 = rf_monotonic();
		m = ops->create(ds, &tr, NULL, 1, &err);
		for (int e = 0; m != NULL && e < ops->default_epochs; e++)
			if (ops->epoch(m, e, &loss, NULL, &err) != 0) {
				ops->free(m);
				m = NULL;
			}
		if (m == NULL)
			break;
		if (rf_monotonic() - t0 < *secs)
			*secs = rf_monotonic() - t0;
	}
	if (m == NULL) {
		fprintf(stderr, "protocol_a: %s: %s\n", ops->name, err.msg);
		return -1;
	}
	for (int u = 0; u < te.n_users; u++)
		for (int64_t p = te.ptr[u]; p < te.ptr[u + 1]; p++) {
			double d = ops->predict(m, u, te.idx[p]) - te.val[p];

			se += d * d;
			ae += fabs(d);
		}
	*rmse = sqrt(se / (double)te.nnz);
	*mae = ae / (double)te.nnz;
	ops->free(m);
	free(ds);
	interactions_free(&tr);
	interactions_free(&te);
	return 0;
}

int
main(int argc, char **argv)
{
	const target all[] = {
		{ &model_baseline_ops, 0.945, 1.0 },
		{ &model_mf_ops, 0.910, 0.05 },
		{ &model_svdpp_ops, 0.908, 1.0 },
	};
	int ok = 1, first = 1;

	if (argc > 2 && strcmp(argv[1], "-r") == 0) {
		repeats = atoi(argv[2]) > 0 ? atoi(argv[2]) : 1;
		first = 3;
	}

	printf("Protocol A: ml-100k, defaults, seed 1, train u<k>.base, "
	    "test u<k>.test; times best of %d\n", repeats);
	for (size_t t = 0; t < sizeof all / sizeof *all; t++) {
		const model_ops *ops = all[t].ops;
		double sr = 0, sa = 0, st = 0, best = INFINITY;
		int want = argc <= first;

		for (int a = first; a < argc; a++)
			want |= strcmp(argv[a], ops->name) == 0;
		if (!want)
			continue;
		printf("%-8s (%d epochs)\n", ops->name, ops->default_epochs);
		for (int fold = 1; fold <= 5; fold++) {
			double r, mae, secs;

			if (run_fold(ops, fold, &r, &mae, &secs) < 0) {
				ok = 0;
				break;
			}
			printf("  u%d  RMSE %.4f  MAE %.4f  train %.3f s\n",
			    fold, r, mae, secs);
			sr += r;
			sa += mae;
			st += secs;
			best = secs < best ? secs : best;
		}
		printf("  mean RMSE %.4f  MAE %.4f  (target RMSE <= %.3f: %s)\n"
		    "  train per fold: mean %.3f s, fastest fold %.3f s "
		    "(target <= %.2f s: %s)\n", sr / 5, sa / 5, all[t].rmse,
		    sr / 5 <= all[t].rmse ? "met" : "MISSED", st / 5, best,
		    all[t].seconds, st / 5 <= all[t].seconds ? "met" : "MISSED");
	}
	return ok ? 0 : 1;
}
