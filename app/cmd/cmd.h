/* cmd: the command table and its dispatcher.  Every action, typed at the
 * console, bound to a key in a view, or read from a script, is a line of
 * command text that runs through cmd_run_line() (tmux's cmd_entry table). */
#ifndef RF_CMD_H
#define RF_CMD_H

#include "engine/core/table.h"
#include "engine/session/workbench.h"
#include "engine/core/rf.h"

enum output_format { OUT_TABLE, OUT_TSV, OUT_CSV, OUT_JSON };

/* Where command output goes: stdout/stderr in batch mode, the log view in
 * the TUI.  is_error marks error text. */
typedef struct cmd_output {
	void (*text)(void *ud, int is_error, const char *line);
	void (*table)(void *ud, const rf_table *t);
	void *ud;
} cmd_output;

/* Everything a handler may touch. */
typedef struct cmd_ctx {
	workbench *wb;
	cmd_output out;
	enum output_format format;
	const volatile int *cancel;	/* set by Ctrl-C / `stop` */
	const char *source;		/* script name for errors, or NULL */
	int line;			/* script line for errors, or 0 */
	int quit;			/* set by `quit` */
	/* The TUI stores fusion settings changed in memory (weights) when
	 * the slider stops and at quit; otherwise cmd_run_line() does after
	 * every line. */
	int defer_save;
	void *app;			/* the app's own state (TUI), or NULL */
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
	CMD_RAW = 1 << 1	/* the rest of the line is one verbatim argument */
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

/* Run one line (commands separated by ';').  Returns 0 when every command
 * succeeded, -1 when one failed (later ones in the line are not run). */
int cmd_run_line(cmd_ctx *ctx, const char *line);

/* Lookup by exact name, alias or unique prefix; NULL with a message in err
 * ("unknown command: x" / "ambiguous command: x, could be: a, b"). */
const cmd_entry *cmd_find(const char *name, rf_error *err);
const cmd_entry *const *cmd_table(void);	/* NULL-terminated */

/* Output helpers for handlers. */
void cmd_printf(cmd_ctx *ctx, const char *fmt, ...) RF_PRINTF(2, 3);
void cmd_error(cmd_ctx *ctx, const char *fmt, ...) RF_PRINTF(2, 3);
void cmd_print_table(cmd_ctx *ctx, const rf_table *t);
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

/* Command entries, one per handler file (app/cmd-*.c); the table in
 * app/cmd.c lists them. */
extern const cmd_entry cmd_help_entry, cmd_quit_entry;
extern const cmd_entry cmd_import_entry, cmd_import_items_entry,
    cmd_stats_entry, cmd_rejects_entry, cmd_users_entry, cmd_items_entry,
    cmd_sql_entry;

#endif
