/* hash: the one non-cryptographic hash of the engine (FNV-1a 64), for
 * checksums of saved blobs, id hash tables and fingerprints. */
#ifndef RF_HASH_H
#define RF_HASH_H

#include <stddef.h>
#include <stdint.h>

/* FNV-1a 64-bit over bytes, continuing from h (start with RF_FNV_SEED). */
#define RF_FNV_SEED 0xcbf29ce484222325ULL
uint64_t rf_fnv1a(uint64_t h, const void *p, size_t n);

#endif
