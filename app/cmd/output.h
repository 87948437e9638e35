/* output: prints result tables as aligned text, TSV, CSV or JSON, and the
 * batch-mode cmd_output that writes to stdout and stderr. */
#ifndef RF_OUTPUT_H
#define RF_OUTPUT_H

#include <stdio.h>

#include "app/cmd/cmd.h"
#include "engine/core/table.h"

void output_table(FILE *f, const rf_table *t, enum output_format format);
/* -1 when the name is not table, tsv, csv or json. */
int output_format_parse(const char *name);

/* A cmd_output for batch mode; ud must point to the enum output_format
 * in use (machine formats send plain text to stderr, keeping stdout clean). */
cmd_output output_batch(enum output_format *format);

#endif
