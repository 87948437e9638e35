/* ratings: explicit ratings, one per line: MovieLens u.data (tab) and
 * ratings.csv (comma, with a header). */
#include "engine/ingest/clean.h"
#include "engine/ingest/formats.h"

int
ingest_rating_line(parser *p, const line *l, parsed_row *row)
{
	field f[5];
	int nf = field_split(l->p, l->n, p->delim, f, 5), rc;
	double rating;
	int64_t ts;

	if (nf != 4)
		return clean_field_count(p, l, 4, nf);
	if ((rc = clean_numeric_id(p, l, &f[0], "user", 0)) != ROW_OK ||
	    (rc = clean_numeric_id(p, l, &f[1], "item", 0)) != ROW_OK ||
	    (rc = clean_rating(p, l, &f[2], 0, &rating)) != ROW_OK ||
	    (rc = clean_unix_ts(p, l, &f[3], 1, &ts)) != ROW_OK)
		return rc;
	return parsed_event(row, &f[0], &f[1], idmap_hash(f[1].p, f[1].n),
	    NULL, BEH_RATING, rating, ts);
}
