/* test_ingest: real datasets (ml-100k, Taobao, Last.fm), the malformed-input
 * suite under tests/data, sniffing, column maps and time formats, re-import
 * refusal, cancel, and duplicates in files not grouped by user. */
#if !defined(_GNU_SOURCE) && !defined(_POSIX_C_SOURCE)
#define _POSIX_C_SOURCE 200809L
#endif
#include "tests/lib/testutil.h"

#include <math.h>

#include "engine/ingest/idmap.h"
#include "engine/ingest/ingest.h"
#include "engine/store/query.h"
#include "engine/store/store.h"
#include "engine/store/summary.h"

static const char *data;	/* RECFUSE_DATA */
static const char *tmp;

static store *
fresh_store(const char *name)
{
	rf_error err;
	const char *path = tu_join(tmp, name);
	store *st;

	unlink(path);
	if ((st = store_open(path, STORE_CREATE, &err)) == NULL) {
		CHECK_FAIL("store_open %s: %s", path, err.msg);
		exit(check_done());
	}
	return st;
}

/* One value from trusted test SQL, as text (static buffer); a query that
 * fails is a failure, never a value to compare. */
static const char *
q(store *st, const char *sql)
{
	static char buf[1100];
	rf_error err;
	rf_table *t = store_query(st, sql, 0, &err);

	if (t == NULL) {
		CHECK_FAIL("%s: %s", sql, err.msg);
		return "(query failed)";
	}
	snprintf(buf, sizeof buf, "%s", t->nrows > 0 && table_get(t, 0, 0) ?
	    table_get(t, 0, 0) : "(null)");
	table_free(t);
	return buf;
}

/* The value as an integer (an integral REAL such as "13883.0" too);
 * anything else (NULL, text, a failed query) fails here rather than
 * reading as 0. */
static int64_t
qi(store *st, const char *sql)
{
	const char *v = q(st, sql);
	char *end;
	double x = strtod(v, &end);

	if (end == v || *end != '\0' || x != floor(x)) {
		CHECK_FAIL("%s: \"%s\" is not an integer", sql, v);
		return -1;
	}
	return (int64_t)x;
}

static int
import(store *st, const char *path, const ingest_opts *o, ingest_result *r)
{
	rf_error err;

	if (ingest_events(st, path, o, r, &err) < 0) {
		CHECK_FAIL("import %s: %s", path, err.msg);
		return -1;
	}
	return 0;
}

static void
test_movielens(void)
{
	store *st = fresh_store("ml.rfs");
	ingest_result r;
	rf_error err;

	if (import(st, tu_join(data, "ml-100k/u.data"), NULL, &r) == 0) {
		CHECK_EQ(r.format, FMT_MOVIELENS);
		CHECK_EQ(r.accepted, 100000);
		CHECK_EQ(r.rejected, 0);
		CHECK_EQ(r.duplicates, 0);
		CHECK_EQ(r.new_users, 943);
		CHECK_EQ(r.new_items, 1682);
	}
	CHECK_EQ(store_count(st, "events"), 100000);
	CHECK_EQ(store_count(st, "users"), 943);
	CHECK_EQ(store_count(st, "items"), 1682);
	CHECK_EQ(qi(st, "SELECT min(ts) FROM events"), 874724710);
	CHECK_EQ(qi(st, "SELECT max(ts) FROM events"), 893286638);
	CHECK_EQ(qi(st, "SELECT count(*) FROM events WHERE behavior = 0"),
	    100000);
	/* No index on events, users or items (see store.h). */
	CHECK_EQ(qi(st, "SELECT count(*) FROM sqlite_master WHERE"
	    " type = 'index' AND tbl_name IN ('events', 'users', 'items')"), 0);
	CHECK_STR(q(st, "SELECT beh_rating || ' ' || first_ts || ' ' || last_ts"
	    " FROM imports"), "100000 874724710 893286638");

	if (ingest_items(st, tu_join(data, "ml-100k/u.item"), NULL, &r,
	    &err) < 0)
		CHECK_FAIL("u.item: %s", err.msg);
	CHECK_EQ(r.format, FMT_ITEMS_UITEM);
	CHECK_EQ(r.accepted, 1682);
	CHECK_EQ(r.new_items, 0);
	CHECK_EQ(store_count(st, "items"), 1682);
	CHECK_STR(q(st, "SELECT title FROM items WHERE ext_id = '543'"),
	    "Mis\xc3\xa9rables, Les (1995)");
	CHECK_STR(q(st, "SELECT title FROM items WHERE ext_id = '1633'"),
	    "\xc3\x81 k\xc3\xb6ldum klaka (Cold Fever) (1994)");
	CHECK_STR(q(st, "SELECT genres FROM items WHERE ext_id = '1'"),
	    "Animation|Children's|Comedy");
	CHECK_STR(q(st, "SELECT category FROM items WHERE ext_id = '1'"),
	    "Animation");
	CHECK_STR(q(st, "SELECT genres FROM items WHERE ext_id = '267'"),
	    "unknown");
	CHECK_EQ(store_count(st, "events"), 100000);
	store_close(st);
}

static void
test_taobao(void)
{
	store *st = fresh_store("tb.rfs");
	ingest_result r;
	rf_error err;
	rf_table *t;

	if (import(st, tu_join(data, "taobao-userbehavior/UserBehavior.csv"),
	    NULL, &r) == 0) {
		CHECK_EQ(r.format, FMT_TAOBAO);
		CHECK_EQ(r.rows_read, 84476);
		CHECK_EQ(r.accepted, 84475);
		CHECK_EQ(r.rejected, 1);
		CHECK_EQ(r.duplicates, 0);
	}
	CHECK_EQ(store_count(st, "events"), 84475);
	CHECK_EQ(store_count(st, "users"), 815);
	CHECK_EQ(store_count(st, "items"), 55368);
	CHECK_EQ(qi(st, "SELECT count(*) FROM events WHERE behavior = 1"),
	    75872);
	CHECK_EQ(qi(st, "SELECT count(*) FROM events WHERE behavior = 4"),
	    1750);
	CHECK_EQ(qi(st, "SELECT count(DISTINCT category) FROM items"), 2914);
	CHECK_EQ(qi(st, "SELECT sum(value) FROM events"),
	    75872 + 2 * 2356 + 3 * 4497 + 4 * 1750);
	if ((t = store_rejects(st, 0, &err)) != NULL) {
		CHECK_EQ(t->nrows, 1);
		CHECK_STR(table_get(t, 0, 2), "84476");
		CHECK_STR(table_get(t, 0, 3),
		    "line cut off at end of file (no newline)");
		CHECK_STR(table_get(t, 0, 4), "100370,1968385,1875258,pv");
		table_free(t);
	} else
		CHECK_FAIL("rejects: %s", err.msg);
	store_close(st);
}

static void
test_lastfm(void)
{
	store *st = fresh_store("fm.rfs");
	ingest_result r;

	if (import(st, tu_join(data, "lastfm-hetrec2011-2k/user_artists.dat"),
	    NULL, &r) == 0) {
		CHECK_EQ(r.format, FMT_GENERIC);
		CHECK_EQ(r.accepted, 92834);
		CHECK_EQ(r.rejected, 0);
	}
	CHECK_EQ(store_count(st, "users"), 1892);
	CHECK_EQ(store_count(st, "items"), 17632);
	CHECK_EQ(qi(st, "SELECT count(*) FROM events WHERE behavior = 5"),
	    92834);
	CHECK_EQ(qi(st, "SELECT max(value) FROM events"), 352698);
	CHECK_EQ(qi(st, "SELECT min(value) FROM events"), 1);
	CHECK_EQ(qi(st, "SELECT count(*) FROM events WHERE ts <> 0"), 0);
	CHECK_EQ(qi(st, "SELECT value FROM events e JOIN users u"
	    " ON u.id = e.user_id JOIN items i ON i.id = e.item_id"
	    " WHERE u.ext_id = '2' AND i.ext_id = '51'"), 13883);
	store_close(st);
}

struct expect_reject {
	int line;
	const char *reason;
};

static void
check_rejects(store *st, int64_t import_id, const struct expect_reject *x,
    int n)
{
	char sql[200];
	rf_error err;
	rf_table *t;
	int i;

	snprintf(sql, sizeof sql, "SELECT line, reason, raw FROM rejects"
	    " WHERE import_id = %lld ORDER BY line", (long long)import_id);
	if ((t = store_query(st, sql, 0, &err)) == NULL) {
		CHECK_FAIL("rejects: %s", err.msg);
		return;
	}
	CHECK_EQ(t->nrows, n);
	for (i = 0; i < n && i < t->nrows; i++) {
		check_context("reject %d of import %lld", i,
		    (long long)import_id);
		CHECK_EQ(strtol(table_get(t, i, 0), NULL, 10), x[i].line);
		CHECK_STR(table_get(t, i, 1), x[i].reason);
	}
	check_context_clear();
	table_free(t);
}

static void
test_malformed_csv(void)
{
	static const struct expect_reject want[] = {
		{ 6, "expected 5 fields, found 4" },
		{ 7, "non-numeric user id 'x1'" },
		{ 8, "unknown behaviour 'clik'" },
		{ 9, "empty item" },
		{ 10, "timestamp is not a number: 'abc'" },
		{ 11, "timestamp 12345 is before the minimum 1990-01-01 00:00:00" },
		{ 12, "timestamp 5000000000 is after the maximum 2100-01-01 00:00:00" },
		{ 14, "invalid UTF-8" },
		{ 15, "NUL byte in line" },
		{ 16, "expected 5 fields, found 6" },
		{ 19, "line cut off at end of file (no newline)" },
	};
	const char *path = tu_srcdata("malformed.csv");
	store *st = fresh_store("bad.rfs");
	ingest_result r, r0;
	ingest_opts o;
	rf_error err;
	int64_t before;

	/* An earlier import that must stay untouched. */
	if (import(st, tu_srcdata("malformed.tsv"), NULL, &r0) < 0)
		return;
	before = store_count(st, "events");
	if (import(st, path, NULL, &r) < 0)
		return;
	CHECK_EQ(r.format, FMT_TAOBAO);
	CHECK_EQ(r.rows_read, 17);
	CHECK_EQ(r.accepted, 5);
	CHECK_EQ(r.duplicates, 1);
	CHECK_EQ(r.rejected, 11);
	check_rejects(st, r.import_id, want, 11);
	CHECK_EQ(store_count(st, "events"), before + 5);
	CHECK_STR(q(st, "SELECT group_concat(i.ext_id || ':' || i.category, ' ')"
	    " FROM (SELECT * FROM items ORDER BY id) i WHERE ext_id IN"
	    " ('100', '102', '113')"), "100:10 102:10 113:0012");
	CHECK_EQ(qi(st, "SELECT count(*) FROM events WHERE behavior = 3"), 1);
	CHECK_STR(q(st, "SELECT raw FROM rejects WHERE line = 15"),
	    "2,111,1?0,pv,1511544078");
	CHECK_STR(q(st, "SELECT raw FROM rejects WHERE line = 14"),
	    "2,1?0,10,pv,1511544077");
	CHECK_EQ(qi(st, "SELECT rows_accepted FROM imports WHERE id = 1"), 3);
	CHECK_EQ(qi(st, "SELECT count(*) FROM events WHERE import_id = 1"), 3);
	CHECK_EQ(qi(st, "SELECT last_event - first_event + 1 FROM imports"
	    " WHERE id = 2"), 5);

	/* The same content again is refused; --force takes it. */
	ingest_opts_default(&o);
	CHECK(ingest_events(st, path, &o, &r, &err) < 0);
	CHECK_CONTAINS(err.msg, path);
	CHECK_CONTAINS(err.msg, "already imported as import #2 on ");
	CHECK_CONTAINS(err.msg, "(same content); use --force to import it again");
	CHECK_EQ(store_count(st, "imports"), 2);
	CHECK_EQ(store_count(st, "events"), before + 5);
	o.force = 1;
	if (ingest_events(st, path, &o, &r, &err) < 0)
		CHECK_FAIL("forced import: %s", err.msg);
	CHECK_EQ(r.import_id, 3);
	CHECK_EQ(r.accepted, 5);
	CHECK_EQ(store_count(st, "events"), before + 10);
	CHECK_EQ(store_count(st, "rejects"), 6 + 11 + 11);
	store_close(st);
}

static void
test_malformed_ratings(void)
{
	static const struct expect_reject want[] = {
		{ 2, "rating 7 is out of range [0.5, 5]" },
		{ 3, "rating 0 is out of range [0.5, 5]" },
		{ 4, "rating is not a number: 'good'" },
		{ 5, "non-numeric user id 'u2'" },
		{ 7, "empty rating" },
		{ 8, "expected 4 fields, found 3" },
	};
	store *st = fresh_store("badr.rfs");
	ingest_result r;

	if (import(st, tu_srcdata("malformed.tsv"), NULL, &r) < 0)
		return;
	CHECK_EQ(r.format, FMT_MOVIELENS);
	CHECK_EQ(r.accepted, 3);	/* incl. a complete last line, no \n */
	CHECK_EQ(r.rejected, 6);
	check_rejects(st, r.import_id, want, 6);
	CHECK_STR(q(st, "SELECT value FROM events e JOIN items i"
	    " ON i.id = e.item_id WHERE i.ext_id = '15'"), "3.5");
	store_close(st);
}

static void
test_generic_map(void)
{
	static const struct expect_reject want[] = {
		{ 6, "timestamp is not a number or a date: '2017-13-01 00:00:00'" },
	};
	store *st = fresh_store("gen.rfs");
	ingest_result r;
	ingest_opts o;
	rf_error err;

	ingest_opts_default(&o);
	CHECK(ingest_parse_map(&o, "user=2,item=3,type=4,time=1", &err) == 0);
	CHECK(ingest_parse_map(&o, "user=2,colour=3", &err) < 0);
	CHECK_CONTAINS(err.msg, "unknown column 'colour'");
	CHECK(ingest_parse_map(&o, "user=2,item=3,type=4,time=1", &err) == 0);
	if (import(st, tu_srcdata("generic-map.txt"), &o, &r) < 0)
		return;
	CHECK_EQ(r.format, FMT_GENERIC);
	CHECK_EQ(r.accepted, 6);
	CHECK_EQ(r.rejected, 1);
	check_rejects(st, r.import_id, want, 1);
	CHECK_STR(q(st, "SELECT group_concat(ts || ':' || behavior || ':' ||"
	    " value, ' ') FROM (SELECT * FROM events ORDER BY rowid)"),
	    "1511604000:1:1.0 1511604001:3:3.0 1511654400:4:4.0 "
	    "1511604002:1:1.0 1511604003:2:2.0 1511604000:1:1.0");
	CHECK_STR(q(st, "SELECT group_concat(ext_id, ',') FROM"
	    " (SELECT ext_id FROM users ORDER BY id)"), "u1,u2,u3");

	/* Weights change the values of pv/fav/cart/buy. */
	CHECK(ingest_parse_weights(&o, "pv=0.5,buy=10", &err) == 0);
	CHECK(o.weights[BEH_PV] == 0.5 && o.weights[BEH_BUY] == 10 &&
	    o.weights[BEH_FAV] == 2);
	CHECK(ingest_parse_weights(&o, "zap=1", &err) < 0);
	CHECK_CONTAINS(err.msg, "unknown behaviour 'zap'");

	/* A header naming the columns, ms timestamps, retailrocket style. */
	if (import(st, tu_srcdata("generic-header.csv"), NULL, &r) < 0)
		return;
	CHECK_EQ(r.format, FMT_GENERIC);
	CHECK_EQ(r.accepted, 4);
	CHECK_EQ(r.rejected, 1);
	CHECK_STR(q(st, "SELECT reason || '@' || line FROM rejects WHERE"
	    " import_id = 2"), "unknown behaviour 'refund'@6");
	CHECK_STR(q(st, "SELECT ts || ':' || behavior FROM events e JOIN users"
	    " u ON u.id = e.user_id WHERE u.ext_id = '257597'"), "1433221332:1");
	CHECK_STR(q(st, "SELECT behavior FROM events e JOIN users u"
	    " ON u.id = e.user_id WHERE u.ext_id = '483717'"), "4");

	/* No header and no map: a clear file-level error. */
	o.force = 1;
	o.col_user = o.col_item = o.col_type = o.col_time = 0;
	CHECK(ingest_events(st, tu_srcdata("generic-map.txt"), &o, &r,
	    &err) < 0);
	CHECK_CONTAINS(err.msg, "no header naming the columns");
	store_close(st);
}

static void
test_items_formats(void)
{
	store *st = fresh_store("items.rfs");
	ingest_result r;
	rf_error err;

	if (ingest_items(st, tu_srcdata("movies.csv"), NULL, &r, &err) < 0) {
		CHECK_FAIL("movies.csv: %s", err.msg);
		return;
	}
	CHECK_EQ(r.format, FMT_ITEMS_CSV);
	CHECK_EQ(r.accepted, 4);
	CHECK_EQ(r.rejected, 1);
	CHECK_STR(q(st, "SELECT title FROM items WHERE ext_id = '11'"),
	    "American President, The (1995)");
	CHECK_STR(q(st, "SELECT title FROM items WHERE ext_id = '28'"),
	    "Persuasion \"Jane\" (1995)");
	CHECK_STR(q(st, "SELECT category || '/' || genres FROM items"
	    " WHERE ext_id = '11'"), "Comedy/Comedy|Drama|Romance");
	CHECK_STR(q(st, "SELECT genres FROM items WHERE ext_id = '102'"),
	    "(null)");
	CHECK_STR(q(st, "SELECT reason || '@' || line FROM rejects"),
	    "unbalanced quotes@5");

	/* Generic item file: known item updated, unknown one created. */
	if (ingest_items(st, tu_srcdata("items.tsv"), NULL, &r, &err) < 0) {
		CHECK_FAIL("items.tsv: %s", err.msg);
		return;
	}
	CHECK_EQ(r.format, FMT_ITEMS_GENERIC);
	CHECK_EQ(r.accepted, 2);
	CHECK_EQ(r.new_items, 2);
	CHECK_STR(q(st, "SELECT title || '/' || category FROM items"
	    " WHERE ext_id = 'i9'"), "New item/toys");
	/* Items first, events later: the event finds the item. */
	{
		const char *log = tu_join(tmp, "after-items.csv");
		const char *text = "user,item,ts\nu1,i9,1511604000\n";

		CHECK(tu_write_file(log, text, strlen(text)) == 0);
		if (import(st, log, NULL, &r) == 0) {
			CHECK_EQ(r.new_items, 0);
			CHECK_EQ(r.accepted, 1);
		}
	}
	/* An events format is refused for items and vice versa. */
	{
		ingest_opts o;

		ingest_opts_default(&o);
		o.format = FMT_TAOBAO;
		CHECK(ingest_items(st, tu_srcdata("items.tsv"), &o, &r,
		    &err) < 0);
		CHECK_CONTAINS(err.msg, "is for events");
	}
	store_close(st);
}

static void
test_sniffing(void)
{
	static const struct {
		const char *text;
		ingest_format want;
	} cases[] = {
		{ "196\t242\t3\t881250949\n", FMT_MOVIELENS },
		{ "userId,movieId,rating,timestamp\n1,31,2.5,1260759144\n",
		    FMT_ML_CSV },
		{ "\n\n1,2268318,2520377,pv,1511544070\n", FMT_TAOBAO },
		{ "user\titem\tbehavior\tts\nu\ti\tbuy\t1511544070\n",
		    FMT_GENERIC },
	};
	store *st = fresh_store("sniff.rfs");
	ingest_result r;
	size_t i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char name[32];
		const char *path;

		snprintf(name, sizeof name, "sniff%zu.txt", i);
		path = tu_join(tmp, name);
		CHECK(tu_write_file(path, cases[i].text,
		    strlen(cases[i].text)) == 0);
		if (import(st, path, NULL, &r) == 0) {
			if (r.format != cases[i].want)
				CHECK_FAIL("sniff case %zu: %s, expected %s", i,
				    ingest_format_name(r.format),
				    ingest_format_name(cases[i].want));
			CHECK_EQ(r.accepted, 1);
		}
	}
	CHECK_EQ(ingest_format_parse("taobao"), FMT_TAOBAO);
	CHECK_EQ(ingest_format_parse("u.item"), FMT_ITEMS_UITEM);
	CHECK_EQ(ingest_format_parse("nope"), -1);
	store_close(st);
}

static volatile int cancel_flag;

static void
cancel_on_progress(void *ud, int64_t done, int64_t total, int64_t rows)
{
	(void)ud;
	(void)total;
	(void)rows;
	if (done > 0)
		cancel_flag = 1;
}

static void
test_cancel(void)
{
	store *st = fresh_store("cancel.rfs");
	ingest_result r;
	ingest_opts o;
	rf_error err;

	if (import(st, tu_srcdata("malformed.tsv"), NULL, &r) < 0)
		return;
	ingest_opts_default(&o);
	o.progress = cancel_on_progress;
	o.cancel = &cancel_flag;
	cancel_flag = 0;
	CHECK(ingest_events(st, tu_join(data, "ml-100k/u.data"), &o, &r,
	    &err) < 0);
	CHECK_CONTAINS(err.msg, "import cancelled");
	CHECK_EQ(r.import_id, 0);
	CHECK_EQ(store_count(st, "imports"), 1);
	CHECK_EQ(store_count(st, "events"), 3);
	CHECK_EQ(store_count(st, "users"), 3);
	CHECK_EQ(store_count(st, "rejects"), 6);
	/* The store is usable afterwards. */
	o.cancel = NULL;
	o.progress = NULL;
	if (import(st, tu_join(data, "ml-100k/u.data"), &o, &r) == 0)
		CHECK_EQ(r.accepted, 100000);
	store_close(st);
}

/* Duplicates far apart in a file not grouped by user, and in one that is. */
static void
test_duplicates(void)
{
	const char *grouped = tu_join(tmp, "grouped.csv");
	const char *scattered = tu_join(tmp, "scattered.csv");
	const char *g =
	    "1,10,5,pv,1511544070\n1,11,5,pv,1511544071\n1,10,5,pv,1511544070\n"
	    "2,10,5,pv,1511544070\n2,10,5,buy,1511544070\n"
	    "3,12,5,pv,1511544072\n";
	const char *s =
	    "1,10,5,pv,1511544070\n2,10,5,pv,1511544070\n3,12,5,pv,1511544072\n"
	    "1,11,5,pv,1511544071\n2,10,5,pv,1511544070\n1,10,5,pv,1511544070\n"
	    "3,12,5,fav,1511544072\n3,12,5,pv,1511544072\n";
	store *st = fresh_store("dup.rfs");
	ingest_result r;

	CHECK(tu_write_file(grouped, g, strlen(g)) == 0);
	CHECK(tu_write_file(scattered, s, strlen(s)) == 0);
	if (import(st, grouped, NULL, &r) == 0) {
		CHECK_EQ(r.accepted, 5);
		CHECK_EQ(r.duplicates, 1);
	}
	if (import(st, scattered, NULL, &r) == 0) {
		CHECK_EQ(r.accepted, 5);
		CHECK_EQ(r.duplicates, 3);
	}
	store_close(st);
}

/*
 * Re-imports are found by the quick hash (size, first and last MiB) and
 * confirmed by the full content hash: two files of the same size that
 * differ only in the middle share the quick hash and both import; each is
 * refused the second time.
 */
static void
test_reimport_hash(void)
{
	const char *a = tu_join(tmp, "big-a.csv"), *b = tu_join(tmp, "big-b.csv");
	size_t cap = 3u << 20, len = 0, mid = 0;
	char *text = malloc(cap + 64);
	store *st = fresh_store("rehash.rfs");
	ingest_result r;
	rf_error err;
	char hash_a[33] = "";
	int i;

	if (text == NULL) {
		CHECK_FAIL("out of memory");
		store_close(st);
		return;
	}
	for (i = 0; len < cap; i++) {
		if (mid == 0 && len > cap / 2)
			mid = len;
		len += (size_t)snprintf(text + len, 64, "%d,%d,7,%s,%d\n",
		    1000 + i / 50, 100000 + i % 997, i % 7 ? "pv" : "buy",
		    1511544000 + i);
	}
	CHECK(tu_write_file(a, text, len) == 0);
	text[mid] = text[mid] == '9' ? '8' : '9';	/* a user id digit */
	CHECK(tu_write_file(b, text, len) == 0);
	free(text);
	if (import(st, a, NULL, &r) == 0) {
		CHECK_EQ(r.rejected, 0);
		memcpy(hash_a, r.hash, sizeof hash_a);
		CHECK_STR(q(st, "SELECT hash FROM imports WHERE id = 1"), hash_a);
	}
	if (import(st, b, NULL, &r) == 0) {
		CHECK_EQ(r.import_id, 2);
		CHECK(strcmp(r.hash, hash_a) != 0);
	}
	CHECK_EQ(qi(st, "SELECT count(DISTINCT quick_hash) FROM imports"), 1);
	CHECK_EQ(qi(st, "SELECT count(DISTINCT hash) FROM imports"), 2);
	CHECK(ingest_events(st, a, NULL, &r, &err) < 0);
	CHECK_CONTAINS(err.msg, "already imported as import #1");
	CHECK(ingest_events(st, b, NULL, &r, &err) < 0);
	CHECK_CONTAINS(err.msg, "already imported as import #2");
	CHECK_EQ(store_count(st, "imports"), 2);
	CHECK_EQ(qi(st, "SELECT (SELECT count(*) FROM events) ="
	    " (SELECT sum(rows_accepted) FROM imports)"), 1);
	CHECK_EQ(qi(st, "SELECT sum(beh_pv + beh_buy) - sum(rows_accepted)"
	    " FROM imports"), 0);
	store_close(st);
}

/* Over-long lines are rejected and skipped up to their newline. */
static void
test_long_line(void)
{
	const char *path = tu_join(tmp, "long.csv");
	size_t n = 70000, len;
	char *text = malloc(n + 200);
	store *st = fresh_store("long.rfs");
	ingest_result r;

	if (text == NULL) {
		CHECK_FAIL("out of memory");
		store_close(st);
		return;
	}
	strcpy(text, "1,10,5,pv,1511544070\n");
	len = strlen(text);
	memset(text + len, '7', n);
	len += n;
	strcpy(text + len, "\n2,10,5,pv,1511544070\n");
	len += strlen(text + len);
	CHECK(tu_write_file(path, text, len) == 0);
	free(text);
	if (import(st, path, NULL, &r) == 0) {
		CHECK_EQ(r.accepted, 2);
		CHECK_EQ(r.rejected, 1);
	}
	CHECK_STR(q(st, "SELECT line || ':' || reason || ':' || length(raw)"
	    " FROM rejects"), "2:line too long (more than 65536 bytes):256");
	store_close(st);
}

static void
test_file_errors(void)
{
	store *st = fresh_store("errs.rfs");
	const char *missing = tu_join(tmp, "no-such-file.csv");
	ingest_result r;
	rf_error err;
	char want[600];

	CHECK(ingest_events(st, missing, NULL, &r, &err) < 0);
	snprintf(want, sizeof want, "%s: cannot open: No such file or directory",
	    missing);
	CHECK_STR(err.msg, want);
	CHECK(ingest_events(st, tmp, NULL, &r, &err) < 0);
	CHECK_CONTAINS(err.msg, "not a regular file");
	CHECK_EQ(store_count(st, "imports"), 0);
	store_close(st);
}

/* Key i of test_idmap: its digits, then 'x' up to i % 41 bytes, one
 * of them a NUL when i % 7 == 0; zeros after it.  Its length. */
static size_t
idmap_test_key(char *key, int i)
{
	int d = snprintf(key, 64, "%d", i);
	size_t len = (size_t)(i % 41) > (size_t)d ? (size_t)(i % 41) :
	    (size_t)d;

	memset(key + d, 0, 64 - (size_t)d);
	memset(key + d, 'x', len - (size_t)d);
	if (i % 7 == 0 && len > (size_t)d + 1)
		key[d] = '\0';		/* a NUL inside */
	return len;
}

/* The id dictionaries: ids of every length from 0 to 40 bytes (kept in
 * the slot up to ID_INLINE, in the arena past it), prefixes of one
 * another, with NUL bytes inside and ids equal but for their length;
 * enough of them for many growths; each found again with its id and
 * flags, its text given back, and an absent one not found. */
static void
test_idmap(void)
{
	idmap m = { 0 };
	char key[64];
	int n = 0, found = 0;

	for (int i = 0; i < 20000; i++) {
		size_t len = idmap_test_key(key, i);

		CHECK(idmap_add(&m, key, len, idmap_hash(key, len),
		    (int64_t)i + 1) != NULL);
		if (i % 3 == 0)
			idslot_set_flag(idmap_find(&m, key, len,
			    idmap_hash(key, len)), IDF_HAS_CATEGORY);
		n++;
	}
	CHECK_EQ((int64_t)m.count, n);
	for (int i = 0; i < 20000; i++) {
		size_t len = idmap_test_key(key, i), klen;
		const char *k;
		idslot *s;

		s = idmap_find(&m, key, len, idmap_hash(key, len));
		CHECK_MSG(s != NULL, "id %d (%zu bytes) not found", i, len);
		if (s == NULL)
			continue;
		CHECK_EQ((int64_t)s->id, (int64_t)i + 1);
		CHECK_EQ(!!(idslot_flags(s) & IDF_HAS_CATEGORY), i % 3 == 0);
		k = idslot_key(s, &klen);
		CHECK_EQ((int64_t)klen, (int64_t)len);
		CHECK(memcmp(k, key, len) == 0);
		/* one byte longer (a zero): another id */
		if (len < 40)
			CHECK(idmap_find(&m, key, len + 1,
			    idmap_hash(key, len + 1)) == NULL ||
			    idmap_find(&m, key, len + 1,
			    idmap_hash(key, len + 1))->id != s->id);
		found++;
	}
	CHECK_EQ(found, n);
	CHECK(idmap_find(&m, "absent-id", 9, idmap_hash("absent-id", 9)) ==
	    NULL);
	/* an id a slot cannot hold is refused, not cut */
	CHECK(idmap_add(&m, "x", 1, idmap_hash("x", 1),
	    (int64_t)ID_MAX + 1) == NULL);
	CHECK(idmap_find(&m, "x", 1, idmap_hash("x", 1)) == NULL);
	idmap_free(&m);
}

int
main(void)
{
	tmp = tu_tempdir();
	test_idmap();
	/* The inputs in the source tree first: they need no data folder. */
	test_malformed_csv();
	test_malformed_ratings();
	test_generic_map();
	test_items_formats();
	test_sniffing();
	test_duplicates();
	test_reimport_hash();
	test_long_line();
	test_file_errors();
	/* The public datasets: all three, or skip (fail under CI). */
	data = check_data_dir("ml-100k/u.data");
	check_data_dir("taobao-userbehavior/UserBehavior.csv");
	check_data_dir("lastfm-hetrec2011-2k/user_artists.dat");
	test_movielens();
	test_taobao();
	test_lastfm();
	test_cancel();
	return check_done();
}
