/* fusion: combine several trained models into one ranking (weighted sum of
 * per-user normalised scores, reciprocal-rank fusion, Borda count, voting,
 * or a stacker learned on validation), over cached per-user candidate pools
 * so that a weight change re-ranks and re-evaluates without re-scoring.
 * Every fused score splits exactly into per-model contributions.
 *
 * This header is the fusion object (its models, settings and weights);
 * each job around it has a header of its own: settings.h, pool.h (pools:
 * build, re-rank, evaluate), stack.h, tune.h, score.h (one user on the
 * fly), user.h (one user's block kept by the caller).  It includes them
 * all for the callers that use every part of the fusion. */
#ifndef RF_FUSION_H
#define RF_FUSION_H

#include "engine/data/dataset.h"
#include "engine/models/model.h"
#include "engine/core/rf.h"
#include "engine/fusion/settings.h"
#include "engine/fusion/pool.h"
#include "engine/fusion/score.h"
#include "engine/fusion/stack.h"
#include "engine/fusion/tune.h"
#include "engine/fusion/user.h"

typedef struct fusion fusion;

/*
 * A fusion of n trained models (not owned; all trained on the same train
 * part, which is what each user's candidates exclude).  Starts as
 * `weighted`, z-score, uniform weights.  names may be NULL (the models'
 * ops names are used).
 */
fusion *fusion_new(const dataset *ds, const model *const *models,
    const char *const *names, int n, rf_error *err);
void fusion_free(fusion *f);
/* A fusion of the same models (shared, not owned), known part, settings
 * and fitted stack, to be changed on its own (a tune on a worker thread
 * while the screens draw from the original).  NULL + err. */
fusion *fusion_clone(const fusion *f, rf_error *err);
int fusion_n_models(const fusion *f);
const char *fusion_model_name(const fusion *f, int m);
const model *fusion_model(const fusion *f, int m);
const dataset *fusion_dataset(const fusion *f);
const fusion_settings *fusion_get_settings(const fusion *f);
/* Replace the models (same count and names: after `refit`), keeping the
 * settings and the stack. */
/* What is known of every user, which fusion_score_user(),
 * fusion_recommend() and fusion_contributions() never rank (NULL: the
 * models' train part): the session's train + validation, so that the
 * fused list, like every single one, leaves out what the user already
 * has.  Same dimensions as the models' train part; not owned. */
int fusion_set_known(fusion *f, const interactions *known, rf_error *err);
const interactions *fusion_known(const fusion *f);
/* The count of train users per item (n_items) that the evaluation's mean
 * popularity of recommended items reads: the one the single models'
 * evaluations read (the session's train part's), so that the figure
 * compares like with like; NULL (the default): no such figure.  Not
 * owned. */
void fusion_set_popularity(fusion *f, const int32_t *popularity);
int fusion_replace_models(fusion *f, const model *const *models,
    rf_error *err);

/* Apply settings (weights matched by name; unknown names are an error,
 * models the settings do not name get weight 0). */
int fusion_apply_settings(fusion *f, const fusion_settings *s,
    rf_error *err);
int fusion_set_method(fusion *f, enum fusion_method m);
/* "k=60", "n=10", "m=200", "l2=1", "norm=minmax". */
int fusion_set_param(fusion *f, const char *assign, rf_error *err);
int fusion_set_weight(fusion *f, int m, double w, rf_error *err);
/* Weights normalised to sum 1 (uniform when all are 0). */
void fusion_weights(const fusion *f, double *w);

#endif
