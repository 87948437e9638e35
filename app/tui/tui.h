/* tui: the full-screen front (ncurses): screens, the readline console at
 * the bottom, the help overlay, and the event loop; every key becomes
 * command text run through cmd_run_line().  Also drivable by a script
 * (tig's TIG_SCRIPT) with curses drawing to /dev/null, for screen tests. */
#ifndef RF_TUI_H
#define RF_TUI_H

#include "app/cmd/cmd.h"

struct tui_opts {
	int color;		/* 1 auto, 0 off (-C, NO_COLOR) */
	int unicode;		/* 1 auto (UTF-8 locales), 0 off (-U) */
	int mouse;		/* --mouse: capture clicks and the wheel */
	/* --script FILE / RECFUSE_SCRIPT: ":cmd" lines run a command, other
	 * lines are keys ("j", "<Down>", "<Enter>", "<C-r>", "<Esc>",
	 * "<Colon>", "<Resize:60x20>"); the next line is read only when the
	 * program is idle; the end of the script quits.  Curses draws to
	 * /dev/null, sized by LINES and COLUMNS. */
	const char *script;
	/* --init FILE: commands run one by one at start-up in the real
	 * terminal, each when the previous one (and any training it queued)
	 * is done; keys work meanwhile and the TUI stays when it ends. */
	const char *init;
	const char *history_path;	/* NULL: ~/.recfuse_history */
};

/* Run the TUI until `quit`.  Returns the exit status: 0, or 1 when it
 * could not start (message on stderr) or a script line was wrong. */
int tui_run(cmd_ctx *ctx, const struct tui_opts *opts);

/* Wake the TUI when fd becomes readable (the training thread's pipe):
 * cb(ud) runs on the TUI's thread and may ask for a redraw with
 * tui_request_redraw().  -1 when too many fds are registered. */
int tui_add_fd(int fd, void (*cb)(void *), void *ud);
void tui_remove_fd(int fd);
/* Redraw the current screen soon, at most 10 times a second. */
void tui_request_redraw(void);
/* The workbench changed outside a command (a background job finished):
 * every screen reloads; the current one is redrawn soon. */
void tui_views_changed(void);

/* The state the TUI lends its views (the selected user, for `user`), or
 * NULL outside the TUI. */
struct view_env *tui_view_env(cmd_ctx *ctx);

/* `view NAME` and `save-display FILE`: commands of the TUI only. */
extern const cmd_entry cmd_view_entry, cmd_save_display_entry,
    cmd_save_session_entry;

#endif
