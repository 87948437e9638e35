/* test_import_order: the row order of a log does not change what an import
 * stores.  The same rows (with exact duplicates and near misses) grouped
 * by user, ordered by time, shuffled, and shuffled behind long rejected
 * lines (so that the duplicate index, sized from the first block, has to
 * be built again bigger half way) give the same events, users, items and
 * counts; and the compact duplicate index keeps two keys whose hashes
 * collide. */
#include "tests/lib/testutil.h"

#include "engine/core/rng.h"
#include "engine/ingest/dedup.h"
#include "engine/ingest/ingest.h"
#include "engine/store/query.h"
#include "engine/store/store.h"

/* More events than the smallest duplicate index holds (3/4 of 2^16), so
 * the file behind long lines makes it grow. */
#define BASE_ROWS	56000
#define EXACT_DUPS	5000	/* copies of rows; some copy a row twice */
#define NEAR_DUPS	3000
#define LONG_LINES	20

typedef struct row {
	int user, item, behavior;
	long long ts;
} row;

static const char *tmp;
static const char *const behaviors[] = { "pv", "fav", "cart", "buy" };

static int
cmp_user(const void *a, const void *b)
{
	const row *x = a, *y = b;

	return (x->user > y->user) - (x->user < y->user);
}

static int
cmp_ts(const void *a, const void *b)
{
	const row *x = a, *y = b;

	return (x->ts > y->ts) - (x->ts < y->ts);
}

static int
cmp_key(const void *a, const void *b)
{
	const row *x = a, *y = b;

	if (x->user != y->user)
		return (x->user > y->user) - (x->user < y->user);
	if (x->item != y->item)
		return (x->item > y->item) - (x->item < y->item);
	if (x->behavior != y->behavior)
		return x->behavior - y->behavior;
	return (x->ts > y->ts) - (x->ts < y->ts);
}

/* The rows: a base log, exact copies of some rows, and rows that differ
 * from one in a single field (which must all stay). */
static row *
make_rows(int *n)
{
	int total = BASE_ROWS + EXACT_DUPS + NEAR_DUPS, k = 0;
	row *r = malloc((size_t)total * sizeof *r);
	rf_rng rng;

	if (r == NULL)
		exit(1);
	rf_rng_seed(&rng, 12);
	for (; k < BASE_ROWS; k++) {
		r[k].user = 1 + (int)rf_rng_below(&rng, 3000);
		r[k].item = 1 + (int)rf_rng_below(&rng, 20000);
		r[k].behavior = (int)rf_rng_below(&rng, 4);
		r[k].ts = 1511539200 + (long long)rf_rng_below(&rng, 777600);
	}
	for (int d = 0; d < EXACT_DUPS; d++, k++)
		r[k] = r[rf_rng_below(&rng, BASE_ROWS)];
	for (int d = 0; d < NEAR_DUPS; d++, k++) {
		r[k] = r[rf_rng_below(&rng, BASE_ROWS)];
		if (d % 2)
			r[k].ts++;
		else
			r[k].behavior = (r[k].behavior + 1) % 4;
	}
	*n = total;
	return r;
}

/* Distinct keys, counted by sorting a copy (independent of the importer's
 * hashing). */
static int
distinct_rows(const row *r, int n)
{
	row *c = malloc((size_t)n * sizeof *c);
	int d = 0;

	if (c == NULL)
		exit(1);
	memcpy(c, r, (size_t)n * sizeof *c);
	qsort(c, (size_t)n, sizeof *c, cmp_key);
	for (int k = 0; k < n; k++)
		if (k == 0 || cmp_key(&c[k - 1], &c[k]) != 0)
			d++;
	free(c);
	return d;
}

static void
shuffle(row *r, int n, uint64_t seed)
{
	rf_rng rng;

	rf_rng_seed(&rng, seed);
	for (int k = n - 1; k > 0; k--) {
		int j = (int)rf_rng_below(&rng, (uint32_t)k + 1);
		row t = r[k];

		r[k] = r[j];
		r[j] = t;
	}
}

/* Write the rows as a Taobao log, behind `long_lines` lines too long to
 * import. */
static const char *
write_log(const char *name, const row *r, int n, int long_lines)
{
	const char *path = tu_join(tmp, name);
	FILE *f = fopen(path, "w");

	if (f == NULL) {
		CHECK_FAIL("cannot write %s", path);
		exit(check_done());
	}
	for (int k = 0; k < long_lines; k++) {
		for (int c = 0; c < INGEST_MAX_LINE + 4000; c++)
			fputc('7', f);
		fputc('\n', f);
	}
	for (int k = 0; k < n; k++)
		fprintf(f, "%d,%d,%d,%s,%lld\n", r[k].user, r[k].item,
		    r[k].item % 97, behaviors[r[k].behavior], r[k].ts);
	CHECK(fclose(f) == 0);
	return path;
}

static rf_table *
query(store *st, const char *sql)
{
	rf_error err;
	rf_table *t = store_query(st, sql, 0, &err);

	if (t == NULL)
		CHECK_FAIL("%s: %s", sql, err.msg);
	return t;
}

/* The two stores hold the same rows for sql (ordered: a canonical list). */
static void
same_rows(store *a, store *b, const char *sql)
{
	rf_table *x = query(a, sql), *y = query(b, sql);

	if (x != NULL && y != NULL) {
		CHECK_EQ(x->nrows, y->nrows);
		for (int r = 0; r < x->nrows && r < y->nrows; r++)
			for (int c = 0; c < x->ncols; c++) {
				const char *p = table_get(x, r, c);
				const char *q = table_get(y, r, c);

				CHECK_STR(p ? p : "(null)", q ? q : "(null)");
			}
	}
	table_free(x);
	table_free(y);
}

static store *
import_log(const char *name, const char *log, ingest_result *r)
{
	rf_error err;
	const char *path = tu_join(tmp, name);
	ingest_opts o;
	store *st;

	ingest_opts_default(&o);
	o.format = FMT_TAOBAO;	/* a long first line tells no delimiter */
	unlink(path);
	if ((st = store_open(path, STORE_CREATE, &err)) == NULL) {
		CHECK_FAIL("store_open %s: %s", path, err.msg);
		exit(check_done());
	}
	if (ingest_events(st, log, &o, r, &err) < 0)
		CHECK_FAIL("import %s: %s", log, err.msg);
	return st;
}

static void
test_orders(void)
{
	static const char *const events_sql = "SELECT u.ext_id, i.ext_id,"
	    " e.behavior, e.value, e.ts FROM events e JOIN users u ON"
	    " u.id = e.user_id JOIN items i ON i.id = e.item_id"
	    " ORDER BY 1, 2, 3, 4, 5";
	static const char *const items_sql = "SELECT ext_id, category FROM"
	    " items ORDER BY ext_id";
	static const char *const users_sql = "SELECT ext_id FROM users"
	    " ORDER BY ext_id";
	const char *names[4] = { "grouped", "by time", "shuffled",
	    "shuffled behind long lines" };
	int n, want;
	row *r = make_rows(&n);
	const char *logs[4];
	store *st[4];
	ingest_result res[4];

	want = distinct_rows(r, n);
	/* Rows of one user together (the generator's layout) ... */
	qsort(r, (size_t)n, sizeof *r, cmp_user);
	logs[0] = write_log("grouped.csv", r, n, 0);
	/* ... by time, as real exports are ... */
	qsort(r, (size_t)n, sizeof *r, cmp_ts);
	logs[1] = write_log("time.csv", r, n, 0);
	/* ... in no order at all. */
	shuffle(r, n, 5);
	logs[2] = write_log("shuffled.csv", r, n, 0);
	logs[3] = write_log("long.csv", r, n, LONG_LINES);
	free(r);
	for (int k = 0; k < 4; k++) {
		char db[32];

		snprintf(db, sizeof db, "order%d.rfs", k);
		check_context("%s", names[k]);
		st[k] = import_log(db, logs[k], &res[k]);
		CHECK_EQ(res[k].accepted, want);
		CHECK_EQ(res[k].duplicates, n - want);
		CHECK_EQ(res[k].rejected, k == 3 ? LONG_LINES : 0);
		CHECK_EQ(res[k].new_users, res[0].new_users);
		CHECK_EQ(res[k].new_items, res[0].new_items);
	}
	for (int k = 1; k < 4; k++) {
		check_context("%s against grouped", names[k]);
		same_rows(st[0], st[k], events_sql);
		same_rows(st[0], st[k], items_sql);
		same_rows(st[0], st[k], users_sql);
	}
	check_context_clear();
	for (int k = 0; k < 4; k++)
		store_close(st[k]);
}

/* The keys the fetch below knows, by ordinal. */
static const dedup_key keys[3] = {
	{ .user = 1, .item = 2, .ts = 3, .vbits = 4, .behavior = 1 },
	{ .user = 1, .item = 2, .ts = 3, .vbits = 4, .behavior = 2 },
	{ .user = 9, .item = 2, .ts = 3, .vbits = 4, .behavior = 1 },
};
static int fetches;

static int
fetch_key(void *ud, int64_t ordinal, dedup_key *k, rf_error *err)
{
	(void)ud;
	fetches++;
	if (ordinal < 0 || ordinal >= 3)
		return rf_fail(err, "no key %lld", (long long)ordinal);
	*k = keys[ordinal];
	return 0;
}

/* Keys filed under one hash (forced here; a 24-bit tag and the slot bits
 * make it rare in an import) are told apart by their stored events. */
static void
test_index_collisions(void)
{
	rf_error err;
	dedup_index x = { 0 };
	const uint64_t h = 0x123456789abcdef0ULL;
	const dedup_key other = { .user = 5, .item = 5, .ts = 5, .behavior = 1 };
	int64_t puts = 0;

	CHECK(dedup_index_init(&x, 10) == 0);
	CHECK_EQ(dedup_index_add(&x, h, &keys[0], 0, fetch_key, NULL, &err), 1);
	CHECK_EQ(fetches, 0);
	CHECK_EQ(dedup_index_add(&x, h, &keys[1], 1, fetch_key, NULL, &err), 1);
	CHECK_EQ(fetches, 1);
	CHECK_EQ(dedup_index_add(&x, h, &keys[2], 2, fetch_key, NULL, &err), 1);
	CHECK_EQ(fetches, 3);
	/* the same key again: a duplicate, confirmed by its event */
	CHECK_EQ(dedup_index_add(&x, h, &keys[1], 3, fetch_key, NULL, &err), 0);
	CHECK_EQ(x.count, 3);
	/* the same slot, another tag: no event is fetched */
	fetches = 0;
	CHECK_EQ(dedup_index_add(&x, h ^ (1ULL << 63), &other, 3, fetch_key,
	    NULL, &err), 1);
	CHECK_EQ(fetches, 0);
	/* it says when it is full instead of growing (it cannot rehash) */
	while (!dedup_index_full(&x) && puts < 1000000) {
		CHECK(dedup_index_put(&x, (uint64_t)puts * 0x9E3779B97F4A7C15ULL,
		    4 + puts) == 0);
		puts++;
	}
	CHECK(dedup_index_full(&x));
	CHECK_EQ((int64_t)x.count * 4 + 4 > (int64_t)x.cap * 3, 1);
	CHECK(dedup_index_put(&x, 77, 99) < 0);
	dedup_index_free(&x);
}

int
main(void)
{
	tmp = tu_tempdir();
	test_index_collisions();
	test_orders();
	return check_done();
}
