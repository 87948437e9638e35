/* task: the session's long commands beside the screen: one at a time, a
 * tune, an evaluation, a refit or a fusion's pools compute on a worker
 * thread over what does not change meanwhile, and their result is
 * committed on the main thread (engine/session/fusion.c, results.c).
 *
 * The front starts a task through the command's `_start` function, polls
 * workbench_task_fd() for readability (as it does a training job's pipe),
 * and once workbench_task_done() calls the command's `_finish` function,
 * which commits (stores what is stored: the worker never uses the store)
 * and returns the result.  A cancelled task commits nothing.  Without
 * workbench_set_background() (batch mode, tests) `_start` computes on the
 * caller's thread and `_finish` follows at once: the same output. */
#ifndef RF_SESSION_TASK_H
#define RF_SESSION_TASK_H

#include <stdint.h>

typedef struct workbench workbench;

enum wb_task_kind {
	WB_TASK_NONE,
	WB_TASK_MEASURE,	/* the fusion's pools and live metrics */
	WB_TASK_STATUS,		/* the fusion's table (`weights` alone) */
	WB_TASK_FUSE,
	WB_TASK_TUNE,
	WB_TASK_REFIT,
	WB_TASK_EVAL
};

/* What the worker is doing, for the progress line. */
typedef struct wb_task_progress {
	enum wb_task_kind kind;
	char what[16];		/* "tune" */
	char phase[96];		/* "building the validation pool" */
	int64_t done, total;	/* how far in the phase; total 0: unknown */
	double started;		/* rf_monotonic() at the start */
	double elapsed;		/* seconds so far */
	int cancelling;		/* cancel asked, the worker still ending */
} wb_task_progress;

/* Tasks run on a worker thread (the TUI) or on the caller's thread. */
void workbench_set_background(workbench *wb, int on);
int workbench_background(const workbench *wb);

/* The task started and not yet finished (WB_TASK_NONE: none). */
enum wb_task_kind workbench_task_kind(const workbench *wb);
/* A number of its own (0: none): a task that ends without its finish
 * (aborted because the models or the data went) is told from the next. */
uint64_t workbench_task_id(const workbench *wb);
/* Its wake-up pipe (readable once the worker is done), -1 without a
 * task on a worker. */
int workbench_task_fd(const workbench *wb);
/* The worker is done: call the command's _finish. */
int workbench_task_done(const workbench *wb);
/* 0 and *p filled while a task exists, -1 otherwise. */
int workbench_task_progress(const workbench *wb, wb_task_progress *p);
/* Ask the worker to stop (its _finish then reports it cancelled and
 * commits nothing); the worker ends at its next check. */
void workbench_task_cancel(workbench *wb);
/* The name of a kind: "tune", "eval", ... */
const char *workbench_task_name(enum wb_task_kind kind);

#endif
