/* scores: score lists computed elsewhere, as text or JSON lines (see
 * scores.h). */
#include "engine/ingest/scores.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "engine/ingest/jsonl.h"
#include "engine/ingest/partfiles.h"

#define SCORE_MAX_FIELDS 16

struct score_state {
	score_row_fn fn;
	void *ud;
	int col[3];		/* user, item, score: 0, 1, 2 unless a header
				 * names them */
};

/* What a user, an item and a score are called in JSON keys and headers
 * (pandas, Spark's recommendForAllUsers exploded, export recs). */
static const char *const names_of[3][5] = {
	{ "user", "userId", "user_id", NULL },
	{ "item", "itemId", "item_id", "movieId", NULL },
	{ "score", "rating", "prediction", "pred", NULL },
};

/* The field of the first name the object has; NULL when none. */
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
	jsonl_field fields[JSONL_MAX_FIELDS];
	const jsonl_field *u, *i, *sc;
	float none[1];
	int n = jsonl_parse(text, fields, none, 0, err);

	if (n < 0)
		return -1;
	u = first_of(fields, n, names_of[0]);
	i = first_of(fields, n, names_of[1]);
	sc = first_of(fields, n, names_of[2]);
	if (u == NULL || (u->type != JSONL_NUMBER && u->type != JSONL_STRING))
		return rf_fail(err, "no \"user\" (a number or a string)");
	if (i == NULL || (i->type != JSONL_NUMBER && i->type != JSONL_STRING))
		return rf_fail(err, "no \"item\" (a number or a string)");
	if (sc == NULL || sc->type != JSONL_NUMBER || !isfinite(sc->number))
		return rf_fail(err, "no \"score\" (or \"rating\", "
		    "\"prediction\"): a number");
	return s->fn(s->ud, u->text, i->text, sc->number, err);
}

/* A whole finite number: 0, else -1. */
static int
number(const char *text, double *v)
{
	char *end;

	*v = strtod(text, &end);
	return end != text && *end == '\0' && isfinite(*v) ? 0 : -1;
}

/* A header line: the columns it names (user, item, score; any others,
 * such as export recs' rank, are passed over). */
static void
read_header(struct score_state *s, char **f, int n)
{
	int col[3] = { -1, -1, -1 };

	for (int c = 0; c < n; c++)
		for (int w = 0; w < 3; w++)
			for (int k = 0; names_of[w][k] != NULL; k++)
				if (col[w] < 0 && strcasecmp(f[c],
				    names_of[w][k]) == 0)
					col[w] = c;
	if (col[0] >= 0 && col[1] >= 0 && col[2] >= 0)
		memcpy(s->col, col, sizeof col);
}

/* "user item score" split on tabs, else commas, else blanks; 1 for a
 * file's first line whose score is not a number (a header, which may name
 * the columns). */
static int
text_row(void *ud, char *text, int first, rf_error *err)
{
	struct score_state *s = ud;
	const char *sep = strchr(text, '\t') ? "\t" : strchr(text, ',') ?
	    "," : " ";
	char *f[SCORE_MAX_FIELDS], *save = NULL;
	double v;
	int n = 0;

	if (first)
		s->col[0] = 0, s->col[1] = 1, s->col[2] = 2;
	for (char *tok = strtok_r(text, sep, &save); tok != NULL &&
	    n < SCORE_MAX_FIELDS; tok = strtok_r(NULL, sep, &save)) {
		tok += strspn(tok, " \t");
		tok[strcspn(tok, " \t")] = '\0';
		f[n++] = tok;
	}
	if (first && (n < 3 || number(f[2], &v) < 0)) {
		read_header(s, f, n);
		return 1;
	}
	if (n <= s->col[0] || n <= s->col[1] || n <= s->col[2])
		return rf_fail(err, "expected user, item and score");
	if (number(f[s->col[2]], &v) < 0)
		return rf_fail(err, "the score is not a number: '%.40s'",
		    f[s->col[2]]);
	return s->fn(s->ud, f[s->col[0]], f[s->col[1]], v, err);
}

int
ingest_scores(const char *path, score_row_fn fn, void *ud, score_read *out,
    rf_error *err)
{
	struct score_state s = { fn, ud, { 0, 1, 2 } };
	partfiles_rows how = { json_row, text_row, &s };

	memset(out, 0, sizeof *out);
	return partfiles_read_rows(path, &how, &out->rows, &out->files, err);
}
