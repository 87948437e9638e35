/* workbench: the one struct that owns the open store, the dataset snapshot,
 * the current split, the trained models and (later) the fusion settings.
 * Commands change it; views read it.  No terminal code. */
#ifndef RF_WORKBENCH_H
#define RF_WORKBENCH_H

#include "engine/dataset.h"
#include "engine/metrics.h"
#include "engine/models/model.h"
#include "engine/rf.h"
#include "engine/split.h"
#include "engine/store.h"
#include "engine/table.h"
#include "engine/train.h"

typedef struct workbench workbench;

workbench *workbench_open(const char *path, int store_flags, rf_error *err);
void workbench_close(workbench *wb);
store *workbench_store(workbench *wb);

/* The data changed (an import): drop the snapshot and what hangs on it
 * (split, models; a running training job is cancelled and joined). */
void workbench_data_changed(workbench *wb);

/* The snapshot, built from the store on first need (NULL + err when the
 * store has no events or the build fails). */
dataset *workbench_dataset(workbench *wb, rf_error *err);
/* The snapshot if already built, else NULL (for views: never builds). */
const dataset *workbench_dataset_peek(const workbench *wb);

/* The current split.  workbench_ensure_split() builds the snapshot and,
 * when no split was made in this session, restores the newest stored
 * split that fits the snapshot or else uses "none" (all data in train). */
int workbench_ensure_split(workbench *wb, rf_error *err);
const split *workbench_split(const workbench *wb);	/* NULL before */
/* Make, store (when writable) and switch to a new split; the models
 * trained on the previous split are dropped from memory. */
int workbench_set_split(workbench *wb, const split_spec *spec,
    rf_error *err);
/* Parts of the current split (same dimensions as the dataset; train has
 * its transpose).  NULL before a split. */
const interactions *workbench_train_part(const workbench *wb);
const interactions *workbench_valid_part(const workbench *wb);
const interactions *workbench_test_part(const workbench *wb);
/* train + valid in one matrix with transpose (for a refit); the caller
 * frees it with interactions_free(). */
int workbench_train_valid(workbench *wb, interactions *out, rf_error *err);

/* Trained models held in memory: one per model name (the latest). */
typedef struct wb_model {
	model *m;
	int64_t run_id;		/* runs.id, 0 if not recorded */
	int version;		/* saved_models.version, 0 if not saved */
	int epochs;
	double seconds;
	char params[512];	/* "factors=64 reg=0.01" */
	metrics final;		/* on the test part at K=10 (NAN when none) */
} wb_model;

int workbench_model_count(const workbench *wb);
const wb_model *workbench_model_at(const workbench *wb, int k);
const wb_model *workbench_find_model(const workbench *wb, const char *name);
/* Load, for every model not in memory, its newest saved version trained on
 * the current split of this snapshot; models that do not fit are skipped.
 * Returns how many were loaded. */
int workbench_load_saved(workbench *wb, rf_error *err);

/*
 * Train synchronously: record the run and each epoch (writable stores),
 * call cb for each event as train_run() does, evaluate on the test part,
 * save the model, and keep it (replacing one of the same name).  Returns 0,
 * 1 when cancelled (the last good epoch is kept), -1 on error.
 */
int workbench_train(workbench *wb, const model_ops *ops,
    const double *params, int epochs, uint64_t seed, train_callback cb,
    void *ud, const volatile int *cancel, rf_error *err);

/* The same on a background thread (one job at a time): start it, poll
 * workbench_train_fd() for readability, then workbench_train_poll() drains
 * the events (recording them) and, once the job is over, finishes it as
 * workbench_train() does; *finished (may be NULL) is then 1 and the
 * return value is still the number of events copied. */
int workbench_train_start(workbench *wb, const model_ops *ops,
    const double *params, int epochs, uint64_t seed, rf_error *err);
int workbench_train_fd(const workbench *wb);	/* -1 when idle */
int workbench_train_poll(workbench *wb, train_event *evs, int max,
    int *finished, rf_error *err);
void workbench_train_cancel(workbench *wb);
int workbench_training(const workbench *wb);	/* a job is running */

/* Saved models and in-memory ones: name, version, params, seed, epochs,
 * seconds, final metrics. */
rf_table *workbench_models_table(workbench *wb, rf_error *err);

#endif
