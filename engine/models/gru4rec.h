/* gru4rec: the sequence model beyond its ops table: hooks that let tests
 * check its loss and gradient against an independent reference. */
#ifndef RF_GRU4REC_H
#define RF_GRU4REC_H

#include <stddef.h>
#include <stdint.h>

#include "engine/models/gru_cell.h"
#include "engine/models/model.h"

/* The parameters in one buffer (the gradients in another of the same
 * layout): the named slices of it. */
typedef struct gru4rec_net {
	float *item;		/* (n_items, h) item embeddings, in and out */
	float *cat;		/* (n_cats, h) category embeddings */
	float *bias;		/* (n_items) output bias */
	gru_layer gru;		/* wx (h, 3h), wh (h, 3h), bx, bh (3h) */
} gru4rec_net;

/* The parameter and gradient buffers (n floats each) and their slices;
 * *n_cats is 0 when the model has no category embeddings, cat_of[i] the
 * category of item i or -1. */
size_t gru4rec_parameters(model *m, float **params, float **grads,
    gru4rec_net *p, gru4rec_net *g, int *n_cats, const int32_t **cat_of);

/*
 * The training loss of a fixed batch, without dropout: nseq sequences,
 * sequence s being items[start[s] .. start[s] + len[s]] (len[s] + 1
 * items: position t reads item t and predicts item t + 1), scored against
 * the ncand candidates cand (each distinct, every target among them) with
 * the sampling corrections logq:
 *   L = 1/N sum over positions of
 *       -log softmax_c(o . e_c + b_c - [c != target] logq_c)[target]
 * where o is the GRU state after the position and e_c the item's
 * embedding plus its category's; N the number of positions.  The
 * gradient buffer is zeroed and then receives dL/dtheta (without the L2
 * term, which the optimiser adds).  Returns L, or -1 with err.
 */
double gru4rec_loss_grad(model *m, const int32_t *items, const int *start,
    const int *len, int nseq, const int32_t *cand, const float *logq,
    int ncand, rf_error *err);

#endif
