/* tune: learn how to fuse on a validation pool: several candidate ways
 * (the best model alone, ensemble selection, equal weights over its
 * members, weights regularised toward the best model, feature-weighted
 * stacking, rrf, borda, vote, the stack), each judged by k-fold
 * cross-validation over the validation users (fusion_tune_folds()); the
 * best is kept, never one that does not beat the best single model there
 * (see tune.c). */
#ifndef RF_FUSION_TUNE_H
#define RF_FUSION_TUNE_H

#include "engine/core/rf.h"
#include "engine/eval/compare.h"
#include "engine/fusion/settings.h"

typedef struct fusion fusion;
typedef struct fusion_pool fusion_pool;

enum tune_metric { TUNE_NDCG10, TUNE_RECALL20, TUNE_RMSE };
int fusion_tune_metric_parse(const char *name);	/* -1 when unknown */
const char *fusion_tune_metric_name(enum tune_metric m);

enum tune_candidate {
	TUNE_SINGLE,		/* the best model alone */
	TUNE_SELECTION,		/* ensemble selection (Caruana et al. 2004) */
	TUNE_MEMBERS,		/* equal weights over selection's members */
	TUNE_WEIGHTS,		/* weights regularised toward the best model */
	TUNE_FWLS,		/* feature-weighted linear stacking (Sill 2009) */
	TUNE_RRF,
	TUNE_BORDA,
	TUNE_VOTE,
	TUNE_STACK,		/* logistic (top-N) / ridge (ratings) stack */
	TUNE_CAND_COUNT
};
const char *fusion_tune_candidate_name(enum tune_candidate c);

typedef struct tune_candidate_report {
	char name[16];
	int tried;		/* 0: does not apply (ratings, one model) */
	double valid;		/* learned and measured on every valid user */
	double cv;		/* learned on the other folds' users,
				 * measured on each fold's: what chooses */
	/* per user, out of fold, this way minus the best single model
	 * (RMSE: minus the user's mean squared error) */
	paired_diff vs_single;
} tune_candidate_report;

typedef struct fusion_tune_report {
	enum tune_metric metric;
	int n_models;
	double single_valid[FUSION_MAX_MODELS];
	double single_test[FUSION_MAX_MODELS];	/* NAN without a test pool */
	int best_single;			/* on validation */
	tune_candidate_report cand[TUNE_CAND_COUNT];
	int chosen;				/* enum tune_candidate */
	enum fusion_method method;		/* what the fusion now is */
	enum fusion_norm norm;
	double w[FUSION_MAX_MODELS];		/* normalised */
	double fused_valid, fused_test;
	/* the chosen way against the best single model, per user: out of
	 * fold on validation, and on the test pool (against the best single
	 * model there) when one was given */
	paired_diff valid_vs_single, test_vs_single;
	int test_single;			/* -1 without a test pool */
	int folds;				/* of the cross-validation */
	int evaluations;
	double seconds;
} fusion_tune_report;

/* The folds of the cross-validation over n_users validation users:
 * TUNE_FOLDS_FEW (5) up to TUNE_FOLDS_USERS users, so that a way is
 * learned on four fifths of thin evidence rather than half of it;
 * TUNE_FOLDS_MANY (2) beyond, where half the users learn as well as all
 * and each fold more costs a learning of every way. */
#define TUNE_FOLDS_FEW 5
#define TUNE_FOLDS_MANY 2
#define TUNE_FOLDS_USERS 5000
int fusion_tune_folds(int n_users);

/* A fusion replaces the best single model only on the evidence of at
 * least this many validation users: below it the per-user interval says
 * little (two users who gained alike give an interval of one point). */
#define TUNE_MIN_USERS 30

/*
 * Learn on the valid pool and set the fusion to the chosen way (its
 * method, normalisation, weights or stack).  test may be NULL; it is
 * measured for the report, never used to choose.  Returns 0, 1 when
 * cancelled (the fusion unchanged), -1 + err.
 */
int fusion_tune(fusion *f, fusion_pool *valid, fusion_pool *test,
    enum tune_metric metric, fusion_tune_report *rep,
    const volatile int *cancel, rf_error *err);

/* The test figures of a report fusion_tune() made without a test pool:
 * the fusion as it chose, and the best single model there, on test (a
 * caller short of memory builds test once the tuning is over, and the
 * valid pool has shed what it kept aside: fusion_pool_shed()).  Nothing
 * when test has no part for the report's metric. */
void fusion_tune_test(fusion *f, fusion_pool *test, fusion_tune_report *rep);

#endif
