/* import: the SQL of one import (engine/ingest/ drives it): the imports
 * row, the users and items dictionaries, events in batches, rejects and
 * item metadata, all prepared once and run in one transaction. */
#ifndef RF_STORE_IMPORT_H
#define RF_STORE_IMPORT_H

#include <stddef.h>
#include <stdint.h>

#include "engine/core/rf.h"
#include "engine/store/store.h"

typedef struct store_import store_import;

/* One event as the events table holds it. */
typedef struct store_event_row {
	int64_t user, item, ts;		/* users.id, items.id, unix seconds */
	double value;
	int behavior;			/* enum behavior_code */
} store_event_row;

/* Texts of an item's metadata (not NUL-terminated); NULL leaves a column
 * as it is. */
typedef struct store_item_text {
	const char *title, *category, *genres;
	size_t title_n, category_n, genres_n;
} store_item_text;

/* What the imports row says at the end of an import. */
typedef struct store_import_totals {
	int64_t rows_read, accepted, rejected, duplicates;
	int64_t behavior_count[BEH_COUNT];	/* accepted events */
	int have_ts;				/* ts range of events with ts != 0 */
	int64_t ts_first, ts_last;
	const char *hash;			/* content hash, hex */
} store_import_totals;

/*
 * Errors: every call below returns -1 (NULL) with a message that starts
 * with the source file's name, and with ":LINE" after it when line > 0
 * (the input line being imported), as "SOURCE:LINE: what: reason".  The
 * transaction's own messages (store_begin, store_commit) name the store.
 */

/* An import of events (items_kind 0) or item metadata (1) from source
 * (kept, not copied: it must outlive the import); nothing is read or
 * written yet. */
store_import *store_import_new(store *st, const char *source, int items_kind,
    rf_error *err);
/* Roll back what was not committed, restore the page cache, free. */
void store_import_free(store_import *imp);

/* The first earlier events import whose content hash (by_quick_hash 0) or
 * quick hash (1) is hash: its id and start time (unix seconds); 0 when
 * there is none.  Before or inside the transaction. */
int64_t store_import_find(store_import *imp, int by_quick_hash,
    const char *hash, double *started, rf_error *err);

/* A small page cache (appends touch only the right-hand pages), BEGIN
 * IMMEDIATE, the statements prepared. */
int store_import_begin(store_import *imp, rf_error *err);
int store_import_commit(store_import *imp, rf_error *err);

/* Every item (id, ext_id, whether it has a category) or user (has_category
 * 0), for the importer's dictionaries.  fn returns 0 to go on; a non-zero
 * return stops the walk and is returned, fn having filled err. */
typedef int (*store_import_id_fn)(void *ud, int64_t id, const char *ext_id,
    size_t len, int has_category, rf_error *err);
int store_import_load_items(store_import *imp, store_import_id_fn fn,
    void *ud, rf_error *err);
int store_import_load_users(store_import *imp, store_import_id_fn fn,
    void *ud, rf_error *err);

/* The imports row: at the start (the content hash comes at the end) and
 * with the totals at the end.  store_import_id() is its id. */
int store_import_start(store_import *imp, const char *format,
    const char *quick_hash, const char *options, rf_error *err);
int store_import_finish(store_import *imp, const store_import_totals *t,
    rf_error *err);
int64_t store_import_id(const store_import *imp);

/* New dictionary rows (ext_id is known to be new); their id in *id.  A
 * category may be NULL. */
int store_import_add_user(store_import *imp, const char *ext_id, size_t n,
    int64_t line, int64_t *id, rf_error *err);
int store_import_add_item(store_import *imp, const char *ext_id, size_t n,
    const char *category, size_t category_n, int64_t line, int64_t *id,
    rf_error *err);
/* The category of an item that has none yet. */
int store_import_set_category(store_import *imp, int64_t item,
    const char *category, size_t n, int64_t line, rf_error *err);
/* Item metadata: an update of item *id, or when *id is 0 a new item
 * ext_id whose id is put in *id. */
int store_import_save_item(store_import *imp, const char *ext_id, size_t n,
    const store_item_text *t, int64_t line, int64_t *id, rf_error *err);

/* Events are written in batches: one queued here may reach the table only
 * at a later call or at store_import_flush(). */
int store_import_event(store_import *imp, const store_event_row *e,
    int64_t line, rf_error *err);
int store_import_flush(store_import *imp, int64_t line, rf_error *err);
/* Every event this import has written so far (queued ones flushed first),
 * in order; fn as for the dictionaries. */
typedef int (*store_import_event_fn)(void *ud, const store_event_row *e,
    rf_error *err);
int store_import_each_event(store_import *imp, store_import_event_fn fn,
    void *ud, int64_t line, rf_error *err);

/* Event number ordinal of this import (0 = its first accepted event),
 * whether already written or still queued: a duplicate check's
 * confirmation of a hash match.  The events of an import have
 * consecutive rowids (checked at every write), so this is one lookup by
 * rowid. */
int store_import_event_at(store_import *imp, int64_t ordinal,
    store_event_row *e, rf_error *err);

/* A rejected input line: its number, the reason and raw text (n bytes). */
int store_import_reject(store_import *imp, int64_t line, const char *reason,
    const char *raw, size_t n, rf_error *err);

#endif
