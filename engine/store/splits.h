/* splits: train / validation / test assignments kept in the store (one
 * byte per dataset entry in CSR order), so that a run can be reproduced. */
#ifndef RF_STORE_SPLITS_H
#define RF_STORE_SPLITS_H

#include <stdint.h>

#include "engine/core/rf.h"
#include "engine/store/store.h"

/* A new splits row (spec text, seed, counts, the n assignment bytes); its
 * id, or -1 + err ("split: saving: ..."). */
int64_t store_split_insert(store *st, const char *spec, uint64_t seed,
    int64_t n_train, int64_t n_valid, int64_t n_test, const uint8_t *assign,
    int64_t n, rf_error *err);
/* Split id: its spec text and assignment bytes (*n of them), both
 * malloc'd for the caller (never NULL when found).  1 found, 0 no such
 * split, -1 + err. */
/* counts: the recorded n_train, n_valid, n_test (-1 when not recorded). */
int store_split_get(store *st, int64_t id, char **spec, uint8_t **assign,
    int64_t *n, int64_t counts[3], rf_error *err);
/* Every split's id, oldest first (*ids malloc'd, NULL when *n is 0): 0,
 * -1 + err. */
int store_split_ids(store *st, int64_t **ids, int *n, rf_error *err);
/* The newest split with n assignment bytes, 0 when there is none. */
int64_t store_split_latest(store *st, int64_t n);

#endif
