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
	/* Hand a command line to the app's dispatcher (like a typed one). */
	void (*submit)(void *ud, const char *command);
	void *ud;
	/* Show a one-line note in the message line (no command run). */
	void (*message)(void *ud, const char *text);
	struct log_buffer *log;	/* command output and errors (views/log.h) */
	/* Open the console with text already typed ("user "): the view's
	 * way to ask for an argument; the command runs when Enter is hit. */
	void (*prompt)(void *ud, const char *text);
	/* The user the Fusion and User screens show: an external id, "" for
	 * none; set by the `user` command (app/cmd-user.c). */
	char user[128];
};

/* A key binding shown in the footer and in the help overlay. */
struct view_key {
	const char *keys;	/* "j/k" */
	const char *help;	/* "scroll" */
};

/* What a key handler did (htop's HANDLED | REDRAW). */
enum view_result {
	VIEW_IGNORED = 0,	/* not ours: the app tries its global keys */
	VIEW_HANDLED = 1 << 0,
	VIEW_REDRAW = 1 << 1
};

struct view {
	const struct view_ops *ops;
	const struct view_env *env;
	void *state;		/* the view's own (scroll position, caches) */
	int stale;		/* the data changed: reload before drawing */
};

struct view_ops {
	const char *name;	/* "data": the `view NAME` argument */
	const char *title;	/* "Data": the tab */
	int key;		/* '1': the switch key */
	const struct view_key *keys;	/* NULL-terminated by keys == NULL */
	int (*open)(struct view *v);	/* -1 on allocation failure */
	void (*close)(struct view *v);
	/* Draw the whole view into win (erased by the caller). */
	void (*draw)(struct view *v, WINDOW *win);
	/* A key while the view has the focus: an enum view_result mask. */
	int (*key_press)(struct view *v, int key, int height);
};

extern const struct view_ops view_data_ops, view_train_ops, view_fusion_ops,
    view_user_ops, view_log_ops;

/* The screens in tab order (1..VIEW_COUNT). */
#define VIEW_COUNT 5
extern const struct view_ops *const view_all[VIEW_COUNT];

/* Index in view_all of a name or unique prefix, or -1. */
int view_lookup(const char *name);

#endif
