/* fusion: the Fusion screen: one weight slider per model, the method and
 * the normalisation, the live validation NDCG/Recall@10 of the fused and
 * of each single model, and a preview of one user's fused top-10 that
 * re-ranks as a slider moves.  Every key becomes command text (`weights
 * ...`, `fuse ...`, `tune`); the numbers come from the workbench's live
 * fusion state, recomputed by those commands from the cached candidate
 * pools. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/explain/explain.h"
#include "engine/fusion/fusion.h"
#include "views/widgets/color.h"
#include "views/view.h"
#include "views/widgets/widgets.h"

#define FV_PREVIEW 10		/* the preview's length, more when tall */
#define FV_STEP 0.05		/* a slider step (h/l), in normalised weight */
#define FV_FINE 0.01		/* a fine step (H/L) */
#define FV_WIDE 110		/* from here the preview sits beside */

struct fusion_view {
	int sel;			/* the model whose slider keys move */
	/* The weights the sliders stand at, exact (normalised): what the
	 * last step asked for while its `weights` has not run yet (keys
	 * faster than the screen: each one moves on from the last), else
	 * the fusion's. */
	double target[FUSION_MAX_MODELS];
	int n_target;
	const fusion *target_f;
	unsigned long target_gen;	/* the live generation it was set at */
	/* What the last step did to the preview (shown in its title). */
	int stepped;			/* a step awaits its preview */
	char step_note[96];
	/* The preview and what it was computed from. */
	const fusion *f;
	const dataset *ds;
	unsigned long generation;
	char settings[2048];
	int user;			/* dense index, -1 none */
	int want, pv_want;		/* the length asked for, and that
					 * of pv */
	fusion_preview pv;		/* its top `want` */
	/* The ranking before the last change, for the moves. */
	int prev_n;
	int32_t prev[WB_PREVIEW_MAX];
	char error[256];
	/* The most active user, the preview's default. */
	const dataset *top_ds;
	int top_user;
};

/* The screen's modes: no model yet, trained models but no fusion, a
 * fusion with its sliders. */
enum { FV_EMPTY = 1 << 0, FV_MODELS = 1 << 1, FV_FUSED = 1 << 2 };

/* Methods the m key cycles through; `stack` is learned, so it is asked
 * for by name (`fuse stack`), and the cycle leaves it for weighted. */
static const enum fusion_method cycle_methods[] = {
	FUSE_WEIGHTED, FUSE_RRF, FUSE_BORDA, FUSE_VOTE
};

static int
fusion_open(struct view *v)
{
	struct fusion_view *fv = calloc(1, sizeof *fv);

	if (fv == NULL)
		return -1;
	fv->user = -1;
	fv->top_user = -1;
	v->state = fv;
	return 0;
}

static void
fusion_close(struct view *v)
{
	free(v->state);
	v->state = NULL;
}

/* The user with the most entries (ties: the first). */
static int
most_active_user(struct fusion_view *fv, const dataset *ds)
{
	int64_t best = -1;
	int u;

	if (fv->top_ds == ds)
		return fv->top_user;
	fv->top_ds = ds;
	fv->top_user = -1;
	for (u = 0; u < ds->n_users; u++)
		if (ds->all.ptr[u + 1] - ds->all.ptr[u] > best) {
			best = ds->all.ptr[u + 1] - ds->all.ptr[u];
			fv->top_user = u;
		}
	return fv->top_user;
}

/* The user the preview shows: the picked one, else the most active. */
static int
preview_user(struct view *v, const dataset *ds, int *picked)
{
	int u = -1;

	*picked = 0;
	if (v->env->user[0] != '\0' &&
	    (u = dataset_user_index(ds, v->env->user)) >= 0) {
		*picked = 1;
		return u;
	}
	return most_active_user(v->state, ds);
}

/* Recompute the preview when the fusion, its settings or the user
 * changed; keep the ranking it replaces for the moves. */
static void
preview_update(struct view *v, const fusion *f, unsigned long generation,
    int u)
{
	struct fusion_view *fv = v->state;
	const dataset *ds = fusion_dataset(f);
	char settings[sizeof fv->settings];
	rf_error err = { { 0 } };
	int same_user;

	fusion_settings_format(fusion_get_settings(f), settings,
	    sizeof settings);
	if (!v->stale && fv->f == f && fv->ds == ds && fv->user == u &&
	    fv->generation == generation && fv->pv_want == fv->want &&
	    strcmp(fv->settings, settings) == 0)
		return;
	fv->pv_want = fv->want;
	same_user = fv->ds == ds && fv->user == u && !v->stale;
	if (same_user && fv->pv.n > 0) {
		memcpy(fv->prev, fv->pv.items, sizeof fv->prev);
		fv->prev_n = fv->pv.n;
	} else {
		fv->prev_n = 0;
	}
	v->stale = 0;
	fv->f = f;
	fv->ds = ds;
	fv->user = u;
	fv->generation = generation;
	memcpy(fv->settings, settings, sizeof settings);
	fv->error[0] = '\0';
	fv->pv.n = 0;
	if (u < 0)
		return;
	/* The user's block is scored once; a settings change re-ranks it. */
	if (workbench_fusion_preview(v->env->wb, u, fv->want, &fv->pv,
	    &err) < 0) {
		fv->pv.n = 0;
		snprintf(fv->error, sizeof fv->error, "%.200s", err.msg);
	}
	/* A slider step changes the list, or the title says it did not. */
	if (fv->stepped && fv->generation == generation) {
		int moved = fv->prev_n != fv->pv.n;

		for (int k = 0; k < fv->pv.n && k < fv->prev_n; k++)
			moved += fv->prev[k] != fv->pv.items[k];
		fv->stepped = 0;
		snprintf(fv->step_note + strlen(fv->step_note),
		    sizeof fv->step_note - strlen(fv->step_note), moved ?
		    ": %d place%s changed" : ": same order", moved,
		    moved == 1 ? "" : "s");
	}
}

static void
draw_howto(struct view *v, WINDOW *win)
{
	const workbench *wb = v->env->wb;
	int w = getmaxx(win), n = wb ? workbench_model_count(wb) : 0, i;
	char trained[512];
	size_t used = 0;
	static const char *const steps[][2] = {
		{ "split temporal 0.2 --valid 0.1",
		    "a validation part to measure on" },
		{ "train MODEL", "two models or more (Tab completes MODEL)" },
		{ "fuse weighted", "then one slider per model shows here" },
		{ "tune", "learn the weights on validation" },
	};

	draw_heading(win, 0, 0, w, "Fusion");
	draw_text(win, 2, 2, w - 2, color_attr(CR_LABEL), "No fusion yet.");
	draw_text(win, 4, 2, w - 2, 0,
	    "A fusion blends the scores of trained models.  In the console "
	    "(press :):");
	for (i = 0; i < 4; i++) {
		draw_text(win, 6 + i, 4, 34, color_attr(CR_COMMAND),
		    steps[i][0]);
		draw_text(win, 6 + i, 38, w - 38, color_attr(CR_DIM),
		    steps[i][1]);
	}
	trained[0] = '\0';
	for (i = 0; i < n && used < sizeof trained; i++) {
		const wb_model *wm = workbench_model_at(wb, i);

		if (wm != NULL && wm->m != NULL)
			used += (size_t)snprintf(trained + used,
			    sizeof trained - used, "%s%s", used ? ", " : "",
			    wm->m->ops->name);
	}
	draw_printf(win, 11, 2, w - 2, 0, "Trained now: %s%s",
	    used ? trained : "none",
	    n == 1 ? " (one more to fuse)" : "");
	if (n > 0)
		draw_text(win, 13, 2, w - 2, color_attr(CR_LABEL),
		    "Press m to fuse them (`fuse weighted`).");
}

/* A weight as the shortest text that reads back as the same double
 * ("0.35", "0.3333333333333333"): the command carries the slider's
 * exact weight, no rounding on the way. */
static void
format_weight(char *buf, size_t n, double w)
{
	for (int digits = 1; digits <= 17; digits++) {
		snprintf(buf, n, "%.*g", digits, w);
		if (strtod(buf, NULL) == w)
			return;
	}
}

/* The weights the sliders stand at (see struct fusion_view). */
static void
slider_weights(struct fusion_view *fv, const workbench *wb, const fusion *f,
    double *w)
{
	int n = fusion_n_models(f);

	if (fv->target_f == f && fv->n_target == n &&
	    fv->target_gen == workbench_fusion_live(wb)->generation) {
		memcpy(w, fv->target, (size_t)n * sizeof *w);
		return;
	}
	fusion_weights(f, w);
}

static void
draw_metric(WINDOW *win, int y, int x, int width, int ready, double v,
    int attr)
{
	char buf[32];

	if (ready && !isnan(v))
		snprintf(buf, sizeof buf, "%.4f", v);
	else
		snprintf(buf, sizeof buf, "-");
	draw_text_right(win, y, x, width, attr, buf);
}

/* The rank methods' scores sit on a large common base (Borda points,
 * 1/(k + rank), votes): their bars show each model's part above the
 * lowest row shown, or every bar would be full. */
static int
rank_method(enum fusion_method m)
{
	return m == FUSE_RRF || m == FUSE_BORDA || m == FUSE_VOTE;
}

static void
draw_preview(struct view *v, WINDOW *win, int y, int x, int w, int h,
    const fusion *f, int picked)
{
	struct fusion_view *fv = v->state;
	const dataset *ds = fusion_dataset(f);
	int n = fusion_n_models(f), k, m, titlew, barw, rows, decimals;
	int held = 0;
	int above = rank_method(fusion_get_settings(f)->method);
	const char *names[FUSION_MAX_MODELS];
	char letters[FUSION_MAX_MODELS], title[200];
	double scale = 0, low[FUSION_MAX_MODELS], top;

	if (h < 2)
		return;
	if (fv->user >= 0 && fv->step_note[0] != '\0')
		snprintf(title, sizeof title, "Top %d for user %s - %s",
		    fv->want, ds->user_ext[fv->user], fv->step_note);
	else if (fv->user >= 0)
		snprintf(title, sizeof title, "Top %d for user %s%s",
		    fv->want, ds->user_ext[fv->user],
		    picked ? "" : " (most active; u picks)");
	else
		snprintf(title, sizeof title, "Top %d", fv->want);
	draw_heading(win, y, x, w, title);
	if (fv->error[0] != '\0') {
		draw_text(win, y + 1, x, w, color_attr(CR_ERROR), fv->error);
		return;
	}
	if (fv->pv.n == 0) {
		draw_text(win, y + 1, x, w, color_attr(CR_DIM),
		    "nothing to recommend (every item is in the history)");
		return;
	}
	for (m = 0; m < n; m++)
		names[m] = fusion_model_name(f, m);
	contrib_letters(names, n, letters);
	for (m = 0; m < n; m++) {
		low[m] = 0;
		for (k = 0; above && k < fv->pv.n; k++)
			if (k == 0 || fv->pv.contrib[k][m] < low[m])
				low[m] = fv->pv.contrib[k][m];
	}
	for (k = 0; k < fv->pv.n; k++) {
		double s = 0;

		for (m = 0; m < n; m++)
			s += fabs(fv->pv.contrib[k][m] - low[m]);
		if (s > scale)
			scale = s;
	}
	/* rank(3) move(4) title score(8) bar */
	barw = w >= 70 ? (w - 15) / 3 : w >= 44 ? 12 : 0;
	titlew = w - 3 - 4 - 8 - (barw > 0 ? barw + 1 : 0);
	rows = fv->pv.n < h - 1 ? fv->pv.n : h - 1;
	/* Four significant digits of the top score, every row alike:
	 * weighted's 3.878, rrf's 0.01640, Borda's 1190. */
	top = fabs((double)fv->pv.scores[0]);
	decimals = top > 0 ? 3 - (int)floor(log10(top)) : 3;
	if (decimals < 0)
		decimals = 0;
	if (decimals > 6)
		decimals = 6;
	for (k = 0; k < rows; k++) {
		int row = y + 1 + k, was = -1, j;
		char name[256], move[16] = "";
		double part[FUSION_MAX_MODELS];

		for (j = 0; j < fv->prev_n; j++)
			if (fv->prev[j] == fv->pv.items[k])
				was = j;
		if (fv->prev_n > 0 && was < 0)
			snprintf(move, sizeof move, "new");
		else if (was > k)
			snprintf(move, sizeof move, "%s%d",
			    widgets_unicode() ? "\xe2\x96\xb2" : "+", was - k);
		else if (was >= 0 && was < k)
			snprintf(move, sizeof move, "%s%d",
			    widgets_unicode() ? "\xe2\x96\xbc" : "-", k - was);
		explain_item_name(ds, fv->pv.items[k], name, sizeof name);
		draw_printf(win, row, x, 3, color_attr(CR_DIM), "%2d", k + 1);
		draw_text(win, row, x + 3, 4, color_attr(CR_LABEL), move);
		/* The user has it in the held-out test part: a hit. */
		if (interactions_contains(&ds->all, fv->user,
		    fv->pv.items[k])) {
			draw_text(win, row, x + 7, 1, color_attr(CR_LABEL),
			    "*");
			held = 1;
		}
		draw_text(win, row, x + 9, titlew - 3, 0, name);
		draw_printf(win, row, x + 7 + titlew, 8, 0, "%7.*f", decimals,
		    (double)fv->pv.scores[k]);
		for (m = 0; m < n; m++)
			part[m] = fv->pv.contrib[k][m] - low[m];
		if (barw > 0)
			draw_contrib_bar(win, row, x + 7 + titlew + 8, barw,
			    part, letters, n, scale);
	}
	if (barw > 0 && rows + 1 < h) {
		int used = draw_text(win, y + 1 + rows, x + 7, w - 7,
		    color_attr(CR_DIM), above ? "bars above the last: " :
		    "bars: ");

		used += draw_contrib_legend(win, y + 1 + rows, x + 7 + used,
		    w - 7 - used, names, letters, n);
		if (held)
			draw_text(win, y + 1 + rows, x + 7 + used, w - 7 -
			    used, color_attr(CR_DIM), "  * in the test part");
	}
}

static void draw_keys_below(struct view *v, WINDOW *win, int y, int w,
    int h);

/* Does the method use the normalisation?  rrf and borda rank. */
static int
uses_norm(enum fusion_method m)
{
	return m != FUSE_RRF && m != FUSE_BORDA;
}

static void
fusion_draw(struct view *v, WINDOW *win)
{
	struct fusion_view *fv = v->state;
	workbench *wb = v->env->wb;
	const fusion_live *live = wb ? workbench_fusion_live(wb) : NULL;
	const fusion *f = wb ? workbench_fusion_peek(wb) : NULL;
	const fusion_settings *s;
	double wt[FUSION_MAX_MODELS];
	int h = getmaxy(win), w = getmaxx(win), wide = w >= FV_WIDE;
	int lw = wide ? w / 2 : w, n, m, y, ready, picked, u;
	int namew = 10, valw = 6, metw = 10, sliderw, x;
	enum wb_task_kind task = wb ? workbench_task_kind(wb) : WB_TASK_NONE;
	char head[256];

	if (f == NULL) {
		draw_howto(v, win);
		return;
	}
	n = fusion_n_models(f);
	s = fusion_get_settings(f);
	slider_weights(fv, wb, f, wt);
	ready = live != NULL && live->ready && live->n_models == n;
	if (fv->sel >= n)
		fv->sel = n - 1;
	if (fv->sel < 0)
		fv->sel = 0;

	/* The method, its parameter, the normalisation (when the method
	 * uses it), the part measured. */
	x = snprintf(head, sizeof head, "Fusion: %s",
	    fusion_method_name(s->method));
	if (s->method == FUSE_RRF)
		x += snprintf(head + x, sizeof head - (size_t)x, " k=%g",
		    s->rrf_k);
	else if (s->method == FUSE_VOTE)
		x += snprintf(head + x, sizeof head - (size_t)x, " n=%d",
		    s->vote_n);
	if (uses_norm(s->method))
		x += snprintf(head + x, sizeof head - (size_t)x, ", norm %s",
		    fusion_norm_name(s->norm));
	snprintf(head + x, sizeof head - (size_t)x, "%s", !ready ? "" :
	    live->part == 1 ? ", on validation" :
	    ", on test (no validation part)");
	draw_heading(win, 0, 0, lw, head);

	for (m = 0; m < n; m++)
		if ((int)strlen(fusion_model_name(f, m)) + 2 > namew)
			namew = (int)strlen(fusion_model_name(f, m)) + 2;
	if (namew > 16)
		namew = 16;
	sliderw = lw - namew - valw - 2 * metw - 2;
	if (sliderw > 34 && !wide)
		sliderw = 34;
	y = 1;
	draw_text(win, y, 2, namew, color_attr(CR_LABEL), "model");
	draw_text(win, y, namew, sliderw, color_attr(CR_LABEL), "weight");
	x = namew + sliderw + valw;
	draw_text_right(win, y, x, metw, color_attr(CR_LABEL), "NDCG@10");
	draw_text_right(win, y, x + metw, metw, color_attr(CR_LABEL),
	    "Recall@10");
	for (m = 0; m < n; m++) {
		int sel = m == fv->sel, attr = sel ? color_attr(CR_SELECTED) :
		    0;

		y++;
		if (y >= h)
			break;
		draw_text(win, y, 0, 2, color_attr(CR_LABEL), sel ? ">" : " ");
		draw_text(win, y, 2, namew - 2, attr | color_attr(CR_MODEL(m)),
		    fusion_model_name(f, m));
		draw_slider(win, y, namew, sliderw - 1, wt[m], 0, 1, sel);
		draw_printf(win, y, namew + sliderw, valw, 0, "%5.2f", wt[m]);
		draw_metric(win, y, x, metw, ready, ready ? live->ndcg[m] :
		    NAN, 0);
		draw_metric(win, y, x + metw, metw, ready, ready ?
		    live->recall[m] : NAN, 0);
	}
	/* The fused row, and in its slider's place: fused minus the best
	 * single model per user, with its 95% interval (does the fusion
	 * really beat it?), or why there is no figure. */
	if (++y < h) {
		int dim = color_attr(CR_DIM);

		draw_text(win, y, 2, namew - 2, color_attr(CR_LABEL), "fused");
		if (!ready)
			draw_text(win, y, namew, sliderw + valw, dim,
			    task == WB_TASK_MEASURE ? "measuring..." :
			    "not measured yet");
		else if (live->stale)
			draw_text(win, y, namew, sliderw + valw, dim,
			    "of the weights before; measuring...");
		else if (n == 1)
			draw_text(win, y, namew, sliderw + valw, dim,
			    "one model: train another to fuse");
		else if (live->best >= 0 && live->best < n) {
			char vs[128];

			snprintf(vs, sizeof vs, "vs %s %+.4f [%+.4f, %+.4f]",
			    fusion_model_name(f, live->best), live->diff,
			    live->diff_lo, live->diff_hi);
			/* Where the slider's place is too narrow (the
			 * preview beside): a line of its own. */
			if ((int)strlen(vs) < sliderw + valw)
				draw_text(win, y, namew, sliderw + valw, dim,
				    vs);
			else if (y + 1 < h)
				draw_text(win, y + 1, namew, lw - namew, dim,
				    vs);
		}
		draw_metric(win, y, x, metw, ready, ready ? live->fused_ndcg :
		    NAN, color_attr(CR_LABEL));
		draw_metric(win, y, x + metw, metw, ready, ready ?
		    live->fused_recall : NAN, color_attr(CR_LABEL));
	}
	if (s->method == FUSE_STACK && ++y < h) {
		char list[512], line[600];

		draw_text(win, y, 2, lw - 2, color_attr(CR_DIM),
		    "a fitted stack: the sliders go back to weighted");
		/* What the stack weighs by, since the sliders do not say. */
		if (fusion_stack_summary(f, list, sizeof list) >= 0 &&
		    ++y < h) {
			snprintf(line, sizeof line, "average user: %s", list);
			draw_text(win, y, 2, lw - 2, color_attr(CR_DIM), line);
		}
	}

	/* A tall screen (40 lines and more) shows more of the list: the
	 * rows there are. */
	fv->want = h >= 36 ? (wide ? h : h - y - 1) - 2 : FV_PREVIEW;
	if (fv->want < FV_PREVIEW)
		fv->want = FV_PREVIEW;
	if (fv->want > WB_PREVIEW_MAX)
		fv->want = WB_PREVIEW_MAX;
	u = preview_user(v, fusion_dataset(f), &picked);
	preview_update(v, f, live ? live->generation : 0, u);
	if (wide) {
		draw_preview(v, win, 0, lw + 2, w - lw - 2, h, f, picked);
		draw_keys_below(v, win, y + 2, lw, h);
	} else
		draw_preview(v, win, y + 1, 0, w, h - y - 1, f, picked);
}

static unsigned
fusion_mode(struct view *v)
{
	const workbench *wb = v->env->wb;

	if (wb != NULL && workbench_fusion_peek(wb) != NULL)
		return FV_FUSED;
	return wb != NULL && workbench_model_count(wb) > 0 ? FV_MODELS :
	    FV_EMPTY;
}

static int
select_model(struct view *v, int key, int height, char *cmd, size_t len)
{
	struct fusion_view *fv = v->state;
	int n = fusion_n_models(workbench_fusion_peek(v->env->wb));

	(void)height;
	(void)cmd;
	(void)len;
	if ((key == 'j' || key == KEY_DOWN) && fv->sel + 1 < n)
		fv->sel++;
	else if ((key == 'k' || key == KEY_UP) && fv->sel > 0)
		fv->sel--;
	return VIEW_HANDLED | VIEW_REDRAW;
}

/* `weights` with every model's weight, exact (see format_weight()). */
static void
weights_command(const fusion *f, const double *w, char *cmd, size_t len)
{
	size_t used = (size_t)snprintf(cmd, len, "weights");
	char val[32];

	for (int m = 0; m < fusion_n_models(f) && used < len; m++) {
		format_weight(val, sizeof val, w[m]);
		used += (size_t)snprintf(cmd + used, len - used, " %s=%s",
		    fusion_model_name(f, m), val);
	}
	if (used >= len)
		cmd[0] = '\0';	/* cut: better nothing than a wrong weight */
}

/*
 * The chosen model's weight a step up or down (h/l 0.05, H/L 0.01) on
 * the grid of the step, the others scaled to keep the sum 1: the slider
 * lands where it shows.  The step moves on from where the last one
 * landed even before its `weights` ran (keys faster than the screen
 * coalesce into one command, VIEW_COALESCE); at 0 the model takes no
 * part.
 */
static int
move_slider(struct view *v, int key, int height, char *cmd, size_t len)
{
	struct fusion_view *fv = v->state;
	workbench *wb = v->env->wb;
	const fusion *f = workbench_fusion_peek(wb);
	int n = fusion_n_models(f), up, fine;
	double wt[FUSION_MAX_MODELS], next[FUSION_MAX_MODELS], cur, inv, k;
	char val[32];

	(void)height;
	up = key == 'l' || key == 'L' || key == KEY_RIGHT || key == KEY_SRIGHT;
	fine = key == 'H' || key == 'L' || key == KEY_SLEFT ||
	    key == KEY_SRIGHT;
	inv = fine ? 1 / FV_FINE : 1 / FV_STEP;
	inv = floor(inv + 0.5);
	slider_weights(fv, wb, f, wt);
	cur = wt[fv->sel];
	/* Onto the grid first: 0.333 -> 0.35 or 0.3; k / inv is the double
	 * nearest 0.35 itself, not 7 * 0.05. */
	k = up ? floor(cur * inv + 1e-6) + 1 : ceil(cur * inv - 1e-6) - 1;
	if (k < 0)
		k = 0;
	if (k > inv)
		k = inv;
	if (n < 2 || fabs(k / inv - cur) < 1e-12) {
		v->env->message(v->env->ud, n < 2 ?
		    "one model: nothing to weigh against" : up ?
		    "the weight is 1 already: the others take no part" :
		    "the weight is 0 already: the model takes no part");
		return VIEW_HANDLED | VIEW_REDRAW;
	}
	workbench_fusion_share(wt, n, fv->sel, k / inv, next);
	memcpy(fv->target, next, (size_t)n * sizeof *next);
	fv->n_target = n;
	fv->target_f = f;
	fv->target_gen = workbench_fusion_live(wb)->generation;
	format_weight(val, sizeof val, k / inv);
	snprintf(fv->step_note, sizeof fv->step_note, "%s %s",
	    fusion_model_name(f, fv->sel), val);
	fv->stepped = 1;
	weights_command(f, next, cmd, len);
	return VIEW_HANDLED | VIEW_REDRAW | VIEW_COALESCE;
}

/* Type the chosen model's share: the console opens with `weights --share
 * MODEL=`. */
static int
type_weight(struct view *v, int key, int height, char *cmd, size_t len)
{
	struct fusion_view *fv = v->state;
	const fusion *f = workbench_fusion_peek(v->env->wb);
	char text[64];

	(void)key;
	(void)height;
	(void)cmd;
	(void)len;
	snprintf(text, sizeof text, "weights --share %s=",
	    fusion_model_name(f, fv->sel));
	if (v->env->prompt != NULL)
		v->env->prompt(v->env->ud, text);
	return VIEW_HANDLED;
}

/* `fuse` with the next method of the cycle (m). */
static int
next_method(struct view *v, int key, int height, char *cmd, size_t len)
{
	const fusion_settings *s = fusion_get_settings(
	    workbench_fusion_peek(v->env->wb));
	int i;

	(void)key;
	(void)height;
	for (i = 0; i < 4 && cycle_methods[i] != s->method; i++)
		;
	snprintf(cmd, len, "fuse %s", fusion_method_name(
	    cycle_methods[i < 4 ? (i + 1) % 4 : 0]));
	return VIEW_HANDLED | VIEW_REDRAW;
}

/* `fuse` with the next normalisation (n). */
static int
next_norm(struct view *v, int key, int height, char *cmd, size_t len)
{
	const fusion_settings *s = fusion_get_settings(
	    workbench_fusion_peek(v->env->wb));

	(void)key;
	(void)height;
	snprintf(cmd, len, "fuse %s norm=%s", fusion_method_name(s->method),
	    fusion_norm_name((enum fusion_norm)(((int)s->norm + 1) %
	    NORM_COUNT)));
	return VIEW_HANDLED | VIEW_REDRAW;
}

static const struct view_key fusion_keys[] = {
	{ "j/k", { 'j', 'k', KEY_DOWN, KEY_UP }, FV_FUSED, "model",
	    "choose the model whose slider h/l moves", .action = select_model },
	{ "h/l", { 'h', 'l', KEY_LEFT, KEY_RIGHT }, FV_FUSED, "weight",
	    "the chosen model's weight 0.05 down or up, the others "
	    "scaled to keep the sum 1 (a `weights` command); at 0 the "
	    "model takes no part", .action = move_slider },
	{ "H/L", { 'H', 'L', KEY_SLEFT, KEY_SRIGHT }, FV_FUSED, NULL,
	    "the same in fine steps of 0.01", .action = move_slider },
	{ "=", { '=' }, FV_FUSED, NULL,
	    "type the chosen model's weight (`weights --share MODEL=W`)",
	    .action = type_weight },
	{ "m", { 'm' }, FV_FUSED, "method",
	    "the next method: weighted, rrf, borda, vote (`fuse METHOD`)",
	    .action = next_method },
	{ "m", { 'm' }, FV_MODELS, "fuse",
	    "fuse the trained models (`fuse weighted`)",
	    .command = "fuse weighted" },
	{ "n", { 'n' }, FV_FUSED, "norm",
	    "the next normalisation of the scores (`fuse METHOD norm=N`)",
	    .action = next_norm },
	{ "t", { 't' }, FV_FUSED, "tune",
	    "learn the weights on the validation part (`tune`)",
	    .command = "tune" },
	{ "u", { 'u', '/' }, 0, "user",
	    "the user to preview: types `user ` in the console (/ too)",
	    .prompt = "user " },
	{ .label = NULL }
};

/* On a wide screen, the room under the sliders: the keys that move them
 * (from the screen's keymap table, as `?` shows them). */
static void
draw_keys_below(struct view *v, WINDOW *win, int y, int w, int h)
{
	unsigned mode = v->ops->mode(v);

	if (y + 3 >= h)
		return;
	draw_heading(win, y++, 0, w, "Keys");
	for (const struct view_key *k = fusion_keys; k->label != NULL &&
	    y < h; k++) {
		if (k->modes != 0 && !(k->modes & mode))
			continue;
		draw_text(win, y, 2, 8, color_attr(CR_LABEL), k->label);
		draw_text(win, y++, 10, w - 10, color_attr(CR_DIM), k->help);
	}
}

const struct view_ops view_fusion_ops = {
	.name = "fusion",
	.title = "Fusion",
	.key = '3',
	.keymap = fusion_keys,
	.mode = fusion_mode,
	.open = fusion_open,
	.close = fusion_close,
	.draw = fusion_draw,
};
