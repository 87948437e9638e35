/* model: the one interface every recommendation model implements (an ops
 * table as in tig's view_ops / htop's classes): parameters with defaults and
 * ranges, create, one epoch -> loss, score a user against all items, predict
 * a rating, explain, save, load, free.  Implementations live one per file in
 * engine/models/ and are listed in engine/models/registry.c. */
#ifndef RF_MODEL_H
#define RF_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "engine/data/dataset.h"
#include "engine/core/rf.h"

/* A documented parameter: the table completion, `help`, and the TUI's
 * sliders reuse.  Values travel as doubles (integers are rounded). */
typedef struct model_param {
	const char *name;
	double def, min, max, step;
	int integer;
	const char *help;
} model_param;

enum model_kind {
	MODEL_TOPN = 1 << 0,	/* ranks items for implicit feedback */
	MODEL_RATING = 1 << 1	/* predicts ratings */
};

/* What an explanation may rely on (model_ops.traits). */
enum model_trait {
	/* The score of user u is a function of u's train row alone (its
	 * items, values and times, and fitted item-item weights): leaving a
	 * history item out can be measured exactly by re-creating the model
	 * on an edited copy of the row (through save/load). */
	MODEL_ROW_BASED = 1 << 0,
	/* The score is the item's popularity: its plain-language reason is
	 * the item's popularity and category, not history items. */
	MODEL_BY_POPULARITY = 1 << 1,
	/* Trained elsewhere and imported (engine/models/external.h): it has
	 * no create or epoch, cannot be retrained (a refit keeps it as it
	 * is), and is named by the analyst, not by its ops. */
	MODEL_EXTERNAL = 1 << 2,
	/* Its load reads the train part's transpose (tptr, tidx, tval):
	 * whoever loads it makes the transpose first (a train part is kept
	 * without one when no training needs it). */
	MODEL_LOAD_TRANSPOSE = 1 << 3
};

/* One term of a model's own explanation: a history item and how much it
 * added to the score of the recommended item (similarity x value, ALS's
 * exact per-item term, ...). */
typedef struct explain_term {
	int item;		/* dense item index in the user's history */
	double contribution;
	double weight;		/* similarity / kernel weight, model-specific */
} explain_term;

/* A parameter `train MODEL --search` tries, with the values worth trying
 * on any data (a bounded grid, not a fit to one dataset). */
#define MODEL_SEARCH_VALUES 8
typedef struct model_search {
	const char *param;	/* NULL ends the list */
	int n;
	double values[MODEL_SEARCH_VALUES];
	/* MODEL_SEARCH_SCORING: the parameter acts on the scores alone, not
	 * on the fit.  Its value -1 (auto) is then chosen after every fit
	 * with a validation part, by trying the values on the fitted model
	 * (no refit); 0 without one.  --search leaves it to that choice.
	 * Outside a training (a model created by its ops, or loaded from a
	 * blob saved before the parameter was added) -1 scores as 0.
	 * MODEL_SEARCH_TIMED: the same for a parameter that acts through the
	 * data's times, which is 0 without tries when they have none or
	 * one instant for all. */
	int scoring;
} model_search;

enum { MODEL_SEARCH_FIT, MODEL_SEARCH_SCORING, MODEL_SEARCH_TIMED };

/* A leave-one-out probe by the model's own exact method: the drop of the
 * item's score when one history item is left out, for the most recent
 * MODEL_PROBE_MAX_HISTORY history items at most. */
#define MODEL_PROBE_MAX_HISTORY 500

typedef struct model_probe {
	int max;		/* terms wanted (in) */
	int n;			/* terms filled (out), largest drop first */
	explain_term *terms;	/* (max): item, drop, model-specific weight */
	char note[256];		/* out, on failure: why there is no probe */
	char how[320];		/* out: how the probe scored, for the reader */
} model_probe;

typedef struct model_ops model_ops;

/* Every model struct starts with this header. */
typedef struct model {
	const model_ops *ops;
	/* What the model is called in the workbench, the store and a fusion:
	 * ops->name for a model trained here; the name it was imported
	 * under for one trained elsewhere. */
	char name[32];
	const dataset *ds;
	const interactions *train;	/* what it was trained on (not owned) */
	double *params;			/* (ops->nparams), owned */
	uint64_t seed;
	int epochs_done;
} model;

struct model_ops {
	const char *name;
	const char *title;		/* in sentences: "EASE", "SVD++" */
	const char *help;		/* one line, cites the paper */
	/* What the model holds in memory, in a sentence with the sizes
	 * that set it (`train MODEL help` shows it): at millions of users
	 * and items a model that does not fit must say so before it runs. */
	const char *memory;
	unsigned kinds;			/* MODEL_TOPN | MODEL_RATING */
	unsigned traits;		/* enum model_trait */
	const model_param *params;
	int nparams;
	/* The main parameters and the values `--search` tries, one at a
	 * time from the defaults (or those given), on the validation part;
	 * NULL: nothing to search. */
	const model_search *search;
	int default_epochs;		/* 1 for closed forms */

	/* Allocate and initialise (deterministic under seed); params has
	 * nparams values already range-checked. */
	model *(*create)(const dataset *ds, const interactions *train,
	    const double *params, uint64_t seed, rf_error *err);
	/* One epoch (closed forms: the whole fit at epoch 0).  *loss is the
	 * mean training loss of that epoch.  cancel is checked between
	 * mini-batches / users; when set, return 1 with the model still in
	 * its last good state. */
	int (*epoch)(model *m, int epoch, double *loss,
	    const volatile int *cancel, rf_error *err);
	/* After the last epoch of a fit: let go of what only training
	 * needs (an epoch that follows makes it again), so that the
	 * evaluation after the fit has that memory.  NULL: nothing to. */
	void (*settle)(model *m);
	/* Scores of every item for user u (higher = better); out has
	 * ds->n_items floats.  Must be thread-safe for distinct out buffers. */
	void (*score_user)(const model *m, int u, float *out);
	/* The same for n users at once and the items [lo, hi) into out
	 * (n x (hi - lo), row-major): what a factor model does in one
	 * cblas_sgemm (model_score_factor_block), for the evaluator's
	 * tiles of users x items.  NULL: score_user per user.  Thread-safe
	 * likewise. */
	void (*score_users)(const model *m, const int32_t *users, int n,
	    int lo, int hi, float *out);
	/* Predicted rating of (u, i), or NULL when the model has none. */
	double (*predict)(const model *m, int u, int i);
	/* Up to max terms of the model's own reasons for item i and user u,
	 * largest first; returns the count, 0 when the model has none. NULL ok. */
	int (*explain)(const model *m, int u, int i, explain_term *terms,
	    int max);
	/* Leave-one-out over u's history for item i (score: the model's
	 * score of it) by the model's own exact method; 0, or -1 with
	 * p->note saying why not.  NULL: row-based models are probed
	 * generically (MODEL_ROW_BASED), the others not at all. */
	int (*probe)(const model *m, int u, int i, double score,
	    model_probe *p);
	/* After a fit: a sentence on what the model chose for this data
	 * (a catalogue cut to its head, fewer neighbours than asked, factors
	 * shrunk to zero) into buf, for `train` to print; returns 0 when
	 * there is nothing to say.  NULL: never anything. */
	int (*report)(const model *m, char *buf, size_t n);
	int (*save)(const model *m, rf_buf *out, rf_error *err);
	model *(*load)(const dataset *ds, const interactions *train,
	    const double *params, const void *data, size_t len, rf_error *err);
	void (*free)(model *m);
};

/* registry.c */
const model_ops *model_lookup(const char *name);
const model_ops *const *model_all(void);	/* NULL-terminated */
/* Index of a parameter by name, or -1. */
int model_param_index(const model_ops *ops, const char *name);
/* The same for the first n bytes of name ("reg" of "reg=5"). */
int model_param_index_n(const model_ops *ops, const char *name, size_t n);
/* Fill params with the defaults. */
void model_params_default(const model_ops *ops, double *params);
/* Index of the first parameter outside its range (NaN and infinities
 * included, and an integer one with a fraction), or -1 when all are in
 * range.  Every float-to-int conversion of a parameter relies on it. */
int model_params_bad(const model_ops *ops, const double *params);
/* The check of a load op, before any conversion: 0, or -1 with
 * "NAME: saved parameter P=V is out of range (integer MIN..MAX)".  NULL
 * params are the defaults. */
int model_check_saved_params(const model_ops *ops, const double *params,
    rf_error *err);
/* A saved array of floats must hold finite values only (what: "factors",
 * "B"): 0, or -1 with "NAME: saved WHAT hold a non-finite value at N". */
int model_check_finite(const model_ops *ops, const char *what,
    const float *a, size_t n, rf_error *err);

/* Sort a model's explanation terms (largest contribution first, ties by
 * item) and copy the first max of them into terms; returns how many. */
int model_keep_top_terms(explain_term *all, int n, explain_term *terms,
    int max);

/* Histories longer than MODEL_PROBE_MAX_HISTORY are probed on their most
 * recent entries: *first is the timestamp of the last one kept (the
 * entries of u's row whose time (*ts)[entry - row start] >= *first are
 * probed) and *ts the row's times (malloc'd: the part's own, or the
 * data's, dataset_row_times()); *first INT64_MIN and *ts NULL when all
 * are (a short row, or no times).  -1 on out of memory. */
int model_probe_threshold(const model *m, int u, int64_t **ts,
    int64_t *first);

/* The recency weights of user u's history in m's train part, in row
 * order (malloc'd): 0.5^(later / half_life), later the count of the row's
 * entries with a later time (entries of one time weigh alike).  NULL when
 * every weight is 1: half_life <= 0, a row of one entry, no times; and out
 * of memory, so a score stays defined (a weight of 1 each). */
float *model_recency_row(const model *m, int u, double half_life);

/* The recency parameter of a row-based top-N model (its model_param),
 * whose weights model_recency_row() gives, and the values it tries after
 * the fit (its model_search entry, MODEL_SEARCH_TIMED). */
#define MODEL_RECENCY_PARAM						\
	{ "recency", -1, -1, 100000, 5, 0,				\
	  "half-life of a history item's weight in the top-N score, "	\
	  "counted in the user's later interactions (w = 0.5^(later / "	\
	  "recency)): 0, every item 1; -1, chosen on the validation "	\
	  "part after the fit (0 without one, or when the data have no "	\
	  "times)" }
#define MODEL_RECENCY_VALUES	6, { 0, 3, 10, 30, 100, 300 }

/* The terms of a probe sorted (largest drop first, ties by item) and the
 * first p->max copied into p->terms (p->n set). */
void model_probe_keep(model_probe *p, explain_term *all, int n);

/* Before a model's large arrays (engine/core/mem.h): 0 when need bytes fit
 * in memory now and, with blas, the BLAS library has its work buffer
 * (rf_blas_ready); else -1 naming the need and, when per_unit > 0, the
 * value of parameter param that would fit (the need grows by per_unit
 * bytes per unit of it: factors, neighbours). */
int model_check_room(const model *m, uint64_t need, int param,
    uint64_t per_unit, int blas, rf_error *err);

/* The factor tables of a model that scores x_u . y_i (+ b_i). */
typedef struct model_factor_tables {
	const float *user;	/* (n_users x stride) */
	const float *item;	/* (n_items x stride) */
	const float *item_bias;	/* (n_items) added to every score; NULL: none */
	int n_users, k, stride;	/* k factors used of each row's stride */
} model_factor_tables;

/* score_users of such a model: out (n x (hi - lo)) = X_users Y_lo..hi^T
 * (+ b_lo..hi on every row) in cblas_sgemm's of many users at once, their
 * rows gathered; a user outside [0, n_users) scores the bias alone. */
void model_score_factor_block(const model_factor_tables *ft,
    const int32_t *users, int n, int lo, int hi, float *out);

/* Shared header set-up for implementations. */
int model_init_header(model *m, const model_ops *ops, const dataset *ds,
    const interactions *train, const double *params, uint64_t seed,
    rf_error *err);
void model_free_header(model *m);

#endif
