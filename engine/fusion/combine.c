/* combine: one user's block of candidates -> fused scores.  Normalises
 * each model's scores over the block, combines them by the method, splits
 * a fused score into per-model contributions, and blends ratings.
 *
 * Every method is linear in per-model terms, so the fused score of a
 * candidate splits exactly into per-model contributions
 * (fusion_block_contrib()):
 *   weighted  s = sum_m w_m T_m,	T = the chosen normalisation;
 *   rrf       s = sum_m w_m / (k + rank_m)	(Cormack, Clarke, Buettcher,
 *						 SIGIR 2009, eq. 1);
 *   borda     s = sum_m w_m (len - rank_m)	(Aslam & Montague 2001);
 *   vote      s = sum_m [w_m > 0][rank_m <= N] + 0.49 sum_m w_m T_m / S_u,
 *	       S_u = max over the user's candidates of |sum_m w_m T_m|, so the
 *	       integer vote count decides and the weighted score breaks ties;
 *   stack     s = b_u + sum_m (a_m + sum_f c_fm x_uf) T_m: a logistic
 *	       regression (top-N) or a ridge blend (ratings, as in the Netflix
 *	       Prize blends of Toescher, Jahrer & Bell 2009) whose user
 *	       features x_u (activity, recency) interact with the model
 *	       scores, so light and heavy users weigh the models differently.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "engine/eval/metrics.h"
#include "engine/fusion/fusion_priv.h"

int
fusion_transform_kind(const fusion_settings *s)
{
	switch (s->method) {
	case FUSE_RRF:
		return TR_RRF;
	case FUSE_BORDA:
		return TR_BORDA;
	default:
		return TR_NORM;
	}
}

int
fusion_uses_ranks(const fusion *f)
{
	return f->set.method == FUSE_VOTE ||
	    fusion_transform_kind(&f->set) != TR_NORM ||
	    f->set.norm == NORM_RANK || f->set.norm == NORM_BORDA;
}

unsigned
fusion_active_models(const fusion *f)
{
	unsigned all = (1u << f->n) - 1, active = 0;

	if (f->set.method == FUSE_STACK)
		return all;
	for (int m = 0; m < f->n; m++)
		if (f->set.w[m] > 0)
			active |= 1u << m;
	return active != 0 ? active : all;
}

/* T_m over one model's candidates: over those listed in idx (ascending;
 * NULL: all), n of them, rank[] being their rank among them; the others
 * get 0.  (A list, not a mask per candidate: the mask's branches, taken
 * at random, cost more than the arithmetic.) */
static void
transform_row(int kind, enum fusion_norm norm, double k, int len,
    const float *raw, const int32_t *rank, const int32_t *idx, int n,
    float *out)
{
	double a = 0, b = 0, lo = 0, hi = 0;

	if (idx != NULL)
		memset(out, 0, (size_t)len * sizeof *out);
#define AT(j) (idx != NULL ? idx[j] : (j))
	if (kind == TR_RRF) {
		for (int j = 0; j < n; j++)
			out[AT(j)] = (float)(1.0 / (k + rank[AT(j)]));
		return;
	}
	if (kind == TR_BORDA) {
		for (int j = 0; j < n; j++)
			out[AT(j)] = (float)(n - rank[AT(j)]);
		return;
	}
	switch (norm) {
	case NORM_ZSCORE:
		for (int j = 0; j < n; j++)
			a += raw[AT(j)];
		a /= n ? n : 1;
		for (int j = 0; j < n; j++)
			b += (raw[AT(j)] - a) * (raw[AT(j)] - a);
		b = n > 1 ? sqrt(b / n) : 0;
		/* times 1 / sd: a division per candidate was most of the
		 * cost of a transform */
		b = b > 0 ? 1 / b : 0;
		for (int j = 0; j < n; j++)
			out[AT(j)] = (float)((raw[AT(j)] - a) * b);
		break;
	case NORM_MINMAX:
		if (n > 0)
			lo = hi = raw[AT(0)];
		for (int j = 1; j < n; j++) {
			if (raw[AT(j)] < lo)
				lo = raw[AT(j)];
			if (raw[AT(j)] > hi)
				hi = raw[AT(j)];
		}
		a = hi > lo ? 1 / (hi - lo) : 0;
		for (int j = 0; j < n; j++)
			out[AT(j)] = (float)((raw[AT(j)] - lo) * a);
		break;
	case NORM_RANK:
		for (int j = 0; j < n; j++)
			out[AT(j)] = (float)(1.0 / rank[AT(j)]);
		break;
	case NORM_BORDA:
		a = n > 0 ? 1.0 / n : 0;
		for (int j = 0; j < n; j++)
			out[AT(j)] = (float)((double)(n - rank[AT(j)]) * a);
		break;
	default:
		for (int j = 0; j < n; j++)
			out[AT(j)] = raw[AT(j)];
		break;
	}
#undef AT
}

/* Model m's row of ranks; NULL without ranks (settings that read none:
 * a pool makes them only for those that do). */
#define RANK_ROW(rank, m, len) \
	((rank) != NULL ? (rank) + (size_t)(m) * (len) : NULL)

void
fusion_transform(const fusion *f, int nm, int len, const float *raw,
    const int32_t *rank, const uint16_t *from, float *tr, int32_t *scratch)
{
	int kind = fusion_transform_kind(&f->set), n = 0;
	unsigned active = fusion_active_models(f);
	int32_t *own = NULL, *at, *sub, *idx;

	if (from == NULL || active == (1u << nm) - 1) {
		for (int m = 0; m < nm; m++)
			transform_row(kind, f->set.norm, f->set.rrf_k, len,
			    raw + (size_t)m * len, RANK_ROW(rank, m, len),
			    NULL, len, tr + (size_t)m * len);
		return;
	}
	/* Some models take no part: their candidates go, and each model's
	 * ranks are counted among the candidates left. */
	if (scratch == NULL && (scratch = own = malloc(
	    FUSION_TRANSFORM_SCRATCH(len) * sizeof *own)) == NULL) {
		/* Out of memory: every candidate, rather than nothing. */
		for (int m = 0; m < nm; m++)
			transform_row(kind, f->set.norm, f->set.rrf_k, len,
			    raw + (size_t)m * len, RANK_ROW(rank, m, len),
			    NULL, len, tr + (size_t)m * len);
		return;
	}
	at = scratch;
	sub = scratch + len;
	idx = scratch + 2 * (size_t)len;
	for (int c = 0; c < len; c++)
		if (active & from[c])
			idx[n++] = c;
	for (int m = 0; m < nm; m++) {
		const int32_t *rk = RANK_ROW(rank, m, len);
		int r = 0;

		/* A model that takes no part weighs 0: its T_m is 0. */
		if (!(active & (1u << m))) {
			memset(tr + (size_t)m * len, 0, (size_t)len *
			    sizeof *tr);
			continue;
		}
		/* The ranks among the candidates left, when T_m uses
		 * ranks. */
		if (kind != TR_NORM || f->set.norm == NORM_RANK ||
		    f->set.norm == NORM_BORDA) {
			for (int c = 0; c < len; c++)
				at[rk[c] - 1] = c;
			for (int q = 0; q < len; q++)
				if (active & from[at[q]])
					sub[at[q]] = ++r;
			rk = sub;
		}
		transform_row(kind, f->set.norm, f->set.rrf_k, len,
		    raw + (size_t)m * len, rk, idx, n,
		    tr + (size_t)m * len);
	}
	free(own);
}

/* Per-user weights of the linear methods: fused = base + sum_m we[m] T_m. */
static double
user_weights(const fusion *f, int u, double *we)
{
	double base = 0;

	if (f->set.method == FUSE_STACK && f->stack_kind != STACK_NONE) {
		const float *x = f->ufeat + (size_t)u * UFN;
		const double *th = f->theta;

		base = th[0];
		for (int j = 0; j < UFN; j++)
			base += th[1 + j] * x[j];
		for (int m = 0; m < f->n; m++) {
			we[m] = th[1 + UFN + m];
			for (int j = 0; j < UFN; j++)
				we[m] += th[1 + UFN + f->n + j * f->n + m] *
				    x[j];
		}
		return base;
	}
	fusion_weights(f, we);
	return 0;
}

/* The vote method's tie scale S_u (see the top of the file). */
static double
vote_scale(const fusion *f, const fusion_block *b, const double *w)
{
	double s = 0;

	for (int c = 0; c < b->len; c++) {
		double t = 0;

		for (int m = 0; m < b->nm; m++)
			t += w[m] * b->tr[m * b->len + c];
		if (fabs(t) > s)
			s = fabs(t);
	}
	(void)f;
	return s;
}

#define VOTE_TIE 0.49

void
fusion_block_fuse(const fusion *f, int u, const fusion_block *b,
    float *fused)
{
	double we[FUSION_MAX_MODELS];
	double base = user_weights(f, u, we);
	int len = b->len;

	if (f->set.method == FUSE_VOTE) {
		double s = vote_scale(f, b, we);
		double tie = s > 0 ? VOTE_TIE / s : 0;

		for (int c = 0; c < len; c++) {
			double v = 0, t = 0;

			for (int m = 0; m < b->nm; m++) {
				if (we[m] > 0 && b->rank[m * len + c] <=
				    f->set.vote_n)
					v += 1;
				t += we[m] * b->tr[m * len + c];
			}
			fused[c] = (float)(v + tie * t);
		}
		goto takes_part;
	}
	for (int c = 0; c < len; c++)
		fused[c] = (float)base;
	/* Model by model over the block (in L1): the loops vectorise, and
	 * each candidate's sum takes its terms in model order. */
	for (int m = 0; m < b->nm; m++) {
		float wm = (float)we[m];
		const float *restrict t = b->tr + (size_t)m * len;
		float *restrict out = fused;

		if (wm == 0)
			continue;
		for (int c = 0; c < len; c++)
			out[c] += wm * t[c];
	}
takes_part:
	/* The candidates of models at weight 0 only are not the fusion's. */
	if (b->from != NULL) {
		unsigned active = fusion_active_models(f);

		if (active != (1u << b->nm) - 1) {
			const uint16_t *restrict from = b->from;

			/* a select, not a branch taken at random */
			for (int c = 0; c < len; c++)
				fused[c] = (active & from[c]) ? fused[c] :
				    -INFINITY;
		}
	}
}

double
fusion_block_contrib(const fusion *f, int u, const fusion_block *b, int c,
    double *contrib, double *base_out)
{
	double we[FUSION_MAX_MODELS];
	double base = user_weights(f, u, we), sum;
	int len = b->len;

	if (f->set.method == FUSE_VOTE) {
		double s = vote_scale(f, b, we);
		double tie = s > 0 ? VOTE_TIE / s : 0;

		base = 0;
		for (int m = 0; m < b->nm; m++)
			contrib[m] = (we[m] > 0 && b->rank[m * len + c] <=
			    f->set.vote_n ? 1.0 : 0.0) +
			    tie * we[m] * b->tr[m * len + c];
	} else
		for (int m = 0; m < b->nm; m++)
			contrib[m] = (double)(float)we[m] *
			    b->tr[m * len + c];
	sum = base;
	for (int m = 0; m < b->nm; m++)
		sum += contrib[m];
	*base_out = base;
	return sum;
}

void
fusion_user_weights(const fusion *f, int u, double *we)
{
	(void)user_weights(f, u, we);
}

double
fusion_contrib_base(const fusion *f, int u)
{
	double we[FUSION_MAX_MODELS];

	/* As fusion_block_contrib(): a vote is all votes and tie-breaks. */
	if (f->set.method == FUSE_VOTE)
		return 0;
	return user_weights(f, u, we);
}

int
fusion_block_top(const fusion_block *b, const float *fused, int k,
    int32_t *items, float *scores, int32_t *pos)
{
	int32_t *top = malloc(((size_t)k + 1) * sizeof *top);
	int nt;

	if (top == NULL)
		return -1;
	nt = topk_select(fused, b->len, k, top);
	for (int j = 0; j < nt; j++) {
		items[j] = b->item[top[j]];
		if (scores)
			scores[j] = fused[top[j]];
		if (pos)
			pos[j] = top[j];
	}
	free(top);
	return nt;
}

/* Fused prediction from one pair's model predictions. */
double
fusion_fused_prediction(const fusion *f, int u, const float *pred)
{
	double we[FUSION_MAX_MODELS], s = 0;

	if (f->stack_kind == STACK_RATING && f->set.method == FUSE_STACK) {
		double base;

		/* user_weights() reads the method; the ridge blend uses the
		 * same layout over raw predictions. */
		base = user_weights(f, u, we);
		s = base;
		for (int m = 0; m < f->n; m++)
			s += we[m] * pred[m];
		return s;
	}
	fusion_weights(f, we);
	for (int m = 0; m < f->n; m++)
		s += we[m] * pred[m];
	return s;
}

double
fusion_clip_rating(const fusion *f, double v)
{
	if (f->ds && f->ds->rating_min < f->ds->rating_max) {
		if (v < f->ds->rating_min)
			v = f->ds->rating_min;
		if (v > f->ds->rating_max)
			v = f->ds->rating_max;
	}
	return v;
}
