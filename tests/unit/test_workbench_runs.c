/* test_workbench_runs: the curve history outlives the session.  A model
 * trained (synchronously and on the background thread) in one workbench
 * is saved with its run and epochs; a second workbench on the same store
 * loads the saved models and finds each run in its history, marked
 * earlier, with the same loss, validation metric and seconds per epoch,
 * oldest first and ahead of the new session's runs, and only once. */
#if !defined(_GNU_SOURCE) && !defined(_POSIX_C_SOURCE)
#define _POSIX_C_SOURCE 200809L
#endif
#include "tests/lib/testutil.h"

#include <math.h>
#include <poll.h>

#include "engine/ingest/ingest.h"
#include "engine/models/registry.h"
#include "engine/session/workbench.h"

/* A small implicit log: 60 users over 9 days, each with a taste for one
 * of three item groups. */
static int
write_log(const char *path)
{
	FILE *f = fopen(path, "w");
	int u, k;

	if (f == NULL)
		return -1;
	for (u = 1; u <= 60; u++)
		for (k = 0; k < 14; k++)
			fprintf(f, "%d,%d,%d,%s,%d\n", u, 100 + (u % 3) * 20 +
			    (u * 7 + k * 3) % 20, u % 3, k % 7 == 6 ? "buy" :
			    "pv", 1511568000 + (u * 13 + k * 4001) % 777600);
	return fclose(f);
}

/* The background job to its end, draining events as the TUI does. */
static int
run_job(workbench *wb)
{
	train_event evs[16];
	rf_error err;
	int finished = 0, n;

	while (!finished) {
		struct pollfd p = { workbench_train_fd(wb), POLLIN, 0 };

		if (p.fd < 0) {
			CHECK_FAIL("no training job to wait for");
			return -1;
		}
		(void)poll(&p, 1, 1000);
		if ((n = workbench_train_poll(wb, evs, 16, &finished, &err)) <
		    0) {
			CHECK_FAIL("poll: %s", err.msg);
			return -1;
		}
	}
	return 0;
}

/* A copy of the run's curves, to compare with after the reopen. */
struct curve {
	char model[32], params[512];
	int done;
	double loss[16], valid[16], secs[16];
};

static void
copy_curve(struct curve *c, const wb_run *r)
{
	memset(c, 0, sizeof *c);
	snprintf(c->model, sizeof c->model, "%s", r->model);
	snprintf(c->params, sizeof c->params, "%s", r->params);
	c->done = r->done;
	for (int k = 0; k < r->done && k < 16; k++) {
		c->loss[k] = r->loss[k];
		c->valid[k] = r->valid[k];
		c->secs[k] = r->secs[k];
	}
}

/* One figure reloaded: exactly the same (stored as SQLite REALs, the
 * doubles come back exactly), or NaN where it was NaN. */
static void
check_same_figure(double got, double want)
{
	if (isnan(want))
		CHECK(isnan(got));
	else
		CHECK_NEAR(got, want, 0);
}

static void
check_curve(const struct curve *c, const wb_run *r)
{
	CHECK_STR(r->model, c->model);
	CHECK_STR(r->params, c->params);
	CHECK_EQ(r->done, c->done);
	CHECK_EQ(r->earlier, 1);
	CHECK_EQ(r->status, WB_RUN_DONE);
	if (r->loss == NULL || r->valid == NULL || r->secs == NULL) {
		CHECK_FAIL("%s: no curves", r->model);
		return;
	}
	check_context("%s curves", r->model);
	for (int k = 0; k < c->done && k < r->done; k++) {
		check_same_figure(r->loss[k], c->loss[k]);
		check_same_figure(r->valid[k], c->valid[k]);
		check_same_figure(r->secs[k], c->secs[k]);
	}
	check_context_clear();
}

static double
sum_values(const interactions *m)
{
	double s = 0;

	for (int64_t k = 0; k < m->nnz; k++)
		s += m->val[k];
	return s;
}

/* Implicit data keep their values in the parts: the data's copy goes
 * once they are made, and comes back, the same, for a refit's train +
 * valid and for a new split. */
static void
check_values_in_parts(workbench *wb)
{
	const dataset *ds = workbench_dataset_peek(wb);
	double train = sum_values(workbench_train_part(wb));
	double valid = sum_values(workbench_valid_part(wb));
	double test = sum_values(workbench_test_part(wb));
	split_spec other = { .kind = SPLIT_TEMPORAL, .frac = 0.3 };
	interactions tv;
	rf_error err;

	CHECK(ds != NULL && ds->all.val == NULL);
	CHECK(train > workbench_train_part(wb)->nnz);	/* repeats summed */
	if (workbench_train_valid(wb, &tv, &err) < 0) {
		CHECK_FAIL("train + valid: %s", err.msg);
	} else {
		CHECK_EQ(tv.nnz, workbench_train_part(wb)->nnz +
		    workbench_valid_part(wb)->nnz);
		CHECK_NEAR(sum_values(&tv), train + valid, 1e-9);
		interactions_free(&tv);
	}
	CHECK(ds->all.val == NULL);
	if (workbench_set_split(wb, &other, &err) < 0) {
		CHECK_FAIL("a new split: %s", err.msg);
		return;
	}
	ds = workbench_dataset_peek(wb);
	CHECK_EQ(workbench_valid_part(wb)->nnz, 0);
	CHECK_NEAR(sum_values(workbench_train_part(wb)) +
	    sum_values(workbench_test_part(wb)), train + valid + test, 1e-9);
	CHECK(ds->all.val == NULL);
}

/* Known's row of each user is the merge of the train and valid rows (both
 * ascending, disjoint), and with test the parts hold all the data. */
static void
check_known_merges(const interactions *known, const interactions *tr,
    const interactions *va, const interactions *te, const interactions *all)
{
	int64_t bad = 0;

	CHECK_EQ(known->nnz + te->nnz, all->nnz);
	for (int u = 0; u < known->n_users; u++) {
		int64_t a = tr->ptr[u], b = va->ptr[u], k = known->ptr[u];

		while (a < tr->ptr[u + 1] || b < va->ptr[u + 1]) {
			int32_t want = b >= va->ptr[u + 1] ||
			    (a < tr->ptr[u + 1] && tr->idx[a] < va->idx[b]) ?
			    tr->idx[a++] : va->idx[b++];

			if (k >= known->ptr[u + 1] || known->idx[k++] != want)
				bad++;
		}
		if (k != known->ptr[u + 1])
			bad++;
	}
	CHECK_EQ(bad, 0);
}

int
main(void)
{
	const char *dir = tu_tempdir();
	const char *log = tu_join(dir, "log.csv");
	const char *path = tu_join(dir, "runs.rfs");
	const model_ops *bpr = model_lookup("bpr"), *mf = model_lookup("mf");
	double pb[64], pm[64];
	split_spec spec = { .kind = SPLIT_TEMPORAL, .frac = 0.2,
		.valid_frac = 0.1 };
	struct curve cb, cm;
	ingest_opts o;
	ingest_result res;
	rf_error err;
	workbench *wb;
	int n, k;

	if (bpr == NULL || mf == NULL) {
		CHECK_FAIL("bpr and mf are not registered");
		return check_done();
	}
	CHECK(write_log(log) == 0);
	if ((wb = workbench_open(path, STORE_CREATE, &err)) == NULL) {
		CHECK_FAIL("open: %s", err.msg);
		return check_done();
	}
	ingest_opts_default(&o);
	if (ingest_events(workbench_store(wb), log, &o, &res, &err) < 0)
		CHECK_FAIL("import: %s", err.msg);
	if (workbench_set_split(wb, &spec, &err) < 0)
		CHECK_FAIL("split: %s", err.msg);
	model_params_default(bpr, pb);
	model_params_default(mf, pm);
	/* mf first (older run id), on the background thread; then bpr. */
	if (workbench_train_start(wb, mf, pm, 4, 3, NULL, &err) < 0)
		CHECK_FAIL("train mf: %s", err.msg);
	else
		CHECK_EQ(run_job(wb), 0);
	if (workbench_train(wb, bpr, pb, 5, 7, NULL, NULL, NULL, NULL, &err) < 0)
		CHECK_FAIL("train bpr: %s", err.msg);
	CHECK_EQ(workbench_run_count(wb), 2);
	if (workbench_run_count(wb) == 2) {
		copy_curve(&cm, workbench_run_at(wb, 0));
		copy_curve(&cb, workbench_run_at(wb, 1));
		CHECK_EQ(cm.done, 4);
		CHECK_EQ(cb.done, 5);
		CHECK_EQ(workbench_run_at(wb, 0)->earlier, 0);
		CHECK(isfinite(cb.valid[4]));
	}
	/* In the same session the saved models are in memory already: no
	 * second entry. */
	CHECK_EQ(workbench_load_saved(wb, &err), 0);
	CHECK_EQ(workbench_run_count(wb), 2);
	workbench_close(wb);

	/* A new session: nothing until the saved models are loaded. */
	if ((wb = workbench_open(path, 0, &err)) == NULL) {
		CHECK_FAIL("reopen: %s", err.msg);
		return check_done();
	}
	CHECK_EQ(workbench_run_count(wb), 0);
	/* A run of this session first: the earlier ones go ahead of it. */
	if (workbench_train(wb, model_lookup("pop"), pb, 1, 1, NULL, NULL, NULL,
	    NULL, &err) < 0)
		CHECK_FAIL("train pop: %s", err.msg);
	n = workbench_load_saved(wb, &err);
	CHECK_EQ(n, 2);
	CHECK_EQ(workbench_run_count(wb), 3);
	if (workbench_run_count(wb) == 3) {
		check_curve(&cm, workbench_run_at(wb, 0));
		check_curve(&cb, workbench_run_at(wb, 1));
		CHECK_STR(workbench_run_at(wb, 2)->model, "pop");
		CHECK_EQ(workbench_run_at(wb, 2)->earlier, 0);
		CHECK_EQ(workbench_run_at(wb, 1)->seed, 7);
		CHECK_EQ(workbench_run_at(wb, 1)->epochs, 5);
		CHECK(workbench_run_at(wb, 1)->seconds > 0);
	}
	/* Dropped and loaded again (a new split of the same data would
	 * not fit; the same split does): still one entry per run. */
	workbench_data_changed(wb);
	CHECK_EQ(workbench_load_saved(wb, &err), 3);
	CHECK_EQ(workbench_run_count(wb), 3);
	for (k = 0; k < workbench_run_count(wb); k++)
		CHECK(workbench_run_at(wb, k)->status == WB_RUN_DONE);
	workbench_close(wb);

	/* The parts hold what is read of them: train its items and values
	 * until a load of a model that reads the transpose (mf) makes it
	 * (no reader needs its times); what is known, items alone. */
	if ((wb = workbench_open(path, 0, &err)) == NULL) {
		CHECK_FAIL("reopen: %s", err.msg);
		return check_done();
	}
	if (workbench_ensure_split(wb, &err) < 0) {
		CHECK_FAIL("split: %s", err.msg);
	} else {
		const interactions *tr = workbench_train_part(wb), *known;

		CHECK(tr->val != NULL && tr->tptr == NULL && tr->ts == NULL);
		CHECK_EQ(workbench_load_saved(wb, &err), 3);
		CHECK(tr->tptr != NULL && tr->ts == NULL && tr->beh == NULL);
		known = workbench_known_part(wb, &err);
		CHECK(known != NULL && known->val == NULL &&
		    known->ts == NULL && known->tptr == NULL);
		CHECK(known != NULL && known->nnz > tr->nnz);
		/* The split's assignment is given back once the parts are
		 * made; known, made after from the assignment the parts give
		 * back, is each user's train and valid rows merged. */
		CHECK(workbench_split(wb)->assign == NULL);
		if (known != NULL)
			check_known_merges(known, tr, workbench_valid_part(wb),
			    workbench_test_part(wb),
			    &workbench_dataset_peek(wb)->all);
		/* nor does a training need its times */
		if (workbench_train(wb, bpr, pb, 1, 7, NULL, NULL, NULL, NULL,
		    &err) < 0)
			CHECK_FAIL("train bpr: %s", err.msg);
		CHECK(tr->tptr != NULL && tr->ts == NULL && tr->beh == NULL);
		check_values_in_parts(wb);
	}
	workbench_close(wb);
	return check_done();
}
