/* data: the Data screen: what was imported, the behaviour funnel
 * (pv -> fav/cart -> buy), events over time as a column chart, the
 * busiest users and items, and the rows the import rejected.  Everything
 * comes from the store's summary queries; the ones that scan the events
 * (activity, top users and items) are kept until the data change. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/store/store.h"
#include "engine/store/summary.h"
#include "engine/core/table.h"
#include "engine/core/utf8.h"
#include "views/widgets/color.h"
#include "views/view.h"
#include "views/widgets/widgets.h"

#define DATA_TOP_MAX 10
/* Buckets of the activity chart at most (store_activity picks day, week,
 * month or year); a narrow chart averages neighbours. */
#define DATA_ACTIVITY_BUCKETS 60

struct data_view {
	rf_table *stats, *imports, *users, *items, *rejects, *activity;
	/* What the scanned tables were made from: events and imports as
	 * the stats said (events only ever change through an import). */
	int64_t scanned_events, scanned_imports;
	char error[1024];
	int scroll;
	int content_height;
};

/* The tables that cost a scan of the events. */
static void
data_drop_scans(struct data_view *dv)
{
	table_free(dv->users);
	table_free(dv->items);
	table_free(dv->activity);
	dv->users = dv->items = dv->activity = NULL;
}

static void
data_drop(struct data_view *dv)
{
	table_free(dv->stats);
	table_free(dv->imports);
	table_free(dv->rejects);
	dv->stats = dv->imports = dv->rejects = NULL;
	dv->error[0] = '\0';
}

/* Cut the paths in column col of t (our copy) to their last part. */
static void
base_names(rf_table *t, int col)
{
	int r;

	if (t == NULL || col >= t->ncols)
		return;
	for (r = 0; r < t->nrows; r++) {
		char *cell = t->cells[r * t->ncols + col];
		char *slash = cell ? strrchr(cell, '/') : NULL;

		if (slash != NULL && slash[1] != '\0')
			memmove(cell, slash + 1, strlen(slash + 1) + 1);
	}
}

static int64_t stat_count(const rf_table *t, const char *key);

static void
data_load(struct view *v)
{
	struct data_view *dv = v->state;
	store *st = v->env->wb ? workbench_store(v->env->wb) : NULL;
	rf_error err = { { 0 } };

	data_drop(dv);
	v->stale = 0;
	if (st == NULL) {
		data_drop_scans(dv);
		snprintf(dv->error, sizeof dv->error, "no store is open");
		return;
	}
	/* Views reload after every command that may write and after each
	 * training run: the stats come from the imports rows and cost
	 * nothing, the scans only when the data changed. */
	if ((dv->stats = store_stats(st, &err)) == NULL ||
	    (dv->imports = store_imports(st, &err)) == NULL ||
	    (dv->rejects = store_rejects(st, 200, &err)) == NULL) {
		data_drop_scans(dv);
		snprintf(dv->error, sizeof dv->error, "%s", err.msg);
		return;
	}
	if (dv->users == NULL || dv->items == NULL || dv->activity == NULL ||
	    dv->scanned_events != stat_count(dv->stats, "events") ||
	    dv->scanned_imports != stat_count(dv->stats, "imports")) {
		data_drop_scans(dv);
		if ((dv->users = store_top_users(st, DATA_TOP_MAX, &err)) ==
		    NULL ||
		    (dv->items = store_top_items(st, DATA_TOP_MAX, &err)) ==
		    NULL ||
		    (dv->activity = store_activity(st, DATA_ACTIVITY_BUCKETS,
		    &err)) == NULL) {
			data_drop_scans(dv);
			snprintf(dv->error, sizeof dv->error, "%s", err.msg);
			return;
		}
		dv->scanned_events = stat_count(dv->stats, "events");
		dv->scanned_imports = stat_count(dv->stats, "imports");
	}
	/* The file name says which import it was; the folder only takes
	 * the room of the numbers. */
	base_names(dv->imports, 3);
	base_names(dv->rejects, 1);
}

static int
data_open(struct view *v)
{
	if ((v->state = calloc(1, sizeof(struct data_view))) == NULL)
		return -1;
	v->stale = 1;
	return 0;
}

static void
data_close(struct view *v)
{
	if (v->state != NULL) {
		data_drop(v->state);
		data_drop_scans(v->state);
	}
	free(v->state);
	v->state = NULL;
}

/* The value of a key in the key/value stats table, or NULL. */
static const char *
stat_value(const rf_table *t, const char *key)
{
	int r;

	for (r = 0; t != NULL && r < t->nrows; r++) {
		const char *k = table_get(t, r, 0);

		if (k != NULL && strcmp(k, key) == 0)
			return table_get(t, r, 1);
	}
	return NULL;
}

static int64_t
stat_count(const rf_table *t, const char *key)
{
	const char *v = stat_value(t, key);

	return v ? strtoll(v, NULL, 10) : 0;
}

/* 1234567 -> "1,234,567": counts are read at a glance. */
static void
group_digits(char *buf, size_t n, int64_t v)
{
	char raw[32];
	size_t len, i, o = 0;

	snprintf(raw, sizeof raw, "%" PRId64, v < 0 ? -v : v);
	len = strlen(raw);
	if (v < 0 && o + 1 < n)
		buf[o++] = '-';
	for (i = 0; i < len && o + 2 < n; i++) {
		if (i > 0 && (len - i) % 3 == 0)
			buf[o++] = ',';
		buf[o++] = raw[i];
	}
	buf[o] = '\0';
}

/* Lines drawn relative to the scrolled top; y is the content line. */
struct page {
	WINDOW *win;
	int scroll;
};

static int
row_of(const struct page *p, int y)
{
	return y - p->scroll;
}

static int
draw_summary(const struct page *p, int y, int x, int w, const rf_table *st)
{
	static const char *const keys[] = { "events", "users", "items",
		"density", "time span" };
	const char *first = stat_value(st, "first event");
	const char *last = stat_value(st, "last event");
	int i, lines = 1;

	draw_heading(p->win, row_of(p, y), x, w, "Summary");
	for (i = 0; i < 5; i++) {
		const char *v = stat_value(st, keys[i]);
		char num[32];

		if (v == NULL)
			continue;
		if (i < 3) {
			group_digits(num, sizeof num, strtoll(v, NULL, 10));
			v = num;
		}
		draw_text(p->win, row_of(p, y + lines), x, 10,
		    color_attr(CR_LABEL), keys[i]);
		draw_text(p->win, row_of(p, y + lines), x + 10, w - 10, 0, v);
		lines++;
	}
	if (first != NULL && last != NULL) {
		/* "2017-11-25 .. 2017-12-03": the dates carry the span. */
		draw_text(p->win, row_of(p, y + lines), x, 10,
		    color_attr(CR_LABEL), "period");
		draw_printf(p->win, row_of(p, y + lines), x + 10, w - 10, 0,
		    "%.10s .. %.10s", first, last);
		lines++;
	}
	return lines;
}

static int
draw_funnel(const struct page *p, int y, int x, int w, const rf_table *st)
{
	static const struct {
		const char *key, *label;
		enum color_role role;
	} steps[] = {
		{ "behaviour pv", "pv", CR_BAR_PV },
		{ "behaviour fav", "fav", CR_BAR_FAV },
		{ "behaviour cart", "cart", CR_BAR_CART },
		{ "behaviour buy", "buy", CR_BAR_BUY },
		{ "behaviour event", "event", CR_BAR },
		{ "behaviour rating", "rating", CR_BAR },
	};
	int64_t counts[6], top = 0, pv;
	int i, lines = 1, numw = 0;

	draw_heading(p->win, row_of(p, y), x, w, "Behaviour funnel");
	for (i = 0; i < 6; i++) {
		char num[32];

		counts[i] = stat_count(st, steps[i].key);
		if (counts[i] > top)
			top = counts[i];
		group_digits(num, sizeof num, counts[i]);
		if (counts[i] > 0 && utf8_width(num) > numw)
			numw = utf8_width(num);
	}
	if (top == 0) {
		draw_text(p->win, row_of(p, y + 1), x, w, color_attr(CR_DIM),
		    "no events");
		return 2;
	}
	for (i = 0; i < 6; i++) {
		int barw = w - 7 - numw - 1;
		char num[32];

		if (counts[i] == 0)
			continue;
		group_digits(num, sizeof num, counts[i]);
		draw_text(p->win, row_of(p, y + lines), x, 6,
		    color_attr(CR_LABEL), steps[i].label);
		if (barw > 0)
			draw_bar(p->win, row_of(p, y + lines), x + 7, barw,
			    (double)counts[i] / (double)top,
			    color_attr(steps[i].role));
		draw_text_right(p->win, row_of(p, y + lines), x + w - numw,
		    numw, 0, num);
		lines++;
	}
	pv = counts[0];
	if (pv > 0 && counts[3] > 0) {
		draw_printf(p->win, row_of(p, y + lines), x, w,
		    color_attr(CR_DIM), "buy/pv %.2f%%   cart/pv %.2f%%",
		    100.0 * (double)counts[3] / (double)pv,
		    100.0 * (double)counts[2] / (double)pv);
		lines++;
	} else if (pv == 0) {
		draw_text(p->win, row_of(p, y + lines), x, w,
		    color_attr(CR_DIM), "no pv/fav/cart/buy: no funnel");
		lines++;
	}
	return lines;
}

/* "9,876", "123k", "4.5M": a y-axis label in few columns. */
static void
compact_count(char *buf, size_t n, double v)
{
	if (v < 99999.5)
		group_digits(buf, n, (int64_t)(v + 0.5));
	else if (v < 9999500)
		snprintf(buf, n, "%.0fk", v / 1e3);
	else
		snprintf(buf, n, "%.1fM", v / 1e6);
}

/* A bucket's start date as the axis shows it: "2017-11-25", or without
 * the year when narrow; a month "2017-11", a year "2017". */
static void
bucket_label(char *buf, size_t n, const char *date, const char *unit,
    int narrow)
{
	if (strcmp(unit, "year") == 0)
		snprintf(buf, n, "%.4s", date);
	else if (strcmp(unit, "month") == 0)
		snprintf(buf, n, "%.7s", date);
	else
		snprintf(buf, n, "%s", narrow && strlen(date) == 10 ? date + 5 :
		    date);
}

/*
 * Events over time: one column per bucket (day, week, month or year, as
 * the store chose over the central mass of the data), neighbours averaged
 * when the buckets outnumber the columns; the peak per bucket labels the
 * y axis, the first and last bucket the x axis; events outside the window
 * are counted under it.  ch chart rows.  Returns lines used.
 */
static int
draw_activity(const struct page *p, int y, int x, int w, int ch,
    const rf_table *act)
{
	const char *unit = "day", *title;
	char head[96], peak_s[32], a[16], b[16], note[128];
	double *v, peak = 0;
	int nb = 0, r, group, ncol, labw, cw, i, lines, narrow;
	size_t o = 0;

	title = act != NULL && act->title ? act->title : "";
	if (strncmp(title, "activity per ", 13) == 0)
		unit = title + 13;
	while (act != NULL && nb < act->nrows && table_get(act, nb, 0) &&
	    table_get(act, nb, 0)[0] >= '0' && table_get(act, nb, 0)[0] <= '9')
		nb++;
	if (nb == 0) {
		draw_heading(p->win, row_of(p, y), x, w, "Activity over time");
		draw_text(p->win, row_of(p, y + 1), x, w, color_attr(CR_DIM),
		    "no timestamps");
		return 2;
	}
	/* The label column takes the widest figure; the rest is chart. */
	for (r = 0; r < nb; r++) {
		double e = strtod(table_get(act, r, 1), NULL);

		if (e > peak)
			peak = e;
	}
	compact_count(peak_s, sizeof peak_s, peak);
	labw = utf8_width(peak_s) + 1;
	cw = w - labw;
	if (cw < 4)
		cw = 4;
	group = (nb + cw - 1) / cw;
	ncol = (nb + group - 1) / group;
	if ((v = calloc((size_t)ncol, sizeof *v)) == NULL)
		return 0;
	peak = 0;
	for (i = 0; i < ncol; i++) {
		int k, m = 0;

		/* The average of the buckets merged: a short last group
		 * does not look like a slump. */
		for (k = i * group; k < (i + 1) * group && k < nb; k++, m++)
			v[i] += strtod(table_get(act, k, 1), NULL);
		v[i] /= m;
		if (v[i] > peak)
			peak = v[i];
	}
	if (group > 1)
		snprintf(head, sizeof head, "Activity over time, %d-%s bars",
		    group, unit);
	else
		snprintf(head, sizeof head, "Activity over time, per %s",
		    unit);
	draw_heading(p->win, row_of(p, y), x, w, head);
	compact_count(peak_s, sizeof peak_s, peak);
	draw_text_right(p->win, row_of(p, y + 1), x, labw - 1,
	    color_attr(CR_DIM), peak_s);
	/* draw_columns draws into the window; rows scrolled off the top
	 * fall outside it and are clipped. */
	draw_columns(p->win, row_of(p, y + 1), x + labw, ch, cw, v, ncol,
	    color_attr(CR_BAR));
	free(v);
	lines = 1 + ch;

	/* The x axis: first and last bucket under the chart's ends. */
	{
		int used = ncol * (cw / ncol > 0 ? cw / ncol : 1);

		if (used > cw)
			used = cw;
		narrow = used < 22;
		bucket_label(a, sizeof a, table_get(act, 0, 0), unit, narrow);
		bucket_label(b, sizeof b, table_get(act, nb - 1, 0), unit,
		    narrow);
		draw_text(p->win, row_of(p, y + lines), x + labw, used,
		    color_attr(CR_DIM), a);
		if (nb > 1 && utf8_width(a) + utf8_width(b) + 1 <= used)
			draw_text_right(p->win, row_of(p, y + lines), x + labw,
			    used, color_attr(CR_DIM), b);
		lines++;
	}

	/* Stray timestamps: say how many, rather than squeeze the chart. */
	note[0] = '\0';
	for (r = nb; r < act->nrows; r++) {
		const char *what = table_get(act, r, 0);
		char num[32];

		group_digits(num, sizeof num, strtoll(table_get(act, r, 1),
		    NULL, 10));
		o += (size_t)snprintf(note + o, sizeof note - o, "%s%s %s",
		    o ? ", " : "", num, what ? what : "?");
		if (o >= sizeof note)
			break;
	}
	if (note[0] != '\0') {
		draw_printf(p->win, row_of(p, y + lines), x, w,
		    color_attr(CR_DIM), "not shown: %s", note);
		lines++;
	}
	return lines;
}

/* A titled table; rows at most max_rows.  Returns lines used. */
static int
draw_section_table(const struct page *p, int y, int x, int w,
    const char *title, const rf_table *t, const int *cols, int ncols,
    int max_rows, const char *empty)
{
	int shown, top = row_of(p, y + 1), h;

	draw_heading(p->win, row_of(p, y), x, w, title);
	if (t == NULL || t->nrows == 0) {
		draw_text(p->win, row_of(p, y + 1), x, w, color_attr(CR_DIM),
		    empty);
		return 2;
	}
	shown = t->nrows < max_rows ? t->nrows : max_rows;
	h = shown + 1;
	/* draw_table clips to the window: a negative top (scrolled away)
	 * simply draws the rows still in sight. */
	draw_table(p->win, top, x, h, w, t, cols, ncols, 0, -1);
	return 1 + h;
}

static int
has_titles(const rf_table *items)
{
	int r;

	for (r = 0; items != NULL && items->ncols > 1 && r < items->nrows; r++)
		if (table_get(items, r, 1) != NULL)
			return 1;
	return 0;
}

static void
data_draw(struct view *v, WINDOW *win)
{
	struct data_view *dv = v->state;
	int h = getmaxy(win), w = getmaxx(win), two = w >= 80;
	int colw = two ? (w - 2) / 2 : w, rx = two ? colw + 2 : 0;
	int ntop = h >= 30 ? DATA_TOP_MAX : 5, y = 0, a, b;
	struct page p;
	/* Narrow: the title says more than the id, the funnel ends at buy. */
	static const int item_cols_wide[] = { 0, 1, 3, 5, 6, 7, 8, 4, 9 };
	static const int item_cols_narrow[] = { 1, 3, 5, 7, 8, 4, 9, -1, -1 };
	const int *item_cols;
	static const int user_cols[] = { 0, 1, 3, 4, 5, 6, 2, 7 };
	static const int import_cols[] = { 3, 2, 5, 6, 7 };
	static const int reject_cols[] = { 2, 3, 1, 4 };
	int icols[9], ucols[8], ni = 0, nu = 0, i;

	if (v->stale)
		data_load(v);
	item_cols = colw < 56 && has_titles(dv->items) ? item_cols_narrow :
	    item_cols_wide;
	if (dv->error[0] != '\0') {
		draw_heading(win, 0, 0, w, "Data");
		draw_text(win, 1, 0, w, color_attr(CR_ERROR), dv->error);
		return;
	}
	if (stat_count(dv->stats, "events") == 0 &&
	    (dv->imports == NULL || dv->imports->nrows == 0) &&
	    v->env->running != NULL) {
		draw_heading(win, 0, 0, w, "Data");
		draw_text(win, 1, 1, w - 1, color_attr(CR_LABEL), "Loading:");
		draw_text(win, 2, 3, w - 3, color_attr(CR_COMMAND),
		    v->env->running);
		draw_text(win, 4, 1, w - 1, color_attr(CR_DIM), "The screens "
		    "come back when it is done (Ctrl-C stops it).");
		dv->content_height = 5;
		return;
	}
	if (stat_count(dv->stats, "events") == 0 &&
	    (dv->imports == NULL || dv->imports->nrows == 0)) {
		static const char *const intro[] = {
			"The store is empty.  Import a behaviour log from the "
			    "console (press :), e.g.",
			"",
			"  import samples/tiny.csv",
			"  import --format movielens ml-100k/u.data",
			"",
			"Formats: MovieLens (u.data, ratings.csv), Taobao "
			    "user behaviour, or any",
			"delimited file with a header or --map.  Then "
			    "`stats`, `split` and `train`.",
		};

		draw_heading(win, 0, 0, w, "Data");
		for (i = 0; i < 7; i++)
			draw_text(win, 1 + i, 1, w - 1, i == 2 || i == 3 ?
			    color_attr(CR_COMMAND) : 0, intro[i]);
		dv->content_height = 8;
		return;
	}
	if (dv->scroll > dv->content_height - h)
		dv->scroll = dv->content_height - h;
	if (dv->scroll < 0)
		dv->scroll = 0;
	p.win = win;
	p.scroll = dv->scroll;

	/* Only the columns that say something: a ratings log has no pv. */
	for (i = 0; i < 9 && item_cols[i] >= 0; i++) {
		int c = item_cols[i];

		if (c >= 4 && dv->items != NULL && c < dv->items->ncols) {
			int r, any = 0;

			for (r = 0; r < dv->items->nrows && !any; r++) {
				const char *s = table_get(dv->items, r, c);

				any = s != NULL && strcmp(s, "0") != 0;
			}
			if (!any)
				continue;
		}
		if (c == 1 || c == 2) {
			/* Titles and categories only when known. */
			int r, any = 0;

			for (r = 0; dv->items && r < dv->items->nrows; r++)
				any |= table_get(dv->items, r, c) != NULL;
			if (!any)
				continue;
		}
		icols[ni++] = c;
	}
	for (i = 0; i < 8; i++) {
		int c = user_cols[i];

		if (c >= 2 && dv->users != NULL && c < dv->users->ncols) {
			int r, any = 0;

			for (r = 0; r < dv->users->nrows && !any; r++) {
				const char *s = table_get(dv->users, r, c);

				any = s != NULL && strcmp(s, "0") != 0;
			}
			if (!any)
				continue;
		}
		ucols[nu++] = c;
	}

	a = draw_summary(&p, y, 0, colw, dv->stats);
	b = draw_funnel(&p, two ? y : y + a, rx, colw, dv->stats);
	y += two ? (a > b ? a : b) : a + b;

	a = draw_section_table(&p, y, 0, two ? colw : w, "Imports",
	    dv->imports, import_cols, 5, two ? 4 : 3, "none");
	/* 3 chart rows at 24 lines, more as the terminal grows. */
	b = draw_activity(&p, two ? y : y + a, rx, colw, h < 29 ? 3 :
	    h < 60 ? (h - 14) / 3 : 15, dv->activity);
	y += two ? (a > b ? a : b) : a + b;

	a = draw_section_table(&p, y, 0, colw, "Top items", dv->items, icols,
	    ni, ntop, "none");
	b = draw_section_table(&p, two ? y : y + a, rx, colw, "Top users",
	    dv->users, ucols, nu, ntop, "none");
	y += two ? (a > b ? a : b) : a + b;

	{
		char title[64];
		int64_t n = stat_count(dv->stats, "rejects");

		snprintf(title, sizeof title, "Rejected rows (%" PRId64 ")",
		    n);
		y += draw_section_table(&p, y, 0, w, title, dv->rejects,
		    reject_cols, 4, dv->rejects ? dv->rejects->nrows : 0,
		    "none: every row was accepted");
	}
	dv->content_height = y;
}

static int
data_scroll(struct view *v, int key, int height, char *cmd, size_t n)
{
	struct data_view *dv = v->state;
	int s = dv->scroll, page = height > 2 ? height - 2 : 1;

	(void)cmd;
	(void)n;
	switch (key) {
	case 'j':
	case KEY_DOWN:
		s++;
		break;
	case 'k':
	case KEY_UP:
		s--;
		break;
	case ' ':
	case KEY_NPAGE:
		s += page;
		break;
	case 'b':
	case KEY_PPAGE:
		s -= page;
		break;
	case 'g':
	case KEY_HOME:
		s = 0;
		break;
	default:	/* G, End */
		s = dv->content_height;
		break;
	}
	if (s > dv->content_height - height)
		s = dv->content_height - height;
	if (s < 0)
		s = 0;
	dv->scroll = s;
	return VIEW_HANDLED | VIEW_REDRAW;
}

static int
data_reload(struct view *v, int key, int height, char *cmd, size_t n)
{
	(void)key;
	(void)height;
	(void)cmd;
	(void)n;
	data_drop_scans(v->state);	/* rescan too */
	v->stale = 1;
	return VIEW_HANDLED | VIEW_REDRAW;
}

static const struct view_key data_keys[] = {
	{ "j/k", { 'j', 'k', KEY_DOWN, KEY_UP }, 0, "scroll",
	    "scroll a line down or up", .action = data_scroll },
	{ "Space/b", { ' ', 'b', KEY_NPAGE, KEY_PPAGE }, 0, NULL,
	    "scroll a page down or up", .action = data_scroll },
	{ "g/G", { 'g', 'G', KEY_HOME, KEY_END }, 0, "top/end",
	    "to the top or the end", .action = data_scroll },
	{ "r", { 'r' }, 0, "reload",
	    "read the store again (the tables that scan the events too)",
	    .action = data_reload },
	{ .label = NULL }
};

const struct view_ops view_data_ops = {
	.name = "data",
	.title = "Data",
	.key = '1',
	.keymap = data_keys,
	.open = data_open,
	.close = data_close,
	.draw = data_draw,
};
