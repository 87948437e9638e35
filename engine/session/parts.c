/* parts: the dataset snapshot, built from the store on first need, and
 * the current split's train / validation / test parts. */
#include "engine/session/internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/core/rng.h"
#include "engine/eval/eval.h"

store *
workbench_store(workbench *wb)
{
	return wb->st;
}

/* The snapshot as it is, or built (lean or whole) when there is none. */
static dataset *
dataset_any(workbench *wb, int lean, rf_error *err)
{
	if (wb->ds)
		return wb->ds;
	if ((wb->ds = lean ? dataset_build_lean(wb->st, err) :
	    dataset_build(wb->st, err)) == NULL)
		return NULL;
	if (wb->ds->all.nnz == 0) {
		dataset_free(wb->ds);
		wb->ds = NULL;
		rf_fail(err, "the store has no events: import a log first");
		return NULL;
	}
	return wb->ds;
}

dataset *
workbench_dataset(workbench *wb, rf_error *err)
{
	if (dataset_any(wb, 0, err) == NULL || workbench_names(wb, err) < 0)
		return NULL;
	return wb->ds;
}

dataset *
workbench_dataset_lean(workbench *wb, rf_error *err)
{
	return dataset_any(wb, 1, err);
}

int
workbench_names(workbench *wb, rf_error *err)
{
	if (wb->ds == NULL || dataset_has_names(wb->ds))
		return 0;
	return dataset_load_names(wb->ds, wb->st, err);
}

const dataset *
workbench_dataset_peek(const workbench *wb)
{
	return wb->ds;
}

static int
cmp_user(const void *a, const void *b)
{
	int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;

	return (x > y) - (x < y);
}

/* Implicit data (no rating among the entries) keep each entry's value
 * (its events' weights summed) in the parts alone once they are made:
 * at 100 M events the data's copy is 400 MB. */
static int
has_ratings(const interactions *all)
{
	if (all->beh == NULL)
		return 1;
	for (int64_t k = 0; k < all->nnz; k++)
		if (all->beh[k] & (1u << BEH_RATING))
			return 1;
	return 0;
}

static void
values_to_parts(workbench *wb)
{
	if (wb->have_split && wb->ds->all.val != NULL &&
	    !has_ratings(&wb->ds->all)) {
		free(wb->ds->all.val);
		wb->ds->all.val = NULL;
	}
}

/* One merge walk of the data against the parts: each entry of a user's
 * row of the data is in exactly one part's row, and all the rows ascend.
 * Writes each entry's part to assign and its value to val (either may be
 * NULL).  -1 + err when the parts do not add up to the data. */
static int
parts_walk(const workbench *wb, uint8_t *assign, float *val, rf_error *err)
{
	const interactions *all = &wb->ds->all, *part[3];

	part[SPLIT_TRAIN] = &wb->train;
	part[SPLIT_VALID] = &wb->valid;
	part[SPLIT_TEST] = &wb->test;
	for (int u = 0; u < all->n_users; u++) {
		int64_t at[3];

		for (int p = 0; p < 3; p++)
			at[p] = part[p]->ptr[u];
		for (int64_t k = all->ptr[u]; k < all->ptr[u + 1]; k++) {
			int p = 0;

			while (p < 3 && (at[p] >= part[p]->ptr[u + 1] ||
			    part[p]->idx[at[p]] != all->idx[k]))
				p++;
			if (p == 3)
				return rf_fail(err, "the parts do not add up "
				    "to the data (user %d)", u);
			if (assign != NULL)
				assign[k] = (uint8_t)p;
			if (val != NULL)
				val[k] = part[p]->val[at[p]];
			at[p]++;
		}
	}
	return 0;
}

/* The split's assignment (a part per entry of the data) is read only
 * while parts are made: between, it is given back (a byte an entry, 95
 * MB at 100 M events) and made again from the parts when wanted. */
static int
assign_back(workbench *wb, rf_error *err)
{
	const interactions *all = &wb->ds->all;
	uint8_t *a;

	if (wb->sp.assign != NULL)
		return 0;
	if ((a = malloc((size_t)(all->nnz ? all->nnz : 1))) == NULL)
		return rf_fail(err, "out of memory for the split's assignment "
		    "(%lld entries)", (long long)all->nnz);
	if (parts_walk(wb, a, NULL, err) < 0) {
		free(a);
		return -1;
	}
	wb->sp.assign = a;
	return 0;
}

static void
assign_release(workbench *wb)
{
	free(wb->sp.assign);
	wb->sp.assign = NULL;
}

int
wb_values_back(workbench *wb, rf_error *err)
{
	interactions *all;
	float *val;

	if (wb->ds == NULL || wb->ds->all.val != NULL)
		return 0;
	all = &wb->ds->all;
	if (!wb->have_split)
		return rf_fail(err, "the data's values went with their split: "
		    "open the store again");
	if ((val = malloc((size_t)(all->nnz ? all->nnz : 1) *
	    sizeof *val)) == NULL)
		return rf_fail(err, "out of memory for the data's values "
		    "(%lld entries)", (long long)all->nnz);
	/* each entry's value from its part's row */
	if (parts_walk(wb, NULL, val, err) < 0) {
		free(val);
		return -1;
	}
	all->val = val;
	return 0;
}

void
wb_drop_parts(workbench *wb)
{
	interactions_free(&wb->train);
	interactions_free(&wb->valid);
	interactions_free(&wb->test);
	interactions_free(&wb->known);
	free(wb->train_pop);
	wb->train_pop = NULL;
	split_free(&wb->sp);
	wb->have_split = 0;
}

int
wb_install_split(workbench *wb, split *s, rf_error *err)
{
	const interactions *all = &wb->ds->all;

	/* the old parts may hold the values (values_to_parts()) */
	if (wb_values_back(wb, err) < 0) {
		split_free(s);
		return -1;
	}
	wb_drop_parts(wb);
	wb->sp = *s;
	memset(s, 0, sizeof *s);
	wb->have_split = 1;
	/* At 100 M events each byte per entry is 100 MB, so each part has
	 * what is read of it: train its items and values (models train and
	 * score from them), its transpose once a training or a load needs
	 * it (wb_train_transpose()), no times (a history's are the data's,
	 * dataset_row_times()); validation and test are targets; known is
	 * items alone, made when first asked for (a `train` needs it only
	 * for the evaluation after the fit). */
	if (split_extract(all, wb->sp.assign, SPLIT_MASK_TRAIN, 0,
	    &wb->train, err) < 0 ||
	    split_extract(all, wb->sp.assign, SPLIT_MASK_VALID, 0, &wb->valid,
	    err) < 0 ||
	    split_extract(all, wb->sp.assign, SPLIT_MASK_TEST, 0, &wb->test,
	    err) < 0 ||
	    (wb->train_pop = eval_train_popularity(&wb->train)) == NULL) {
		wb_drop_parts(wb);
		return rf_fail(err, "split: out of memory");
	}
	values_to_parts(wb);
	assign_release(wb);
	return 0;
}

int
wb_make_split(workbench *wb, const split_spec *spec, rf_error *err)
{
	split s;

	if (split_make(&wb->ds->all, spec, &s, err) < 0)
		return -1;
	if (!store_is_readonly(wb->st) && split_save(wb->st, &s, err) < 0) {
		split_free(&s);
		return -1;
	}
	return wb_install_split(wb, &s, err);
}

int
workbench_ensure_split(workbench *wb, rf_error *err)
{
	split s;
	split_spec none = { .kind = SPLIT_NONE };
	int64_t id;

	/* a split reads no names: a lean snapshot stays lean */
	if (dataset_any(wb, 0, err) == NULL)
		return -1;
	if (wb->have_split)
		return 0;
	id = split_latest(wb->st, wb->ds->all.nnz);
	if (id > 0) {
		char why[sizeof err->msg];

		if (split_load(wb->st, id, wb->ds->all.nnz, &s, err) == 0)
			return wb_install_split(wb, &s, err);
		/* The stored split of these data is damaged: say so, and
		 * never go on as if there were none (the models trained on
		 * it would silently not fit). */
		snprintf(why, sizeof why, "%s", err ? err->msg : "");
		return rf_fail(err, "%.600s; make a split again (`split ...`; "
		    "the models trained on the damaged one cannot be used)",
		    why);
	}
	return wb_make_split(wb, &none, err);
}

const split *
workbench_split(const workbench *wb)
{
	return wb->have_split ? &wb->sp : NULL;
}

const interactions *
workbench_train_part(const workbench *wb)
{
	return wb->have_split ? &wb->train : NULL;
}

const interactions *
workbench_train_transposed(workbench *wb, rf_error *err)
{
	return wb_train_transpose(wb, err) < 0 ? NULL : &wb->train;
}

const interactions *
workbench_valid_part(const workbench *wb)
{
	return wb->have_split ? &wb->valid : NULL;
}

const interactions *
workbench_test_part(const workbench *wb)
{
	return wb->have_split ? &wb->test : NULL;
}

const interactions *
workbench_known_part(workbench *wb, rf_error *err)
{
	if (!wb->have_split) {
		rf_fail(err, "no split yet");
		return NULL;
	}
	if (wb->valid.nnz == 0)
		return &wb->train;
	if (wb->known.ptr == NULL) {
		int rc;

		if (assign_back(wb, err) < 0)
			return NULL;
		rc = split_extract(&wb->ds->all, wb->sp.assign,
		    SPLIT_MASK_TRAIN | SPLIT_MASK_VALID, SPLIT_X_ITEMS_ONLY,
		    &wb->known, err);
		assign_release(wb);
		if (rc < 0)
			return NULL;
	}
	return &wb->known;
}

int
wb_train_transpose(workbench *wb, rf_error *err)
{
	interactions t;

	if (!wb->have_split)
		return rf_fail(err, "no split yet");
	if (wb->train.tptr != NULL)
		return 0;
	/* built aside, then given to the part whole */
	t = wb->train;
	t.tptr = NULL;
	t.tidx = NULL;
	t.tval = NULL;
	if (interactions_build_transpose(&t) < 0)
		return rf_fail(err, "train: out of memory for the train "
		    "part's transpose (%lld entries)",
		    (long long)wb->train.nnz);
	wb->train.tidx = t.tidx;
	wb->train.tval = t.tval;
	wb->train.tptr = t.tptr;
	return 0;
}

void
wb_train_transpose_release(workbench *wb, const model_ops *trained)
{
	if (wb->train.tptr == NULL || (trained->traits & MODEL_LOAD_TRANSPOSE))
		return;
	for (int k = 0; k < wb->nmodels; k++)
		if (wb->models[k].m->ops->traits & MODEL_LOAD_TRANSPOSE)
			return;
	free(wb->train.tptr);
	free(wb->train.tidx);
	free(wb->train.tval);
	wb->train.tptr = NULL;
	wb->train.tidx = NULL;
	wb->train.tval = NULL;
}

int
workbench_train_valid(workbench *wb, interactions *out, rf_error *err)
{
	int rc;

	if (workbench_ensure_split(wb, err) < 0 ||
	    wb_values_back(wb, err) < 0 || assign_back(wb, err) < 0)
		return -1;
	rc = split_extract(&wb->ds->all, wb->sp.assign,
	    SPLIT_MASK_TRAIN | SPLIT_MASK_VALID, SPLIT_X_TRANSPOSE, out, err);
	assign_release(wb);
	values_to_parts(wb);
	return rc;
}

int32_t *
wb_part_users(const workbench *wb, const interactions *part, int force_all,
    int *n, int *total)
{
	int32_t *users = malloc(((size_t)part->n_users + 1) * sizeof *users);
	int m = 0, want = wb->sample_users;

	*n = *total = 0;
	if (users == NULL)
		return NULL;
	for (int u = 0; u < part->n_users; u++)
		if (part->ptr[u + 1] > part->ptr[u])
			users[m++] = u;
	*total = m;
	if (!force_all && want > 0 && m > want) {
		/* The evaluator's own sampling rule (same seed, same
		 * users): a partial shuffle, then in order again. */
		rf_rng rng;

		rf_rng_seed(&rng, WB_SAMPLE_SEED);
		for (int j = 0; j < want; j++) {
			int r = j + (int)rf_rng_below(&rng,
			    (uint32_t)(m - j));
			int32_t t = users[j];

			users[j] = users[r];
			users[r] = t;
		}
		m = want;
		qsort(users, (size_t)m, sizeof *users, cmp_user);
	}
	*n = m;
	return users;
}

int
workbench_sample_users(const workbench *wb)
{
	return wb->sample_users;
}

int
workbench_set_sample_users(workbench *wb, int n, rf_error *err)
{
	char text[32];

	if (n < 0 || (n > 0 && n < 100))
		return rf_fail(err, "sample-users is 0 (every user) or at "
		    "least 100, not %d", n);
	wb->sample_users = n;
	snprintf(text, sizeof text, "%d", n);
	if (!store_is_readonly(wb->st) && store_set_setting(wb->st,
	    "sample_users", text, err) < 0)
		return -1;
	return 0;
}
