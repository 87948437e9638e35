/* splits: split assignments in the store (see splits.h). */
#if !defined(_GNU_SOURCE) && !defined(_POSIX_C_SOURCE)
#define _POSIX_C_SOURCE 200809L	/* strdup under -std=c11 */
#endif
#include "engine/store/splits.h"
#include "engine/store/db.h"
#include "engine/store/store.h"

#include <stdlib.h>
#include <string.h>

int64_t
store_split_insert(store *st, const char *spec, uint64_t seed,
    int64_t n_train, int64_t n_valid, int64_t n_test, const uint8_t *assign,
    int64_t n, rf_error *err)
{
	sqlite3_stmt *q;

	if (sqlite3_prepare_v2(st->db, "INSERT INTO splits(spec, seed, created,"
	    " n_train, n_valid, n_test, assignment) VALUES (?,?,?,?,?,?,?)",
	    -1, &q, NULL) != SQLITE_OK)
		return rf_fail(err, "split: %s", sqlite3_errmsg(st->db));
	sqlite3_bind_text(q, 1, spec, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(q, 2, (sqlite3_int64)seed);
	sqlite3_bind_double(q, 3, rf_now());
	sqlite3_bind_int64(q, 4, n_train);
	sqlite3_bind_int64(q, 5, n_valid);
	sqlite3_bind_int64(q, 6, n_test);
	sqlite3_bind_blob64(q, 7, assign, (sqlite3_uint64)n, SQLITE_STATIC);
	if (sqlite3_step(q) != SQLITE_DONE) {
		rf_fail(err, "split: saving: %s", sqlite3_errmsg(st->db));
		sqlite3_finalize(q);
		return -1;
	}
	sqlite3_finalize(q);
	return sqlite3_last_insert_rowid(st->db);
}

int
store_split_get(store *st, int64_t id, char **spec, uint8_t **assign,
    int64_t *n, int64_t counts[3], rf_error *err)
{
	const char *text;
	const void *blob;
	sqlite3_stmt *q;
	int rc;

	*spec = NULL;
	*assign = NULL;
	*n = 0;
	counts[0] = counts[1] = counts[2] = -1;
	if (sqlite3_prepare_v2(st->db, "SELECT spec, assignment, n_train,"
	    " n_valid, n_test FROM splits WHERE id = ?", -1, &q, NULL) !=
	    SQLITE_OK)
		return rf_fail(err, "split: %s", sqlite3_errmsg(st->db));
	sqlite3_bind_int64(q, 1, id);
	if ((rc = sqlite3_step(q)) != SQLITE_ROW) {
		sqlite3_finalize(q);
		if (rc == SQLITE_DONE)
			return 0;
		return rf_fail(err, "split %lld: %s", (long long)id,
		    sqlite3_errmsg(st->db));
	}
	text = (const char *)sqlite3_column_text(q, 0);
	blob = sqlite3_column_blob(q, 1);	/* before its size (SQLite) */
	*n = sqlite3_column_bytes(q, 1);
	if ((*spec = strdup(text ? text : "")) == NULL ||
	    (*assign = malloc((size_t)(*n ? *n : 1))) == NULL) {
		sqlite3_finalize(q);
		free(*spec);
		*spec = NULL;
		return rf_fail(err, "split: out of memory");
	}
	if (*n)
		memcpy(*assign, blob, (size_t)*n);
	for (int c = 0; c < 3; c++)
		if (sqlite3_column_type(q, 2 + c) != SQLITE_NULL)
			counts[c] = sqlite3_column_int64(q, 2 + c);
	sqlite3_finalize(q);
	return 1;
}

int64_t
store_split_latest(store *st, int64_t n)
{
	sqlite3_stmt *q;
	int64_t id = 0;

	/* Made for data of this size by its recorded counts, or by the
	 * length of its assignment: a split whose assignment was damaged
	 * is still found (and then reported as damaged), not passed
	 * over. */
	if (sqlite3_prepare_v2(st->db, "SELECT id FROM splits WHERE"
	    " length(assignment) = ?1 OR coalesce(n_train, 0) +"
	    " coalesce(n_valid, 0) + coalesce(n_test, 0) = ?1"
	    " ORDER BY id DESC LIMIT 1", -1, &q, NULL) != SQLITE_OK)
		return 0;
	sqlite3_bind_int64(q, 1, n);
	if (sqlite3_step(q) == SQLITE_ROW)
		id = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	return id;
}

int
store_split_ids(store *st, int64_t **ids, int *n, rf_error *err)
{
	sqlite3_stmt *q;
	int64_t *v = NULL;
	int cap = 0, rc;

	*ids = NULL;
	*n = 0;
	if (sqlite3_prepare_v2(st->db, "SELECT id FROM splits ORDER BY id",
	    -1, &q, NULL) != SQLITE_OK)
		return rf_fail(err, "splits: %s", sqlite3_errmsg(st->db));
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		if (*n == cap) {
			int64_t *nv;

			cap = cap ? cap * 2 : 16;
			if ((nv = realloc(v, (size_t)cap * sizeof *v)) == NULL) {
				free(v);
				sqlite3_finalize(q);
				*n = 0;
				return rf_fail(err, "splits: out of memory");
			}
			v = nv;
		}
		v[(*n)++] = sqlite3_column_int64(q, 0);
	}
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE) {
		free(v);
		*n = 0;
		return rf_fail(err, "splits: %s", sqlite3_errmsg(st->db));
	}
	*ids = v;
	return 0;
}
