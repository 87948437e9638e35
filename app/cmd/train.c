/* train: background training for the TUI and the `stop` command.  The
 * job's wake-up pipe is watched, and redraws asked for, through the
 * event loop's registration (cmd_ctx.events, app/events.h). */
#include "app/cmd/train.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "engine/session/workbench.h"

#define PUMP_EVENTS 64

static int pump_fd = -1;	/* the pipe the event loop watches, or -1 */
/* The job ended while a background task computed over the models: its
 * end (which keeps the new model and so drops the fusion the task uses)
 * waits for the task's (app/cmd/task.c pumps again then). */
static int finish_deferred;

static void train_wake(void *ud);

/* Redraw soon, when there is a screen. */
static void
ask_redraw(cmd_ctx *ctx)
{
	if (ctx->events != NULL)
		ctx->events->redraw(ctx->events->ud);
}

void
train_watch(cmd_ctx *ctx)
{
	const struct app_events *ev = ctx->events;
	int fd = workbench_train_fd(ctx->wb);

	if (finish_deferred && workbench_task_kind(ctx->wb) != WB_TASK_NONE)
		fd = -1;	/* readable until its end: not now */
	if (fd == pump_fd || ev == NULL)
		return;
	if (pump_fd >= 0)
		ev->unwatch(ev->ud, pump_fd);
	pump_fd = -1;
	if (fd < 0)
		return;
	if (ev->watch(ev->ud, fd, train_wake, ctx) < 0) {
		/* Cannot happen with the loop's 16 slots; if it did, the
		 * job would run unseen, so say so. */
		cmd_error(ctx, "train: cannot watch the training job; `stop` "
		    "it");
		return;
	}
	pump_fd = fd;
}

void
train_report(cmd_ctx *ctx, const char *name, int stopped)
{
	const wb_model *e = workbench_find_model(ctx->wb, name);
	char text[512];

	if (e == NULL) {
		cmd_error(ctx, "train %s: failed", name);
		return;
	}
	metrics_format(&e->final, text, sizeof text);
	if (stopped)
		cmd_printf(ctx, "%s: stopped after %d epoch%s; keeping that "
		    "state", name, e->epochs, e->epochs == 1 ? "" : "s");
	cmd_printf(ctx, "trained %s: %d epoch%s in %.2f s%s%s%s", name,
	    e->epochs, e->epochs == 1 ? "" : "s", e->seconds,
	    text[0] ? "; test " : "", text,
	    e->version > 0 ? "" : " (not saved: read-only store)");
	/* What the model chose for this data, in its own words. */
	if (e->m != NULL && e->m->ops->report != NULL &&
	    e->m->ops->report(e->m, text, sizeof text) > 0)
		cmd_printf(ctx, "%s: %s", name, text);
}

/* What batch mode prints at the end of a run. */
static void
print_finished(cmd_ctx *ctx, const wb_run *r)
{
	if (r->status == WB_RUN_FAILED) {
		cmd_error(ctx, "train %s: %s", r->model, r->msg[0] ? r->msg :
		    "failed");
		return;
	}
	/* What --search and a choice after the fit tried (the batch
	 * printed each try as it came; the TUI shows the record). */
	if (r->search[0] != '\0')
		cmd_printf(ctx, "%s: %s; kept %s", r->model, r->search,
		    r->params);
	train_report(ctx, r->model, r->status == WB_RUN_CANCELLED);
}

static int
current_index(const workbench *wb)
{
	const wb_run *cur = workbench_run_current(wb);

	for (int k = 0; cur != NULL && k < workbench_run_count(wb); k++)
		if (workbench_run_at(wb, k) == cur)
			return k;
	return -1;
}

/* Start queued jobs until one runs or the queue is empty. */
static void
start_next(cmd_ctx *ctx)
{
	rf_error err = { { 0 } };
	int rc;

	while ((rc = workbench_train_next(ctx->wb, &err)) < 0)
		cmd_error(ctx, "train: %s", err.msg);
	if (rc > 0) {
		const wb_run *r = workbench_run_current(ctx->wb);

		if (r != NULL)
			cmd_printf(ctx, "training %s (from the queue, %d "
			    "left)", r->model, workbench_queue_length(ctx->wb));
	}
}

/* While a task runs: the job's epochs one at a time, stopping at its
 * last event (done, stopped, failed) without ending it.  1 when the
 * pump goes no further now. */
static int
defer_finish(cmd_ctx *ctx)
{
	train_event ev;
	rf_error err = { { 0 } };
	const wb_run *r;
	int finished = 0;

	if (workbench_task_kind(ctx->wb) == WB_TASK_NONE) {
		finish_deferred = 0;
		return 0;
	}
	while ((r = workbench_run_current(ctx->wb)) != NULL &&
	    r->status == WB_RUN_RUNNING &&
	    workbench_train_poll(ctx->wb, &ev, 1, &finished, &err) == 1 &&
	    !finished)
		;
	if (finished) {
		/* (cannot happen: the last event is taken first) */
		finish_deferred = 0;
		return 0;
	}
	if (r == NULL || r->status != WB_RUN_RUNNING) {
		finish_deferred = 1;
		train_watch(ctx);
	}
	return 1;
}

void
train_pump(cmd_ctx *ctx)
{
	train_event evs[PUMP_EVENTS];
	rf_error err = { { 0 } };
	int n, finished = 0, k = current_index(ctx->wb);

	if (!workbench_training(ctx->wb)) {
		train_watch(ctx);
		return;
	}
	if (defer_finish(ctx)) {
		ask_redraw(ctx);
		return;
	}
	/* One batch a wake-up: epochs that come faster than they are
	 * recorded (a small log, a fast model) would otherwise hold the loop
	 * here and the keys waiting; the job keeps its pipe readable while
	 * events are left (train_job_poll()). */
	n = workbench_train_poll(ctx->wb, evs, PUMP_EVENTS, &finished, &err);
	if (finished) {
		const wb_run *r = workbench_run_at(ctx->wb, k);

		if (r != NULL && r->status == WB_RUN_CANCELLED && r->done == 0)
			cmd_printf(ctx, "%s: stopped before its first epoch; "
			    "nothing kept", r->model);
		else if (r != NULL)
			print_finished(ctx, r);
		else if (n < 0)
			cmd_error(ctx, "train: %s", err.msg);
		start_next(ctx);
		/* The models changed: every screen reloads. */
		if (ctx->events != NULL)
			ctx->events->changed(ctx->events->ud);
	}
	train_watch(ctx);
	ask_redraw(ctx);
}

static void
train_wake(void *ud)
{
	train_pump(ud);
}

int
train_background(cmd_ctx *ctx, const model_ops *ops, const double *params,
    int epochs, uint64_t seed, const wb_train_opts *opts)
{
	rf_error err = { { 0 } };
	char text[512];
	int rc;

	train_params_text(ops, params, text, sizeof text);
	if ((rc = workbench_train_enqueue(ctx->wb, ops, params, epochs, seed,
	    opts, &err)) < 0) {
		cmd_error(ctx, "train: %s", err.msg);
		return -1;
	}
	if (rc == 0)
		cmd_printf(ctx, "training %s in the background (2: Train; "
		    "stop cancels): %s%sseed %llu, %d epoch%s", ops->name,
		    text, text[0] ? ", " : "", (unsigned long long)seed,
		    epochs, epochs == 1 ? "" : "s");
	else
		cmd_printf(ctx, "queued %s, number %d in the queue: %s%sseed "
		    "%llu, %d epoch%s", ops->name, rc, text,
		    text[0] ? ", " : "", (unsigned long long)seed, epochs,
		    epochs == 1 ? "" : "s");
	/* A stalled queue (a start that failed) moves on now. */
	if (!workbench_training(ctx->wb))
		start_next(ctx);
	train_watch(ctx);
	ask_redraw(ctx);
	return 0;
}

/* --- stop ------------------------------------------------------------------ */

static int
cmd_stop_exec(cmd_ctx *ctx, const cmd_args *a)
{
	const wb_run *r = workbench_run_current(ctx->wb);
	int dropped = 0;

	(void)a;
	if (workbench_task_kind(ctx->wb) != WB_TASK_NONE) {
		/* The background task first: what it computes is dropped. */
		workbench_task_cancel(ctx->wb);
		cmd_printf(ctx, "cancelling %s: nothing of it is applied",
		    workbench_task_name(workbench_task_kind(ctx->wb)));
		if (args_opt(a, "all") == NULL) {
			ask_redraw(ctx);
			return 0;
		}
	}
	if (args_opt(a, "all") != NULL)
		dropped = workbench_train_clear_queue(ctx->wb);
	if (workbench_training(ctx->wb)) {
		workbench_train_cancel(ctx->wb);
		if (dropped > 0)
			cmd_printf(ctx, "dropped %d queued job%s; stopping %s "
			    "(the last completed epoch is kept)", dropped,
			    dropped == 1 ? "" : "s", r ? r->model : "training");
		else
			cmd_printf(ctx, "stopping %s (the last completed epoch "
			    "is kept)%s", r ? r->model : "training",
			    workbench_queue_length(ctx->wb) > 0 ?
			    "; the queue goes on (stop --all empties it)" :
			    "");
	} else if (dropped > 0) {
		cmd_printf(ctx, "dropped %d queued job%s", dropped,
		    dropped == 1 ? "" : "s");
	} else {
		cmd_printf(ctx, "nothing is training");
	}
	ask_redraw(ctx);
	return 0;
}

const cmd_entry cmd_stop_entry = {
	.name = "stop",
	.alias = NULL,
	.options = "all",
	.min_args = 0,
	.max_args = 0,
	.usage = "stop [--all]",
	.help = "Stop what runs in the background (the TUI): a long command\n"
	    "(tune, eval, refit, fuse: nothing of it is applied; Esc does\n"
	    "the same), else the model training: it keeps its last\n"
	    "completed epoch and is saved like a finished one; the next\n"
	    "queued job starts.  --all also stops the training and empties\n"
	    "its queue.  (In batch mode everything runs in the foreground:\n"
	    "Ctrl-C stops it.)",
	.flags = CMD_BESIDE,
	.complete = { NULL },
	.exec = cmd_stop_exec,
};
