/* metrics: accuracy of rating predictions (RMSE, MAE) and of top-K lists
 * with full ranking over every item the user has not interacted with in
 * train (never sampled negatives): precision, recall, NDCG, MAP, hit rate,
 * MRR, catalogue coverage and mean popularity; plus the evaluator that
 * scores every test user of a model (or of anything with a score function). */
#ifndef RF_METRICS_H
#define RF_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "engine/data/dataset.h"
#include "engine/core/rf.h"

typedef struct metrics {
	int k;
	int64_t n_users;	/* users with >= 1 test item that were ranked */
	double precision, recall, ndcg, map, hit_rate, mrr;
	double coverage;	/* distinct recommended items / n_items */
	double mean_popularity;	/* mean train popularity of recommended items */
	int64_t n_pred;		/* rating pairs predicted (0: no rating metrics) */
	double rmse, mae;
	/* When the users ranked are a sample: how many test users there are
	 * in all, and the standard error of the NDCG mean over the sample
	 * (finite-population corrected); 0 when every test user was ranked.
	 * The 95% interval is ndcg +- student_t95(n_users - 1) * ndcg_se. */
	int64_t n_test_users;
	double ndcg_se;
} metrics;

/* Set every field to NAN (k and counts to 0): "not measured". */
void metrics_clear(metrics *m);

/* RMSE and MAE of n predictions against the truth. */
double metric_rmse(const double *pred, const double *truth, int64_t n);
double metric_mae(const double *pred, const double *truth, int64_t n);

/*
 * Top-K selection without a full sort: a min-heap of size k over scores,
 * skipping NaN and -INFINITY (how excluded items are marked).  Ties go to
 * the lower item index.  Writes up to k item indices, best first, and
 * returns how many.
 */
int topk_select(const float *scores, int n_items, int k, int32_t *out);

/*
 * The per-user measures of one ranked list (binary relevance; relevant
 * is the user's test items, sorted ascending):
 *   precision = hits / k;  recall = hits / n_rel;
 *   DCG = sum_{r<=k} rel_r / log2(r + 1), IDCG over min(k, n_rel) hits;
 *   AP  = (1 / min(k, n_rel)) sum_{r: rel_r} hits_at_r / r;
 *   hit = [hits > 0];  RR = 1 / rank of the first hit (0 if none).
 */
typedef struct user_metrics {
	double precision, recall, ndcg, ap, hit, rr;
} user_metrics;

void metrics_user_topn(const int32_t *ranked, int n_ranked, int k,
    const int32_t *relevant, int n_rel, user_metrics *out);

/* Scores of every item for user u; must be thread-safe for distinct out
 * buffers.  ctx is the model (or fusion state). */
typedef void (*score_fn)(const void *ctx, int u, float *out);
/* The same for n users at once and the items [lo, hi), out
 * (n x (hi - lo)) row-major: a factor model's scores of a tile of users x
 * items in one matrix product. */
typedef void (*score_block_fn)(const void *ctx, const int32_t *users, int n,
    int lo, int hi, float *out);

/*
 * Each of n users' top k over the items [0, n_items) by a block scorer,
 * a tile of tile_items items at a time (tile: n x tile_items floats of
 * scratch), the items of each user's row of known left out: tops and
 * scores (n x k, best first) and counts (n).  The same choice as
 * topk_select (NaN and -INFINITY skipped, ties to the lower index).  0,
 * or -1 when out of memory.
 */
int topk_block(score_block_fn fn, const void *ctx,
    const interactions *known, const int32_t *users, int n, int n_items,
    int k, int tile_items, float *tile, int32_t *tops, float *scores,
    int *counts);

typedef struct topn_eval {
	score_fn score;
	const void *ctx;
	const interactions *train;	/* items excluded from each ranking */
	const interactions *test;	/* relevant items */
	const int32_t *popularity;	/* (n_items) for mean popularity; NULL ok */
	int k;
	int threads;		/* 1 or 2 (each with its own score buffer) */
	int max_users;		/* > 0: an evenly spaced subset of the test
				 * users (validation during training) */
	/* > 0 and fewer than the test users: a random sample of that many,
	 * drawn with sample_seed (the same users every time), with the
	 * standard error of the NDCG mean in the result */
	int sample_users;
	uint64_t sample_seed;
	/* may be NULL: users scored in tiles of a block of users by a
	 * range of items, each user's top K kept across the tiles */
	score_block_fn score_block;
	/* may be NULL: called now and then with the users ranked so far */
	void (*progress)(void *ud, int64_t done, int64_t total);
	void *progress_ud;
	const volatile int *cancel;
	/* not NULL: (n_users) each ranked user's NDCG@k, NAN for the
	 * others, for paired comparisons (eval/compare.h) */
	double *per_user_ndcg;
} topn_eval;

/* Rank every test user (>= 1 test item) over all items not in their
 * train row and average.  Fills the top-N fields of out (rating fields
 * untouched).  Returns 1 if cancelled, -1 on error. */
int metrics_eval_topn(const topn_eval *ev, metrics *out, rf_error *err);

/* Rating accuracy over the test entries: predict(ctx, u, i), clipped to
 * [lo, hi] when lo < hi.  Fills n_pred, rmse, mae. */
typedef double (*predict_fn)(const void *ctx, int u, int i);
int metrics_eval_rating(predict_fn predict, const void *ctx,
    const interactions *test, double lo, double hi, metrics *out,
    rf_error *err);

/* "ndcg@10=0.1912 recall@10=... rmse=..." for the runs table. */
void metrics_format(const metrics *m, char *buf, size_t n);

#endif
