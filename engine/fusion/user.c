/* user: one user's candidate block, scored once (every model over every
 * item) and then re-ranked under whatever settings are in force, with the
 * per-model contributions of each item ranked. */
#include "engine/fusion/user.h"

#include <stdlib.h>
#include <string.h>

#include "engine/fusion/fusion_priv.h"

void
fusion_user_free(fusion_user *b)
{
	if (b == NULL)
		return;
	free(b->item);
	free(b->from);
	free(b->raw);
	free(b->rank);
	free(b);
}

fusion_user *
fusion_user_build(const fusion *f, const interactions *excl, int u,
    int extra, int *extra_added)
{
	fusion_scratch s;
	fusion_user *b;
	int nm = f->n;

	if (excl == NULL)
		excl = f->models[0]->train;
	if (u < 0 || u >= excl->n_users)
		return NULL;
	if (fusion_scratch_init(&s, nm, excl->n_items, f->set.pool_m, 1) < 0)
		return NULL;
	if ((b = calloc(1, sizeof *b)) == NULL) {
		fusion_scratch_free(&s);
		return NULL;
	}
	b->u = u;
	b->nm = nm;
	b->len = fusion_candidates(f, excl, u, extra, &s, extra_added);
	b->item = malloc(((size_t)b->len + 1) * sizeof *b->item);
	b->from = malloc(((size_t)b->len + 1) * sizeof *b->from);
	b->raw = malloc(((size_t)b->len * nm + 1) * sizeof *b->raw);
	b->rank = malloc(((size_t)b->len * nm + 1) * sizeof *b->rank);
	if (b->item == NULL || b->from == NULL || b->raw == NULL ||
	    b->rank == NULL) {
		fusion_scratch_free(&s);
		fusion_user_free(b);
		return NULL;
	}
	memcpy(b->item, s.cand, (size_t)b->len * sizeof *b->item);
	fusion_candidates_fill(f, &s, b->len, b->raw, b->rank, b->from);
	fusion_scratch_free(&s);
	return b;
}

fusion_user *
fusion_user_new(const fusion *f, const interactions *exclude, int u,
    rf_error *err)
{
	const interactions *excl = exclude ? exclude : f->models[0]->train;
	fusion_user *b;

	if (excl->n_users != f->n_users ||
	    excl->n_items != f->models[0]->train->n_items) {
		rf_fail(err, "fusion: the part differs in size from the "
		    "models' train part");
		return NULL;
	}
	if (u < 0 || u >= excl->n_users) {
		rf_fail(err, "fusion: no user %d", u);
		return NULL;
	}
	if ((b = fusion_user_build(f, excl, u, -1, NULL)) == NULL)
		rf_fail(err, "fusion: out of memory scoring user %d", u);
	return b;
}

int
fusion_user_id(const fusion_user *b)
{
	return b->u;
}

void
fusion_fused_free(fusion_fused *o)
{
	free(o->tr);
	free(o->fused);
	memset(o, 0, sizeof *o);
}

int
fusion_user_fuse(const fusion *f, const fusion_user *ub, fusion_fused *out)
{
	memset(out, 0, sizeof *out);
	out->tr = malloc(((size_t)ub->len * ub->nm + 1) * sizeof *out->tr);
	out->fused = malloc(((size_t)ub->len + 1) * sizeof *out->fused);
	if (out->tr == NULL || out->fused == NULL) {
		fusion_fused_free(out);
		return -1;
	}
	fusion_transform(f, ub->nm, ub->len, ub->raw, ub->rank, ub->from,
	    out->tr, NULL);
	out->b.nm = ub->nm;
	out->b.len = ub->len;
	out->b.item = ub->item;
	out->b.from = ub->from;
	out->b.raw = ub->raw;
	out->b.rank = ub->rank;
	out->b.tr = out->tr;
	fusion_block_fuse(f, ub->u, &out->b, out->fused);
	return 0;
}

int
fusion_user_rank(const fusion *f, const fusion_user *b, int k,
    int32_t *items, float *scores, double *contrib, double *base,
    rf_error *err)
{
	fusion_fused o;
	int32_t *pos = NULL;
	int nt;

	if (k < 1)
		return rf_fail(err, "fusion: K must be at least 1");
	if (b->nm != f->n)
		return rf_fail(err, "fusion: user %d was scored by %d models, "
		    "the fusion has %d", b->u, b->nm, f->n);
	if (fusion_user_fuse(f, b, &o) < 0)
		return rf_fail(err, "fusion: out of memory");
	if (contrib && (pos = malloc((size_t)k * sizeof *pos)) == NULL) {
		fusion_fused_free(&o);
		return rf_fail(err, "fusion: out of memory");
	}
	nt = fusion_block_top(&o.b, o.fused, k, items, scores, pos);
	for (int r = 0; contrib && r < nt; r++) {
		double unused;

		fusion_block_contrib(f, b->u, &o.b, pos[r],
		    contrib + (size_t)r * b->nm, &unused);
	}
	if (base)
		*base = fusion_contrib_base(f, b->u);
	free(pos);
	fusion_fused_free(&o);
	return nt < 0 ? rf_fail(err, "fusion: out of memory") : nt;
}
