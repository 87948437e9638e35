/* explain: why a fused recommendation was made, in three layers: the fused
 * score split into per-model contributions; each model's own reasons
 * (history items with their weights and behaviours, popularity and
 * category, leave-one-out probes); and a plain sentence built from them.
 * Fills structs and rf_tables; never prints. */
#ifndef RF_EXPLAIN_H
#define RF_EXPLAIN_H

#include <stddef.h>
#include <stdint.h>

#include "engine/fusion/fusion.h"
#include "engine/store/store.h"
#include "engine/core/table.h"

#define EXPLAIN_MAX_TERMS	6
#define EXPLAIN_MAX_PROBE	6
/* Probing re-scores the user once per history item: the most recent
 * ones up to this many. */
#define EXPLAIN_PROBE_MAX_HISTORY	500

/* A history item behind a model's score. */
typedef struct explain_reason {
	int item;		/* dense index */
	double contribution;	/* to the model's score (probe: score drop
				 * when the item is left out) */
	double weight;		/* similarity / kernel weight (model-specific) */
	uint8_t beh;		/* behaviour bits of the user's entry */
	float value;		/* the entry's value (rating, weight sum) */
} explain_reason;

typedef struct explain_model {
	char name[FUSION_NAME_MAX];
	double contribution;	/* its term of the fused score */
	double weight;		/* its weight for the user: below 0 under a
				 * stack that counts its low scores for an
				 * item (and its high ones against) */
	double share;		/* % of the positive contributions */
	double score;		/* the model's raw score of the item */
	int rank;		/* among the user's candidates, 1-based */
	int n_terms;
	explain_reason terms[EXPLAIN_MAX_TERMS];
	int probe;		/* 1 probed, 0 not asked, -1 not available */
	int n_probe;
	explain_reason probe_terms[EXPLAIN_MAX_PROBE];
	char note[256];		/* popularity/category, probe status */
	char probe_note[320];	/* how the probe scored (als: fold-in) */
} explain_model;

typedef struct explanation {
	int user, item;
	double fused, base;	/* fused = base + sum of contributions */
	int fused_rank, pool_len, in_pool, in_history;
	int n_models;
	explain_model models[FUSION_MAX_MODELS];
	char sentence[768];
} explanation;

/* Explain (u, i); probe: also leave each history item out (models whose
 * score depends on the user's row only: ease, itemknn; als by fold-in of
 * the user's vector with the item factors fixed). */
int explain_item(const fusion *f, int u, int i, int probe, explanation *out,
    rf_error *err);

/* "title" or "item <ext id>" into buf. */
void explain_item_name(const dataset *ds, int i, char *buf, size_t n);
/* "bought", "carted", "favourited", "viewed", "rated", "interacted with"
 * for the strongest behaviour in bits. */
const char *explain_behavior_verb(uint8_t beh);

/* Tables for display: one row per model (model, share %, contribution,
 * score, rank, reasons) and one row per reason (model, kind, item, title,
 * behaviour, weight, contribution). */
rf_table *explanation_table(const fusion *f, const explanation *e,
    rf_error *err);
rf_table *explanation_reasons_table(const fusion *f, const explanation *e,
    rf_error *err);

/* A user without an item: history summary and top-K with reasons. */
#define EXPLAIN_TOP_CATEGORIES 5
typedef struct explain_user_summary {
	int user;
	int n_history;
	int64_t beh_count[BEH_COUNT];	/* entries per behaviour */
	int n_cats;
	int cat[EXPLAIN_TOP_CATEGORIES];
	int cat_count[EXPLAIN_TOP_CATEGORIES];
	int n_recs;
	int32_t *items;			/* (n_recs) */
	float *scores;			/* (n_recs) fused */
	char (*reason)[200];		/* (n_recs) one line each */
} explain_user_summary;

int explain_user(const fusion *f, int u, int k, explain_user_summary *out,
    rf_error *err);
void explain_user_summary_free(explain_user_summary *s);
/* Key/value rows (history, funnel, categories) and the top-K table. */
rf_table *explain_user_history_table(const fusion *f,
    const explain_user_summary *s, rf_error *err);
rf_table *explain_user_recs_table(const fusion *f,
    const explain_user_summary *s, rf_error *err);

#endif
