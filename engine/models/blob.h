/* blob: the framing every model's saved state shares (the save/load ops in
 * engine/models/): a magic prefix (bytes, or a uint32 magic and version),
 * fixed header fields and raw arrays in host byte order.  The writer
 * appends to an rf_buf (or streams out of it, blob_stream_begin()) and
 * remembers a failed allocation so a save is a plain sequence of puts; the reader is a bounds-checked cursor whose
 * failures ("truncated", "not a saved NAME model", dimension mismatch,
 * wrong size) fill the rf_error with the model's name. */
#ifndef RF_BLOB_H
#define RF_BLOB_H

#include <stddef.h>
#include <stdint.h>

#include "engine/core/rf.h"

typedef struct blob_stream blob_stream;

typedef struct blob_writer {
	rf_buf *out;
	size_t start;		/* out->len when the save began */
	int failed;
	blob_stream *stream;	/* out is streamed (blob_stream_begin) */
} blob_writer;

/*
 * Streaming: a save into out hands its bytes to sink in pieces of about
 * `every` bytes as they come, instead of growing out to the whole model
 * (ALS at 10 M events: 1.36 GB held twice).  Begin before calling the
 * model's save with out, end after it: end passes what is left (out is
 * then empty) and returns 0, or -1 with the first error of the sink (or
 * of memory) in err.  The same thread, one stream per buffer.
 */
typedef int (*blob_sink)(void *ud, const void *p, size_t n, rf_error *err);

int blob_stream_begin(rf_buf *out, blob_sink sink, void *ud, size_t every,
    rf_error *err);
int blob_stream_end(rf_buf *out, rf_error *err);

void blob_writer_init(blob_writer *w, rf_buf *out);
void blob_put(blob_writer *w, const void *p, size_t n);
/* rows rows of width floats, taken every stride floats (padded factors). */
void blob_put_rows(blob_writer *w, const float *a, size_t rows, size_t width,
    size_t stride);
/* 0, or -1 + "NAME: out of memory saving the model" with out restored to
 * its length before the save. */
int blob_writer_finish(blob_writer *w, const char *name, rf_error *err);

typedef struct blob_reader {
	const unsigned char *p;
	size_t left;		/* bytes not read yet */
	size_t len;		/* the whole blob */
	const char *name;	/* the model, for messages */
	rf_error *err;
} blob_reader;

/* Loads of big models (a 100 M-event ALS model: 1.5 GB of saved bytes
 * beside the 1.5 GB of arrays they fill): the readers of this thread
 * may give back the pages of data[0, len) they have passed, so that
 * the bytes and the arrays are not held whole at once.  Only for a
 * buffer of its own allocation that is read once, front to back, and
 * freed after; NULL ends it. */
void blob_release_behind(const void *data, size_t len);

/* Start reading data[0, len) and check it begins with the nmagic bytes at
 * magic (nmagic may be 0).  Every reader call returns 0, or -1 with err
 * filled. */
int blob_reader_init(blob_reader *r, const char *name, const void *data,
    size_t len, const void *magic, size_t nmagic, rf_error *err);
/* Copy the next n bytes to dst. */
int blob_get(blob_reader *r, void *dst, size_t n);
/* The inverse of blob_put_rows(). */
int blob_get_rows(blob_reader *r, float *a, size_t rows, size_t width,
    size_t stride);
/* A saved dimension (what: "users", "factors", ...) must equal the one the
 * data or the parameters give. */
int blob_match(blob_reader *r, const char *what, int64_t saved,
    int64_t want);
/* Exactly need bytes must be left (checked before allocating the arrays
 * they fill). */
int blob_expect(blob_reader *r, size_t need);

#endif
