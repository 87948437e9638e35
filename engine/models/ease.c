/* ease: the embarrassingly shallow autoencoder (Steck, "Embarrassingly
 * Shallow Autoencoders for Sparse Data", WWW 2019).  One closed form: an
 * item-item weight matrix B that reconstructs each user's row from the rest
 * of the row, with a zero diagonal so an item cannot explain itself.
 *
 * The score sums the B rows of the user's history, each weighted by how
 * recent it is when `recency` is set: w = 0.5^(later / recency), later
 * being the number of the user's interactions with a later time (items of
 * one time weigh the same; without times every weight is 1).  B is fitted
 * on the unweighted rows either way: the weights act on the scores alone,
 * so the default (-1) is chosen on the validation part after the fit
 * (engine/train), among the values `--search` lists. */
#include <cblas.h>
#include <lapacke.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/models/blob.h"
#include "engine/models/model.h"
#include "engine/models/registry.h"
#include "engine/core/mem.h"
#include "engine/core/threads.h"
#include "engine/store/saved_models.h"

#define EASE_MAGIC	0x45415345u	/* "EASE" */
#define EASE_VERSION	2u
/* B is dense n x n floats; past this it stops being "embarrassingly"
 * anything (40000^2 floats = 6.4 GB). */
#define EASE_MAX_ITEMS	40000
/* From this many items the factorisation may run on every core. */
#define EASE_THREADED_N	2000

enum { P_LAMBDA, P_BINARY, P_MAX_ITEMS, P_RECENCY };

static const model_param ease_params[] = {
	{ "lambda", 200, 1, 100000, 10, 0,
	  "L2 weight on B (Steck 2019 eq. 1); 200 suits ml-100k" },
	{ "binary", 1, 0, 1, 1, 1,
	  "1: X is presence (0/1); 0: X holds the interaction values" },
	{ "max_items", 10000, 2, EASE_MAX_ITEMS, 1000, 1,
	  "B covers at most this many items, the most popular in train; "
	  "the rest rank below them" },
	MODEL_RECENCY_PARAM,
};

/*
 * A large catalogue is fitted on its head: the max_items items with the
 * most users in train (ties by index) make the n x n problem, and B is
 * indexed by position in that subset.  Items outside it get no weight
 * from B; they score just below the user's lowest subset score, so that
 * every model's scores stay finite for fusion.  With a catalogue that
 * fits, the subset is every item in order (sub == NULL).
 */
typedef struct ease_model {
	model base;
	int n;			/* items in B */
	float *B;		/* (n, n) row-major: B[a*n + b] = weight of
				 * history item sub[a] in the score of sub[b] */
	int32_t *sub;		/* (n) item of each position, or NULL */
	int32_t *pos;		/* (n_items) position of each item, or -1;
				 * NULL with sub */
	int fitted;
} ease_model;

/* Position of item i in B, or -1. */
static int
ease_pos(const ease_model *em, int i)
{
	return em->pos != NULL ? em->pos[i] : i;
}

static int
ease_pop_cmp(const void *a, const void *b, void *ud)
{
	const int64_t *users = ud;
	int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;

	if (users[x] != users[y])
		return users[x] < users[y] ? 1 : -1;
	return (x > y) - (x < y);
}

/* Choose the subset: the n most popular items, kept in index order. */
static int
ease_choose_subset(ease_model *em, const interactions *train, int n)
{
	int n_items = train->n_items;
	int64_t *users = calloc((size_t)n_items, sizeof *users);
	int32_t *order = malloc((size_t)n_items * sizeof *order);

	em->sub = malloc((size_t)n * sizeof *em->sub);
	em->pos = malloc((size_t)n_items * sizeof *em->pos);
	if (users == NULL || order == NULL || em->sub == NULL ||
	    em->pos == NULL) {
		free(users);
		free(order);
		return -1;
	}
	for (int64_t p = 0; p < train->nnz; p++)
		users[train->idx[p]]++;
	for (int i = 0; i < n_items; i++) {
		order[i] = i;
		em->pos[i] = -1;
	}
	qsort_r(order, (size_t)n_items, sizeof *order, ease_pop_cmp, users);
	for (int a = 0; a < n; a++)
		em->pos[order[a]] = 1;
	for (int i = 0, a = 0; i < n_items; i++)
		if (em->pos[i] == 1) {
			em->sub[a] = i;
			em->pos[i] = a++;
		} else {
			em->pos[i] = -1;
		}
	free(users);
	free(order);
	return 0;
}

static float
ease_x(const ease_model *em, float v)
{
	return em->base.params[P_BINARY] != 0 ? 1.0f : v;
}

static void ease_free(model *m);

/*
 * B is the one large array and the factorisation works in place (in
 * column-major order LAPACKE copies nothing, and OpenBLAS's own buffer is
 * checked by rf_blas_ready), but a trained model is saved: its bytes are
 * as large as B, and SQLite writes them a chunk (STORE_MODEL_CHUNK) at a
 * time, taking four and a half times the chunk (or the value, when
 * smaller) with its page cache.  That factor is measured: under `ulimit
 * -v` limits from 300 MB to 1 GB, on lastfm's 17632 items, the largest
 * max_items that trained and saved needed at most that much.  When it
 * does not fit, the largest max_items that does is the advice.
 */
#define EASE_SAVE_FACTOR 4.5

static double
ease_need(double b)
{
	double chunk = (double)STORE_MODEL_CHUNK;

	return 2 * b + EASE_SAVE_FACTOR * (b < chunk ? b : chunk);
}

static int
ease_check_room(int n, rf_error *err)
{
	double b = (double)n * n * sizeof(float), chunk = STORE_MODEL_CHUNK;
	double room_left;
	uint64_t need = (uint64_t)ease_need(b), usable, fit;
	rf_mem_room room;
	char what[96], hint[96];

	rf_mem_room_now(&room);
	usable = rf_mem_usable(&room);
	if (need <= usable)
		return 0;
	/* The largest B that fits, from the inverse of ease_need, in 95% of
	 * the room: the next run's own use is a little different. */
	room_left = 0.95 * (double)usable;
	if (room_left >= ease_need(chunk))
		b = (room_left - EASE_SAVE_FACTOR * chunk) / 2;
	else
		b = room_left / (2 + EASE_SAVE_FACTOR);
	fit = (uint64_t)floor(sqrt(b / sizeof(float)));
	if (fit >= 1000)
		fit -= fit % 100;
	if (fit >= (uint64_t)n)
		fit = (uint64_t)n - 1;
	if (fit >= 2)
		snprintf(hint, sizeof hint, "; try max_items=%llu",
		    (unsigned long long)fit);
	else
		snprintf(hint, sizeof hint, "; not even max_items=2 fits");
	snprintf(what, sizeof what, "ease: B (%d x %d floats) and saving it",
	    n, n);
	return rf_mem_refuse(&room, need, what, hint, err);
}

static model *
ease_alloc(const dataset *ds, const interactions *train,
    const double *params, uint64_t seed, rf_error *err)
{
	ease_model *em;
	int n = train->n_items, max;

	if ((em = calloc(1, sizeof *em)) == NULL) {
		rf_fail(err, "ease: out of memory");
		return NULL;
	}
	if (model_init_header(&em->base, &model_ease_ops, ds, train, params,
	    seed, err) < 0) {
		free(em);
		return NULL;
	}
	max = (int)em->base.params[P_MAX_ITEMS];
	if (n > max) {
		n = max;
		if (ease_choose_subset(em, train, n) < 0) {
			rf_fail(err, "ease: out of memory");
			ease_free(&em->base);
			return NULL;
		}
	}
	em->n = n;
	if (model_check_room(&em->base, 0, -1, 0, 1, err) < 0 ||
	    ease_check_room(n, err) < 0) {
		ease_free(&em->base);
		return NULL;
	}
	em->B = calloc((size_t)n * (size_t)(n ? n : 1), sizeof *em->B);
	if (em->B == NULL) {
		rf_fail(err, "ease: cannot allocate %.1f MB for B "
		    "(a smaller max_items needs less)",
		    (double)n * n * sizeof(float) / 1e6);
		ease_free(&em->base);
		return NULL;
	}
	return &em->base;
}

static model *
ease_create(const dataset *ds, const interactions *train,
    const double *params, uint64_t seed, rf_error *err)
{
	return ease_alloc(ds, train, params, seed, err);
}

/* Upper triangle of G = X^T X + lambda I, straight from the sparse rows:
 * sum over users of |history|^2 / 2 updates, much cheaper than a dense
 * ssyrk when X is as sparse as interaction data is. */
static void
ease_gram(const ease_model *em, float *G)
{
	const interactions *tr = em->base.train;
	int n = em->n;

	memset(G, 0, (size_t)n * n * sizeof *G);
	for (int u = 0; u < tr->n_users; u++) {
		int64_t lo = tr->ptr[u], hi = tr->ptr[u + 1];

		for (int64_t p = lo; p < hi; p++) {
			float xa = ease_x(em, tr->val[p]);
			int a = ease_pos(em, tr->idx[p]);
			float *row;

			if (a < 0)
				continue;
			row = G + (size_t)a * n;
			/* columns sorted ascending, and positions keep the
			 * item order: q >= p is the upper half */
			for (int64_t q = p; q < hi; q++) {
				int b = ease_pos(em, tr->idx[q]);

				if (b >= 0)
					row[b] += xa * ease_x(em, tr->val[q]);
			}
		}
	}
	for (int i = 0; i < n; i++)
		G[(size_t)i * n + i] += (float)em->base.params[P_LAMBDA];
}

/* The whole fit happens at epoch 0 (Steck 2019 eq. 8):
 *   P = (X^T X + lambda I)^-1,  B = I - P diag(1 / diag(P)),
 * which is the minimiser of ||X - XB||^2 + lambda ||B||^2 s.t. diag(B) = 0.
 * The reported loss is that objective over nnz, from an identity that
 * needs no dense X: with G0 = X^T X, G = G0 + lambda I and G B = G - D
 * (D = diag(1/diag P)),
 *   ||X - XB||^2 = ||X||^2 - 2 tr(B^T G0) + tr(B^T G0 B)
 *               = ||X||^2 - S - lambda ||B||^2,  S = sum_ij B_ij G0_ij,
 * so the objective is ||X||^2 - S, and S only needs co-occurring pairs. */
static int
ease_epoch(model *m, int epoch, double *loss, const volatile int *cancel,
    rf_error *err)
{
	ease_model *em = (ease_model *)m;
	const interactions *tr = m->train;
	int n = em->n;
	float *B = em->B;
	lapack_int info;

	*loss = 0;
	if (epoch > 0 || em->fitted)
		goto report;
	if (cancel && *cancel)
		return 1;
	if (n == 0)
		goto done;
	if (model_check_room(m, 0, -1, 0, 1, err) < 0)
		return -1;
	ease_gram(em, B);
	/* The O(n^3) factorisation is the one step here that gains from BLAS
	 * threads; it takes them only when the caller said nothing else
	 * computes (rf_blas_exclusive): never from a background job, where
	 * the main thread's evaluator may be running threads of its own. */
	{
		int widened = n >= EASE_THREADED_N ? rf_blas_dense_begin() : 0;
		lapack_int inv = 0;

		/* Cholesky: G is SPD for lambda > 0.  The row-major upper
		 * triangle is LAPACK's column-major lower one: asked that
		 * way, LAPACKE works in place instead of copying n^2 floats
		 * into a transposed workspace of its own. */
		info = LAPACKE_spotrf(LAPACK_COL_MAJOR, 'L', n, B, n);
		if (info == 0)
			inv = LAPACKE_spotri(LAPACK_COL_MAJOR, 'L', n, B, n);
		rf_blas_dense_end(widened);
		/* info > 0: a pivot was not positive, which a larger lambda
		 * cures; info < 0 is an argument or allocation failure,
		 * which it does not. */
		if (info > 0)
			return rf_fail(err, "ease: X^T X + lambda I is not "
			    "positive definite (Cholesky pivot %d); raise "
			    "lambda", (int)info);
		if (info < 0)
			return rf_fail(err, "ease: the Cholesky factorisation "
			    "failed (LAPACK info %d)", (int)info);
		if (inv != 0)
			return rf_fail(err, "ease: inverse failed (LAPACK info "
			    "%d)", (int)inv);
	}
	for (int i = 0; i < n; i++)
		for (int j = i + 1; j < n; j++)
			B[(size_t)j * n + i] = B[(size_t)i * n + j];
	/* B_ij = -P_ij / P_jj off the diagonal, 0 on it: scale column j. */
	{
		float *inv = malloc((size_t)n * sizeof *inv);

		if (inv == NULL)
			return rf_fail(err, "ease: out of memory");
		for (int j = 0; j < n; j++)
			inv[j] = -1.0f / B[(size_t)j * n + j];
		for (int i = 0; i < n; i++) {
			float *row = B + (size_t)i * n;

			for (int j = 0; j < n; j++)
				row[j] *= inv[j];
			row[i] = 0;
		}
		free(inv);
	}
done:
	em->fitted = 1;
report:
	if (tr->nnz > 0) {
		double x2 = 0, s = 0;

		for (int u = 0; u < tr->n_users; u++) {
			int64_t lo = tr->ptr[u], hi = tr->ptr[u + 1];

			for (int64_t p = lo; p < hi; p++) {
				double xa = ease_x(em, tr->val[p]);
				int a = ease_pos(em, tr->idx[p]);
				const float *row;

				x2 += xa * xa;
				if (a < 0)
					continue;
				row = B + (size_t)a * n;
				for (int64_t q = lo; q < hi; q++) {
					int b = ease_pos(em, tr->idx[q]);

					if (b >= 0)
						s += xa * ease_x(em,
						    tr->val[q]) * row[b];
				}
			}
		}
		*loss = (x2 - s) / (double)tr->nnz;
	}
	return 0;
}

/* score(u) = (w o x_u) B: the sum of the B rows of the user's history,
 * each times its recency weight. */
static void
ease_score_user(const model *m, int u, float *out)
{
	const ease_model *em = (const ease_model *)m;
	const interactions *tr = m->train;
	int n = em->n, n_items = tr->n_items;
	float *acc = out, lowest;

	if (em->sub != NULL)
		acc = out + (n_items - n);	/* room at the end, then spread */
	memset(acc, 0, (size_t)n * sizeof *acc);
	if (u >= 0 && u < tr->n_users) {
		int64_t lo = tr->ptr[u], len = tr->ptr[u + 1] - lo;
		float *w = model_recency_row(m, u, m->params[P_RECENCY]);

		for (int64_t p = lo; p < lo + len; p++) {
			float x = ease_x(em, tr->val[p]) *
			    (w ? w[p - lo] : 1.0f);
			int a = ease_pos(em, tr->idx[p]);
			const float *row;

			if (a < 0)
				continue;
			row = em->B + (size_t)a * n;
			for (int b = 0; b < n; b++)
				acc[b] += x * row[b];
		}
		free(w);
	}
	if (em->sub == NULL)
		return;
	/* Spread the subset's scores to their items, in item order: at
	 * most n_items - n items lie outside the subset, so a write never
	 * lands on a score not yet read; the rest go just below the
	 * lowest. */
	lowest = 0;
	for (int b = 0; b < n; b++)
		if (b == 0 || acc[b] < lowest)
			lowest = acc[b];
	lowest -= 1e-3f * (fabsf(lowest) + 1);
	{
		int b = 0;

		for (int i = 0; i < n_items; i++) {
			if (b < n && em->sub[b] == i)
				out[i] = acc[b++];
			else
				out[i] = lowest;
		}
	}
}

/* The history items i with the largest B_ij x_ui: the terms of score(u, j),
 * so all of them sum to it. */
static int
ease_explain(const model *m, int u, int j, explain_term *terms, int max)
{
	const ease_model *em = (const ease_model *)m;
	const interactions *tr = m->train;
	int64_t lo, hi;
	explain_term *all;
	float *rw;
	int n = 0;

	if (u < 0 || u >= tr->n_users || j < 0 || j >= tr->n_items ||
	    max <= 0 || (j = ease_pos(em, j)) < 0)
		return 0;
	lo = tr->ptr[u];
	hi = tr->ptr[u + 1];
	if (hi == lo || (all = malloc((size_t)(hi - lo) * sizeof *all)) == NULL)
		return 0;
	rw = model_recency_row(m, u, m->params[P_RECENCY]);
	for (int64_t p = lo; p < hi; p++) {
		int a = ease_pos(em, tr->idx[p]);
		float w = a < 0 ? 0 : em->B[(size_t)a * em->n + j];

		if (w == 0)
			continue;
		all[n].item = tr->idx[p];
		all[n].weight = w;
		all[n].contribution = (double)w * ease_x(em, tr->val[p]) *
		    (rw ? rw[p - lo] : 1.0f);
		n++;
	}
	n = model_keep_top_terms(all, n, terms, max);
	free(all);
	free(rw);
	return n;
}

static void
ease_free(model *m)
{
	ease_model *em = (ease_model *)m;

	if (em == NULL)
		return;
	free(em->B);
	free(em->sub);
	free(em->pos);
	model_free_header(&em->base);
	free(em);
}

/* Blob: magic, version, n_items, n (uint32 each); when n < n_items the
 * subset's items (n int32, ascending); then B (n*n floats). */
static const uint32_t ease_magic[2] = { EASE_MAGIC, EASE_VERSION };

static int
ease_save(const model *m, rf_buf *out, rf_error *err)
{
	const ease_model *em = (const ease_model *)m;
	uint32_t dims[2] = { (uint32_t)m->train->n_items, (uint32_t)em->n };
	blob_writer w;

	if (!em->fitted)
		return rf_fail(err, "ease: nothing to save before training");
	blob_writer_init(&w, out);
	blob_put(&w, ease_magic, sizeof ease_magic);
	blob_put(&w, dims, sizeof dims);
	if (em->sub != NULL)
		blob_put(&w, em->sub, (size_t)em->n * sizeof *em->sub);
	blob_put(&w, em->B, (size_t)em->n * em->n * sizeof *em->B);
	return blob_writer_finish(&w, "ease", err);
}

static model *
ease_load(const dataset *ds, const interactions *train, const double *params,
    const void *data, size_t len, rf_error *err)
{
	uint32_t dims[2];
	blob_reader r;
	ease_model *em;

	if (model_check_saved_params(&model_ease_ops, params, err) < 0)
		return NULL;
	if (blob_reader_init(&r, "ease", data, len, ease_magic,
	    sizeof ease_magic, err) < 0 ||
	    blob_get(&r, dims, sizeof dims) < 0 ||
	    blob_match(&r, "items", dims[0], train->n_items) < 0)
		return NULL;
	/* The subset follows from train and max_items, as when trained;
	 * the saved one must be the same. */
	if ((em = (ease_model *)ease_alloc(ds, train, params, 0, err)) == NULL)
		return NULL;
	if (blob_match(&r, "items in B", dims[1], em->n) < 0)
		goto fail;
	if (em->sub != NULL) {
		int32_t *saved = malloc((size_t)em->n * sizeof *saved);
		int same;

		if (saved == NULL) {
			rf_fail(err, "ease: out of memory");
			goto fail;
		}
		if (blob_get(&r, saved, (size_t)em->n * sizeof *saved) < 0) {
			free(saved);
			goto fail;
		}
		same = memcmp(saved, em->sub, (size_t)em->n *
		    sizeof *saved) == 0;
		free(saved);
		if (!same) {
			rf_fail(err, "ease: the saved model covers other items "
			    "than this train part's most popular");
			goto fail;
		}
	}
	if (blob_expect(&r, (size_t)em->n * em->n * sizeof(float)) < 0 ||
	    blob_get(&r, em->B, (size_t)em->n * em->n * sizeof *em->B) < 0 ||
	    model_check_finite(&model_ease_ops, "weights B", em->B,
	    (size_t)em->n * em->n, err) < 0)
		goto fail;
	em->fitted = 1;
	em->base.epochs_done = 1;
	return &em->base;
fail:
	ease_free(&em->base);
	return NULL;
}

/* The cut to the catalogue's head, when there was one: how much of the
 * catalogue and of the training pairs B covers, and what it costs. */
static int
ease_report(const model *m, char *buf, size_t n)
{
	const ease_model *em = (const ease_model *)m;
	const interactions *tr = m->train;
	int64_t covered = 0;

	if (em->pos == NULL)
		return 0;
	for (int64_t p = 0; p < tr->nnz; p++)
		covered += em->pos[tr->idx[p]] >= 0;
	snprintf(buf, n, "B covers the %d items with the most users of %d "
	    "(max_items %d: B is %d^2 floats, %.3g MB), %.1f%% of the training "
	    "pairs; the other %d items rank below them for every user",
	    em->n, tr->n_items, em->n, em->n,
	    (double)em->n * em->n * sizeof(float) / 1e6,
	    tr->nnz > 0 ? 100.0 * (double)covered / (double)tr->nnz : 0.0,
	    tr->n_items - em->n);
	return 1;
}

/* `train ease --search`: the main parameters, one at a time. */
static const model_search ease_search[] = {
	{ "lambda", 7, { 20, 50, 100, 200, 500, 1000, 3000 }, 0 },
	{ "recency", MODEL_RECENCY_VALUES, MODEL_SEARCH_TIMED },
	{ NULL, 0, { 0 }, 0 }
};

const model_ops model_ease_ops = {
	.name = "ease",
	.title = "EASE",
	.help = "EASE item-item closed form (Steck, WWW 2019)",
	.memory = "B: n^2 floats for n = min(items, max_items), factorised in "
	    "place (10,000 items: 400 MB); past max_items only the most "
	    "popular items enter B",
	.kinds = MODEL_TOPN,
	.traits = MODEL_ROW_BASED,
	.params = ease_params,
	.nparams = (int)(sizeof ease_params / sizeof ease_params[0]),
	.search = ease_search,
	.default_epochs = 1,
	.create = ease_create,
	.epoch = ease_epoch,
	.score_user = ease_score_user,
	.predict = NULL,
	.explain = ease_explain,
	.report = ease_report,
	.save = ease_save,
	.load = ease_load,
	.free = ease_free,
};
