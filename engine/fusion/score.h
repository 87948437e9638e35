/* score: the fusion for one user on the fly, as the evaluator's score_fn
 * and predict_fn, as top-k recommendations and as one item's per-model
 * contributions.  Each call scores every model for the user; a caller
 * that re-ranks one user again and again keeps a fusion_user (user.h). */
#ifndef RF_FUSION_SCORE_H
#define RF_FUSION_SCORE_H

#include <stdint.h>

#include "engine/fusion/settings.h"
#include "engine/core/rf.h"

typedef struct fusion fusion;

/* Scores of every item for user u (score_fn for metrics_eval_topn):
 * the fused score for the user's candidates, -INFINITY elsewhere. */
void fusion_score_user(const void *f, int u, float *out);
/* Predicted rating (predict_fn): ridge stack or weighted mean of the
 * models' predictions. */
double fusion_predict(const void *f, int u, int i);
/* Top-k of user u by the fused score; returns the count (-1 on error). */
int fusion_recommend(const fusion *f, int u, int k, int32_t *items,
    float *scores, rf_error *err);

/* The fused score of (u, i) split into per-model terms:
 * fused = base + sum_m contrib[m] (exactly; base is the stack's per-user
 * intercept, 0 otherwise).  rank[m] is model m's rank among the user's
 * candidates, score[m] its raw score.  The item is added to the user's
 * candidates when it is not one (in_pool = 0). */
typedef struct fusion_contrib {
	int n_models;
	double fused, base;
	double contrib[FUSION_MAX_MODELS];
	/* model m's weight for the user: a stack's may be below 0, when
	 * a low score of m counts for an item */
	double weight[FUSION_MAX_MODELS];
	double score[FUSION_MAX_MODELS];
	int rank[FUSION_MAX_MODELS];
	int pool_len;
	int in_pool;
	int fused_rank;		/* 1-based among the candidates */
} fusion_contrib;

int fusion_contributions(const fusion *f, int u, int i, fusion_contrib *out,
    rf_error *err);

#endif
