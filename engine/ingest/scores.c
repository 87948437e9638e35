/* scores: score lists computed elsewhere, as text or JSON lines (see
 * scores.h). */
#include "engine/ingest/scores.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "engine/ingest/jsonl.h"
#include "engine/ingest/partfiles.h"

struct score_state {
	score_row_fn fn;
	void *ud;
};

/* The first of the keys that the object has, as text (a number or a
 * string); NULL when none. */
static const jsonl_field *
first_of(const jsonl_field *fields, int n, const char *const *keys)
{
	for (int k = 0; keys[k] != NULL; k++) {
		const jsonl_field *f = jsonl_get(fields, n, keys[k]);

		if (f != NULL)
			return f;
	}
	return NULL;
}

static int
json_row(void *ud, char *text, rf_error *err)
{
	struct score_state *s = ud;
	static const char *const user_keys[] = { "user", "userId", "user_id",
	    NULL };
	static const char *const item_keys[] = { "item", "itemId", "item_id",
	    NULL };
	static const char *const score_keys[] = { "score", "rating",
	    "prediction", NULL };
	jsonl_field fields[JSONL_MAX_FIELDS];
	const jsonl_field *u, *i, *sc;
	float none[1];
	int n = jsonl_parse(text, fields, none, 0, err);

	if (n < 0)
		return -1;
	u = first_of(fields, n, user_keys);
	i = first_of(fields, n, item_keys);
	sc = first_of(fields, n, score_keys);
	if (u == NULL || (u->type != JSONL_NUMBER && u->type != JSONL_STRING))
		return rf_fail(err, "no \"user\" (a number or a string)");
	if (i == NULL || (i->type != JSONL_NUMBER && i->type != JSONL_STRING))
		return rf_fail(err, "no \"item\" (a number or a string)");
	if (sc == NULL || sc->type != JSONL_NUMBER || !isfinite(sc->number))
		return rf_fail(err, "no \"score\" (or \"rating\", "
		    "\"prediction\"): a number");
	return s->fn(s->ud, u->text, i->text, sc->number, err);
}

/* "user item score" split on tabs, else commas, else blanks; 1 for a
 * first line whose score is not a number (a header). */
static int
text_row(void *ud, char *text, int first, rf_error *err)
{
	struct score_state *s = ud;
	const char *sep = strchr(text, '\t') ? "\t" : strchr(text, ',') ?
	    "," : " ";
	char *f[3], *save = NULL, *end;
	double v;
	int n = 0;

	for (char *tok = strtok_r(text, sep, &save); tok != NULL && n < 3;
	    tok = strtok_r(NULL, sep, &save)) {
		tok += strspn(tok, " \t");
		tok[strcspn(tok, " \t")] = '\0';
		f[n++] = tok;
	}
	if (n < 3)
		return rf_fail(err, "expected user, item and score");
	v = strtod(f[2], &end);
	if (end == f[2] || *end != '\0' || !isfinite(v)) {
		if (first)
			return 1;
		return rf_fail(err, "the score is not a number: '%.40s'", f[2]);
	}
	return s->fn(s->ud, f[0], f[1], v, err);
}

int
ingest_scores(const char *path, score_row_fn fn, void *ud, score_read *out,
    rf_error *err)
{
	struct score_state s = { fn, ud };
	partfiles_rows how = { json_row, text_row, &s };

	memset(out, 0, sizeof *out);
	return partfiles_read_rows(path, &how, &out->rows, &out->files, err);
}
