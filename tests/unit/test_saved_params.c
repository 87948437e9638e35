/* test_saved_params: a saved model whose checksum is right but whose
 * parameters are out of range (issue 11, finding 4: EASE max_items = -5,
 * NaN or 1e300; ALS reg NaN, cg_steps -1e9) is refused with a message that
 * names the parameter, before any float-to-int conversion (run under UBSan
 * with float-cast-overflow to see it); so is a model whose saved arrays
 * hold a NaN, for every model of the registry. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/core/hash.h"
#include "engine/models/registry.h"
#include "engine/store/saved_models.h"
#include "engine/train/train.h"
#include "tests/lib/check.h"
#include "tests/lib/tinydata.h"

/* The saved blob's layout (engine/train/train.h): the header, then the
 * parameters as doubles. */
#define HEADER_BYTES (8 + 4 * 4 + 8 * 4)

static store *st;
static dataset ds;
static model_fingerprint fp;

/* The bytes of the first saved version of ops, as trained (malloc'd), or
 * NULL. */
static unsigned char *
saved_bytes(const model_ops *ops, size_t *len)
{
	store_model_info info;
	store_model_reader *r;
	unsigned char *data;
	rf_error err;

	if (store_model_find(st, ops->name, 1, &info, &err) != 1 ||
	    (data = malloc((size_t)info.size + 1)) == NULL)
		return NULL;
	if ((r = store_model_open(st, info.id, &err)) == NULL) {
		free(data);
		return NULL;
	}
	*len = (size_t)store_model_read(r, data, (size_t)info.size, &err);
	store_model_close(r);
	return data;
}

/* Save data as a new version with the right checksum; its version. */
static int
save_bytes(const model_ops *ops, const unsigned char *data, size_t len)
{
	store_model_writer *w;
	char sum[17];
	rf_error err;
	int version = 0;

	snprintf(sum, sizeof sum, "%016" PRIx64, rf_fnv1a(RF_FNV_SEED, data,
	    len));
	if ((w = store_model_begin(st, ops->name, 0, 1, &err)) == NULL ||
	    store_model_write(w, data, len, &err) < 0 ||
	    store_model_commit(w, sum, &version, &err) < 0)
		CHECK_FAIL("%s: saving the altered blob: %s", ops->name,
		    err.msg);
	return version;
}

/* The blob with parameter k set to v is refused, naming it. */
static void
check_param_refused(const model_ops *ops, const unsigned char *blob,
    size_t len, int k, double v)
{
	unsigned char *bad = malloc(len);
	char want[128];
	rf_error err = { { 0 } };
	model *m;
	int version;

	if (bad == NULL) {
		CHECK_FAIL("out of memory");
		return;
	}
	memcpy(bad, blob, len);
	memcpy(bad + HEADER_BYTES + (size_t)k * sizeof v, &v, sizeof v);
	version = save_bytes(ops, bad, len);
	check_context("%s %s=%g", ops->name, ops->params[k].name, v);
	m = train_load_model(st, ops, version, &ds, &ds.all, &fp, NULL, NULL,
	    &err);
	CHECK(m == NULL);
	snprintf(want, sizeof want, "saved parameter %s=%g is out of range",
	    ops->params[k].name, v);
	CHECK_CONTAINS(err.msg, want);
	if (m != NULL)
		ops->free(m);
	/* The model's own load refuses them too, whoever calls it. */
	{
		double params[64];

		memcpy(params, bad + HEADER_BYTES, (size_t)ops->nparams *
		    sizeof *params);
		m = ops->load(&ds, &ds.all, params, bad + HEADER_BYTES +
		    (size_t)ops->nparams * sizeof(double), len - HEADER_BYTES -
		    (size_t)ops->nparams * sizeof(double), &err);
		CHECK(m == NULL);
		CHECK_CONTAINS(err.msg, want);
		if (m != NULL)
			ops->free(m);
	}
	check_context_clear();
	free(bad);
}

/* Out-of-range values of each kind for parameter k. */
static void
check_model_params(const model_ops *ops, const unsigned char *blob,
    size_t len)
{
	for (int k = 0; k < ops->nparams; k++) {
		const model_param *p = &ops->params[k];

		check_param_refused(ops, blob, len, k, NAN);
		check_param_refused(ops, blob, len, k, 1e300);
		check_param_refused(ops, blob, len, k, -1e9);
		check_param_refused(ops, blob, len, k, p->min - 1);
		check_param_refused(ops, blob, len, k, p->max + 1);
		if (p->integer && p->max - p->min >= 1)
			check_param_refused(ops, blob, len, k, p->min + 0.5);
	}
}

/* The blob with its last float a NaN (every model ends on an array of
 * floats) is refused for a non-finite value; the blob as saved loads. */
static void
check_model_arrays(const model_ops *ops, const unsigned char *blob,
    size_t len)
{
	unsigned char *bad = malloc(len);
	float nan_value = NAN;
	rf_error err = { { 0 } };
	model *m;
	int version;

	if (bad == NULL) {
		CHECK_FAIL("out of memory");
		return;
	}
	check_context("%s", ops->name);
	m = train_load_model(st, ops, 1, &ds, &ds.all, &fp, NULL, NULL, &err);
	CHECK_MSG(m != NULL, "the saved model does not load: %s", err.msg);
	if (m != NULL)
		ops->free(m);
	memcpy(bad, blob, len);
	memcpy(bad + len - sizeof nan_value, &nan_value, sizeof nan_value);
	version = save_bytes(ops, bad, len);
	m = train_load_model(st, ops, version, &ds, &ds.all, &fp, NULL, NULL,
	    &err);
	CHECK(m == NULL);
	CHECK_CONTAINS(err.msg, "finite");
	if (m != NULL)
		ops->free(m);
	check_context_clear();
	free(bad);
}

/* The cases of the issue, by name. */
static void
check_issue_cases(void)
{
	struct {
		const model_ops *ops;
		const char *param;
		double v;
	} cases[] = {
		{ &model_ease_ops, "max_items", -5 },
		{ &model_ease_ops, "max_items", NAN },
		{ &model_ease_ops, "max_items", 1e300 },
		{ &model_als_ops, "reg", NAN },
		{ &model_als_ops, "cg_steps", -1e9 },
	};

	for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
		const model_ops *ops = cases[c].ops;
		int k = model_param_index(ops, cases[c].param);
		unsigned char *blob;
		size_t len = 0;

		CHECK_MSG(k >= 0, "%s has no parameter %s", ops->name,
		    cases[c].param);
		if (k < 0 || (blob = saved_bytes(ops, &len)) == NULL)
			continue;
		check_param_refused(ops, blob, len, k, cases[c].v);
		free(blob);
	}
}

int
main(void)
{
	char path[256];
	rf_error err = { { 0 } };

	/* 30 users, 12 items, ratings 1..5: every model trains on it. */
	if (tiny_rating_dataset(&ds, 30, 12, 11) < 0) {
		CHECK_FAIL("out of memory");
		return check_done();
	}
	fp.n_users = 30;
	fp.n_items = 12;
	fp.nnz = fp.train_nnz = ds.all.nnz;

	snprintf(path, sizeof path, "%s/test_saved_params_%ld.db",
	    getenv("TMPDIR") && *getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp",
	    (long)getpid());
	unlink(path);
	if ((st = store_open(path, STORE_CREATE, &err)) == NULL) {
		CHECK_FAIL("store: %s", err.msg);
		return check_done();
	}
	for (const model_ops *const *o = model_all(); *o != NULL; o++) {
		const model_ops *ops = *o;
		unsigned char *blob;
		size_t len = 0;
		model *m;
		int version;

		if (ops->load == NULL)
			continue;
		if ((m = tiny_train_default(ops, &ds, 3, &err)) == NULL) {
			CHECK_FAIL("%s: training: %s", ops->name, err.msg);
			continue;
		}
		CHECK_MSG(train_save_model(st, 0, m, &fp, &version, &err) == 0,
		    "%s: save: %s", ops->name, err.msg);
		ops->free(m);
		if ((blob = saved_bytes(ops, &len)) == NULL) {
			CHECK_FAIL("%s: no saved bytes", ops->name);
			continue;
		}
		check_model_arrays(ops, blob, len);
		check_model_params(ops, blob, len);
		free(blob);
	}
	check_issue_cases();
	store_close(st);
	unlink(path);
	interactions_free(&ds.all);
	return check_done();
}
