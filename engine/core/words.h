/* words: the quoting rules of command text, in one place below the
 * command parser (app/cmd) and the screens that write commands (views/):
 * split a line into commands and a command into words, quote a word. */
#ifndef RF_WORDS_H
#define RF_WORDS_H

#include <stddef.h>

#include "engine/core/rf.h"

/* The end of the first command of a line: an unquoted ';' (returned, the
 * caller steps over it) or the end of the string; a '#' at the start of
 * a word comments out the rest of the line. */
const char *words_command_end(const char *s);

/* Split one command into words: blanks separate; '...' keeps text
 * verbatim; "..." allows \" and \\; a backslash escapes one character;
 * '#' at the start of a word starts a comment.  *words gets n malloc'd
 * words and a NULL after them (free with words_free).  -1 + err on an
 * unterminated quote or out of memory. */
int words_split(const char *s, char ***words, int *n, rf_error *err);
void words_free(char **words, int n);

/* Write s into buf as one word that words_split() reads back as s: as it
 * is when it holds nothing special, else quoted ('...', or "..." with \"
 * and \\ when it holds a single quote).  Returns buf, or NULL when the
 * quoted word does not fit in n bytes. */
const char *words_quote(const char *s, char *buf, size_t n);

#endif
