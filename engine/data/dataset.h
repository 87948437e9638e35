/* dataset: an in-memory snapshot of the store, built from one scan: dense
 * 0-based user/item indices, one value per (user, item) in CSR by user
 * (the split's parts that models train on have the transpose too), item
 * metadata and per-user behaviour features.  Models, splits,
 * metrics and explanations read it; nothing writes it after the build. */
#ifndef RF_DATASET_H
#define RF_DATASET_H

#include <stdint.h>

#include "engine/core/rf.h"
#include "engine/store/store.h"

/* A users x items sparse matrix in CSR (rows = users, column indices sorted
 * ascending within a row) with its transpose (rows = items).  val is the
 * aggregated value: the rating for rating data (the last one if rated
 * twice), else the sum of behaviour weights; ts the last timestamp; beh a
 * bit mask of the behaviours seen (1 << BEH_PV | 1 << BEH_BUY ...). */
typedef struct interactions {
	int n_users, n_items;
	int64_t nnz;
	int64_t *ptr;		/* (n_users + 1) */
	int32_t *idx;		/* (nnz) item index */
	float *val;		/* (nnz) */
	int64_t *ts;		/* (nnz) */
	/* or, with ts NULL, the times as offsets from ts_base: what the
	 * data keep when their span fits (4 bytes an entry, not 8); read
	 * either through interactions_time() */
	uint32_t *ts32;		/* (nnz) */
	int64_t ts_base;
	uint8_t *beh;		/* (nnz) */
	/* transpose, built by interactions_build_transpose() */
	int64_t *tptr;		/* (n_items + 1) */
	int32_t *tidx;		/* (nnz) user index */
	float *tval;		/* (nnz) */
} interactions;

/* Per-user behaviour features the seed names (for models that use them). */
enum user_feature {
	UF_LOG_EVENTS,		/* log(1 + events) */
	UF_LOG_VIEWS,		/* log(1 + pv) */
	UF_LOG_FAVS,
	UF_LOG_CARTS,
	UF_LOG_BUYS,
	UF_BUY_RATE,		/* buys / distinct items */
	UF_RECENCY,		/* days from the user's last event to the data's end, scaled to [0,1] */
	UF_MEAN_RATING,		/* centred mean rating (0 for implicit data) */
	UF_COUNT
};

typedef struct dataset {
	int n_users, n_items, n_categories;
	int is_rating;		/* every event is a rating: a rating task */
	double rating_min, rating_max;
	int64_t ts_min, ts_max;
	interactions all;	/* every event; no transpose (tptr NULL) */

	/* ids and metadata, indexed by dense index */
	char **user_ext, **item_ext;	/* external ids */
	char **item_title;		/* NULL when unknown; the table NULL
					 * when no item has one */
	int32_t *item_category;		/* index into category_name, -1 unknown */
	char **category_name;		/* (n_categories + 1) */

	float *user_features;		/* (n_users, UF_COUNT) */
	/* per-user category mix: share of the user's events per category is
	 * computed on demand by dataset_user_category_mix() */

	void *priv;			/* dataset_build's id hash tables and string
					 * storage; NULL for hand-made datasets */
} dataset;

/* Build from the store (all events).  NULL + err on failure. */
dataset *dataset_build(store *st, rf_error *err);
/* The same without the names (user_ext, item_ext and item_title NULL,
 * the lookups finding nothing) until dataset_load_names() reads them
 * from the store: what a training reads is all there, and at 10 M
 * uniform events the names are 110 MB of a 1.8 GB training. */
dataset *dataset_build_lean(store *st, rf_error *err);
int dataset_load_names(dataset *ds, store *st, rf_error *err);
int dataset_has_names(const dataset *ds);
void dataset_free(dataset *ds);

/* Dense index from an external id, or -1.  Datasets not made by
 * dataset_build() (priv NULL) fall back to a linear search of the ids. */
int dataset_user_index(const dataset *ds, const char *ext_id);
/* User u in words, as the screens and the `user` command say it: "12
 * events (8 pv, 1 fav, 1 cart, 2 buy) on 6 items" (the events from the
 * user features, when the snapshot has them). */
void dataset_user_summary(const dataset *ds, int u, char *buf, size_t n);
int dataset_item_index(const dataset *ds, const char *ext_id);

/* Allocate/free the arrays of an interactions matrix (_values: ptr, idx
 * and val only, ts and beh NULL; _items: ptr and idx alone); build its
 * transpose (of a matrix with values). */
int interactions_alloc(interactions *m, int n_users, int n_items, int64_t nnz);
int interactions_alloc_values(interactions *m, int n_users, int n_items,
    int64_t nnz);
int interactions_alloc_items(interactions *m, int n_users, int n_items,
    int64_t nnz);
int interactions_build_transpose(interactions *m);
void interactions_free(interactions *m);

/* Position in m->idx of item in user u's row (binary search: rows ascend),
 * or -1; interactions_contains() is its >= 0. */
int64_t interactions_find(const interactions *m, int u, int item);

/* Whether m has times, and the time of its entry k (0 without). */
static inline int
interactions_timed(const interactions *m)
{
	return m->ts != NULL || m->ts32 != NULL;
}

static inline int64_t
interactions_time(const interactions *m, int64_t k)
{
	return m->ts != NULL ? m->ts[k] : m->ts32 != NULL ?
	    m->ts_base + (int64_t)m->ts32[k] : 0;
}

int interactions_contains(const interactions *m, int u, int item);

/* The times and behaviours of user u's row of part, a part of ds->all
 * (its row's items a subset of all's row, both ascending): the part's
 * own when it has them, else all's (a part kept without them: at 100 M
 * events each byte per entry is 100 MB).  ts and beh (either may be
 * NULL) get the row's length of entries.  1 when given, 0 when neither
 * has times (ts and beh untouched). */
int dataset_row_times(const dataset *ds, const interactions *part, int u,
    int64_t *ts, uint8_t *beh);

#endif
