/* clean: the checks every format shares and the reasons a line is
 * rejected for (kept in rejects with the line's number and raw text):
 * field counts, empty fields, ids, timestamps, ratings. */
#ifndef RF_INGEST_CLEAN_H
#define RF_INGEST_CLEAN_H

#include <stddef.h>
#include <stdint.h>

#include "engine/core/rf.h"
#include "engine/ingest/parser.h"

#define RAW_MAX		256	/* bytes of a rejected line kept in rejects.raw */

/* Set p->why and return ROW_REJECT. */
int clean_reject(parser *p, const char *fmt, ...) RF_PRINTF(2, 3);
/* "expected N fields, found M", or that the last line was cut off. */
int clean_field_count(parser *p, const line *l, int expected, int found);
/* "empty WHAT", or that the last line was cut off (last_field: the field
 * ends the line). */
int clean_empty(parser *p, const line *l, const char *what, int last_field);

/* Each returns ROW_OK or ROW_REJECT with the reason. */
int clean_numeric_id(parser *p, const line *l, const field *f,
    const char *what, int last_field);
int clean_text_id(parser *p, const line *l, const field *f, const char *what,
    int last_field);
int clean_ts_range(parser *p, int64_t ts);
/* A time written as a number too large for any time: "timestamp TEXT:
 * out of range (after the maximum ...)". */
int clean_ts_overflow(parser *p, const field *f);
int clean_unix_ts(parser *p, const line *l, const field *f, int last_field,
    int64_t *ts);
int clean_rating(parser *p, const line *l, const field *f, int last_field,
    double *v);

/* rejects.raw: at most RAW_MAX bytes of valid UTF-8 text (out holds
 * RAW_MAX + 1); control bytes and invalid sequences show as '?' (latin-1
 * lines are converted first).  Returns its length. */
size_t clean_raw_text(const line *l, int latin1, char *out);

#endif
