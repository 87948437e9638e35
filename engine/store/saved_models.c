/* saved_models: model blobs in chunks, versions, the `models` listing
 * (see saved_models.h). */
#if !defined(_GNU_SOURCE) && !defined(_POSIX_C_SOURCE)
#define _POSIX_C_SOURCE 200809L
#endif
#include "engine/store/saved_models.h"
#include "engine/store/db.h"
#include "engine/store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct store_model_writer {
	store *st;
	sqlite3_stmt *insert_chunk;
	int64_t id;		/* saved_models.id */
	int version;
	int64_t seq;		/* of the next chunk */
	size_t chunk;		/* bytes per chunk */
	rf_buf pending;		/* the next chunk, while a write ends inside it */
};

struct store_model_reader {
	store *st;
	sqlite3_stmt *chunks;
	const unsigned char *data;	/* the current chunk (SQLite's) */
	size_t len, off;
	int done;
};

void
store_set_model_chunk(store *st, size_t bytes)
{
	st->model_chunk = bytes;
}

static int
save_fail(store *st, rf_error *err)
{
	return rf_fail(err, "saving the model: %s", sqlite3_errmsg(st->db));
}

/* Undo everything since store_model_begin. */
static void
model_writer_free(store_model_writer *w, int rollback)
{
	sqlite3_finalize(w->insert_chunk);
	if (rollback)
		sqlite3_exec(w->st->db, "ROLLBACK TO model_save", NULL, NULL,
		    NULL);
	sqlite3_exec(w->st->db, "RELEASE model_save", NULL, NULL, NULL);
	(void)store_cache_small(w->st, 0, NULL);
	rf_buf_free(&w->pending);
	free(w);
}

static int
next_version(store *st, const char *name, int *version, rf_error *err)
{
	sqlite3_stmt *s;

	*version = 1;
	if (sqlite3_prepare_v2(st->db, "SELECT coalesce(max(version), 0) + 1"
	    " FROM saved_models WHERE name = ?", -1, &s, NULL) != SQLITE_OK)
		return save_fail(st, err);
	sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
	if (sqlite3_step(s) == SQLITE_ROW)
		*version = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	return 0;
}

store_model_writer *
store_model_begin(store *st, const char *name, int64_t run_id, int format,
    rf_error *err)
{
	store_model_writer *w;
	sqlite3_stmt *s = NULL;

	if ((w = calloc(1, sizeof *w)) == NULL) {
		rf_fail(err, "saving the model: out of memory");
		return NULL;
	}
	w->st = st;
	w->chunk = st->model_chunk ? st->model_chunk : STORE_MODEL_CHUNK;
	/* A savepoint, not BEGIN: it nests in a caller's transaction. */
	if (store_cache_small(st, 1, err) < 0) {
		free(w);
		return NULL;
	}
	if (sqlite3_exec(st->db, "SAVEPOINT model_save", NULL, NULL, NULL) !=
	    SQLITE_OK) {
		save_fail(st, err);
		(void)store_cache_small(st, 0, NULL);
		free(w);
		return NULL;
	}
	if (next_version(st, name, &w->version, err) < 0)
		goto fail;
	/* The checksum comes at commit. */
	if (sqlite3_prepare_v2(st->db, "INSERT INTO saved_models(run_id, name,"
	    " version, format, checksum, created) VALUES (?,?,?,?,'',?)", -1,
	    &s, NULL) != SQLITE_OK)
		goto sql_fail;
	if (run_id > 0)
		sqlite3_bind_int64(s, 1, run_id);
	else
		sqlite3_bind_null(s, 1);
	sqlite3_bind_text(s, 2, name, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 3, w->version);
	sqlite3_bind_int(s, 4, format);
	sqlite3_bind_double(s, 5, rf_now());
	if (sqlite3_step(s) != SQLITE_DONE)
		goto sql_fail;
	sqlite3_finalize(s);
	s = NULL;
	w->id = sqlite3_last_insert_rowid(st->db);
	if (sqlite3_prepare_v2(st->db, "INSERT INTO model_chunks(model_id,"
	    " seq, data) VALUES (?,?,?)", -1, &w->insert_chunk, NULL) !=
	    SQLITE_OK)
		goto sql_fail;
	return w;
sql_fail:
	save_fail(st, err);
fail:
	sqlite3_finalize(s);
	model_writer_free(w, 1);
	return NULL;
}

static int
write_chunk(store_model_writer *w, const void *p, size_t n, rf_error *err)
{
	sqlite3_stmt *s = w->insert_chunk;
	int rc;

	sqlite3_bind_int64(s, 1, w->id);
	sqlite3_bind_int64(s, 2, w->seq);
	sqlite3_bind_blob64(s, 3, p, (sqlite3_uint64)n, SQLITE_STATIC);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return save_fail(w->st, err);
	w->seq++;
	return 0;
}

/* Whole chunks go from the caller's memory; only a chunk that a write
 * ends inside is copied, to be completed by the next write or commit. */
int
store_model_write(store_model_writer *w, const void *p, size_t n,
    rf_error *err)
{
	const unsigned char *b = p;

	while (n > 0) {
		size_t take;

		if (w->pending.len == 0 && n >= w->chunk) {
			if (write_chunk(w, b, w->chunk, err) < 0)
				return -1;
			b += w->chunk;
			n -= w->chunk;
			continue;
		}
		take = w->chunk - w->pending.len;
		if (take > n)
			take = n;
		if (rf_buf_append(&w->pending, b, take) < 0)
			return rf_fail(err, "saving the model: out of memory");
		b += take;
		n -= take;
		if (w->pending.len == w->chunk) {
			if (write_chunk(w, w->pending.data, w->pending.len,
			    err) < 0)
				return -1;
			w->pending.len = 0;
		}
	}
	return 0;
}

int
store_model_commit(store_model_writer *w, const char *checksum, int *version,
    rf_error *err)
{
	store *st = w->st;
	sqlite3_stmt *s;
	int rc;

	if (w->pending.len > 0 &&
	    write_chunk(w, w->pending.data, w->pending.len, err) < 0) {
		model_writer_free(w, 1);
		return -1;
	}
	if (sqlite3_prepare_v2(st->db, "UPDATE saved_models SET checksum = ?"
	    " WHERE id = ?", -1, &s, NULL) != SQLITE_OK) {
		save_fail(st, err);
		model_writer_free(w, 1);
		return -1;
	}
	sqlite3_bind_text(s, 1, checksum, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, w->id);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		save_fail(st, err);
		model_writer_free(w, 1);
		return -1;
	}
	if (version)
		*version = w->version;
	model_writer_free(w, 0);
	return 0;
}

void
store_model_abort(store_model_writer *w)
{
	if (w != NULL)
		model_writer_free(w, 1);
}

/* The columns every lookup of a saved model reads (length() of a blob
 * reads its size, not its bytes), then its own condition. */
#define MODEL_INFO_SELECT "SELECT m.id, m.run_id, m.version, m.format," \
	" m.checksum, (SELECT coalesce(sum(length(data)), 0) FROM" \
	" model_chunks WHERE model_id = m.id) FROM saved_models m"

/* Run the lookup sql with ?1 name and ?2 k (when k > 0) into out: 1
 * found, 0 none, -1 + err. */
static int
model_info_query(store *st, const char *sql, const char *name, int64_t k,
    store_model_info *out, rf_error *err)
{
	const unsigned char *sum;
	sqlite3_stmt *s;
	int rc;

	memset(out, 0, sizeof *out);
	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK)
		return rf_fail(err, "loading a model: %s",
		    sqlite3_errmsg(st->db));
	sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
	if (k > 0)
		sqlite3_bind_int64(s, 2, k);
	if ((rc = sqlite3_step(s)) != SQLITE_ROW) {
		sqlite3_finalize(s);
		return rc == SQLITE_DONE ? 0 : rf_fail(err, "loading a model: "
		    "%s", sqlite3_errmsg(st->db));
	}
	out->id = sqlite3_column_int64(s, 0);
	out->run_id = sqlite3_column_int64(s, 1);
	out->version = sqlite3_column_int(s, 2);
	out->format = sqlite3_column_int(s, 3);
	sum = sqlite3_column_text(s, 4);
	snprintf(out->checksum, sizeof out->checksum, "%s",
	    sum ? (const char *)sum : "");
	out->size = (uint64_t)sqlite3_column_int64(s, 5);
	sqlite3_finalize(s);
	return 1;
}

int
store_model_find(store *st, const char *name, int version,
    store_model_info *out, rf_error *err)
{
	return model_info_query(st, version > 0 ?
	    MODEL_INFO_SELECT " WHERE m.name = ?1 AND m.version = ?2" :
	    MODEL_INFO_SELECT " WHERE m.name = ?1 ORDER BY m.version DESC"
	    " LIMIT 1", name, version, out, err);
}

store_model_reader *
store_model_open(store *st, int64_t id, rf_error *err)
{
	store_model_reader *r = calloc(1, sizeof *r);

	if (r == NULL) {
		rf_fail(err, "loading a model: out of memory");
		return NULL;
	}
	r->st = st;
	if (sqlite3_prepare_v2(st->db, "SELECT data FROM model_chunks"
	    " WHERE model_id = ? ORDER BY seq", -1, &r->chunks, NULL) !=
	    SQLITE_OK) {
		rf_fail(err, "loading a model: %s", sqlite3_errmsg(st->db));
		store_model_close(r);
		return NULL;
	}
	sqlite3_bind_int64(r->chunks, 1, id);
	return r;
}

int64_t
store_model_read(store_model_reader *r, void *buf, size_t n, rf_error *err)
{
	unsigned char *to = buf;
	size_t got = 0;

	while (got < n) {
		size_t take;

		if (r->off == r->len) {
			int rc;

			if (r->done)
				break;
			rc = sqlite3_step(r->chunks);
			if (rc == SQLITE_DONE) {
				r->done = 1;
				break;
			}
			if (rc != SQLITE_ROW)
				return rf_fail(err, "loading a model: %s",
				    sqlite3_errmsg(r->st->db));
			/* The pointer first, then its size (SQLite). */
			r->data = sqlite3_column_blob(r->chunks, 0);
			r->len = (size_t)sqlite3_column_bytes(r->chunks, 0);
			r->off = 0;
			continue;
		}
		take = r->len - r->off;
		if (take > n - got)
			take = n - got;
		memcpy(to + got, r->data + r->off, take);
		r->off += take;
		got += take;
	}
	return (int64_t)got;
}

void
store_model_close(store_model_reader *r)
{
	if (r == NULL)
		return;
	sqlite3_finalize(r->chunks);
	free(r);
}

rf_table *
store_saved_models(store *st, rf_error *err)
{
	static const struct store_colspec cols[] = {
		{ "model", COL_TEXT }, { "version", COL_INT },
		{ "params", COL_TEXT }, { "seed", COL_INT },
		{ "epochs", COL_INT }, { "seconds", COL_REAL },
		{ "split", COL_TEXT }, { "metrics", COL_TEXT },
	};

	return store_table_from_query(st, "models", cols, 8,
	    "SELECT m.name, m.version, r.params, r.seed, r.epochs, r.seconds,"
	    " s.spec, r.metrics FROM saved_models m"
	    " LEFT JOIN runs r ON r.id = m.run_id"
	    " LEFT JOIN splits s ON s.id = r.split_id"
	    " ORDER BY m.name, m.version", 0, 2, err);
}

int
store_model_find_split(store *st, const char *name, int64_t split_id,
    store_model_info *out, rf_error *err)
{
	/* The newest version trained on that split, or whose run was not
	 * recorded (its header says which split it was trained on). */
	return model_info_query(st, MODEL_INFO_SELECT
	    " LEFT JOIN runs r ON r.id = m.run_id WHERE m.name = ?1 AND"
	    " (r.split_id = ?2 OR r.id IS NULL OR r.split_id IS NULL)"
	    " ORDER BY m.version DESC LIMIT 1", name, split_id, out, err);
}

int
store_model_drop(store *st, const char *name, int version, rf_error *err)
{
	store_model_info info;
	sqlite3_stmt *s;
	int rc;

	if (st->readonly)
		return rf_fail(err, "models drop: the store is read-only");
	if ((rc = store_model_find(st, name, version, &info, err)) <= 0)
		return rc;
	if (store_begin(st, err) < 0)
		return -1;
	for (int k = 0; k < 2; k++) {
		if (sqlite3_prepare_v2(st->db, k == 0 ?
		    "DELETE FROM model_chunks WHERE model_id = ?1" :
		    "DELETE FROM saved_models WHERE id = ?1", -1, &s,
		    NULL) != SQLITE_OK) {
			rf_fail(err, "models drop: %s", sqlite3_errmsg(st->db));
			store_rollback(st);
			return -1;
		}
		sqlite3_bind_int64(s, 1, info.id);
		rc = sqlite3_step(s);
		sqlite3_finalize(s);
		if (rc != SQLITE_DONE) {
			rf_fail(err, "models drop: %s", sqlite3_errmsg(st->db));
			store_rollback(st);
			return -1;
		}
	}
	return store_commit(st, err) < 0 ? -1 : 1;
}
