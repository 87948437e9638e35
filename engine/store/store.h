/* store: the SQLite system of record (imports, events, users, items, rejects,
 * splits, training runs, per-epoch metrics, saved models, fusion settings):
 * opens or creates a store file, migrates its schema (PRAGMA user_version),
 * transactions, settings.  engine/store/ is the only code that speaks SQL;
 * its other headers hold one group of queries each: query.h (the user's
 * read-only `sql`), summary.h (stats, imports, rejects, top, activity),
 * scan.h (what a dataset snapshot reads), splits.h, runs.h (runs and
 * epochs), saved_models.h (model blobs), yardstick.h (the raw insert rate
 * benches compare the importer with).  No SQLite type leaves the folder. */
#ifndef RF_STORE_H
#define RF_STORE_H

#include <stdint.h>

#include "engine/core/rf.h"
#include "engine/core/table.h"

/*
 * Schema, version 2 (migration 1 creates version 1 from an empty file,
 * migration 2 moves saved model bytes into model_chunks):
 *
 *   imports(id INTEGER PRIMARY KEY, kind TEXT NOT NULL,   -- 'events' | 'items'
 *           source TEXT NOT NULL, format TEXT NOT NULL,
 *           hash TEXT NOT NULL,                           -- 128-bit hex content hash
 *           quick_hash TEXT NOT NULL,                     -- of size + first and last MiB
 *           options TEXT,                                 -- weights, map, delimiter as text
 *           rows_read INTEGER NOT NULL DEFAULT 0, rows_accepted INTEGER NOT NULL DEFAULT 0,
 *           rows_rejected INTEGER NOT NULL DEFAULT 0, rows_duplicate INTEGER NOT NULL DEFAULT 0,
 *           beh_rating, beh_pv, beh_fav, beh_cart, beh_buy, beh_event
 *                 INTEGER NOT NULL DEFAULT 0,             -- accepted events by behaviour
 *           first_ts INTEGER, last_ts INTEGER,           -- of accepted events, ts != 0
 *           first_event INTEGER, last_event INTEGER,     -- rowid range in events
 *           started REAL NOT NULL, finished REAL)         -- unix seconds
 *         -- index imports_hash(hash)
 *   users(id INTEGER PRIMARY KEY, ext_id TEXT NOT NULL)
 *   items(id INTEGER PRIMARY KEY, ext_id TEXT NOT NULL,
 *         title TEXT, category TEXT, genres TEXT)          -- genres '|'-joined
 *         -- ext_id is unique in both, but no UNIQUE index enforces it: the
 *         -- importer is the only writer and keeps it so through in-memory
 *         -- dictionaries loaded from these tables when an import starts
 *         -- (an index would cost ~2.5 us per new id in random-order b-tree
 *         -- inserts).  Nothing looks rows up by ext_id: datasets and the
 *         -- importer read the whole tables, summaries go by id.
 *   behaviors(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE)
 *         -- fixed rows: 0 rating, 1 pv, 2 fav, 3 cart, 4 buy, 5 event
 *   events(user_id INTEGER NOT NULL, item_id INTEGER NOT NULL,
 *          behavior INTEGER NOT NULL, value REAL NOT NULL, ts INTEGER NOT NULL,
 *          import_id INTEGER NOT NULL)                    -- rowid table, NO index
 *          -- Nothing reads events by index: datasets are built from one
 *          -- scan (reading in index order is several times slower than a
 *          -- scan), so no index is built or maintained.  A `sql` query with
 *          -- a WHERE on events scans it (a few seconds at 10 M rows).
 *          -- Events are written by imports only, appended in one
 *          -- transaction each, so rowids run 1..N; `stats` adds up the
 *          -- imports rows instead of scanning (and scans when they disagree
 *          -- with max(rowid), i.e. rows were written some other way).
 *   rejects(import_id INTEGER NOT NULL, line INTEGER NOT NULL,
 *           reason TEXT NOT NULL, raw TEXT)               -- raw cut to 256 bytes
 *   splits(id INTEGER PRIMARY KEY, spec TEXT NOT NULL, seed INTEGER,
 *          created REAL NOT NULL, n_train INTEGER, n_valid INTEGER, n_test INTEGER,
 *          assignment BLOB)       -- one byte per (user,item) pair of the dataset
 *                                 -- in CSR order: 0 train, 1 valid, 2 test
 *   runs(id INTEGER PRIMARY KEY, model TEXT NOT NULL, params TEXT NOT NULL,
 *        seed INTEGER NOT NULL, split_id INTEGER, status TEXT NOT NULL,
 *        started REAL NOT NULL, finished REAL, epochs INTEGER, seconds REAL,
 *        metrics TEXT)                                     -- 'ndcg@10=0.19 ...'
 *         -- status: running, done, cancelled, failed, or killed (its
 *         -- process ended without finishing it: the lock it held on
 *         -- byte <id> of PATH-runs went with it; runs.h)
 *   epochs(run_id INTEGER NOT NULL, epoch INTEGER NOT NULL, loss REAL,
 *          valid_metric REAL, seconds REAL, PRIMARY KEY(run_id, epoch))
 *   saved_models(id INTEGER PRIMARY KEY, run_id INTEGER, name TEXT NOT NULL,
 *                version INTEGER NOT NULL, format INTEGER NOT NULL,
 *                checksum TEXT NOT NULL, created REAL NOT NULL,
 *                UNIQUE(name, version))
 *   model_chunks(model_id INTEGER NOT NULL, seq INTEGER NOT NULL,
 *                data BLOB NOT NULL, PRIMARY KEY(model_id, seq))
 *         -- a saved model's bytes: its chunks in seq order, each at most
 *         -- STORE_MODEL_CHUNK bytes (saved_models.h), so no model meets
 *         -- SQLite's 1 GB limit on one value; a model saved by version 1
 *         -- (one BLOB in saved_models.data) became its single chunk 0.
 *   settings(key TEXT PRIMARY KEY, value TEXT)             -- fusion etc.
 *
 * Dense ids: users.id and items.id are rowids from 1; datasets map them to
 * 0-based indices.
 */

#define STORE_SCHEMA_VERSION 2

/* SQLite page cache of a connection (KiB) for queries; a bulk import needs
 * only the right-hand edge of each table and runs with
 * STORE_IMPORT_CACHE_KIB, so its memory does not grow with the file. */
#define STORE_CACHE_KIB 65536
#define STORE_IMPORT_CACHE_KIB 4096

enum behavior_code {
	BEH_RATING = 0,
	BEH_PV = 1,
	BEH_FAV = 2,
	BEH_CART = 3,
	BEH_BUY = 4,
	BEH_EVENT = 5,		/* generic implicit event: value is its weight/count */
	BEH_COUNT = 6
};

/* Name of a behaviour code ("rating", "pv", ...), or NULL. */
const char *store_behavior_name(int code);
/* Behaviour code from a name (case-insensitive; accepts pv/view/click,
 * fav/favorite, cart/addtocart, buy/purchase), or -1. */
int store_behavior_code(const char *name, size_t len);

enum store_flags {
	STORE_READONLY = 1 << 0,
	STORE_CREATE = 1 << 1		/* create the file if missing */
};

typedef struct store store;

/* Open (and if STORE_CREATE, create) a store and migrate it to
 * STORE_SCHEMA_VERSION (not in read-only mode: a read-only open of an older
 * schema fails with a message).  The connection is opened without SQLite's
 * per-connection mutex (SQLITE_OPEN_NOMUTEX): use a store from one thread
 * at a time (worker threads of training, evaluation and fusion never touch
 * it; their results reach the store through the main thread). */
store *store_open(const char *path, int flags, rf_error *err);
void store_close(store *st);

const char *store_path(const store *st);
/* The linked SQLite's version ("3.40.1"), for `recfuse --version`. */
const char *store_library_version(void);
/* 1 when path names the store's file (or its -wal, -shm or -journal): an
 * export there would destroy the store. */
int store_is_store_file(const store *st, const char *path);
int store_is_readonly(const store *st);
/* The page cache given back (it fills again as queries need): after a
 * scan of a whole table, whose pages are not read again soon, and which
 * at 10 M events had left STORE_CACHE_KIB (64 MB) held. */
void store_release_memory(store *st);
int store_schema_version(store *st);

/* Refuse with a clear message when the store is read-only. */
int store_check_writable(store *st, const char *what, rf_error *err);

/* SQLite's integrity_check of the whole file: 1 when it says ok, 0 when
 * not (its first lines in buf), -1 + err. */
int store_integrity(store *st, char *buf, size_t n, rf_error *err);

/* Transactions; store_exec runs trusted, fixed SQL (never user text). */
int store_exec(store *st, const char *sql, rf_error *err);
int store_begin(store *st, rf_error *err);
int store_commit(store *st, rf_error *err);
void store_rollback(store *st);

/* Counts used by tests and views. */
int64_t store_count(store *st, const char *table);	/* fixed table names only */

/* Key/value settings (fusion weights and the like). */
int store_set_setting(store *st, const char *key, const char *value, rf_error *err);
char *store_get_setting(store *st, const char *key);	/* malloc'd or NULL */

#endif
