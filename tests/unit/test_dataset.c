/* test_dataset: the snapshot built from the store.  Pure parts (transpose)
 * on a hand-made matrix; folding of repeated (user, item) events and the
 * user features on a few rows written straight into a store; and ml-100k
 * imported with ingest_events(), compared entry by entry with the file
 * loaded by tests/mldata.h. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/data/dataset.h"
#include "engine/ingest/ingest.h"
#include "engine/store/store.h"
#include "tests/lib/check.h"
#include "tests/lib/mldata.h"

static void
tmp_store_path(char *buf, size_t n, const char *tag)
{
	const char *dir = getenv("TMPDIR");

	snprintf(buf, n, "%s/test_dataset_%s_%ld.db", dir && *dir ? dir :
	    "/tmp", tag, (long)getpid());
	unlink(buf);
}

/* Every CSR entry appears in the transpose with the same value. */
static int
transpose_consistent(const interactions *m)
{
	for (int u = 0; u < m->n_users; u++) {
		for (int64_t k = m->ptr[u]; k < m->ptr[u + 1]; k++) {
			int i = m->idx[k], found = 0;

			for (int64_t p = m->tptr[i]; p < m->tptr[i + 1]; p++)
				if (m->tidx[p] == u && m->tval[p] == m->val[k])
					found = 1;
			if (!found)
				return 0;
		}
	}
	for (int i = 0; i < m->n_items; i++)
		for (int64_t p = m->tptr[i] + 1; p < m->tptr[i + 1]; p++)
			if (m->tidx[p - 1] >= m->tidx[p])
				return 0;
	return m->tptr[m->n_items] == m->nnz;
}

static int
csr_sorted(const interactions *m)
{
	for (int u = 0; u < m->n_users; u++)
		for (int64_t k = m->ptr[u] + 1; k < m->ptr[u + 1]; k++)
			if (m->idx[k - 1] >= m->idx[k])
				return 0;
	return 1;
}

static void
test_transpose(void)
{
	/* 3 users x 4 items:
	 *   u0: i1=1 i3=2;  u1: (none);  u2: i0=3 i1=4 i3=5 */
	interactions m;
	static const int64_t ptr[] = { 0, 2, 2, 5 };
	static const int32_t idx[] = { 1, 3, 0, 1, 3 };
	static const float val[] = { 1, 2, 3, 4, 5 };

	if (interactions_alloc(&m, 3, 4, 5) < 0) {
		CHECK_FAIL("out of memory");
		return;
	}
	memcpy(m.ptr, ptr, sizeof ptr);
	memcpy(m.idx, idx, sizeof idx);
	memcpy(m.val, val, sizeof val);
	CHECK_EQ(interactions_build_transpose(&m), 0);
	/* item 0: u2(3); item 1: u0(1) u2(4); item 2: -; item 3: u0(2) u2(5) */
	CHECK_EQ(m.tptr[1], 1);
	CHECK_EQ(m.tptr[2], 3);
	CHECK_EQ(m.tptr[3], 3);
	CHECK_EQ(m.tptr[4], 5);
	CHECK_EQ(m.tidx[1], 0);
	CHECK_EQ(m.tidx[2], 2);
	CHECK_EQ(m.tval[2], 4);
	CHECK_EQ(m.tval[4], 5);
	CHECK(transpose_consistent(&m));
	interactions_free(&m);
}

static int
sql(store *st, const char *q)
{
	rf_error err;

	if (store_exec(st, q, &err) < 0) {
		CHECK_FAIL("sql: %s", err.msg);
		return -1;
	}
	return 0;
}

/* Repeated events fold into one entry per (user, item). */
static void
test_fold(void)
{
	char path[512];
	rf_error err;
	store *st;
	dataset *ds;

	tmp_store_path(path, sizeof path, "fold");
	if ((st = store_open(path, STORE_CREATE, &err)) == NULL) {
		CHECK_FAIL("store_open: %s", err.msg);
		return;
	}
	/* Implicit log: user a (id 1) views x twice, buys x, views y; user b
	 * (id 3: id 2 has no events and gets no index) carts y.  Item z (id
	 * 3) has no events. */
	sql(st, "INSERT INTO users(id, ext_id) VALUES (1,'a'),(2,'ghost'),"
	    "(3,'b');"
	    "INSERT INTO items(id, ext_id, title, category) VALUES"
	    " (1,'x','X','c1'),(2,'y',NULL,'c2'),(3,'z','Z','c1'),"
	    " (4,'w','W','c1');"
	    "INSERT INTO events VALUES (1,1,1,1,100,1),(1,1,1,1,300,1),"
	    " (1,1,4,4,200,1),(1,2,1,1,50,1),(3,2,3,3,400,1),(3,4,1,1,10,1);");
	ds = dataset_build(st, &err);
	CHECK_MSG(ds != NULL, "dataset_build: %s", err.msg);
	if (ds) {
		const interactions *m = &ds->all;

		CHECK_EQ(ds->n_users, 2);
		CHECK_EQ(ds->n_items, 3);
		CHECK_EQ(m->nnz, 4);
		CHECK(!ds->is_rating);
		/* u0 = a: x (1+1+4 = 6, last ts 300, pv|buy), y (1) */
		CHECK_EQ(m->ptr[1], 2);
		CHECK_EQ(m->idx[0], 0);
		CHECK_NEAR(m->val[0], 6, 0);
		CHECK_EQ(interactions_time(m, 0), 300);
		/* the times as offsets (a span of 32 bits) */
		CHECK(m->ts == NULL && m->ts32 != NULL);
		CHECK_EQ(m->beh[0], (1 << BEH_PV) | (1 << BEH_BUY));
		CHECK_EQ(m->idx[1], 1);
		CHECK_NEAR(m->val[1], 1, 0);
		/* u1 = b: y (3, cart), w (1) */
		CHECK_EQ(m->idx[2], 1);
		CHECK_NEAR(m->val[2], 3, 0);
		CHECK_EQ(m->idx[3], 2);
		CHECK_STR(ds->user_ext[1], "b");
		CHECK_STR(ds->item_ext[2], "w");
		CHECK_EQ(dataset_user_index(ds, "b"), 1);
		CHECK_EQ(dataset_user_index(ds, "ghost"), -1);
		CHECK_EQ(dataset_item_index(ds, "y"), 1);
		CHECK_EQ(dataset_item_index(ds, "z"), -1);
		CHECK_STR(ds->item_title[0], "X");
		CHECK(ds->item_title[1] == NULL);
		/* categories by first appearance: x c1 -> 0, y c2 -> 1, w c1 */
		CHECK_EQ(ds->n_categories, 2);
		CHECK_EQ(ds->item_category[0], 0);
		CHECK_EQ(ds->item_category[1], 1);
		CHECK_EQ(ds->item_category[2], 0);
		CHECK_STR(ds->category_name[1], "c2");
		CHECK(m->tptr == NULL);
		/* features of a: 4 events (3 pv, 1 buy), 1 of 2 items bought,
		 * last event 300 of [10, 400]: recency (400-300)/390 */
		{
			const float *f = ds->user_features;

			CHECK_NEAR(f[UF_LOG_EVENTS], logf(5), 1e-6);
			CHECK_NEAR(f[UF_LOG_VIEWS], logf(4), 1e-6);
			CHECK_NEAR(f[UF_LOG_BUYS], logf(2), 1e-6);
			CHECK_NEAR(f[UF_BUY_RATE], 0.5, 0);
			CHECK_NEAR(f[UF_RECENCY], 100.0f / 390, 1e-6);
			CHECK_NEAR(f[UF_MEAN_RATING], 0, 0);
		}
		dataset_free(ds);
	}
	/* Lean (no names until read): the same data and categories, lookups
	 * finding nothing; then the names read, as the whole build's. */
	ds = dataset_build_lean(st, &err);
	CHECK_MSG(ds != NULL, "dataset_build_lean: %s", err.msg);
	if (ds) {
		CHECK(!dataset_has_names(ds));
		CHECK(ds->user_ext == NULL && ds->item_ext == NULL &&
		    ds->item_title == NULL);
		CHECK_EQ(dataset_user_index(ds, "b"), -1);
		CHECK_EQ(ds->all.nnz, 4);
		CHECK_EQ(ds->n_categories, 2);
		CHECK_EQ(ds->item_category[2], 0);
		CHECK_STR(ds->category_name[1], "c2");
		CHECK_EQ(dataset_load_names(ds, st, &err), 0);
		CHECK(dataset_has_names(ds));
		CHECK_STR(ds->user_ext[0], "a");
		CHECK_STR(ds->user_ext[1], "b");
		CHECK_STR(ds->item_ext[0], "x");
		CHECK_STR(ds->item_ext[2], "w");
		CHECK_STR(ds->item_title[2], "W");
		CHECK(ds->item_title[1] == NULL);
		CHECK_EQ(dataset_user_index(ds, "b"), 1);
		CHECK_EQ(dataset_item_index(ds, "y"), 1);
		CHECK_EQ(dataset_load_names(ds, st, &err), 0);	/* once */
		dataset_free(ds);
	}
	/* No item with a title: no table of titles. */
	sql(st, "UPDATE items SET title = NULL;");
	ds = dataset_build(st, &err);
	CHECK_MSG(ds != NULL, "dataset_build: %s", err.msg);
	if (ds) {
		CHECK(ds->item_title == NULL);
		dataset_free(ds);
	}
	/* Rating data: the last rating by time wins. */
	sql(st, "DELETE FROM events;"
	    "INSERT INTO events VALUES (1,1,0,4,100,2),(1,1,0,2,300,2),"
	    " (1,1,0,5,200,2),(3,1,0,3,50,2);");
	ds = dataset_build(st, &err);
	CHECK_MSG(ds != NULL, "dataset_build: %s", err.msg);
	if (ds) {
		CHECK(ds->is_rating);
		CHECK_EQ(ds->all.nnz, 2);
		CHECK_NEAR(ds->all.val[0], 2, 0);
		CHECK_EQ(interactions_time(&ds->all, 0), 300);
		CHECK_NEAR(ds->rating_min, 2, 0);
		CHECK_NEAR(ds->rating_max, 3, 0);
		/* mean of entries 2.5; a's mean 2 -> -0.5 */
		CHECK_NEAR(ds->user_features[UF_MEAN_RATING], -0.5, 1e-6);
		dataset_free(ds);
	}
	store_close(st);
	unlink(path);
}

/* ml-100k through ingest_events() and dataset_build(), entry by entry
 * against u.data read directly (tests/lib/mldata.h). */
static void
test_ml100k(const char *dir)
{
	char path[512], file[4200];
	ingest_opts o;
	ingest_result res;
	interactions ref;
	rf_error err;
	store *st;
	dataset *ds;
	double t0;
	int64_t unmatched = 0;

	snprintf(file, sizeof file, "%s/ml-100k/u.data", dir);
	tmp_store_path(path, sizeof path, "ml");
	if ((st = store_open(path, STORE_CREATE, &err)) == NULL) {
		CHECK_FAIL("store_open: %s", err.msg);
		return;
	}
	ingest_opts_default(&o);
	if (ingest_events(st, file, &o, &res, &err) < 0) {
		CHECK_FAIL("ingest: %s", err.msg);
		store_close(st);
		unlink(path);
		return;
	}
	t0 = rf_monotonic();
	ds = dataset_build(st, &err);
	printf("dataset_build ml-100k: %.3f s\n", rf_monotonic() - t0);
	if (ds == NULL) {
		CHECK_FAIL("dataset_build: %s", err.msg);
		store_close(st);
		unlink(path);
		return;
	}
	CHECK_EQ(ds->n_users, 943);
	CHECK_EQ(ds->n_items, 1682);
	CHECK_EQ(ds->all.nnz, 100000);
	CHECK(ds->is_rating);
	CHECK_NEAR(ds->rating_min, 1, 0);
	CHECK_NEAR(ds->rating_max, 5, 0);
	CHECK_EQ(ds->ts_min, 874724710);
	CHECK_EQ(ds->ts_max, 893286638);
	CHECK(csr_sorted(&ds->all));
	/* No transpose of the whole log (only the parts have one). */
	CHECK(ds->all.tptr == NULL);
	if (interactions_build_transpose(&ds->all) < 0)
		CHECK_FAIL("transpose: out of memory");
	else
		CHECK(transpose_consistent(&ds->all));
	/* Same entries as the file (through the external ids). */
	if (ml_load(file, 943, 1682, 0, &ref) < 0) {
		CHECK_FAIL("cannot read %s", file);
	} else {
		for (int u = 0; u < ds->n_users; u++) {
			int ru = atoi(ds->user_ext[u]) - 1;

			check_context("user %s", ds->user_ext[u]);
			CHECK_EQ(ds->all.ptr[u + 1] - ds->all.ptr[u],
			    ref.ptr[ru + 1] - ref.ptr[ru]);
			for (int64_t k = ds->all.ptr[u]; k < ds->all.ptr[u + 1];
			    k++) {
				int ri = atoi(ds->item_ext[ds->all.idx[k]]) - 1;
				int64_t p = interactions_find(&ref, ru, ri);

				if (p < 0) {
					unmatched++;
					continue;
				}
				CHECK_NEAR(ds->all.val[k], ref.val[p], 0);
				CHECK_EQ(interactions_time(&ds->all, k),
				    ref.ts[p]);
			}
		}
		check_context_clear();
		CHECK_EQ(unmatched, 0);
		interactions_free(&ref);
	}
	{
		int u = dataset_user_index(ds, "196");
		int i = dataset_item_index(ds, "242");

		CHECK(u >= 0 && strcmp(ds->user_ext[u], "196") == 0);
		CHECK(i >= 0 && strcmp(ds->item_ext[i], "242") == 0);
		CHECK_EQ(dataset_user_index(ds, "944"), -1);
	}
	dataset_free(ds);
	store_close(st);
	unlink(path);
}

int
main(void)
{
	test_transpose();
	test_fold();
	test_ml100k(check_data_dir("ml-100k/u.data"));
	return check_done();
}
