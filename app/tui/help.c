/* help: the overlay's text, wrapped with a hanging indent, and its
 * scrolling. */
#include "app/tui/help.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/cmd/dispatch.h"
#include "engine/core/utf8.h"
#include "views/widgets/color.h"
#include "views/widgets/widgets.h"

#define HELP_MAX_LINES 4000
#define HELP_KEYS_COL 12	/* "  j/k       text": the text's column */

const struct key_hint help_keys[] = {
	{ "j/k", "scroll", "scroll a line down or up" },
	{ "Space/b", NULL, "scroll a page down or up" },
	{ "g/G", NULL, "to the top or the end" },
	{ "q/Esc/?", "close", "close the help" },
};
const int help_nkeys = (int)(sizeof help_keys / sizeof help_keys[0]);

void
help_init(struct help *h)
{
	memset(h, 0, sizeof *h);
	log_init(&h->lines, HELP_MAX_LINES);
}

void
help_free(struct help *h)
{
	log_free(&h->lines);
}

int
help_begin(struct help *h, int width)
{
	log_free(&h->lines);
	log_init(&h->lines, HELP_MAX_LINES);
	h->width = width;
	return 0;
}

int
help_heading(struct help *h, const char *title)
{
	return log_append(&h->lines, LOG_COMMAND, title);
}

/*
 * Append text as lines of at most the width, its first line from column
 * first (after lead: the keys, padded; lead takes a line of its own when
 * it reaches that column) and the next ones from column indent.  Words are
 * never cut, unless one is wider than a whole line.
 */
static int
append_wrapped(struct help *h, enum log_kind kind, const char *lead,
    int first, int indent, const char *text)
{
	char line[1024];
	int col = first, rc = 0;

	snprintf(line, sizeof line, "%s", lead);
	if (utf8_width(line) >= first) {
		rc = log_append(&h->lines, kind, line);
		line[0] = '\0';
		col = indent;
	}
	while (rc == 0) {
		size_t used = strlen(line), fit;
		int room;

		while (*text == ' ')
			text++;
		if (*text == '\0')
			break;
		if (col > h->width - 10)	/* very narrow: no indent */
			col = 0;
		room = h->width - col > 1 ? h->width - col : 1;
		while ((int)used < col && used + 1 < sizeof line)
			line[used++] = ' ';
		fit = utf8_wrap(text, room);
		if (used + fit >= sizeof line)
			fit = sizeof line - 1 - used;
		memcpy(line + used, text, fit);
		line[used + fit] = '\0';
		rc = log_append(&h->lines, kind, line);
		text += fit;
		line[0] = '\0';
		col = indent;
	}
	if (rc == 0 && line[0] != '\0')
		rc = log_append(&h->lines, kind, line);
	return rc;
}

int
help_key_row(struct help *h, const char *keys, const char *text)
{
	char lead[64];

	snprintf(lead, sizeof lead, "  %s", keys);
	return append_wrapped(h, LOG_OUTPUT, lead, HELP_KEYS_COL, HELP_KEYS_COL,
	    text);
}

int
help_commands(struct help *h)
{
	const cmd_entry *const *e;
	int rc = help_heading(h, "Commands");

	for (e = cmd_table(); rc == 0 && *e != NULL; e++) {
		char *sentence = cmd_help_sentence(*e);

		if (sentence == NULL)
			return -1;
		/* The usage, wrapped at its own blanks, then the help's
		 * first sentence under it. */
		rc = append_wrapped(h, LOG_LABEL, "", 2, 4, (*e)->usage);
		if (rc == 0)
			rc = append_wrapped(h, LOG_OUTPUT, "", 6, 6, sentence);
		free(sentence);
	}
	return rc;
}

void
help_draw(struct help *h, WINDOW *w)
{
	int rows = getmaxy(w), cols = getmaxx(w), i, row;

	if (h->top > h->lines.n - (rows - 1))
		h->top = h->lines.n - (rows - 1);
	if (h->top < 0)
		h->top = 0;
	draw_heading(w, 0, 0, cols, "Help (q, Esc or ? closes)");
	for (i = h->top, row = 1; i < h->lines.n && row < rows; i++, row++) {
		const struct log_line *l = &h->lines.lines[i];
		int attr = l->kind == LOG_COMMAND ? color_attr(CR_HEADING) :
		    l->kind == LOG_LABEL ? color_attr(CR_LABEL) : 0;

		draw_text(w, row, 1, cols - 1, attr, l->text);
	}
}

enum help_result
help_key(struct help *h, int key, int page)
{
	switch (key) {
	case 'j':
	case KEY_DOWN:
		h->top++;
		break;
	case 'k':
	case KEY_UP:
		h->top--;
		break;
	case ' ':
	case KEY_NPAGE:
		h->top += page;
		break;
	case 'b':
	case KEY_PPAGE:
		h->top -= page;
		break;
	case 'g':
	case KEY_HOME:
		h->top = 0;
		break;
	case 'G':
	case KEY_END:
		h->top = h->lines.n;
		break;
	case 'q':
	case '?':
	case 27:
	case '\r':
	case '\n':
	case KEY_ENTER:
		return HELP_CLOSE;
	default:
		return HELP_NOT_MINE;
	}
	return HELP_MOVED;
}
