/* task: a background task's finish, run when the worker is done (see
 * task.h).  One task at a time, so one finish in flight. */
#include "app/cmd/task.h"

#include <poll.h>
#include <stdio.h>

#include "app/cmd/train.h"
#include "engine/session/workbench.h"

static struct {
	cmd_task_finish finish;	/* NULL: none pending */
	void *ud;
	uint64_t id;		/* the task's (workbench_task_id()) */
	int fd;			/* watched, or -1 */
} pending = { NULL, NULL, 0, -1 };

int
cmd_task_pending(void)
{
	return pending.finish != NULL;
}

/* Run the pending finish and tell the front. */
static void
run_finish(cmd_ctx *ctx)
{
	cmd_task_finish finish = pending.finish;
	void *ud = pending.ud;
	const struct app_events *ev = ctx->events;
	int rc;

	if (ev != NULL && pending.fd >= 0)
		ev->unwatch(ev->ud, pending.fd);
	pending.finish = NULL;
	pending.ud = NULL;
	pending.fd = -1;
	pending.id = 0;
	if (ctx->front != NULL && ctx->front->task_finishing != NULL)
		ctx->front->task_finishing(ctx->front->ud);
	rc = finish(ctx, ud);
	if (ctx->front != NULL && ctx->front->task_ended != NULL)
		ctx->front->task_ended(ctx->front->ud, rc == 0);
	/* A training job that ended meanwhile was left for now (its model
	 * would have dropped what the task used): its turn. */
	train_pump(ctx);
	if (ev != NULL)
		ev->changed(ev->ud);
}

static void
task_wake(void *ud)
{
	cmd_ctx *ctx = ud;

	if (pending.finish == NULL)
		return;
	if (workbench_task_id(ctx->wb) == pending.id &&
	    !workbench_task_done(ctx->wb))
		return;
	run_finish(ctx);
}

int
cmd_task_begin(cmd_ctx *ctx, cmd_task_finish finish, void *ud)
{
	const struct app_events *ev = ctx->events;
	int fd = workbench_task_fd(ctx->wb);

	if (workbench_task_done(ctx->wb) || ev == NULL || fd < 0)
		return finish(ctx, ud);
	if (ev->watch(ev->ud, fd, task_wake, ctx) < 0) {
		/* Cannot happen with the loop's slots; if it did, the finish
		 * would never come: wait for the worker here instead. */
		struct pollfd p = { .fd = fd, .events = POLLIN };

		while (!workbench_task_done(ctx->wb))
			(void)poll(&p, 1, 100);
		return finish(ctx, ud);
	}
	pending.finish = finish;
	pending.ud = ud;
	pending.id = workbench_task_id(ctx->wb);
	pending.fd = fd;
	ctx->task_begun = 1;
	return 0;
}

void
cmd_task_check(cmd_ctx *ctx)
{
	if (pending.finish != NULL &&
	    workbench_task_id(ctx->wb) != pending.id)
		run_finish(ctx);
}
