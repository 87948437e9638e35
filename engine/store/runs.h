/* runs: the record of training runs (model, parameters, seed, split,
 * status, final metrics) and their epochs (loss, validation metric,
 * seconds), written as training goes and read back into the history. */
#ifndef RF_STORE_RUNS_H
#define RF_STORE_RUNS_H

#include <stdint.h>

#include "engine/core/rf.h"
#include "engine/store/store.h"

/* A new run, status "running"; split_id <= 0 records none.  Its id, or
 * -1 + err ("recording the run: ..."). */
int64_t store_run_start(store *st, const char *model, const char *params,
    uint64_t seed, int64_t split_id, rf_error *err);
/* One epoch of a run (replacing an earlier record of the same epoch);
 * NAN or infinite values are recorded as missing. */
int store_run_epoch(store *st, int64_t run_id, int epoch, double loss,
    double valid_metric, double seconds, rf_error *err);
/* The run's end: status ("done", "cancelled", "failed"), epochs run,
 * seconds, final metrics text (NULL or "" records none). */
int store_run_finish(store *st, int64_t run_id, const char *status,
    int epochs, double seconds, const char *metrics, rf_error *err);

/* After `train --search`: the parameters the run really used, and the
 * search's trail appended to its metrics text. */
int store_run_searched(store *st, int64_t run_id, const char *params,
    const char *trail, rf_error *err);
/* A run read back; text that was not recorded reads as "". */
typedef struct store_run {
	char params[2048];	/* "factors=64 reg=0.01" */
	char status[32];	/* running, done, cancelled, failed */
	uint64_t seed;
	int epochs;		/* recorded at the end; 0 before */
	int epochs_seen;	/* 1 + the largest epoch recorded, 0 if none */
	double seconds;		/* NAN when not recorded */
} store_run;

/* 1 found, 0 no such run, -1 + err. */
int store_run_get(store *st, int64_t run_id, store_run *out, rf_error *err);

/* One recorded epoch; values not recorded read as NAN. */
typedef struct store_epoch {
	int epoch;
	double loss, valid_metric, seconds;
} store_epoch;

/* The run's epochs by epoch number into a malloc'd array (*out, *n of
 * them; free() it, NULL when none); -1 + err. */
int store_run_epochs(store *st, int64_t run_id, store_epoch **out, int *n,
    rf_error *err);

#endif
