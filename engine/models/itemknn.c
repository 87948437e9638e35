/* itemknn: item-based neighbourhood models.
 *
 * Top-N (score_user, explain): item-item cosine with shrinkage on the
 * user-item matrix, each item keeping its k most similar items, and
 *   score(u, j) = sum over history items i with j in N_k(i) of s_ij x_ui
 * (Sarwar et al. WWW 2001; Deshpande & Karypis, TOIS 2004).  x is presence
 * (binary=1, the default: on ml-100k Protocol B every value is 1 anyway,
 * and for ratings or behaviour sums presence ranks better than the value)
 * or the stored value (binary=0), times the item's recency weight when
 * `recency` is set (model_recency_row(): recent items count more;
 * chosen on the validation part after the fit by default, as EASE's).
 *
 * Ratings (predict), on when rating=1 or rating=-1 and the data are
 * ratings: KNNBaseline of Koren, "Factor in the Neighbors" (TKDD 2010),
 * eq. 3 with the baseline-centred Pearson correlation and shrinkage of
 * section 2.2:
 *   r_hat(u,j) = b_uj + sum_{i in N^k(j;u)} s_ij (r_ui - b_ui) / sum s_ij
 * with b_ui = mu + b_u + b_i from a few alternating passes of regularised
 * baselines (section 2.1).  As in Surprise's KNNBaseline, only positive
 * similarities enter N^k(j;u) (a negative one would flip the sign of its
 * neighbour's deviation with no normalising mass behind it), and the
 * prediction is clipped to the rating scale. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/models/blob.h"
#include "engine/models/model.h"
#include "engine/models/registry.h"

#define KNN_MAGIC	0x4b4e4e49u	/* "KNNI" */
#define KNN_VERSION	1u
/* Baselines behind pearson_baseline: Surprise's passes and user weight;
 * the item weight is 3, not Surprise's 10, chosen on a random fifth carved
 * from each of u1..u5.base (validation RMSE 0.9308 vs 0.9334 at 10; the
 * item baselines matter more than the users' for an item-based model). */
#define KNN_BASE_PASSES	10
#define KNN_BASE_REG_I	3.0
#define KNN_BASE_REG_U	15.0
/* Positive rating-similarities kept per item, most similar first; enough
 * that N^k(j;u) is exact for any catalogue of this size. */
#define KNN_RATING_KEEP	2000

enum { P_K, P_SHRINK, P_BINARY, P_RATING, P_RK, P_RSHRINK, P_MAX_MB,
    P_RECENCY };

static const model_param knn_params[] = {
	{ "k", 100, 1, 5000, 10, 1,
	  "neighbours kept per item for top-N scores" },
	{ "shrink", 10, 0, 1000, 5, 0,
	  "cosine shrinkage: s = a.b / (|a||b| + shrink)" },
	{ "binary", 1, 0, 1, 1, 1,
	  "top-N on presence (1) or on the stored values (0)" },
	{ "rating", -1, -1, 1, 1, 1,
	  "rating predictions (KNNBaseline): 1 on, 0 off, -1 if rating data" },
	{ "rating_k", 40, 1, 1000, 5, 1,
	  "neighbours per prediction, N^k(j;u) (Koren 2010 eq. 3)" },
	{ "rating_shrink", 100, 0, 10000, 10, 0,
	  "Pearson shrinkage: s *= (n_ij - 1) / (n_ij - 1 + shrink)" },
	{ "max_mb", 1024, 0.01, 1000000, 256, 0,
	  "megabytes the top-N neighbour lists may take (8 bytes a "
	  "neighbour): past it, fewer than k per item" },
	MODEL_RECENCY_PARAM,
};

/* A sparse similarity list per item (CSR), most similar first. */
typedef struct knn_lists {
	int64_t *ptr;		/* (n + 1) */
	int32_t *idx;
	float *sim;
} knn_lists;

typedef struct knn_model {
	model base;
	int n, n_users;
	knn_lists nb;		/* top-N neighbourhoods N_k(i) */
	int k_used;		/* k, or fewer under max_mb (see knn_k()) */
	int rating;		/* rating part fitted / wanted */
	double mu;
	float *bu, *bi;		/* (n_users), (n) baselines */
	knn_lists rs;		/* positive baseline-Pearson similarities */
	int fitted;
} knn_model;

typedef struct knn_cand {
	int item;
	float sim;
} knn_cand;

static int
knn_want_rating(const knn_model *km)
{
	double r = km->base.params[P_RATING];

	if (r < 0)
		return km->base.ds != NULL && km->base.ds->is_rating;
	return r > 0;
}

static float
knn_x(const knn_model *km, float v)
{
	return km->base.params[P_BINARY] != 0 ? 1.0f : v;
}

static void
knn_lists_free(knn_lists *l)
{
	free(l->ptr);
	free(l->idx);
	free(l->sim);
	memset(l, 0, sizeof *l);
}

static model *
knn_alloc(const dataset *ds, const interactions *train, const double *params,
    uint64_t seed, rf_error *err)
{
	knn_model *km = calloc(1, sizeof *km);

	if (km == NULL) {
		rf_fail(err, "itemknn: out of memory");
		return NULL;
	}
	if (model_init_header(&km->base, &model_itemknn_ops, ds, train,
	    params, seed, err) < 0) {
		free(km);
		return NULL;
	}
	km->n = train->n_items;
	km->n_users = train->n_users;
	km->rating = knn_want_rating(km);
	return &km->base;
}

static model *
knn_create(const dataset *ds, const interactions *train, const double *params,
    uint64_t seed, rf_error *err)
{
	return knn_alloc(ds, train, params, seed, err);
}

/* Descending by similarity, then ascending item: a total order, so the
 * neighbour lists do not depend on the sort's stability. */
static int
cand_cmp(const void *a, const void *b)
{
	const knn_cand *x = a, *y = b;

	if (x->sim != y->sim)
		return x->sim < y->sim ? 1 : -1;
	return (x->item > y->item) - (x->item < y->item);
}

/* Keep the best `keep` of c[0..n) (by cand_cmp), sorted; returns the count.
 * A quickselect partition first so a full sort is only paid on the kept. */
static int
cand_top(knn_cand *c, int n, int keep)
{
	int lo = 0, hi = n - 1;

	if (keep >= n) {
		qsort(c, (size_t)n, sizeof *c, cand_cmp);
		return n;
	}
	while (lo < hi) {
		knn_cand piv = c[lo + (hi - lo) / 2];
		int a = lo, b = hi;

		while (a <= b) {
			while (cand_cmp(&c[a], &piv) < 0)
				a++;
			while (cand_cmp(&c[b], &piv) > 0)
				b--;
			if (a <= b) {
				knn_cand t = c[a];
				c[a++] = c[b];
				c[b--] = t;
			}
		}
		if (keep - 1 <= b)
			hi = b;
		else if (keep - 1 >= a)
			lo = a;
		else
			break;
	}
	qsort(c, (size_t)keep, sizeof *c, cand_cmp);
	return keep;
}

/* Append item i's selected candidates to a growing CSR list. */
static int
lists_push(knn_lists *l, int64_t *cap, int i, const knn_cand *c, int n)
{
	int64_t at = l->ptr[i];

	if (at + n > *cap) {
		int64_t nc = *cap * 2 > at + n ? *cap * 2 : at + n + 1024;
		int32_t *ni = realloc(l->idx, (size_t)nc * sizeof *ni);

		if (ni == NULL)
			return -1;
		l->idx = ni;
		float *ns = realloc(l->sim, (size_t)nc * sizeof *ns);
		if (ns == NULL)
			return -1;
		l->sim = ns;
		*cap = nc;
	}
	for (int q = 0; q < n; q++) {
		l->idx[at + q] = c[q].item;
		l->sim[at + q] = c[q].sim;
	}
	l->ptr[i + 1] = at + n;
	return 0;
}

/* Neighbours kept per item: k, unless n items x k x 8 bytes would pass
 * max_mb (4.3 M items x 100: 3.4 GB); then as many as fit, at least 1. */
static int
knn_k(const knn_model *km)
{
	double budget = km->base.params[P_MAX_MB] * 1048576.0;
	double per_item = budget / (8.0 * (km->n > 0 ? km->n : 1));
	int k = (int)km->base.params[P_K];

	if (per_item < k)
		k = per_item >= 1 ? (int)per_item : 1;
	return k;
}

/* Cosine with shrinkage, one item at a time by sparse co-occurrence:
 * for item i, every user u of i and every item j of u adds x_ui x_uj to a
 * dense accumulator.  Cost sum_u |I_u|^2, no n_items^2 matrix; memory
 * about 21 bytes an item of scratch and the lists, which grow as they
 * fill (sparse data leaves most items with fewer than k neighbours). */
static int
knn_fit_cosine(knn_model *km, const volatile int *cancel, rf_error *err)
{
	const interactions *tr = km->base.train;
	int n = km->n, k = knn_k(km), rc = -1;
	double shrink = km->base.params[P_SHRINK];
	/* The lists grow as they fill, up to k (knn_k(): under max_mb)
	 * neighbours an item at 8 bytes each; the per-item scratch. */
	uint64_t most = (uint64_t)n * (uint64_t)(k < n ? k : (n > 0 ? n : 1));
	int64_t cap = (int64_t)n * (k < 16 ? k : 16) + 1;
	float *dot, *norm;
	int32_t *touched;
	unsigned char *seen;
	knn_cand *c;

	if (model_check_room(&km->base, most * 8 + ((uint64_t)n + 1) *
	    (13 + sizeof *c), P_K, (uint64_t)n * 8, 0, err) < 0)
		return -1;
	dot = calloc((size_t)n + 1, sizeof *dot);
	norm = calloc((size_t)n + 1, sizeof *norm);
	touched = malloc(((size_t)n + 1) * sizeof *touched);
	seen = calloc((size_t)n + 1, 1);
	c = malloc(((size_t)n + 1) * sizeof *c);
	km->k_used = k;
	knn_lists_free(&km->nb);
	km->nb.ptr = calloc((size_t)n + 1, sizeof *km->nb.ptr);
	km->nb.idx = malloc((size_t)cap * sizeof *km->nb.idx);
	km->nb.sim = malloc((size_t)cap * sizeof *km->nb.sim);
	if (!dot || !norm || !touched || !seen || !c || !km->nb.ptr ||
	    !km->nb.idx || !km->nb.sim) {
		rf_fail(err, "itemknn: out of memory");
		goto out;
	}
	for (int i = 0; i < n; i++) {
		double s = 0;

		for (int64_t p = tr->tptr[i]; p < tr->tptr[i + 1]; p++) {
			double x = knn_x(km, tr->tval[p]);
			s += x * x;
		}
		norm[i] = (float)sqrt(s);
	}
	for (int i = 0; i < n; i++) {
		int nt = 0, nc = 0;

		if (cancel && *cancel && (i & 63) == 0) {
			rc = 1;
			goto out;
		}
		for (int64_t p = tr->tptr[i]; p < tr->tptr[i + 1]; p++) {
			int u = tr->tidx[p];
			float xi = knn_x(km, tr->tval[p]);

			for (int64_t q = tr->ptr[u]; q < tr->ptr[u + 1]; q++) {
				int j = tr->idx[q];

				if (!seen[j]) {
					seen[j] = 1;
					touched[nt++] = j;
				}
				dot[j] += xi * knn_x(km, tr->val[q]);
			}
		}
		for (int t = 0; t < nt; t++) {
			int j = touched[t];

			if (j != i && dot[j] != 0) {
				c[nc].item = j;
				c[nc].sim = (float)(dot[j] /
				    ((double)norm[i] * norm[j] + shrink));
				nc++;
			}
			dot[j] = 0;
			seen[j] = 0;
		}
		nc = cand_top(c, nc, k);
		if (lists_push(&km->nb, &cap, i, c, nc) < 0) {
			rf_fail(err, "itemknn: out of memory");
			goto out;
		}
	}
	rc = 0;
out:
	free(dot);
	free(norm);
	free(touched);
	free(seen);
	free(c);
	return rc;
}

/* Regularised baselines by alternating passes (Koren 2010 section 2.1,
 * eq. 2 decoupled as in his "simpler" estimate, Surprise's baseline_als). */
static int
knn_fit_baselines(knn_model *km, rf_error *err)
{
	const interactions *tr = km->base.train;
	double s = 0;

	free(km->bu);
	free(km->bi);
	km->bu = calloc((size_t)km->n_users + 1, sizeof *km->bu);
	km->bi = calloc((size_t)km->n + 1, sizeof *km->bi);
	if (km->bu == NULL || km->bi == NULL)
		return rf_fail(err, "itemknn: out of memory");
	for (int64_t p = 0; p < tr->nnz; p++)
		s += tr->val[p];
	km->mu = tr->nnz ? s / (double)tr->nnz : 0;
	for (int pass = 0; pass < KNN_BASE_PASSES; pass++) {
		for (int i = 0; i < km->n; i++) {
			double dev = 0;

			for (int64_t p = tr->tptr[i]; p < tr->tptr[i + 1]; p++)
				dev += tr->tval[p] - km->mu - km->bu[tr->tidx[p]];
			km->bi[i] = (float)(dev / (KNN_BASE_REG_I +
			    (double)(tr->tptr[i + 1] - tr->tptr[i])));
		}
		for (int u = 0; u < km->n_users; u++) {
			double dev = 0;

			for (int64_t p = tr->ptr[u]; p < tr->ptr[u + 1]; p++)
				dev += tr->val[p] - km->mu - km->bi[tr->idx[p]];
			km->bu[u] = (float)(dev / (KNN_BASE_REG_U +
			    (double)(tr->ptr[u + 1] - tr->ptr[u])));
		}
	}
	return 0;
}

/* Baseline-centred Pearson correlation over the common raters with the
 * shrinkage of Koren 2010 section 2.2:
 *   s_ij = (n_ij - 1) / (n_ij - 1 + shrink) *
 *          sum e_ui e_uj / sqrt(sum e_ui^2 sum e_uj^2),  e = r - b,
 * all sums over u rating both i and j.  Kept: the positive ones. */
static int
knn_fit_pearson(knn_model *km, const volatile int *cancel, rf_error *err)
{
	const interactions *tr = km->base.train;
	int n = km->n, rc = -1;
	double shrink = km->base.params[P_RSHRINK];
	double *acc = calloc(((size_t)n + 1) * 3, sizeof *acc);
	int32_t *cnt = calloc((size_t)n + 1, sizeof *cnt);
	int32_t *touched = malloc(((size_t)n + 1) * sizeof *touched);
	knn_cand *c = malloc(((size_t)n + 1) * sizeof *c);
	float *res = malloc(((size_t)tr->nnz + 1) * sizeof *res);
	int64_t cap = (int64_t)n * 64 + 1;

	knn_lists_free(&km->rs);
	km->rs.ptr = calloc((size_t)n + 1, sizeof *km->rs.ptr);
	km->rs.idx = malloc((size_t)cap * sizeof *km->rs.idx);
	km->rs.sim = malloc((size_t)cap * sizeof *km->rs.sim);
	if (!acc || !cnt || !touched || !c || !res || !km->rs.ptr ||
	    !km->rs.idx || !km->rs.sim) {
		rf_fail(err, "itemknn: out of memory");
		goto out;
	}
	/* residuals e_ui in CSR (by user) order */
	for (int u = 0; u < km->n_users; u++)
		for (int64_t q = tr->ptr[u]; q < tr->ptr[u + 1]; q++)
			res[q] = (float)(tr->val[q] - km->mu - km->bu[u] -
			    km->bi[tr->idx[q]]);
	for (int i = 0; i < n; i++) {
		int nt = 0, nc = 0;

		if (cancel && *cancel && (i & 63) == 0) {
			rc = 1;
			goto out;
		}
		for (int64_t p = tr->tptr[i]; p < tr->tptr[i + 1]; p++) {
			int u = tr->tidx[p];
			double ei = tr->tval[p] - km->mu - km->bu[u] - km->bi[i];

			for (int64_t q = tr->ptr[u]; q < tr->ptr[u + 1]; q++) {
				int j = tr->idx[q];
				double ej = res[q];
				double *a = acc + (size_t)j * 3;

				if (cnt[j]++ == 0)
					touched[nt++] = j;
				a[0] += ei * ej;
				a[1] += ei * ei;
				a[2] += ej * ej;
			}
		}
		for (int t = 0; t < nt; t++) {
			int j = touched[t];
			double *a = acc + (size_t)j * 3;

			if (j != i && cnt[j] > 1 && a[1] > 0 && a[2] > 0 &&
			    a[0] > 0) {
				double s = a[0] / sqrt(a[1] * a[2]);

				s *= (cnt[j] - 1) / (cnt[j] - 1 + shrink);
				if (s > 0) {
					c[nc].item = j;
					c[nc].sim = (float)s;
					nc++;
				}
			}
			a[0] = a[1] = a[2] = 0;
			cnt[j] = 0;
		}
		nc = cand_top(c, nc, KNN_RATING_KEEP);
		if (lists_push(&km->rs, &cap, i, c, nc) < 0) {
			rf_fail(err, "itemknn: out of memory");
			goto out;
		}
	}
	rc = 0;
out:
	free(acc);
	free(cnt);
	free(touched);
	free(c);
	free(res);
	return rc;
}

/* Closed form: everything at epoch 0.  The loss reported is the mean
 * number of neighbours kept (there is no objective to descend). */
static int
knn_epoch(model *m, int epoch, double *loss, const volatile int *cancel,
    rf_error *err)
{
	knn_model *km = (knn_model *)m;
	int rc;

	*loss = 0;
	if (epoch == 0 && !km->fitted) {
		if ((rc = knn_fit_cosine(km, cancel, err)) != 0)
			return rc;
		if (km->rating) {
			if (knn_fit_baselines(km, err) < 0)
				return -1;
			if ((rc = knn_fit_pearson(km, cancel, err)) != 0)
				return rc;
		}
		km->fitted = 1;
	}
	if (km->fitted && km->n > 0)
		*loss = (double)km->nb.ptr[km->n] / km->n;
	return 0;
}

static void
knn_score_user(const model *m, int u, float *out)
{
	const knn_model *km = (const knn_model *)m;
	const interactions *tr = m->train;

	int64_t lo, len;
	float *w;

	memset(out, 0, (size_t)km->n * sizeof *out);
	if (!km->fitted || u < 0 || u >= tr->n_users)
		return;
	lo = tr->ptr[u];
	len = tr->ptr[u + 1] - lo;
	w = model_recency_row(m, u, m->params[P_RECENCY]);
	for (int64_t p = lo; p < lo + len; p++) {
		int i = tr->idx[p];
		float x = knn_x(km, tr->val[p]) * (w ? w[p - lo] : 1.0f);

		for (int64_t q = km->nb.ptr[i]; q < km->nb.ptr[i + 1]; q++)
			out[km->nb.idx[q]] += km->nb.sim[q] * x;
	}
	free(w);
}

/* u's value for item i, by binary search in the sorted row; -1 if none. */
static int64_t
knn_find(const interactions *tr, int u, int i)
{
	int64_t lo = tr->ptr[u], hi = tr->ptr[u + 1] - 1;

	while (lo <= hi) {
		int64_t mid = lo + (hi - lo) / 2;

		if (tr->idx[mid] == i)
			return mid;
		if (tr->idx[mid] < i)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return -1;
}

/* Koren 2010 eq. 3 (KNNBaseline): walk j's positive similarities, most
 * similar first, and take the first rating_k items u rated. */
static double
knn_predict(const model *m, int u, int j)
{
	const knn_model *km = (const knn_model *)m;
	const interactions *tr = m->train;
	const dataset *ds = m->ds;
	int k = (int)m->params[P_RK], used = 0;
	double est, num = 0, den = 0;

	if (!km->fitted || !km->rating)
		return NAN;
	est = km->mu;
	if (u >= 0 && u < km->n_users)
		est += km->bu[u];
	if (j >= 0 && j < km->n)
		est += km->bi[j];
	if (u >= 0 && u < km->n_users && j >= 0 && j < km->n) {
		for (int64_t q = km->rs.ptr[j];
		    q < km->rs.ptr[j + 1] && used < k; q++) {
			int i = km->rs.idx[q];
			int64_t at = knn_find(tr, u, i);

			if (at < 0)
				continue;
			num += km->rs.sim[q] * (tr->val[at] - km->mu -
			    km->bu[u] - km->bi[i]);
			den += km->rs.sim[q];
			used++;
		}
	}
	if (den > 0)
		est += num / den;
	if (ds != NULL && ds->rating_max > ds->rating_min) {
		if (est < ds->rating_min)
			est = ds->rating_min;
		if (est > ds->rating_max)
			est = ds->rating_max;
	}
	return est;
}

/* The terms of score(u, j): each history item i that has j among its
 * neighbours adds s_ij x_ui; together they sum to the score. */
static int
knn_explain(const model *m, int u, int j, explain_term *terms, int max)
{
	const knn_model *km = (const knn_model *)m;
	const interactions *tr = m->train;
	explain_term *all;
	float *rw;
	int n = 0;

	if (!km->fitted || u < 0 || u >= tr->n_users || j < 0 || j >= km->n ||
	    max <= 0 || tr->ptr[u + 1] == tr->ptr[u])
		return 0;
	all = malloc((size_t)(tr->ptr[u + 1] - tr->ptr[u]) * sizeof *all);
	if (all == NULL)
		return 0;
	rw = model_recency_row(m, u, m->params[P_RECENCY]);
	for (int64_t p = tr->ptr[u]; p < tr->ptr[u + 1]; p++) {
		int i = tr->idx[p];

		for (int64_t q = km->nb.ptr[i]; q < km->nb.ptr[i + 1]; q++) {
			if (km->nb.idx[q] != j)
				continue;
			all[n].item = i;
			all[n].weight = km->nb.sim[q];
			all[n].contribution = km->nb.sim[q] *
			    knn_x(km, tr->val[p]) *
			    (rw ? rw[p - tr->ptr[u]] : 1.0f);
			n++;
			break;
		}
	}
	n = model_keep_top_terms(all, n, terms, max);
	free(all);
	free(rw);
	return n;
}

/* Blob: uint32 magic, version, n_items, n_users, rating; int64 nnz of the
 * two lists; then nb (ptr, idx, sim), and when rating: double mu, bu, bi,
 * rs (ptr, idx, sim). */
static const uint32_t knn_magic[2] = { KNN_MAGIC, KNN_VERSION };

typedef struct knn_header {
	uint32_t n, n_users, rating, pad;
	int64_t nb_nnz, rs_nnz;
} knn_header;

static void
lists_save(blob_writer *w, const knn_lists *l, int n)
{
	int64_t nnz = l->ptr[n];

	blob_put(w, l->ptr, ((size_t)n + 1) * sizeof *l->ptr);
	blob_put(w, l->idx, (size_t)nnz * sizeof *l->idx);
	blob_put(w, l->sim, (size_t)nnz * sizeof *l->sim);
}

static int
knn_save(const model *m, rf_buf *out, rf_error *err)
{
	const knn_model *km = (const knn_model *)m;
	knn_header h;
	blob_writer w;

	if (!km->fitted)
		return rf_fail(err, "itemknn: nothing to save before training");
	memset(&h, 0, sizeof h);
	h.n = (uint32_t)km->n;
	h.n_users = (uint32_t)km->n_users;
	h.rating = (uint32_t)km->rating;
	h.nb_nnz = km->nb.ptr[km->n];
	h.rs_nnz = km->rating ? km->rs.ptr[km->n] : 0;
	blob_writer_init(&w, out);
	blob_put(&w, knn_magic, sizeof knn_magic);
	blob_put(&w, &h, sizeof h);
	lists_save(&w, &km->nb, km->n);
	if (km->rating) {
		blob_put(&w, &km->mu, sizeof km->mu);
		blob_put(&w, km->bu, (size_t)km->n_users * sizeof *km->bu);
		blob_put(&w, km->bi, (size_t)km->n * sizeof *km->bi);
		lists_save(&w, &km->rs, km->n);
	}
	return blob_writer_finish(&w, "itemknn", err);
}

/* Read n + 1 offsets and the arrays; check the offsets are a valid CSR
 * over items < n.  -1 out of memory, -2 corrupt. */
static int
lists_load(knn_lists *l, int n, int64_t nnz, blob_reader *r)
{
	l->ptr = malloc(((size_t)n + 1) * sizeof *l->ptr);
	l->idx = malloc((size_t)(nnz ? nnz : 1) * sizeof *l->idx);
	l->sim = malloc((size_t)(nnz ? nnz : 1) * sizeof *l->sim);
	if (!l->ptr || !l->idx || !l->sim)
		return -1;
	if (blob_get(r, l->ptr, ((size_t)n + 1) * sizeof *l->ptr) < 0 ||
	    blob_get(r, l->idx, (size_t)nnz * sizeof *l->idx) < 0 ||
	    blob_get(r, l->sim, (size_t)nnz * sizeof *l->sim) < 0)
		return -2;
	if (l->ptr[0] != 0 || l->ptr[n] != nnz)
		return -2;
	for (int i = 0; i < n; i++)
		if (l->ptr[i + 1] < l->ptr[i])
			return -2;
	for (int64_t q = 0; q < nnz; q++)
		if (l->idx[q] < 0 || l->idx[q] >= n)
			return -2;
	return 0;
}

/* Every similarity, bias and the mean read back must be finite. */
static int
knn_check_finite(const knn_model *km, const knn_header *h, rf_error *err)
{
	const model_ops *ops = &model_itemknn_ops;

	if (model_check_finite(ops, "similarities", km->nb.sim,
	    (size_t)h->nb_nnz, err) < 0)
		return -1;
	if (!km->rating)
		return 0;
	if (!isfinite(km->mu))
		return rf_fail(err, "itemknn: saved mean rating is not finite "
		    "(%g)", km->mu);
	if (model_check_finite(ops, "rating similarities", km->rs.sim,
	    (size_t)h->rs_nnz, err) < 0 ||
	    model_check_finite(ops, "user biases", km->bu, h->n_users,
	    err) < 0 ||
	    model_check_finite(ops, "item biases", km->bi, h->n, err) < 0)
		return -1;
	return 0;
}

static model *
knn_load(const dataset *ds, const interactions *train, const double *params,
    const void *data, size_t len, rf_error *err)
{
	knn_header h;
	blob_reader r;
	knn_model *km;
	size_t want;
	int n;

	if (model_check_saved_params(&model_itemknn_ops, params, err) < 0)
		return NULL;
	if (blob_reader_init(&r, "itemknn", data, len, knn_magic,
	    sizeof knn_magic, err) < 0 ||
	    blob_get(&r, &h, sizeof h) < 0 ||
	    blob_match(&r, "users", h.n_users, train->n_users) < 0 ||
	    blob_match(&r, "items", h.n, train->n_items) < 0)
		return NULL;
	n = (int)h.n;
	if (h.nb_nnz < 0 || h.rs_nnz < 0 ||
	    h.nb_nnz > (int64_t)n * n || h.rs_nnz > (int64_t)n * n) {
		rf_fail(err, "itemknn: saved model corrupt");
		return NULL;
	}
	want = ((size_t)n + 1) * 8 + (size_t)h.nb_nnz * 8;
	if (h.rating)
		want += sizeof(double) + (size_t)h.n_users * 4 + (size_t)n * 4 +
		    ((size_t)n + 1) * 8 + (size_t)h.rs_nnz * 8;
	if (blob_expect(&r, want) < 0)
		return NULL;
	if ((km = (knn_model *)knn_alloc(ds, train, params, 0, err)) == NULL)
		return NULL;
	km->rating = h.rating != 0;
	int rc = lists_load(&km->nb, n, h.nb_nnz, &r);
	if (rc == 0 && km->rating) {
		km->bu = malloc(((size_t)h.n_users + 1) * sizeof *km->bu);
		km->bi = malloc(((size_t)n + 1) * sizeof *km->bi);
		if (km->bu == NULL || km->bi == NULL)
			rc = -1;
		else if (blob_get(&r, &km->mu, sizeof km->mu) < 0 ||
		    blob_get(&r, km->bu, (size_t)h.n_users * sizeof *km->bu)
		    < 0 ||
		    blob_get(&r, km->bi, (size_t)n * sizeof *km->bi) < 0)
			rc = -2;
		else
			rc = lists_load(&km->rs, n, h.rs_nnz, &r);
	}
	if (rc == 0 && knn_check_finite(km, &h, err) < 0)
		rc = -3;	/* err says which values */
	if (rc != 0) {
		if (rc != -3)
			rf_fail(err, rc == -1 ? "itemknn: out of memory" :
			    "itemknn: saved model corrupt");
		km->base.ops->free(&km->base);
		return NULL;
	}
	km->fitted = 1;
	km->base.epochs_done = 1;
	return &km->base;
}

static void
knn_free(model *m)
{
	knn_model *km = (knn_model *)m;

	if (km == NULL)
		return;
	knn_lists_free(&km->nb);
	knn_lists_free(&km->rs);
	free(km->bu);
	free(km->bi);
	model_free_header(&km->base);
	free(km);
}

/* Fewer neighbours than k, when max_mb set it so. */
static int
knn_report(const model *m, char *buf, size_t n)
{
	const knn_model *km = (const knn_model *)m;
	int k = (int)m->params[P_K];

	if (km->k_used <= 0 || km->k_used >= k)
		return 0;
	snprintf(buf, n, "kept at most %d neighbours per item, not k %d: %d "
	    "items x %d x 8 bytes would take %.1f GB (max_mb %.0f); the lists "
	    "hold %lld neighbours, %.0f MB", km->k_used, k, km->n, k,
	    (double)km->n * k * 8 / 1e9, m->params[P_MAX_MB],
	    (long long)km->nb.ptr[km->n], (double)km->nb.ptr[km->n] * 8 /
	    1048576.0);
	return 1;
}

/* `train itemknn --search`: the main parameters, one at a time. */
static const model_search knn_search[] = {
	{ "k", 6, { 20, 50, 100, 200, 400, 1000 }, 0 },
	{ "shrink", 5, { 0, 5, 20, 50, 200 }, 0 },
	{ "recency", MODEL_RECENCY_VALUES, MODEL_SEARCH_TIMED },
	{ NULL, 0, { 0 }, 0 }
};

const model_ops model_itemknn_ops = {
	.name = "itemknn",
	.title = "ItemKNN",
	.help = "item-item cosine kNN (Deshpande & Karypis 2004) and "
	    "KNNBaseline ratings (Koren, TKDD 2010)",
	.memory = "k neighbours per item at 8 bytes each, at most max_mb in "
	    "all (fewer than k past it: 4.3 M items x 100 would be 3.4 GB), "
	    "and about 21 bytes an item while it fits; on rating data up to "
	    "2,000 similarities per item more",
	.kinds = MODEL_TOPN | MODEL_RATING,
	.traits = MODEL_ROW_BASED,
	.params = knn_params,
	.nparams = (int)(sizeof knn_params / sizeof knn_params[0]),
	.search = knn_search,
	.default_epochs = 1,
	.create = knn_create,
	.epoch = knn_epoch,
	.score_user = knn_score_user,
	.predict = knn_predict,
	.explain = knn_explain,
	.report = knn_report,
	.save = knn_save,
	.load = knn_load,
	.free = knn_free,
};
