/* test_store: schema migration, read-only mode, the read-only user query
 * (authorizer, one statement), settings and the summary tables. */
#if !defined(_GNU_SOURCE) && !defined(_POSIX_C_SOURCE)
#define _POSIX_C_SOURCE 200809L
#endif
#include "tests/lib/testutil.h"

#include <sys/wait.h>

#include "engine/ingest/ingest.h"
#include "engine/store/query.h"
#include "engine/store/saved_models.h"
#include "engine/store/store.h"
#include "engine/store/summary.h"

static const char *const tables[] = {
	"imports", "users", "items", "behaviors", "events", "rejects", "splits",
	"runs", "epochs", "saved_models", "model_chunks", "settings",
};

static int64_t
query_int(store *st, const char *sql)
{
	rf_error err;
	rf_table *t = store_query(st, sql, 0, &err);
	int64_t v = -1;

	if (t == NULL) {
		CHECK_FAIL("%s: %s", sql, err.msg);
		return -1;
	}
	if (t->nrows > 0 && table_get(t, 0, 0) != NULL)
		v = strtoll(table_get(t, 0, 0), NULL, 10);
	table_free(t);
	return v;
}

static void
test_migration(const char *dir)
{
	const char *path = tu_join(dir, "new.rfs");
	rf_error err;
	store *st;
	size_t i;

	/* An existing empty file is migrated too. */
	CHECK(tu_write_file(path, "", 0) == 0);
	st = store_open(path, 0, &err);
	if (st == NULL) {
		CHECK_FAIL("store_open: %s", err.msg);
		return;
	}
	CHECK_EQ(store_schema_version(st), STORE_SCHEMA_VERSION);
	CHECK_EQ(query_int(st, "PRAGMA user_version"), STORE_SCHEMA_VERSION);
	for (i = 0; i < sizeof tables / sizeof tables[0]; i++)
		if (store_count(st, tables[i]) < 0)
			CHECK_FAIL("table %s missing", tables[i]);
	CHECK_EQ(store_count(st, "behaviors"), 6);
	CHECK_EQ(store_count(st, "no_such_table"), -1);
	CHECK_EQ(query_int(st, "SELECT count(*) FROM behaviors WHERE"
	    " (id, name) IN (VALUES (0, 'rating'), (1, 'pv'), (2, 'fav'),"
	    " (3, 'cart'), (4, 'buy'), (5, 'event'))"), 6);
	CHECK_STR(store_behavior_name(BEH_CART), "cart");
	CHECK_EQ(store_behavior_code("Purchase", 8), BEH_BUY);
	CHECK_EQ(store_behavior_code("clik", 4), -1);
	store_close(st);

	/* Reopening does not migrate again. */
	st = store_open(path, STORE_READONLY, &err);
	CHECK(st != NULL);
	if (st != NULL) {
		CHECK_EQ(store_schema_version(st), STORE_SCHEMA_VERSION);
		store_close(st);
	}
}

static void
test_open_errors(const char *dir)
{
	const char *missing = tu_join(dir, "missing.rfs");
	const char *empty = tu_join(dir, "empty.rfs");
	rf_error err;

	CHECK(store_open(missing, STORE_READONLY, &err) == NULL);
	CHECK_CONTAINS(err.msg, missing);
	CHECK_CONTAINS(err.msg, "No such file or directory");
	CHECK(store_open(missing, 0, &err) == NULL);
	CHECK_CONTAINS(err.msg, "No such file or directory");
	CHECK(access(missing, F_OK) != 0);

	CHECK(tu_write_file(empty, "", 0) == 0);
	CHECK(store_open(empty, STORE_READONLY, &err) == NULL);
	CHECK_CONTAINS(err.msg, empty);
	CHECK_CONTAINS(err.msg, "read-only");
}

static void
test_readonly(const char *dir)
{
	const char *path = tu_join(dir, "ro.rfs");
	const char *log = tu_join(dir, "ro.csv");
	const char *line = "1,2,3,pv,1511544070\n";
	rf_error err;
	ingest_result res;
	store *st = store_open(path, STORE_CREATE, &err);

	CHECK(st != NULL);
	store_close(st);
	CHECK(tu_write_file(log, line, strlen(line)) == 0);
	if ((st = store_open(path, STORE_READONLY, &err)) == NULL) {
		CHECK_FAIL("read-only open: %s", err.msg);
		return;
	}
	CHECK(store_is_readonly(st));
	CHECK(store_check_writable(st, "import", &err) < 0);
	CHECK_CONTAINS(err.msg, "read-only");
	CHECK_CONTAINS(err.msg, path);
	CHECK(ingest_events(st, log, NULL, &res, &err) < 0);
	CHECK_CONTAINS(err.msg, "read-only");
	CHECK(store_set_setting(st, "k", "v", &err) < 0);
	CHECK_EQ(store_count(st, "events"), 0);
	CHECK_EQ(store_count(st, "imports"), 0);
	/* Even the engine's own SQL cannot write. */
	CHECK(store_exec(st, "INSERT INTO settings VALUES ('a', 'b')", &err) < 0);
	CHECK_EQ(query_int(st, "SELECT count(*) FROM events"), 0);
	store_close(st);
}

/* A process killed in the middle of a write leaves a hot journal, which a
 * read-only connection cannot roll back: the read-only opening undoes it
 * (the store as at its last commit), or says why it cannot. */
static void
test_readonly_hot_journal(const char *dir)
{
	const char *path = tu_join(dir, "hot.rfs");
	const char *journal = tu_join(dir, "hot.rfs-journal");
	rf_error err;
	struct stat sb;
	store *st = store_open(path, STORE_CREATE, &err);
	pid_t pid;
	int status = 0;

	if (st == NULL) {
		CHECK_FAIL("store_open: %s", err.msg);
		return;
	}
	CHECK(store_set_setting(st, "kept", "yes", &err) == 0);
	store_close(st);
	fflush(NULL);
	if ((pid = fork()) == 0) {
		/* A one-page cache spills the change into the file before
		 * the commit that never comes. */
		st = store_open(path, 0, &err);
		if (st == NULL || store_exec(st, "PRAGMA cache_size = 1;"
		    "BEGIN; DELETE FROM settings; CREATE TABLE filler(b);"
		    "WITH RECURSIVE r(i) AS (SELECT 1 UNION ALL SELECT i + 1 "
		    "FROM r WHERE i < 300) INSERT INTO filler "
		    "SELECT randomblob(4000) FROM r;", &err) < 0)
			_exit(1);
		_exit(0);
	}
	CHECK(pid > 0 && waitpid(pid, &status, 0) == pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	CHECK(stat(journal, &sb) == 0 && sb.st_size > 0);
	if ((st = store_open(path, STORE_READONLY, &err)) == NULL) {
		CHECK_FAIL("read-only open after a killed write: %s", err.msg);
		return;
	}
	CHECK(store_is_readonly(st));
	CHECK_EQ(query_int(st, "SELECT count(*) FROM settings WHERE key = "
	    "'kept' AND value = 'yes'"), 1);
	CHECK_EQ(query_int(st, "SELECT count(*) FROM sqlite_master WHERE "
	    "name = 'filler'"), 0);
	store_close(st);
}

static void
expect_denied(store *st, const char *sql, const char *msg)
{
	rf_error err;
	rf_table *t = store_query(st, sql, 0, &err);

	if (t != NULL) {
		CHECK_FAIL("store_query allowed: %s", sql);
		table_free(t);
		return;
	}
	if (strstr(err.msg, msg) == NULL)
		CHECK_FAIL("store_query(%s): \"%s\", expected \"%s\"", sql,
		    err.msg, msg);
}

static void
test_query(const char *dir)
{
	static const char *const denied[] = {
		"INSERT INTO users(ext_id) VALUES ('x')",
		"UPDATE items SET title = 'x'",
		"DELETE FROM events",
		"DROP TABLE events",
		"CREATE TABLE t(x)",
		"CREATE TEMP TABLE t(x)",
		"CREATE INDEX i ON events(ts)",
		"ALTER TABLE events ADD COLUMN x",
		"REINDEX",
		"ANALYZE",
		"PRAGMA user_version = 5",
		"PRAGMA journal_mode = WAL",
		"PRAGMA writable_schema = 1",
		"PRAGMA optimize",
		"BEGIN",
		"SAVEPOINT s",
	};
	const char *path = tu_join(dir, "q.rfs");
	char attach[4200];
	rf_error err;
	rf_table *t;
	store *st = store_open(path, STORE_CREATE, &err);
	size_t i;

	if (st == NULL) {
		CHECK_FAIL("store_open: %s", err.msg);
		return;
	}
	for (i = 0; i < sizeof denied / sizeof denied[0]; i++)
		expect_denied(st, denied[i], "sql: not authorized");
	expect_denied(st, "DELETE FROM events",
	    "sql: not authorized: writes are not allowed (read-only query)");
	snprintf(attach, sizeof attach, "ATTACH DATABASE '%s' AS x",
	    tu_join(dir, "other.db"));
	expect_denied(st, attach, "sql: not authorized");
	CHECK(access(tu_join(dir, "other.db"), F_OK) != 0);
	expect_denied(st, "SELECT load_extension('/nonexistent')",
	    "not authorized");
	expect_denied(st, "VACUUM", "sql:");
	expect_denied(st, "SELECT 1; SELECT 2", "only one statement");
	expect_denied(st, "SELECT 1; DROP TABLE events", "only one statement");
	expect_denied(st, "SELEC 1", "sql: near");
	expect_denied(st, "  ;  ", "empty");
	CHECK_EQ(store_count(st, "events"), 0);
	CHECK_EQ(query_int(st, "PRAGMA user_version"), STORE_SCHEMA_VERSION);

	/* Allowed: SELECT, recursive CTEs, read-only pragmas. */
	t = store_query(st, "PRAGMA table_info(events)", 0, &err);
	CHECK(t != NULL);
	if (t != NULL) {
		CHECK_EQ(t->nrows, 6);
		CHECK_STR(table_get(t, 0, 1), "user_id");
		table_free(t);
	}
	CHECK_EQ(query_int(st, "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL"
	    " SELECT i + 1 FROM n WHERE i < 10) SELECT sum(i) FROM n;  -- end"),
	    55);
	t = store_query(st, "SELECT 1 AS a, 2.5 AS b, 'x' AS c, NULL AS d", 0,
	    &err);
	CHECK(t != NULL);
	if (t != NULL) {
		CHECK_EQ(t->ncols, 4);
		CHECK_STR(t->names[1], "b");
		CHECK_EQ(t->types[0], COL_INT);
		CHECK_EQ(t->types[1], COL_REAL);
		CHECK_EQ(t->types[2], COL_TEXT);
		CHECK_STR(table_get(t, 0, 1), "2.5");
		CHECK(table_get(t, 0, 3) == NULL);
		table_free(t);
	}
	t = store_query(st, "SELECT id FROM behaviors ORDER BY id", 3, &err);
	CHECK(t != NULL);
	if (t != NULL) {
		CHECK_EQ(t->nrows, 3);
		table_free(t);
	}
	/* The authorizer is gone after the query: the engine can write. */
	CHECK(store_set_setting(st, "fusion.weights", "0.5,0.5", &err) == 0);
	{
		char *v = store_get_setting(st, "fusion.weights");

		CHECK_STR(v, "0.5,0.5");
		free(v);
	}
	CHECK(store_get_setting(st, "nope") == NULL);
	store_close(st);
}

static const char *
kv(const rf_table *t, const char *key)
{
	int i;

	for (i = 0; i < t->nrows; i++)
		if (strcmp(table_get(t, i, 0), key) == 0)
			return table_get(t, i, 1);
	return NULL;
}

static void
test_summaries(const char *dir)
{
	const char *path = tu_join(dir, "sum.rfs");
	const char *log = tu_join(dir, "sum.csv");
	const char *text =
	    "1,10,100,pv,1511568000\n"
	    "1,10,100,buy,1511654400\n"
	    "1,11,100,pv,1511568001\n"
	    "2,10,100,cart,1511568002\n"
	    "2,12,101,pv,1511568003\n"
	    "2,12,101,bad,1511568003\n";
	rf_error err;
	ingest_result res;
	rf_table *t;
	store *st = store_open(path, STORE_CREATE, &err);

	if (st == NULL || tu_write_file(log, text, strlen(text)) < 0) {
		CHECK_FAIL("setup: %s", err.msg);
		store_close(st);
		return;
	}
	if (ingest_events(st, log, NULL, &res, &err) < 0) {
		CHECK_FAIL("ingest: %s", err.msg);
		store_close(st);
		return;
	}
	if ((t = store_stats(st, &err)) != NULL) {
		CHECK_STR(kv(t, "events"), "5");
		CHECK_STR(kv(t, "users"), "2");
		CHECK_STR(kv(t, "items"), "3");
		CHECK_STR(kv(t, "density"), "83.3333%");
		CHECK_STR(kv(t, "behaviour pv"), "3 (60.0%)");
		CHECK_STR(kv(t, "behaviour buy"), "1 (20.0%)");
		CHECK_STR(kv(t, "first event"), "2017-11-25 00:00:00 UTC");
		CHECK_STR(kv(t, "last event"), "2017-11-26 00:00:00 UTC");
		CHECK_STR(kv(t, "time span"), "1.0 days");
		CHECK_STR(kv(t, "imports"), "1");
		CHECK_STR(kv(t, "rejects"), "1");
		table_free(t);
	} else
		CHECK_FAIL("stats: %s", err.msg);
	if ((t = store_imports(st, &err)) != NULL) {
		CHECK_EQ(t->nrows, 1);
		CHECK_STR(table_get(t, 0, 1), "events");
		CHECK_STR(table_get(t, 0, 2), "taobao");
		CHECK_STR(table_get(t, 0, 4), "6");
		CHECK_STR(table_get(t, 0, 5), "5");
		CHECK_STR(table_get(t, 0, 6), "1");
		table_free(t);
	} else
		CHECK_FAIL("imports: %s", err.msg);
	if ((t = store_rejects(st, 10, &err)) != NULL) {
		CHECK_EQ(t->nrows, 1);
		CHECK_STR(table_get(t, 0, 1), log);
		CHECK_STR(table_get(t, 0, 2), "6");
		CHECK_STR(table_get(t, 0, 3), "unknown behaviour 'bad'");
		CHECK_STR(table_get(t, 0, 4), "2,12,101,bad,1511568003");
		table_free(t);
	} else
		CHECK_FAIL("rejects: %s", err.msg);
	if ((t = store_top_users(st, 1, &err)) != NULL) {
		CHECK_EQ(t->nrows, 1);
		CHECK_STR(table_get(t, 0, 0), "1");
		CHECK_STR(table_get(t, 0, 1), "3");
		CHECK_STR(table_get(t, 0, 3), "2");	/* pv */
		CHECK_STR(table_get(t, 0, 6), "1");	/* buy */
		table_free(t);
	} else
		CHECK_FAIL("top users: %s", err.msg);
	if ((t = store_top_items(st, 2, &err)) != NULL) {
		CHECK_EQ(t->nrows, 2);
		CHECK_STR(table_get(t, 0, 0), "10");
		CHECK_STR(table_get(t, 0, 2), "100");	/* category */
		CHECK_STR(table_get(t, 0, 3), "3");
		CHECK_STR(table_get(t, 1, 0), "11");	/* ties by id */
		table_free(t);
	} else
		CHECK_FAIL("top items: %s", err.msg);

	/* Events written outside an import: stats scans instead of adding
	 * up the imports rows, and an event of an unknown user sends the top
	 * lists to the SQL (whose join drops it). */
	CHECK(store_exec(st, "INSERT INTO events VALUES (2, 3, 4, 4, 1511740800,"
	    " 9); INSERT INTO events VALUES (99, 3, 1, 1, 0, 9)", &err) == 0);
	if ((t = store_stats(st, &err)) != NULL) {
		CHECK_STR(kv(t, "events"), "7");
		CHECK_STR(kv(t, "behaviour buy"), "2 (28.6%)");
		CHECK_STR(kv(t, "last event"), "2017-11-27 00:00:00 UTC");
		table_free(t);
	} else
		CHECK_FAIL("stats: %s", err.msg);
	if ((t = store_top_users(st, 0, &err)) != NULL) {
		CHECK_EQ(t->nrows, 2);
		CHECK_STR(table_get(t, 0, 0), "1");	/* 3, ties by id */
		CHECK_STR(table_get(t, 1, 0), "2");
		CHECK_STR(table_get(t, 1, 1), "3");
		table_free(t);
	} else
		CHECK_FAIL("top users: %s", err.msg);
	if ((t = store_top_items(st, 1, &err)) != NULL) {
		CHECK_EQ(t->nrows, 1);
		CHECK_STR(table_get(t, 0, 0), "10");	/* 3, as 12; ties by id */
		CHECK_STR(table_get(t, 0, 3), "3");
		CHECK_STR(table_get(t, 0, 5), "1");	/* pv */
		table_free(t);
	} else
		CHECK_FAIL("top items: %s", err.msg);
	/* Only the known users: the scan gives the same as the SQL. */
	CHECK(store_exec(st, "DELETE FROM events WHERE user_id = 99", &err) == 0);
	if ((t = store_top_items(st, 0, &err)) != NULL) {
		CHECK_EQ(t->nrows, 3);
		CHECK_STR(table_get(t, 0, 0), "10");
		CHECK_STR(table_get(t, 1, 0), "12");
		CHECK_STR(table_get(t, 1, 3), "2");
		CHECK_STR(table_get(t, 1, 8), "1");	/* buy */
		CHECK_STR(table_get(t, 2, 0), "11");
		table_free(t);
	} else
		CHECK_FAIL("top items: %s", err.msg);
	store_close(st);
}

/* Events over time: buckets over the central mass, strays counted aside. */
static void
test_activity(const char *dir)
{
	const char *path = tu_join(dir, "activity.rfs");
	rf_error err;
	rf_table *t;
	store *st = store_open(path, STORE_CREATE, &err);
	char sql[256];
	int d, i;

	if (st == NULL) {
		CHECK_FAIL("store_open: %s", err.msg);
		return;
	}
	/* Empty: a table without rows. */
	if ((t = store_activity(st, 0, &err)) != NULL) {
		CHECK_EQ(t->nrows, 0);
		CHECK_EQ(t->ncols, 7);
		table_free(t);
	} else
		CHECK_FAIL("activity: %s", err.msg);
	/* 2017-11-25 (1511568000) .. 2017-12-03: 9 days, day d has 100 + d
	 * events, one of them a buy; day 4 none at all (an empty bucket). */
	CHECK(store_begin(st, &err) == 0);
	for (d = 0; d < 9; d++) {
		if (d == 4)
			continue;
		snprintf(sql, sizeof sql, "WITH RECURSIVE k(n) AS (SELECT 0 UNION"
		    " ALL SELECT n + 1 FROM k WHERE n < %d) INSERT INTO events"
		    " SELECT 1, 1, CASE n WHEN 0 THEN 4 ELSE 1 END, 1,"
		    " %lld + n * 60, 1 FROM k", 100 + d - 1,
		    1511568000LL + d * 86400LL);
		CHECK(store_exec(st, sql, &err) == 0);
	}
	/* Three strays years before, one after, two without a time. */
	CHECK(store_exec(st, "INSERT INTO events VALUES (1, 1, 1, 1, 86400, 1);"
	    " INSERT INTO events VALUES (1, 1, 1, 1, 1000000000, 1);"
	    " INSERT INTO events VALUES (1, 1, 2, 1, 1000000001, 1);"
	    " INSERT INTO events VALUES (1, 1, 1, 1, 1700000000, 1);"
	    " INSERT INTO events VALUES (1, 1, 0, 4, 0, 1);"
	    " INSERT INTO events VALUES (1, 1, 0, 3, 0, 1)", &err) == 0);
	CHECK(store_commit(st, &err) == 0);

	if ((t = store_activity(st, 0, &err)) != NULL) {
		CHECK_STR(t->title, "activity per day");
		CHECK_EQ(t->nrows, 9 + 3);
		CHECK_STR(table_get(t, 0, 0), "2017-11-25");
		CHECK_STR(table_get(t, 0, 1), "100");
		CHECK_STR(table_get(t, 0, 2), "99");	/* pv */
		CHECK_STR(table_get(t, 0, 5), "1");	/* buy */
		CHECK_STR(table_get(t, 4, 0), "2017-11-29");
		CHECK_STR(table_get(t, 4, 1), "0");
		CHECK_STR(table_get(t, 8, 0), "2017-12-03");
		CHECK_STR(table_get(t, 8, 1), "108");
		CHECK_STR(table_get(t, 9, 0), "earlier");
		CHECK_STR(table_get(t, 9, 1), "3");
		CHECK_STR(table_get(t, 9, 3), "1");	/* fav */
		CHECK_STR(table_get(t, 10, 0), "later");
		CHECK_STR(table_get(t, 10, 1), "1");
		CHECK_STR(table_get(t, 11, 0), "untimed");
		CHECK_STR(table_get(t, 11, 6), "2");	/* rating */
		table_free(t);
	} else
		CHECK_FAIL("activity: %s", err.msg);
	/* At most 3 buckets: weeks from Monday 2017-11-20. */
	if ((t = store_activity(st, 3, &err)) != NULL) {
		CHECK_STR(t->title, "activity per week");
		CHECK_STR(table_get(t, 0, 0), "2017-11-20");
		CHECK_STR(table_get(t, 0, 1), "201");	/* Sat + Sun */
		CHECK_STR(table_get(t, 1, 0), "2017-11-27");
		CHECK_STR(table_get(t, 1, 1), "631");	/* Mon..Sun, one empty */
		CHECK_STR(table_get(t, 2, 0), "earlier");
		table_free(t);
	} else
		CHECK_FAIL("activity: %s", err.msg);

	/* A long even spread (500 days): months, nothing left out. */
	CHECK(store_exec(st, "DELETE FROM events", &err) == 0);
	CHECK(store_begin(st, &err) == 0);
	for (i = 0; i < 500; i++) {
		snprintf(sql, sizeof sql, "INSERT INTO events VALUES"
		    " (1, 1, 0, 4, %lld, 1)", 946684800LL + i * 86400LL);
		CHECK(store_exec(st, sql, &err) == 0);
	}
	CHECK(store_commit(st, &err) == 0);
	if ((t = store_activity(st, 0, &err)) != NULL) {
		CHECK_STR(t->title, "activity per month");
		CHECK_EQ(t->nrows, 17);	/* 2000-01 .. 2001-05 */
		CHECK_STR(table_get(t, 0, 0), "2000-01-01");
		CHECK_STR(table_get(t, 0, 1), "31");
		CHECK_STR(table_get(t, 1, 1), "29");	/* a leap year */
		CHECK_STR(table_get(t, 16, 0), "2001-05-01");
		CHECK_STR(table_get(t, 16, 1), "14");	/* to May 14th */
		table_free(t);
	} else
		CHECK_FAIL("activity: %s", err.msg);
	if ((t = store_activity(st, 1, &err)) != NULL) {
		CHECK_STR(t->title, "activity per year");
		CHECK_EQ(t->nrows, 2);
		CHECK_STR(table_get(t, 1, 0), "2001-01-01");
		CHECK_STR(table_get(t, 1, 1), "134");
		table_free(t);
	} else
		CHECK_FAIL("activity: %s", err.msg);
	store_close(st);
}

/* A saved model's bytes read back in pieces of `piece` bytes; 0 when they
 * are exactly want[0..n). */
static int
model_bytes_differ(store *st, int64_t id, const unsigned char *want,
    size_t n, size_t piece)
{
	unsigned char buf[4096];
	store_model_reader *r;
	rf_error err;
	size_t at = 0;
	int64_t got;
	int differ = 0;

	if ((r = store_model_open(st, id, &err)) == NULL) {
		CHECK_FAIL("store_model_open: %s", err.msg);
		return 1;
	}
	while ((got = store_model_read(r, buf, piece, &err)) > 0) {
		if (at + (size_t)got > n || memcmp(buf, want + at,
		    (size_t)got) != 0)
			differ = 1;
		at += (size_t)got;
	}
	if (got < 0)
		CHECK_FAIL("store_model_read: %s", err.msg);
	store_model_close(r);
	return differ || got < 0 || at != n;
}

/* Saved model bytes over several chunks (a chunk of 1000 bytes here,
 * 16 MiB in use), written in pieces that do not line up with the chunks
 * and read back bit-identical; an aborted model leaves nothing. */
static void
test_saved_models(const char *dir)
{
	static const size_t pieces[] = { 1, 999, 1700, 800 };	/* 3500 */
	unsigned char blob[3500];
	store_model_writer *w;
	store_model_info info;
	rf_error err;
	store *st = store_open(tu_join(dir, "models.rfs"), STORE_CREATE, &err);
	size_t i, at = 0;
	int version = 0;
	uint32_t x = 12345;

	if (st == NULL) {
		CHECK_FAIL("store_open: %s", err.msg);
		return;
	}
	for (i = 0; i < sizeof blob; i++) {
		x = x * 1103515245u + 12345u;
		blob[i] = (unsigned char)(x >> 16);
	}
	store_set_model_chunk(st, 1000);
	CHECK((w = store_model_begin(st, "toy", 0, 1, &err)) != NULL);
	if (w == NULL) {
		store_close(st);
		return;
	}
	for (i = 0; i < sizeof pieces / sizeof pieces[0]; i++) {
		CHECK(store_model_write(w, blob + at, pieces[i], &err) == 0);
		at += pieces[i];
	}
	CHECK(store_model_commit(w, "sum1", &version, &err) == 0);
	CHECK_EQ(version, 1);
	CHECK_EQ(store_count(st, "saved_models"), 1);
	CHECK_EQ(store_count(st, "model_chunks"), 4);
	CHECK_EQ(query_int(st, "SELECT max(length(data)) FROM model_chunks"),
	    1000);

	/* A second version written whole. */
	CHECK((w = store_model_begin(st, "toy", 0, 1, &err)) != NULL);
	if (w != NULL) {
		CHECK(store_model_write(w, blob, 2500, &err) == 0);
		CHECK(store_model_commit(w, "sum2", &version, &err) == 0);
		CHECK_EQ(version, 2);
	}
	CHECK_EQ(store_count(st, "model_chunks"), 7);

	CHECK_EQ(store_model_find(st, "toy", 1, &info, &err), 1);
	CHECK_EQ(info.version, 1);
	CHECK_EQ(info.size, sizeof blob);
	CHECK_STR(info.checksum, "sum1");
	CHECK(model_bytes_differ(st, info.id, blob, sizeof blob, 333) == 0);
	CHECK(model_bytes_differ(st, info.id, blob, sizeof blob, 4096) == 0);
	CHECK_EQ(store_model_find(st, "toy", 0, &info, &err), 1);
	CHECK_EQ(info.version, 2);
	CHECK_EQ(info.size, 2500);
	CHECK(model_bytes_differ(st, info.id, blob, 2500, 7) == 0);
	CHECK_EQ(store_model_find(st, "toy", 3, &info, &err), 0);
	CHECK_EQ(store_model_find(st, "other", 0, &info, &err), 0);

	/* Aborted: no row, no chunk, and the version is not taken. */
	CHECK((w = store_model_begin(st, "toy", 0, 1, &err)) != NULL);
	if (w != NULL) {
		CHECK(store_model_write(w, blob, sizeof blob, &err) == 0);
		store_model_abort(w);
	}
	CHECK_EQ(store_count(st, "saved_models"), 2);
	CHECK_EQ(store_count(st, "model_chunks"), 7);
	store_close(st);
}

/* A version 1 store (each model's bytes in saved_models.data) opened by
 * this version: the model is kept, its bytes become its only chunk. */
static void
test_migrate_v1_models(const char *dir)
{
	const char *path = tu_join(dir, "v1.rfs");
	store_model_info info;
	rf_error err;
	store *st = store_open(path, STORE_CREATE, &err);

	if (st == NULL) {
		CHECK_FAIL("store_open: %s", err.msg);
		return;
	}
	/* Back to version 1's saved_models, by hand. */
	CHECK(store_exec(st, "DROP TABLE model_chunks; DROP TABLE saved_models;"
	    "CREATE TABLE saved_models(id INTEGER PRIMARY KEY, run_id INTEGER,"
	    " name TEXT NOT NULL, version INTEGER NOT NULL,"
	    " format INTEGER NOT NULL, checksum TEXT NOT NULL,"
	    " created REAL NOT NULL, data BLOB NOT NULL,"
	    " UNIQUE(name, version));"
	    "INSERT INTO saved_models VALUES (7, NULL, 'toy', 3, 1, 'abc', 0,"
	    " x'00010203fffe');"
	    "PRAGMA user_version = 1", &err) == 0);
	store_close(st);

	/* Read-only, it is refused: it must be upgraded first. */
	CHECK(store_open(path, STORE_READONLY, &err) == NULL);
	CHECK_CONTAINS(err.msg, "older than");
	if ((st = store_open(path, 0, &err)) == NULL) {
		CHECK_FAIL("store_open v1: %s", err.msg);
		return;
	}
	CHECK_EQ(store_schema_version(st), STORE_SCHEMA_VERSION);
	CHECK_EQ(store_count(st, "saved_models"), 1);
	CHECK_EQ(store_count(st, "model_chunks"), 1);
	CHECK_EQ(store_model_find(st, "toy", 0, &info, &err), 1);
	CHECK_EQ(info.id, 7);
	CHECK_EQ(info.version, 3);
	CHECK_EQ(info.size, 6);
	CHECK_STR(info.checksum, "abc");
	CHECK(model_bytes_differ(st, info.id, (const unsigned char *)
	    "\x00\x01\x02\x03\xff\xfe", 6, 4) == 0);
	CHECK_EQ(query_int(st, "SELECT count(*) FROM sqlite_master"
	    " WHERE name = 'saved_models_v1'"), 0);
	store_close(st);
}

int
main(void)
{
	const char *dir = tu_tempdir();

	test_migration(dir);
	test_open_errors(dir);
	test_readonly(dir);
	test_readonly_hot_journal(dir);
	test_query(dir);
	test_summaries(dir);
	test_activity(dir);
	test_saved_models(dir);
	test_migrate_v1_models(dir);
	return check_done();
}
