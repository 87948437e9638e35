/* utf8: display width of UTF-8 text in terminal columns, the one walker
 * that the table printer, the widgets, the console and the screen dump
 * share.  Invalid bytes count one column each; control characters one. */
#ifndef RF_UTF8_H
#define RF_UTF8_H

#include <stddef.h>
#include <wchar.h>

/* Decode the character at s (at most len bytes): its wide character
 * (L'\0' for an invalid byte or a control character) and its columns
 * (1 for those); returns the bytes it used (>= 1 while len > 0). */
size_t utf8_next(const char *s, size_t len, wchar_t *wc, int *cols);

/* Columns of the whole NUL-terminated string (NULL: 0). */
int utf8_width(const char *s);
/* Columns of the first n bytes. */
int utf8_width_n(const char *s, size_t n);
/* The longest prefix that fits in max columns: its columns, and its
 * length in bytes in *bytes (may be NULL). */
int utf8_fit(const char *s, int max, size_t *bytes);
/* s advanced past cols columns (never into a character). */
const char *utf8_skip_cols(const char *s, int cols);
/* Word wrap: the bytes of the longest run of whole words at the start of
 * s that fits in max columns (a word longer than max is cut at max
 * columns; at least one character while s is not empty).  The caller
 * skips the blanks after it. */
size_t utf8_wrap(const char *s, int max);

#endif
