/* workbench: the one struct that owns the open store, the dataset snapshot,
 * the current split, the trained models and the fusion settings.
 * Commands change it; views read it.  No terminal code. */
#ifndef RF_WORKBENCH_H
#define RF_WORKBENCH_H

#include "engine/data/dataset.h"
#include "engine/fusion/fusion.h"
#include "engine/eval/compare.h"
#include "engine/eval/metrics.h"
#include "engine/models/external.h"
#include "engine/models/model.h"
#include "engine/core/rf.h"
#include "engine/data/split.h"
#include "engine/store/store.h"
#include "engine/core/table.h"
#include "engine/train/train.h"
#include "engine/session/task.h"

typedef struct workbench workbench;

workbench *workbench_open(const char *path, int store_flags, rf_error *err);
void workbench_close(workbench *wb);
store *workbench_store(workbench *wb);

/* The data changed (an import): drop the snapshot and what hangs on it
 * (split, models; a running training job is cancelled and joined). */
void workbench_data_changed(workbench *wb);

/* The snapshot, built from the store on first need (NULL + err when the
 * store has no events or the build fails), with its names (a lean one's
 * read now). */
dataset *workbench_dataset(workbench *wb, rf_error *err);
/* The snapshot, built lean when first built here (dataset_build_lean():
 * no names): what a training in batch mode asks for, the one command
 * that needs no names.  The dispatcher gives every other command its
 * names first (workbench_names()). */
dataset *workbench_dataset_lean(workbench *wb, rf_error *err);
/* A lean snapshot's names, read from the store; 0 at once when there is
 * no snapshot yet or it has them. */
int workbench_names(workbench *wb, rf_error *err);
/* The snapshot if already built, else NULL (for views: never builds;
 * the TUI never builds a lean one). */
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
/* Parts of the current split (same dimensions as the dataset; train's
 * transpose is made when a training or a load needs it).  NULL before a
 * split. */
const interactions *workbench_train_part(const workbench *wb);
/* The train part with its transpose made, for a caller that trains a
 * model by its ops (a bench); NULL with err set. */
const interactions *workbench_train_transposed(workbench *wb,
    rf_error *err);
const interactions *workbench_valid_part(const workbench *wb);
const interactions *workbench_test_part(const workbench *wb);
/* The automatic evaluations (after `train`, `eval` without
 * --all-users, tune's and the Fusion screen's pools) rank a fixed
 * seeded sample of this many users when a part has more, and report
 * the sample and a 95% interval; 0: every user (stored with the
 * store). */
int workbench_sample_users(const workbench *wb);
int workbench_set_sample_users(workbench *wb, int n, rf_error *err);

/* What is known of each user at test time: the one rule of what every
 * score, list, export and metric on the test part leaves out, for single
 * models and the fusion alike.  Train + valid when the split has a
 * validation part (the validation interactions came before the test
 * ones, whether or not a model was trained on them), else train.  Made
 * on first need; NULL + err before a split or out of memory.  (The
 * validation part itself is measured leaving out train only: it is the
 * target there.) */
const interactions *workbench_known_part(workbench *wb, rf_error *err);
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
 * The run each came from (runs and epochs: its curves, seconds, status)
 * joins the curve history ahead of this session's runs, oldest first,
 * marked `earlier` (once per run).  Imported models not in memory come
 * back too, whatever the split.  Returns how many were loaded. */
int workbench_load_saved(workbench *wb, rf_error *err);

/* A saved model the last load could not use: damaged (its bytes, header
 * or parameters) or, with damaged 0, not loaded by this machine (memory,
 * the store).  why says what failed and what to do. */
typedef struct wb_damage {
	char name[64];
	int version;
	int damaged;
	char why[768];
} wb_damage;

int workbench_damage_count(const workbench *wb);
const wb_damage *workbench_damage_at(const workbench *wb, int k);
/* The damage of that saved version, NULL when none is known. */
const wb_damage *workbench_damage_of(const workbench *wb, const char *name,
    int version);
/* The next damage not yet told (NULL: none left), now marked told: the
 * commands report each once. */
const wb_damage *workbench_damage_news(workbench *wb);
/* Remove saved version `version` of `name` from the store (and its
 * damage from the list): 1 removed, 0 no such version, -1 + err. */
int workbench_drop_saved(workbench *wb, const char *name, int version,
    rf_error *err);
/* The store's health (`check`): SQLite's integrity check, every stored
 * split against the data and every saved model read back as a load
 * would (in full when saved for the current split).  A table of part,
 * name, status (ok, DAMAGED, failed, other data, none), detail;
 * *problems counts the DAMAGED and failed rows.  NULL + err when the
 * check itself could not run. */
rf_table *workbench_check(workbench *wb, int *problems, rf_error *err);

/*
 * Models trained elsewhere (engine/session/imports.c, engine/models/
 * external.h): a factor model (users and items factor tables: Spark
 * MLlib's ALSModel written with write.json, or id<TAB>factors text) or a
 * score list (user, item, score rows), kept under name beside the
 * trained models, evaluated on the test part, recorded as a run (params
 * say where it came from) and saved; workbench_load_saved() brings it
 * back in a new process whatever the split.  name starts with a letter
 * and has letters, digits, '_', '-', '.' (at most 31), and is not one of
 * the registry's models nor "fused"; an import under a name kept already
 * replaces that model.
 */
typedef struct wb_import_result {
	external_report rep;	/* rows read, unknown ids, coverage */
	int version;		/* saved version; 0 when not saved */
	metrics final;		/* on the test part at K=10 (NAN: none) */
} wb_import_result;

int workbench_import_factors(workbench *wb, const char *name,
    const char *users_path, const char *items_path, wb_import_result *res,
    rf_error *err);
int workbench_import_scores(workbench *wb, const char *name,
    const char *path, wb_import_result *res, rf_error *err);

/* export factors (engine/session/export_factors.c): the factor tables of
 * a model that has them (ALS, an imported factor model) as Spark writes
 * them: DIR/userFactors/ and DIR/itemFactors/, each part-00000.json
 * ({"id": 12, "features": [...]} a line; ids bare when every one is a
 * number) and _SUCCESS. */
typedef struct wb_factors_result {
	int64_t users, items;	/* rows written */
	int k;
	const char *model;
} wb_factors_result;

int workbench_export_factors(workbench *wb, const char *model_name,
    const char *dir, wb_factors_result *res, rf_error *err);

/* How a run is made beyond its parameters. */
typedef struct wb_train_opts {
	int search;		/* --search: see train_spec.search */
	unsigned char fixed[TRAIN_MAX_PARAMS];	/* parameters the user gave
						 * (not searched) */
} wb_train_opts;

/*
 * Train synchronously: record the run and each epoch (writable stores),
 * call cb for each event as train_run() does, evaluate on the test part,
 * save the model, and keep it (replacing one of the same name).  Returns 0,
 * 1 when cancelled (the last good epoch is kept), -1 on error.
 */
int workbench_train(workbench *wb, const model_ops *ops,
    const double *params, int epochs, uint64_t seed,
    const wb_train_opts *opts, train_callback cb, void *ud,
    const volatile int *cancel, rf_error *err);

/* The same on a background thread (one job at a time): start it, poll
 * workbench_train_fd() for readability, then workbench_train_poll() drains
 * the events (recording them) and, once the job is over, finishes it as
 * workbench_train() does; *finished (may be NULL) is then 1 and the
 * return value is still the number of events copied. */
int workbench_train_start(workbench *wb, const model_ops *ops,
    const double *params, int epochs, uint64_t seed,
    const wb_train_opts *opts, rf_error *err);
int workbench_train_fd(const workbench *wb);	/* -1 when idle */
int workbench_train_poll(workbench *wb, train_event *evs, int max,
    int *finished, rf_error *err);
void workbench_train_cancel(workbench *wb);
int workbench_training(const workbench *wb);	/* a job is running */

/* Saved models and in-memory ones: name, version, params, seed, epochs,
 * seconds, final metrics. */
rf_table *workbench_models_table(workbench *wb, rf_error *err);

/*
 * The training queue and the curve history (the Train screen).  Every
 * run, synchronous or not, gets an entry, oldest first: the model, its
 * parameters, status, and per epoch the training loss, the validation
 * metric and the seconds.  Jobs queued in the background wait in FIFO
 * order behind the running one; one runs at a time, OpenBLAS
 * single-threaded inside it (one level of threads).
 */
enum wb_run_status {
	WB_RUN_QUEUED,
	WB_RUN_RUNNING,
	WB_RUN_DONE,
	WB_RUN_CANCELLED,	/* stopped; the last good epoch is kept */
	WB_RUN_FAILED		/* msg says why; no model */
};

typedef struct wb_run {
	char model[32];
	char params[512];	/* "factors=64 reg=0.01" */
	uint64_t seed;
	enum wb_run_status status;
	int epochs;		/* asked for */
	int done;		/* epochs completed: the curves' length */
	int valid_rmse;		/* valid[] is RMSE (lower is better), else
				 * NDCG@10; all NAN without a valid part */
	double *loss, *valid, *secs;	/* [done]; NULL while queued */
	double seconds;		/* the epochs' sum; finished: the run's */
	double started;		/* rf_monotonic() when it began (running) */
	char msg[256];		/* failed or cancelled: why */
	char search[512];	/* --search's tries so far: "lambda=500 0.1312*
				 * ..." (* the best so far) */
	int earlier;		/* a run of an earlier session, loaded from
				 * the store with its saved model (the
				 * history of workbench_load_saved()) */
} wb_run;

int workbench_run_count(const workbench *wb);
const wb_run *workbench_run_at(const workbench *wb, int k);
/* The running background job's entry, or NULL. */
const wb_run *workbench_run_current(const workbench *wb);
int workbench_queue_length(const workbench *wb);	/* waiting jobs */

/* Start the job now when none runs (returns 0), else put it at the end of
 * the queue (returns its place, 1 = next).  -1 + err on bad parameters or
 * no data. */
int workbench_train_enqueue(workbench *wb, const model_ops *ops,
    const double *params, int epochs, uint64_t seed,
    const wb_train_opts *opts, rf_error *err);
/* When no job runs, start the oldest queued one: 1 started, 0 the queue
 * is empty, -1 it could not start (marked failed, err says why; call
 * again for the next). */
int workbench_train_next(workbench *wb, rf_error *err);
/* Drop the queued jobs (not the running one); how many were dropped. */
int workbench_train_clear_queue(workbench *wb);

/*
 * The fusion (engine/session/fusion.c), over every trained model of the current
 * split.  The fusion over the trained models, built on demand (replaying
 * the store's "fusion" settings; saved models of the split are loaded
 * first); NULL + err when no model is trained.
 */
fusion *workbench_fusion(workbench *wb, rf_error *err);
/* The same without building: NULL when there is none yet. */
fusion *workbench_fusion_peek(const workbench *wb);
/* Live metrics: per single model and fused, NDCG@10 and Recall@10 on the
 * validation part (the test part when the split has no validation
 * part, or after `refit`), recomputed from the cached candidate pools (no
 * re-scoring) by every command that changes the fusion (fuse, weights,
 * tune, refit).  generation is bumped on every change so views know to
 * redraw. */
typedef struct fusion_live {
	int ready;		/* 0 until first computed */
	int part;		/* 1 validation, 2 test */
	int n_models;
	char names[FUSION_MAX_MODELS][FUSION_NAME_MAX];
	double weight[FUSION_MAX_MODELS];	/* normalised, sum 1 */
	double ndcg[FUSION_MAX_MODELS], recall[FUSION_MAX_MODELS];
	double fused_ndcg, fused_recall;
	/* the fused NDCG@10 minus the best single model's, per user of the
	 * part: the mean and its 95% interval */
	int best;		/* the best single model, -1 unknown */
	double diff, diff_lo, diff_hi;
	int users;		/* the pool rows measured */
	/* the weights changed while a background task builds the pools:
	 * the figures are of the weights before until it commits */
	int stale;
	char method[16], norm[16];
	unsigned long generation;
} fusion_live;
const fusion_live *workbench_fusion_live(const workbench *wb);
/* Recompute the live metrics; under workbench_set_background() a pool
 * that is not built yet is left to a background task (live.stale). */
int workbench_fusion_refresh(workbench *wb, rf_error *err);
/* What replaying the stored settings could not restore (a stack fitted on
 * other models, ...), "" when nothing; cleared by the next change. */
const char *workbench_fusion_note(const workbench *wb);

/* The commands' engine side.  Each change refreshes the live metrics and
 * stores the settings (writable stores), but for weights, which change
 * in memory only (a slider moving) until workbench_fusion_save(). */
int workbench_fuse(workbench *wb, const char *method, int nparams,
    char *const *params, rf_error *err);
/* The same as a background task (task.h): the parameters are checked at
 * the start (a bad one changes nothing); the pools, a stack's fit, the
 * live metrics and the table of every model (*status, may be NULL) are
 * computed on the worker; the finish commits and stores.  0, 1 when
 * cancelled (nothing changed), -1 + err. */
int workbench_fuse_start(workbench *wb, const char *method, int nparams,
    char *const *params, rf_error *err);
int workbench_fuse_finish(workbench *wb, rf_table **status, rf_error *err);
/* The pools and the live metrics as a background task (a new fusion, a
 * restored one): the weights may change meanwhile (the finish measures
 * the fused figure again for them). */
int workbench_fusion_measure_start(workbench *wb, rf_error *err);
int workbench_fusion_measure_finish(workbench *wb, rf_error *err);
/* workbench_fusion_table() as a background task. */
int workbench_fusion_status_start(workbench *wb, rf_error *err);
rf_table *workbench_fusion_status_finish(workbench *wb, rf_error *err);
/* "MODEL=W" assignments, all checked before any is applied; re-ranks the
 * pool once for the fused figure; not stored until
 * workbench_fusion_save() (batch mode after every command line, the TUI
 * when the slider stops and at quit; workbench_close() too). */
int workbench_fusion_set_weights(workbench *wb, int n, char *const *assign,
    rf_error *err);
/* One user's fused top-k (k <= WB_PREVIEW_MAX) with each item's
 * per-model contributions (fused = base + their sum), from the user's
 * candidate block, scored once per user and re-ranked on every change of
 * the settings: the Fusion screen's preview costs no scoring per slider
 * step.  Returns the count, -1 + err. */
#define WB_PREVIEW_MAX 50
typedef struct fusion_preview {
	int user, n, n_models;
	int32_t items[WB_PREVIEW_MAX];
	float scores[WB_PREVIEW_MAX];
	double contrib[WB_PREVIEW_MAX][FUSION_MAX_MODELS];
	double base;
} fusion_preview;
int workbench_fusion_preview(workbench *wb, int u, int k,
    fusion_preview *out, rf_error *err);
/* Normalised weights w[0..n) with model m's share set to share (in
 * [0, 1]) and the others scaled to keep the sum 1 (shared equally when
 * they were all 0): what a slider step and `weights --share` set. */
void workbench_fusion_share(const double *w, int n, int m, double share,
    double *out);
/* Store settings changed in memory; 0 when there was nothing to store. */
int workbench_fusion_save(workbench *wb, rf_error *err);
int workbench_fusion_unsaved(const workbench *wb);
/* metric < 0: rmse for a rating fusion, else ndcg@10.  1 when cancelled. */
int workbench_fusion_tune(workbench *wb, int metric, fusion_tune_report *rep,
    const volatile int *cancel, rf_error *err);
/* The same as a background task: the worker tunes a clone of the fusion
 * (sharing the models) on the pools; the finish swaps it in and stores
 * the settings.  cancel: the caller's flag when there is no worker. */
int workbench_fusion_tune_start(workbench *wb, int metric,
    const volatile int *cancel, rf_error *err);
int workbench_fusion_tune_finish(workbench *wb, fusion_tune_report *rep,
    rf_error *err);
/* Retrain every model of the fusion on train + valid with its parameters,
 * seed and epochs, keeping the weights (and a fitted stack); cb (may be
 * NULL) hears of each model done.  1 when cancelled (nothing changed). */
typedef void (*wb_refit_callback)(void *ud, const char *name, int epochs,
    double seconds);
int workbench_fusion_refit(workbench *wb, wb_refit_callback cb, void *ud,
    const volatile int *cancel, rf_error *err);
/* The same as a background task: the worker trains the new models from
 * train + valid (immutable meanwhile) and measures them; the finish keeps
 * them, tells cb of each (at the finish) and gives the table (*status,
 * may be NULL). */
int workbench_fusion_refit_start(workbench *wb, const volatile int *cancel,
    rf_error *err);
int workbench_fusion_refit_finish(workbench *wb, wb_refit_callback cb,
    void *ud, rf_table **status, rf_error *err);
int workbench_fusion_refitted(const workbench *wb);
/* Under workbench_set_background() a fusion restored from an earlier
 * session that had been refitted is not refitted again inside
 * workbench_fusion(): this says a refit task should redo it. */
int workbench_fusion_refit_pending(const workbench *wb);
/* What the fused recommendations leave out: workbench_known_part(), the
 * same as every single model's (NULL without a fusion). */
const interactions *workbench_fusion_seen(const workbench *wb);
/* Every model predicts ratings and the data are ratings. */
int workbench_fusion_is_rating(const workbench *wb);
/* The validation (part 1) or test (part 2) candidate pool, built on
 * first need; NULL + err when the part is empty (or, for 1, after
 * `refit`, when the validation part is training data). */
fusion_pool *workbench_fusion_pool(workbench *wb, int part, rf_error *err);
/* Model, weight, and metrics on validation and test of every model and
 * of the fusion (RMSE for a rating fusion, else NDCG@10; recall@10). */
rf_table *workbench_fusion_table(workbench *wb, rf_error *err);

/*
 * The commands' engine side of results (engine/session/results.c).
 * model_name "fused" (any case) uses the session's fusion.
 */
/* eval: one row per model in memory (loading saved ones first): model,
 * RMSE, MAE, P/R/NDCG/MAP/HR/MRR@k, coverage, mean popularity; then, when
 * a fusion exists (made in this session or stored), after `refit` one row
 * per refitted model ("ease (refit)") and a "fused" row. */
typedef struct wb_eval_compare {
	int users, total_users;	/* the test users ranked, of how many (a
				 * seeded sample when fewer) */
	int have;		/* a fused row and a single model to compare */
	char best[72];		/* the best single model ("ease (refit)") */
	paired_diff ndcg;	/* fused minus it, NDCG@k per test user */
} wb_eval_compare;
/* cmp (may be NULL): the fusion against the best single model of the
 * table (the best refitted one after `refit`), per user.  Above
 * workbench_sample_users() test users every row ranks the same seeded
 * sample and gets a column with its NDCG's 95% interval, unless
 * all_users. */
rf_table *workbench_eval_table(workbench *wb, int k, int all_users,
    const volatile int *cancel, wb_eval_compare *cmp, rf_error *err);
/* The same as a background task: the saved models are loaded and the
 * fusion built at the start; the worker ranks (the fused rows with a
 * clone of the fusion, so that the weights may move meanwhile); the
 * finish hands the table over (NULL + err, "eval: cancelled" too).
 * Without a worker (batch mode) the ranking runs here and now, and
 * progress (may be NULL) is told how far it is now and then, from this
 * thread: the row, users ranked of how many, their rate and the time
 * left (a worker's progress is workbench_task_progress()'s). */
typedef void (*wb_progress_fn)(void *ud, const wb_task_progress *p);
int workbench_eval_start(workbench *wb, int k, int all_users,
    const volatile int *cancel, wb_progress_fn progress, void *progress_ud,
    rf_error *err);
rf_table *workbench_eval_finish(workbench *wb, wb_eval_compare *cmp,
    rf_error *err);

/* recommend: top k for a user (external id) excluding what is known of
 * them: rank, item, title, score.  model_name NULL: the fusion when one
 * exists (made in this session or stored; the table's title says
 * "(fused)"), else the last trained model. */
rf_table *workbench_recommend(workbench *wb, const char *user, int k,
    const char *model_name, rf_error *err);

/* export recs: "user\titem\trank\tscore" for every user (external ids),
 * top k excluding train items; a path ending in .csv gets CSV with a
 * header line "user,item,rank,score".  *n_users gets the users written. */
int workbench_export_recs(workbench *wb, const char *path, int k,
    const char *model_name, const volatile int *cancel, int64_t *n_users,
    const char **model_used, rf_error *err);

/* export preds: read "user\titem[\t...]" pairs from pairs_path, write
 * "user\titem\tprediction".  Pairs whose user or item has no train data
 * get the baseline mu + b_u + b_i (what is known of it). */
typedef struct wb_preds_result {
	int64_t pairs, fallback;
	const char *model;	/* the model used */
} wb_preds_result;

int workbench_export_preds(workbench *wb, const char *path,
    const char *pairs_path, const char *model_name, wb_preds_result *res,
    rf_error *err);

#endif
