/* external: models trained elsewhere and imported, so that a model too big
 * for one machine (Spark MLlib's ALS on a cluster) or made by another
 * library is fused, compared and explained beside the native ones:
 *   - a factor model: user and item factor tables (engine/ingest/factors.h);
 *     the score is the dot product x_u . y_i;
 *   - a score list: user, item, score rows (engine/ingest/scores.h); a user
 *     is scored on the items listed for them only (the others cannot be
 *     scored: -inf, which rankings leave out and a fusion ranks last).
 * Rows are keyed by external ids, mapped through the dataset's; rows
 * whose id the data do not have are counted and left out.  Neither kind
 * is in the registry (neither can be trained here) and both carry
 * MODEL_EXTERNAL; a model is named by the analyst (model.name). */
#ifndef RF_EXTERNAL_H
#define RF_EXTERNAL_H

#include <stdint.h>

#include "engine/models/model.h"

extern const model_ops model_external_factors_ops, model_external_scores_ops;

/* What an import read and kept; [0] users, [1] items (a score list counts
 * its rows in [0] and [1] alike: rows with an unknown user, rows with a
 * known user and an unknown item). */
typedef struct external_report {
	int k;				/* factors; 0 for a score list */
	int files[2];			/* part files read */
	int64_t rows[2];		/* rows read */
	int64_t unknown[2];		/* rows whose id the data lack */
	char unknown_example[2][48];	/* the first such id, "" none */
	int64_t covered[2];		/* users / items of the data with a
					 * row (a score list: listed) */
	int64_t duplicates;		/* score list: a pair listed again
					 * (the last score kept) */
} external_report;

/* A factor model from a users table and an items table (same factor
 * count).  train: what the model's explanation takes as the history. */
model *external_factors_import(const dataset *ds, const interactions *train,
    const char *users_path, const char *items_path, external_report *rep,
    rf_error *err);

/* A score-list model from one table. */
model *external_scores_import(const dataset *ds, const interactions *train,
    const char *path, external_report *rep, rf_error *err);

/* The load of either ops reads a saved model of either kind (its blob
 * says which), rows mapped again by external id: what a store keeps
 * under the analyst's name comes back whatever the split. */

/* The factor matrices of a model that has them (an imported factor
 * model, ALS): k factors per row, rows stride floats apart (the columns
 * past k are zero); has_user / has_item mark the rows that exist (NULL:
 * every row).  Valid until the model changes or is freed.  0, or -1 when
 * the model has no factors. */
typedef struct model_factor_view {
	int k, stride;
	const float *user, *item;	/* (n_users x stride), (n_items x stride) */
	const uint8_t *has_user, *has_item;
} model_factor_view;

int model_factors(const model *m, model_factor_view *v);

#endif
