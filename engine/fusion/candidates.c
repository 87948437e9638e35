/* candidates: one user's candidates for fusion.  Scores the user with
 * every model, takes the union of each model's top-M over the items the
 * user has not seen, and each model's raw score and rank among them. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "engine/core/sort.h"
#include "engine/eval/eval.h"
#include "engine/eval/metrics.h"
#include "engine/fusion/fusion_priv.h"

static int
scored_cmp(const void *a, const void *b)
{
	const fusion_scored *x = a, *y = b;

	if (x->s != y->s)
		return x->s < y->s ? 1 : -1;
	return (x->c > y->c) - (x->c < y->c);
}

static int
int32_cmp(const void *a, const void *b)
{
	int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;

	return (x > y) - (x < y);
}

/* Model m's top nt joins the candidates (len so far, the new count
 * returned): an item new to this user is stamped, every item marks m. */
static int
nominate(fusion_scratch *s, int m, const int32_t *top, int nt, int len)
{
	for (int q = 0; q < nt; q++)
		if (s->stamp[top[q]] != s->tag) {
			s->stamp[top[q]] = s->tag;
			s->nominated[top[q]] = (uint16_t)(1u << m);
			s->cand[len++] = top[q];
		} else
			s->nominated[top[q]] |= (uint16_t)(1u << m);
	return len;
}

void
fusion_scratch_free(fusion_scratch *s)
{
	free(s->scores);
	free(s->cscores);
	free(s->top);
	free(s->cand);
	free(s->stamp);
	free(s->nominated);
	free(s->sort);
	memset(s, 0, sizeof *s);
}

int
fusion_scratch_init(fusion_scratch *s, int nm, int n_items, int M,
    int full)
{
	size_t nc = (size_t)nm * (size_t)M + 2;

	memset(s, 0, sizeof *s);
	s->nm = nm;
	s->n_items = n_items;
	s->M = M;
	s->ccap = (int)nc;
	if (full && (s->scores = malloc((size_t)nm *
	    (size_t)(n_items ? n_items : 1) * sizeof *s->scores)) == NULL)
		return -1;
	s->cscores = malloc((size_t)nm * nc * sizeof *s->cscores);
	s->top = malloc((size_t)M * sizeof *s->top);
	s->cand = malloc(nc * sizeof *s->cand);
	s->stamp = calloc((size_t)n_items + 1, sizeof *s->stamp);
	s->nominated = malloc(((size_t)n_items + 1) * sizeof *s->nominated);
	s->sort = malloc(nc * sizeof *s->sort);
	if (!s->cscores || !s->top || !s->cand || !s->stamp || !s->sort ||
	    !s->nominated) {
		fusion_scratch_free(s);
		return -1;
	}
	return 0;
}

int
fusion_candidates(const fusion *f, const interactions *excl, int u,
    int extra, fusion_scratch *s, int *extra_added)
{
	int n_items = s->n_items, len = 0;
	int64_t lo = excl->ptr[u], hi = excl->ptr[u + 1];

	s->compact = 0;
	/* A fresh tag marks this user's candidates in stamp. */
	if (++s->tag == 0) {
		memset(s->stamp, 0, (size_t)n_items * sizeof *s->stamp);
		s->tag = 1;
	}
	for (int m = 0; m < f->n; m++) {
		float *sc = s->scores + (size_t)m * n_items;
		int nt;

		f->models[m]->ops->score_user(f->models[m], u, sc);
		/* The top-M is taken over unseen items: mark seen ones out
		 * (their score is never used). */
		for (int64_t p = lo; p < hi; p++)
			sc[excl->idx[p]] = -INFINITY;
		nt = topk_select(sc, n_items, s->M, s->top);
		len = nominate(s, m, s->top, nt, len);
	}
	qsort(s->cand, (size_t)len, sizeof *s->cand, int32_cmp);
	if (extra_added)
		*extra_added = 0;
	if (extra >= 0 && extra < n_items) {
		int pos = 0;

		while (pos < len && s->cand[pos] < extra)
			pos++;
		if (pos == len || s->cand[pos] != extra) {
			memmove(s->cand + pos + 1, s->cand + pos,
			    (size_t)(len - pos) * sizeof *s->cand);
			s->cand[pos] = extra;
			s->stamp[extra] = s->tag;
			len++;
			if (extra_added)
				*extra_added = 1;
			/* A seen item's scores were overwritten: restore. */
			for (int64_t p = lo; p < hi; p++)
				if (excl->idx[p] == extra) {
					for (int m = 0; m < f->n; m++) {
						float *sc = s->scores +
						    (size_t)m * n_items;

						f->models[m]->ops->score_user(
						    f->models[m], u, sc);
					}
					break;
				}
		}
	}
	/* The item asked about takes part whatever the weights. */
	if (extra >= 0 && extra < n_items)
		s->nominated[extra] = 0xffff;
	return len;
}

/* Scores of a tile held at once: the evaluator's size (metrics.c). */
#define PRE_TILE_FLOATS	(1 << 17)

void
fusion_pre_free(fusion_pre *pre)
{
	free(pre->tops);
	free(pre->scores);
	free(pre->counts);
	free(pre->tile);
	free(pre->has);
	memset(pre, 0, sizeof *pre);
}

int
fusion_pre_init(fusion_pre *pre, const fusion *f, int cap, int M)
{
	size_t lists = (size_t)f->n * (size_t)cap * (size_t)M + 1;
	int c = PRE_TILE_FLOATS / (cap > 0 ? cap : 1) / 16 * 16;

	memset(pre, 0, sizeof *pre);
	pre->cap = cap;
	pre->M = M;
	pre->tile_items = c < 16 ? 16 : c;
	pre->tops = malloc(lists * sizeof *pre->tops);
	pre->scores = malloc(lists * sizeof *pre->scores);
	pre->counts = calloc((size_t)f->n * (size_t)cap + 1,
	    sizeof *pre->counts);
	pre->tile = malloc(((size_t)cap * (size_t)pre->tile_items + 1) *
	    sizeof *pre->tile);
	pre->has = calloc((size_t)f->n + 1, 1);
	if (!pre->tops || !pre->scores || !pre->counts || !pre->tile ||
	    !pre->has) {
		fusion_pre_free(pre);
		return -1;
	}
	for (int m = 0; m < f->n; m++)
		pre->has[m] = f->models[m]->ops->score_users != NULL;
	return 0;
}

int
fusion_pre_compute(fusion_pre *pre, const fusion *f,
    const interactions *excl, const int32_t *users, int n)
{
	pre->n = n;
	for (int m = 0; m < f->n; m++) {
		size_t at = (size_t)m * (size_t)pre->cap;

		if (pre->has[m] && topk_block(eval_model_score_block,
		    f->models[m], excl, users, n, excl->n_items, pre->M,
		    pre->tile_items, pre->tile, pre->tops + at * pre->M,
		    pre->scores + at * pre->M, pre->counts + at) < 0)
			return -1;
	}
	return 0;
}

int
fusion_candidates_pre(const fusion *f, const interactions *excl, int u,
    const fusion_pre *pre, int j, fusion_scratch *s)
{
	int n_items = s->n_items, len = 0;
	int64_t lo = excl->ptr[u], hi = excl->ptr[u + 1];

	if (++s->tag == 0) {
		memset(s->stamp, 0, (size_t)n_items * sizeof *s->stamp);
		s->tag = 1;
	}
	for (int m = 0; m < f->n; m++) {
		const int32_t *top = s->top;
		int nt;

		if (pre->has[m]) {
			size_t at = (size_t)m * (size_t)pre->cap + (size_t)j;

			nt = pre->counts[at];
			top = pre->tops + at * pre->M;
		} else {
			/* a full row (the scratch was made full for it) */
			float *sc = s->scores + (size_t)m * n_items;

			f->models[m]->ops->score_user(f->models[m], u, sc);
			for (int64_t p = lo; p < hi; p++)
				sc[excl->idx[p]] = -INFINITY;
			nt = topk_select(sc, n_items, s->M, s->top);
		}
		len = nominate(s, m, top, nt, len);
	}
	qsort(s->cand, (size_t)len, sizeof *s->cand, int32_cmp);
	/* Every model's scores of the candidates, by position: a listed
	 * model's from its list, of the candidates the others nominated
	 * computed one by one; the others' from their rows. */
	for (int m = 0; m < f->n; m++) {
		float *cs = s->cscores + (size_t)m * (size_t)s->ccap;
		int32_t one = u;

		if (!pre->has[m]) {
			const float *sc = s->scores + (size_t)m * n_items;

			for (int c = 0; c < len; c++)
				cs[c] = sc[s->cand[c]];
			continue;
		}
		{
			size_t at = (size_t)m * (size_t)pre->cap + (size_t)j;
			const int32_t *top = pre->tops + at * pre->M;
			const float *ps = pre->scores + at * pre->M;

			for (int q = 0; q < pre->counts[at]; q++) {
				int c = (int)rf_find_i32(s->cand, len, top[q]);

				if (c >= 0)
					cs[c] = ps[q];
			}
		}
		for (int c = 0; c < len; c++)
			if (!(s->nominated[s->cand[c]] & (1u << m)))
				f->models[m]->ops->score_users(f->models[m],
				    &one, 1, s->cand[c], s->cand[c] + 1,
				    cs + c);
	}
	s->compact = 1;
	return len;
}

void
fusion_candidates_fill(const fusion *f, fusion_scratch *s, int len,
    float *raw, int32_t *rank, uint16_t *from)
{
	for (int c = 0; c < len; c++)
		from[c] = s->nominated[s->cand[c]];
	for (int m = 0; m < f->n; m++) {
		const float *sc = s->compact ? s->cscores + (size_t)m *
		    (size_t)s->ccap : s->scores + (size_t)m * s->n_items;
		float *r = raw + (size_t)m * len;
		float lo = INFINITY;

		for (int c = 0; c < len; c++) {
			r[c] = s->compact ? sc[c] : sc[s->cand[c]];
			if (isfinite(r[c]) && r[c] < lo)
				lo = r[c];
		}
		/* A model that cannot score an item (NaN, -inf) ranks it
		 * last: its lowest finite score among the candidates. */
		if (!isfinite(lo))
			lo = 0;
		for (int c = 0; c < len; c++)
			if (!isfinite(r[c]))
				r[c] = lo;
		if (rank != NULL)
			fusion_rank_row(r, len, rank + (size_t)m * len,
			    s->sort);
	}
}

void
fusion_rank_row(const float *r, int len, int32_t *rank, fusion_scored *sort)
{
	for (int c = 0; c < len; c++) {
		sort[c].s = r[c];
		sort[c].c = c;
	}
	qsort(sort, (size_t)len, sizeof *sort, scored_cmp);
	for (int j = 0; j < len; j++)
		rank[sort[j].c] = j + 1;
}
