/* clean: shared row checks and reject reasons (see clean.h). */
#include "engine/ingest/clean.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "engine/core/civil.h"
#include "engine/ingest/text.h"

int
clean_reject(parser *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(p->why, sizeof p->why, fmt, ap);
	va_end(ap);
	return ROW_REJECT;
}

/* A last line without its newline that is short of fields was most likely
 * cut off (a partial copy or download), which is worth saying. */
int
clean_field_count(parser *p, const line *l, int expected, int found)
{
	if (l->flags & LINE_UNTERMINATED)
		return clean_reject(p, "line cut off at end of file (no newline)");
	return clean_reject(p, "expected %d fields, found %d", expected, found);
}

int
clean_empty(parser *p, const line *l, const char *what, int last_field)
{
	if (last_field && (l->flags & LINE_UNTERMINATED))
		return clean_reject(p, "line cut off at end of file (no newline)");
	return clean_reject(p, "empty %s", what);
}

int
clean_numeric_id(parser *p, const line *l, const field *f, const char *what,
    int last_field)
{
	if (f->n == 0)
		return clean_empty(p, l, what, last_field);
	if (!field_all_digits(f))
		return clean_reject(p, "non-numeric %s id '%.*s'", what,
		    FIELD_SHOW(f));
	if (f->n > MAX_ID)
		return clean_reject(p, "%s id too long", what);
	return ROW_OK;
}

int
clean_text_id(parser *p, const line *l, const field *f, const char *what,
    int last_field)
{
	if (f->n == 0)
		return clean_empty(p, l, what, last_field);
	if (text_has_control(f->p, f->n))
		return clean_reject(p, "control character in %s id", what);
	if (f->n > MAX_ID)
		return clean_reject(p, "%s id too long (more than %d bytes)",
		    what, MAX_ID);
	return ROW_OK;
}

int
clean_ts_range(parser *p, int64_t ts)
{
	const ingest_opts *o = p->o;
	char when[32];

	if (ts >= o->ts_min && ts <= o->ts_max)
		return ROW_OK;
	civil_format_utc(ts < o->ts_min ? o->ts_min : o->ts_max, when,
	    sizeof when);
	if (ts < o->ts_min)
		return clean_reject(p, "timestamp %" PRId64 " is before the "
		    "minimum %s", ts, when);
	return clean_reject(p, "timestamp %" PRId64 " is after the maximum %s",
	    ts, when);
}

int
clean_ts_overflow(parser *p, const field *f)
{
	const ingest_opts *o = p->o;
	int before = f->n > 0 && f->p[0] == '-';
	char when[32];

	civil_format_utc(before ? o->ts_min : o->ts_max, when, sizeof when);
	return clean_reject(p, "timestamp %.*s: out of range (%s the %s %s)",
	    FIELD_SHOW(f), before ? "before" : "after", before ? "minimum" :
	    "maximum", when);
}

int
clean_unix_ts(parser *p, const line *l, const field *f, int last_field,
    int64_t *ts)
{
	if (f->n == 0)
		return clean_empty(p, l, "timestamp", last_field);
	if (field_int64(f, ts) < 0) {
		if (field_is_integer(f))
			return clean_ts_overflow(p, f);
		return clean_reject(p, "timestamp is not a number: '%.*s'",
		    FIELD_SHOW(f));
	}
	return clean_ts_range(p, *ts);
}

int
clean_rating(parser *p, const line *l, const field *f, int last_field,
    double *v)
{
	int rc;

	if (f->n == 0)
		return clean_empty(p, l, "rating", last_field);
	if ((rc = field_number(f, v)) == -1)
		return clean_reject(p, "rating is not a number: '%.*s'",
		    FIELD_SHOW(f));
	if (rc < 0 || *v < p->o->rating_min || *v > p->o->rating_max)
		return clean_reject(p, "rating %.*s is out of range [%g, %g]",
		    FIELD_SHOW(f), p->o->rating_min, p->o->rating_max);
	return ROW_OK;
}

size_t
clean_raw_text(const line *l, int latin1, char *out)
{
	char conv[RAW_MAX * 2 + 1];
	const unsigned char *s = (const unsigned char *)l->p;
	size_t n = l->n, i = 0, o = 0;

	if (n > RAW_MAX)
		n = RAW_MAX;
	if (latin1) {
		n = text_latin1_to_utf8(l->p, n, conv, sizeof conv);
		s = (const unsigned char *)conv;
	}
	while (i < n && o < RAW_MAX) {
		size_t k = s[i] < 0x80 ? 1 : s[i] >= 0xF0 ? 4 :
		    s[i] >= 0xE0 ? 3 : 2;

		if (s[i] < 0x80) {
			out[o++] = (s[i] < 0x20 && s[i] != '\t') ||
			    s[i] == 0x7F ? '?' : (char)s[i];
			i++;
		} else if (i + k <= n && o + k <= RAW_MAX &&
		    text_utf8_valid(s + i, k)) {
			memcpy(out + o, s + i, k);
			o += k;
			i += k;
		} else if (i + k > n || o + k > RAW_MAX)
			break;
		else {
			out[o++] = '?';
			i++;
		}
	}
	out[o] = '\0';
	return o;
}
