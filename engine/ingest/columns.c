/* columns: column roles and their header names (see columns.h). */
#include "engine/ingest/columns.h"

#include <stddef.h>

/* Header names for each column role (matched case-insensitively). */
static const char *const col_names[NCOLS][8] = {
	[COL_USER] = { "user", "user_id", "userid", "visitorid" },
	[COL_ITEM] = { "item", "item_id", "itemid", "product_id", "artistid",
	    "movieid" },
	[COL_TYPE] = { "type", "behavior", "behaviour", "event", "event_type" },
	[COL_TIME] = { "time", "timestamp", "ts", "event_time", "date" },
	[COL_VALUE] = { "value", "rating", "weight", "count" },
	[COL_CATEGORY] = { "category", "category_id", "categoryid",
	    "category_code" },
	[COL_TITLE] = { "title", "name" },
	[COL_GENRES] = { "genres", "genre" },
};

int
column_role(const field *h)
{
	field f = *h;
	int r, i;

	if (f.n >= 2 && f.p[0] == '"' && f.p[f.n - 1] == '"') {
		f.p++;
		f.n -= 2;
	}
	for (r = 0; r < NCOLS; r++)
		for (i = 0; i < 8 && col_names[r][i] != NULL; i++)
			if (field_is(&f, col_names[r][i]))
				return r;
	return -1;
}

int
columns_from_header(const field *f, int nf, int cols[NCOLS])
{
	int i, r, found = 0;

	for (i = 0; i < nf && i < MAX_FIELDS; i++) {
		if ((r = column_role(&f[i])) >= 0 && cols[r] == 0) {
			cols[r] = i + 1;
			found++;
		}
	}
	return found;
}
