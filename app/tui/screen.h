/* screen: the terminal and its layout (htop's ScreenManager frame): the
 * header with the tabs and the store, the current view's window, the key
 * bar, the message line and the console line; curses started and
 * stopped (on /dev/null for a test script), and the screen dumped as
 * text (`save-display`). */
#ifndef RF_SCREEN_H
#define RF_SCREEN_H

#include <stdio.h>

#include "views/view.h"

#define SCREEN_MIN_COLS 60
#define SCREEN_MIN_LINES 16

/* One key as the footer and the `?` help show it: the keys, a word for
 * the footer (NULL: the help only) and the help line. */
struct key_hint {
	const char *keys;
	const char *hint;
	const char *help;
};

struct screen {
	SCREEN *term;
	FILE *term_out, *term_in;	/* /dev/null under a test script */
	WINDOW *head, *view, *foot, *msg, *cons;
	int too_small;			/* below SCREEN_MIN_*: no windows */
	int tab_x[VIEW_COUNT + 1];	/* tab columns, for mouse clicks */
};

/* Start curses on the terminal, or on /dev/null sized by LINES and
 * COLUMNS when headless; color: 1 auto, 0 off.  -1 with a message on
 * stderr when the terminal cannot be used. */
int screen_start(struct screen *s, int headless, int color, int mouse);
void screen_stop(struct screen *s);

/* Make the windows for the terminal's size again (none when too small). */
void screen_layout(struct screen *s);
void screen_free_windows(struct screen *s);

/* The header: " recfuse ", a tab per screen (current highlighted), the
 * store's name and, while a job trains, its progress. */
void screen_draw_header(struct screen *s, workbench *wb, int current);
/* The key bar: "keys:hint" for every row with a hint, in order; when
 * they do not fit, single gaps, then hints left out from the right but
 * for the last keep_last: a hint is never cut. */
void screen_draw_footer(struct screen *s, const struct key_hint *keys,
    int n, int keep_last);
void screen_draw_message(struct screen *s, int is_error, const char *text);
/* The whole terminal says it is too small (no windows then). */
void screen_draw_too_small(void);
/* The tab at column x of the header, or -1. */
int screen_tab_at(const struct screen *s, int x);

/* What the terminal shows now, one line per row as UTF-8 (or the
 * locale's bytes), trailing blanks cut.  -1 when out of memory. */
int screen_dump(FILE *f);

#endif
