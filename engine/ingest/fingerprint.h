/* fingerprint: what tells one input file from another without trusting
 * its name: the quick hash (size, first and last MiB) and the content hash
 * of every byte, so that the same content is not imported twice. */
#ifndef RF_INGEST_FINGERPRINT_H
#define RF_INGEST_FINGERPRINT_H

#include <stdint.h>
#include <stdio.h>

#include "engine/core/rf.h"

/* The quick hash of the open file fd of size bytes, as 32 hex digits.
 * path names the file in messages. */
int fingerprint_quick(int fd, int64_t size, const char *path, char hex[33],
    rf_error *err);
/* The content hash of fp read to its end, then rewound; stops ("import
 * cancelled") once *cancel is set (cancel may be NULL). */
int fingerprint_whole(FILE *fp, const volatile int *cancel, const char *path,
    char hex[33], rf_error *err);

#endif
