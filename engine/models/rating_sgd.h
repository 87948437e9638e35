/* rating_sgd: the pieces the rating models (baseline, mf, svdpp) share
 * verbatim: the packed (u, i, r) triple and its Fisher-Yates shuffle, the
 * per-epoch visiting seed and learning-rate schedule, the global mean,
 * the small uniform factor initialisation, bias + factor scoring and the
 * clamped prediction, and the common head of their save blobs.  Each is
 * exactly the computation the models used to inline, so results are
 * bit-identical. */
#ifndef RF_RATING_SGD_H
#define RF_RATING_SGD_H

#include "engine/models/blob.h"
#include "engine/core/rng.h"
#include "engine/models/model.h"

typedef struct rating_triple {
	int32_t u, i;
	float r;
} rating_triple;

/* Mean of the training ratings, summed in storage order (0 if none). */
double rating_mean(const interactions *t);
/* Fisher-Yates on tr[0..n) and on x[0..n) (n < 2^32 for the latter). */
void rating_shuffle_triples(rating_triple *tr, int64_t n, rf_rng *rng);
void rating_shuffle_i32(int32_t *x, int64_t n, rf_rng *rng);
/* The generator of one epoch's visiting order: it depends only on the
 * seed and the epoch number (and the epochs before it). */
void rating_epoch_rng(rf_rng *rng, uint64_t seed, int epoch);
/* lr0 decay^epoch, the geometric step schedule of mf and svdpp. */
double rating_learning_rate(double lr0, double decay, int epoch);
/* P (n_users, kpad) and Q (n_items, kpad) uniform on [-a, a], a = sqrt(3)
 * init_std, drawn from seed user rows first; rows of users and items
 * without training ratings are zeroed (items only if t has a transpose). */
void rating_init_factors(float *P, float *Q, const interactions *t, int k,
    int kpad, double init_std, uint64_t seed);
/* out[i] = mu + b_u + b_i (+ Q_i . row when row != NULL) for every item. */
void rating_score(double mu, float bu, const float *bi, int n_items,
    const float *Q, int kpad, const float *row, float *out);
/* mu + b_u + b_i + p . q over k lanes, clamped to the dataset's rating
 * range when it has one. */
double rating_predict(const model *m, double mu, float bu, float bi,
    const float *p, const float *q, int k);
double rating_sumsq(const float *x, size_t n);

/* Save blobs begin with magic, version, a head struct whose first two
 * fields are uint32 n_users, n_items, then bu and bi. */
void rating_save_biases(blob_writer *w, const uint32_t magic[2],
    const void *head, size_t head_size, const float *bu, const float *bi,
    size_t nu, size_t ni);
/* Reads the magic and the head and checks the shape against train. */
int rating_load_head(blob_reader *r, const char *name, const void *data,
    size_t len, const uint32_t magic[2], void *head, size_t head_size,
    const interactions *train, rf_error *err);
/* -1 with an error unless the saved mean is finite. */
int rating_check_mean(const char *name, double mu, rf_error *err);
/* Saved user and item biases must be finite: 0, or -1 + err. */
int rating_check_finite(const model_ops *ops, const float *bu, size_t nu,
    const float *bi, size_t ni, rf_error *err);

#endif
