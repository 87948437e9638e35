/* formats: the line parsers of each input format, one file per family:
 * ratings.c (movielens, ml-csv), taobao.c, generic.c (delimited with a
 * header or a column map) and items.c (u.item, movies.csv, item files).
 * Each is a parse_fn (see parser.h); sniff.c picks one per file. */
#ifndef RF_INGEST_FORMATS_H
#define RF_INGEST_FORMATS_H

#include "engine/ingest/parser.h"

/* movielens (tab) and ml-csv (comma): user, item, rating, ts. */
int ingest_rating_line(parser *p, const line *l, parsed_row *row);

/* Taobao UserBehavior: user,item,category,behavior,ts. */
int ingest_taobao_line(parser *p, const line *l, parsed_row *row);
/* BEH_PV..BEH_BUY for "pv", "fav", "cart", "buy" (exact), else -1. */
int taobao_behavior(const field *f);

/* Delimited events laid out by p's column map. */
int ingest_generic_line(parser *p, const line *l, parsed_row *row);

/* ml-100k u.item (latin-1), MovieLens movies.csv, and item files with a
 * header naming item, title, category, genres. */
int ingest_uitem_line(parser *p, const line *l, parsed_row *row);
int ingest_movies_csv_line(parser *p, const line *l, parsed_row *row);
int ingest_items_generic_line(parser *p, const line *l, parsed_row *row);

#endif
