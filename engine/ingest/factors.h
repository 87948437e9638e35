/* factors: tables of latent factors trained elsewhere, one row per user
 * or item: Spark MLlib's ALSModel (model.userFactors.write.json(DIR): a
 * directory of part-*.json files, one {"id": 12, "features": [...]} a
 * line), or text lines "id<TAB>f1 f2 ..." (blanks, tabs or commas between
 * the factors; a header line is skipped).  Read as a stream of rows. */
#ifndef RF_INGEST_FACTORS_H
#define RF_INGEST_FACTORS_H

#include <stdint.h>

#include "engine/core/rf.h"

#define FACTORS_MAX 4096	/* factors per row */

/* Called once per row: its id (NUL-ended) and its k factors (k is the
 * same for every row); 0, or -1 + err to stop the reading. */
typedef int (*factor_row_fn)(void *ud, const char *id, const float *f,
    int k, rf_error *err);

typedef struct factor_read {
	int64_t rows;
	int k;			/* factors per row; 0 before the first */
	int files;		/* part files read */
} factor_read;

/* Read path (a file, or a directory of part files); 0, or -1 + err
 * naming the file and line. */
int ingest_factors(const char *path, factor_row_fn fn, void *ud,
    factor_read *out, rf_error *err);

#endif
