/* reader: lines of an input file, in blocks (see reader.h). */
#include "engine/ingest/reader.h"

#include <stdlib.h>
#include <string.h>

static int
reader_fill(reader *r)
{
	size_t rem = r->len - r->pos, n;

	if (r->o->cancel != NULL && *r->o->cancel)
		return READ_CANCELLED;
	memmove(r->buf, r->buf + r->pos, rem);
	r->len = rem;
	r->pos = 0;
	r->peek = 0;
	r->peeked = 0;
	n = fread(r->buf + rem, 1, READ_BLOCK, r->fp);
	if (n == 0) {
		if (ferror(r->fp))
			return READ_ERROR;
		r->eof = 1;
		return 0;
	}
	rf_hash128_update(&r->hash, r->buf + rem, n);
	r->len += n;
	r->bytes_read += (int64_t)n;
	if (!r->started) {
		r->started = 1;
		if (r->len >= 3 && memcmp(r->buf, "\xEF\xBB\xBF", 3) == 0)
			r->pos = r->peek = 3;	/* UTF-8 byte order mark */
	}
	if (r->o->progress != NULL)
		r->o->progress(r->o->progress_ud, r->bytes_read, r->bytes_total,
		    *r->rows);
	return 0;
}

int
reader_init(reader *r, FILE *fp, int64_t total, const ingest_opts *o,
    const int64_t *rows)
{
	memset(r, 0, sizeof *r);
	r->fp = fp;
	r->bytes_total = total;
	r->o = o;
	r->rows = rows;
	rf_hash128_init(&r->hash);
	if ((r->buf = malloc(READ_BLOCK + INGEST_MAX_LINE + 1)) == NULL)
		return READ_ERROR;
	return reader_fill(r);
}

void
reader_free(reader *r)
{
	free(r->buf);
	r->buf = NULL;
}

const char *
reader_pending(const reader *r, size_t *n)
{
	*n = r->len - r->pos;
	return r->buf + r->pos;
}

static void
line_set(line *l, char *p, size_t n, int64_t no, int flags)
{
	l->p = p;
	l->n = n;
	l->no = no;
	l->flags = flags;
}

int
reader_peek(reader *r, line *l)
{
	char *s, *nl;

	if (r->peek < r->pos) {
		r->peek = r->pos;
		r->peeked = 0;
	}
	if (r->skipping || r->peek >= r->len)
		return 0;
	s = r->buf + r->peek;
	if ((nl = memchr(s, '\n', r->len - r->peek)) == NULL)
		return 0;
	line_set(l, s, (size_t)(nl - s), 0, (size_t)(nl - s) >
	    INGEST_MAX_LINE ? LINE_TOO_LONG : 0);
	r->peek += (size_t)(nl - s) + 1;
	r->peeked++;
	return 1;
}

int
reader_next(reader *r, line *l)
{
	for (;;) {
		char *s = r->buf + r->pos, *nl;
		size_t avail = r->len - r->pos;
		int rc;

		nl = avail > 0 ? memchr(s, '\n', avail) : NULL;
		if (r->skipping && nl != NULL) {
			r->pos += (size_t)(nl - s) + 1;
			r->skipping = 0;
			continue;
		}
		if (r->skipping)
			r->pos = r->len;
		else if (nl != NULL) {
			size_t n = (size_t)(nl - s);

			r->pos += n + 1;
			/* a line reader_peek() saw: one fewer ahead */
			if (r->peek < r->pos) {
				r->peek = r->pos;
				r->peeked = 0;
			} else
				r->peeked--;
			line_set(l, s, n, ++r->lineno,
			    n > INGEST_MAX_LINE ? LINE_TOO_LONG : 0);
			return 1;
		} else if (avail > INGEST_MAX_LINE) {
			/* Report it now, drop the rest up to the newline. */
			line_set(l, s, avail, ++r->lineno, LINE_TOO_LONG);
			r->pos = r->len;
			r->skipping = 1;
			return 1;
		} else if (r->eof) {
			if (avail == 0)
				return 0;
			r->pos = r->len;
			line_set(l, s, avail, ++r->lineno, LINE_UNTERMINATED);
			return 1;
		}
		if (r->eof)
			return 0;
		if ((rc = reader_fill(r)) < 0)
			return rc;
	}
}
