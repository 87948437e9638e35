/* db: the store's connection helpers shared by its query files (see db.h). */
#include "engine/store/db.h"
#include "engine/store/store.h"

#define DB_STR_(x)	#x
#define DB_STR(x)	DB_STR_(x)

void
store_release_memory(store *st)
{
	sqlite3_db_release_memory(store_db(st));
}

int
store_cache_small(store *st, int small, rf_error *err)
{
	if (sqlite3_exec(store_db(st), small ? "PRAGMA cache_size = -"
	    DB_STR(STORE_IMPORT_CACHE_KIB) : "PRAGMA cache_size = -"
	    DB_STR(STORE_CACHE_KIB), NULL, NULL, NULL) != SQLITE_OK)
		return store_fail(st, err, "setting the page cache");
	if (!small)
		store_release_memory(st);
	return 0;
}

sqlite3 *
store_db(store *st)
{
	return st->db;
}

int
store_fail(store *st, rf_error *err, const char *what)
{
	return rf_fail(err, "%s: %s: %s", st->path, what,
	    sqlite3_errmsg(st->db));
}

sqlite3_stmt *
store_prepare(store *st, const char *sql, rf_error *err)
{
	sqlite3_stmt *s;

	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK) {
		store_fail(st, err, "query failed");
		return NULL;
	}
	return s;
}

int64_t
store_query_int(store *st, const char *sql)
{
	sqlite3_stmt *s;
	int64_t v = -1;

	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return v;
}

rf_table *
store_table_from_query(store *st, const char *title,
    const struct store_colspec *cols, int ncols, const char *sql,
    int64_t bind, int decimals, rf_error *err)
{
	sqlite3_stmt *s = store_prepare(st, sql, err);
	rf_table *t = NULL;
	int i, rc = 0;

	if (s == NULL)
		return NULL;
	if (sqlite3_bind_parameter_count(s) > 0)
		sqlite3_bind_int64(s, 1, bind);
	if ((t = table_new(title)) == NULL)
		goto oom;
	for (i = 0; i < ncols; i++)
		if (table_add_column(t, cols[i].name, cols[i].type) < 0)
			goto oom;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (table_begin_row(t) < 0)
			goto oom;
		for (i = 0; i < ncols; i++) {
			int r;

			if (sqlite3_column_type(s, i) == SQLITE_NULL)
				r = table_cell_null(t);
			else if (cols[i].type == COL_REAL)
				r = table_cell_real(t,
				    sqlite3_column_double(s, i), decimals);
			else
				r = table_cell_text(t, (const char *)
				    sqlite3_column_text(s, i));
			if (r < 0)
				goto oom;
		}
	}
	if (rc != SQLITE_DONE) {
		store_fail(st, err, title);
		goto fail;
	}
	sqlite3_finalize(s);
	return t;
oom:
	rf_fail(err, "%s: out of memory", title);
fail:
	sqlite3_finalize(s);
	table_free(t);
	return NULL;
}
