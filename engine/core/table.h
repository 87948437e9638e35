/* table: a small result table (named, typed columns; text cells) that engine
 * queries fill, app/ prints as an aligned table, TSV, CSV or JSON, and views/
 * draw.  Cells are owned by the table; NULL cells are SQL NULLs. */
#ifndef RF_TABLE_H
#define RF_TABLE_H

#include <stdint.h>

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

#endif
