/* dedup: the sets of event keys (user, item, time, value, behaviour) an
 * import drops exact duplicates with: a small one of whole keys for the
 * rows of one user, and a compact one (8 bytes a row) for a whole import
 * whose rows are not grouped by user.  Neither drops a row on a hash
 * collision. */
#ifndef RF_INGEST_DEDUP_H
#define RF_INGEST_DEDUP_H

#include <stddef.h>
#include <stdint.h>

#include "engine/core/rf.h"

typedef struct dedup_key {
	int64_t user, item, ts;
	uint64_t vbits;		/* the value's bits: -0 made 0 first */
	int32_t behavior;
	uint32_t gen;		/* slot is live when gen == set's gen */
} dedup_key;

/* Clearing bumps the generation, so per-user sets are emptied in O(1)
 * however many users a file has. */
typedef struct dedup_set {
	dedup_key *slots;
	size_t cap, count;
	uint32_t gen;
} dedup_set;

/* 1 if k was new (now added), 0 if already present, -1 out of memory. */
int dedup_add(dedup_set *s, const dedup_key *k);
void dedup_clear(dedup_set *s);
void dedup_free(dedup_set *s);

/*
 * Every event of an import, by its ordinal (0, 1, ... in the order the
 * events were accepted).  A slot is 8 bytes: a 24-bit tag from the key's
 * hash and the ordinal + 1, so a 10 M-row import costs 128 MB at most
 * instead of whole keys; a tag that matches is confirmed by fetching the
 * event itself (the import's store), so a collision never drops a row.
 */
typedef struct dedup_index {
	uint64_t *slots;	/* 0 = empty */
	size_t cap, count;
} dedup_index;

/* The key of event number ordinal; 0, or -1 with err filled. */
typedef int (*dedup_fetch_fn)(void *ud, int64_t ordinal, dedup_key *k,
    rf_error *err);

/* The hash the index files an event under: of its user's and item's
 * external id hashes (idmap_hash(), known as soon as the line is parsed,
 * so the slot can be fetched while the ids are looked up) and the rest of
 * its key (k->user and k->item are not read). */
uint64_t dedup_event_hash(uint64_t user_hash, uint64_t item_hash,
    const dedup_key *k);

/* Start fetching the slot a lookup of hash h begins at. */
static inline void
dedup_index_prefetch(const dedup_index *x, uint64_t h)
{
	if (x->cap > 0)
		RF_PREFETCH(&x->slots[h & (x->cap - 1)]);
}

/* An empty index sized for rows events (any former content freed); 0, or
 * -1 out of memory. */
int dedup_index_init(dedup_index *x, int64_t rows);
/* 1 when one more event would pass the load the index allows: its owner
 * makes a bigger one (dedup_index_init()) and puts every event in again. */
int dedup_index_full(const dedup_index *x);
/* Add event `ordinal` (h its dedup_event_hash()), known to differ from
 * every key already in (a refill from rows already checked); 0, or -1
 * when full (or the ordinal is past 2^40). */
int dedup_index_put(dedup_index *x, uint64_t h, int64_t ordinal);
/* 1 if k (h its dedup_event_hash()) was new (now added as event
 * `ordinal`; the index must not be
 * full), 0 if an event with the same key is in (fetch confirmed it), -1
 * with err filled (fetch failed). */
int dedup_index_add(dedup_index *x, uint64_t h, const dedup_key *k,
    int64_t ordinal, dedup_fetch_fn fetch, void *ud, rf_error *err);
void dedup_index_free(dedup_index *x);

#endif
