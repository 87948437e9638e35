/* ingest: the driver of an import: opens the file, refuses content that
 * was imported before, sets a parser up for its format, and in one
 * transaction runs every line through the parser into the writer or into
 * rejects.  The hot path (Taobao-style logs, tens of millions of rows)
 * avoids stdio parsing and per-row allocation. */
#if !defined(_GNU_SOURCE) && !defined(_POSIX_C_SOURCE)
#define _POSIX_C_SOURCE 200809L	/* fileno, fstat, gmtime_r under -std=c11 */
#endif
#include "engine/ingest/ingest.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "engine/ingest/clean.h"
#include "engine/ingest/fingerprint.h"
#include "engine/ingest/parser.h"
#include "engine/ingest/reader.h"
#include "engine/ingest/sniff.h"
#include "engine/ingest/text.h"
#include "engine/ingest/writer.h"
#include "engine/store/import.h"

typedef struct ictx {
	const char *path;
	const ingest_opts *o;
	ingest_result *res;
	rf_error *err;
	int items_kind;		/* import-items rather than events */
	store_import *imp;
	parser p;
	writer w;
	reader rd;
	int64_t size;		/* of the file when opened */
	char hash[33], quick[33];	/* content hash, quick hash */
	int64_t first_reject;	/* line of the first rejected row, or 0 */
	char first_why[sizeof ((parser *)0)->why];
} ictx;

static int
record_reject(ictx *c, const line *l)
{
	char raw[RAW_MAX + 1];
	size_t n = clean_raw_text(l, c->p.latin1, raw);

	if (c->first_reject == 0) {
		c->first_reject = l->no;
		memcpy(c->first_why, c->p.why, sizeof c->first_why);
	}
	c->res->rejected++;
	return store_import_reject(c->imp, l->no, c->p.why, raw, n, c->err);
}

/* CRLF and blanks at the end of the line (tabs only when they are not the
 * delimiter: there they end an empty field). */
static void
trim_line(const ictx *c, line *l)
{
	while (l->n > 0 && (l->p[l->n - 1] == '\r' || l->p[l->n - 1] == ' ' ||
	    (l->p[l->n - 1] == '\t' && c->p.delim != '\t')))
		l->n--;
}

/* Lines whose slots are fetched before their turn: a random-order log
 * misses the cache three times a row (user, item, duplicate index), and
 * fetched this far ahead the misses overlap instead of queueing. */
#define LOOKAHEAD	8

/* Parse the lines up to LOOKAHEAD ahead (formats whose rows point into
 * the line only) and start fetching their slots. */
static void
prefetch_ahead(ictx *c)
{
	parsed_row row;
	line l;

	while (c->rd.peeked < LOOKAHEAD && reader_peek(&c->rd, &l) > 0) {
		if (l.flags & LINE_TOO_LONG)
			continue;
		trim_line(c, &l);
		if (l.n > 0 && c->p.parse(&c->p, &l, &row) == ROW_OK)
			writer_prefetch(&c->w, &row.event);
	}
}

static int
process_line(ictx *c, line *l)
{
	parsed_row row;
	int scan, rc;

	if (l->flags & LINE_TOO_LONG) {
		c->res->rows_read++;
		clean_reject(&c->p, "line too long (more than %d bytes)",
		    INGEST_MAX_LINE);
		return record_reject(c, l);
	}
	trim_line(c, l);
	if (l->n == 0)
		return 0;
	if (c->p.skip_header) {
		c->p.skip_header = 0;
		return 0;
	}
	c->res->rows_read++;
	scan = text_scan(l->p, l->n);
	if (scan & TEXT_HAS_NUL)
		rc = clean_reject(&c->p, "NUL byte in line");
	else if ((scan & TEXT_HAS_HIGH) && !c->p.latin1 &&
	    !text_utf8_valid((const unsigned char *)l->p, l->n))
		rc = clean_reject(&c->p, "invalid UTF-8");
	else
		rc = c->p.parse(&c->p, l, &row);
	if (rc == ROW_REJECT)
		return record_reject(c, l);
	if (c->items_kind)
		return writer_item(&c->w, l->no, &row.item, c->err);
	return writer_event(&c->w, l->no, &row.event, c->err);
}

static int
ingest_loop(ictx *c)
{
	line l;
	int rc;

	while ((rc = reader_next(&c->rd, &l)) > 0) {
		if (c->p.ahead && !c->items_kind)
			prefetch_ahead(c);
		if (process_line(c, &l) < 0)
			return -1;
	}
	if (rc == READ_CANCELLED)
		return rf_fail(c->err, "%s: import cancelled", c->path);
	if (rc == READ_ERROR)
		return rf_fail(c->err, "%s: read error: %s", c->path,
		    strerror(errno));
	return 0;
}

/* The options as the imports row keeps them. */
static void
options_text(const ictx *c, char *buf, size_t n)
{
	const ingest_opts *o = c->o;
	const parser *p = &c->p;
	char d[8];

	if (p->delim == '\t')
		snprintf(d, sizeof d, "tab");
	else
		snprintf(d, sizeof d, "'%c'", p->delim ? p->delim : ' ');
	snprintf(buf, n, "delim=%s map=user=%d,item=%d,type=%d,time=%d,"
	    "value=%d,category=%d weights=pv=%g,fav=%g,cart=%g,buy=%g,event=%g"
	    " ratings=%g..%g ts=%" PRId64 "..%" PRId64 " force=%d", d,
	    p->col_user, p->col_item, p->col_type, p->col_time, p->col_value,
	    p->col_category, o->weights[BEH_PV], o->weights[BEH_FAV],
	    o->weights[BEH_CART], o->weights[BEH_BUY], o->weights[BEH_EVENT],
	    o->rating_min, o->rating_max, o->ts_min, o->ts_max, o->force);
}

static int
import_start(ictx *c)
{
	char opts[512];

	options_text(c, opts, sizeof opts);
	return store_import_start(c->imp, ingest_format_name(c->res->format),
	    c->quick, opts, c->err);
}

static int
import_finish(ictx *c)
{
	store_import_totals t;

	writer_totals(&c->w, &t);
	t.hash = c->hash;
	return store_import_finish(c->imp, &t, c->err);
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
	if (fingerprint_whole(fp, c->o->cancel, c->path, c->hash, c->err) < 0)
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
	return fingerprint_quick(fileno(*fp), c->size, c->path, c->quick,
	    c->err);
}

/* The rows of the file, guessed from its first block: the writer sizes
 * its duplicate check with it when the rows turn out not to be grouped. */
static int64_t
guess_rows(const char *p, size_t n, int64_t size)
{
	const char *end = p + n;
	int64_t lines = 0;

	while ((p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		lines++;
		p++;
	}
	if (lines == 0 || n == 0)
		return 0;
	return (int64_t)((double)size / (double)n * (double)lines);
}

static int
start_reading(ictx *c, FILE *fp)
{
	const char *first;
	size_t n;

	if (reader_init(&c->rd, fp, c->size, c->o, &c->res->rows_read) < 0)
		return rf_fail(c->err, "%s: read error: %s", c->path,
		    strerror(errno));
	first = reader_pending(&c->rd, &n);
	c->w.rows_hint = guess_rows(first, n, c->size);
	return sniff_setup(&c->p, first, n, c->o->format, c->path,
	    &c->res->format, c->err);
}

/* After the last line: the content hash of what was read, which must be
 * the file that was checked before (not changed or replaced meanwhile). */
static int
finish_hash(ictx *c)
{
	char quick[33];

	if (c->rd.bytes_read != c->size ||
	    fingerprint_quick(fileno(c->rd.fp), c->size, c->path, quick,
	    c->err) < 0 || strcmp(quick, c->quick) != 0)
		return rf_fail(c->err, "%s: the file changed while it was being "
		    "imported; nothing was imported", c->path);
	rf_hash128_hex(&c->rd.hash, c->hash);
	if (!c->items_kind && !c->o->force)
		return refuse_same_hash(c);
	return 0;
}

/* A file none of whose rows was taken (all rejected, or none there) is
 * most likely read in the wrong format: an error, and nothing is kept (a
 * second try with the right options must not meet "already imported").
 * Rows dropped as duplicates of stored ones were read fine. */
static int
check_accepted(ictx *c)
{
	const ingest_result *r = c->res;

	if (r->accepted > 0 || r->duplicates > 0)
		return 0;
	if (r->rows_read == 0)
		return rf_fail(c->err, "%s: no data rows (read as %s); nothing "
		    "was imported", c->path, ingest_format_name(r->format));
	return rf_fail(c->err, "%s: none of its %" PRId64 " rows was accepted "
	    "(read as %s; line %" PRId64 ": %s); nothing was imported",
	    c->path, r->rows_read, ingest_format_name(r->format),
	    c->first_reject, c->first_why);
}

/* Everything between BEGIN and COMMIT.  No index is built: nothing reads
 * events by index (see store.h). */
static int
ingest_transaction(ictx *c)
{
	if (store_import_begin(c->imp, c->err) < 0 ||
	    writer_load(&c->w, c->items_kind, c->err) < 0 ||
	    import_start(c) < 0 || ingest_loop(c) < 0 ||
	    check_accepted(c) < 0 ||
	    store_import_flush(c->imp, 0, c->err) < 0 || finish_hash(c) < 0 ||
	    import_finish(c) < 0)
		return -1;
	return store_import_commit(c->imp, c->err);
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
	writer_init(&c.w, c.imp, path, res);
	c.p.o = o;
	c.p.items_kind = items_kind;
	c.p.items = &c.w.items;
	c.p.users = &c.w.users;
	if ((c.p.text = malloc(PARSER_TEXT)) == NULL) {
		rf_fail(err, "%s: out of memory", path);
		goto out;
	}
	if (open_input(&c, &fp) < 0 ||
	    (!items_kind && !o->force && refuse_reimport(&c, fp) < 0) ||
	    start_reading(&c, fp) < 0 || ingest_transaction(&c) < 0)
		goto out;
	res->import_id = store_import_id(c.imp);
	memcpy(res->hash, c.hash, sizeof res->hash);
	if (o->progress != NULL)
		o->progress(o->progress_ud, c.rd.bytes_read, c.rd.bytes_total,
		    res->rows_read);
	rc = 0;
out:
	store_import_free(c.imp);
	res->seconds = rf_monotonic() - t0;
	writer_free(&c.w);
	free(c.p.text);
	reader_free(&c.rd);
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
