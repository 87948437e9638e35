/* columns: the roles a column of a delimited file can play (user, item,
 * type, ...) and the header names that say so, shared by header sniffing
 * and by the --map option. */
#ifndef RF_INGEST_COLUMNS_H
#define RF_INGEST_COLUMNS_H

#include "engine/ingest/fields.h"

enum column_role {
	COL_USER, COL_ITEM, COL_TYPE, COL_TIME, COL_VALUE, COL_CATEGORY,
	COL_TITLE, COL_GENRES, NCOLS
};

/* The role a header name stands for (case-insensitive, quotes allowed),
 * or -1. */
int column_role(const field *h);
/* Fill cols[role] (1-based) from header names where still 0; returns how
 * many matched. */
int columns_from_header(const field *f, int nf, int cols[NCOLS]);

#endif
