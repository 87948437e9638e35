/* scan: the plain scans a dataset snapshot is built from (see scan.h). */
#include "engine/store/scan.h"
#include "engine/store/db.h"
#include "engine/store/store.h"

#include <stdlib.h>

enum scan_kind { SCAN_EVENTS, SCAN_USERS, SCAN_ITEMS };

struct store_scan {
	store *st;
	sqlite3_stmt *stmt;
	enum scan_kind kind;
};

static const char *const scan_what[] = {
	"reading events", "reading users", "reading items"
};

int
store_scan_extent(store *st, store_extent *out, rf_error *err)
{
	out->max_user_id = store_query_int(st, "SELECT max(id) FROM users");
	out->max_item_id = store_query_int(st, "SELECT max(id) FROM items");
	if (out->max_user_id < 0 || out->max_item_id < 0)
		return rf_fail(err, "reading users and items: %s",
		    sqlite3_errmsg(st->db));
	out->max_event_rowid = store_query_int(st,
	    "SELECT max(rowid) FROM events");
	return 0;
}

static store_scan *
scan_open(store *st, enum scan_kind kind, const char *sql, rf_error *err)
{
	store_scan *sc = calloc(1, sizeof *sc);

	if (sc == NULL) {
		rf_fail(err, "%s: out of memory", scan_what[kind]);
		return NULL;
	}
	sc->st = st;
	sc->kind = kind;
	if (sqlite3_prepare_v2(st->db, sql, -1, &sc->stmt, NULL) !=
	    SQLITE_OK) {
		rf_fail(err, "%s: %s", scan_what[kind], sqlite3_errmsg(st->db));
		store_scan_close(sc);
		return NULL;
	}
	return sc;
}

store_scan *
store_scan_events(store *st, rf_error *err)
{
	return scan_open(st, SCAN_EVENTS, "SELECT user_id, item_id, behavior,"
	    " value, ts FROM events NOT INDEXED", err);
}

store_scan *
store_scan_users(store *st, rf_error *err)
{
	return scan_open(st, SCAN_USERS, "SELECT id, ext_id FROM users", err);
}

store_scan *
store_scan_items(store *st, rf_error *err)
{
	return scan_open(st, SCAN_ITEMS, "SELECT id, ext_id, title, category"
	    " FROM items", err);
}

/* One step: 1 a row, 0 the end, -1 an error. */
static int
scan_step(store_scan *sc, rf_error *err)
{
	int rc = sqlite3_step(sc->stmt);

	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	return rf_fail(err, "%s: %s", scan_what[sc->kind],
	    sqlite3_errmsg(sc->st->db));
}

int
store_scan_next_event(store_scan *sc, store_event *ev, rf_error *err)
{
	sqlite3_stmt *s = sc->stmt;
	int rc;

	if (sc->kind != SCAN_EVENTS)
		return rf_fail(err, "%s: not an events scan",
		    scan_what[sc->kind]);
	if ((rc = scan_step(sc, err)) <= 0)
		return rc;
	ev->user_id = sqlite3_column_int64(s, 0);
	ev->item_id = sqlite3_column_int64(s, 1);
	ev->behavior = sqlite3_column_int(s, 2);
	ev->value = sqlite3_column_double(s, 3);
	ev->ts = sqlite3_column_int64(s, 4);
	return 1;
}

int
store_scan_next_entity(store_scan *sc, store_entity *e, rf_error *err)
{
	sqlite3_stmt *s = sc->stmt;
	int rc;

	if (sc->kind == SCAN_EVENTS)
		return rf_fail(err, "%s: not a users or items scan",
		    scan_what[sc->kind]);
	if ((rc = scan_step(sc, err)) <= 0)
		return rc;
	e->id = sqlite3_column_int64(s, 0);
	e->ext_id = (const char *)sqlite3_column_text(s, 1);
	e->title = e->category = NULL;
	if (sc->kind == SCAN_ITEMS) {
		e->title = (const char *)sqlite3_column_text(s, 2);
		e->category = (const char *)sqlite3_column_text(s, 3);
	}
	return 1;
}

void
store_scan_close(store_scan *sc)
{
	if (sc == NULL)
		return;
	sqlite3_finalize(sc->stmt);
	free(sc);
}
