/* yardstick: the raw insert loops benches compare the importer with (see
 * yardstick.h). */
#include "engine/store/yardstick.h"
#include "engine/store/db.h"
#include "engine/store/store.h"

static int
raw_fail(store *st, sqlite3_stmt *s, rf_error *err)
{
	store_fail(st, err, "raw insert");
	sqlite3_finalize(s);
	store_rollback(st);
	return -1;
}

/* Run a bound insert once (rolling back on a failure). */
static int
raw_step(store *st, sqlite3_stmt *s, rf_error *err)
{
	if (sqlite3_step(s) != SQLITE_DONE)
		return raw_fail(st, s, err);
	sqlite3_reset(s);
	return 0;
}

/* The events of one source into an open transaction. */
static int
raw_events(store *st, int64_t rows, store_event_source next, void *ud,
    rf_error *err)
{
	sqlite3_stmt *s;
	store_event ev;

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
		if (raw_step(st, s, err) < 0)
			return -1;
	}
	sqlite3_finalize(s);
	return 0;
}

int
store_raw_insert_events(store *st, int64_t rows, store_event_source next,
    void *ud, rf_error *err)
{
	if (store_begin(st, err) < 0 || raw_events(st, rows, next, ud, err) < 0)
		return -1;
	return store_commit(st, err);
}

/* Users (items: with_category) of one source into an open transaction. */
static int
raw_entities(store *st, int64_t rows, store_entity_source next, void *ud,
    int with_category, rf_error *err)
{
	sqlite3_stmt *s;
	store_entity e;

	if ((s = store_prepare(st, with_category ? "INSERT INTO items(id,"
	    " ext_id, category) VALUES (?1, ?2, ?3)" : "INSERT INTO users(id,"
	    " ext_id) VALUES (?1, ?2)", err)) == NULL) {
		store_rollback(st);
		return -1;
	}
	for (int64_t r = 0; r < rows; r++) {
		next(ud, r, &e);
		sqlite3_bind_int64(s, 1, e.id);
		sqlite3_bind_text(s, 2, e.ext_id, -1, SQLITE_STATIC);
		if (with_category && e.category != NULL)
			sqlite3_bind_text(s, 3, e.category, -1, SQLITE_STATIC);
		else if (with_category)
			sqlite3_bind_null(s, 3);
		if (raw_step(st, s, err) < 0)
			return -1;
	}
	sqlite3_finalize(s);
	return 0;
}

int
store_raw_insert_rows(store *st, const store_raw_rows *rows, rf_error *err)
{
	if (store_begin(st, err) < 0 ||
	    raw_entities(st, rows->n_users, rows->user, rows->ud, 0, err) < 0 ||
	    raw_entities(st, rows->n_items, rows->item, rows->ud, 1, err) < 0 ||
	    raw_events(st, rows->n_events, rows->event, rows->ud, err) < 0)
		return -1;
	return store_commit(st, err);
}
