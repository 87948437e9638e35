/* blob: the saved-model framing shared by every model (see blob.h). */
#include "engine/models/blob.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* An rf_buf streamed to a sink; the active ones of this thread in a list,
 * found by their buffer when a model's save starts a writer on it. */
struct blob_stream {
	rf_buf *out;
	blob_sink sink;
	void *ud;
	size_t every;
	int failed;		/* the sink failed or memory ran out */
	rf_error err;		/* the first failure */
	blob_stream *next;
};

static _Thread_local blob_stream *streams;

int
blob_stream_begin(rf_buf *out, blob_sink sink, void *ud, size_t every,
    rf_error *err)
{
	blob_stream *s = calloc(1, sizeof *s);

	if (s == NULL)
		return rf_fail(err, "out of memory saving the model");
	s->out = out;
	s->sink = sink;
	s->ud = ud;
	s->every = every > 0 ? every : 1;
	s->next = streams;
	streams = s;
	return 0;
}

/* Hand out's bytes to the sink and empty it. */
static int
blob_stream_flush(blob_stream *s)
{
	if (s->failed)
		return -1;
	if (s->out->len > 0 && s->sink(s->ud, s->out->data, s->out->len,
	    &s->err) < 0) {
		s->failed = 1;
		return -1;
	}
	s->out->len = 0;
	return 0;
}

int
blob_stream_end(rf_buf *out, rf_error *err)
{
	blob_stream **pp = &streams, *s;
	int rc;

	while (*pp != NULL && (*pp)->out != out)
		pp = &(*pp)->next;
	if ((s = *pp) == NULL)
		return rf_fail(err, "saving the model: no stream");
	*pp = s->next;
	rc = blob_stream_flush(s);
	if (rc < 0 && err != NULL)
		*err = s->err;
	free(s);
	return rc;
}

void
blob_writer_init(blob_writer *w, rf_buf *out)
{
	w->out = out;
	w->start = out->len;
	w->failed = 0;
	for (w->stream = streams; w->stream != NULL &&
	    w->stream->out != out; w->stream = w->stream->next)
		;
}

void
blob_put(blob_writer *w, const void *p, size_t n)
{
	blob_stream *s = w->stream;
	const unsigned char *c = p;

	if (w->failed || n == 0)
		return;
	if (s == NULL) {
		if (rf_buf_append(w->out, p, n) < 0)
			w->failed = 1;
		return;
	}
	/* in pieces: out never grows past `every` */
	while (n > 0) {
		size_t room = s->every > w->out->len ? s->every - w->out->len :
		    0, k = n < room ? n : room;

		if (k > 0 && rf_buf_append(w->out, c, k) < 0) {
			rf_fail(&s->err, "out of memory saving the model");
			s->failed = 1;
		}
		c += k;
		n -= k;
		if (s->failed || (w->out->len >= s->every &&
		    blob_stream_flush(s) < 0)) {
			w->failed = 1;
			return;
		}
	}
}

void
blob_put_rows(blob_writer *w, const float *a, size_t rows, size_t width,
    size_t stride)
{
	if (width == stride) {
		blob_put(w, a, rows * width * sizeof *a);
		return;
	}
	for (size_t r = 0; r < rows; r++)
		blob_put(w, a + r * stride, width * sizeof *a);
}

int
blob_writer_finish(blob_writer *w, const char *name, rf_error *err)
{
	if (!w->failed)
		return 0;
	if (w->stream != NULL)	/* the bytes are gone: say why */
		return rf_fail(err, "%s: %s", name, w->stream->err.msg);
	w->out->len = w->start;
	return rf_fail(err, "%s: out of memory saving the model", name);
}

int
blob_reader_init(blob_reader *r, const char *name, const void *data,
    size_t len, const void *magic, size_t nmagic, rf_error *err)
{
	r->p = data;
	r->left = len;
	r->len = len;
	r->name = name;
	r->err = err;
	if (len < nmagic)
		return rf_fail(err, "%s: saved model truncated", name);
	if (nmagic > 0 && memcmp(data, magic, nmagic) != 0)
		return rf_fail(err, "%s: not a saved %s model (bad magic or "
		    "another version)", name, name);
	r->p += nmagic;
	r->left -= nmagic;
	return 0;
}

/* The buffer this thread's load reads and may let go of behind its
 * readers (blob_release_behind()): from lo to hi, given back up to done. */
static _Thread_local struct {
	const unsigned char *lo, *hi, *done;
} behind;

/* Pieces a large get copies between two give-backs. */
#define BLOB_STEP	((size_t)32 << 20)

void
blob_release_behind(const void *data, size_t len)
{
	behind.lo = data;
	behind.hi = data != NULL ? (const unsigned char *)data + len : NULL;
	behind.done = behind.lo;
}

/* Give back the whole pages of the registered buffer before p (not the
 * first, partial one: its allocation's header may share it), a step at
 * a time. */
static void
give_back(const unsigned char *p)
{
	static size_t page;
	uintptr_t from, to;

	if (behind.lo == NULL || p < behind.lo || p > behind.hi)
		return;
	if (page == 0) {
		long sz = sysconf(_SC_PAGESIZE);

		page = sz > 0 ? (size_t)sz : 4096;
	}
	from = ((uintptr_t)behind.done + page - 1) & ~(uintptr_t)(page - 1);
	to = (uintptr_t)p & ~(uintptr_t)(page - 1);
	if (to < from + BLOB_STEP)
		return;
	/* Read already: the pages go back to the system (a read of them
	 * would give zeros; the readers only go forward). */
	(void)madvise((void *)from, to - from, MADV_DONTNEED);
	behind.done = (const unsigned char *)to;
}

int
blob_get(blob_reader *r, void *dst, size_t n)
{
	unsigned char *d = dst;

	if (n > r->left)
		return rf_fail(r->err, "%s: saved model truncated", r->name);
	while (n > 0) {
		size_t step = n < BLOB_STEP ? n : BLOB_STEP;

		memcpy(d, r->p, step);
		d += step;
		r->p += step;
		r->left -= step;
		n -= step;
		give_back(r->p);
	}
	return 0;
}

int
blob_get_rows(blob_reader *r, float *a, size_t rows, size_t width,
    size_t stride)
{
	if (width == stride)
		return blob_get(r, a, rows * width * sizeof *a);
	for (size_t i = 0; i < rows; i++)
		if (blob_get(r, a + i * stride, width * sizeof *a) < 0)
			return -1;
	return 0;
}

int
blob_match(blob_reader *r, const char *what, int64_t saved, int64_t want)
{
	if (saved != want)
		return rf_fail(r->err, "%s: dimension mismatch: saved with "
		    "%s=%" PRId64 ", this needs %" PRId64, r->name, what, saved,
		    want);
	return 0;
}

int
blob_expect(blob_reader *r, size_t need)
{
	if (r->left != need)
		return rf_fail(r->err, "%s: saved model is %zu bytes, expected "
		    "%zu", r->name, r->len, r->len - r->left + need);
	return 0;
}
