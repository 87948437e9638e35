/* fusion_priv: what the files of engine/fusion/ share and no caller sees:
 * the structs of the fusion, its pools and one user's block, and the
 * kernels each file offers the files above it.
 *
 * One file per job; calls point down this list only (no two files call
 * each other):
 *   tune.c        weight tuning on a validation pool     -> pool, combine
 *   stack.c       the learned stack: fit, format, parse  -> pool
 *                 (its terms named after fusion.c's user features)
 *   score.c       on the fly: score_fn, predict_fn,
 *                 recommend, contributions               -> user, combine
 *   pool.c        candidate pools: build, re-rank,
 *                 evaluate                               -> candidates, combine
 *   user.c        one user's block, kept by the caller   -> candidates, combine
 *   candidates.c  one user's candidates: every model's
 *                 top-M, raw scores and ranks            (models only)
 *   combine.c     normalise and combine one user's
 *                 block, contributions, rating blend     -> fusion
 *   fusion.c      the object: models, weights, features  -> settings
 *   settings.c    the settings and their text
 */
#ifndef RF_FUSION_PRIV_H
#define RF_FUSION_PRIV_H

#include <stddef.h>
#include <stdint.h>

#include "engine/fusion/fusion.h"

/* User features the stack and the feature-weighted fusion weigh the
 * models by (standardised): activity, log(1 + train size); recency, the
 * time from the user's last train event to the data's end; category
 * spread, the entropy of the categories of the user's train items (0 for
 * data without categories). */
#define UFN 3

/* What a block's transformed values T_m are (combine.c). */
enum { TR_NONE, TR_NORM, TR_RRF, TR_BORDA };

enum { STACK_NONE, STACK_TOPN, STACK_RATING };

struct fusion {
	const dataset *ds;
	int n;
	const model *models[FUSION_MAX_MODELS];
	fusion_settings set;		/* set.n == n, names aligned */
	float *ufeat;			/* (n_users, UFN) */
	int n_users;
	int can_predict;		/* every model predicts ratings */
	/* what on-the-fly scoring (score.c) leaves out of every user's
	 * candidates; NULL: the models' train part */
	const interactions *known;
	/* train users per item, for the mean popularity figure; NULL: none */
	const int32_t *popularity;
	/* stack: theta over [1, x_u (UFN), T_m (n), x_uf T_m (UFN x n)] */
	int stack_kind;
	int ntheta;
	double theta[1 + UFN + FUSION_MAX_MODELS * (1 + UFN)];
	char theta_names[1 + UFN + FUSION_MAX_MODELS * (1 + UFN)][48];
};

/* At most this many transforms kept aside in a pool, and this many bytes
 * for the transform in use, the ranks and those aside together (a pool of
 * 10,000 users of a big catalogue, some 5-10 M candidates of five models,
 * needs 100-200 MB a transform, and as much for the ranks: at 10 M events
 * three fit aside, at 100 M none beside the ranks). */
#define POOL_TR_ASIDE 4
#define POOL_TR_BUDGET (512L << 20)
/* The transforms asked for lately and made per block: one asked again
 * while it is among them is kept for the pool. */
#define POOL_TR_ASKED 4

/* Per user r, a block of nm x len values starting at nm * ptr[r], model
 * m's row at + m * len (see pool.c). */
struct fusion_pool {
	int nm, n_items;
	int nu;			/* pooled users */
	int32_t *users;		/* (nu) */
	int32_t *row;		/* (n_users) pool row or -1 */
	int64_t *ptr;		/* (nu + 1) */
	int32_t *item;		/* (nc) ascending within a user */
	float *raw;		/* (nm * nc) */
	int32_t *rank;		/* (nm * nc) 1-based among the candidates;
				 * NULL until settings first read them
				 * (pool_ranks(): 4 bytes a candidate and
				 * model, 200 MB a pool at 100 M events) */
	uint16_t *from;		/* (nc) the models whose top-M has it */
	float *tr;		/* (nm * nc) transformed values */
	struct pool_tr_key {
		int kind, norm;
		double k;
		unsigned active;	/* the models taking part */
	} key;			/* what tr holds */
	/* Transforms of other settings kept aside (tune goes back and forth
	 * between a few sets of models taking part), as memory allows. */
	struct pool_tr_slot {
		float *tr;
		struct pool_tr_key key;
		uint64_t used;
	} aside[POOL_TR_ASIDE];
	int n_aside;
	uint64_t clock;
	/* The transforms the last rankings asked for when they were not at
	 * hand (made per block then); one asked again is kept. */
	struct pool_tr_key asked[POOL_TR_ASKED];
	int n_asked;
	int maxlen;
	const interactions *eval;
	/* rating pairs: eval entries of pooled users, pair-major */
	int64_t *pptr;		/* (nu + 1), NULL without predictions */
	float *pred;		/* (npairs * nm) */
	float *truth;		/* (npairs) */
};

/* One user's candidates, scored once (user.c). */
struct fusion_user {
	int u, nm, len;
	int32_t *item;		/* (len) ascending */
	uint16_t *from;		/* (len) the models whose top-M has it */
	float *raw;		/* (nm, len) */
	int32_t *rank;		/* (nm, len) 1-based among the candidates */
};

/* A view of one user's block of candidates, wherever it is kept. */
typedef struct fusion_block {
	int nm, len;
	const int32_t *item;	/* (len) */
	const uint16_t *from;	/* (len) the models whose top-M has it */
	const float *raw;	/* (nm, len) */
	const int32_t *rank;	/* (nm, len) */
	const float *tr;	/* (nm, len) */
} fusion_block;

/* fusion.c: the names of the user features, in ufeat order. */
extern const char *const fusion_ufeat_names[UFN];

/* combine.c */
/* The kind of T_m the settings' method wants (TR_NORM, TR_RRF, ...). */
int fusion_transform_kind(const fusion_settings *s);
/* The settings read the candidates' ranks (vote, rrf, borda, the rank
 * normalisations); a weighted fusion of normalised scores does not. */
int fusion_uses_ranks(const fusion *f);
/* The models taking part (bit m): a model at weight 0 takes none, its
 * candidates are not the fusion's and its scores move no normalisation,
 * so that the fusion is the one without it.  Every model when all
 * weigh 0 (uniform) and for the stack (its coefficients weigh them). */
unsigned fusion_active_models(const fusion *f);
/* T_m of a block's nm rows of len candidates under the fusion's settings,
 * over the candidates of the models taking part (from may be NULL: all
 * candidates); the others, and the rows of models taking no part, get 0.
 * scratch: FUSION_TRANSFORM_SCRATCH(len) int32s, or NULL (allocated). */
#define FUSION_TRANSFORM_SCRATCH(len) (3 * (size_t)(len) + 1)
void fusion_transform(const fusion *f, int nm, int len, const float *raw,
    const int32_t *rank, const uint16_t *from, float *tr, int32_t *scratch);
/* Fused scores of user u's candidates, from b->tr. */
void fusion_block_fuse(const fusion *f, int u, const fusion_block *b,
    float *fused);
/* The exact per-model terms of candidate c's fused score; returns the
 * fused score (= *base_out + sum of contrib). */
double fusion_block_contrib(const fusion *f, int u, const fusion_block *b,
    int c, double *contrib, double *base_out);
/* The base of user u's contributions, as fusion_block_contrib() gives. */
double fusion_contrib_base(const fusion *f, int u);
/* Each model's weight for user u (we, n of them): the fusion's weights,
 * or a stack's coefficients with the user's features in (may be < 0). */
void fusion_user_weights(const fusion *f, int u, double *we);
/* The top k (>= 1) of a block by its fused scores: items best first, and
 * when not NULL their fused scores and candidate indexes.  Returns the
 * count, -1 when out of memory. */
int fusion_block_top(const fusion_block *b, const float *fused, int k,
    int32_t *items, float *scores, int32_t *pos);
/* Fused rating of one (u, i) pair from its n model predictions, and that
 * clipped to the data set's rating range. */
double fusion_fused_prediction(const fusion *f, int u, const float *pred);
double fusion_clip_rating(const fusion *f, double v);

/* candidates.c: scratch of one thread, every model's scores of every item
 * for the current user, the candidate list and the sort buffer. */
typedef struct fusion_scored {
	float s;
	int32_t c;
} fusion_scored;

typedef struct fusion_scratch {
	int nm, n_items, M;
	float *scores;		/* (nm, n_items), NULL when not full */
	float *cscores;		/* (nm, ccap) the candidates' scores by
				 * position (fusion_candidates_pre()) */
	int ccap, compact;	/* compact: the last candidates' scores are
				 * in cscores, else in scores */
	int32_t *top;		/* (M) */
	int32_t *cand;		/* (nm * M + 1) */
	uint32_t *stamp;	/* (n_items) */
	uint16_t *nominated;	/* (n_items) under stamp: the models whose
				 * top-M has the item */
	uint32_t tag;
	fusion_scored *sort;	/* (nm * M + 1) */
} fusion_scratch;

/* full: a whole score row per model (fusion_candidates()); the block path
 * (fusion_candidates_pre()) needs rows only when a model has no
 * score_users: at 5 M items a row per model is 100 MB a thread. */
int fusion_scratch_init(fusion_scratch *s, int nm, int n_items, int M,
    int full);
void fusion_scratch_free(fusion_scratch *s);
/* Score user u with every model and gather the candidates in s->cand
 * (ascending): the union of each model's top-M over the items not in u's
 * row of excl; extra >= 0 is added when missing (*extra_added, when not
 * NULL, says whether it was).  Returns the count. */
int fusion_candidates(const fusion *f, const interactions *excl, int u,
    int extra, fusion_scratch *s, int *extra_added);
/* The top-M of the models that score blocks of users (score_users) for a
 * block of users, computed in tiles (pool.c's long catalogues): the
 * candidates of user j of the block then come from these lists. */
typedef struct fusion_pre {
	int cap, n;		/* users the block holds, and has */
	int M, tile_items;
	int32_t *tops;		/* (nm, cap, M) */
	float *scores;		/* (nm, cap, M) */
	int *counts;		/* (nm, cap) */
	float *tile;		/* (cap * tile_items) */
	unsigned char *has;	/* (nm) lists made for model m */
} fusion_pre;

int fusion_pre_init(fusion_pre *pre, const fusion *f, int cap, int M);
void fusion_pre_free(fusion_pre *pre);
/* The lists of the n users (at most cap); -1 when out of memory. */
int fusion_pre_compute(fusion_pre *pre, const fusion *f,
    const interactions *excl, const int32_t *users, int n);
/* fusion_candidates (extra -1) of user u, the block's user j: the
 * lists' models from pre (their scores of the other candidates computed
 * one by one), the others scored in full. */
int fusion_candidates_pre(const fusion *f, const interactions *excl, int u,
    const fusion_pre *pre, int j, fusion_scratch *s);
/* Raw scores and ranks (rank NULL: none) of the len candidates for every
 * model, and the
 * models whose top-M has each (from: len; the extra item added: all). */
void fusion_candidates_fill(const fusion *f, fusion_scratch *s, int len,
    float *raw, int32_t *rank, uint16_t *from);
/* One model's ranks (1-based, by score, ties by position) of a row of
 * len finite scores; sort holds len. */
void fusion_rank_row(const float *r, int len, int32_t *rank,
    fusion_scored *sort);

/* pool.c */
/* Bring the pool's transformed values in line with the settings (and
 * make its ranks when they read them): 0, or -1 out of memory. */
int fusion_pool_transform(const fusion *f, fusion_pool *p);
/* Pool row r as a block. */
void fusion_pool_block(const fusion_pool *p, int r, fusion_block *b);
/* fusion_pool_eval() with, when per_user is not NULL, each evaluated
 * user's NDCG (per_user[0]) and recall (per_user[1]) in pool order
 * (entries of users without eval items are left alone), over the rows
 * with rows[r] only (NULL: all). */
int fusion_pool_eval_users(fusion *f, fusion_pool *p, int single, int k,
    metrics *out, double *const per_user[2], const uint8_t *rows,
    rf_error *err);

/* user.c */
/* User u's block against excl, with item extra (>= 0) added when it is not
 * a candidate (*extra_added says whether it was); NULL when u is out of
 * range or memory ran out. */
fusion_user *fusion_user_build(const fusion *f, const interactions *excl,
    int u, int extra, int *extra_added);

/* A user's block under the fusion's current settings: its transformed
 * values and fused scores (scratch of the caller's). */
typedef struct fusion_fused {
	fusion_block b;		/* views into the user's block and tr */
	float *tr;		/* (nm, len) */
	float *fused;		/* (len) */
} fusion_fused;

int fusion_user_fuse(const fusion *f, const fusion_user *ub,
    fusion_fused *out);
void fusion_fused_free(fusion_fused *o);

/* stack.c: the stack fitted on the pool rows with mask[r] (NULL: all),
 * for tune's cross-validation; and the names of the stack's coefficients
 * (after setting f->ntheta's layout: a fusion that sets theta by other
 * means, the feature-weighted fusion of tune.c). */
int fusion_fit_stack_rows(fusion *f, fusion_pool *valid, const uint8_t *mask,
    int rating, uint64_t seed, rf_error *err);
void fusion_stack_names(fusion *f);

#endif
