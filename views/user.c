/* user: the User screen: the picked user's history (behaviour and time),
 * the fused top-K with a stacked bar per item splitting its score into
 * each model's contribution, and why the selected item is recommended,
 * in sentences and numbers (engine/explain.h).  With no user picked, the
 * most active users to pick from.  Picking runs `user ID`. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine/explain/explain.h"
#include "engine/fusion/fusion.h"
#include "engine/store/store.h"
#include "engine/store/summary.h"
#include "engine/core/utf8.h"
#include "engine/core/words.h"
#include "views/widgets/color.h"
#include "views/keymap.h"
#include "views/view.h"
#include "views/widgets/widgets.h"

#define UV_K 20			/* recommendations kept */
#define UV_LIST 50		/* users offered when none is picked */
#define UV_WIDE 110		/* from here the explanation sits beside */

struct hist_entry {
	int64_t ts;
	int64_t k;		/* entry in ds->all */
};

struct user_view {
	/* No user picked: the most active users (from the store). */
	rf_table *list;
	int list_sel;
	/* The picked user and what was computed for them. */
	const dataset *ds;
	const fusion *f;
	unsigned long generation;
	char settings[2048];
	int user;
	struct hist_entry *hist;
	int n_hist;
	fusion_preview recs;	/* the fused top UV_K */
	char error[256];
	/* The selected item and its explanation. */
	int sel;
	int explained;		/* item of ex, -1 none */
	explanation ex;
	char ex_error[256];
	int expanded;		/* Enter/e: the explanation in full */
	int why_top;		/* the first line of it shown (scrolled) */
	int why_lines, why_rows;	/* its lines, and the rows shown */
	int hist_open;		/* h: the whole history, scrolled */
	int hist_top, hist_rows;
};

/* The screen's modes: no user picked (the list to pick from), a user
 * with the short explanation, a user with the explanation in full, the
 * user's whole history. */
enum { UV_PICK = 1 << 0, UV_USER = 1 << 1, UV_FULL = 1 << 2,
	UV_HIST = 1 << 3 };

static int
user_open(struct view *v)
{
	struct user_view *uv = calloc(1, sizeof *uv);

	if (uv == NULL)
		return -1;
	uv->user = -1;
	uv->explained = -1;
	v->state = uv;
	v->stale = 1;
	return 0;
}

static void
user_close(struct view *v)
{
	struct user_view *uv = v->state;

	if (uv != NULL) {
		table_free(uv->list);
		free(uv->hist);
	}
	free(uv);
	v->state = NULL;
}

static int
hist_newest_first(const void *a, const void *b)
{
	const struct hist_entry *x = a, *y = b;

	if (x->ts != y->ts)
		return x->ts < y->ts ? 1 : -1;
	return x->k < y->k ? -1 : x->k > y->k;
}

/* Reload what depends on the user, the snapshot and the fusion. */
static void
user_update(struct view *v, const dataset *ds, const fusion *f,
    unsigned long generation, int u)
{
	struct user_view *uv = v->state;
	char settings[sizeof uv->settings];
	rf_error err = { { 0 } };
	int k;

	settings[0] = '\0';
	if (f != NULL)
		fusion_settings_format(fusion_get_settings(f), settings,
		    sizeof settings);
	if (!v->stale && uv->ds == ds && uv->f == f && uv->user == u &&
	    uv->generation == generation &&
	    strcmp(uv->settings, settings) == 0)
		return;
	if (uv->ds != ds || uv->user != u || v->stale) {
		uv->sel = 0;
		uv->expanded = 0;
		/* The history, newest first. */
		free(uv->hist);
		uv->hist = NULL;
		uv->n_hist = 0;
		if (u >= 0) {
			const interactions *m = &ds->all;
			int64_t a = m->ptr[u], b = m->ptr[u + 1];

			uv->hist = malloc((size_t)(b - a + 1) *
			    sizeof *uv->hist);
			for (k = 0; uv->hist != NULL && a + k < b; k++) {
				uv->hist[k].ts = m->ts[a + k];
				uv->hist[k].k = a + k;
			}
			if (uv->hist != NULL) {
				uv->n_hist = (int)(b - a);
				qsort(uv->hist, (size_t)uv->n_hist,
				    sizeof *uv->hist, hist_newest_first);
			}
		}
	}
	v->stale = 0;
	uv->ds = ds;
	uv->f = f;
	uv->user = u;
	uv->generation = generation;
	memcpy(uv->settings, settings, sizeof settings);
	uv->explained = -1;
	uv->error[0] = '\0';
	uv->recs.n = 0;
	if (f == NULL || u < 0)
		return;
	if (fusion_dataset(f) != ds) {
		snprintf(uv->error, sizeof uv->error, "the fusion is over an "
		    "older snapshot: `fuse weighted` rebuilds it");
		return;
	}
	/* From the user's block, scored once for the user (shared with
	 * the Fusion screen's preview). */
	if (workbench_fusion_preview(v->env->wb, u, UV_K, &uv->recs, &err) <
	    0) {
		uv->recs.n = 0;
		snprintf(uv->error, sizeof uv->error, "%.200s", err.msg);
		return;
	}
	if (uv->sel >= uv->recs.n)
		uv->sel = uv->recs.n > 0 ? uv->recs.n - 1 : 0;
}

/* The explanation of the selected item, computed once per selection. */
static const explanation *
user_explanation(struct user_view *uv)
{
	rf_error err = { { 0 } };

	if (uv->f == NULL || uv->recs.n == 0)
		return NULL;
	if (uv->explained == uv->recs.items[uv->sel])
		return uv->ex_error[0] ? NULL : &uv->ex;
	uv->explained = uv->recs.items[uv->sel];
	uv->ex_error[0] = '\0';
	if (explain_item(uv->f, uv->user, uv->recs.items[uv->sel], 0, &uv->ex,
	    &err) < 0) {
		snprintf(uv->ex_error, sizeof uv->ex_error, "%.200s", err.msg);
		return NULL;
	}
	return &uv->ex;
}

/* Word-wrap text into at most max lines of width columns from (y, x). */
static int
draw_wrapped(WINDOW *win, int y, int x, int width, int max, int attr,
    const char *text)
{
	char line[1024];
	int lines = 0;

	while (lines < max && width > 8) {
		size_t fit;

		while (*text == ' ')
			text++;
		if (*text == '\0')
			break;
		fit = utf8_wrap(text, width);
		if (lines == max - 1 && text[fit] != '\0')
			fit = strlen(text);	/* the last line: cut by draw */
		if (fit >= sizeof line)
			fit = sizeof line - 1;
		memcpy(line, text, fit);
		line[fit] = '\0';
		draw_text(win, y + lines, x, width, attr, line);
		text += fit;
		lines++;
	}
	return lines;
}

/* "pv,cart,buy" or "rated 4" for a history entry. */
static void
behaviour_text(const dataset *ds, int64_t k, char *buf, size_t n)
{
	uint8_t bits = ds->all.beh[k];
	size_t used = 0;
	int b;

	buf[0] = '\0';
	if (bits & (1u << BEH_RATING)) {
		snprintf(buf, n, "rated %g", (double)ds->all.val[k]);
		return;
	}
	for (b = 0; b < BEH_COUNT && used < n; b++) {
		const char *name = store_behavior_name(b);

		if ((bits & (1u << b)) && name != NULL)
			used += (size_t)snprintf(buf + used, n - used, "%s%s",
			    used ? "," : "", name);
	}
}

static void
time_text(int64_t ts, char *buf, size_t n)
{
	time_t t = (time_t)ts;
	struct tm tm;

	if (ts <= 0 || localtime_r(&t, &tm) == NULL)
		snprintf(buf, n, "-");
	else
		strftime(buf, n, "%Y-%m-%d %H:%M", &tm);
}

/* The history from entry first on (the whole of it when scrolled). */
static int
draw_history(struct user_view *uv, WINDOW *win, int y, int x, int w, int h,
    int first)
{
	int r;

	if (h < 2)
		return 0;
	draw_heading(win, y, x, w, first > 0 || uv->hist_open ?
	    "History, newest first (j/k, Space/b scroll; h or Esc: back)" :
	    "History, newest first (h: all of it)");
	for (r = 0; first + r < uv->n_hist && r + 1 < h; r++) {
		int64_t k = uv->hist[first + r].k;
		char when[32], beh[64], title[256];

		time_text(uv->hist[first + r].ts, when, sizeof when);
		behaviour_text(uv->ds, k, beh, sizeof beh);
		explain_item_name(uv->ds, uv->ds->all.idx[k], title,
		    sizeof title);
		draw_text(win, y + 1 + r, x, 17, color_attr(CR_DIM), when);
		draw_text(win, y + 1 + r, x + 17, 13, color_attr(CR_LABEL),
		    beh);
		draw_text(win, y + 1 + r, x + 30, w - 30, 0, title);
	}
	if (first + r < uv->n_hist && h > 2) {
		/* Say what did not fit on the last line. */
		r--;
		draw_fill(win, y + 1 + r, x, w, 0);
		draw_printf(win, y + 1 + r, x, w, color_attr(CR_DIM),
		    "... %d more (h: all of it)", uv->n_hist - first - r);
		r++;
	}
	uv->hist_rows = r;
	return 1 + r;
}

static int
draw_recs(struct user_view *uv, WINDOW *win, int y, int x, int w, int h)
{
	const fusion *f = uv->f;
	const char *names[FUSION_MAX_MODELS];
	char letters[FUSION_MAX_MODELS], head[64];
	double scale = 0;
	int n, m, k, first, rows, barw, titlew, held, any_held = 0;

	if (h < 2)
		return 0;
	if (f == NULL) {
		draw_heading(win, y, x, w, "Recommended");
		draw_text(win, y + 1, x, w, color_attr(CR_DIM),
		    "no fusion: train two models, then `fuse weighted`");
		return 2;
	}
	n = fusion_n_models(f);
	for (m = 0; m < n; m++)
		names[m] = fusion_model_name(f, m);
	contrib_letters(names, n, letters);
	snprintf(head, sizeof head, "Recommended (fused top %d)", uv->recs.n);
	draw_heading(win, y, x, w, head);
	if (uv->error[0] != '\0') {
		draw_text(win, y + 1, x, w, color_attr(CR_ERROR), uv->error);
		return 2;
	}
	if (uv->recs.n == 0) {
		draw_text(win, y + 1, x, w, color_attr(CR_DIM),
		    "nothing to recommend");
		return 2;
	}
	for (k = 0; k < uv->recs.n; k++) {
		double s = 0;

		for (m = 0; m < n; m++)
			s += fabs(uv->recs.contrib[k][m]);
		if (s > scale)
			scale = s;
	}
	/* The legend takes the last line when there is room for it. */
	rows = h - 1;
	if (rows > uv->recs.n + 1)
		rows = uv->recs.n + 1;
	if (rows > 3)
		rows--;
	else
		rows = rows < uv->recs.n ? rows : uv->recs.n;
	if (rows > uv->recs.n)
		rows = uv->recs.n;
	first = uv->sel - rows / 2;
	if (first > uv->recs.n - rows)
		first = uv->recs.n - rows;
	if (first < 0)
		first = 0;
	barw = w >= 60 ? w / 3 : 10;
	titlew = w - 4 - 8 - barw - 1;
	for (k = first; k < first + rows; k++) {
		int row = y + 1 + (k - first), sel = k == uv->sel;
		char title[256];

		/* An item the user has in the held-out test part (the
		 * history shows it; the lists leave out only what is known
		 * before the test): a hit, marked. */
		held = interactions_contains(&uv->ds->all, uv->user,
		    uv->recs.items[k]);
		any_held |= held;
		title[0] = held ? '*' : ' ';
		title[1] = ' ';
		explain_item_name(uv->ds, uv->recs.items[k], title + 2,
		    sizeof title - 2);
		if (sel)
			draw_fill(win, row, x, 4 + titlew,
			    color_attr(CR_SELECTED));
		draw_printf(win, row, x, 4, sel ? color_attr(CR_SELECTED) :
		    color_attr(CR_DIM), "%3d ", k + 1);
		draw_text(win, row, x + 3, titlew, sel ?
		    color_attr(CR_SELECTED) : 0, title);
		draw_printf(win, row, x + 4 + titlew, 8, 0, "%7.3f",
		    (double)uv->recs.scores[k]);
		draw_contrib_bar(win, row, x + 4 + titlew + 8, barw,
		    uv->recs.contrib[k], letters, n, scale);
	}
	if (rows < h - 1) {
		int used = draw_text(win, y + 1 + rows, x + 4, w - 4,
		    color_attr(CR_DIM), "bars: ");

		used += draw_contrib_legend(win, y + 1 + rows, x + 4 + used,
		    w - 4 - used, names, letters, n);
		if (any_held)
			draw_text(win, y + 1 + rows, x + 4 + used, w - 4 -
			    used, color_attr(CR_DIM), "  * in the test part");
		return rows + 2;
	}
	return rows + 1;
}

/* One line of the explanation in full: its text, attributes, indent. */
struct why_line {
	char text[320];
	int attr, indent, model;	/* model >= 0: a model's name first */
};

/* The explanation in full as lines wrapped to width w (at most max):
 * each model's share, score, rank and own reasons, after the sentence.
 * Returns the count. */
static int
why_lines(struct user_view *uv, const explanation *e, int w,
    struct why_line *out, int max)
{
	const char *s = e->sentence;
	int n = 0;

	while (*s != '\0' && n < max && w > 8) {
		size_t fit;

		while (*s == ' ')
			s++;
		if (*s == '\0')
			break;
		fit = utf8_wrap(s, w);
		if (fit >= sizeof out[n].text)
			fit = sizeof out[n].text - 1;
		memcpy(out[n].text, s, fit);
		out[n].text[fit] = '\0';
		out[n].attr = 0;
		out[n].indent = 0;
		out[n++].model = -1;
		s += fit;
	}
	if (n < max) {
		if (e->base != 0)
			snprintf(out[n].text, sizeof out[n].text, "fused %.3f "
			    "= base %.3f + the terms below; rank %d of %d "
			    "candidates", e->fused, e->base, e->fused_rank,
			    e->pool_len);
		else
			snprintf(out[n].text, sizeof out[n].text, "fused %.3f "
			    "= the sum of the terms below; rank %d of %d "
			    "candidates", e->fused, e->fused_rank, e->pool_len);
		out[n].attr = color_attr(CR_DIM);
		out[n].indent = 0;
		out[n++].model = -1;
	}
	for (int m = 0; m < e->n_models && n < max; m++) {
		const explain_model *em = &e->models[m];

		snprintf(out[n].text, sizeof out[n].text, "%5.1f%%  %+.3f  "
		    "score %.4g  rank %d", em->share, em->contribution,
		    em->score, em->rank);
		out[n].attr = 0;
		out[n].indent = 10;
		out[n++].model = m;
		for (int t = 0; t < em->n_terms && n < max; t++) {
			const explain_reason *r = &em->terms[t];
			char name[256];

			explain_item_name(uv->ds, r->item, name, sizeof name);
			snprintf(out[n].text, sizeof out[n].text, "%s %s  "
			    "(weight %.3g, %+.3g)",
			    explain_behavior_verb(r->beh), name, r->weight,
			    r->contribution);
			out[n].attr = color_attr(CR_DIM);
			out[n].indent = 2;
			out[n++].model = -1;
		}
		if (em->n_terms == 0 && em->note[0] != '\0' && n < max) {
			snprintf(out[n].text, sizeof out[n].text, "%s",
			    em->note);
			out[n].attr = color_attr(CR_DIM);
			out[n].indent = 2;
			out[n++].model = -1;
		}
	}
	return n;
}

#define UV_WHY_LINES 200

/* The explanation: the sentence, then (full) each model's share, score,
 * rank and own reasons, scrolled from uv->why_top (Space/b, J/K) with a
 * last line saying what is below. */
static void
draw_why(struct user_view *uv, WINDOW *win, int y, int x, int w, int h,
    int full)
{
	const explanation *e;
	struct why_line *lines;
	char head[300], title[256];
	int row = y, n, body, k;

	if (h < 2 || uv->f == NULL || uv->recs.n == 0)
		return;
	e = user_explanation(uv);
	explain_item_name(uv->ds, uv->recs.items[uv->sel], title, sizeof title);
	snprintf(head, sizeof head, "Why #%d %s", uv->sel + 1, title);
	draw_heading(win, row++, x, w, head);
	if (e == NULL) {
		draw_text(win, row, x, w, color_attr(CR_ERROR), uv->ex_error);
		return;
	}
	if (!full) {
		draw_wrapped(win, row, x, w, h - 1, 0, e->sentence);
		return;
	}
	if ((lines = malloc(UV_WHY_LINES * sizeof *lines)) == NULL) {
		draw_text(win, row, x, w, color_attr(CR_ERROR),
		    "out of memory");
		return;
	}
	n = why_lines(uv, e, w, lines, UV_WHY_LINES);
	body = h - 1;
	if (uv->why_top > n - body)
		uv->why_top = n - body;
	if (uv->why_top < 0)
		uv->why_top = 0;
	uv->why_lines = n;
	uv->why_rows = body;
	for (k = uv->why_top; k < n && row < y + h; k++, row++) {
		const struct why_line *l = &lines[k];

		/* The last row, when more is below, says so. */
		if (row == y + h - 1 && k < n - 1) {
			draw_printf(win, row, x, w, color_attr(CR_LABEL),
			    "-- %d more line%s: Space/b or J/K scroll --",
			    n - k, n - k == 1 ? "" : "s");
			break;
		}
		if (l->model >= 0)
			draw_printf(win, row, x, 10, color_attr(CR_MODEL(
			    l->model)) | color_attr(CR_LABEL), "%-9s",
			    e->models[l->model].name);
		draw_text(win, row, x + l->indent, w - l->indent, l->attr,
		    l->text);
	}
	free(lines);
}

static void
draw_pick_list(struct view *v, WINDOW *win, const char *why)
{
	struct user_view *uv = v->state;
	int w = getmaxx(win), h = getmaxy(win), first, rows, i, r, n = 0;
	/* user, events, then pv fav cart buy rating event (as on Data). */
	static const int order[] = { 0, 1, 3, 4, 5, 6, 2, 7 };
	int cols[8];
	rf_error err = { { 0 } };
	store *st = v->env->wb ? workbench_store(v->env->wb) : NULL;

	if (v->stale || uv->list == NULL) {
		table_free(uv->list);
		uv->list = st ? store_top_users(st, UV_LIST, &err) : NULL;
		v->stale = 0;
	}
	draw_heading(win, 0, 0, w, "User");
	draw_text(win, 1, 1, w - 1, color_attr(CR_DIM), why);
	if (uv->list == NULL || uv->list->nrows == 0) {
		draw_text(win, 3, 1, w - 1, 0, "No users yet: import a "
		    "behaviour log first (1: Data).");
		return;
	}
	if (uv->list_sel >= uv->list->nrows)
		uv->list_sel = uv->list->nrows - 1;
	draw_heading(win, 3, 0, w, "Most active users (j/k, Enter picks)");
	rows = h - 5;
	first = uv->list_sel - rows + 1;
	if (first < 0)
		first = 0;
	/* Only the behaviours the data have: no column of zeros for
	 * ratings in a click log, nor for pv in a ratings one. */
	for (i = 0; i < 8; i++) {
		int c = order[i], any = c < 2;

		if (c >= uv->list->ncols)
			continue;
		for (r = 0; r < uv->list->nrows && !any; r++) {
			const char *cell = table_get(uv->list, r, c);

			any = cell != NULL && strcmp(cell, "0") != 0;
		}
		if (any)
			cols[n++] = c;
	}
	draw_table(win, 4, 1, h - 4, w - 1, uv->list, cols, n, first,
	    uv->list_sel);
}

static void
user_draw(struct view *v, WINDOW *win)
{
	struct user_view *uv = v->state;
	workbench *wb = v->env->wb;
	const dataset *ds = wb ? workbench_dataset_peek(wb) : NULL;
	const fusion *f = wb ? workbench_fusion_peek(wb) : NULL;
	const fusion_live *live = wb ? workbench_fusion_live(wb) : NULL;
	int h = getmaxy(win), w = getmaxx(win), u = -1, y, used;
	const char *why = "Pick a user: u (or /) types `user ` in the console,"
	    " Tab completes ids.";

	uv->why_rows = 0;	/* set again when it is drawn in full */
	if (v->env->user[0] != '\0' && ds != NULL)
		u = dataset_user_index(ds, v->env->user);
	if (u < 0) {
		if (v->env->user[0] != '\0')
			why = "The picked user is not in the data any more: "
			    "pick another (u).";
		draw_pick_list(v, win, why);
		return;
	}
	user_update(v, ds, f, live ? live->generation : 0, u);
	{
		/* Events as the Data screen counts them (its top users):
		 * all of them and per behaviour, then the distinct items. */
		static const int feat[][2] = { { BEH_PV, UF_LOG_VIEWS },
		    { BEH_FAV, UF_LOG_FAVS }, { BEH_CART, UF_LOG_CARTS },
		    { BEH_BUY, UF_LOG_BUYS } };
		const float *uf = ds->user_features != NULL ?
		    ds->user_features + (size_t)u * UF_COUNT : NULL;
		char line[256];
		size_t n;
		int listed = 0;

		n = (size_t)snprintf(line, sizeof line, "User %s: ",
		    ds->user_ext[u]);
		if (uf != NULL) {
			n += (size_t)snprintf(line + n, sizeof line - n,
			    "%.0f events", expm1((double)uf[UF_LOG_EVENTS]));
			for (size_t b = 0; b < sizeof feat / sizeof feat[0] &&
			    n < sizeof line; b++) {
				double c = expm1((double)uf[feat[b][1]]);

				if (c < 0.5 || store_behavior_name(feat[b][0]) ==
				    NULL)
					continue;
				n += (size_t)snprintf(line + n, sizeof line - n,
				    "%s%.0f %s", listed++ ? ", " : " (", c,
				    store_behavior_name(feat[b][0]));
			}
			if (listed && n < sizeof line)
				n += (size_t)snprintf(line + n, sizeof line - n,
				    ")");
			if (n < sizeof line)
				n += (size_t)snprintf(line + n, sizeof line - n,
				    " on ");
		}
		if (n < sizeof line)
			snprintf(line + n, sizeof line - n, "%d item%s",
			    uv->n_hist, uv->n_hist == 1 ? "" : "s");
		draw_heading(win, 0, 0, w, line);
	}
	y = 1;
	if (uv->hist_open) {
		/* The whole history, scrolled. */
		if (uv->hist_top > uv->n_hist - (h - 2))
			uv->hist_top = uv->n_hist - (h - 2);
		if (uv->hist_top < 0)
			uv->hist_top = 0;
		draw_history(uv, win, y, 0, w, h - y, uv->hist_top);
		return;
	}
	if (w >= UV_WIDE) {
		int lw = w * 11 / 20, rx = lw + 2, rw = w - lw - 2;
		int hh = uv->n_hist + 2 < (h - 1) / 2 ? uv->n_hist + 2 :
		    (h - 1) / 2;

		used = draw_history(uv, win, y, 0, lw, hh, 0);
		draw_recs(uv, win, y + used, 0, lw, h - y - used);
		draw_why(uv, win, y, rx, rw, h - y, 1);
		return;
	}
	if (uv->expanded) {
		used = draw_recs(uv, win, y, 0, w, 5);
		draw_why(uv, win, y + used, 0, w, h - y - used, 1);
		return;
	}
	used = draw_history(uv, win, y, 0, w, uv->n_hist + 2 < 6 ?
	    uv->n_hist + 2 : 6, 0);
	y += used;
	used = draw_recs(uv, win, y, 0, w, h - y - 4);
	y += used;
	draw_why(uv, win, y, 0, w, h - y, 0);
	if (h - y >= 4)
		draw_text(win, h - 1, 0, w, color_attr(CR_DIM),
		    "Enter or e: the explanation in full");
}

static unsigned
user_mode(struct view *v)
{
	struct user_view *uv = v->state;

	if (uv->user < 0 || v->env->user[0] == '\0' || uv->ds == NULL ||
	    uv->ds != workbench_dataset_peek(v->env->wb))
		return UV_PICK;
	if (uv->hist_open)
		return UV_HIST;
	/* The explanation in full beside the list on a wide screen. */
	return uv->expanded || uv->why_rows > 0 ? UV_FULL : UV_USER;
}

/* The list: j/k move, Enter picks (`user ID`). */
static int
list_key(struct view *v, int key, int height, char *cmd, size_t n)
{
	struct user_view *uv = v->state;
	int rows = uv->list ? uv->list->nrows : 0;
	const char *id;
	char word[200];

	(void)height;
	if (key == 'j' || key == KEY_DOWN) {
		if (uv->list_sel + 1 < rows)
			uv->list_sel++;
		return VIEW_HANDLED | VIEW_REDRAW;
	}
	if (key == 'k' || key == KEY_UP) {
		if (uv->list_sel > 0)
			uv->list_sel--;
		return VIEW_HANDLED | VIEW_REDRAW;
	}
	if (rows == 0 || (id = table_get(uv->list, uv->list_sel, 0)) == NULL ||
	    words_quote(id, word, sizeof word) == NULL)
		return VIEW_HANDLED;
	snprintf(cmd, n, "user %s", word);
	return VIEW_HANDLED | VIEW_REDRAW;
}

/* The recommendations: j/k, g/G move the selected item. */
static int
select_item(struct view *v, int key, int height, char *cmd, size_t n)
{
	struct user_view *uv = v->state;

	(void)height;
	(void)cmd;
	(void)n;
	if ((key == 'j' || key == KEY_DOWN) && uv->sel + 1 < uv->recs.n)
		uv->sel++;
	else if ((key == 'k' || key == KEY_UP) && uv->sel > 0)
		uv->sel--;
	else if (key == 'g' || key == KEY_HOME)
		uv->sel = 0;
	else if (key == 'G' || key == KEY_END)
		uv->sel = uv->recs.n > 0 ? uv->recs.n - 1 : 0;
	uv->why_top = 0;
	return VIEW_HANDLED | VIEW_REDRAW;
}

/* Enter/e: the explanation in full or short; Esc: short. */
static int
toggle_full(struct view *v, int key, int height, char *cmd, size_t n)
{
	struct user_view *uv = v->state;

	(void)height;
	(void)cmd;
	(void)n;
	uv->expanded = key == 27 ? 0 : !uv->expanded;
	uv->why_top = 0;
	uv->why_rows = 0;
	return VIEW_HANDLED | VIEW_REDRAW;
}

/* Space/b, J/K: the explanation scrolls. */
static int
scroll_why(struct view *v, int key, int height, char *cmd, size_t n)
{
	struct user_view *uv = v->state;

	(void)height;
	(void)cmd;
	(void)n;
	uv->why_top = view_scroll(uv->why_top, key, uv->why_lines,
	    uv->why_rows);
	return VIEW_HANDLED | VIEW_REDRAW;
}

/* h: the whole history (again, or Esc: back). */
static int
toggle_history(struct view *v, int key, int height, char *cmd, size_t n)
{
	struct user_view *uv = v->state;

	(void)height;
	(void)cmd;
	(void)n;
	uv->hist_open = key == 27 ? 0 : !uv->hist_open;
	uv->hist_top = 0;
	return VIEW_HANDLED | VIEW_REDRAW;
}

static int
scroll_history(struct view *v, int key, int height, char *cmd, size_t n)
{
	struct user_view *uv = v->state;

	(void)cmd;
	(void)n;
	uv->hist_top = view_scroll(uv->hist_top, key, uv->n_hist, height - 3);
	return VIEW_HANDLED | VIEW_REDRAW;
}

static const struct view_key user_keys[] = {
	{ "j/k", { 'j', 'k', KEY_DOWN, KEY_UP }, UV_PICK, "select",
	    "the next or the previous user of the list", .action = list_key },
	{ "Enter", { '\r', '\n', KEY_ENTER }, UV_PICK, "pick",
	    "pick the user (`user ID`)", .action = list_key },
	{ "j/k", { 'j', 'k', KEY_DOWN, KEY_UP }, UV_USER | UV_FULL, "item",
	    "the next or the previous recommended item",
	    .action = select_item },
	{ "g/G", { 'g', 'G', KEY_HOME, KEY_END }, UV_USER | UV_FULL, NULL,
	    "the first or the last recommended item", .action = select_item },
	{ "Enter/e", { '\r', '\n', KEY_ENTER, 'e' }, UV_USER | UV_FULL, "why",
	    "why the item is recommended, in full (again: short)",
	    .action = toggle_full },
	{ "Space/b", { ' ', 'b', KEY_NPAGE, KEY_PPAGE }, UV_FULL, "scroll",
	    "scroll the explanation a page down or up",
	    .action = scroll_why },
	{ "J/K", { 'J', 'K' }, UV_FULL, NULL,
	    "scroll the explanation a line down or up",
	    .action = scroll_why },
	{ "Esc", { 27 }, UV_FULL, NULL, "the short explanation again",
	    .action = toggle_full },
	{ "h", { 'h' }, UV_USER | UV_FULL, "history",
	    "the whole history, scrolled (h or Esc: back)",
	    .action = toggle_history },
	{ "j/k", { 'j', 'k', KEY_DOWN, KEY_UP }, UV_HIST, "scroll",
	    "scroll the history a line down or up",
	    .action = scroll_history },
	{ "Space/b", { ' ', 'b', KEY_NPAGE, KEY_PPAGE }, UV_HIST, NULL,
	    "scroll the history a page down or up",
	    .action = scroll_history },
	{ "g/G", { 'g', 'G', KEY_HOME, KEY_END }, UV_HIST, NULL,
	    "the newest or the oldest of the history",
	    .action = scroll_history },
	{ "h/Esc", { 'h', 27 }, UV_HIST, "back", "back to the user",
	    .action = toggle_history },
	{ "u", { 'u', '/' }, 0, "user",
	    "pick a user: types `user ` in the console (/ too; Tab "
	    "completes ids)", .prompt = "user " },
	{ NULL }
};

const struct view_ops view_user_ops = {
	.name = "user",
	.title = "User",
	.key = '4',
	.keymap = user_keys,
	.mode = user_mode,
	.open = user_open,
	.close = user_close,
	.draw = user_draw,
};
