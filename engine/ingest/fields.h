/* fields: a line cut into fields (plain delimited, or RFC 4180 CSV with
 * quotes), trimmed, and fields read as whole or decimal numbers, without
 * stdio or allocation (the hot path of every format). */
#ifndef RF_INGEST_FIELDS_H
#define RF_INGEST_FIELDS_H

#include <stddef.h>
#include <stdint.h>

#define MAX_FIELDS	64	/* fields beyond this are counted, not kept */

/* A piece of a line: n bytes at p, not NUL-terminated. */
typedef struct field {
	const char *p;
	size_t n;
} field;

/* printf arguments for "%.*s" showing at most 40 bytes of a field. */
#define FIELD_SHOW(f) (int)((f)->n > 40 ? 40 : (f)->n), (f)->p

/* Spaces (and tabs, unless tab is the delimiter) off both ends. */
field field_trim(const char *p, size_t n, char delim);
/* Split on delim (no quoting); returns the number of fields, which may be
 * more than max (only the first max are kept). */
int field_split(const char *s, size_t n, char delim, field *f, int max);
/* One line of RFC 4180 CSV: a quoted field may hold the delimiter, and ""
 * stands for a quote.  Unquoted fields are trimmed.  The fields are copied
 * to out (never longer than the line).  Returns the field count, or -1 for
 * an unterminated quote or text after a closing quote. */
int field_split_csv(const char *s, size_t n, char delim, char *out, field *f,
    int max);

/* Case-insensitive equality with a NUL-terminated string. */
int field_is(const field *f, const char *s);
/* Only the digits 0-9, at least one.  Inline: ids are checked with it
 * on every row. */
static inline int
field_all_digits(const field *f)
{
	size_t i;

	if (f->n == 0)
		return 0;
	for (i = 0; i < f->n; i++)
		if ((unsigned)(f->p[i] - '0') > 9)
			return 0;
	return 1;
}
/* Optional '-' and at most 18 digits; 0 on success. */
int field_int64(const field *f, int64_t *out);
/* Optional '-' and digits, however many: a whole number as written, which
 * may be too long for field_int64 (then it is out of range, not text). */
int field_is_integer(const field *f);
/* A plain decimal number (digits, sign, point, exponent: no hex, inf or
 * nan), finite; 0 on success, -1 when it is not a number, -2 when it is
 * one but too large for a double (out of range). */
int field_number(const field *f, double *out);

#endif
