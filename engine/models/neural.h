/* neural: the learned-ranking models, BPR-MF (Rendle et al. 2009) and
 * NeuMF (He et al. 2017), beyond their ops tables: hooks that let tests
 * check every analytic gradient against finite differences. */
#ifndef RF_NEURAL_H
#define RF_NEURAL_H

#include <stddef.h>

#include "engine/models/model.h"

/* BPR's parameters: user factors (n_users, k), item factors (n_items, k),
 * item biases (n_items), all owned by m and writable (for tests). */
void bpr_parameters(model *m, float **user_f, float **item_f,
    float **item_bias, int *k);

/* The BPR objective of one triple (u prefers i over j), Rendle et al. 2009
 * eq. (4) with the regulariser restricted to the parameters the triple
 * touches:
 *   l = -ln sigma(x_uij) + reg/2 (|p_u|^2 + |q_i|^2 + |q_j|^2 + b_i^2 + b_j^2),
 *   x_uij = p_u . (q_i - q_j) + b_i - b_j.
 * Returns l and writes dl/dp_u, dl/dq_i, dl/dq_j (k floats each) and
 * dl/db_i, dl/db_j: the very gradient LearnBPR's SGD step follows. */
double bpr_triple_loss_grad(const model *m, int u, int i, int j,
    float *gp_u, float *gq_i, float *gq_j, float *gb_i, float *gb_j);
/* The SGD step an epoch takes for one triple: every parameter the triple
 * touches moves by -lr times that gradient (in float, p_u's old value in
 * the item steps); returns the triple's loss before the step. */
double bpr_triple_step(model *m, int u, int i, int j, float lr);
/* How sparse train is for BPR's sampling, 0 (every item drawn as a
 * negative 40 times an epoch or more) to 1: neg_pop -1 is half of it,
 * decay -1 0.02 + 0.28 times it (see bpr.c). */
double bpr_sparsity(const interactions *train);

/* NeuMF: every parameter lives in one contiguous buffer; a group is a named
 * slice of it (an embedding table, a layer's weights or biases). */
typedef struct neural_group {
	const char *name;
	size_t offset, count;
} neural_group;

/* The parameter and gradient buffers (same layout, n floats each). */
size_t neural_parameters(model *m, float **params, float **grads);
/* The named groups, in buffer order; returns how many (at most max). */
int neural_groups(const model *m, neural_group *groups, int max);

/* Loss of a fixed batch of (user, item, label) examples:
 *   L = 1/n sum BCE(sigma(f(u, i)), y) + reg/2 |theta|^2
 * The gradient buffer is zeroed and then receives dL/dtheta.  n is at
 * most the model's batch size.  Returns L, or a negative value (with err)
 * on failure. */
double neural_loss_grad(model *m, const int *users, const int *items,
    const float *labels, int n, rf_error *err);

#endif
