/* idmap: the id dictionaries of an import (see idmap.h). */
#include "engine/ingest/idmap.h"
#include "engine/core/rf.h"

#include <stdlib.h>

static const char *
arena_strndup(arena *a, const char *s, size_t n)
{
	arena_chunk *c = a->head;
	char *d;

	if (c == NULL || c->cap - c->used < n + 1) {
		size_t cap = n + 1 > (1u << 20) ? n + 1 : (1u << 20);

		if ((c = malloc(sizeof *c + cap)) == NULL)
			return NULL;
		c->next = a->head;
		c->used = 0;
		c->cap = cap;
		a->head = c;
	}
	d = c->data + c->used;
	memcpy(d, s, n);
	d[n] = '\0';
	c->used += n + 1;
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

static int
idslot_is(const idslot *s, const char *key, size_t len, uint64_t h)
{
	size_t i;

	if (s->hash != h || s->len != len)
		return 0;
	if (len > ID_INLINE) {
		const char *big;

		memcpy(&big, s->k, sizeof big);
		return memcmp(big, key, len) == 0;
	}
	for (i = 0; i < len; i++)
		if (s->k[i] != key[i])
			return 0;
	return 1;
}

idslot *
idmap_find(idmap *m, const char *key, size_t len, uint64_t h)
{
	size_t i;

	if (m->cap == 0)
		return NULL;
	for (i = h & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
		idslot *s = &m->slots[i];

		if (!(s->flags & IDF_USED))
			return NULL;
		if (idslot_is(s, key, len, h))
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
		if (!(m->slots[i].flags & IDF_USED))
			continue;
		for (j = m->slots[i].hash & (cap - 1); slots[j].flags & IDF_USED;
		    j = (j + 1) & (cap - 1))
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

	/* At most 3/4 full: half the memory of 1/2 (4.3 M items: 256 MB, not
	 * 512), for about one more slot per lookup, in the same cache line or
	 * the next. */
	if ((m->count + 1) * 4 > m->cap * 3 && idmap_grow(m) < 0)
		return NULL;
	for (i = h & (m->cap - 1); m->slots[i].flags & IDF_USED;
	    i = (i + 1) & (m->cap - 1))
		;
	s = &m->slots[i];
	if (len <= ID_INLINE)
		memcpy(s->k, key, len);
	else {
		const char *big = arena_strndup(&m->keys, key, len);

		if (big == NULL)
			return NULL;
		memcpy(s->k, &big, sizeof big);
	}
	s->hash = h;
	s->len = (uint16_t)len;
	s->flags = IDF_USED;
	s->id = id;
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
