/* train: run a model's epochs, synchronously (batch mode) or on a
 * background thread (the TUI), reporting one small event per epoch (loss,
 * validation metric, time) through a cheap callback or a queue with a
 * wake-up pipe; record runs and epochs in the store and save the trained
 * model as a versioned, checksummed blob. */
#ifndef RF_TRAIN_H
#define RF_TRAIN_H

#include <stdint.h>

#include "engine/data/dataset.h"
#include "engine/eval/metrics.h"
#include "engine/models/model.h"
#include "engine/core/rf.h"
#include "engine/store/store.h"

enum train_event_kind {
	TRAIN_EPOCH,		/* one epoch finished */
	TRAIN_DONE,		/* all epochs finished */
	TRAIN_CANCELLED,	/* stopped; the model keeps its last good epoch */
	TRAIN_FAILED,		/* msg says why; no model */
	TRAIN_SEARCH,		/* --search tried one setting: msg has it
				 * ("reg=5"), valid_metric its figure; epoch
				 * counts the tries, loss is 1 when it is the
				 * best so far */
	TRAIN_CHOICE		/* the same for a scoring parameter tried
				 * on the fitted model after the last epoch
				 * (model_search.scoring) */
};

typedef struct train_event {
	enum train_event_kind kind;
	char model[32];
	int epoch;		/* 0-based; for DONE/CANCELLED: epochs completed */
	double loss;		/* mean training loss of the epoch */
	double valid_metric;	/* NDCG@10 (top-N) or RMSE (ratings) on the
				 * valid part; NAN without one */
	double seconds;		/* of this epoch (DONE: total) */
	char msg[256];		/* FAILED: the error */
} train_event;

typedef void (*train_callback)(void *ud, const train_event *ev);

/* Which validation measure a model gets on this data: RMSE when the data
 * are ratings and the model predicts them, else NDCG@10. */
int train_valid_is_rmse(const model_ops *ops, const dataset *ds);

/* The most parameters a model has (room for per-parameter flags). */
#define TRAIN_MAX_PARAMS 64

typedef struct train_spec {
	const model_ops *ops;
	const double *params;		/* (ops->nparams), range-checked */
	int epochs;
	uint64_t seed;
	const dataset *ds;
	const interactions *train;	/* with transpose */
	const interactions *valid;	/* NULL or no entries: no valid metric */
	int valid_k;			/* 10 */
	int valid_max_users;		/* 0 = all; else an evenly spaced
					 * subset (big data) */
	/* --search: before the run, try the values of ops->search one
	 * parameter at a time (from params, keeping the best on the valid
	 * part) and train with the best; parameters with fixed[k] set (the
	 * ones the user gave) are not searched.  Needs a valid part. */
	int search;
	const unsigned char *fixed;	/* (nparams) or NULL */
} train_spec;

/* Check params against the model's ranges; the message lists the valid
 * parameters with their ranges. */
int train_check_params(const model_ops *ops, const double *params,
    rf_error *err);
/* Parse "name=value" into params (defaults filled by the caller). */
int train_parse_param(const model_ops *ops, const char *assign,
    double *params, rf_error *err);
/* "factors=64 reg=0.01" (every parameter; %g). */
void train_params_text(const model_ops *ops, const double *params, char *buf,
    size_t n);
/* "factors (int, 1..1024, default 64): ..." lines joined by '\n'. */
void train_params_help(const model_ops *ops, char *buf, size_t n);

/*
 * Create the model and run spec->epochs epochs, calling cb after each
 * (from the calling thread) and once with DONE/CANCELLED/FAILED.  cancel
 * is checked between mini-batches (by the model) and between epochs; a
 * cancel returns the model after its last completed epoch (*cancelled =
 * 1), or NULL with a message when no epoch completed.  NULL + err on
 * failure.
 */
model *train_run(const train_spec *spec, train_callback cb, void *ud,
    const volatile int *cancel, int *cancelled, rf_error *err);

/* The same on a background thread.  Events queue up behind a mutex; each
 * push writes one byte to a pipe whose read end train_job_fd() gives for
 * poll().  train_job_poll() drains up to max events (and the pipe) without
 * blocking; train_job_done() is true once the final event was queued;
 * train_job_join() waits and returns the model (NULL + err on failure or
 * a cancel before the first epoch).  The spec's data must outlive the job. */
typedef struct train_job train_job;

train_job *train_job_start(const train_spec *spec, rf_error *err);
int train_job_fd(const train_job *job);
int train_job_poll(train_job *job, train_event *evs, int max);
int train_job_done(train_job *job);
/* The pipe made readable again: for a reader that looked at done, then
 * polled and so read the wake-up of an end it had not seen. */
void train_job_wake(train_job *job);
void train_job_cancel(train_job *job);
model *train_job_join(train_job *job, int *cancelled, rf_error *err);
/* Frees the job (joins the thread first; a model not taken is freed). */
void train_job_free(train_job *job);

/*
 * Store records (main thread only: the connection is not shared).
 * runs.status: 'running', 'done', 'cancelled', 'failed'.
 */
int64_t train_record_start(store *st, const model_ops *ops,
    const double *params, uint64_t seed, int64_t split_id, rf_error *err);
int train_record_epoch(store *st, int64_t run_id, const train_event *ev,
    rf_error *err);
int train_record_finish(store *st, int64_t run_id, const char *status,
    int epochs, double seconds, const metrics *final, rf_error *err);

/*
 * Saved models.  Blob = header + ops->save() bytes:
 *   "RFMODEL1", int32 n_users, n_items, nparams, epochs_done,
 *   int64 nnz of the whole dataset, train nnz, split id, seed,
 *   double params[nparams], then the model's own bytes.
 * checksum = hex FNV-1a 64 of the whole blob; version = max + 1 per name.
 */
typedef struct model_fingerprint {
	int32_t n_users, n_items;
	int64_t nnz, train_nnz, split_id;
} model_fingerprint;

int train_save_model(store *st, int64_t run_id, const model *m,
    const model_fingerprint *fp, int *version, rf_error *err);
/* The blob of a model (header and the model's own bytes) appended to b,
 * which is freed on failure; what train_save_model stores. */
int train_model_to_bytes(const model *m, const model_fingerprint *fp,
    rf_buf *b, rf_error *err);
/* A model from a saved blob's bytes (the checksum already checked; name,
 * the model's own, and version name it in messages): the header must
 * match fp (NULL: not checked), the parameters must be in their `train`
 * ranges, then the model's own load reads the rest.  NULL + err
 * otherwise. */
model *train_model_from_bytes(const model_ops *ops, const char *name,
    int version, const unsigned char *data, size_t len, const dataset *ds,
    const interactions *train, const model_fingerprint *fp, rf_error *err);
/* Load the newest saved version of the model (or that version when > 0)
 * if its checksum and fingerprint match; NULL + err otherwise.  *run_id
 * and *version_out (may be NULL) get where it came from. */
model *train_load_model(store *st, const model_ops *ops, int version,
    const dataset *ds, const interactions *train, const model_fingerprint *fp,
    int64_t *run_id, int *version_out, rf_error *err);
/* The same for a model saved under a name of its own (one imported); fp
 * NULL: not checked (the model maps its rows by external id itself). */
model *train_load_model_as(store *st, const model_ops *ops, const char *name,
    int version, const dataset *ds, const interactions *train,
    const model_fingerprint *fp, int64_t *run_id, int *version_out,
    rf_error *err);

/* What looking for a saved model found. */
typedef enum train_found {
	LOAD_FOUND,		/* loaded */
	LOAD_NONE,		/* nothing saved for this split */
	LOAD_OTHER_DATA,	/* saved, but for other data */
	LOAD_DAMAGED,		/* saved and damaged: its bytes, header or
				 * parameters do not hold (err says how) */
	LOAD_FAILED		/* this machine failed (memory, the store) */
} train_found;

/* The newest version of `name` saved for split split_id (split_id <= 0:
 * the newest of all) loaded as ops, with what was found in *found; NULL
 * + err unless LOAD_FOUND.  *version_out gets the version looked at
 * whenever one was (a damaged one too). */
model *train_load_saved(store *st, const model_ops *ops, const char *name,
    int64_t split_id, const dataset *ds, const interactions *train,
    const model_fingerprint *fp, int64_t *run_id, int *version_out,
    train_found *found, rf_error *err);
/* Version `version` of `name` checked as a load would: its bytes against
 * their checksum, its header and parameters, and, when it was saved for
 * the data of fp, loaded in full (then freed).  LOAD_FOUND: loads;
 * LOAD_OTHER_DATA: sound, saved for other data; else err says what. */
train_found train_verify_saved(store *st, const model_ops *ops,
    const char *name, int version, const dataset *ds,
    const interactions *train, const model_fingerprint *fp, rf_error *err);

#endif
