/* generic: delimited event logs of any layout, the columns named by a
 * header or a --map; text ids, behaviour names, values, and times as
 * seconds, milliseconds or UTC dates. */
#include <math.h>

#include "engine/core/civil.h"
#include "engine/ingest/clean.h"
#include "engine/ingest/formats.h"

/* Seconds, milliseconds (anything above 1e11, i.e. after year 5138 in
 * seconds) or a UTC date and time: 0, -1 when it is none of them, -2 for
 * a number beyond any time (which no conversion may meet). */
static int
parse_generic_time(const field *f, int64_t *ts)
{
	int64_t v;
	double d;
	int rc;

	if (field_int64(f, &v) == 0) {
		*ts = v > 100000000000LL ? v / 1000 : v;
		return 0;
	}
	if (field_is_integer(f))
		return -2;
	if ((rc = field_number(f, &d)) == 0) {
		if (d > 1e11)
			d /= 1000;
		if (d > 9e15 || d < -9e15)
			return -2;
		*ts = (int64_t)floor(d);
		return 0;
	}
	if (rc == -2)
		return -2;
	return civil_parse_datetime(f->p, f->n, ts);
}

static int
generic_value(parser *p, const line *l, const field *f, int beh, double *v)
{
	int last = p->col_value == p->nfields, rc;

	if (beh >= BEH_PV && beh <= BEH_BUY) {
		*v = p->o->weights[beh];
		return ROW_OK;
	}
	if (beh == BEH_RATING) {
		if (p->col_value == 0)
			return clean_reject(p, "a rating needs a value column");
		return clean_rating(p, l, &f[p->col_value - 1], last, v);
	}
	if (p->col_value == 0) {
		*v = p->o->weights[BEH_EVENT];
		return ROW_OK;
	}
	f += p->col_value - 1;
	if (f->n == 0)
		return clean_empty(p, l, "value", last);
	if ((rc = field_number(f, v)) == -2)
		return clean_reject(p, "value %.*s: out of range (too large "
		    "for a number)", FIELD_SHOW(f));
	if (rc < 0 || *v < 0)
		return clean_reject(p, "value is not a finite number >= 0: "
		    "'%.*s'", FIELD_SHOW(f));
	return ROW_OK;
}

int
ingest_generic_line(parser *p, const line *l, parsed_row *row)
{
	field f[MAX_FIELDS];
	const field *cat = NULL, *user, *item;
	int nf = field_split(l->p, l->n, p->delim, f, MAX_FIELDS), rc;
	int beh = BEH_EVENT;
	double value;
	int64_t ts = 0;

	if (nf != p->nfields)
		return clean_field_count(p, l, p->nfields, nf);
	user = &f[p->col_user - 1];
	item = &f[p->col_item - 1];
	if ((rc = clean_text_id(p, l, user, "user", p->col_user == nf)) !=
	    ROW_OK ||
	    (rc = clean_text_id(p, l, item, "item", p->col_item == nf)) !=
	    ROW_OK)
		return rc;
	if (p->col_type > 0) {
		const field *t = &f[p->col_type - 1];

		if (t->n == 0)
			return clean_empty(p, l, "behaviour",
			    p->col_type == nf);
		if ((beh = store_behavior_code(t->p, t->n)) < 0)
			return clean_reject(p, "unknown behaviour '%.*s'",
			    FIELD_SHOW(t));
	}
	if ((rc = generic_value(p, l, f, beh, &value)) != ROW_OK)
		return rc;
	if (p->col_time > 0) {
		const field *t = &f[p->col_time - 1];

		if (t->n == 0)
			return clean_empty(p, l, "timestamp",
			    p->col_time == nf);
		if ((rc = parse_generic_time(t, &ts)) == -2)
			return clean_ts_overflow(p, t);
		if (rc < 0)
			return clean_reject(p, "timestamp is not a number or a "
			    "date: '%.*s'", FIELD_SHOW(t));
		if ((rc = clean_ts_range(p, ts)) != ROW_OK)
			return rc;
	}
	if (p->col_category > 0 && f[p->col_category - 1].n > 0)
		cat = &f[p->col_category - 1];
	return parsed_event(row, user, item, idmap_hash(item->p, item->n), cat,
	    beh, value, ts);
}
