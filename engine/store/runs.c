/* runs: training runs and their epochs in the store (see runs.h). */
#include "engine/store/runs.h"
#include "engine/store/db.h"
#include "engine/store/store.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static int
runs_fail(store *st, rf_error *err, const char *what)
{
	return rf_fail(err, "%s: %s", what, sqlite3_errmsg(st->db));
}

/* SQLite has no NAN: a missing value is NULL. */
static void
bind_real_or_null(sqlite3_stmt *s, int col, double v)
{
	if (isnan(v) || isinf(v))
		sqlite3_bind_null(s, col);
	else
		sqlite3_bind_double(s, col, v);
}

static double
column_real_or_nan(sqlite3_stmt *s, int col)
{
	return sqlite3_column_type(s, col) == SQLITE_NULL ? NAN :
	    sqlite3_column_double(s, col);
}

int64_t
store_run_start(store *st, const char *model, const char *params,
    uint64_t seed, int64_t split_id, rf_error *err)
{
	sqlite3_stmt *s;

	if (sqlite3_prepare_v2(st->db, "INSERT INTO runs(model, params, seed,"
	    " split_id, status, started) VALUES (?,?,?,?,'running',?)", -1, &s,
	    NULL) != SQLITE_OK)
		return runs_fail(st, err, "recording the run");
	sqlite3_bind_text(s, 1, model, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, params, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 3, (sqlite3_int64)seed);
	if (split_id > 0)
		sqlite3_bind_int64(s, 4, split_id);
	else
		sqlite3_bind_null(s, 4);
	sqlite3_bind_double(s, 5, rf_now());
	if (sqlite3_step(s) != SQLITE_DONE) {
		sqlite3_finalize(s);
		return runs_fail(st, err, "recording the run");
	}
	sqlite3_finalize(s);
	return sqlite3_last_insert_rowid(st->db);
}

int
store_run_epoch(store *st, int64_t run_id, int epoch, double loss,
    double valid_metric, double seconds, rf_error *err)
{
	sqlite3_stmt *s;

	if (sqlite3_prepare_v2(st->db, "INSERT OR REPLACE INTO epochs(run_id,"
	    " epoch, loss, valid_metric, seconds) VALUES (?,?,?,?,?)", -1, &s,
	    NULL) != SQLITE_OK)
		return runs_fail(st, err, "recording an epoch");
	sqlite3_bind_int64(s, 1, run_id);
	sqlite3_bind_int(s, 2, epoch);
	bind_real_or_null(s, 3, loss);
	bind_real_or_null(s, 4, valid_metric);
	bind_real_or_null(s, 5, seconds);
	if (sqlite3_step(s) != SQLITE_DONE) {
		sqlite3_finalize(s);
		return runs_fail(st, err, "recording an epoch");
	}
	sqlite3_finalize(s);
	return 0;
}

int
store_run_finish(store *st, int64_t run_id, const char *status, int epochs,
    double seconds, const char *metrics, rf_error *err)
{
	sqlite3_stmt *s;

	if (sqlite3_prepare_v2(st->db, "UPDATE runs SET status = ?,"
	    " finished = ?, epochs = ?, seconds = ?, metrics = ? WHERE id = ?",
	    -1, &s, NULL) != SQLITE_OK)
		return runs_fail(st, err, "recording the run");
	sqlite3_bind_text(s, 1, status, -1, SQLITE_STATIC);
	sqlite3_bind_double(s, 2, rf_now());
	sqlite3_bind_int(s, 3, epochs);
	bind_real_or_null(s, 4, seconds);
	if (metrics != NULL && metrics[0] != '\0')
		sqlite3_bind_text(s, 5, metrics, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(s, 5);
	sqlite3_bind_int64(s, 6, run_id);
	if (sqlite3_step(s) != SQLITE_DONE) {
		sqlite3_finalize(s);
		return runs_fail(st, err, "recording the run");
	}
	sqlite3_finalize(s);
	return 0;
}

static void
column_text_into(sqlite3_stmt *s, int col, char *buf, size_t n)
{
	const unsigned char *t = sqlite3_column_text(s, col);

	snprintf(buf, n, "%s", t ? (const char *)t : "");
}

int
store_run_get(store *st, int64_t run_id, store_run *out, rf_error *err)
{
	sqlite3_stmt *s;
	int rc;

	if (sqlite3_prepare_v2(st->db, "SELECT params, seed, status, epochs,"
	    " seconds, (SELECT max(epoch) + 1 FROM epochs WHERE run_id = ?1)"
	    " FROM runs WHERE id = ?1", -1, &s, NULL) != SQLITE_OK)
		return runs_fail(st, err, "reading a run");
	sqlite3_bind_int64(s, 1, run_id);
	if ((rc = sqlite3_step(s)) != SQLITE_ROW) {
		sqlite3_finalize(s);
		return rc == SQLITE_DONE ? 0 : runs_fail(st, err,
		    "reading a run");
	}
	column_text_into(s, 0, out->params, sizeof out->params);
	out->seed = (uint64_t)sqlite3_column_int64(s, 1);
	column_text_into(s, 2, out->status, sizeof out->status);
	out->epochs = sqlite3_column_int(s, 3);
	out->seconds = column_real_or_nan(s, 4);
	out->epochs_seen = sqlite3_column_int(s, 5);
	sqlite3_finalize(s);
	return 1;
}

int
store_run_epochs(store *st, int64_t run_id, store_epoch **out, int *n,
    rf_error *err)
{
	store_epoch *e = NULL, *grown;
	sqlite3_stmt *s;
	int rc, cap = 0, k = 0;

	*out = NULL;
	*n = 0;
	if (sqlite3_prepare_v2(st->db, "SELECT epoch, loss, valid_metric,"
	    " seconds FROM epochs WHERE run_id = ? ORDER BY epoch", -1, &s,
	    NULL) != SQLITE_OK)
		return runs_fail(st, err, "reading epochs");
	sqlite3_bind_int64(s, 1, run_id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (k == cap) {
			cap = cap ? cap * 2 : 64;
			if ((grown = realloc(e, (size_t)cap * sizeof *e)) ==
			    NULL) {
				sqlite3_finalize(s);
				free(e);
				return rf_fail(err, "reading epochs: out of "
				    "memory");
			}
			e = grown;
		}
		e[k].epoch = sqlite3_column_int(s, 0);
		e[k].loss = column_real_or_nan(s, 1);
		e[k].valid_metric = column_real_or_nan(s, 2);
		e[k].seconds = column_real_or_nan(s, 3);
		k++;
	}
	if (rc != SQLITE_DONE) {
		runs_fail(st, err, "reading epochs");
		sqlite3_finalize(s);
		free(e);
		return -1;
	}
	sqlite3_finalize(s);
	*out = e;
	*n = k;
	return 0;
}

int
store_run_searched(store *st, int64_t run_id, const char *params,
    const char *trail, rf_error *err)
{
	sqlite3_stmt *s;

	if (sqlite3_prepare_v2(st->db, "UPDATE runs SET params = ?1,"
	    " metrics = trim(coalesce(metrics, '') || ' ' || ?2)"
	    " WHERE id = ?3", -1, &s, NULL) != SQLITE_OK)
		return runs_fail(st, err, "recording the search");
	sqlite3_bind_text(s, 1, params, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 2, trail, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 3, run_id);
	if (sqlite3_step(s) != SQLITE_DONE) {
		sqlite3_finalize(s);
		return runs_fail(st, err, "recording the search");
	}
	sqlite3_finalize(s);
	return 0;
}
