/* neural: the seed's deep model f(u, i) = sigma(W1' phi(u) + W2' phi(i) + b)
 * realised as NeuMF (He, Liao, Zhang, Nie, Hu, Chua 2017, "Neural
 * Collaborative Filtering", section 3.4, eq. 11):
 *
 *   GMF tower:  g   = p_u^G (.) q_i^G                       (eq. 9)
 *   MLP tower:  a_0 = [p_u^M, q_i^M (, features)]
 *               a_l = ReLU(a_{l-1} W_l + b_l), l = 1..L     (eq. 10)
 *   output:     y^  = sigma(h' [g, a_L] + b_o)              (eq. 11)
 *
 * trained on the log loss (eq. 7) of every observed pair (label 1) and
 * `neg` unobserved items per pair drawn uniformly (label 0), with Adam
 * (Kingma & Ba 2015) on mini-batches.  The MLP layers are paired
 * *_forward / *_backward functions over cblas_sgemm (llm.c style); every
 * parameter lives in one buffer with named pointers into it, and the
 * gradients and both Adam moments use the same layout.
 *
 * features=1 is the seed's feature-level fusion: the user's behaviour
 * features (dataset.user_features) and, when the ALS model provides them,
 * pre-trained ALS factors of the user and the item join the MLP tower's
 * input through their own weight matrix W_f. */
#include "engine/models/blob.h"
#include "engine/models/neural.h"
#include "engine/models/registry.h"

#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#if defined(__has_include)
#if __has_include("engine/models/als.h")
#include "engine/models/als.h"
#include "engine/core/rng.h"
#define NN_HAVE_ALS 1
#endif
#endif

enum {
	NN_FACTORS, NN_MLP, NN_LAYERS, NN_NEG, NN_LR, NN_BATCH, NN_REG,
	NN_FEATURES, NN_NPARAMS
};

static const model_param nn_params[NN_NPARAMS] = {
	{ "factors", 32, 1, 256, 1, 1, "GMF embedding size per user and item" },
	{ "mlp", 64, 2, 256, 2, 1,
	    "MLP input width (user + item embeddings); layers halve it" },
	{ "layers", 2, 1, 4, 1, 1, "hidden ReLU layers of the MLP tower" },
	{ "neg", 4, 1, 50, 1, 1, "sampled negatives per observed pair" },
	{ "lr", 0.002, 1e-5, 0.1, 0.0005, 0, "Adam learning rate" },
	{ "batch", 256, 1, 4096, 32, 1, "examples per mini-batch" },
	{ "reg", 1e-5, 0, 1, 1e-5, 0,
	    "L2 regularisation (coupled into Adam) of the rows a batch touches" },
	{ "features", 0, 0, 1, 1, 1,
	    "1: feed behaviour features and ALS factors into the MLP tower" },
};

/* Defaults chosen on a validation split carved from Protocol B's train
 * part the same temporal way (bench/bench_neural --val), from He et al.'s
 * settings (batch 256, 4 negatives, Adam): reg 1e-5 beat 0, 3e-5 and 1e-4
 * (validation NDCG@10 0.157 at epoch 10, then overfitting); lr 0.001,
 * 8 negatives, batch 1024, and wider (64/128) or narrower (16/32) towers
 * were no better. */
#define NN_DEFAULT_EPOCHS 10
#define NN_MAX_LAYERS 4
#define NN_MAX_TRIES 64
#define NN_SCORE_FLOATS 16384	/* stack scratch of score_user */
#define NN_ADAM_B1 0.9
#define NN_ADAM_B2 0.999
#define NN_ADAM_EPS 1e-8

/* Shapes, fixed at create. */
typedef struct nn_dims {
	int nu, ni;		/* users, items */
	int k;			/* GMF embedding size */
	int e;			/* MLP embedding size per side (mlp / 2) */
	int L;			/* hidden layers */
	int width[NN_MAX_LAYERS + 1];	/* width[0] = 2e, width[l] = 2e >> l */
	int nfu, nfi;		/* user / item feature inputs (0 without) */
	int B;			/* batch */
} nn_dims;

/* Named views into one parameter-shaped buffer. */
typedef struct nn_net {
	float *pg;		/* (nu, k) GMF user embeddings */
	float *qg;		/* (ni, k) GMF item embeddings */
	float *pm;		/* (nu, e) MLP user embeddings */
	float *qm;		/* (ni, e) MLP item embeddings */
	float *w[NN_MAX_LAYERS];	/* (width[l], width[l+1]) */
	float *b[NN_MAX_LAYERS];	/* (width[l+1]) */
	float *wf;		/* (nfu + nfi, width[1]) feature weights */
	float *wo;		/* (k + width[L]) output weights h */
	float *bo;		/* (1) output bias */
	float *dense;		/* first float after the embeddings */
} nn_net;

/* Activations of one mini-batch (and their gradients). */
typedef struct nn_acts {
	float *x;		/* (B, 2e) [p_u^M, q_i^M] */
	float *f;		/* (B, nfu + nfi) feature inputs */
	float *z[NN_MAX_LAYERS + 1];	/* (B, width[l]) pre-activations */
	float *a[NN_MAX_LAYERS + 1];	/* (B, width[l]) a[0] = x */
	float *g;		/* (B, k) GMF product */
	float *logit;		/* (B) */
	float *dx;		/* (B, 2e) */
	float *da;		/* (B, width[1]) */
	float *dz;		/* (B, width[1]) */
	float *dg;		/* (B, k) */
	float *dlogit;		/* (B) */
} nn_acts;

typedef struct nn_model {
	model base;
	nn_dims d;
	size_t nparams, nembed;	/* floats in all / in the embeddings */
	float *param_mem, *grad_mem, *m_mem, *v_mem;
	nn_net p, g, am, av;	/* params, grads, Adam m and v */
	float *act_mem;
	nn_acts act;
	float *uf;		/* (nu, nfu) standardised user features */
	float *itf;		/* (ni, nfi) standardised item features */
	float *item_pre;	/* (ni, width[1]) item side of layer 1 */
	int *ex_u, *ex_i;	/* (nex) this epoch's examples */
	float *ex_y;
	size_t nex;
	int32_t *pair_user;	/* (nnz) */
	unsigned char *mark_u, *mark_i;	/* rows touched in a batch */
	int *touched_u, *touched_i;
	long long step;		/* Adam's t */
	rf_rng rng;
} nn_model;

/* ---- layout ---------------------------------------------------------- */

static size_t
nn_embed_floats(const nn_dims *d)
{
	return (size_t)d->nu * (size_t)(d->k + d->e) +
	    (size_t)d->ni * (size_t)(d->k + d->e);
}

/* Map a buffer of the parameter layout onto named pointers; returns the
 * float count when base is NULL. */
static size_t
nn_net_map(nn_net *n, float *base, const nn_dims *d)
{
	size_t off = 0;
	nn_net dummy;

	if (n == NULL)
		n = &dummy;
#define NN_TAKE(ptr, cnt) do { \
		(ptr) = base ? base + off : NULL; \
		off += (size_t)(cnt); \
	} while (0)
	NN_TAKE(n->pg, (size_t)d->nu * d->k);
	NN_TAKE(n->pm, (size_t)d->nu * d->e);
	NN_TAKE(n->qg, (size_t)d->ni * d->k);
	NN_TAKE(n->qm, (size_t)d->ni * d->e);
	n->dense = base ? base + off : NULL;
	for (int l = 0; l < d->L; l++) {
		NN_TAKE(n->w[l], (size_t)d->width[l] * d->width[l + 1]);
		NN_TAKE(n->b[l], d->width[l + 1]);
	}
	NN_TAKE(n->wf, (size_t)(d->nfu + d->nfi) * d->width[1]);
	NN_TAKE(n->wo, d->k + d->width[d->L]);
	NN_TAKE(n->bo, 1);
#undef NN_TAKE
	return off;
}

static size_t
nn_acts_map(nn_acts *a, float *base, const nn_dims *d)
{
	size_t off = 0, B = (size_t)d->B;

#define NN_TAKE(ptr, cnt) do { \
		(ptr) = base ? base + off : NULL; \
		off += (size_t)(cnt); \
	} while (0)
	NN_TAKE(a->x, B * d->width[0]);
	NN_TAKE(a->f, B * (d->nfu + d->nfi));
	a->z[0] = a->a[0] = a->x;
	for (int l = 1; l <= d->L; l++) {
		NN_TAKE(a->z[l], B * d->width[l]);
		NN_TAKE(a->a[l], B * d->width[l]);
	}
	NN_TAKE(a->g, B * d->k);
	NN_TAKE(a->logit, B);
	NN_TAKE(a->dx, B * d->width[0]);
	NN_TAKE(a->da, B * d->width[1]);
	NN_TAKE(a->dz, B * d->width[1]);
	NN_TAKE(a->dg, B * d->k);
	NN_TAKE(a->dlogit, B);
#undef NN_TAKE
	return off;
}

/* ---- layers: forward / backward pairs ---------------------------------
 * Backward functions accumulate into their gradients (+=); zeroing is the
 * caller's explicit step. */

/* out (B, nout) = inp (B, nin) . w (nin, nout) + b (nout) */
static void
linear_forward(float *out, const float *inp, const float *w, const float *b,
    int B, int nin, int nout)
{
	for (int r = 0; r < B; r++)
		memcpy(out + (size_t)r * nout, b, (size_t)nout * sizeof *out);
	cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, B, nout, nin, 1.0f,
	    inp, nin, w, nout, 1.0f, out, nout);
}

/* dw += inp' dout, db += colsum(dout), dinp += dout w' (dinp may be NULL) */
static void
linear_backward(float *dinp, float *dw, float *db, const float *dout,
    const float *inp, const float *w, int B, int nin, int nout)
{
	cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, nin, nout, B, 1.0f,
	    inp, nin, dout, nout, 1.0f, dw, nout);
	if (db != NULL)
		for (int r = 0; r < B; r++)
			for (int o = 0; o < nout; o++)
				db[o] += dout[(size_t)r * nout + o];
	if (dinp != NULL)
		cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, B, nin, nout,
		    1.0f, dout, nout, w, nout, 1.0f, dinp, nin);
}

static void
relu_forward(float *a, const float *z, size_t n)
{
	for (size_t x = 0; x < n; x++)
		a[x] = z[x] > 0 ? z[x] : 0;
}

/* dz += da * [z > 0] */
static void
relu_backward(float *dz, const float *da, const float *z, size_t n)
{
	for (size_t x = 0; x < n; x++)
		dz[x] += z[x] > 0 ? da[x] : 0;
}

/* x[r] = [pm[u_r], qm[i_r]]; f[r] = [uf[u_r], itf[i_r]] */
static void
embed_forward(const nn_model *nm, const nn_net *p, const int *us,
    const int *is, int B)
{
	const nn_dims *d = &nm->d;
	int e = d->e, nf = d->nfu + d->nfi;

	for (int r = 0; r < B; r++) {
		float *x = nm->act.x + (size_t)r * 2 * e;

		memcpy(x, p->pm + (size_t)us[r] * e, (size_t)e * sizeof *x);
		memcpy(x + e, p->qm + (size_t)is[r] * e, (size_t)e * sizeof *x);
		if (nf > 0) {
			float *f = nm->act.f + (size_t)r * nf;

			memcpy(f, nm->uf + (size_t)us[r] * d->nfu,
			    (size_t)d->nfu * sizeof *f);
			memcpy(f + d->nfu, nm->itf + (size_t)is[r] * d->nfi,
			    (size_t)d->nfi * sizeof *f);
		}
	}
}

/* dpm[u_r] += dx[r, :e], dqm[i_r] += dx[r, e:] */
static void
embed_backward(nn_net *g, const float *dx, const int *us, const int *is,
    int B, int e)
{
	for (int r = 0; r < B; r++) {
		const float *d = dx + (size_t)r * 2 * e;
		float *gu = g->pm + (size_t)us[r] * e;
		float *gi = g->qm + (size_t)is[r] * e;

		for (int c = 0; c < e; c++) {
			gu[c] += d[c];
			gi[c] += d[e + c];
		}
	}
}

/* g[r] = pg[u_r] (.) qg[i_r]  (eq. 9) */
static void
gmf_forward(float *out, const nn_net *p, const int *us, const int *is, int B,
    int k)
{
	for (int r = 0; r < B; r++) {
		const float *pu = p->pg + (size_t)us[r] * k;
		const float *qi = p->qg + (size_t)is[r] * k;

		for (int c = 0; c < k; c++)
			out[(size_t)r * k + c] = pu[c] * qi[c];
	}
}

static void
gmf_backward(nn_net *g, const nn_net *p, const float *dout, const int *us,
    const int *is, int B, int k)
{
	for (int r = 0; r < B; r++) {
		const float *pu = p->pg + (size_t)us[r] * k;
		const float *qi = p->qg + (size_t)is[r] * k;
		float *gu = g->pg + (size_t)us[r] * k;
		float *gi = g->qg + (size_t)is[r] * k;

		for (int c = 0; c < k; c++) {
			gu[c] += dout[(size_t)r * k + c] * qi[c];
			gi[c] += dout[(size_t)r * k + c] * pu[c];
		}
	}
}

/* logit[r] = h' [g[r], aL[r]] + b_o  (eq. 11 before the sigmoid) */
static void
output_forward(float *logit, const float *gm, const float *aL,
    const nn_net *p, int B, int k, int wl)
{
	for (int r = 0; r < B; r++) {
		float s = p->bo[0];

		for (int c = 0; c < k; c++)
			s += p->wo[c] * gm[(size_t)r * k + c];
		for (int c = 0; c < wl; c++)
			s += p->wo[k + c] * aL[(size_t)r * wl + c];
		logit[r] = s;
	}
}

static void
output_backward(float *dg, float *daL, nn_net *g, const float *dlogit,
    const float *gm, const float *aL, const nn_net *p, int B, int k, int wl)
{
	for (int r = 0; r < B; r++) {
		float dl = dlogit[r];

		g->bo[0] += dl;
		for (int c = 0; c < k; c++) {
			g->wo[c] += dl * gm[(size_t)r * k + c];
			dg[(size_t)r * k + c] += dl * p->wo[c];
		}
		for (int c = 0; c < wl; c++) {
			g->wo[k + c] += dl * aL[(size_t)r * wl + c];
			daL[(size_t)r * wl + c] += dl * p->wo[k + c];
		}
	}
}

/* Mean binary cross-entropy of sigma(logit) against y (eq. 7), and its
 * gradient w.r.t. the logits: (sigma(logit) - y) / B. */
static double
bce_forward_backward(float *dlogit, const float *logit, const float *y,
    int B)
{
	double loss = 0;

	for (int r = 0; r < B; r++) {
		double z = logit[r];
		double sp = z > 0 ? z + log1p(exp(-z)) : log1p(exp(z));

		loss += sp - y[r] * z;
		dlogit[r] += (float)((1.0 / (1.0 + exp(-z)) - y[r]) / B);
	}
	return loss / B;
}

/* Forward and backward of one mini-batch; returns the mean BCE.  The
 * gradient buffer must be zero where this batch touches it. */
static double
nn_forward_backward(nn_model *nm, const int *us, const int *is,
    const float *y, int B)
{
	const nn_dims *d = &nm->d;
	nn_acts *a = &nm->act;
	const nn_net *p = &nm->p;
	nn_net *g = &nm->g;
	int L = d->L, nf = d->nfu + d->nfi;
	double loss;

	/* forward */
	embed_forward(nm, p, us, is, B);
	gmf_forward(a->g, p, us, is, B, d->k);
	for (int l = 1; l <= L; l++) {
		linear_forward(a->z[l], a->a[l - 1], p->w[l - 1], p->b[l - 1],
		    B, d->width[l - 1], d->width[l]);
		if (l == 1 && nf > 0)	/* the feature inputs' own weights */
			cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans,
			    B, d->width[1], nf, 1.0f, a->f, nf, p->wf,
			    d->width[1], 1.0f, a->z[1], d->width[1]);
		relu_forward(a->a[l], a->z[l], (size_t)B * d->width[l]);
	}
	output_forward(a->logit, a->g, a->a[L], p, B, d->k, d->width[L]);

	/* backward (activation gradients zeroed explicitly) */
	memset(a->dlogit, 0, (size_t)B * sizeof *a->dlogit);
	loss = bce_forward_backward(a->dlogit, a->logit, y, B);
	memset(a->dg, 0, (size_t)B * d->k * sizeof *a->dg);
	memset(a->da, 0, (size_t)B * d->width[L] * sizeof *a->da);
	output_backward(a->dg, a->da, g, a->dlogit, a->g, a->a[L], p, B,
	    d->k, d->width[L]);
	gmf_backward(g, p, a->dg, us, is, B, d->k);
	for (int l = L; l >= 1; l--) {
		float *dinp = l > 1 ? a->da : a->dx;
		size_t n = (size_t)B * d->width[l];

		memset(a->dz, 0, n * sizeof *a->dz);
		relu_backward(a->dz, a->da, a->z[l], n);
		if (l == 1 && nf > 0)
			cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans,
			    nf, d->width[1], B, 1.0f, a->f, nf, a->dz,
			    d->width[1], 1.0f, g->wf, d->width[1]);
		memset(dinp, 0, (size_t)B * d->width[l - 1] * sizeof *dinp);
		linear_backward(dinp, g->w[l - 1], g->b[l - 1], a->dz,
		    a->a[l - 1], p->w[l - 1], B, d->width[l - 1], d->width[l]);
	}
	embed_backward(g, a->dx, us, is, B, d->e);
	return loss;
}

/* ---- Adam ------------------------------------------------------------- */

static void
adam_update(float *p, float *g, float *m, float *v, size_t n, float lr,
    float reg, double c1, double c2)
{
	const float b1 = (float)NN_ADAM_B1, b2 = (float)NN_ADAM_B2;

	for (size_t x = 0; x < n; x++) {
		float gr = g[x] + reg * p[x];

		m[x] = b1 * m[x] + (1 - b1) * gr;
		v[x] = b2 * v[x] + (1 - b2) * gr * gr;
		p[x] -= lr * (float)((m[x] / c1) /
		    (sqrt(v[x] / c2) + NN_ADAM_EPS));
		g[x] = 0;	/* keep the gradient buffer zero between steps */
	}
}

/* One Adam step on the dense weights and on the embedding rows this batch
 * touched ("lazy" Adam: untouched rows keep their moments, so an epoch
 * costs O(examples), not O(batches x users)). */
static void
nn_adam_step(nn_model *nm, const int *us, const int *is, int B)
{
	const nn_dims *d = &nm->d;
	float lr = (float)nm->base.params[NN_LR];
	float reg = (float)nm->base.params[NN_REG];
	int ntu = 0, nti = 0;
	double c1, c2;

	nm->step++;
	c1 = 1 - pow(NN_ADAM_B1, (double)nm->step);
	c2 = 1 - pow(NN_ADAM_B2, (double)nm->step);
	for (int r = 0; r < B; r++) {
		if (!nm->mark_u[us[r]]) {
			nm->mark_u[us[r]] = 1;
			nm->touched_u[ntu++] = us[r];
		}
		if (!nm->mark_i[is[r]]) {
			nm->mark_i[is[r]] = 1;
			nm->touched_i[nti++] = is[r];
		}
	}
	for (int t = 0; t < ntu; t++) {
		size_t u = (size_t)nm->touched_u[t];

		adam_update(nm->p.pg + u * d->k, nm->g.pg + u * d->k,
		    nm->am.pg + u * d->k, nm->av.pg + u * d->k, (size_t)d->k,
		    lr, reg, c1, c2);
		adam_update(nm->p.pm + u * d->e, nm->g.pm + u * d->e,
		    nm->am.pm + u * d->e, nm->av.pm + u * d->e, (size_t)d->e,
		    lr, reg, c1, c2);
		nm->mark_u[u] = 0;
	}
	for (int t = 0; t < nti; t++) {
		size_t i = (size_t)nm->touched_i[t];

		adam_update(nm->p.qg + i * d->k, nm->g.qg + i * d->k,
		    nm->am.qg + i * d->k, nm->av.qg + i * d->k, (size_t)d->k,
		    lr, reg, c1, c2);
		adam_update(nm->p.qm + i * d->e, nm->g.qm + i * d->e,
		    nm->am.qm + i * d->e, nm->av.qm + i * d->e, (size_t)d->e,
		    lr, reg, c1, c2);
		nm->mark_i[i] = 0;
	}
	adam_update(nm->p.dense, nm->g.dense, nm->am.dense, nm->av.dense,
	    nm->nparams - nm->nembed, lr, reg, c1, c2);
}

/* ---- scoring ---------------------------------------------------------- */

/* The item half of layer 1, shared by every user's scores:
 * item_pre = q^M W_1[e:2e] + itf W_f[nfu:] */
static void
nn_refresh_items(nn_model *nm)
{
	const nn_dims *d = &nm->d;
	int w1 = d->width[1];

	cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, d->ni, w1, d->e,
	    1.0f, nm->p.qm, d->e, nm->p.w[0] + (size_t)d->e * w1, w1, 0.0f,
	    nm->item_pre, w1);
	if (d->nfi > 0)
		cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, d->ni,
		    w1, d->nfi, 1.0f, nm->itf, d->nfi,
		    nm->p.wf + (size_t)d->nfu * w1, w1, 1.0f, nm->item_pre, w1);
}

static void
nn_score_user(const model *m, int u, float *out)
{
	const nn_model *nm = (const nn_model *)m;
	const nn_dims *d = &nm->d;
	const nn_net *p = &nm->p;
	float bufa[NN_SCORE_FLOATS / 2], bufb[NN_SCORE_FLOATS / 2];
	float upre[256], hg[256];
	int w1 = d->width[1], L = d->L, wl = d->width[L];
	int chunk = NN_SCORE_FLOATS / 2 / w1;

	/* user half of layer 1: p^M_u W_1[:e] + uf_u W_f[:nfu] + b_1 */
	memcpy(upre, p->b[0], (size_t)w1 * sizeof *upre);
	cblas_sgemv(CblasRowMajor, CblasTrans, d->e, w1, 1.0f, p->w[0], w1,
	    p->pm + (size_t)u * d->e, 1, 1.0f, upre, 1);
	if (d->nfu > 0)
		cblas_sgemv(CblasRowMajor, CblasTrans, d->nfu, w1, 1.0f, p->wf,
		    w1, nm->uf + (size_t)u * d->nfu, 1, 1.0f, upre, 1);
	/* GMF part for every item: q^G (p^G_u (.) h_G) + b_o */
	for (int c = 0; c < d->k; c++)
		hg[c] = p->pg[(size_t)u * d->k + c] * p->wo[c];
	for (int i = 0; i < d->ni; i++)
		out[i] = p->bo[0];
	cblas_sgemv(CblasRowMajor, CblasNoTrans, d->ni, d->k, 1.0f, p->qg,
	    d->k, hg, 1, 1.0f, out, 1);
	/* MLP part, a chunk of items at a time */
	for (int i0 = 0; i0 < d->ni; i0 += chunk) {
		int n = d->ni - i0 < chunk ? d->ni - i0 : chunk;
		float *cur = bufa, *nxt = bufb;

		for (int r = 0; r < n; r++) {
			const float *ip = nm->item_pre + (size_t)(i0 + r) * w1;

			for (int c = 0; c < w1; c++) {
				float z = ip[c] + upre[c];

				cur[(size_t)r * w1 + c] = z > 0 ? z : 0;
			}
		}
		for (int l = 2; l <= L; l++) {
			float *t;

			linear_forward(nxt, cur, p->w[l - 1], p->b[l - 1], n,
			    d->width[l - 1], d->width[l]);
			relu_forward(nxt, nxt, (size_t)n * d->width[l]);
			t = cur;
			cur = nxt;
			nxt = t;
		}
		cblas_sgemv(CblasRowMajor, CblasNoTrans, n, wl, 1.0f, cur, wl,
		    p->wo + d->k, 1, 1.0f, out + i0, 1);
	}
}

/* ---- features ---------------------------------------------------------- */

/* Standardise each column of x (rows, cols) to mean 0, sd 1 (constant
 * columns become 0), so the feature weights share the embeddings' scale. */
static void
nn_standardise(float *x, int rows, int cols)
{
	for (int c = 0; c < cols; c++) {
		double s = 0, ss = 0, mean, sd;

		for (int r = 0; r < rows; r++)
			s += x[(size_t)r * cols + c];
		mean = rows ? s / rows : 0;
		for (int r = 0; r < rows; r++) {
			double t = x[(size_t)r * cols + c] - mean;

			ss += t * t;
		}
		sd = rows ? sqrt(ss / rows) : 0;
		for (int r = 0; r < rows; r++)
			x[(size_t)r * cols + c] = sd > 1e-12 ?
			    (float)((x[(size_t)r * cols + c] - mean) / sd) : 0;
	}
}

#ifdef NN_HAVE_ALS
/* Train model_als_ops with its defaults through its ops table and copy its
 * factors out; *k = 0 when ALS cannot be trained. */
static int
nn_als_factors(const dataset *ds, const interactions *train, uint64_t seed,
    float **uf, float **itf, int *k, rf_error *err)
{
	const model_ops *ops = &model_als_ops;
	double *prm = malloc((size_t)(ops->nparams ? ops->nparams : 1) *
	    sizeof *prm);
	const float *pu, *qi;
	double loss;
	model *als;
	int ka;

	*uf = *itf = NULL;
	*k = 0;
	if (prm == NULL)
		return rf_fail(err, "neural: out of memory");
	model_params_default(ops, prm);
	als = ops->create(ds, train, prm, seed, err);
	free(prm);
	if (als == NULL)
		return -1;
	for (int e = 0; e < ops->default_epochs; e++)
		if (ops->epoch(als, e, &loss, NULL, err) < 0) {
			ops->free(als);
			return -1;
		}
	if (als_factors(als, &pu, &qi, &ka) < 0 || ka <= 0) {
		ops->free(als);
		return 0;
	}
	*uf = malloc((size_t)train->n_users * ka * sizeof **uf);
	*itf = malloc((size_t)train->n_items * ka * sizeof **itf);
	if (*uf == NULL || *itf == NULL) {
		free(*uf);
		free(*itf);
		*uf = *itf = NULL;
		ops->free(als);
		return rf_fail(err, "neural: out of memory");
	}
	memcpy(*uf, pu, (size_t)train->n_users * ka * sizeof **uf);
	memcpy(*itf, qi, (size_t)train->n_items * ka * sizeof **itf);
	*k = ka;
	ops->free(als);
	return 0;
}
#endif

/* Fill nm->uf (behaviour features, then ALS user factors) and nm->itf
 * (ALS item factors); nfu / nfi are already set. */
static int
nn_build_features(nn_model *nm, const float *als_u, const float *als_i,
    int ka)
{
	const nn_dims *d = &nm->d;
	const dataset *ds = nm->base.ds;

	for (int u = 0; u < d->nu; u++) {
		float *row = nm->uf + (size_t)u * d->nfu;

		for (int c = 0; c < UF_COUNT; c++)
			row[c] = ds && ds->user_features &&
			    u < ds->n_users ?
			    ds->user_features[(size_t)u * UF_COUNT + c] : 0;
		for (int c = 0; c < ka; c++)
			row[UF_COUNT + c] = als_u[(size_t)u * ka + c];
	}
	for (int i = 0; i < d->ni; i++)
		for (int c = 0; c < ka; c++)
			nm->itf[(size_t)i * d->nfi + c] =
			    als_i[(size_t)i * ka + c];
	nn_standardise(nm->uf, d->nu, d->nfu);
	nn_standardise(nm->itf, d->ni, d->nfi);
	return 0;
}

/* ---- life cycle ---------------------------------------------------------- */

static void
nn_free(model *m)
{
	nn_model *nm = (nn_model *)m;

	if (nm == NULL)
		return;
	free(nm->param_mem);
	free(nm->grad_mem);
	free(nm->m_mem);
	free(nm->v_mem);
	free(nm->act_mem);
	free(nm->uf);
	free(nm->itf);
	free(nm->item_pre);
	free(nm->ex_u);
	free(nm->ex_i);
	free(nm->ex_y);
	free(nm->pair_user);
	free(nm->mark_u);
	free(nm->mark_i);
	free(nm->touched_u);
	free(nm->touched_i);
	model_free_header(m);
	free(nm);
}

/* Allocate every buffer for the shapes in params (+ ka ALS factors). */
static nn_model *
nn_alloc(const dataset *ds, const interactions *train, const double *params,
    uint64_t seed, int ka, rf_error *err)
{
	nn_model *nm = calloc(1, sizeof *nm);
	nn_dims *d;
	size_t na, nnz;
	int mlp;

	if (nm == NULL)
		return rf_fail(err, "neural: out of memory"), NULL;
	if (model_init_header(&nm->base, &model_neural_ops, ds, train, params,
	    seed, err) < 0) {
		free(nm);
		return NULL;
	}
	d = &nm->d;
	d->nu = train->n_users;
	d->ni = train->n_items;
	d->k = (int)nm->base.params[NN_FACTORS];
	mlp = (int)nm->base.params[NN_MLP];
	d->L = (int)nm->base.params[NN_LAYERS];
	d->B = (int)nm->base.params[NN_BATCH];
	if (mlp % 2 || (mlp >> d->L) < 1 || d->L > NN_MAX_LAYERS ||
	    d->k > 256 || mlp > 512) {
		rf_fail(err, "neural: mlp=%d cannot halve %d times", mlp,
		    d->L);
		nn_free(&nm->base);
		return NULL;
	}
	d->e = mlp / 2;
	for (int l = 0; l <= d->L; l++)
		d->width[l] = mlp >> l;
	if (nm->base.params[NN_FEATURES] > 0.5) {
		d->nfu = UF_COUNT + ka;
		d->nfi = ka;
	}
	nm->nparams = nn_net_map(NULL, NULL, d);
	nm->nembed = nn_embed_floats(d);
	na = nn_acts_map(&nm->act, NULL, d);
	nnz = (size_t)(train->nnz ? train->nnz : 1);
	nm->nex = (size_t)train->nnz *
	    (1 + (size_t)nm->base.params[NN_NEG]);
	/* Parameters with their gradients and Adam moments, activations,
	 * features, the item tower's cache and the examples of an epoch
	 * (which neg multiplies). */
	if (model_check_room(&nm->base, (4 * (uint64_t)nm->nparams + na +
	    (uint64_t)d->nu * d->nfu + (uint64_t)d->ni * (d->nfi +
	    d->width[1])) * sizeof(float) + (nm->nex + 1) * 12 + nnz * 4,
	    NN_NEG, (uint64_t)train->nnz * 12, 1, err) < 0) {
		nn_free(&nm->base);
		return NULL;
	}
	nm->param_mem = calloc(nm->nparams, sizeof(float));
	nm->grad_mem = calloc(nm->nparams, sizeof(float));
	nm->m_mem = calloc(nm->nparams, sizeof(float));
	nm->v_mem = calloc(nm->nparams, sizeof(float));
	nm->act_mem = calloc(na, sizeof(float));
	nm->uf = calloc((size_t)d->nu * d->nfu + 1, sizeof(float));
	nm->itf = calloc((size_t)d->ni * d->nfi + 1, sizeof(float));
	nm->item_pre = malloc((size_t)d->ni * d->width[1] * sizeof(float) + 1);
	nm->ex_u = malloc((nm->nex + 1) * sizeof *nm->ex_u);
	nm->ex_i = malloc((nm->nex + 1) * sizeof *nm->ex_i);
	nm->ex_y = malloc((nm->nex + 1) * sizeof *nm->ex_y);
	nm->pair_user = malloc(nnz * sizeof *nm->pair_user);
	nm->mark_u = calloc((size_t)d->nu + 1, 1);
	nm->mark_i = calloc((size_t)d->ni + 1, 1);
	nm->touched_u = malloc(((size_t)d->B + 1) * sizeof(int));
	nm->touched_i = malloc(((size_t)d->B + 1) * sizeof(int));
	if (!nm->param_mem || !nm->grad_mem || !nm->m_mem || !nm->v_mem ||
	    !nm->act_mem || !nm->uf || !nm->itf || !nm->item_pre ||
	    !nm->ex_u || !nm->ex_i || !nm->ex_y || !nm->pair_user ||
	    !nm->mark_u || !nm->mark_i || !nm->touched_u || !nm->touched_i) {
		rf_fail(err, "neural: out of memory for %zu parameters",
		    nm->nparams);
		nn_free(&nm->base);
		return NULL;
	}
	nn_net_map(&nm->p, nm->param_mem, d);
	nn_net_map(&nm->g, nm->grad_mem, d);
	nn_net_map(&nm->am, nm->m_mem, d);
	nn_net_map(&nm->av, nm->v_mem, d);
	nn_acts_map(&nm->act, nm->act_mem, d);
	for (int u = 0; u < train->n_users; u++)
		for (int64_t x = train->ptr[u]; x < train->ptr[u + 1]; x++)
			nm->pair_user[x] = u;
	rf_rng_seed(&nm->rng, seed);
	return nm;
}

static void
nn_fill_normal(float *x, size_t n, double sd, rf_rng *r)
{
	for (size_t t = 0; t < n; t++)
		x[t] = (float)(sd * rf_rng_normal(r));
}

static model *
nn_create(const dataset *ds, const interactions *train, const double *params,
    uint64_t seed, rf_error *err)
{
	float *als_u = NULL, *als_i = NULL;
	int ka = 0, feats = params && params[NN_FEATURES] > 0.5;
	nn_model *nm;
	nn_dims *d;

	if (train->n_users <= 0 || train->n_items < 2)
		return rf_fail(err, "neural: needs users and two items"), NULL;
#ifdef NN_HAVE_ALS
	if (feats && nn_als_factors(ds, train, seed, &als_u, &als_i, &ka,
	    err) < 0)
		return NULL;
#endif
	nm = nn_alloc(ds, train, params, seed, ka, err);
	if (nm == NULL) {
		free(als_u);
		free(als_i);
		return NULL;
	}
	d = &nm->d;
	if (feats)
		nn_build_features(nm, als_u, als_i, ka);
	free(als_u);
	free(als_i);
	/* Embeddings N(0, 0.01) as in He et al. 2017 section 4.1; layers
	 * with He et al. 2015's N(0, 2 / fan_in) for ReLU; the output layer
	 * (and W_f, whose inputs are standardised) with Glorot's scale. */
	nn_fill_normal(nm->p.pg, (size_t)d->nu * d->k, 0.01, &nm->rng);
	nn_fill_normal(nm->p.pm, (size_t)d->nu * d->e, 0.01, &nm->rng);
	nn_fill_normal(nm->p.qg, (size_t)d->ni * d->k, 0.01, &nm->rng);
	nn_fill_normal(nm->p.qm, (size_t)d->ni * d->e, 0.01, &nm->rng);
	for (int l = 0; l < d->L; l++)
		nn_fill_normal(nm->p.w[l], (size_t)d->width[l] *
		    d->width[l + 1], sqrt(2.0 / d->width[l]), &nm->rng);
	nn_fill_normal(nm->p.wf, (size_t)(d->nfu + d->nfi) * d->width[1],
	    0.1 * sqrt(2.0 / (d->nfu + d->nfi + d->width[1])), &nm->rng);
	nn_fill_normal(nm->p.wo, (size_t)(d->k + d->width[d->L]),
	    sqrt(1.0 / (d->k + d->width[d->L])), &nm->rng);
	nn_refresh_items(nm);
	return &nm->base;
}

/* This epoch's examples: every observed pair and `neg` fresh negatives
 * for it (He et al. 2017 section 3.1.1), shuffled (Fisher-Yates). */
static size_t
nn_sample_epoch(nn_model *nm)
{
	const interactions *t = nm->base.train;
	int neg = (int)nm->base.params[NN_NEG];
	size_t n = 0;

	for (int64_t x = 0; x < t->nnz; x++) {
		int u = nm->pair_user[x];

		nm->ex_u[n] = u;
		nm->ex_i[n] = t->idx[x];
		nm->ex_y[n++] = 1.0f;
		for (int s = 0; s < neg; s++) {
			int j = 0, tries;

			for (tries = 0; tries < NN_MAX_TRIES; tries++) {
				j = (int)rf_rng_below(&nm->rng,
				    (uint32_t)t->n_items);
				if (!interactions_contains(t, u, j))
					break;
			}
			if (tries == NN_MAX_TRIES)
				continue;
			nm->ex_u[n] = u;
			nm->ex_i[n] = j;
			nm->ex_y[n++] = 0.0f;
		}
	}
	for (size_t x = n; x > 1; x--) {
		size_t r = (size_t)rf_rng_below(&nm->rng, (uint32_t)x);
		int tu = nm->ex_u[x - 1], ti = nm->ex_i[x - 1];
		float ty = nm->ex_y[x - 1];

		nm->ex_u[x - 1] = nm->ex_u[r];
		nm->ex_i[x - 1] = nm->ex_i[r];
		nm->ex_y[x - 1] = nm->ex_y[r];
		nm->ex_u[r] = tu;
		nm->ex_i[r] = ti;
		nm->ex_y[r] = ty;
	}
	return n;
}

static int
nn_epoch(model *m, int epoch, double *loss, const volatile int *cancel,
    rf_error *err)
{
	nn_model *nm = (nn_model *)m;
	int B = nm->d.B, stopped = 0;
	size_t n, done = 0;
	double sum = 0;

	(void)epoch;
	if (m->train->nnz <= 0)
		return rf_fail(err, "neural: no training interactions");
	n = nn_sample_epoch(nm);
	/* Steps keep the gradient zero between batches; start clean in case
	 * neural_loss_grad() left something behind. */
	memset(nm->grad_mem, 0, nm->nparams * sizeof *nm->grad_mem);
	for (size_t s = 0; s < n; s += (size_t)B) {
		int b = n - s < (size_t)B ? (int)(n - s) : B;

		if (cancel && *cancel) {
			stopped = 1;
			break;
		}
		/* forward + backward (gradients are zero here), update */
		sum += nn_forward_backward(nm, nm->ex_u + s, nm->ex_i + s,
		    nm->ex_y + s, b) * b;
		nn_adam_step(nm, nm->ex_u + s, nm->ex_i + s, b);
		done += (size_t)b;
	}
	nn_refresh_items(nm);
	*loss = done ? sum / (double)done : 0;
	if (stopped)
		return 1;
	m->epochs_done++;
	return 0;
}

/* ---- test hooks ------------------------------------------------------- */

size_t
neural_parameters(model *m, float **params, float **grads)
{
	nn_model *nm = (nn_model *)m;

	*params = nm->param_mem;
	*grads = nm->grad_mem;
	return nm->nparams;
}

int
neural_groups(const model *m, neural_group *groups, int max)
{
	const nn_model *nm = (const nn_model *)m;
	const nn_dims *d = &nm->d;
	static const char *wname[NN_MAX_LAYERS] = { "mlp.W1", "mlp.W2",
	    "mlp.W3", "mlp.W4" };
	static const char *bname[NN_MAX_LAYERS] = { "mlp.b1", "mlp.b2",
	    "mlp.b3", "mlp.b4" };
	neural_group all[4 + 2 * NN_MAX_LAYERS + 3];
	int n = 0, out = 0;

#define NN_GROUP(nm_, ptr, cnt) do { \
		all[n].name = (nm_); \
		all[n].offset = (size_t)((ptr) - nm->param_mem); \
		all[n++].count = (size_t)(cnt); \
	} while (0)
	NN_GROUP("gmf.user", nm->p.pg, (size_t)d->nu * d->k);
	NN_GROUP("mlp.user", nm->p.pm, (size_t)d->nu * d->e);
	NN_GROUP("gmf.item", nm->p.qg, (size_t)d->ni * d->k);
	NN_GROUP("mlp.item", nm->p.qm, (size_t)d->ni * d->e);
	for (int l = 0; l < d->L; l++) {
		NN_GROUP(wname[l], nm->p.w[l],
		    (size_t)d->width[l] * d->width[l + 1]);
		NN_GROUP(bname[l], nm->p.b[l], d->width[l + 1]);
	}
	if (d->nfu + d->nfi > 0)
		NN_GROUP("features.W", nm->p.wf,
		    (size_t)(d->nfu + d->nfi) * d->width[1]);
	NN_GROUP("out.h", nm->p.wo, d->k + d->width[d->L]);
	NN_GROUP("out.b", nm->p.bo, 1);
#undef NN_GROUP
	for (int x = 0; x < n && out < max; x++)
		groups[out++] = all[x];
	return out;
}

double
neural_loss_grad(model *m, const int *users, const int *items,
    const float *labels, int n, rf_error *err)
{
	nn_model *nm = (nn_model *)m;
	double loss, reg = m->params[NN_REG], sq = 0;

	if (n < 1 || n > nm->d.B)
		return rf_fail(err, "neural: batch of %d, at most %d", n,
		    nm->d.B);
	memset(nm->grad_mem, 0, nm->nparams * sizeof *nm->grad_mem);
	loss = nn_forward_backward(nm, users, items, labels, n);
	if (reg > 0) {
		for (size_t x = 0; x < nm->nparams; x++) {
			sq += (double)nm->param_mem[x] * nm->param_mem[x];
			nm->grad_mem[x] += (float)reg * nm->param_mem[x];
		}
		loss += 0.5 * reg * sq;
	}
	return loss;
}

/* ---- save / load ------------------------------------------------------ */

/* Blob: "RFNCF1\0\0", int32 nu, ni, k, mlp, L, nfu, nfi, epochs_done,
 * then the parameter buffer, user features and item features (floats in
 * host byte order): self-contained, ALS is not needed to score. */
static const char nn_magic[8] = "RFNCF1";

static int
nn_save(const model *m, rf_buf *out, rf_error *err)
{
	const nn_model *nm = (const nn_model *)m;
	const nn_dims *d = &nm->d;
	int32_t hdr[8] = { d->nu, d->ni, d->k, 2 * d->e, d->L, d->nfu, d->nfi,
	    m->epochs_done };
	blob_writer w;

	blob_writer_init(&w, out);
	blob_put(&w, nn_magic, sizeof nn_magic);
	blob_put(&w, hdr, sizeof hdr);
	blob_put(&w, nm->param_mem, nm->nparams * sizeof(float));
	blob_put(&w, nm->uf, (size_t)d->nu * d->nfu * sizeof(float));
	blob_put(&w, nm->itf, (size_t)d->ni * d->nfi * sizeof(float));
	return blob_writer_finish(&w, "neural", err);
}

static model *
nn_load(const dataset *ds, const interactions *train, const double *params,
    const void *data, size_t len, rf_error *err)
{
	int32_t hdr[8];
	blob_reader r;
	nn_model *nm;
	nn_dims *d;

	if (model_check_saved_params(&model_neural_ops, params, err) < 0)
		return NULL;
	if (blob_reader_init(&r, "neural", data, len, nn_magic,
	    sizeof nn_magic, err) < 0 ||
	    blob_get(&r, hdr, sizeof hdr) < 0 ||
	    blob_match(&r, "users", hdr[0], train->n_users) < 0 ||
	    blob_match(&r, "items", hdr[1], train->n_items) < 0)
		return NULL;
	if (hdr[6] < 0 || hdr[6] > 4096)
		return rf_fail(err, "neural: corrupt saved model"), NULL;
	nm = nn_alloc(ds, train, params, 0, hdr[6], err);
	if (nm == NULL)
		return NULL;
	d = &nm->d;
	if (d->k != hdr[2] || 2 * d->e != hdr[3] || d->L != hdr[4] ||
	    d->nfu != hdr[5] || d->nfi != hdr[6]) {
		nn_free(&nm->base);
		return rf_fail(err, "neural: saved with factors=%d mlp=%d "
		    "layers=%d features=%d, asked otherwise", hdr[2], hdr[3],
		    hdr[4], hdr[5] > 0), NULL;
	}
	if (blob_expect(&r, (nm->nparams + (size_t)d->nu * d->nfu +
	    (size_t)d->ni * d->nfi) * sizeof(float)) < 0 ||
	    blob_get(&r, nm->param_mem, nm->nparams * sizeof(float)) < 0 ||
	    blob_get(&r, nm->uf, (size_t)d->nu * d->nfu * sizeof(float)) < 0 ||
	    blob_get(&r, nm->itf, (size_t)d->ni * d->nfi * sizeof(float)) < 0 ||
	    model_check_finite(&model_neural_ops, "weights", nm->param_mem,
	    nm->nparams, err) < 0 ||
	    model_check_finite(&model_neural_ops, "user features", nm->uf,
	    (size_t)d->nu * d->nfu, err) < 0 ||
	    model_check_finite(&model_neural_ops, "item features", nm->itf,
	    (size_t)d->ni * d->nfi, err) < 0) {
		nn_free(&nm->base);
		return NULL;
	}
	nm->base.epochs_done = hdr[7];
	nn_refresh_items(nm);
	return &nm->base;
}

/* `train neural --search`: the main parameters, one at a time. */
static const model_search neural_search[] = {
	{ "lr", 4, { 0.0005, 0.001, 0.002, 0.005 }, 0 },
	{ NULL, 0, { 0 }, 0 }
};

const model_ops model_neural_ops = {
	.name = "neural",
	.title = "Neural",
	.help = "NeuMF: GMF + MLP towers fused by a sigmoid output "
	    "(He et al. 2017)",
	.memory = "the embeddings ((users + items) x (factors + mlp / 2) "
	    "floats) and layers, four times over (weights, gradients, Adam's "
	    "two moments), and the items' first-layer products while it "
	    "scores",
	.kinds = MODEL_TOPN,
	.params = nn_params,
	.nparams = NN_NPARAMS,
	.search = neural_search,
	.default_epochs = NN_DEFAULT_EPOCHS,
	.create = nn_create,
	.epoch = nn_epoch,
	.score_user = nn_score_user,
	.predict = NULL,
	.explain = NULL,
	.save = nn_save,
	.load = nn_load,
	.free = nn_free,
};
