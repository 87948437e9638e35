/* task: the commands' side of the session's background task (see
 * engine/session/task.h).  A handler that started a task hands its finish
 * here: in batch mode the task has computed already and the finish runs
 * at once (the same output as before); beside the screen the task's pipe
 * is watched through the loop's registration and the finish runs on the
 * loop's thread when the worker is done. */
#ifndef RF_CMD_TASK_H
#define RF_CMD_TASK_H

#include "app/cmd/cmd.h"

/* finish(ctx, ud) commits and prints (it owns ud); its return value is
 * the command's.  Returns finish's value when the task is done already,
 * else 0 with ctx->task_begun set (the front records the command when
 * it ends well, cmd_front.task_ended). */
typedef int (*cmd_task_finish)(cmd_ctx *ctx, void *ud);
int cmd_task_begin(cmd_ctx *ctx, cmd_task_finish finish, void *ud);

/* Is a task's finish pending (the task runs)? */
int cmd_task_pending(void);

/* After anything that may have aborted the task (the models or the data
 * changed): a finish still pending for a task that is gone runs now and
 * reports it stopped. */
void cmd_task_check(cmd_ctx *ctx);

#endif
