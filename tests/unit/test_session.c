/* test_session: the session's rule of what a list leaves out, on a
 * hand-built case where it decides the answer.
 *
 * User 1 has eleven events in time order: e0..e8 unique items, then item
 * 900 at e8's place, 901 and one more unique item.  Nineteen other users
 * have four events each (too few to be split: they stay whole in train),
 * all with 900 and ten of them with 901.  With `split temporal 0.2
 * --valid 0.2` user 1's last two events (901 and the unique one) are test
 * and the two before (e7 and 900) validation.  Popularity trained on train
 * ranks 900 first (19 users), then 901 (10 users).  900 is known of user 1
 * (it is in the validation part), so every list and metric on the test
 * part must leave it out:
 *   - recommend, export recs and the fused list never show 900 for user 1;
 *   - the explanation says it is in the user's history;
 *   - pop's test NDCG@10 is that of 901 at rank 1 with two relevant items:
 *     1 / (1 + 1/log2 3) = 0.6131 (with 900 ranked it would be
 *     (1/log2 3) / (1 + 1/log2 3) = 0.3869).
 * And `split none --valid 0.25` carves a validation part and no test. */
#if !defined(_GNU_SOURCE) && !defined(_POSIX_C_SOURCE)
#define _POSIX_C_SOURCE 200809L
#endif
#include "tests/lib/testutil.h"

#include <math.h>

#include "engine/explain/explain.h"
#include "engine/ingest/ingest.h"
#include "engine/models/registry.h"
#include "engine/session/workbench.h"

static int
write_log(const char *path)
{
	FILE *f = fopen(path, "w");
	int t = 1511568000;

	if (f == NULL)
		return -1;
	for (int k = 0; k < 8; k++)
		fprintf(f, "1,%d,1,pv,%d\n", 10 + k, t + 3600 * k);
	fprintf(f, "1,900,1,pv,%d\n", t + 3600 * 8);
	fprintf(f, "1,901,1,pv,%d\n", t + 3600 * 9);
	fprintf(f, "1,99,1,pv,%d\n", t + 3600 * 10);
	for (int u = 2; u <= 20; u++) {
		fprintf(f, "%d,900,1,pv,%d\n", u, t + 60 * u);
		fprintf(f, "%d,%d,1,pv,%d\n", u, u <= 11 ? 901 : 1000 + u,
		    t + 60 * u + 1);
		fprintf(f, "%d,%d,1,pv,%d\n", u, 2000 + u, t + 60 * u + 2);
		fprintf(f, "%d,%d,1,pv,%d\n", u, 3000 + u, t + 60 * u + 3);
	}
	return fclose(f);
}

/* Does column "item" of t hold id? */
static int
table_has_item(const rf_table *t, const char *id)
{
	int col = -1;

	for (int c = 0; c < t->ncols; c++)
		if (strcmp(t->names[c], "item") == 0)
			col = c;
	for (int r = 0; col >= 0 && r < t->nrows; r++)
		if (table_get(t, r, col) && strcmp(table_get(t, r, col), id)
		    == 0)
			return 1;
	return 0;
}

static int
file_has_line(const char *path, const char *prefix)
{
	FILE *f = fopen(path, "r");
	char line[256];
	int found = 0;

	if (f == NULL)
		return -1;
	while (fgets(line, sizeof line, f))
		if (strncmp(line, prefix, strlen(prefix)) == 0)
			found = 1;
	fclose(f);
	return found;
}

static void
check_lists(workbench *wb, const char *dir, const char *name)
{
	rf_error err;
	rf_table *t;
	const char *out = tu_join(dir, "recs.tsv");
	int64_t users = 0;
	const char *used = NULL;

	check_context("%s", name);
	if ((t = workbench_recommend(wb, "1", 5, name, &err)) == NULL) {
		CHECK_FAIL("recommend: %s", err.msg);
	} else {
		CHECK_EQ(t->nrows, 5);
		CHECK(!table_has_item(t, "900"));
		CHECK(table_has_item(t, "901"));
		/* the known ones all left out */
		CHECK(!table_has_item(t, "10"));
		CHECK(!table_has_item(t, "17"));
		table_free(t);
	}
	if (workbench_export_recs(wb, out, 5, name, NULL, &users, &used,
	    &err) < 0) {
		CHECK_FAIL("export: %s", err.msg);
	} else {
		CHECK_EQ(users, 20);
		CHECK_EQ(file_has_line(out, "1\t900\t"), 0);
		CHECK_EQ(file_has_line(out, "1\t901\t"), 1);
	}
	check_context_clear();
}

int
main(void)
{
	const char *dir = tu_tempdir();
	const char *log = tu_join(dir, "log.csv");
	const char *path = tu_join(dir, "s.rfs");
	const model_ops *pop = model_lookup("pop"), *knn = model_lookup("itemknn");
	double pp[64], pk[64];
	split_spec spec;
	ingest_opts o;
	ingest_result res;
	rf_error err;
	workbench *wb;
	const wb_model *e;
	char *assign[] = { "pop=1", "itemknn=0.0001" };

	if (pop == NULL || knn == NULL) {
		CHECK_FAIL("pop and itemknn are not registered");
		return check_done();
	}
	CHECK(write_log(log) == 0);
	if ((wb = workbench_open(path, STORE_CREATE, &err)) == NULL) {
		CHECK_FAIL("open: %s", err.msg);
		return check_done();
	}
	ingest_opts_default(&o);
	if (ingest_events(workbench_store(wb), log, &o, &res, &err) < 0)
		CHECK_FAIL("import: %s", err.msg);
	CHECK(split_parse("temporal 0.2 --valid 0.2", &spec, &err) == 0);
	if (workbench_set_split(wb, &spec, &err) < 0)
		CHECK_FAIL("split: %s", err.msg);
	CHECK_EQ(workbench_split(wb)->n_valid, 2);
	CHECK_EQ(workbench_split(wb)->n_test, 2);
	model_params_default(pop, pp);
	model_params_default(knn, pk);
	if (workbench_train(wb, pop, pp, 1, 1, NULL, NULL, NULL, NULL, &err) < 0)
		CHECK_FAIL("train pop: %s", err.msg);
	if (workbench_train(wb, knn, pk, 1, 1, NULL, NULL, NULL, NULL, &err) < 0)
		CHECK_FAIL("train itemknn: %s", err.msg);

	/* The test metric of pop: 901 first, 900 left out. */
	if ((e = workbench_find_model(wb, "pop")) == NULL) {
		CHECK_FAIL("pop not kept");
	} else {
		CHECK_EQ(e->final.n_users, 1);
		CHECK_NEAR(e->final.ndcg, 1 / (1 + 1 / log2(3.0)), 1e-9);
		CHECK_NEAR(e->final.hit_rate, 1, 0);
	}
	check_lists(wb, dir, "pop");

	/* The fusion: pop all but alone, so 900 would lead its list. */
	if (workbench_fuse(wb, "weighted", 0, NULL, &err) < 0 ||
	    workbench_fusion_set_weights(wb, 2, assign, &err) < 0)
		CHECK_FAIL("fuse: %s", err.msg);
	else {
		const fusion *f = workbench_fusion_peek(wb);
		const dataset *ds = workbench_dataset_peek(wb);
		explanation x;

		check_lists(wb, dir, "fused");
		CHECK(f != NULL && ds != NULL);
		if (f != NULL && ds != NULL) {
			CHECK(explain_item(f, dataset_user_index(ds, "1"),
			    dataset_item_index(ds, "900"), 0, &x, &err) == 0);
			CHECK_EQ(x.in_history, 1);
			CHECK_CONTAINS(x.sentence, "already in the user's "
			    "history");
		}
	}

	/* split none --valid: a validation part, no test part. */
	CHECK(split_parse("none --valid 0.25", &spec, &err) == 0);
	if (workbench_set_split(wb, &spec, &err) < 0) {
		CHECK_FAIL("split none --valid: %s", err.msg);
	} else {
		/* user 1: 11 entries, round(0.25 * 11) = 3 latest; the
		 * others have 4 (< 5): whole in train */
		CHECK_EQ(workbench_split(wb)->n_valid, 3);
		CHECK_EQ(workbench_split(wb)->n_test, 0);
		CHECK_STR(workbench_split(wb)->text, "none --valid 0.25");
		CHECK_EQ(workbench_known_part(wb, NULL)->nnz, 11 + 19 * 4);
	}
	workbench_close(wb);
	return check_done();
}
