/* log: the session's output buffer (command echoes, their output and
 * errors) that the Log view shows, and the view itself.  The app owns one
 * buffer and appends to it from its cmd_output callbacks. */
#ifndef RF_LOG_H
#define RF_LOG_H

#include "engine/core/table.h"

enum log_kind {
	LOG_OUTPUT,
	LOG_ERROR,
	LOG_COMMAND,		/* a command line as run (the session log) */
	LOG_COMMAND_ASIDE,	/* run, but left out of the session script: it
				 * failed, or only the TUI knows it (`view`) */
	LOG_NOTE,		/* the program's own remarks */
	LOG_LABEL		/* a label line (help) */
};

struct log_line {
	char *text;
	enum log_kind kind;
};

struct log_buffer {
	struct log_line *lines;
	int n, cap, max;
	unsigned long appended;	/* lines ever appended (views follow it) */
};

void log_init(struct log_buffer *lb, int max_lines);
void log_free(struct log_buffer *lb);
/* Append text, one line per '\n'; -1 when out of memory.  The oldest lines
 * go when the buffer is full. */
int log_append(struct log_buffer *lb, enum log_kind kind, const char *text);
/* Append a table as aligned text (header, rows); -1 when out of memory. */
int log_append_table(struct log_buffer *lb, const rf_table *t);

#endif
