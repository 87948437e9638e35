/* dedup: the exact-duplicate sets of an import (see dedup.h). */
#include "engine/ingest/dedup.h"

#include <stdlib.h>
#include <string.h>

#include "engine/core/hash.h"

uint64_t
dedup_event_hash(uint64_t user_hash, uint64_t item_hash, const dedup_key *k)
{
	uint64_t h = user_hash * RF_HASH_P1;

	h = rf_rotl64(h ^ (item_hash * RF_HASH_P2), 27) * RF_HASH_P1;
	h = rf_rotl64(h ^ ((uint64_t)k->ts * RF_HASH_P3), 31) * RF_HASH_P2;
	h = rf_rotl64(h ^ (k->vbits * RF_HASH_P1) ^ (uint64_t)k->behavior, 29) *
	    RF_HASH_P3;
	return rf_mix64(h);
}

static uint64_t
dedup_hash(const dedup_key *k)
{
	return dedup_event_hash((uint64_t)k->user, (uint64_t)k->item, k);
}

static int
dedup_key_eq(const dedup_key *a, const dedup_key *b)
{
	return a->user == b->user && a->item == b->item && a->ts == b->ts &&
	    a->vbits == b->vbits && a->behavior == b->behavior;
}

void
dedup_clear(dedup_set *s)
{
	s->count = 0;
	if (++s->gen == 0) {
		memset(s->slots, 0, s->cap * sizeof *s->slots);
		s->gen = 1;
	}
}

static int
dedup_grow(dedup_set *s)
{
	size_t cap = s->cap ? s->cap * 2 : 256, i, j;
	dedup_key *slots = calloc(cap, sizeof *slots);

	if (slots == NULL)
		return -1;
	for (i = 0; i < s->cap; i++) {
		if (s->slots[i].gen != s->gen)
			continue;
		for (j = dedup_hash(&s->slots[i]) & (cap - 1); slots[j].gen == 1;
		    j = (j + 1) & (cap - 1))
			;
		slots[j] = s->slots[i];
		slots[j].gen = 1;
	}
	free(s->slots);
	s->slots = slots;
	s->cap = cap;
	s->gen = 1;
	return 0;
}

int
dedup_add(dedup_set *s, const dedup_key *k)
{
	size_t i;

	if ((s->count + 1) * 2 > s->cap && dedup_grow(s) < 0)
		return -1;
	for (i = dedup_hash(k) & (s->cap - 1); s->slots[i].gen == s->gen;
	    i = (i + 1) & (s->cap - 1))
		if (dedup_key_eq(&s->slots[i], k))
			return 0;
	s->slots[i] = *k;
	s->slots[i].gen = s->gen;
	s->count++;
	return 1;
}

void
dedup_free(dedup_set *s)
{
	free(s->slots);
	memset(s, 0, sizeof *s);
}

/* A slot: the tag (the hash's top 24 bits) over ordinal + 1 (40 bits).
 * The slot index comes from the hash's low bits, so tag and index are
 * independent up to 2^40 slots.  A slot does not keep the rest of its
 * hash, so the table cannot grow by itself: when full, its owner builds
 * a bigger one again from the events (dedup_index_full()). */
#define INDEX_ORD_BITS	40
#define INDEX_ORD_MASK	((UINT64_C(1) << INDEX_ORD_BITS) - 1)
#define INDEX_ORD_MAX	(INDEX_ORD_MASK - 1)
#define INDEX_TAG(h)	((h) >> INDEX_ORD_BITS << INDEX_ORD_BITS)

int
dedup_index_init(dedup_index *x, int64_t rows)
{
	size_t cap = 1u << 16;

	dedup_index_free(x);
	/* At most 3/4 full: linear probing's misses stay under 8.5 probes,
	 * about two cache lines of 8-byte slots. */
	while ((double)cap * 3 / 4 < (double)rows + 1)
		cap *= 2;
	if ((x->slots = rf_calloc_big(cap, sizeof *x->slots)) == NULL)
		return -1;
	x->cap = cap;
	return 0;
}

int
dedup_index_full(const dedup_index *x)
{
	return (x->count + 1) * 4 > x->cap * 3;
}

int
dedup_index_put(dedup_index *x, uint64_t h, int64_t ordinal)
{
	size_t i;

	if (ordinal < 0 || (uint64_t)ordinal > INDEX_ORD_MAX ||
	    dedup_index_full(x))
		return -1;
	for (i = h & (x->cap - 1); x->slots[i] != 0; i = (i + 1) & (x->cap - 1))
		;
	x->slots[i] = INDEX_TAG(h) | (uint64_t)(ordinal + 1);
	x->count++;
	return 0;
}

int
dedup_index_add(dedup_index *x, uint64_t h, const dedup_key *k,
    int64_t ordinal, dedup_fetch_fn fetch, void *ud, rf_error *err)
{
	uint64_t tag = INDEX_TAG(h), s;
	size_t i;

	for (i = h & (x->cap - 1); (s = x->slots[i]) != 0;
	    i = (i + 1) & (x->cap - 1)) {
		dedup_key seen;

		if ((s ^ tag) >> INDEX_ORD_BITS != 0)
			continue;
		if (fetch(ud, (int64_t)(s & INDEX_ORD_MASK) - 1, &seen, err) < 0)
			return -1;
		if (dedup_key_eq(&seen, k))
			return 0;
	}
	if (ordinal < 0 || (uint64_t)ordinal > INDEX_ORD_MAX)
		return rf_fail(err, "too many events for one import");
	x->slots[i] = tag | (uint64_t)(ordinal + 1);
	x->count++;
	return 1;
}

void
dedup_index_free(dedup_index *x)
{
	free(x->slots);
	memset(x, 0, sizeof *x);
}
