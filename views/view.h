/* view: the contract between the screens and the app (tig's struct
 * view_ops).  A view draws from the workbench, read-only, and turns a key
 * into the text of a command that the app runs; it never changes state. */
#ifndef RF_VIEW_H
#define RF_VIEW_H

#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1	/* the wide-character API of ncursesw */
#endif
#include <curses.h>

#include "engine/session/workbench.h"

/* What the app lends every view. */
struct view_env {
	workbench *wb;
	int unicode;		/* braille and block characters allowed */
	/* Hand a command line to the app's dispatcher (like a typed one);
	 * submit_later: see VIEW_COALESCE. */
	void (*submit)(void *ud, const char *command);
	void (*submit_later)(void *ud, const char *command);
	void *ud;
	/* Show a one-line note in the message line (no command run). */
	void (*message)(void *ud, const char *text);
	struct log_buffer *log;	/* command output and errors (views/log.h) */
	/* Open the console with text already typed ("user "): the view's
	 * way to ask for an argument; the command runs when Enter is hit. */
	void (*prompt)(void *ud, const char *text);
	/* The user the Fusion and User screens show: an external id, "" for
	 * none; set by the `user` command (app/cmd/user.c). */
	char user[128];
	/* The command that changes the data running now (an import), else
	 * NULL: a screen drawn meanwhile says so rather than what it
	 * would say of the store as it is. */
	const char *running;
};

/* What a key handler did (htop's HANDLED | REDRAW). */
enum view_result {
	VIEW_IGNORED = 0,	/* not ours: the app tries its global keys */
	VIEW_HANDLED = 1 << 0,
	VIEW_REDRAW = 1 << 1,
	/* The command replaces the one the view gave before if that one has
	 * not run yet (a slider's steps: each carries every weight), and
	 * runs before the screen is drawn or any other command. */
	VIEW_COALESCE = 1 << 2
};

struct view {
	const struct view_ops *ops;
	const struct view_env *env;
	void *state;		/* the view's own (scroll position, caches) */
	int stale;		/* the data changed: reload before drawing */
};

/*
 * One row of a screen's keymap (tig's keys, tmux's key tables): the keys,
 * what they do, and the help line.  From the one table per screen the
 * view's key handling, the footer's key hints and the `?` help are all
 * drawn (views/keymap.c).  A row does one of three things: runs command
 * text as if typed; opens the console with text typed (the view asks for
 * an argument); or calls an action of the view, which moves the view's
 * own state (never the workbench's) and may write command text into cmd
 * (n bytes) for the app to run (the fusion slider's computed weights).
 */
#define VIEW_KEY_CODES 6

struct view_key {
	const char *label;	/* "j/k": the keys as the footer shows them */
	int codes[VIEW_KEY_CODES];	/* curses keys it answers; 0 ends */
	unsigned modes;		/* the view's modes it works in; 0: all */
	const char *hint;	/* a word for the footer; NULL: help only */
	const char *help;	/* the line in the `?` help */
	const char *command;
	const char *prompt;
	/* An enum view_result mask. */
	int (*action)(struct view *v, int key, int height, char *cmd,
	    size_t n);
};

struct view_ops {
	const char *name;	/* "data": the `view NAME` argument */
	const char *title;	/* "Data": the tab */
	int key;		/* '1': the switch key */
	const struct view_key *keymap;	/* ends with a NULL label */
	/* The mode the keys are looked up in (one bit; NULL: one mode),
	 * e.g. the User screen's list of users or the user picked. */
	unsigned (*mode)(struct view *v);
	int (*open)(struct view *v);	/* -1 on allocation failure */
	void (*close)(struct view *v);
	/* Draw the whole view into win (erased by the caller). */
	void (*draw)(struct view *v, WINDOW *win);
};

extern const struct view_ops view_data_ops, view_train_ops, view_fusion_ops,
    view_user_ops, view_log_ops;

/* The screens in tab order (1..VIEW_COUNT). */
#define VIEW_COUNT 5
extern const struct view_ops *const view_all[VIEW_COUNT];

/* Index in view_all of a name or unique prefix, or -1. */
int view_lookup(const char *name);

#endif
