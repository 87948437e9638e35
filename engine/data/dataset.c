/* dataset: the in-memory snapshot models train on (see dataset.h). */
#include "engine/data/dataset.h"
#include "engine/core/hash.h"
#include "engine/core/sort.h"
#include "engine/store/scan.h"
#include "engine/store/store.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
interactions_alloc_items(interactions *m, int n_users, int n_items,
    int64_t nnz)
{
	memset(m, 0, sizeof *m);
	m->n_users = n_users;
	m->n_items = n_items;
	m->nnz = nnz;
	m->ptr = calloc((size_t)n_users + 1, sizeof *m->ptr);
	m->idx = malloc((size_t)(nnz ? nnz : 1) * sizeof *m->idx);
	if (!m->ptr || !m->idx) {
		interactions_free(m);
		return -1;
	}
	return 0;
}

int
interactions_alloc_values(interactions *m, int n_users, int n_items,
    int64_t nnz)
{
	if (interactions_alloc_items(m, n_users, n_items, nnz) < 0)
		return -1;
	m->val = malloc((size_t)(nnz ? nnz : 1) * sizeof *m->val);
	if (!m->val) {
		interactions_free(m);
		return -1;
	}
	return 0;
}

int
interactions_alloc(interactions *m, int n_users, int n_items, int64_t nnz)
{
	if (interactions_alloc_values(m, n_users, n_items, nnz) < 0)
		return -1;
	m->ts = calloc((size_t)(nnz ? nnz : 1), sizeof *m->ts);
	m->beh = calloc((size_t)(nnz ? nnz : 1), sizeof *m->beh);
	if (!m->ts || !m->beh) {
		interactions_free(m);
		return -1;
	}
	return 0;
}

static void
drop_transpose(interactions *m)
{
	free(m->tptr);
	free(m->tidx);
	free(m->tval);
	m->tptr = NULL;
	m->tidx = NULL;
	m->tval = NULL;
}

/* Counting sort by item: the transpose keeps users ascending per item. */
int
interactions_build_transpose(interactions *m)
{
	int64_t *next;
	int u;

	drop_transpose(m);
	if (m->val == NULL)	/* items only */
		return -1;
	m->tptr = calloc((size_t)m->n_items + 1, sizeof *m->tptr);
	m->tidx = malloc((size_t)(m->nnz ? m->nnz : 1) * sizeof *m->tidx);
	m->tval = malloc((size_t)(m->nnz ? m->nnz : 1) * sizeof *m->tval);
	next = malloc(((size_t)m->n_items + 1) * sizeof *next);
	if (!m->tptr || !m->tidx || !m->tval || !next) {
		/* the matrix stays as it was, without a transpose */
		free(next);
		drop_transpose(m);
		return -1;
	}
	for (int64_t k = 0; k < m->nnz; k++)
		m->tptr[m->idx[k] + 1]++;
	for (int i = 0; i < m->n_items; i++)
		m->tptr[i + 1] += m->tptr[i];
	memcpy(next, m->tptr, ((size_t)m->n_items + 1) * sizeof *next);
	for (u = 0; u < m->n_users; u++) {
		for (int64_t k = m->ptr[u]; k < m->ptr[u + 1]; k++) {
			int64_t p = next[m->idx[k]]++;

			m->tidx[p] = u;
			m->tval[p] = m->val[k];
		}
	}
	free(next);
	return 0;
}

void
interactions_free(interactions *m)
{
	free(m->ptr);
	free(m->idx);
	free(m->val);
	free(m->ts);
	free(m->ts32);
	free(m->beh);
	free(m->tptr);
	free(m->tidx);
	free(m->tval);
	memset(m, 0, sizeof *m);
}

/*
 * dataset_build: one plain scan of events (no ORDER BY: reading back in
 * index order costs ten times more), then a stable counting sort on the
 * user and a sort of each row by (item, scan position).  Duplicates of a
 * (user, item) pair are folded into one entry.
 */

/* Private part of a built dataset: string storage and id hash tables. */
struct dataset_priv {
	char *strings;			/* every ext id and title */
	char *categories;		/* the category names, once each */
	int32_t *user_slots, *item_slots;	/* open addressing, -1 empty */
	uint32_t user_mask, item_mask;
	/* a lean build (dataset_build_lean()) until its names are read:
	 * which store ids have events (a bit each; the dense indices are
	 * their ranks), then the names */
	uint64_t *user_has, *item_has;
	int32_t max_user, max_item;
	char *names;
};

/* Raw events as scanned, before the sort. */
struct raw_events {
	int64_t n, cap;
	int32_t *user, *item;		/* store ids */
	float *value;
	int64_t *ts;
	uint8_t *beh;
};

static void
raw_events_free(struct raw_events *r)
{
	free(r->user);
	free(r->item);
	free(r->value);
	free(r->ts);
	free(r->beh);
	memset(r, 0, sizeof *r);
}

static int
raw_events_reserve(struct raw_events *r, int64_t cap)
{
	void *p;

	if (cap <= r->cap)
		return 0;
#define GROW(f) do { \
	if ((p = realloc(r->f, (size_t)cap * sizeof *r->f)) == NULL) \
		return -1; \
	r->f = p; \
} while (0)
	GROW(user);
	GROW(item);
	GROW(value);
	GROW(ts);
	GROW(beh);
#undef GROW
	r->cap = cap;
	return 0;
}

static uint32_t
hash_str(const char *s)
{
	uint64_t h = rf_fnv1a(RF_FNV_SEED, s, strlen(s));

	return (uint32_t)(h ^ (h >> 32));
}

/* Build an open-addressing table over n strings; returns the slots. */
static int32_t *
id_hash_build(char *const *ids, int n, uint32_t *mask)
{
	uint32_t size = 16;
	int32_t *slots;

	while (size < (uint32_t)n * 2u)
		size *= 2;
	if ((slots = malloc(size * sizeof *slots)) == NULL)
		return NULL;
	memset(slots, 0xff, size * sizeof *slots);
	*mask = size - 1;
	for (int k = 0; k < n; k++) {
		uint32_t h = hash_str(ids[k]) & *mask;

		while (slots[h] >= 0)
			h = (h + 1) & *mask;
		slots[h] = k;
	}
	return slots;
}

static int
id_hash_find(const int32_t *slots, uint32_t mask, char *const *ids,
    const char *id)
{
	uint32_t h = hash_str(id) & mask;

	while (slots[h] >= 0) {
		if (strcmp(ids[slots[h]], id) == 0)
			return slots[h];
		h = (h + 1) & mask;
	}
	return -1;
}

static int
linear_find(char *const *ids, int n, const char *id)
{
	if (ids == NULL)
		return -1;
	for (int k = 0; k < n; k++)
		if (ids[k] && strcmp(ids[k], id) == 0)
			return k;
	return -1;
}

/* The table of ids, built the first time an id is looked up (most
 * commands never do: at 100 M events the tables are 72 MB); one thread
 * builds it, the others wait.  NULL when out of memory (the caller then
 * searches the ids one by one). */
static pthread_mutex_t slots_mu = PTHREAD_MUTEX_INITIALIZER;

static const int32_t *
id_slots(char *const *ids, int n, int32_t **slots, uint32_t *mask)
{
	int32_t *s = __atomic_load_n(slots, __ATOMIC_ACQUIRE);

	if (s != NULL)
		return s;
	pthread_mutex_lock(&slots_mu);
	if ((s = *slots) == NULL && (s = id_hash_build(ids, n, mask)) != NULL)
		__atomic_store_n(slots, s, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&slots_mu);
	return s;
}

int
dataset_user_index(const dataset *ds, const char *ext_id)
{
	struct dataset_priv *p = ds->priv;
	const int32_t *slots;

	if (ext_id == NULL || ds->user_ext == NULL)
		return -1;
	if (p == NULL || (slots = id_slots(ds->user_ext, ds->n_users,
	    &p->user_slots, &p->user_mask)) == NULL)
		return linear_find(ds->user_ext, ds->n_users, ext_id);
	return id_hash_find(slots, p->user_mask, ds->user_ext, ext_id);
}

int
dataset_item_index(const dataset *ds, const char *ext_id)
{
	struct dataset_priv *p = ds->priv;
	const int32_t *slots;

	if (ext_id == NULL || ds->item_ext == NULL)
		return -1;
	if (p == NULL || (slots = id_slots(ds->item_ext, ds->n_items,
	    &p->item_slots, &p->item_mask)) == NULL)
		return linear_find(ds->item_ext, ds->n_items, ext_id);
	return id_hash_find(slots, p->item_mask, ds->item_ext, ext_id);
}

/* A store error as the dataset's: "dataset: reading events: ...". */
static int
scan_fail(rf_error *err, const rf_error *why)
{
	return rf_fail(err, "dataset: %s", why->msg);
}

static int
scan_events(store *st, struct raw_events *r, int32_t max_user,
    int32_t max_item, int64_t hint, rf_error *err)
{
	store_scan *sc;
	store_event ev;
	rf_error why;
	int rc;

	if (raw_events_reserve(r, hint > 0 ? hint : 1024) < 0)
		return rf_fail(err, "dataset: out of memory");
	if ((sc = store_scan_events(st, &why)) == NULL)
		return scan_fail(err, &why);
	while ((rc = store_scan_next_event(sc, &ev, &why)) > 0) {
		int64_t u = ev.user_id;
		int64_t i = ev.item_id;
		int b = ev.behavior;

		if (u < 1 || u > max_user || i < 1 || i > max_item ||
		    b < 0 || b >= BEH_COUNT)
			continue;	/* dangling row: ignore it */
		if (r->n == r->cap && raw_events_reserve(r, r->cap * 2) < 0) {
			store_scan_close(sc);
			return rf_fail(err, "dataset: out of memory");
		}
		r->user[r->n] = (int32_t)u;
		r->item[r->n] = (int32_t)i;
		r->beh[r->n] = (uint8_t)b;
		r->value[r->n] = (float)ev.value;
		r->ts[r->n] = ev.ts;
		r->n++;
	}
	store_scan_close(sc);
	if (rc < 0)
		return scan_fail(err, &why);
	return 0;
}

/* Offsets into the string storage, fixed up into pointers at the end. */
static int
strings_add(rf_buf *b, const unsigned char *s, size_t *off)
{
	*off = b->len;
	return rf_buf_append(b, s ? (const char *)s : "",
	    (s ? strlen((const char *)s) : 0) + 1);
}

/* What read_ids() reads: the names (users' and items' ext ids, titles),
 * the items' categories. */
enum { IDS_NAMES = 1, IDS_CATEGORIES = 2 };

/* Read users/items rows for the ids that have events; category names get
 * indices in order of first appearance over the dense item order. */
static int
read_ids(store *st, int what, const int32_t *user_dense, int32_t max_user,
    const int32_t *item_dense, int32_t max_item, rf_buf *strings,
    rf_buf *cats, size_t *user_off, size_t *item_off, size_t *title_off,
    size_t *cat_off, rf_error *err)
{
	store_scan *sc;
	store_entity e;
	rf_error why;
	int rc;

	if (!(what & IDS_NAMES))
		goto items;
	if ((sc = store_scan_users(st, &why)) == NULL)
		return scan_fail(err, &why);
	while ((rc = store_scan_next_entity(sc, &e, &why)) > 0) {
		int64_t id = e.id;
		int u;

		if (id < 1 || id > max_user || (u = user_dense[id]) < 0)
			continue;
		if (strings_add(strings, (const unsigned char *)e.ext_id,
		    &user_off[u]) < 0) {
			store_scan_close(sc);
			return rf_fail(err, "dataset: out of memory");
		}
	}
	store_scan_close(sc);
	if (rc < 0)
		return scan_fail(err, &why);
items:
	if ((sc = store_scan_items(st, &why)) == NULL)
		return scan_fail(err, &why);
	while ((rc = store_scan_next_entity(sc, &e, &why)) > 0) {
		int64_t id = e.id;
		const unsigned char *title, *cat;
		int i;

		if (id < 1 || id > max_item || (i = item_dense[id]) < 0)
			continue;
		title = (const unsigned char *)e.title;
		cat = (const unsigned char *)e.category;
		if (((what & IDS_NAMES) && (strings_add(strings,
		    (const unsigned char *)e.ext_id, &item_off[i]) < 0 ||
		    (title && strings_add(strings, title, &title_off[i]) < 0))) ||
		    ((what & IDS_CATEGORIES) && cat && *cat &&
		    strings_add(cats, cat, &cat_off[i]) < 0)) {
			store_scan_close(sc);
			return rf_fail(err, "dataset: out of memory");
		}
	}
	store_scan_close(sc);
	if (rc < 0)
		return scan_fail(err, &why);
	return 0;
}

/* The strings read, cut to their length (a buffer that doubled holds up
 * to twice them): the storage the names point into. */
static char *
strings_keep(rf_buf *b)
{
	char *p = b->len ? realloc(b->data, b->len) : NULL;

	if (p == NULL) {
		p = (char *)b->data;
		if (p == NULL && (p = malloc(1)) != NULL)
			*p = '\0';
	}
	b->data = NULL;
	b->len = b->cap = 0;
	return p;
}

/* The ids of n without a name read (off SIZE_MAX) named by their store
 * id.  -1 when out of memory. */
static int
name_by_dbid(rf_buf *strings, size_t *off, const int32_t *dbid, int n)
{
	for (int k = 0; k < n; k++) {
		char tmp[32];

		if (off[k] == SIZE_MAX) {
			snprintf(tmp, sizeof tmp, "%ld", (long)dbid[k]);
			if (strings_add(strings, (const unsigned char *)tmp,
			    &off[k]) < 0)
				return -1;
		}
	}
	return 0;
}

/* Every user and item named: the names read (offsets into storage), an
 * id without a row named by its store id.  The name tables are made
 * here; titles only when some item has one.  -1 when out of memory. */
static int
name_all(dataset *ds, rf_buf *strings, char **storage, size_t *user_off,
    size_t *item_off, size_t *title_off, const int32_t *user_dbid,
    const int32_t *item_dbid)
{
	int titled = 0;

	if (name_by_dbid(strings, user_off, user_dbid, ds->n_users) < 0 ||
	    name_by_dbid(strings, item_off, item_dbid, ds->n_items) < 0)
		return -1;
	for (int i = 0; i < ds->n_items; i++)
		titled |= title_off[i] != SIZE_MAX;
	if ((ds->user_ext = calloc((size_t)ds->n_users + 1,
	    sizeof *ds->user_ext)) == NULL ||
	    (ds->item_ext = calloc((size_t)ds->n_items + 1,
	    sizeof *ds->item_ext)) == NULL ||
	    (titled && (ds->item_title = calloc((size_t)ds->n_items + 1,
	    sizeof *ds->item_title)) == NULL) ||
	    (*storage = strings_keep(strings)) == NULL) {
		free(ds->user_ext);
		free(ds->item_ext);
		free(ds->item_title);
		ds->user_ext = ds->item_ext = ds->item_title = NULL;
		return -1;
	}
	for (int u = 0; u < ds->n_users; u++)
		ds->user_ext[u] = *storage + user_off[u];
	for (int i = 0; i < ds->n_items; i++) {
		ds->item_ext[i] = *storage + item_off[i];
		if (titled && title_off[i] != SIZE_MAX)
			ds->item_title[i] = *storage + title_off[i];
	}
	return 0;
}

/* Category indices by first appearance in dense item order; cat[i] is the
 * item's category string or NULL. */
static int
build_categories(dataset *ds, char **cat)
{
	int32_t *slots;
	uint32_t size = 16, mask;

	while (size < (uint32_t)ds->n_items * 2u)
		size *= 2;
	mask = size - 1;
	if ((slots = malloc(size * sizeof *slots)) == NULL)
		return -1;
	memset(slots, 0xff, size * sizeof *slots);
	ds->n_categories = 0;
	for (int i = 0; i < ds->n_items; i++) {
		uint32_t h;

		ds->item_category[i] = -1;
		if (cat[i] == NULL)
			continue;
		h = hash_str(cat[i]) & mask;
		while (slots[h] >= 0 &&
		    strcmp(ds->category_name[slots[h]], cat[i]) != 0)
			h = (h + 1) & mask;
		if (slots[h] < 0) {
			slots[h] = ds->n_categories;
			ds->category_name[ds->n_categories++] = cat[i];
		}
		ds->item_category[i] = slots[h];
	}
	free(slots);
	return 0;
}

/* The category names met, each once in storage of their own (the
 * items' copies, one per item, go: at 4 M items 20 MB), the table cut to
 * their count.  -1 when out of memory. */
static int
keep_categories(dataset *ds, struct dataset_priv *priv)
{
	size_t len = 1, at = 0;
	char **names;

	for (int c = 0; c < ds->n_categories; c++)
		len += strlen(ds->category_name[c]) + 1;
	if ((priv->categories = malloc(len)) == NULL)
		return -1;
	for (int c = 0; c < ds->n_categories; c++) {
		size_t n = strlen(ds->category_name[c]) + 1;

		memcpy(priv->categories + at, ds->category_name[c], n);
		ds->category_name[c] = priv->categories + at;
		at += n;
	}
	priv->categories[at] = '\0';
	/* sized for every item to have its own, cut to those met */
	if ((names = realloc(ds->category_name, ((size_t)ds->n_categories +
	    1) * sizeof *names)) != NULL)
		ds->category_name = names;
	return 0;
}

/* The data's times as offsets from the earliest when their span fits 32
 * bits (at 100 M events 400 MB, not 800); kept as they are otherwise, or
 * when memory is short. */
static void
compact_times(interactions *m)
{
	int64_t lo = INT64_MAX, hi = INT64_MIN;

	if (m->ts == NULL || m->nnz == 0)
		return;
	for (int64_t k = 0; k < m->nnz; k++) {
		if (m->ts[k] < lo)
			lo = m->ts[k];
		if (m->ts[k] > hi)
			hi = m->ts[k];
	}
	if ((uint64_t)hi - (uint64_t)lo > UINT32_MAX ||
	    (m->ts32 = malloc((size_t)m->nnz * sizeof *m->ts32)) == NULL)
		return;
	for (int64_t k = 0; k < m->nnz; k++)
		m->ts32[k] = (uint32_t)((uint64_t)m->ts[k] - (uint64_t)lo);
	m->ts_base = lo;
	free(m->ts);
	m->ts = NULL;
}

/*
 * Per-user features (dataset.h enum user_feature) from the raw events of
 * each user (rows of the counting sort) and the folded CSR row.
 */
static void
build_user_features(dataset *ds, const int64_t *raw_ptr, const int64_t *order,
    const struct raw_events *r, double global_mean)
{
	const interactions *m = &ds->all;
	double span = (double)(ds->ts_max - ds->ts_min);

	for (int u = 0; u < ds->n_users; u++) {
		float *f = ds->user_features + (size_t)u * UF_COUNT;
		int64_t count[BEH_COUNT] = { 0 }, last = INT64_MIN;
		int64_t nitems = m->ptr[u + 1] - m->ptr[u], bought = 0;
		double sum = 0;

		for (int64_t k = raw_ptr[u]; k < raw_ptr[u + 1]; k++) {
			int64_t e = order[k];

			count[r->beh[e]]++;
			if (r->ts[e] > last)
				last = r->ts[e];
		}
		for (int64_t k = m->ptr[u]; k < m->ptr[u + 1]; k++) {
			if (m->beh[k] & (1u << BEH_BUY))
				bought++;
			sum += m->val[k];
		}
		f[UF_LOG_EVENTS] = (float)log1p((double)(raw_ptr[u + 1] -
		    raw_ptr[u]));
		f[UF_LOG_VIEWS] = (float)log1p((double)count[BEH_PV]);
		f[UF_LOG_FAVS] = (float)log1p((double)count[BEH_FAV]);
		f[UF_LOG_CARTS] = (float)log1p((double)count[BEH_CART]);
		f[UF_LOG_BUYS] = (float)log1p((double)count[BEH_BUY]);
		/* Share of the user's distinct items that were bought. */
		f[UF_BUY_RATE] = nitems ? (float)bought / (float)nitems : 0;
		f[UF_RECENCY] = span > 0 ?
		    (float)((double)(ds->ts_max - last) / span) : 0;
		f[UF_MEAN_RATING] = ds->is_rating && nitems ?
		    (float)(sum / (double)nitems - global_mean) : 0;
	}
}

/*
 * Fold the events of each user (in scan order) into one entry per item.
 * keys has one slot per raw event.  Rating data keeps the last rating by
 * time (ties: the later scanned); other data sums the values.  The first
 * call (m == NULL) sorts the keys and counts; the second fills m.
 */
static int64_t
fold_rows(int n_users, const int64_t *raw_ptr, const int64_t *order,
    const struct raw_events *r, const int32_t *item_dense, int is_rating,
    uint64_t *keys, interactions *m)
{
	int64_t nnz = 0;

	for (int u = 0; u < n_users; u++) {
		int64_t lo = raw_ptr[u], n = raw_ptr[u + 1] - lo;

		if (m)
			m->ptr[u] = nnz;
		/* key = dense item << 32 | position in the user's scan
		 * order; sorted by the counting pass, reused by the fill. */
		if (m == NULL) {
			for (int64_t k = 0; k < n; k++)
				keys[lo + k] = (uint64_t)(uint32_t)item_dense[
				    r->item[order[lo + k]]] << 32 | (uint64_t)k;
			rf_sort_u64(keys + lo, n);
		}
		for (int64_t k = 0; k < n; ) {
			int32_t item = (int32_t)(keys[lo + k] >> 32);
			int64_t e = order[lo + (int64_t)(keys[lo + k] &
			    0xffffffffu)];
			int64_t last_ts = r->ts[e];
			double sum = r->value[e];
			float rating = r->value[e];
			uint8_t beh = (uint8_t)(1u << r->beh[e]);

			for (k++; k < n && (int32_t)(keys[lo + k] >> 32) ==
			    item; k++) {
				e = order[lo + (int64_t)(keys[lo + k] &
				    0xffffffffu)];
				sum += r->value[e];
				beh |= (uint8_t)(1u << r->beh[e]);
				if (r->ts[e] >= last_ts) {
					last_ts = r->ts[e];
					rating = r->value[e];
				}
			}
			if (m) {
				m->idx[nnz] = item;
				m->val[nnz] = is_rating ? rating : (float)sum;
				m->ts[nnz] = last_ts;
				m->beh[nnz] = beh;
			}
			nnz++;
		}
	}
	if (m)
		m->ptr[n_users] = nnz;
	return nnz;
}

/* A bit per store id 0..max: set for the ids with a dense index. */
static uint64_t *
ids_had(const int32_t *dense, int32_t max)
{
	uint64_t *b = calloc((size_t)max / 64 + 1, sizeof *b);

	if (b != NULL)
		for (int32_t id = 0; id <= max; id++)
			if (dense[id] >= 0)
				b[id / 64] |= 1ull << (id % 64);
	return b;
}

/* Back from the bits: each store id's dense index (-1 without), each
 * dense index's store id. */
static void
ids_ranked(const uint64_t *has, int32_t max, int32_t *dense, int32_t *dbid)
{
	int32_t n = 0;

	for (int32_t id = 0; id <= max; id++)
		if (has[id / 64] >> (id % 64) & 1) {
			dense[id] = n;
			dbid[n++] = id;
		} else
			dense[id] = -1;
}

static dataset *
build(store *st, int lean, rf_error *err)
{
	struct raw_events r = { 0 };
	store_extent ext;
	rf_error why;
	struct dataset_priv *priv = NULL;
	dataset *ds = NULL;
	int32_t max_user, max_item, *user_dense = NULL, *item_dense = NULL;
	int64_t *raw_ptr = NULL, *order = NULL, nnz;
	uint64_t *keys = NULL;
	size_t *user_off = NULL, *item_off = NULL, *title_off = NULL,
	    *cat_off = NULL;
	/* the store's ids, for the names of ids without a row (the build's
	 * alone: at 4 M items 34 MB) */
	int32_t *user_dbid = NULL, *item_dbid = NULL;
	char **cat = NULL;
	rf_buf strings = { 0 }, cats = { 0 };
	double mean = 0;
	int n_users = 0, n_items = 0;

	if (store_scan_extent(st, &ext, &why) < 0) {
		scan_fail(err, &why);
		return NULL;
	}
	max_user = (int32_t)ext.max_user_id;
	max_item = (int32_t)ext.max_item_id;
	if (max_user < 0 || max_item < 0) {
		rf_fail(err, "dataset: reading users and items: ids out of "
		    "range");
		return NULL;
	}
	if (scan_events(st, &r, max_user, max_item, ext.max_event_rowid,
	    err) < 0)
		goto fail;
	if (r.n >= (int64_t)1 << 32) {
		rf_fail(err, "dataset: too many events (%lld)", (long long)r.n);
		goto fail;
	}
	if ((ds = calloc(1, sizeof *ds)) == NULL ||
	    (priv = calloc(1, sizeof *priv)) == NULL ||
	    (user_dense = calloc((size_t)max_user + 1, sizeof *user_dense)) ==
	    NULL ||
	    (item_dense = calloc((size_t)max_item + 1, sizeof *item_dense)) ==
	    NULL)
		goto oom;
	ds->priv = priv;

	/* Dense indices: ids with events, in store id order. */
	for (int64_t e = 0; e < r.n; e++) {
		user_dense[r.user[e]] = 1;
		item_dense[r.item[e]] = 1;
	}
	for (int32_t id = 0; id <= max_user; id++)
		user_dense[id] = user_dense[id] ? n_users++ : -1;
	for (int32_t id = 0; id <= max_item; id++)
		item_dense[id] = item_dense[id] ? n_items++ : -1;
	ds->n_users = n_users;
	ds->n_items = n_items;

	/* Stable counting sort of the events by dense user. */
	if ((raw_ptr = calloc((size_t)n_users + 1, sizeof *raw_ptr)) == NULL ||
	    (order = malloc((size_t)(r.n ? r.n : 1) * sizeof *order)) == NULL ||
	    (keys = malloc((size_t)(r.n ? r.n : 1) * sizeof *keys)) == NULL)
		goto oom;
	for (int64_t e = 0; e < r.n; e++)
		raw_ptr[user_dense[r.user[e]] + 1]++;
	for (int u = 0; u < n_users; u++)
		raw_ptr[u + 1] += raw_ptr[u];
	{
		int64_t *next = malloc(((size_t)n_users + 1) * sizeof *next);

		if (next == NULL)
			goto oom;
		memcpy(next, raw_ptr, ((size_t)n_users + 1) * sizeof *next);
		for (int64_t e = 0; e < r.n; e++)
			order[next[user_dense[r.user[e]]]++] = e;
		free(next);
	}

	ds->is_rating = r.n > 0;
	ds->ts_min = INT64_MAX;
	ds->ts_max = INT64_MIN;
	for (int64_t e = 0; e < r.n; e++) {
		if (r.beh[e] != BEH_RATING)
			ds->is_rating = 0;
		if (r.ts[e] < ds->ts_min)
			ds->ts_min = r.ts[e];
		if (r.ts[e] > ds->ts_max)
			ds->ts_max = r.ts[e];
	}
	if (r.n == 0)
		ds->ts_min = ds->ts_max = 0;

	nnz = fold_rows(n_users, raw_ptr, order, &r, item_dense,
	    ds->is_rating, keys, NULL);
	if (interactions_alloc(&ds->all, n_users, n_items, nnz) < 0)
		goto oom;
	fold_rows(n_users, raw_ptr, order, &r, item_dense, ds->is_rating,
	    keys, &ds->all);
	free(keys);
	keys = NULL;
	/* No transpose of the whole log: nothing trains on it (the parts
	 * have their own), and at 100 M events it would be 800 MB. */

	ds->rating_min = ds->rating_max = 0;
	for (int64_t k = 0; k < nnz; k++) {
		double v = ds->all.val[k];

		if (k == 0 || v < ds->rating_min)
			ds->rating_min = v;
		if (k == 0 || v > ds->rating_max)
			ds->rating_max = v;
		mean += v;
	}
	if (nnz > 0)
		mean /= (double)nnz;

	/* Ids, titles, categories (a lean build: categories alone, with
	 * none of the names' tables while the raw events are held). */
	if ((!lean && ((user_dbid = malloc(((size_t)n_users + 1) * sizeof
	    *user_dbid)) == NULL ||
	    (item_dbid = malloc(((size_t)n_items + 1) * sizeof
	    *item_dbid)) == NULL ||
	    (user_off = malloc(((size_t)n_users + 1) * sizeof *user_off)) ==
	    NULL ||
	    (item_off = malloc(((size_t)n_items + 1) * sizeof *item_off)) ==
	    NULL ||
	    (title_off = malloc(((size_t)n_items + 1) * sizeof *title_off)) ==
	    NULL)) ||
	    (ds->item_category = malloc(((size_t)n_items + 1) *
	    sizeof *ds->item_category)) == NULL ||
	    (ds->category_name = calloc((size_t)n_items + 1,
	    sizeof *ds->category_name)) == NULL ||
	    (ds->user_features = calloc((size_t)n_users * UF_COUNT + 1,
	    sizeof *ds->user_features)) == NULL ||
	    (cat_off = malloc(((size_t)n_items + 1) * sizeof *cat_off)) ==
	    NULL ||
	    (cat = calloc((size_t)n_items + 1, sizeof *cat)) == NULL)
		goto oom;
	for (int32_t id = 1; !lean && id <= max_user; id++)
		if (user_dense[id] >= 0)
			user_dbid[user_dense[id]] = id;
	for (int32_t id = 1; !lean && id <= max_item; id++)
		if (item_dense[id] >= 0)
			item_dbid[item_dense[id]] = id;
	for (int u = 0; !lean && u < n_users; u++)
		user_off[u] = SIZE_MAX;
	for (int i = 0; i < n_items; i++) {
		cat_off[i] = SIZE_MAX;
		if (!lean)
			item_off[i] = title_off[i] = SIZE_MAX;
	}
	if (read_ids(st, IDS_CATEGORIES | (lean ? 0 : IDS_NAMES), user_dense,
	    max_user, item_dense, max_item, &strings, &cats, user_off,
	    item_off, title_off, cat_off, err) < 0)
		goto fail;
	if (lean) {
		/* the names come later, read by these ids */
		priv->max_user = max_user;
		priv->max_item = max_item;
		if ((priv->user_has = ids_had(user_dense, max_user)) == NULL ||
		    (priv->item_has = ids_had(item_dense, max_item)) == NULL)
			goto oom;
	} else if (name_all(ds, &strings, &priv->strings, user_off, item_off,
	    title_off, user_dbid, item_dbid) < 0)
		goto oom;
	for (int i = 0; i < n_items; i++)
		if (cat_off[i] != SIZE_MAX)
			cat[i] = (char *)cats.data + cat_off[i];
	/* The id tables come with the first lookup (id_slots()). */
	if (build_categories(ds, cat) < 0 || keep_categories(ds, priv) < 0)
		goto oom;
	rf_buf_free(&cats);

	build_user_features(ds, raw_ptr, order, &r, mean);
	compact_times(&ds->all);

	free(user_off);
	free(item_off);
	free(title_off);
	free(cat_off);
	free(cat);
	free(user_dbid);
	free(item_dbid);
	free(raw_ptr);
	free(order);
	free(user_dense);
	free(item_dense);
	raw_events_free(&r);
	store_release_memory(st);
	return ds;
oom:
	rf_fail(err, "dataset: out of memory");
fail:
	rf_buf_free(&strings);
	rf_buf_free(&cats);
	free(user_off);
	free(item_off);
	free(title_off);
	free(cat_off);
	free(cat);
	free(user_dbid);
	free(item_dbid);
	free(raw_ptr);
	free(order);
	free(keys);
	free(user_dense);
	free(item_dense);
	raw_events_free(&r);
	dataset_free(ds);
	return NULL;
}

dataset *
dataset_build(store *st, rf_error *err)
{
	return build(st, 0, err);
}

dataset *
dataset_build_lean(store *st, rf_error *err)
{
	return build(st, 1, err);
}

int
dataset_has_names(const dataset *ds)
{
	return ds->user_ext != NULL;
}

int
dataset_load_names(dataset *ds, store *st, rf_error *err)
{
	struct dataset_priv *p = ds->priv;
	int32_t max_user, max_item, *user_dense = NULL, *item_dense = NULL;
	int32_t *user_dbid = NULL, *item_dbid = NULL;
	size_t *user_off = NULL, *item_off = NULL, *title_off = NULL;
	rf_buf strings = { 0 };
	int rc = -1;

	if (ds->user_ext != NULL)
		return 0;
	if (p == NULL || p->user_has == NULL || p->item_has == NULL)
		return rf_fail(err, "dataset: no names and no ids to read "
		    "them by");
	max_user = p->max_user;
	max_item = p->max_item;
	if ((user_dense = malloc(((size_t)max_user + 1) *
	    sizeof *user_dense)) == NULL ||
	    (item_dense = malloc(((size_t)max_item + 1) *
	    sizeof *item_dense)) == NULL ||
	    (user_dbid = malloc(((size_t)ds->n_users + 1) *
	    sizeof *user_dbid)) == NULL ||
	    (item_dbid = malloc(((size_t)ds->n_items + 1) *
	    sizeof *item_dbid)) == NULL ||
	    (user_off = malloc(((size_t)ds->n_users + 1) *
	    sizeof *user_off)) == NULL ||
	    (item_off = malloc(((size_t)ds->n_items + 1) *
	    sizeof *item_off)) == NULL ||
	    (title_off = malloc(((size_t)ds->n_items + 1) *
	    sizeof *title_off)) == NULL) {
		rf_fail(err, "dataset: out of memory for the ids");
		goto out;
	}
	ids_ranked(p->user_has, max_user, user_dense, user_dbid);
	ids_ranked(p->item_has, max_item, item_dense, item_dbid);
	for (int u = 0; u < ds->n_users; u++)
		user_off[u] = SIZE_MAX;
	for (int i = 0; i < ds->n_items; i++)
		item_off[i] = title_off[i] = SIZE_MAX;
	if (read_ids(st, IDS_NAMES, user_dense, max_user, item_dense,
	    max_item, &strings, NULL, user_off, item_off, title_off, NULL,
	    err) < 0)
		goto out;
	if (name_all(ds, &strings, &p->names, user_off, item_off, title_off,
	    user_dbid, item_dbid) < 0) {
		rf_fail(err, "dataset: out of memory for the ids");
		goto out;
	}
	free(p->user_has);
	free(p->item_has);
	p->user_has = p->item_has = NULL;
	rc = 0;
	store_release_memory(st);
out:
	rf_buf_free(&strings);
	free(user_dense);
	free(item_dense);
	free(user_dbid);
	free(item_dbid);
	free(user_off);
	free(item_off);
	free(title_off);
	return rc;
}

void
dataset_free(dataset *ds)
{
	struct dataset_priv *p;

	if (ds == NULL)
		return;
	p = ds->priv;
	interactions_free(&ds->all);
	free(ds->user_ext);
	free(ds->item_ext);
	free(ds->item_title);
	free(ds->item_category);
	free(ds->category_name);
	free(ds->user_features);
	if (p) {
		free(p->strings);
		free(p->categories);
		free(p->names);
		free(p->user_has);
		free(p->item_has);
		free(p->user_slots);
		free(p->item_slots);
		free(p);
	}
	free(ds);
}

int64_t
interactions_find(const interactions *m, int u, int item)
{
	int64_t lo = m->ptr[u];
	int64_t at = rf_find_i32(m->idx + lo, m->ptr[u + 1] - lo, item);

	return at >= 0 ? lo + at : -1;
}

int
interactions_contains(const interactions *m, int u, int item)
{
	return interactions_find(m, u, item) >= 0;
}

int
dataset_row_times(const dataset *ds, const interactions *part, int u,
    int64_t *ts, uint8_t *beh)
{
	int64_t lo = part->ptr[u], hi = part->ptr[u + 1], k, end;
	const interactions *all;

	if (part->ts != NULL && part->beh != NULL) {
		if (ts)
			memcpy(ts, part->ts + lo, (size_t)(hi - lo) * sizeof *ts);
		if (beh)
			memcpy(beh, part->beh + lo, (size_t)(hi - lo));
		return 1;
	}
	if (ds == NULL || !interactions_timed(&ds->all) || ds->all.beh == NULL ||
	    u >= ds->all.n_users)
		return 0;
	all = &ds->all;
	/* Both rows ascend: one walk of all's row. */
	k = all->ptr[u];
	end = all->ptr[u + 1];
	for (int64_t p = lo; p < hi; p++) {
		while (k < end && all->idx[k] < part->idx[p])
			k++;
		if (k == end || all->idx[k] != part->idx[p])
			return 0;	/* not a part of these data */
		if (ts)
			ts[p - lo] = interactions_time(all, k);
		if (beh)
			beh[p - lo] = all->beh[k];
	}
	return 1;
}

void
dataset_user_summary(const dataset *ds, int u, char *buf, size_t n)
{
	static const int feat[][2] = { { BEH_PV, UF_LOG_VIEWS },
	    { BEH_FAV, UF_LOG_FAVS }, { BEH_CART, UF_LOG_CARTS },
	    { BEH_BUY, UF_LOG_BUYS } };
	const float *uf = ds->user_features != NULL ?
	    ds->user_features + (size_t)u * UF_COUNT : NULL;
	int64_t items = ds->all.ptr[u + 1] - ds->all.ptr[u];
	size_t used = 0;
	int listed = 0;

	if (n == 0)
		return;
	buf[0] = '\0';
	/* The features hold log(1 + count): counts come back exactly
	 * enough to be rounded. */
	if (uf != NULL) {
		used += (size_t)snprintf(buf, n, "%.0f events",
		    expm1((double)uf[UF_LOG_EVENTS]));
		for (size_t b = 0; b < sizeof feat / sizeof feat[0] &&
		    used < n; b++) {
			double c = expm1((double)uf[feat[b][1]]);

			if (c < 0.5 || store_behavior_name(feat[b][0]) == NULL)
				continue;
			used += (size_t)snprintf(buf + used, n - used,
			    "%s%.0f %s", listed++ ? ", " : " (", c,
			    store_behavior_name(feat[b][0]));
		}
		if (listed && used < n)
			used += (size_t)snprintf(buf + used, n - used, ")");
		if (used < n)
			used += (size_t)snprintf(buf + used, n - used, " on ");
	}
	if (used < n)
		snprintf(buf + used, n - used, "%lld item%s", (long long)items,
		    items == 1 ? "" : "s");
}
