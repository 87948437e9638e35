/* blob: the saved-model framing shared by every model (see blob.h). */
#include "engine/models/blob.h"

#include <inttypes.h>
#include <string.h>

void
blob_writer_init(blob_writer *w, rf_buf *out)
{
	w->out = out;
	w->start = out->len;
	w->failed = 0;
}

void
blob_put(blob_writer *w, const void *p, size_t n)
{
	if (!w->failed && n > 0 && rf_buf_append(w->out, p, n) < 0)
		w->failed = 1;
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

int
blob_get(blob_reader *r, void *dst, size_t n)
{
	if (n > r->left)
		return rf_fail(r->err, "%s: saved model truncated", r->name);
	if (n > 0)
		memcpy(dst, r->p, n);
	r->p += n;
	r->left -= n;
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
