/* fuzz_parsers: the import sniffer and every line parser of
 * engine/ingest on arbitrary bytes, line by line as the driver feeds them
 * (blank ends trimmed, the header skipped, NUL bytes and invalid UTF-8
 * rejected first), without a store: fast, to go deep into the parsers.
 * The first byte picks the kind, format and options (tests/fuzz/fuzz.h);
 * fuzz_ingest runs the same through the whole importer. */
#include <stdio.h>
#include <stdlib.h>

#include "engine/ingest/parser.h"
#include "engine/ingest/reader.h"
#include "engine/ingest/sniff.h"
#include "engine/ingest/text.h"
#include "tests/fuzz/fuzz.h"

static void
parse_lines(parser *p, reader *rd)
{
	parsed_row row;
	line l;

	while (reader_next(rd, &l) > 0) {
		int scan;

		if (l.flags & LINE_TOO_LONG)
			continue;
		while (l.n > 0 && (l.p[l.n - 1] == '\r' ||
		    l.p[l.n - 1] == ' ' || (l.p[l.n - 1] == '\t' &&
		    p->delim != '\t')))
			l.n--;
		if (l.n == 0)
			continue;
		if (p->skip_header) {
			p->skip_header = 0;
			continue;
		}
		scan = text_scan(l.p, l.n);
		if ((scan & TEXT_HAS_NUL) || ((scan & TEXT_HAS_HIGH) &&
		    !p->latin1 && !text_utf8_valid((const unsigned char *)l.p,
		    l.n)))
			continue;
		if (p->parse(p, &l, &row) == ROW_OK && !p->items_kind &&
		    row.event.user.n == 0)
			abort();	/* an accepted event has a user */
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static idmap items;	/* empty: parsers only prefetch from it */
	ingest_opts o;
	ingest_format used;
	parser p;
	reader rd;
	rf_error err;
	int64_t rows = 0;
	const char *first;
	size_t n;
	FILE *fp;
	int kind;

	if (size < 1)
		return 0;
	fuzz_import_options(data[0], &o, &kind);
	if ((fp = fmemopen((void *)(data + 1), size - 1 ? size - 1 : 1,
	    "rb")) == NULL)
		return 0;
	memset(&p, 0, sizeof p);
	memset(&rd, 0, sizeof rd);
	p.o = &o;
	p.items_kind = kind;
	p.items = &items;
	if ((p.text = malloc(PARSER_TEXT)) != NULL && size > 1 &&
	    reader_init(&rd, fp, (int64_t)size - 1, &o, &rows) == 0) {
		first = reader_pending(&rd, &n);
		if (sniff_setup(&p, first, n, o.format, "fuzz", &used,
		    &err) == 0)
			parse_lines(&p, &rd);
	}
	reader_free(&rd);
	free(p.text);
	fclose(fp);
	return 0;
}
