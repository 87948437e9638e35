/* output: table, TSV, CSV and JSON printers for batch mode. */
#include "app/cmd/output.h"

#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#define MAX_CELL_WIDTH 60

int
output_format_parse(const char *name)
{
	if (strcmp(name, "table") == 0)
		return OUT_TABLE;
	if (strcmp(name, "tsv") == 0)
		return OUT_TSV;
	if (strcmp(name, "csv") == 0)
		return OUT_CSV;
	if (strcmp(name, "json") == 0)
		return OUT_JSON;
	return -1;
}

/* Width of the first bytes of s up to max columns; *bytes gets the byte
 * length that fits.  Invalid UTF-8 counts one column a byte. */
static int
text_width_upto(const char *s, int max, size_t *bytes)
{
	mbstate_t st;
	size_t i = 0, len = strlen(s);
	int w = 0;

	memset(&st, 0, sizeof st);
	while (i < len) {
		wchar_t wc;
		size_t n = mbrtowc(&wc, s + i, len - i, &st);
		int cw;

		if (n == (size_t)-1 || n == (size_t)-2) {
			memset(&st, 0, sizeof st);
			n = 1;
			cw = 1;
		} else {
			if (n == 0)
				n = 1;
			cw = wcwidth(wc);
			if (cw < 0)
				cw = 1;
		}
		if (w + cw > max)
			break;
		w += cw;
		i += n;
	}
	if (bytes != NULL)
		*bytes = i;
	return w;
}

int
output_text_width(const char *s)
{
	return text_width_upto(s, 1 << 30, NULL);
}

/* Write n bytes of s with control characters shown as '?': cell text comes
 * from imported files and SQL, and an ESC sequence must not reach the
 * terminal (nor a newline break the columns).  keep_nl keeps '\n' and '\t'
 * (message lines). */
static void
put_clean(FILE *f, const char *s, size_t n, int keep_nl)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if ((c < 0x20 && !(keep_nl && (c == '\n' || c == '\t'))) ||
		    c == 0x7f)
			c = '?';
		fputc(c, f);
	}
}

static void
print_padded(FILE *f, const char *s, int width, int right)
{
	size_t bytes;
	int w = text_width_upto(s, width, &bytes);
	int cut = bytes < strlen(s);

	if (cut) {
		/* leave room for the '~' that marks a cut cell */
		w = text_width_upto(s, width - 1, &bytes);
	}
	if (right)
		fprintf(f, "%*s", width - w - cut, "");
	put_clean(f, s, bytes, 0);
	if (cut)
		fputc('~', f);
	if (!right)
		fprintf(f, "%*s", width - w - cut, "");
}

/* Aligned columns; numbers right-aligned; a last text column is printed
 * whole and unpadded, other cells are cut at MAX_CELL_WIDTH with a '~'. */
static void
print_aligned(FILE *f, const rf_table *t)
{
	int *width = calloc((size_t)t->ncols, sizeof *width);

	if (width == NULL)
		return;
	for (int c = 0; c < t->ncols; c++) {
		width[c] = output_text_width(t->names[c]);
		for (int r = 0; r < t->nrows; r++) {
			const char *s = table_get(t, r, c);
			int w = output_text_width(s ? s : "-");

			if (w > width[c])
				width[c] = w;
		}
		if (width[c] > MAX_CELL_WIDTH)
			width[c] = MAX_CELL_WIDTH;
	}
	for (int r = -1; r < t->nrows; r++) {
		for (int c = 0; c < t->ncols; c++) {
			const char *s = r < 0 ? t->names[c] : table_get(t, r, c);
			int right = t->types[c] != COL_TEXT;

			if (s == NULL)
				s = "-";
			if (c > 0)
				fputs("  ", f);
			if (c == t->ncols - 1 && !right)
				put_clean(f, s, strlen(s), 0);
			else
				print_padded(f, s, width[c], right);
		}
		fputc('\n', f);
	}
	free(width);
}

static void
print_tsv_cell(FILE *f, const char *s)
{
	for (; *s != '\0'; s++) {
		switch (*s) {
		case '\t': fputs("\\t", f); break;
		case '\n': fputs("\\n", f); break;
		case '\r': fputs("\\r", f); break;
		case '\\': fputs("\\\\", f); break;
		default: fputc(*s, f);
		}
	}
}

static void
print_csv_cell(FILE *f, const char *s)
{
	if (strpbrk(s, ",\"\r\n") == NULL) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s != '\0'; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

static void
print_json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", f);
		else if (c == '\t')
			fputs("\\t", f);
		else if (c == '\r')
			fputs("\\r", f);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

/* A numeric column's cell is printed bare only when it is a JSON number. */
static int
is_json_number(const char *s)
{
	char *end;

	if (*s == '\0' || strcmp(s, "nan") == 0 || strcmp(s, "inf") == 0 ||
	    strcmp(s, "-inf") == 0)
		return 0;
	strtod(s, &end);
	return *end == '\0' && (s[0] == '-' || (s[0] >= '0' && s[0] <= '9'));
}

static void
print_json(FILE *f, const rf_table *t)
{
	fputc('[', f);
	for (int r = 0; r < t->nrows; r++) {
		fputs(r ? ",\n {" : "{", f);
		for (int c = 0; c < t->ncols; c++) {
			const char *s = table_get(t, r, c);

			if (c > 0)
				fputs(", ", f);
			print_json_string(f, t->names[c]);
			fputs(": ", f);
			if (s == NULL)
				fputs("null", f);
			else if (t->types[c] != COL_TEXT && is_json_number(s))
				fputs(s, f);
			else
				print_json_string(f, s);
		}
		fputc('}', f);
	}
	fputs("]\n", f);
}

void
output_table(FILE *f, const rf_table *t, enum output_format format)
{
	switch (format) {
	case OUT_TABLE:
		print_aligned(f, t);
		break;
	case OUT_TSV:
	case OUT_CSV:
		for (int c = 0; c < t->ncols; c++) {
			if (c > 0)
				fputc(format == OUT_TSV ? '\t' : ',', f);
			(format == OUT_TSV ? print_tsv_cell :
			    print_csv_cell)(f, t->names[c]);
		}
		fputc('\n', f);
		for (int r = 0; r < t->nrows; r++) {
			for (int c = 0; c < t->ncols; c++) {
				const char *s = table_get(t, r, c);

				if (c > 0)
					fputc(format == OUT_TSV ? '\t' : ',',
					    f);
				if (s != NULL)
					(format == OUT_TSV ? print_tsv_cell :
					    print_csv_cell)(f, s);
			}
			fputc('\n', f);
		}
		break;
	case OUT_JSON:
		print_json(f, t);
		break;
	}
	fflush(f);
}

static void
batch_text(void *ud, int is_error, const char *line)
{
	const enum output_format *format = ud;

	if (is_error) {
		fflush(stdout);
		fputs("recfuse: ", stderr);
		put_clean(stderr, line, strlen(line), 1);
		fputc('\n', stderr);
	} else {
		FILE *f = *format == OUT_TABLE ? stdout : stderr;

		put_clean(f, line, strlen(line), 1);
		fputc('\n', f);
		fflush(f);
	}
}

static void
batch_table(void *ud, const rf_table *t)
{
	const enum output_format *format = ud;

	output_table(stdout, t, *format);
}

cmd_output
output_batch(enum output_format *format)
{
	cmd_output o = { batch_text, batch_table, format };

	return o;
}
