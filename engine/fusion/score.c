/* score: one user on the fly.  Each call scores every model for the user,
 * builds the user's candidates and fuses them: the evaluator's score_fn
 * and predict_fn, top-k recommendations, one item's contributions. */
#include "engine/fusion/score.h"

#include <math.h>
#include <string.h>

#include "engine/fusion/fusion_priv.h"

void
fusion_score_user(const void *ctx, int u, float *out)
{
	const fusion *f = ctx;
	int n_items = f->models[0]->train->n_items;
	fusion_user *b;
	fusion_fused o;

	for (int i = 0; i < n_items; i++)
		out[i] = -INFINITY;
	if ((b = fusion_user_build(f, f->known, u, -1, NULL)) == NULL)
		return;
	if (fusion_user_fuse(f, b, &o) == 0) {
		for (int c = 0; c < b->len; c++)
			out[b->item[c]] = o.fused[c];
		fusion_fused_free(&o);
	}
	fusion_user_free(b);
}

double
fusion_predict(const void *ctx, int u, int i)
{
	const fusion *f = ctx;
	float pred[FUSION_MAX_MODELS];

	if (!f->can_predict)
		return NAN;
	for (int m = 0; m < f->n; m++)
		pred[m] = (float)f->models[m]->ops->predict(f->models[m], u, i);
	return fusion_fused_prediction(f, u, pred);
}

int
fusion_recommend(const fusion *f, int u, int k, int32_t *items,
    float *scores, rf_error *err)
{
	fusion_user *b;
	int nt;

	if (k < 1)
		return rf_fail(err, "fusion: K must be at least 1");
	if ((b = fusion_user_build(f, f->known, u, -1, NULL)) == NULL)
		return rf_fail(err, "fusion: no user %d, or out of memory", u);
	nt = fusion_user_rank(f, b, k, items, scores, NULL, NULL, err);
	fusion_user_free(b);
	return nt;
}

int
fusion_contributions(const fusion *f, int u, int i, fusion_contrib *out,
    rf_error *err)
{
	fusion_user *b;
	fusion_fused o;
	int c, added = 0;

	memset(out, 0, sizeof *out);
	if (i < 0 || i >= f->models[0]->train->n_items)
		return rf_fail(err, "fusion: no item %d", i);
	/* The user's candidates, with i added when it is not one of them
	 * (scores, ranks and normalisation then take it in). */
	if ((b = fusion_user_build(f, f->known, u, i, &added)) == NULL)
		return rf_fail(err, "fusion: no user %d, or out of memory", u);
	if (fusion_user_fuse(f, b, &o) < 0) {
		fusion_user_free(b);
		return rf_fail(err, "fusion: out of memory");
	}
	for (c = 0; c < b->len && b->item[c] != i; c++)
		;
	out->n_models = f->n;
	out->in_pool = !added;
	out->pool_len = b->len;
	out->fused = fusion_block_contrib(f, u, &o.b, c, out->contrib,
	    &out->base);
	out->fused_rank = 1;
	for (int j = 0; j < b->len; j++)
		if (o.fused[j] > o.fused[c] || (o.fused[j] == o.fused[c] &&
		    j < c))
			out->fused_rank++;
	fusion_user_weights(f, u, out->weight);
	for (int m = 0; m < f->n; m++) {
		out->score[m] = b->raw[(size_t)m * b->len + c];
		out->rank[m] = b->rank[(size_t)m * b->len + c];
	}
	fusion_fused_free(&o);
	fusion_user_free(b);
	return 0;
}
