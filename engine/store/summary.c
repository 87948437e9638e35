/* summary: what the stats, imports, rejects, users/items --top commands
 * and the Data screen show, each answered without a sort of the events
 * (see summary.h). */
#if !defined(_GNU_SOURCE) && !defined(_POSIX_C_SOURCE)
#define _POSIX_C_SOURCE 200809L
#endif
#include "engine/store/summary.h"
#include "engine/store/db.h"
#include "engine/store/store.h"
#include "engine/core/civil.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int
kv_row(rf_table *t, const char *key, const char *fmt, ...) RF_PRINTF(3, 4);

static int
kv_row(rf_table *t, const char *key, const char *fmt, ...)
{
	char buf[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	if (table_begin_row(t) < 0 || table_cell_text(t, key) < 0 ||
	    table_cell_text(t, buf) < 0)
		return -1;
	return 0;
}

struct event_summary {
	int64_t events, beh[BEH_COUNT], first, last;
	int have_time;
};

/*
 * Events are written by imports only, each import's row keeps its counts
 * by behaviour and its time range, and events' rowids run 1..N without
 * gaps (appends in one transaction; a failed import rolls back): when the
 * accepted rows of the events imports add up to max(rowid) and the first
 * rowid is 1, the summary is read from the imports rows, which costs
 * nothing however many events there are.  Otherwise (rows written some
 * other way) 0 is returned and the events are scanned.
 */
static int
summarize_from_imports(store *st, struct event_summary *es)
{
	sqlite3_stmt *s;
	int64_t max_rowid, min_rowid;
	int i, ok = 0;

	if (sqlite3_prepare_v2(st->db, "SELECT sum(rows_accepted),"
	    " sum(beh_rating), sum(beh_pv), sum(beh_fav), sum(beh_cart),"
	    " sum(beh_buy), sum(beh_event), min(first_ts), max(last_ts),"
	    " count(*) FROM imports WHERE kind = 'events'", -1, &s, NULL) !=
	    SQLITE_OK)
		return 0;
	if (sqlite3_step(s) == SQLITE_ROW) {
		es->events = sqlite3_column_int64(s, 0);
		for (i = 0; i < BEH_COUNT; i++)
			es->beh[i] = sqlite3_column_int64(s, 1 + i);
		es->have_time = sqlite3_column_type(s, 7) != SQLITE_NULL;
		es->first = sqlite3_column_int64(s, 7);
		es->last = sqlite3_column_int64(s, 8);
		ok = 1;
	}
	sqlite3_finalize(s);
	if (!ok)
		return 0;
	/* Both are a single descent of the b-tree. */
	max_rowid = store_query_int(st, "SELECT coalesce(max(rowid), 0) FROM events");
	min_rowid = store_query_int(st, "SELECT coalesce(min(rowid), 1) FROM events");
	return max_rowid == es->events && min_rowid == 1;
}

/* The fallback: one plain scan with no GROUP BY (no sorter). */
static int
summarize_events(store *st, struct event_summary *es, rf_error *err)
{
	sqlite3_stmt *s = store_prepare(st, "SELECT count(*),"
	    " sum(behavior = 0), sum(behavior = 1), sum(behavior = 2),"
	    " sum(behavior = 3), sum(behavior = 4), sum(behavior = 5),"
	    " min(nullif(ts, 0)), max(nullif(ts, 0)) FROM events", err);
	int i;

	if (s == NULL)
		return -1;
	if (sqlite3_step(s) != SQLITE_ROW) {
		store_fail(st, err, "stats");
		sqlite3_finalize(s);
		return -1;
	}
	es->events = sqlite3_column_int64(s, 0);
	for (i = 0; i < BEH_COUNT; i++)
		es->beh[i] = sqlite3_column_int64(s, 1 + i);
	es->have_time = sqlite3_column_type(s, 7) != SQLITE_NULL;
	es->first = sqlite3_column_int64(s, 7);
	es->last = sqlite3_column_int64(s, 8);
	sqlite3_finalize(s);
	return 0;
}

static int
stats_rows(store *st, rf_table *t, const struct event_summary *es)
{
	int64_t users = store_count(st, "users"), items = store_count(st, "items");
	double cells = (double)users * (double)items;
	char a[32], b[32];
	int i, rc = 0;

	rc |= kv_row(t, "events", "%" PRId64, es->events);
	rc |= kv_row(t, "users", "%" PRId64, users);
	rc |= kv_row(t, "items", "%" PRId64, items);
	rc |= kv_row(t, "density", "%.4f%%",
	    cells > 0 ? 100.0 * (double)es->events / cells : 0.0);
	for (i = 0; i < BEH_COUNT; i++) {
		char key[32];

		if (es->beh[i] == 0)
			continue;
		snprintf(key, sizeof key, "behaviour %s", store_behavior_name(i));
		rc |= kv_row(t, key, "%" PRId64 " (%.1f%%)", es->beh[i],
		    100.0 * (double)es->beh[i] / (double)es->events);
	}
	if (es->have_time) {
		civil_format_utc(es->first, a, sizeof a);
		civil_format_utc(es->last, b, sizeof b);
		rc |= kv_row(t, "first event", "%s UTC", a);
		rc |= kv_row(t, "last event", "%s UTC", b);
		rc |= kv_row(t, "time span", "%.1f days",
		    (double)(es->last - es->first) / 86400.0);
	}
	rc |= kv_row(t, "imports", "%" PRId64, store_count(st, "imports"));
	rc |= kv_row(t, "rejects", "%" PRId64, store_count(st, "rejects"));
	return rc;
}

rf_table *
store_stats(store *st, rf_error *err)
{
	struct event_summary es;
	rf_table *t;

	memset(&es, 0, sizeof es);
	if (!summarize_from_imports(st, &es) &&
	    summarize_events(st, &es, err) < 0)
		return NULL;
	if ((t = table_new("stats")) == NULL ||
	    table_add_column(t, "key", COL_TEXT) < 0 ||
	    table_add_column(t, "value", COL_TEXT) < 0 ||
	    stats_rows(st, t, &es) != 0) {
		table_free(t);
		rf_fail(err, "stats: out of memory");
		return NULL;
	}
	return t;
}

rf_table *
store_imports(store *st, rf_error *err)
{
	static const struct store_colspec cols[] = {
		{ "id", COL_INT }, { "kind", COL_TEXT }, { "format", COL_TEXT },
		{ "source", COL_TEXT }, { "read", COL_INT },
		{ "accepted", COL_INT }, { "rejected", COL_INT },
		{ "duplicates", COL_INT }, { "seconds", COL_REAL },
	};

	return store_table_from_query(st, "imports", cols, 9,
	    "SELECT id, kind, format, source, rows_read, rows_accepted,"
	    " rows_rejected, rows_duplicate, finished - started"
	    " FROM imports ORDER BY id", 0, 2, err);
}

rf_table *
store_rejects(store *st, int limit, rf_error *err)
{
	static const struct store_colspec cols[] = {
		{ "import", COL_INT }, { "source", COL_TEXT },
		{ "line", COL_INT }, { "reason", COL_TEXT }, { "raw", COL_TEXT },
	};

	return store_table_from_query(st, "rejects", cols, 5,
	    "SELECT r.import_id, i.source, r.line, r.reason, r.raw"
	    " FROM rejects r LEFT JOIN imports i ON i.id = r.import_id"
	    " ORDER BY r.rowid LIMIT ?", limit > 0 ? limit : -1, 0, err);
}

/*
 * `users --top` and `items --top` without an index on events: one scan of
 * (id, behaviour) into per-id counters (users and items have dense rowids
 * from 1), a sort of the ids that have events, then the names of the first
 * `top` by rowid.  A GROUP BY would sort all the events instead.
 */
struct top_counts {
	int64_t *c;		/* (n + 1) * BEH_COUNT */
	int64_t n;		/* largest id */
};

struct top_entry {
	int64_t events, id;
};

static int64_t
top_total(const int64_t *c)
{
	int64_t t = 0;
	int b;

	for (b = 0; b < BEH_COUNT; b++)
		t += c[b];
	return t;
}

/* More events first, then the smaller id (as ORDER BY n DESC, id). */
static int
top_cmp(const void *pa, const void *pb)
{
	const struct top_entry *a = pa, *b = pb;

	if (a->events != b->events)
		return a->events > b->events ? -1 : 1;
	return a->id < b->id ? -1 : a->id > b->id;
}

/* 1 when counted, 0 when an id is outside 1..max(id) of the id table (the
 * caller then runs the SQL), -1 on error. */
static int
top_count(store *st, int items, struct top_counts *tc, rf_error *err)
{
	sqlite3_stmt *s;
	int64_t id;
	int beh, rc;

	tc->n = store_query_int(st, items ? "SELECT coalesce(max(id), 0) FROM items" :
	    "SELECT coalesce(max(id), 0) FROM users");
	if (tc->n < 0 || tc->n > ((int64_t)1 << 31))
		return 0;
	if ((tc->c = calloc((size_t)(tc->n + 1) * BEH_COUNT, sizeof *tc->c))
	    == NULL) {
		rf_fail(err, "top: out of memory");
		return -1;
	}
	if ((s = store_prepare(st, items ? "SELECT item_id, behavior FROM events" :
	    "SELECT user_id, behavior FROM events", err)) == NULL)
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		id = sqlite3_column_int64(s, 0);
		beh = sqlite3_column_int(s, 1);
		if (id < 1 || id > tc->n || beh < 0 || beh >= BEH_COUNT ||
		    sqlite3_column_type(s, 0) != SQLITE_INTEGER ||
		    sqlite3_column_type(s, 1) != SQLITE_INTEGER) {
			sqlite3_finalize(s);
			return 0;
		}
		tc->c[id * BEH_COUNT + beh]++;
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		store_fail(st, err, "top");
		return -1;
	}
	return 1;
}

/* Ids with events, best first; *nout of them. */
static struct top_entry *
top_order(const struct top_counts *tc, int64_t *nout)
{
	struct top_entry *e;
	int64_t id, n = 0, events;

	if ((e = malloc((size_t)(tc->n + 1) * sizeof *e)) == NULL)
		return NULL;
	for (id = 1; id <= tc->n; id++) {
		if ((events = top_total(&tc->c[id * BEH_COUNT])) > 0) {
			e[n].events = events;
			e[n++].id = id;
		}
	}
	qsort(e, (size_t)n, sizeof *e, top_cmp);
	*nout = n;
	return e;
}

static int
top_cell_int(rf_table *t, int64_t v)
{
	char buf[32];

	snprintf(buf, sizeof buf, "%" PRId64, v);
	return table_cell_text(t, buf);
}

static rf_table *
top_table(store *st, int items, int top, const struct store_colspec *cols,
    int ncols, struct top_counts *tc, rf_error *err)
{
	const char *title = items ? "top items" : "top users";
	sqlite3_stmt *s = NULL;
	rf_table *t = NULL;
	struct top_entry *ids;
	int64_t n, i, lim;
	int k, rc = 0;

	if ((ids = top_order(tc, &n)) == NULL)
		goto oom;
	lim = top > 0 && top < n ? top : n;
	if ((s = store_prepare(st, items ? "SELECT ext_id, title, category FROM items"
	    " WHERE id = ?" : "SELECT ext_id FROM users WHERE id = ?", err)) ==
	    NULL)
		goto fail;
	if ((t = table_new(title)) == NULL)
		goto oom;
	for (k = 0; k < ncols; k++)
		if (table_add_column(t, cols[k].name, cols[k].type) < 0)
			goto oom;
	for (i = 0; i < lim; i++) {
		const int64_t *c = &tc->c[ids[i].id * BEH_COUNT];
		int nmeta = items ? 3 : 1;

		sqlite3_bind_int64(s, 1, ids[i].id);
		if ((rc = sqlite3_step(s)) != SQLITE_ROW) {
			sqlite3_reset(s);
			if (rc != SQLITE_DONE) {
				store_fail(st, err, title);
				goto fail;
			}
			continue;	/* no such row: as the inner join */
		}
		if (table_begin_row(t) < 0)
			goto oom;
		for (k = 0; k < nmeta; k++)
			if (table_cell_text(t, (const char *)
			    sqlite3_column_text(s, k)) < 0)
				goto oom;
		sqlite3_reset(s);
		if (top_cell_int(t, ids[i].events) < 0)
			goto oom;
		for (k = 0; k < BEH_COUNT; k++)
			if (top_cell_int(t, c[k]) < 0)
				goto oom;
	}
	sqlite3_finalize(s);
	free(ids);
	return t;
oom:
	rf_fail(err, "%s: out of memory", title);
fail:
	sqlite3_finalize(s);
	free(ids);
	table_free(t);
	return NULL;
}

static rf_table *
store_top(store *st, int items, int top, const struct store_colspec *cols,
    int ncols, const char *sql, rf_error *err)
{
	struct top_counts tc = { NULL, 0 };
	rf_table *t = NULL;
	int rc = top_count(st, items, &tc, err);

	if (rc > 0)
		t = top_table(st, items, top, cols, ncols, &tc, err);
	else if (rc == 0)
		t = store_table_from_query(st, items ? "top items" : "top users",
		    cols, ncols, sql, top > 0 ? top : -1, 0, err);
	free(tc.c);
	return t;
}

rf_table *
store_top_users(store *st, int top, rf_error *err)
{
	static const struct store_colspec cols[] = {
		{ "user", COL_TEXT }, { "events", COL_INT },
		{ "rating", COL_INT }, { "pv", COL_INT }, { "fav", COL_INT },
		{ "cart", COL_INT }, { "buy", COL_INT }, { "event", COL_INT },
	};

	return store_top(st, 0, top, cols, 8,
	    "SELECT u.ext_id, c.n, c.b0, c.b1, c.b2, c.b3, c.b4, c.b5 FROM"
	    " (SELECT user_id, count(*) AS n, sum(behavior = 0) AS b0,"
	    "  sum(behavior = 1) AS b1, sum(behavior = 2) AS b2,"
	    "  sum(behavior = 3) AS b3, sum(behavior = 4) AS b4,"
	    "  sum(behavior = 5) AS b5 FROM events GROUP BY user_id"
	    "  ORDER BY n DESC, user_id LIMIT ?) c"
	    " JOIN users u ON u.id = c.user_id ORDER BY c.n DESC, c.user_id",
	    err);
}

rf_table *
store_top_items(store *st, int top, rf_error *err)
{
	static const struct store_colspec cols[] = {
		{ "item", COL_TEXT }, { "title", COL_TEXT },
		{ "category", COL_TEXT }, { "events", COL_INT },
		{ "rating", COL_INT }, { "pv", COL_INT }, { "fav", COL_INT },
		{ "cart", COL_INT }, { "buy", COL_INT }, { "event", COL_INT },
	};

	return store_top(st, 1, top, cols, 10,
	    "SELECT i.ext_id, i.title, i.category, c.n, c.b0, c.b1, c.b2,"
	    " c.b3, c.b4, c.b5 FROM"
	    " (SELECT item_id, count(*) AS n, sum(behavior = 0) AS b0,"
	    "  sum(behavior = 1) AS b1, sum(behavior = 2) AS b2,"
	    "  sum(behavior = 3) AS b3, sum(behavior = 4) AS b4,"
	    "  sum(behavior = 5) AS b5 FROM events GROUP BY item_id"
	    "  ORDER BY n DESC, item_id LIMIT ?) c"
	    " JOIN items i ON i.id = c.item_id ORDER BY c.n DESC, c.item_id",
	    err);
}

/* ---- activity over time ------------------------------------------------ */

/* Per-day counters of the activity scan, in an open-addressing table keyed
 * by the day number (days since 1970-01-01, floored). */
struct act_day {
	int64_t day;
	int64_t c[BEH_COUNT];
	int used;
};

struct act_days {
	struct act_day *slot;
	size_t cap, n;		/* cap: a power of two */
};

static size_t
act_hash(int64_t day, size_t cap)
{
	/* Fibonacci hashing: consecutive days spread over the table. */
	return (size_t)(((uint64_t)day * UINT64_C(0x9E3779B97F4A7C15)) >>
	    17) & (cap - 1);
}

static int
act_grow(struct act_days *d)
{
	size_t cap = d->cap ? d->cap * 2 : 256, i, h;
	struct act_day *s = calloc(cap, sizeof *s);

	if (s == NULL)
		return -1;
	for (i = 0; i < d->cap; i++) {
		if (!d->slot[i].used)
			continue;
		for (h = act_hash(d->slot[i].day, cap); s[h].used;
		    h = (h + 1) & (cap - 1))
			;
		s[h] = d->slot[i];
	}
	free(d->slot);
	d->slot = s;
	d->cap = cap;
	return 0;
}

/* The counters of day, created on first sight; NULL when out of memory. */
static struct act_day *
act_find(struct act_days *d, int64_t day)
{
	size_t h;

	if ((d->n + 1) * 2 > d->cap && act_grow(d) < 0)
		return NULL;
	for (h = act_hash(day, d->cap); d->slot[h].used;
	    h = (h + 1) & (d->cap - 1))
		if (d->slot[h].day == day)
			return &d->slot[h];
	d->slot[h].used = 1;
	d->slot[h].day = day;
	d->n++;
	return &d->slot[h];
}

static int
act_day_cmp(const void *pa, const void *pb)
{
	const struct act_day *a = pa, *b = pb;

	return a->day < b->day ? -1 : a->day > b->day;
}

enum act_unit { ACT_DAY, ACT_WEEK, ACT_MONTH, ACT_YEAR };

/* The bucket of a day as a running number (consecutive buckets differ by
 * one), and back to the bucket's first day. */
static int64_t
act_bucket(int64_t day, enum act_unit u)
{
	int64_t y;
	int m, d;

	switch (u) {
	case ACT_DAY:
		return day;
	case ACT_WEEK:
		/* 1970-01-01 was a Thursday: day 4 is a Monday. */
		return civil_floor_div(day - 4, 7);
	case ACT_MONTH:
		civil_date_from_days(day, &y, &m, &d);
		return y * 12 + (m - 1);
	case ACT_YEAR:
		civil_date_from_days(day, &y, &m, &d);
		return y;
	}
	return day;
}

static int64_t
act_bucket_start(int64_t b, enum act_unit u)
{
	switch (u) {
	case ACT_DAY:
		return b;
	case ACT_WEEK:
		return b * 7 + 4;
	case ACT_MONTH:
		return civil_days_from_date(civil_floor_div(b, 12),
		    (int)(b - civil_floor_div(b, 12) * 12) + 1, 1);
	case ACT_YEAR:
		return civil_days_from_date(b, 1, 1);
	}
	return b;
}

static int
act_row(rf_table *t, const char *label, const int64_t *c)
{
	static const int order[] = { BEH_PV, BEH_FAV, BEH_CART, BEH_BUY,
		BEH_RATING };
	int64_t total = 0;
	int k;

	for (k = 0; k < BEH_COUNT; k++)
		total += c[k];
	if (table_begin_row(t) < 0 || table_cell_text(t, label) < 0 ||
	    table_cell_int(t, total) < 0)
		return -1;
	for (k = 0; k < 5; k++)
		if (table_cell_int(t, c[order[k]]) < 0)
			return -1;
	return 0;
}

/* The 1st..99th percentile days of the sorted days (weighted by their
 * events), widened by a quarter of that span (at least a day) each side
 * and shrunk to the days that have events: the window [*lo, *hi]. */
static void
act_window(const struct act_day *days, size_t n, int64_t total, int64_t *lo,
    int64_t *hi)
{
	int64_t cum = 0, p1 = days[0].day, p99 = days[n - 1].day, margin;
	int have1 = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		int64_t e = 0;
		int k;

		for (k = 0; k < BEH_COUNT; k++)
			e += days[i].c[k];
		cum += e;
		if (!have1 && cum * 100 > total) {
			p1 = days[i].day;
			have1 = 1;
		}
		if (cum * 100 >= total * 99) {
			p99 = days[i].day;
			break;
		}
	}
	margin = (p99 - p1) / 4;
	if (margin < 1)
		margin = 1;
	for (i = 0; i < n && days[i].day < p1 - margin; i++)
		;
	*lo = days[i].day;
	for (i = n; i > 0 && days[i - 1].day > p99 + margin; i--)
		;
	*hi = days[i - 1].day;
}

rf_table *
store_activity(store *st, int buckets, rf_error *err)
{
	static const struct store_colspec cols[] = {
		{ "bucket", COL_TEXT }, { "events", COL_INT },
		{ "pv", COL_INT }, { "fav", COL_INT }, { "cart", COL_INT },
		{ "buy", COL_INT }, { "rating", COL_INT },
	};
	static const char *const unit_name[] = { "day", "week", "month",
		"year" };
	struct act_days d = { NULL, 0, 0 };
	struct act_day *days = NULL, *cur = NULL;
	int64_t untimed[BEH_COUNT] = { 0 }, before[BEH_COUNT] = { 0 };
	int64_t after[BEH_COUNT] = { 0 }, *sum = NULL, total = 0, lo, hi;
	int64_t b0, nb = 0, limit = buckets > 0 ? buckets : 60, any;
	enum act_unit unit;
	sqlite3_stmt *s;
	rf_table *t = NULL;
	size_t i, n;
	int rc, k;
	char title[32], label[32];

	if ((s = store_prepare(st, "SELECT ts, behavior FROM events", err)) ==
	    NULL)
		return NULL;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		int64_t ts = sqlite3_column_int64(s, 0), day;
		int beh = sqlite3_column_int(s, 1);

		if (beh < 0 || beh >= BEH_COUNT)
			beh = BEH_EVENT;
		if (ts == 0) {
			untimed[beh]++;
			continue;
		}
		day = civil_floor_div(ts, 86400);
		/* Logs come in runs of one day (by time, or by user over a
		 * short window): most rows hit the day before. */
		if (cur == NULL || cur->day != day) {
			if ((cur = act_find(&d, day)) == NULL)
				goto oom;
		}
		cur->c[beh]++;
		total++;
	}
	sqlite3_finalize(s);
	s = NULL;
	if (rc != SQLITE_DONE) {
		store_fail(st, err, "activity");
		goto fail;
	}

	/* The days in order (compacted in place). */
	for (i = 0, n = 0; i < d.cap; i++)
		if (d.slot[i].used)
			d.slot[n++] = d.slot[i];
	days = d.slot;
	d.slot = NULL;
	if (n > 1)	/* qsort(NULL, 0) is undefined: an empty store */
		qsort(days, n, sizeof *days, act_day_cmp);

	unit = ACT_DAY;
	lo = hi = 0;
	if (n > 0) {
		act_window(days, n, total, &lo, &hi);
		for (unit = ACT_DAY; unit < ACT_YEAR; unit++)
			if (act_bucket(hi, unit) - act_bucket(lo, unit) + 1 <=
			    limit)
				break;
		b0 = act_bucket(lo, unit);
		nb = act_bucket(hi, unit) - b0 + 1;
		if ((sum = calloc((size_t)nb * BEH_COUNT, sizeof *sum)) ==
		    NULL)
			goto oom;
		for (i = 0; i < n; i++) {
			int64_t *to = days[i].day < lo ? before : days[i].day >
			    hi ? after : &sum[(act_bucket(days[i].day, unit) -
			    b0) * BEH_COUNT];

			for (k = 0; k < BEH_COUNT; k++)
				to[k] += days[i].c[k];
		}
	} else {
		b0 = 0;
	}

	snprintf(title, sizeof title, "activity per %s", unit_name[unit]);
	if ((t = table_new(title)) == NULL)
		goto oom;
	for (k = 0; k < 7; k++)
		if (table_add_column(t, cols[k].name, cols[k].type) < 0)
			goto oom;
	for (i = 0; i < (size_t)nb; i++) {
		civil_format_day(act_bucket_start(b0 + (int64_t)i, unit), label,
		    sizeof label);
		if (act_row(t, label, &sum[i * BEH_COUNT]) < 0)
			goto oom;
	}
	for (k = 0, any = 0; k < BEH_COUNT; k++)
		any |= before[k];
	if (any && act_row(t, "earlier", before) < 0)
		goto oom;
	for (k = 0, any = 0; k < BEH_COUNT; k++)
		any |= after[k];
	if (any && act_row(t, "later", after) < 0)
		goto oom;
	for (k = 0, any = 0; k < BEH_COUNT; k++)
		any |= untimed[k];
	if (any && act_row(t, "untimed", untimed) < 0)
		goto oom;
	free(sum);
	free(days);
	return t;
oom:
	rf_fail(err, "activity: out of memory");
fail:
	sqlite3_finalize(s);
	free(d.slot);
	free(days);
	free(sum);
	table_free(t);
	return NULL;
}
