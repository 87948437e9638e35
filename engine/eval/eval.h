/* eval: the commands' engine side: evaluate trained models on the test
 * part (one row per model), recommend for one user, export top-K lists for
 * every user and rating predictions for given pairs (with a baseline
 * fallback for users/items unseen in training). */
#ifndef RF_EVAL_H
#define RF_EVAL_H

#include <stdint.h>

#include "engine/data/dataset.h"
#include "engine/eval/metrics.h"
#include "engine/models/model.h"
#include "engine/core/rf.h"
#include "engine/core/table.h"
#include "engine/session/workbench.h"

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

/* Distinct train users per item, (n_items) malloc'd. */
int32_t *eval_train_popularity(const interactions *train);

/* eval: one row per model in memory (loading saved ones first): model,
 * RMSE, MAE, P/R/NDCG/MAP/HR/MRR@k, coverage, mean popularity; then, when
 * a fusion exists (made in this session or stored), after `refit` one row
 * per refitted model ("ease (refit)") and a "fused" row. */
rf_table *eval_table(workbench *wb, int k, const volatile int *cancel,
    rf_error *err);

/* The fusion on the test part: top-N over the items not in what its
 * models were trained on (train, or train + valid after `refit`), and
 * RMSE/MAE when every model predicts ratings.  1 when cancelled. */
int eval_fused(workbench *wb, int k, const int32_t *popularity,
    const volatile int *cancel, metrics *out, rf_error *err);
/* model_name is "fused" (any case): recommend, export recs and export
 * preds then use the workbench's fusion. */
int eval_is_fused(const char *model_name);

/* The model to use: by name, or the last trained one in registry order,
 * the workbench's order (for_predict: the last that predicts ratings). */
const wb_model *eval_pick_model(workbench *wb, const char *name,
    int for_predict, rf_error *err);

/* recommend: top k for a user (external id) excluding their train items:
 * rank, item, title, score. */
rf_table *eval_recommend(workbench *wb, const char *user, int k,
    const char *model_name, rf_error *err);

/* export recs: "user\titem\trank\tscore" for every user (external ids),
 * top k excluding train items.  *n_users gets the users written. */
int eval_export_recs(workbench *wb, const char *path, int k,
    const char *model_name, const volatile int *cancel, int64_t *n_users,
    const char **model_used, rf_error *err);

/* export preds: read "user\titem[\t...]" pairs from pairs_path, write
 * "user\titem\tprediction".  Pairs whose user or item has no train data
 * get the baseline mu + b_u + b_i (what is known of it). */
typedef struct eval_preds_result {
	int64_t pairs, fallback;
	const char *model;	/* the model used */
} eval_preds_result;

int eval_export_preds(workbench *wb, const char *path, const char *pairs_path,
    const char *model_name, eval_preds_result *res, rf_error *err);

#endif
