/* ease: the embarrassingly shallow autoencoder (Steck, "Embarrassingly
 * Shallow Autoencoders for Sparse Data", WWW 2019).  One closed form: an
 * item-item weight matrix B that reconstructs each user's row from the rest
 * of the row, with a zero diagonal so an item cannot explain itself. */
#include <cblas.h>
#include <lapacke.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "engine/models/blob.h"
#include "engine/models/model.h"
#include "engine/models/registry.h"

#define EASE_MAGIC	0x45415345u	/* "EASE" */
#define EASE_VERSION	1u
/* B is dense n x n floats; past this it stops being "embarrassingly"
 * anything (40000^2 floats = 6.4 GB). */
#define EASE_MAX_ITEMS	40000
/* From this many items the factorisation runs on every core. */
#define EASE_THREADED_N	2000

enum { P_LAMBDA, P_BINARY };

static const model_param ease_params[] = {
	{ "lambda", 200, 1, 100000, 10, 0,
	  "L2 weight on B (Steck 2019 eq. 1); 200 suits ml-100k" },
	{ "binary", 1, 0, 1, 1, 1,
	  "1: X is presence (0/1); 0: X holds the interaction values" },
};

typedef struct ease_model {
	model base;
	int n;			/* items */
	float *B;		/* (n, n) row-major: B[i*n + j] = weight of
				 * history item i in the score of item j */
	int fitted;
} ease_model;

static float
ease_x(const ease_model *em, float v)
{
	return em->base.params[P_BINARY] != 0 ? 1.0f : v;
}

static model *
ease_alloc(const dataset *ds, const interactions *train,
    const double *params, uint64_t seed, rf_error *err)
{
	ease_model *em;
	int n = train->n_items;

	if (n > EASE_MAX_ITEMS) {
		rf_fail(err, "ease: %d items need a dense %d x %d matrix "
		    "(%.1f GB); the limit is %d items", n, n, n,
		    (double)n * n * sizeof(float) / 1e9, EASE_MAX_ITEMS);
		return NULL;
	}
	if ((em = calloc(1, sizeof *em)) == NULL) {
		rf_fail(err, "ease: out of memory");
		return NULL;
	}
	if (model_init_header(&em->base, &model_ease_ops, ds, train, params,
	    seed, err) < 0) {
		free(em);
		return NULL;
	}
	em->n = n;
	em->B = calloc((size_t)n * (size_t)(n ? n : 1), sizeof *em->B);
	if (em->B == NULL) {
		rf_fail(err, "ease: cannot allocate %.1f MB for B",
		    (double)n * n * sizeof(float) / 1e6);
		model_free_header(&em->base);
		free(em);
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
			float *row = G + (size_t)tr->idx[p] * n;

			/* columns sorted ascending: q >= p is the upper half */
			for (int64_t q = p; q < hi; q++)
				row[tr->idx[q]] += xa * ease_x(em, tr->val[q]);
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
	ease_gram(em, B);
	/* The O(n^3) factorisation is the one step here that gains from
	 * BLAS threads; EASE runs none of its own, so one level holds.  The
	 * caller's setting comes back after (the workbench keeps BLAS
	 * single-threaded otherwise). */
	{
		int blas_threads = openblas_get_num_threads();
		lapack_int inv = 0;

		if (n >= EASE_THREADED_N)
			openblas_set_num_threads(openblas_get_num_procs());
		/* Cholesky: G is SPD for lambda > 0; the row-major upper
		 * triangle is LAPACK's column-major lower one, either way it
		 * is consistent. */
		info = LAPACKE_spotrf(LAPACK_ROW_MAJOR, 'U', n, B, n);
		if (info == 0)
			inv = LAPACKE_spotri(LAPACK_ROW_MAJOR, 'U', n, B, n);
		openblas_set_num_threads(blas_threads);
		if (info != 0)
			return rf_fail(err, "ease: Cholesky of X^T X + lambda "
			    "I failed (info %d); raise lambda", (int)info);
		if (inv != 0)
			return rf_fail(err, "ease: inverse failed (info %d)",
			    (int)inv);
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
				const float *row = B + (size_t)tr->idx[p] * n;

				x2 += xa * xa;
				for (int64_t q = lo; q < hi; q++)
					s += xa * ease_x(em, tr->val[q]) *
					    row[tr->idx[q]];
			}
		}
		*loss = (x2 - s) / (double)tr->nnz;
	}
	return 0;
}

/* score(u) = x_u B: the sum of the B rows of the user's history. */
static void
ease_score_user(const model *m, int u, float *out)
{
	const ease_model *em = (const ease_model *)m;
	const interactions *tr = m->train;
	int n = em->n;

	memset(out, 0, (size_t)n * sizeof *out);
	if (u < 0 || u >= tr->n_users)
		return;
	for (int64_t p = tr->ptr[u]; p < tr->ptr[u + 1]; p++) {
		float x = ease_x(em, tr->val[p]);
		const float *row = em->B + (size_t)tr->idx[p] * n;

		for (int j = 0; j < n; j++)
			out[j] += x * row[j];
	}
}

static int
term_cmp(const void *a, const void *b)
{
	const explain_term *x = a, *y = b;

	if (x->contribution != y->contribution)
		return x->contribution < y->contribution ? 1 : -1;
	return (x->item > y->item) - (x->item < y->item);
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
	int n = 0;

	if (u < 0 || u >= tr->n_users || j < 0 || j >= em->n || max <= 0)
		return 0;
	lo = tr->ptr[u];
	hi = tr->ptr[u + 1];
	if (hi == lo || (all = malloc((size_t)(hi - lo) * sizeof *all)) == NULL)
		return 0;
	for (int64_t p = lo; p < hi; p++) {
		float w = em->B[(size_t)tr->idx[p] * em->n + j];

		if (w == 0)
			continue;
		all[n].item = tr->idx[p];
		all[n].weight = w;
		all[n].contribution = (double)w * ease_x(em, tr->val[p]);
		n++;
	}
	qsort(all, (size_t)n, sizeof *all, term_cmp);
	if (n > max)
		n = max;
	memcpy(terms, all, (size_t)n * sizeof *terms);
	free(all);
	return n;
}

static void
ease_free(model *m)
{
	ease_model *em = (ease_model *)m;

	if (em == NULL)
		return;
	free(em->B);
	model_free_header(&em->base);
	free(em);
}

/* Blob: magic, version, n (uint32 each), then B (n*n floats). */
static const uint32_t ease_magic[2] = { EASE_MAGIC, EASE_VERSION };

static int
ease_save(const model *m, rf_buf *out, rf_error *err)
{
	const ease_model *em = (const ease_model *)m;
	uint32_t n = (uint32_t)em->n;
	blob_writer w;

	if (!em->fitted)
		return rf_fail(err, "ease: nothing to save before training");
	blob_writer_init(&w, out);
	blob_put(&w, ease_magic, sizeof ease_magic);
	blob_put(&w, &n, sizeof n);
	blob_put(&w, em->B, (size_t)em->n * em->n * sizeof *em->B);
	return blob_writer_finish(&w, "ease", err);
}

static model *
ease_load(const dataset *ds, const interactions *train, const double *params,
    const void *data, size_t len, rf_error *err)
{
	uint32_t n;
	blob_reader r;
	ease_model *em;

	if (blob_reader_init(&r, "ease", data, len, ease_magic,
	    sizeof ease_magic, err) < 0 ||
	    blob_get(&r, &n, sizeof n) < 0 ||
	    blob_match(&r, "items", n, train->n_items) < 0 ||
	    blob_expect(&r, (size_t)n * n * sizeof(float)) < 0)
		return NULL;
	if ((em = (ease_model *)ease_alloc(ds, train, params, 0, err)) == NULL)
		return NULL;
	if (blob_get(&r, em->B, (size_t)n * n * sizeof *em->B) < 0) {
		ease_free(&em->base);
		return NULL;
	}
	em->fitted = 1;
	em->base.epochs_done = 1;
	return &em->base;
}

const model_ops model_ease_ops = {
	.name = "ease",
	.help = "EASE item-item closed form (Steck, WWW 2019)",
	.kinds = MODEL_TOPN,
	.params = ease_params,
	.nparams = (int)(sizeof ease_params / sizeof ease_params[0]),
	.default_epochs = 1,
	.create = ease_create,
	.epoch = ease_epoch,
	.score_user = ease_score_user,
	.predict = NULL,
	.explain = ease_explain,
	.save = ease_save,
	.load = ease_load,
	.free = ease_free,
};
