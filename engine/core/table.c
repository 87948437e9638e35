/* table: result tables shared by the engine, the printers and the views. */
#include "engine/core/table.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
