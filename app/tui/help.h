/* help: the `?` overlay: the current screen's keys first, then the keys
 * that work everywhere, the console's, and every command (its usage and
 * the first sentence of its help), all from their tables and wrapped to
 * the width (never cut), scrolled with its own keys. */
#ifndef RF_HELP_H
#define RF_HELP_H

#include "app/tui/screen.h"
#include "views/log.h"

struct help {
	struct log_buffer lines;
	int width;		/* the lines were wrapped to it */
	int top;		/* the first line shown */
};

/* The keys while the help is open, for the footer and for help_key(). */
extern const struct key_hint help_keys[];
extern const int help_nkeys;

void help_init(struct help *h);
void help_free(struct help *h);

/* Build the text again, wrapped to width columns: help_begin, then
 * sections of key rows, then the commands; -1 when out of memory. */
int help_begin(struct help *h, int width);
int help_heading(struct help *h, const char *title);
int help_key_row(struct help *h, const char *keys, const char *text);
int help_commands(struct help *h);

/* Draw into win from the top line (a heading, then the lines). */
void help_draw(struct help *h, WINDOW *win);

enum help_result { HELP_NOT_MINE, HELP_MOVED, HELP_CLOSE };
/* A key while the help is open; page is the lines a page scrolls. */
enum help_result help_key(struct help *h, int key, int page);

#endif
