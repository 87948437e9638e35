/* rating_sgd: shared pieces of the rating models; see rating_sgd.h. */
#include "engine/models/rating_sgd.h"
#include "engine/core/rng.h"

#include <cblas.h>
#include <math.h>
#include <string.h>

double
rating_mean(const interactions *t)
{
	double sum = 0;

	for (int64_t p = 0; p < t->nnz; p++)
		sum += t->val[p];
	return t->nnz ? sum / (double)t->nnz : 0;
}

void
rating_shuffle_triples(rating_triple *tr, int64_t n, rf_rng *rng)
{
	for (int64_t j = n - 1; j > 0; j--) {
		int64_t r = j < 0xffffffffLL ?
		    (int64_t)rf_rng_below(rng, (uint32_t)(j + 1)) :
		    (int64_t)(rf_rng_next(rng) % (uint64_t)(j + 1));
		rating_triple x = tr[j];

		tr[j] = tr[r];
		tr[r] = x;
	}
}

void
rating_shuffle_i32(int32_t *x, int64_t n, rf_rng *rng)
{
	for (int64_t j = n - 1; j > 0; j--) {
		int64_t r = (int64_t)rf_rng_below(rng, (uint32_t)(j + 1));
		int32_t v = x[j];

		x[j] = x[r];
		x[r] = v;
	}
}

void
rating_epoch_rng(rf_rng *rng, uint64_t seed, int epoch)
{
	rf_rng_seed(rng, seed ^ (0x9e3779b97f4a7c15ULL *
	    (uint64_t)(epoch + 1)));
}

double
rating_learning_rate(double lr0, double decay, int epoch)
{
	return lr0 * pow(decay, epoch);
}

/* Small random factors break the symmetry (Funk); users and items without
 * training ratings keep zero factors so that they predict the bias terms
 * alone instead of noise.  Uniform on [-a, a] with a = sqrt(3) sd has the
 * asked standard deviation and costs far less than a normal draw. */
void
rating_init_factors(float *P, float *Q, const interactions *t, int k,
    int kpad, double init_std, uint64_t seed)
{
	const double a = 2 * sqrt(3.0) * init_std;
	rf_rng rng;

	rf_rng_seed(&rng, seed);
	for (int u = 0; u < t->n_users; u++) {
		float *p = P + (size_t)u * kpad;

		for (int f = 0; f < k; f++)
			p[f] = (float)(a * (rf_rng_uniform(&rng) - 0.5));
		if (t->ptr[u + 1] == t->ptr[u])
			memset(p, 0, (size_t)kpad * sizeof *p);
	}
	for (int i = 0; i < t->n_items; i++) {
		float *q = Q + (size_t)i * kpad;

		for (int f = 0; f < k; f++)
			q[f] = (float)(a * (rf_rng_uniform(&rng) - 0.5));
		if (t->tptr != NULL && t->tptr[i + 1] == t->tptr[i])
			memset(q, 0, (size_t)kpad * sizeof *q);
	}
}

void
rating_score(double mu, float bu, const float *bi, int n_items,
    const float *Q, int kpad, const float *row, float *out)
{
	const float base = (float)mu + bu;

	for (int i = 0; i < n_items; i++)
		out[i] = base + bi[i];
	if (row != NULL && n_items > 0)
		cblas_sgemv(CblasRowMajor, CblasNoTrans, n_items, kpad, 1.0f,
		    Q, kpad, row, 1, 1.0f, out, 1);
}

double
rating_predict(const model *m, double mu, float bu, float bi,
    const float *p, const float *q, int k)
{
	const dataset *ds = m->ds;
	double r = mu + bu + bi;

	for (int f = 0; f < k; f++)
		r += (double)p[f] * q[f];
	if (ds != NULL && ds->rating_max > ds->rating_min) {
		if (r < ds->rating_min)
			r = ds->rating_min;
		if (r > ds->rating_max)
			r = ds->rating_max;
	}
	return r;
}

double
rating_sumsq(const float *x, size_t n)
{
	double s = 0;

	for (size_t j = 0; j < n; j++)
		s += (double)x[j] * x[j];
	return s;
}

void
rating_save_biases(blob_writer *w, const uint32_t magic[2], const void *head,
    size_t head_size, const float *bu, const float *bi, size_t nu, size_t ni)
{
	blob_put(w, magic, 2 * sizeof *magic);
	blob_put(w, head, head_size);
	blob_put(w, bu, nu * sizeof *bu);
	blob_put(w, bi, ni * sizeof *bi);
}

int
rating_load_head(blob_reader *r, const char *name, const void *data,
    size_t len, const uint32_t magic[2], void *head, size_t head_size,
    const interactions *train, rf_error *err)
{
	uint32_t shape[2];

	if (blob_reader_init(r, name, data, len, magic, 2 * sizeof *magic,
	    err) < 0 || blob_get(r, head, head_size) < 0)
		return -1;
	memcpy(shape, head, sizeof shape);
	if (blob_match(r, "users", shape[0], train->n_users) < 0 ||
	    blob_match(r, "items", shape[1], train->n_items) < 0)
		return -1;
	return 0;
}

int
rating_check_finite(const model_ops *ops, const float *bu, size_t nu,
    const float *bi, size_t ni, rf_error *err)
{
	if (model_check_finite(ops, "user biases", bu, nu, err) < 0 ||
	    model_check_finite(ops, "item biases", bi, ni, err) < 0)
		return -1;
	return 0;
}

int
rating_check_mean(const char *name, double mu, rf_error *err)
{
	if (!isfinite(mu))
		return rf_fail(err, "%s: saved model corrupt (mean %g)", name,
		    mu);
	return 0;
}
