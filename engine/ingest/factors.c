/* factors: factor tables trained elsewhere, Spark's JSON lines or text
 * (see factors.h). */
#include "engine/ingest/factors.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/ingest/jsonl.h"
#include "engine/ingest/partfiles.h"

struct factor_state {
	factor_row_fn fn;
	void *ud;
	factor_read *out;
	float *f;		/* (FACTORS_MAX) */
};

/* The row's factors agree with the first row's count. */
static int
check_count(struct factor_state *s, int k, rf_error *err)
{
	if (k == 0)
		return rf_fail(err, "no factors");
	if (s->out->k == 0)
		s->out->k = k;
	else if (k != s->out->k)
		return rf_fail(err, "%d factors where the first row had %d", k,
		    s->out->k);
	return 0;
}

/* {"id": 12, "features": [0.1, ...]}: Spark's ALSModel factors. */
static int
json_row(void *ud, char *text, rf_error *err)
{
	struct factor_state *s = ud;
	jsonl_field fields[JSONL_MAX_FIELDS];
	const jsonl_field *id, *feat;
	int n = jsonl_parse(text, fields, s->f, FACTORS_MAX, err);

	if (n < 0)
		return -1;
	id = jsonl_get(fields, n, "id");
	feat = jsonl_get(fields, n, "features");
	if (id == NULL || (id->type != JSONL_NUMBER &&
	    id->type != JSONL_STRING) || id->text[0] == '\0')
		return rf_fail(err, "no \"id\" (a number or a string)");
	if (feat == NULL || feat->type != JSONL_NUMBERS)
		return rf_fail(err, "no \"features\" (a list of numbers)");
	if (check_count(s, feat->n, err) < 0)
		return -1;
	return s->fn(s->ud, id->text, feat->numbers, feat->n, err);
}

/* "id<TAB>f1 f2 ..." (or blanks/commas, the list maybe in brackets); a
 * first line whose factors are not numbers is a header.  1: a header. */
static int
text_row(void *ud, char *text, int first, rf_error *err)
{
	struct factor_state *s = ud;
	char *id = text + strspn(text, " "), *rest, *tok, *save = NULL;
	int k = 0;

	rest = id + strcspn(id, strchr(id, '\t') ? "\t" : " ,");
	if (*rest == '\0')
		return rf_fail(err, "expected id<TAB>factors");
	*rest++ = '\0';
	for (tok = strtok_r(rest, " \t,[]", &save); tok != NULL;
	    tok = strtok_r(NULL, " \t,[]", &save)) {
		char *end;

		if (k == FACTORS_MAX)
			return rf_fail(err, "more than %d factors",
			    FACTORS_MAX);
		s->f[k] = strtof(tok, &end);
		if (*end != '\0' || end == tok || !(tok[0] == '-' ||
		    tok[0] == '.' || (tok[0] >= '0' && tok[0] <= '9'))) {
			if (first && k == 0)
				return 1;
			return rf_fail(err, "factor %d is not a number: "
			    "'%.40s'", k + 1, tok);
		}
		k++;
	}
	if (check_count(s, k, err) < 0)
		return -1;
	return s->fn(s->ud, id, s->f, k, err);
}

int
ingest_factors(const char *path, factor_row_fn fn, void *ud,
    factor_read *out, rf_error *err)
{
	struct factor_state s = { fn, ud, out, NULL };
	partfiles_rows how = { json_row, text_row, &s };
	int rc;

	memset(out, 0, sizeof *out);
	if ((s.f = malloc(FACTORS_MAX * sizeof *s.f)) == NULL)
		return rf_fail(err, "out of memory");
	rc = partfiles_read_rows(path, &how, &out->rows, &out->files, err);
	free(s.f);
	return rc;
}
