/* test_train: the training loop, its events and records on tiny data, with
 * a toy model defined here (so the test does not depend on the real
 * models): epochs recorded in the store, a cancel in the middle of an epoch
 * keeps the state of the last completed epoch (synchronously and on the
 * background thread), same seed -> same scores, saved blobs versioned and
 * checksummed; and the pop model's ranking checked by hand. */
#include <math.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "engine/eval/metrics.h"
#include "engine/models/registry.h"
#include "engine/store/query.h"
#include "engine/store/saved_models.h"
#include "engine/train/train.h"
#include "engine/core/rng.h"
#include "tests/lib/check.h"

/*
 * The toy model: a seeded random offset per item plus a level that each
 * completed epoch raises by `step`.  An epoch runs 10 "mini-batches"; the
 * new level is committed only at the end, so a cancel in the middle leaves
 * the previous epoch's state.  cancel_at (epoch * 10 + batch) makes the
 * model raise the cancel flag itself mid-epoch, like a Ctrl-C would.
 */
typedef struct toy_model {
	model base;
	float *offset;
	double level;
} toy_model;

static volatile int toy_cancel;
static int toy_cancel_at = -1;
static int toy_sleep_us;

static const model_param toy_params[] = {
	{ "step", 1, 0, 10, 0.5, 0, "level added per epoch" },
	{ "batches", 10, 1, 100, 1, 1, "mini-batches per epoch" },
};

extern const model_ops toy_ops;
const model_ops toy_ops;

static model *
toy_create(const dataset *ds, const interactions *train, const double *params,
    uint64_t seed, rf_error *err)
{
	toy_model *t = calloc(1, sizeof *t);
	rf_rng r;

	if (t == NULL || model_init_header(&t->base, &toy_ops, ds, train,
	    params, seed, err) < 0 ||
	    (t->offset = calloc((size_t)train->n_items, sizeof(float))) ==
	    NULL) {
		free(t);
		rf_fail(err, "toy: out of memory");
		return NULL;
	}
	rf_rng_seed(&r, seed);
	for (int i = 0; i < train->n_items; i++)
		t->offset[i] = (float)rf_rng_uniform(&r);
	return &t->base;
}

static int
toy_epoch(model *m, int epoch, double *loss, const volatile int *cancel,
    rf_error *err)
{
	toy_model *t = (toy_model *)m;
	double next = t->level;
	int batches = (int)m->params[1];

	(void)err;
	for (int b = 0; b < batches; b++) {
		if (epoch * 10 + b == toy_cancel_at)
			toy_cancel = 1;
		if (cancel && *cancel)
			return 1;
		next += m->params[0] / batches;
		if (toy_sleep_us) {
			struct timespec ts = { 0, toy_sleep_us * 1000L };

			nanosleep(&ts, NULL);
		}
	}
	t->level = next;
	*loss = 1.0 / (epoch + 1);
	return 0;
}

static void
toy_score(const model *m, int u, float *out)
{
	const toy_model *t = (const toy_model *)m;

	(void)u;
	for (int i = 0; i < m->train->n_items; i++)
		out[i] = (float)(t->level * (i + 1)) + t->offset[i];
}

static int
toy_save(const model *m, rf_buf *out, rf_error *err)
{
	const toy_model *t = (const toy_model *)m;

	if (rf_buf_append(out, &t->level, sizeof t->level) < 0 ||
	    rf_buf_append(out, t->offset, (size_t)m->train->n_items *
	    sizeof(float)) < 0)
		return rf_fail(err, "toy: out of memory");
	return 0;
}

static void toy_free(model *m);

static model *
toy_load(const dataset *ds, const interactions *train, const double *params,
    const void *data, size_t len, rf_error *err)
{
	toy_model *t;

	if (len != sizeof(double) + (size_t)train->n_items * sizeof(float)) {
		rf_fail(err, "toy: bad blob");
		return NULL;
	}
	if ((t = (toy_model *)toy_create(ds, train, params, 0, err)) == NULL)
		return NULL;
	memcpy(&t->level, data, sizeof t->level);
	memcpy(t->offset, (const char *)data + sizeof t->level, len -
	    sizeof t->level);
	return &t->base;
}

static void
toy_free(model *m)
{
	toy_model *t = (toy_model *)m;

	free(t->offset);
	model_free_header(m);
	free(t);
}

const model_ops toy_ops = {
	.name = "toy", .help = "test model", .kinds = MODEL_TOPN,
	.params = toy_params, .nparams = 2, .default_epochs = 5,
	.create = toy_create, .epoch = toy_epoch, .score_user = toy_score,
	.save = toy_save, .load = toy_load, .free = toy_free,
};

/* Tiny data: 4 users x 5 items.
 *   u0: i0 i1 i2;  u1: i1 i2;  u2: i2 i4;  u3: i1
 * distinct users per item: i0 1, i1 3, i2 3, i3 0, i4 1 */
static void
tiny(interactions *m)
{
	static const int64_t ptr[] = { 0, 3, 5, 7, 8 };
	static const int32_t idx[] = { 0, 1, 2, 1, 2, 2, 4, 1 };

	if (interactions_alloc(m, 4, 5, 8) < 0) {
		CHECK_FAIL("out of memory");
		exit(check_done());
	}
	memcpy(m->ptr, ptr, sizeof ptr);
	memcpy(m->idx, idx, sizeof idx);
	for (int k = 0; k < 8; k++) {
		m->val[k] = 1;
		m->ts[k] = k;
	}
	CHECK_EQ(interactions_build_transpose(m), 0);
}

struct collect {
	train_event ev[64];
	int n;
	store *st;
	int64_t run;
};

static void
collect_event(void *ud, const train_event *ev)
{
	struct collect *c = ud;

	if (c->n < 64)
		c->ev[c->n++] = *ev;
	if (c->st && ev->kind == TRAIN_EPOCH)
		train_record_epoch(c->st, c->run, ev, NULL);
}

static int64_t
query_int(store *st, const char *sql)
{
	rf_table *t = store_query(st, sql, 1, NULL);
	int64_t v = -1;

	if (t != NULL && t->nrows > 0 && table_get(t, 0, 0) != NULL)
		v = strtoll(table_get(t, 0, 0), NULL, 10);
	table_free(t);
	return v;
}

static void
test_pop(const dataset *ds, const interactions *train)
{
	rf_error err;
	model *m = model_pop_ops.create(ds, train, NULL, 1, &err);
	float s[5];
	int32_t top[5];
	double loss;
	int n;

	if (m == NULL) {
		CHECK_FAIL("pop create: %s", err.msg);
		return;
	}
	CHECK_MSG(model_pop_ops.epoch(m, 0, &loss, NULL, &err) == 0,
	    "pop epoch: %s", err.msg);
	model_pop_ops.score_user(m, 0, s);
	/* counts 1 3 3 0 1 -> ranking i1 i2 (tie: lower index first),
	 * then i0 i4 (tie), then i3 */
	n = topk_select(s, 5, 5, top);
	CHECK_EQ(n, 5);
	{
		static const int32_t want[] = { 1, 2, 0, 4, 3 };

		for (int k = 0; k < 5 && k < n; k++)
			CHECK_EQ(top[k], want[k]);
	}
	/* For u0 (train i0 i1 i2) the candidates are i4 then i3. */
	for (int64_t p = train->ptr[0]; p < train->ptr[1]; p++)
		s[train->idx[p]] = -INFINITY;
	n = topk_select(s, 5, 2, top);
	CHECK_EQ(n, 2);
	CHECK_EQ(top[0], 4);
	CHECK_EQ(top[1], 3);
	model_pop_ops.free(m);
}

int
main(void)
{
	interactions train, valid;
	dataset ds;
	double params[2] = { 1, 10 };
	train_spec spec;
	struct collect c;
	rf_error err;
	int cancelled;
	model *m, *m2;
	char path[512];
	store *st;
	float s1[5], s2[5];

	tiny(&train);
	memset(&ds, 0, sizeof ds);
	ds.n_users = 4;
	ds.n_items = 5;
	ds.all = train;
	/* valid: u0 -> i3, u3 -> i2 */
	if (interactions_alloc(&valid, 4, 5, 2) < 0) {
		CHECK_FAIL("out of memory");
		return check_done();
	}
	valid.ptr[1] = valid.ptr[2] = valid.ptr[3] = 1;
	valid.ptr[4] = 2;
	valid.idx[0] = 3;
	valid.idx[1] = 2;
	valid.val[0] = valid.val[1] = 1;

	test_pop(&ds, &train);

	snprintf(path, sizeof path, "%s/test_train_%ld.db",
	    getenv("TMPDIR") && *getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp",
	    (long)getpid());
	unlink(path);
	if ((st = store_open(path, STORE_CREATE, &err)) == NULL) {
		CHECK_FAIL("store: %s", err.msg);
		return check_done();
	}
	/* Saved models of several chunks each (the toy's blob: ~100 bytes). */
	store_set_model_chunk(st, 40);

	/* A full run, recorded. */
	memset(&spec, 0, sizeof spec);
	spec.ops = &toy_ops;
	spec.params = params;
	spec.epochs = 4;
	spec.seed = 7;
	spec.ds = &ds;
	spec.train = &train;
	spec.valid = &valid;
	spec.valid_k = 10;
	memset(&c, 0, sizeof c);
	c.st = st;
	c.run = train_record_start(st, &toy_ops, params, 7, 0, &err);
	CHECK_MSG(c.run > 0, "record start: %s", err.msg);
	m = train_run(&spec, collect_event, &c, NULL, &cancelled, &err);
	if (m == NULL) {
		CHECK_FAIL("run: %s", err.msg);
		return check_done();
	}
	CHECK(!cancelled);
	CHECK_EQ(m->epochs_done, 4);
	CHECK_EQ(c.n, 5);
	CHECK_EQ(c.ev[4].kind, TRAIN_DONE);
	CHECK_EQ(c.ev[3].epoch, 3);
	CHECK_NEAR(c.ev[3].loss, 0.25, 1e-12);
	/* Valid NDCG@10 after each epoch: the toy ranks i4 i3 i2 .. for
	 * everyone; u0 (excl. i0-2): i4 i3 -> hit at 2: 1/log2(3);
	 * u3 (excl. i1): i4 i3 i2 i0 -> hit at 3: 1/log2(4) = 0.5. */
	CHECK_NEAR(c.ev[0].valid_metric, (1 / log2(3) + 0.5) / 2, 1e-9);
	CHECK_MSG(train_record_finish(st, c.run, "done", 4, 0.1, NULL, &err)
	    == 0, "finish: %s", err.msg);
	CHECK_EQ(query_int(st, "SELECT count(*) FROM epochs"), 4);
	CHECK_EQ(query_int(st, "SELECT count(*) FROM runs WHERE status ="
	    " 'done' AND epochs = 4"), 1);

	/* Same seed -> same scores; another seed -> others. */
	if ((m2 = train_run(&spec, NULL, NULL, NULL, NULL, &err)) == NULL) {
		CHECK_FAIL("run: %s", err.msg);
	} else {
		toy_score(m, 1, s1);
		toy_score(m2, 1, s2);
		CHECK(memcmp(s1, s2, sizeof s1) == 0);
		toy_free(m2);
	}
	spec.seed = 8;
	if ((m2 = train_run(&spec, NULL, NULL, NULL, NULL, &err)) == NULL) {
		CHECK_FAIL("run: %s", err.msg);
	} else {
		toy_score(m2, 1, s2);
		CHECK(memcmp(s1, s2, sizeof s1) != 0);
		toy_free(m2);
	}
	spec.seed = 7;

	/* No valid part: NAN. */
	spec.valid = NULL;
	memset(&c, 0, sizeof c);
	if ((m2 = train_run(&spec, collect_event, &c, NULL, NULL, &err)) ==
	    NULL) {
		CHECK_FAIL("run: %s", err.msg);
	} else {
		CHECK(c.n > 0 && isnan(c.ev[0].valid_metric));
		toy_free(m2);
	}

	/* Saved models: versions, checksum, fingerprint. */
	{
		model_fingerprint fp = { 4, 5, 8, 8, 0 }, other = fp;
		int v1 = 0, v2 = 0, v3 = 0;
		int64_t run = 0;

		CHECK_MSG(train_save_model(st, c.run, m, &fp, &v1, &err) == 0,
		    "save: %s", err.msg);
		CHECK_MSG(train_save_model(st, c.run, m, &fp, &v2, &err) == 0,
		    "save: %s", err.msg);
		CHECK_EQ(v1, 1);
		CHECK_EQ(v2, 2);
		m2 = train_load_model(st, &toy_ops, 0, &ds, &train, &fp, &run,
		    &v3, &err);
		if (m2 == NULL) {
			CHECK_FAIL("load: %s", err.msg);
		} else {
			CHECK_EQ(v3, 2);
			CHECK_EQ(run, c.run);
			CHECK_EQ(m2->epochs_done, 4);
			CHECK_EQ(m2->seed, 7);
			toy_score(m2, 2, s2);
			toy_score(m, 2, s1);
			CHECK(memcmp(s1, s2, sizeof s1) == 0);
			toy_free(m2);
		}
		other.train_nnz = 7;
		CHECK(train_load_model(st, &toy_ops, 0, &ds, &train, &other,
		    NULL, NULL, &err) == NULL);
		CHECK_CONTAINS(err.msg, "other data");
		store_exec(st, "UPDATE model_chunks SET data = data || x'00'"
		    " WHERE model_id = (SELECT id FROM saved_models"
		    " WHERE version = 1)", NULL);
		CHECK(train_load_model(st, &toy_ops, 1, &ds, &train, &fp, NULL,
		    NULL, &err) == NULL);
		CHECK_CONTAINS(err.msg, "v1: damaged");
	}
	toy_free(m);

	/* Cancel in the middle of epoch 3 (batch 5): three epochs kept. */
	spec.valid = &valid;
	spec.epochs = 10;
	toy_cancel = 0;
	toy_cancel_at = 35;
	memset(&c, 0, sizeof c);
	m = train_run(&spec, collect_event, &c, &toy_cancel, &cancelled, &err);
	if (m == NULL) {
		CHECK_FAIL("cancelled run kept nothing: %s", err.msg);
	} else {
		CHECK(cancelled);
		CHECK_EQ(m->epochs_done, 3);
		CHECK_NEAR(((toy_model *)m)->level, 3.0, 1e-9);
		toy_free(m);
	}
	CHECK_EQ(c.n, 4);
	CHECK_EQ(c.ev[3].kind, TRAIN_CANCELLED);
	/* Cancel in the first epoch: no model. */
	toy_cancel = 0;
	toy_cancel_at = 2;
	m = train_run(&spec, NULL, NULL, &toy_cancel, &cancelled, &err);
	CHECK(m == NULL);
	CHECK(cancelled);
	toy_cancel_at = -1;

	/* Bad parameters: a message listing the valid ones. */
	params[0] = 11;
	m = train_run(&spec, NULL, NULL, NULL, NULL, &err);
	CHECK(m == NULL);
	CHECK_CONTAINS(err.msg, "step=11");
	CHECK_CONTAINS(err.msg, "batches (integer 1..100");
	params[0] = 1;
	CHECK(train_parse_param(&toy_ops, "nope=1", params, &err) < 0);
	CHECK_CONTAINS(err.msg, "unknown parameter 'nope'");
	CHECK_CONTAINS(err.msg, "step (real 0..10");
	CHECK_EQ(train_parse_param(&toy_ops, "step=2.5", params, &err), 0);
	CHECK_NEAR(params[0], 2.5, 0);
	params[0] = 1;

	/* Background job: events arrive through the pipe; cancel keeps the
	 * last completed epoch. */
	{
		train_job *job;
		train_event evs[16];
		int got = 0, last_epoch = -1, done = 0, order_ok = 1;

		toy_sleep_us = 2000;	/* 20 ms per epoch */
		spec.epochs = 1000;
		job = train_job_start(&spec, &err);
		CHECK_MSG(job != NULL, "job: %s", err.msg);
		while (job && !done) {
			struct pollfd pf = { train_job_fd(job), POLLIN, 0 };
			int n;

			if (poll(&pf, 1, 5000) <= 0) {
				CHECK_FAIL("job: no wake-up in 5 s");
				break;
			}
			n = train_job_poll(job, evs, 16);
			for (int k = 0; k < n; k++) {
				if (evs[k].kind == TRAIN_EPOCH) {
					if (evs[k].epoch != last_epoch + 1)
						order_ok = 0;
					last_epoch = evs[k].epoch;
					got++;
				} else
					done = 1;
			}
			if (got >= 3)
				train_job_cancel(job);
		}
		if (job) {
			m = train_job_join(job, &cancelled, &err);
			CHECK(order_ok);
			CHECK(got >= 3);
			if (m == NULL) {
				CHECK_FAIL("job kept nothing: %s", err.msg);
			} else {
				CHECK(cancelled);
				CHECK_EQ(m->epochs_done, last_epoch + 1);
				CHECK_NEAR(((toy_model *)m)->level,
				    m->epochs_done, 1e-9);
				toy_free(m);
			}
			train_job_free(job);
		}
		toy_sleep_us = 0;
	}

	store_close(st);
	unlink(path);
	interactions_free(&train);
	interactions_free(&valid);
	return check_done();
}
