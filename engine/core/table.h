/* table: a small result table (named, typed columns; text cells) that engine
 * queries fill, app/ prints as an aligned table, TSV, CSV or JSON, and views/
 * draw.  Cells are owned by the table; NULL cells are SQL NULLs. */
#ifndef RF_TABLE_H
#define RF_TABLE_H

#include <stdint.h>
#include <stdio.h>

#include "engine/core/rf.h"

typedef enum col_type { COL_TEXT, COL_INT, COL_REAL } col_type;

typedef struct rf_table {
	char *title;		/* may be NULL */
	int ncols, nrows;
	char **names;		/* (ncols) */
	col_type *types;	/* (ncols) */
	char **cells;		/* (nrows, ncols), row-major; NULL = null */
	int cap_rows;
	int cur_col;		/* next cell to fill in the last row */
} rf_table;

rf_table *table_new(const char *title);
void table_free(rf_table *t);
int table_add_column(rf_table *t, const char *name, col_type type);
/* Start a new row; the cells are then filled left to right. */
int table_begin_row(rf_table *t);
int table_cell_text(rf_table *t, const char *s);	/* s may be NULL */
int table_cell_int(rf_table *t, int64_t v);
int table_cell_real(rf_table *t, double v, int decimals);
int table_cell_null(rf_table *t);
const char *table_get(const rf_table *t, int row, int col);

/* A cell as a CSV field (RFC 4180): quoted when it holds a comma, a
 * quote or a line end, a quote doubled inside. */
void table_csv_field(FILE *f, const char *s);

/* The one layout of a table as text (the batch printer, the Log, the
 * views' tables): column widths in terminal columns, numbers
 * right-aligned, a header line, two blanks between columns. */

/* The natural width of columns cols[0..ncols) (every column when cols is
 * NULL) over the header and rows [first, first + nrows): the widest of the
 * name and the cells (a NULL cell shows as "-"), into widths[]. */
void table_column_widths(const rf_table *t, const int *cols, int ncols,
    int first, int nrows, int *widths);
/* The whole table as aligned lines ('\n'-terminated) appended to out;
 * max_width > 0 caps a column, its cells cut with a '~'; a last text
 * column is written whole and unpadded; control characters become '?'.
 * -1 when out of memory. */
int table_format_text(const rf_table *t, int max_width, rf_buf *out);

#endif
