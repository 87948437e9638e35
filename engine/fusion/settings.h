/* settings: what a fusion is set to (method, normalisation, their
 * parameters, the weights by model name) and its one-line text form,
 * which the session keeps in the store under key "fusion". */
#ifndef RF_FUSION_SETTINGS_H
#define RF_FUSION_SETTINGS_H

#include <stddef.h>

#include "engine/core/rf.h"

#define FUSION_MAX_MODELS	16
#define FUSION_NAME_MAX		32

enum fusion_method {
	FUSE_WEIGHTED,		/* sum_m w_m norm_m(u, i) */
	FUSE_RRF,		/* sum_m w_m / (k + rank_m) (Cormack et al. 2009) */
	FUSE_BORDA,		/* sum_m w_m (len - rank_m): Borda points */
	FUSE_VOTE,		/* votes of the models' top-N, ties by weighted */
	FUSE_STACK,		/* learned on validation (logistic / ridge) */
	FUSE_METHOD_COUNT
};

/* Per model, per user, over the user's candidate pool. */
enum fusion_norm {
	NORM_ZSCORE,		/* (s - mean) / sd */
	NORM_MINMAX,		/* (s - min) / (max - min) */
	NORM_RANK,		/* 1 / rank */
	NORM_BORDA,		/* (len - rank) / len */
	NORM_RAW,		/* the model's score as it is */
	NORM_COUNT
};

/* What the store's settings table keeps under key "fusion": the method,
 * its parameters and the weights by model name (in the fusion's order). */
typedef struct fusion_settings {
	enum fusion_method method;
	enum fusion_norm norm;
	double rrf_k;		/* rrf: k (60) */
	int vote_n;		/* vote: each model votes for its top-N (10) */
	int pool_m;		/* candidates per model (200) */
	double l2;		/* stack: L2 weight (1) */
	int n;			/* weights known */
	char names[FUSION_MAX_MODELS][FUSION_NAME_MAX];
	double w[FUSION_MAX_MODELS];	/* >= 0, not necessarily normalised */
} fusion_settings;

void fusion_settings_default(fusion_settings *s);
/* "method=weighted norm=zscore k=60 vote=10 m=200 l2=1 w=ease:0.6,als:0.4" */
void fusion_settings_format(const fusion_settings *s, char *buf, size_t n);
int fusion_settings_parse(const char *text, fusion_settings *s,
    rf_error *err);
/* One key=value of that text (key klen bytes long, val a C string) into s;
 * -1 with err saying why, s then possibly half-changed: assign to a copy. */
int fusion_settings_assign(fusion_settings *s, const char *key, size_t klen,
    const char *val, rf_error *err);
const char *fusion_method_name(enum fusion_method m);
const char *fusion_norm_name(enum fusion_norm n);
int fusion_method_parse(const char *name);	/* -1 when unknown */
int fusion_norm_parse(const char *name);	/* -1 when unknown */

#endif
