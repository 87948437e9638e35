/* dedup: the exact-duplicate sets of an import (see dedup.h). */
#include "engine/ingest/dedup.h"

#include <stdlib.h>
#include <string.h>

#include "engine/core/hash.h"

static uint64_t
dedup_hash(const dedup_key *k)
{
	uint64_t h = (uint64_t)k->user * RF_HASH_P1;

	h = rf_rotl64(h ^ ((uint64_t)k->item * RF_HASH_P2), 27) * RF_HASH_P1;
	h = rf_rotl64(h ^ ((uint64_t)k->ts * RF_HASH_P3), 31) * RF_HASH_P2;
	h = rf_rotl64(h ^ (k->vbits * RF_HASH_P1) ^ (uint64_t)k->behavior, 29) *
	    RF_HASH_P3;
	return rf_mix64(h);
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
