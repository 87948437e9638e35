/* cmd: what a command handler works with (tmux's cmd_entry): the entry
 * that describes a command, the context it runs in, its parsed arguments,
 * and the output and argument helpers.  The table of entries, the parser
 * and the dispatcher are in app/cmd/dispatch.h, above the handler files
 * (one per command group), which only call down to here and the engine. */
#ifndef RF_CMD_H
#define RF_CMD_H

#include <stdio.h>

#include "app/events.h"
#include "engine/eval/compare.h"
#include "engine/core/table.h"
#include "engine/session/workbench.h"
#include "engine/core/rf.h"

enum output_format { OUT_TABLE, OUT_TSV, OUT_CSV, OUT_JSON };

/* Where command output goes: stdout/stderr in batch mode, the log view in
 * the TUI.  is_error marks error text.  The last three are optional and
 * serve documents gathered per command (JSON, app/cmd/output.c): a
 * command begins and ends (status 0 or -1); a part comes under a key of
 * its own, a table's rows, or with record set its first row as one
 * object.  Without them a part is shown by table() and a record by its
 * sentence. */
typedef struct cmd_output {
	void (*text)(void *ud, int is_error, const char *line);
	void (*table)(void *ud, const rf_table *t);
	/* A passing status line of a long command (an import's rows, rate
	 * and time left), each replacing the last, NULL ending it; never
	 * logged.  May be NULL: no status shown. */
	void (*progress)(void *ud, const char *line);
	void *ud;
	void (*begin)(void *ud, const char *command);
	void (*end)(void *ud, int status);
	void (*part)(void *ud, const char *key, const rf_table *t, int record);
} cmd_output;

/* What the full-screen front lends the commands that only it knows
 * (app/cmd/front.c: view, save-display, save-session) and `user`. */
typedef struct cmd_front {
	/* Switch to the screen of that name (or unique prefix); -1: none. */
	int (*show_view)(void *ud, const char *name);
	/* The user the screens show (an external id; "" none); pick_user
	 * returns -1 when the id is too long to keep. */
	int (*pick_user)(void *ud, const char *id);
	const char *(*picked_user)(void *ud);
	/* A command's background task ends (app/cmd/task.h): before its
	 * finish prints, and after it, ok when it succeeded (the command
	 * joins the session script). */
	void (*task_finishing)(void *ud);
	void (*task_ended)(void *ud, int ok);
	/* Write the screen as shown, as text; -1 on a write error. */
	int (*dump_screen)(void *ud, FILE *f);
	/* The session so far as a script batch mode replays (len bytes). */
	const char *(*session_script)(void *ud, size_t *len);
	void *ud;
} cmd_front;

/* Everything a handler may touch. */
typedef struct cmd_ctx {
	workbench *wb;
	cmd_output out;
	enum output_format format;
	const volatile int *cancel;	/* set by Ctrl-C / `stop` */
	const char *source;		/* script name for errors, or NULL */
	int line;			/* script line for errors, or 0 */
	int quit;			/* set by `quit` */
	/* The TUI's event loop and screens, or NULL in batch mode. */
	const struct app_events *events;
	const cmd_front *front;
	/* The TUI stores fusion settings changed in memory (weights) when
	 * the slider stops and at quit; otherwise cmd_run_line() does after
	 * every line. */
	int defer_save;
	/* Set by a handler whose work goes on in a background task (the
	 * TUI): the command's outcome comes with cmd_front.task_ended. */
	int task_begun;
} cmd_ctx;

#define CMD_MAX_OPTS 24

/* Parsed arguments: positionals in order, and --long options (with values
 * where the entry's template says name=). */
typedef struct cmd_args {
	int argc;
	char **argv;
	int nopts;
	struct {
		const char *name;	/* points into the entry's template copy */
		char *value;		/* NULL for a flag */
	} opts[CMD_MAX_OPTS];
} cmd_args;

enum cmd_flags {
	CMD_WRITES = 1 << 0,	/* refused when the store is read-only */
	CMD_RAW = 1 << 1,	/* the rest of the line is one verbatim argument */
	CMD_FRONT = 1 << 2,	/* the TUI's own, out of the session script */
	/* Runs while a background task computes (it changes nothing the
	 * task reads); the others wait in the TUI's queue. */
	CMD_BESIDE = 1 << 3,
	/* Runs beside a task that only reads the fusion's settings (an
	 * evaluation, the pools being built): `weights`. */
	CMD_BESIDE_READER = 1 << 4,
	/* Needs no names of users and items (a training in batch mode):
	 * the snapshot may stay lean; every other command is given its
	 * names first (workbench_names()). */
	CMD_LEAN = 1 << 5
};

/* What tab completion offers for the positionals, from left to right:
 * "path", "model", "param", "user", "item", "view", "command", or a
 * '|'-separated word list such as "temporal|last|random|none". */
typedef struct cmd_entry {
	const char *name;
	const char *alias;		/* or NULL */
	const char *options;		/* "force format= map=" ('=' takes a value) */
	int min_args, max_args;		/* positionals; max -1 = any */
	const char *usage;		/* "import [--format F] [--force] PATH" */
	const char *help;		/* one or more lines */
	unsigned flags;
	const char *complete[4];	/* per positional; last repeats */
	int (*exec)(cmd_ctx *ctx, const cmd_args *args);
} cmd_entry;

/* Output helpers for handlers. */
void cmd_printf(cmd_ctx *ctx, const char *fmt, ...) RF_PRINTF(2, 3);
void cmd_error(cmd_ctx *ctx, const char *fmt, ...) RF_PRINTF(2, 3);
/* A table; in a document its key comes from its title ("top users" ->
 * "top_users"), or is named by cmd_print_part() when the title is a
 * sentence ("recommend 196 (ease)" -> "recommendations"). */
void cmd_print_table(cmd_ctx *ctx, const rf_table *t);
void cmd_print_part(cmd_ctx *ctx, const char *key, const rf_table *t);
/* A result of one row said in a sentence: a document gets the row as an
 * object under key, the other outputs the sentence (NULL: nothing, the
 * row being said already, in a table's title) as a message. */
void cmd_print_record(cmd_ctx *ctx, const char *key, const rf_table *t,
    const char *sentence);
/* The fusion against the best single model per user (metric "ndcg@10"),
 * as a record: best_single, metric, users, fused, single, difference,
 * low_95, high_95 (NULL when too few users), verdict; NULL when out of
 * memory. */
rf_table *cmd_comparison_table(const char *best, const char *metric,
    const paired_diff *d);
/* "the fusion is better", "the single model is better" or "no clear
 * difference", by the interval. */
const char *cmd_comparison_verdict(const paired_diff *d);

/* The status line of a long command (see cmd_output.progress), and its
 * end. */
void cmd_progress(cmd_ctx *ctx, const char *fmt, ...) RF_PRINTF(2, 3);
void cmd_progress_end(cmd_ctx *ctx);
/* Print "usage: ..." for the entry and return -1. */
int cmd_usage(cmd_ctx *ctx, const cmd_entry *e);

/* Option access.  args_opt returns the value ("" for a present flag) or
 * NULL; args_int parses an integer option within [min, max] (or prints an
 * error naming the option and returns -1). */
const char *args_opt(const cmd_args *a, const char *name);
int args_int(cmd_ctx *ctx, const cmd_args *a, const char *name, long def,
    long min, long max, long *out);
int args_double(cmd_ctx *ctx, const cmd_args *a, const char *name,
    double def, double min, double max, double *out);

#endif
