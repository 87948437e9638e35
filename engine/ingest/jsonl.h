/* jsonl: the part of JSON that files of records need: one object a line
 * (Spark's DataFrame.write.json, pandas' to_json(lines=True)), read into
 * its top-level fields: numbers, strings, arrays of numbers, true, false
 * and null; nested objects and other arrays are skipped whole. */
#ifndef RF_INGEST_JSONL_H
#define RF_INGEST_JSONL_H

#include <stddef.h>

#include "engine/core/rf.h"

#define JSONL_MAX_FIELDS 16

enum jsonl_type {
	JSONL_NULL,
	JSONL_BOOL,
	JSONL_NUMBER,
	JSONL_STRING,
	JSONL_NUMBERS,		/* an array of numbers (maybe empty) */
	JSONL_OTHER		/* an object or a mixed array: skipped */
};

typedef struct jsonl_field {
	const char *key;	/* decoded, NUL-ended, in the line */
	enum jsonl_type type;
	const char *text;	/* NUMBER: as written; STRING: decoded */
	double number;		/* NUMBER, BOOL (1/0) */
	const float *numbers;	/* NUMBERS: n of them, in the caller's nums */
	int n;
	char number_text[40];	/* where a NUMBER's text is kept */
} jsonl_field;

/*
 * Parse one line (changed in place: strings are decoded where they
 * stand).  The numbers of arrays go to nums (up to max_nums in all; an
 * array with more is an error).  Returns the field count (the first
 * JSONL_MAX_FIELDS are kept), or -1 with err saying what is wrong and
 * where ("at byte 17: expected ':'").
 */
int jsonl_parse(char *line, jsonl_field *fields, float *nums, int max_nums,
    rf_error *err);

/* The field of that key, or NULL. */
const jsonl_field *jsonl_get(const jsonl_field *fields, int n,
    const char *key);

#endif
