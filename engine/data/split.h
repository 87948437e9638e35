/* split: divide a dataset's (user, item) entries into train / validation /
 * test (temporal, last-N, random or none), keep the assignment (one byte
 * per CSR entry) in the store so that a run can be reproduced, and build
 * the interaction matrices of each part. */
#ifndef RF_SPLIT_H
#define RF_SPLIT_H

#include <stdint.h>

#include "engine/data/dataset.h"
#include "engine/core/rf.h"
#include "engine/store/store.h"

enum split_part { SPLIT_TRAIN = 0, SPLIT_VALID = 1, SPLIT_TEST = 2 };

/* Masks for split_extract(): which parts to keep. */
#define SPLIT_MASK(p)	(1u << (p))
#define SPLIT_MASK_TRAIN	SPLIT_MASK(SPLIT_TRAIN)
#define SPLIT_MASK_VALID	SPLIT_MASK(SPLIT_VALID)
#define SPLIT_MASK_TEST		SPLIT_MASK(SPLIT_TEST)

enum split_kind { SPLIT_NONE, SPLIT_TEMPORAL, SPLIT_LAST, SPLIT_RANDOM,
	SPLIT_PAIRS };

/* Users with fewer interactions than this stay whole in train (and a
 * user's train part smaller than this gives no validation entries). */
#define SPLIT_MIN_USER 5

/* How the validation entries are carved out of each user's train part:
 * the latest ones by time (the default, but for random splits: it looks
 * like a temporal test), or drawn at random (seeded). */
enum split_valid_mode { VALID_AUTO, VALID_TEMPORAL, VALID_RANDOM };

typedef struct split_spec {
	enum split_kind kind;
	double frac;		/* temporal / random: share held out as test */
	int last_n;		/* last: entries held out per user */
	double valid_frac;	/* share of the remaining train carved as valid */
	enum split_valid_mode valid_mode;	/* --valid-mode; AUTO: temporal
						 * but for random splits */
	uint64_t seed;		/* random */
	/* pairs: the file whose (user, item) pairs are the test part (a
	 * given split such as ml-100k's u1.test), and the entries it marks
	 * (split_mark_pairs(); not owned, only needed by split_make) */
	char path[256];
	const uint8_t *mark;
} split_spec;

typedef struct split {
	split_spec spec;
	char text[320];		/* canonical spec text: "temporal 0.2 --valid 0.1" */
	int64_t id;		/* splits.id, 0 when not stored */
	int64_t nnz;
	uint8_t *assign;	/* (nnz) enum split_part per CSR entry */
	int64_t n_train, n_valid, n_test;
} split;

/*
 * Per user with n >= SPLIT_MIN_USER entries (sorted by (ts, item index)):
 *   temporal FRAC: the last floor(FRAC * n + 0.5) entries are test
 *                  (at least 1, at most n - 1);
 *   last N:        the last min(N, n - 1) entries are test;
 *   random FRAC:   floor(FRAC * n + 0.5) entries drawn uniformly (seeded,
 *                  users in index order) are test;
 *   pairs PATH:    the entries spec->mark marks are test, whatever the
 *                  user's size (a split given by a file);
 *   none:          nothing is test;
 * then with valid_frac > 0, per user whose train part has >= SPLIT_MIN_USER
 * entries, round(valid_frac * its train size) entries (at least 1, at most
 * all but one) of the train part are validation: the latest by time (the
 * validation looks like a temporal test: what comes next), or drawn at
 * random for random splits and for --valid-mode random.  Without
 * timestamps (all equal) the latest are the highest item indices, which
 * means nothing: VALID_AUTO draws at random then.
 * On ml-100k, temporal 0.2 holds out 20,000 of the 100,000 ratings.
 */
int split_make(const interactions *all, const split_spec *spec, split *out,
    rf_error *err);
void split_free(split *s);

/* Parse "temporal 0.2 --valid 0.1", "last 5", "random 0.2 --seed 7",
 * "pairs PATH --valid 0.1 --seed 1", "none" (the words the split command
 * takes; PATH has no blanks). */
int split_parse(const char *text, split_spec *spec, rf_error *err);
/* "valid: the latest 10% of each user's train part" and the like: what
 * split_make() carved, in words, for the split command's report. */
void split_describe(const split *s, const interactions *all, char *buf,
    size_t n);
/* Whether validation is carved by time (1) or at random (0) for this spec
 * on these data (VALID_AUTO resolved). */
int split_valid_temporal(const split_spec *spec, const interactions *all);
/* Canonical text of a spec (what split_parse reads back). */
void split_spec_text(const split_spec *spec, char *buf, size_t n);

/* Mark (one byte per entry of ds->all, malloc'd into *mark) the entries
 * whose (user, item) pair a file lists: "user<TAB>item[<TAB>...]" per line
 * (or blank-separated), external ids, as ml-100k's uN.test.  *n_marked
 * gets the marked entries, *n_missing the lines whose pair is not in the
 * data (import the file too: its events must be in the store). */
int split_mark_pairs(const dataset *ds, const char *path, uint8_t **mark,
    int64_t *n_marked, int64_t *n_missing, rf_error *err);

/* What split_extract() builds beside the rows' items and values. */
#define SPLIT_X_TRANSPOSE	1u	/* the transpose (models train on it) */
#define SPLIT_X_TIMES		2u	/* ts and beh (histories; else NULL) */
#define SPLIT_X_ITEMS_ONLY	4u	/* ptr and idx alone, val NULL too: a
					 * part only looked up (what is known
					 * of a user); its times and values
					 * are all's */

/* The rows of all whose assignment is in mask (SPLIT_MASK_*), with the
 * same dimensions and what `what` (SPLIT_X_*) asks for. */
int split_extract(const interactions *all, const uint8_t *assign,
    unsigned mask, unsigned what, interactions *out, rf_error *err);

/* Store: insert (sets s->id); load by id (assignment length checked
 * against nnz); the id of the latest split whose assignment has nnz
 * entries (0 when none). */
int split_save(store *st, split *s, rf_error *err);
int split_load(store *st, int64_t id, int64_t nnz, split *out, rf_error *err);
int64_t split_latest(store *st, int64_t nnz);

#endif
