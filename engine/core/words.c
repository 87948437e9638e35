/* words: command lines split into commands and words, and words quoted
 * so that splitting reads them back (see words.h). */
#include "engine/core/words.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *
words_command_end(const char *s)
{
	const char *start = s;
	char quote = 0;

	for (; *s != '\0'; s++) {
		if (quote) {
			if (*s == '\\' && quote == '"' && s[1] != '\0')
				s++;
			else if (*s == quote)
				quote = 0;
		} else if (*s == '\'' || *s == '"') {
			quote = *s;
		} else if (*s == '\\' && s[1] != '\0') {
			s++;
		} else if (*s == ';') {
			break;
		} else if (*s == '#' && (s == start || s[-1] == ' ' ||
		    s[-1] == '\t')) {
			/* a comment runs to the end of the line */
			return s + strlen(s);
		}
	}
	return s;
}

void
words_free(char **words, int n)
{
	for (int i = 0; i < n; i++)
		free(words[i]);
	free(words);
}

static int
is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

int
words_split(const char *s, char ***words_out, int *n_out, rf_error *err)
{
	char **words = NULL;
	int n = 0;

	for (;;) {
		rf_buf w = { 0 };
		char **grown;
		int oom = 0;

		while (is_blank(*s))
			s++;
		if (*s == '\0' || *s == '#')
			break;
		while (*s != '\0' && !is_blank(*s)) {
			if (*s == '\'') {
				const char *q = strchr(s + 1, '\'');

				if (q == NULL) {
					rf_buf_free(&w);
					goto unterminated;
				}
				oom |= rf_buf_append(&w, s + 1,
				    (size_t)(q - s - 1));
				s = q + 1;
			} else if (*s == '"') {
				s++;
				while (*s != '"') {
					if (*s == '\0') {
						rf_buf_free(&w);
						goto unterminated;
					}
					if (*s == '\\' && (s[1] == '"' ||
					    s[1] == '\\'))
						s++;
					oom |= rf_buf_append(&w, s++, 1);
				}
				s++;
			} else {
				if (*s == '\\' && s[1] != '\0')
					s++;
				oom |= rf_buf_append(&w, s++, 1);
			}
		}
		oom |= rf_buf_append(&w, "", 1);
		grown = realloc(words, (size_t)(n + 2) * sizeof *words);
		if (grown == NULL || oom) {
			/* a word with a hole in it must not run */
			rf_buf_free(&w);
			words_free(grown ? grown : words, n);
			return rf_fail(err, "out of memory");
		}
		words = grown;
		words[n++] = (char *)w.data;
		words[n] = NULL;
	}
	if (words == NULL && (words = calloc(1, sizeof *words)) == NULL)
		return rf_fail(err, "out of memory");
	*words_out = words;
	*n_out = n;
	return 0;
unterminated:
	words_free(words, n);
	return rf_fail(err, "unterminated quote");
}

const char *
words_quote(const char *s, char *buf, size_t n)
{
	size_t k = 0;

	if (*s != '\0' && strpbrk(s, " \t\n\r;#'\"\\") == NULL) {
		if (strlen(s) >= n)
			return NULL;
		memcpy(buf, s, strlen(s) + 1);
		return buf;
	}
	if (strchr(s, '\'') == NULL) {
		if (strlen(s) + 2 >= n)
			return NULL;
		snprintf(buf, n, "'%s'", s);
		return buf;
	}
	if (n < 3)
		return NULL;
	buf[k++] = '"';
	for (; *s != '\0'; s++) {
		if (k + 4 > n)	/* an escape, the char, '"' and NUL */
			return NULL;
		if (*s == '"' || *s == '\\')
			buf[k++] = '\\';
		buf[k++] = *s;
	}
	buf[k++] = '"';
	buf[k] = '\0';
	return buf;
}
