/* ingest: streams behaviour logs and item metadata into the store, cleaning
 * as it goes (duplicates dropped and counted; malformed rows recorded in
 * rejects with line and reason).  One import = one transaction. */
#ifndef RF_INGEST_H
#define RF_INGEST_H

#include <stdint.h>

#include "engine/core/rf.h"
#include "engine/store/store.h"

/* Longer lines are rejected ("line too long") and skipped to the next
 * newline. */
#define INGEST_MAX_LINE 65536

typedef enum ingest_format {
	FMT_AUTO = 0,	/* sniff from the first lines */
	FMT_MOVIELENS,	/* user \t item \t rating \t ts (ml-100k u.data, u1.base) */
	FMT_ML_CSV,	/* userId,movieId,rating,timestamp with header */
	FMT_TAOBAO,	/* user,item,category,behavior,ts; no header */
	FMT_GENERIC,	/* delimited; header or --map */
	/* item metadata (import-items) */
	FMT_ITEMS_UITEM,	/* ml-100k u.item: id|title|date|video|url|19 genre flags (latin-1) */
	FMT_ITEMS_CSV,		/* movies.csv: movieId,title,genres (quoted) */
	FMT_ITEMS_GENERIC	/* generated item file: item \t title \t category (header) */
} ingest_format;

const char *ingest_format_name(ingest_format f);
/* -1 when unknown. */
int ingest_format_parse(const char *name);

typedef struct ingest_opts {
	ingest_format format;
	char delim;		/* generic: 0 = sniff (tab, comma, ';', '|') */
	int header;		/* generic: -1 sniff, 0 none, 1 present */
	/* generic column map, 1-based, 0 = absent (from --map or the header) */
	int col_user, col_item, col_type, col_time, col_value, col_category;
	double weights[BEH_COUNT];	/* value of pv/fav/cart/buy (1,2,3,4) */
	int weights_given;		/* set by ingest_parse_weights */
	double rating_min, rating_max;	/* ratings outside are rejected (0.5..5 default) */
	int64_t ts_min, ts_max;		/* sane range, unix seconds */
	int force;		/* import even if the same content was imported */
	/* Progress: called every ~1 MiB read and at the end. */
	void (*progress)(void *ud, int64_t bytes_done, int64_t bytes_total,
	    int64_t rows);
	void *progress_ud;
	const volatile int *cancel;	/* non-NULL and set: stop, roll back */
} ingest_opts;

typedef struct ingest_result {
	int64_t import_id;
	int64_t rows_read, accepted, rejected, duplicates;
	int64_t new_users, new_items;
	double seconds;
	ingest_format format;	/* the one used (after sniffing) */
	char hash[33];		/* 128-bit content hash, hex */
} ingest_result;

void ingest_opts_default(ingest_opts *o);
/* "user=1,item=2,type=4,time=5,value=3,category=6": each role once, each
 * column for one role. */
int ingest_parse_map(ingest_opts *o, const char *spec, rf_error *err);
/* "pv=1,fav=2,cart=3,buy=4" */
int ingest_parse_weights(ingest_opts *o, const char *spec, rf_error *err);

/* Import a behaviour log.  On a per-row problem the row goes to rejects and
 * the import goes on; on an I/O or store error, a refused duplicate
 * import, an option that does not apply to the file's format (--map,
 * --delim and --header describe a generic file: given without a format,
 * they make it one; --weights do not apply to ratings), or when no row at
 * all is accepted, nothing is written and -1 is returned with a message
 * naming the file (and line, where there is one). */
int ingest_events(store *st, const char *path, const ingest_opts *o,
    ingest_result *res, rf_error *err);

/* Import item metadata (titles, categories, genres) for known or new items. */
int ingest_items(store *st, const char *path, const ingest_opts *o,
    ingest_result *res, rf_error *err);

#endif
