/* yardstick: the raw SQLite insert rate the importer is measured against
 * in the same run (bench/bench_import): rows bound and inserted with one
 * prepared statement per table in one transaction, no parsing, no
 * cleaning, no duplicate check: what any importer must at least pay. */
#ifndef RF_STORE_YARDSTICK_H
#define RF_STORE_YARDSTICK_H

#include <stdint.h>

#include "engine/core/rf.h"
#include "engine/store/scan.h"
#include "engine/store/store.h"

/* Fills row number `row` (0, 1, ...) of the yardstick. */
typedef void (*store_event_source)(void *ud, int64_t row, store_event *ev);
/* Fills user or item number `row`: its id, ext_id and (items) category;
 * the strings stay the source's. */
typedef void (*store_entity_source)(void *ud, int64_t row, store_entity *e);

/* Insert `rows` events made by next() into the events table (import_id
 * 1, no imports row: a scratch store only), in one transaction. */
int store_raw_insert_events(store *st, int64_t rows, store_event_source next,
    void *ud, rf_error *err);

/* The rows an import of a log writes, given: n_users users rows, n_items
 * items rows (id, ext_id, category) and n_events events, in one
 * transaction (a scratch store only).  The yardstick of an import is this
 * insert of the very rows that import wrote. */
typedef struct store_raw_rows {
	int64_t n_users, n_items, n_events;
	store_entity_source user, item;
	store_event_source event;
	void *ud;
} store_raw_rows;

int store_raw_insert_rows(store *st, const store_raw_rows *rows,
    rf_error *err);

#endif
