/* gru4rec: the sequence model, a GRU over each user's items in time order
 * that scores every item as the next one (Hidasi, Karatzoglou, Baltrunas,
 * Tikk 2016, "Session-based Recommendations with Recurrent Neural
 * Networks"; Hidasi & Karatzoglou 2018, "Recurrent Neural Networks with
 * Top-k Gains"), for users' histories rather than sessions:
 *
 *   e_i  = E_i + C_cat(i)                  item embedding (+ its category's)
 *   h_t  = GRU(e_{s_t}, h_{t-1}), h_0 = 0  (gru_cell.h)
 *   y_ti = h_t . e_i + b_i                 the score of i as item t + 1
 *
 * with the item embeddings tied between input and output.  A user's score
 * is the state after the last L items of the train history.  Training
 * cuts each history into windows of L + 1 items (BPTT over L steps, the
 * last window ending at the last item) and minimises the softmax cross-
 * entropy of every next item over a shared candidate set per mini-batch:
 * the batch's own targets (GRU4Rec's mini-batch negatives) and `neg`
 * items drawn by popularity^alpha, with the logQ correction of sampled
 * softmax (Bengio & Senecal 2008; Yi et al. 2019) so that the loss
 * approximates the full softmax over all items (gSASRec's lesson: a
 * calibrated sampled loss closes most of the gap to the full one).  Adam
 * (Kingma & Ba 2015), lazily on the embedding rows a batch touches;
 * dropout on the GRU's inputs and outputs.  Parameters, gradients and
 * both Adam moments share one layout (llm.c style). */
#include "engine/models/blob.h"
#include "engine/models/gru4rec.h"
#include "engine/models/registry.h"
#include "engine/core/rng.h"

#include <cblas.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define G4_MAX_BATCH	512	/* windows per mini-batch, at most */

enum {
	G4_FACTORS, G4_WINDOW, G4_NEG, G4_ALPHA, G4_LR, G4_BATCH, G4_DROPOUT,
	G4_REG, G4_CATEGORY, G4_NPARAMS
};

static const model_param g4_params[G4_NPARAMS] = {
	{ "factors", 64, 4, 512, 4, 1,
	    "item embedding and GRU state size" },
	{ "window", 50, 2, 400, 1, 1,
	    "the last L items the GRU reads (and BPTT runs over)" },
	{ "neg", 256, 0, 8192, 64, 1,
	    "negatives drawn by popularity^alpha per mini-batch, beside the "
	    "batch's own targets" },
	{ "alpha", 0.5, 0, 1, 0.1, 0,
	    "popularity exponent of the drawn negatives (0: uniform)" },
	{ "lr", 0.005, 1e-5, 0.1, 0.0005, 0, "Adam learning rate" },
	{ "batch", 32, 1, G4_MAX_BATCH, 8, 1,
	    "windows of L + 1 items per mini-batch" },
	{ "dropout", 0.5, 0, 0.9, 0.05, 0,
	    "dropout on the GRU's inputs and outputs" },
	{ "reg", 0, 0, 1, 1e-5, 0,
	    "L2 regularisation (coupled into Adam) of what a batch touches" },
	{ "category", 1, 0, 1, 1, 1,
	    "1: add an embedding of the item's category, when known" },
};

/* Defaults chosen on validation carved from the train part of ml-100k's
 * `split last 1` (each user's last 3 train items held out; NDCG@10, the
 * mean of epochs 20, 25, 30): dropout 0.4 and 0.5 beat 0.2 and 0.3
 * (0.152, 0.148 vs 0.142 at batch 64; 0.158, 0.156 vs 0.148 at batch
 * 32); batch 32 beat 64 and matched 16; lr 0.005 beat 0.003 (0.152 vs
 * 0.148 at batch 64), 0.01 was no better.  With one item held out: factors 128
 * overfit from epoch 10 on (0.115 at best vs 0.124), window 100, neg 0
 * and alpha 1 were no better.  30 epochs reach the plateau.  On the
 * Taobao sample's validation (last train item, 55k items seen a few
 * times each) dropout 0.5 held NDCG@10 at 0.017 through 30 epochs where
 * 0.4 fell from 0.018 (epoch 10) to 0.010 and 0.2 to 0.006; reg 1e-4 or
 * 1e-3 did not stop the fall; without the category embedding it stayed
 * near 0. */
#define G4_DEFAULT_EPOCHS 30
#define G4_MAGIC	0x55524734u	/* "4GRU" */
#define G4_VERSION	1u
#define G4_ADAM_B1	0.9
#define G4_ADAM_B2	0.999
#define G4_ADAM_EPS	1e-8
#define G4_LOGIT_ROWS	256	/* rows of the logit matrix at a time */
#define G4_STATE_CHUNK	256	/* sequences per forward when scoring */

/* A window of a user's history: items seq[start .. start + len]. */
typedef struct g4_window {
	int32_t user, start, len;
} g4_window;

/* One mini-batch, packed (gru_cell.h), and its scratch. */
typedef struct g4_batch {
	int maxseq, maxrows, maxcand;
	gru_pack pack;
	int nseq, ncand;
	int *len;		/* (maxseq) lengths, longest first */
	const int32_t **seqs;	/* (maxseq) their items */
	int32_t *in_item;	/* (maxrows) the item each row reads */
	int32_t *target;	/* (maxrows) the item it predicts */
	int *target_col;	/* (maxrows) its candidate column */
	float *x, *xmask;	/* (maxrows, h) inputs, input dropout */
	float *out, *omask;	/* (maxrows, h) outputs, output dropout */
	float *cache_mem;
	gru_cache cache;
	float *dh, *dx, *da, *dc;
	int32_t *cand;		/* (maxcand) */
	float *logq;		/* (maxcand) */
	float *shift;		/* (maxcand) b_c - logq_c */
	float *q, *dq;		/* (maxcand, h) candidate embeddings */
	float *dbias;		/* (maxcand) */
	float *logit;		/* (G4_LOGIT_ROWS, maxcand) */
	int *col_of;		/* (n_items) candidate column + 1, else 0 */
	int *touched_item;	/* (maxrows + maxcand) */
	int *touched_cat;
	unsigned char *mark_item, *mark_cat;
} g4_batch;

typedef struct g4_model {
	model base;
	int nu, ni, nc, h, L;
	size_t nparams, nsparse;	/* floats: all, the embeddings' */
	float *param_mem, *grad_mem, *m_mem, *v_mem;
	gru4rec_net p, g, am, av;	/* params, grads, Adam m and v */
	int32_t *cat_of;		/* (ni) category, -1 unknown */
	int32_t *seq;			/* (nnz) each row's items by time */
	float *item_rep;		/* (ni, h) e_i, for scoring */
	float *state;			/* (nu, h) h after the last L items */
	/* training */
	g4_window *win;
	int nwin;
	int *order;			/* (nwin) this epoch's order */
	double *cum;			/* (ni) cumulative popularity^alpha */
	double *log1m_target;		/* (ni) log(1 - P(target = i)) */
	double *log1m_draw;		/* (ni) log(1 - P(draw = i)) */
	g4_batch bt;
	long long step;			/* Adam's t */
	rf_rng rng;
} g4_model;

/* ---- layout ------------------------------------------------------------- */

/* Map a buffer of the parameter layout onto named slices; returns the
 * float count (base may be NULL to count).  *sparse gets the floats of
 * the embedding head. */
static size_t
g4_net_map(gru4rec_net *n, float *base, int ni, int nc, int h,
    size_t *sparse)
{
	size_t off = 0;

#define G4_TAKE(ptr, cnt) do { \
		(ptr) = base ? base + off : NULL; \
		off += (size_t)(cnt); \
	} while (0)
	G4_TAKE(n->item, (size_t)ni * h);
	G4_TAKE(n->cat, (size_t)nc * h);
	G4_TAKE(n->bias, ni);
	if (sparse)
		*sparse = off;
	n->gru.nin = n->gru.nh = h;
	G4_TAKE(n->gru.wx, (size_t)h * 3 * h);
	G4_TAKE(n->gru.wh, (size_t)h * 3 * h);
	G4_TAKE(n->gru.bx, 3 * h);
	G4_TAKE(n->gru.bh, 3 * h);
#undef G4_TAKE
	return off;
}

/* e_i = E_i + C_cat(i) into out (h floats). */
static void
g4_item_vector(const g4_model *gm, const gru4rec_net *p, int i, float *out)
{
	const float *e = p->item + (size_t)i * gm->h;
	int c = gm->cat_of[i];

	if (c < 0) {
		memcpy(out, e, (size_t)gm->h * sizeof *out);
		return;
	}
	for (int k = 0; k < gm->h; k++)
		out[k] = e[k] + p->cat[(size_t)c * gm->h + k];
}

/* dE_i += d, dC_cat(i) += d */
static void
g4_item_grad(const g4_model *gm, gru4rec_net *g, int i, const float *d)
{
	float *e = g->item + (size_t)i * gm->h;
	int c = gm->cat_of[i];

	for (int k = 0; k < gm->h; k++)
		e[k] += d[k];
	if (c >= 0)
		for (int k = 0; k < gm->h; k++)
			g->cat[(size_t)c * gm->h + k] += d[k];
}

/* ---- the batch ---------------------------------------------------------- */

static void
g4_batch_free(g4_batch *b)
{
	gru_pack_free(&b->pack);
	free(b->len);
	free(b->seqs);
	free(b->in_item);
	free(b->target);
	free(b->target_col);
	free(b->x);
	free(b->xmask);
	free(b->out);
	free(b->omask);
	free(b->cache_mem);
	free(b->dh);
	free(b->dx);
	free(b->da);
	free(b->dc);
	free(b->cand);
	free(b->logq);
	free(b->shift);
	free(b->q);
	free(b->dq);
	free(b->dbias);
	free(b->logit);
	free(b->col_of);
	free(b->touched_item);
	free(b->touched_cat);
	free(b->mark_item);
	free(b->mark_cat);
	memset(b, 0, sizeof *b);
}

static int
g4_batch_alloc(g4_batch *b, int maxseq, int steps, int maxcand, int ni,
    int nc, int h)
{
	size_t rows = (size_t)maxseq * steps, hh = (size_t)h;

	memset(b, 0, sizeof *b);
	b->maxseq = maxseq;
	b->maxrows = (int)rows;
	b->maxcand = maxcand;
	if (gru_pack_alloc(&b->pack, steps) < 0)
		return -1;
	b->len = malloc((size_t)maxseq * sizeof *b->len);
	b->seqs = malloc((size_t)maxseq * sizeof *b->seqs);
	b->in_item = malloc(rows * sizeof *b->in_item);
	b->target = malloc(rows * sizeof *b->target);
	b->target_col = malloc(rows * sizeof *b->target_col);
	b->x = malloc(rows * hh * sizeof *b->x);
	b->xmask = malloc(rows * hh * sizeof *b->xmask);
	b->out = malloc(rows * hh * sizeof *b->out);
	b->omask = malloc(rows * hh * sizeof *b->omask);
	b->cache_mem = malloc(gru_cache_floats((int)rows, h) * sizeof(float));
	b->dh = malloc(rows * hh * sizeof *b->dh);
	b->dx = malloc(rows * hh * sizeof *b->dx);
	b->da = malloc(rows * 3 * hh * sizeof *b->da);
	b->dc = malloc((size_t)maxseq * 3 * hh * sizeof *b->dc);
	b->cand = malloc((size_t)maxcand * sizeof *b->cand);
	b->logq = malloc((size_t)maxcand * sizeof *b->logq);
	b->shift = malloc((size_t)maxcand * sizeof *b->shift);
	b->q = malloc((size_t)maxcand * hh * sizeof *b->q);
	b->dq = malloc((size_t)maxcand * hh * sizeof *b->dq);
	b->dbias = malloc((size_t)maxcand * sizeof *b->dbias);
	b->logit = malloc((size_t)G4_LOGIT_ROWS * maxcand * sizeof *b->logit);
	b->col_of = calloc((size_t)ni, sizeof *b->col_of);
	b->touched_item = malloc((rows + (size_t)maxcand) *
	    sizeof *b->touched_item);
	b->touched_cat = malloc((rows + (size_t)maxcand) *
	    sizeof *b->touched_cat);
	b->mark_item = calloc((size_t)ni, 1);
	b->mark_cat = calloc((size_t)nc + 1, 1);
	if (!b->len || !b->seqs || !b->in_item || !b->target ||
	    !b->target_col || !b->x || !b->xmask || !b->out || !b->omask ||
	    !b->cache_mem || !b->dh || !b->dx || !b->da || !b->dc ||
	    !b->cand || !b->logq || !b->shift || !b->q || !b->dq || !b->dbias ||
	    !b->logit || !b->col_of || !b->touched_item ||
	    !b->touched_cat || !b->mark_item || !b->mark_cat) {
		g4_batch_free(b);
		return -1;
	}
	gru_cache_map(&b->cache, b->cache_mem, (int)rows, h);
	return 0;
}

/* Order of sequences: longest first, then by index (deterministic). */
typedef struct g4_by_len {
	int len, index;
} g4_by_len;

static int
g4_longest_first(const void *a, const void *b)
{
	const g4_by_len *x = a, *y = b;

	if (x->len != y->len)
		return x->len > y->len ? -1 : 1;
	return (x->index > y->index) - (x->index < y->index);
}

/* Dropout masks: 0 or 1 / (1 - rate) (inverted dropout), or all 1. */
static void
g4_dropout_mask(float *mask, size_t n, double rate, rf_rng *rng)
{
	float keep = rate > 0 ? (float)(1.0 / (1.0 - rate)) : 1.0f;

	for (size_t k = 0; k < n; k++)
		mask[k] = rate > 0 && rf_rng_uniform(rng) < rate ? 0.0f : keep;
}

/*
 * Lay out n sequences (seqs[s][0 .. len[s]], len[s] >= 1 inputs each) as
 * a packed batch: inputs, targets and dropout masks (rate 0: none).  The
 * sequences are reordered longest first.
 */
static void
g4_batch_pack(const g4_model *gm, g4_batch *b, const int32_t *const *seqs,
    const int *len, int n, double rate, rf_rng *rng)
{
	g4_by_len order[G4_MAX_BATCH];
	const int h = gm->h;

	for (int s = 0; s < n; s++) {
		order[s].len = len[s];
		order[s].index = s;
	}
	qsort(order, (size_t)n, sizeof *order, g4_longest_first);
	for (int s = 0; s < n; s++) {
		b->len[s] = order[s].len;
		b->seqs[s] = seqs[order[s].index];
	}
	b->nseq = n;
	(void)gru_pack_set(&b->pack, b->len, n);	/* sorted, checked */
	for (int t = 0; t < b->pack.steps; t++)
		for (int s = 0; s < b->pack.active[t]; s++) {
			int r = b->pack.offset[t] + s;

			b->in_item[r] = b->seqs[s][t];
			b->target[r] = b->seqs[s][t + 1];
			g4_item_vector(gm, &gm->p, b->in_item[r],
			    b->x + (size_t)r * h);
		}
	g4_dropout_mask(b->xmask, (size_t)b->pack.rows * h, rate, rng);
	g4_dropout_mask(b->omask, (size_t)b->pack.rows * h, rate, rng);
	for (size_t k = 0; k < (size_t)b->pack.rows * h; k++)
		b->x[k] *= b->xmask[k];
}

/* Add item i as a candidate column (once). */
static void
g4_add_candidate(g4_batch *b, int i)
{
	if (b->col_of[i] == 0) {
		b->cand[b->ncand] = i;
		b->col_of[i] = ++b->ncand;
	}
}

static void
g4_clear_candidates(g4_batch *b)
{
	for (int c = 0; c < b->ncand; c++)
		b->col_of[b->cand[c]] = 0;
	b->ncand = 0;
}

/* This batch's candidates: its distinct targets, then up to neg draws by
 * popularity^alpha; logq_c = log P(c in the set) for N target draws from
 * the items' frequencies and neg draws (independent, with replacement). */
static void
g4_sample_candidates(g4_model *gm, g4_batch *b)
{
	int rows = b->pack.rows, neg = (int)gm->base.params[G4_NEG];
	double total = gm->cum[gm->ni - 1];

	for (int r = 0; r < rows; r++)
		g4_add_candidate(b, b->target[r]);
	for (int s = 0; s < neg && b->ncand < b->maxcand && total > 0; s++) {
		double v = rf_rng_uniform(&gm->rng) * total;
		int lo = 0, hi = gm->ni - 1;

		while (lo < hi) {	/* the first item with cum > v */
			int mid = lo + (hi - lo) / 2;

			if (gm->cum[mid] > v)
				hi = mid;
			else
				lo = mid + 1;
		}
		g4_add_candidate(b, lo);
	}
	for (int c = 0; c < b->ncand; c++) {
		int i = b->cand[c];
		double miss = rows * gm->log1m_target[i] +
		    neg * gm->log1m_draw[i];
		double q = -expm1(miss);	/* 1 - e^miss, exact near 0 */

		b->logq[c] = q > 0 ? (float)log(q) : 0.0f;
	}
}

/* ---- forward and backward ----------------------------------------------- */

/* sum[c] += a[r][c] over rows */
static void
add_rows(float *sum, const float *a, int rows, int width)
{
	for (int r = 0; r < rows; r++)
		for (int c = 0; c < width; c++)
			sum[c] += a[(size_t)r * width + c];
}

/*
 * The loss of the packed batch b over its candidates, summed over rows,
 * with dL/dtheta (of the mean: each row weighs scale) added to gm->g.
 */
static double
g4_forward_backward(g4_model *gm, g4_batch *b, double scale)
{
	const int h = gm->h, rows = b->pack.rows, M = b->ncand;
	const size_t rh = (size_t)rows * h;
	double loss = 0;

	gru_forward(&gm->p.gru, &b->pack, b->x, &b->cache);
	for (size_t k = 0; k < rh; k++)
		b->out[k] = b->cache.h[k] * b->omask[k];
	for (int c = 0; c < M; c++)
		g4_item_vector(gm, &gm->p, b->cand[c], b->q + (size_t)c * h);
	for (int r = 0; r < rows; r++)
		b->target_col[r] = b->col_of[b->target[r]] - 1;
	for (int c = 0; c < M; c++)
		b->shift[c] = gm->p.bias[b->cand[c]] - b->logq[c];
	memset(b->dq, 0, (size_t)M * h * sizeof *b->dq);
	memset(b->dbias, 0, (size_t)M * sizeof *b->dbias);
	memset(b->dh, 0, rh * sizeof *b->dh);
	for (int r0 = 0; r0 < rows; r0 += G4_LOGIT_ROWS) {
		int n = rows - r0 < G4_LOGIT_ROWS ? rows - r0 : G4_LOGIT_ROWS;
		const float *o = b->out + (size_t)r0 * h;

		/* logit = o q^T + b - logq (the target's own column is
		 * always in the set: no correction) */
		cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, n, M, h,
		    1.0f, o, h, b->q, h, 0.0f, b->logit, M);
		for (int r = 0; r < n; r++) {
			float *l = b->logit + (size_t)r * M;
			int tc = b->target_col[r0 + r];
			float mx = -INFINITY, sum = 0, inv;

			for (int c = 0; c < M; c++)
				l[c] += b->shift[c];
			l[tc] += b->logq[tc];
			for (int c = 0; c < M; c++)
				mx = l[c] > mx ? l[c] : mx;
			for (int c = 0; c < M; c++) {
				l[c] = expf(l[c] - mx);
				sum += l[c];
			}
			loss -= log((double)l[tc] / sum);
			/* dL/dlogit = (softmax - onehot) scale */
			inv = (float)(scale / sum);
			for (int c = 0; c < M; c++)
				l[c] *= inv;
			l[tc] -= (float)scale;
		}
		add_rows(b->dbias, b->logit, n, M);
		/* dq += dlogit^T o;  dout = dlogit q */
		cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, M, h, n,
		    1.0f, b->logit, M, o, h, 1.0f, b->dq, h);
		cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, h, M,
		    1.0f, b->logit, M, b->q, h, 0.0f, b->dh + (size_t)r0 * h,
		    h);
	}
	for (size_t k = 0; k < rh; k++)
		b->dh[k] *= b->omask[k];
	memset(b->dx, 0, rh * sizeof *b->dx);
	gru_backward(&gm->p.gru, &b->pack, b->x, &b->cache, b->dh, b->da,
	    b->dc, &gm->g.gru, b->dx);
	for (int r = 0; r < rows; r++) {
		float *d = b->dx + (size_t)r * h;

		for (int k = 0; k < h; k++)
			d[k] *= b->xmask[(size_t)r * h + k];
		g4_item_grad(gm, &gm->g, b->in_item[r], d);
	}
	for (int c = 0; c < M; c++) {
		g4_item_grad(gm, &gm->g, b->cand[c], b->dq + (size_t)c * h);
		gm->g.bias[b->cand[c]] += b->dbias[c];
	}
	return loss;
}

/* ---- Adam --------------------------------------------------------------- */

static void
g4_adam(float *p, float *g, float *m, float *v, size_t n, float lr, float reg,
    double c1, double c2)
{
	const float b1 = (float)G4_ADAM_B1, b2 = (float)G4_ADAM_B2;

	for (size_t x = 0; x < n; x++) {
		float gr = g[x] + reg * p[x];

		m[x] = b1 * m[x] + (1 - b1) * gr;
		v[x] = b2 * v[x] + (1 - b2) * gr * gr;
		p[x] -= lr * (float)((m[x] / c1) /
		    (sqrt(v[x] / c2) + G4_ADAM_EPS));
		g[x] = 0;	/* the gradients stay zero between steps */
	}
}

/* Mark item i (and its category) as touched by this batch. */
static void
g4_touch(g4_model *gm, int i, int *nti, int *ntc)
{
	g4_batch *b = &gm->bt;
	int c = gm->cat_of[i];

	if (!b->mark_item[i]) {
		b->mark_item[i] = 1;
		b->touched_item[(*nti)++] = i;
	}
	if (c >= 0 && !b->mark_cat[c]) {
		b->mark_cat[c] = 1;
		b->touched_cat[(*ntc)++] = c;
	}
}

/* Adam on rows (of h floats) of the table at float offset off in every
 * buffer, unmarking them. */
static void
g4_adam_rows(g4_model *gm, size_t off, const int *rows, int n,
    unsigned char *mark, float lr, float reg, double c1, double c2)
{
	const size_t h = (size_t)gm->h;

	for (int k = 0; k < n; k++) {
		size_t at = off + (size_t)rows[k] * h;

		g4_adam(gm->param_mem + at, gm->grad_mem + at, gm->m_mem + at,
		    gm->v_mem + at, h, lr, reg, c1, c2);
		mark[rows[k]] = 0;
	}
}

/* One Adam step on the GRU and on the embedding rows and biases this batch
 * touched ("lazy" Adam: an epoch costs O(positions), not O(items)). */
static void
g4_adam_step(g4_model *gm)
{
	g4_batch *b = &gm->bt;
	float lr = (float)gm->base.params[G4_LR];
	float reg = (float)gm->base.params[G4_REG];
	int nti = 0, ntc = 0;
	double c1, c2;

	gm->step++;
	c1 = 1 - pow(G4_ADAM_B1, (double)gm->step);
	c2 = 1 - pow(G4_ADAM_B2, (double)gm->step);
	for (int r = 0; r < b->pack.rows; r++)
		g4_touch(gm, b->in_item[r], &nti, &ntc);
	for (int c = 0; c < b->ncand; c++) {
		size_t i = (size_t)b->cand[c];

		g4_touch(gm, (int)i, &nti, &ntc);
		g4_adam(gm->p.bias + i, gm->g.bias + i, gm->am.bias + i,
		    gm->av.bias + i, 1, lr, reg, c1, c2);
	}
	g4_adam_rows(gm, (size_t)(gm->p.item - gm->param_mem), b->touched_item,
	    nti, b->mark_item, lr, reg, c1, c2);
	g4_adam_rows(gm, (size_t)(gm->p.cat - gm->param_mem), b->touched_cat,
	    ntc, b->mark_cat, lr, reg, c1, c2);
	g4_adam(gm->param_mem + gm->nsparse, gm->grad_mem + gm->nsparse,
	    gm->m_mem + gm->nsparse, gm->v_mem + gm->nsparse,
	    gm->nparams - gm->nsparse, lr, reg, c1, c2);
}

/* ---- scoring ------------------------------------------------------------ */

/*
 * The GRU's state after each of n sequences (seqs[s][0 .. len[s]), no
 * dropout, len 0 allowed: the zero state) into out (n, h), through
 * batches of at most G4_STATE_CHUNK.  Reads item_rep.  0, or -1 when out
 * of memory.
 */
static int
g4_final_states(const g4_model *gm, const int32_t *const *seqs,
    const int *len, int n, float *out)
{
	const int h = gm->h, chunk = n < G4_STATE_CHUNK ? (n ? n : 1) :
	    G4_STATE_CHUNK;
	g4_by_len *order = malloc((size_t)(n ? n : 1) * sizeof *order);
	int *lens = malloc((size_t)chunk * sizeof *lens);
	gru_pack pack;
	gru_cache cache;
	float *x = NULL, *mem = NULL;
	int steps = 0, rc = -1;

	for (int s = 0; s < n; s++)
		if (len[s] > steps)
			steps = len[s];
	if (order == NULL || lens == NULL || gru_pack_alloc(&pack,
	    steps ? steps : 1) < 0)
		goto out_nopack;
	x = malloc((size_t)chunk * (steps ? steps : 1) * h * sizeof *x);
	mem = malloc(gru_cache_floats(chunk * (steps ? steps : 1), h) *
	    sizeof *mem);
	if (x == NULL || mem == NULL)
		goto out;
	gru_cache_map(&cache, mem, chunk * (steps ? steps : 1), h);
	for (int s = 0; s < n; s++) {
		order[s].len = len[s];
		order[s].index = s;
	}
	qsort(order, (size_t)n, sizeof *order, g4_longest_first);
	for (int s0 = 0; s0 < n; s0 += chunk) {
		int m = n - s0 < chunk ? n - s0 : chunk, live = 0;

		for (int s = 0; s < m; s++) {
			const g4_by_len *o = &order[s0 + s];

			if (o->len > 0)
				lens[live++] = o->len;
			else
				memset(out + (size_t)o->index * h, 0,
				    (size_t)h * sizeof *out);
		}
		if (live == 0)
			continue;
		(void)gru_pack_set(&pack, lens, live);
		for (int t = 0; t < pack.steps; t++)
			for (int s = 0; s < pack.active[t]; s++)
				memcpy(x + (size_t)(pack.offset[t] + s) * h,
				    gm->item_rep + (size_t)seqs[order[s0 +
				    s].index][t] * h, (size_t)h * sizeof *x);
		gru_forward(&gm->p.gru, &pack, x, &cache);
		for (int s = 0; s < live; s++)
			memcpy(out + (size_t)order[s0 + s].index * h,
			    cache.h + (size_t)(pack.offset[lens[s] - 1] + s) *
			    h, (size_t)h * sizeof *out);
	}
	rc = 0;
out:
	gru_pack_free(&pack);
out_nopack:
	free(order);
	free(lens);
	free(x);
	free(mem);
	return rc;
}

/* User u's window: the last min(n, L) items of the train history. */
static const int32_t *
g4_user_window(const g4_model *gm, int u, int *len)
{
	const interactions *t = gm->base.train;
	int64_t lo = t->ptr[u], n = t->ptr[u + 1] - lo;

	*len = (int)(n < gm->L ? n : gm->L);
	return gm->seq + lo + (n - *len);
}

/* Scoring caches: every item's e_i and every user's final state. */
static int
g4_refresh(g4_model *gm)
{
	const int32_t **seqs = malloc((size_t)(gm->nu ? gm->nu : 1) *
	    sizeof *seqs);
	int *len = malloc((size_t)(gm->nu ? gm->nu : 1) * sizeof *len);
	int rc = -1;

	if (seqs != NULL && len != NULL) {
		for (int i = 0; i < gm->ni; i++)
			g4_item_vector(gm, &gm->p, i,
			    gm->item_rep + (size_t)i * gm->h);
		for (int u = 0; u < gm->nu; u++)
			seqs[u] = g4_user_window(gm, u, &len[u]);
		rc = g4_final_states(gm, seqs, len, gm->nu, gm->state);
	}
	free(seqs);
	free(len);
	return rc;
}

static void
g4_score_user(const model *m, int u, float *out)
{
	const g4_model *gm = (const g4_model *)m;

	memcpy(out, gm->p.bias, (size_t)gm->ni * sizeof *out);
	cblas_sgemv(CblasRowMajor, CblasNoTrans, gm->ni, gm->h, 1.0f,
	    gm->item_rep, gm->h, gm->state + (size_t)u * gm->h, 1, 1.0f, out,
	    1);
}

/* ---- explanations: exact leave-one-out over the window ------------------ */

/*
 * The drop of item i's score when each of the last min(n, L) history
 * items is left out: the GRU re-run on the last L items of the history
 * without it (an older item slides into the window), run together with
 * the full window so that both sides are computed the same way.  all
 * gets one term per item (weight: how many steps back it is, 1 the
 * latest); *full the full window's score.  Returns the count, or -1
 * when out of memory.
 */
static int
g4_leave_one_out(const g4_model *gm, int u, int i, explain_term *all,
    double *full)
{
	const interactions *t = gm->base.train;
	const int h = gm->h, L = gm->L;
	int64_t lo = t->ptr[u], n = t->ptr[u + 1] - lo;
	int w = (int)(n < L ? n : L), nseq = w + 1, rc = -1;
	const int32_t *hist = gm->seq + lo;
	int32_t *buf = malloc((size_t)nseq * L * sizeof *buf);
	const int32_t **seqs = malloc((size_t)nseq * sizeof *seqs);
	int *len = malloc((size_t)nseq * sizeof *len);
	float *st = malloc((size_t)nseq * h * sizeof *st);
	const float *e = gm->item_rep + (size_t)i * h;

	if (buf == NULL || seqs == NULL || len == NULL || st == NULL)
		goto out;
	/* sequence 0: the window; sequence k: without the item k back */
	seqs[0] = hist + (n - w);
	len[0] = w;
	for (int k = 1; k <= w; k++) {
		int64_t skip = n - k;
		int32_t *s = buf + (size_t)k * L;
		int c;

		/* the last min(n - 1, L) items of the history without skip */
		len[k] = c = (int)(n - 1 < L ? n - 1 : L);
		for (int64_t x = n - 1; x >= 0 && c > 0; x--)
			if (x != skip)
				s[--c] = hist[x];
		seqs[k] = s;
	}
	if (g4_final_states(gm, seqs, len, nseq, st) < 0)
		goto out;
	for (int k = 0; k <= w; k++) {
		double sc = gm->p.bias[i];

		for (int c = 0; c < h; c++)
			sc += (double)e[c] * st[(size_t)k * h + c];
		if (k == 0) {
			*full = sc;
			continue;
		}
		all[k - 1].item = hist[n - k];
		all[k - 1].contribution = *full - sc;
		all[k - 1].weight = k;
	}
	rc = w;
out:
	free(buf);
	free(seqs);
	free(len);
	free(st);
	return rc;
}

static int
g4_explain(const model *m, int u, int i, explain_term *terms, int max)
{
	const g4_model *gm = (const g4_model *)m;
	explain_term *all = malloc((size_t)gm->L * sizeof *all);
	double full;
	int n;

	if (all == NULL)
		return 0;
	n = g4_leave_one_out(gm, u, i, all, &full);
	n = n > 0 ? model_keep_top_terms(all, n, terms, max) : 0;
	free(all);
	return n;
}

static int
g4_probe(const model *m, int u, int i, double score, model_probe *p)
{
	const g4_model *gm = (const g4_model *)m;
	const interactions *t = m->train;
	int64_t n = t->ptr[u + 1] - t->ptr[u];
	explain_term *all;
	double full;
	int w;

	if (n == 0) {
		snprintf(p->note, sizeof p->note, "no history to probe");
		return -1;
	}
	if ((all = malloc((size_t)gm->L * sizeof *all)) == NULL ||
	    (w = g4_leave_one_out(gm, u, i, all, &full)) < 0) {
		free(all);
		snprintf(p->note, sizeof p->note,
		    "probing failed: out of memory");
		return -1;
	}
	model_probe_keep(p, all, w);
	free(all);
	snprintf(p->how, sizeof p->how, "the GRU re-run on the last %d "
	    "items of the history without each of its %d most recent ones "
	    "(exact: older items do not reach the state); the full window "
	    "scores %.6g (the model's score: %.6g); weight = steps back",
	    gm->L, w, full, score);
	return 0;
}

/* ---- life cycle --------------------------------------------------------- */

static void
g4_free(model *m)
{
	g4_model *gm = (g4_model *)m;

	if (gm == NULL)
		return;
	free(gm->param_mem);
	free(gm->grad_mem);
	free(gm->m_mem);
	free(gm->v_mem);
	free(gm->cat_of);
	free(gm->seq);
	free(gm->item_rep);
	free(gm->state);
	free(gm->win);
	free(gm->order);
	free(gm->cum);
	free(gm->log1m_target);
	free(gm->log1m_draw);
	g4_batch_free(&gm->bt);
	model_free_header(m);
	free(gm);
}

typedef struct g4_entry {
	int64_t ts;
	int32_t item;
} g4_entry;

static int
g4_by_time(const void *a, const void *b)
{
	const g4_entry *x = a, *y = b;

	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	return (x->item > y->item) - (x->item < y->item);
}

/* Each row's items by (timestamp, item index); by item without stamps. */
static int
g4_build_sequences(g4_model *gm)
{
	const interactions *t = gm->base.train;
	int64_t most = 0;
	g4_entry *e;
	int64_t *ts;

	for (int u = 0; u < t->n_users; u++)
		if (t->ptr[u + 1] - t->ptr[u] > most)
			most = t->ptr[u + 1] - t->ptr[u];
	e = malloc((size_t)(most ? most : 1) * sizeof *e);
	ts = malloc((size_t)(most ? most : 1) * sizeof *ts);
	if (e == NULL || ts == NULL) {
		free(e);
		free(ts);
		return -1;
	}
	for (int u = 0; u < t->n_users; u++) {
		int64_t lo = t->ptr[u], n = t->ptr[u + 1] - lo;
		/* the part's times, or the data's (dataset_row_times()) */
		int timed = dataset_row_times(gm->base.ds, t, u, ts, NULL);

		for (int64_t k = 0; k < n; k++) {
			e[k].ts = timed ? ts[k] : 0;
			e[k].item = t->idx[lo + k];
		}
		qsort(e, (size_t)n, sizeof *e, g4_by_time);
		for (int64_t k = 0; k < n; k++)
			gm->seq[lo + k] = e[k].item;
	}
	free(e);
	free(ts);
	return 0;
}

/* Training windows of L + 1 items tiling each history from its end (so
 * every item but the first is a target once), and the sampling tables. */
static int
g4_build_training(g4_model *gm)
{
	const interactions *t = gm->base.train;
	const int L = gm->L;
	double alpha = gm->base.params[G4_ALPHA], total = 0;
	int64_t nw = 0;

	for (int u = 0; u < t->n_users; u++) {
		int64_t n = t->ptr[u + 1] - t->ptr[u];

		if (n >= 2)
			nw += (n - 1 + L - 1) / L;
	}
	if (nw > 0x7fffffff)
		return -1;
	gm->win = malloc((size_t)(nw ? nw : 1) * sizeof *gm->win);
	gm->order = malloc((size_t)(nw ? nw : 1) * sizeof *gm->order);
	gm->cum = malloc((size_t)gm->ni * sizeof *gm->cum);
	gm->log1m_target = malloc((size_t)gm->ni * sizeof *gm->log1m_target);
	gm->log1m_draw = malloc((size_t)gm->ni * sizeof *gm->log1m_draw);
	if (!gm->win || !gm->order || !gm->cum || !gm->log1m_target ||
	    !gm->log1m_draw)
		return -1;
	for (int u = 0; u < t->n_users; u++) {
		int64_t n = t->ptr[u + 1] - t->ptr[u];

		for (int64_t end = n - 1; end >= 1; end -= L) {
			int64_t start = end > L ? end - L : 0;

			gm->win[gm->nwin].user = u;
			gm->win[gm->nwin].start = (int32_t)start;
			gm->win[gm->nwin++].len = (int32_t)(end - start);
		}
	}
	/* popularity = train count; P(target = i) = count / nnz */
	memset(gm->cum, 0, (size_t)gm->ni * sizeof *gm->cum);
	for (int64_t k = 0; k < t->nnz; k++)
		gm->cum[t->idx[k]] += 1;
	for (int i = 0; i < gm->ni; i++) {
		double c = gm->cum[i], w = c > 0 ? pow(c, alpha) : 0;

		gm->log1m_target[i] = t->nnz > 0 ? log1p(-fmin(c / t->nnz,
		    1.0)) : 0;
		gm->cum[i] = w;
		total += w;
	}
	for (int i = 0; i < gm->ni; i++) {
		gm->log1m_draw[i] = total > 0 ? log1p(-fmin(gm->cum[i] / total,
		    1.0)) : 0;
		gm->cum[i] += i > 0 ? gm->cum[i - 1] : 0;
	}
	return 0;
}

/* Allocate every buffer for the shapes in params, nc categories. */
static g4_model *
g4_alloc(const dataset *ds, const interactions *train, const double *params,
    uint64_t seed, int nc, rf_error *err)
{
	g4_model *gm = calloc(1, sizeof *gm);
	size_t nnz = (size_t)(train->nnz ? train->nnz : 1);

	if (gm == NULL)
		return rf_fail(err, "gru4rec: out of memory"), NULL;
	if (model_init_header(&gm->base, &model_gru4rec_ops, ds, train,
	    params, seed, err) < 0) {
		free(gm);
		return NULL;
	}
	gm->nu = train->n_users;
	gm->ni = train->n_items;
	gm->nc = nc;
	gm->h = (int)gm->base.params[G4_FACTORS];
	gm->L = (int)gm->base.params[G4_WINDOW];
	gm->nparams = g4_net_map(&gm->p, NULL, gm->ni, nc, gm->h,
	    &gm->nsparse);
	gm->param_mem = calloc(gm->nparams, sizeof(float));
	gm->grad_mem = calloc(gm->nparams, sizeof(float));
	gm->m_mem = calloc(gm->nparams, sizeof(float));
	gm->v_mem = calloc(gm->nparams, sizeof(float));
	gm->cat_of = malloc((size_t)gm->ni * sizeof *gm->cat_of);
	gm->seq = malloc(nnz * sizeof *gm->seq);
	gm->item_rep = malloc((size_t)gm->ni * gm->h * sizeof(float));
	gm->state = malloc((size_t)(gm->nu ? gm->nu : 1) * gm->h *
	    sizeof(float));
	if (!gm->param_mem || !gm->grad_mem || !gm->m_mem || !gm->v_mem ||
	    !gm->cat_of || !gm->seq || !gm->item_rep || !gm->state ||
	    g4_build_sequences(gm) < 0) {
		rf_fail(err, "gru4rec: out of memory for %zu parameters",
		    gm->nparams);
		g4_free(&gm->base);
		return NULL;
	}
	g4_net_map(&gm->p, gm->param_mem, gm->ni, nc, gm->h, NULL);
	g4_net_map(&gm->g, gm->grad_mem, gm->ni, nc, gm->h, NULL);
	g4_net_map(&gm->am, gm->m_mem, gm->ni, nc, gm->h, NULL);
	g4_net_map(&gm->av, gm->v_mem, gm->ni, nc, gm->h, NULL);
	for (int i = 0; i < gm->ni; i++)
		gm->cat_of[i] = nc > 0 && ds && ds->item_category &&
		    i < ds->n_items && ds->item_category[i] < nc ?
		    ds->item_category[i] : -1;
	rf_rng_seed(&gm->rng, seed);
	return gm;
}

/* The training state: windows, sampling tables, the batch scratch. */
static int
g4_prepare_training(g4_model *gm, rf_error *err)
{
	int B = (int)gm->base.params[G4_BATCH];
	int64_t rows = (int64_t)B * gm->L;
	int64_t maxcand = rows + (int64_t)gm->base.params[G4_NEG];

	if (maxcand > gm->ni)
		maxcand = gm->ni;
	if ((gm->win == NULL && g4_build_training(gm) < 0) ||
	    g4_batch_alloc(&gm->bt, B, gm->L,
	    (int)maxcand, gm->ni, gm->nc, gm->h) < 0)
		return rf_fail(err, "gru4rec: out of memory for batches of "
		    "%d windows of %d items", B, gm->L);
	return 0;
}

static void
g4_fill_normal(float *x, size_t n, double sd, rf_rng *r)
{
	for (size_t k = 0; k < n; k++)
		x[k] = (float)(sd * rf_rng_normal(r));
}

static int
g4_categories(const dataset *ds, const double *params)
{
	if (params != NULL && params[G4_CATEGORY] < 0.5)
		return 0;
	return ds && ds->item_category && ds->n_categories > 0 ?
	    ds->n_categories : 0;
}

static model *
g4_create(const dataset *ds, const interactions *train, const double *params,
    uint64_t seed, rf_error *err)
{
	g4_model *gm;
	double sd;

	if (train->n_users <= 0 || train->n_items < 2)
		return rf_fail(err, "gru4rec: needs users and two items"), NULL;
	gm = g4_alloc(ds, train, params, seed, g4_categories(ds, params),
	    err);
	if (gm == NULL)
		return NULL;
	/* Embeddings small (the state starts at 0, the scores at the
	 * biases); the GRU's weights with Glorot's scale for a fan-in and
	 * fan-out of h, its biases 0. */
	sd = sqrt(1.0 / gm->h);
	g4_fill_normal(gm->p.item, (size_t)gm->ni * gm->h, 0.1, &gm->rng);
	g4_fill_normal(gm->p.cat, (size_t)gm->nc * gm->h, 0.1, &gm->rng);
	g4_fill_normal(gm->p.gru.wx, (size_t)gm->h * 3 * gm->h, sd, &gm->rng);
	g4_fill_normal(gm->p.gru.wh, (size_t)gm->h * 3 * gm->h, sd, &gm->rng);
	if (g4_refresh(gm) < 0) {
		rf_fail(err, "gru4rec: out of memory");
		g4_free(&gm->base);
		return NULL;
	}
	return &gm->base;
}

static int
g4_epoch(model *m, int epoch, double *loss, const volatile int *cancel,
    rf_error *err)
{
	g4_model *gm = (g4_model *)m;
	g4_batch *b = &gm->bt;
	const int32_t *seqs[G4_MAX_BATCH];
	int lens[G4_MAX_BATCH], B, stopped = 0;
	double rate = m->params[G4_DROPOUT], sum = 0;
	int64_t positions = 0;

	(void)epoch;
	if (gm->bt.maxseq == 0 && g4_prepare_training(gm, err) < 0)
		return -1;
	B = b->maxseq;
	if (gm->nwin == 0)
		return rf_fail(err, "gru4rec: no history of two items to "
		    "learn from");
	for (int k = 0; k < gm->nwin; k++)
		gm->order[k] = k;
	for (int k = gm->nwin; k > 1; k--) {	/* Fisher-Yates */
		int r = (int)rf_rng_below(&gm->rng, (uint32_t)k), x;

		x = gm->order[k - 1];
		gm->order[k - 1] = gm->order[r];
		gm->order[r] = x;
	}
	/* Steps keep the gradient zero between batches; start clean in
	 * case gru4rec_loss_grad() left something behind. */
	memset(gm->grad_mem, 0, gm->nparams * sizeof *gm->grad_mem);
	for (int s0 = 0; s0 < gm->nwin; s0 += B) {
		int n = gm->nwin - s0 < B ? gm->nwin - s0 : B;

		if (cancel && *cancel) {
			stopped = 1;
			break;
		}
		for (int s = 0; s < n; s++) {
			const g4_window *w = &gm->win[gm->order[s0 + s]];

			seqs[s] = gm->seq + m->train->ptr[w->user] + w->start;
			lens[s] = w->len;
		}
		g4_batch_pack(gm, b, seqs, lens, n, rate, &gm->rng);
		g4_sample_candidates(gm, b);
		sum += g4_forward_backward(gm, b, 1.0 / b->pack.rows);
		positions += b->pack.rows;
		g4_clear_candidates(b);
		g4_adam_step(gm);
	}
	if (g4_refresh(gm) < 0)
		return rf_fail(err, "gru4rec: out of memory");
	*loss = positions ? sum / (double)positions : 0;
	if (stopped)
		return 1;
	m->epochs_done++;
	return 0;
}

/* ---- test hooks --------------------------------------------------------- */

size_t
gru4rec_parameters(model *m, float **params, float **grads, gru4rec_net *p,
    gru4rec_net *g, int *n_cats, const int32_t **cat_of)
{
	g4_model *gm = (g4_model *)m;

	*params = gm->param_mem;
	*grads = gm->grad_mem;
	*p = gm->p;
	*g = gm->g;
	*n_cats = gm->nc;
	*cat_of = gm->cat_of;
	return gm->nparams;
}

double
gru4rec_loss_grad(model *m, const int32_t *items, const int *start,
    const int *len, int nseq, const int32_t *cand, const float *logq,
    int ncand, rf_error *err)
{
	g4_model *gm = (g4_model *)m;
	g4_batch *b = &gm->bt;
	const int32_t *seqs[G4_MAX_BATCH];
	double loss;

	if (gm->bt.maxseq == 0 && g4_prepare_training(gm, err) < 0)
		return -1;
	if (nseq < 1 || nseq > b->maxseq || ncand < 1 || ncand > b->maxcand)
		return rf_fail(err, "gru4rec: %d sequences and %d candidates, "
		    "at most %d and %d", nseq, ncand, b->maxseq, b->maxcand);
	for (int s = 0; s < nseq; s++) {
		if (len[s] < 1 || len[s] > gm->L)
			return rf_fail(err, "gru4rec: a sequence of %d steps",
			    len[s]);
		seqs[s] = items + start[s];
	}
	for (int c = 0; c < ncand; c++) {
		g4_add_candidate(b, cand[c]);
		b->logq[c] = logq[c];
	}
	if (b->ncand != ncand) {
		g4_clear_candidates(b);
		return rf_fail(err, "gru4rec: candidates repeat");
	}
	g4_batch_pack(gm, b, seqs, len, nseq, 0, &gm->rng);
	for (int r = 0; r < b->pack.rows; r++)
		if (b->col_of[b->target[r]] == 0) {
			g4_clear_candidates(b);
			return rf_fail(err, "gru4rec: target %d is not a "
			    "candidate", b->target[r]);
		}
	memset(gm->grad_mem, 0, gm->nparams * sizeof *gm->grad_mem);
	loss = g4_forward_backward(gm, b, 1.0 / b->pack.rows) / b->pack.rows;
	g4_clear_candidates(b);
	return loss;
}

/* ---- save / load -------------------------------------------------------- */

/* Blob: uint32 magic, version; int32 n_users, n_items, n_cats, factors,
 * window; the G4_NPARAMS parameters it was trained with (doubles); the
 * items' categories (n_items int32); the parameter buffer (floats, host
 * byte order).  The sequences and scoring caches come back from the train
 * part. */
static const uint32_t g4_magic[2] = { G4_MAGIC, G4_VERSION };

static int
g4_save(const model *m, rf_buf *out, rf_error *err)
{
	const g4_model *gm = (const g4_model *)m;
	int32_t hdr[5] = { gm->nu, gm->ni, gm->nc, gm->h, gm->L };
	blob_writer w;

	blob_writer_init(&w, out);
	blob_put(&w, g4_magic, sizeof g4_magic);
	blob_put(&w, hdr, sizeof hdr);
	blob_put(&w, m->params, G4_NPARAMS * sizeof *m->params);
	blob_put(&w, gm->cat_of, (size_t)gm->ni * sizeof *gm->cat_of);
	blob_put(&w, gm->param_mem, gm->nparams * sizeof *gm->param_mem);
	return blob_writer_finish(&w, "gru4rec", err);
}

static model *
g4_load(const dataset *ds, const interactions *train, const double *params,
    const void *data, size_t len, rf_error *err)
{
	double saved[G4_NPARAMS];
	int32_t hdr[5];
	blob_reader r;
	g4_model *gm;

	if (blob_reader_init(&r, "gru4rec", data, len, g4_magic,
	    sizeof g4_magic, err) < 0 ||
	    blob_get(&r, hdr, sizeof hdr) < 0 ||
	    blob_match(&r, "users", hdr[0], train->n_users) < 0 ||
	    blob_match(&r, "items", hdr[1], train->n_items) < 0 ||
	    blob_get(&r, saved, sizeof saved) < 0)
		return NULL;
	if (model_check_saved_params(&model_gru4rec_ops, params, err) < 0 ||
	    model_check_saved_params(&model_gru4rec_ops, saved, err) < 0)
		return NULL;
	if (blob_match(&r, "factors", hdr[3],
	    (int64_t)params[G4_FACTORS]) < 0 ||
	    blob_match(&r, "window", hdr[4], (int64_t)params[G4_WINDOW]) < 0 ||
	    blob_match(&r, "factors", hdr[3],
	    (int64_t)saved[G4_FACTORS]) < 0 ||
	    blob_match(&r, "window", hdr[4], (int64_t)saved[G4_WINDOW]) < 0)
		return NULL;
	if (hdr[2] < 0 || hdr[2] > train->n_items + 1000000)
		return rf_fail(err, "gru4rec: corrupt saved model (%d "
		    "categories)", hdr[2]), NULL;
	if ((gm = g4_alloc(ds, train, params, 0, hdr[2], err)) == NULL)
		return NULL;
	if (blob_expect(&r, (size_t)gm->ni * sizeof *gm->cat_of +
	    gm->nparams * sizeof *gm->param_mem) < 0 ||
	    blob_get(&r, gm->cat_of, (size_t)gm->ni * sizeof *gm->cat_of) < 0 ||
	    blob_get(&r, gm->param_mem, gm->nparams *
	    sizeof *gm->param_mem) < 0) {
		g4_free(&gm->base);
		return NULL;
	}
	for (int i = 0; i < gm->ni; i++)
		if (gm->cat_of[i] < -1 || gm->cat_of[i] >= gm->nc) {
			/* Said before the model (and what it says) goes. */
			rf_fail(err, "gru4rec: corrupt saved model (item %d "
			    "in category %d of %d)", i, gm->cat_of[i], gm->nc);
			g4_free(&gm->base);
			return NULL;
		}
	for (size_t k = 0; k < gm->nparams; k++)
		if (!isfinite(gm->param_mem[k])) {
			g4_free(&gm->base);
			return rf_fail(err, "gru4rec: corrupt saved model "
			    "(a weight is not finite)"), NULL;
		}
	if (g4_refresh(gm) < 0) {
		g4_free(&gm->base);
		return rf_fail(err, "gru4rec: out of memory"), NULL;
	}
	return &gm->base;
}

const model_ops model_gru4rec_ops = {
	.name = "gru4rec",
	.title = "GRU4Rec",
	.help = "GRU over each user's items in time order, sampled softmax "
	    "(Hidasi et al. 2016, 2018)",
	.kinds = MODEL_TOPN,
	.traits = 0,		/* order matters: not MODEL_ROW_BASED */
	.params = g4_params,
	.nparams = G4_NPARAMS,
	.default_epochs = G4_DEFAULT_EPOCHS,
	.create = g4_create,
	.epoch = g4_epoch,
	.score_user = g4_score_user,
	.predict = NULL,
	.explain = g4_explain,
	.probe = g4_probe,
	.save = g4_save,
	.load = g4_load,
	.free = g4_free,
};
