/* log: the output buffer and the Log view (scrollable; 's' shows only the
 * commands, which is the session as a replayable script). */
#include "views/log.h"

#include <stdlib.h>
#include <string.h>

#include "engine/core/utf8.h"
#include "views/widgets/color.h"
#include "views/keymap.h"
#include "views/view.h"
#include "views/widgets/widgets.h"

void
log_init(struct log_buffer *lb, int max_lines)
{
	memset(lb, 0, sizeof *lb);
	lb->max = max_lines > 16 ? max_lines : 16;
}

void
log_free(struct log_buffer *lb)
{
	int i;

	for (i = 0; i < lb->n; i++)
		free(lb->lines[i].text);
	free(lb->lines);
	memset(lb, 0, sizeof *lb);
}

static int
log_push(struct log_buffer *lb, enum log_kind kind, const char *s, size_t n)
{
	char *text;

	if (lb->n == lb->max) {
		/* Drop the oldest quarter at once, not one line per append. */
		int drop = lb->max / 4, i;

		for (i = 0; i < drop; i++)
			free(lb->lines[i].text);
		memmove(lb->lines, lb->lines + drop,
		    (size_t)(lb->n - drop) * sizeof *lb->lines);
		lb->n -= drop;
	}
	if (lb->n == lb->cap) {
		int cap = lb->cap ? lb->cap * 2 : 64;
		struct log_line *grown;

		if (cap > lb->max)
			cap = lb->max;
		grown = realloc(lb->lines, (size_t)cap * sizeof *grown);
		if (grown == NULL)
			return -1;
		lb->lines = grown;
		lb->cap = cap;
	}
	if ((text = malloc(n + 1)) == NULL)
		return -1;
	memcpy(text, s, n);
	text[n] = '\0';
	lb->lines[lb->n].text = text;
	lb->lines[lb->n].kind = kind;
	lb->n++;
	lb->appended++;
	return 0;
}

int
log_append(struct log_buffer *lb, enum log_kind kind, const char *text)
{
	const char *nl;

	if (text == NULL)
		return 0;
	while ((nl = strchr(text, '\n')) != NULL) {
		if (log_push(lb, kind, text, (size_t)(nl - text)) < 0)
			return -1;
		text = nl + 1;
	}
	if (*text == '\0')
		return 0;
	return log_push(lb, kind, text, strlen(text));
}

int
log_append_table(struct log_buffer *lb, const rf_table *t)
{
	rf_buf text = { 0 };
	int rc;

	if (t == NULL || t->ncols == 0)
		return 0;
	rc = table_format_text(t, 0, &text);
	if (rc == 0)
		rc = rf_buf_append(&text, "", 1);
	if (rc == 0)
		rc = log_append(lb, LOG_OUTPUT, (const char *)text.data);
	rf_buf_free(&text);
	return rc;
}

/* --- the Log view --------------------------------------------------------- */

struct log_view {
	int top;		/* first line shown (in the filtered list) */
	int left;		/* columns scrolled to the right */
	int follow;		/* stick to the end as lines arrive */
	int commands_only;	/* 's': the session as a script */
	int last_height;
};

static int
log_open(struct view *v)
{
	struct log_view *lv = calloc(1, sizeof *lv);

	if (lv == NULL)
		return -1;
	lv->follow = 1;
	v->state = lv;
	return 0;
}

static void
log_close(struct view *v)
{
	free(v->state);
	v->state = NULL;
}

static int
log_visible(const struct log_view *lv, const struct log_line *l)
{
	return !lv->commands_only || l->kind == LOG_COMMAND;
}

static int
log_count(const struct log_view *lv, const struct log_buffer *lb)
{
	int i, n = 0;

	if (!lv->commands_only)
		return lb->n;
	for (i = 0; i < lb->n; i++)
		n += log_visible(lv, &lb->lines[i]);
	return n;
}

static void
log_draw(struct view *v, WINDOW *win)
{
	struct log_view *lv = v->state;
	const struct log_buffer *lb = v->env->log;
	int h = getmaxy(win), w = getmaxx(win), body = h - 1, total, i, row;

	lv->last_height = h;
	total = log_count(lv, lb);
	if (lv->follow || lv->top > total - body)
		lv->top = total - body;
	if (lv->top < 0)
		lv->top = 0;
	draw_heading(win, 0, 0, w, lv->commands_only ?
	    "Session log (the commands; `recfuse -f` replays them)" :
	    "Log (command output and errors)");
	if (total == 0) {
		draw_text(win, 1, 1, w - 1, color_attr(CR_DIM),
		    lv->commands_only ? "No commands yet." :
		    "Nothing yet.  Command output and errors appear here.");
		return;
	}
	for (i = 0, row = 0; i < lb->n && row < lv->top + body; i++) {
		const struct log_line *l = &lb->lines[i];
		int attr = 0, x = 0;
		const char *text = l->text;

		if (!log_visible(lv, l))
			continue;
		if (row++ < lv->top)
			continue;
		switch (l->kind) {
		case LOG_ERROR:
			attr = color_attr(CR_ERROR);
			break;
		case LOG_COMMAND:
		case LOG_COMMAND_ASIDE:
			attr = color_attr(CR_COMMAND);
			if (!lv->commands_only) {
				draw_text(win, row - lv->top, 0, 2, attr, "> ");
				x = 2;
			}
			break;
		case LOG_NOTE:
			attr = color_attr(CR_DIM);
			break;
		case LOG_LABEL:
			attr = color_attr(CR_LABEL);
			break;
		default:
			break;
		}
		draw_text(win, row - lv->top, x, w - x, attr,
		    utf8_skip_cols(text, lv->left));
	}
}

static int
log_scroll(struct view *v, int key, int height, char *cmd, size_t n)
{
	struct log_view *lv = v->state;
	int total = log_count(lv, v->env->log), body = height - 1;

	(void)cmd;
	(void)n;
	lv->top = view_scroll(lv->top, key, total, body);
	lv->follow = lv->top >= total - body;
	return VIEW_HANDLED | VIEW_REDRAW;
}

static int
log_pan(struct view *v, int key, int height, char *cmd, size_t n)
{
	struct log_view *lv = v->state;

	(void)height;
	(void)cmd;
	(void)n;
	if (key == 'h' || key == KEY_LEFT)
		lv->left = lv->left >= 8 ? lv->left - 8 : 0;
	else
		lv->left += 8;
	return VIEW_HANDLED | VIEW_REDRAW;
}

static int
log_session(struct view *v, int key, int height, char *cmd, size_t n)
{
	struct log_view *lv = v->state;

	(void)key;
	(void)height;
	(void)cmd;
	(void)n;
	lv->commands_only = !lv->commands_only;
	lv->follow = 1;
	return VIEW_HANDLED | VIEW_REDRAW;
}

static const struct view_key log_keys[] = {
	{ "j/k", { 'j', 'k', KEY_DOWN, KEY_UP }, 0, "scroll",
	    "scroll a line down or up", .action = log_scroll },
	{ "Space/b", { ' ', 'b', KEY_NPAGE, KEY_PPAGE, 'f' & 0x1f,
	    'b' & 0x1f }, 0, NULL, "scroll a page down or up (C-f/C-b too)",
	    .action = log_scroll },
	{ "h/l", { 'h', 'l', KEY_LEFT, KEY_RIGHT }, 0, "pan",
	    "pan left or right (long lines)", .action = log_pan },
	{ "g/G", { 'g', 'G', KEY_HOME, KEY_END }, 0, "top/end",
	    "to the top or the end (the end follows new output)",
	    .action = log_scroll },
	{ "s", { 's' }, 0, "session",
	    "only the commands that succeeded: the session as a script "
	    "(`recfuse -f` replays it)", .action = log_session },
	{ .label = NULL }
};

const struct view_ops view_log_ops = {
	.name = "log",
	.title = "Log",
	.key = '5',
	.keymap = log_keys,
	.open = log_open,
	.close = log_close,
	.draw = log_draw,
};
