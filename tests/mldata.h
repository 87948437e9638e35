/* mldata: load a MovieLens-format file (user \t item \t rating \t ts) straight
 * into a dataset, without the store, so model tests and benchmarks can run
 * on ml-100k splits with the item/user index spaces of u.data (943 x 1682:
 * external id N -> index N-1).  For tests and benchmarks only. */
#ifndef RF_TESTS_MLDATA_H
#define RF_TESTS_MLDATA_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/dataset.h"

typedef struct ml_triple {
	int u, i;
	float r;
	long long ts;
} ml_triple;

static int
ml_triple_cmp(const void *a, const void *b)
{
	const ml_triple *x = a, *y = b;

	if (x->u != y->u)
		return x->u < y->u ? -1 : 1;
	return (x->i > y->i) - (x->i < y->i);
}

/* Read path into an interactions matrix of n_users x n_items (ids are
 * 1-based in the file).  binary: every rating becomes value 1 (implicit).
 * Returns 0, or -1 when the file cannot be read. */
static inline int
ml_load(const char *path, int n_users, int n_items, int binary,
    interactions *m)
{
	FILE *f = fopen(path, "r");
	ml_triple *t = NULL;
	size_t n = 0, cap = 0;
	int u, i;
	float r;
	long long ts;

	if (f == NULL)
		return -1;
	while (fscanf(f, "%d %d %f %lld", &u, &i, &r, &ts) == 4) {
		if (u < 1 || u > n_users || i < 1 || i > n_items)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 4096;
			t = realloc(t, cap * sizeof *t);
			if (t == NULL) {
				fclose(f);
				return -1;
			}
		}
		t[n].u = u - 1;
		t[n].i = i - 1;
		t[n].r = binary ? 1.0f : r;
		t[n].ts = ts;
		n++;
	}
	fclose(f);
	qsort(t, n, sizeof *t, ml_triple_cmp);
	if (interactions_alloc(m, n_users, n_items, (int64_t)n) < 0) {
		free(t);
		return -1;
	}
	for (size_t k = 0; k < n; k++) {
		m->ptr[t[k].u + 1]++;
		m->idx[k] = t[k].i;
		m->val[k] = t[k].r;
		m->ts[k] = t[k].ts;
		m->beh[k] = 1;	/* BEH_RATING bit (1 << 0) */
	}
	for (int k = 0; k < n_users; k++)
		m->ptr[k + 1] += m->ptr[k];
	free(t);
	return interactions_build_transpose(m);
}

/* A minimal dataset around an interactions matrix (metadata left empty). */
static inline dataset *
ml_dataset(const interactions *all, int is_rating)
{
	dataset *ds = calloc(1, sizeof *ds);

	if (ds == NULL)
		return NULL;
	ds->n_users = all->n_users;
	ds->n_items = all->n_items;
	ds->is_rating = is_rating;
	ds->rating_min = 1;
	ds->rating_max = 5;
	ds->all = *all;		/* shallow: do not dataset_free() this */
	return ds;
}

static inline const char *
ml_data_dir(void)
{
	const char *d = getenv("RECFUSE_DATA");

	return d && *d ? d : "../shared/data";
}

#endif
