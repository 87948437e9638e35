/* yardstick: the raw SQLite insert rate the importer is measured against
 * in the same run (bench/bench_import): rows bound as integers and
 * inserted with one prepared statement in one transaction, no parsing,
 * no cleaning: what any importer must at least pay. */
#ifndef RF_STORE_YARDSTICK_H
#define RF_STORE_YARDSTICK_H

#include <stdint.h>

#include "engine/core/rf.h"
#include "engine/store/scan.h"
#include "engine/store/store.h"

/* Fills row number `row` (0, 1, ...) of the yardstick. */
typedef void (*store_event_source)(void *ud, int64_t row, store_event *ev);

/* Insert `rows` events made by next() into the events table (import_id
 * 1, no imports row: a scratch store only), in one transaction. */
int store_raw_insert_events(store *st, int64_t rows, store_event_source next,
    void *ud, rf_error *err);

#endif
