/* test_damage: damage in the store is reported, never passed over.
 *
 * A stored split whose assignment was cut, holds a part that does not
 * exist, or moved entries between parts: the next session that needs the
 * split says which split is damaged and how (it does not go on with no
 * split, which would leave every model trained on it unusable without a
 * word).  Saved models whose bytes were damaged: each load failure is
 * reported by name and version with what to do, once, `models` lists the
 * model as damaged, `check` finds it and `models drop` removes it. */
#if !defined(_GNU_SOURCE) && !defined(_POSIX_C_SOURCE)
#define _POSIX_C_SOURCE 200809L
#endif
#include "tests/lib/testutil.h"

#include "engine/ingest/ingest.h"
#include "engine/models/registry.h"
#include "engine/session/workbench.h"

static int
write_log(const char *path)
{
	FILE *f = fopen(path, "w");

	if (f == NULL)
		return -1;
	for (int u = 1; u <= 40; u++)
		for (int k = 0; k < 12; k++)
			fprintf(f, "%d,%d,1,pv,%d\n", u, 100 + (u * 7 + k * 5) %
			    60, 1511568000 + k * 3600 + u);
	return fclose(f);
}

/* A fresh store with the log, a split and pop trained on it. */
static void
make_store(const char *path, const char *log)
{
	workbench *wb;
	split_spec spec;
	ingest_opts o;
	ingest_result res;
	rf_error err;
	double p[8];

	unlink(path);
	if ((wb = workbench_open(path, STORE_CREATE, &err)) == NULL) {
		CHECK_FAIL("open: %s", err.msg);
		return;
	}
	ingest_opts_default(&o);
	if (ingest_events(workbench_store(wb), log, &o, &res, &err) < 0)
		CHECK_FAIL("import: %s", err.msg);
	CHECK(split_parse("temporal 0.2 --valid 0.1", &spec, &err) == 0);
	if (workbench_set_split(wb, &spec, &err) < 0)
		CHECK_FAIL("split: %s", err.msg);
	model_params_default(model_lookup("pop"), p);
	if (workbench_train(wb, model_lookup("pop"), p, 1, 1, NULL, NULL,
	    NULL, NULL, &err) < 0)
		CHECK_FAIL("train: %s", err.msg);
	workbench_close(wb);
}

/* Damage the store with fixed SQL, then open it and need the split. */
static void
damaged_split(const char *path, const char *log, const char *sql,
    const char *want)
{
	workbench *wb;
	rf_error err;

	check_context("%s", sql);
	make_store(path, log);
	if ((wb = workbench_open(path, 0, &err)) == NULL) {
		CHECK_FAIL("open: %s", err.msg);
		return;
	}
	CHECK_EQ(store_exec(workbench_store(wb), sql, &err), 0);
	workbench_close(wb);
	if ((wb = workbench_open(path, 0, &err)) == NULL) {
		CHECK_FAIL("reopen: %s", err.msg);
		return;
	}
	CHECK(workbench_ensure_split(wb, &err) < 0);
	CHECK_CONTAINS(err.msg, "split 1");
	CHECK_CONTAINS(err.msg, "is damaged");
	CHECK_CONTAINS(err.msg, want);
	CHECK_CONTAINS(err.msg, "make a split again");
	CHECK(workbench_split(wb) == NULL);
	workbench_close(wb);
	check_context_clear();
}

/* A saved model damaged with fixed SQL: the load says which version is
 * damaged and how, with what to do; `models` marks it; `check` finds it;
 * dropping it clears it. */
static void
damaged_model(const char *path, const char *log, const char *sql,
    const char *want)
{
	workbench *wb;
	rf_error err;
	rf_table *t;
	const wb_damage *d;
	int problems, damaged_rows = 0;

	check_context("%s", sql);
	make_store(path, log);
	if ((wb = workbench_open(path, 0, &err)) == NULL) {
		CHECK_FAIL("open: %s", err.msg);
		return;
	}
	CHECK_EQ(store_exec(workbench_store(wb), sql, &err), 0);
	workbench_close(wb);
	if ((wb = workbench_open(path, 0, &err)) == NULL) {
		CHECK_FAIL("reopen: %s", err.msg);
		return;
	}
	/* The load goes on with what is sound and keeps the damage. */
	CHECK_EQ(workbench_load_saved(wb, &err), 0);
	CHECK_EQ(workbench_damage_count(wb), 1);
	CHECK((d = workbench_damage_news(wb)) != NULL);
	if (d != NULL) {
		CHECK_STR(d->name, "pop");
		CHECK_EQ(d->version, 1);
		CHECK_EQ(d->damaged, 1);
		CHECK_CONTAINS(d->why, "pop v1: damaged");
		CHECK_CONTAINS(d->why, want);
		CHECK_CONTAINS(d->why, "train pop");
		CHECK_CONTAINS(d->why, "models drop pop 1");
	}
	CHECK(workbench_damage_news(wb) == NULL);	/* told once */
	if ((t = workbench_models_table(wb, &err)) != NULL) {
		CHECK_EQ(t->nrows, 1);
		if (t->nrows == 1)
			CHECK_STR(table_get(t, 0, 2), "DAMAGED");
		table_free(t);
	} else
		CHECK_FAIL("models: %s", err.msg);
	if ((t = workbench_check(wb, &problems, &err)) != NULL) {
		CHECK_EQ(problems, 1);
		for (int r = 0; r < t->nrows; r++)
			damaged_rows += strcmp(table_get(t, r, 2),
			    "DAMAGED") == 0;
		CHECK_EQ(damaged_rows, 1);
		table_free(t);
	} else
		CHECK_FAIL("check: %s", err.msg);
	CHECK_EQ(workbench_drop_saved(wb, "pop", 1, &err), 1);
	CHECK_EQ(workbench_damage_count(wb), 0);
	if ((t = workbench_check(wb, &problems, &err)) != NULL) {
		CHECK_EQ(problems, 0);
		table_free(t);
	}
	workbench_close(wb);
	check_context_clear();
}

int
main(void)
{
	const char *dir = tu_tempdir();
	const char *log = tu_join(dir, "log.csv");
	const char *path = tu_join(dir, "d.rfs");

	CHECK(write_log(log) == 0);
	damaged_split(path, log, "UPDATE splits SET assignment ="
	    " substr(assignment, 1, 100)", "has 100 entries, not 480");
	damaged_split(path, log, "UPDATE splits SET assignment = x'07' ||"
	    " substr(assignment, 2)", "assigned to part 7");
	/* Every entry moved to train: valid parts are plausible bytes, but
	 * the recorded sizes of the parts give it away. */
	damaged_split(path, log, "UPDATE splits SET assignment ="
	    " zeroblob(length(assignment))", "were recorded");
	damaged_model(path, log, "UPDATE model_chunks SET data ="
	    " zeroblob(length(data))", "checksum mismatch");
	damaged_model(path, log, "DELETE FROM model_chunks WHERE rowid ="
	    " (SELECT max(rowid) FROM model_chunks)", "checksum mismatch");
	/* A format this program does not know. */
	damaged_model(path, log, "UPDATE saved_models SET format = 9",
	    "an unknown format");
	return check_done();
}
