/* items: item metadata files (titles, categories, genres) for import-items:
 * ml-100k u.item (latin-1, 19 genre flags), MovieLens movies.csv (quoted
 * CSV), and tab or comma files with a header. */
#include <stdio.h>
#include <string.h>

#include "engine/ingest/clean.h"
#include "engine/ingest/formats.h"
#include "engine/ingest/text.h"

/* The first genre of a '|'-joined list is the item's category. */
static void
set_genres(store_item_text *t, const char *g, size_t n)
{
	const char *bar;

	if (n == 0 || (n == 18 && memcmp(g, "(no genres listed)", 18) == 0))
		return;
	t->genres = g;
	t->genres_n = n;
	bar = memchr(g, '|', n);
	t->category = g;
	t->category_n = bar != NULL ? (size_t)(bar - g) : n;
}

static int
parsed_item(parsed_row *row, const field *id)
{
	row->item.id = *id;
	return ROW_OK;
}

/* ml-100k u.item: id|title|release|video release|url|19 genre flags, in
 * latin-1. */
int
ingest_uitem_line(parser *p, const line *l, parsed_row *row)
{
	static const char *const genre[19] = {
		"unknown", "Action", "Adventure", "Animation", "Children's",
		"Comedy", "Crime", "Documentary", "Drama", "Fantasy",
		"Film-Noir", "Horror", "Musical", "Mystery", "Romance",
		"Sci-Fi", "Thriller", "War", "Western"
	};
	field f[MAX_FIELDS];
	store_item_text *t = &row->item.text;
	size_t gn = 0;
	int nf = field_split(l->p, l->n, '|', f, MAX_FIELDS), i, rc;

	memset(t, 0, sizeof *t);
	if (nf != 24)
		return clean_field_count(p, l, 24, nf);
	if ((rc = clean_numeric_id(p, l, &f[0], "item", 0)) != ROW_OK)
		return rc;
	for (i = 0; i < 19; i++) {
		const field *g = &f[5 + i];

		if (g->n != 1 || (g->p[0] != '0' && g->p[0] != '1'))
			return clean_reject(p, "genre flag %d is not 0 or 1: "
			    "'%.*s'", i + 1, FIELD_SHOW(g));
		if (g->p[0] == '1')
			gn += (size_t)snprintf(p->genres + gn,
			    sizeof p->genres - gn, "%s%s", gn ? "|" : "",
			    genre[i]);
	}
	t->title = p->text;
	t->title_n = text_latin1_to_utf8(f[1].p, f[1].n, p->text, PARSER_TEXT);
	set_genres(t, p->genres, gn);
	return parsed_item(row, &f[0]);
}

/* MovieLens movies.csv: movieId,title,genres. */
int
ingest_movies_csv_line(parser *p, const line *l, parsed_row *row)
{
	field f[MAX_FIELDS];
	store_item_text *t = &row->item.text;
	int nf = field_split_csv(l->p, l->n, ',', p->text, f, MAX_FIELDS), rc;

	memset(t, 0, sizeof *t);
	if (nf < 0)
		return clean_reject(p, "unbalanced quotes");
	if (nf != 3)
		return clean_field_count(p, l, 3, nf);
	if ((rc = clean_numeric_id(p, l, &f[0], "item", 0)) != ROW_OK)
		return rc;
	t->title = f[1].p;
	t->title_n = f[1].n;
	set_genres(t, f[2].p, f[2].n);
	return parsed_item(row, &f[0]);
}

/* Item files with a header naming item, title, category, genres. */
int
ingest_items_generic_line(parser *p, const line *l, parsed_row *row)
{
	field f[MAX_FIELDS];
	store_item_text *t = &row->item.text;
	int nf, rc;

	memset(t, 0, sizeof *t);
	if (p->delim == '\t')
		nf = field_split(l->p, l->n, '\t', f, MAX_FIELDS);
	else
		nf = field_split_csv(l->p, l->n, p->delim, p->text, f,
		    MAX_FIELDS);
	if (nf < 0)
		return clean_reject(p, "unbalanced quotes");
	if (nf != p->nfields)
		return clean_field_count(p, l, p->nfields, nf);
	if ((rc = clean_text_id(p, l, &f[p->col_item - 1], "item",
	    p->col_item == nf)) != ROW_OK)
		return rc;
	if (p->col_title > 0) {
		t->title = f[p->col_title - 1].p;
		t->title_n = f[p->col_title - 1].n;
	}
	if (p->col_genres > 0)
		set_genres(t, f[p->col_genres - 1].p, f[p->col_genres - 1].n);
	if (p->col_category > 0 && f[p->col_category - 1].n > 0) {
		t->category = f[p->col_category - 1].p;
		t->category_n = f[p->col_category - 1].n;
	}
	return parsed_item(row, &f[p->col_item - 1]);
}
