/* tui: the full-screen front (ncurses): the screens, the readline console
 * at the bottom, the help overlay and the event loop; every key becomes
 * command text run through cmd_run_line().  Also drivable by a script
 * (tig's TIG_SCRIPT) with curses drawing to /dev/null, for screen tests. */
#ifndef RF_TUI_H
#define RF_TUI_H

#include "app/cmd/cmd.h"

struct tui_opts {
	int color;		/* 1 auto, 0 off (-C, NO_COLOR) */
	int unicode;		/* 1 auto (UTF-8 locales), 0 off (-U) */
	int mouse;		/* --mouse: capture clicks and the wheel */
	/* --script FILE / RECFUSE_SCRIPT (app/tui/script.h): the next line
	 * is read only when the program is idle; the end of the script
	 * quits.  Curses draws to /dev/null, sized by LINES and COLUMNS. */
	const char *script;
	/* --init FILE: commands run one by one at start-up in the real
	 * terminal, each when the previous one (and any training it queued)
	 * is done; keys work meanwhile and the TUI stays when it ends. */
	const char *init;
	const char *history_path;	/* NULL: ~/.recfuse_history */
	int created;		/* the store did not exist: a new one */
};

/* Run the TUI until `quit`.  While it runs, ctx lends the commands the
 * event loop (ctx->events) and the screens (ctx->front).  Returns the
 * exit status: 0, or 1 when it could not start (message on stderr) or a
 * script line was wrong. */
int tui_run(cmd_ctx *ctx, const struct tui_opts *opts);

#endif
