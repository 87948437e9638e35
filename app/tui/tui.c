/* tui: the screen manager (htop's ScreenManager, tig's view loop): lays
 * out the header, the current view, the key bar, the message line and the
 * console; reads keys, script lines and wake-ups; runs every action as
 * command text; draws only what changed, and only when something did. */
#include "app/tui/tui.h"

#include <errno.h>
#include <langinfo.h>
#include <limits.h>
#include <locale.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <wchar.h>

#include "app/cmd/train.h"
#include "app/tui/console.h"
#include "app/tui/loop.h"
#include "engine/core/utf8.h"
#include "views/widgets/color.h"
#include "views/log.h"
#include "views/view.h"
#include "views/widgets/widgets.h"

#define TUI_MIN_COLS 60
#define TUI_MIN_LINES 16
#define TUI_LOG_LINES 20000
#define TUI_REDRAW_MS 100	/* at most 10 redraws a second from wake-ups */
#define TUI_MAGIC 0x52465455u	/* "RFTU": ctx->app is ours */

enum tui_dirty {
	D_HEAD = 1 << 0,
	D_VIEW = 1 << 1,
	D_FOOT = 1 << 2,
	D_MSG = 1 << 3,
	D_CONS = 1 << 4,
	D_LAYOUT = 1 << 5,
	D_ALL = 0x3f
};

struct tui {
	unsigned magic;
	cmd_ctx *ctx;
	SCREEN *screen;
	FILE *term_out, *term_in;	/* /dev/null in script mode */
	int utf8, unicode, color;

	WINDOW *w_head, *w_view, *w_foot, *w_msg, *w_cons;
	int too_small;
	int tab_x[VIEW_COUNT + 1];	/* tab columns, for mouse clicks */

	struct view views[VIEW_COUNT];
	struct view_env env;
	int current;
	int console_focus;
	int help_open, help_top;
	struct log_buffer help;

	struct log_buffer log;
	char message[1024];
	int message_error;
	int out_lines;		/* output lines of the running command */

	unsigned dirty;
	int redraw_pending;	/* a throttled redraw is due */
	double last_draw;
	int quit, status;

	FILE *script;
	const char *script_name;
	int script_line;
	int restored;			/* the saved session was loaded */
	rf_buf session;			/* every command that succeeded, in
					 * order, but the TUI-only ones: the
					 * replayable script */
	FILE *init;			/* --init commands still to run */
	const char *init_name;
	int init_line;
};

static struct tui *tui_self;	/* for readline's hooks and the commands */
static volatile sig_atomic_t tui_sigint;
static volatile int tui_cancel;

static void tui_handle_key(struct tui *t, int key);

/* --- time ---------------------------------------------------------------- */

static double
tui_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* --- messages and output -------------------------------------------------- */

static void
tui_set_message(struct tui *t, int is_error, const char *text)
{
	snprintf(t->message, sizeof t->message, "%s", text ? text : "");
	t->message_error = is_error;
	t->dirty |= D_MSG;
}

static void draw_message(struct tui *t);

/* Long commands print as they go: show the latest line at once. */
static void
tui_flush_message(struct tui *t)
{
	if (t->too_small || t->w_msg == NULL)
		return;
	draw_message(t);
	wnoutrefresh(t->w_msg);
	if (t->w_cons != NULL)
		wnoutrefresh(t->w_cons);
	doupdate();
	t->dirty &= ~(unsigned)D_MSG;
}

static void
tui_out_text(void *ud, int is_error, const char *line)
{
	struct tui *t = ud;
	const char *last = line, *p;

	log_append(&t->log, is_error ? LOG_ERROR : LOG_OUTPUT, line);
	t->out_lines++;
	for (p = line; *p != '\0'; p++)
		if (*p == '\n' && p[1] != '\0') {
			last = p + 1;
			t->out_lines++;
		}
	tui_set_message(t, is_error, last);
	t->dirty |= D_VIEW;
	tui_flush_message(t);
}

static void
tui_out_table(void *ud, const rf_table *tab)
{
	struct tui *t = ud;
	char note[256];

	if (log_append_table(&t->log, tab) < 0) {
		tui_set_message(t, 1, "out of memory");
		return;
	}
	t->out_lines += tab->nrows + 1;
	snprintf(note, sizeof note, "%s: %d row%s (5: Log)",
	    tab->title ? tab->title : "result", tab->nrows,
	    tab->nrows == 1 ? "" : "s");
	tui_set_message(t, 0, note);
	t->dirty |= D_VIEW;
}

/* --- views ---------------------------------------------------------------- */

static void
tui_switch(struct tui *t, int index)
{
	if (index < 0 || index >= VIEW_COUNT)
		return;
	t->current = index;
	t->help_open = 0;
	t->dirty |= D_HEAD | D_VIEW | D_FOOT;
}

/* Which commands of the line may have changed the data?  An unknown or
 * writing command (CMD_WRITES) makes the views reload. */
static int
line_may_write(const char *line)
{
	char *copy = strdup(line), *seg, *save = NULL;
	int writes = 0;

	if (copy == NULL)
		return 1;
	for (seg = strtok_r(copy, ";", &save); seg != NULL && !writes;
	    seg = strtok_r(NULL, ";", &save)) {
		char word[64];
		const cmd_entry *e;
		rf_error err;

		if (sscanf(seg, " %63s", word) != 1)
			continue;
		e = cmd_find(word, &err);
		writes = e == NULL || (e->flags & CMD_WRITES);
	}
	free(copy);
	return writes;
}

/* Is every command of the line one that only the TUI knows?  Those stay
 * out of the session log, which batch mode must be able to replay. */
static int
line_is_ui_only(const char *line)
{
	char *copy = strdup(line), *seg, *save = NULL;
	int ui = 1, any = 0;

	if (copy == NULL)
		return 0;
	for (seg = strtok_r(copy, ";", &save); seg != NULL && ui;
	    seg = strtok_r(NULL, ";", &save)) {
		char word[64];
		const cmd_entry *e;
		rf_error err;

		if (sscanf(seg, " %63s", word) != 1)
			continue;
		e = cmd_find(word, &err);
		ui = e == &cmd_view_entry || e == &cmd_save_display_entry ||
		    e == &cmd_save_session_entry;
		any = 1;
	}
	free(copy);
	return ui && any;
}

static int
tui_run_command(struct tui *t, const char *line, int typed)
{
	int before = t->current, i, rc = 0;
	unsigned long echo;

	while (*line == ' ' || *line == '\t')
		line++;
	if (*line == '\0')
		return 0;
	log_append(&t->log, line_is_ui_only(line) ? LOG_COMMAND_ASIDE :
	    LOG_COMMAND, line);
	echo = t->log.appended;
	t->out_lines = 0;
	tui_cancel = 0;
	tui_sigint = 0;
	tui_set_message(t, 0, "");
	if (cmd_run_line(t->ctx, line) == 0) {
		if (!line_is_ui_only(line))
			rf_buf_printf(&t->session, "%s\n", line);
	} else {
		rc = -1;
		/* A failed line stays out of the session script. */
		long at = (long)t->log.n - 1 - (long)(t->log.appended - echo);

		if (at >= 0)
			t->log.lines[at].kind = LOG_COMMAND_ASIDE;
	}
	if (t->ctx->quit)
		t->quit = 1;
	/* A job may have started, or gone with the data. */
	train_watch(t->ctx);
	if (line_may_write(line))
		for (i = 0; i < VIEW_COUNT; i++)
			t->views[i].stale = 1;
	/* More output than the message line holds: show the Log (unless the
	 * command chose a screen itself). */
	if (typed && t->out_lines > 1 && t->current == before && !t->quit)
		tui_switch(t, VIEW_COUNT - 1);
	tui_sigint = 0;
	t->dirty |= D_ALL & ~(unsigned)D_LAYOUT;
	return rc;
}

static void
tui_submit(void *ud, const char *command)
{
	tui_run_command(ud, command, 0);
}

static void
tui_note(void *ud, const char *text)
{
	tui_set_message(ud, 0, text);
}

/* --- console ----------------------------------------------------------------- */

static void
tui_focus_console(struct tui *t, int on)
{
	t->console_focus = on;
	console_set_focus(on);
	console_paint();
	t->dirty |= D_CONS | D_FOOT;
}

/* A view asks for an argument: the console opens with text typed. */
static void
tui_prompt(void *ud, const char *text)
{
	struct tui *t = ud;

	tui_focus_console(t, 1);
	tui_set_message(t, 0, "");
	console_cancel();
	for (; text != NULL && *text != '\0'; text++)
		console_key((unsigned char)*text);
}

static void
tui_console_line(void *ud, char *line)
{
	struct tui *t = ud;

	/* Back to the view first: a command may switch screens. */
	tui_focus_console(t, 0);
	if (line != NULL)
		tui_run_command(t, line, 1);
	free(line);
}

static void
tui_console_note(void *ud, const char *text)
{
	tui_set_message(ud, 0, text);
}

/* --- layout and drawing ----------------------------------------------------- */

static void
tui_free_windows(struct tui *t)
{
	WINDOW **w[] = { &t->w_head, &t->w_view, &t->w_foot, &t->w_msg,
		&t->w_cons };
	size_t i;

	for (i = 0; i < sizeof w / sizeof w[0]; i++)
		if (*w[i] != NULL) {
			delwin(*w[i]);
			*w[i] = NULL;
		}
	console_set_window(NULL);
}

static void
tui_layout(struct tui *t)
{
	tui_free_windows(t);
	t->too_small = LINES < TUI_MIN_LINES || COLS < TUI_MIN_COLS;
	if (t->too_small)
		return;
	t->w_head = newwin(1, COLS, 0, 0);
	t->w_view = newwin(LINES - 4, COLS, 1, 0);
	t->w_foot = newwin(1, COLS, LINES - 3, 0);
	t->w_msg = newwin(1, COLS, LINES - 2, 0);
	t->w_cons = newwin(1, COLS, LINES - 1, 0);
	if (t->w_head == NULL || t->w_view == NULL || t->w_foot == NULL ||
	    t->w_msg == NULL || t->w_cons == NULL) {
		tui_free_windows(t);
		t->too_small = 1;
		return;
	}
	leaveok(t->w_head, TRUE);
	leaveok(t->w_view, TRUE);
	leaveok(t->w_foot, TRUE);
	leaveok(t->w_msg, TRUE);
	console_set_window(t->w_cons);
	console_paint();
}

static void
draw_header(struct tui *t)
{
	WINDOW *w = t->w_head;
	int x, i, cols = getmaxx(w);
	const char *path = store_path(workbench_store(t->ctx->wb));
	const char *base = path ? strrchr(path, '/') : NULL;

	werase(w);
	draw_fill(w, 0, 0, cols, color_attr(CR_TITLE));
	x = draw_text(w, 0, 0, cols, color_attr(CR_TITLE), " recfuse ");
	for (i = 0; i < VIEW_COUNT; i++) {
		char tab[32];
		int role = i == t->current ? CR_TAB_ACTIVE : CR_TAB;

		snprintf(tab, sizeof tab, " %c %s ", view_all[i]->key,
		    view_all[i]->title);
		t->tab_x[i] = x + 1;
		x += 1 + draw_text(w, 0, x + 1, cols - x - 1,
		    color_attr((enum color_role)role), tab);
	}
	t->tab_x[VIEW_COUNT] = x;
	if (path != NULL) {
		const wb_run *r = workbench_run_current(t->ctx->wb);
		char right[256], job[3][128];
		int room = cols - x - 2, q = workbench_queue_length(t->ctx->wb);
		int k, rw;

		snprintf(right, sizeof right, "%s%s ", base ? base + 1 : path,
		    store_is_readonly(workbench_store(t->ctx->wb)) ?
		    " (read-only)" : "");
		rw = utf8_width(right);
		if (r == NULL) {
			if (room > 8)
				draw_text_right(w, 0, x + 1, room + 1,
				    color_attr(CR_TITLE), right);
			return;
		}
		/* While a job runs, on every screen: "training als 3/15, 2
		 * queued" before the store's name, which gives way first;
		 * then shorter forms. */
		snprintf(job[0], sizeof job[0], "training %.24s %d/%d", r->model,
		    r->done, r->epochs);
		snprintf(job[1], sizeof job[1], "%.100s +%d", job[0], q);
		snprintf(job[2], sizeof job[2], "%.12s %d/%d +%d", r->model,
		    r->done, r->epochs, q);
		if (q > 0)
			snprintf(job[0] + strlen(job[0]), sizeof job[0] -
			    strlen(job[0]), ", %d queued", q);
		else
			job[1][0] = job[2][0] = '\0';
		if (utf8_width(job[0]) + 2 + rw <= room) {
			draw_text_right(w, 0, x + 1, room - rw,
			    color_attr(CR_TAB_ACTIVE), job[0]);
			draw_text_right(w, 0, x + 1, room + 1,
			    color_attr(CR_TITLE), right);
			return;
		}
		for (k = 0; k < 2 && job[k + 1][0] != '\0' &&
		    utf8_width(job[k]) + 1 > room; k++)
			;
		snprintf(right, sizeof right, "%s ", job[k]);
		draw_text_right(w, 0, x + 1, room + 1, color_attr(CR_TAB_ACTIVE),
		    right);
	}
}

static void
draw_keys(WINDOW *w, int *x, int cols, const char *keys, const char *help)
{
	if (*x >= cols - 1)
		return;
	*x += draw_text(w, 0, *x, cols - *x, color_attr(CR_FOOTER_KEY), keys);
	*x += draw_text(w, 0, *x, cols - *x, color_attr(CR_FOOTER), ":");
	*x += draw_text(w, 0, *x, cols - *x, color_attr(CR_FOOTER), help);
	*x += draw_text(w, 0, *x, cols - *x, color_attr(CR_FOOTER), "  ");
}

static void
draw_footer(struct tui *t)
{
	WINDOW *w = t->w_foot;
	int cols = getmaxx(w), x = 1;
	const struct view_key *k;

	werase(w);
	draw_fill(w, 0, 0, cols, color_attr(CR_FOOTER));
	if (t->console_focus) {
		draw_keys(w, &x, cols, "Enter", "run");
		draw_keys(w, &x, cols, "Tab", "complete");
		draw_keys(w, &x, cols, "Up/Down", "history");
		draw_keys(w, &x, cols, "C-r", "search");
		draw_keys(w, &x, cols, "Esc", "back");
		return;
	}
	if (t->help_open) {
		draw_keys(w, &x, cols, "j/k", "scroll");
		draw_keys(w, &x, cols, "q/Esc/?", "close");
		return;
	}
	/* The tabs show the number keys; help and the console come first,
	 * so a narrow terminal cuts the screen's own keys, not them. */
	draw_keys(w, &x, cols, "?", "help");
	draw_keys(w, &x, cols, ":", "command");
	for (k = view_all[t->current]->keys; k != NULL && k->keys != NULL;
	    k++)
		draw_keys(w, &x, cols, k->keys, k->help);
	draw_keys(w, &x, cols, "q", "quit");
}

static void
draw_message(struct tui *t)
{
	werase(t->w_msg);
	draw_text(t->w_msg, 0, 0, getmaxx(t->w_msg),
	    color_attr(t->message_error ? CR_ERROR : CR_MESSAGE), t->message);
}

/* The help overlay: keys, then the commands, from the tables. */
static void
help_build(struct tui *t)
{
	const cmd_entry *const *e;
	char line[512];
	int i;

	log_free(&t->help);
	log_init(&t->help, 4000);
	log_append(&t->help, LOG_COMMAND, "Keys everywhere");
	log_append(&t->help, LOG_OUTPUT,
	    "  1-5       switch screen (Data Train Fusion User Log)");
	log_append(&t->help, LOG_OUTPUT,
	    "  :         the console (Esc returns to the screen)");
	log_append(&t->help, LOG_OUTPUT, "  ?         this help");
	log_append(&t->help, LOG_OUTPUT, "  q         quit");
	log_append(&t->help, LOG_OUTPUT, "  C-l       redraw the screen");
	for (i = 0; i < VIEW_COUNT; i++) {
		const struct view_key *k = view_all[i]->keys;

		if (k == NULL || k->keys == NULL)
			continue;
		snprintf(line, sizeof line, "Keys on %s (%c)",
		    view_all[i]->title, view_all[i]->key);
		log_append(&t->help, LOG_COMMAND, line);
		for (; k->keys != NULL; k++) {
			snprintf(line, sizeof line, "  %-9s %s", k->keys,
			    k->help);
			log_append(&t->help, LOG_OUTPUT, line);
		}
	}
	log_append(&t->help, LOG_COMMAND, "Console");
	log_append(&t->help, LOG_OUTPUT,
	    "  Tab       complete commands, options, files, models");
	log_append(&t->help, LOG_OUTPUT,
	    "  Up/Down   history (kept in ~/.recfuse_history)");
	log_append(&t->help, LOG_OUTPUT, "  C-r       search the history");
	log_append(&t->help, LOG_OUTPUT,
	    "  Enter     run; several commands separate with ';'");
	log_append(&t->help, LOG_COMMAND, "Commands");
	for (e = cmd_table(); *e != NULL; e++) {
		const char *nl = strchr((*e)->help, '\n');
		int n = nl ? (int)(nl - (*e)->help) : (int)strlen((*e)->help);

		snprintf(line, sizeof line, "  %s", (*e)->usage);
		log_append(&t->help, LOG_LABEL, line);
		snprintf(line, sizeof line, "      %.*s", n, (*e)->help);
		log_append(&t->help, LOG_OUTPUT, line);
	}
}

static void
draw_help(struct tui *t)
{
	WINDOW *w = t->w_view;
	int h = getmaxy(w), cols = getmaxx(w), i, row;

	if (t->help_top > t->help.n - (h - 1))
		t->help_top = t->help.n - (h - 1);
	if (t->help_top < 0)
		t->help_top = 0;
	draw_heading(w, 0, 0, cols, "Help (q, Esc or ? closes)");
	for (i = t->help_top, row = 1; i < t->help.n && row < h; i++, row++) {
		const struct log_line *l = &t->help.lines[i];
		int attr = l->kind == LOG_COMMAND ? color_attr(CR_HEADING) :
		    l->kind == LOG_LABEL ? color_attr(CR_LABEL) : 0;

		draw_text(w, row, 1, cols - 1, attr, l->text);
	}
}

static void
draw_too_small(void)
{
	char msg[64];
	int y = LINES / 2, len;

	werase(stdscr);
	snprintf(msg, sizeof msg, "terminal too small: %dx%d (need %dx%d)",
	    COLS, LINES, TUI_MIN_COLS, TUI_MIN_LINES);
	len = (int)strlen(msg);
	draw_text(stdscr, y, COLS > len ? (COLS - len) / 2 : 0, COLS, 0, msg);
	wnoutrefresh(stdscr);
}

static void
tui_draw(struct tui *t)
{
	if (t->dirty & D_LAYOUT)
		tui_layout(t);
	if (t->dirty == 0 && !console_take_dirty())
		return;
	if (t->too_small) {
		draw_too_small();
		doupdate();
		t->dirty = 0;
		console_take_dirty();
		return;
	}
	if (t->dirty & D_HEAD) {
		draw_header(t);
		wnoutrefresh(t->w_head);
	}
	if (t->dirty & D_VIEW) {
		struct view *v = &t->views[t->current];

		werase(t->w_view);
		if (t->help_open)
			draw_help(t);
		else
			v->ops->draw(v, t->w_view);
		wnoutrefresh(t->w_view);
	}
	if (t->dirty & D_FOOT) {
		draw_footer(t);
		wnoutrefresh(t->w_foot);
	}
	if (t->dirty & D_MSG) {
		draw_message(t);
		wnoutrefresh(t->w_msg);
	}
	if (t->dirty & D_CONS)
		console_paint();
	/* Last, so the terminal's cursor ends in the console. */
	wnoutrefresh(t->w_cons);
	curs_set(t->console_focus ? 1 : 0);
	doupdate();
	console_take_dirty();
	t->dirty = 0;
	t->redraw_pending = 0;
	t->last_draw = tui_now();
}

/* --- keys -------------------------------------------------------------------- */

static void
tui_resize(struct tui *t)
{
	/* The terminal reflowed what it showed: repaint all of it. */
	clearok(curscr, TRUE);
	t->dirty |= D_ALL;
}

static void
help_key(struct tui *t, int key)
{
	int page = t->w_view ? getmaxy(t->w_view) - 2 : 10;

	switch (key) {
	case 'j':
	case KEY_DOWN:
		t->help_top++;
		break;
	case 'k':
	case KEY_UP:
		t->help_top--;
		break;
	case ' ':
	case KEY_NPAGE:
		t->help_top += page;
		break;
	case 'b':
	case KEY_PPAGE:
		t->help_top -= page;
		break;
	case 'g':
	case KEY_HOME:
		t->help_top = 0;
		break;
	case 'G':
	case KEY_END:
		t->help_top = t->help.n;
		break;
	case 'q':
	case '?':
	case 27:
	case '\r':
	case '\n':
	case KEY_ENTER:
		t->help_open = 0;
		t->dirty |= D_FOOT;
		break;
	default:
		if (key >= '1' && key < '1' + VIEW_COUNT)
			tui_switch(t, key - '1');
		return;
	}
	t->dirty |= D_VIEW;
}

static void
tui_mouse(struct tui *t)
{
	MEVENT ev;
	int i;

	if (getmouse(&ev) != OK)
		return;
	if (ev.bstate & BUTTON4_PRESSED) {
		tui_handle_key(t, KEY_UP);
		return;
	}
	if (ev.bstate & BUTTON5_PRESSED) {
		tui_handle_key(t, KEY_DOWN);
		return;
	}
	if (!(ev.bstate & (BUTTON1_CLICKED | BUTTON1_PRESSED)))
		return;
	if (ev.y == 0) {
		for (i = 0; i < VIEW_COUNT; i++)
			if (ev.x >= t->tab_x[i] && ev.x < t->tab_x[i + 1])
				tui_switch(t, i);
	} else if (ev.y == LINES - 1 && !t->console_focus) {
		tui_focus_console(t, 1);
	}
}

static void
tui_handle_key(struct tui *t, int key)
{
	struct view *v;
	int r;

	if (key == KEY_RESIZE) {
		tui_resize(t);
		return;
	}
	if (key == ('l' & 0x1f)) {
		clearok(curscr, TRUE);
		t->dirty |= D_ALL;
		return;
	}
	if (t->too_small) {
		if (key == 'q' && !t->console_focus)
			tui_run_command(t, "quit", 0);
		return;
	}
	if (key == KEY_MOUSE) {
		tui_mouse(t);
		return;
	}
	if (t->console_focus) {
		if (key == 27) {
			/* Esc leaves a search first, then the console. */
			if (console_searching()) {
				console_abort_search();
			} else {
				console_cancel();
				tui_focus_console(t, 0);
			}
			return;
		}
		console_key(key);
		return;
	}
	if (t->help_open) {
		help_key(t, key);
		return;
	}
	v = &t->views[t->current];
	r = v->ops->key_press ? v->ops->key_press(v, key, getmaxy(t->w_view)) :
	    VIEW_IGNORED;
	if (r & VIEW_HANDLED) {
		if (r & VIEW_REDRAW)
			t->dirty |= D_VIEW;
		return;
	}
	switch (key) {
	case ':':
		tui_focus_console(t, 1);
		tui_set_message(t, 0, "");
		break;
	case '?':
		help_build(t);
		t->help_open = 1;
		t->help_top = 0;
		t->dirty |= D_VIEW | D_FOOT;
		break;
	case 'q':
		tui_run_command(t, "quit", 0);
		break;
	case 27:
		if (t->message[0] != '\0')
			tui_set_message(t, 0, "");
		break;
	default:
		if (key >= '1' && key < '1' + VIEW_COUNT)
			tui_switch(t, key - '1');
		break;
	}
}

/* Ctrl-C: with nothing running there is nothing to stop; it clears the
 * console line, like a shell. */
static void
tui_interrupt(struct tui *t)
{
	tui_sigint = 0;
	tui_cancel = 0;
	if (t->console_focus)
		console_cancel();
	else if (workbench_training(t->ctx->wb))
		tui_run_command(t, "stop", 0);
	else
		tui_set_message(t, 0, "nothing to stop (q quits)");
}

static void
tui_on_sigint(int sig)
{
	(void)sig;
	tui_sigint = 1;
	tui_cancel = 1;
}

/* --- the script driver (tig's TIG_SCRIPT) -------------------------------- */

static const struct {
	const char *name;
	int key;
} key_names[] = {
	{ "Up", KEY_UP }, { "Down", KEY_DOWN }, { "Left", KEY_LEFT },
	{ "Right", KEY_RIGHT }, { "Enter", '\r' }, { "Esc", 27 },
	{ "Tab", '\t' }, { "Backspace", KEY_BACKSPACE },
	{ "BS", KEY_BACKSPACE }, { "Del", KEY_DC }, { "Home", KEY_HOME },
	{ "End", KEY_END }, { "PgUp", KEY_PPAGE }, { "PgDown", KEY_NPAGE },
	{ "Space", ' ' }, { "Colon", ':' }, { "LT", '<' },
};

static int
script_error(struct tui *t, const char *fmt, ...) RF_PRINTF(2, 3);

static int
script_error(struct tui *t, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s:%d: ", t->script_name, t->script_line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	t->status = 1;
	t->quit = 1;
	return -1;
}

/* Parse "<Name>" at s; the key in *key, the length used returned. */
static int
script_key_name(struct tui *t, const char *s, int *key)
{
	const char *end = strchr(s, '>');
	char name[64];
	size_t n, i;
	int lines, cols;

	if (end == NULL || (n = (size_t)(end - s - 1)) >= sizeof name)
		return script_error(t, "unterminated key name: %s", s);
	memcpy(name, s + 1, n);
	name[n] = '\0';
	if (sscanf(name, "Resize:%dx%d", &cols, &lines) == 2) {
		if (cols < 1 || lines < 1 || cols > 1000 || lines > 1000)
			return script_error(t, "bad size: %s", name);
		resize_term(lines, cols);
		*key = KEY_RESIZE;
		return (int)n + 2;
	}
	if (n == 3 && name[0] == 'C' && name[1] == '-') {
		*key = name[2] & 0x1f;
		return (int)n + 2;
	}
	for (i = 0; i < sizeof key_names / sizeof key_names[0]; i++)
		if (strcmp(name, key_names[i].name) == 0) {
			*key = key_names[i].key;
			return (int)n + 2;
		}
	return script_error(t, "unknown key name: <%s>", name);
}

/* Handle one script line; -1 at its end (or on an error). */
static int
script_step(struct tui *t)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	const char *p;

	for (;;) {
		if ((n = getline(&line, &cap, t->script)) == -1) {
			free(line);
			return -1;
		}
		t->script_line++;
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		if (n > 0 && line[0] != '#')
			break;
	}
	if (line[0] == ':') {
		tui_run_command(t, line + 1, 1);
		free(line);
		return 0;
	}
	for (p = line; *p != '\0' && !t->quit;) {
		int key = 0, used = 1;

		if (*p == '<' && p[1] != '\0' && p[1] != '<') {
			if ((used = script_key_name(t, p, &key)) < 0)
				break;
		} else {
			key = (unsigned char)*p;
		}
		p += used;
		tui_handle_key(t, key);
		/* Each key is seen drawn before the next, as when typed. */
		tui_draw(t);
	}
	free(line);
	return 0;
}

/* Run the next --init command; -1 when there is none left.  A failing
 * command ends the init script, as a failing line ends a -f script. */
static int
init_step(struct tui *t)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	const char *p;
	int status_before = t->status;

	for (;;) {
		if ((n = getline(&line, &cap, t->init)) == -1) {
			free(line);
			return -1;
		}
		t->init_line++;
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		for (p = line; *p == ' ' || *p == '\t' || *p == ':'; p++)
			;
		if (*p != '\0' && *p != '#')
			break;
	}
	t->ctx->source = t->init_name;
	t->ctx->line = t->init_line;
	if (tui_run_command(t, p, 0) < 0) {
		t->status = status_before;
		free(line);
		t->ctx->source = NULL;
		t->ctx->line = 0;
		return -1;
	}
	t->ctx->source = NULL;
	t->ctx->line = 0;
	free(line);
	return 0;
}

/* A store opened again shows what it holds: its saved models (and their
 * curves) and its stored fusion, loaded once after the first draw.  Not
 * under a test script, whose screens load what they need by command. */
static void
tui_restore_session(struct tui *t)
{
	workbench *wb = t->ctx->wb;
	store *st = workbench_store(wb);
	rf_error err = { { 0 } };
	char msg[160], *fusion_text;
	int n;

	if (store_count(st, "saved_models") <= 0)
		return;
	tui_set_message(t, 0, "loading the saved models...");
	t->dirty |= D_ALL & ~(unsigned)D_LAYOUT;
	tui_draw(t);
	if ((n = workbench_load_saved(wb, &err)) < 0) {
		tui_set_message(t, 1, err.msg);
		return;
	}
	snprintf(msg, sizeof msg, "loaded %d saved model%s", n,
	    n == 1 ? "" : "s");
	if (n > 0 && (fusion_text = store_get_setting(st, "fusion")) != NULL) {
		free(fusion_text);
		if (workbench_fusion(wb, &err) != NULL &&
		    workbench_fusion_refresh(wb, &err) == 0)
			snprintf(msg + strlen(msg), sizeof msg - strlen(msg),
			    " and the stored fusion");
	}
	tui_set_message(t, 0, msg);
	for (int i = 0; i < VIEW_COUNT; i++)
		t->views[i].stale = 1;
	t->dirty |= D_ALL & ~(unsigned)D_LAYOUT;
}

/* --- setup and the loop ---------------------------------------------------- */

static int
tui_start_curses(struct tui *t, const struct tui_opts *opts)
{
	const char *term = getenv("TERM");

	if (opts->script != NULL) {
		t->term_out = fopen("/dev/null", "w");
		t->term_in = fopen("/dev/null", "r");
		if (t->term_out == NULL || t->term_in == NULL) {
			fprintf(stderr, "recfuse: /dev/null: %s\n",
			    strerror(errno));
			return -1;
		}
		t->screen = newterm(term && *term ? term : "xterm",
		    t->term_out, t->term_in);
	} else {
		t->screen = newterm(NULL, stdout, stdin);
	}
	if (t->screen == NULL) {
		fprintf(stderr, "recfuse: cannot start the terminal (TERM=%s); "
		    "try --plain\n", term ? term : "");
		return -1;
	}
	set_term(t->screen);
	cbreak();
	noecho();
	nonl();
	intrflush(stdscr, FALSE);
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	set_escdelay(25);
	t->color = color_init(opts->color) == SCHEME_DEFAULT;
	if (opts->mouse)
		mousemask(BUTTON1_CLICKED | BUTTON1_PRESSED | BUTTON4_PRESSED |
		    BUTTON5_PRESSED, NULL);
	else
		mousemask(0, NULL);
	curs_set(0);
	/* Once, so stdscr is no longer "touched" and getch() on it never
	 * paints over the windows. */
	wnoutrefresh(stdscr);
	return 0;
}

static void
tui_stop_curses(struct tui *t)
{
	tui_free_windows(t);
	if (t->screen != NULL) {
		endwin();
		delscreen(t->screen);
		t->screen = NULL;
	}
	if (t->term_out != NULL)
		fclose(t->term_out);
	if (t->term_in != NULL)
		fclose(t->term_in);
	t->term_out = t->term_in = NULL;
}

static char *
default_history_path(void)
{
	const char *home = getenv("HOME");
	char *p;

	if (home == NULL || *home == '\0')
		return NULL;
	if ((p = malloc(strlen(home) + 32)) != NULL)
		sprintf(p, "%s/.recfuse_history", home);
	return p;
}

static void
tui_main_loop(struct tui *t)
{
	while (!t->quit) {
		int timeout = -1, key;

		if (tui_sigint)
			tui_interrupt(t);
		tui_draw(t);
		if (t->redraw_pending) {
			double wait = t->last_draw + TUI_REDRAW_MS / 1000.0 -
			    tui_now();

			if (wait <= 0) {
				/* The header's training indicator too. */
				t->dirty |= D_VIEW | D_HEAD;
				continue;
			}
			timeout = (int)(wait * 1000) + 1;
		}
		if (t->script != NULL) {
			/* Idle means: no wake-up pending, nothing to draw. */
			if (t->redraw_pending) {
				loop_wait(-1, timeout);
				continue;
			}
			if (loop_poll_extra() > 0)
				continue;
			/* Training beside the screen is not idle: its
			 * wake-ups come first (the timeout is a safety). */
			if (workbench_training(t->ctx->wb)) {
				loop_wait(-1, 100);
				train_pump(t->ctx);
				continue;
			}
			if (script_step(t) < 0)
				break;
			continue;
		}
		if (!t->restored && t->script == NULL) {
			t->restored = 1;
			if (t->init == NULL)
				tui_restore_session(t);
			continue;
		}
		if (t->init != NULL && !t->redraw_pending &&
		    !workbench_training(t->ctx->wb)) {
			if (init_step(t) < 0) {
				fclose(t->init);
				t->init = NULL;
			}
			continue;
		}
		/* While --init waits for training, look again now and then
		 * even if no wake-up comes. */
		if (t->init != NULL && (timeout < 0 || timeout > 200))
			timeout = 200;
		/* Keys, or a signal: a resize shows up as KEY_RESIZE from
		 * getch() after poll() was interrupted. */
		loop_wait(STDIN_FILENO, timeout);
		while (!t->quit && (key = getch()) != ERR) {
			tui_handle_key(t, key);
			if (tui_sigint)
				tui_interrupt(t);
		}
	}
}

int
tui_run(cmd_ctx *ctx, const struct tui_opts *opts)
{
	struct tui *t;
	struct sigaction sa, old_int;
	cmd_output saved_out = ctx->out;
	const volatile int *saved_cancel = ctx->cancel;
	void *saved_app = ctx->app;
	char *history = NULL, err[512];
	const char *codeset;
	struct console_hooks hooks;
	int i, status;

	if ((t = calloc(1, sizeof *t)) == NULL) {
		fprintf(stderr, "recfuse: out of memory\n");
		return 1;
	}
	t->magic = TUI_MAGIC;
	t->ctx = ctx;
	t->script_name = opts->script;
	t->init_name = opts->init;
	if (opts->init != NULL && opts->script == NULL &&
	    (t->init = fopen(opts->init, "r")) == NULL) {
		fprintf(stderr, "recfuse: %s: %s\n", opts->init,
		    strerror(errno));
		free(t);
		return 1;
	}
	if (opts->script != NULL &&
	    (t->script = fopen(opts->script, "r")) == NULL) {
		fprintf(stderr, "recfuse: %s: %s\n", opts->script,
		    strerror(errno));
		free(t);
		return 1;
	}
	/* The locale's character set decides on UTF-8; numbers stay in the C
	 * locale so every table prints "0.5", never "0,5". */
	setlocale(LC_ALL, "");
	setlocale(LC_NUMERIC, "C");
	codeset = nl_langinfo(CODESET);
	t->utf8 = codeset != NULL && strcmp(codeset, "UTF-8") == 0;
	t->unicode = opts->unicode && t->utf8;
	widgets_init(t->unicode, t->utf8);
	log_init(&t->log, TUI_LOG_LINES);
	log_init(&t->help, 16);

	if (tui_start_curses(t, opts) < 0) {
		if (t->script)
			fclose(t->script);
		log_free(&t->log);
		log_free(&t->help);
		free(t);
		return 1;
	}
	tui_self = t;
	ctx->out.text = tui_out_text;
	ctx->out.table = tui_out_table;
	ctx->out.ud = t;
	ctx->cancel = &tui_cancel;
	ctx->app = t;

	/* Ctrl-C stays a signal (cbreak) so a long command can be stopped;
	 * ours only sets flags. */
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = tui_on_sigint;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_int);

	t->env.wb = ctx->wb;
	t->env.unicode = t->unicode;
	t->env.submit = tui_submit;
	t->env.message = tui_note;
	t->env.ud = t;
	t->env.log = &t->log;
	t->env.prompt = tui_prompt;
	for (i = 0; i < VIEW_COUNT; i++) {
		t->views[i].ops = view_all[i];
		t->views[i].env = &t->env;
		t->views[i].stale = 1;
		if (view_all[i]->open != NULL && view_all[i]->open(&t->views[i])
		    < 0) {
			t->quit = 1;
			t->status = 1;
		}
	}

	hooks.line = tui_console_line;
	hooks.note = tui_console_note;
	hooks.ud = t;
	hooks.wb = ctx->wb;
	history = opts->history_path ? strdup(opts->history_path) :
	    default_history_path();
	if (console_init(history, &hooks, err, sizeof err) < 0)
		tui_set_message(t, 1, err);
	free(history);

	t->dirty = D_ALL;
	tui_main_loop(t);

	console_shutdown();
	tui_stop_curses(t);
	sigaction(SIGINT, &old_int, NULL);
	for (i = 0; i < VIEW_COUNT; i++)
		if (view_all[i]->close != NULL)
			view_all[i]->close(&t->views[i]);
	ctx->out = saved_out;
	ctx->cancel = saved_cancel;
	ctx->app = saved_app;
	status = t->status;
	if (t->script)
		fclose(t->script);
	if (t->init)
		fclose(t->init);
	log_free(&t->log);
	log_free(&t->help);
	rf_buf_free(&t->session);
	t->magic = 0;
	free(t);
	tui_self = NULL;
	return status;
}

/* --- wake-ups ---------------------------------------------------------------- */

int
tui_add_fd(int fd, void (*cb)(void *), void *ud)
{
	return loop_add_fd(fd, cb, ud);
}

void
tui_remove_fd(int fd)
{
	loop_remove_fd(fd);
}

void
tui_request_redraw(void)
{
	if (tui_self != NULL)
		tui_self->redraw_pending = 1;
}

void
tui_views_changed(void)
{
	int i;

	if (tui_self == NULL)
		return;
	for (i = 0; i < VIEW_COUNT; i++)
		tui_self->views[i].stale = 1;
	tui_self->redraw_pending = 1;
}

/* --- the TUI's own commands -------------------------------------------------- */

static struct tui *
ctx_tui(cmd_ctx *ctx)
{
	struct tui *t = ctx->app;

	return t != NULL && t == tui_self && t->magic == TUI_MAGIC ? t : NULL;
}

struct view_env *
tui_view_env(cmd_ctx *ctx)
{
	struct tui *t = ctx_tui(ctx);

	return t != NULL ? &t->env : NULL;
}

static int
cmd_view_exec(cmd_ctx *ctx, const cmd_args *a)
{
	struct tui *t = ctx_tui(ctx);
	int i;

	if (t == NULL) {
		cmd_error(ctx, "view: only in the TUI");
		return -1;
	}
	if ((i = view_lookup(a->argv[0])) < 0) {
		cmd_error(ctx, "view: no screen '%s' (data, train, fusion, "
		    "user, log)", a->argv[0]);
		return -1;
	}
	tui_switch(t, i);
	return 0;
}

const cmd_entry cmd_view_entry = {
	.name = "view",
	.alias = NULL,
	.options = "",
	.min_args = 1,
	.max_args = 1,
	.usage = "view data|train|fusion|user|log",
	.help = "Switch the TUI to a screen (the keys 1-5 do the same).",
	.flags = 0,
	.complete = { "view" },
	.exec = cmd_view_exec,
};

/* One screen row as UTF-8 (or the locale's bytes), trailing blanks cut. */
static int
save_row(FILE *f, int y, int cols)
{
	cchar_t *cells = calloc((size_t)cols + 1, sizeof *cells);
	char *out = malloc((size_t)cols * MB_LEN_MAX + 2);
	size_t len = 0, keep = 0;
	int x;

	if (cells == NULL || out == NULL) {
		free(cells);
		free(out);
		return -1;
	}
	mvwin_wchnstr(curscr, y, 0, cells, cols);
	for (x = 0; x < cols; x++) {
		wchar_t wch[CCHARW_MAX + 1];
		attr_t attrs;
		short pair;
		mbstate_t st;
		int wd, k;

		if (getcchar(&cells[x], wch, &attrs, &pair, NULL) == ERR ||
		    wch[0] == L'\0')
			wch[0] = L' ', wch[1] = L'\0';
		memset(&st, 0, sizeof st);
		for (k = 0; wch[k] != L'\0' && k < CCHARW_MAX; k++) {
			size_t n = wcrtomb(out + len, wch[k], &st);

			if (n == (size_t)-1)
				out[len++] = '?';
			else
				len += n;
		}
		if (wch[0] != L' ')
			keep = len;
		/* A wide character fills the cells after it. */
		wd = wcwidth(wch[0]);
		if (wd > 1)
			x += wd - 1;
	}
	out[keep] = '\n';
	fwrite(out, 1, keep + 1, f);
	free(cells);
	free(out);
	return 0;
}

/* A file a TUI command writes: never the store itself (or its journal). */
static FILE *
open_output(cmd_ctx *ctx, const char *cmd, const char *path)
{
	FILE *f;

	if (store_is_store_file(workbench_store(ctx->wb), path)) {
		cmd_error(ctx, "%s: %s: is the store", cmd, path);
		return NULL;
	}
	if ((f = fopen(path, "w")) == NULL)
		cmd_error(ctx, "%s: %s: %s", cmd, path, strerror(errno));
	return f;
}

static int
close_output(cmd_ctx *ctx, const char *cmd, const char *path, FILE *f)
{
	int failed = ferror(f);

	if (fclose(f) != 0 || failed) {
		cmd_error(ctx, "%s: %s: %s", cmd, path,
		    strerror(errno ? errno : EIO));
		return -1;
	}
	return 0;
}

static int
cmd_save_display_exec(cmd_ctx *ctx, const cmd_args *a)
{
	struct tui *t = ctx_tui(ctx);
	FILE *f;
	int y;

	if (t == NULL) {
		cmd_error(ctx, "save-display: only in the TUI");
		return -1;
	}
	/* What the screen shows now: the script driver runs this only once
	 * everything before it is drawn. */
	if ((f = open_output(ctx, "save-display", a->argv[0])) == NULL)
		return -1;
	for (y = 0; y < LINES; y++)
		save_row(f, y, COLS);
	return close_output(ctx, "save-display", a->argv[0], f);
}

static int
cmd_save_session_exec(cmd_ctx *ctx, const cmd_args *a)
{
	struct tui *t = ctx_tui(ctx);
	FILE *f;

	if (t == NULL) {
		cmd_error(ctx, "save-session: only in the TUI (a batch "
		    "session is its script already)");
		return -1;
	}
	if ((f = open_output(ctx, "save-session", a->argv[0])) == NULL)
		return -1;
	fprintf(f, "# recfuse session on %s: replay with "
	    "`recfuse STORE -f %s`\n", store_path(workbench_store(ctx->wb)),
	    a->argv[0]);
	if (t->session.len > 0)
		fwrite(t->session.data, 1, t->session.len, f);
	if (close_output(ctx, "save-session", a->argv[0], f) < 0)
		return -1;
	cmd_printf(ctx, "save-session: %s: the commands of this session",
	    a->argv[0]);
	return 0;
}

const cmd_entry cmd_save_session_entry = {
	.name = "save-session",
	.alias = NULL,
	.options = "",
	.min_args = 1,
	.max_args = 1,
	.usage = "save-session FILE",
	.help = "Write the commands of this TUI session that succeeded (keys\n"
	    "included: a slider move is a `weights` command) as a script that\n"
	    "`recfuse STORE -f FILE` replays to the same state.",
	.flags = 0,
	.complete = { "path" },
	.exec = cmd_save_session_exec,
};

const cmd_entry cmd_save_display_entry = {
	.name = "save-display",
	.alias = NULL,
	.options = "",
	.min_args = 1,
	.max_args = 1,
	.usage = "save-display FILE",
	.help = "Write the TUI's screen as text to FILE (for screen tests).",
	.flags = 0,
	.complete = { "path" },
	.exec = cmd_save_display_exec,
};
