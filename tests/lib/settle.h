/* settle.h: a model's settle op (engine/models/model.h) lets go of its
 * training state and nothing else: on a tiny matrix, the scores are the
 * same before and after it, and a fit that settles after two epochs and
 * trains two more ends where four epochs straight end (within tol,
 * relative to the largest score; 0: bit for bit). */
#ifndef TESTS_SETTLE_H
#define TESTS_SETTLE_H

#include <math.h>
#include <stdlib.h>

#include "engine/models/model.h"
#include "tests/lib/check.h"
#include "tests/lib/mldata.h"
#include "tests/lib/tinydata.h"

static inline void
check_settle(const model_ops *ops, double tol)
{
	enum { NU = 40, NI = 30 };
	interactions tm;
	dataset *ds;
	double prm[32], loss;
	rf_error err;
	model *a = NULL, *b = NULL;
	float *sa = malloc(2 * (size_t)NU * NI * sizeof *sa), *sb;
	double worst_same = 0, worst_on = 0, scale = 1e-30;

	if (sa == NULL || tiny_random_matrix(&tm, NU, NI, 0.2, 9) < 0 ||
	    (ds = ml_dataset(&tm, 0)) == NULL) {
		CHECK_FAIL("out of memory");
		free(sa);
		return;
	}
	sb = sa + (size_t)NU * NI;
	CHECK(ops->settle != NULL);
	model_params_default(ops, prm);
	if ((a = ops->create(ds, &tm, prm, 5, &err)) == NULL ||
	    (b = ops->create(ds, &tm, prm, 5, &err)) == NULL) {
		CHECK_FAIL("%s create: %s", ops->name, err.msg);
		goto out;
	}
	for (int e = 0; e < 4; e++)
		CHECK_MSG(ops->epoch(a, e, &loss, NULL, &err) == 0,
		    "%s epoch: %s", ops->name, err.msg);
	for (int e = 0; e < 2; e++)
		CHECK_MSG(ops->epoch(b, e, &loss, NULL, &err) == 0,
		    "%s epoch: %s", ops->name, err.msg);
	for (int u = 0; u < NU; u++)
		ops->score_user(b, u, sa + (size_t)u * NI);
	ops->settle(b);
	ops->settle(b);		/* twice: nothing left to let go */
	for (int u = 0; u < NU; u++)
		ops->score_user(b, u, sb + (size_t)u * NI);
	for (size_t x = 0; x < (size_t)NU * NI; x++)
		worst_same = fmax(worst_same, fabs(sa[x] - sb[x]));
	CHECK_EQ(worst_same, 0);
	for (int e = 2; e < 4; e++)
		CHECK_MSG(ops->epoch(b, e, &loss, NULL, &err) == 0,
		    "%s epoch after settle: %s", ops->name, err.msg);
	for (int u = 0; u < NU; u++) {
		ops->score_user(a, u, sa + (size_t)u * NI);
		ops->score_user(b, u, sb + (size_t)u * NI);
	}
	for (size_t x = 0; x < (size_t)NU * NI; x++) {
		worst_on = fmax(worst_on, fabs(sa[x] - sb[x]));
		scale = fmax(scale, fabs(sa[x]));
	}
	printf("%s settle: scores unchanged by it; 2 epochs, settle, 2 more "
	    "against 4 straight: worst difference %.3g (largest score "
	    "%.3g)\n", ops->name, worst_on, scale);
	CHECK(worst_on <= tol * scale);
out:
	if (a)
		ops->free(a);
	if (b)
		ops->free(b);
	free(ds);
	interactions_free(&tm);
	free(sa);
}

#endif
