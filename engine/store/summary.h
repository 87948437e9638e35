/* summary: the store summarised for the stats, imports, rejects and
 * users/items --top commands and the Data screen, as result tables. */
#ifndef RF_STORE_SUMMARY_H
#define RF_STORE_SUMMARY_H

#include "engine/core/rf.h"
#include "engine/core/table.h"
#include "engine/store/store.h"

rf_table *store_stats(store *st, rf_error *err);	/* key/value rows */
rf_table *store_imports(store *st, rf_error *err);	/* one row per import */
rf_table *store_rejects(store *st, int limit, rf_error *err);
/* Top users/items by events: one scan of events into per-id counters (no
 * index, no sort of the events); top <= 0 lists all with events. */
rf_table *store_top_users(store *st, int top, rf_error *err);
rf_table *store_top_items(store *st, int top, rf_error *err);

/*
 * Events over time: one plain scan of events (ts, behavior) into per-day
 * counters, then buckets of a day, a week (from Monday), a month or a year,
 * the finest that gives at most `buckets` of them (<= 0: 60), over the
 * central mass of the data: the 1st..99th percentile days widened by a
 * quarter of their span on each side, so a few stray timestamps years
 * away do not squeeze the real window into one bar.  Title "activity per
 * day" (week, month, year); columns bucket (start date, YYYY-MM-DD),
 * events, pv, fav, cart, buy, rating; one row per bucket, oldest first,
 * empty buckets included.  After them, only when not zero, rows whose
 * bucket is "earlier" or "later" (events outside the window) and
 * "untimed" (ts 0).  No events: no rows.
 */
rf_table *store_activity(store *st, int buckets, rf_error *err);

#endif
