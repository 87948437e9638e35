/* gen_model_seeds: the seeds of fuzz_model_load: for every model of the
 * registry, trained for one epoch on the fuzzers' dataset
 * (tests/fuzz/fuzz.h), a file DIR/NAME holding the model's index in the
 * registry (one byte) and its saved blob.  Usage: gen_model_seeds DIR */
#include <stdio.h>
#include <stdlib.h>

#include "engine/models/registry.h"
#include "tests/fuzz/fuzz.h"

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
	for (int k = 0; model_all()[k] != NULL; k++) {
		const model_ops *ops = model_all()[k];
		unsigned char index = (unsigned char)k;
		rf_buf b = { 0 };
		rf_error err = { { 0 } };
		char path[4096];
		model *m;
		FILE *f;

		if (ops->save == NULL)
			continue;
		if ((m = tiny_train_default(ops, &ds, 1, &err)) == NULL ||
		    train_model_to_bytes(m, &fp, &b, &err) < 0) {
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
