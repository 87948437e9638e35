/* sniff: which format a file is in and how its lines are laid out (the
 * delimiter, a header, the column map), from the first non-blank line of
 * its first block; sets a parser up for it. */
#ifndef RF_INGEST_SNIFF_H
#define RF_INGEST_SNIFF_H

#include <stddef.h>

#include "engine/core/rf.h"
#include "engine/ingest/parser.h"

/* Set p (its o, items_kind and text already set) up for format fmt
 * (FMT_AUTO: sniffed) of the file path whose first block is buf (n bytes);
 * the format used goes in *used. */
int sniff_setup(parser *p, const char *buf, size_t n, ingest_format fmt,
    const char *path, ingest_format *used, rf_error *err);

#endif
