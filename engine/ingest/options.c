/* options: the import options of ingest.h: format names, defaults, and the
 * --map and --weights texts. */
#include <string.h>
#include <strings.h>

#include "engine/ingest/columns.h"
#include "engine/ingest/fields.h"
#include "engine/ingest/ingest.h"

static const double default_weights[BEH_COUNT] = { 1, 1, 2, 3, 4, 1 };

static const char *const format_names[] = {
	[FMT_AUTO] = "auto",
	[FMT_MOVIELENS] = "movielens",
	[FMT_ML_CSV] = "ml-csv",
	[FMT_TAOBAO] = "taobao",
	[FMT_GENERIC] = "generic",
	[FMT_ITEMS_UITEM] = "u.item",
	[FMT_ITEMS_CSV] = "movies-csv",
	[FMT_ITEMS_GENERIC] = "items",
};

const char *
ingest_format_name(ingest_format f)
{
	if ((int)f < 0 || (size_t)f >= sizeof format_names / sizeof format_names[0])
		return "unknown";
	return format_names[f];
}

int
ingest_format_parse(const char *name)
{
	static const struct {
		const char *name;
		ingest_format f;
	} aliases[] = {
		{ "ml-100k", FMT_MOVIELENS }, { "tsv", FMT_MOVIELENS },
		{ "uitem", FMT_ITEMS_UITEM }, { "movies.csv", FMT_ITEMS_CSV },
		{ "items-generic", FMT_ITEMS_GENERIC },
	};
	size_t i;

	for (i = 0; i < sizeof format_names / sizeof format_names[0]; i++)
		if (strcasecmp(name, format_names[i]) == 0)
			return (int)i;
	for (i = 0; i < sizeof aliases / sizeof aliases[0]; i++)
		if (strcasecmp(name, aliases[i].name) == 0)
			return (int)aliases[i].f;
	return -1;
}

void
ingest_opts_default(ingest_opts *o)
{
	memset(o, 0, sizeof *o);
	o->format = FMT_AUTO;
	o->header = -1;
	memcpy(o->weights, default_weights, sizeof o->weights);
	o->rating_min = 0.5;
	o->rating_max = 5;
	o->ts_min = 631152000;		/* 1990-01-01 */
	o->ts_max = 4102444800LL;	/* 2100-01-01 */
}

/* Split "key=value,key=value"; calls fn for each pair. */
static int
parse_pairs(ingest_opts *o, const char *spec, const char *what,
    int (*fn)(ingest_opts *, const field *, const field *, rf_error *),
    rf_error *err)
{
	const char *p = spec;

	while (*p != '\0') {
		const char *end = strchr(p, ','), *eq;
		field k, v;

		if (end == NULL)
			end = p + strlen(p);
		eq = memchr(p, '=', (size_t)(end - p));
		if (eq == NULL)
			return rf_fail(err, "%s: expected name=value, found "
			    "'%.*s'", what, (int)(end - p), p);
		k = field_trim(p, (size_t)(eq - p), 0);
		v = field_trim(eq + 1, (size_t)(end - eq - 1), 0);
		if (fn(o, &k, &v, err) < 0)
			return -1;
		p = *end == ',' ? end + 1 : end;
	}
	return 0;
}

static int
map_pair(ingest_opts *o, const field *k, const field *v, rf_error *err)
{
	static const char *const roles[] = { "user", "item", "type", "time",
	    "value", "category" };
	int *cols[] = { &o->col_user, &o->col_item, &o->col_type,
	    &o->col_time, &o->col_value, &o->col_category };
	int64_t n;
	int r;

	if (field_int64(v, &n) < 0 || n < 1 || n > MAX_FIELDS)
		return rf_fail(err, "map: column for '%.*s' must be 1..%d, "
		    "found '%.*s'", FIELD_SHOW(k), MAX_FIELDS, FIELD_SHOW(v));
	if ((r = column_role(k)) < 0 || r > COL_CATEGORY)
		return rf_fail(err, "map: unknown column '%.*s' (expected "
		    "user, item, type, time, value, category)", FIELD_SHOW(k));
	/* One column cannot be two things, nor one thing two columns. */
	if (*cols[r] != 0)
		return rf_fail(err, "map: %s is given twice (columns %d and "
		    "%d)", roles[r], *cols[r], (int)n);
	for (int s = 0; s <= COL_CATEGORY; s++)
		if (s != r && *cols[s] == n)
			return rf_fail(err, "map: column %d is mapped to both "
			    "%s and %s", (int)n, roles[s], roles[r]);
	*cols[r] = (int)n;
	return 0;
}

int
ingest_parse_map(ingest_opts *o, const char *spec, rf_error *err)
{
	o->col_user = o->col_item = o->col_type = 0;
	o->col_time = o->col_value = o->col_category = 0;
	if (parse_pairs(o, spec, "map", map_pair, err) < 0)
		return -1;
	if (o->col_user == 0 || o->col_item == 0)
		return rf_fail(err, "map: user and item columns are required");
	return 0;
}

static int
weight_pair(ingest_opts *o, const field *k, const field *v, rf_error *err)
{
	int beh = store_behavior_code(k->p, k->n), rc;
	double w;

	if (beh < 0 || beh == BEH_RATING)
		return rf_fail(err, "weights: unknown behaviour '%.*s' (expected "
		    "pv, fav, cart, buy, event)", FIELD_SHOW(k));
	if ((rc = field_number(v, &w)) == -2)
		return rf_fail(err, "weights: %.*s: out of range",
		    FIELD_SHOW(v));
	if (rc < 0 || w < 0)
		return rf_fail(err, "weights: '%.*s' is not a number >= 0",
		    FIELD_SHOW(v));
	o->weights[beh] = w;
	return 0;
}

int
ingest_parse_weights(ingest_opts *o, const char *spec, rf_error *err)
{
	if (parse_pairs(o, spec, "weights", weight_pair, err) < 0)
		return -1;
	o->weights_given = 1;
	return 0;
}
