/* jsonl: one JSON object a line, read into its top-level fields (see
 * jsonl.h).  RFC 8259's grammar, strictly: a file another program wrote
 * is either read as it says or refused with the byte where it goes
 * wrong. */
#include "engine/ingest/jsonl.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct jsonl_cursor {
	char *p;
	const char *start;
	rf_error *err;
} jsonl_cursor;

static int
cursor_fail(jsonl_cursor *c, const char *what)
{
	return rf_fail(c->err, "at byte %ld: %s", (long)(c->p - c->start) + 1,
	    what);
}

static void
skip_blanks(jsonl_cursor *c)
{
	while (*c->p == ' ' || *c->p == '\t' || *c->p == '\r' || *c->p == '\n')
		c->p++;
}

static int
hex4(const char *p, unsigned *out)
{
	unsigned v = 0;

	for (int k = 0; k < 4; k++) {
		char h = p[k];

		v <<= 4;
		if (h >= '0' && h <= '9')
			v |= (unsigned)(h - '0');
		else if (h >= 'a' && h <= 'f')
			v |= (unsigned)(h - 'a' + 10);
		else if (h >= 'A' && h <= 'F')
			v |= (unsigned)(h - 'A' + 10);
		else
			return -1;
	}
	*out = v;
	return 0;
}

/* A code point as UTF-8 at w; the bytes written. */
static int
put_utf8(char *w, unsigned cp)
{
	if (cp < 0x80) {
		w[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		w[0] = (char)(0xC0 | cp >> 6);
		w[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		w[0] = (char)(0xE0 | cp >> 12);
		w[1] = (char)(0x80 | (cp >> 6 & 0x3F));
		w[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	w[0] = (char)(0xF0 | cp >> 18);
	w[1] = (char)(0x80 | (cp >> 12 & 0x3F));
	w[2] = (char)(0x80 | (cp >> 6 & 0x3F));
	w[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

/* A string at c->p (its opening quote), decoded where it stands (an escape
 * is never shorter as text than as UTF-8) and NUL-ended; *out is it. */
static int
read_string(jsonl_cursor *c, const char **out)
{
	char *w = ++c->p;

	*out = w;
	for (;;) {
		unsigned char ch = (unsigned char)*c->p;
		unsigned cp, lo;

		if (ch == '"')
			break;
		if (ch == '\0')
			return cursor_fail(c, "unterminated string");
		if (ch < 0x20)
			return cursor_fail(c, "control character in a string");
		if (ch != '\\') {
			*w++ = (char)ch;
			c->p++;
			continue;
		}
		c->p++;
		switch (*c->p) {
		case '"': case '\\': case '/':
			*w++ = *c->p++;
			continue;
		case 'b': *w++ = '\b'; c->p++; continue;
		case 'f': *w++ = '\f'; c->p++; continue;
		case 'n': *w++ = '\n'; c->p++; continue;
		case 'r': *w++ = '\r'; c->p++; continue;
		case 't': *w++ = '\t'; c->p++; continue;
		case 'u':
			break;
		default:
			return cursor_fail(c, "unknown escape in a string");
		}
		if (hex4(c->p + 1, &cp) < 0)
			return cursor_fail(c, "\\u needs four hex digits");
		c->p += 5;
		/* A surrogate pair is one code point. */
		if (cp >= 0xD800 && cp <= 0xDBFF) {
			if (c->p[0] != '\\' || c->p[1] != 'u' ||
			    hex4(c->p + 2, &lo) < 0 || lo < 0xDC00 ||
			    lo > 0xDFFF)
				return cursor_fail(c, "lone surrogate in a "
				    "string");
			cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
			c->p += 6;
		} else if (cp >= 0xDC00 && cp <= 0xDFFF)
			return cursor_fail(c, "lone surrogate in a string");
		if (cp == 0)
			return cursor_fail(c, "NUL in a string");
		w += put_utf8(w, cp);
	}
	c->p++;		/* past the quote, before w is ended */
	*w = '\0';
	return 0;
}

/* The length of the number at p by RFC 8259's grammar, 0 if none. */
static size_t
number_length(const char *p)
{
	const char *s = p;

	if (*s == '-')
		s++;
	if (*s == '0')
		s++;
	else if (*s >= '1' && *s <= '9')
		while (*s >= '0' && *s <= '9')
			s++;
	else
		return 0;
	if (*s == '.') {
		if (s[1] < '0' || s[1] > '9')
			return 0;
		s++;
		while (*s >= '0' && *s <= '9')
			s++;
	}
	if (*s == 'e' || *s == 'E') {
		s++;
		if (*s == '+' || *s == '-')
			s++;
		if (*s < '0' || *s > '9')
			return 0;
		while (*s >= '0' && *s <= '9')
			s++;
	}
	return (size_t)(s - p);
}

/* Skip any value (objects and arrays whole). */
static int
skip_value(jsonl_cursor *c, int depth)
{
	const char *s;
	size_t n;

	skip_blanks(c);
	if (depth > 64)
		return cursor_fail(c, "nested too deep");
	switch (*c->p) {
	case '"':
		return read_string(c, &s);
	case '{':
	case '[': {
		char close = *c->p == '{' ? '}' : ']';

		c->p++;
		skip_blanks(c);
		if (*c->p == close) {
			c->p++;
			return 0;
		}
		for (;;) {
			if (close == '}') {
				skip_blanks(c);
				if (*c->p != '"')
					return cursor_fail(c, "expected a key");
				if (read_string(c, &s) < 0)
					return -1;
				skip_blanks(c);
				if (*c->p++ != ':')
					return cursor_fail(c, "expected ':'");
			}
			if (skip_value(c, depth + 1) < 0)
				return -1;
			skip_blanks(c);
			if (*c->p == close) {
				c->p++;
				return 0;
			}
			if (*c->p++ != ',')
				return cursor_fail(c, "expected ',' or the "
				    "end of a list");
		}
	}
	default:
		if ((n = number_length(c->p)) > 0) {
			c->p += n;
			return 0;
		}
		if (strncmp(c->p, "true", 4) == 0 || strncmp(c->p, "null", 4)
		    == 0) {
			c->p += 4;
			return 0;
		}
		if (strncmp(c->p, "false", 5) == 0) {
			c->p += 5;
			return 0;
		}
		return cursor_fail(c, "expected a value");
	}
}

/* An array at c->p: of numbers into nums from *used (NUMBERS), else
 * skipped (OTHER, nums untouched). */
static int
read_array(jsonl_cursor *c, jsonl_field *f, float *nums, int max_nums,
    int *used)
{
	char *open = c->p;
	int first = *used;

	f->type = JSONL_NUMBERS;
	f->numbers = nums + first;
	f->n = 0;
	c->p++;
	skip_blanks(c);
	if (*c->p == ']') {
		c->p++;
		return 0;
	}
	for (;;) {
		size_t n;

		skip_blanks(c);
		if ((n = number_length(c->p)) == 0) {
			/* Not numbers: skipped whole. */
			*used = first;
			f->type = JSONL_OTHER;
			f->numbers = NULL;
			f->n = 0;
			c->p = open;
			return skip_value(c, 0);
		}
		if (*used >= max_nums)
			return cursor_fail(c, "too many numbers in a list");
		/* strtof rounds the decimal to the nearest float once (a
		 * float printed with 9 digits comes back as itself). */
		nums[(*used)++] = strtof(c->p, NULL);
		f->n++;
		c->p += n;
		skip_blanks(c);
		if (*c->p == ']') {
			c->p++;
			return 0;
		}
		if (*c->p++ != ',')
			return cursor_fail(c, "expected ',' or ']'");
	}
}

int
jsonl_parse(char *line, jsonl_field *fields, float *nums, int max_nums,
    rf_error *err)
{
	jsonl_cursor c = { line, line, err };
	int n = 0, used = 0;

	skip_blanks(&c);
	if (*c.p != '{')
		return cursor_fail(&c, "expected an object ('{')");
	c.p++;
	skip_blanks(&c);
	if (*c.p == '}')
		c.p++;
	else for (;;) {
		jsonl_field scratch, *f = n < JSONL_MAX_FIELDS ? &fields[n] :
		    &scratch;
		const char *key;
		size_t len;

		skip_blanks(&c);
		if (*c.p != '"')
			return cursor_fail(&c, "expected a key");
		if (read_string(&c, &key) < 0)
			return -1;
		skip_blanks(&c);
		if (*c.p++ != ':')
			return cursor_fail(&c, "expected ':'");
		skip_blanks(&c);
		memset(f, 0, sizeof *f);
		f->key = key;
		if (*c.p == '"') {
			f->type = JSONL_STRING;
			if (read_string(&c, &f->text) < 0)
				return -1;
		} else if (*c.p == '[') {
			if (read_array(&c, f, nums, max_nums, &used) < 0)
				return -1;
		} else if (*c.p == '{') {
			f->type = JSONL_OTHER;
			if (skip_value(&c, 0) < 0)
				return -1;
		} else if ((len = number_length(c.p)) > 0) {
			/* Copied: the line goes on right after it. */
			if (len >= sizeof f->number_text)
				return cursor_fail(&c, "number too long");
			f->type = JSONL_NUMBER;
			memcpy(f->number_text, c.p, len);
			f->number_text[len] = '\0';
			f->text = f->number_text;
			f->number = strtod(f->text, NULL);
			c.p += len;
		} else {
			f->type = strncmp(c.p, "null", 4) == 0 ? JSONL_NULL :
			    JSONL_BOOL;
			f->number = strncmp(c.p, "true", 4) == 0;
			if (skip_value(&c, 0) < 0)
				return -1;
		}
		if (n < JSONL_MAX_FIELDS)
			n++;
		skip_blanks(&c);
		if (*c.p == '}') {
			c.p++;
			break;
		}
		if (*c.p++ != ',')
			return cursor_fail(&c, "expected ',' or '}'");
	}
	skip_blanks(&c);
	if (*c.p != '\0')
		return cursor_fail(&c, "text after the object");
	return n;
}

const jsonl_field *
jsonl_get(const jsonl_field *fields, int n, const char *key)
{
	for (int k = 0; k < n; k++)
		if (strcmp(fields[k].key, key) == 0)
			return &fields[k];
	return NULL;
}
