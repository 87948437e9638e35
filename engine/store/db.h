/* db: private to engine/store/ (never included outside it): the SQLite
 * connection behind a store and the few helpers its query files share.
 * The only header of the project that includes sqlite3.h. */
#ifndef RF_STORE_DB_H
#define RF_STORE_DB_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/core/rf.h"
#include "engine/core/table.h"

/* The public name of the struct below (store.h declares it too: C11
 * allows the repeat, and this header needs nothing else of store.h). */
typedef struct store store;

struct store {
	sqlite3 *db;
	char *path;
	int readonly;
	int version;		/* PRAGMA user_version */
	size_t model_chunk;	/* bytes per saved-model chunk; 0 = the default */
	int runs_fd;		/* the lock file of its running runs, or -1 */
	int runs_killed;	/* runs marked killed when it was opened */
};

sqlite3 *store_db(store *st);

/* Fill err with "PATH: WHAT: SQLite's message" and return -1. */
int store_fail(store *st, rf_error *err, const char *what);
/* A prepared statement, or NULL with "PATH: query failed: ..." in err. */
sqlite3_stmt *store_prepare(store *st, const char *sql, rf_error *err);
/* The first column of the first row of fixed SQL; -1 when it fails or
 * gives no row. */
int64_t store_query_int(store *st, const char *sql);
/* The page cache small (STORE_IMPORT_CACHE_KIB) while a bulk write runs,
 * whose pages are touched once (an import, a model saved), and back to
 * STORE_CACHE_KIB after, the small one's memory given back: a 1.3 GB
 * model's save had filled 64 MB of it.  -1 + err when SQLite refuses. */
int store_cache_small(store *st, int small, rf_error *err);

/* Run fixed SQL (binding one integer when it has a parameter) into a new
 * table with the given columns: NULL cells stay NULL, REAL columns show
 * `decimals` places, the rest their text.  Errors: "PATH: TITLE: ...". */
struct store_colspec {
	const char *name;
	col_type type;
};
rf_table *store_table_from_query(store *st, const char *title,
    const struct store_colspec *cols, int ncols, const char *sql,
    int64_t bind, int decimals, rf_error *err);

#endif
