/* tui: the manager that ties the TUI together (htop's ScreenManager, tig's
 * view loop): it holds the screens, runs every action as command text,
 * routes a key to the console, the help, the current screen's keymap or
 * the keys that work everywhere, and draws what changed, only when
 * something did.  Its parts: loop.c (the wait), screen.c (the terminal
 * and the frame), help.c (the overlay), script.c (--script and --init),
 * session.c (the session script and the restore), console.c (readline). */
#include "app/tui/tui.h"

#include <errno.h>
#include <langinfo.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app/cmd/dispatch.h"
#include "app/cmd/train.h"
#include "app/tui/console.h"
#include "app/tui/help.h"
#include "app/tui/loop.h"
#include "app/tui/screen.h"
#include "app/tui/script.h"
#include "app/tui/session.h"
#include "views/keymap.h"
#include "views/log.h"
#include "views/view.h"
#include "views/widgets/widgets.h"

#define TUI_LOG_LINES 20000
#define TUI_REDRAW_MS 100	/* at most 10 redraws a second from wake-ups */
#define TUI_MAX_HINTS 40
#define TUI_SAVE_IDLE 1.0	/* seconds without a change: store weights */

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
	cmd_ctx *ctx;
	cmd_front front;	/* what the TUI lends its own commands */
	struct screen scr;

	struct view views[VIEW_COUNT];
	struct view_env env;
	int current;
	int console_focus;
	int help_open;
	struct help help;

	struct log_buffer log;
	char message[1024];
	int message_error;
	int out_lines;		/* output lines of the running command */

	unsigned dirty;
	double last_draw;
	double save_due;	/* when to store the fusion settings, or 0 */
	int quit, status;

	struct script script;	/* --script, when script.f is set */
	struct script init;	/* --init commands still to run */
	int restored;		/* the saved session was loaded */
	struct session session;
};

static void tui_handle_key(struct tui *t, int key);
static void tui_draw(struct tui *t);

/* --- messages and output -------------------------------------------------- */

static void
tui_set_message(struct tui *t, int is_error, const char *text)
{
	snprintf(t->message, sizeof t->message, "%s", text ? text : "");
	t->message_error = is_error;
	t->dirty |= D_MSG;
}

/* Long commands print as they go: show the latest line at once. */
static void
tui_flush_message(struct tui *t)
{
	if (t->scr.too_small || t->scr.msg == NULL)
		return;
	screen_draw_message(&t->scr, t->message_error, t->message);
	wnoutrefresh(t->scr.msg);
	if (t->scr.cons != NULL)
		wnoutrefresh(t->scr.cons);
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

/* A long command's passing status: on the message line at once, not in
 * the log; its last output replaces it. */
static void
tui_out_progress(void *ud, const char *line)
{
	struct tui *t = ud;

	if (line == NULL)
		return;
	tui_set_message(t, 0, line);
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

/* --- screens and commands ------------------------------------------------- */

static void
tui_switch(struct tui *t, int index)
{
	if (index < 0 || index >= VIEW_COUNT)
		return;
	t->current = index;
	t->help_open = 0;
	t->dirty |= D_HEAD | D_VIEW | D_FOOT;
}

static void
tui_views_stale(struct tui *t)
{
	for (int i = 0; i < VIEW_COUNT; i++)
		t->views[i].stale = 1;
}

static int
tui_run_command(struct tui *t, const char *line, int typed)
{
	int before = t->current, rc = 0;
	unsigned long echo;
	unsigned flags;

	while (*line == ' ' || *line == '\t')
		line++;
	if (*line == '\0')
		return 0;
	flags = cmd_line_flags(line);
	log_append(&t->log, (flags & CMD_FRONT) ? LOG_COMMAND_ASIDE :
	    LOG_COMMAND, line);
	echo = t->log.appended;
	t->out_lines = 0;
	loop_clear_interrupt();
	tui_set_message(t, 0, "");
	if (cmd_run_line(t->ctx, line) == 0) {
		if (!(flags & CMD_FRONT) &&
		    session_record(&t->session, line) < 0)
			tui_set_message(t, 1, "out of memory: the session "
			    "script misses a line");
	} else {
		/* A failed line stays out of the session script. */
		long at = (long)t->log.n - 1 - (long)(t->log.appended - echo);

		rc = -1;
		if (at >= 0)
			t->log.lines[at].kind = LOG_COMMAND_ASIDE;
	}
	if (t->ctx->quit)
		t->quit = 1;
	/* Weights change in memory as a slider moves: stored once it
	 * stops (or at quit), not on every key. */
	if (workbench_fusion_unsaved(t->ctx->wb))
		t->save_due = rf_monotonic() + TUI_SAVE_IDLE;
	/* A job may have started, or gone with the data. */
	train_watch(t->ctx);
	if (flags & CMD_WRITES)
		tui_views_stale(t);
	/* More output than the message line holds: show the Log (unless the
	 * command chose a screen itself). */
	if (typed && t->out_lines > 1 && t->current == before && !t->quit)
		tui_switch(t, VIEW_COUNT - 1);
	loop_clear_interrupt();
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

/* --- what the TUI lends its commands (cmd_ctx.front) ---------------------- */

static int
front_show_view(void *ud, const char *name)
{
	int i = view_lookup(name);

	if (i < 0)
		return -1;
	tui_switch(ud, i);
	return 0;
}

static int
front_pick_user(void *ud, const char *id)
{
	struct tui *t = ud;

	if (strlen(id) >= sizeof t->env.user)
		return -1;
	snprintf(t->env.user, sizeof t->env.user, "%s", id);
	return 0;
}

static const char *
front_picked_user(void *ud)
{
	struct tui *t = ud;

	return t->env.user;
}

static int
front_dump_screen(void *ud, FILE *f)
{
	(void)ud;
	return screen_dump(f);
}

static const char *
front_session_script(void *ud, size_t *len)
{
	struct tui *t = ud;

	return session_script(&t->session, len);
}

/* --- the console -------------------------------------------------------------- */

/* The console's keys (readline's), for the footer and the help. */
static const struct key_hint console_keys[] = {
	{ "Enter", "run", "run the line; several commands separate with ';'" },
	{ "Tab", "complete",
	    "complete commands, options, files, models and ids" },
	{ "Up/Down", "history", "the history (kept in ~/.recfuse_history)" },
	{ "C-r", "search", "search the history" },
	{ "Esc", "back", "back to the screen (the line is dropped)" },
};

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

/* --- the keys that work everywhere ------------------------------------------ */

struct global_key {
	struct key_hint k;
	int codes[VIEW_COUNT + 1];	/* 0 ends */
	void (*act)(struct tui *t, int key);
	int after_view;		/* footer: after the screen's own keys */
};

static void
key_help(struct tui *t, int key)
{
	(void)key;
	t->help_open = 1;
	t->help.top = 0;
	t->help.width = 0;	/* built when drawn, at the width */
	t->dirty |= D_VIEW | D_FOOT;
}

static void
key_console(struct tui *t, int key)
{
	(void)key;
	tui_focus_console(t, 1);
	tui_set_message(t, 0, "");
}

static void
key_switch(struct tui *t, int key)
{
	tui_switch(t, key - '1');
}

static void
key_redraw(struct tui *t, int key)
{
	(void)key;
	clearok(curscr, TRUE);
	t->dirty |= D_ALL;
}

static void
key_clear_message(struct tui *t, int key)
{
	(void)key;
	if (t->message[0] != '\0')
		tui_set_message(t, 0, "");
}

static void
key_quit(struct tui *t, int key)
{
	(void)key;
	tui_run_command(t, "quit", 0);
}

static const struct global_key global_keys[] = {
	{ { "?", "help", "this help: the screen's keys, these, the console's, "
	    "the commands" }, { '?' }, key_help, 0 },
	{ { ":", "command", "the console: type a command (Esc returns to "
	    "the screen)" }, { ':' }, key_console, 0 },
	{ { "1-5", NULL, "switch screen (Data Train Fusion User Log; the "
	    "tabs)" }, { '1', '2', '3', '4', '5' }, key_switch, 0 },
	{ { "C-l", NULL, "redraw the screen" }, { 'l' & 0x1f }, key_redraw,
	    0 },
	{ { "Esc", NULL, "clear the message line" }, { 27 },
	    key_clear_message, 0 },
	{ { "q", "quit", "quit (`quit`)" }, { 'q' }, key_quit, 1 },
};
#define N_GLOBAL_KEYS (int)(sizeof global_keys / sizeof global_keys[0])

static const struct global_key *
find_global_key(int key)
{
	for (int i = 0; i < N_GLOBAL_KEYS; i++)
		for (int c = 0; c < VIEW_COUNT + 1 &&
		    global_keys[i].codes[c] != 0; c++)
			if (global_keys[i].codes[c] == key)
				return &global_keys[i];
	return NULL;
}

/* The current screen's live keymap rows as hints (at most max). */
static int
view_hints(struct tui *t, struct key_hint *out, int max)
{
	struct view *v = &t->views[t->current];
	unsigned mode = view_mode(v);
	const struct view_key *k;
	int n = 0;

	for (k = v->ops->keymap; k != NULL && k->label != NULL && n < max;
	    k++)
		if (view_key_live(k, mode)) {
			out[n].keys = k->label;
			out[n].hint = k->hint;
			out[n].help = k->help;
			n++;
		}
	return n;
}

/* The key bar: the console's keys, the help's, or (help and the console
 * first, so that a narrow terminal cuts the screen's own keys, not them)
 * the global keys around the screen's. */
static void
draw_footer(struct tui *t)
{
	struct key_hint keys[TUI_MAX_HINTS];
	int n = 0, i;

	if (t->console_focus) {
		screen_draw_footer(&t->scr, console_keys,
		    (int)(sizeof console_keys / sizeof console_keys[0]));
		return;
	}
	if (t->help_open) {
		screen_draw_footer(&t->scr, help_keys, help_nkeys);
		return;
	}
	for (i = 0; i < N_GLOBAL_KEYS; i++)
		if (!global_keys[i].after_view)
			keys[n++] = global_keys[i].k;
	n += view_hints(t, keys + n, TUI_MAX_HINTS - N_GLOBAL_KEYS);
	for (i = 0; i < N_GLOBAL_KEYS; i++)
		if (global_keys[i].after_view)
			keys[n++] = global_keys[i].k;
	screen_draw_footer(&t->scr, keys, n);
}

/* The help overlay at the width of the view: the screen's keys first. */
static void
build_help(struct tui *t, int width)
{
	const struct view_ops *ops = t->views[t->current].ops;
	struct key_hint keys[TUI_MAX_HINTS];
	char title[64];
	int n, i, rc;

	help_begin(&t->help, width);
	snprintf(title, sizeof title, "Keys on %s (%c)", ops->title, ops->key);
	n = view_hints(t, keys, TUI_MAX_HINTS);
	rc = help_heading(&t->help, title);
	for (i = 0; i < n && rc == 0; i++)
		rc = help_key_row(&t->help, keys[i].keys, keys[i].help);
	if (rc == 0)
		rc = help_heading(&t->help, "Keys everywhere");
	for (i = 0; i < N_GLOBAL_KEYS && rc == 0; i++)
		rc = help_key_row(&t->help, global_keys[i].k.keys,
		    global_keys[i].k.help);
	if (rc == 0)
		rc = help_heading(&t->help, "Console (:)");
	for (i = 0; i < (int)(sizeof console_keys / sizeof console_keys[0]) &&
	    rc == 0; i++)
		rc = help_key_row(&t->help, console_keys[i].keys,
		    console_keys[i].help);
	if (rc == 0)
		rc = help_commands(&t->help);
	if (rc < 0)
		tui_set_message(t, 1, "help: out of memory");
}

/* --- drawing ---------------------------------------------------------------- */

static void
tui_layout(struct tui *t)
{
	console_set_window(NULL);
	screen_layout(&t->scr);
	if (t->scr.too_small)
		return;
	console_set_window(t->scr.cons);
	console_paint();
}

static void
tui_draw(struct tui *t)
{
	if (loop_take_changed())
		tui_views_stale(t);
	if (t->dirty & D_LAYOUT)
		tui_layout(t);
	if (t->dirty == 0 && !console_take_dirty())
		return;
	if (t->scr.too_small) {
		screen_draw_too_small();
		doupdate();
		t->dirty = 0;
		console_take_dirty();
		return;
	}
	if (t->dirty & D_HEAD) {
		screen_draw_header(&t->scr, t->ctx->wb, t->current);
		wnoutrefresh(t->scr.head);
	}
	if (t->dirty & D_VIEW) {
		struct view *v = &t->views[t->current];

		werase(t->scr.view);
		if (t->help_open) {
			if (t->help.width != getmaxx(t->scr.view) - 1)
				build_help(t, getmaxx(t->scr.view) - 1);
			help_draw(&t->help, t->scr.view);
		} else {
			v->ops->draw(v, t->scr.view);
		}
		wnoutrefresh(t->scr.view);
	}
	/* After the view: its mode, and so its keys, may follow the draw. */
	if (t->dirty & (D_FOOT | D_VIEW)) {
		draw_footer(t);
		wnoutrefresh(t->scr.foot);
	}
	if (t->dirty & D_MSG) {
		screen_draw_message(&t->scr, t->message_error, t->message);
		wnoutrefresh(t->scr.msg);
	}
	if (t->dirty & D_CONS)
		console_paint();
	/* Last, so the terminal's cursor ends in the console. */
	wnoutrefresh(t->scr.cons);
	curs_set(t->console_focus ? 1 : 0);
	doupdate();
	console_take_dirty();
	t->dirty = 0;
	loop_redraw_done();
	t->last_draw = rf_monotonic();
}

/* --- keys ------------------------------------------------------------------- */

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
		if ((i = screen_tab_at(&t->scr, ev.x)) >= 0)
			tui_switch(t, i);
	} else if (ev.y == LINES - 1 && !t->console_focus) {
		tui_focus_console(t, 1);
	}
}

static void
tui_handle_key(struct tui *t, int key)
{
	const struct global_key *g;
	int r;

	if (key == KEY_RESIZE) {
		/* The terminal reflowed what it showed: repaint all of it. */
		clearok(curscr, TRUE);
		t->dirty |= D_ALL;
		return;
	}
	if (key == ('l' & 0x1f)) {	/* redraws from the console too */
		key_redraw(t, key);
		return;
	}
	if (t->scr.too_small) {
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
		switch (help_key(&t->help, key, t->scr.view ?
		    getmaxy(t->scr.view) - 2 : 10)) {
		case HELP_CLOSE:
			t->help_open = 0;
			t->dirty |= D_VIEW | D_FOOT;
			break;
		case HELP_MOVED:
			t->dirty |= D_VIEW;
			break;
		case HELP_NOT_MINE:
			if (key >= '1' && key < '1' + VIEW_COUNT)
				tui_switch(t, key - '1');
			break;
		}
		return;
	}
	r = view_key_press(&t->views[t->current], key,
	    getmaxy(t->scr.view));
	if (r & VIEW_HANDLED) {
		if (r & VIEW_REDRAW)
			t->dirty |= D_VIEW | D_FOOT;
		return;
	}
	if ((g = find_global_key(key)) != NULL)
		g->act(t, key);
}

/* Ctrl-C: with nothing running there is nothing to stop; it clears the
 * console line, like a shell. */
static void
tui_interrupt(struct tui *t)
{
	loop_clear_interrupt();
	if (t->console_focus)
		console_cancel();
	else if (workbench_training(t->ctx->wb))
		tui_run_command(t, "stop", 0);
	else
		tui_set_message(t, 0, "nothing to stop (q quits)");
}

/* --- the players: --script and --init ------------------------------------- */

/* Run the next line of the test script; -1 at its end or on an error. */
static int
script_step(struct tui *t)
{
	const char *command;
	int i;

	switch (script_next(&t->script, &command)) {
	case SCRIPT_COMMAND:
		tui_run_command(t, command, 1);
		return 0;
	case SCRIPT_KEYS:
		for (i = 0; i < t->script.nkeys && !t->quit; i++) {
			const struct script_key *k = &t->script.keys[i];

			if (k->key == KEY_RESIZE)
				resize_term(k->lines, k->cols);
			tui_handle_key(t, k->key);
			/* Each key is seen drawn before the next, as when
			 * typed. */
			tui_draw(t);
		}
		return 0;
	case SCRIPT_ERROR:
		t->status = 1;
		t->quit = 1;
		return -1;
	case SCRIPT_END:
	default:
		return -1;
	}
}

/* Run the next --init command; -1 when there is none left.  A failing
 * command ends the init script, as a failing line ends a -f script. */
static int
init_step(struct tui *t)
{
	const char *command;
	int status_before = t->status, rc;

	if (script_next(&t->init, &command) != SCRIPT_COMMAND)
		return -1;
	t->ctx->source = t->init.name;
	t->ctx->line = t->init.line;
	rc = tui_run_command(t, command, 0);
	t->ctx->source = NULL;
	t->ctx->line = 0;
	if (rc < 0) {
		t->status = status_before;
		return -1;
	}
	return 0;
}

/* A store opened again shows what it holds, loaded once after the first
 * draw.  Not under a test script, whose screens load what they need by
 * command. */
static void
tui_restore_session(struct tui *t)
{
	rf_error err = { { 0 } };
	char msg[160];

	if (!session_can_restore(t->ctx->wb))
		return;
	tui_set_message(t, 0, "loading the saved models...");
	t->dirty |= D_ALL & ~(unsigned)D_LAYOUT;
	tui_draw(t);
	if (session_restore(t->ctx->wb, msg, sizeof msg, &err) < 0) {
		tui_set_message(t, 1, err.msg);
		return;
	}
	tui_set_message(t, 0, msg);
	tui_views_stale(t);
	t->dirty |= D_ALL & ~(unsigned)D_LAYOUT;
}

/* --- the loop ----------------------------------------------------------------- */

/* Store the fusion settings changed in memory; -1 + err. */
static int
tui_save_fusion(struct tui *t, rf_error *err)
{
	t->save_due = 0;
	return workbench_fusion_save(t->ctx->wb, err);
}

/* The slider stopped a while ago: store what it set.  The time to wait
 * until then, in ms, for the loop's timeout (-1: nothing to store). */
static int
tui_save_when_idle(struct tui *t)
{
	rf_error err = { { 0 } };
	double wait;

	if (t->save_due <= 0)
		return -1;
	if ((wait = t->save_due - rf_monotonic()) > 0)
		return (int)(wait * 1000) + 1;
	if (tui_save_fusion(t, &err) < 0)
		tui_set_message(t, 1, err.msg);
	return -1;
}

static void
tui_main_loop(struct tui *t)
{
	while (!t->quit) {
		int timeout = -1, key, save;

		if (loop_interrupted())
			tui_interrupt(t);
		tui_draw(t);
		if (loop_redraw_asked()) {
			double wait = t->last_draw + TUI_REDRAW_MS / 1000.0 -
			    rf_monotonic();

			if (wait <= 0) {
				/* The header's training indicator too. */
				t->dirty |= D_VIEW | D_HEAD;
				continue;
			}
			timeout = (int)(wait * 1000) + 1;
		}
		if (t->script.f != NULL) {
			/* Idle means: no wake-up pending, nothing to draw. */
			if (loop_redraw_asked()) {
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
		if (!t->restored) {
			t->restored = 1;
			if (t->init.f == NULL)
				tui_restore_session(t);
			continue;
		}
		if (t->init.f != NULL && !loop_redraw_asked() &&
		    !workbench_training(t->ctx->wb)) {
			if (init_step(t) < 0)
				script_close(&t->init);
			continue;
		}
		/* While --init waits for training, look again now and then
		 * even if no wake-up comes. */
		if (t->init.f != NULL && (timeout < 0 || timeout > 200))
			timeout = 200;
		if ((save = tui_save_when_idle(t)) >= 0 &&
		    (timeout < 0 || save < timeout))
			timeout = save;
		/* Keys, or a signal: a resize shows up as KEY_RESIZE from
		 * getch() after poll() was interrupted. */
		loop_wait(STDIN_FILENO, timeout);
		while (!t->quit && (key = getch()) != ERR) {
			tui_handle_key(t, key);
			if (loop_interrupted())
				tui_interrupt(t);
		}
	}
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

/* Open the players' files; -1 with a message on stderr. */
static int
open_players(struct tui *t, const struct tui_opts *opts)
{
	if (opts->init != NULL && opts->script == NULL &&
	    script_open(&t->init, opts->init, 1) < 0) {
		fprintf(stderr, "recfuse: %s: %s\n", opts->init,
		    strerror(errno));
		return -1;
	}
	if (opts->script != NULL && script_open(&t->script, opts->script, 0) <
	    0) {
		fprintf(stderr, "recfuse: %s: %s\n", opts->script,
		    strerror(errno));
		return -1;
	}
	return 0;
}

static void
tui_free(struct tui *t)
{
	script_close(&t->script);
	script_close(&t->init);
	log_free(&t->log);
	help_free(&t->help);
	session_free(&t->session);
	free(t);
}

/* The views get the environment the TUI lends them; -1 when one could
 * not open. */
static int
open_views(struct tui *t, const struct tui_opts *opts)
{
	const char *codeset;
	int utf8, i, rc = 0;

	/* The locale's character set decides on UTF-8; numbers stay in the
	 * C locale so every table prints "0.5", never "0,5". */
	setlocale(LC_ALL, "");
	setlocale(LC_NUMERIC, "C");
	codeset = nl_langinfo(CODESET);
	utf8 = codeset != NULL && strcmp(codeset, "UTF-8") == 0;
	widgets_init(opts->unicode && utf8, utf8);
	t->env.wb = t->ctx->wb;
	t->env.unicode = opts->unicode && utf8;
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
		    < 0)
			rc = -1;
	}
	return rc;
}

int
tui_run(cmd_ctx *ctx, const struct tui_opts *opts)
{
	struct tui *t;
	cmd_ctx saved = *ctx;
	char *history, err[512];
	struct console_hooks hooks;
	int i, status;

	if ((t = calloc(1, sizeof *t)) == NULL) {
		fprintf(stderr, "recfuse: out of memory\n");
		return 1;
	}
	t->ctx = ctx;
	log_init(&t->log, TUI_LOG_LINES);
	help_init(&t->help);
	if (open_players(t, opts) < 0) {
		tui_free(t);
		return 1;
	}
	if (open_views(t, opts) < 0) {
		t->quit = 1;
		t->status = 1;
	}
	if (screen_start(&t->scr, opts->script != NULL, opts->color,
	    opts->mouse) < 0) {
		for (i = 0; i < VIEW_COUNT; i++)
			if (view_all[i]->close != NULL)
				view_all[i]->close(&t->views[i]);
		tui_free(t);
		return 1;
	}
	t->front.show_view = front_show_view;
	t->front.pick_user = front_pick_user;
	t->front.picked_user = front_picked_user;
	t->front.dump_screen = front_dump_screen;
	t->front.session_script = front_session_script;
	t->front.ud = t;
	ctx->out.text = tui_out_text;
	ctx->out.table = tui_out_table;
	ctx->out.progress = tui_out_progress;
	ctx->out.ud = t;
	ctx->cancel = loop_cancel_flag();
	ctx->events = loop_events();
	ctx->front = &t->front;
	ctx->defer_save = 1;
	loop_start();

	hooks.line = tui_console_line;
	hooks.note = tui_note;
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
	screen_stop(&t->scr);
	loop_stop();
	/* At quit: what the slider set and the idle wait did not store. */
	{
		rf_error serr = { { 0 } };

		if (tui_save_fusion(t, &serr) < 0) {
			fprintf(stderr, "recfuse: the fusion settings were not "
			    "stored: %s\n", serr.msg);
			t->status = 1;
		}
	}
	for (i = 0; i < VIEW_COUNT; i++)
		if (view_all[i]->close != NULL)
			view_all[i]->close(&t->views[i]);
	ctx->out = saved.out;
	ctx->cancel = saved.cancel;
	ctx->events = saved.events;
	ctx->front = saved.front;
	ctx->defer_save = saved.defer_save;
	status = t->status;
	tui_free(t);
	return status;
}
