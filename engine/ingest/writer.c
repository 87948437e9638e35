/* writer: accepted rows into the store (see writer.h). */
#include "engine/ingest/writer.h"

#include <stdlib.h>
#include <string.h>

static int
writer_oom(const writer *w, rf_error *err)
{
	return rf_fail(err, "%s: out of memory", w->path);
}

/* Why a dictionary could not take id: out of memory, or an id past what
 * a slot holds. */
static int
dict_full(const writer *w, int64_t id, rf_error *err)
{
	if (id < 1 || (uint64_t)id > ID_MAX)
		return rf_fail(err, "%s: store id %lld is outside the import's "
		    "dictionaries (1 to %llu)", w->path, (long long)id,
		    (unsigned long long)ID_MAX);
	return writer_oom(w, err);
}

void
writer_init(writer *w, store_import *imp, const char *path,
    ingest_result *res)
{
	memset(w, 0, sizeof *w);
	w->imp = imp;
	w->path = path;
	w->res = res;
}

void
writer_free(writer *w)
{
	idmap_free(&w->users);
	idmap_free(&w->items);
	dedup_free(&w->block);
	dedup_index_free(&w->all);
	free(w->closed);
	w->closed = NULL;
}

static int
load_id(writer *w, idmap *m, int64_t id, const char *key, size_t n,
    int has_category, rf_error *err)
{
	idslot *s = idmap_add(m, key, n, idmap_hash(key, n), id);

	if (s == NULL)
		return dict_full(w, id, err);
	if (has_category)
		idslot_set_flag(s, IDF_HAS_CATEGORY);
	return 0;
}

static int
load_item(void *ud, int64_t id, const char *key, size_t n, int has_category,
    rf_error *err)
{
	writer *w = ud;

	return load_id(w, &w->items, id, key, n, has_category, err);
}

static int
load_user(void *ud, int64_t id, const char *key, size_t n, int has_category,
    rf_error *err)
{
	writer *w = ud;

	return load_id(w, &w->users, id, key, n, has_category, err);
}

int
writer_load(writer *w, int items_kind, rf_error *err)
{
	if (store_import_load_items(w->imp, load_item, w, err) != 0)
		return -1;
	if (!items_kind && store_import_load_users(w->imp, load_user, w, err)
	    != 0)
		return -1;
	return 0;
}

/* A new id in a dictionary, just added to the store as id. */
static idslot *
dict_add(writer *w, idmap *m, const field *f, uint64_t h, int64_t id,
    int64_t *new_count, rf_error *err)
{
	idslot *s = idmap_add(m, f->p, f->n, h, id);

	if (s == NULL) {
		dict_full(w, id, err);
		return NULL;
	}
	(*new_count)++;
	return s;
}

/* The slot of a user, added when new; valid until the next insertion. */
static idslot *
user_get(writer *w, int64_t lineno, const field *f, uint64_t h,
    rf_error *err)
{
	idslot *s = idmap_find(&w->users, f->p, f->n, h);
	int64_t id;

	if (s != NULL)
		return s;
	if (store_import_add_user(w->imp, f->p, f->n, lineno, &id, err) < 0)
		return NULL;
	return dict_add(w, &w->users, f, h, id, &w->res->new_users, err);
}

static int
item_get(writer *w, int64_t lineno, const event_row *r, int64_t *id,
    rf_error *err)
{
	const field *f = &r->item, *cat = r->category.p ? &r->category : NULL;
	idslot *s = idmap_find(&w->items, f->p, f->n, r->item_hash);

	if (s == NULL) {
		if (store_import_add_item(w->imp, f->p, f->n,
		    cat ? cat->p : NULL, cat ? cat->n : 0, lineno, id, err) < 0 ||
		    (s = dict_add(w, &w->items, f, r->item_hash, *id,
		    &w->res->new_items, err)) == NULL)
			return -1;
		if (cat != NULL)
			idslot_set_flag(s, IDF_HAS_CATEGORY);
		return 0;
	}
	*id = s->id;
	if (cat != NULL && !(idslot_flags(s) & IDF_HAS_CATEGORY)) {
		/* An item first met without one (metadata or another log). */
		idslot_set_flag(s, IDF_HAS_CATEGORY);
		return store_import_set_category(w->imp, s->id, cat->p, cat->n,
		    lineno, err);
	}
	return 0;
}

/* The external id hash of every id of a dictionary, by id (0 where no
 * id): a refill files the stored events (which have ids) under the same
 * hashes as new rows (which have texts).  *n gets the array's length. */
static uint64_t *
hashes_by_id(const idmap *m, int64_t *n)
{
	int64_t max = 0;
	uint64_t *h;

	for (size_t i = 0; i < m->cap; i++)
		if ((m->slots[i].meta & IDF_USED) && m->slots[i].id > max)
			max = m->slots[i].id;
	if ((h = rf_calloc_big((size_t)max + 1, sizeof *h)) == NULL)
		return NULL;
	for (size_t i = 0; i < m->cap; i++)
		if ((m->slots[i].meta & IDF_USED) && m->slots[i].id > 0) {
			size_t len;
			const char *key = idslot_key(&m->slots[i], &len);

			h[m->slots[i].id] = idmap_hash(key, len);
		}
	*n = max + 1;
	return h;
}

typedef struct refill {
	writer *w;
	uint64_t *user_hash, *item_hash;
	int64_t n_users, n_items;
} refill;

static int
refill_one(void *ud, const store_event_row *e, rf_error *err)
{
	refill *rf = ud;
	writer *w = rf->w;
	dedup_key k;

	if (e->user <= 0 || e->user >= rf->n_users || e->item <= 0 ||
	    e->item >= rf->n_items)
		return rf_fail(err, "%s: duplicate check: an event of this "
		    "import has an unknown id", w->path);
	k.ts = e->ts;
	k.behavior = e->behavior;
	memcpy(&k.vbits, &e->value, sizeof e->value);
	if (dedup_index_put(&w->all, dedup_event_hash(rf->user_hash[e->user],
	    rf->item_hash[e->item], &k), w->refill_next++) < 0)
		return rf_fail(err, "%s: duplicate check: too many events",
		    w->path);
	return 0;
}

/* The index of every event, made for at least `rows` events and filled
 * with those already written (they differ from each other: the per-user
 * sets, or this index, checked them).  The former index is freed first,
 * so memory peaks at the new one alone. */
static int
build_index(writer *w, int64_t rows, int64_t lineno, rf_error *err)
{
	refill rf = { w, NULL, NULL, 0, 0 };
	int rc = -1;

	if (dedup_index_init(&w->all, rows) < 0 ||
	    (rf.user_hash = hashes_by_id(&w->users, &rf.n_users)) == NULL ||
	    (rf.item_hash = hashes_by_id(&w->items, &rf.n_items)) == NULL)
		writer_oom(w, err);
	else {
		w->refill_next = 0;
		rc = store_import_each_event(w->imp, refill_one, &rf, lineno,
		    err) ? -1 : 0;
	}
	free(rf.user_hash);
	free(rf.item_hash);
	return rc;
}

/* Switch from per-user sets to one index for the whole import, sized for
 * the rows the file seems to have; see writer_event(). */
static int
go_global_set(writer *w, int64_t lineno, rf_error *err)
{
	int64_t rows = w->res->accepted * 2 + 1;

	w->global_mode = 1;
	dedup_free(&w->block);
	if (w->rows_hint > rows)
		rows = w->rows_hint;
	return build_index(w, rows, lineno, err);
}

/* A duplicate check's look at event `ordinal` (fetch of dedup_index_add). */
static int
fetch_event(void *ud, int64_t ordinal, dedup_key *k, rf_error *err)
{
	writer *w = ud;
	store_event_row e;

	if (store_import_event_at(w->imp, ordinal, &e, err) < 0)
		return -1;
	k->user = e.user;
	k->item = e.item;
	k->behavior = e.behavior;
	k->ts = e.ts;
	k->gen = 0;
	memcpy(&k->vbits, &e.value, sizeof e.value);
	return 0;
}

/* Whether k (the key of r) is new: 1 (and remembered), 0 a duplicate,
 * -1 an error. */
static int
check_new(writer *w, int64_t lineno, const event_row *r, const dedup_key *k,
    rf_error *err)
{
	int rc;

	if (!w->global_mode) {
		if ((rc = dedup_add(&w->block, k)) < 0)
			return writer_oom(w, err);
		return rc;
	}
	if (dedup_index_full(&w->all) &&
	    build_index(w, (int64_t)w->all.count * 2, lineno, err) < 0)
		return -1;
	return dedup_index_add(&w->all, dedup_event_hash(r->user_hash,
	    r->item_hash, k), k, w->res->accepted, fetch_event, w, err);
}

static int
user_switch(writer *w, int64_t lineno, const field *f, uint64_t h,
    rf_error *err)
{
	idslot *s = user_get(w, lineno, f, h, err);

	if (s == NULL)
		return -1;
	if (!w->global_mode && w->last_uid > 0) {
		size_t need = (size_t)(s->id > w->last_uid ? s->id :
		    w->last_uid) + 1;

		if (need > w->closed_cap) {
			size_t cap = need * 2;
			unsigned char *p = realloc(w->closed, cap);

			if (p == NULL)
				return writer_oom(w, err);
			memset(p + w->closed_cap, 0, cap - w->closed_cap);
			w->closed = p;
			w->closed_cap = cap;
		}
		w->closed[w->last_uid] = 1;
		if (w->closed[s->id] && go_global_set(w, lineno, err) < 0)
			return -1;
	}
	if (!w->global_mode)
		dedup_clear(&w->block);
	memcpy(w->last_key, f->p, f->n);
	w->last_len = f->n;
	w->last_uid = s->id;
	return 0;
}

static int
insert_event(writer *w, int64_t lineno, const dedup_key *k, double value,
    rf_error *err)
{
	store_event_row e;

	w->res->accepted++;
	w->behavior_count[k->behavior]++;
	if (k->ts != 0) {
		if (!w->have_ts || k->ts < w->ts_first)
			w->ts_first = k->ts;
		if (!w->have_ts || k->ts > w->ts_last)
			w->ts_last = k->ts;
		w->have_ts = 1;
	}
	e.user = k->user;
	e.item = k->item;
	e.ts = k->ts;
	e.value = value;
	e.behavior = k->behavior;
	return store_import_event(w->imp, &e, lineno, err);
}

/* The key of r but its ids (filled once they are known); returns its
 * value, -0 made 0 (one value). */
static double
event_key(const event_row *r, dedup_key *k)
{
	double value = r->value == 0 ? 0 : r->value;

	k->ts = r->ts;
	k->behavior = r->behavior;
	k->gen = 0;
	memcpy(&k->vbits, &value, sizeof value);
	return value;
}

void
writer_prefetch(const writer *w, const event_row *r)
{
	idmap_prefetch(&w->users, r->user_hash);
	idmap_prefetch(&w->items, r->item_hash);
	if (w->global_mode) {
		dedup_key k;

		event_key(r, &k);
		dedup_index_prefetch(&w->all, dedup_event_hash(r->user_hash,
		    r->item_hash, &k));
	}
}

/*
 * Exact duplicates (same user, item, behaviour, value and time) are dropped
 * and counted.  Logs grouped by user (Taobao, our generator) only need the
 * current user's rows in a set, cleared when the user changes, so memory
 * stays flat however long the file is.  The first time a user comes back
 * after its block has ended the file is not grouped (ordered by time, or
 * shuffled): from then on one compact index holds every event of this
 * import (8 bytes a slot, see dedup.h), first filled with the rows already
 * written (store_import_each_event()); a hash tag that matches is checked
 * against the stored event, so nothing is dropped on a collision, and the
 * rows go in at about the same speed whatever their order.
 */
int
writer_event(writer *w, int64_t lineno, const event_row *r, rf_error *err)
{
	const field *user = &r->user;
	dedup_key k;
	double value = event_key(r, &k);
	int rc;

	/* Rows out of order: the index slot is fetched while the ids are
	 * looked up (the misses overlap; formats parsed ahead fetched it
	 * lines before, see ingest_loop()). */
	if (w->global_mode)
		dedup_index_prefetch(&w->all, dedup_event_hash(r->user_hash,
		    r->item_hash, &k));
	if (w->last_uid == 0 || user->n != w->last_len ||
	    memcmp(user->p, w->last_key, user->n) != 0) {
		if (user_switch(w, lineno, user, r->user_hash, err) < 0)
			return -1;
	}
	if (item_get(w, lineno, r, &k.item, err) < 0)
		return -1;
	k.user = w->last_uid;
	if ((rc = check_new(w, lineno, r, &k, err)) < 0)
		return -1;
	if (rc == 0) {
		w->res->duplicates++;
		return 0;
	}
	return insert_event(w, lineno, &k, value, err);
}

int
writer_item(writer *w, int64_t lineno, const item_row *r, rf_error *err)
{
	const field *f = &r->id;
	uint64_t h = idmap_hash(f->p, f->n);
	idslot *s = idmap_find(&w->items, f->p, f->n, h);
	int64_t id = s != NULL ? s->id : 0;

	if (store_import_save_item(w->imp, f->p, f->n, &r->text, lineno, &id,
	    err) < 0)
		return -1;
	if (s == NULL && (s = dict_add(w, &w->items, f, h, id,
	    &w->res->new_items, err)) == NULL)
		return -1;
	if (r->text.category != NULL)
		idslot_set_flag(s, IDF_HAS_CATEGORY);
	w->res->accepted++;
	return 0;
}

void
writer_totals(const writer *w, store_import_totals *t)
{
	memset(t, 0, sizeof *t);
	t->rows_read = w->res->rows_read;
	t->accepted = w->res->accepted;
	t->rejected = w->res->rejected;
	t->duplicates = w->res->duplicates;
	memcpy(t->behavior_count, w->behavior_count, sizeof t->behavior_count);
	t->have_ts = w->have_ts;
	t->ts_first = w->ts_first;
	t->ts_last = w->ts_last;
}
