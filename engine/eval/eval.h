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
/* score_block_fn of a model with score_users. */
void eval_model_score_block(const void *ctx, const int32_t *users, int n,
    int lo, int hi, float *out);

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

/* How an evaluation runs beyond what it measures: a seeded sample of
 * users (0: all) and progress. */
typedef struct eval_options {
	int sample_users;
	uint64_t sample_seed;
	void (*progress)(void *ud, int64_t done, int64_t total);
	void *progress_ud;
} eval_options;

int eval_model_with(const model *m, const interactions *train,
    const interactions *test, int k, int threads, const int32_t *popularity,
    const volatile int *cancel, const eval_options *opt, metrics *out,
    double *per_user_ndcg, rf_error *err);

/* Distinct train users per item, (n_items) malloc'd. */
int32_t *eval_train_popularity(const interactions *train);

#endif
