/* hash: the non-cryptographic hashes of the engine: FNV-1a 64 for
 * checksums of saved blobs and fingerprints, and a fast 128-bit hash of a
 * byte stream (the content hash of an imported file). */
#ifndef RF_HASH_H
#define RF_HASH_H

#include <stddef.h>
#include <stdint.h>

/* FNV-1a 64-bit over bytes, continuing from h (start with RF_FNV_SEED). */
#define RF_FNV_SEED 0xcbf29ce484222325ULL
uint64_t rf_fnv1a(uint64_t h, const void *p, size_t n);

/*
 * The mixing steps the 128-bit hash is made of (xxHash64's primes and
 * MurmurHash3's 64-bit finaliser), for in-memory hash tables that need a
 * fast hash of a few machine words or a short key.
 */
#define RF_HASH_P1 0x9E3779B185EBCA87ULL
#define RF_HASH_P2 0xC2B2AE3D27D4EB4FULL
#define RF_HASH_P3 0x165667B19E3779F9ULL

static inline uint64_t
rf_rotl64(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static inline uint64_t
rf_mix64(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return h;
}

/*
 * A 128-bit hash of a byte stream fed in pieces of any size (the same
 * bytes give the same hash however they are cut), read little-endian so
 * that a hash kept in a store means the same on every host.  It only has
 * to tell contents apart, not resist an adversary.
 */
typedef struct rf_hash128 {
	uint64_t v[4];
	unsigned char stash[32];
	size_t nstash;
	uint64_t total;
} rf_hash128;

void rf_hash128_init(rf_hash128 *h);
void rf_hash128_update(rf_hash128 *h, const void *p, size_t n);
/* The hash of the bytes so far as 32 hex digits (h stays usable). */
void rf_hash128_hex(const rf_hash128 *h, char hex[33]);

#endif
