/* fusion: combine several trained models into one ranking (weighted sum of
 * per-user normalised scores, reciprocal-rank fusion, Borda count, voting,
 * or a stacker learned on validation), over cached per-user candidate pools
 * so that a weight change re-ranks and re-evaluates without re-scoring.
 * Every fused score splits exactly into per-model contributions. */
#ifndef RF_FUSION_H
#define RF_FUSION_H

#include <stddef.h>
#include <stdint.h>

#include "engine/data/dataset.h"
#include "engine/eval/metrics.h"
#include "engine/models/model.h"
#include "engine/core/rf.h"

#define FUSION_MAX_MODELS	16
#define FUSION_NAME_MAX		32

enum fusion_method {
	FUSE_WEIGHTED,		/* sum_m w_m norm_m(u, i) */
	FUSE_RRF,		/* sum_m w_m / (k + rank_m) (Cormack et al. 2009) */
	FUSE_BORDA,		/* sum_m w_m (len - rank_m): Borda points */
	FUSE_VOTE,		/* votes of the models' top-N, ties by weighted */
	FUSE_STACK,		/* learned on validation (logistic / ridge) */
	FUSE_METHOD_COUNT
};

/* Per model, per user, over the user's candidate pool. */
enum fusion_norm {
	NORM_ZSCORE,		/* (s - mean) / sd */
	NORM_MINMAX,		/* (s - min) / (max - min) */
	NORM_RANK,		/* 1 / rank */
	NORM_BORDA,		/* (len - rank) / len */
	NORM_RAW,		/* the model's score as it is */
	NORM_COUNT
};

/* What the store's settings table keeps under key "fusion": the method,
 * its parameters and the weights by model name (in the fusion's order). */
typedef struct fusion_settings {
	enum fusion_method method;
	enum fusion_norm norm;
	double rrf_k;		/* rrf: k (60) */
	int vote_n;		/* vote: each model votes for its top-N (10) */
	int pool_m;		/* candidates per model (200) */
	double l2;		/* stack: L2 weight (1) */
	int n;			/* weights known */
	char names[FUSION_MAX_MODELS][FUSION_NAME_MAX];
	double w[FUSION_MAX_MODELS];	/* >= 0, not necessarily normalised */
} fusion_settings;

void fusion_settings_default(fusion_settings *s);
/* "method=weighted norm=zscore k=60 vote=10 m=200 l2=1 w=ease:0.6,als:0.4" */
void fusion_settings_format(const fusion_settings *s, char *buf, size_t n);
int fusion_settings_parse(const char *text, fusion_settings *s,
    rf_error *err);
const char *fusion_method_name(enum fusion_method m);
const char *fusion_norm_name(enum fusion_norm n);
int fusion_method_parse(const char *name);	/* -1 when unknown */
int fusion_norm_parse(const char *name);	/* -1 when unknown */

typedef struct fusion fusion;
typedef struct fusion_pool fusion_pool;

/*
 * A fusion of n trained models (not owned; all trained on the same train
 * part, which is what each user's candidates exclude).  Starts as
 * `weighted`, z-score, uniform weights.  names may be NULL (the models'
 * ops names are used).
 */
fusion *fusion_new(const dataset *ds, const model *const *models,
    const char *const *names, int n, rf_error *err);
void fusion_free(fusion *f);
int fusion_n_models(const fusion *f);
const char *fusion_model_name(const fusion *f, int m);
const model *fusion_model(const fusion *f, int m);
const dataset *fusion_dataset(const fusion *f);
const fusion_settings *fusion_get_settings(const fusion *f);
/* Replace the models (same count and names: after `refit`), keeping the
 * settings and the stack. */
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

/*
 * Candidate pools.  For each user of the list (NULL: every user with >= 1
 * entry in eval, or every user when eval is NULL): the union of each
 * model's top-M over the items not in the user's row of exclude (NULL:
 * the models' train), with every model's score (and, when the models
 * predict ratings, every eval pair's predictions) cached.  Scores each
 * user once per model on `threads` (1 or 2) threads.
 */
fusion_pool *fusion_pool_build(const fusion *f, const interactions *exclude,
    const interactions *eval, const int32_t *users, int n_users,
    int threads, rf_error *err);
void fusion_pool_free(fusion_pool *p);
int fusion_pool_n_users(const fusion_pool *p);
int64_t fusion_pool_n_candidates(const fusion_pool *p);

/* Re-rank every pooled user with the fusion's current settings and
 * measure the top-K metrics against the pool's eval part (top-N fields
 * of out).  single >= 0 ranks by that single model alone instead. */
int fusion_pool_eval(fusion *f, fusion_pool *p, int single, int k,
    metrics *out, rf_error *err);
/* RMSE / MAE of the fused (model < 0) or one model's rating predictions
 * on the pool's eval pairs.  -1 when the pool has no predictions. */
int fusion_pool_eval_rating(fusion *f, fusion_pool *p, int single,
    metrics *out, rf_error *err);
/* Re-rank one pooled user: up to k items (best first) and fused scores;
 * returns the count, -1 when u is not in the pool. */
int fusion_pool_rank_user(fusion *f, fusion_pool *p, int u, int k,
    int32_t *items, float *scores);

/* Learn the stack on a validation pool: for top-N a logistic regression
 * over normalised scores, user features and their products; for ratings
 * (rating=1) a ridge blend of the predictions.  Sets the method to stack. */
int fusion_fit_stack(fusion *f, fusion_pool *valid, int rating,
    uint64_t seed, rf_error *err);
/* The stack's coefficients (names like "ease", "ease*activity"). */
int fusion_stack_coefs(const fusion *f, const char **names, double *coef,
    int max);

/* The fitted stack as text for the store (key "fusion.stack"):
 * "kind=topn ufn=2 names=ease,als theta=v,v,..." with exact (%.17g)
 * coefficients.  0, or -1 when no stack is fitted or n is too small. */
int fusion_stack_format(const fusion *f, char *buf, size_t n);
/* Restore a stack from that text over the same set of models (matched by
 * name, any order) and set the method to stack.  -1 with err saying why
 * (different models, malformed) and the fusion untouched. */
int fusion_stack_parse(fusion *f, const char *text, rf_error *err);

enum tune_metric { TUNE_NDCG10, TUNE_RECALL20, TUNE_RMSE };
int fusion_tune_metric_parse(const char *name);	/* -1 when unknown */
const char *fusion_tune_metric_name(enum tune_metric m);

typedef struct fusion_tune_report {
	enum tune_metric metric;
	int n_models;
	double single_valid[FUSION_MAX_MODELS];
	double single_test[FUSION_MAX_MODELS];	/* NAN without a test pool */
	int best_single;
	double fused_valid, fused_test;
	enum fusion_norm norm;
	double w[FUSION_MAX_MODELS];		/* normalised */
	int evaluations;
	double seconds;
	/* where the weights ended on the way from equal weights (0) to the
	 * validation optimum (1), by the one-standard-error rule */
	double shrink;
} fusion_tune_report;

/*
 * Learn the weights (and the normalisation) of `weighted` on the valid
 * pool by coordinate ascent over the simplex, from the best single
 * model's one-hot weights and from uniform, with shrinking steps; only
 * strict improvements are accepted, so the result never scores below the
 * best single model on validation.  test may be NULL.  Sets the method
 * to weighted with the chosen weights.
 */
int fusion_tune(fusion *f, fusion_pool *valid, fusion_pool *test,
    enum tune_metric metric, fusion_tune_report *rep,
    const volatile int *cancel, rf_error *err);
/* The same; shrink = 0 keeps the validation optimum as it is (fusion_tune
 * shrinks it toward equal weights by the one-standard-error rule: the
 * weights closest to equal whose validation metric is within one paired
 * standard error of the optimum, and still above the best single). */
int fusion_tune_ex(fusion *f, fusion_pool *valid, fusion_pool *test,
    enum tune_metric metric, int shrink, fusion_tune_report *rep,
    const volatile int *cancel, rf_error *err);

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
	double score[FUSION_MAX_MODELS];
	int rank[FUSION_MAX_MODELS];
	int pool_len;
	int in_pool;
	int fused_rank;		/* 1-based among the candidates */
} fusion_contrib;

int fusion_contributions(const fusion *f, int u, int i, fusion_contrib *out,
    rf_error *err);

#endif
