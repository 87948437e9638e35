/* pool: cached candidate pools of many users, scored once, then re-ranked
 * and evaluated with the fusion's current settings after every change
 * (a weight, the method, the normalisation) without scoring again. */
#ifndef RF_FUSION_POOL_H
#define RF_FUSION_POOL_H

#include <stdint.h>

#include "engine/data/dataset.h"
#include "engine/eval/metrics.h"
#include "engine/core/rf.h"

typedef struct fusion fusion;
typedef struct fusion_pool fusion_pool;

/* From a catalogue of n_items items on (65536 unless changed: tests
 * set it to compare both ways), the models with score_users take each
 * user's top-M in tiles of 256 users at once. */
void fusion_pool_tiles_from(int n_items);

/* A pool of this many values (candidates x models) or more is ranked and
 * transformed on two threads (about a million unless changed; -1 puts it
 * back: tests set it to compare both ways). */
void fusion_pool_shares_from(int64_t cells);

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
/* Give back what the pool keeps only to go faster: its transforms, the
 * one in use and those kept aside, and its ranks (each made again when
 * settings read it).  The figures stay the same.  The caller holds the
 * pool alone. */
void fusion_pool_shed(fusion_pool *p);
int fusion_pool_n_users(const fusion_pool *p);
int64_t fusion_pool_n_candidates(const fusion_pool *p);

/* Re-rank every pooled user with the fusion's current settings and
 * measure the top-K metrics against the pool's eval part (top-N fields
 * of out).  single >= 0 ranks by that single model alone instead. */
int fusion_pool_eval(fusion *f, fusion_pool *p, int single, int k,
    metrics *out, rf_error *err);
/* The same, with each evaluated row's NDCG@k in ndcg (fusion_pool_n_users
 * entries, pool order; NAN for rows without eval items), for paired
 * comparisons. */
int fusion_pool_eval_rows(fusion *f, fusion_pool *p, int single, int k,
    metrics *out, double *ndcg, rf_error *err);
/* RMSE / MAE of the fused (model < 0) or one model's rating predictions
 * on the pool's eval pairs.  -1 when the pool has no predictions. */
int fusion_pool_eval_rating(fusion *f, fusion_pool *p, int single,
    metrics *out, rf_error *err);
/* Re-rank one pooled user: up to k items (best first) and fused scores;
 * returns the count, -1 when u is not in the pool. */
int fusion_pool_rank_user(fusion *f, fusion_pool *p, int u, int k,
    int32_t *items, float *scores);

#endif
