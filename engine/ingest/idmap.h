/* idmap: external id text -> store id, the importer's users and items
 * dictionaries: open addressing in 16-byte slots, short ids kept in the
 * slot itself and longer ones in an arena freed at once. */
#ifndef RF_INGEST_IDMAP_H
#define RF_INGEST_IDMAP_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "engine/core/hash.h"
#include "engine/core/rf.h"

#define IDF_USED	1u
#define IDF_HAS_CATEGORY 2u
#define ID_INLINE	8	/* ids up to this long live in the slot itself */
#define ID_MAX		UINT32_MAX	/* the largest id a slot holds */

/* Key strings of the dictionaries live in big chunks freed together. */
typedef struct arena_chunk {
	struct arena_chunk *next;
	size_t used, cap;
	char data[];
} arena_chunk;

typedef struct arena {
	arena_chunk *head;
} arena;

/* 16 bytes, four per cache line: a dictionary of millions of ids is
 * fresh memory the size of its table, and fresh memory is what a
 * random-order import pays for (the kernel zeroes every page of it on
 * first touch); short ids are compared in place, so a lookup costs one
 * cache miss, not two.
 *   meta  bit 0 IDF_USED, bit 1 IDF_HAS_CATEGORY, bits 2-5 the length of
 *         an id kept in the slot (0-8) or 15 for one kept in the arena,
 *         bits 6-31 the top 26 bits of its hash;
 *   id    the store's id (1 .. ID_MAX);
 *   k     the id itself, zero-padded (length <= ID_INLINE), or the
 *         address of its copy in the arena (a 16-bit length, then the
 *         bytes), stored with memcpy. */
typedef struct idslot {
	uint32_t meta;
	uint32_t id;
	char k[ID_INLINE];
} idslot;
_Static_assert(sizeof(idslot) == 16, "an idslot is a quarter of a line");

#define IDSLOT_LEN_ARENA 15u
#define IDSLOT_TAG(h)	((uint32_t)((h) >> 38) << 6)

static inline unsigned
idslot_flags(const idslot *s)
{
	return s->meta & 3u;
}

static inline void
idslot_set_flag(idslot *s, unsigned flag)
{
	s->meta |= flag;
}

/* The id text of a used slot: its bytes and length. */
static inline const char *
idslot_key(const idslot *s, size_t *len)
{
	unsigned l = (s->meta >> 2) & 15u;
	const char *big;
	uint16_t n;

	if (l != IDSLOT_LEN_ARENA) {
		*len = l;
		return s->k;
	}
	memcpy(&big, s->k, sizeof big);
	memcpy(&n, big, sizeof n);
	*len = n;
	return big + sizeof n;
}

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
	if (m->cap > 0)
		RF_PREFETCH(&m->slots[h & (m->cap - 1)]);
}

/* The slot of key (h its idmap_hash), or NULL; valid until the next
 * idmap_add(). */
idslot *idmap_find(idmap *m, const char *key, size_t len, uint64_t h);
/* Add a key known to be absent (at most 65535 bytes) under id (1 ..
 * ID_MAX); NULL when out of memory. */
idslot *idmap_add(idmap *m, const char *key, size_t len, uint64_t h,
    int64_t id);
void idmap_free(idmap *m);

#endif
