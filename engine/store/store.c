/* store: opening, creating and migrating a store, transactions, the
 * read-only checks, table counts and settings (see store.h). */
#if !defined(_GNU_SOURCE) && !defined(_POSIX_C_SOURCE)
#define _POSIX_C_SOURCE 200809L	/* strdup, strncasecmp under -std=c11 */
#endif
#include "engine/store/db.h"
#include "engine/store/runs.h"
#include "engine/store/store.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define STORE_STR_(x)	#x
#define STORE_STR(x)	STORE_STR_(x)

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
	/* 1 -> 2: saved model bytes in chunks (model_chunks), so that a
	 * model over SQLite's 1 GB limit on one value can be saved; each
	 * version 1 blob becomes its model's chunk 0.  saved_models is
	 * rebuilt without its data column (DROP COLUMN needs SQLite 3.35). */
	"CREATE TABLE model_chunks(model_id INTEGER NOT NULL,"
	" seq INTEGER NOT NULL, data BLOB NOT NULL,"
	" PRIMARY KEY(model_id, seq));"
	"INSERT INTO model_chunks(model_id, seq, data)"
	" SELECT id, 0, data FROM saved_models WHERE length(data) > 0;"
	"ALTER TABLE saved_models RENAME TO saved_models_v1;"
	"CREATE TABLE saved_models(id INTEGER PRIMARY KEY, run_id INTEGER,"
	" name TEXT NOT NULL, version INTEGER NOT NULL, format INTEGER NOT NULL,"
	" checksum TEXT NOT NULL, created REAL NOT NULL,"
	" UNIQUE(name, version));"
	"INSERT INTO saved_models(id, run_id, name, version, format, checksum,"
	" created) SELECT id, run_id, name, version, format, checksum, created"
	" FROM saved_models_v1;"
	"DROP TABLE saved_models_v1;",
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

int
store_integrity(store *st, char *buf, size_t n, rf_error *err)
{
	sqlite3_stmt *q;
	size_t at = 0;
	int rc, ok = 1, lines = 0;

	if (n > 0)
		buf[0] = '\0';
	/* At most ten lines of its findings: the first say where. */
	if (sqlite3_prepare_v2(st->db, "PRAGMA integrity_check(10)", -1, &q,
	    NULL) != SQLITE_OK)
		return rf_fail(err, "%s: integrity check: %s", st->path,
		    sqlite3_errmsg(st->db));
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		const char *line = (const char *)sqlite3_column_text(q, 0);

		if (line == NULL || strcmp(line, "ok") == 0)
			continue;
		ok = 0;
		if (at < n) {
			int w = snprintf(buf + at, n - at, "%s%s",
			    lines++ ? "; " : "", line);

			at = w < 0 ? n : at + (size_t)w;
		}
	}
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE)
		return rf_fail(err, "%s: integrity check: %s", st->path,
		    sqlite3_errmsg(st->db));
	return ok;
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
		return store_fail(st, err, "cannot read the store");
	rc = sqlite3_step(s);
	if (rc != SQLITE_ROW) {
		sqlite3_finalize(s);
		return store_fail(st, err, "cannot read the store");
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
	if (st->version == 0 && store_query_int(st, "SELECT count(*) FROM "
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

const char *
store_library_version(void)
{
	return sqlite3_libversion();
}

/* A read-only connection cannot roll back the journal a process killed
 * in the middle of a write left behind (a hot journal), so it cannot read
 * at all ("attempt to write a readonly database").  Undo that write as
 * any read-write opening would, with a connection of its own that reads
 * one value and closes: the store comes back to its last commit, which is
 * what every reader sees anyway, and nothing of the user's is written.
 * Without write permission, say what is in the way. */
static int
recover_hot_journal(const char *path, rf_error *err)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *s = NULL;
	int ok;

	ok = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_NOMUTEX, NULL) == SQLITE_OK &&
	    sqlite3_db_readonly(db, "main") == 0;
	if (ok) {
		sqlite3_busy_timeout(db, 5000);
		ok = sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &s,
		    NULL) == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW;
	}
	sqlite3_finalize(s);
	sqlite3_close(db);
	if (!ok)
		return rf_fail(err, "%s: a process that died in the middle "
		    "of a write left it unfinished (%s-journal), and a "
		    "read-only opening cannot undo it: open the store once "
		    "with write permission", path, path);
	return 0;
}

/* Open st's connection to path with oflags and set it up; -1 with err. */
static int
store_connect(store *st, const char *path, int oflags, rf_error *err)
{
	if (sqlite3_open_v2(path, &st->db, oflags, NULL) != SQLITE_OK)
		return rf_fail(err, "%s: cannot open store: %s", path,
		    st->db ? sqlite3_errmsg(st->db) : "out of memory");
	sqlite3_extended_result_codes(st->db, 1);
	sqlite3_busy_timeout(st->db, 5000);
	store_harden(st->db);
	return 0;
}

store *
store_open(const char *path, int flags, rf_error *err)
{
	struct stat sb;
	store *st;
	int oflags, rc;

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
	st->runs_fd = -1;
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
	if (store_connect(st, path, oflags, err) < 0) {
		store_close(st);
		return NULL;
	}
	/* SQLite falls back to read-only when the file is not writable;
	 * treat the store as opened with --read-only, so commands refuse or
	 * keep results in memory instead of failing half-way. */
	if (!st->readonly && sqlite3_db_readonly(st->db, "main") == 1)
		st->readonly = 1;
	rc = read_user_version(st, &st->version, err);
	if (rc < 0 && st->readonly &&
	    sqlite3_extended_errcode(st->db) == SQLITE_READONLY_ROLLBACK) {
		/* Connected again after the recovery: the failed read may
		 * have left this connection's pager in an error state. */
		sqlite3_close(st->db);
		st->db = NULL;
		if (recover_hot_journal(path, err) < 0 ||
		    store_connect(st, path, oflags, err) < 0) {
			store_close(st);
			return NULL;
		}
		rc = read_user_version(st, &st->version, err);
	}
	if (rc < 0 || store_check_version(st, err) < 0 ||
	    (st->readonly && store_exec(st, "PRAGMA query_only = 1", err) < 0) ||
	    (!st->readonly && (store_set_pragmas(st, err) < 0 ||
	    store_migrate(st, err) < 0))) {
		store_close(st);
		return NULL;
	}
	/* Runs a killed process left "running" (runs.h); a store that
	 * cannot tell is opened all the same. */
	if (!st->readonly) {
		int marked;

		store_runs_mark_killed(st, &marked, NULL);
	}
	return st;
}

void
store_close(store *st)
{
	if (st == NULL)
		return;
	if (st->runs_fd >= 0)
		close(st->runs_fd);
	sqlite3_close(st->db);
	free(st->path);
	free(st);
}

const char *
store_path(const store *st)
{
	return st->path;
}

int
store_is_store_file(const store *st, const char *path)
{
	static const char *const suffix[] = { "", "-wal", "-shm", "-journal",
	    "-runs" };
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

int64_t
store_count(store *st, const char *table)
{
	static const char *const tables[] = {
		"imports", "users", "items", "behaviors", "events", "rejects",
		"splits", "runs", "epochs", "saved_models", "model_chunks",
		"settings",
	};
	char sql[64];
	size_t i;

	for (i = 0; i < sizeof tables / sizeof tables[0]; i++) {
		if (strcmp(table, tables[i]) == 0) {
			/* A name from the fixed list above, never user text. */
			snprintf(sql, sizeof sql, "SELECT count(*) FROM %s",
			    tables[i]);
			return store_query_int(st, sql);
		}
	}
	return -1;
}

int
store_set_setting(store *st, const char *key, const char *value,
    rf_error *err)
{
	sqlite3_stmt *s;
	int rc;

	if (store_check_writable(st, "change settings", err) < 0)
		return -1;
	if ((s = store_prepare(st, "INSERT OR REPLACE INTO settings(key, value)"
	    " VALUES (?, ?)", err)) == NULL)
		return -1;
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, value, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return store_fail(st, err, "cannot save setting");
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
