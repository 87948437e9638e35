/* dedup: a set of exact event keys (user, item, time, value, behaviour)
 * for dropping duplicate rows; it holds the keys themselves, so nothing
 * is dropped on a hash collision, and it empties in O(1). */
#ifndef RF_INGEST_DEDUP_H
#define RF_INGEST_DEDUP_H

#include <stddef.h>
#include <stdint.h>

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

#endif
