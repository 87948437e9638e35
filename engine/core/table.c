/* table: result tables shared by the engine, the printers and the views. */
#include "engine/core/table.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/core/utf8.h"

void
table_csv_field(FILE *f, const char *s)
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

rf_table *
table_new(const char *title)
{
	rf_table *t = calloc(1, sizeof *t);

	if (t == NULL)
		return NULL;
	if (title != NULL && (t->title = strdup(title)) == NULL) {
		free(t);
		return NULL;
	}
	return t;
}

void
table_free(rf_table *t)
{
	int i;

	if (t == NULL)
		return;
	for (i = 0; i < t->nrows * t->ncols; i++)
		free(t->cells[i]);
	for (i = 0; i < t->ncols; i++)
		free(t->names[i]);
	free(t->cells);
	free(t->names);
	free(t->types);
	free(t->title);
	free(t);
}

int
table_add_column(rf_table *t, const char *name, col_type type)
{
	char **names;
	col_type *types;

	if (t->nrows > 0)
		return -1;	/* columns come first */
	names = realloc(t->names, (size_t)(t->ncols + 1) * sizeof *names);
	if (names == NULL)
		return -1;
	t->names = names;
	types = realloc(t->types, (size_t)(t->ncols + 1) * sizeof *types);
	if (types == NULL)
		return -1;
	t->types = types;
	if ((t->names[t->ncols] = strdup(name)) == NULL)
		return -1;
	t->types[t->ncols] = type;
	t->ncols++;
	return 0;
}

int
table_begin_row(rf_table *t)
{
	if (t->ncols == 0)
		return -1;
	if (t->nrows == t->cap_rows) {
		int cap = t->cap_rows ? t->cap_rows * 2 : 16;
		char **cells = realloc(t->cells,
		    (size_t)cap * (size_t)t->ncols * sizeof *cells);

		if (cells == NULL)
			return -1;
		t->cells = cells;
		t->cap_rows = cap;
	}
	memset(t->cells + (size_t)t->nrows * t->ncols, 0,
	    (size_t)t->ncols * sizeof *t->cells);
	t->nrows++;
	t->cur_col = 0;
	return 0;
}

static int
put_cell(rf_table *t, char *owned)
{
	if (t->nrows == 0 || t->cur_col >= t->ncols) {
		free(owned);
		return -1;
	}
	t->cells[(size_t)(t->nrows - 1) * t->ncols + t->cur_col++] = owned;
	return 0;
}

int
table_cell_text(rf_table *t, const char *s)
{
	char *d = NULL;

	if (s != NULL && (d = strdup(s)) == NULL)
		return -1;
	return put_cell(t, d);
}

int
table_cell_int(rf_table *t, int64_t v)
{
	char buf[32];

	snprintf(buf, sizeof buf, "%" PRId64, v);
	return table_cell_text(t, buf);
}

int
table_cell_real(rf_table *t, double v, int decimals)
{
	char buf[64];

	if (isnan(v))
		return table_cell_null(t);
	snprintf(buf, sizeof buf, "%.*f", decimals, v);
	return table_cell_text(t, buf);
}

int
table_cell_null(rf_table *t)
{
	return put_cell(t, NULL);
}

const char *
table_get(const rf_table *t, int row, int col)
{
	if (row < 0 || row >= t->nrows || col < 0 || col >= t->ncols)
		return NULL;
	return t->cells[(size_t)row * t->ncols + col];
}

/* --- the table as aligned text ------------------------------------------- */

void
table_column_widths(const rf_table *t, const int *cols, int ncols, int first,
    int nrows, int *widths)
{
	if (cols == NULL)
		ncols = t->ncols;
	for (int i = 0; i < ncols; i++) {
		int c = cols ? cols[i] : i;

		widths[i] = utf8_width(t->names[c]);
		for (int r = first; r < t->nrows && r < first + nrows; r++) {
			const char *cell = table_get(t, r, c);
			int w = utf8_width(cell ? cell : "-");

			if (w > widths[i])
				widths[i] = w;
		}
	}
}

/* Append n bytes of s with control characters shown as '?': cells come
 * from imported files and SQL, and an escape sequence must not reach a
 * terminal (nor a newline break the columns). */
static int
append_clean(rf_buf *out, const char *s, size_t n)
{
	size_t start = out->len;

	if (rf_buf_append(out, s, n) < 0)
		return -1;
	for (size_t i = start; i < out->len; i++)
		if (out->data[i] < 0x20 || out->data[i] == 0x7f)
			out->data[i] = '?';
	return 0;
}

static int
append_blanks(rf_buf *out, int n)
{
	static const char blanks[] = "                ";

	for (; n > 0; n -= 16)
		if (rf_buf_append(out, blanks, n < 16 ? (size_t)n : 16) < 0)
			return -1;
	return 0;
}

/* One cell padded to width columns (cut with '~' when wider). */
static int
append_cell(rf_buf *out, const char *s, int width, int right)
{
	size_t bytes;
	int w = utf8_fit(s, width, &bytes), cut = bytes < strlen(s);

	if (cut)	/* room for the '~' that marks the cut */
		w = utf8_fit(s, width - 1, &bytes);
	if ((right && append_blanks(out, width - w - cut) < 0) ||
	    append_clean(out, s, bytes) < 0 ||
	    (cut && rf_buf_append(out, "~", 1) < 0) ||
	    (!right && append_blanks(out, width - w - cut) < 0))
		return -1;
	return 0;
}

int
table_format_text(const rf_table *t, int max_width, rf_buf *out)
{
	int *width, rc = 0;

	if (t->ncols == 0)
		return 0;
	if ((width = calloc((size_t)t->ncols, sizeof *width)) == NULL)
		return -1;
	table_column_widths(t, NULL, t->ncols, 0, t->nrows, width);
	for (int c = 0; c < t->ncols && max_width > 0; c++)
		if (width[c] > max_width)
			width[c] = max_width;
	for (int r = -1; r < t->nrows && rc == 0; r++) {
		for (int c = 0; c < t->ncols && rc == 0; c++) {
			const char *s = r < 0 ? t->names[c] :
			    table_get(t, r, c);
			int right = t->types[c] != COL_TEXT;

			if (s == NULL)
				s = "-";
			if (c > 0)
				rc = rf_buf_append(out, "  ", 2);
			if (rc == 0 && c == t->ncols - 1 && !right)
				rc = append_clean(out, s, strlen(s));
			else if (rc == 0)
				rc = append_cell(out, s, width[c], right);
		}
		if (rc == 0)
			rc = rf_buf_append(out, "\n", 1);
	}
	free(width);
	return rc < 0 ? -1 : 0;
}
