/* user: one user's candidate block, scored once and kept by the caller
 * (the Fusion screen's preview), so that re-ranking it after a settings
 * change (weights, method, normalisation) scores no model again. */
#ifndef RF_FUSION_USER_H
#define RF_FUSION_USER_H

#include <stdint.h>

#include "engine/data/dataset.h"
#include "engine/core/rf.h"

typedef struct fusion fusion;

/* One user's candidate block, scored once: the union of each model's top-M
 * over the items not in the user's row of exclude (NULL: the models'
 * train), with every model's raw score; the caller keeps it, and
 * re-ranking it after a settings change (weights, method, norm) scores
 * nothing.  M is the settings' pool_m when the block is made; after the
 * models change (`refit`), make a new one. */
typedef struct fusion_user fusion_user;

fusion_user *fusion_user_new(const fusion *f, const interactions *exclude,
    int u, rf_error *err);
void fusion_user_free(fusion_user *b);
int fusion_user_id(const fusion_user *b);
/* Top k by the fusion's current settings: items, fused scores, and per
 * item the per-model contributions (contrib[r * n_models + m]; may be
 * NULL), such that fused = base + sum of contributions as
 * fusion_contributions() gives.  scores and base may be NULL too.
 * Returns the count, -1 + err on failure. */
int fusion_user_rank(const fusion *f, const fusion_user *b, int k,
    int32_t *items, float *scores, double *contrib, double *base,
    rf_error *err);

#endif
