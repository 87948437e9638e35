/* fuzz_tables: the tables of models trained elsewhere (engine/ingest:
 * factors.c and scores.c, text lines or JSON lines through jsonl.c) on
 * arbitrary bytes written to a file, read row by row as `import-model`
 * reads them; the first byte picks a factor table or a score list.  Every
 * row handed on has an id and factors in range, or a finite score. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "engine/ingest/factors.h"
#include "engine/ingest/scores.h"
#include "tests/fuzz/fuzz.h"

static int
factor_row(void *ud, const char *id, const float *f, int k, rf_error *err)
{
	int *first_k = ud;
	volatile float sum = 0;

	(void)err;
	if (id == NULL || k < 1 || k > FACTORS_MAX ||
	    (*first_k != 0 && k != *first_k))
		abort();
	*first_k = k;
	for (int j = 0; j < k; j++)
		sum += f[j];	/* every factor handed on is readable */
	return 0;
}

static int
score_row(void *ud, const char *user, const char *item, double score,
    rf_error *err)
{
	(void)ud;
	(void)err;
	if (user == NULL || item == NULL || !isfinite(score))
		abort();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[512];
	rf_error err = { { 0 } };
	int k = 0, rc;
	FILE *f;

	if (size < 1)
		return 0;
	if (path[0] == '\0')
		snprintf(path, sizeof path, "%s/fuzz_tables_%ld.txt",
		    getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp",
		    (long)getpid());
	if ((f = fopen(path, "wb")) == NULL)
		abort();
	if (fwrite(data + 1, 1, size - 1, f) != size - 1 || fclose(f) != 0)
		abort();
	if (data[0] & 1) {
		score_read sr;

		rc = ingest_scores(path, score_row, NULL, &sr, &err);
	} else {
		factor_read fr;

		rc = ingest_factors(path, factor_row, &k, &fr, &err);
	}
	if (rc < 0 && err.msg[0] == '\0')
		abort();	/* a refusal says why */
	unlink(path);
	return 0;
}
