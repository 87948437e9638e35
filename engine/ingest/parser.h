/* parser: what the line parsers of every format share: the file's layout
 * (found once by sniff.c), the options, scratch space and the reason of
 * the last rejected line.  A parser turns a line into a parsed row and
 * leaves storing it to the driver (ingest.c). */
#ifndef RF_INGEST_PARSER_H
#define RF_INGEST_PARSER_H

#include <stdint.h>

#include "engine/ingest/fields.h"
#include "engine/ingest/idmap.h"
#include "engine/ingest/ingest.h"
#include "engine/ingest/reader.h"
#include "engine/store/import.h"

#define MAX_ID		1024	/* longest external id accepted */
#define PARSER_TEXT	(2 * INGEST_MAX_LINE + 4)	/* scratch bytes */

/* What a parser returns: a parsed row, or a rejected line with the reason
 * in parser.why. */
enum { ROW_OK = 0, ROW_REJECT = 1 };

/* An event as read from a line (fields point into the line or into the
 * parser's scratch space). */
typedef struct event_row {
	field user, item;
	uint64_t user_hash, item_hash;	/* idmap_hash() of user and item */
	field category;		/* p NULL: none */
	int behavior;
	double value;
	int64_t ts;
} event_row;

/* Item metadata as read from a line. */
typedef struct item_row {
	field id;
	store_item_text text;
} item_row;

typedef union parsed_row {
	event_row event;
	item_row item;
} parsed_row;

typedef struct parser parser;
typedef int (*parse_fn)(parser *p, const line *l, parsed_row *row);

struct parser {
	const ingest_opts *o;
	parse_fn parse;
	int items_kind;		/* import-items rather than events */
	int latin1;		/* input is ISO-8859-1 (u.item), not UTF-8 */
	char delim;
	int skip_header;	/* the first non-blank line is a header */
	/* Parsed rows point into their line only (not into text): a line may
	 * be parsed ahead of its turn, to fetch its slots early. */
	int ahead;
	int nfields;		/* fields per line (generic formats) */
	/* 1-based columns, 0 = absent (generic formats) */
	int col_user, col_item, col_type, col_time, col_value, col_category;
	int col_title, col_genres;
	/* to prefetch a user's and an item's slot while parsing */
	const idmap *users, *items;
	char *text;		/* PARSER_TEXT bytes for converted/unquoted text */
	char genres[256];	/* u.item's genre flags as names */
	char why[320];		/* the reason of the last ROW_REJECT */
};

/* Fill row with an event; returns ROW_OK.  category may be NULL. */
static inline int
parsed_event(parsed_row *row, const field *user, const field *item,
    uint64_t item_hash, const field *category, int behavior, double value,
    int64_t ts)
{
	event_row *e = &row->event;

	e->user = *user;
	e->item = *item;
	e->user_hash = idmap_hash(user->p, user->n);
	e->item_hash = item_hash;
	e->category.p = category != NULL ? category->p : NULL;
	e->category.n = category != NULL ? category->n : 0;
	e->behavior = behavior;
	e->value = value;
	e->ts = ts;
	return ROW_OK;
}

#endif
