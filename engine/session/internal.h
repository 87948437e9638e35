/* internal: what the session's files share and nothing outside
 * engine/session/ may include: the workbench struct and the few calls
 * between the files.  The files call each other one way only, from the
 * top down:
 *
 *   lifecycle.c  open, close, data changed, a new split: orchestrates
 *   results.c    eval table, recommend, exports (the commands' engine side)
 *   check.c      the store's health: integrity, every split and saved model
 *   export_factors.c  a factor model's tables in Spark's layout
 *   fusion.c     the fusion session: pools, live metrics, refit, replay
 *   task.c       the one background task: its worker, pipe and progress
 *                (results.c and fusion.c hand it their jobs)
 *   runs.c       training: the queue, the background job, the history,
 *                saved models loaded back
 *   imports.c    models trained elsewhere: imported, kept, loaded back
 *   models.c     the trained models kept in memory
 *   parts.c      the dataset snapshot and the current split's parts
 *
 * models.c tells the fusion that the set of models changed through the
 * hook that workbench_open() registers (models_changed), never by a call
 * upward. */
#ifndef RF_SESSION_INTERNAL_H
#define RF_SESSION_INTERNAL_H

#include "engine/session/workbench.h"
#include "engine/session/task.h"

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
struct wb_task;

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

	/* saved models the loads could not use (models.c), in the order
	 * found; the first `damage_told` were reported */
	wb_damage *damage;
	int ndamage, damage_cap, damage_told;

	/* The automatic evaluations (after `train`, eval, tune's pools, the
	 * Fusion screen) rank a seeded sample of this many users when a
	 * part has more; 0: every user always (settings key
	 * "sample_users"). */
	int sample_users;

	/* the background task (task.c), and whether tasks run on a worker
	 * (the TUI) or on the caller's thread */
	struct wb_task *task;
	uint64_t task_serial;		/* tasks started so far */
	int background;
};

#define WB_SAMPLE_USERS 10000
#define WB_SAMPLE_SEED 20261206ULL

/* parts.c: take ownership of s and build its parts (any old ones are
 * freed first); free the parts; make, store and install a split. */
int wb_install_split(workbench *wb, split *s, rf_error *err);
void wb_drop_parts(workbench *wb);
/* Implicit data keep their entries' values in the parts once a split is
 * installed (ds->all.val NULL then); this gives the data theirs back,
 * from the parts, before the parts go (a new split).  0, or -1 + err. */
int wb_values_back(workbench *wb, rf_error *err);
int wb_make_split(workbench *wb, const split_spec *spec, rf_error *err);
/* The train part is kept as rows of items and values; its transpose is
 * made when first needed: training, and the loads of models that read
 * it (MODEL_LOAD_TRANSPOSE).  Call on the front thread, before a job
 * that reads it starts. */
int wb_train_transpose(workbench *wb, rf_error *err);
/* The transpose given back when no model in memory reads it any more
 * (those with MODEL_LOAD_TRANSPOSE do while they live; `trained`, just
 * trained, is about to be kept): at 10 M entries 87 MB that a batch
 * training's evaluation and save need not hold.  Only where nothing else
 * computes (the synchronous training); the next training makes it
 * again. */
void wb_train_transpose_release(workbench *wb, const model_ops *trained);

/* models.c */
int wb_keep_model(workbench *wb, const wb_model *e, rf_error *err);
void wb_drop_models(workbench *wb);
/* A saved version found unusable: kept once per name and version. */
int wb_note_damage(workbench *wb, const char *name, int version,
    int damaged, const char *why);
void wb_clear_damage(workbench *wb);
/* A load that found a damaged model or failed noted (with what
 * to do); none saved or saved for other data is no damage.  -1 when
 * out of memory. */
int wb_note_load_failure(workbench *wb, const char *name, int version,
    train_found found, const rf_error *lerr);
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

/* task.c.  wb_task_start() hands job to a worker that runs compute(t,
 * job) (or runs it here without one); it owns job from then on and calls
 * discard(job) when the task is aborted or cannot start (-1 + err: one
 * task at a time).  wb_task_take() hands a finished job of that kind back
 * for its commit (NULL + err when there is none or it still runs);
 * *cancelled says a cancel was asked: commit nothing then.
 * wb_task_abort() cancels, waits and discards. */
typedef void (*wb_task_compute)(struct wb_task *t, void *job);
int wb_task_start(workbench *wb, enum wb_task_kind kind,
    wb_task_compute compute, void (*discard)(void *job), void *job,
    const volatile int *cancel, rf_error *err);
void *wb_task_take(workbench *wb, enum wb_task_kind kind, int *cancelled,
    rf_error *err);
void wb_task_abort(workbench *wb);
/* The worker's side: the phase shown (with how far of total, 0:
 * unknown), the count done, the flag its computations poll. */
void wb_task_phase(struct wb_task *t, int64_t total, const char *fmt, ...)
    RF_PRINTF(3, 4);
void wb_task_count(struct wb_task *t, int64_t done);
const volatile int *wb_task_cancel_flag(struct wb_task *t);
int wb_task_cancelled(struct wb_task *t);
/* imports.c: the newest saved version of every imported model not in
 * memory (by external id, whatever the split); how many. */
int wb_load_imported(workbench *wb, rf_error *err);

/* fusion.c */
void wb_fusion_drop(workbench *wb);
void wb_fusion_destroy(workbench *wb);

#endif
