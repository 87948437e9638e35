/* scan: the plain scans a dataset snapshot is built from (users, items
 * with their metadata, events in rowid order), row by row through a
 * cursor so that no SQLite type leaves engine/store/. */
#ifndef RF_STORE_SCAN_H
#define RF_STORE_SCAN_H

#include <stdint.h>

#include "engine/core/rf.h"
#include "engine/store/store.h"

/* One events row. */
typedef struct store_event {
	int64_t user_id, item_id;	/* users.id, items.id */
	int behavior;			/* enum behavior_code */
	double value;
	int64_t ts;			/* unix seconds; 0 = untimed */
} store_event;

/* One users or items row.  The strings belong to the cursor and stay
 * valid until its next call; title and category are NULL for users and
 * when the item has none. */
typedef struct store_entity {
	int64_t id;
	const char *ext_id;
	const char *title, *category;
} store_entity;

/* How far the ids run: the largest users.id and items.id (0 when empty)
 * and the events' largest rowid (the number of events when none was
 * deleted: a size hint for the scan). */
typedef struct store_extent {
	int64_t max_user_id, max_item_id, max_event_rowid;
} store_extent;

int store_scan_extent(store *st, store_extent *out, rf_error *err);

typedef struct store_scan store_scan;

/* Open a scan: of events in rowid order (never through an index: reading
 * in index order is several times slower than the table itself), of
 * users, or of items; NULL + err when the store cannot be read. */
store_scan *store_scan_events(store *st, rf_error *err);
store_scan *store_scan_users(store *st, rf_error *err);
store_scan *store_scan_items(store *st, rf_error *err);
/* The next row of an events scan (or of a users/items scan): 1, 0 at the
 * end, -1 on an error (err filled: "reading events: ..."). */
int store_scan_next_event(store_scan *sc, store_event *ev, rf_error *err);
int store_scan_next_entity(store_scan *sc, store_entity *e, rf_error *err);
void store_scan_close(store_scan *sc);

#endif
