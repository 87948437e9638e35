/* fuzz_model_load: a saved model's bytes (engine/train/train.c's blob:
 * header, parameters, then each model's own framing in engine/models/)
 * read back against a small dataset, for the model the first byte picks
 * (the registry's and the two imported kinds); a model that loads scores
 * every user and explains an item, so that what it read is used.  Seeds:
 * gen_model_seeds writes every model's blob, trained (or imported) on
 * the same dataset (tests/fuzz/fuzz.h). */
#include <stdio.h>
#include <stdlib.h>

#include "tests/fuzz/fuzz.h"

static void
use_model(const model *m, const dataset *ds)
{
	float scores[64];
	explain_term terms[8];

	for (int u = 0; u < ds->n_users; u++) {
		m->ops->score_user(m, u, scores);
		if (m->ops->predict != NULL)
			(void)m->ops->predict(m, u, u % ds->n_items);
		if (m->ops->explain != NULL)
			m->ops->explain(m, u, u % ds->n_items, terms, 8);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static dataset ds;
	static model_fingerprint fp;
	static int ready, nmodels;
	const model_ops *ops;
	rf_error err = { { 0 } };
	model *m;

	if (!ready) {
		if (fuzz_dataset(&ds, &fp) < 0)
			abort();
		while (fuzz_model(nmodels) != NULL)
			nmodels++;
		ready = 1;
	}
	if (size < 1)
		return 0;
	ops = fuzz_model(data[0] % nmodels);
	m = train_model_from_bytes(ops, ops->name, 1, data + 1, size - 1, &ds,
	    &ds.all, &fp, &err);
	if (m == NULL) {
		if (err.msg[0] == '\0')
			abort();	/* a refusal says why */
		return 0;
	}
	use_model(m, &ds);
	/* Its own ops: an imported kind's load reads either kind, as its
	 * blob says. */
	m->ops->free(m);
	return 0;
}
