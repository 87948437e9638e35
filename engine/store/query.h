/* query: one user-given SQL statement run read-only on the store (the
 * `sql` command): denied writes, a row cap, a time budget, stopped on
 * Ctrl-C. */
#ifndef RF_STORE_QUERY_H
#define RF_STORE_QUERY_H

#include "engine/core/rf.h"
#include "engine/core/table.h"
#include "engine/store/store.h"

/* Run one user-given SQL statement read-only: a SQLite authorizer denies
 * every write, ATTACH/DETACH, PRAGMA writes, function creation and extension
 * loading; the result rows fill a new table (at most max_rows, 0 = all). */
rf_table *store_query(store *st, const char *sql, int max_rows, rf_error *err);
/* The same, stopped with an error once *cancel becomes non-zero (Ctrl-C);
 * cancel may be NULL. */
rf_table *store_query_cancel(store *st, const char *sql, int max_rows,
    const volatile int *cancel, rf_error *err);
/* The same within a time budget: after seconds (> 0; 0 = none) the
 * statement stops with "sql: stopped after N s (the time limit)" and
 * *timed_out (may be NULL) set; SQLite checks both every few thousand
 * steps of its machine.  The caller says how to raise the limit. */
rf_table *store_query_limited(store *st, const char *sql, int max_rows,
    const volatile int *cancel, double seconds, int *timed_out,
    rf_error *err);

#endif
