/* als: implicit ALS (engine/models/als.c) beyond the model_ops table: read
 * access to the factors for models built on top of them. */
#ifndef RF_ALS_H
#define RF_ALS_H

#include "engine/models/model.h"

/* The factor matrices of a trained (or loaded) als model, row-major:
 * user u's row is user_f + u * k, item i's is item_f + i * k.  k is the
 * row stride, the factor count rounded up to a multiple of 8; columns past
 * the factor count are zero, so dot products over k are exact.  The
 * pointers stay valid until the model's next epoch or free.  Returns 0,
 * or -1 (pointers untouched) when m is not an als model. */
int als_factors(const model *m, const float **user_f, const float **item_f,
    int *k);

/* c_ui - 1 for a stored value r under m's alpha and conf parameters: the
 * confidence rule of the fit, for code that folds a user in again. */
float als_confidence1(const model *m, float r);

/* ops->probe (als_probe.c): leave-one-out by fold-in (HKV 2008 eq. 4). */
int als_probe(const model *m, int u, int i, double score, model_probe *p);

#endif
