/* idmap: external id text -> store id, the importer's users and items
 * dictionaries: open addressing in 32-byte slots, short ids kept in the
 * slot itself and longer ones in an arena freed at once. */
#ifndef RF_INGEST_IDMAP_H
#define RF_INGEST_IDMAP_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "engine/core/hash.h"

#define IDF_USED	1u
#define IDF_HAS_CATEGORY 2u
#define ID_INLINE	12	/* ids up to this long live in the slot itself */

/* Key strings of the dictionaries live in big chunks freed together. */
typedef struct arena_chunk {
	struct arena_chunk *next;
	size_t used, cap;
	char data[];
} arena_chunk;

typedef struct arena {
	arena_chunk *head;
} arena;

/* 32 bytes, two per cache line (a union with the pointer would align it
 * to 8 and make the slot 40 bytes, straddling lines); short ids are
 * compared in place, so a lookup costs one cache miss, not two. */
typedef struct idslot {
	uint64_t hash;
	int64_t id;
	uint16_t len, flags;
	/* the id itself (len <= ID_INLINE), or the address of its copy in
	 * the arena, stored with memcpy */
	char k[ID_INLINE];
} idslot;
_Static_assert(sizeof(idslot) == 32, "an idslot is half a cache line");

/* Linear probing, at most 3/4 full; cap is a power of two. */
typedef struct idmap {
	idslot *slots;
	size_t cap, count;
	arena keys;
} idmap;

/* The hash of an id: a multiply-rotate round per 8 bytes (host byte order
 * is fine, it never leaves memory).  Inline: every row hashes its ids. */
static inline uint64_t
idmap_hash(const char *p, size_t n)
{
	uint64_t h = RF_HASH_P3 ^ (n * RF_HASH_P1), w;

	while (n >= 8) {
		memcpy(&w, p, 8);
		h = rf_rotl64(h ^ (w * RF_HASH_P2), 29) * RF_HASH_P1;
		p += 8;
		n -= 8;
	}
	if (n > 0) {
		w = 0;
		memcpy(&w, p, n);
		h = rf_rotl64(h ^ (w * RF_HASH_P2), 29) * RF_HASH_P1;
	}
	return rf_mix64(h);
}

/* Start fetching the slot where a lookup of hash h begins. */
static inline void
idmap_prefetch(const idmap *m, uint64_t h)
{
#if defined(__GNUC__) || defined(__clang__)
	if (m->cap > 0)
		__builtin_prefetch(&m->slots[h & (m->cap - 1)]);
#else
	(void)m;
	(void)h;
#endif
}

/* The slot of key (h its idmap_hash), or NULL; valid until the next
 * idmap_add(). */
idslot *idmap_find(idmap *m, const char *key, size_t len, uint64_t h);
/* Add a key known to be absent (at most 65535 bytes); NULL when out of
 * memory. */
idslot *idmap_add(idmap *m, const char *key, size_t len, uint64_t h,
    int64_t id);
void idmap_free(idmap *m);

#endif
