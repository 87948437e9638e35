/* saved_models: trained models kept in the store, versioned per model name,
 * their bytes written and read in pieces (model_chunks) so that a model of
 * any size fits, whatever SQLite's 1 GB limit on one value. */
#ifndef RF_STORE_SAVED_MODELS_H
#define RF_STORE_SAVED_MODELS_H

#include <stddef.h>
#include <stdint.h>

#include "engine/core/rf.h"
#include "engine/core/table.h"
#include "engine/store/store.h"

/* Bytes per chunk: far under SQLite's limit, large enough that a chunk
 * row costs nothing next to its data, small because writing one takes
 * SQLite several times its size (the record it builds, its pages): at 64
 * MB a 1.3 GB ALS model's save peaked 96 MB higher. */
#define STORE_MODEL_CHUNK ((size_t)16 << 20)

/*
 * Writing: begin (the next version of `name`), write the bytes in as many
 * pieces as the caller likes, then commit with the checksum of all of
 * them (the caller's: the store does not read the bytes), or abort.  The
 * model appears whole at commit or not at all (a savepoint).  Errors:
 * "saving the model: ...".  Commit and abort free the writer.
 */
typedef struct store_model_writer store_model_writer;

store_model_writer *store_model_begin(store *st, const char *name,
    int64_t run_id, int format, rf_error *err);
int store_model_write(store_model_writer *w, const void *p, size_t n,
    rf_error *err);
int store_model_commit(store_model_writer *w, const char *checksum,
    int *version, rf_error *err);
void store_model_abort(store_model_writer *w);

/* A saved model's row; size is the sum of its chunks. */
typedef struct store_model_info {
	int64_t id;
	int64_t run_id;		/* 0 when not recorded */
	int version, format;
	char checksum[64];
	uint64_t size;
} store_model_info;

/* The saved model `name` of that version (version <= 0: the newest).
 * 1 found, 0 none, -1 + err ("loading a model: ..."). */
int store_model_find(store *st, const char *name, int version,
    store_model_info *out, rf_error *err);

/* The newest version of `name` trained on split split_id (or whose run
 * was not recorded).  1 found, 0 none, -1 + err. */
int store_model_find_split(store *st, const char *name, int64_t split_id,
    store_model_info *out, rf_error *err);

/* Remove the saved model `name` of that version (its chunks too): 1
 * removed, 0 no such version, -1 + err. */
int store_model_drop(store *st, const char *name, int version,
    rf_error *err);

/* Reading a saved model's bytes in order, in pieces of any size:
 * store_model_read fills up to n bytes and returns how many (fewer only
 * at the end; 0 past it), -1 + err. */
typedef struct store_model_reader store_model_reader;

store_model_reader *store_model_open(store *st, int64_t id, rf_error *err);
int64_t store_model_read(store_model_reader *r, void *buf, size_t n,
    rf_error *err);
void store_model_close(store_model_reader *r);

/* One row per saved model, by name and version: model, version, and from
 * its run params, seed, epochs, seconds, split (spec), metrics (NULL when
 * not recorded). */
rf_table *store_saved_models(store *st, rf_error *err);

/* Chunk size of the models this store writes from now on (0: the
 * default); for tests, which cover several chunks with small models. */
void store_set_model_chunk(store *st, size_t bytes);

#endif
