/* import: the SQL of one import (see import.h).  The importer's speed is
 * mostly SQLite's: statements are prepared once per import, events go in
 * multi-row INSERTs, and no index is touched (see store.h). */
#include "engine/store/import.h"
#include "engine/store/db.h"
#include "engine/store/store.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#define EVENT_BATCH	32	/* events per INSERT statement */

#define EVENTS_INSERT "INSERT INTO events(user_id, item_id, behavior, value," \
	" ts, import_id) VALUES "
#define USERS_INSERT "INSERT INTO users(id, ext_id) VALUES "
#define ITEMS_INSERT "INSERT INTO items(id, ext_id, category) VALUES "

/* New users or items waiting for their INSERT: ids given here (the
 * largest id + 1), texts copied (the input line they came from is gone by
 * the time they are written). */
typedef struct id_queue {
	sqlite3_stmt *one, *batch;	/* one row; EVENT_BATCH rows */
	int ncols;			/* 2: id, ext_id; 3: and category */
	int64_t next_id;		/* 0: not known yet */
	int n;
	int64_t id[EVENT_BATCH];
	size_t off[EVENT_BATCH][2], len[EVENT_BATCH][2];	/* in text */
	int has[EVENT_BATCH][2];	/* the text is not NULL */
	rf_buf text;
} id_queue;

struct store_import {
	store *st;
	sqlite3 *db;
	const char *source;	/* the caller's, for messages and the row */
	int items_kind;
	int small_cache, begun;
	int64_t import_id;
	sqlite3_stmt *ins_event, *ins_batch;
	id_queue users, items;
	sqlite3_stmt *set_category, *ins_reject, *ins_item_meta, *upd_item_meta;
	sqlite3_stmt *get_event;	/* prepared at the first use */
	int64_t first_rowid, last_rowid;	/* events written, 0: none */
	int64_t written;			/* events written */
	store_event_row pending[EVENT_BATCH];
	int npending;
};

static int
import_fail(store_import *imp, int64_t line, const char *what, rf_error *err)
{
	if (line > 0)
		return rf_fail(err, "%s:%" PRId64 ": %s: %s", imp->source, line,
		    what, sqlite3_errmsg(imp->db));
	return rf_fail(err, "%s: %s: %s", imp->source, what,
	    sqlite3_errmsg(imp->db));
}

/* Step a bound insert/update statement once and reset it. */
static int
step_once(store_import *imp, sqlite3_stmt *s, int64_t line, const char *what,
    rf_error *err)
{
	int rc = sqlite3_step(s);

	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return import_fail(imp, line, what, err);
	return 0;
}

static void
bind_opt_text(sqlite3_stmt *s, int i, const char *p, size_t n)
{
	if (p == NULL)
		sqlite3_bind_null(s, i);
	else
		sqlite3_bind_text(s, i, p, (int)n, SQLITE_STATIC);
}

static int
prepare_one(store_import *imp, sqlite3_stmt **s, const char *sql,
    rf_error *err)
{
	if (sqlite3_prepare_v3(imp->db, sql, -1, SQLITE_PREPARE_PERSISTENT, s,
	    NULL) != SQLITE_OK)
		return import_fail(imp, 0, "cannot prepare", err);
	return 0;
}

/* The insert `head` with n rows of ncols placeholders each (fixed text,
 * no user input).  SQLite's per-statement work (step, halt, reset) is
 * then paid once per batch, which makes an insert of EVENT_BATCH rows
 * about 1.7 times faster than one row per statement. */
static int
prepare_rows(store_import *imp, sqlite3_stmt **s, const char *head,
    int ncols, int n, rf_error *err)
{
	rf_buf sql = { 0 };
	int i, rc = 0;

	rc |= rf_buf_printf(&sql, "%s", head);
	for (i = 0; i < n; i++) {
		rc |= rf_buf_printf(&sql, "%s(?", i ? ", " : "");
		for (int c = 1; c < ncols; c++)
			rc |= rf_buf_printf(&sql, ", ?");
		rc |= rf_buf_printf(&sql, ")");
	}
	if (rc != 0 || rf_buf_append(&sql, "", 1) < 0) {
		rf_buf_free(&sql);
		return rf_fail(err, "%s: out of memory", imp->source);
	}
	rc = prepare_one(imp, s, (const char *)sql.data, err);
	rf_buf_free(&sql);
	return rc;
}

static int
prepare_queue(store_import *imp, id_queue *q, const char *head, int ncols,
    rf_error *err)
{
	q->ncols = ncols;
	return prepare_rows(imp, &q->one, head, ncols, 1, err) < 0 ||
	    prepare_rows(imp, &q->batch, head, ncols, EVENT_BATCH, err) < 0 ?
	    -1 : 0;
}

static int
prepare_all(store_import *imp, rf_error *err)
{
	if (prepare_one(imp, &imp->ins_reject, "INSERT INTO rejects(import_id,"
	    " line, reason, raw) VALUES (?, ?, ?, ?)", err) < 0 ||
	    prepare_queue(imp, &imp->items, ITEMS_INSERT, 3, err) < 0 ||
	    prepare_one(imp, &imp->ins_item_meta, "INSERT INTO items(ext_id,"
	    " title, category, genres) VALUES (?, ?, ?, ?)", err) < 0 ||
	    prepare_one(imp, &imp->upd_item_meta, "UPDATE items SET"
	    " title = coalesce(?, title), category = coalesce(?, category),"
	    " genres = coalesce(?, genres) WHERE id = ?", err) < 0 ||
	    prepare_one(imp, &imp->set_category, "UPDATE items SET category = ?"
	    " WHERE id = ? AND category IS NULL", err) < 0)
		return -1;
	if (imp->items_kind)
		return 0;
	return prepare_queue(imp, &imp->users, USERS_INSERT, 2, err) < 0 ||
	    prepare_rows(imp, &imp->ins_event, EVENTS_INSERT, 6, 1, err) < 0 ||
	    prepare_rows(imp, &imp->ins_batch, EVENTS_INSERT, 6, EVENT_BATCH,
	    err) < 0 ? -1 : 0;
}

store_import *
store_import_new(store *st, const char *source, int items_kind, rf_error *err)
{
	store_import *imp = calloc(1, sizeof *imp);

	if (imp == NULL) {
		rf_fail(err, "%s: out of memory", source);
		return NULL;
	}
	imp->st = st;
	imp->db = store_db(st);
	imp->source = source;
	imp->items_kind = items_kind;
	return imp;
}

void
store_import_free(store_import *imp)
{
	if (imp == NULL)
		return;
	if (imp->begun)
		store_rollback(imp->st);
	if (imp->small_cache)
		(void)store_cache_small(imp->st, 0, NULL);
	sqlite3_finalize(imp->ins_event);
	sqlite3_finalize(imp->ins_batch);
	sqlite3_finalize(imp->users.one);
	sqlite3_finalize(imp->users.batch);
	rf_buf_free(&imp->users.text);
	sqlite3_finalize(imp->items.one);
	sqlite3_finalize(imp->items.batch);
	rf_buf_free(&imp->items.text);
	sqlite3_finalize(imp->set_category);
	sqlite3_finalize(imp->ins_reject);
	sqlite3_finalize(imp->ins_item_meta);
	sqlite3_finalize(imp->upd_item_meta);
	sqlite3_finalize(imp->get_event);
	free(imp);
}

int64_t
store_import_find(store_import *imp, int by_quick_hash, const char *hash,
    double *started, rf_error *err)
{
	sqlite3_stmt *s;
	int64_t id = 0;
	int rc;

	if (prepare_one(imp, &s, by_quick_hash ? "SELECT id, started FROM"
	    " imports WHERE kind = 'events' AND quick_hash = ? ORDER BY id"
	    " LIMIT 1" : "SELECT id, started FROM imports WHERE kind = 'events'"
	    " AND hash = ? ORDER BY id LIMIT 1", err) < 0)
		return -1;
	sqlite3_bind_text(s, 1, hash, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		id = sqlite3_column_int64(s, 0);
		*started = sqlite3_column_double(s, 1);
	} else if (rc != SQLITE_DONE)
		id = import_fail(imp, 0, "cannot read the imports", err);
	sqlite3_finalize(s);
	return id;
}

int
store_import_begin(store_import *imp, rf_error *err)
{
	/* Appends touch the right-hand pages only: a small cache is enough,
	 * and memory then stays flat however large the file. */
	if (store_cache_small(imp->st, 1, err) < 0)
		return -1;
	imp->small_cache = 1;
	if (store_begin(imp->st, err) < 0)
		return -1;
	imp->begun = 1;
	return prepare_all(imp, err);
}

int
store_import_commit(store_import *imp, rf_error *err)
{
	if (store_commit(imp->st, err) < 0)
		return -1;
	imp->begun = 0;
	return 0;
}

static int
load_ids(store_import *imp, const char *sql, store_import_id_fn fn, void *ud,
    rf_error *err)
{
	sqlite3_stmt *s;
	int rc;

	if (sqlite3_prepare_v2(imp->db, sql, -1, &s, NULL) != SQLITE_OK)
		return import_fail(imp, 0, "cannot read the store", err);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *k = (const char *)sqlite3_column_text(s, 1);
		size_t n = (size_t)sqlite3_column_bytes(s, 1);
		int stop = fn(ud, sqlite3_column_int64(s, 0), k, n,
		    sqlite3_column_int(s, 2), err);

		if (stop != 0) {
			sqlite3_finalize(s);
			return stop;
		}
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return import_fail(imp, 0, "cannot read the store", err);
	return 0;
}

int
store_import_load_items(store_import *imp, store_import_id_fn fn, void *ud,
    rf_error *err)
{
	return load_ids(imp, "SELECT id, ext_id, category IS NOT NULL FROM items",
	    fn, ud, err);
}

int
store_import_load_users(store_import *imp, store_import_id_fn fn, void *ud,
    rf_error *err)
{
	return load_ids(imp, "SELECT id, ext_id, 0 FROM users", fn, ud, err);
}

int
store_import_start(store_import *imp, const char *format,
    const char *quick_hash, const char *options, rf_error *err)
{
	sqlite3_stmt *s;
	int i;

	/* The content hash is known at the end (store_import_finish). */
	if (prepare_one(imp, &s, "INSERT INTO imports(kind, source, format,"
	    " hash, quick_hash, options, started) VALUES (?, ?, ?, '', ?, ?, ?)",
	    err) < 0)
		return -1;
	sqlite3_bind_text(s, 1, imp->items_kind ? "items" : "events", -1,
	    SQLITE_STATIC);
	sqlite3_bind_text(s, 2, imp->source, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, format, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, quick_hash, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, options, -1, SQLITE_STATIC);
	sqlite3_bind_double(s, 6, rf_now());
	if (step_once(imp, s, 0, "cannot record the import", err) < 0) {
		sqlite3_finalize(s);
		return -1;
	}
	sqlite3_finalize(s);
	imp->import_id = sqlite3_last_insert_rowid(imp->db);
	/* Bindings outlive sqlite3_reset(): bind the import once. */
	sqlite3_bind_int64(imp->ins_reject, 1, imp->import_id);
	if (imp->ins_event != NULL) {
		sqlite3_bind_int64(imp->ins_event, 6, imp->import_id);
		for (i = 0; i < EVENT_BATCH; i++)
			sqlite3_bind_int64(imp->ins_batch, 6 * i + 6,
			    imp->import_id);
	}
	return 0;
}

int
store_import_finish(store_import *imp, const store_import_totals *t,
    rf_error *err)
{
	sqlite3_stmt *s;
	int rc, i;

	if (prepare_one(imp, &s, "UPDATE imports SET rows_read = ?,"
	    " rows_accepted = ?, rows_rejected = ?, rows_duplicate = ?,"
	    " first_event = ?, last_event = ?, finished = ?, hash = ?,"
	    " first_ts = ?, last_ts = ?, beh_rating = ?, beh_pv = ?,"
	    " beh_fav = ?, beh_cart = ?, beh_buy = ?, beh_event = ?"
	    " WHERE id = ?", err) < 0)
		return -1;
	sqlite3_bind_int64(s, 1, t->rows_read);
	sqlite3_bind_int64(s, 2, t->accepted);
	sqlite3_bind_int64(s, 3, t->rejected);
	sqlite3_bind_int64(s, 4, t->duplicates);
	if (imp->first_rowid > 0) {
		sqlite3_bind_int64(s, 5, imp->first_rowid);
		sqlite3_bind_int64(s, 6, imp->last_rowid);
	}
	sqlite3_bind_double(s, 7, rf_now());
	sqlite3_bind_text(s, 8, t->hash, -1, SQLITE_STATIC);
	if (t->have_ts) {
		sqlite3_bind_int64(s, 9, t->ts_first);
		sqlite3_bind_int64(s, 10, t->ts_last);
	}
	for (i = 0; i < BEH_COUNT; i++)
		sqlite3_bind_int64(s, 11 + i, t->behavior_count[i]);
	sqlite3_bind_int64(s, 11 + BEH_COUNT, imp->import_id);
	rc = step_once(imp, s, 0, "cannot record the import", err);
	sqlite3_finalize(s);
	return rc;
}

int64_t
store_import_id(const store_import *imp)
{
	return imp->import_id;
}

/* Write the queued rows of q. */
static int
queue_flush(store_import *imp, id_queue *q, int64_t line, rf_error *err)
{
	sqlite3_stmt *s = q->n == EVENT_BATCH ? q->batch : q->one;
	int done = 0;

	while (done < q->n) {
		int n = s == q->batch ? EVENT_BATCH : 1;

		for (int i = 0; i < n; i++) {
			int r = done + i, b = q->ncols * i;

			sqlite3_bind_int64(s, b + 1, q->id[r]);
			for (int c = 0; c + 1 < q->ncols; c++)
				bind_opt_text(s, b + 2 + c, q->has[r][c] ?
				    (const char *)q->text.data + q->off[r][c] :
				    NULL, q->len[r][c]);
		}
		if (step_once(imp, s, line, "cannot add an id", err) < 0)
			return -1;
		done += n;
	}
	q->n = 0;
	q->text.len = 0;
	return 0;
}

/* The largest id of table (users or items) + 1: the first new id. */
static int
queue_start(store_import *imp, id_queue *q, const char *sql, rf_error *err)
{
	sqlite3_stmt *s;
	int rc;

	if (prepare_one(imp, &s, sql, err) < 0)
		return -1;
	if ((rc = sqlite3_step(s)) == SQLITE_ROW)
		q->next_id = sqlite3_column_int64(s, 0) + 1;
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW)
		return import_fail(imp, 0, "cannot read the store", err);
	return 0;
}

/* Queue a new row of q (texts copied; a NULL text stays NULL); its id in
 * *id. */
static int
queue_add(store_import *imp, id_queue *q, const char *const *text,
    const size_t *len, int64_t line, int64_t *id, rf_error *err)
{
	int r = q->n;

	for (int c = 0; c + 1 < q->ncols; c++) {
		q->has[r][c] = text[c] != NULL;
		q->off[r][c] = q->text.len;
		q->len[r][c] = text[c] != NULL ? len[c] : 0;
		if (text[c] != NULL && rf_buf_append(&q->text, text[c],
		    len[c]) < 0)
			return rf_fail(err, "%s: out of memory", imp->source);
	}
	*id = q->id[r] = q->next_id++;
	if (++q->n == EVENT_BATCH)
		return queue_flush(imp, q, line, err);
	return 0;
}

int
store_import_add_user(store_import *imp, const char *ext_id, size_t n,
    int64_t line, int64_t *id, rf_error *err)
{
	if (imp->users.next_id == 0 && queue_start(imp, &imp->users,
	    "SELECT coalesce(max(id), 0) FROM users", err) < 0)
		return -1;
	return queue_add(imp, &imp->users, &ext_id, &n, line, id, err);
}

int
store_import_add_item(store_import *imp, const char *ext_id, size_t n,
    const char *category, size_t category_n, int64_t line, int64_t *id,
    rf_error *err)
{
	const char *text[2] = { ext_id, category };
	size_t len[2] = { n, category_n };

	if (imp->items.next_id == 0 && queue_start(imp, &imp->items,
	    "SELECT coalesce(max(id), 0) FROM items", err) < 0)
		return -1;
	return queue_add(imp, &imp->items, text, len, line, id, err);
}

int
store_import_set_category(store_import *imp, int64_t item,
    const char *category, size_t n, int64_t line, rf_error *err)
{
	if (queue_flush(imp, &imp->items, line, err) < 0)
		return -1;
	sqlite3_bind_text(imp->set_category, 1, category, (int)n,
	    SQLITE_STATIC);
	sqlite3_bind_int64(imp->set_category, 2, item);
	return step_once(imp, imp->set_category, line, "cannot set a category",
	    err);
}

int
store_import_save_item(store_import *imp, const char *ext_id, size_t n,
    const store_item_text *t, int64_t line, int64_t *id, rf_error *err)
{
	sqlite3_stmt *s = *id != 0 ? imp->upd_item_meta : imp->ins_item_meta;
	int k = 1;

	/* Items queued by an events import are written first, and the
	 * queue's next id (when known) moves past a new one. */
	if (queue_flush(imp, &imp->items, line, err) < 0)
		return -1;

	if (*id == 0)
		sqlite3_bind_text(s, k++, ext_id, (int)n, SQLITE_STATIC);
	bind_opt_text(s, k++, t->title, t->title_n);
	bind_opt_text(s, k++, t->category, t->category_n);
	bind_opt_text(s, k++, t->genres, t->genres_n);
	if (*id != 0)
		sqlite3_bind_int64(s, k, *id);
	if (step_once(imp, s, line, "cannot save an item", err) < 0)
		return -1;
	if (*id == 0) {
		*id = sqlite3_last_insert_rowid(imp->db);
		if (imp->items.next_id != 0 && *id >= imp->items.next_id)
			imp->items.next_id = *id + 1;
	}
	return 0;
}

/* Write the queued events. */
static int
events_flush(store_import *imp, int64_t line, rf_error *err)
{
	sqlite3_stmt *s = imp->npending == EVENT_BATCH ? imp->ins_batch :
	    imp->ins_event;
	int i, done = 0;

	while (done < imp->npending) {
		int n = s == imp->ins_batch ? EVENT_BATCH : 1;

		for (i = 0; i < n; i++) {
			const store_event_row *e = &imp->pending[done + i];
			int b = 6 * i;

			sqlite3_bind_int64(s, b + 1, e->user);
			sqlite3_bind_int64(s, b + 2, e->item);
			sqlite3_bind_int(s, b + 3, e->behavior);
			sqlite3_bind_double(s, b + 4, e->value);
			sqlite3_bind_int64(s, b + 5, e->ts);
		}
		if (step_once(imp, s, line, "cannot insert events", err) < 0)
			return -1;
		imp->last_rowid = sqlite3_last_insert_rowid(imp->db);
		if (imp->first_rowid == 0)
			imp->first_rowid = imp->last_rowid - (n - 1);
		imp->written += n;
		done += n;
		/* store_import_event_at() counts on it (SQLite gives max + 1
		 * unless the rowids ran out). */
		if (imp->last_rowid - imp->first_rowid + 1 != imp->written)
			return rf_fail(err, "%s: the events' row ids are not "
			    "consecutive", imp->source);
	}
	imp->npending = 0;
	return 0;
}

int
store_import_event(store_import *imp, const store_event_row *e, int64_t line,
    rf_error *err)
{
	imp->pending[imp->npending++] = *e;
	if (imp->npending == EVENT_BATCH)
		return events_flush(imp, line, err);
	return 0;
}

int
store_import_flush(store_import *imp, int64_t line, rf_error *err)
{
	return queue_flush(imp, &imp->users, line, err) < 0 ||
	    queue_flush(imp, &imp->items, line, err) < 0 ||
	    events_flush(imp, line, err) < 0 ? -1 : 0;
}

/* Events are appended in one transaction, so this import's rows are the
 * rowids from its first one on: a plain scan, no index needed. */
int
store_import_each_event(store_import *imp, store_import_event_fn fn,
    void *ud, int64_t line, rf_error *err)
{
	sqlite3_stmt *s;
	int rc = SQLITE_DONE;

	if (store_import_flush(imp, line, err) < 0)
		return -1;
	if (imp->first_rowid == 0)
		return 0;
	if (sqlite3_prepare_v2(imp->db, "SELECT user_id, item_id, behavior,"
	    " value, ts FROM events WHERE rowid >= ?", -1, &s, NULL) !=
	    SQLITE_OK)
		return import_fail(imp, line, "cannot re-read this import", err);
	sqlite3_bind_int64(s, 1, imp->first_rowid);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		store_event_row e;
		int stop;

		e.user = sqlite3_column_int64(s, 0);
		e.item = sqlite3_column_int64(s, 1);
		e.behavior = sqlite3_column_int(s, 2);
		e.value = sqlite3_column_double(s, 3);
		e.ts = sqlite3_column_int64(s, 4);
		if ((stop = fn(ud, &e, err)) != 0) {
			sqlite3_finalize(s);
			return stop;
		}
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return import_fail(imp, line, "cannot re-read this import", err);
	return 0;
}

int
store_import_event_at(store_import *imp, int64_t ordinal,
    store_event_row *e, rf_error *err)
{
	sqlite3_stmt *s;
	int rc;

	if (ordinal < 0 || ordinal >= imp->written + imp->npending)
		return rf_fail(err, "%s: no event number %" PRId64 " in this "
		    "import", imp->source, ordinal);
	if (ordinal >= imp->written) {
		*e = imp->pending[ordinal - imp->written];
		return 0;
	}
	if (imp->get_event == NULL && prepare_one(imp, &imp->get_event,
	    "SELECT user_id, item_id, behavior, value, ts FROM events"
	    " WHERE rowid = ?", err) < 0)
		return -1;
	s = imp->get_event;
	sqlite3_bind_int64(s, 1, imp->first_rowid + ordinal);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		e->user = sqlite3_column_int64(s, 0);
		e->item = sqlite3_column_int64(s, 1);
		e->behavior = sqlite3_column_int(s, 2);
		e->value = sqlite3_column_double(s, 3);
		e->ts = sqlite3_column_int64(s, 4);
	}
	sqlite3_reset(s);
	if (rc == SQLITE_DONE)
		return rf_fail(err, "%s: event number %" PRId64 " of this "
		    "import is missing", imp->source, ordinal);
	if (rc != SQLITE_ROW)
		return import_fail(imp, 0, "cannot re-read an event", err);
	return 0;
}

int
store_import_reject(store_import *imp, int64_t line, const char *reason,
    const char *raw, size_t n, rf_error *err)
{
	sqlite3_bind_int64(imp->ins_reject, 2, line);
	sqlite3_bind_text(imp->ins_reject, 3, reason, -1, SQLITE_STATIC);
	sqlite3_bind_text(imp->ins_reject, 4, raw, (int)n, SQLITE_STATIC);
	return step_once(imp, imp->ins_reject, line, "cannot record a reject",
	    err);
}
