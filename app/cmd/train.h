/* train: training beside the screen.  In the TUI `train` queues a
 * background job instead of blocking; the pump here drains its events into
 * the workbench's curve history on each wake-up, finishes a job as batch
 * mode does (runs and epochs recorded, model saved and kept), starts the
 * next queued one and asks for a redraw.  `stop` cancels. */
#ifndef RF_CMD_TRAIN_H
#define RF_CMD_TRAIN_H

#include "app/cmd/cmd.h"

/* Queue (or start) a job for the TUI and print what happened.  0 or -1. */
int train_background(cmd_ctx *ctx, const model_ops *ops,
    const double *params, int epochs, uint64_t seed,
    const wb_train_opts *opts);

/* Make the event loop (cmd_ctx.events) watch the running job's wake-up
 * pipe, or stop watching one that went away.  The TUI calls it after
 * every command (a command may have started a job or dropped the data). */
void train_watch(cmd_ctx *ctx);

/* Drain pending events now (the pump's body; for the script driver). */
void train_pump(cmd_ctx *ctx);

/* The lines that end a run of model, in batch mode or beside the screen:
 * "trained NAME: N epochs in S s; test ..." (after "stopped after ..."
 * when it was stopped). */
void train_report(cmd_ctx *ctx, const char *name, int stopped);

#endif
