/* reader: an input file as lines, read in large blocks and split in place
 * (memory: one block plus one maximal line, whatever the file size), with
 * the content hash of every byte read, progress and cancelling. */
#ifndef RF_INGEST_READER_H
#define RF_INGEST_READER_H

#include <stdint.h>
#include <stdio.h>

#include "engine/core/hash.h"
#include "engine/ingest/ingest.h"

#define READ_BLOCK	(1u << 20)	/* fread size; progress and cancel granularity */

enum {
	LINE_UNTERMINATED = 1,	/* last line of the file, no newline */
	LINE_TOO_LONG = 2	/* more than INGEST_MAX_LINE bytes */
};

/* A line without its newline, valid until the next reader_next(). */
typedef struct line {
	char *p;
	size_t n;
	int64_t no;	/* 1-based */
	int flags;
} line;

typedef struct reader {
	FILE *fp;
	char *buf;
	size_t len, pos;
	int eof, skipping, started;
	int64_t lineno, bytes_read, bytes_total;
	rf_hash128 hash;	/* of every byte read, in order */
	const ingest_opts *o;	/* progress and cancel */
	const int64_t *rows;	/* for progress */
	size_t peek;		/* where reader_peek() goes on */
	int peeked;		/* whole lines between pos and peek */
} reader;

enum { READ_ERROR = -1, READ_CANCELLED = -2 };

/* Reads the first block (a UTF-8 byte order mark is skipped); 0 or <0. */
int reader_init(reader *r, FILE *fp, int64_t total, const ingest_opts *o,
    const int64_t *rows);
void reader_free(reader *r);
/* 1 with a line, 0 at the end of the file, or READ_ERROR/READ_CANCELLED. */
int reader_next(reader *r, line *l);
/* The line after the last one peeked (after the position, at first) when
 * it is whole in the buffer, without reading or consuming anything: 1,
 * or 0 when the lines ahead need a read.  The line stays valid until
 * reader_next() reads again; r->peeked counts the lines peeked ahead of
 * the position. */
int reader_peek(reader *r, line *l);
/* What is buffered and not yet read as lines (the first block, right
 * after reader_init()), for sniffing. */
const char *reader_pending(const reader *r, size_t *n);

#endif
