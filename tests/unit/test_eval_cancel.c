/* test_eval_cancel: `eval` of a factor model (scored in tiles) computed on
 * the caller's thread, as in batch mode: its progress hook is told the
 * row, the users ranked of every test user and how long it has run; a
 * cancel asked from that hook after the first block stops the ranking
 * there, the finish says "eval: cancelled" and returns no table, and
 * nothing changes: the model's test figures, the runs, and the table of
 * the next eval, the same cell by cell as the one before the cancel. */
#if !defined(_GNU_SOURCE) && !defined(_POSIX_C_SOURCE)
#define _POSIX_C_SOURCE 200809L
#endif
#include "tests/lib/testutil.h"

#include "engine/ingest/ingest.h"
#include "engine/models/registry.h"
#include "engine/session/workbench.h"

/* 2000 users over 10 days, each with a taste for one of five groups of
 * 60 items: enough test users for several of the evaluator's blocks. */
static int
write_log(const char *path)
{
	FILE *f = fopen(path, "w");

	if (f == NULL)
		return -1;
	for (int u = 1; u <= 2000; u++)
		for (int k = 0; k < 12; k++)
			fprintf(f, "%d,%d,%d,pv,%d\n", u, 100 + (u % 5) * 60 +
			    (u * 7 + k * 13) % 60, u % 5, 1511568000 +
			    (u * 17 + k * 70001) % 864000);
	return fclose(f);
}

struct watch {
	volatile int cancel;
	int cancel_at_first;	/* ask for the cancel when first told */
	int told;
	wb_task_progress first, last;
};

static void
watch_progress(void *ud, const wb_task_progress *p)
{
	struct watch *w = ud;

	if (w->told++ == 0)
		w->first = *p;
	w->last = *p;
	if (w->cancel_at_first)
		w->cancel = 1;
}

/* One eval of every user; NULL with err when it did not finish. */
static rf_table *
eval_all(workbench *wb, struct watch *w, rf_error *err)
{
	if (workbench_eval_start(wb, 10, 1, &w->cancel, watch_progress, w,
	    err) < 0)
		return NULL;
	return workbench_eval_finish(wb, NULL, err);
}

static void
check_same_table(const rf_table *a, const rf_table *b)
{
	CHECK_EQ(b->nrows, a->nrows);
	CHECK_EQ(b->ncols, a->ncols);
	for (int r = 0; r < a->nrows && r < b->nrows; r++)
		for (int c = 0; c < a->ncols && c < b->ncols; c++) {
			const char *x = table_get(a, r, c), *y = table_get(b,
			    r, c);

			check_context("row %d, column %s", r, a->names[c]);
			CHECK_STR(y ? y : "(null)", x ? x : "(null)");
		}
	check_context_clear();
}

int
main(void)
{
	const char *dir = tu_tempdir();
	const char *log = tu_join(dir, "log.csv");
	const model_ops *als = model_lookup("als");
	struct watch w1 = { 0 }, w2 = { 0 }, w3 = { 0 };
	double params[64];
	split_spec spec;
	ingest_opts o;
	ingest_result res;
	rf_error err;
	workbench *wb;
	const wb_model *e;
	rf_table *before = NULL, *cancelled, *after = NULL;
	metrics kept;
	int runs;

	CHECK(write_log(log) == 0);
	if (als == NULL || (wb = workbench_open(tu_join(dir, "s.rfs"),
	    STORE_CREATE, &err)) == NULL) {
		CHECK_FAIL("open: %s", als ? err.msg : "no als");
		return check_done();
	}
	ingest_opts_default(&o);
	if (ingest_events(workbench_store(wb), log, &o, &res, &err) < 0)
		CHECK_FAIL("import: %s", err.msg);
	CHECK(split_parse("temporal 0.2", &spec, &err) == 0);
	if (workbench_set_split(wb, &spec, &err) < 0)
		CHECK_FAIL("split: %s", err.msg);
	model_params_default(als, params);
	params[model_param_index(als, "factors")] = 16;
	if (workbench_train(wb, als, params, 3, 1, NULL, NULL, NULL, NULL,
	    &err) < 0 || (e = workbench_find_model(wb, "als")) == NULL) {
		CHECK_FAIL("train als: %s", err.msg);
		workbench_close(wb);
		return check_done();
	}
	kept = e->final;
	runs = workbench_run_count(wb);
	CHECK(kept.n_users > 1000);

	/* the whole evaluation: told as it goes, the last time at the end */
	if ((before = eval_all(wb, &w1, &err)) == NULL)
		CHECK_FAIL("eval: %s", err.msg);
	CHECK(w1.told >= 1);
	CHECK_CONTAINS(w1.first.phase, "ranking als");
	CHECK_EQ(w1.first.total, kept.n_users);
	CHECK(w1.first.done > 0);
	CHECK_EQ(w1.last.done, w1.last.total);
	CHECK(w1.last.elapsed >= 0);

	/* cancelled from the first word of progress: no table, said so */
	w2.cancel_at_first = 1;
	cancelled = eval_all(wb, &w2, &err);
	CHECK(cancelled == NULL);
	if (cancelled == NULL)
		CHECK_CONTAINS(err.msg, "eval: cancelled");
	table_free(cancelled);
	CHECK_EQ(w2.told, 1);
	CHECK(w2.first.done < w2.first.total);
	CHECK_EQ(workbench_task_kind(wb), WB_TASK_NONE);

	/* and nothing changed */
	e = workbench_find_model(wb, "als");
	CHECK(e != NULL);
	if (e != NULL) {
		CHECK_EQ(e->final.n_users, kept.n_users);
		CHECK_NEAR(e->final.ndcg, kept.ndcg, 0);
		CHECK_NEAR(e->final.recall, kept.recall, 0);
	}
	CHECK_EQ(workbench_run_count(wb), runs);
	if ((after = eval_all(wb, &w3, &err)) == NULL)
		CHECK_FAIL("eval after the cancel: %s", err.msg);
	if (before != NULL && after != NULL)
		check_same_table(before, after);
	/* the eval's NDCG is the one measured after training (printed to
	 * four places) */
	for (int c = 0; before != NULL && before->nrows == 1 &&
	    c < before->ncols; c++)
		if (strcmp(before->names[c], "NDCG@10") == 0)
			CHECK_NEAR(atof(table_get(before, 0, c)), kept.ndcg,
			    5.1e-5);
	table_free(before);
	table_free(after);
	workbench_close(wb);
	return check_done();
}
