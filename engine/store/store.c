/* store: the SQLite system of record; schema migrations, the read-only user
 * query, and the summaries shown by the stats/imports/rejects/top commands. */
#if !defined(_GNU_SOURCE) && !defined(_POSIX_C_SOURCE)
#define _POSIX_C_SOURCE 200809L	/* gmtime_r, strcasecmp under -std=c11 */
#endif
#include "engine/store/store.h"

#include <errno.h>
#include <stdarg.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#define STORE_STR_(x)	#x
#define STORE_STR(x)	STORE_STR_(x)

struct store {
	sqlite3 *db;
	char *path;
	int readonly;
	int version;
};

/*
 * Schema migrations: migrations[i] takes a store from user_version i to i+1.
 * A later version appends a migration here and bumps STORE_SCHEMA_VERSION;
 * never edit a migration that has shipped.
 */
static const char *const migrations[] = {
	/* 0 -> 1: the initial schema (see store.h). */
	"CREATE TABLE imports(id INTEGER PRIMARY KEY, kind TEXT NOT NULL,"
	" source TEXT NOT NULL, format TEXT NOT NULL, hash TEXT NOT NULL,"
	" quick_hash TEXT NOT NULL, options TEXT,"
	" rows_read INTEGER NOT NULL DEFAULT 0,"
	" rows_accepted INTEGER NOT NULL DEFAULT 0,"
	" rows_rejected INTEGER NOT NULL DEFAULT 0,"
	" rows_duplicate INTEGER NOT NULL DEFAULT 0,"
	" beh_rating INTEGER NOT NULL DEFAULT 0,"
	" beh_pv INTEGER NOT NULL DEFAULT 0, beh_fav INTEGER NOT NULL DEFAULT 0,"
	" beh_cart INTEGER NOT NULL DEFAULT 0, beh_buy INTEGER NOT NULL DEFAULT 0,"
	" beh_event INTEGER NOT NULL DEFAULT 0,"
	" first_ts INTEGER, last_ts INTEGER,"
	" first_event INTEGER, last_event INTEGER,"
	" started REAL NOT NULL, finished REAL);"
	"CREATE INDEX imports_hash ON imports(hash);"
	"CREATE TABLE users(id INTEGER PRIMARY KEY, ext_id TEXT NOT NULL);"
	"CREATE TABLE items(id INTEGER PRIMARY KEY, ext_id TEXT NOT NULL,"
	" title TEXT, category TEXT, genres TEXT);"
	"CREATE TABLE behaviors(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);"
	"INSERT INTO behaviors(id, name) VALUES (0, 'rating'), (1, 'pv'),"
	" (2, 'fav'), (3, 'cart'), (4, 'buy'), (5, 'event');"
	"CREATE TABLE events(user_id INTEGER NOT NULL, item_id INTEGER NOT NULL,"
	" behavior INTEGER NOT NULL, value REAL NOT NULL, ts INTEGER NOT NULL,"
	" import_id INTEGER NOT NULL);"
	"CREATE TABLE rejects(import_id INTEGER NOT NULL, line INTEGER NOT NULL,"
	" reason TEXT NOT NULL, raw TEXT);"
	"CREATE TABLE splits(id INTEGER PRIMARY KEY, spec TEXT NOT NULL,"
	" seed INTEGER, created REAL NOT NULL, n_train INTEGER, n_valid INTEGER,"
	" n_test INTEGER, assignment BLOB);"
	"CREATE TABLE runs(id INTEGER PRIMARY KEY, model TEXT NOT NULL,"
	" params TEXT NOT NULL, seed INTEGER NOT NULL, split_id INTEGER,"
	" status TEXT NOT NULL, started REAL NOT NULL, finished REAL,"
	" epochs INTEGER, seconds REAL, metrics TEXT);"
	"CREATE TABLE epochs(run_id INTEGER NOT NULL, epoch INTEGER NOT NULL,"
	" loss REAL, valid_metric REAL, seconds REAL,"
	" PRIMARY KEY(run_id, epoch));"
	"CREATE TABLE saved_models(id INTEGER PRIMARY KEY, run_id INTEGER,"
	" name TEXT NOT NULL, version INTEGER NOT NULL, format INTEGER NOT NULL,"
	" checksum TEXT NOT NULL, created REAL NOT NULL, data BLOB NOT NULL,"
	" UNIQUE(name, version));"
	"CREATE TABLE settings(key TEXT PRIMARY KEY, value TEXT);",
};

_Static_assert(sizeof migrations / sizeof migrations[0] == STORE_SCHEMA_VERSION,
    "one migration per schema version");

static const char *const behavior_names[BEH_COUNT] = {
	"rating", "pv", "fav", "cart", "buy", "event"
};

const char *
store_behavior_name(int code)
{
	if (code < 0 || code >= BEH_COUNT)
		return NULL;
	return behavior_names[code];
}

int
store_behavior_code(const char *name, size_t len)
{
	static const struct {
		const char *name;
		int code;
	} names[] = {
		{ "rating", BEH_RATING }, { "pv", BEH_PV }, { "view", BEH_PV },
		{ "click", BEH_PV }, { "fav", BEH_FAV }, { "favorite", BEH_FAV },
		{ "favourite", BEH_FAV }, { "cart", BEH_CART },
		{ "addtocart", BEH_CART }, { "buy", BEH_BUY },
		{ "purchase", BEH_BUY }, { "transaction", BEH_BUY },
		{ "event", BEH_EVENT },
	};
	size_t i;

	for (i = 0; i < sizeof names / sizeof names[0]; i++) {
		if (strlen(names[i].name) == len &&
		    strncasecmp(names[i].name, name, len) == 0)
			return names[i].code;
	}
	return -1;
}

static int
db_fail(store *st, rf_error *err, const char *what)
{
	return rf_fail(err, "%s: %s: %s", st->path, what, sqlite3_errmsg(st->db));
}

int
store_exec(store *st, const char *sql, rf_error *err)
{
	char *msg = NULL;

	if (sqlite3_exec(st->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		rf_fail(err, "%s: %s", st->path, msg ? msg : "sqlite error");
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

int
store_begin(store *st, rf_error *err)
{
	/* IMMEDIATE takes the write lock now, not at the first insert halfway
	 * through a long import. */
	return store_exec(st, "BEGIN IMMEDIATE", err);
}

int
store_commit(store *st, rf_error *err)
{
	return store_exec(st, "COMMIT", err);
}

void
store_rollback(store *st)
{
	if (!sqlite3_get_autocommit(st->db))
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
}

static int
read_user_version(store *st, int *version, rf_error *err)
{
	sqlite3_stmt *s;
	int rc;

	if (sqlite3_prepare_v2(st->db, "PRAGMA user_version", -1, &s, NULL) !=
	    SQLITE_OK)
		return db_fail(st, err, "cannot read the store");
	rc = sqlite3_step(s);
	if (rc != SQLITE_ROW) {
		sqlite3_finalize(s);
		return db_fail(st, err, "cannot read the store");
	}
	*version = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	return 0;
}

static int
store_migrate(store *st, rf_error *err)
{
	char sql[64];

	while (st->version < STORE_SCHEMA_VERSION) {
		if (store_begin(st, err) < 0)
			return -1;
		snprintf(sql, sizeof sql, "PRAGMA user_version = %d",
		    st->version + 1);
		if (store_exec(st, migrations[st->version], err) < 0 ||
		    store_exec(st, sql, err) < 0 || store_commit(st, err) < 0) {
			store_rollback(st);
			return -1;
		}
		st->version++;
	}
	return 0;
}

/* Bulk imports: a rollback journal, not WAL (WAL would write every inserted
 * page twice); NORMAL sync is safe with a rollback journal; a bounded cache
 * (64 MiB) for queries, which imports shrink while they run. */
static int
store_set_pragmas(store *st, rf_error *err)
{
	return store_exec(st,
	    "PRAGMA journal_mode = TRUNCATE;"
	    "PRAGMA synchronous = NORMAL;"
	    "PRAGMA cache_size = -" STORE_STR(STORE_CACHE_KIB) ";"
	    "PRAGMA temp_store = MEMORY;"
	    "PRAGMA foreign_keys = OFF;", err);
}

static void
store_harden(sqlite3 *db)
{
	sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION, 0, NULL);
#ifdef SQLITE_DBCONFIG_DEFENSIVE
	sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
#endif
#ifdef SQLITE_DBCONFIG_TRUSTED_SCHEMA
	sqlite3_db_config(db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, NULL);
#endif
}

static int64_t query_int(store *st, const char *sql);

static int
store_check_version(store *st, rf_error *err)
{
	if (st->version > STORE_SCHEMA_VERSION)
		return rf_fail(err, "%s: store schema version %d is newer than "
		    "this program supports (%d)", st->path, st->version,
		    STORE_SCHEMA_VERSION);
	/* Version 0 with tables: some other SQLite database, which the
	 * first migration would half-fill or fail on ("table events already
	 * exists"). */
	if (st->version == 0 && query_int(st, "SELECT count(*) FROM "
	    "sqlite_master") > 0)
		return rf_fail(err, "%s: not a recfuse store (an SQLite "
		    "database with other tables)", st->path);
	if (!st->readonly || st->version == STORE_SCHEMA_VERSION)
		return 0;
	if (st->version == 0)
		return rf_fail(err, "%s: not a recfuse store (no schema); "
		    "open it without --read-only, with write permission, to "
		    "create one", st->path);
	return rf_fail(err, "%s: store schema version %d is older than %d; "
	    "open it once without --read-only, with write permission, to "
	    "upgrade it", st->path, st->version, STORE_SCHEMA_VERSION);
}

store *
store_open(const char *path, int flags, rf_error *err)
{
	struct stat sb;
	store *st;
	int oflags;

	if ((flags & STORE_READONLY) || !(flags & STORE_CREATE)) {
		if (stat(path, &sb) < 0) {
			rf_fail(err, "%s: cannot open store: %s", path,
			    strerror(errno));
			return NULL;
		}
	}
	if ((st = calloc(1, sizeof *st)) == NULL ||
	    (st->path = strdup(path)) == NULL) {
		free(st);
		rf_fail(err, "%s: out of memory", path);
		return NULL;
	}
	st->readonly = (flags & STORE_READONLY) != 0;
	if (st->readonly)
		oflags = SQLITE_OPEN_READONLY;
	else
		oflags = SQLITE_OPEN_READWRITE |
		    ((flags & STORE_CREATE) ? SQLITE_OPEN_CREATE : 0);
	/* A connection belongs to one thread (training and evaluation
	 * threads never touch the store; their events reach it through the
	 * main thread), so SQLite's per-call connection mutex is pure cost
	 * (about 3% of a bulk import). */
	oflags |= SQLITE_OPEN_NOMUTEX;
	if (sqlite3_open_v2(path, &st->db, oflags, NULL) != SQLITE_OK) {
		rf_fail(err, "%s: cannot open store: %s", path,
		    st->db ? sqlite3_errmsg(st->db) : "out of memory");
		store_close(st);
		return NULL;
	}
	/* SQLite falls back to read-only when the file is not writable;
	 * treat the store as opened with --read-only, so commands refuse or
	 * keep results in memory instead of failing half-way. */
	if (!st->readonly && sqlite3_db_readonly(st->db, "main") == 1)
		st->readonly = 1;
	sqlite3_extended_result_codes(st->db, 1);
	sqlite3_busy_timeout(st->db, 5000);
	store_harden(st->db);
	if (read_user_version(st, &st->version, err) < 0 ||
	    store_check_version(st, err) < 0 ||
	    (st->readonly && store_exec(st, "PRAGMA query_only = 1", err) < 0) ||
	    (!st->readonly && (store_set_pragmas(st, err) < 0 ||
	    store_migrate(st, err) < 0))) {
		store_close(st);
		return NULL;
	}
	return st;
}

void
store_close(store *st)
{
	if (st == NULL)
		return;
	sqlite3_close(st->db);
	free(st->path);
	free(st);
}

sqlite3 *
store_db(store *st)
{
	return st->db;
}

const char *
store_path(const store *st)
{
	return st->path;
}

int
store_is_store_file(const store *st, const char *path)
{
	static const char *const suffix[] = { "", "-wal", "-shm", "-journal" };
	struct stat a, b;
	char name[4096];
	size_t k;

	if (stat(path, &a) != 0)
		return 0;
	for (k = 0; k < sizeof suffix / sizeof suffix[0]; k++) {
		if ((size_t)snprintf(name, sizeof name, "%s%s", st->path,
		    suffix[k]) >= sizeof name)
			continue;
		if (stat(name, &b) == 0 && a.st_dev == b.st_dev &&
		    a.st_ino == b.st_ino)
			return 1;
	}
	return 0;
}

int
store_is_readonly(const store *st)
{
	return st->readonly;
}

int
store_schema_version(store *st)
{
	return st->version;
}

int
store_check_writable(store *st, const char *what, rf_error *err)
{
	if (!st->readonly)
		return 0;
	return rf_fail(err, "%s: store is open read-only; cannot %s "
	    "(open it without --read-only, with write permission)", st->path,
	    what ? what : "write");
}

/* ---- the read-only user query ---------------------------------------- */

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

/* SQLite's progress callback: non-zero stops the statement with
 * SQLITE_INTERRUPT, so a runaway query (a recursive CTE without a limit)
 * can be stopped with Ctrl-C. */
static int
query_progress(void *ud)
{
	return *(const volatile int *)ud != 0;
}

rf_table *
store_query_cancel(store *st, const char *sql, int max_rows,
    const volatile int *cancel, rf_error *err)
{
	struct query_auth qa = { NULL };
	rf_table *t;

	/* query_only is a second lock behind the authorizer. */
	if (!st->readonly && store_exec(st, "PRAGMA query_only = 1", err) < 0)
		return NULL;
	sqlite3_set_authorizer(st->db, query_authorizer, &qa);
	if (cancel != NULL)
		sqlite3_progress_handler(st->db, 10000, query_progress,
		    (void *)(uintptr_t)cancel);
	t = query_run(st, sql, max_rows, &qa, err);
	if (t == NULL && cancel != NULL && *cancel)
		rf_fail(err, "sql: stopped (Ctrl-C)");
	sqlite3_progress_handler(st->db, 0, NULL, NULL);
	sqlite3_set_authorizer(st->db, NULL, NULL);
	if (!st->readonly)
		sqlite3_exec(st->db, "PRAGMA query_only = 0", NULL, NULL, NULL);
	return t;
}

/* ---- summaries ------------------------------------------------------- */

static sqlite3_stmt *
prepare(store *st, const char *sql, rf_error *err)
{
	sqlite3_stmt *s;

	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK) {
		db_fail(st, err, "query failed");
		return NULL;
	}
	return s;
}

static int64_t
query_int(store *st, const char *sql)
{
	sqlite3_stmt *s;
	int64_t v = -1;

	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return v;
}

int64_t
store_count(store *st, const char *table)
{
	static const char *const tables[] = {
		"imports", "users", "items", "behaviors", "events", "rejects",
		"splits", "runs", "epochs", "saved_models", "settings",
	};
	char sql[64];
	size_t i;

	for (i = 0; i < sizeof tables / sizeof tables[0]; i++) {
		if (strcmp(table, tables[i]) == 0) {
			/* A name from the fixed list above, never user text. */
			snprintf(sql, sizeof sql, "SELECT count(*) FROM %s",
			    tables[i]);
			return query_int(st, sql);
		}
	}
	return -1;
}

static int
kv_row(rf_table *t, const char *key, const char *fmt, ...) RF_PRINTF(3, 4);

static int
kv_row(rf_table *t, const char *key, const char *fmt, ...)
{
	char buf[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	if (table_begin_row(t) < 0 || table_cell_text(t, key) < 0 ||
	    table_cell_text(t, buf) < 0)
		return -1;
	return 0;
}

static void
format_utc(int64_t ts, char *buf, size_t n)
{
	time_t tt = (time_t)ts;
	struct tm tm;

	if (gmtime_r(&tt, &tm) == NULL)
		snprintf(buf, n, "%" PRId64, ts);
	else
		strftime(buf, n, "%Y-%m-%d %H:%M:%S", &tm);
}

struct event_summary {
	int64_t events, beh[BEH_COUNT], first, last;
	int have_time;
};

/*
 * Events are written by imports only, each import's row keeps its counts
 * by behaviour and its time range, and events' rowids run 1..N without
 * gaps (appends in one transaction; a failed import rolls back): when the
 * accepted rows of the events imports add up to max(rowid) and the first
 * rowid is 1, the summary is read from the imports rows, which costs
 * nothing however many events there are.  Otherwise (rows written some
 * other way) 0 is returned and the events are scanned.
 */
static int
summarize_from_imports(store *st, struct event_summary *es)
{
	sqlite3_stmt *s;
	int64_t max_rowid, min_rowid;
	int i, ok = 0;

	if (sqlite3_prepare_v2(st->db, "SELECT sum(rows_accepted),"
	    " sum(beh_rating), sum(beh_pv), sum(beh_fav), sum(beh_cart),"
	    " sum(beh_buy), sum(beh_event), min(first_ts), max(last_ts),"
	    " count(*) FROM imports WHERE kind = 'events'", -1, &s, NULL) !=
	    SQLITE_OK)
		return 0;
	if (sqlite3_step(s) == SQLITE_ROW) {
		es->events = sqlite3_column_int64(s, 0);
		for (i = 0; i < BEH_COUNT; i++)
			es->beh[i] = sqlite3_column_int64(s, 1 + i);
		es->have_time = sqlite3_column_type(s, 7) != SQLITE_NULL;
		es->first = sqlite3_column_int64(s, 7);
		es->last = sqlite3_column_int64(s, 8);
		ok = 1;
	}
	sqlite3_finalize(s);
	if (!ok)
		return 0;
	/* Both are a single descent of the b-tree. */
	max_rowid = query_int(st, "SELECT coalesce(max(rowid), 0) FROM events");
	min_rowid = query_int(st, "SELECT coalesce(min(rowid), 1) FROM events");
	return max_rowid == es->events && min_rowid == 1;
}

/* The fallback: one plain scan with no GROUP BY (no sorter). */
static int
summarize_events(store *st, struct event_summary *es, rf_error *err)
{
	sqlite3_stmt *s = prepare(st, "SELECT count(*),"
	    " sum(behavior = 0), sum(behavior = 1), sum(behavior = 2),"
	    " sum(behavior = 3), sum(behavior = 4), sum(behavior = 5),"
	    " min(nullif(ts, 0)), max(nullif(ts, 0)) FROM events", err);
	int i;

	if (s == NULL)
		return -1;
	if (sqlite3_step(s) != SQLITE_ROW) {
		db_fail(st, err, "stats");
		sqlite3_finalize(s);
		return -1;
	}
	es->events = sqlite3_column_int64(s, 0);
	for (i = 0; i < BEH_COUNT; i++)
		es->beh[i] = sqlite3_column_int64(s, 1 + i);
	es->have_time = sqlite3_column_type(s, 7) != SQLITE_NULL;
	es->first = sqlite3_column_int64(s, 7);
	es->last = sqlite3_column_int64(s, 8);
	sqlite3_finalize(s);
	return 0;
}

static int
stats_rows(store *st, rf_table *t, const struct event_summary *es)
{
	int64_t users = store_count(st, "users"), items = store_count(st, "items");
	double cells = (double)users * (double)items;
	char a[32], b[32];
	int i, rc = 0;

	rc |= kv_row(t, "events", "%" PRId64, es->events);
	rc |= kv_row(t, "users", "%" PRId64, users);
	rc |= kv_row(t, "items", "%" PRId64, items);
	rc |= kv_row(t, "density", "%.4f%%",
	    cells > 0 ? 100.0 * (double)es->events / cells : 0.0);
	for (i = 0; i < BEH_COUNT; i++) {
		char key[32];

		if (es->beh[i] == 0)
			continue;
		snprintf(key, sizeof key, "behaviour %s", behavior_names[i]);
		rc |= kv_row(t, key, "%" PRId64 " (%.1f%%)", es->beh[i],
		    100.0 * (double)es->beh[i] / (double)es->events);
	}
	if (es->have_time) {
		format_utc(es->first, a, sizeof a);
		format_utc(es->last, b, sizeof b);
		rc |= kv_row(t, "first event", "%s UTC", a);
		rc |= kv_row(t, "last event", "%s UTC", b);
		rc |= kv_row(t, "time span", "%.1f days",
		    (double)(es->last - es->first) / 86400.0);
	}
	rc |= kv_row(t, "imports", "%" PRId64, store_count(st, "imports"));
	rc |= kv_row(t, "rejects", "%" PRId64, store_count(st, "rejects"));
	return rc;
}

rf_table *
store_stats(store *st, rf_error *err)
{
	struct event_summary es;
	rf_table *t;

	memset(&es, 0, sizeof es);
	if (!summarize_from_imports(st, &es) &&
	    summarize_events(st, &es, err) < 0)
		return NULL;
	if ((t = table_new("stats")) == NULL ||
	    table_add_column(t, "key", COL_TEXT) < 0 ||
	    table_add_column(t, "value", COL_TEXT) < 0 ||
	    stats_rows(st, t, &es) != 0) {
		table_free(t);
		rf_fail(err, "stats: out of memory");
		return NULL;
	}
	return t;
}

struct colspec {
	const char *name;
	col_type type;
};

/* Run a fixed query (optionally binding one integer) into a new table with
 * the given columns; REAL columns show `decimals` places. */
static rf_table *
table_from_query(store *st, const char *title, const struct colspec *cols,
    int ncols, const char *sql, int64_t bind, int decimals, rf_error *err)
{
	sqlite3_stmt *s = prepare(st, sql, err);
	rf_table *t = NULL;
	int i, rc = 0;

	if (s == NULL)
		return NULL;
	if (sqlite3_bind_parameter_count(s) > 0)
		sqlite3_bind_int64(s, 1, bind);
	if ((t = table_new(title)) == NULL)
		goto oom;
	for (i = 0; i < ncols; i++)
		if (table_add_column(t, cols[i].name, cols[i].type) < 0)
			goto oom;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (table_begin_row(t) < 0)
			goto oom;
		for (i = 0; i < ncols; i++) {
			int r;

			if (sqlite3_column_type(s, i) == SQLITE_NULL)
				r = table_cell_null(t);
			else if (cols[i].type == COL_REAL)
				r = table_cell_real(t,
				    sqlite3_column_double(s, i), decimals);
			else
				r = table_cell_text(t, (const char *)
				    sqlite3_column_text(s, i));
			if (r < 0)
				goto oom;
		}
	}
	if (rc != SQLITE_DONE) {
		db_fail(st, err, title);
		goto fail;
	}
	sqlite3_finalize(s);
	return t;
oom:
	rf_fail(err, "%s: out of memory", title);
fail:
	sqlite3_finalize(s);
	table_free(t);
	return NULL;
}

rf_table *
store_imports(store *st, rf_error *err)
{
	static const struct colspec cols[] = {
		{ "id", COL_INT }, { "kind", COL_TEXT }, { "format", COL_TEXT },
		{ "source", COL_TEXT }, { "read", COL_INT },
		{ "accepted", COL_INT }, { "rejected", COL_INT },
		{ "duplicates", COL_INT }, { "seconds", COL_REAL },
	};

	return table_from_query(st, "imports", cols, 9,
	    "SELECT id, kind, format, source, rows_read, rows_accepted,"
	    " rows_rejected, rows_duplicate, finished - started"
	    " FROM imports ORDER BY id", 0, 2, err);
}

rf_table *
store_rejects(store *st, int limit, rf_error *err)
{
	static const struct colspec cols[] = {
		{ "import", COL_INT }, { "source", COL_TEXT },
		{ "line", COL_INT }, { "reason", COL_TEXT }, { "raw", COL_TEXT },
	};

	return table_from_query(st, "rejects", cols, 5,
	    "SELECT r.import_id, i.source, r.line, r.reason, r.raw"
	    " FROM rejects r LEFT JOIN imports i ON i.id = r.import_id"
	    " ORDER BY r.rowid LIMIT ?", limit > 0 ? limit : -1, 0, err);
}

/*
 * `users --top` and `items --top` without an index on events: one scan of
 * (id, behaviour) into per-id counters (users and items have dense rowids
 * from 1), a sort of the ids that have events, then the names of the first
 * `top` by rowid.  A GROUP BY would sort all the events instead.
 */
struct top_counts {
	int64_t *c;		/* (n + 1) * BEH_COUNT */
	int64_t n;		/* largest id */
};

struct top_entry {
	int64_t events, id;
};

static int64_t
top_total(const int64_t *c)
{
	int64_t t = 0;
	int b;

	for (b = 0; b < BEH_COUNT; b++)
		t += c[b];
	return t;
}

/* More events first, then the smaller id (as ORDER BY n DESC, id). */
static int
top_cmp(const void *pa, const void *pb)
{
	const struct top_entry *a = pa, *b = pb;

	if (a->events != b->events)
		return a->events > b->events ? -1 : 1;
	return a->id < b->id ? -1 : a->id > b->id;
}

/* 1 when counted, 0 when an id is outside 1..max(id) of the id table (the
 * caller then runs the SQL), -1 on error. */
static int
top_count(store *st, int items, struct top_counts *tc, rf_error *err)
{
	sqlite3_stmt *s;
	int64_t id;
	int beh, rc;

	tc->n = query_int(st, items ? "SELECT coalesce(max(id), 0) FROM items" :
	    "SELECT coalesce(max(id), 0) FROM users");
	if (tc->n < 0 || tc->n > ((int64_t)1 << 31))
		return 0;
	if ((tc->c = calloc((size_t)(tc->n + 1) * BEH_COUNT, sizeof *tc->c))
	    == NULL) {
		rf_fail(err, "top: out of memory");
		return -1;
	}
	if ((s = prepare(st, items ? "SELECT item_id, behavior FROM events" :
	    "SELECT user_id, behavior FROM events", err)) == NULL)
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		id = sqlite3_column_int64(s, 0);
		beh = sqlite3_column_int(s, 1);
		if (id < 1 || id > tc->n || beh < 0 || beh >= BEH_COUNT ||
		    sqlite3_column_type(s, 0) != SQLITE_INTEGER ||
		    sqlite3_column_type(s, 1) != SQLITE_INTEGER) {
			sqlite3_finalize(s);
			return 0;
		}
		tc->c[id * BEH_COUNT + beh]++;
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		db_fail(st, err, "top");
		return -1;
	}
	return 1;
}

/* Ids with events, best first; *nout of them. */
static struct top_entry *
top_order(const struct top_counts *tc, int64_t *nout)
{
	struct top_entry *e;
	int64_t id, n = 0, events;

	if ((e = malloc((size_t)(tc->n + 1) * sizeof *e)) == NULL)
		return NULL;
	for (id = 1; id <= tc->n; id++) {
		if ((events = top_total(&tc->c[id * BEH_COUNT])) > 0) {
			e[n].events = events;
			e[n++].id = id;
		}
	}
	qsort(e, (size_t)n, sizeof *e, top_cmp);
	*nout = n;
	return e;
}

static int
top_cell_int(rf_table *t, int64_t v)
{
	char buf[32];

	snprintf(buf, sizeof buf, "%" PRId64, v);
	return table_cell_text(t, buf);
}

static rf_table *
top_table(store *st, int items, int top, const struct colspec *cols,
    int ncols, struct top_counts *tc, rf_error *err)
{
	const char *title = items ? "top items" : "top users";
	sqlite3_stmt *s = NULL;
	rf_table *t = NULL;
	struct top_entry *ids;
	int64_t n, i, lim;
	int k, rc = 0;

	if ((ids = top_order(tc, &n)) == NULL)
		goto oom;
	lim = top > 0 && top < n ? top : n;
	if ((s = prepare(st, items ? "SELECT ext_id, title, category FROM items"
	    " WHERE id = ?" : "SELECT ext_id FROM users WHERE id = ?", err)) ==
	    NULL)
		goto fail;
	if ((t = table_new(title)) == NULL)
		goto oom;
	for (k = 0; k < ncols; k++)
		if (table_add_column(t, cols[k].name, cols[k].type) < 0)
			goto oom;
	for (i = 0; i < lim; i++) {
		const int64_t *c = &tc->c[ids[i].id * BEH_COUNT];
		int nmeta = items ? 3 : 1;

		sqlite3_bind_int64(s, 1, ids[i].id);
		if ((rc = sqlite3_step(s)) != SQLITE_ROW) {
			sqlite3_reset(s);
			if (rc != SQLITE_DONE) {
				db_fail(st, err, title);
				goto fail;
			}
			continue;	/* no such row: as the inner join */
		}
		if (table_begin_row(t) < 0)
			goto oom;
		for (k = 0; k < nmeta; k++)
			if (table_cell_text(t, (const char *)
			    sqlite3_column_text(s, k)) < 0)
				goto oom;
		sqlite3_reset(s);
		if (top_cell_int(t, ids[i].events) < 0)
			goto oom;
		for (k = 0; k < BEH_COUNT; k++)
			if (top_cell_int(t, c[k]) < 0)
				goto oom;
	}
	sqlite3_finalize(s);
	free(ids);
	return t;
oom:
	rf_fail(err, "%s: out of memory", title);
fail:
	sqlite3_finalize(s);
	free(ids);
	table_free(t);
	return NULL;
}

static rf_table *
store_top(store *st, int items, int top, const struct colspec *cols,
    int ncols, const char *sql, rf_error *err)
{
	struct top_counts tc = { NULL, 0 };
	rf_table *t = NULL;
	int rc = top_count(st, items, &tc, err);

	if (rc > 0)
		t = top_table(st, items, top, cols, ncols, &tc, err);
	else if (rc == 0)
		t = table_from_query(st, items ? "top items" : "top users",
		    cols, ncols, sql, top > 0 ? top : -1, 0, err);
	free(tc.c);
	return t;
}

rf_table *
store_top_users(store *st, int top, rf_error *err)
{
	static const struct colspec cols[] = {
		{ "user", COL_TEXT }, { "events", COL_INT },
		{ "rating", COL_INT }, { "pv", COL_INT }, { "fav", COL_INT },
		{ "cart", COL_INT }, { "buy", COL_INT }, { "event", COL_INT },
	};

	return store_top(st, 0, top, cols, 8,
	    "SELECT u.ext_id, c.n, c.b0, c.b1, c.b2, c.b3, c.b4, c.b5 FROM"
	    " (SELECT user_id, count(*) AS n, sum(behavior = 0) AS b0,"
	    "  sum(behavior = 1) AS b1, sum(behavior = 2) AS b2,"
	    "  sum(behavior = 3) AS b3, sum(behavior = 4) AS b4,"
	    "  sum(behavior = 5) AS b5 FROM events GROUP BY user_id"
	    "  ORDER BY n DESC, user_id LIMIT ?) c"
	    " JOIN users u ON u.id = c.user_id ORDER BY c.n DESC, c.user_id",
	    err);
}

rf_table *
store_top_items(store *st, int top, rf_error *err)
{
	static const struct colspec cols[] = {
		{ "item", COL_TEXT }, { "title", COL_TEXT },
		{ "category", COL_TEXT }, { "events", COL_INT },
		{ "rating", COL_INT }, { "pv", COL_INT }, { "fav", COL_INT },
		{ "cart", COL_INT }, { "buy", COL_INT }, { "event", COL_INT },
	};

	return store_top(st, 1, top, cols, 10,
	    "SELECT i.ext_id, i.title, i.category, c.n, c.b0, c.b1, c.b2,"
	    " c.b3, c.b4, c.b5 FROM"
	    " (SELECT item_id, count(*) AS n, sum(behavior = 0) AS b0,"
	    "  sum(behavior = 1) AS b1, sum(behavior = 2) AS b2,"
	    "  sum(behavior = 3) AS b3, sum(behavior = 4) AS b4,"
	    "  sum(behavior = 5) AS b5 FROM events GROUP BY item_id"
	    "  ORDER BY n DESC, item_id LIMIT ?) c"
	    " JOIN items i ON i.id = c.item_id ORDER BY c.n DESC, c.item_id",
	    err);
}

/* ---- activity over time ------------------------------------------------ */

/* Per-day counters of the activity scan, in an open-addressing table keyed
 * by the day number (days since 1970-01-01, floored). */
struct act_day {
	int64_t day;
	int64_t c[BEH_COUNT];
	int used;
};

struct act_days {
	struct act_day *slot;
	size_t cap, n;		/* cap: a power of two */
};

static size_t
act_hash(int64_t day, size_t cap)
{
	/* Fibonacci hashing: consecutive days spread over the table. */
	return (size_t)(((uint64_t)day * UINT64_C(0x9E3779B97F4A7C15)) >>
	    17) & (cap - 1);
}

static int
act_grow(struct act_days *d)
{
	size_t cap = d->cap ? d->cap * 2 : 256, i, h;
	struct act_day *s = calloc(cap, sizeof *s);

	if (s == NULL)
		return -1;
	for (i = 0; i < d->cap; i++) {
		if (!d->slot[i].used)
			continue;
		for (h = act_hash(d->slot[i].day, cap); s[h].used;
		    h = (h + 1) & (cap - 1))
			;
		s[h] = d->slot[i];
	}
	free(d->slot);
	d->slot = s;
	d->cap = cap;
	return 0;
}

/* The counters of day, created on first sight; NULL when out of memory. */
static struct act_day *
act_find(struct act_days *d, int64_t day)
{
	size_t h;

	if ((d->n + 1) * 2 > d->cap && act_grow(d) < 0)
		return NULL;
	for (h = act_hash(day, d->cap); d->slot[h].used;
	    h = (h + 1) & (d->cap - 1))
		if (d->slot[h].day == day)
			return &d->slot[h];
	d->slot[h].used = 1;
	d->slot[h].day = day;
	d->n++;
	return &d->slot[h];
}

static int
act_day_cmp(const void *pa, const void *pb)
{
	const struct act_day *a = pa, *b = pb;

	return a->day < b->day ? -1 : a->day > b->day;
}

static int64_t
floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;

	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/* Civil date of a day number and back (proleptic Gregorian; H. Hinnant,
 * "chrono-compatible low-level date algorithms"). */
static void
civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
	int64_t era, doe, yoe, doy, mp;

	z += 719468;
	era = floor_div(z, 146097);
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

static int64_t
days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = floor_div(y, 400);
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

enum act_unit { ACT_DAY, ACT_WEEK, ACT_MONTH, ACT_YEAR };

/* The bucket of a day as a running number (consecutive buckets differ by
 * one), and back to the bucket's first day. */
static int64_t
act_bucket(int64_t day, enum act_unit u)
{
	int64_t y;
	int m, d;

	switch (u) {
	case ACT_DAY:
		return day;
	case ACT_WEEK:
		/* 1970-01-01 was a Thursday: day 4 is a Monday. */
		return floor_div(day - 4, 7);
	case ACT_MONTH:
		civil_from_days(day, &y, &m, &d);
		return y * 12 + (m - 1);
	case ACT_YEAR:
		civil_from_days(day, &y, &m, &d);
		return y;
	}
	return day;
}

static int64_t
act_bucket_start(int64_t b, enum act_unit u)
{
	switch (u) {
	case ACT_DAY:
		return b;
	case ACT_WEEK:
		return b * 7 + 4;
	case ACT_MONTH:
		return days_from_civil(floor_div(b, 12), (int)(b - floor_div(b,
		    12) * 12) + 1, 1);
	case ACT_YEAR:
		return days_from_civil(b, 1, 1);
	}
	return b;
}

static int
act_row(rf_table *t, const char *label, const int64_t *c)
{
	static const int order[] = { BEH_PV, BEH_FAV, BEH_CART, BEH_BUY,
		BEH_RATING };
	int64_t total = 0;
	int k;

	for (k = 0; k < BEH_COUNT; k++)
		total += c[k];
	if (table_begin_row(t) < 0 || table_cell_text(t, label) < 0 ||
	    table_cell_int(t, total) < 0)
		return -1;
	for (k = 0; k < 5; k++)
		if (table_cell_int(t, c[order[k]]) < 0)
			return -1;
	return 0;
}

/* The 1st..99th percentile days of the sorted days (weighted by their
 * events), widened by a quarter of that span (at least a day) each side
 * and shrunk to the days that have events: the window [*lo, *hi]. */
static void
act_window(const struct act_day *days, size_t n, int64_t total, int64_t *lo,
    int64_t *hi)
{
	int64_t cum = 0, p1 = days[0].day, p99 = days[n - 1].day, margin;
	int have1 = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		int64_t e = 0;
		int k;

		for (k = 0; k < BEH_COUNT; k++)
			e += days[i].c[k];
		cum += e;
		if (!have1 && cum * 100 > total) {
			p1 = days[i].day;
			have1 = 1;
		}
		if (cum * 100 >= total * 99) {
			p99 = days[i].day;
			break;
		}
	}
	margin = (p99 - p1) / 4;
	if (margin < 1)
		margin = 1;
	for (i = 0; i < n && days[i].day < p1 - margin; i++)
		;
	*lo = days[i].day;
	for (i = n; i > 0 && days[i - 1].day > p99 + margin; i--)
		;
	*hi = days[i - 1].day;
}

rf_table *
store_activity(store *st, int buckets, rf_error *err)
{
	static const struct colspec cols[] = {
		{ "bucket", COL_TEXT }, { "events", COL_INT },
		{ "pv", COL_INT }, { "fav", COL_INT }, { "cart", COL_INT },
		{ "buy", COL_INT }, { "rating", COL_INT },
	};
	static const char *const unit_name[] = { "day", "week", "month",
		"year" };
	struct act_days d = { NULL, 0, 0 };
	struct act_day *days = NULL, *cur = NULL;
	int64_t untimed[BEH_COUNT] = { 0 }, before[BEH_COUNT] = { 0 };
	int64_t after[BEH_COUNT] = { 0 }, *sum = NULL, total = 0, lo, hi;
	int64_t b0, nb = 0, limit = buckets > 0 ? buckets : 60, y, any;
	enum act_unit unit;
	sqlite3_stmt *s;
	rf_table *t = NULL;
	size_t i, n;
	int rc, k, m, dd;
	char title[32], label[32];

	if ((s = prepare(st, "SELECT ts, behavior FROM events", err)) == NULL)
		return NULL;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		int64_t ts = sqlite3_column_int64(s, 0), day;
		int beh = sqlite3_column_int(s, 1);

		if (beh < 0 || beh >= BEH_COUNT)
			beh = BEH_EVENT;
		if (ts == 0) {
			untimed[beh]++;
			continue;
		}
		day = floor_div(ts, 86400);
		/* Logs come in runs of one day (by time, or by user over a
		 * short window): most rows hit the day before. */
		if (cur == NULL || cur->day != day) {
			if ((cur = act_find(&d, day)) == NULL)
				goto oom;
		}
		cur->c[beh]++;
		total++;
	}
	sqlite3_finalize(s);
	s = NULL;
	if (rc != SQLITE_DONE) {
		db_fail(st, err, "activity");
		goto fail;
	}

	/* The days in order (compacted in place). */
	for (i = 0, n = 0; i < d.cap; i++)
		if (d.slot[i].used)
			d.slot[n++] = d.slot[i];
	days = d.slot;
	d.slot = NULL;
	if (n > 1)	/* qsort(NULL, 0) is undefined: an empty store */
		qsort(days, n, sizeof *days, act_day_cmp);

	unit = ACT_DAY;
	lo = hi = 0;
	if (n > 0) {
		act_window(days, n, total, &lo, &hi);
		for (unit = ACT_DAY; unit < ACT_YEAR; unit++)
			if (act_bucket(hi, unit) - act_bucket(lo, unit) + 1 <=
			    limit)
				break;
		b0 = act_bucket(lo, unit);
		nb = act_bucket(hi, unit) - b0 + 1;
		if ((sum = calloc((size_t)nb * BEH_COUNT, sizeof *sum)) ==
		    NULL)
			goto oom;
		for (i = 0; i < n; i++) {
			int64_t *to = days[i].day < lo ? before : days[i].day >
			    hi ? after : &sum[(act_bucket(days[i].day, unit) -
			    b0) * BEH_COUNT];

			for (k = 0; k < BEH_COUNT; k++)
				to[k] += days[i].c[k];
		}
	} else {
		b0 = 0;
	}

	snprintf(title, sizeof title, "activity per %s", unit_name[unit]);
	if ((t = table_new(title)) == NULL)
		goto oom;
	for (k = 0; k < 7; k++)
		if (table_add_column(t, cols[k].name, cols[k].type) < 0)
			goto oom;
	for (i = 0; i < (size_t)nb; i++) {
		civil_from_days(act_bucket_start(b0 + (int64_t)i, unit), &y, &m,
		    &dd);
		snprintf(label, sizeof label, "%04" PRId64 "-%02d-%02d", y, m,
		    dd);
		if (act_row(t, label, &sum[i * BEH_COUNT]) < 0)
			goto oom;
	}
	for (k = 0, any = 0; k < BEH_COUNT; k++)
		any |= before[k];
	if (any && act_row(t, "earlier", before) < 0)
		goto oom;
	for (k = 0, any = 0; k < BEH_COUNT; k++)
		any |= after[k];
	if (any && act_row(t, "later", after) < 0)
		goto oom;
	for (k = 0, any = 0; k < BEH_COUNT; k++)
		any |= untimed[k];
	if (any && act_row(t, "untimed", untimed) < 0)
		goto oom;
	free(sum);
	free(days);
	return t;
oom:
	rf_fail(err, "activity: out of memory");
fail:
	sqlite3_finalize(s);
	free(d.slot);
	free(days);
	free(sum);
	table_free(t);
	return NULL;
}

int
store_set_setting(store *st, const char *key, const char *value,
    rf_error *err)
{
	sqlite3_stmt *s;
	int rc;

	if (store_check_writable(st, "change settings", err) < 0)
		return -1;
	if ((s = prepare(st, "INSERT OR REPLACE INTO settings(key, value)"
	    " VALUES (?, ?)", err)) == NULL)
		return -1;
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, value, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return db_fail(st, err, "cannot save setting");
	return 0;
}

char *
store_get_setting(store *st, const char *key)
{
	sqlite3_stmt *s;
	char *v = NULL;

	if (sqlite3_prepare_v2(st->db, "SELECT value FROM settings WHERE key = ?",
	    -1, &s, NULL) != SQLITE_OK)
		return NULL;
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	if (sqlite3_step(s) == SQLITE_ROW &&
	    sqlite3_column_type(s, 0) != SQLITE_NULL)
		v = strdup((const char *)sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	return v;
}
