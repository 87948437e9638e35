/* tune: learn the weights and the normalisation of the weighted fusion on
 * a validation pool (coordinate ascent over the simplex, never below the
 * best single model, shrunk toward equal weights by the one-SE rule). */
#ifndef RF_FUSION_TUNE_H
#define RF_FUSION_TUNE_H

#include "engine/fusion/settings.h"
#include "engine/core/rf.h"

typedef struct fusion fusion;
typedef struct fusion_pool fusion_pool;

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

#endif
