/* idmap: the id dictionaries of an import (see idmap.h). */
#include "engine/ingest/idmap.h"
#include "engine/core/rf.h"

#include <stdlib.h>

/* A copy of s (n bytes) in the arena, after its 16-bit length. */
static const char *
arena_keydup(arena *a, const char *s, size_t n)
{
	arena_chunk *c = a->head;
	size_t need = n + sizeof(uint16_t);
	uint16_t len = (uint16_t)n;
	char *d;

	if (c == NULL || c->cap - c->used < need) {
		size_t cap = need > (1u << 20) ? need : (1u << 20);

		if ((c = malloc(sizeof *c + cap)) == NULL)
			return NULL;
		c->next = a->head;
		c->used = 0;
		c->cap = cap;
		a->head = c;
	}
	d = c->data + c->used;
	memcpy(d, &len, sizeof len);
	memcpy(d + sizeof len, s, n);
	c->used += need;
	return d;
}

static void
arena_free(arena *a)
{
	while (a->head != NULL) {
		arena_chunk *next = a->head->next;

		free(a->head);
		a->head = next;
	}
}

/* The meta word of a used slot for a key of len bytes and hash h. */
static uint32_t
slot_meta(size_t len, uint64_t h)
{
	unsigned l = len <= ID_INLINE ? (unsigned)len : IDSLOT_LEN_ARENA;

	return IDSLOT_TAG(h) | (uint32_t)l << 2 | IDF_USED;
}

static int
idslot_is(const idslot *s, const char *key, size_t len, uint32_t meta)
{
	const char *big;
	uint16_t n;

	/* the tag and the length (or the arena mark), not the flags */
	if ((s->meta & ~IDF_HAS_CATEGORY) != meta)
		return 0;
	if (len <= ID_INLINE) {
		char pad[ID_INLINE] = { 0 };

		memcpy(pad, key, len);
		return memcmp(pad, s->k, ID_INLINE) == 0;
	}
	memcpy(&big, s->k, sizeof big);
	memcpy(&n, big, sizeof n);
	return n == len && memcmp(big + sizeof n, key, len) == 0;
}

idslot *
idmap_find(idmap *m, const char *key, size_t len, uint64_t h)
{
	uint32_t meta = slot_meta(len, h);
	size_t i;

	if (m->cap == 0)
		return NULL;
	for (i = h & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
		idslot *s = &m->slots[i];

		if (!(s->meta & IDF_USED))
			return NULL;
		if (idslot_is(s, key, len, meta))
			return s;
	}
}

static int
idmap_grow(idmap *m)
{
	size_t cap = m->cap ? m->cap * 2 : 1024, i, j;
	idslot *slots = rf_calloc_big(cap, sizeof *slots);

	if (slots == NULL)
		return -1;
	for (i = 0; i < m->cap; i++) {
		const char *key;
		size_t len;

		if (!(m->slots[i].meta & IDF_USED))
			continue;
		key = idslot_key(&m->slots[i], &len);
		for (j = idmap_hash(key, len) & (cap - 1);
		    slots[j].meta & IDF_USED; j = (j + 1) & (cap - 1))
			;
		slots[j] = m->slots[i];
	}
	free(m->slots);
	m->slots = slots;
	m->cap = cap;
	return 0;
}

idslot *
idmap_add(idmap *m, const char *key, size_t len, uint64_t h, int64_t id)
{
	idslot *s;
	size_t i;

	if (id < 1 || (uint64_t)id > ID_MAX || len > UINT16_MAX)
		return NULL;
	/* At most 3/4 full: half the memory of 1/2, for about one more
	 * slot per lookup, in the same cache line or the next. */
	if ((m->count + 1) * 4 > m->cap * 3 && idmap_grow(m) < 0)
		return NULL;
	for (i = h & (m->cap - 1); m->slots[i].meta & IDF_USED;
	    i = (i + 1) & (m->cap - 1))
		;
	s = &m->slots[i];
	memset(s->k, 0, sizeof s->k);
	if (len <= ID_INLINE)
		memcpy(s->k, key, len);
	else {
		const char *big = arena_keydup(&m->keys, key, len);

		if (big == NULL)
			return NULL;
		memcpy(s->k, &big, sizeof big);
	}
	s->meta = slot_meta(len, h);
	s->id = (uint32_t)id;
	m->count++;
	return s;
}

void
idmap_free(idmap *m)
{
	free(m->slots);
	arena_free(&m->keys);
	memset(m, 0, sizeof *m);
}
