/* user: `user [ID]`: pick the user the Fusion and User screens show.
 * The choice lives in the TUI (cmd_ctx.front); in batch mode the command
 * only checks the id and prints a one-line summary, so that a session
 * log that contains it replays the same. */
#include <stdio.h>
#include <string.h>

#include "app/cmd/fusion.h"
#include "engine/session/workbench.h"

extern const cmd_entry cmd_user_entry;

static int
cmd_user_exec(cmd_ctx *ctx, const cmd_args *a)
{
	const cmd_front *front = ctx->front;
	rf_error err = { { 0 } };
	const dataset *ds;
	char summary[256];
	int u;

	if (a->argc == 0) {
		const char *picked = front ? front->picked_user(front->ud) : "";

		if (picked[0] != '\0')
			cmd_printf(ctx, "user %s", picked);
		else
			cmd_printf(ctx, "no user picked: `user ID`");
		return 0;
	}
	if ((ds = workbench_dataset(ctx->wb, &err)) == NULL) {
		cmd_error(ctx, "user: %s", err.msg);
		return -1;
	}
	if ((u = dataset_user_index(ds, a->argv[0])) < 0) {
		cmd_error(ctx, "user: unknown user '%s'", a->argv[0]);
		return -1;
	}
	if (front != NULL && front->pick_user(front->ud, a->argv[0]) < 0) {
		cmd_error(ctx, "user: the id is too long");
		return -1;
	}
	/* The screens show the fused recommendations: build the fusion over
	 * the trained models if there is none yet, with its live metrics
	 * (no models is not an error: the screens say what to do). */
	if (workbench_fusion_peek(ctx->wb) == NULL)
		(void)workbench_fusion(ctx->wb, &err);	/* loads saved models */
	if (ctx->events != NULL)
		(void)fusion_measure_background(ctx, 1);	/* beside the screen */
	else if (workbench_fusion_peek(ctx->wb) != NULL &&
	    !workbench_fusion_live(ctx->wb)->ready &&
	    workbench_fusion_refresh(ctx->wb, &err) < 0)
		cmd_error(ctx, "user: fusion metrics: %s", err.msg);
	dataset_user_summary(ds, u, summary, sizeof summary);
	cmd_printf(ctx, "user %s: %s", a->argv[0], summary);
	return 0;
}

const cmd_entry cmd_user_entry = {
	.name = "user",
	.alias = NULL,
	.options = "",
	.min_args = 0,
	.max_args = 1,
	.usage = "user [ID]",
	.help = "Pick the user the Fusion screen previews and the User screen\n"
	    "explains (4: history, fused top-K with each model's share,\n"
	    "why).  Without ID: the user picked.  Outside the TUI it only\n"
	    "checks the id and prints the user's history in one line.",
	.flags = CMD_BESIDE,
	.complete = { "user" },
	.exec = cmd_user_exec,
};
