/* cmd-fusion: the fusion commands (fuse, weights, tune, explain, refit)
 * and the fusion they keep over the workbench's trained models, which
 * `--model fused` in eval / recommend / export uses. */
#ifndef RF_CMD_FUSION_H
#define RF_CMD_FUSION_H

#include "app/cmd/cmd.h"
#include "engine/fusion/fusion.h"

/* The fusion over the workbench's current models and split (built on
 * first use with the stored "fusion" settings, rebuilt when the models or
 * the split change); NULL + err when no model is trained.  Score with
 * fusion_score_user() / fusion_predict() / fusion_recommend(). */
fusion *cmd_fusion_current(cmd_ctx *ctx, rf_error *err);

#endif
