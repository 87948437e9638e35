/* console: GNU Readline inside curses, through its callback interface
 * (tig's recipe): keys reach readline through our own input path, readline
 * draws through a hook into the console line, and leaves the terminal,
 * the signals and resizes to ncurses.  History in a file (mode 0600),
 * Ctrl-R search, and tab completion from the command table. */
#ifndef RF_CONSOLE_H
#define RF_CONSOLE_H

#include "views/view.h"

struct console_hooks {
	/* A line was entered (NULL on end of input, Ctrl-D on an empty
	 * line).  The line is the callee's to keep or free. */
	void (*line)(void *ud, char *line);
	/* A note for the message line (the list of completions). */
	void (*note)(void *ud, const char *text);
	void *ud;
	/* Where user and item ids to complete come from (its snapshot, once
	 * built); may be NULL. */
	const workbench *wb;
};

/* history_path may be NULL (no history file).  -1 and a message in
 * err[n] when the history file cannot be made private. */
int console_init(const char *history_path, const struct console_hooks *h,
    char *err, size_t n);
void console_shutdown(void);

/* The window the console draws into (changes on resize) and the focus. */
void console_set_window(WINDOW *w);
void console_set_focus(int focused);
/* Redraw into the window (no refresh). */
void console_paint(void);
/* Has readline drawn since the last call?  (The app refreshes then.) */
int console_take_dirty(void);

/* A curses key for readline (arrows and the like become the control keys
 * readline binds by default). */
void console_key(int key);
/* Drop the line being edited and any search in progress (Esc, Ctrl-C). */
void console_cancel(void);
/* Leave an incremental search, keeping the line as it was. */
void console_abort_search(void);
/* Is a multi-key operation (incremental search) in progress? */
int console_searching(void);


#endif
