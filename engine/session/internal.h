/* internal: what the session's files share and nothing outside
 * engine/session/ may include: the workbench struct and the few calls
 * between the files.  The files call each other one way only, from the
 * top down:
 *
 *   lifecycle.c  open, close, data changed, a new split: orchestrates
 *   results.c    eval table, recommend, exports (the commands' engine side)
 *   fusion.c     the fusion session: pools, live metrics, refit, replay
 *   runs.c       training: the queue, the background job, the history,
 *                saved models loaded back
 *   models.c     the trained models kept in memory
 *   parts.c      the dataset snapshot and the current split's parts
 *
 * models.c tells the fusion that the set of models changed through the
 * hook that workbench_open() registers (models_changed), never by a call
 * upward. */
#ifndef RF_SESSION_INTERNAL_H
#define RF_SESSION_INTERNAL_H

#include "engine/session/workbench.h"

/* Validation during training looks at this many users at most. */
#define WB_VALID_MAX_USERS 5000
#define WB_VALID_SCORES 20000000L

struct wb_run_slot {
	wb_run r;
	const model_ops *ops;
	double *params;		/* (ops->nparams + 1), for a queued job */
	int64_t run_id;		/* runs.id, 0 when not recorded (yet) */
	wb_train_opts opts;	/* how a queued job is to run */
};

struct wb_fusion;

struct workbench {
	store *st;
	dataset *ds;
	split sp;
	int have_split;
	interactions train, valid, test;
	/* what is known of each user when ranking for the test part or
	 * recommending: train + valid (with its transpose: refit trains on
	 * it); with no validation part it is left empty and the train part
	 * is what is known */
	interactions known;
	int32_t *train_pop;		/* distinct train users per item */

	wb_model *models;
	int nmodels, cap;
	/* registered by workbench_open(): the set of models changed */
	void (*models_changed)(workbench *wb);

	/* the background job, if any */
	train_job *job;
	const model_ops *job_ops;
	double *job_params;
	uint64_t job_seed;
	int64_t job_run;
	int job_epochs;
	double job_seconds;		/* from the DONE/CANCELLED event */

	/* the curve history and the queue (runs[k].r.status QUEUED) */
	struct wb_run_slot *runs;
	int nruns, runcap;
	int job_slot;			/* runs index + 1 of the job, 0 */
	int blas_held;			/* a job holds BLAS single */

	struct wb_fusion *fusion;	/* fusion.c's; NULL before */

	/* The automatic evaluations (after `train`, eval, tune's pools, the
	 * Fusion screen) rank a seeded sample of this many users when a
	 * part has more; 0: every user always (settings key
	 * "sample_users"). */
	int sample_users;
};

#define WB_SAMPLE_USERS 10000
#define WB_SAMPLE_SEED 20261206ULL

/* parts.c: take ownership of s and build its parts (any old ones are
 * freed first); free the parts; make, store and install a split. */
int wb_install_split(workbench *wb, split *s, rf_error *err);
void wb_drop_parts(workbench *wb);
int wb_make_split(workbench *wb, const split_spec *spec, rf_error *err);

/* models.c */
int wb_keep_model(workbench *wb, const wb_model *e, rf_error *err);
void wb_drop_models(workbench *wb);
void wb_fingerprint(const workbench *wb, model_fingerprint *fp);

/* parts.c: the users of part (>= 1 entry), all of them or a seeded
 * sample of wb->sample_users (when force_all is 0 and there are more);
 * *total gets how many there are.  malloc'd, ascending; NULL when out of
 * memory. */
int32_t *wb_part_users(const workbench *wb, const interactions *part,
    int force_all, int *n, int *total);

/* runs.c */
void wb_drop_job(workbench *wb);
void wb_free_runs(workbench *wb);

/* fusion.c */
void wb_fusion_drop(workbench *wb);
void wb_fusion_destroy(workbench *wb);

#endif
