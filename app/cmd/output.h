/* output: prints result tables as aligned text, TSV, CSV or JSON, and the
 * batch-mode cmd_output that writes to stdout and stderr.  In JSON a
 * command's parts are gathered and written at its end as one document on
 * one line: {"command": ..., "ok": ..., PARTS, "messages": [...],
 * "error": ...}. */
#ifndef RF_OUTPUT_H
#define RF_OUTPUT_H

#include <stdio.h>

#include "app/cmd/cmd.h"
#include "engine/core/table.h"

void output_table(FILE *f, const rf_table *t, enum output_format format);
/* -1 when the name is not table, tsv, csv or json. */
int output_format_parse(const char *name);

/* A name made a plain JSON key: lower case, letters and digits, '%' as
 * "pct", '@' as "at", anything else one '_' ("share%" -> "share_pct",
 * "NDCG@10" -> "ndcg_at_10"); "" becomes "table". */
void output_json_key(const char *name, char *buf, size_t n);

/* JSON text being built: a failed allocation is remembered, so that
 * building is a plain sequence of puts, checked once at the end. */
typedef struct json_text {
	rf_buf b;
	int failed;
} json_text;

/* Batch mode's printer: the format in use and, in JSON, the document of
 * the command running. */
typedef struct output_batch_state {
	enum output_format format;
	int open;		/* a command's document is being gathered */
	json_text doc;		/* its parts: ', "key": value' each */
	json_text messages;	/* ', "line"' each */
	json_text errors;	/* error lines, '\n'-joined */
	json_text keys;		/* the keys used, "\0"-separated */
	char command[64];
} output_batch_state;

/* A cmd_output over st (machine formats send plain text to stderr,
 * keeping stdout clean; JSON gathers it into the document instead). */
cmd_output output_batch(output_batch_state *st, enum output_format format);
void output_batch_free(output_batch_state *st);

#endif
