/* stack: the learned combination (method `stack`), fitted on a validation
 * pool: a logistic regression for top-N or a ridge blend for ratings,
 * with weights that depend on user features; and its text, which the
 * session keeps in the store. */
#ifndef RF_FUSION_STACK_H
#define RF_FUSION_STACK_H

#include <stddef.h>
#include <stdint.h>

#include "engine/core/rf.h"

typedef struct fusion fusion;
typedef struct fusion_pool fusion_pool;

/* Learn the stack on a validation pool: for top-N a logistic regression
 * over normalised scores, user features and their products; for ratings
 * (rating=1) a ridge blend of the predictions.  Sets the method to stack. */
int fusion_fit_stack(fusion *f, fusion_pool *valid, int rating,
    uint64_t seed, rf_error *err);
/* The stack's coefficients (names like "ease", "ease*activity"). */
int fusion_stack_coefs(const fusion *f, const char **names, double *coef,
    int max);

/* The fitted stack's coefficient of each model for the average user (the
 * user features are standardised: at their mean they add nothing), what
 * a weight is to the weighted method: into w (one per model).  0 for a
 * top-N stack (on normalised scores), 1 for a rating blend (on the
 * predictions), -1 when no stack is fitted (w untouched). */
int fusion_stack_weights(const fusion *f, double *w);
/* The same as "ease +1.471, pop -0.814, ..." from the largest in size
 * down, whole entries as far as n allows; buf is "" without a stack. */
int fusion_stack_summary(const fusion *f, char *buf, size_t n);

/* The fitted stack as text for the store (key "fusion.stack"):
 * "kind=topn ufn=2 names=ease,als theta=v,v,..." with exact (%.17g)
 * coefficients.  0, or -1 when no stack is fitted or n is too small. */
int fusion_stack_format(const fusion *f, char *buf, size_t n);
/* Restore a stack from that text over the same set of models (matched by
 * name, any order) and set the method to stack.  -1 with err saying why
 * (different models, malformed) and the fusion untouched. */
int fusion_stack_parse(fusion *f, const char *text, rf_error *err);

#endif
