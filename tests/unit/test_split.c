/* test_split: temporal / last / random splits on ml-100k (through
 * tests/mldata.h), the small-user rule, validation carved from train,
 * determinism under a seed, spec parsing and the store round trip. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/data/split.h"
#include "tests/lib/check.h"
#include "tests/lib/mldata.h"

/* (ts, item) of entry k: the order the time rules use. */
static int
before(const interactions *m, int64_t a, int64_t b)
{
	return m->ts[a] < m->ts[b] || (m->ts[a] == m->ts[b] &&
	    m->idx[a] < m->idx[b]);
}

static int64_t
expect_round(double f, int64_t n)
{
	return (int64_t)floor(f * (double)n + 0.5);
}

/* Per user: counts per part as the rule says, and every entry of a later
 * part comes after every entry of an earlier part in (ts, item) order. */
static void
check_temporal(const interactions *m, const split *s, double frac,
    double vfrac)
{
	int64_t bad_order = 0;

	CHECK(m->n_users > 0);
	for (int u = 0; u < m->n_users; u++) {
		int64_t lo = m->ptr[u], n = m->ptr[u + 1] - lo, c[3] = { 0 };
		int64_t t = n < SPLIT_MIN_USER ? 0 : expect_round(frac, n), v;

		if (t > n - 1)
			t = n - 1;
		v = vfrac > 0 && n - t >= SPLIT_MIN_USER ?
		    expect_round(vfrac, n - t) : 0;
		for (int64_t a = lo; a < lo + n; a++) {
			c[s->assign[a]]++;
			for (int64_t b = lo; b < lo + n; b++) {
				/* train < valid < test in time */
				if (s->assign[a] < s->assign[b] &&
				    !before(m, a, b))
					bad_order++;
			}
		}
		check_context("user %d of %lld entries", u, (long long)n);
		CHECK_EQ(c[SPLIT_TEST], t);
		CHECK_EQ(c[SPLIT_VALID], v);
	}
	check_context_clear();
	CHECK_EQ(bad_order, 0);
}

static void
test_small_users(void)
{
	/* u0 has 4 entries (kept whole), u1 has 5 (one held out at 0.2). */
	interactions m;
	split s;
	split_spec spec = { .kind = SPLIT_TEMPORAL, .frac = 0.2 };
	rf_error err;

	if (interactions_alloc(&m, 2, 5, 9) < 0) {
		CHECK_FAIL("out of memory");
		return;
	}
	m.ptr[1] = 4;
	m.ptr[2] = 9;
	for (int k = 0; k < 9; k++) {
		m.idx[k] = k < 4 ? k : k - 4;
		m.val[k] = 1;
		m.ts[k] = 100 - k;	/* later items are older */
	}
	if (split_make(&m, &spec, &s, &err) < 0) {
		CHECK_FAIL("split: %s", err.msg);
	} else {
		CHECK_EQ(s.n_test, 1);
		CHECK_EQ(s.n_train, 8);
		/* u1's latest entry is its first (ts 96, item 0 at k = 4). */
		CHECK_EQ(s.assign[4], SPLIT_TEST);
		split_free(&s);
	}
	spec.kind = SPLIT_LAST;
	spec.last_n = 10;	/* never the whole user: at most n - 1 */
	if (split_make(&m, &spec, &s, &err) < 0) {
		CHECK_FAIL("split: %s", err.msg);
	} else {
		CHECK_EQ(s.n_test, 4);
		CHECK_EQ(s.n_train, 5);
		split_free(&s);
	}
	interactions_free(&m);
}

static void
test_parse(void)
{
	split_spec sp;
	rf_error err;
	char text[128];

	CHECK_EQ(split_parse("temporal 0.2 --valid 0.1", &sp, &err), 0);
	CHECK_EQ(sp.kind, SPLIT_TEMPORAL);
	CHECK_NEAR(sp.frac, 0.2, 0);
	CHECK_NEAR(sp.valid_frac, 0.1, 0);
	split_spec_text(&sp, text, sizeof text);
	CHECK_STR(text, "temporal 0.2 --valid 0.1");
	CHECK_EQ(split_parse("random 0.25 --seed 7", &sp, &err), 0);
	CHECK_EQ(sp.kind, SPLIT_RANDOM);
	CHECK_EQ(sp.seed, 7);
	CHECK_EQ(split_parse("last 3", &sp, &err), 0);
	CHECK_EQ(sp.kind, SPLIT_LAST);
	CHECK_EQ(sp.last_n, 3);
	CHECK_EQ(split_parse("none", &sp, &err), 0);
	CHECK_EQ(sp.kind, SPLIT_NONE);
	CHECK(split_parse("temporal 1.5", &sp, &err) < 0);
	CHECK(split_parse("sideways", &sp, &err) < 0);
	CHECK_CONTAINS(err.msg, "temporal|last|random|none");
	/* none keeps its validation part; the mode round-trips */
	CHECK_EQ(split_parse("none --valid 0.25", &sp, &err), 0);
	CHECK_NEAR(sp.valid_frac, 0.25, 0);
	split_spec_text(&sp, text, sizeof text);
	CHECK_STR(text, "none --valid 0.25");
	CHECK_EQ(split_parse("pairs u1.test --valid 0.1 --valid-mode random",
	    &sp, &err), 0);
	CHECK_EQ(sp.valid_mode, VALID_RANDOM);
	split_spec_text(&sp, text, sizeof text);
	CHECK_STR(text, "pairs u1.test --valid 0.1 --valid-mode random "
	    "--seed 0");
	CHECK(split_parse("temporal 0.2 --valid-mode random", &sp, &err) < 0);
	CHECK_CONTAINS(err.msg, "--valid-mode needs --valid");
	CHECK(split_parse("temporal 0.2 --valid 0.1 --valid-mode soon", &sp,
	    &err) < 0);
}

/* The validation part of a given split (pairs) and of none is each user's
 * latest train entries, as a temporal test would be; random on request.
 * One user, 10 entries, ts = 10 * k (k = 0..9); pairs marks entries 2 and
 * 9 as test. */
static void
test_valid_carve(void)
{
	interactions m;
	uint8_t mark[10] = { 0, 0, 1, 0, 0, 0, 0, 0, 0, 1 };
	split_spec spec = { .kind = SPLIT_PAIRS, .valid_frac = 0.25,
		.mark = mark };
	split s;
	rf_error err;

	if (interactions_alloc(&m, 1, 10, 10) < 0) {
		CHECK_FAIL("out of memory");
		return;
	}
	m.ptr[1] = 10;
	for (int k = 0; k < 10; k++) {
		m.idx[k] = k;
		m.val[k] = 1;
		m.ts[k] = 10 * k;
	}
	/* train 8 entries: round(0.25 * 8) = 2 latest, entries 7 and 8 */
	if (split_make(&m, &spec, &s, &err) < 0) {
		CHECK_FAIL("pairs: %s", err.msg);
	} else {
		CHECK_EQ(s.n_test, 2);
		CHECK_EQ(s.n_valid, 2);
		CHECK_EQ(s.assign[7], SPLIT_VALID);
		CHECK_EQ(s.assign[8], SPLIT_VALID);
		CHECK_EQ(s.assign[9], SPLIT_TEST);
		split_free(&s);
	}
	/* random carve: still 2, now seeded draws (never the test ones) */
	spec.valid_mode = VALID_RANDOM;
	spec.seed = 3;
	if (split_make(&m, &spec, &s, &err) < 0) {
		CHECK_FAIL("pairs random: %s", err.msg);
	} else {
		CHECK_EQ(s.n_valid, 2);
		CHECK_EQ(s.assign[2], SPLIT_TEST);
		CHECK_EQ(s.assign[9], SPLIT_TEST);
		split_free(&s);
	}
	/* none --valid 0.3: round(0.3 * 10) = 3 latest, no test */
	memset(&spec, 0, sizeof spec);
	spec.kind = SPLIT_NONE;
	spec.valid_frac = 0.3;
	if (split_make(&m, &spec, &s, &err) < 0) {
		CHECK_FAIL("none: %s", err.msg);
	} else {
		CHECK_EQ(s.n_test, 0);
		CHECK_EQ(s.n_valid, 3);
		for (int k = 7; k < 10; k++)
			CHECK_EQ(s.assign[k], SPLIT_VALID);
		split_free(&s);
	}
	interactions_free(&m);
}

/* A part kept thin (items alone) gives what a full extraction gives:
 * its rows, and each row's times read from the data
 * (dataset_row_times()). */
static void
check_thin_parts(const interactions *m, const split *s,
    const interactions *tr, const interactions *te)
{
	interactions it, bad;
	dataset d;
	rf_error err;
	int64_t *ts = malloc((size_t)m->nnz * sizeof *ts), differ = 0;
	uint8_t *beh = malloc((size_t)m->nnz);
	int given = 0;

	memset(&d, 0, sizeof d);
	d.all = *m;
	d.n_users = m->n_users;
	d.n_items = m->n_items;
	if (ts == NULL || beh == NULL ||
	    split_extract(m, s->assign, SPLIT_MASK_TRAIN, SPLIT_X_ITEMS_ONLY,
	    &it, &err) < 0) {
		CHECK_FAIL("extract: %s", err.msg);
		free(ts);
		free(beh);
		return;
	}
	CHECK(it.val == NULL && it.ts == NULL && it.beh == NULL &&
	    it.tptr == NULL);
	CHECK_EQ(it.nnz, tr->nnz);
	CHECK(memcmp(it.ptr, tr->ptr, ((size_t)m->n_users + 1) *
	    sizeof *it.ptr) == 0);
	CHECK(memcmp(it.idx, tr->idx, (size_t)tr->nnz * sizeof *it.idx) == 0);
	/* an items-only part has nothing to transpose */
	CHECK(interactions_build_transpose(&it) < 0 && it.tptr == NULL);
	CHECK(split_extract(m, s->assign, SPLIT_MASK_TRAIN,
	    SPLIT_X_ITEMS_ONLY | SPLIT_X_TIMES, &bad, &err) < 0);

	/* each row's times from the data, for the thin part */
	for (int u = 0; u < m->n_users; u++) {
		int64_t lo = tr->ptr[u], n = tr->ptr[u + 1] - lo;

		given += dataset_row_times(&d, &it, u, ts, beh);
		for (int64_t k = 0; k < n; k++)
			differ += ts[k] != tr->ts[lo + k] ||
			    beh[k] != tr->beh[lo + k];
	}
	CHECK_EQ(given, m->n_users);
	CHECK_EQ(differ, 0);
	/* a row that is not the data's (an item the user never had) */
	if (it.ptr[1] > it.ptr[0]) {
		int32_t keep = it.idx[it.ptr[1] - 1];

		it.idx[it.ptr[1] - 1] = m->n_items;	/* past every item */
		CHECK_EQ(dataset_row_times(&d, &it, 0, ts, beh), 0);
		it.idx[it.ptr[1] - 1] = keep;
	}

	/* the part's own times come first */
	CHECK_EQ(dataset_row_times(NULL, tr, 0, ts, beh), 1);
	CHECK(tr->ptr[1] == tr->ptr[0] || (ts[0] == tr->ts[tr->ptr[0]] &&
	    beh[0] == tr->beh[tr->ptr[0]]));
	/* a part without times, and no data to read them from */
	CHECK_EQ(dataset_row_times(NULL, &it, 0, ts, beh), 0);
	CHECK_EQ(dataset_row_times(NULL, te, 0, ts, beh), 0);
	printf("thin parts: %lld train entries as items alone, times "
	    "from the data\n", (long long)it.nnz);
	interactions_free(&it);
	free(ts);
	free(beh);
}

int
main(void)
{
	char file[4200], path[512];
	interactions m, tr, te;
	split s, s2, s3;
	split_spec spec = { .kind = SPLIT_TEMPORAL, .frac = 0.2 };
	rf_error err;
	store *st;
	int made;

	test_small_users();
	test_parse();
	test_valid_carve();
	snprintf(file, sizeof file, "%s/ml-100k/u.data",
	    check_data_dir("ml-100k/u.data"));
	if (ml_load(file, 943, 1682, 0, &m) < 0) {
		CHECK_FAIL("cannot read %s", file);
		return check_done();
	}

	/* Protocol B's split: the last 20% of each user by time. */
	if (split_make(&m, &spec, &s, &err) < 0) {
		CHECK_FAIL("split: %s", err.msg);
		return check_done();
	}
	printf("temporal 0.2 on ml-100k: train %lld, test %lld\n",
	    (long long)s.n_train, (long long)s.n_test);
	check_temporal(&m, &s, 0.2, 0);
	CHECK_EQ(s.n_train + s.n_test, 100000);
	CHECK_EQ(s.n_valid, 0);
	if (split_extract(&m, s.assign, SPLIT_MASK_TRAIN,
	    SPLIT_X_TRANSPOSE | SPLIT_X_TIMES, &tr, &err) < 0 ||
	    split_extract(&m, s.assign, SPLIT_MASK_TEST, 0, &te, &err) < 0) {
		CHECK_FAIL("extract: %s", err.msg);
	} else {
		CHECK_EQ(tr.nnz, s.n_train);
		CHECK_EQ(te.nnz, s.n_test);
		CHECK_EQ(tr.n_users, 943);
		CHECK_EQ(tr.n_items, 1682);
		CHECK(tr.tptr != NULL && tr.tptr[1682] == tr.nnz);
		/* what was asked for and no more: train has its times, the
		 * test (a target only) neither times nor a transpose */
		CHECK(tr.ts != NULL && tr.beh != NULL);
		CHECK(te.ts == NULL && te.beh == NULL && te.tptr == NULL);
		{
			int64_t differ = 0;

			for (int u = 0; u < 943; u++)
				for (int64_t k = m.ptr[u], p = tr.ptr[u];
				    k < m.ptr[u + 1]; k++)
					if (s.assign[k] == SPLIT_TRAIN &&
					    (tr.ts[p] != m.ts[k] ||
					    tr.idx[p++] != m.idx[k]))
						differ++;
			CHECK_EQ(differ, 0);
		}
		check_thin_parts(&m, &s, &tr, &te);
		interactions_free(&tr);
		interactions_free(&te);
	}

	/* Store round trip. */
	snprintf(path, sizeof path, "%s/test_split_%ld.db",
	    getenv("TMPDIR") && *getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp",
	    (long)getpid());
	unlink(path);
	if ((st = store_open(path, STORE_CREATE, &err)) == NULL) {
		CHECK_FAIL("store_open: %s", err.msg);
	} else {
		CHECK_MSG(split_save(st, &s, &err) == 0, "save: %s", err.msg);
		CHECK(s.id > 0);
		CHECK_EQ(split_latest(st, m.nnz), s.id);
		CHECK_EQ(split_latest(st, 5), 0);
		if (split_load(st, s.id, m.nnz, &s2, &err) < 0) {
			CHECK_FAIL("load: %s", err.msg);
		} else {
			CHECK(memcmp(s2.assign, s.assign, (size_t)m.nnz) == 0);
			CHECK_EQ(s2.n_test, s.n_test);
			CHECK_STR(s2.text, s.text);
			split_free(&s2);
		}
		CHECK(split_load(st, s.id, 99, &s2, &err) < 0);
		store_close(st);
		unlink(path);
	}
	split_free(&s);

	/* Validation carved from the train part, before the test part. */
	spec.valid_frac = 0.1;
	if (split_make(&m, &spec, &s, &err) < 0) {
		CHECK_FAIL("split: %s", err.msg);
	} else {
		printf("temporal 0.2 --valid 0.1: train %lld, valid %lld, "
		    "test %lld\n", (long long)s.n_train, (long long)s.n_valid,
		    (long long)s.n_test);
		check_temporal(&m, &s, 0.2, 0.1);
		if (split_extract(&m, s.assign, SPLIT_MASK_TRAIN |
		    SPLIT_MASK_VALID, SPLIT_X_TRANSPOSE | SPLIT_X_TIMES, &tr,
		    &err) < 0) {
			CHECK_FAIL("extract: %s", err.msg);
		} else {
			CHECK_EQ(tr.nnz, s.n_train + s.n_valid);
			interactions_free(&tr);
		}
		split_free(&s);
	}

	/* last 5 */
	spec.kind = SPLIT_LAST;
	spec.last_n = 5;
	spec.valid_frac = 0;
	if (split_make(&m, &spec, &s, &err) < 0) {
		CHECK_FAIL("split: %s", err.msg);
	} else {
		CHECK_EQ(s.n_test, 943 * 5);
		split_free(&s);
	}

	/* random: same seed, same split; another seed, another split. */
	spec.kind = SPLIT_RANDOM;
	spec.frac = 0.2;
	spec.valid_frac = 0.1;
	spec.seed = 42;
	made = split_make(&m, &spec, &s, &err) == 0 &&
	    split_make(&m, &spec, &s2, &err) == 0;
	spec.seed = 43;
	made = made && split_make(&m, &spec, &s3, &err) == 0;
	if (!made) {
		CHECK_FAIL("random split: %s", err.msg);
		interactions_free(&m);
		return check_done();
	}
	CHECK(memcmp(s.assign, s2.assign, (size_t)m.nnz) == 0);
	CHECK(memcmp(s.assign, s3.assign, (size_t)m.nnz) != 0);
	for (int u = 0; u < m.n_users; u++) {
		int64_t n = m.ptr[u + 1] - m.ptr[u], c[3] = { 0 };
		int64_t t = expect_round(0.2, n);

		for (int64_t k = m.ptr[u]; k < m.ptr[u + 1]; k++)
			c[s.assign[k]]++;
		check_context("random split, user %d of %lld entries", u,
		    (long long)n);
		CHECK_EQ(c[SPLIT_TEST], t);
		CHECK_EQ(c[SPLIT_VALID], expect_round(0.1, n - t));
	}
	check_context_clear();
	split_free(&s);
	split_free(&s2);
	split_free(&s3);
	interactions_free(&m);
	return check_done();
}
