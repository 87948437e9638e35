/* query: the user's `sql` command, sandboxed: a SQLite authorizer that
 * denies every write, one statement only, a row cap, Ctrl-C (query.h). */
#if !defined(_GNU_SOURCE) && !defined(_POSIX_C_SOURCE)
#define _POSIX_C_SOURCE 200809L	/* strcasecmp under -std=c11 */
#endif
#include "engine/store/query.h"
#include "engine/store/db.h"
#include "engine/store/store.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

struct query_auth {
	const char *denied;	/* what was refused, for the message */
};

/* Pragmas that only report.  Those in the second group take a table or
 * index name as their argument and are still read-only with it. */
static int
pragma_is_readonly(const char *name, const char *arg)
{
	static const char *const bare[] = {
		"application_id", "cache_size", "collation_list",
		"compile_options", "data_version", "database_list", "encoding",
		"foreign_keys", "freelist_count", "function_list",
		"journal_mode", "module_list", "page_count", "page_size",
		"pragma_list", "schema_version", "synchronous", "table_list",
		"user_version", "integrity_check", "quick_check",
	};
	static const char *const with_table[] = {
		"table_info", "table_xinfo", "index_list", "index_info",
		"index_xinfo", "foreign_key_list", "foreign_key_check",
		"table_list", "integrity_check", "quick_check",
	};
	size_t i;

	if (arg == NULL) {
		for (i = 0; i < sizeof bare / sizeof bare[0]; i++)
			if (strcasecmp(name, bare[i]) == 0)
				return 1;
		return 0;
	}
	for (i = 0; i < sizeof with_table / sizeof with_table[0]; i++)
		if (strcasecmp(name, with_table[i]) == 0)
			return 1;
	return 0;
}

static int
query_authorizer(void *ud, int action, const char *a1, const char *a2,
    const char *dbname, const char *trigger)
{
	struct query_auth *qa = ud;

	(void)dbname;
	(void)trigger;
	switch (action) {
	case SQLITE_SELECT:
	case SQLITE_READ:
	case SQLITE_RECURSIVE:
		return SQLITE_OK;
	case SQLITE_FUNCTION:
		if (a2 != NULL && (strcasecmp(a2, "load_extension") == 0 ||
		    strcasecmp(a2, "fts3_tokenizer") == 0)) {
			qa->denied = "loading extensions is";
			return SQLITE_DENY;
		}
		return SQLITE_OK;
	case SQLITE_PRAGMA:
		if (a1 != NULL && pragma_is_readonly(a1, a2))
			return SQLITE_OK;
		qa->denied = a2 != NULL ? "writes are" : "this PRAGMA is";
		return SQLITE_DENY;
	case SQLITE_ATTACH:
	case SQLITE_DETACH:
		qa->denied = "ATTACH/DETACH is";
		return SQLITE_DENY;
	case SQLITE_TRANSACTION:
	case SQLITE_SAVEPOINT:
		qa->denied = "transaction control is";
		return SQLITE_DENY;
	default:
		qa->denied = "writes are";
		return SQLITE_DENY;
	}
}

/* Text after the first statement may only be blanks, ';' and comments. */
static const char *
skip_sql_filler(const char *s)
{
	for (;;) {
		if (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r' ||
		    *s == '\f' || *s == ';')
			s++;
		else if (s[0] == '-' && s[1] == '-') {
			while (*s != '\0' && *s != '\n')
				s++;
		} else if (s[0] == '/' && s[1] == '*') {
			const char *e = strstr(s + 2, "*/");

			s = e ? e + 2 : s + strlen(s);
		} else
			return s;
	}
}

static int
contains_nocase(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	for (; *hay != '\0'; hay++)
		if (strncasecmp(hay, needle, n) == 0)
			return 1;
	return 0;
}

static col_type
guess_col_type(sqlite3_stmt *s, int col, int have_row)
{
	const char *decl;

	if (have_row) {
		switch (sqlite3_column_type(s, col)) {
		case SQLITE_INTEGER:
			return COL_INT;
		case SQLITE_FLOAT:
			return COL_REAL;
		case SQLITE_TEXT:
		case SQLITE_BLOB:
			return COL_TEXT;
		}
	}
	/* No row or a NULL: fall back on the declared type, if any. */
	decl = sqlite3_column_decltype(s, col);
	if (decl != NULL && contains_nocase(decl, "INT"))
		return COL_INT;
	if (decl != NULL && (contains_nocase(decl, "REAL") ||
	    contains_nocase(decl, "FLOA") || contains_nocase(decl, "DOUB")))
		return COL_REAL;
	return COL_TEXT;
}

static int
query_cell(rf_table *t, sqlite3_stmt *s, int col)
{
	char buf[64];

	switch (sqlite3_column_type(s, col)) {
	case SQLITE_NULL:
		return table_cell_null(t);
	case SQLITE_BLOB:
		snprintf(buf, sizeof buf, "<blob %d bytes>",
		    sqlite3_column_bytes(s, col));
		return table_cell_text(t, buf);
	default:
		return table_cell_text(t,
		    (const char *)sqlite3_column_text(s, col));
	}
}

/* Step through the statement into a new table; the column types come from
 * the first row. */
static rf_table *
query_fill(store *st, sqlite3_stmt *s, int max_rows, rf_error *err)
{
	rf_table *t = table_new(NULL);
	int rc, i, n = sqlite3_column_count(s), rows = 0;

	if (t == NULL) {
		rf_fail(err, "sql: out of memory");
		return NULL;
	}
	rc = sqlite3_step(s);
	for (i = 0; i < n; i++) {
		if (table_add_column(t, sqlite3_column_name(s, i),
		    guess_col_type(s, i, rc == SQLITE_ROW)) < 0)
			goto oom;
	}
	while (rc == SQLITE_ROW && (max_rows <= 0 || rows < max_rows)) {
		if (table_begin_row(t) < 0)
			goto oom;
		for (i = 0; i < n; i++)
			if (query_cell(t, s, i) < 0)
				goto oom;
		rows++;
		rc = sqlite3_step(s);
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		rf_fail(err, "sql: %s", sqlite3_errmsg(st->db));
		table_free(t);
		return NULL;
	}
	return t;
oom:
	rf_fail(err, "sql: out of memory");
	table_free(t);
	return NULL;
}

static rf_table *
query_run(store *st, const char *sql, int max_rows, struct query_auth *qa,
    rf_error *err)
{
	sqlite3_stmt *s = NULL;
	const char *tail = NULL;
	rf_table *t;

	if (sqlite3_prepare_v2(st->db, sql, -1, &s, &tail) != SQLITE_OK) {
		if (qa->denied != NULL)
			rf_fail(err, "sql: not authorized: %s not allowed "
			    "(read-only query)", qa->denied);
		else
			rf_fail(err, "sql: %s", sqlite3_errmsg(st->db));
		sqlite3_finalize(s);
		return NULL;
	}
	if (s == NULL) {
		rf_fail(err, "sql: empty statement");
		return NULL;
	}
	if (tail != NULL && *skip_sql_filler(tail) != '\0') {
		rf_fail(err, "sql: only one statement is allowed "
		    "(text follows the first one: '%.40s')",
		    skip_sql_filler(tail));
		sqlite3_finalize(s);
		return NULL;
	}
	t = query_fill(st, s, max_rows, err);
	sqlite3_finalize(s);
	return t;
}

rf_table *
store_query(store *st, const char *sql, int max_rows, rf_error *err)
{
	return store_query_cancel(st, sql, max_rows, NULL, err);
}

/* What may stop a statement, and what did. */
struct query_budget {
	const volatile int *cancel;	/* Ctrl-C, or NULL */
	double deadline;		/* rf_monotonic(), or 0: none */
	int timed_out;
};

/* SQLite's progress callback: non-zero stops the statement with
 * SQLITE_INTERRUPT, so a runaway query (a recursive CTE without a limit)
 * ends at its deadline or with Ctrl-C. */
static int
query_progress(void *ud)
{
	struct query_budget *b = ud;

	if (b->cancel != NULL && *b->cancel)
		return 1;
	if (b->deadline > 0 && rf_monotonic() > b->deadline) {
		b->timed_out = 1;
		return 1;
	}
	return 0;
}

rf_table *
store_query_cancel(store *st, const char *sql, int max_rows,
    const volatile int *cancel, rf_error *err)
{
	return store_query_limited(st, sql, max_rows, cancel, 0, NULL, err);
}

/* SQLite steps between two looks at the budget: a few milliseconds. */
#define QUERY_PROGRESS_STEPS 10000

rf_table *
store_query_limited(store *st, const char *sql, int max_rows,
    const volatile int *cancel, double seconds, int *timed_out,
    rf_error *err)
{
	struct query_auth qa = { NULL };
	struct query_budget budget = { cancel, 0, 0 };
	rf_table *t;

	if (seconds > 0)
		budget.deadline = rf_monotonic() + seconds;
	/* query_only is a second lock behind the authorizer. */
	if (!st->readonly && store_exec(st, "PRAGMA query_only = 1", err) < 0)
		return NULL;
	sqlite3_set_authorizer(st->db, query_authorizer, &qa);
	if (cancel != NULL || seconds > 0)
		sqlite3_progress_handler(st->db, QUERY_PROGRESS_STEPS,
		    query_progress, &budget);
	t = query_run(st, sql, max_rows, &qa, err);
	if (t == NULL && cancel != NULL && *cancel)
		rf_fail(err, "sql: stopped (Ctrl-C)");
	else if (t == NULL && budget.timed_out)
		rf_fail(err, "sql: stopped after %g s (the time limit)",
		    seconds);
	if (timed_out)
		*timed_out = t == NULL && budget.timed_out;
	sqlite3_progress_handler(st->db, 0, NULL, NULL);
	sqlite3_set_authorizer(st->db, NULL, NULL);
	if (!st->readonly)
		sqlite3_exec(st->db, "PRAGMA query_only = 0", NULL, NULL, NULL);
	return t;
}
