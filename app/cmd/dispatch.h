/* dispatch: the one command table and the way into it.  Every action,
 * typed at the console, bound to a key in a view, or read from a script,
 * is a line of command text that runs through cmd_run_line(). */
#ifndef RF_DISPATCH_H
#define RF_DISPATCH_H

#include "app/cmd/cmd.h"

/* Run one line (commands separated by ';').  Returns 0 when every command
 * succeeded, -1 when one failed (later ones in the line are not run). */
int cmd_run_line(cmd_ctx *ctx, const char *line);

/* Parse every command of a line as cmd_run_line() does (the words, the
 * command's name, its options against its entry, a raw command's rest of
 * the line) and run none: 0, or -1 with the error printed as a run would
 * print it.  (The fuzzer of the command parser calls it.) */
int cmd_parse_line(cmd_ctx *ctx, const char *line);

/* Lookup by exact name, alias or unique prefix; NULL with a message in err
 * ("unknown command: x" / "ambiguous command: x, could be: a, b"). */
const cmd_entry *cmd_find(const char *name, rf_error *err);
const cmd_entry *const *cmd_table(void);	/* NULL-terminated */

/* What the commands of a line are, without running them: CMD_WRITES when
 * one of them might change the data (an unknown one might; the screens
 * reload after such a line), CMD_FRONT when every one is the TUI's own
 * (such a line stays out of the session script, which batch mode
 * replays), CMD_BESIDE when every one may run while a background task
 * computes, CMD_BESIDE_READER when every one may run beside a task that
 * only reads the fusion's settings (an unknown command may not). */
unsigned cmd_line_flags(const char *line);

/* The first sentence of a command's help, its lines joined (up to a list
 * or table, whose lines are indented); malloc'd. */
char *cmd_help_sentence(const cmd_entry *e);

#endif
