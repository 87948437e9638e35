/* gru_cell: the batched GRU layer and its backward pass (see gru_cell.h). */
#include "engine/models/gru_cell.h"

#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

int
gru_pack_alloc(gru_pack *p, int max_steps)
{
	memset(p, 0, sizeof *p);
	p->active = malloc(((size_t)max_steps + 1) * sizeof *p->active);
	p->offset = malloc(((size_t)max_steps + 2) * sizeof *p->offset);
	if (p->active == NULL || p->offset == NULL) {
		gru_pack_free(p);
		return -1;
	}
	p->cap = max_steps;
	return 0;
}

void
gru_pack_free(gru_pack *p)
{
	free(p->active);
	free(p->offset);
	memset(p, 0, sizeof *p);
}

int
gru_pack_set(gru_pack *p, const int *len, int nseq)
{
	int steps = nseq > 0 ? len[0] : 0;

	if (steps > p->cap)
		return -1;
	for (int b = 0; b < nseq; b++)
		if (len[b] < 1 || (b > 0 && len[b] > len[b - 1]))
			return -1;
	p->nseq = nseq;
	p->steps = steps;
	p->offset[0] = 0;
	/* Walk the lengths from the shortest: at step t the sequences
	 * longer than t run. */
	for (int t = 0, b = nseq; t < steps; t++) {
		while (b > 0 && len[b - 1] <= t)
			b--;
		p->active[t] = b;
		p->offset[t + 1] = p->offset[t] + b;
	}
	p->rows = p->offset[steps];
	return 0;
}

size_t
gru_cache_floats(int rows, int nh)
{
	return (size_t)rows * (size_t)nh * 10;
}

void
gru_cache_map(gru_cache *c, float *base, int rows, int nh)
{
	size_t g = (size_t)rows * 3 * (size_t)nh;

	c->ax = base;
	c->ah = base + g;
	c->gate = base + 2 * g;
	c->h = base + 3 * g;
}

static float
sigmoid(float v)
{
	return 1.0f / (1.0f + expf(-v));
}

/* tanh v = 2 sigma(2v) - 1: one expf, several times cheaper than tanhf,
 * within a few float ulps of 1 in absolute terms. */
static float
tanh_fast(float v)
{
	return 2.0f / (1.0f + expf(-2.0f * v)) - 1.0f;
}

/* out rows = bias, once per row (the sgemm then adds into it). */
static void
fill_bias(float *out, const float *bias, int rows, int width)
{
	for (int r = 0; r < rows; r++)
		memcpy(out + (size_t)r * width, bias, (size_t)width *
		    sizeof *out);
}

void
gru_forward(const gru_layer *w, const gru_pack *p, const float *x,
    gru_cache *c)
{
	const int nh = w->nh, g3 = 3 * nh;

	/* The input half of every step at once. */
	fill_bias(c->ax, w->bx, p->rows, g3);
	if (p->rows > 0)
		cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, p->rows,
		    g3, w->nin, 1.0f, x, w->nin, w->wx, g3, 1.0f, c->ax, g3);
	for (int t = 0; t < p->steps; t++) {
		const int R = p->active[t], o = p->offset[t];
		const float *hprev = t > 0 ? c->h + (size_t)p->offset[t - 1] *
		    nh : NULL;
		float *ah = c->ah + (size_t)o * g3;

		fill_bias(ah, w->bh, R, g3);
		if (hprev != NULL)
			cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans,
			    R, g3, nh, 1.0f, hprev, nh, w->wh, g3, 1.0f, ah,
			    g3);
		for (int b = 0; b < R; b++) {
			const float *axr = c->ax + (size_t)(o + b) * g3;
			const float *ahr = ah + (size_t)b * g3;
			float *gr = c->gate + (size_t)(o + b) * g3;
			float *hr = c->h + (size_t)(o + b) * nh;

			for (int j = 0; j < nh; j++) {
				float z = sigmoid(axr[j] + ahr[j]);
				float r = sigmoid(axr[nh + j] + ahr[nh + j]);
				float n = tanh_fast(axr[2 * nh + j] +
				    r * ahr[2 * nh + j]);
				float hp = hprev ? hprev[(size_t)b * nh + j] :
				    0.0f;

				gr[j] = z;
				gr[nh + j] = r;
				gr[2 * nh + j] = n;
				hr[j] = (1.0f - z) * n + z * hp;
			}
		}
	}
}

/* col[j] += sum over rows of a[r][j] */
static void
add_column_sums(float *col, const float *a, int rows, int width)
{
	for (int r = 0; r < rows; r++)
		for (int j = 0; j < width; j++)
			col[j] += a[(size_t)r * width + j];
}

void
gru_backward(const gru_layer *w, const gru_pack *p, const float *x,
    const gru_cache *c, float *dh, float *da, float *dc, gru_layer *g,
    float *dx)
{
	const int nh = w->nh, g3 = 3 * nh;

	for (int t = p->steps - 1; t >= 0; t--) {
		const int R = p->active[t], o = p->offset[t];
		const int po = t > 0 ? p->offset[t - 1] : 0;
		const float *hprev = t > 0 ? c->h + (size_t)po * nh : NULL;

		for (int b = 0; b < R; b++) {
			const float *gr = c->gate + (size_t)(o + b) * g3;
			const float *ahr = c->ah + (size_t)(o + b) * g3;
			const float *dhr = dh + (size_t)(o + b) * nh;
			float *dar = da + (size_t)(o + b) * g3;
			float *dcr = dc + (size_t)b * g3;
			float *dhp = hprev ? dh + (size_t)(po + b) * nh : NULL;

			for (int j = 0; j < nh; j++) {
				float z = gr[j], r = gr[nh + j];
				float n = gr[2 * nh + j];
				float hp = hprev ? hprev[(size_t)b * nh + j] :
				    0.0f;
				float d = dhr[j];
				float dan = d * (1.0f - z) * (1.0f - n * n);
				float daz = d * (hp - n) * z * (1.0f - z);
				float dar_ = dan * ahr[2 * nh + j] * r *
				    (1.0f - r);

				dar[j] = dcr[j] = daz;
				dar[nh + j] = dcr[nh + j] = dar_;
				dar[2 * nh + j] = dan;
				dcr[2 * nh + j] = dan * r;
				if (dhp != NULL)
					dhp[j] += d * z;
			}
		}
		add_column_sums(g->bh, dc, R, g3);
		if (hprev != NULL) {
			/* dW_h += h^T dc;  dh (the step before) += dc W_h^T */
			cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, nh,
			    g3, R, 1.0f, hprev, nh, dc, g3, 1.0f, g->wh, g3);
			cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, R,
			    nh, g3, 1.0f, dc, g3, w->wh, g3, 1.0f,
			    dh + (size_t)po * nh, nh);
		}
	}
	if (p->rows == 0)
		return;
	/* The input half of every step at once. */
	add_column_sums(g->bx, da, p->rows, g3);
	cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, w->nin, g3,
	    p->rows, 1.0f, x, w->nin, da, g3, 1.0f, g->wx, g3);
	if (dx != NULL)
		cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, p->rows,
		    w->nin, g3, 1.0f, da, g3, w->wx, g3, 1.0f, dx, w->nin);
}
