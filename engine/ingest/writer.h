/* writer: parsed rows into the import's store statements: ids looked up in
 * (or added to) the users and items dictionaries, exact duplicate events
 * dropped, events and item metadata written, and the counts the imports
 * row keeps. */
#ifndef RF_INGEST_WRITER_H
#define RF_INGEST_WRITER_H

#include <stddef.h>
#include <stdint.h>

#include "engine/core/rf.h"
#include "engine/ingest/dedup.h"
#include "engine/ingest/idmap.h"
#include "engine/ingest/parser.h"
#include "engine/store/import.h"

typedef struct writer {
	store_import *imp;
	const char *path;	/* the input file, for messages */
	ingest_result *res;	/* accepted, duplicates, new users and items */
	idmap users, items;
	/* duplicate detection, see writer_event() */
	dedup_set block;
	dedup_index all;	/* every event, once the rows are not grouped */
	int global_mode;
	int64_t rows_hint;	/* the driver's guess of the file's rows, or 0 */
	int64_t refill_next;	/* the ordinal a refill puts next */
	unsigned char *closed;	/* (closed_cap) by user id: block ended */
	size_t closed_cap;
	char last_key[MAX_ID];	/* the current user's external id */
	size_t last_len;
	int64_t last_uid;
	/* Summaries kept in the imports row, so `stats` needs no scan. */
	int64_t behavior_count[BEH_COUNT];	/* accepted events */
	int64_t ts_first, ts_last;		/* of accepted events, ts != 0 */
	int have_ts;
} writer;

void writer_init(writer *w, store_import *imp, const char *path,
    ingest_result *res);
void writer_free(writer *w);
/* The dictionaries as the store has them (users only for events). */
int writer_load(writer *w, int items_kind, rf_error *err);
/* Start fetching what storing r will read (its user's and item's
 * dictionary slots, its duplicate-index slot): a row some lines ahead. */
void writer_prefetch(const writer *w, const event_row *r);
/* Store one row; lineno (its line) is for messages.  0 or -1. */
int writer_event(writer *w, int64_t lineno, const event_row *r, rf_error *err);
int writer_item(writer *w, int64_t lineno, const item_row *r, rf_error *err);
/* The counts of the imports row (the hash is the caller's). */
void writer_totals(const writer *w, store_import_totals *t);

#endif
