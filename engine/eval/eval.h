/* eval: the evaluation protocol of one model on a test part: full-ranking
 * top-N over the items the model was trained on left out, and RMSE/MAE
 * where the data are ratings and the model predicts them.  Takes what it
 * needs as arguments; the session calls it. */
#ifndef RF_EVAL_H
#define RF_EVAL_H

#include <stdint.h>

#include "engine/data/dataset.h"
#include "engine/eval/metrics.h"
#include "engine/models/model.h"
#include "engine/core/rf.h"
#include "engine/core/table.h"

/* Score / predict adapters for metrics.h (ctx is a const model *). */
void eval_model_score(const void *ctx, int u, float *out);
double eval_model_predict(const void *ctx, int u, int i);

/* One model on a test part: full-ranking top-N at k over items not in
 * train; plus RMSE/MAE when the data are ratings and the model predicts
 * (clipped to the rating range).  popularity (n_items) may be NULL.
 * Returns 1 when cancelled. */
int eval_model(const model *m, const interactions *train,
    const interactions *test, int k, int threads, const int32_t *popularity,
    const volatile int *cancel, metrics *out, rf_error *err);

/* The same, with each ranked user's NDCG@k in per_user_ndcg (n_users;
 * NAN for users without test items) when it is not NULL. */
int eval_model_users(const model *m, const interactions *train,
    const interactions *test, int k, int threads, const int32_t *popularity,
    const volatile int *cancel, metrics *out, double *per_user_ndcg,
    rf_error *err);

/* Distinct train users per item, (n_items) malloc'd. */
int32_t *eval_train_popularity(const interactions *train);

#endif
