/* gru_cell: one GRU layer (Cho et al. 2014) run over a packed batch of
 * sequences, forward and back through time (BPTT), each product a
 * cblas_sgemm over every sequence still running at that step. */
#ifndef RF_GRU_CELL_H
#define RF_GRU_CELL_H

#include <stddef.h>

/*
 * The cell in the form cuDNN and PyTorch use (the reset gate applied to
 * the recurrent product, not to the state before it):
 *   z  = sigma(x W_xz + b_xz + h W_hz + b_hz)        update gate
 *   r  = sigma(x W_xr + b_xr + h W_hr + b_hr)        reset gate
 *   n  = tanh(x W_xn + b_xn + r (.) (h W_hn + b_hn))  candidate
 *   h' = (1 - z) (.) n + z (.) h
 * with h = 0 before the first step.
 */

/* A batch of sequences packed step by step (as PyTorch's PackedSequence):
 * the sequences are sorted longest first, so those still running at step
 * t are the first active[t]; sequence b's row at step t is offset[t] + b. */
typedef struct gru_pack {
	int nseq, steps, rows;
	int cap;		/* steps the arrays hold */
	int *active;		/* (cap) */
	int *offset;		/* (cap + 1); offset[steps] = rows */
} gru_pack;

/* Arrays for sequences of at most max_steps; 0 or -1 (out of memory). */
int gru_pack_alloc(gru_pack *p, int max_steps);
void gru_pack_free(gru_pack *p);
/* Lay out nseq sequences of lengths len (non-increasing, each 1..cap);
 * -1 when they are not. */
int gru_pack_set(gru_pack *p, const int *len, int nseq);

/* The weights of one layer, or their gradients (same shapes). */
typedef struct gru_layer {
	int nin, nh;		/* input width, state width */
	float *wx;		/* (nin, 3 nh): columns [z | r | n] */
	float *wh;		/* (nh, 3 nh) */
	float *bx;		/* (3 nh) */
	float *bh;		/* (3 nh) */
} gru_layer;

/* What the forward pass keeps for the backward one, per packed row. */
typedef struct gru_cache {
	float *ax;		/* (rows, 3 nh) x W_x + b_x */
	float *ah;		/* (rows, 3 nh) h_prev W_h + b_h */
	float *gate;		/* (rows, 3 nh) z, r, n */
	float *h;		/* (rows, nh) the state after the step */
} gru_cache;

/* Floats a cache of rows rows needs (gru_cache_map() lays them out). */
size_t gru_cache_floats(int rows, int nh);
void gru_cache_map(gru_cache *c, float *base, int rows, int nh);

/* x: (rows, nin) packed inputs.  Fills c. */
void gru_forward(const gru_layer *w, const gru_pack *p, const float *x,
    gru_cache *c);

/*
 * Backward through time.  dh (rows, nh): in, dL/dh' of every row from
 * above (the loss); the recurrent terms are added to it in place as the
 * steps go back.  da (rows, 3 nh) and dc (nseq, 3 nh) are scratch.  The
 * weight gradients are added to g (+=); dL/dx is added to dx (rows, nin)
 * unless dx is NULL.
 */
void gru_backward(const gru_layer *w, const gru_pack *p, const float *x,
    const gru_cache *c, float *dh, float *da, float *dc, gru_layer *g,
    float *dx);

#endif
