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

#define FV_PREVIEW 10
#define FV_STEP 0.05		/* a slider step, in normalised weight */
#define FV_WIDE 110		/* from here the preview sits beside */

struct fusion_view {
	int sel;			/* the model whose slider keys move */
	/* The preview and what it was computed from. */
	const fusion *f;
	const dataset *ds;
	unsigned long generation;
	char settings[2048];
	int user;			/* dense index, -1 none */
	fusion_preview pv;		/* its top FV_PREVIEW */
	/* The ranking before the last change, for the moves. */
	int prev_n;
	int32_t prev[FV_PREVIEW];
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
	    fv->generation == generation &&
	    strcmp(fv->settings, settings) == 0)
		return;
	same_user = fv->f == f && fv->ds == ds && fv->user == u && !v->stale;
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
	if (workbench_fusion_preview(v->env->wb, u, FV_PREVIEW, &fv->pv,
	    &err) < 0) {
		fv->pv.n = 0;
		snprintf(fv->error, sizeof fv->error, "%.200s", err.msg);
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

/* "0.35" for a weight: up to 3 decimals, no trailing zeros. */
static void
format_weight(char *buf, size_t n, double w)
{
	size_t len;

	snprintf(buf, n, "%.3f", w);
	len = strlen(buf);
	while (len > 1 && buf[len - 1] == '0')
		buf[--len] = '\0';
	if (len > 1 && buf[len - 1] == '.')
		buf[--len] = '\0';
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

static void
draw_preview(struct view *v, WINDOW *win, int y, int x, int w, int h,
    const fusion *f, int picked)
{
	struct fusion_view *fv = v->state;
	const dataset *ds = fusion_dataset(f);
	int n = fusion_n_models(f), k, m, titlew, barw;
	const char *names[FUSION_MAX_MODELS];
	char letters[FUSION_MAX_MODELS], title[160];
	double scale = 0;

	if (h < 2)
		return;
	if (fv->user >= 0)
		snprintf(title, sizeof title, "Top %d for user %s%s",
		    FV_PREVIEW, ds->user_ext[fv->user],
		    picked ? "" : " (most active; u picks)");
	else
		snprintf(title, sizeof title, "Top %d", FV_PREVIEW);
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
	for (k = 0; k < fv->pv.n; k++) {
		double s = 0;

		for (m = 0; m < n; m++)
			s += fabs(fv->pv.contrib[k][m]);
		if (s > scale)
			scale = s;
	}
	/* rank(3) move(4) title score(8) bar */
	barw = w >= 70 ? (w - 15) / 3 : w >= 44 ? 12 : 0;
	titlew = w - 3 - 4 - 8 - (barw > 0 ? barw + 1 : 0);
	for (k = 0; k < fv->pv.n && k + 1 < h; k++) {
		int row = y + 1 + k, was = -1, j;
		char name[256], move[16] = "";

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
		draw_text(win, row, x + 7, titlew - 1, 0, name);
		draw_printf(win, row, x + 7 + titlew, 8, 0, "%7.3f",
		    (double)fv->pv.scores[k]);
		if (barw > 0)
			draw_contrib_bar(win, row, x + 7 + titlew + 8, barw,
			    fv->pv.contrib[k], letters, n, scale);
	}
	if (barw > 0 && fv->pv.n + 1 < h) {
		int used = draw_text(win, y + 1 + fv->pv.n, x + 7, w - 7,
		    color_attr(CR_DIM), "bars: ");

		draw_contrib_legend(win, y + 1 + fv->pv.n, x + 7 + used,
		    w - 7 - used, names, letters, n);
	}
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
	char head[256];

	if (f == NULL) {
		draw_howto(v, win);
		return;
	}
	n = fusion_n_models(f);
	s = fusion_get_settings(f);
	fusion_weights(f, wt);
	ready = live != NULL && live->ready && live->n_models == n;
	if (fv->sel >= n)
		fv->sel = n - 1;
	if (fv->sel < 0)
		fv->sel = 0;

	/* The method, its parameter, the normalisation, the part measured. */
	x = snprintf(head, sizeof head, "Fusion: %s",
	    fusion_method_name(s->method));
	if (s->method == FUSE_RRF)
		x += snprintf(head + x, sizeof head - (size_t)x, " k=%g",
		    s->rrf_k);
	else if (s->method == FUSE_VOTE)
		x += snprintf(head + x, sizeof head - (size_t)x, " n=%d",
		    s->vote_n);
	snprintf(head + x, sizeof head - (size_t)x, ", norm %s%s",
	    fusion_norm_name(s->norm), !ready ? "" : live->part == 1 ?
	    ", on validation" : ", on test (no validation part)");
	draw_heading(win, 0, 0, lw, head);

	for (m = 0; m < n; m++)
		if ((int)strlen(fusion_model_name(f, m)) + 2 > namew)
			namew = (int)strlen(fusion_model_name(f, m)) + 2;
	if (namew > 16)
		namew = 16;
	sliderw = lw - namew - valw - 2 * metw - 2;
	if (sliderw > 34)
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
	if (++y < h) {
		draw_text(win, y, 2, namew - 2, color_attr(CR_LABEL), "fused");
		draw_metric(win, y, x, metw, ready, ready ? live->fused_ndcg :
		    NAN, color_attr(CR_LABEL));
		draw_metric(win, y, x + metw, metw, ready, ready ?
		    live->fused_recall : NAN, color_attr(CR_LABEL));
	}
	if (++y < h) {
		if (!ready) {
			draw_text(win, y, 2, lw - 2, color_attr(CR_DIM),
			    "metrics: run `weights` or `fuse` to measure");
		} else if (n == 1) {
			draw_text(win, y, 2, lw - 2, color_attr(CR_DIM),
			    "one model: train another to fuse");
		} else if (live->best >= 0 && live->best < n) {
			/* Per user, with its 95% interval: does the fusion
			 * really beat the best single model? */
			draw_printf(win, y, 2, lw - 2, color_attr(CR_DIM),
			    "fused - %s: %+.4f [%+.4f, %+.4f]%s",
			    fusion_model_name(f, live->best), live->diff,
			    live->diff_lo, live->diff_hi, s->method ==
			    FUSE_STACK ? "; sliders go back to weighted" : "");
		}
	}

	u = preview_user(v, fusion_dataset(f), &picked);
	preview_update(v, f, live ? live->generation : 0, u);
	if (wide)
		draw_preview(v, win, 0, lw + 2, w - lw - 2, h, f, picked);
	else
		draw_preview(v, win, y + 2, 0, w, h - y - 2, f, picked);
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

/* `weights` for the selected model moved a step, the others scaled so
 * that the weights still sum to 1: the slider lands where it shows. */
static int
move_slider(struct view *v, int key, int height, char *cmd, size_t len)
{
	struct fusion_view *fv = v->state;
	const fusion *f = workbench_fusion_peek(v->env->wb);
	int n = fusion_n_models(f), m, dir = key == 'l' || key == KEY_RIGHT ?
	    1 : -1;
	double wt[FUSION_MAX_MODELS], cur, next, rest, scale;
	char val[16];
	size_t used;

	(void)height;
	fusion_weights(f, wt);
	cur = wt[fv->sel];
	/* Snap to the grid of steps first: 0.333 -> 0.35 or 0.3. */
	if (dir > 0)
		next = floor(cur / FV_STEP + 1e-6) * FV_STEP + FV_STEP;
	else
		next = ceil(cur / FV_STEP - 1e-6) * FV_STEP - FV_STEP;
	if (next < 0)
		next = 0;
	if (next > 1)
		next = 1;
	if (fabs(next - cur) < 1e-9 || n < 2) {
		v->env->message(v->env->ud, n < 2 ?
		    "one model: nothing to weigh against" : dir > 0 ?
		    "the weight is 1 already" : "the weight is 0 already");
		return VIEW_HANDLED | VIEW_REDRAW;
	}
	rest = 1 - cur;
	scale = rest > 1e-12 ? (1 - next) / rest : 0;
	used = (size_t)snprintf(cmd, len, "weights");
	for (m = 0; m < n && used < len; m++) {
		double x = m == fv->sel ? next : rest > 1e-12 ? wt[m] * scale :
		    (1 - next) / (n - 1);

		format_weight(val, sizeof val, x);
		used += (size_t)snprintf(cmd + used, len - used, " %s=%s",
		    fusion_model_name(f, m), val);
	}
	if (used >= len)
		cmd[0] = '\0';	/* cut: better nothing than a wrong weight */
	return VIEW_HANDLED | VIEW_REDRAW;
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
	    "the chosen model's weight a step down or up, the others "
	    "scaled to keep the sum 1 (a `weights` command)",
	    .action = move_slider },
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
	{ NULL }
};

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
