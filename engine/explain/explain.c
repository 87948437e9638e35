/* explain: the three layers of an explanation.
 *
 * 1. fusion_contributions() splits the fused score into exact per-model
 *    terms; shares are taken over the positive ones.
 * 2. Each model's ops->explain names history items (item-kNN's
 *    similarities, EASE's B_ij x_uj, ALS's per-item terms of Hu, Koren &
 *    Volinsky 2008 section 5); the user's behaviour on each comes from the
 *    train row.  A model without history terms is described by the item's
 *    popularity and category.  Probing leaves one history item out at a
 *    time: by the model's own exact method when it has one (ops->probe),
 *    else, for models whose score is a function of the user's train row
 *    alone (MODEL_ROW_BASED), by re-creating the model on a one-row copy
 *    of the data through its own save/load, so the shared model is never
 *    touched.  No model is named here: what a model knows about itself
 *    lives in engine/models/.
 * 3. A sentence from the largest contributor's reasons.
 */
#include "engine/explain/explain.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


/* Loading a copy of a model for probing costs its blob twice over. */
#define PROBE_MAX_BLOB ((size_t)1 << 30)

void
explain_item_name(const dataset *ds, int i, char *buf, size_t n)
{
	if (ds && ds->item_title && i >= 0 && i < ds->n_items &&
	    ds->item_title[i] && ds->item_title[i][0])
		snprintf(buf, n, "%s", ds->item_title[i]);
	else if (ds && ds->item_ext && i >= 0 && i < ds->n_items &&
	    ds->item_ext[i])
		snprintf(buf, n, "item %s", ds->item_ext[i]);
	else
		snprintf(buf, n, "item %d", i + 1);
}

const char *
explain_behavior_verb(uint8_t beh)
{
	if (beh & (1u << BEH_BUY))
		return "bought";
	if (beh & (1u << BEH_CART))
		return "carted";
	if (beh & (1u << BEH_FAV))
		return "favourited";
	if (beh & (1u << BEH_PV))
		return "viewed";
	if (beh & (1u << BEH_RATING))
		return "rated";
	return "interacted with";
}

/* The behaviours of u on item: the part's, or the data's when the part
 * is kept without them (what is known of a user is items alone). */
static uint8_t
history_beh(const dataset *ds, const interactions *tr, int u, int item)
{
	const interactions *src = tr->beh != NULL ? tr :
	    ds != NULL && ds->all.beh != NULL ? &ds->all : NULL;
	int64_t p = src != NULL ? interactions_find(src, u, item) : -1;

	return p >= 0 ? src->beh[p] : 0;
}

static void
reason_behaviour(const model *m, int u, explain_reason *r)
{
	const interactions *tr = m->train;
	int64_t p = interactions_find(tr, u, r->item);

	r->beh = p >= 0 ? history_beh(m->ds, tr, u, r->item) : 0;
	r->value = p >= 0 && tr->val ? tr->val[p] : 0;
}

/* Distinct train users of item i (the transpose's column), and how many
 * items have more: the train part's transpose when it has one, else one
 * pass over its rows (a part kept without: no test event may count). */
static int
item_popularity_rank(const interactions *tr, int i, int *pop)
{
	int rank = 1;

	if (tr->tptr != NULL) {
		*pop = (int)(tr->tptr[i + 1] - tr->tptr[i]);
		for (int j = 0; j < tr->n_items; j++)
			if (tr->tptr[j + 1] - tr->tptr[j] > *pop)
				rank++;
	} else {
		int *n = calloc((size_t)tr->n_items + 1, sizeof *n);

		if (n == NULL)
			return -1;
		for (int64_t p = 0; p < tr->nnz; p++)
			n[tr->idx[p]]++;
		*pop = n[i];
		for (int j = 0; j < tr->n_items; j++)
			if (n[j] > *pop)
				rank++;
		free(n);
	}
	return rank;
}

static void
popularity_note(const model *m, int u, int i, explain_model *em)
{
	const dataset *ds = m->ds;
	const interactions *tr = m->train;
	int pop, rank = item_popularity_rank(tr, i, &pop);
	size_t len;

	if (rank > 0)
		len = (size_t)snprintf(em->note, sizeof em->note,
		    "popular: #%d of %d items, %d users", rank, tr->n_items,
		    pop);
	else
		len = (size_t)snprintf(em->note, sizeof em->note,
		    "popularity unknown (out of memory)");
	if (ds && ds->item_category && ds->category_name &&
	    ds->item_category[i] >= 0 && len < sizeof em->note) {
		int c = ds->item_category[i], same = 0;
		int64_t n = tr->ptr[u + 1] - tr->ptr[u];

		for (int64_t p = tr->ptr[u]; p < tr->ptr[u + 1]; p++)
			if (ds->item_category[tr->idx[p]] == c)
				same++;
		snprintf(em->note + len, sizeof em->note - len,
		    "; in %s (%d%% of your history)", ds->category_name[c],
		    n ? (int)(100.0 * same / n + 0.5) : 0);
	}
}

/* The n probe terms (sorted here) as em's probe reasons, with the user's
 * behaviour on each item. */
static void
keep_probe_terms(explain_model *em, const model *m, int u, explain_term *all,
    int n)
{
	explain_term terms[EXPLAIN_MAX_PROBE];
	model_probe p = { .max = EXPLAIN_MAX_PROBE, .terms = terms };

	model_probe_keep(&p, all, n);
	for (int k = 0; k < p.n; k++) {
		em->probe_terms[k].item = terms[k].item;
		em->probe_terms[k].contribution = terms[k].contribution;
		em->probe_terms[k].weight = terms[k].weight;
		reason_behaviour(m, u, &em->probe_terms[k]);
	}
	em->n_probe = p.n;
	em->probe = 1;
}

/* The model's own probe (ops->probe). */
static void
probe_by_model(const model *m, int u, int i, explain_model *em)
{
	explain_term all[EXPLAIN_MAX_PROBE];
	model_probe p = { .max = EXPLAIN_MAX_PROBE, .terms = all };

	if (m->ops->probe(m, u, i, em->score, &p) < 0) {
		snprintf(em->note, sizeof em->note, "%s", p.note);
		return;
	}
	keep_probe_terms(em, m, u, all, p.n);
	snprintf(em->probe_note, sizeof em->probe_note, "%s", p.how);
}

/* Leave each history item out and measure the drop of the item's score. */
static void
probe_model(const model *m, int u, int i, explain_model *em)
{
	const interactions *tr = m->train;
	int64_t lo = tr->ptr[u], hi = tr->ptr[u + 1], L = hi - lo, first;
	interactions pm;
	rf_buf blob = { 0 };
	rf_error err;
	model *copy = NULL;
	float *sc = NULL;
	explain_term *all = NULL;
	int64_t *rts = NULL, *fts = NULL;
	uint8_t *fbeh = NULL;
	double full;
	int n = 0;

	memset(&pm, 0, sizeof pm);
	em->probe = -1;
	if (m->ops->probe != NULL) {
		probe_by_model(m, u, i, em);
		return;
	}
	if (!(m->ops->traits & MODEL_ROW_BASED) || m->ops->save == NULL ||
	    m->ops->load == NULL) {
		snprintf(em->note, sizeof em->note, "probing isn't available "
		    "for %s: its score is not a function of the history row "
		    "alone", m->ops->name);
		return;
	}
	if (L == 0) {
		snprintf(em->note, sizeof em->note, "no history to probe");
		return;
	}
	/* The most recent entries when the history is long (by position:
	 * rows are in item order, so pick by timestamp). */
	if (interactions_alloc(&pm, tr->n_users, tr->n_items, L) < 0)
		goto oom;
	for (int v = u + 1; v <= tr->n_users; v++)
		pm.ptr[v] = L;
	memcpy(pm.idx, tr->idx + lo, (size_t)L * sizeof *pm.idx);
	memcpy(pm.val, tr->val + lo, (size_t)L * sizeof *pm.val);
	(void)dataset_row_times(m->ds, tr, u, pm.ts, pm.beh);
	/* the whole row's times and behaviours, for the rows with one item
	 * left out (a model may weigh the history by time) */
	if ((fts = malloc((size_t)L * sizeof *fts)) == NULL ||
	    (fbeh = malloc((size_t)L)) == NULL)
		goto oom;
	memcpy(fts, pm.ts, (size_t)L * sizeof *fts);
	memcpy(fbeh, pm.beh, (size_t)L);
	if (interactions_build_transpose(&pm) < 0)
		goto oom;
	if (m->ops->save(m, &blob, &err) < 0 || blob.len > PROBE_MAX_BLOB) {
		snprintf(em->note, sizeof em->note, "probing isn't available "
		    "for %s: %.180s", m->ops->name, blob.len > PROBE_MAX_BLOB ?
		    "the model is too large to copy" : err.msg);
		goto out;
	}
	copy = m->ops->load(m->ds, &pm, m->params, blob.data, blob.len, &err);
	rf_buf_free(&blob);
	if (copy == NULL) {
		snprintf(em->note, sizeof em->note, "probing isn't available "
		    "for %s: %.180s", m->ops->name, err.msg);
		goto out;
	}
	if ((sc = malloc((size_t)tr->n_items * sizeof *sc)) == NULL ||
	    (all = malloc((size_t)L * sizeof *all)) == NULL)
		goto oom;
	copy->ops->score_user(copy, u, sc);
	full = sc[i];
	/* The copy must reproduce the model on the full row, else the
	 * model is not row-based after all. */
	if (!(fabs(full - em->score) <= 1e-4 * (1 + fabs(em->score)))) {
		snprintf(em->note, sizeof em->note, "probing isn't available "
		    "for %s: a copy on the user's row scores %.6g, not %.6g",
		    m->ops->name, full, em->score);
		goto out;
	}
	/* Keep the most recent: the threshold timestamp. */
	if (model_probe_threshold(m, u, &rts, &first) < 0)
		goto oom;
	pm.nnz = L - 1;
	for (int v = u + 1; v <= tr->n_users; v++)
		pm.ptr[v] = L - 1;
	for (int64_t h = 0; h < L; h++) {
		int64_t w = 0;

		if (rts && rts[h] < first)
			continue;
		for (int64_t p = 0; p < L; p++) {
			if (p == h)
				continue;
			pm.idx[w] = tr->idx[lo + p];
			pm.val[w] = tr->val[lo + p];
			pm.ts[w] = fts[p];
			pm.beh[w] = fbeh[p];
			w++;
		}
		copy->ops->score_user(copy, u, sc);
		all[n].item = tr->idx[lo + h];
		all[n].contribution = full - sc[i];
		all[n].weight = 0;
		n++;
	}
	keep_probe_terms(em, m, u, all, n);
	goto out;
oom:
	snprintf(em->note, sizeof em->note, "probing failed: out of memory");
out:
	if (copy)
		copy->ops->free(copy);
	rf_buf_free(&blob);
	interactions_free(&pm);
	free(fts);
	free(fbeh);
	free(sc);
	free(all);
	free(rts);
}

/* "you bought A and viewed B" from up to two positive reasons. */
static size_t
reasons_phrase(const dataset *ds, const explain_reason *r, int n, char *buf,
    size_t size)
{
	size_t len = 0;
	int used = 0;

	buf[0] = '\0';
	for (int k = 0; k < n && used < 2; k++) {
		char title[160];

		if (!(r[k].contribution > 0))
			continue;
		explain_item_name(ds, r[k].item, title, sizeof title);
		len += (size_t)snprintf(buf + len, len < size ? size - len : 0,
		    "%s%s %s", used ? " and " : "you ",
		    explain_behavior_verb(r[k].beh), title);
		used++;
	}
	return used ? len : 0;
}

/* How model em of the explanation is called in sentences: its title
 * ("EASE") when it joined the fusion under its own name, else the name it
 * was given. */
static const char *
model_title(const fusion *f, const explanation *e, const explain_model *em)
{
	const model *m = fusion_model(f, (int)(em - e->models));

	if (m->ops->title != NULL && strcmp(em->name, m->ops->name) == 0)
		return m->ops->title;
	return em->name;
}

static void
build_sentence(const fusion *f, explanation *e)
{
	const dataset *ds = fusion_dataset(f);
	int order[FUSION_MAX_MODELS] = { 0 }, n = e->n_models;
	char name[64], why[400];
	size_t len;
	const explain_model *top;

	for (int m = 0; m < n; m++)
		order[m] = m;
	for (int a = 1; a < n; a++)	/* insertion sort, largest first */
		for (int b = a; b > 0 && e->models[order[b]].contribution >
		    e->models[order[b - 1]].contribution; b--) {
			int t = order[b];

			order[b] = order[b - 1];
			order[b - 1] = t;
		}
	top = &e->models[order[0]];
	snprintf(name, sizeof name, "%s", model_title(f, e, top));
	if (e->in_history) {
		snprintf(e->sentence, sizeof e->sentence, "Not recommended: "
		    "the item is already in the user's history");
		return;
	}
	if (e->base == 0 && top->contribution <= 0) {
		/* With z-scores (and the like) a model's term is below 0
		 * when it ranks the item under the user's average
		 * candidate: no model pushes it up. */
		snprintf(e->sentence, sizeof e->sentence, "Hardly recommended "
		    "(rank %d of %d): no model scores it above this user's "
		    "average candidate", e->fused_rank, e->pool_len);
		return;
	}
	/* A model a stack weighs below 0 for this user counts for the
	 * item by ranking it low: its own reasons (why it would score the
	 * item high) are no reasons for it. */
	if (n == 1)
		len = (size_t)snprintf(e->sentence, sizeof e->sentence,
		    "Recommended by %s", name);
	else if (top->weight < 0)
		len = (size_t)snprintf(e->sentence, sizeof e->sentence,
		    "Recommended mostly because %s ranks it low, which the "
		    "stack counts for it (%.0f%%)", name, top->share);
	else
		len = (size_t)snprintf(e->sentence, sizeof e->sentence,
		    "Recommended mostly by %s (%.0f%%)", name, top->share);
	why[0] = '\0';
	if (top->weight >= 0 && (reasons_phrase(ds, top->terms, top->n_terms,
	    why, sizeof why) || reasons_phrase(ds, top->probe_terms,
	    top->n_probe, why, sizeof why)))
		;
	else if (top->weight >= 0 && (fusion_model(f, (int)(top -
	    e->models))->ops->traits & MODEL_BY_POPULARITY) && top->note[0])
		snprintf(why, sizeof why, "it is %s", top->note);
	else {
		/* The top model gives no history items: borrow the reasons
		 * of the next model that has some and counts them for it. */
		for (int k = 1; k < n && !why[0]; k++) {
			const explain_model *o = &e->models[order[k]];
			char ph[300];

			if (o->weight < 0 || o->contribution <= 0)
				continue;
			if (reasons_phrase(ds, o->terms, o->n_terms, ph,
			    sizeof ph) || reasons_phrase(ds, o->probe_terms,
			    o->n_probe, ph, sizeof ph))
				snprintf(why, sizeof why, "%s points to %s",
				    model_title(f, e, o), ph);
		}
	}
	if (why[0] && len < sizeof e->sentence)
		len += (size_t)snprintf(e->sentence + len,
		    sizeof e->sentence - len, "%s%s",
		    strncmp(why, "it is", 5) == 0 || strstr(why, " points to ")
		    == NULL ? " because " : "; ", why);
	if (n > 1) {
		const explain_model *second = &e->models[order[1]];
		double pos = 0;		/* the positive terms' sum */

		for (int m = 0; m < n; m++)
			if (e->models[m].contribution > 0)
				pos += e->models[m].contribution;

		if (second->share >= 10 && len < sizeof e->sentence)
			len += (size_t)snprintf(e->sentence + len,
			    sizeof e->sentence - len, second->weight < 0 ?
			    "; %s ranks it low, which counts for it (%.0f%%)" :
			    "; %s agrees (%.0f%%)", model_title(f, e, second),
			    second->share);
		for (int k = 1; k < n; k++) {
			const explain_model *o = &e->models[order[k]];

			if (o->contribution < 0 && pos > 0 &&
			    -o->contribution >= 0.1 * pos &&
			    len < sizeof e->sentence)
				len += (size_t)snprintf(e->sentence + len,
				    sizeof e->sentence - len, o->weight < 0 ?
				    "; %s ranks it high, which counts against "
				    "it" : "; %s disagrees", model_title(f, e, o));
		}
	}
	if (len < sizeof e->sentence - 1)
		snprintf(e->sentence + len, sizeof e->sentence - len, ".");
}

int
explain_item(const fusion *f, int u, int i, int probe, explanation *out,
    rf_error *err)
{
	fusion_contrib fc;
	double pos = 0;
	const interactions *tr;

	memset(out, 0, sizeof *out);
	if (fusion_contributions(f, u, i, &fc, err) < 0)
		return -1;
	tr = fusion_known(f);	/* what the user already has */
	out->user = u;
	out->item = i;
	out->fused = fc.fused;
	out->base = fc.base;
	out->fused_rank = fc.fused_rank;
	out->pool_len = fc.pool_len;
	out->in_pool = fc.in_pool;
	out->in_history = interactions_find(tr, u, i) >= 0;
	out->n_models = fc.n_models;
	for (int m = 0; m < fc.n_models; m++)
		if (fc.contrib[m] > 0)
			pos += fc.contrib[m];
	for (int m = 0; m < fc.n_models; m++) {
		const model *md = fusion_model(f, m);
		explain_model *em = &out->models[m];
		explain_term terms[EXPLAIN_MAX_TERMS];

		snprintf(em->name, sizeof em->name, "%s",
		    fusion_model_name(f, m));
		em->contribution = fc.contrib[m];
		em->weight = fc.weight[m];
		em->share = pos > 0 ? 100.0 * fc.contrib[m] / pos : 0;
		em->score = fc.score[m];
		em->rank = fc.rank[m];
		if (md->ops->explain) {
			int nt = md->ops->explain(md, u, i, terms,
			    EXPLAIN_MAX_TERMS);

			for (int k = 0; k < nt; k++) {
				em->terms[k].item = terms[k].item;
				em->terms[k].contribution =
				    terms[k].contribution;
				em->terms[k].weight = terms[k].weight;
				reason_behaviour(md, u, &em->terms[k]);
			}
			em->n_terms = nt > 0 ? nt : 0;
		}
		if (em->n_terms == 0)
			popularity_note(md, u, i, em);
		if (probe) {
			char keep[256];

			memcpy(keep, em->note, sizeof keep);
			probe_model(md, u, i, em);
			if (em->probe == 1)
				memcpy(em->note, keep, sizeof keep);
		}
	}
	build_sentence(f, out);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Tables */

static rf_table *
table_fail(rf_table *t, rf_error *err)
{
	table_free(t);
	rf_fail(err, "explain: out of memory");
	return NULL;
}

rf_table *
explanation_table(const fusion *f, const explanation *e, rf_error *err)
{
	rf_table *t = table_new("contributions");
	const dataset *ds = fusion_dataset(f);

	if (t == NULL || table_add_column(t, "model", COL_TEXT) < 0 ||
	    table_add_column(t, "share%", COL_REAL) < 0 ||
	    table_add_column(t, "contribution", COL_REAL) < 0 ||
	    table_add_column(t, "score", COL_REAL) < 0 ||
	    table_add_column(t, "rank", COL_INT) < 0 ||
	    table_add_column(t, "reasons", COL_TEXT) < 0)
		return table_fail(t, err);
	for (int m = 0; m < e->n_models; m++) {
		const explain_model *em = &e->models[m];
		char why[512];
		size_t len = 0;

		why[0] = '\0';
		for (int k = 0; k < em->n_terms && k < 3; k++) {
			char title[128];

			explain_item_name(ds, em->terms[k].item, title,
			    sizeof title);
			len += (size_t)snprintf(why + len, len < sizeof why ?
			    sizeof why - len : 0, "%s%s %s (%+.3g)",
			    k ? ", " : "",
			    explain_behavior_verb(em->terms[k].beh), title,
			    em->terms[k].contribution);
		}
		if (em->n_terms == 0 && len < sizeof why)
			snprintf(why + len, sizeof why - len, "%s", em->note);
		if (table_begin_row(t) < 0 ||
		    table_cell_text(t, em->name) < 0 ||
		    table_cell_real(t, em->share, 1) < 0 ||
		    table_cell_real(t, em->contribution, 4) < 0 ||
		    table_cell_real(t, em->score, 4) < 0 ||
		    table_cell_int(t, em->rank) < 0 ||
		    table_cell_text(t, why) < 0)
			return table_fail(t, err);
	}
	if (table_begin_row(t) < 0 || table_cell_text(t, "fused") < 0 ||
	    table_cell_real(t, 100, 1) < 0 ||
	    table_cell_real(t, e->fused, 4) < 0 || table_cell_null(t) < 0 ||
	    table_cell_int(t, e->fused_rank) < 0 ||
	    table_cell_text(t, e->base != 0 ? "includes the stack's "
	    "per-user intercept" : (e->in_pool ? "" :
	    "not among the user's candidates")) < 0)
		return table_fail(t, err);
	return t;
}

static int
reason_row(rf_table *t, const dataset *ds, const char *mname,
    const char *kind, const explain_reason *r)
{
	char title[256];

	explain_item_name(ds, r->item, title, sizeof title);
	return table_begin_row(t) < 0 || table_cell_text(t, mname) < 0 ||
	    table_cell_text(t, kind) < 0 ||
	    table_cell_text(t, ds && ds->item_ext ? ds->item_ext[r->item] :
	    NULL) < 0 || table_cell_text(t, title) < 0 ||
	    table_cell_text(t, explain_behavior_verb(r->beh)) < 0 ||
	    table_cell_real(t, r->weight, 4) < 0 ||
	    table_cell_real(t, r->contribution, 4) < 0 ? -1 : 0;
}

rf_table *
explanation_reasons_table(const fusion *f, const explanation *e,
    rf_error *err)
{
	rf_table *t = table_new("reasons");
	const dataset *ds = fusion_dataset(f);

	if (t == NULL || table_add_column(t, "model", COL_TEXT) < 0 ||
	    table_add_column(t, "kind", COL_TEXT) < 0 ||
	    table_add_column(t, "item", COL_TEXT) < 0 ||
	    table_add_column(t, "title", COL_TEXT) < 0 ||
	    table_add_column(t, "behaviour", COL_TEXT) < 0 ||
	    table_add_column(t, "weight", COL_REAL) < 0 ||
	    table_add_column(t, "contribution", COL_REAL) < 0)
		return table_fail(t, err);
	for (int m = 0; m < e->n_models; m++) {
		const explain_model *em = &e->models[m];

		for (int k = 0; k < em->n_terms; k++)
			if (reason_row(t, ds, em->name, "history",
			    &em->terms[k]) < 0)
				return table_fail(t, err);
		for (int k = 0; k < em->n_probe; k++)
			if (reason_row(t, ds, em->name, "probe",
			    &em->probe_terms[k]) < 0)
				return table_fail(t, err);
		if (em->probe == 1 && em->probe_note[0] &&
		    (table_begin_row(t) < 0 ||
		    table_cell_text(t, em->name) < 0 ||
		    table_cell_text(t, "probe note") < 0 ||
		    table_cell_null(t) < 0 ||
		    table_cell_text(t, em->probe_note) < 0 ||
		    table_cell_null(t) < 0 || table_cell_null(t) < 0 ||
		    table_cell_null(t) < 0))
			return table_fail(t, err);
		if ((em->n_terms == 0 || em->probe == -1) && em->note[0] &&
		    (table_begin_row(t) < 0 ||
		    table_cell_text(t, em->name) < 0 ||
		    table_cell_text(t, "note") < 0 ||
		    table_cell_null(t) < 0 ||
		    table_cell_text(t, em->note) < 0 ||
		    table_cell_null(t) < 0 || table_cell_null(t) < 0 ||
		    table_cell_null(t) < 0))
			return table_fail(t, err);
	}
	return t;
}

/* ------------------------------------------------------------------ */
/* A user without an item */

void
explain_user_summary_free(explain_user_summary *s)
{
	free(s->items);
	free(s->scores);
	free(s->reason);
	memset(s, 0, sizeof *s);
}

/* "EASE 62%: you bought A" */
static void
one_line_reason(const fusion *f, const explanation *e, char *buf, size_t n)
{
	const dataset *ds = fusion_dataset(f);
	int best = 0;
	char name[64], why[300];

	for (int m = 1; m < e->n_models; m++)
		if (e->models[m].contribution > e->models[best].contribution)
			best = m;
	snprintf(name, sizeof name, "%s", model_title(f, e, &e->models[best]));
	if (reasons_phrase(ds, e->models[best].terms,
	    e->models[best].n_terms, why, sizeof why) == 0) {
		why[0] = '\0';
		for (int m = 0; m < e->n_models && !why[0]; m++)
			reasons_phrase(ds, e->models[m].terms,
			    e->models[m].n_terms, why, sizeof why);
		if (!why[0])
			snprintf(why, sizeof why, "%s",
			    e->models[best].note[0] ? e->models[best].note :
			    "matches your overall taste");
	}
	if (e->n_models > 1)
		snprintf(buf, n, "%s %.0f%%: %s", name, e->models[best].share,
		    why);
	else
		snprintf(buf, n, "%s: %s", name, why);
}

int
explain_user(const fusion *f, int u, int k, explain_user_summary *out,
    rf_error *err)
{
	const interactions *tr = fusion_known(f);	/* the user's history */
	const dataset *ds = fusion_dataset(f);
	int nc;

	memset(out, 0, sizeof *out);
	if (u < 0 || u >= tr->n_users)
		return rf_fail(err, "explain: no user %d", u);
	if (k < 1)
		return rf_fail(err, "explain: K must be at least 1");
	out->user = u;
	out->n_history = (int)(tr->ptr[u + 1] - tr->ptr[u]);
	for (int64_t p = tr->ptr[u]; p < tr->ptr[u + 1]; p++) {
		uint8_t beh = history_beh(ds, tr, u, tr->idx[p]);

		for (int b = 0; b < BEH_COUNT; b++)
			if (beh & (1u << b))
				out->beh_count[b]++;
	}
	nc = ds && ds->item_category && ds->category_name ?
	    ds->n_categories : 0;
	if (nc > 0) {
		int *cnt = calloc((size_t)nc, sizeof *cnt);

		if (cnt == NULL)
			return rf_fail(err, "explain: out of memory");
		for (int64_t p = tr->ptr[u]; p < tr->ptr[u + 1]; p++) {
			int c = ds->item_category[tr->idx[p]];

			if (c >= 0 && c < nc)
				cnt[c]++;
		}
		for (int s = 0; s < EXPLAIN_TOP_CATEGORIES; s++) {
			int best = -1;

			for (int c = 0; c < nc; c++)
				if (cnt[c] > 0 && (best < 0 ||
				    cnt[c] > cnt[best]))
					best = c;
			if (best < 0)
				break;
			out->cat[out->n_cats] = best;
			out->cat_count[out->n_cats++] = cnt[best];
			cnt[best] = 0;
		}
		free(cnt);
	}
	out->items = malloc((size_t)k * sizeof *out->items);
	out->scores = malloc((size_t)k * sizeof *out->scores);
	out->reason = calloc((size_t)k, sizeof *out->reason);
	if (!out->items || !out->scores || !out->reason) {
		explain_user_summary_free(out);
		return rf_fail(err, "explain: out of memory");
	}
	if ((out->n_recs = fusion_recommend(f, u, k, out->items, out->scores,
	    err)) < 0) {
		explain_user_summary_free(out);
		return -1;
	}
	for (int r = 0; r < out->n_recs; r++) {
		explanation e;

		if (explain_item(f, u, out->items[r], 0, &e, err) < 0) {
			explain_user_summary_free(out);
			return -1;
		}
		one_line_reason(f, &e, out->reason[r], sizeof out->reason[r]);
	}
	return 0;
}

rf_table *
explain_user_history_table(const fusion *f, const explain_user_summary *s,
    rf_error *err)
{
	const dataset *ds = fusion_dataset(f);
	rf_table *t = table_new("history");
	char v[64];

	if (t == NULL || table_add_column(t, "key", COL_TEXT) < 0 ||
	    table_add_column(t, "value", COL_TEXT) < 0)
		return table_fail(t, err);
	snprintf(v, sizeof v, "%d", s->n_history);
	if (table_begin_row(t) < 0 || table_cell_text(t, "items") < 0 ||
	    table_cell_text(t, v) < 0)
		return table_fail(t, err);
	for (int b = 0; b < BEH_COUNT; b++) {
		const char *nm = store_behavior_name(b);

		if (s->beh_count[b] == 0)
			continue;
		snprintf(v, sizeof v, "%lld", (long long)s->beh_count[b]);
		if (table_begin_row(t) < 0 ||
		    table_cell_text(t, nm ? nm : "?") < 0 ||
		    table_cell_text(t, v) < 0)
			return table_fail(t, err);
	}
	for (int c = 0; c < s->n_cats; c++) {
		char key[32];

		snprintf(key, sizeof key, "category %d", c + 1);
		snprintf(v, sizeof v, "%.40s (%d)",
		    ds->category_name[s->cat[c]], s->cat_count[c]);
		if (table_begin_row(t) < 0 || table_cell_text(t, key) < 0 ||
		    table_cell_text(t, v) < 0)
			return table_fail(t, err);
	}
	return t;
}

rf_table *
explain_user_recs_table(const fusion *f, const explain_user_summary *s,
    rf_error *err)
{
	const dataset *ds = fusion_dataset(f);
	rf_table *t = table_new("recommendations");

	if (t == NULL || table_add_column(t, "rank", COL_INT) < 0 ||
	    table_add_column(t, "item", COL_TEXT) < 0 ||
	    table_add_column(t, "title", COL_TEXT) < 0 ||
	    table_add_column(t, "score", COL_REAL) < 0 ||
	    table_add_column(t, "why", COL_TEXT) < 0)
		return table_fail(t, err);
	for (int r = 0; r < s->n_recs; r++) {
		char title[256];

		explain_item_name(ds, s->items[r], title, sizeof title);
		if (table_begin_row(t) < 0 || table_cell_int(t, r + 1) < 0 ||
		    table_cell_text(t, ds && ds->item_ext ?
		    ds->item_ext[s->items[r]] : NULL) < 0 ||
		    table_cell_text(t, title) < 0 ||
		    table_cell_real(t, s->scores[r], 4) < 0 ||
		    table_cell_text(t, s->reason[r]) < 0)
			return table_fail(t, err);
	}
	return t;
}
