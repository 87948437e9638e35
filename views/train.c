/* train: the Train screen: every run of this session (the running one,
 * the queue, the finished ones), after the runs of earlier sessions whose
 * saved models were loaded, in a list on the left, and the selected
 * run on the right: its training loss and validation metric per epoch as
 * two live charts (braille, or ASCII), epoch, speed, ETA and status.  All
 * read from the workbench's curve history; keys become `stop` commands. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/models/registry.h"
#include "engine/core/rf.h"
#include "engine/core/utf8.h"
#include "views/widgets/color.h"
#include "views/view.h"
#include "views/widgets/widgets.h"

struct train_view {
	int sel;	/* the selected run, or -1: follow the running job */
	int pin_job;	/* the running job's index when sel was chosen */
	int top;	/* first run shown in the list */
};

static int
train_open(struct view *v)
{
	struct train_view *tv = calloc(1, sizeof *tv);

	if (tv == NULL)
		return -1;
	tv->sel = -1;
	tv->pin_job = -1;
	v->state = tv;
	return 0;
}

static void
train_close(struct view *v)
{
	free(v->state);
	v->state = NULL;
}

static int
running_index(const workbench *wb)
{
	const wb_run *cur = workbench_run_current(wb);
	int k;

	for (k = 0; cur != NULL && k < workbench_run_count(wb); k++)
		if (workbench_run_at(wb, k) == cur)
			return k;
	return -1;
}

/* The run shown: the chosen one, else the running job, else the newest
 * that ran. */
static int
selected_index(struct train_view *tv, const workbench *wb)
{
	int n = workbench_run_count(wb), run = running_index(wb), k;

	/* A new job took over since the choice: follow it again. */
	if (tv->sel >= 0 && run >= 0 && run != tv->pin_job)
		tv->sel = -1;
	if (tv->sel >= n)
		tv->sel = n - 1;
	if (tv->sel >= 0)
		return tv->sel;
	if (run >= 0)
		return run;
	for (k = n - 1; k >= 0; k--)
		if (workbench_run_at(wb, k)->status != WB_RUN_QUEUED)
			return k;
	return n > 0 ? 0 : -1;
}

static const char *
status_word(enum wb_run_status s)
{
	switch (s) {
	case WB_RUN_QUEUED:
		return "queued";
	case WB_RUN_RUNNING:
		return "running";
	case WB_RUN_DONE:
		return "done";
	case WB_RUN_CANCELLED:
		return "stopped";
	case WB_RUN_FAILED:
		return "failed";
	}
	return "?";
}

static int
status_attr(enum wb_run_status s)
{
	switch (s) {
	case WB_RUN_RUNNING:
		return color_attr(CR_LABEL);
	case WB_RUN_FAILED:
		return color_attr(CR_ERROR);
	case WB_RUN_QUEUED:
	case WB_RUN_CANCELLED:
		return color_attr(CR_DIM);
	case WB_RUN_DONE:
		break;
	}
	return color_attr(CR_NORMAL);
}

/* "0.021 s", "12.3 s", "4m05s", "1h02m". */
static void
format_secs(char *buf, size_t n, double s)
{
	if (!isfinite(s) || s < 0)
		snprintf(buf, n, "-");
	else if (s < 10)
		snprintf(buf, n, "%.3g s", s);
	else if (s < 60)
		snprintf(buf, n, "%.1f s", s);
	else if (s < 3600)
		snprintf(buf, n, "%dm%02ds", (int)s / 60, (int)s % 60);
	else
		snprintf(buf, n, "%dh%02dm", (int)(s / 3600),
		    (int)fmod(s / 60, 60));
}

/* An epoch count in at most 5 columns: "2930", "100k", "12M". */
static void
compact(char *buf, size_t n, int v)
{
	if (v < 10000)
		snprintf(buf, n, "%d", v);
	else if (v < 10000000)
		snprintf(buf, n, "%dk", v / 1000);
	else
		snprintf(buf, n, "%dM", v / 1000000);
}

/* The epochs the x axis spans: the planned ones, so a curve grows across
 * the chart; a very long run widens by doubling as it goes instead, so
 * the curve is not a dot at the left edge. */
static int
x_span(const wb_run *r)
{
	int span = 256;

	if (r->epochs <= span)
		return r->epochs > r->done ? r->epochs : r->done;
	while (span < r->done && span < r->epochs / 2)
		span *= 2;
	if (span < r->done)
		span = r->epochs > r->done ? r->epochs : r->done;
	return span;
}

/* The last finite value of v[0..n), or NAN. */
static double
last_value(const double *v, int n)
{
	while (n > 0 && !isfinite(v[n - 1]))
		n--;
	return n > 0 ? v[n - 1] : NAN;
}

/* The best validation value and its epoch (0-based), -1 when none. */
static int
best_epoch(const wb_run *r)
{
	int k, best = -1;

	for (k = 0; k < r->done; k++) {
		if (!isfinite(r->valid[k]))
			continue;
		if (best < 0 || (r->valid_rmse ? r->valid[k] < r->valid[best] :
		    r->valid[k] > r->valid[best]))
			best = k;
	}
	return best;
}

static void
draw_empty(WINDOW *win)
{
	char names[512], line[600];
	int w = getmaxx(win), row = 2;
	static const char *const lines[] = {
		"Type  :train MODEL  to train a model beside the screen (Tab",
		"completes MODEL); more `train` commands queue up and run one",
		"after another.  Each model gets live charts of its training",
		"loss and validation metric per epoch, with speed and ETA;",
		"x stops the running job, keeping its last completed epoch.",
		NULL
	};

	draw_heading(win, 0, 0, w, "Train");
	draw_text(win, row++, 2, w - 2, color_attr(CR_LABEL),
	    "No training yet.");
	row++;
	for (int i = 0; lines[i] != NULL; i++)
		draw_text(win, row++, 2, w - 2, color_attr(CR_DIM), lines[i]);
	model_names(names, sizeof names);
	snprintf(line, sizeof line, "Models: %s", names);
	row++;
	draw_text(win, row, 2, w - 2, color_attr(CR_DIM), line);
}

/* A run's name in at most width columns: the model, and "#2" after it
 * when the model ran more than once (the second of its runs). */
static void
run_name(const workbench *wb, int index, char *buf, size_t n, int width)
{
	const wb_run *r = workbench_run_at(wb, index);
	int nth = 0, of = 0;
	char tag[16];

	for (int k = 0; k < workbench_run_count(wb); k++) {
		const wb_run *o = workbench_run_at(wb, k);

		if (strcmp(o->model, r->model) != 0)
			continue;
		of++;
		if (k <= index)
			nth++;
	}
	if (of < 2) {
		snprintf(buf, n, "%.*s", width, r->model);
		return;
	}
	snprintf(tag, sizeof tag, "#%d", nth);
	snprintf(buf, n, "%.*s%s", width - (int)strlen(tag), r->model, tag);
}

/* The list of runs in rows [y, y+h) and columns [0, lw). */
static void
draw_list(struct train_view *tv, const workbench *wb, WINDOW *win, int y,
    int h, int lw, int sel)
{
	int n = workbench_run_count(wb), wide = lw >= 34, k, queued = 0;
	char line[160], ep[48], val[32], a[16], b[16];

	if (wide)
		snprintf(line, sizeof line, "%-8s %-8s %9s %7s", "Runs",
		    "status", "epochs", "valid");
	else
		snprintf(line, sizeof line, "%-8s %-7s %9s", "Runs", "status",
		    "epochs");
	draw_heading(win, y, 0, lw, line);
	y++;
	h--;
	if (h <= 0)
		return;
	if (sel < tv->top)
		tv->top = sel;
	if (sel >= tv->top + h)
		tv->top = sel - h + 1;
	if (tv->top > n - h)
		tv->top = n - h;
	if (tv->top < 0)
		tv->top = 0;
	for (k = 0; k < tv->top; k++)
		queued += workbench_run_at(wb, k)->status == WB_RUN_QUEUED;
	for (k = tv->top; k < n && k < tv->top + h; k++) {
		const wb_run *r = workbench_run_at(wb, k);
		char status[24], name[40];
		int attr = k == sel ? color_attr(CR_SELECTED) :
		    status_attr(r->status);

		run_name(wb, k, name, sizeof name, 8);
		if (r->status == WB_RUN_QUEUED)
			snprintf(status, sizeof status, "queue %d", ++queued);
		else if (r->earlier && r->status == WB_RUN_DONE)
			snprintf(status, sizeof status, "earlier");
		else
			snprintf(status, sizeof status, "%s",
			    status_word(r->status));
		compact(a, sizeof a, r->done);
		compact(b, sizeof b, r->epochs);
		snprintf(ep, sizeof ep, "%s/%s", r->status == WB_RUN_QUEUED ?
		    "-" : a, b);
		if (wide) {
			double v = r->valid ? last_value(r->valid, r->done) :
			    NAN;

			if (isfinite(v))
				snprintf(val, sizeof val, "%.4f", v);
			else
				snprintf(val, sizeof val, "-");
			snprintf(line, sizeof line, "%-8s %-8s %9s %7s",
			    name, status, ep, val);
		} else {
			snprintf(line, sizeof line, "%-8s %-7s %9s", name,
			    status, ep);
		}
		draw_fill(win, y + k - tv->top, 0, lw, attr);
		draw_text(win, y + k - tv->top, 0, lw, attr, line);
	}
}

/* Copy the curve into a buffer as long as the x axis, NAN after the
 * last epoch done. */
static double *
padded(const double *v, int done, int n)
{
	int k;
	double *p = malloc((size_t)(n > 0 ? n : 1) * sizeof *p);

	if (p == NULL)
		return NULL;
	for (k = 0; k < n; k++)
		p[k] = k < done ? v[k] : NAN;
	return p;
}

/* A run's curve v as a chart, its y labels label_w wide at least;
 * returns the width they took (-1: no chart). */
static int
draw_curve(WINDOW *win, int y, int x, int h, int w, const wb_run *r,
    const double *v, int role, int label_w)
{
	struct chart_series s;
	int n = x_span(r), got;
	double *p = padded(v, r->done, n);

	if (p == NULL)
		return -1;
	s.v = p;
	s.n = n;
	s.attr = color_attr((enum color_role)role);
	got = draw_chart(win, y, x, h, w, &s, 1, label_w);
	free(p);
	return got;
}

/* The y labels' width of a run's curve (to line two charts up). */
static int
curve_label_width(const wb_run *r, const double *v)
{
	struct chart_series s;
	int n = x_span(r), lw;
	double *p = padded(v, r->done, n);

	if (p == NULL)
		return 0;
	s.v = p;
	s.n = n;
	s.attr = 0;
	lw = chart_label_width(&s, 1);
	free(p);
	return lw;
}

/* Epoch ticks under a chart whose axis is at column x + label_w: the
 * first epoch, the last of the span, and a few between where they fit. */
static void
draw_epoch_ticks(WINDOW *win, int y, int x, int w, int label_w,
    const wb_run *r)
{
	int n = x_span(r), cw = w - label_w - 1, pw, last = -1;
	int unicode = widgets_unicode();

	if (cw < 8 || n < 2)
		return;
	pw = unicode ? cw * 2 : cw;
	draw_text_right(win, y, x, label_w, color_attr(CR_DIM), "epoch");
	for (int q = 0; q <= 4; q++) {
		int e = q == 0 ? 1 : (int)lround((double)n * q / 4);
		double px = (double)(e - 1) * (pw - 1) / (n - 1);
		int col = (int)(px / (unicode ? 2 : 1));
		char label[16];
		int lw;

		snprintf(label, sizeof label, "%d", e);
		lw = (int)strlen(label);
		/* Centred on its column, inside the chart, apart from the
		 * one before. */
		col -= q == 0 ? 0 : q == 4 ? lw - 1 : lw / 2;
		if (col < 0)
			col = 0;
		if (col + lw > cw)
			col = cw - lw;
		if (col <= last + 1 && q > 0)
			continue;
		draw_text(win, y, x + label_w + 1 + col, lw,
		    color_attr(CR_DIM), label);
		last = col + lw;
	}
}

/* The selected run in the rectangle at column x, width w, rows [0, h). */
static void
draw_detail(const workbench *wb, WINDOW *win, int x, int w, int h,
    const wb_run *r, int index)
{
	char line[700], a[32], b[32], c[32], name[64];
	int row = 0, hc, best, k, ahead = 0, lab, drawn = -1;
	double last;

	run_name(wb, index, name, sizeof name, 40);
	snprintf(line, sizeof line, "%s: %s%s", name,
	    status_word(r->status), r->earlier ? " (an earlier session)" : "");
	draw_heading(win, row++, x, w, line);
	snprintf(line, sizeof line, "%s%sseed %llu", r->params,
	    r->params[0] ? "  " : "", (unsigned long long)r->seed);
	draw_text(win, row++, x, w, color_attr(CR_DIM), line);

	/* Progress and time: the only line with timings. */
	switch (r->status) {
	case WB_RUN_QUEUED:
		for (k = 0; k < index; k++) {
			const wb_run *o = workbench_run_at(wb, k);

			ahead += o->status == WB_RUN_QUEUED ||
			    o->status == WB_RUN_RUNNING;
		}
		snprintf(line, sizeof line, "waiting: %d job%s ahead, %d "
		    "epoch%s planned", ahead, ahead == 1 ? "" : "s",
		    r->epochs, r->epochs == 1 ? "" : "s");
		break;
	case WB_RUN_RUNNING: {
		double per = r->done > 0 ? r->seconds / r->done : NAN;
		double elapsed = rf_monotonic() - r->started;

		format_secs(a, sizeof a, per);
		format_secs(b, sizeof b, isfinite(per) ?
		    per * (r->epochs - r->done) : NAN);
		format_secs(c, sizeof c, elapsed);
		snprintf(line, sizeof line, "epoch %d/%d  %s/epoch  ETA %s  "
		    "elapsed %s", r->done, r->epochs, a, b, c);
		break;
	}
	default:
		format_secs(a, sizeof a, r->done > 0 ? r->seconds / r->done :
		    NAN);
		format_secs(b, sizeof b, r->seconds);
		snprintf(line, sizeof line, "%d/%d epoch%s in %s  %s/epoch",
		    r->done, r->epochs, r->epochs == 1 ? "" : "s", b, a);
		break;
	}
	draw_text(win, row++, x, w, color_attr(CR_NORMAL), line);
	if (r->status == WB_RUN_RUNNING) {
		/* A progress bar under the numbers when there is room. */
		draw_bar(win, row, x, w < 40 ? w : 40, r->epochs > 0 ?
		    (double)r->done / r->epochs : 0, color_attr(CR_BAR));
	} else if ((r->status == WB_RUN_FAILED ||
	    r->status == WB_RUN_CANCELLED) && r->msg[0] != '\0') {
		draw_text(win, row, x, w, color_attr(r->status ==
		    WB_RUN_FAILED ? CR_ERROR : CR_DIM), r->msg);
	} else if (r->search[0] != '\0') {
		/* What --search and a choice after the fit tried, each with
		 * its validation figure (* the best so far): the parameters
		 * above hold what was kept. */
		draw_text(win, row, x, w, color_attr(CR_DIM), r->search);
	}
	row++;
	if (r->status == WB_RUN_QUEUED || r->loss == NULL)
		return;

	/* Two charts share what is left, a label line over each and the
	 * epochs under them; their axes line up. */
	hc = (h - row - 3) / 2;
	if (hc < 2)
		hc = 2;
	lab = curve_label_width(r, r->loss);
	if (curve_label_width(r, r->valid) > lab)
		lab = curve_label_width(r, r->valid);
	last = last_value(r->loss, r->done);
	snprintf(line, sizeof line, "Training loss");
	if (isfinite(last))
		snprintf(line + strlen(line), sizeof line - strlen(line),
		    "  last %.5g", last);
	draw_text(win, row, x, w, color_attr(CR_CHART_LOSS) | A_BOLD, line);
	snprintf(a, sizeof a, "epochs 1-%d", x_span(r));
	if (utf8_width(line) + utf8_width(a) + 2 <= w)
		draw_text_right(win, row, x, w, color_attr(CR_DIM), a);
	row++;
	if (r->done > 1 && row + hc <= h)
		drawn = draw_curve(win, row, x, hc, w, r, r->loss,
		    CR_CHART_LOSS, lab);
	else if (r->done == 1 && r->epochs == 1)
		draw_text(win, row + hc / 2, x + 2, w - 2, color_attr(CR_DIM),
		    "one pass (a closed form or counts): no curve");
	row += hc;
	if (row >= h)
		return;
	best = best_epoch(r);
	last = last_value(r->valid, r->done);
	snprintf(line, sizeof line, "Validation %s", r->valid_rmse ? "RMSE" :
	    "NDCG@10");
	if (best >= 0)
		snprintf(line + strlen(line), sizeof line - strlen(line),
		    "  last %.4f  best %.4f @%d", last,
		    r->valid[best], best + 1);
	else if (r->done > 0)
		snprintf(line + strlen(line), sizeof line - strlen(line),
		    "  none: no valid part (split ... --valid 0.1)");
	draw_text(win, row++, x, w, color_attr(CR_CHART_METRIC) | A_BOLD,
	    line);
	if (best >= 0 && r->done > 1 && row + 2 <= h) {
		int ch = h - row - 1 < hc ? h - row - 1 : hc;

		if (ch < 2)
			ch = 2;
		if ((k = draw_curve(win, row, x, ch, w, r, r->valid,
		    CR_CHART_METRIC, lab)) >= 0)
			drawn = k;
		row += ch;
	}
	if (drawn >= 0 && row < h)
		draw_epoch_ticks(win, row, x, w, drawn, r);
}

static void
train_draw(struct view *v, WINDOW *win)
{
	struct train_view *tv = v->state;
	const workbench *wb = v->env->wb;
	int w = getmaxx(win), h = getmaxy(win), sel, lw, queued, running;
	char line[128];

	if (workbench_run_count(wb) == 0) {
		draw_empty(win);
		return;
	}
	sel = selected_index(tv, wb);
	/* The list: narrow at 80 columns, with the metric from 110. */
	lw = w >= 110 ? 36 : 26;
	queued = workbench_queue_length(wb);
	running = workbench_training(wb);
	draw_list(tv, wb, win, 0, h - 1, lw, sel);
	snprintf(line, sizeof line, "%d run%s: %s%d queued",
	    workbench_run_count(wb), workbench_run_count(wb) == 1 ? "" : "s",
	    running ? "1 running, " : "", queued);
	draw_text(win, h - 1, 0, lw, color_attr(CR_DIM), line);
	if (sel >= 0)
		draw_detail(wb, win, lw + 2, w - lw - 2, h, workbench_run_at(wb,
		    sel), sel);
}

static int
train_select(struct view *v, int key, int height, char *cmd, size_t len)
{
	struct train_view *tv = v->state;
	const workbench *wb = v->env->wb;
	int n = workbench_run_count(wb), sel;

	(void)height;
	(void)cmd;
	(void)len;
	if (n == 0)
		return VIEW_HANDLED;
	sel = selected_index(tv, wb);
	if (key == 'j' || key == KEY_DOWN)
		sel++;
	else if (key == 'k' || key == KEY_UP)
		sel--;
	else if (key == 'g' || key == KEY_HOME)
		sel = 0;
	else
		sel = n - 1;
	if (sel < 0)
		sel = 0;
	if (sel >= n)
		sel = n - 1;
	tv->sel = sel;
	tv->pin_job = running_index(wb);
	return VIEW_HANDLED | VIEW_REDRAW;
}

static const struct view_key train_keys[] = {
	{ "j/k", { 'j', 'k', KEY_DOWN, KEY_UP }, 0, "select",
	    "the next or the previous run (its curves on the right)",
	    .action = train_select },
	{ "g/G", { 'g', 'G', KEY_HOME, KEY_END }, 0, NULL,
	    "the first or the last run", .action = train_select },
	{ "x", { 'x' }, 0, "stop",
	    "stop the running job; it keeps its last completed epoch",
	    .command = "stop" },
	{ "X", { 'X' }, 0, "stop all",
	    "stop the running job and empty the queue",
	    .command = "stop --all" },
	{ .label = NULL }
};

const struct view_ops view_train_ops = {
	.name = "train",
	.title = "Train",
	.key = '2',
	.keymap = train_keys,
	.open = train_open,
	.close = train_close,
	.draw = train_draw,
};
