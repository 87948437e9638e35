/* fusion: the fusion commands (fuse, weights, tune, explain, refit) and
 * what the front asks of them beside a command: the pools and the live
 * metrics of a fusion measured in the background (a restored fusion, a
 * user picked, a fusion new on the screen). */
#ifndef RF_CMD_FUSION_H
#define RF_CMD_FUSION_H

#include "app/cmd/cmd.h"

/* When a fusion exists and nothing runs: its pools and live metrics as a
 * background task when they are missing or stale (a refit first when an
 * earlier session's is to be redone).  asked: a command wants them (else
 * the front, idle: a fusion that failed to measure is not tried again by
 * itself).  1 started, 0 nothing to do, -1 (printed). */
int fusion_measure_background(cmd_ctx *ctx, int asked);

#endif
