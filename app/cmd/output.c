/* output: table, TSV, CSV and JSON printers for batch mode. */
#include "app/cmd/output.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

/* Write n bytes of s with control characters shown as '?': cell text comes
 * from imported files and SQL, and an ESC sequence must not reach the
 * terminal (nor a newline break the columns).  keep_nl keeps '\n' and '\t'
 * (message lines).  Tables go through table_format_text(), which does the
 * same. */
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

/* Aligned columns (engine/core/table.c's layout); numbers right-aligned;
 * a last text column is printed whole and unpadded, other cells are cut
 * at MAX_CELL_WIDTH with a '~'. */
static void
print_aligned(FILE *f, const rf_table *t)
{
	rf_buf text = { 0 };

	if (table_format_text(t, MAX_CELL_WIDTH, &text) == 0 && text.len > 0)
		fwrite(text.data, 1, text.len, f);
	rf_buf_free(&text);
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

/* On a terminal only (a log or a pipe gets the final line alone): the
 * status rewritten in place on stderr, erased at the end. */
static void
batch_progress(void *ud, const char *line)
{
	static int tty = -1;

	(void)ud;
	if (tty < 0)
		tty = isatty(fileno(stderr));
	if (!tty)
		return;
	if (line != NULL) {
		fputc('\r', stderr);
		put_clean(stderr, line, strlen(line), 1);
	} else
		fputc('\r', stderr);
	fputs("\033[K", stderr);
	fflush(stderr);
}

cmd_output
output_batch(enum output_format *format)
{
	cmd_output o = { batch_text, batch_table, batch_progress, format };

	return o;
}
