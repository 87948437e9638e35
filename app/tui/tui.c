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
#include "app/cmd/fusion.h"
#include "app/cmd/task.h"
#include "app/cmd/train.h"
#include "app/tui/console.h"
#include "app/tui/help.h"
#include "app/tui/loop.h"
#include "app/tui/screen.h"
#include "app/tui/script.h"
#include "app/tui/session.h"
#include "engine/core/words.h"
#include "views/keymap.h"
#include "views/log.h"
#include "views/view.h"
#include "views/widgets/widgets.h"

#define TUI_LOG_LINES 20000
#define TUI_REDRAW_MS 100	/* at most 10 redraws a second from wake-ups */
#define TUI_MAX_HINTS 40
#define TUI_SAVE_IDLE 1.0	/* seconds without a change: store weights */
#define TUI_PROGRESS_MS 250	/* the progress line of a task ticks */

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
	/* an error stays on the message line until the next key: the first
	 * error of a command, not the lines after it */
	int error_held;
	int out_lines;		/* output lines of the running command */

	/* Commands to run, one per entry (a line's commands in order): those
	 * that may not run beside the background task wait here. */
	struct queued {
		char *text;
		unsigned line;	/* the line it came from */
		int typed;
		int noted;	/* "queued" said */
	} *queue;
	int nqueue, queue_cap;
	unsigned lines;		/* lines queued so far */
	/* The command whose background task runs: it joins the session
	 * script, and its log line the script view, when it ends well. */
	char *task_cmd;
	unsigned long task_echo;
	int task_typed, task_view, task_lines;
	/* A slider's step not run yet: the next step replaces it; it runs
	 * before the screen is drawn or any other command. */
	char *deferred;
	/* RECFUSE_KEY_TIMES=FILE (the latency bench): per key, the time
	 * from reading it to the end of the frame that shows it. */
	FILE *key_times;
	double keys_read[64];
	int nkeys_read, keys_read_code[64];
	int last_failed;	/* the last command (or its task) failed */
	int fusion_wanted;	/* a fusion was shown: keep one */
	double progress_drawn;	/* when the progress line was drawn */

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
	/* An error stays until the next key (the lines a failing command
	 * prints after it are in the Log). */
	if (t->error_held)
		return;
	snprintf(t->message, sizeof t->message, "%s", text ? text : "");
	t->message_error = is_error;
	t->error_held = is_error && text != NULL && *text != '\0';
	t->dirty |= D_MSG;
}

/* The next key: a held error goes (unless the key is a resize). */
static void
tui_release_error(struct tui *t)
{
	if (!t->error_held)
		return;
	t->error_held = 0;
	tui_set_message(t, 0, "");
}

/* What the message line shows: an error held, else the progress of the
 * background task (what, how far, how long, how to cancel, what waits),
 * else the last message. */
static const char *
tui_message_text(struct tui *t, int *is_error, char *buf, size_t n)
{
	wb_task_progress p;
	size_t used;
	int waiting = 0;

	*is_error = t->message_error;
	if (t->error_held ||
	    workbench_task_progress(t->ctx->wb, &p) < 0)
		return t->message;
	*is_error = 0;
	used = (size_t)snprintf(buf, n, "%s: %s", p.what, p.phase[0] ?
	    p.phase : "starting");
	if (p.total > 0 && used < n)
		used += (size_t)snprintf(buf + used, n - used, " (%lld/%lld)",
		    (long long)p.done, (long long)p.total);
	if (used < n)
		used += (size_t)snprintf(buf + used, n - used, ", %.1f s; %s",
		    p.elapsed, p.cancelling ? "cancelling" :
		    "Esc cancels");
	/* What waits, by command name. */
	for (int i = 0; i < t->nqueue && used < n; i++)
		if (t->queue[i].noted)
			used += (size_t)snprintf(buf + used, n - used, "%s%.*s",
			    waiting++ ? ", " : "; queued: ",
			    (int)strcspn(t->queue[i].text, " \t"),
			    t->queue[i].text);
	return buf;
}

static void
tui_draw_message(struct tui *t)
{
	char buf[1024];
	int is_error;
	const char *text = tui_message_text(t, &is_error, buf, sizeof buf);

	screen_draw_message(&t->scr, is_error, text);
	t->progress_drawn = rf_monotonic();
}

/* Long commands print as they go: show the latest line at once. */
static void
tui_flush_message(struct tui *t)
{
	if (t->scr.too_small || t->scr.msg == NULL)
		return;
	tui_draw_message(t);
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

/* The log line of a command echoed as number echo (log.appended then):
 * its kind, while it is still in the buffer. */
static void
tui_mark_echo(struct tui *t, unsigned long echo, enum log_kind kind)
{
	long at = (long)t->log.n - 1 - (long)(t->log.appended - echo);

	if (at >= 0 && at < t->log.n)
		t->log.lines[at].kind = kind;
}

/* Run one command now.  0, -1 when it failed. */
static int
tui_run_one(struct tui *t, const char *cmd, int typed)
{
	int before = t->current, rc = 0;
	unsigned long echo;
	unsigned flags = cmd_line_flags(cmd);

	log_append(&t->log, (flags & CMD_FRONT) ? LOG_COMMAND_ASIDE :
	    LOG_COMMAND, cmd);
	echo = t->log.appended;
	t->out_lines = 0;
	loop_clear_interrupt();
	if (!t->error_held)
		tui_set_message(t, 0, "");
	t->ctx->task_begun = 0;
	/* A command that writes the data (an import) holds the screen
	 * while it runs: the screens say so first, and reading the data
	 * from the store for the first time is announced too. */
	if (flags & CMD_WRITES) {
		t->env.running = cmd;
		tui_views_stale(t);
		tui_set_message(t, 0, "running (Ctrl-C stops it)...");
		t->dirty |= D_ALL & ~(unsigned)D_LAYOUT;
		tui_draw(t);
	} else if (!(flags & (CMD_FRONT | CMD_BESIDE)) &&
	    workbench_dataset_peek(t->ctx->wb) == NULL &&
	    store_count(workbench_store(t->ctx->wb), "events") > 0) {
		tui_set_message(t, 0, "reading the data from the store...");
		tui_flush_message(t);
	}
	if (cmd_run_line(t->ctx, cmd) == 0) {
		if (t->ctx->task_begun) {
			/* It ends later: in the script when it ends well. */
			free(t->task_cmd);
			t->task_cmd = (flags & CMD_FRONT) ? NULL : strdup(cmd);
			t->task_echo = echo;
			t->task_typed = typed;
			t->task_view = t->current;
			tui_mark_echo(t, echo, LOG_COMMAND_ASIDE);
		} else if (!(flags & CMD_FRONT) &&
		    session_record(&t->session, cmd) < 0)
			tui_set_message(t, 1, "out of memory: the session "
			    "script misses a line");
	} else {
		/* A failed command stays out of the session script. */
		rc = -1;
		tui_mark_echo(t, echo, LOG_COMMAND_ASIDE);
	}
	t->env.running = NULL;
	t->last_failed = rc < 0;
	if (t->ctx->quit)
		t->quit = 1;
	/* Weights change in memory as a slider moves: stored once it
	 * stops (or at quit), not on every key. */
	if (workbench_fusion_unsaved(t->ctx->wb))
		t->save_due = rf_monotonic() + TUI_SAVE_IDLE;
	/* A job may have started, or gone with the data; a task may have
	 * gone with the models. */
	train_watch(t->ctx);
	cmd_task_check(t->ctx);
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
tui_unqueue(struct tui *t, int i)
{
	free(t->queue[i].text);
	memmove(&t->queue[i], &t->queue[i + 1], (size_t)(t->nqueue - i - 1) *
	    sizeof *t->queue);
	t->nqueue--;
}

/* May this command run now, beside the task that runs (if one does)? */
static int
tui_may_run(struct tui *t, const char *cmd)
{
	enum wb_task_kind k = workbench_task_kind(t->ctx->wb);
	unsigned flags;

	if (k == WB_TASK_NONE)
		return 1;
	flags = cmd_line_flags(cmd);
	if (flags & CMD_BESIDE)
		return 1;
	/* `weights` beside a task that only reads the fusion's settings. */
	return (flags & CMD_BESIDE_READER) && (k == WB_TASK_EVAL ||
	    k == WB_TASK_MEASURE);
}

/*
 * Run what may run of the queue, in order: a command waits while the
 * background task runs unless it may run beside it, and then so do the
 * commands after it on its line.  A failed command drops the rest of its
 * line.  -1 when a command run now failed.
 */
static int
tui_run_queue(struct tui *t)
{
	unsigned waiting[64];
	int nwaiting = 0, i = 0, rc = 0;

	cmd_task_check(t->ctx);
	while (i < t->nqueue && !t->quit) {
		struct queued *q = &t->queue[i];
		int blocked = 0;
		char *text;
		unsigned line;

		for (int w = 0; w < nwaiting; w++)
			blocked |= waiting[w] == q->line;
		if (blocked || !tui_may_run(t, q->text)) {
			if (!q->noted) {
				char note[sizeof t->message];

				q->noted = 1;
				snprintf(note, sizeof note, "queued behind %s: "
				    "%.900s", workbench_task_name(
				    workbench_task_kind(t->ctx->wb)), q->text);
				log_append(&t->log, LOG_NOTE, note);
				tui_set_message(t, 0, note);
			}
			if (!blocked && nwaiting < 64)
				waiting[nwaiting++] = q->line;
			i++;
			continue;
		}
		text = q->text;
		line = q->line;
		q->text = NULL;
		{
			int typed = q->typed;

			tui_unqueue(t, i);
			if (tui_run_one(t, text, typed) < 0) {
				rc = -1;
				/* The rest of its line is not run. */
				for (int j = i; j < t->nqueue;)
					if (t->queue[j].line == line)
						tui_unqueue(t, j);
					else
						j++;
			}
		}
		free(text);
	}
	return rc;
}

static int tui_run_command(struct tui *t, const char *line, int typed);

/* The slider step that waited for the keys after it: now. */
static void
tui_flush_deferred(struct tui *t)
{
	char *cmd = t->deferred;

	if (cmd == NULL)
		return;
	t->deferred = NULL;
	(void)tui_run_command(t, cmd, 0);
	free(cmd);
}

/* Queue a line's commands (each a command of its own) and run what may
 * run now.  -1 when one run now failed. */
static int
tui_run_command(struct tui *t, const char *line, int typed)
{
	unsigned id = ++t->lines;

	tui_flush_deferred(t);	/* first what came before */

	while (*line == ' ' || *line == '\t')
		line++;
	for (const char *p = line; *p != '\0';) {
		const char *end = words_command_end(p);
		char *one = strndup(p, (size_t)(end - p));
		size_t len;

		p = *end == ';' ? end + 1 : end;
		if (one == NULL)
			return -1;
		len = strlen(one);
		while (len > 0 && (one[len - 1] == ' ' || one[len - 1] == '\t'))
			one[--len] = '\0';
		if (one[strspn(one, " \t")] == '\0') {
			free(one);
			continue;
		}
		memmove(one, one + strspn(one, " \t"),
		    strlen(one + strspn(one, " \t")) + 1);
		/* A slider step waiting behind a task replaces the one
		 * before it: both set every weight. */
		if (t->nqueue > 0 && t->queue[t->nqueue - 1].noted &&
		    strncmp(one, "weights ", 8) == 0 &&
		    strncmp(t->queue[t->nqueue - 1].text, "weights ", 8) == 0) {
			free(t->queue[t->nqueue - 1].text);
			t->queue[t->nqueue - 1].text = one;
			continue;
		}
		if (t->nqueue == t->queue_cap) {
			int cap = t->queue_cap ? t->queue_cap * 2 : 8;
			struct queued *q = realloc(t->queue,
			    (size_t)cap * sizeof *q);

			if (q == NULL) {
				free(one);
				tui_set_message(t, 1, "out of memory");
				return -1;
			}
			t->queue = q;
			t->queue_cap = cap;
		}
		t->queue[t->nqueue].text = one;
		t->queue[t->nqueue].line = id;
		t->queue[t->nqueue].typed = typed;
		t->queue[t->nqueue].noted = 0;
		t->nqueue++;
	}
	return tui_run_queue(t);
}

static void
tui_submit(void *ud, const char *command)
{
	tui_run_command(ud, command, 0);
}

static void
tui_submit_later(void *ud, const char *command)
{
	struct tui *t = ud;
	char *copy = strdup(command);

	if (copy == NULL) {
		tui_run_command(t, command, 0);
		return;
	}
	free(t->deferred);
	t->deferred = copy;
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

/* A command's background task is about to end: count what it prints. */
static void
front_task_finishing(void *ud)
{
	struct tui *t = ud;

	t->task_lines = t->out_lines;
}

/* It ended: a command that ended well joins the session script; a typed
 * one that printed more than the message line holds shows the Log if its
 * screen is still the one shown.  Then what waited for it runs. */
static void
front_task_ended(void *ud, int ok)
{
	struct tui *t = ud;

	if (ok && t->task_cmd != NULL) {
		tui_mark_echo(t, t->task_echo, LOG_COMMAND);
		if (session_record(&t->session, t->task_cmd) < 0)
			tui_set_message(t, 1, "out of memory: the session "
			    "script misses a line");
	}
	free(t->task_cmd);
	t->task_cmd = NULL;
	t->last_failed = !ok;
	if (t->task_typed && t->out_lines - t->task_lines > 1 &&
	    t->current == t->task_view && !t->quit && !t->help_open &&
	    !t->console_focus)
		tui_switch(t, VIEW_COUNT - 1);
	t->task_typed = 0;
	if (workbench_fusion_unsaved(t->ctx->wb))
		t->save_due = rf_monotonic() + TUI_SAVE_IDLE;
	tui_views_stale(t);
	t->dirty |= D_ALL & ~(unsigned)D_LAYOUT;
	(void)tui_run_queue(t);
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

/* Esc: the background task stops (nothing of it is applied), else the
 * message line clears. */
static void
key_escape(struct tui *t, int key)
{
	(void)key;
	if (workbench_task_kind(t->ctx->wb) != WB_TASK_NONE) {
		workbench_task_cancel(t->ctx->wb);
		t->dirty |= D_MSG | D_HEAD;
		return;
	}
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
	{ { "Esc", NULL, "stop the background command, else clear the "
	    "message line" }, { 27 }, key_escape, 0 },
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

	int last = 0;

	if (t->console_focus) {
		screen_draw_footer(&t->scr, console_keys,
		    (int)(sizeof console_keys / sizeof console_keys[0]), 0);
		return;
	}
	if (t->help_open) {
		screen_draw_footer(&t->scr, help_keys, help_nkeys, 0);
		return;
	}
	for (i = 0; i < N_GLOBAL_KEYS; i++)
		if (!global_keys[i].after_view)
			keys[n++] = global_keys[i].k;
	n += view_hints(t, keys + n, TUI_MAX_HINTS - N_GLOBAL_KEYS);
	for (i = 0; i < N_GLOBAL_KEYS; i++)
		if (global_keys[i].after_view) {
			keys[n++] = global_keys[i].k;
			last++;
		}
	screen_draw_footer(&t->scr, keys, n, last);
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
	/* This draw answers a redraw the engine asked for (a job's epoch,
	 * its end: loop_redraw_done() below), so the header's training
	 * indicator is drawn again with it.  A draw for another reason (the
	 * job's finish printing its line) otherwise took the request and
	 * left "training MODEL 0/1" on the header for good. */
	if (loop_redraw_asked())
		t->dirty |= D_HEAD;
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
		tui_draw_message(t);
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
	if (t->key_times != NULL) {
		for (int i = 0; i < t->nkeys_read; i++)
			fprintf(t->key_times, "%d %.3f\n", t->keys_read_code[i],
			    (t->last_draw - t->keys_read[i]) * 1000);
		t->nkeys_read = 0;
	}
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
	tui_release_error(t);
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
	else if (workbench_task_kind(t->ctx->wb) != WB_TASK_NONE)
		key_escape(t, 27);
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
			tui_flush_deferred(t);
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
	{
		/* A saved model that did not load is said where the screens
		 * open, in full in the Log: never a silent gap. */
		const wb_damage *d;
		int bad = 0;

		while ((d = workbench_damage_news(t->ctx->wb)) != NULL) {
			log_append(&t->log, LOG_ERROR, d->why);
			bad++;
		}
		if (bad > 0)
			snprintf(msg + strlen(msg), sizeof msg - strlen(msg),
			    "; %d saved model%s could not be loaded: see the "
			    "Log (5)", bad, bad == 1 ? "" : "s");
		tui_set_message(t, bad > 0, msg);
	}
	/* The fusion's pools and figures (or the refit an earlier session
	 * made) come in the background. */
	(void)fusion_measure_background(t->ctx, 0);
	tui_views_stale(t);
	t->dirty |= D_ALL & ~(unsigned)D_LAYOUT;
}

/* Nothing runs: a fusion there was (or one stored) is rebuilt over the
 * models as they are now (a model trained meanwhile), and a fusion
 * without its figures is measured, both in the background, so that the
 * Fusion screen shows the fusion as it is. */
static void
tui_idle_fusion(struct tui *t)
{
	workbench *wb = t->ctx->wb;
	rf_error err = { { 0 } };

	if (t->fusion_wanted && workbench_fusion_peek(wb) == NULL &&
	    workbench_model_count(wb) > 0 && !workbench_training(wb)) {
		t->fusion_wanted = 0;
		if (workbench_fusion(wb, &err) == NULL) {
			tui_set_message(t, 1, err.msg);
			return;
		}
		tui_views_stale(t);
		t->dirty |= D_ALL & ~(unsigned)D_LAYOUT;
	}
	if (workbench_fusion_peek(wb) != NULL) {
		t->fusion_wanted = 1;
		if (fusion_measure_background(t->ctx, 0) > 0)
			t->dirty |= D_MSG | D_HEAD;
	}
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
			/* A task or training beside the screen is not idle:
			 * their wake-ups come first (the timeout is a
			 * safety). */
			if (workbench_task_kind(t->ctx->wb) != WB_TASK_NONE) {
				loop_wait(-1, 100);
				continue;
			}
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
		    !workbench_training(t->ctx->wb) &&
		    workbench_task_kind(t->ctx->wb) == WB_TASK_NONE &&
		    t->nqueue == 0) {
			/* A command whose task failed ends it too. */
			if (t->last_failed || init_step(t) < 0)
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
		/* The progress line of a task ticks. */
		if (workbench_task_kind(t->ctx->wb) != WB_TASK_NONE) {
			double wait = t->progress_drawn +
			    TUI_PROGRESS_MS / 1000.0 - rf_monotonic();

			if (wait <= 0) {
				t->dirty |= D_MSG | D_HEAD;
				continue;
			}
			if (timeout < 0 || wait * 1000 + 1 < timeout)
				timeout = (int)(wait * 1000) + 1;
		} else if (t->nqueue == 0 && !t->quit)
			tui_idle_fusion(t);
		/* Keys, or a signal: a resize shows up as KEY_RESIZE from
		 * getch() after poll() was interrupted. */
		loop_wait(STDIN_FILENO, timeout);
		while (!t->quit && (key = getch()) != ERR) {
			if (t->key_times != NULL && t->nkeys_read < 64) {
				t->keys_read[t->nkeys_read] = rf_monotonic();
				t->keys_read_code[t->nkeys_read++] = key;
			}
			tui_handle_key(t, key);
			if (loop_interrupted())
				tui_interrupt(t);
		}
		/* The keys read so far are in: one `weights` for the
		 * slider's steps among them, then the screen. */
		tui_flush_deferred(t);
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
	for (int i = 0; i < t->nqueue; i++)
		free(t->queue[i].text);
	free(t->queue);
	free(t->task_cmd);
	free(t->deferred);
	script_close(&t->script);
	script_close(&t->init);
	log_free(&t->log);
	help_free(&t->help);
	session_free(&t->session);
	free(t);
}

/* TERM names a VT (or its likes): its character set is ASCII and line
 * drawing, whatever the locale says. */
static int
terminal_is_vt(void)
{
	const char *term = getenv("TERM");

	return term != NULL && (strncmp(term, "vt", 2) == 0 ||
	    strcmp(term, "ansi") == 0 || strncmp(term, "cons", 4) == 0 ||
	    strcmp(term, "dumb") == 0);
}

/* The Linux console's and the VTs' fonts have no braille cells: the
 * charts draw in ASCII there. */
static int
terminal_lacks_braille(void)
{
	const char *term = getenv("TERM");

	return terminal_is_vt() || (term != NULL &&
	    strncmp(term, "linux", 5) == 0);
}

/* The views get the environment the TUI lends them; -1 when one could
 * not open. */
static int
open_views(struct tui *t, const struct tui_opts *opts)
{
	const char *codeset;
	int utf8, i, rc = 0;

	/* The locale's character set decides on UTF-8 (and a locale that
	 * has one byte a character cannot draw any); numbers stay in the
	 * C locale so every table prints "0.5", never "0,5". */
	setlocale(LC_ALL, "");
	setlocale(LC_NUMERIC, "C");
	codeset = nl_langinfo(CODESET);
	utf8 = codeset != NULL && strcmp(codeset, "UTF-8") == 0 &&
	    MB_CUR_MAX > 1;
	widgets_init(opts->unicode && utf8 && !terminal_is_vt(),
	    utf8, !terminal_lacks_braille());
	t->env.wb = t->ctx->wb;
	t->env.unicode = widgets_unicode();
	t->env.submit = tui_submit;
	t->env.submit_later = tui_submit_later;
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
	t->front.task_finishing = front_task_finishing;
	t->front.task_ended = front_task_ended;
	t->front.ud = t;
	/* Long commands compute beside the screen. */
	workbench_set_background(ctx->wb, 1);
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

	if (getenv("RECFUSE_KEY_TIMES") != NULL &&
	    *getenv("RECFUSE_KEY_TIMES") != '\0' &&
	    (t->key_times = fopen(getenv("RECFUSE_KEY_TIMES"), "w")) == NULL)
		tui_set_message(t, 1, "RECFUSE_KEY_TIMES: cannot write");
	if (opts->created) {
		char note[600];

		snprintf(note, sizeof note, "%.500s did not exist: a new, "
		    "empty store (import a log, or quit and open another)",
		    store_path(workbench_store(ctx->wb)));
		tui_set_message(t, 0, note);
		log_append(&t->log, LOG_NOTE, note);
	}
	t->dirty = D_ALL;
	tui_main_loop(t);
	if (t->key_times != NULL)
		fclose(t->key_times);

	console_shutdown();
	screen_stop(&t->scr);
	/* A task still running at quit commits nothing (the workbench's
	 * close ends it). */
	workbench_set_background(ctx->wb, 0);
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
