/* task: one background task of the session at a time (see task.h): the
 * worker thread, its wake-up pipe, its progress and cancel flag, and the
 * hand-over of its job to the file that commits it.  It calls nothing
 * above it: the job's compute and discard come as function pointers. */
#include "engine/session/internal.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/core/threads.h"

struct wb_task {
	uint64_t id;
	pthread_t tid;
	int threaded;		/* computes on a worker (joined at take) */
	int pipe_rd, pipe_wr;
	pthread_mutex_t lock;	/* progress and done */
	volatile int cancel;	/* asked by workbench_task_cancel() */
	const volatile int *ext_cancel;	/* on the caller's thread: its flag */
	int done;
	wb_task_progress pr;
	wb_task_compute compute;
	void (*discard)(void *job);
	void *job;
};

static const char *const task_names[] = {
	[WB_TASK_NONE] = "",
	[WB_TASK_MEASURE] = "measure",
	[WB_TASK_STATUS] = "weights",
	[WB_TASK_FUSE] = "fuse",
	[WB_TASK_TUNE] = "tune",
	[WB_TASK_REFIT] = "refit",
	[WB_TASK_EVAL] = "eval",
};

const char *
workbench_task_name(enum wb_task_kind kind)
{
	return (unsigned)kind < sizeof task_names / sizeof task_names[0] ?
	    task_names[kind] : "";
}

void
workbench_set_background(workbench *wb, int on)
{
	wb->background = on != 0;
}

int
workbench_background(const workbench *wb)
{
	return wb->background;
}

static void *
task_main(void *arg)
{
	struct wb_task *t = arg;
	char byte = 1;

	/* One level of threads: the worker's own helpers (the evaluator,
	 * the pools) run over single-threaded BLAS, as a training job's. */
	rf_blas_hold_single();
	t->compute(t, t->job);
	rf_blas_release_single();
	pthread_mutex_lock(&t->lock);
	t->done = 1;
	pthread_mutex_unlock(&t->lock);
	if (write(t->pipe_wr, &byte, 1) < 0) {
		/* a full pipe is readable already */
	}
	return NULL;
}

static void
task_free(struct wb_task *t)
{
	if (t->pipe_rd >= 0)
		close(t->pipe_rd);
	if (t->pipe_wr >= 0)
		close(t->pipe_wr);
	pthread_mutex_destroy(&t->lock);
	free(t);
}

int
wb_task_start(workbench *wb, enum wb_task_kind kind, wb_task_compute compute,
    void (*discard)(void *job), void *job, const volatile int *cancel,
    rf_error *err)
{
	struct wb_task *t;
	int fds[2];

	if (wb->task != NULL) {
		discard(job);
		return rf_fail(err, "%s is running; wait for it or cancel it "
		    "(Esc)", workbench_task_name(wb->task->pr.kind));
	}
	if ((t = calloc(1, sizeof *t)) == NULL) {
		discard(job);
		return rf_fail(err, "out of memory");
	}
	t->pipe_rd = t->pipe_wr = -1;
	pthread_mutex_init(&t->lock, NULL);
	t->compute = compute;
	t->discard = discard;
	t->job = job;
	t->pr.kind = kind;
	snprintf(t->pr.what, sizeof t->pr.what, "%s",
	    workbench_task_name(kind));
	t->pr.started = rf_monotonic();
	t->id = ++wb->task_serial;
	wb->task = t;
	if (wb->background && pipe(fds) == 0) {
		t->pipe_rd = fds[0];
		t->pipe_wr = fds[1];
		fcntl(t->pipe_rd, F_SETFL, O_NONBLOCK);
		fcntl(t->pipe_wr, F_SETFL, O_NONBLOCK);
		fcntl(t->pipe_rd, F_SETFD, FD_CLOEXEC);
		fcntl(t->pipe_wr, F_SETFD, FD_CLOEXEC);
		if (pthread_create(&t->tid, NULL, task_main, t) == 0) {
			t->threaded = 1;
			return 0;
		}
		close(t->pipe_rd);
		close(t->pipe_wr);
		t->pipe_rd = t->pipe_wr = -1;
	}
	/* No worker (batch mode, or none could start): here and now, with
	 * the caller's cancel flag. */
	t->ext_cancel = cancel;
	t->compute(t, t->job);
	t->done = 1;
	return 0;
}

void *
wb_task_take(workbench *wb, enum wb_task_kind kind, int *cancelled,
    rf_error *err)
{
	struct wb_task *t = wb->task;
	void *job;

	if (t == NULL || t->pr.kind != kind) {
		/* An aborted task (the models or the data went) is gone. */
		rf_fail(err, "stopped: the models or the data changed "
		    "meanwhile; nothing was applied");
		return NULL;
	}
	if (!workbench_task_done(wb)) {
		rf_fail(err, "%s is still running", workbench_task_name(kind));
		return NULL;
	}
	if (t->threaded)
		pthread_join(t->tid, NULL);
	*cancelled = t->cancel != 0 || (t->ext_cancel != NULL &&
	    *t->ext_cancel != 0);
	job = t->job;
	wb->task = NULL;
	task_free(t);
	return job;
}

void
wb_task_abort(workbench *wb)
{
	struct wb_task *t = wb->task;

	if (t == NULL)
		return;
	t->cancel = 1;
	if (t->threaded)
		pthread_join(t->tid, NULL);
	wb->task = NULL;
	t->discard(t->job);
	task_free(t);
}

enum wb_task_kind
workbench_task_kind(const workbench *wb)
{
	return wb->task != NULL ? wb->task->pr.kind : WB_TASK_NONE;
}

uint64_t
workbench_task_id(const workbench *wb)
{
	return wb->task != NULL ? wb->task->id : 0;
}

int
workbench_task_fd(const workbench *wb)
{
	return wb->task != NULL && wb->task->threaded ? wb->task->pipe_rd :
	    -1;
}

int
workbench_task_done(const workbench *wb)
{
	struct wb_task *t = wb->task;
	int done;

	if (t == NULL)
		return 0;
	pthread_mutex_lock(&t->lock);
	done = t->done;
	pthread_mutex_unlock(&t->lock);
	return done;
}

int
workbench_task_progress(const workbench *wb, wb_task_progress *p)
{
	struct wb_task *t = wb->task;

	if (t == NULL)
		return -1;
	pthread_mutex_lock(&t->lock);
	*p = t->pr;
	pthread_mutex_unlock(&t->lock);
	p->cancelling = t->cancel != 0;
	p->elapsed = rf_monotonic() - p->started;
	return 0;
}

void
workbench_task_cancel(workbench *wb)
{
	if (wb->task != NULL)
		wb->task->cancel = 1;
}

/* --- the worker's side ------------------------------------------------- */

void
wb_task_phase(struct wb_task *t, int64_t total, const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&t->lock);
	va_start(ap, fmt);
	vsnprintf(t->pr.phase, sizeof t->pr.phase, fmt, ap);
	va_end(ap);
	t->pr.done = 0;
	t->pr.total = total;
	pthread_mutex_unlock(&t->lock);
}

void
wb_task_count(struct wb_task *t, int64_t done)
{
	pthread_mutex_lock(&t->lock);
	t->pr.done = done;
	pthread_mutex_unlock(&t->lock);
}

const volatile int *
wb_task_cancel_flag(struct wb_task *t)
{
	return t->ext_cancel != NULL ? t->ext_cancel : &t->cancel;
}

int
wb_task_cancelled(struct wb_task *t)
{
	return t->cancel != 0 || (t->ext_cancel != NULL && *t->ext_cancel);
}
