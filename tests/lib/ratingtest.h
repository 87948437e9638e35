/* ratingtest.h: what the rating-model tests (test_baseline, test_mf,
 * test_svdpp) share: training for a number of epochs while watching the
 * loss, loading ml-100k u1.base/u1.test, and the save/load round trip
 * with its rejections of damaged blobs.  Include once, after mldata.h
 * and tinydata.h. */
#ifndef RF_RATINGTEST_H
#define RF_RATINGTEST_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/models/model.h"
#include "tests/lib/check.h"
#include "tests/lib/mldata.h"
#include "tests/lib/tinydata.h"

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
		CHECK_FAIL("%s create: %s", ops->name, err.msg);
		return NULL;
	}
	*mono = 1;
	for (int e = 0; e < epochs; e++) {
		if (ops->epoch(mod, e, &loss, NULL, &err) != 0) {
			CHECK_FAIL("%s epoch %d: %s", ops->name, e, err.msg);
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

/* ml-100k u1.base and u1.test and a dataset over them.  Without the
 * data the test skips (77), or fails under CI=true. */
static inline void
rt_load_u1(interactions *tr, interactions *te, dataset **ds)
{
	const char *dir = check_data_dir("ml-100k/u1.test");
	char path[4200];

	snprintf(path, sizeof path, "%s/ml-100k/u1.base", dir);
	if (ml_load(path, 943, 1682, 0, tr) < 0) {
		CHECK_FAIL("cannot read %s", path);
		exit(check_done());
	}
	snprintf(path, sizeof path, "%s/ml-100k/u1.test", dir);
	if (ml_load(path, 943, 1682, 0, te) < 0) {
		CHECK_FAIL("cannot read %s", path);
		exit(check_done());
	}
	if ((*ds = ml_dataset(tr, 1)) == NULL) {
		CHECK_FAIL("out of memory");
		exit(check_done());
	}
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
		CHECK_FAIL("%s save: %s", ops->name, err.msg);
		return;
	}
	/* a saved model loads back and scores bit-for-bit the same */
	back = ops->load(ds, tr, mod->params, buf.data, buf.len, &err);
	CHECK_MSG(back != NULL, "%s load: %s", ops->name, err.msg);
	if (back != NULL) {
		CHECK_EQ(same_scores(mod, back, tr->n_users, tr->n_items), 1);
		ops->free(back);
	}
	/* damaged blobs are rejected: cut short, other dimensions, magic */
	back = ops->load(ds, tr, mod->params, buf.data, buf.len - cut, &err);
	CHECK(back == NULL);
	if (dim_param != NULL) {
		int p = model_param_index(ops, dim_param);

		CHECK_MSG(p >= 0, "%s has no parameter %s", ops->name,
		    dim_param);
		memcpy(other, mod->params, (size_t)ops->nparams *
		    sizeof *other);
		if (p >= 0)
			other[p] += 1;
		back = ops->load(ds, tr, other, buf.data, buf.len, &err);
		CHECK(back == NULL);
	}
	buf.data[flip_at] ^= flip_mask;
	back = ops->load(ds, tr, mod->params, buf.data, buf.len, &err);
	CHECK(back == NULL);
	rf_buf_free(&buf);
}

#endif
