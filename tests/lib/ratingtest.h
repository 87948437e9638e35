/* ratingtest.h: what the rating-model tests (test_baseline, test_mf,
 * test_svdpp) share: the check() tally, training for a number of epochs
 * while watching the loss, loading ml-100k u1.base/u1.test, and the
 * save/load round trip with its rejections of damaged blobs.  Include
 * once, after mldata.h and tinydata.h. */
#ifndef RF_RATINGTEST_H
#define RF_RATINGTEST_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/models/model.h"
#include "tests/lib/mldata.h"
#include "tests/lib/tinydata.h"

static int failures;

static inline void
check(int ok, const char *what)
{
	printf("%s: %s\n", ok ? "ok" : "FAIL", what);
	if (!ok)
		failures++;
}

/* Train for epochs; *mono stays 1 while no epoch's loss exceeds the one
 * before by more than slack.  params NULL means the defaults. */
static inline model *
rt_train(const model_ops *ops, const dataset *ds, const interactions *tr,
    const double *params, uint64_t seed, int epochs, double slack,
    int *mono, double *first, double *last)
{
	double loss = 0, prev = INFINITY;
	rf_error err;
	model *mod = ops->create(ds, tr, params, seed, &err);

	if (mod == NULL) {
		printf("create: %s\n", err.msg);
		return NULL;
	}
	*mono = 1;
	for (int e = 0; e < epochs; e++) {
		if (ops->epoch(mod, e, &loss, NULL, &err) != 0) {
			printf("epoch: %s\n", err.msg);
			ops->free(mod);
			return NULL;
		}
		if (e == 0)
			*first = loss;
		if (loss > prev + slack)
			*mono = 0;
		prev = loss;
	}
	*last = loss;
	return mod;
}

/* ml-100k u1.base and u1.test and a dataset over them.  0 on success,
 * else the exit status: 77 (skip) without data unless CI=true, 1 on
 * failure. */
static inline int
rt_load_u1(interactions *tr, interactions *te, dataset **ds)
{
	char path[1024];

	snprintf(path, sizeof path, "%s/ml-100k/u1.base", ml_data_dir());
	if (ml_load(path, 943, 1682, 0, tr) < 0) {
		const char *ci = getenv("CI");

		printf("no ml-100k under %s\n", ml_data_dir());
		if (ci != NULL && strcmp(ci, "true") == 0)
			return 1;
		return failures ? 1 : 77;
	}
	snprintf(path, sizeof path, "%s/ml-100k/u1.test", ml_data_dir());
	if (ml_load(path, 943, 1682, 0, te) < 0 ||
	    (*ds = ml_dataset(tr, 1)) == NULL) {
		printf("cannot read %s\n", path);
		return 1;
	}
	return 0;
}

/* Save, load back and compare scores bit-for-bit; then the blob cut
 * short by cut bytes, loaded with dim_param one larger (skipped when
 * NULL), and with byte flip_at xor flip_mask must all be rejected. */
static inline void
rt_round_trip(const dataset *ds, const interactions *tr, model *mod,
    size_t cut, const char *dim_param, size_t flip_at,
    unsigned char flip_mask)
{
	const model_ops *ops = mod->ops;
	rf_buf buf = { 0 };
	rf_error err;
	model *back;
	double other[16];

	if (ops->save(mod, &buf, &err) < 0) {
		check(0, "save");
		return;
	}
	back = ops->load(ds, tr, mod->params, buf.data, buf.len, &err);
	check(back != NULL, "load of a saved model");
	if (back != NULL) {
		check(same_scores(mod, back, tr->n_users, tr->n_items),
		    "loaded model scores bit-for-bit the same");
		ops->free(back);
	}
	back = ops->load(ds, tr, mod->params, buf.data, buf.len - cut, &err);
	check(back == NULL, "truncated blob rejected");
	if (dim_param != NULL) {
		memcpy(other, mod->params, (size_t)ops->nparams *
		    sizeof *other);
		other[model_param_index(ops, dim_param)] += 1;
		back = ops->load(ds, tr, other, buf.data, buf.len, &err);
		check(back == NULL, "blob with other dimensions rejected");
	}
	buf.data[flip_at] ^= flip_mask;
	back = ops->load(ds, tr, mod->params, buf.data, buf.len, &err);
	check(back == NULL, "bad magic rejected");
	rf_buf_free(&buf);
}

#endif
