/* script: the TUI's two players of files.  --script / RECFUSE_SCRIPT
 * (tig's TIG_SCRIPT): ":cmd" lines run a command, other lines are keys
 * ("j", "<Down>", "<Enter>", "<C-r>", "<Esc>", "<Colon>", "<LT>",
 * "<Resize:60x20>"); the TUI reads the next line only when it is idle and
 * quits at the end.  --init: one command a line (a leading ':' allowed),
 * each run when the previous one, and the training it queued, is done. */
#ifndef RF_SCRIPT_H
#define RF_SCRIPT_H

#include <stddef.h>
#include <stdio.h>

/* One key of a script line; a resize carries the new size. */
struct script_key {
	int key;		/* a curses key; KEY_RESIZE for <Resize:WxH> */
	int cols, lines;
};

struct script {
	FILE *f;
	const char *name;
	int line;		/* of the step last read */
	int commands_only;	/* --init */
	char *text;		/* the line last read */
	size_t cap;
	struct script_key *keys;	/* the keys of the line last read */
	int nkeys, keys_cap;
};

enum script_step {
	SCRIPT_END,		/* no more lines (or a read error) */
	SCRIPT_COMMAND,		/* *command: a command line to run */
	SCRIPT_KEYS,		/* s->keys[0..s->nkeys): keys to press */
	SCRIPT_ERROR		/* a bad line, said on stderr as FILE:LINE: */
};

/* Open path for reading; -1 with errno set. */
int script_open(struct script *s, const char *path, int commands_only);
void script_close(struct script *s);
/* The next step (blank lines and '#' comments skipped).  *command points
 * into s until the next call. */
enum script_step script_next(struct script *s, const char **command);

#endif
