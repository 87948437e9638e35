/* yardstick: the raw insert loop benches compare the importer with (see
 * yardstick.h). */
#include "engine/store/yardstick.h"
#include "engine/store/db.h"
#include "engine/store/store.h"

int
store_raw_insert_events(store *st, int64_t rows, store_event_source next,
    void *ud, rf_error *err)
{
	sqlite3_stmt *s;
	store_event ev;

	if (store_begin(st, err) < 0)
		return -1;
	if ((s = store_prepare(st, "INSERT INTO events(user_id, item_id,"
	    " behavior, value, ts, import_id) VALUES (?1, ?2, ?3, ?4, ?5, 1)",
	    err)) == NULL) {
		store_rollback(st);
		return -1;
	}
	for (int64_t r = 0; r < rows; r++) {
		next(ud, r, &ev);
		sqlite3_bind_int64(s, 1, ev.user_id);
		sqlite3_bind_int64(s, 2, ev.item_id);
		sqlite3_bind_int64(s, 3, ev.behavior);
		sqlite3_bind_double(s, 4, ev.value);
		sqlite3_bind_int64(s, 5, ev.ts);
		if (sqlite3_step(s) != SQLITE_DONE) {
			store_fail(st, err, "raw insert");
			sqlite3_finalize(s);
			store_rollback(st);
			return -1;
		}
		sqlite3_reset(s);
	}
	sqlite3_finalize(s);
	return store_commit(st, err);
}
