/* rating_grad: the loss and analytic gradient of ONE rating's regularised
 * squared error for the factor models (mf, svdpp), and read-only views of
 * their parameters, so tests can check the maths against finite differences
 * and check that an SGD step moves the parameters along that gradient. */
#ifndef RF_RATING_GRAD_H
#define RF_RATING_GRAD_H

#include "engine/models/model.h"

/* Biased MF (Koren, Bell, Volinsky 2009, eq. 5), one rating's share:
 *   L = (r - mu - b_u - b_i - p_u.q_i)^2
 *       + reg[0] b_u^2 + reg[1] b_i^2 + reg[2] |p_u|^2 + reg[3] |q_i|^2.
 * theta = [b_u, b_i, p_u (k), q_i (k)]; grad gets dL/dtheta (2 + 2k).
 * Returns L.  mf_rating_regs() gives the model's reg[] for (u, i). */
double mf_rating_loss_grad(int k, double mu, double r, const double reg[4],
    const double *theta, double *grad);
void mf_rating_regs(const model *m, int u, int i, double reg[4]);

/* SVD++ (Koren 2008, eq. 15), one rating's share, for a user with n
 * implicit items N(u):
 *   L = (r - mu - b_u - b_i - q_i.(p_u + n^-1/2 sum_j y_j))^2
 *       + reg[0] b_u^2 + reg[1] b_i^2 + reg[2] |p_u|^2 + reg[3] |q_i|^2
 *       + reg[4] sum_j |y_j|^2.
 * theta = [b_u, b_i, p_u (k), q_i (k), y_1 (k) ... y_n (k)];
 * grad gets dL/dtheta (2 + 2k + n k).  Returns L.  svdpp_rating_regs()
 * gives the model's reg[] for (u, i); the model counts the y penalty once
 * per user, so for a user with one rating reg[4] is exact per rating. */
double svdpp_rating_loss_grad(int k, int n, double mu, double r,
    const double reg[5], const double *theta, double *grad);
void svdpp_rating_regs(const model *m, int u, int i, double reg[5]);

/* Parameter views of a trained model (pointers into the model; rows of
 * the factor matrices are kpad floats apart, lanes >= k are zero). */
typedef struct rating_factors {
	double mu;
	int k, kpad;
	float *bu, *bi;		/* (n_users), (n_items) */
	float *P, *Q;		/* (n_users, kpad), (n_items, kpad) */
	float *Y;		/* svdpp only: (n_items, kpad); else NULL */
} rating_factors;

int mf_factors(const model *m, rating_factors *f);
int svdpp_factors(const model *m, rating_factors *f);
/* Learning rate the SGD uses in a given epoch. */
double mf_learning_rate(const model *m, int epoch);
double svdpp_learning_rate(const model *m, int epoch);

#endif
