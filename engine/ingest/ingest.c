/* ingest: streams behaviour logs and item metadata into the store in one
 * transaction per file, dropping exact duplicates and recording malformed
 * rows in rejects.  The hot path (Taobao-style logs, tens of millions of
 * rows) avoids stdio parsing and per-row allocation. */
#if !defined(_GNU_SOURCE) && !defined(_POSIX_C_SOURCE)
#define _POSIX_C_SOURCE 200809L	/* fileno, fstat, gmtime_r under -std=c11 */
#endif
#include "engine/ingest/ingest.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "engine/core/civil.h"
#include "engine/core/hash.h"
#include "engine/store/import.h"

#define READ_BLOCK	(1u << 20)	/* fread size; progress and cancel granularity */
#define RAW_MAX		256		/* bytes of a rejected line kept in rejects.raw */
#define MAX_FIELDS	64		/* fields beyond this are counted, not kept */
#define MAX_ID		1024		/* longest external id accepted */
#define QUICK_SPAN	(1u << 20)	/* head and tail in the quick hash */

static const double default_weights[BEH_COUNT] = { 1, 1, 2, 3, 4, 1 };

/* ---- id hashing --------------------------------------------------------- */

/* Hash of a short in-memory key (ids); host byte order is fine here. */
static uint64_t
hash_key(const char *p, size_t n)
{
	uint64_t h = RF_HASH_P3 ^ (n * RF_HASH_P1), w;

	while (n >= 8) {
		memcpy(&w, p, 8);
		h = rf_rotl64(h ^ (w * RF_HASH_P2), 29) * RF_HASH_P1;
		p += 8;
		n -= 8;
	}
	if (n > 0) {
		w = 0;
		memcpy(&w, p, n);
		h = rf_rotl64(h ^ (w * RF_HASH_P2), 29) * RF_HASH_P1;
	}
	return rf_mix64(h);
}

/* ---- arena and id dictionaries ----------------------------------------- */

/* Key strings of the dictionaries live in big chunks freed together. */
typedef struct arena_chunk {
	struct arena_chunk *next;
	size_t used, cap;
	char data[];
} arena_chunk;

typedef struct arena {
	arena_chunk *head;
} arena;

static const char *
arena_strndup(arena *a, const char *s, size_t n)
{
	arena_chunk *c = a->head;
	char *d;

	if (c == NULL || c->cap - c->used < n + 1) {
		size_t cap = n + 1 > (1u << 20) ? n + 1 : (1u << 20);

		if ((c = malloc(sizeof *c + cap)) == NULL)
			return NULL;
		c->next = a->head;
		c->used = 0;
		c->cap = cap;
		a->head = c;
	}
	d = c->data + c->used;
	memcpy(d, s, n);
	d[n] = '\0';
	c->used += n + 1;
	return d;
}

static void
arena_free(arena *a)
{
	while (a->head != NULL) {
		arena_chunk *next = a->head->next;

		free(a->head);
		a->head = next;
	}
}

#define IDF_USED	1u
#define IDF_HAS_CATEGORY 2u
#define ID_INLINE	12	/* ids up to this long live in the slot itself */

/* 32 bytes, two per cache line; short ids are compared in place, so a
 * lookup costs one cache miss, not two. */
typedef struct idslot {
	uint64_t hash;
	int64_t id;
	uint16_t len, flags;
	union {
		char small[ID_INLINE];
		const char *big;	/* in the arena */
	} k;
} idslot;

/* External id -> store id, open addressing with linear probing. */
typedef struct idmap {
	idslot *slots;
	size_t cap, count;	/* cap is a power of two */
	arena keys;
} idmap;

static int
idslot_is(const idslot *s, const char *key, size_t len, uint64_t h)
{
	size_t i;

	if (s->hash != h || s->len != len)
		return 0;
	if (len > ID_INLINE)
		return memcmp(s->k.big, key, len) == 0;
	for (i = 0; i < len; i++)
		if (s->k.small[i] != key[i])
			return 0;
	return 1;
}

static idslot *
idmap_find(idmap *m, const char *key, size_t len, uint64_t h)
{
	size_t i;

	if (m->cap == 0)
		return NULL;
	for (i = h & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
		idslot *s = &m->slots[i];

		if (!(s->flags & IDF_USED))
			return NULL;
		if (idslot_is(s, key, len, h))
			return s;
	}
}

static void
idmap_prefetch(const idmap *m, uint64_t h)
{
#if defined(__GNUC__) || defined(__clang__)
	if (m->cap > 0)
		__builtin_prefetch(&m->slots[h & (m->cap - 1)]);
#else
	(void)m;
	(void)h;
#endif
}

static int
idmap_grow(idmap *m)
{
	size_t cap = m->cap ? m->cap * 2 : 1024, i, j;
	idslot *slots = calloc(cap, sizeof *slots);

	if (slots == NULL)
		return -1;
	for (i = 0; i < m->cap; i++) {
		if (!(m->slots[i].flags & IDF_USED))
			continue;
		for (j = m->slots[i].hash & (cap - 1); slots[j].flags & IDF_USED;
		    j = (j + 1) & (cap - 1))
			;
		slots[j] = m->slots[i];
	}
	free(m->slots);
	m->slots = slots;
	m->cap = cap;
	return 0;
}

/* Add a key known to be absent (and at most 65535 bytes long). */
static idslot *
idmap_add(idmap *m, const char *key, size_t len, uint64_t h, int64_t id)
{
	idslot *s;
	size_t i;

	if ((m->count + 1) * 2 > m->cap && idmap_grow(m) < 0)
		return NULL;
	for (i = h & (m->cap - 1); m->slots[i].flags & IDF_USED;
	    i = (i + 1) & (m->cap - 1))
		;
	s = &m->slots[i];
	if (len <= ID_INLINE)
		memcpy(s->k.small, key, len);
	else if ((s->k.big = arena_strndup(&m->keys, key, len)) == NULL)
		return NULL;
	s->hash = h;
	s->len = (uint16_t)len;
	s->flags = IDF_USED;
	s->id = id;
	m->count++;
	return s;
}

static void
idmap_free(idmap *m)
{
	free(m->slots);
	arena_free(&m->keys);
	memset(m, 0, sizeof *m);
}

/* ---- exact duplicate detection ----------------------------------------- */

typedef struct dkey {
	int64_t user, item, ts;
	uint64_t vbits;
	int32_t beh;
	uint32_t gen;	/* slot is live when gen == set's gen */
} dkey;

/* A set of exact event keys; clearing bumps the generation, so the
 * per-user sets are emptied in O(1) however many users a file has. */
typedef struct dset {
	dkey *slots;
	size_t cap, count;
	uint32_t gen;
} dset;

static uint64_t
dkey_hash(const dkey *k)
{
	uint64_t h = (uint64_t)k->user * RF_HASH_P1;

	h = rf_rotl64(h ^ ((uint64_t)k->item * RF_HASH_P2), 27) * RF_HASH_P1;
	h = rf_rotl64(h ^ ((uint64_t)k->ts * RF_HASH_P3), 31) * RF_HASH_P2;
	h = rf_rotl64(h ^ (k->vbits * RF_HASH_P1) ^ (uint64_t)k->beh, 29) *
	    RF_HASH_P3;
	return rf_mix64(h);
}

static int
dkey_eq(const dkey *a, const dkey *b)
{
	return a->user == b->user && a->item == b->item && a->ts == b->ts &&
	    a->vbits == b->vbits && a->beh == b->beh;
}

static void
dset_clear(dset *s)
{
	s->count = 0;
	if (++s->gen == 0) {
		memset(s->slots, 0, s->cap * sizeof *s->slots);
		s->gen = 1;
	}
}

static int
dset_grow(dset *s)
{
	size_t cap = s->cap ? s->cap * 2 : 256, i, j;
	dkey *slots = calloc(cap, sizeof *slots);

	if (slots == NULL)
		return -1;
	for (i = 0; i < s->cap; i++) {
		if (s->slots[i].gen != s->gen)
			continue;
		for (j = dkey_hash(&s->slots[i]) & (cap - 1); slots[j].gen == 1;
		    j = (j + 1) & (cap - 1))
			;
		slots[j] = s->slots[i];
		slots[j].gen = 1;
	}
	free(s->slots);
	s->slots = slots;
	s->cap = cap;
	s->gen = 1;
	return 0;
}

/* 1 if k was new (now added), 0 if already present, -1 out of memory. */
static int
dset_add(dset *s, const dkey *k)
{
	size_t i;

	if ((s->count + 1) * 2 > s->cap && dset_grow(s) < 0)
		return -1;
	for (i = dkey_hash(k) & (s->cap - 1); s->slots[i].gen == s->gen;
	    i = (i + 1) & (s->cap - 1))
		if (dkey_eq(&s->slots[i], k))
			return 0;
	s->slots[i] = *k;
	s->slots[i].gen = s->gen;
	s->count++;
	return 1;
}

static void
dset_free(dset *s)
{
	free(s->slots);
	memset(s, 0, sizeof *s);
}

/* ---- the line reader ----------------------------------------------------- */

enum {
	LINE_UNTERMINATED = 1,	/* last line of the file, no newline */
	LINE_TOO_LONG = 2
};

typedef struct line {
	char *p;
	size_t n;
	int64_t no;
	int flags;
} line;

/* Reads blocks of READ_BLOCK bytes and splits lines itself, so memory stays
 * at one block plus one maximal line whatever the file size. */
typedef struct reader {
	FILE *fp;
	char *buf;
	size_t len, pos;
	int eof, skipping, started;
	int64_t lineno, bytes_read, bytes_total;
	rf_hash128 hash;	/* of every byte read, in order */
	const ingest_opts *o;
	const int64_t *rows;	/* for progress */
} reader;

enum { READ_ERROR = -1, READ_CANCELLED = -2 };

static int
reader_fill(reader *r)
{
	size_t rem = r->len - r->pos, n;

	if (r->o->cancel != NULL && *r->o->cancel)
		return READ_CANCELLED;
	memmove(r->buf, r->buf + r->pos, rem);
	r->len = rem;
	r->pos = 0;
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
			r->pos = 3;	/* UTF-8 byte order mark */
	}
	if (r->o->progress != NULL)
		r->o->progress(r->o->progress_ud, r->bytes_read, r->bytes_total,
		    *r->rows);
	return 0;
}

static int
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

static void
reader_free(reader *r)
{
	free(r->buf);
	r->buf = NULL;
}

static void
line_set(line *l, char *p, size_t n, int64_t no, int flags)
{
	l->p = p;
	l->n = n;
	l->no = no;
	l->flags = flags;
}

/* 1 with a line (valid until the next call), 0 at the end, or <0. */
static int
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

/* ---- field splitting and value parsing --------------------------------- */

typedef struct field {
	const char *p;
	size_t n;
} field;

static int
is_blank(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

static field
field_trim(const char *p, size_t n, char delim)
{
	field f;

	while (n > 0 && (p[0] == ' ' || (p[0] == '\t' && delim != '\t')))
		p++, n--;
	while (n > 0 && (p[n - 1] == ' ' || (p[n - 1] == '\t' && delim != '\t')))
		n--;
	f.p = p;
	f.n = n;
	return f;
}

/* Split on delim (no quoting); returns the number of fields, which may be
 * more than max (only the first max are kept). */
static int
split_fields(const char *s, size_t n, char delim, field *f, int max)
{
	const char *start = s, *end = s + n;
	int nf = 0;

	for (; s < end; s++) {
		if (*s != delim)
			continue;
		if (nf < max)
			f[nf] = field_trim(start, (size_t)(s - start), delim);
		nf++;
		start = s + 1;
	}
	if (nf < max)
		f[nf] = field_trim(start, (size_t)(end - start), delim);
	return nf + 1;
}

static int
all_digits(const field *f)
{
	size_t i;

	if (f->n == 0)
		return 0;
	for (i = 0; i < f->n; i++)
		if ((unsigned)(f->p[i] - '0') > 9)
			return 0;
	return 1;
}

/* Optional '-' and at most 18 digits; 0 on success. */
static int
parse_int64(const field *f, int64_t *out)
{
	size_t i = 0;
	int neg = 0;
	int64_t v = 0;

	if (f->n > 0 && f->p[0] == '-') {
		neg = 1;
		i = 1;
	}
	if (i == f->n || f->n - i > 18)
		return -1;
	for (; i < f->n; i++) {
		unsigned d = (unsigned)(f->p[i] - '0');

		if (d > 9)
			return -1;
		v = v * 10 + d;
	}
	*out = neg ? -v : v;
	return 0;
}

/* A plain decimal number (digits, sign, point, exponent: no hex, inf or
 * nan), finite.  Integers skip strtod. */
static int
parse_number(const field *f, double *out)
{
	char buf[64];
	char *end;
	int64_t iv;
	size_t i;

	if (parse_int64(f, &iv) == 0) {
		*out = (double)iv;
		return 0;
	}
	if (f->n == 0 || f->n >= sizeof buf)
		return -1;
	for (i = 0; i < f->n; i++)
		if (strchr("0123456789+-.eE", f->p[i]) == NULL)
			return -1;
	memcpy(buf, f->p, f->n);
	buf[f->n] = '\0';
	*out = strtod(buf, &end);
	if (end != buf + f->n || !isfinite(*out))
		return -1;
	return 0;
}

/* Strict UTF-8: no overlongs, no surrogates, nothing above U+10FFFF. */
static int
utf8_valid(const unsigned char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		unsigned c = s[i];
		size_t k, j;
		unsigned lo = 0x80, hi = 0xBF;

		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xC2 && c <= 0xDF)
			k = 1;
		else if (c >= 0xE0 && c <= 0xEF) {
			k = 2;
			if (c == 0xE0)
				lo = 0xA0;
			else if (c == 0xED)
				hi = 0x9F;
		} else if (c >= 0xF0 && c <= 0xF4) {
			k = 3;
			if (c == 0xF0)
				lo = 0x90;
			else if (c == 0xF4)
				hi = 0x8F;
		} else
			return 0;
		if (i + k >= n)
			return 0;
		if (s[i + 1] < lo || s[i + 1] > hi)
			return 0;
		for (j = 2; j <= k; j++)
			if ((s[i + j] & 0xC0) != 0x80)
				return 0;
		i += k + 1;
	}
	return 1;
}

/* Bit 1: a NUL byte; bit 2: a byte >= 0x80.  Eight bytes at a time. */
static int
scan_bytes(const char *p, size_t n)
{
	const uint64_t ones = 0x0101010101010101ULL, highs = ones * 0x80;
	uint64_t w, nul = 0, high = 0;
	size_t i;

	for (i = 0; i + 8 <= n; i += 8) {
		memcpy(&w, p + i, 8);
		high |= w;
		nul |= (w - ones) & ~w;
	}
	for (; i < n; i++) {
		high |= (unsigned char)p[i];
		nul |= p[i] == '\0' ? highs : 0;
	}
	return ((nul & highs) ? 1 : 0) | ((high & highs) ? 2 : 0);
}

/* latin-1 to UTF-8: every byte >= 0x80 is the code point U+0080..U+00FF. */
static size_t
latin1_to_utf8(const char *s, size_t n, char *out, size_t cap)
{
	size_t o = 0, i;

	for (i = 0; i < n && o + 2 < cap; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x80)
			out[o++] = (char)c;
		else {
			out[o++] = (char)(0xC0 | (c >> 6));
			out[o++] = (char)(0x80 | (c & 0x3F));
		}
	}
	out[o] = '\0';
	return o;
}

static int
has_control(const field *f)
{
	size_t i;

	for (i = 0; i < f->n; i++) {
		unsigned char c = (unsigned char)f->p[i];

		if (c < 0x20 || c == 0x7F)
			return 1;
	}
	return 0;
}

/* The four Taobao behaviours, without the generic name table. */
static int
taobao_behavior(const field *f)
{
	const char *p = f->p;

	switch (f->n) {
	case 2:
		return p[0] == 'p' && p[1] == 'v' ? BEH_PV : -1;
	case 3:
		if (memcmp(p, "fav", 3) == 0)
			return BEH_FAV;
		return memcmp(p, "buy", 3) == 0 ? BEH_BUY : -1;
	case 4:
		return memcmp(p, "cart", 4) == 0 ? BEH_CART : -1;
	}
	return -1;
}

static int
field_is(const field *f, const char *s)
{
	return strlen(s) == f->n && strncasecmp(f->p, s, f->n) == 0;
}

/* ---- the import context ------------------------------------------------ */

typedef struct ictx ictx;

/* A line handler returns ROW_OK (accepted or a duplicate), ROW_REJECT with
 * the reason in c->why, or -1 on a store error (message in c->err). */
enum { ROW_OK = 0, ROW_REJECT = 1 };
typedef int (*line_fn)(ictx *c, const line *l);

struct ictx {
	const char *path;
	const ingest_opts *o;
	ingest_result *res;
	rf_error *err;
	int items_kind;		/* import-items rather than events */
	int latin1;		/* input is ISO-8859-1 (u.item), not UTF-8 */
	line_fn handle;
	char delim;
	int skip_header;	/* the first non-blank line is a header */
	int nfields;		/* fields per line (generic formats) */
	int col_user, col_item, col_type, col_time, col_value, col_category;
	int col_title, col_genres;
	store_import *imp;
	idmap users, items;
	/* duplicate detection, see emit_event() */
	dset block, global;
	int global_mode;
	unsigned char *closed;	/* (closed_cap) by user id: block ended */
	size_t closed_cap;
	char last_key[MAX_ID];	/* the current user's external id */
	size_t last_len;
	int64_t last_uid;
	reader rd;
	char *text;		/* scratch for converted/unquoted text */
	int64_t size;		/* of the file when opened */
	int64_t beh_count[BEH_COUNT];	/* accepted events by behaviour */
	int64_t ts_first, ts_last;	/* of accepted events with ts != 0 */
	int have_ts;
	char why[320];
	char hash[33], quick[33];	/* content hash, quick hash */
};

#define SHOW(f) (int)((f)->n > 40 ? 40 : (f)->n), (f)->p

static int
why(ictx *c, const char *fmt, ...) RF_PRINTF(2, 3);

static int
why(ictx *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->why, sizeof c->why, fmt, ap);
	va_end(ap);
	return ROW_REJECT;
}

/* A last line without its newline that is short of fields was most likely
 * cut off (a partial copy or download), which is worth saying. */
static int
why_count(ictx *c, const line *l, int expected, int found)
{
	if (l->flags & LINE_UNTERMINATED)
		return why(c, "line cut off at end of file (no newline)");
	return why(c, "expected %d fields, found %d", expected, found);
}

static int
why_empty(ictx *c, const line *l, const char *what, int last_field)
{
	if (last_field && (l->flags & LINE_UNTERMINATED))
		return why(c, "line cut off at end of file (no newline)");
	return why(c, "empty %s", what);
}

static int
ctx_oom(ictx *c)
{
	return rf_fail(c->err, "%s: out of memory", c->path);
}

/* rejects.raw: at most RAW_MAX bytes of valid UTF-8 text; control bytes and
 * invalid sequences show as '?' (latin-1 lines are converted first). */
static size_t
raw_text(const ictx *c, const line *l, char *out)
{
	char conv[RAW_MAX * 2 + 1];
	const unsigned char *s = (const unsigned char *)l->p;
	size_t n = l->n, i = 0, o = 0;

	if (n > RAW_MAX)
		n = RAW_MAX;
	if (c->latin1) {
		n = latin1_to_utf8(l->p, n, conv, sizeof conv);
		s = (const unsigned char *)conv;
	}
	while (i < n && o < RAW_MAX) {
		size_t k = s[i] < 0x80 ? 1 : s[i] >= 0xF0 ? 4 : s[i] >= 0xE0 ? 3 : 2;

		if (s[i] < 0x80) {
			out[o++] = (s[i] < 0x20 && s[i] != '\t') || s[i] == 0x7F ?
			    '?' : (char)s[i];
			i++;
		} else if (i + k <= n && o + k <= RAW_MAX && utf8_valid(s + i, k)) {
			memcpy(out + o, s + i, k);
			o += k;
			i += k;
		} else if (i + k > n || o + k > RAW_MAX)
			break;
		else {
			out[o++] = '?';
			i++;
		}
	}
	out[o] = '\0';
	return o;
}

static int
record_reject(ictx *c, const line *l)
{
	char raw[RAW_MAX + 1];
	size_t n = raw_text(c, l, raw);

	c->res->rejected++;
	return store_import_reject(c->imp, l->no, c->why, raw, n, c->err);
}

/* ---- dictionaries and events ------------------------------------------- */

static int
load_id(ictx *c, idmap *m, int64_t id, const char *k, size_t n,
    int has_category)
{
	idslot *slot = idmap_add(m, k, n, hash_key(k, n), id);

	if (slot == NULL)
		return ctx_oom(c);
	if (has_category)
		slot->flags |= IDF_HAS_CATEGORY;
	return 0;
}

static int
load_item(void *ud, int64_t id, const char *k, size_t n, int has_category,
    rf_error *err)
{
	ictx *c = ud;

	(void)err;
	return load_id(c, &c->items, id, k, n, has_category);
}

static int
load_user(void *ud, int64_t id, const char *k, size_t n, int has_category,
    rf_error *err)
{
	ictx *c = ud;

	(void)err;
	return load_id(c, &c->users, id, k, n, has_category);
}

/* The slot of an external id, inserting a new row for an unknown one.
 * The pointer is valid until the next insertion into the map. */
static idslot *
dict_get(ictx *c, const line *l, idmap *m, const field *f, uint64_t h,
    const field *cat, int64_t *new_count)
{
	idslot *s = idmap_find(m, f->p, f->n, h);
	int64_t id;

	if (s != NULL)
		return s;
	if ((m == &c->users ? store_import_add_user(c->imp, f->p, f->n, l->no,
	    &id, c->err) : store_import_add_item(c->imp, f->p, f->n,
	    cat ? cat->p : NULL, cat ? cat->n : 0, l->no, &id, c->err)) < 0)
		return NULL;
	if ((s = idmap_add(m, f->p, f->n, h, id)) == NULL) {
		ctx_oom(c);
		return NULL;
	}
	if (cat != NULL)
		s->flags |= IDF_HAS_CATEGORY;
	(*new_count)++;
	return s;
}

static int
item_get(ictx *c, const line *l, const field *f, uint64_t h, const field *cat,
    int64_t *id)
{
	idslot *s = dict_get(c, l, &c->items, f, h, cat, &c->res->new_items);

	if (s == NULL)
		return -1;
	*id = s->id;
	if (cat != NULL && !(s->flags & IDF_HAS_CATEGORY)) {
		/* An item first met without one (metadata or another log). */
		s->flags |= IDF_HAS_CATEGORY;
		return store_import_set_category(c->imp, s->id, cat->p, cat->n,
		    l->no, c->err);
	}
	return 0;
}

static int
insert_event(ictx *c, const line *l, const dkey *k, double value)
{
	store_event_row e;

	c->res->accepted++;
	/* Summaries kept in the imports row, so `stats` needs no scan. */
	c->beh_count[k->beh]++;
	if (k->ts != 0) {
		if (!c->have_ts || k->ts < c->ts_first)
			c->ts_first = k->ts;
		if (!c->have_ts || k->ts > c->ts_last)
			c->ts_last = k->ts;
		c->have_ts = 1;
	}
	e.user = k->user;
	e.item = k->item;
	e.ts = k->ts;
	e.value = value;
	e.behavior = k->beh;
	return store_import_event(c->imp, &e, l->no, c->err);
}

static int
refill_global(void *ud, const store_event_row *e, rf_error *err)
{
	ictx *c = ud;
	dkey k;

	(void)err;
	k.user = e->user;
	k.item = e->item;
	k.beh = e->behavior;
	k.ts = e->ts;
	k.gen = 0;
	memcpy(&k.vbits, &e->value, sizeof e->value);
	if (dset_add(&c->global, &k) < 0)
		return ctx_oom(c);
	return 0;
}

/* Switch from per-user sets to one set for the whole import; see
 * emit_event(). */
static int
dedup_go_global(ictx *c, const line *l)
{
	c->global_mode = 1;
	dset_free(&c->block);
	return store_import_each_event(c->imp, refill_global, c, l->no,
	    c->err) ? -1 : 0;
}

static int
user_switch(ictx *c, const line *l, const field *f)
{
	idslot *s = dict_get(c, l, &c->users, f, hash_key(f->p, f->n), NULL,
	    &c->res->new_users);

	if (s == NULL)
		return -1;
	if (!c->global_mode && c->last_uid > 0) {
		size_t need = (size_t)(s->id > c->last_uid ? s->id : c->last_uid) + 1;

		if (need > c->closed_cap) {
			size_t cap = need * 2;
			unsigned char *p = realloc(c->closed, cap);

			if (p == NULL)
				return ctx_oom(c);
			memset(p + c->closed_cap, 0, cap - c->closed_cap);
			c->closed = p;
			c->closed_cap = cap;
		}
		c->closed[c->last_uid] = 1;
		if (c->closed[s->id] && dedup_go_global(c, l) < 0)
			return -1;
	}
	if (!c->global_mode)
		dset_clear(&c->block);
	memcpy(c->last_key, f->p, f->n);
	c->last_len = f->n;
	c->last_uid = s->id;
	return 0;
}

/*
 * Exact duplicates (same user, item, behaviour, value and time) are dropped
 * and counted.  Logs grouped by user (Taobao, our generator) only need the
 * current user's rows in a set, cleared when the user changes, so memory
 * stays flat however long the file is.  The first time a user comes back
 * after its block has ended the file is not grouped: from then on a single
 * set holds every row of this import, first re-filled with the rows already
 * written (store_import_each_event()).  The
 * sets hold the exact keys, so nothing is dropped on a hash collision.
 */
static int
emit_event(ictx *c, const line *l, const field *user, const field *item,
    uint64_t item_hash, const field *cat, int beh, double value, int64_t ts)
{
	dkey k;
	int rc;

	if (c->last_uid == 0 || user->n != c->last_len ||
	    memcmp(user->p, c->last_key, user->n) != 0) {
		if (user_switch(c, l, user) < 0)
			return -1;
	}
	if (item_get(c, l, item, item_hash, cat, &k.item) < 0)
		return -1;
	if (value == 0)
		value = 0;	/* -0 and 0 are one value */
	k.user = c->last_uid;
	k.ts = ts;
	k.beh = beh;
	k.gen = 0;
	memcpy(&k.vbits, &value, sizeof value);
	rc = dset_add(c->global_mode ? &c->global : &c->block, &k);
	if (rc < 0)
		return ctx_oom(c);
	if (rc == 0) {
		c->res->duplicates++;
		return ROW_OK;
	}
	return insert_event(c, l, &k, value);
}

/* ---- per-format checks and line handlers ------------------------------- */

static int
check_numeric_id(ictx *c, const line *l, const field *f, const char *what,
    int last_field)
{
	if (f->n == 0)
		return why_empty(c, l, what, last_field);
	if (!all_digits(f))
		return why(c, "non-numeric %s id '%.*s'", what, SHOW(f));
	if (f->n > MAX_ID)
		return why(c, "%s id too long", what);
	return ROW_OK;
}

static int
check_text_id(ictx *c, const line *l, const field *f, const char *what,
    int last_field)
{
	if (f->n == 0)
		return why_empty(c, l, what, last_field);
	if (has_control(f))
		return why(c, "control character in %s id", what);
	if (f->n > MAX_ID)
		return why(c, "%s id too long (more than %d bytes)", what, MAX_ID);
	return ROW_OK;
}

static int
check_ts_range(ictx *c, int64_t ts)
{
	char when[32];

	if (ts >= c->o->ts_min && ts <= c->o->ts_max)
		return ROW_OK;
	civil_format_utc(ts < c->o->ts_min ? c->o->ts_min : c->o->ts_max, when,
	    sizeof when);
	if (ts < c->o->ts_min)
		return why(c, "timestamp %" PRId64 " is before the minimum %s",
		    ts, when);
	return why(c, "timestamp %" PRId64 " is after the maximum %s", ts, when);
}

static int
check_unix_ts(ictx *c, const line *l, const field *f, int last_field,
    int64_t *ts)
{
	if (f->n == 0)
		return why_empty(c, l, "timestamp", last_field);
	if (parse_int64(f, ts) < 0)
		return why(c, "timestamp is not a number: '%.*s'", SHOW(f));
	return check_ts_range(c, *ts);
}

static int
check_rating(ictx *c, const line *l, const field *f, int last_field,
    double *v)
{
	if (f->n == 0)
		return why_empty(c, l, "rating", last_field);
	if (parse_number(f, v) < 0)
		return why(c, "rating is not a number: '%.*s'", SHOW(f));
	if (*v < c->o->rating_min || *v > c->o->rating_max)
		return why(c, "rating %.*s is out of range [%g, %g]", SHOW(f),
		    c->o->rating_min, c->o->rating_max);
	return ROW_OK;
}

/* movielens (tab) and ml-csv (comma): user, item, rating, ts. */
static int
ingest_rating_line(ictx *c, const line *l)
{
	field f[5];
	int nf = split_fields(l->p, l->n, c->delim, f, 5), rc;
	double rating;
	int64_t ts;

	if (nf != 4)
		return why_count(c, l, 4, nf);
	if ((rc = check_numeric_id(c, l, &f[0], "user", 0)) != ROW_OK ||
	    (rc = check_numeric_id(c, l, &f[1], "item", 0)) != ROW_OK ||
	    (rc = check_rating(c, l, &f[2], 0, &rating)) != ROW_OK ||
	    (rc = check_unix_ts(c, l, &f[3], 1, &ts)) != ROW_OK)
		return rc;
	return emit_event(c, l, &f[0], &f[1], hash_key(f[1].p, f[1].n), NULL,
	    BEH_RATING, rating, ts);
}

/* Taobao UserBehavior: user,item,category,behavior,ts. */
static int
ingest_taobao_line(ictx *c, const line *l)
{
	field f[6];
	int nf = split_fields(l->p, l->n, ',', f, 6), rc, beh;
	int64_t ts;
	uint64_t ih;

	if (nf != 5)
		return why_count(c, l, 5, nf);
	/* Start fetching the item's slot while the row is checked. */
	ih = hash_key(f[1].p, f[1].n);
	idmap_prefetch(&c->items, ih);
	if ((rc = check_numeric_id(c, l, &f[0], "user", 0)) != ROW_OK ||
	    (rc = check_numeric_id(c, l, &f[1], "item", 0)) != ROW_OK ||
	    (rc = check_numeric_id(c, l, &f[2], "category", 0)) != ROW_OK)
		return rc;
	if (f[3].n == 0)
		return why_empty(c, l, "behaviour", 0);
	if ((beh = taobao_behavior(&f[3])) < 0)
		beh = store_behavior_code(f[3].p, f[3].n);
	if (beh < BEH_PV || beh > BEH_BUY)
		return why(c, "unknown behaviour '%.*s'", SHOW(&f[3]));
	if ((rc = check_unix_ts(c, l, &f[4], 1, &ts)) != ROW_OK)
		return rc;
	return emit_event(c, l, &f[0], &f[1], ih, &f[2], beh,
	    c->o->weights[beh], ts);
}

/* Seconds, milliseconds (anything above 1e11, i.e. after year 5138 in
 * seconds) or a UTC date and time. */
static int
parse_generic_time(const field *f, int64_t *ts)
{
	int64_t v;
	double d;

	if (parse_int64(f, &v) == 0) {
		*ts = v > 100000000000LL ? v / 1000 : v;
		return 0;
	}
	if (parse_number(f, &d) == 0) {
		if (d > 1e11)
			d /= 1000;
		if (d > 9e15 || d < -9e15)
			d = d > 0 ? 9e15 : -9e15;	/* out of range anyway */
		*ts = (int64_t)floor(d);
		return 0;
	}
	return civil_parse_datetime(f->p, f->n, ts);
}

static int
generic_value(ictx *c, const line *l, const field *f, int beh, double *v)
{
	int last = c->col_value == c->nfields;

	if (beh >= BEH_PV && beh <= BEH_BUY) {
		*v = c->o->weights[beh];
		return ROW_OK;
	}
	if (beh == BEH_RATING) {
		if (c->col_value == 0)
			return why(c, "a rating needs a value column");
		return check_rating(c, l, &f[c->col_value - 1], last, v);
	}
	if (c->col_value == 0) {
		*v = c->o->weights[BEH_EVENT];
		return ROW_OK;
	}
	f += c->col_value - 1;
	if (f->n == 0)
		return why_empty(c, l, "value", last);
	if (parse_number(f, v) < 0 || *v < 0)
		return why(c, "value is not a finite number >= 0: '%.*s'", SHOW(f));
	return ROW_OK;
}

static int
ingest_generic_line(ictx *c, const line *l)
{
	field f[MAX_FIELDS];
	const field *cat = NULL;
	int nf = split_fields(l->p, l->n, c->delim, f, MAX_FIELDS), rc;
	int beh = BEH_EVENT;
	double value;
	int64_t ts = 0;

	if (nf != c->nfields)
		return why_count(c, l, c->nfields, nf);
	if ((rc = check_text_id(c, l, &f[c->col_user - 1], "user",
	    c->col_user == nf)) != ROW_OK ||
	    (rc = check_text_id(c, l, &f[c->col_item - 1], "item",
	    c->col_item == nf)) != ROW_OK)
		return rc;
	if (c->col_type > 0) {
		const field *t = &f[c->col_type - 1];

		if (t->n == 0)
			return why_empty(c, l, "behaviour", c->col_type == nf);
		if ((beh = store_behavior_code(t->p, t->n)) < 0)
			return why(c, "unknown behaviour '%.*s'", SHOW(t));
	}
	if ((rc = generic_value(c, l, f, beh, &value)) != ROW_OK)
		return rc;
	if (c->col_time > 0) {
		const field *t = &f[c->col_time - 1];

		if (t->n == 0)
			return why_empty(c, l, "timestamp", c->col_time == nf);
		if (parse_generic_time(t, &ts) < 0)
			return why(c, "timestamp is not a number or a date: "
			    "'%.*s'", SHOW(t));
		if ((rc = check_ts_range(c, ts)) != ROW_OK)
			return rc;
	}
	if (c->col_category > 0 && f[c->col_category - 1].n > 0)
		cat = &f[c->col_category - 1];
	return emit_event(c, l, &f[c->col_user - 1], &f[c->col_item - 1],
	    hash_key(f[c->col_item - 1].p, f[c->col_item - 1].n), cat, beh,
	    value, ts);
}

/* ---- item metadata ------------------------------------------------------ */

static int
upsert_item(ictx *c, const line *l, const field *id, const store_item_text *m)
{
	uint64_t h = hash_key(id->p, id->n);
	idslot *s = idmap_find(&c->items, id->p, id->n, h);
	int64_t item = s != NULL ? s->id : 0;

	if (store_import_save_item(c->imp, id->p, id->n, m, l->no, &item,
	    c->err) < 0)
		return -1;
	if (s == NULL) {
		if ((s = idmap_add(&c->items, id->p, id->n, h, item)) == NULL)
			return ctx_oom(c);
		c->res->new_items++;
	}
	if (m->category != NULL)
		s->flags |= IDF_HAS_CATEGORY;
	c->res->accepted++;
	return ROW_OK;
}

/* The first genre of a '|'-joined list is the item's category. */
static void
meta_set_genres(store_item_text *m, const char *g, size_t n)
{
	const char *bar;

	if (n == 0 || (n == 18 && memcmp(g, "(no genres listed)", 18) == 0))
		return;
	m->genres = g;
	m->genres_n = n;
	bar = memchr(g, '|', n);
	m->category = g;
	m->category_n = bar != NULL ? (size_t)(bar - g) : n;
}

/* ml-100k u.item: id|title|release|video release|url|19 genre flags, in
 * latin-1. */
static int
ingest_uitem_line(ictx *c, const line *l)
{
	static const char *const genre[19] = {
		"unknown", "Action", "Adventure", "Animation", "Children's",
		"Comedy", "Crime", "Documentary", "Drama", "Fantasy",
		"Film-Noir", "Horror", "Musical", "Mystery", "Romance",
		"Sci-Fi", "Thriller", "War", "Western"
	};
	field f[MAX_FIELDS];
	store_item_text m = { 0 };
	char genres[256];
	size_t gn = 0;
	int nf = split_fields(l->p, l->n, '|', f, MAX_FIELDS), i, rc;

	if (nf != 24)
		return why_count(c, l, 24, nf);
	if ((rc = check_numeric_id(c, l, &f[0], "item", 0)) != ROW_OK)
		return rc;
	for (i = 0; i < 19; i++) {
		const field *g = &f[5 + i];

		if (g->n != 1 || (g->p[0] != '0' && g->p[0] != '1'))
			return why(c, "genre flag %d is not 0 or 1: '%.*s'",
			    i + 1, SHOW(g));
		if (g->p[0] == '1')
			gn += (size_t)snprintf(genres + gn, sizeof genres - gn,
			    "%s%s", gn ? "|" : "", genre[i]);
	}
	m.title = c->text;
	m.title_n = latin1_to_utf8(f[1].p, f[1].n, c->text,
	    2 * INGEST_MAX_LINE + 4);
	meta_set_genres(&m, genres, gn);
	return upsert_item(c, l, &f[0], &m);
}

/*
 * One line of RFC 4180 CSV: a quoted field may hold the delimiter, and ""
 * stands for a quote.  Unquoted fields are trimmed.  The fields are copied
 * to out (never longer than the line).  Returns the field count, or -1 for
 * an unterminated quote or text after a closing quote.
 */
static int
split_csv(const char *s, size_t n, char delim, char *out, field *f, int max)
{
	size_t i = 0, o = 0;
	int nf = 0;

	for (;;) {
		size_t start = o;

		while (i < n && s[i] == ' ')
			i++;
		if (i < n && s[i] == '"') {
			for (i++;; i++) {
				if (i >= n)
					return -1;
				if (s[i] == '"' && i + 1 < n && s[i + 1] == '"')
					out[o++] = s[i++];
				else if (s[i] == '"')
					break;
				else
					out[o++] = s[i];
			}
			for (i++; i < n && s[i] == ' '; i++)
				;
			if (i < n && s[i] != delim)
				return -1;
		} else {
			while (i < n && s[i] != delim)
				out[o++] = s[i++];
			while (o > start && out[o - 1] == ' ')
				o--;
		}
		if (nf < max) {
			f[nf].p = out + start;
			f[nf].n = o - start;
		}
		nf++;
		if (i >= n)
			return nf;
		i++;	/* the delimiter */
	}
}

/* MovieLens movies.csv: movieId,title,genres. */
static int
ingest_movies_csv_line(ictx *c, const line *l)
{
	field f[MAX_FIELDS];
	store_item_text m = { 0 };
	int nf = split_csv(l->p, l->n, ',', c->text, f, MAX_FIELDS), rc;

	if (nf < 0)
		return why(c, "unbalanced quotes");
	if (nf != 3)
		return why_count(c, l, 3, nf);
	if ((rc = check_numeric_id(c, l, &f[0], "item", 0)) != ROW_OK)
		return rc;
	m.title = f[1].p;
	m.title_n = f[1].n;
	meta_set_genres(&m, f[2].p, f[2].n);
	return upsert_item(c, l, &f[0], &m);
}

/* Item files with a header naming item, title, category, genres. */
static int
ingest_items_generic_line(ictx *c, const line *l)
{
	field f[MAX_FIELDS];
	store_item_text m = { 0 };
	int nf, rc;

	if (c->delim == '\t')
		nf = split_fields(l->p, l->n, '\t', f, MAX_FIELDS);
	else
		nf = split_csv(l->p, l->n, c->delim, c->text, f, MAX_FIELDS);
	if (nf < 0)
		return why(c, "unbalanced quotes");
	if (nf != c->nfields)
		return why_count(c, l, c->nfields, nf);
	if ((rc = check_text_id(c, l, &f[c->col_item - 1], "item",
	    c->col_item == nf)) != ROW_OK)
		return rc;
	if (c->col_title > 0) {
		m.title = f[c->col_title - 1].p;
		m.title_n = f[c->col_title - 1].n;
	}
	if (c->col_genres > 0)
		meta_set_genres(&m, f[c->col_genres - 1].p,
		    f[c->col_genres - 1].n);
	if (c->col_category > 0 && f[c->col_category - 1].n > 0) {
		m.category = f[c->col_category - 1].p;
		m.category_n = f[c->col_category - 1].n;
	}
	return upsert_item(c, l, &f[c->col_item - 1], &m);
}

/* ---- format set-up and sniffing ----------------------------------------- */

/* The first non-blank line of the first block, for sniffing. */
static field
first_line(const reader *r)
{
	const char *p = r->buf + r->pos, *end = r->buf + r->len;
	field f = { p, 0 };

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *e = nl != NULL ? nl : end;

		while (e > p && is_blank((unsigned char)e[-1]))
			e--;
		if (e > p) {
			f.p = p;
			f.n = (size_t)(e - p);
			if (f.n > INGEST_MAX_LINE)
				f.n = INGEST_MAX_LINE;
			return f;
		}
		if (nl == NULL)
			break;
		p = nl + 1;
	}
	return f;
}

static int
all_numeric(const field *f, int nf)
{
	int i;
	double d;

	for (i = 0; i < nf; i++)
		if (parse_number(&f[i], &d) < 0)
			return 0;
	return 1;
}

static ingest_format
sniff_events(field first)
{
	field f[8];
	int nf;

	nf = split_fields(first.p, first.n, '\t', f, 8);
	if (nf == 4 && all_numeric(f, 4))
		return FMT_MOVIELENS;
	if (field_is(&first, "userId,movieId,rating,timestamp"))
		return FMT_ML_CSV;
	nf = split_fields(first.p, first.n, ',', f, 8);
	if (nf == 5 && taobao_behavior(&f[3]) >= 0)
		return FMT_TAOBAO;
	return FMT_GENERIC;
}

static ingest_format
sniff_items(field first)
{
	field f[MAX_FIELDS];

	if (split_fields(first.p, first.n, '|', f, MAX_FIELDS) == 24)
		return FMT_ITEMS_UITEM;
	if (first.n >= 20 && strncasecmp(first.p, "movieId,title,genres", 20) == 0)
		return FMT_ITEMS_CSV;
	return FMT_ITEMS_GENERIC;
}

/* The most frequent of tab, comma, ';' and '|' (in that order on ties). */
static char
sniff_delim(field first)
{
	static const char cand[] = "\t,;|";
	size_t count[4] = { 0 }, i;
	int best = -1, k;

	for (i = 0; i < first.n; i++)
		for (k = 0; k < 4; k++)
			if (first.p[i] == cand[k])
				count[k]++;
	for (k = 0; k < 4; k++)
		if (count[k] > 0 && (best < 0 || count[k] > count[best]))
			best = k;
	return best < 0 ? 0 : cand[best];
}

enum { COL_USER, COL_ITEM, COL_TYPE, COL_TIME, COL_VALUE, COL_CATEGORY,
	COL_TITLE, COL_GENRES, NCOLS };

/* Header names for each column role (matched case-insensitively). */
static const char *const col_names[NCOLS][8] = {
	[COL_USER] = { "user", "user_id", "userid", "visitorid" },
	[COL_ITEM] = { "item", "item_id", "itemid", "product_id", "artistid",
	    "movieid" },
	[COL_TYPE] = { "type", "behavior", "behaviour", "event", "event_type" },
	[COL_TIME] = { "time", "timestamp", "ts", "event_time", "date" },
	[COL_VALUE] = { "value", "rating", "weight", "count" },
	[COL_CATEGORY] = { "category", "category_id", "categoryid",
	    "category_code" },
	[COL_TITLE] = { "title", "name" },
	[COL_GENRES] = { "genres", "genre" },
};

static int
header_role(const field *h)
{
	field f = *h;
	int r, i;

	if (f.n >= 2 && f.p[0] == '"' && f.p[f.n - 1] == '"') {
		f.p++;
		f.n -= 2;
	}
	for (r = 0; r < NCOLS; r++)
		for (i = 0; i < 8 && col_names[r][i] != NULL; i++)
			if (field_is(&f, col_names[r][i]))
				return r;
	return -1;
}

/* Fill cols[role] (1-based) from header names; returns how many matched. */
static int
map_from_header(const field *f, int nf, int cols[NCOLS])
{
	int i, r, found = 0;

	for (i = 0; i < nf && i < MAX_FIELDS; i++) {
		if ((r = header_role(&f[i])) >= 0 && cols[r] == 0) {
			cols[r] = i + 1;
			found++;
		}
	}
	return found;
}

static int
check_columns(ictx *c, const int cols[NCOLS], int nf)
{
	int r;

	for (r = 0; r < NCOLS; r++)
		if (cols[r] > nf || cols[r] > MAX_FIELDS)
			return rf_fail(c->err, "%s: the column map names column "
			    "%d but the first line has %d fields", c->path,
			    cols[r], nf);
	if (!c->items_kind && cols[COL_USER] == 0)
		return rf_fail(c->err, "%s: no user column (name it user, "
		    "user_id, ... in the header, or give a map)", c->path);
	if (cols[COL_ITEM] == 0)
		return rf_fail(c->err, "%s: no item column (name it item, "
		    "item_id, ... in the header, or give a map)", c->path);
	c->col_user = cols[COL_USER];
	c->col_item = cols[COL_ITEM];
	c->col_type = cols[COL_TYPE];
	c->col_time = cols[COL_TIME];
	c->col_value = cols[COL_VALUE];
	c->col_category = cols[COL_CATEGORY];
	c->col_title = cols[COL_TITLE];
	c->col_genres = cols[COL_GENRES];
	c->nfields = nf;
	return 0;
}

static int
setup_generic(ictx *c, field first)
{
	const ingest_opts *o = c->o;
	field f[MAX_FIELDS];
	int cols[NCOLS] = { 0 }, nf, header, matched;

	c->delim = o->delim ? o->delim : sniff_delim(first);
	if (c->delim == 0)
		return rf_fail(c->err, "%s: cannot tell the delimiter from the "
		    "first line; give one", c->path);
	nf = split_fields(first.p, first.n, c->delim, f, MAX_FIELDS);
	matched = map_from_header(f, nf, cols);
	header = o->header >= 0 ? o->header : matched > 0;
	if (o->col_user || o->col_item || o->col_type || o->col_time ||
	    o->col_value || o->col_category) {
		memset(cols, 0, sizeof cols);
		cols[COL_USER] = o->col_user;
		cols[COL_ITEM] = o->col_item;
		cols[COL_TYPE] = o->col_type;
		cols[COL_TIME] = o->col_time;
		cols[COL_VALUE] = o->col_value;
		cols[COL_CATEGORY] = o->col_category;
	} else if (!header)
		return rf_fail(c->err, "%s: no header naming the columns; give "
		    "a column map (user=1,item=2,...)", c->path);
	c->skip_header = header;
	return check_columns(c, cols, nf);
}

static int
setup_items_generic(ictx *c, field first)
{
	field f[MAX_FIELDS];
	int cols[NCOLS] = { 0 }, nf;

	c->delim = c->o->delim ? c->o->delim :
	    memchr(first.p, '\t', first.n) != NULL ? '\t' : ',';
	nf = c->delim == '\t' ?
	    split_fields(first.p, first.n, '\t', f, MAX_FIELDS) :
	    split_csv(first.p, first.n, c->delim, c->text, f, MAX_FIELDS);
	if (nf < 0 || map_from_header(f, nf, cols) == 0)
		return rf_fail(c->err, "%s: an item file needs a header line "
		    "(item, title, category)", c->path);
	c->skip_header = 1;
	return check_columns(c, cols, nf);
}

static int
setup_format(ictx *c, ingest_format fmt)
{
	field first = first_line(&c->rd), f[2];

	/* Nothing to sniff or map a header from: say so plainly rather
	 * than "cannot tell the delimiter". */
	if (first.n == 0 && (fmt == FMT_AUTO || fmt == FMT_GENERIC ||
	    fmt == FMT_ITEMS_GENERIC))
		return rf_fail(c->err, "%s: the file is empty (no non-blank "
		    "line in its first block)", c->path);
	if (fmt == FMT_AUTO)
		fmt = c->items_kind ? sniff_items(first) : sniff_events(first);
	if (c->items_kind != (fmt >= FMT_ITEMS_UITEM))
		return rf_fail(c->err, "%s: format %s is for %s", c->path,
		    ingest_format_name(fmt),
		    c->items_kind ? "events, not items" : "items, not events");
	c->res->format = fmt;
	split_fields(first.p, first.n, ',', f, 2);
	switch (fmt) {
	case FMT_MOVIELENS:
		c->delim = '\t';
		c->handle = ingest_rating_line;
		return 0;
	case FMT_ML_CSV:
		c->delim = ',';
		c->skip_header = first.n > 0 && !all_digits(&f[0]);
		c->handle = ingest_rating_line;
		return 0;
	case FMT_TAOBAO:
		c->delim = ',';
		c->handle = ingest_taobao_line;
		return 0;
	case FMT_GENERIC:
		c->handle = ingest_generic_line;
		return setup_generic(c, first);
	case FMT_ITEMS_UITEM:
		c->delim = '|';
		c->latin1 = 1;
		c->handle = ingest_uitem_line;
		return 0;
	case FMT_ITEMS_CSV:
		c->delim = ',';
		c->skip_header = first.n > 0 && !all_digits(&f[0]);
		c->handle = ingest_movies_csv_line;
		return 0;
	case FMT_ITEMS_GENERIC:
		c->handle = ingest_items_generic_line;
		return setup_items_generic(c, first);
	default:
		return rf_fail(c->err, "%s: unknown format", c->path);
	}
}

/* ---- the import ------------------------------------------------------------ */

static int
process_line(ictx *c, line *l)
{
	int scan, rc;

	if (l->flags & LINE_TOO_LONG) {
		c->res->rows_read++;
		why(c, "line too long (more than %d bytes)", INGEST_MAX_LINE);
		return record_reject(c, l);
	}
	/* CRLF and blanks at the end of the line (tabs only when they are
	 * not the delimiter: there they end an empty field). */
	while (l->n > 0 && (l->p[l->n - 1] == '\r' || l->p[l->n - 1] == ' ' ||
	    (l->p[l->n - 1] == '\t' && c->delim != '\t')))
		l->n--;
	if (l->n == 0)
		return 0;
	if (c->skip_header) {
		c->skip_header = 0;
		return 0;
	}
	c->res->rows_read++;
	scan = scan_bytes(l->p, l->n);
	if (scan & 1)
		rc = why(c, "NUL byte in line");
	else if ((scan & 2) && !c->latin1 &&
	    !utf8_valid((const unsigned char *)l->p, l->n))
		rc = why(c, "invalid UTF-8");
	else
		rc = c->handle(c, l);
	if (rc == ROW_REJECT)
		return record_reject(c, l);
	return rc;
}

static int
ingest_loop(ictx *c)
{
	line l;
	int rc;

	while ((rc = reader_next(&c->rd, &l)) > 0)
		if (process_line(c, &l) < 0)
			return -1;
	if (rc == READ_CANCELLED)
		return rf_fail(c->err, "%s: import cancelled", c->path);
	if (rc == READ_ERROR)
		return rf_fail(c->err, "%s: read error: %s", c->path,
		    strerror(errno));
	return 0;
}

static void
options_text(const ictx *c, char *buf, size_t n)
{
	const ingest_opts *o = c->o;
	char d[8];

	if (c->delim == '\t')
		snprintf(d, sizeof d, "tab");
	else
		snprintf(d, sizeof d, "'%c'", c->delim ? c->delim : ' ');
	snprintf(buf, n, "delim=%s map=user=%d,item=%d,type=%d,time=%d,"
	    "value=%d,category=%d weights=pv=%g,fav=%g,cart=%g,buy=%g,event=%g"
	    " ratings=%g..%g ts=%" PRId64 "..%" PRId64 " force=%d", d,
	    c->col_user, c->col_item, c->col_type, c->col_time, c->col_value,
	    c->col_category, o->weights[BEH_PV], o->weights[BEH_FAV],
	    o->weights[BEH_CART], o->weights[BEH_BUY], o->weights[BEH_EVENT],
	    o->rating_min, o->rating_max, o->ts_min, o->ts_max, o->force);
}

static int
import_begin(ictx *c)
{
	char opts[512];

	options_text(c, opts, sizeof opts);
	return store_import_start(c->imp, ingest_format_name(c->res->format),
	    c->quick, opts, c->err);
}

static int
import_finish(ictx *c)
{
	store_import_totals t = { 0 };
	const ingest_result *r = c->res;

	t.rows_read = r->rows_read;
	t.accepted = r->accepted;
	t.rejected = r->rejected;
	t.duplicates = r->duplicates;
	memcpy(t.behavior_count, c->beh_count, sizeof t.behavior_count);
	t.have_ts = c->have_ts;
	t.ts_first = c->ts_first;
	t.ts_last = c->ts_last;
	t.hash = c->hash;
	return store_import_finish(c->imp, &t, c->err);
}

/* Hash every byte of the file (only to confirm a likely re-import, see
 * refuse_reimport()), then rewind. */
static int
hash_file(ictx *c, FILE *fp, char hex[33])
{
	rf_hash128 h;
	unsigned char *buf = malloc(READ_BLOCK);
	size_t n;

	if (buf == NULL)
		return ctx_oom(c);
	rf_hash128_init(&h);
	while ((n = fread(buf, 1, READ_BLOCK, fp)) > 0) {
		rf_hash128_update(&h, buf, n);
		if (c->o->cancel != NULL && *c->o->cancel) {
			free(buf);
			return rf_fail(c->err, "%s: import cancelled", c->path);
		}
	}
	free(buf);
	if (ferror(fp) || fseek(fp, 0, SEEK_SET) != 0)
		return rf_fail(c->err, "%s: read error: %s", c->path,
		    strerror(errno));
	rf_hash128_hex(&h, hex);
	return 0;
}

static int
pread_all(int fd, unsigned char *p, size_t n, int64_t off)
{
	while (n > 0) {
		ssize_t k = pread(fd, p, n, (off_t)off);

		if (k <= 0)
			return -1;
		p += k;
		n -= (size_t)k;
		off += k;
	}
	return 0;
}

/*
 * The quick hash: the size and the first and last QUICK_SPAN bytes (the
 * whole file when it is shorter than two spans).  Equal contents have equal
 * quick hashes, so a file whose quick hash no earlier import has cannot be
 * a re-import, and the full content hash is then computed while importing
 * instead of in a pass of its own (which costs a second read of the file).
 */
static int
quick_hash_file(ictx *c, int fd, int64_t size, char hex[33])
{
	rf_hash128 h;
	unsigned char *buf, le[8];
	int64_t off[2] = { 0, size - QUICK_SPAN };
	size_t len[2] = { QUICK_SPAN, QUICK_SPAN };
	int i, rc = 0;

	if (size <= 2 * (int64_t)QUICK_SPAN) {
		len[0] = (size_t)size;
		len[1] = 0;
	}
	if ((buf = malloc(QUICK_SPAN * 2)) == NULL)
		return ctx_oom(c);
	rf_hash128_init(&h);
	for (i = 0; i < 8; i++)
		le[i] = (unsigned char)((uint64_t)size >> (8 * i));
	rf_hash128_update(&h, le, 8);
	for (i = 0; i < 2 && rc == 0; i++) {
		if (len[i] == 0)
			continue;
		if (pread_all(fd, buf, len[i], off[i]) < 0)
			rc = rf_fail(c->err, "%s: read error: %s", c->path,
			    errno ? strerror(errno) : "file shrank");
		else
			rf_hash128_update(&h, buf, len[i]);
	}
	free(buf);
	if (rc == 0)
		rf_hash128_hex(&h, hex);
	return rc;
}

/* Refuse when an earlier events import had the content hash c->hash. */
static int
refuse_same_hash(ictx *c)
{
	char when[40] = "?";
	double started = 0;
	int64_t id = store_import_find(c->imp, 0, c->hash, &started, c->err);
	time_t t = (time_t)started;
	struct tm tm;

	if (id <= 0)
		return (int)id;
	if (gmtime_r(&t, &tm) != NULL)
		strftime(when, sizeof when, "%Y-%m-%d %H:%M UTC", &tm);
	return rf_fail(c->err, "%s: already imported as import #%" PRId64
	    " on %s (same content); use --force to import it again",
	    c->path, id, when);
}

/* Before the import: only when an earlier import has the same quick hash
 * is the whole file hashed up front to tell; otherwise finish_hash()
 * checks the hash computed on the way (a safety net: it cannot match). */
static int
refuse_reimport(ictx *c, FILE *fp)
{
	double started;
	int64_t id = store_import_find(c->imp, 1, c->quick, &started, c->err);

	if (id <= 0)
		return (int)id;
	if (hash_file(c, fp, c->hash) < 0)
		return -1;
	return refuse_same_hash(c);
}

static int
open_input(ictx *c, FILE **fp)
{
	struct stat sb;

	if ((*fp = fopen(c->path, "rb")) == NULL)
		return rf_fail(c->err, "%s: cannot open: %s", c->path,
		    strerror(errno));
	if (fstat(fileno(*fp), &sb) < 0 || !S_ISREG(sb.st_mode))
		return rf_fail(c->err, "%s: cannot open: not a regular file",
		    c->path);
	c->size = (int64_t)sb.st_size;
	return quick_hash_file(c, fileno(*fp), c->size, c->quick);
}

static int
start_reading(ictx *c, FILE *fp)
{
	if (reader_init(&c->rd, fp, c->size, c->o, &c->res->rows_read) < 0)
		return rf_fail(c->err, "%s: read error: %s", c->path,
		    strerror(errno));
	return 0;
}

/* After the last line: the content hash of what was read, which must be
 * the file that was checked before (not changed or replaced meanwhile). */
static int
finish_hash(ictx *c)
{
	char quick[33];

	if (c->rd.bytes_read != c->size ||
	    quick_hash_file(c, fileno(c->rd.fp), c->size, quick) < 0 ||
	    strcmp(quick, c->quick) != 0)
		return rf_fail(c->err, "%s: the file changed while it was being "
		    "imported; nothing was imported", c->path);
	rf_hash128_hex(&c->rd.hash, c->hash);
	if (!c->items_kind && !c->o->force)
		return refuse_same_hash(c);
	return 0;
}

/* Everything between BEGIN and COMMIT.  No index is built: nothing reads
 * events by index (see store.h). */
static int
ingest_transaction(ictx *c)
{
	if (store_import_begin(c->imp, c->err) < 0 ||
	    store_import_load_items(c->imp, load_item, c, c->err) != 0 ||
	    (!c->items_kind && store_import_load_users(c->imp, load_user, c,
	    c->err) != 0) ||
	    import_begin(c) < 0 || ingest_loop(c) < 0 ||
	    store_import_flush(c->imp, 0, c->err) < 0 || finish_hash(c) < 0 ||
	    import_finish(c) < 0)
		return -1;
	return store_import_commit(c->imp, c->err);
}

static void
ictx_free(ictx *c)
{
	store_import_free(c->imp);
	idmap_free(&c->users);
	idmap_free(&c->items);
	dset_free(&c->block);
	dset_free(&c->global);
	free(c->closed);
	free(c->text);
	reader_free(&c->rd);
}

static int
ingest_file(store *st, const char *path, const ingest_opts *o,
    ingest_result *res, rf_error *err, int items_kind)
{
	ingest_opts defaults;
	ingest_result dummy;
	ictx c;
	FILE *fp = NULL;
	double t0 = rf_monotonic();
	int rc = -1;

	if (o == NULL) {
		ingest_opts_default(&defaults);
		o = &defaults;
	}
	if (res == NULL)
		res = &dummy;
	memset(res, 0, sizeof *res);
	memset(&c, 0, sizeof c);
	c.path = path;
	c.o = o;
	c.res = res;
	c.err = err;
	c.items_kind = items_kind;
	if (store_check_writable(st, items_kind ? "import items" :
	    "import events", err) < 0)
		return -1;
	if ((c.imp = store_import_new(st, path, items_kind, err)) == NULL)
		goto out;
	if ((c.text = malloc(2 * INGEST_MAX_LINE + 4)) == NULL) {
		ctx_oom(&c);
		goto out;
	}
	if (open_input(&c, &fp) < 0 ||
	    (!items_kind && !o->force && refuse_reimport(&c, fp) < 0) ||
	    start_reading(&c, fp) < 0 || setup_format(&c, o->format) < 0 ||
	    ingest_transaction(&c) < 0)
		goto out;
	res->import_id = store_import_id(c.imp);
	memcpy(res->hash, c.hash, sizeof res->hash);
	if (o->progress != NULL)
		o->progress(o->progress_ud, c.rd.bytes_read, c.rd.bytes_total,
		    res->rows_read);
	rc = 0;
out:
	res->seconds = rf_monotonic() - t0;
	ictx_free(&c);
	if (fp != NULL)
		fclose(fp);
	return rc;
}

int
ingest_events(store *st, const char *path, const ingest_opts *o,
    ingest_result *res, rf_error *err)
{
	return ingest_file(st, path, o, res, err, 0);
}

int
ingest_items(store *st, const char *path, const ingest_opts *o,
    ingest_result *res, rf_error *err)
{
	return ingest_file(st, path, o, res, err, 1);
}

/* ---- options ---------------------------------------------------------------- */

static const char *const format_names[] = {
	[FMT_AUTO] = "auto",
	[FMT_MOVIELENS] = "movielens",
	[FMT_ML_CSV] = "ml-csv",
	[FMT_TAOBAO] = "taobao",
	[FMT_GENERIC] = "generic",
	[FMT_ITEMS_UITEM] = "u.item",
	[FMT_ITEMS_CSV] = "movies-csv",
	[FMT_ITEMS_GENERIC] = "items",
};

const char *
ingest_format_name(ingest_format f)
{
	if ((int)f < 0 || (size_t)f >= sizeof format_names / sizeof format_names[0])
		return "unknown";
	return format_names[f];
}

int
ingest_format_parse(const char *name)
{
	static const struct {
		const char *name;
		ingest_format f;
	} aliases[] = {
		{ "ml-100k", FMT_MOVIELENS }, { "tsv", FMT_MOVIELENS },
		{ "uitem", FMT_ITEMS_UITEM }, { "movies.csv", FMT_ITEMS_CSV },
		{ "items-generic", FMT_ITEMS_GENERIC },
	};
	size_t i;

	for (i = 0; i < sizeof format_names / sizeof format_names[0]; i++)
		if (strcasecmp(name, format_names[i]) == 0)
			return (int)i;
	for (i = 0; i < sizeof aliases / sizeof aliases[0]; i++)
		if (strcasecmp(name, aliases[i].name) == 0)
			return (int)aliases[i].f;
	return -1;
}

void
ingest_opts_default(ingest_opts *o)
{
	memset(o, 0, sizeof *o);
	o->format = FMT_AUTO;
	o->header = -1;
	memcpy(o->weights, default_weights, sizeof o->weights);
	o->rating_min = 0.5;
	o->rating_max = 5;
	o->ts_min = 631152000;		/* 1990-01-01 */
	o->ts_max = 4102444800LL;	/* 2100-01-01 */
}

/* Split "key=value,key=value"; calls fn for each pair. */
static int
parse_pairs(ingest_opts *o, const char *spec, const char *what,
    int (*fn)(ingest_opts *, const field *, const field *, rf_error *),
    rf_error *err)
{
	const char *p = spec;

	while (*p != '\0') {
		const char *end = strchr(p, ','), *eq;
		field k, v;

		if (end == NULL)
			end = p + strlen(p);
		eq = memchr(p, '=', (size_t)(end - p));
		if (eq == NULL)
			return rf_fail(err, "%s: expected name=value, found "
			    "'%.*s'", what, (int)(end - p), p);
		k = field_trim(p, (size_t)(eq - p), 0);
		v = field_trim(eq + 1, (size_t)(end - eq - 1), 0);
		if (fn(o, &k, &v, err) < 0)
			return -1;
		p = *end == ',' ? end + 1 : end;
	}
	return 0;
}

static int
map_pair(ingest_opts *o, const field *k, const field *v, rf_error *err)
{
	int *cols[] = { &o->col_user, &o->col_item, &o->col_type,
	    &o->col_time, &o->col_value, &o->col_category };
	int64_t n;
	int r;

	if (parse_int64(v, &n) < 0 || n < 1 || n > MAX_FIELDS)
		return rf_fail(err, "map: column for '%.*s' must be 1..%d, "
		    "found '%.*s'", SHOW(k), MAX_FIELDS, SHOW(v));
	if ((r = header_role(k)) < 0 || r > COL_CATEGORY)
		return rf_fail(err, "map: unknown column '%.*s' (expected "
		    "user, item, type, time, value, category)", SHOW(k));
	*cols[r] = (int)n;
	return 0;
}

int
ingest_parse_map(ingest_opts *o, const char *spec, rf_error *err)
{
	o->col_user = o->col_item = o->col_type = 0;
	o->col_time = o->col_value = o->col_category = 0;
	if (parse_pairs(o, spec, "map", map_pair, err) < 0)
		return -1;
	if (o->col_user == 0 || o->col_item == 0)
		return rf_fail(err, "map: user and item columns are required");
	return 0;
}

static int
weight_pair(ingest_opts *o, const field *k, const field *v, rf_error *err)
{
	int beh = store_behavior_code(k->p, k->n);
	double w;

	if (beh < 0 || beh == BEH_RATING)
		return rf_fail(err, "weights: unknown behaviour '%.*s' (expected "
		    "pv, fav, cart, buy, event)", SHOW(k));
	if (parse_number(v, &w) < 0 || w < 0)
		return rf_fail(err, "weights: '%.*s' is not a number >= 0",
		    SHOW(v));
	o->weights[beh] = w;
	return 0;
}

int
ingest_parse_weights(ingest_opts *o, const char *spec, rf_error *err)
{
	return parse_pairs(o, spec, "weights", weight_pair, err);
}
