/* split: train / validation / test assignments (see split.h). */
#include "engine/data/split.h"
#include "engine/core/rng.h"
#include "engine/store/splits.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Order of a user's entries by (ts, item index): the item index breaks
 * the many same-second ties of rating logs deterministically. */
struct by_time {
	int64_t ts;
	int32_t item;
	int64_t k;		/* CSR position */
};

static int
by_time_cmp(const void *a, const void *b)
{
	const struct by_time *x = a, *y = b;

	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	return (x->item > y->item) - (x->item < y->item);
}

static int64_t
round_share(double frac, int64_t n)
{
	return (int64_t)floor(frac * (double)n + 0.5);
}

/* Hold out `take` entries of e[0..n) whose current part is SPLIT_TRAIN:
 * the last ones by time, or a random draw. */
static void
hold_out(struct by_time *e, int64_t n, int64_t take, int random,
    rf_rng *rng, uint8_t part, uint8_t *assign)
{
	int64_t m = 0;

	/* Compact the still-train entries to the front, keeping time order. */
	for (int64_t j = 0; j < n; j++)
		if (assign[e[j].k] == SPLIT_TRAIN)
			e[m++] = e[j];
	if (take > m)
		take = m;
	if (!random) {
		for (int64_t j = m - take; j < m; j++)
			assign[e[j].k] = part;
		return;
	}
	/* Partial Fisher-Yates: the first `take` after shuffling. */
	for (int64_t j = 0; j < take; j++) {
		int64_t r = j + (int64_t)rf_rng_below(rng, (uint32_t)(m - j));
		struct by_time t = e[j];

		e[j] = e[r];
		e[r] = t;
		assign[e[j].k] = part;
	}
}

static int64_t
test_count(const split_spec *spec, int64_t n)
{
	int64_t t;

	if (spec->kind == SPLIT_PAIRS)
		return 0;	/* marked beforehand */
	if (n < SPLIT_MIN_USER)
		return 0;
	if (spec->kind == SPLIT_LAST)
		t = spec->last_n;
	else
		t = round_share(spec->frac, n);
	if (t < 1 && spec->frac > 0 && spec->kind != SPLIT_LAST)
		t = 1;
	if (t > n - 1)
		t = n - 1;
	return t < 0 ? 0 : t;
}

/* Do the data have times to order by (not all the same)? */
static int
has_times(const interactions *all)
{
	if (!interactions_timed(all) || all->nnz == 0)
		return 0;
	for (int64_t k = 1; k < all->nnz; k++)
		if (interactions_time(all, k) != interactions_time(all, 0))
			return 1;
	return 0;
}

int
split_valid_temporal(const split_spec *spec, const interactions *all)
{
	switch (spec->valid_mode) {
	case VALID_TEMPORAL:
		return 1;
	case VALID_RANDOM:
		return 0;
	default:
		return spec->kind != SPLIT_RANDOM && has_times(all);
	}
}

int
split_make(const interactions *all, const split_spec *spec, split *out,
    rf_error *err)
{
	struct by_time *e = NULL;
	int64_t maxrow = 0;
	rf_rng rng;
	/* test: by time but for random splits; validation: its own rule */
	int random = spec->kind == SPLIT_RANDOM;
	int valid_random = !split_valid_temporal(spec, all);
	int carve = spec->kind != SPLIT_NONE || spec->valid_frac > 0;

	if (spec->kind == SPLIT_PAIRS && spec->mark == NULL)
		return rf_fail(err, "split: pairs needs the marked entries "
		    "(split_mark_pairs)");
	memset(out, 0, sizeof *out);
	out->spec = *spec;
	split_spec_text(spec, out->text, sizeof out->text);
	out->nnz = all->nnz;
	if ((out->assign = calloc((size_t)(all->nnz ? all->nnz : 1), 1)) ==
	    NULL)
		return rf_fail(err, "split: out of memory");
	for (int u = 0; u < all->n_users; u++)
		if (all->ptr[u + 1] - all->ptr[u] > maxrow)
			maxrow = all->ptr[u + 1] - all->ptr[u];
	if (carve &&
	    (e = malloc((size_t)(maxrow ? maxrow : 1) * sizeof *e)) == NULL) {
		split_free(out);
		return rf_fail(err, "split: out of memory");
	}
	rf_rng_seed(&rng, spec->seed);
	for (int u = 0; carve && u < all->n_users; u++) {
		int64_t lo = all->ptr[u], n = all->ptr[u + 1] - lo, t, ntrain;

		if (spec->kind == SPLIT_PAIRS) {
			for (int64_t j = 0; j < n; j++)
				if (spec->mark[lo + j])
					out->assign[lo + j] = SPLIT_TEST;
			t = 0;
			for (int64_t j = 0; j < n; j++)
				t += spec->mark[lo + j] != 0;
			if (t == n || spec->valid_frac <= 0)
				continue;
		} else if (spec->kind == SPLIT_NONE) {
			t = 0;
		} else if ((t = test_count(spec, n)) == 0)
			continue;
		for (int64_t j = 0; j < n; j++) {
			e[j].ts = interactions_time(all, lo + j);
			e[j].item = all->idx[lo + j];
			e[j].k = lo + j;
		}
		/* Time order for the test rule and for a temporal carve;
		 * a random one draws from any order. */
		if (!random || !valid_random)
			qsort(e, (size_t)n, sizeof *e, by_time_cmp);
		if (spec->kind != SPLIT_PAIRS && spec->kind != SPLIT_NONE)
			hold_out(e, n, t, random, &rng, SPLIT_TEST,
			    out->assign);
		ntrain = n - t;
		if (spec->valid_frac > 0 && ntrain >= SPLIT_MIN_USER) {
			int64_t v = round_share(spec->valid_frac, ntrain);

			if (v < 1)
				v = 1;
			if (v > ntrain - 1)
				v = ntrain - 1;
			/* hold_out() compacts e to the entries still in
			 * train (in time order for the time rules). */
			hold_out(e, n, v, valid_random, &rng, SPLIT_VALID,
			    out->assign);
		}
	}
	free(e);
	for (int64_t k = 0; k < all->nnz; k++) {
		if (out->assign[k] == SPLIT_TRAIN)
			out->n_train++;
		else if (out->assign[k] == SPLIT_VALID)
			out->n_valid++;
		else
			out->n_test++;
	}
	return 0;
}

void
split_free(split *s)
{
	free(s->assign);
	memset(s, 0, sizeof *s);
}

void
split_spec_text(const split_spec *spec, char *buf, size_t n)
{
	char valid[80] = "";

	if (spec->valid_frac > 0)
		snprintf(valid, sizeof valid, " --valid %g%s", spec->valid_frac,
		    spec->valid_mode == VALID_TEMPORAL ?
		    " --valid-mode temporal" : spec->valid_mode == VALID_RANDOM ?
		    " --valid-mode random" : "");
	switch (spec->kind) {
	case SPLIT_TEMPORAL:
		snprintf(buf, n, "temporal %g%s", spec->frac, valid);
		break;
	case SPLIT_LAST:
		snprintf(buf, n, "last %d%s", spec->last_n, valid);
		break;
	case SPLIT_RANDOM:
		snprintf(buf, n, "random %g%s --seed %llu", spec->frac, valid,
		    (unsigned long long)spec->seed);
		break;
	case SPLIT_PAIRS:
		snprintf(buf, n, "pairs %s%s --seed %llu", spec->path, valid,
		    (unsigned long long)spec->seed);
		break;
	default:
		snprintf(buf, n, "none%s", valid);
		break;
	}
}

static int
parse_frac(const char *s, double *out, const char *what, rf_error *err)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !(v > 0 && v < 1))
		return rf_fail(err, "split: %s must be a fraction in (0, 1), "
		    "not '%s'", what, s);
	*out = v;
	return 0;
}

int
split_parse(const char *text, split_spec *spec, rf_error *err)
{
	char buf[256], *words[8], *save = NULL, *w;
	int n = 0, pos = 0;

	memset(spec, 0, sizeof *spec);
	if (strlen(text) >= sizeof buf)
		return rf_fail(err, "split: spec too long");
	strcpy(buf, text);
	for (w = strtok_r(buf, " \t", &save); w && n < 8;
	    w = strtok_r(NULL, " \t", &save))
		words[n++] = w;
	if (n == 0)
		return rf_fail(err, "split: expected temporal|last|random|none");
	if (strcmp(words[0], "none") == 0)
		spec->kind = SPLIT_NONE;
	else if (strcmp(words[0], "temporal") == 0)
		spec->kind = SPLIT_TEMPORAL;
	else if (strcmp(words[0], "last") == 0)
		spec->kind = SPLIT_LAST;
	else if (strcmp(words[0], "random") == 0)
		spec->kind = SPLIT_RANDOM;
	else if (strcmp(words[0], "pairs") == 0)
		spec->kind = SPLIT_PAIRS;
	else
		return rf_fail(err, "split: unknown kind '%s' (expected "
		    "temporal|last|random|none, or pairs PATH)", words[0]);
	spec->frac = 0.2;
	spec->last_n = 1;
	for (int k = 1; k < n; k++) {
		if (strcmp(words[k], "--valid") == 0 && k + 1 < n) {
			if (parse_frac(words[++k], &spec->valid_frac,
			    "--valid", err) < 0)
				return -1;
		} else if (strcmp(words[k], "--valid-mode") == 0 && k + 1 < n) {
			k++;
			if (strcmp(words[k], "temporal") == 0)
				spec->valid_mode = VALID_TEMPORAL;
			else if (strcmp(words[k], "random") == 0)
				spec->valid_mode = VALID_RANDOM;
			else
				return rf_fail(err, "split: --valid-mode is "
				    "temporal or random, not '%s'", words[k]);
		} else if (strcmp(words[k], "--seed") == 0 && k + 1 < n) {
			char *end;

			errno = 0;
			spec->seed = strtoull(words[++k], &end, 10);
			if (errno || *end || end == words[k] ||
			    words[k][0] == '-')
				return rf_fail(err, "split: --seed must be a "
				    "non-negative integer, not '%s'", words[k]);
		} else if (pos == 0 && (words[k][0] != '-' ||
		    isdigit((unsigned char)words[k][1]) ||
		    words[k][1] == '.') && spec->kind != SPLIT_NONE) {
			/* A negative number is a bad value, not an option:
			 * let its parser say what is expected. */
			pos++;
			if (spec->kind == SPLIT_PAIRS) {
				if (strlen(words[k]) >= sizeof spec->path)
					return rf_fail(err, "split: path too "
					    "long");
				strcpy(spec->path, words[k]);
			} else if (spec->kind == SPLIT_LAST) {
				char *end;
				long v;

				errno = 0;
				v = strtol(words[k], &end, 10);
				if (errno || *end || v < 1 || v > 1000000)
					return rf_fail(err, "split: last N "
					    "needs a count >= 1, not '%s'",
					    words[k]);
				spec->last_n = (int)v;
			} else if (parse_frac(words[k], &spec->frac,
			    "the held-out share", err) < 0)
				return -1;
		} else
			return rf_fail(err, "split: unexpected '%s'", words[k]);
	}
	if (spec->valid_mode != VALID_AUTO && spec->valid_frac <= 0)
		return rf_fail(err, "split: --valid-mode needs --valid FRAC");
	if (spec->kind == SPLIT_PAIRS && spec->path[0] == '\0')
		return rf_fail(err, "split: pairs needs the file of test pairs "
		    "(split pairs u1.test)");
	return 0;
}

void
split_describe(const split *s, const interactions *all, char *buf, size_t n)
{
	const split_spec *sp = &s->spec;
	char test[320], valid[160] = "";

	switch (sp->kind) {
	case SPLIT_TEMPORAL:
		snprintf(test, sizeof test, "the latest %g%% of each user's "
		    "entries", 100 * sp->frac);
		break;
	case SPLIT_LAST:
		snprintf(test, sizeof test, "each user's latest %d entr%s",
		    sp->last_n, sp->last_n == 1 ? "y" : "ies");
		break;
	case SPLIT_RANDOM:
		snprintf(test, sizeof test, "%g%% of each user's entries at "
		    "random", 100 * sp->frac);
		break;
	case SPLIT_PAIRS:
		snprintf(test, sizeof test, "the pairs of %s", sp->path);
		break;
	default:
		snprintf(test, sizeof test, "none");
		break;
	}
	if (sp->valid_frac > 0)
		snprintf(valid, sizeof valid, " (%s %g%% of each user's train "
		    "part)", split_valid_temporal(sp, all) ? "the latest" :
		    "at random,", 100 * sp->valid_frac);
	snprintf(buf, n, "train %lld, valid %lld%s, test %lld (%s); users "
	    "with fewer than %d entries stay whole in train",
	    (long long)s->n_train, (long long)s->n_valid, valid,
	    (long long)s->n_test, test, SPLIT_MIN_USER);
}

int
split_mark_pairs(const dataset *ds, const char *path, uint8_t **mark,
    int64_t *n_marked, int64_t *n_missing, rf_error *err)
{
	const interactions *all = &ds->all;
	FILE *f;
	char *line = NULL;
	size_t cap = 0;
	uint8_t *mk;

	*mark = NULL;
	*n_marked = *n_missing = 0;
	if ((f = fopen(path, "r")) == NULL)
		return rf_fail(err, "split: %s: %s", path, strerror(errno));
	if ((mk = calloc((size_t)(all->nnz ? all->nnz : 1), 1)) == NULL) {
		fclose(f);
		return rf_fail(err, "split: out of memory");
	}
	while (getline(&line, &cap, f) >= 0) {
		const char *sep = strchr(line, '\t') ? "\t\r\n" : " ,\r\n";
		char *save = NULL, *ue, *ie;
		int u, i;
		int64_t at;

		if ((ue = strtok_r(line, sep, &save)) == NULL || *ue == '#')
			continue;
		if ((ie = strtok_r(NULL, sep, &save)) == NULL)
			continue;
		u = dataset_user_index(ds, ue);
		i = dataset_item_index(ds, ie);
		if (u < 0 || i < 0) {
			(*n_missing)++;
			continue;
		}
		if ((at = interactions_find(all, u, i)) >= 0) {
			if (!mk[at])
				(*n_marked)++;
			mk[at] = 1;
		} else
			(*n_missing)++;
	}
	free(line);
	if (ferror(f)) {
		fclose(f);
		free(mk);
		return rf_fail(err, "split: %s: read error", path);
	}
	fclose(f);
	if (*n_marked == 0) {
		free(mk);
		return rf_fail(err, "split: %s: none of its pairs is in the "
		    "data (import the file too)", path);
	}
	*mark = mk;
	return 0;
}

int
split_extract(const interactions *all, const uint8_t *assign, unsigned mask,
    unsigned what, interactions *out, rf_error *err)
{
	int64_t nnz = 0, p = 0;

	for (int64_t k = 0; k < all->nnz; k++)
		if (mask & (1u << assign[k]))
			nnz++;
	if ((what & SPLIT_X_ITEMS_ONLY) && (what & ~SPLIT_X_ITEMS_ONLY))
		return rf_fail(err, "split: a part of items only has no "
		    "values, times or transpose");
	if (!(what & SPLIT_X_ITEMS_ONLY) && all->val == NULL)
		return rf_fail(err, "split: the data's values are not at "
		    "hand");
	if (((what & SPLIT_X_TIMES) ? interactions_alloc(out, all->n_users,
	    all->n_items, nnz) : (what & SPLIT_X_ITEMS_ONLY) ?
	    interactions_alloc_items(out, all->n_users, all->n_items, nnz) :
	    interactions_alloc_values(out, all->n_users, all->n_items,
	    nnz)) < 0)
		return rf_fail(err, "split: out of memory");
	for (int u = 0; u < all->n_users; u++) {
		out->ptr[u] = p;
		for (int64_t k = all->ptr[u]; k < all->ptr[u + 1]; k++) {
			if (!(mask & (1u << assign[k])))
				continue;
			out->idx[p] = all->idx[k];
			if (out->val)
				out->val[p] = all->val[k];
			if (out->ts)
				out->ts[p] = interactions_time(all, k);
			if (out->beh && all->beh)
				out->beh[p] = all->beh[k];
			p++;
		}
	}
	out->ptr[all->n_users] = p;
	if ((what & SPLIT_X_TRANSPOSE) &&
	    interactions_build_transpose(out) < 0) {
		interactions_free(out);
		return rf_fail(err, "split: out of memory");
	}
	return 0;
}

int
split_save(store *st, split *s, rf_error *err)
{
	int64_t id = store_split_insert(st, s->text, s->spec.seed, s->n_train,
	    s->n_valid, s->n_test, s->assign, s->nnz, err);

	if (id < 0)
		return -1;
	s->id = id;
	return 0;
}

int
split_load(store *st, int64_t id, int64_t nnz, split *out, rf_error *err)
{
	char *spec;
	uint8_t *assign;
	int64_t bytes, counts[3];
	int rc;

	memset(out, 0, sizeof *out);
	if ((rc = store_split_get(st, id, &spec, &assign, &bytes, counts,
	    err)) <= 0) {
		if (rc == 0)
			rf_fail(err, "split %lld: no such split", (long long)id);
		return -1;
	}
	if (split_parse(spec, &out->spec, err) < 0) {
		char why[sizeof err->msg];

		snprintf(why, sizeof why, "%s", err ? err->msg : "");
		free(spec);
		free(assign);
		return rf_fail(err, "split %lld is damaged: its spec does not "
		    "read back (%.200s)", (long long)id, why);
	}
	free(spec);
	split_spec_text(&out->spec, out->text, sizeof out->text);
	if (bytes != nnz) {
		free(assign);
		/* Made for these data (its counts add up to them) but its
		 * assignment has another length: damaged, not stale. */
		if (counts[0] >= 0 && counts[0] + (counts[1] > 0 ? counts[1] :
		    0) + (counts[2] > 0 ? counts[2] : 0) == nnz)
			return rf_fail(err, "split %lld (%s) is damaged: its "
			    "assignment has %lld entries, not %lld",
			    (long long)id, out->text, (long long)bytes,
			    (long long)nnz);
		return rf_fail(err, "split %lld: made for another snapshot of "
		    "the data (%lld entries, the data has %lld)", (long long)id,
		    (long long)bytes, (long long)nnz);
	}
	out->assign = assign;
	out->id = id;
	out->nnz = nnz;
	for (int64_t k = 0; k < nnz; k++) {
		if (out->assign[k] > SPLIT_TEST) {
			int part = out->assign[k];

			split_free(out);
			return rf_fail(err, "split %lld is damaged: entry %lld "
			    "is assigned to part %d", (long long)id,
			    (long long)k, part);
		}
		if (out->assign[k] == SPLIT_TRAIN)
			out->n_train++;
		else if (out->assign[k] == SPLIT_VALID)
			out->n_valid++;
		else
			out->n_test++;
	}
	/* The parts' sizes as recorded when it was made. */
	if ((counts[0] >= 0 && counts[0] != out->n_train) ||
	    (counts[1] >= 0 && counts[1] != out->n_valid) ||
	    (counts[2] >= 0 && counts[2] != out->n_test)) {
		rc = rf_fail(err, "split %lld (%s) is damaged: train %lld, "
		    "valid %lld, test %lld, but %lld, %lld, %lld were "
		    "recorded", (long long)id, out->text,
		    (long long)out->n_train, (long long)out->n_valid,
		    (long long)out->n_test, (long long)counts[0],
		    (long long)counts[1], (long long)counts[2]);
		split_free(out);
		return rc;
	}
	return 0;
}

int64_t
split_latest(store *st, int64_t nnz)
{
	return store_split_latest(st, nnz);
}
