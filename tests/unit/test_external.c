/* test_external: models trained elsewhere (engine/models/external.c) and
 * their readers (engine/ingest/jsonl.c, partfiles.c, factors.c,
 * scores.c):
 *   - JSON lines parsed strictly: escapes and surrogate pairs decoded,
 *     nested values skipped, every malformed line refused with its byte;
 *   - a factor model from Spark's JSON lines and id<TAB>factors text
 *     scores by the dot product computed by hand, -inf where it has no
 *     row, counts and names the ids the data lack;
 *   - its explanation, on a case solved by hand: history vectors e1, e2,
 *     x_u = (2, 3), item (0.5, 0.5): lambda = 1, z = (1, 1.5), terms 0.75
 *     (weight 1.5) and 0.5 (weight 1), summing to x.y - lambda z.y;
 *   - a score list read by its header's column names, the last of a pair
 *     kept, unlisted items -inf;
 *   - both saved and loaded back into a dataset whose dense indices are
 *     in another order: the same scores by external id. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/ingest/jsonl.h"
#include "engine/models/external.h"
#include "tests/lib/check.h"
#include "tests/lib/testutil.h"
#include "tests/lib/tinydata.h"

#define NU 3
#define NI 4

static char *users_fwd[NU] = { "u1", "u2", "u3" };
static char *users_rev[NU] = { "u3", "u2", "u1" };
static char *items_fwd[NI] = { "10", "20", "30", "40" };
static char *items_rev[NI] = { "40", "30", "20", "10" };

/* A hand-made dataset over the ids in that order: u1 has 10 and 20, u2
 * 30, u3 10 and 40 (by id, whatever the order). */
static int
hand_dataset(dataset *ds, char **users, char **items)
{
	float x[NU * NI] = { 0 };

	memset(ds, 0, sizeof *ds);
	for (int u = 0; u < NU; u++)
		for (int i = 0; i < NI; i++) {
			const char *a = users[u], *b = items[i];

			if ((!strcmp(a, "u1") && (!strcmp(b, "10") ||
			    !strcmp(b, "20"))) || (!strcmp(a, "u2") &&
			    !strcmp(b, "30")) || (!strcmp(a, "u3") &&
			    (!strcmp(b, "10") || !strcmp(b, "40"))))
				x[u * NI + i] = 1;
		}
	ds->n_users = NU;
	ds->n_items = NI;
	ds->user_ext = users;
	ds->item_ext = items;
	return dense_to_interactions(&ds->all, NU, NI, x);
}

static int
index_of(char **ids, int n, const char *id)
{
	for (int k = 0; k < n; k++)
		if (strcmp(ids[k], id) == 0)
			return k;
	return -1;
}

static void
test_jsonl(void)
{
	char line[] = "{\"id\": 12, \"features\": [1, -2.5e-1, 3], "
	    "\"name\": \"a\\\"b\\u00e9\\ud83d\\ude00\", \"x\": {\"y\": [1, "
	    "\"z\"]}, \"t\": true, \"n\": null, \"mixed\": [1, \"a\"]}";
	static const char *const bad[] = {
		"{\"id\": 01}", "{\"a\": 1,}", "[1]", "{\"a\": NaN}",
		"{\"a\": \"x", "{\"a\": 1} x", "{\"a\" 1}", "{\"a\": \"\\ud83d\"}",
		"{\"a\": \"\\q\"}", "{\"a\": -}", "{\"a\": 1.}", NULL
	};
	jsonl_field f[JSONL_MAX_FIELDS];
	const jsonl_field *g;
	float nums[8];
	rf_error err;
	int n = jsonl_parse(line, f, nums, 8, &err);

	CHECK_EQ(n, 7);
	if ((g = jsonl_get(f, n, "id")) != NULL) {
		CHECK_EQ(g->type, JSONL_NUMBER);
		CHECK_STR(g->text, "12");
	} else
		CHECK_FAIL("no id");
	if ((g = jsonl_get(f, n, "features")) != NULL) {
		CHECK_EQ(g->type, JSONL_NUMBERS);
		CHECK_EQ(g->n, 3);
		CHECK_NEAR(g->numbers[1], -0.25, 0);
		CHECK_NEAR(g->numbers[2], 3, 0);
	} else
		CHECK_FAIL("no features");
	if ((g = jsonl_get(f, n, "name")) != NULL)
		CHECK_STR(g->text, "a\"b\xc3\xa9\xf0\x9f\x98\x80");
	else
		CHECK_FAIL("no name");
	CHECK((g = jsonl_get(f, n, "x")) != NULL && g->type == JSONL_OTHER);
	CHECK((g = jsonl_get(f, n, "t")) != NULL && g->type == JSONL_BOOL &&
	    g->number == 1);
	CHECK((g = jsonl_get(f, n, "n")) != NULL && g->type == JSONL_NULL);
	CHECK((g = jsonl_get(f, n, "mixed")) != NULL &&
	    g->type == JSONL_OTHER);
	for (int k = 0; bad[k] != NULL; k++) {
		char copy[64];

		snprintf(copy, sizeof copy, "%s", bad[k]);
		check_context("'%s'", bad[k]);
		CHECK_EQ(jsonl_parse(copy, f, nums, 8, &err), -1);
		CHECK_CONTAINS(err.msg, "at byte ");
	}
	check_context_clear();
}

static void
write_text(const char *path, const char *text)
{
	if (tu_write_file(path, text, strlen(text)) < 0)
		CHECK_FAIL("cannot write %s", path);
}

/* The score of id pair (user, item) by the model over ds. */
static float
score_of(const model *m, const dataset *ds, const char *user,
    const char *item)
{
	float s[NI];
	int u = index_of(ds->user_ext, NU, user);

	m->ops->score_user(m, u, s);
	return s[index_of(ds->item_ext, NI, item)];
}

/* Save m and load it over ds2. */
static model *
round_trip(const model *m, const dataset *ds2)
{
	rf_buf b = { 0 };
	rf_error err;
	model *back = NULL;

	if (m->ops->save(m, &b, &err) < 0)
		CHECK_FAIL("save: %s", err.msg);
	else if ((back = m->ops->load(ds2, &ds2->all, NULL, b.data, b.len,
	    &err)) == NULL)
		CHECK_FAIL("load: %s", err.msg);
	rf_buf_free(&b);
	return back;
}

static void
test_factors(void)
{
	const char *dir = tu_tempdir();
	const char *users = tu_join(dir, "users.tsv");
	const char *items = tu_join(dir, "part-00000.json");
	dataset ds, ds2;
	external_report rep;
	rf_error err;
	model *m, *back;

	write_text(users, "id\tfeatures\nu1\t1 0 2\nu2\t0,1,0\nu9\t1 1 1\n");
	write_text(items, "{\"id\":10,\"features\":[1,1,1]}\n\n"
	    "{\"id\":\"20\",\"features\":[0.5,-1,2]}\n"
	    "  {\"features\": [3, 0, 0], \"id\": 30}\n"
	    "{\"id\":99,\"features\":[1,2,3]}\n");
	if (hand_dataset(&ds, users_fwd, items_fwd) < 0 ||
	    hand_dataset(&ds2, users_rev, items_rev) < 0) {
		CHECK_FAIL("out of memory");
		return;
	}
	/* the items from their directory, _SUCCESS and .crc passed over */
	write_text(tu_join(dir, "_SUCCESS"), "");
	write_text(tu_join(dir, ".part-00000.json.crc"), "x");
	m = external_factors_import(&ds, &ds.all, users, dir, &rep, &err);
	CHECK_MSG(m != NULL, "import: %s", err.msg);
	if (m == NULL)
		return;
	CHECK_EQ(rep.k, 3);
	CHECK_EQ(rep.rows[0], 3);
	CHECK_EQ(rep.unknown[0], 1);
	CHECK_STR(rep.unknown_example[0], "u9");
	CHECK_EQ(rep.covered[0], 2);
	CHECK_EQ(rep.rows[1], 4);
	CHECK_EQ(rep.unknown[1], 1);
	CHECK_STR(rep.unknown_example[1], "99");
	CHECK_EQ(rep.covered[1], 3);
	CHECK(m->ops->traits & MODEL_EXTERNAL);
	/* x_u1 = (1, 0, 2): . (1,1,1) = 3, . (0.5,-1,2) = 4.5, . (3,0,0) = 3 */
	CHECK_NEAR(score_of(m, &ds, "u1", "10"), 3, 1e-6);
	CHECK_NEAR(score_of(m, &ds, "u1", "20"), 4.5, 1e-6);
	CHECK_NEAR(score_of(m, &ds, "u1", "30"), 3, 1e-6);
	CHECK_NEAR(score_of(m, &ds, "u2", "20"), -1, 1e-6);
	CHECK(score_of(m, &ds, "u1", "40") == -INFINITY);	/* no row */
	CHECK(score_of(m, &ds, "u3", "10") == -INFINITY);	/* no row */
	/* a block of users over the items [lo, hi) (the evaluator's
	 * tiles): the same scores, -inf for the rowless user and item */
	for (int lo = 0; lo <= 1; lo++) {
		int32_t all[NU] = { 0, 1, 2 };
		int hi = lo ? NI - 1 : NI;
		float block[NU * NI], row[NI];

		m->ops->score_users(m, all, NU, lo, hi, block);
		for (int u = 0; u < NU; u++) {
			m->ops->score_user(m, u, row);
			for (int i = lo; i < hi; i++) {
				check_context("block [%d, %d), user %d, item "
				    "%d", lo, hi, u, i);
				CHECK(block[u * (hi - lo) + i - lo] == row[i]);
			}
		}
		check_context_clear();
	}
	if ((back = round_trip(m, &ds2)) != NULL) {
		for (int u = 0; u < NU; u++)
			for (int i = 0; i < NI; i++) {
				float a = score_of(m, &ds, users_fwd[u],
				    items_fwd[i]);
				float b = score_of(back, &ds2, users_fwd[u],
				    items_fwd[i]);

				check_context("%s, %s", users_fwd[u],
				    items_fwd[i]);
				CHECK(a == b);
			}
		check_context_clear();
		back->ops->free(back);
	}
	m->ops->free(m);

	/* A table of another factor count is refused, named by its line. */
	write_text(users, "u1\t1 0\n");
	CHECK(external_factors_import(&ds, &ds.all, users, dir, &rep, &err) ==
	    NULL);
	CHECK_CONTAINS(err.msg, "part-00000.json:1: 3 factors, the users have "
	    "2");
	interactions_free(&ds.all);
	interactions_free(&ds2.all);
}

static void
test_explain_by_hand(void)
{
	const char *dir = tu_tempdir();
	const char *users = tu_join(dir, "eu.tsv"), *items = tu_join(dir,
	    "ei.tsv");
	dataset ds;
	external_report rep;
	explain_term t[4];
	rf_error err;
	model *m;
	int n, i10, i20, i40;

	/* u1's history is 10 and 20: e1 and e2; the item asked is 40. */
	write_text(users, "u1\t2 3\nu2\t1 1\nu3\t1 1\n");
	write_text(items, "10\t1 0\n20\t0 1\n30\t1 1\n40\t0.5 0.5\n");
	if (hand_dataset(&ds, users_fwd, items_fwd) < 0)
		return;
	if ((m = external_factors_import(&ds, &ds.all, users, items, &rep,
	    &err)) == NULL) {
		CHECK_FAIL("import: %s", err.msg);
		return;
	}
	i10 = index_of(ds.item_ext, NI, "10");
	i20 = index_of(ds.item_ext, NI, "20");
	i40 = index_of(ds.item_ext, NI, "40");
	n = m->ops->explain(m, index_of(ds.user_ext, NU, "u1"), i40, t, 4);
	CHECK_EQ(n, 2);
	if (n == 2) {
		CHECK_EQ(t[0].item, i20);
		CHECK_NEAR(t[0].contribution, 0.75, 1e-9);
		CHECK_NEAR(t[0].weight, 1.5, 1e-9);
		CHECK_EQ(t[1].item, i10);
		CHECK_NEAR(t[1].contribution, 0.5, 1e-9);
		CHECK_NEAR(t[1].weight, 1, 1e-9);
		/* x.y - lambda z.y = 2.5 - 1.25 */
		CHECK_NEAR(t[0].contribution + t[1].contribution, 1.25, 1e-9);
	}
	m->ops->free(m);
	interactions_free(&ds.all);
}

static void
test_scores(void)
{
	const char *dir = tu_tempdir();
	const char *csv = tu_join(dir, "list.csv");
	const char *jsonl = tu_join(dir, "list.json");
	dataset ds, ds2;
	external_report rep;
	rf_error err;
	model *m, *back;

	/* Columns named by the header, in another order, a rank between. */
	write_text(csv, "item,rank,score,user\n10,1,0.9,u1\n30,2,0.4,u1\n"
	    "10,1,0.2,u2\n30,1,0.7,u1\n99,1,1,u1\n20,1,1,nobody\n");
	if (hand_dataset(&ds, users_fwd, items_fwd) < 0 ||
	    hand_dataset(&ds2, users_rev, items_rev) < 0)
		return;
	m = external_scores_import(&ds, &ds.all, csv, &rep, &err);
	CHECK_MSG(m != NULL, "import: %s", err.msg);
	if (m == NULL)
		return;
	CHECK_EQ(rep.rows[0], 6);
	CHECK_EQ(rep.unknown[0], 1);
	CHECK_STR(rep.unknown_example[0], "nobody");
	CHECK_EQ(rep.unknown[1], 1);
	CHECK_STR(rep.unknown_example[1], "99");
	CHECK_EQ(rep.duplicates, 1);
	CHECK_EQ(rep.covered[0], 2);
	CHECK_EQ(rep.covered[1], 2);
	CHECK_NEAR(score_of(m, &ds, "u1", "10"), 0.9, 1e-6);
	CHECK_NEAR(score_of(m, &ds, "u1", "30"), 0.7, 1e-6);	/* the last */
	CHECK(score_of(m, &ds, "u1", "20") == -INFINITY);	/* not listed */
	CHECK(score_of(m, &ds, "u3", "10") == -INFINITY);
	if ((back = round_trip(m, &ds2)) != NULL) {
		CHECK_NEAR(score_of(back, &ds2, "u1", "30"), 0.7, 1e-6);
		CHECK_NEAR(score_of(back, &ds2, "u2", "10"), 0.2, 1e-6);
		CHECK(score_of(back, &ds2, "u1", "20") == -INFINITY);
		back->ops->free(back);
	}
	m->ops->free(m);

	/* JSON lines as Spark writes recommendForAllUsers exploded. */
	write_text(jsonl, "{\"user\":\"u3\",\"item\":40,\"rating\":1.5}\n"
	    "{\"userId\":\"u2\",\"itemId\":20,\"prediction\":-2}\n");
	if ((m = external_scores_import(&ds, &ds.all, jsonl, &rep, &err)) ==
	    NULL)
		CHECK_FAIL("import: %s", err.msg);
	else {
		CHECK_NEAR(score_of(m, &ds, "u3", "40"), 1.5, 1e-6);
		CHECK_NEAR(score_of(m, &ds, "u2", "20"), -2, 1e-6);
		m->ops->free(m);
	}
	write_text(jsonl, "{\"user\":\"u3\",\"item\":40}\n");
	CHECK(external_scores_import(&ds, &ds.all, jsonl, &rep, &err) == NULL);
	CHECK_CONTAINS(err.msg, "list.json:1: no \"score\"");
	interactions_free(&ds.all);
	interactions_free(&ds2.all);
}

int
main(void)
{
	test_jsonl();
	test_factors();
	test_explain_by_hand();
	test_scores();
	return check_done();
}
