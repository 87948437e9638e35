/* gen_model_seeds: the seeds of fuzz_model_load: for every model of the
 * registry, trained for one epoch on the fuzzers' dataset
 * (tests/fuzz/fuzz.h), and for the two kinds imported from elsewhere, read
 * from small tables written to DIR, a file DIR/NAME holding the model's
 * index (fuzz_model(), one byte) and its saved blob.
 * Usage: gen_model_seeds DIR */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "tests/fuzz/fuzz.h"

/* An imported model of ops's kind from tables written in dir: factors
 * for every user and item, or a score for some pairs. */
static model *
import_model(const model_ops *ops, const dataset *ds, const char *dir,
    rf_error *err)
{
	char users[4096], items[4096];
	external_report rep;
	model *m;
	FILE *f;

	snprintf(users, sizeof users, "%s/users.txt", dir);
	snprintf(items, sizeof items, "%s/items.txt", dir);
	if ((f = fopen(users, "w")) == NULL)
		return rf_fail(err, "cannot write %s", users), NULL;
	for (int u = 0; u < ds->n_users; u++)
		fprintf(f, ops == &model_external_factors_ops ?
		    "%s\t0.%d 0.5 -0.25\n" : "%s\t101\t0.%d\n",
		    ds->user_ext[u], u);
	fclose(f);
	if ((f = fopen(items, "w")) == NULL)
		return rf_fail(err, "cannot write %s", items), NULL;
	for (int i = 0; i < ds->n_items; i++)
		fprintf(f, "%s\t0.25 -0.%d 1\n", ds->item_ext[i], i);
	fclose(f);
	memset(&rep, 0, sizeof rep);
	if (ops == &model_external_factors_ops)
		m = external_factors_import(ds, &ds->all, users, items, &rep,
		    err);
	else
		m = external_scores_import(ds, &ds->all, users, &rep, err);
	unlink(users);
	unlink(items);
	return m;
}

int
main(int argc, char **argv)
{
	dataset ds;
	model_fingerprint fp;
	int failed = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: gen_model_seeds DIR\n");
		return 2;
	}
	if (fuzz_dataset(&ds, &fp) < 0) {
		fprintf(stderr, "gen_model_seeds: out of memory\n");
		return 1;
	}
	for (int k = 0; fuzz_model(k) != NULL; k++) {
		const model_ops *ops = fuzz_model(k);
		unsigned char index = (unsigned char)k;
		rf_buf b = { 0 };
		rf_error err = { { 0 } };
		char path[4096];
		model *m;
		FILE *f;

		if (ops->save == NULL)
			continue;
		if (ops->traits & MODEL_EXTERNAL)
			m = import_model(ops, &ds, argv[1], &err);
		else
			m = tiny_train_default(ops, &ds, 1, &err);
		if (m == NULL || train_model_to_bytes(m, &fp, &b, &err) < 0) {
			fprintf(stderr, "gen_model_seeds: %s: %s\n", ops->name,
			    err.msg);
			if (m != NULL)
				ops->free(m);
			failed = 1;
			continue;
		}
		ops->free(m);
		snprintf(path, sizeof path, "%s/%s", argv[1], ops->name);
		if ((f = fopen(path, "wb")) == NULL ||
		    fwrite(&index, 1, 1, f) != 1 ||
		    fwrite(b.data, 1, b.len, f) != b.len || fclose(f) != 0) {
			fprintf(stderr, "gen_model_seeds: cannot write %s\n",
			    path);
			failed = 1;
		}
		rf_buf_free(&b);
	}
	interactions_free(&ds.all);
	return failed;
}
