/* scores: recommendation scores computed elsewhere (implicit, RecBole, a
 * SQL job, Spark's recommendForAllUsers exploded to one row per item):
 * lines "user item score" (tab, comma or blanks between; a header line is
 * skipped, and when it names user, item and score columns, as export
 * recs' "user,item,rank,score" does, those are read), or JSON lines {"user": .., "item": .., "score": ..} (the score
 * may be called "rating" or "prediction", the ids "userId"/"itemId"); a
 * file or a directory of part files.  Read as a stream of rows. */
#ifndef RF_INGEST_SCORES_H
#define RF_INGEST_SCORES_H

#include <stdint.h>

#include "engine/core/rf.h"

/* Called once per row (ids NUL-ended, the score finite); 0, or -1 + err
 * to stop the reading. */
typedef int (*score_row_fn)(void *ud, const char *user, const char *item,
    double score, rf_error *err);

typedef struct score_read {
	int64_t rows;
	int files;
} score_read;

/* Read path; 0, or -1 + err naming the file and line. */
int ingest_scores(const char *path, score_row_fn fn, void *ud,
    score_read *out, rf_error *err);

#endif
