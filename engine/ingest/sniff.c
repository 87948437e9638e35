/* sniff: format, delimiter and columns of an input file (see sniff.h). */
#include "engine/ingest/sniff.h"

#include <string.h>
#include <strings.h>

#include "engine/ingest/columns.h"
#include "engine/ingest/formats.h"

static int
is_blank(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/* The first non-blank line of buf, for sniffing. */
static field
first_line(const char *p, size_t n)
{
	const char *end = p + n;
	field f = { p, 0 };

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *e = nl != NULL ? nl : end;

		while (e > p && is_blank((unsigned char)e[-1]))
			e--;
		if (e > p) {
			f.p = p;
			f.n = (size_t)(e - p);
			if (f.n > INGEST_MAX_LINE)
				f.n = INGEST_MAX_LINE;
			return f;
		}
		if (nl == NULL)
			break;
		p = nl + 1;
	}
	return f;
}

static int
all_numeric(const field *f, int nf)
{
	int i;
	double d;

	for (i = 0; i < nf; i++)
		if (field_number(&f[i], &d) < 0)
			return 0;
	return 1;
}

static ingest_format
sniff_events(field first)
{
	field f[8];
	int nf;

	nf = field_split(first.p, first.n, '\t', f, 8);
	if (nf == 4 && all_numeric(f, 4))
		return FMT_MOVIELENS;
	if (field_is(&first, "userId,movieId,rating,timestamp"))
		return FMT_ML_CSV;
	nf = field_split(first.p, first.n, ',', f, 8);
	if (nf == 5 && taobao_behavior(&f[3]) >= 0)
		return FMT_TAOBAO;
	return FMT_GENERIC;
}

static ingest_format
sniff_items(field first)
{
	field f[MAX_FIELDS];

	if (field_split(first.p, first.n, '|', f, MAX_FIELDS) == 24)
		return FMT_ITEMS_UITEM;
	if (first.n >= 20 && strncasecmp(first.p, "movieId,title,genres", 20) == 0)
		return FMT_ITEMS_CSV;
	return FMT_ITEMS_GENERIC;
}

/* The most frequent of tab, comma, ';' and '|' (in that order on ties). */
static char
sniff_delim(field first)
{
	static const char cand[] = "\t,;|";
	size_t count[4] = { 0 }, i;
	int best = -1, k;

	for (i = 0; i < first.n; i++)
		for (k = 0; k < 4; k++)
			if (first.p[i] == cand[k])
				count[k]++;
	for (k = 0; k < 4; k++)
		if (count[k] > 0 && (best < 0 || count[k] > count[best]))
			best = k;
	return best < 0 ? 0 : cand[best];
}

static int
check_columns(parser *p, const int cols[NCOLS], int nf, const char *path,
    rf_error *err)
{
	int r;

	for (r = 0; r < NCOLS; r++)
		if (cols[r] > nf || cols[r] > MAX_FIELDS)
			return rf_fail(err, "%s: the column map names column "
			    "%d but the first line has %d fields", path,
			    cols[r], nf);
	if (!p->items_kind && cols[COL_USER] == 0)
		return rf_fail(err, "%s: no user column (name it user, "
		    "user_id, ... in the header, or give a map)", path);
	if (cols[COL_ITEM] == 0)
		return rf_fail(err, "%s: no item column (name it item, "
		    "item_id, ... in the header, or give a map)", path);
	p->col_user = cols[COL_USER];
	p->col_item = cols[COL_ITEM];
	p->col_type = cols[COL_TYPE];
	p->col_time = cols[COL_TIME];
	p->col_value = cols[COL_VALUE];
	p->col_category = cols[COL_CATEGORY];
	p->col_title = cols[COL_TITLE];
	p->col_genres = cols[COL_GENRES];
	p->nfields = nf;
	return 0;
}

static int
setup_generic(parser *p, field first, const char *path, rf_error *err)
{
	const ingest_opts *o = p->o;
	field f[MAX_FIELDS];
	int cols[NCOLS] = { 0 }, nf, header, matched;

	p->delim = o->delim ? o->delim : sniff_delim(first);
	if (p->delim == 0)
		return rf_fail(err, "%s: cannot tell the delimiter from the "
		    "first line; give one", path);
	nf = field_split(first.p, first.n, p->delim, f, MAX_FIELDS);
	matched = columns_from_header(f, nf, cols);
	header = o->header >= 0 ? o->header : matched > 0;
	if (o->col_user || o->col_item || o->col_type || o->col_time ||
	    o->col_value || o->col_category) {
		memset(cols, 0, sizeof cols);
		cols[COL_USER] = o->col_user;
		cols[COL_ITEM] = o->col_item;
		cols[COL_TYPE] = o->col_type;
		cols[COL_TIME] = o->col_time;
		cols[COL_VALUE] = o->col_value;
		cols[COL_CATEGORY] = o->col_category;
	} else if (!header)
		return rf_fail(err, "%s: no header naming the columns; give "
		    "a column map (user=1,item=2,...)", path);
	p->skip_header = header;
	return check_columns(p, cols, nf, path, err);
}

static int
setup_items_generic(parser *p, field first, const char *path, rf_error *err)
{
	field f[MAX_FIELDS];
	int cols[NCOLS] = { 0 }, nf;

	p->delim = p->o->delim ? p->o->delim :
	    memchr(first.p, '\t', first.n) != NULL ? '\t' : ',';
	nf = p->delim == '\t' ?
	    field_split(first.p, first.n, '\t', f, MAX_FIELDS) :
	    field_split_csv(first.p, first.n, p->delim, p->text, f, MAX_FIELDS);
	if (nf < 0 || columns_from_header(f, nf, cols) == 0)
		return rf_fail(err, "%s: an item file needs a header line "
		    "(item, title, category)", path);
	p->skip_header = 1;
	return check_columns(p, cols, nf, path, err);
}

/* What the lines of a fixed format hold, for the messages of options that
 * do not apply to it. */
static const char *
fixed_layout(ingest_format fmt)
{
	switch (fmt) {
	case FMT_MOVIELENS:
		return "user, item, rating, time; tab-separated";
	case FMT_ML_CSV:
		return "userId,movieId,rating,timestamp";
	case FMT_TAOBAO:
		return "user,item,category,behaviour,time";
	case FMT_ITEMS_UITEM:
		return "id|title|date|video date|url|19 genre flags";
	case FMT_ITEMS_CSV:
		return "movieId,title,genres";
	default:
		return "named by the header line";
	}
}

static int
map_given(const ingest_opts *o)
{
	return o->col_user || o->col_item || o->col_type || o->col_time ||
	    o->col_value || o->col_category;
}

/* --map, --delim and --header describe how a generic file is laid out. */
static int
layout_given(const ingest_opts *o)
{
	return map_given(o) || o->delim != 0 || o->header >= 0;
}

/* Every option given applies to the format used (sniffed: as read), or
 * the import is refused saying why: an option is never ignored. */
static int
check_options(const parser *p, ingest_format fmt, int sniffed,
    const char *path, rf_error *err)
{
	const ingest_opts *o = p->o;
	const char *opt = NULL;

	if (map_given(o) && fmt != FMT_GENERIC)
		opt = "--map";
	else if (o->header >= 0 && fmt != FMT_GENERIC)
		opt = "--header";
	else if (o->delim != 0 && fmt != FMT_GENERIC &&
	    fmt != FMT_ITEMS_GENERIC)
		opt = "--delim";
	if (opt != NULL)
		return rf_fail(err, "%s: %s does not apply to the %s format, "
		    "whose columns are fixed (%s)%s", path, opt,
		    ingest_format_name(fmt), fixed_layout(fmt),
		    p->items_kind ? "" : "; --format generic reads a file "
		    "laid out by --map, --delim and --header");
	if (o->weights_given && (p->items_kind || fmt == FMT_MOVIELENS ||
	    fmt == FMT_ML_CSV))
		return rf_fail(err, "%s: --weights does not apply to the %s "
		    "format%s: %s", path, ingest_format_name(fmt), sniffed ?
		    " (as the file was sniffed)" : "", p->items_kind ?
		    "item metadata has no behaviours" : "its rows are ratings, "
		    "which carry their own values");
	return 0;
}

int
sniff_setup(parser *p, const char *buf, size_t n, ingest_format fmt,
    const char *path, ingest_format *used, rf_error *err)
{
	field first = first_line(buf, n), f[2];
	int sniffed = 0;

	/* Nothing to sniff or map a header from: say so plainly rather
	 * than "cannot tell the delimiter". */
	if (first.n == 0 && (fmt == FMT_AUTO || fmt == FMT_GENERIC ||
	    fmt == FMT_ITEMS_GENERIC))
		return rf_fail(err, "%s: the file is empty (no non-blank "
		    "line in its first block)", path);
	/* A layout given is a generic file's: sniffing for a fixed format
	 * would ignore it. */
	if (fmt == FMT_AUTO && layout_given(p->o))
		fmt = p->items_kind ? FMT_ITEMS_GENERIC : FMT_GENERIC;
	else if (fmt == FMT_AUTO) {
		fmt = p->items_kind ? sniff_items(first) : sniff_events(first);
		sniffed = 1;
	}
	if (p->items_kind != (fmt >= FMT_ITEMS_UITEM))
		return rf_fail(err, "%s: format %s is for %s", path,
		    ingest_format_name(fmt),
		    p->items_kind ? "events, not items" : "items, not events");
	if (check_options(p, fmt, sniffed, path, err) < 0)
		return -1;
	*used = fmt;
	field_split(first.p, first.n, ',', f, 2);
	switch (fmt) {
	case FMT_MOVIELENS:
		p->delim = '\t';
		p->parse = ingest_rating_line;
		p->ahead = 1;
		return 0;
	case FMT_ML_CSV:
		p->delim = ',';
		p->skip_header = first.n > 0 && !field_all_digits(&f[0]);
		p->parse = ingest_rating_line;
		p->ahead = 1;
		return 0;
	case FMT_TAOBAO:
		p->delim = ',';
		p->parse = ingest_taobao_line;
		p->ahead = 1;
		return 0;
	case FMT_GENERIC:
		p->parse = ingest_generic_line;
		return setup_generic(p, first, path, err);
	case FMT_ITEMS_UITEM:
		p->delim = '|';
		p->latin1 = 1;
		p->parse = ingest_uitem_line;
		return 0;
	case FMT_ITEMS_CSV:
		p->delim = ',';
		p->skip_header = first.n > 0 && !field_all_digits(&f[0]);
		p->parse = ingest_movies_csv_line;
		return 0;
	case FMT_ITEMS_GENERIC:
		p->parse = ingest_items_generic_line;
		return setup_items_generic(p, first, path, err);
	default:
		return rf_fail(err, "%s: unknown format", path);
	}
}
