/* external: imported factor models and score lists (see external.h).
 *
 * A factor model keeps its factors as ALS does (engine/models/als.c):
 * float rows with a stride rounded up to 8, zero past the factor count,
 * scored by one sgemv of Y by x_u; so the factors of an ALS model written
 * out and read back score exactly as the model did.
 *
 * Its explanation names history items: the user's vector written over
 * the vectors of the items in their history, x_u ~ sum_h a_h y_h, by the
 * ridge fit a = argmin |x_u - Y_H^T a|^2 + lambda |a|^2, which the
 * push-through identity turns into a k x k solve:
 *   a_h = y_h . z,   (Y_H^T Y_H + lambda I) z = x_u,
 * so that score(u, i) = x_u . y_i ~ sum_h a_h (y_h . y_i): history item h
 * adds a_h (y_h . y_i) (weight a_h).  The terms sum to x_u . y_i -
 * lambda z . y_i exactly.  lambda is the mean diagonal of Y_H^T Y_H: with
 * a long history in few dimensions a near-exact projection writes x_u as
 * large terms of both signs that cancel (on ml-100k, 16 factors, a user
 * of 39 items: lambda at 1e-3 of it gives terms of +0.86 and -2.2 in all
 * for a score of 0.52); at the mean diagonal the terms are small and
 * nearly all positive and still sum to within a few percent of the score
 * (0.54 there).  (For an ALS model HKV 2008's section 5 decomposes the
 * score with the confidences: engine/models/als.c.  Here the fit that
 * made x_u is unknown, so the shrunken projection.)
 *
 * Blobs keep rows by external id (the dataset's, at save time), so a
 * model comes back whatever dense indices a later snapshot gives:
 *   factors: "RFXFAC01", uint32 k, then for users and for items: uint32
 *            rows, each uint32 id length, the id, k floats;
 *   scores:  "RFXSCO01", uint32 items, each id; uint32 users, each id,
 *            uint32 count, count x (uint32 item number, float score).
 */
#include "engine/models/external.h"

#include <cblas.h>
#include <lapacke.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/ingest/factors.h"
#include "engine/ingest/scores.h"
#include "engine/models/als.h"
#include "engine/models/blob.h"

#define EXT_BLOCK	8
#define EXT_MAX_ID	4096

static const char factors_magic[8] = "RFXFAC01";
static const char scores_magic[8] = "RFXSCO01";

typedef struct factors_model {
	model base;
	int nu, ni, k, stride;
	float *X, *Y;			/* (nu x stride), (ni x stride) */
	uint8_t *has_user, *has_item;	/* (nu), (ni) */
	int32_t *no_row;		/* items without a row (scored -inf) */
	int n_no_row;
} factors_model;

typedef struct scores_model {
	model base;
	int nu, ni;
	int64_t *ptr;			/* (nu + 1) */
	int32_t *idx;			/* items, ascending per user */
	float *val;
} scores_model;

static model *external_load(const dataset *ds, const interactions *train,
    const double *params, const void *data, size_t len, rf_error *err);

/* --- factor model ------------------------------------------------------- */

static void
factors_free(model *m)
{
	factors_model *fm = (factors_model *)m;

	if (fm == NULL)
		return;
	free(fm->X);
	free(fm->Y);
	free(fm->has_user);
	free(fm->has_item);
	free(fm->no_row);
	model_free_header(&fm->base);
	free(fm);
}

/* An empty factor model of k factors over the dataset. */
static factors_model *
factors_alloc(const dataset *ds, const interactions *train, int k,
    rf_error *err)
{
	factors_model *fm = calloc(1, sizeof *fm);

	if (fm == NULL) {
		rf_fail(err, "out of memory");
		return NULL;
	}
	if (model_init_header(&fm->base, &model_external_factors_ops, ds,
	    train, NULL, 0, err) < 0) {
		free(fm);
		return NULL;
	}
	fm->nu = ds->n_users;
	fm->ni = ds->n_items;
	fm->k = k;
	fm->stride = (k + EXT_BLOCK - 1) / EXT_BLOCK * EXT_BLOCK;
	fm->X = calloc(((size_t)fm->nu + 1) * (size_t)fm->stride,
	    sizeof *fm->X);
	fm->Y = calloc(((size_t)fm->ni + 1) * (size_t)fm->stride,
	    sizeof *fm->Y);
	fm->has_user = calloc((size_t)fm->nu + 1, 1);
	fm->has_item = calloc((size_t)fm->ni + 1, 1);
	if (fm->X == NULL || fm->Y == NULL || fm->has_user == NULL ||
	    fm->has_item == NULL) {
		rf_fail(err, "out of memory for %d x %d factors",
		    fm->nu + fm->ni, k);
		factors_free(&fm->base);
		return NULL;
	}
	return fm;
}

/* The items without a row, listed once for scoring. */
static int
factors_finish(factors_model *fm, external_report *rep, rf_error *err)
{
	int64_t users = 0;

	free(fm->no_row);
	fm->n_no_row = 0;
	if ((fm->no_row = malloc(((size_t)fm->ni + 1) *
	    sizeof *fm->no_row)) == NULL)
		return rf_fail(err, "out of memory");
	for (int i = 0; i < fm->ni; i++)
		if (!fm->has_item[i])
			fm->no_row[fm->n_no_row++] = i;
	for (int u = 0; u < fm->nu; u++)
		users += fm->has_user[u];
	if (rep != NULL) {
		rep->covered[0] = users;
		rep->covered[1] = fm->ni - fm->n_no_row;
	}
	return 0;
}

/* score(u, i) = x_u . y_i for every i: one sgemv, as ALS scores. */
static void
factors_score_user(const model *m, int u, float *out)
{
	const factors_model *fm = (const factors_model *)m;

	if (u < 0 || u >= fm->nu || !fm->has_user[u]) {
		for (int i = 0; i < fm->ni; i++)
			out[i] = -INFINITY;
		return;
	}
	cblas_sgemv(CblasRowMajor, CblasNoTrans, fm->ni, fm->stride, 1.0f,
	    fm->Y, fm->stride, fm->X + (size_t)u * fm->stride, 1, 0.0f, out,
	    1);
	for (int k = 0; k < fm->n_no_row; k++)
		out[fm->no_row[k]] = -INFINITY;
}

/* The same for a block of users and the items [lo, hi): one sgemm, then
 * -inf for the users and the items without a row. */
static void
factors_score_users(const model *m, const int32_t *users, int n, int lo,
    int hi, float *out)
{
	const factors_model *fm = (const factors_model *)m;
	const model_factor_tables ft = { fm->X, fm->Y, NULL, fm->nu,
	    fm->stride, fm->stride };
	int width = hi - lo, first = 0, last = fm->n_no_row;

	model_score_factor_block(&ft, users, n, lo, hi, out);
	/* no_row is ascending: its part in [lo, hi) starts at the first
	 * entry >= lo */
	while (first < last) {
		int mid = first + (last - first) / 2;

		if (fm->no_row[mid] < lo)
			first = mid + 1;
		else
			last = mid;
	}
	for (last = first; last < fm->n_no_row && fm->no_row[last] < hi;)
		last++;
	for (int j = 0; j < n; j++) {
		float *row = out + (size_t)j * width;
		int u = users[j];

		if (u < 0 || u >= fm->nu || !fm->has_user[u]) {
			for (int i = 0; i < width; i++)
				row[i] = -INFINITY;
			continue;
		}
		for (int x = first; x < last; x++)
			row[fm->no_row[x] - lo] = -INFINITY;
	}
}

/* The history items of u behind score(u, i): the ridge projection of the
 * top of the file.  weight = a_h, contribution = a_h (y_h . y_i). */
static int
factors_explain(const model *m, int u, int i, explain_term *terms, int max)
{
	const factors_model *fm = (const factors_model *)m;
	const interactions *tr = m->train;
	int k = fm->k, st = fm->stride, n = 0, rc = 0;
	double *G = NULL, *z = NULL, trace = 0;
	explain_term *all = NULL;
	int64_t lo, hi;

	if (u < 0 || u >= fm->nu || i < 0 || i >= fm->ni || max <= 0 ||
	    tr == NULL || !fm->has_user[u] || !fm->has_item[i])
		return 0;
	lo = tr->ptr[u];
	hi = tr->ptr[u + 1];
	G = calloc((size_t)k * k, sizeof *G);
	z = malloc((size_t)k * sizeof *z);
	all = malloc((size_t)(hi - lo + 1) * sizeof *all);
	if (G == NULL || z == NULL || all == NULL)
		goto out;
	/* G = Y_H^T Y_H (lower triangle) */
	for (int64_t q = lo; q < hi; q++) {
		const float *y = fm->Y + (size_t)tr->idx[q] * st;

		if (!fm->has_item[tr->idx[q]])
			continue;
		for (int a = 0; a < k; a++)
			for (int b = 0; b <= a; b++)
				G[(size_t)a * k + b] += (double)y[a] * y[b];
	}
	for (int a = 0; a < k; a++)
		trace += G[(size_t)a * k + a];
	if (trace <= 0)
		goto out;
	for (int a = 0; a < k; a++) {
		G[(size_t)a * k + a] += trace / k;
		z[a] = fm->X[(size_t)u * st + a];
	}
	if (LAPACKE_dpotrf(LAPACK_ROW_MAJOR, 'L', k, G, k) != 0 ||
	    LAPACKE_dpotrs(LAPACK_ROW_MAJOR, 'L', k, 1, G, k, z, 1) != 0)
		goto out;
	for (int64_t q = lo; q < hi; q++) {
		const float *y = fm->Y + (size_t)tr->idx[q] * st;
		const float *yi = fm->Y + (size_t)i * st;
		double a_h = 0, s = 0;

		if (!fm->has_item[tr->idx[q]])
			continue;
		for (int a = 0; a < k; a++) {
			a_h += z[a] * y[a];
			s += (double)y[a] * yi[a];
		}
		all[n].item = tr->idx[q];
		all[n].weight = a_h;
		all[n].contribution = a_h * s;
		n++;
	}
	rc = model_keep_top_terms(all, n, terms, max);
out:
	free(G);
	free(z);
	free(all);
	return rc;
}

/* Reading one table into the model's rows. */
struct factor_sink {
	factors_model **fm;
	const dataset *ds;
	const interactions *train;
	int side;		/* 0 users, 1 items */
	external_report *rep;
	rf_error *err;
};

static int
factor_row(void *ud, const char *id, const float *f, int k, rf_error *err)
{
	struct factor_sink *s = ud;
	factors_model *fm = *s->fm;
	uint8_t *has;
	float *row;
	int at;

	if (fm == NULL) {
		if ((fm = factors_alloc(s->ds, s->train, k, err)) == NULL)
			return -1;
		*s->fm = fm;
	} else if (k != fm->k)
		return rf_fail(err, "%d factors, the users have %d", k, fm->k);
	s->rep->rows[s->side]++;
	at = s->side == 0 ? dataset_user_index(s->ds, id) :
	    dataset_item_index(s->ds, id);
	if (at < 0) {
		if (s->rep->unknown[s->side]++ == 0)
			snprintf(s->rep->unknown_example[s->side],
			    sizeof s->rep->unknown_example[s->side], "%s", id);
		return 0;
	}
	has = s->side == 0 ? fm->has_user : fm->has_item;
	if (has[at])
		return rf_fail(err, "%s %s has two rows", s->side == 0 ?
		    "user" : "item", id);
	has[at] = 1;
	row = (s->side == 0 ? fm->X : fm->Y) + (size_t)at * fm->stride;
	memcpy(row, f, (size_t)k * sizeof *f);
	return 0;
}

model *
external_factors_import(const dataset *ds, const interactions *train,
    const char *users_path, const char *items_path, external_report *rep,
    rf_error *err)
{
	factors_model *fm = NULL;
	struct factor_sink s = { &fm, ds, train, 0, rep, err };
	factor_read rd;

	memset(rep, 0, sizeof *rep);
	if (ingest_factors(users_path, factor_row, &s, &rd, err) < 0)
		goto fail;
	rep->files[0] = rd.files;
	s.side = 1;
	if (ingest_factors(items_path, factor_row, &s, &rd, err) < 0)
		goto fail;
	rep->files[1] = rd.files;
	rep->k = fm->k;
	if (factors_finish(fm, rep, err) < 0)
		goto fail;
	if (rep->covered[0] == 0 || rep->covered[1] == 0) {
		rf_fail(err, "no %s of the factor table is in the data (ids "
		    "such as '%s'): imported from other data?",
		    rep->covered[0] == 0 ? "user" : "item",
		    rep->unknown_example[rep->covered[0] == 0 ? 0 : 1]);
		goto fail;
	}
	return &fm->base;
fail:
	if (fm != NULL)
		factors_free(&fm->base);
	return NULL;
}

/* --- score list ----------------------------------------------------------- */

static void
scores_free(model *m)
{
	scores_model *sm = (scores_model *)m;

	if (sm == NULL)
		return;
	free(sm->ptr);
	free(sm->idx);
	free(sm->val);
	model_free_header(&sm->base);
	free(sm);
}

static void
scores_score_user(const model *m, int u, float *out)
{
	const scores_model *sm = (const scores_model *)m;

	for (int i = 0; i < sm->ni; i++)
		out[i] = -INFINITY;
	if (u < 0 || u >= sm->nu)
		return;
	for (int64_t p = sm->ptr[u]; p < sm->ptr[u + 1]; p++)
		out[sm->idx[p]] = sm->val[p];
}

/* A listed pair as read, in reading order (the last of a pair wins). */
typedef struct score_entry {
	int32_t user, item;
	float score;
	int64_t order;
} score_entry;

struct score_sink {
	const dataset *ds;
	score_entry *e;
	int64_t n, cap;
	external_report *rep;
};

static int
score_row(void *ud, const char *user, const char *item, double score,
    rf_error *err)
{
	struct score_sink *s = ud;
	int u = dataset_user_index(s->ds, user), i;

	s->rep->rows[0]++;
	s->rep->rows[1]++;
	if (u < 0) {
		if (s->rep->unknown[0]++ == 0)
			snprintf(s->rep->unknown_example[0],
			    sizeof s->rep->unknown_example[0], "%s", user);
		return 0;
	}
	if ((i = dataset_item_index(s->ds, item)) < 0) {
		if (s->rep->unknown[1]++ == 0)
			snprintf(s->rep->unknown_example[1],
			    sizeof s->rep->unknown_example[1], "%s", item);
		return 0;
	}
	if (s->n == s->cap) {
		int64_t cap = s->cap ? s->cap * 2 : 4096;
		score_entry *p = realloc(s->e, (size_t)cap * sizeof *p);

		if (p == NULL)
			return rf_fail(err, "out of memory");
		s->e = p;
		s->cap = cap;
	}
	s->e[s->n].user = u;
	s->e[s->n].item = i;
	s->e[s->n].score = (float)score;
	s->e[s->n].order = s->n;
	s->n++;
	return 0;
}

static int
entry_cmp(const void *a, const void *b)
{
	const score_entry *x = a, *y = b;

	if (x->user != y->user)
		return x->user < y->user ? -1 : 1;
	if (x->item != y->item)
		return x->item < y->item ? -1 : 1;
	return (x->order > y->order) - (x->order < y->order);
}

/* The model over the entries (sorted here; the last of a pair kept). */
static scores_model *
scores_build(const dataset *ds, const interactions *train, score_entry *e,
    int64_t n, external_report *rep, rf_error *err)
{
	scores_model *sm = calloc(1, sizeof *sm);
	int64_t kept = 0, users = 0;
	uint8_t *listed = NULL;

	if (sm == NULL || model_init_header(&sm->base,
	    &model_external_scores_ops, ds, train, NULL, 0, err) < 0) {
		free(sm);
		rf_fail(err, "out of memory");
		return NULL;
	}
	sm->nu = ds->n_users;
	sm->ni = ds->n_items;
	sm->ptr = calloc((size_t)sm->nu + 1, sizeof *sm->ptr);
	sm->idx = malloc(((size_t)n + 1) * sizeof *sm->idx);
	sm->val = malloc(((size_t)n + 1) * sizeof *sm->val);
	listed = calloc((size_t)sm->ni + 1, 1);
	if (sm->ptr == NULL || sm->idx == NULL || sm->val == NULL ||
	    listed == NULL) {
		free(listed);
		scores_free(&sm->base);
		rf_fail(err, "out of memory");
		return NULL;
	}
	/* No entry (a list with no row the data know): e may be NULL,
	 * which qsort must not be given even for nothing to sort. */
	if (n > 0)
		qsort(e, (size_t)n, sizeof *e, entry_cmp);
	for (int64_t q = 0; q < n; q++) {
		if (q + 1 < n && e[q + 1].user == e[q].user &&
		    e[q + 1].item == e[q].item) {
			rep->duplicates++;
			continue;
		}
		sm->idx[kept] = e[q].item;
		sm->val[kept] = e[q].score;
		sm->ptr[e[q].user + 1]++;
		listed[e[q].item] = 1;
		kept++;
	}
	for (int u = 0; u < sm->nu; u++) {
		users += sm->ptr[u + 1] > 0;
		sm->ptr[u + 1] += sm->ptr[u];
	}
	rep->covered[0] = users;
	rep->covered[1] = 0;
	for (int i = 0; i < sm->ni; i++)
		rep->covered[1] += listed[i];
	free(listed);
	return sm;
}

model *
external_scores_import(const dataset *ds, const interactions *train,
    const char *path, external_report *rep, rf_error *err)
{
	struct score_sink s = { ds, NULL, 0, 0, rep };
	score_read rd;
	scores_model *sm;

	memset(rep, 0, sizeof *rep);
	if (ingest_scores(path, score_row, &s, &rd, err) < 0) {
		free(s.e);
		return NULL;
	}
	rep->files[0] = rep->files[1] = rd.files;
	if (s.n == 0) {
		free(s.e);
		rf_fail(err, "no row of %s names a user and an item the data "
		    "have (ids such as '%s'): scores of other data?", path,
		    rep->unknown[0] > 0 ? rep->unknown_example[0] :
		    rep->unknown_example[1]);
		return NULL;
	}
	sm = scores_build(ds, train, s.e, s.n, rep, err);
	free(s.e);
	return sm ? &sm->base : NULL;
}

/* --- blobs ------------------------------------------------------------------ */

static void
put_u32(blob_writer *w, uint32_t v)
{
	blob_put(w, &v, sizeof v);
}

static void
put_id(blob_writer *w, const char *id)
{
	uint32_t n = (uint32_t)strlen(id);

	put_u32(w, n);
	blob_put(w, id, n);
}

static int
get_u32(blob_reader *r, uint32_t *v)
{
	return blob_get(r, v, sizeof *v);
}

/* An id into buf (NUL-ended). */
static int
get_id(blob_reader *r, char *buf)
{
	uint32_t n;

	if (get_u32(r, &n) < 0)
		return -1;
	if (n >= EXT_MAX_ID)
		return rf_fail(r->err, "%s: saved model corrupt (an id of %u "
		    "bytes)", r->name, n);
	if (blob_get(r, buf, n) < 0)
		return -1;
	buf[n] = '\0';
	return 0;
}

/* Rows of one side: count, then id and k floats each. */
static void
put_factor_rows(blob_writer *w, char **ext, const uint8_t *has,
    const float *rows, int n, int k, int stride)
{
	uint32_t count = 0;

	for (int r = 0; r < n; r++)
		count += has[r] != 0;
	put_u32(w, count);
	for (int r = 0; r < n; r++) {
		if (!has[r])
			continue;
		put_id(w, ext[r]);
		blob_put(w, rows + (size_t)r * stride, (size_t)k * sizeof *rows);
	}
}

static int
factors_save(const model *m, rf_buf *out, rf_error *err)
{
	const factors_model *fm = (const factors_model *)m;
	const dataset *ds = m->ds;
	blob_writer w;

	if (ds->user_ext == NULL || ds->item_ext == NULL)
		return rf_fail(err, "%s: the data have no external ids",
		    m->name);
	blob_writer_init(&w, out);
	blob_put(&w, factors_magic, sizeof factors_magic);
	put_u32(&w, (uint32_t)fm->k);
	put_factor_rows(&w, ds->user_ext, fm->has_user, fm->X, fm->nu, fm->k,
	    fm->stride);
	put_factor_rows(&w, ds->item_ext, fm->has_item, fm->Y, fm->ni, fm->k,
	    fm->stride);
	return blob_writer_finish(&w, m->name, err);
}

/* One side's rows into the model; rows of ids gone from the data since
 * are read into scratch (k floats) and left out. */
static int
get_factor_rows(blob_reader *r, factors_model *fm, int side, float *scratch)
{
	char id[EXT_MAX_ID];
	uint32_t count;

	if (get_u32(r, &count) < 0)
		return -1;
	for (uint32_t q = 0; q < count; q++) {
		int at;
		float *row;

		if (get_id(r, id) < 0)
			return -1;
		at = side == 0 ? dataset_user_index(fm->base.ds, id) :
		    dataset_item_index(fm->base.ds, id);
		row = at < 0 ? scratch : (side == 0 ? fm->X : fm->Y) +
		    (size_t)at * fm->stride;
		if (blob_get(r, row, (size_t)fm->k * sizeof *row) < 0)
			return -1;
		if (at >= 0)
			(side == 0 ? fm->has_user : fm->has_item)[at] = 1;
	}
	return 0;
}

static model *
factors_load(const dataset *ds, const interactions *train, blob_reader *r)
{
	factors_model *fm;
	float *scratch;
	uint32_t k;

	if (get_u32(r, &k) < 0)
		return NULL;
	if (k < 1 || k > FACTORS_MAX) {
		rf_fail(r->err, "%s: saved model corrupt (%u factors)", r->name,
		    k);
		return NULL;
	}
	if ((fm = factors_alloc(ds, train, (int)k, r->err)) == NULL)
		return NULL;
	if ((scratch = malloc((size_t)k * sizeof *scratch)) == NULL) {
		rf_fail(r->err, "out of memory");
		factors_free(&fm->base);
		return NULL;
	}
	if (get_factor_rows(r, fm, 0, scratch) < 0 ||
	    get_factor_rows(r, fm, 1, scratch) < 0 || blob_expect(r, 0) < 0 ||
	    factors_finish(fm, NULL, r->err) < 0) {
		free(scratch);
		factors_free(&fm->base);
		return NULL;
	}
	free(scratch);
	return &fm->base;
}

static int
scores_save(const model *m, rf_buf *out, rf_error *err)
{
	const scores_model *sm = (const scores_model *)m;
	const dataset *ds = m->ds;
	uint32_t users = 0;
	blob_writer w;

	if (ds->user_ext == NULL || ds->item_ext == NULL)
		return rf_fail(err, "%s: the data have no external ids",
		    m->name);
	/* Items by the dataset's index: the pairs refer to them by it. */
	blob_writer_init(&w, out);
	blob_put(&w, scores_magic, sizeof scores_magic);
	put_u32(&w, (uint32_t)sm->ni);
	for (int i = 0; i < sm->ni; i++)
		put_id(&w, ds->item_ext[i]);
	for (int u = 0; u < sm->nu; u++)
		users += sm->ptr[u + 1] > sm->ptr[u];
	put_u32(&w, users);
	for (int u = 0; u < sm->nu; u++) {
		if (sm->ptr[u + 1] == sm->ptr[u])
			continue;
		put_id(&w, ds->user_ext[u]);
		put_u32(&w, (uint32_t)(sm->ptr[u + 1] - sm->ptr[u]));
		for (int64_t p = sm->ptr[u]; p < sm->ptr[u + 1]; p++) {
			put_u32(&w, (uint32_t)sm->idx[p]);
			blob_put(&w, &sm->val[p], sizeof sm->val[p]);
		}
	}
	return blob_writer_finish(&w, m->name, err);
}

static model *
scores_load(const dataset *ds, const interactions *train, blob_reader *r)
{
	struct score_sink s = { ds, NULL, 0, 0, NULL };
	external_report rep;
	scores_model *sm = NULL;
	int32_t *item_at = NULL;
	uint32_t n_items, n_users;
	char id[EXT_MAX_ID];

	memset(&rep, 0, sizeof rep);
	s.rep = &rep;
	if (get_u32(r, &n_items) < 0)
		return NULL;
	if (n_items > r->left / sizeof(uint32_t) ||
	    (item_at = malloc(((size_t)n_items + 1) * sizeof *item_at)) ==
	    NULL) {
		rf_fail(r->err, "%s: saved model corrupt or out of memory",
		    r->name);
		return NULL;
	}
	for (uint32_t i = 0; i < n_items; i++) {
		if (get_id(r, id) < 0)
			goto out;
		item_at[i] = dataset_item_index(ds, id);
	}
	if (get_u32(r, &n_users) < 0)
		goto out;
	for (uint32_t q = 0; q < n_users; q++) {
		uint32_t count, item;
		float score;
		int u;

		if (get_id(r, id) < 0 || get_u32(r, &count) < 0)
			goto out;
		u = dataset_user_index(ds, id);
		for (uint32_t c = 0; c < count; c++) {
			if (get_u32(r, &item) < 0 ||
			    blob_get(r, &score, sizeof score) < 0)
				goto out;
			if (item >= n_items) {
				rf_fail(r->err, "%s: saved model corrupt",
				    r->name);
				goto out;
			}
			/* Users or items gone from the data since: left
			 * out. */
			if (u < 0 || item_at[item] < 0)
				continue;
			if (score_row(&s, ds->user_ext[u],
			    ds->item_ext[item_at[item]], score, r->err) < 0)
				goto out;
		}
	}
	if (blob_expect(r, 0) < 0)
		goto out;
	sm = scores_build(ds, train, s.e, s.n, &rep, r->err);
out:
	free(item_at);
	free(s.e);
	return sm ? &sm->base : NULL;
}

static model *
external_load(const dataset *ds, const interactions *train,
    const double *params, const void *data, size_t len, rf_error *err)
{
	blob_reader r;

	(void)params;
	if (len >= sizeof factors_magic &&
	    memcmp(data, factors_magic, sizeof factors_magic) == 0) {
		if (blob_reader_init(&r, "imported factors", data, len,
		    factors_magic, sizeof factors_magic, err) < 0)
			return NULL;
		return factors_load(ds, train, &r);
	}
	if (blob_reader_init(&r, "imported scores", data, len, scores_magic,
	    sizeof scores_magic, err) < 0)
		return NULL;
	return scores_load(ds, train, &r);
}

/* --- factor views ------------------------------------------------------------ */

int
model_factors(const model *m, model_factor_view *v)
{
	const float *user, *item;
	int stride, at;

	memset(v, 0, sizeof *v);
	if (m->ops == &model_external_factors_ops) {
		const factors_model *fm = (const factors_model *)m;

		v->k = fm->k;
		v->stride = fm->stride;
		v->user = fm->X;
		v->item = fm->Y;
		v->has_user = fm->has_user;
		v->has_item = fm->has_item;
		return 0;
	}
	if (als_factors(m, &user, &item, &stride) == 0 &&
	    (at = model_param_index(m->ops, "factors")) >= 0) {
		v->k = (int)m->params[at];
		v->stride = stride;
		v->user = user;
		v->item = item;
		return 0;
	}
	return -1;
}

const model_ops model_external_factors_ops = {
	.name = "imported-factors",
	.title = "imported factor model",
	.help = "user and item factors trained elsewhere (Spark MLlib ALS "
	    "and the like); the score is their dot product",
	.kinds = MODEL_TOPN,
	.traits = MODEL_EXTERNAL,
	.params = NULL,
	.nparams = 0,
	.default_epochs = 0,
	.score_user = factors_score_user,
	.score_users = factors_score_users,
	.explain = factors_explain,
	.save = factors_save,
	.load = external_load,
	.free = factors_free,
};

const model_ops model_external_scores_ops = {
	.name = "imported-scores",
	.title = "imported score list",
	.help = "user, item, score lists computed elsewhere; a user is "
	    "scored on their listed items only",
	.kinds = MODEL_TOPN,
	.traits = MODEL_EXTERNAL,
	.params = NULL,
	.nparams = 0,
	.default_epochs = 0,
	.score_user = scores_score_user,
	.save = scores_save,
	.load = external_load,
	.free = scores_free,
};
