/* front: the commands only the full-screen front knows (`view`,
 * `save-display`, `save-session`), run through what it lends in
 * cmd_ctx.front; CMD_FRONT keeps them out of the session script. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "app/cmd/cmd.h"
#include "engine/session/workbench.h"

extern const cmd_entry cmd_view_entry, cmd_save_display_entry,
    cmd_save_session_entry;

static int
cmd_view_exec(cmd_ctx *ctx, const cmd_args *a)
{
	if (ctx->front == NULL) {
		cmd_error(ctx, "view: only in the TUI");
		return -1;
	}
	if (ctx->front->show_view(ctx->front->ud, a->argv[0]) < 0) {
		cmd_error(ctx, "view: no screen '%s' (data, train, fusion, "
		    "user, log)", a->argv[0]);
		return -1;
	}
	return 0;
}

const cmd_entry cmd_view_entry = {
	.name = "view",
	.alias = NULL,
	.options = "",
	.min_args = 1,
	.max_args = 1,
	.usage = "view data|train|fusion|user|log",
	.help = "Switch the TUI to a screen (the keys 1-5 do the same).",
	.flags = CMD_FRONT | CMD_BESIDE,
	.complete = { "view" },
	.exec = cmd_view_exec,
};

/* A file a TUI command writes: never the store itself (or its journal). */
static FILE *
open_output(cmd_ctx *ctx, const char *cmd, const char *path)
{
	FILE *f;

	if (store_is_store_file(workbench_store(ctx->wb), path)) {
		cmd_error(ctx, "%s: %s: is the store", cmd, path);
		return NULL;
	}
	if ((f = fopen(path, "w")) == NULL)
		cmd_error(ctx, "%s: %s: %s", cmd, path, strerror(errno));
	return f;
}

static int
close_output(cmd_ctx *ctx, const char *cmd, const char *path, FILE *f,
    int failed)
{
	failed |= ferror(f);
	if (fclose(f) != 0 || failed) {
		cmd_error(ctx, "%s: %s: %s", cmd, path,
		    strerror(errno ? errno : EIO));
		return -1;
	}
	return 0;
}

static int
cmd_save_display_exec(cmd_ctx *ctx, const cmd_args *a)
{
	FILE *f;
	int failed;

	if (ctx->front == NULL) {
		cmd_error(ctx, "save-display: only in the TUI");
		return -1;
	}
	/* What the screen shows now: the script driver runs this only once
	 * everything before it is drawn. */
	if ((f = open_output(ctx, "save-display", a->argv[0])) == NULL)
		return -1;
	failed = ctx->front->dump_screen(ctx->front->ud, f) < 0;
	return close_output(ctx, "save-display", a->argv[0], f, failed);
}

const cmd_entry cmd_save_display_entry = {
	.name = "save-display",
	.alias = NULL,
	.options = "",
	.min_args = 1,
	.max_args = 1,
	.usage = "save-display FILE",
	.help = "Write the TUI's screen as text to FILE (for screen tests).",
	.flags = CMD_FRONT | CMD_BESIDE,
	.complete = { "path" },
	.exec = cmd_save_display_exec,
};

static int
cmd_save_session_exec(cmd_ctx *ctx, const cmd_args *a)
{
	const char *script;
	size_t len = 0;
	FILE *f;

	if (ctx->front == NULL) {
		cmd_error(ctx, "save-session: only in the TUI (a batch "
		    "session is its script already)");
		return -1;
	}
	if ((f = open_output(ctx, "save-session", a->argv[0])) == NULL)
		return -1;
	fprintf(f, "# recfuse session on %s: replay with "
	    "`recfuse STORE -f %s`\n", store_path(workbench_store(ctx->wb)),
	    a->argv[0]);
	script = ctx->front->session_script(ctx->front->ud, &len);
	if (len > 0)
		fwrite(script, 1, len, f);
	if (close_output(ctx, "save-session", a->argv[0], f, 0) < 0)
		return -1;
	cmd_printf(ctx, "save-session: %s: the commands of this session",
	    a->argv[0]);
	return 0;
}

const cmd_entry cmd_save_session_entry = {
	.name = "save-session",
	.alias = NULL,
	.options = "",
	.min_args = 1,
	.max_args = 1,
	.usage = "save-session FILE",
	.help = "Write the commands of this TUI session that succeeded (keys\n"
	    "included: a slider move is a `weights` command) as a script that\n"
	    "`recfuse STORE -f FILE` replays to the same state.",
	.flags = CMD_FRONT | CMD_BESIDE,
	.complete = { "path" },
	.exec = cmd_save_session_exec,
};
