/* test_explain: explanations on a tiny hand-made dataset with titles and
 * behaviours, using fake models (tests/fakemodel.h) named like real ones:
 * the contributions add up, the shares, the reasons carry the user's
 * behaviour, the sentence reads as expected, a model that is not
 * row-based says probing isn't available, and the user summary. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/explain/explain.h"
#include "tests/lib/check.h"
#include "tests/lib/fakemodel.h"

/* A stack that weighs als below 0 (ease +2, als -1, on z-scores): a low
 * als score counts for an item and a high one against it, and the
 * sentences say so rather than "agrees" and "disagrees".  User 0's
 * candidates are items 2 and 3, which both models rank in that order. */
static void
stack_sentences(fusion *f)
{
	explanation x;
	rf_error err;
	fusion_settings keep = *fusion_get_settings(f);

	CHECK_EQ(fusion_set_param(f, "norm=zscore", &err), 0);
	if (fusion_stack_parse(f, "kind=topn ufn=3 names=ease,als "
	    "theta=0,0,0,0,2,-1,0,0,0,0,0,0", &err) < 0) {
		CHECK_FAIL("stack: %s", err.msg);
		return;
	}
	if (explain_item(f, 0, 2, 0, &x, &err) < 0) {
		CHECK_FAIL("explain: %s", err.msg);
		return;
	}
	CHECK_NEAR(x.models[0].weight, 2, 1e-12);
	CHECK_NEAR(x.models[1].weight, -1, 1e-12);
	CHECK(x.models[1].contribution < 0);
	CHECK_STR(x.sentence, "Recommended mostly by ease (100%) because you "
	    "bought Aurora trail socks and viewed Nimbus rain jacket; als "
	    "ranks it high, which counts against it.");
	if (explain_item(f, 0, 3, 0, &x, &err) < 0) {
		CHECK_FAIL("explain: %s", err.msg);
		return;
	}
	/* als's low score is item 3's only positive term; ease, which
	 * ranks it low too, is against it and lends it no reasons. */
	CHECK(x.models[1].contribution > 0);
	CHECK(x.models[0].contribution < 0);
	CHECK_STR(x.sentence, "Recommended mostly because als ranks it low, "
	    "which the stack counts for it (100%); ease disagrees.");
	/* Back to the weights of the first case. */
	CHECK_EQ(fusion_set_method(f, keep.method), 0);
	CHECK_EQ(fusion_set_param(f, "norm=minmax", &err), 0);
}

int
main(void)
{
	/* User 0 bought socks (0) and viewed the jacket (1); user 1 carted
	 * the headlamp (2). */
	static const int pairs[][2] = { { 0, 0 }, { 0, 1 }, { 1, 2 } };
	static const uint8_t beh[] = {
		1u << BEH_PV | 1u << BEH_BUY, 1u << BEH_PV, 1u << BEH_CART
	};
	static char *titles[] = {
		"Aurora trail socks", "Nimbus rain jacket", "Summit headlamp",
		NULL
	};
	static char *ext[] = { "s1", "j2", "h3", "b4" };
	static int32_t cat[] = { 0, 0, 1, 1 };
	static char *cats[] = { "Clothing", "Gear" };
	/* ease scores: item 2 best, item 3 next; als the same order. */
	static const float te[] = { 0, 0, 0.9f, 0.5f, 0.2f, 0.1f, 0, 0.6f };
	static const float ta[] = { 0, 0, 0.8f, 0.4f, 0.3f, 0.2f, 0, 0.1f };
	interactions tr;
	dataset ds = { 0 };
	fake_model *e, *a;
	const model *ms[2];
	const char *names[] = { "ease", "als" };
	fusion *f;
	explanation x;
	explain_user_summary us;
	rf_error err;
	double sum;
	/* Fake models joined the fusion under the names ease and als: the
	 * sentences call them by those names (a model under its own name
	 * would be called by its title, "EASE"). */
	const char *want = "Recommended mostly by ease (70%) because you "
	    "bought Aurora trail socks and viewed Nimbus rain jacket; als "
	    "agrees (30%).";
	rf_table *t;

	if (fake_matrix(&tr, 2, 4, pairs, 3, beh) < 0) {
		CHECK_FAIL("out of memory");
		return check_done();
	}
	ds.n_users = 2;
	ds.n_items = 4;
	ds.n_categories = 2;
	ds.item_title = titles;
	ds.item_ext = ext;
	ds.item_category = cat;
	ds.category_name = cats;
	e = fake_new(&ds, &tr, te);
	a = fake_new(&ds, &tr, ta);
	if (e == NULL || a == NULL ||
	    (e->terms = calloc(2, sizeof *e->terms)) == NULL) {
		CHECK_FAIL("out of memory");
		return check_done();
	}
	/* ease's own reasons: socks 0.5, jacket 0.3 (B_ij x_uj). */
	e->n_terms = 2;
	e->terms[0] = (explain_term){ .item = 0, .contribution = 0.5,
	    .weight = 0.5 };
	e->terms[1] = (explain_term){ .item = 1, .contribution = 0.3,
	    .weight = 0.3 };
	a->terms = NULL;	/* als without terms here: a note instead */
	ms[0] = &e->base;
	ms[1] = &a->base;
	f = fusion_new(&ds, ms, names, 2, &err);
	if (f == NULL) {
		CHECK_FAIL("fusion_new: %s", err.msg);
		return check_done();
	}
	/* min-max over the two candidates (items 2, 3): item 2 gets 1 from
	 * both, so its contributions are the weights 0.7 and 0.3. */
	CHECK_EQ(fusion_set_param(f, "norm=minmax", &err), 0);
	CHECK_EQ(fusion_set_weight(f, 0, 7, &err), 0);
	CHECK_EQ(fusion_set_weight(f, 1, 3, &err), 0);
	if (explain_item(f, 0, 2, 1, &x, &err) < 0) {
		CHECK_FAIL("explain: %s", err.msg);
		return check_done();
	}
	CHECK_EQ(x.n_models, 2);
	sum = x.base;
	for (int m = 0; m < x.n_models; m++)
		sum += x.models[m].contribution;
	CHECK_NEAR(sum, x.fused, 1e-9);
	CHECK_NEAR(x.models[0].share, 70, 1e-4);
	CHECK_NEAR(x.models[1].share, 30, 1e-4);
	CHECK_EQ(x.fused_rank, 1);
	CHECK(x.in_pool);
	CHECK_EQ(x.pool_len, 2);
	CHECK_EQ(x.models[0].n_terms, 2);
	CHECK_EQ(x.models[0].terms[0].beh, beh[0]);
	CHECK_EQ(x.models[0].terms[1].beh, beh[1]);
	CHECK_STR(x.sentence, want);
	CHECK_EQ(x.models[1].probe, -1);
	CHECK_CONTAINS(x.models[1].note, "probing isn't available");
	t = explanation_table(f, &x, &err);
	CHECK_MSG(t != NULL, "contribution table: %s", err.msg);
	if (t != NULL)
		CHECK_EQ(t->nrows, 3);
	table_free(t);
	t = explanation_reasons_table(f, &x, &err);
	CHECK_MSG(t != NULL, "reasons table: %s", err.msg);
	if (t != NULL)
		CHECK(t->nrows >= 2);
	table_free(t);

	/* Without probing, the note of a model without terms names its
	 * popularity and the category with the user's share of it. */
	stack_sentences(f);
	if (explain_item(f, 0, 3, 0, &x, &err) < 0) {
		CHECK_FAIL("explain: %s", err.msg);
	} else {
		CHECK_CONTAINS(x.models[1].note, "popular: #");
		CHECK_CONTAINS(x.models[1].note,
		    "in Gear (0% of your history)");
		CHECK_EQ(x.fused_rank, 2);
	}
	/* An item outside the candidates (seen: item 0) is explained too. */
	if (explain_item(f, 0, 0, 0, &x, &err) < 0) {
		CHECK_FAIL("explain a seen item: %s", err.msg);
	} else {
		CHECK(!x.in_pool);
		CHECK(x.in_history);
	}
	/* The fallback name of an item without a title. */
	{
		char buf[64];

		explain_item_name(&ds, 3, buf, sizeof buf);
		CHECK_STR(buf, "item b4");
	}

	/* User summary. */
	if (explain_user(f, 0, 5, &us, &err) < 0) {
		CHECK_FAIL("explain_user: %s", err.msg);
	} else {
		CHECK_EQ(us.n_history, 2);
		CHECK_EQ(us.beh_count[BEH_PV], 2);
		CHECK_EQ(us.beh_count[BEH_BUY], 1);
		CHECK_EQ(us.n_cats, 1);
		CHECK_EQ(us.cat[0], 0);
		CHECK_EQ(us.cat_count[0], 2);
		CHECK_EQ(us.n_recs, 2);
		if (us.n_recs == 2) {
			CHECK_EQ(us.items[0], 2);
			CHECK_EQ(us.items[1], 3);
			CHECK_STR(us.reason[0], "ease 70%: you bought Aurora "
			    "trail socks and viewed Nimbus rain jacket");
		}
		t = explain_user_history_table(f, &us, &err);
		CHECK_MSG(t != NULL, "history table: %s", err.msg);
		if (t != NULL)
			CHECK_EQ(t->nrows, 4);
		table_free(t);
		t = explain_user_recs_table(f, &us, &err);
		CHECK_MSG(t != NULL, "recs table: %s", err.msg);
		if (t != NULL)
			CHECK_EQ(t->nrows, 2);
		table_free(t);
		explain_user_summary_free(&us);
	}

	fusion_free(f);
	fake_free(e);
	fake_free(a);
	interactions_free(&tr);
	return check_done();
}
