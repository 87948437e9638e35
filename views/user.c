/* user: the User screen: the picked user's history as a timeline (time
 * order, behaviours, the long gaps between events, and the items behind
 * the selected recommendation marked), the fused top-K with a stacked bar
 * per item splitting its score into each model's contribution, and why
 * the selected item is recommended, in sentences and numbers
 * (engine/explain.h).  With no user picked, the most active users to pick
 * from.  Picking runs `user ID`. */
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
/* A pause this long between two events (the usual cut between two
 * sessions of a click log) gets a line of its own on the timeline. */
#define UV_GAP_SECONDS (30 * 60)
#define UV_MARKS (FUSION_MAX_MODELS * EXPLAIN_MAX_TERMS)

struct hist_entry {
	int64_t ts;
	int64_t k;		/* entry in ds->all */
};

/* A line of the timeline: an entry, or the gap before it. */
struct hist_line {
	int entry;		/* in hist */
	int gap;		/* 1: the pause before the entry */
};

/* A history item the explanation names: the share of the fused score's
 * positive part it carries, and how much of it comes from each model. */
struct hist_mark {
	int item;
	double share;
	double by_model[FUSION_MAX_MODELS];
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
	struct hist_entry *hist;	/* oldest first */
	int n_hist;
	struct hist_line *lines;	/* the timeline */
	int n_lines;
	int year;			/* of every entry, or 0 */
	int behw;			/* the behaviours' column */
	fusion_preview recs;	/* the fused top UV_K */
	char error[256];
	/* The selected item and its explanation. */
	int sel;
	int explained;		/* item of ex, -1 none */
	explanation ex;
	char ex_error[256];
	struct hist_mark marks[UV_MARKS];	/* of ex */
	int n_marks;
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
		free(uv->lines);
	}
	free(uv);
	v->state = NULL;
}

static int
hist_oldest_first(const void *a, const void *b)
{
	const struct hist_entry *x = a, *y = b;

	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	return x->k < y->k ? -1 : x->k > y->k;
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

/* The local time of ts, without the year when year_known. */
static void
time_text(int64_t ts, int year_known, char *buf, size_t n)
{
	time_t t = (time_t)ts;
	struct tm tm;

	if (ts <= 0 || localtime_r(&t, &tm) == NULL)
		snprintf(buf, n, "-");
	else
		strftime(buf, n, year_known ? "%m-%d %H:%M" : "%Y-%m-%d %H:%M",
		    &tm);
}

/* The calendar year of ts in local time, or -1. */
static int
year_of(int64_t ts)
{
	time_t t = (time_t)ts;
	struct tm tm;

	if (ts <= 0 || localtime_r(&t, &tm) == NULL)
		return -1;
	return tm.tm_year + 1900;
}

/* The picked user's history in time order and its timeline: a gap line
 * before an entry that comes UV_GAP_SECONDS or more after the one before
 * (entries without a time get none). */
static void
load_history(struct user_view *uv, const dataset *ds, int u)
{
	const interactions *m = &ds->all;
	int64_t a, b;
	int k, n;

	free(uv->hist);
	free(uv->lines);
	uv->hist = NULL;
	uv->lines = NULL;
	uv->n_hist = uv->n_lines = uv->year = 0;
	if (u < 0)
		return;
	a = m->ptr[u];
	b = m->ptr[u + 1];
	n = (int)(b - a);
	uv->hist = malloc((size_t)(n + 1) * sizeof *uv->hist);
	uv->lines = malloc((size_t)(2 * n + 1) * sizeof *uv->lines);
	if (uv->hist == NULL || uv->lines == NULL) {
		free(uv->hist);
		free(uv->lines);
		uv->hist = NULL;
		uv->lines = NULL;
		return;
	}
	for (k = 0; k < n; k++) {
		uv->hist[k].ts = interactions_time(m, a + k);
		uv->hist[k].k = a + k;
	}
	uv->n_hist = n;
	qsort(uv->hist, (size_t)n, sizeof *uv->hist, hist_oldest_first);
	/* The behaviours' column as wide as the widest of them needs. */
	uv->behw = 6;
	for (k = 0; k < n; k++) {
		char beh[64];
		int bw;

		behaviour_text(ds, uv->hist[k].k, beh, sizeof beh);
		bw = utf8_width(beh) + 2;
		if (bw > uv->behw)
			uv->behw = bw < 18 ? bw : 18;
	}
	/* A history within one year says it once, in the heading. */
	uv->year = n > 0 && year_of(uv->hist[0].ts) == year_of(uv->hist[n -
	    1].ts) ? year_of(uv->hist[0].ts) : 0;
	if (uv->year < 0)
		uv->year = 0;
	for (k = 0; k < n; k++) {
		if (k > 0 && uv->hist[k - 1].ts > 0 &&
		    uv->hist[k].ts - uv->hist[k - 1].ts >= UV_GAP_SECONDS) {
			uv->lines[uv->n_lines].entry = k;
			uv->lines[uv->n_lines++].gap = 1;
		}
		uv->lines[uv->n_lines].entry = k;
		uv->lines[uv->n_lines++].gap = 0;
	}
}

/* Reload what depends on the user, the snapshot and the fusion. */
static void
user_update(struct view *v, const dataset *ds, const fusion *f,
    unsigned long generation, int u)
{
	struct user_view *uv = v->state;
	char settings[sizeof uv->settings];
	rf_error err = { { 0 } };

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
		load_history(uv, ds, u);
	}
	v->stale = 0;
	uv->ds = ds;
	uv->f = f;
	uv->user = u;
	uv->generation = generation;
	memcpy(uv->settings, settings, sizeof settings);
	uv->explained = -1;
	uv->n_marks = 0;
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

/*
 * The history items the explanation names, for the timeline: each model
 * that pushes the item up (a positive share of the fused score) splits
 * its share over the history items of its own reasons, in proportion to
 * their positive terms (item-kNN's similarities, EASE's weights, the
 * drops of a leave-one-out over a sequence).  An item's share is the sum
 * over the models; a model without such reasons (popularity) keeps its
 * share to itself.
 */
static void
explanation_marks(struct user_view *uv, const explanation *e)
{
	uv->n_marks = 0;
	for (int m = 0; m < e->n_models && m < FUSION_MAX_MODELS; m++) {
		const explain_model *em = &e->models[m];
		double pos = 0;

		if (!(em->share > 0))
			continue;
		for (int t = 0; t < em->n_terms; t++)
			if (em->terms[t].contribution > 0)
				pos += em->terms[t].contribution;
		if (!(pos > 0))
			continue;
		for (int t = 0; t < em->n_terms; t++) {
			const explain_reason *r = &em->terms[t];
			double part = em->share * r->contribution / pos;
			int k;

			if (!(r->contribution > 0))
				continue;
			for (k = 0; k < uv->n_marks &&
			    uv->marks[k].item != r->item; k++)
				;
			if (k == uv->n_marks) {
				if (k == UV_MARKS)
					continue;
				memset(&uv->marks[k], 0, sizeof uv->marks[k]);
				uv->marks[k].item = r->item;
				uv->n_marks++;
			}
			uv->marks[k].share += part;
			uv->marks[k].by_model[m] += part;
		}
	}
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
	uv->n_marks = 0;
	if (explain_item(uv->f, uv->user, uv->recs.items[uv->sel], 0, &uv->ex,
	    &err) < 0) {
		snprintf(uv->ex_error, sizeof uv->ex_error, "%.200s", err.msg);
		return NULL;
	}
	explanation_marks(uv, &uv->ex);
	return &uv->ex;
}

static const struct hist_mark *
find_mark(const struct user_view *uv, int item)
{
	for (int k = 0; k < uv->n_marks; k++)
		if (uv->marks[k].item == item)
			return &uv->marks[k];
	return NULL;
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

/* "3 days later": the pause of s seconds in the unit that reads best. */
static void
gap_text(int64_t s, char *buf, size_t n)
{
	static const struct {
		int64_t unit, below;
		const char *name;
	} units[] = {
		{ 60, 90 * 60, "minute" },
		{ 3600, 20 * 3600, "hour" },
		{ 86400, 14 * 86400, "day" },
		{ 7 * 86400, 61 * 86400, "week" },
		{ 2629746, 731 * 86400, "month" },	/* 30.44 days */
		{ 31556952, INT64_MAX, "year" },
	};
	size_t u;
	long long v;

	for (u = 0; u + 1 < sizeof units / sizeof units[0] &&
	    s >= units[u].below; u++)
		;
	v = llround((double)s / (double)units[u].unit);
	snprintf(buf, n, "%lld %s%s later", v, units[u].name,
	    v == 1 ? "" : "s");
}

/* An entry of the timeline: the mark (the explanation names it: >, or
 * *: in the test part, which the models do not know), when, what the
 * user did, the item, and (marked) the share it carries with a bar in
 * the models' colours or letters. */
static void
draw_history_entry(struct user_view *uv, WINDOW *win, int y, int x, int w,
    int e, int markw, double scale)
{
	int64_t k = uv->hist[e].k;
	/* the title's column: after the mark, the time, the behaviours */
	int timew = uv->year > 0 ? 11 : 16, tx = 2 + timew + 1 + uv->behw;
	int item = uv->ds->all.idx[k], n, titlew;
	const struct hist_mark *mk = find_mark(uv, item);
	char when[32], beh[64], title[256], letters[FUSION_MAX_MODELS];
	const char *names[FUSION_MAX_MODELS];

	time_text(uv->hist[e].ts, uv->year > 0, when, sizeof when);
	behaviour_text(uv->ds, k, beh, sizeof beh);
	explain_item_name(uv->ds, item, title, sizeof title);
	titlew = w - tx - (mk != NULL ? markw : 0);
	if (mk != NULL)
		draw_text(win, y, x, 2, color_attr(CR_LABEL) | A_BOLD,
		    widgets_unicode() ? "\xe2\x96\xb6" : ">");
	else if (uv->f != NULL && fusion_dataset(uv->f) == uv->ds &&
	    !interactions_contains(fusion_known(uv->f), uv->user, item))
		draw_text(win, y, x, 2, color_attr(CR_DIM), "*");
	draw_text(win, y, x + 2, timew, color_attr(CR_DIM), when);
	draw_text(win, y, x + tx - uv->behw, uv->behw - 1,
	    color_attr(CR_LABEL), beh);
	draw_text(win, y, x + tx, titlew, mk != NULL ? A_BOLD : 0, title);
	if (mk == NULL || markw == 0)
		return;
	n = fusion_n_models(uv->f);
	for (int m = 0; m < n; m++)
		names[m] = fusion_model_name(uv->f, m);
	contrib_letters(names, n, letters);
	draw_contrib_bar(win, y, x + w - markw + 1, markw - 6, mk->by_model,
	    letters, n, scale);
	draw_printf(win, y, x + w - 4, 4, 0, "%3.0f%%", mk->share);
}

/*
 * The history as a timeline in time order, from line first on (the whole
 * of it, scrolled, when open), or (first < 0) its newest lines with a
 * first line saying how many are earlier.  The items behind the selected
 * recommendation are marked with their share.
 */
static int
draw_history(struct user_view *uv, WINDOW *win, int y, int x, int w, int h,
    int first)
{
	const int unicode = widgets_unicode();
	int r = 0, body = h - 1, markw = uv->n_marks > 0 && w >= 60 ? 9 : 0;
	double scale = 0;
	char head[160], mark[32] = "", year[16] = "";

	if (h < 2)
		return 0;
	for (int k = 0; k < uv->n_marks; k++)
		if (uv->marks[k].share > scale)
			scale = uv->marks[k].share;
	if (uv->n_marks > 0)
		snprintf(mark, sizeof mark, "; %s behind #%d",
		    unicode ? "\xe2\x96\xb6" : ">", uv->sel + 1);
	if (uv->year > 0)
		snprintf(year, sizeof year, " in %d,", uv->year);
	snprintf(head, sizeof head, "History%s in time order%s%s", year, mark,
	    uv->hist_open ? " (j/k, Space/b, g/G; h or Esc: back)" :
	    " (h: all of it)");
	draw_heading(win, y, x, w, head);
	if (first < 0 && uv->n_lines > body && body < 2)
		first = uv->n_lines - body;	/* no room to say more */
	else if (first < 0 && uv->n_lines > body) {
		/* The newest lines, after one saying what is above. */
		int above, marked = 0;

		first = uv->n_lines - (body - 1);
		above = uv->lines[first].entry;
		for (int k = 0; k < uv->n_marks; k++) {
			/* before the first entry shown: an earlier one */
			struct hist_entry me;

			me.k = interactions_find(&uv->ds->all, uv->user,
			    uv->marks[k].item);
			if (me.k < 0)
				continue;
			me.ts = interactions_time(&uv->ds->all, me.k);
			marked += hist_oldest_first(&me, &uv->hist[above]) < 0;
		}
		if (marked > 0)
			draw_printf(win, y + 1, x + 2, w - 2,
			    color_attr(CR_DIM), "... %d earlier, %d of them "
			    "marked", above, marked);
		else
			draw_printf(win, y + 1, x + 2, w - 2,
			    color_attr(CR_DIM), "... %d earlier", above);
		r = 1;
	} else if (first < 0)
		first = 0;
	for (int l = first; l < uv->n_lines && r < body; l++, r++) {
		const struct hist_line *hl = &uv->lines[l];

		if (hl->gap) {
			char gap[64];

			gap_text(uv->hist[hl->entry].ts -
			    uv->hist[hl->entry - 1].ts, gap, sizeof gap);
			draw_printf(win, y + 1 + r, x + 2, w - 2,
			    color_attr(CR_DIM), unicode ?
			    "\xe2\x94\x80\xe2\x94\x80 %s \xe2\x94\x80\xe2\x94\x80" :
			    "-- %s --", gap);
		} else
			draw_history_entry(uv, win, y + 1 + r, x, w, hl->entry,
			    markw, scale);
	}
	uv->hist_rows = body;
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
	int h = getmaxy(win), w = getmaxx(win), u = -1, y, used, hh;
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
		char line[256];
		int n = snprintf(line, sizeof line, "User %s: ",
		    ds->user_ext[u]);

		if (n > 0 && (size_t)n < sizeof line)
			dataset_user_summary(ds, u, line + n,
			    sizeof line - (size_t)n);
		draw_heading(win, 0, 0, w, line);
	}
	y = 1;
	/* The explanation first: the timeline marks what it names. */
	user_explanation(uv);
	if (uv->hist_open) {
		/* The whole history, scrolled (opened at its newest). */
		if (uv->hist_top > uv->n_lines - (h - y - 1))
			uv->hist_top = uv->n_lines - (h - y - 1);
		if (uv->hist_top < 0)
			uv->hist_top = 0;
		draw_history(uv, win, y, 0, w, h - y, uv->hist_top);
		return;
	}
	if (w >= UV_WIDE) {
		int lw = w * 11 / 20, rx = lw + 2, rw = w - lw - 2;

		hh = uv->n_lines + 2 < (h - 1) / 2 ? uv->n_lines + 2 :
		    (h - 1) / 2;

		used = draw_history(uv, win, y, 0, lw, hh, -1);
		draw_recs(uv, win, y + used, 0, lw, h - y - used);
		draw_why(uv, win, y, rx, rw, h - y, 1);
		return;
	}
	if (uv->expanded) {
		used = draw_recs(uv, win, y, 0, w, 5);
		draw_why(uv, win, y + used, 0, w, h - y - used, 1);
		return;
	}
	/* The timeline's box: 6 lines, more on a tall terminal. */
	hh = h / 4 > 6 ? h / 4 : 6;
	used = draw_history(uv, win, y, 0, w, uv->n_lines + 2 < hh ?
	    uv->n_lines + 2 : hh, -1);
	y += used;
	used = draw_recs(uv, win, y, 0, w, h - y - 4);
	y += used;
	/* The hint on the last line, below the sentence, never over it. */
	draw_why(uv, win, y, 0, w, h - y >= 4 ? h - y - 1 : h - y, 0);
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
	uv->hist_top = uv->n_lines;	/* the newest at the bottom */
	return VIEW_HANDLED | VIEW_REDRAW;
}

static int
scroll_history(struct view *v, int key, int height, char *cmd, size_t n)
{
	struct user_view *uv = v->state;

	(void)cmd;
	(void)n;
	(void)height;
	uv->hist_top = view_scroll(uv->hist_top, key, uv->n_lines,
	    uv->hist_rows);
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
	    "the oldest or the newest of the history",
	    .action = scroll_history },
	{ "h/Esc", { 'h', 27 }, UV_HIST, "back", "back to the user",
	    .action = toggle_history },
	{ "u", { 'u', '/' }, 0, "user",
	    "pick a user: types `user ` in the console (/ too; Tab "
	    "completes ids)", .prompt = "user " },
	{ .label = NULL }
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
