/* check: the store's health in one table: SQLite's integrity check of the
 * file, every stored split and every saved model read back as a load
 * would read it (the `check` command's engine side). */
#include "engine/session/internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/data/split.h"
#include "engine/models/external.h"
#include "engine/models/registry.h"
#include "engine/store/saved_models.h"
#include "engine/store/splits.h"

/* One row: part, name, status, detail. */
static void
row(rf_table *t, const char *part, const char *name, const char *status,
    const char *detail)
{
	table_begin_row(t);
	table_cell_text(t, part);
	table_cell_text(t, name);
	table_cell_text(t, status);
	table_cell_text(t, detail);
}

/* Every stored split against these data; a split made for another
 * snapshot of the data is no damage. */
static int
check_splits(workbench *wb, rf_table *t, int *bad, rf_error *err)
{
	int64_t *ids;
	int n;

	if (store_split_ids(wb->st, &ids, &n, err) < 0)
		return -1;
	for (int k = 0; k < n; k++) {
		char name[32];
		rf_error e = { { 0 } };
		split s;

		snprintf(name, sizeof name, "split %lld", (long long)ids[k]);
		if (split_load(wb->st, ids[k], wb->ds->all.nnz, &s, &e) == 0) {
			row(t, "split", name, "ok", s.text);
			split_free(&s);
		} else if (strstr(e.msg, "damaged") != NULL) {
			row(t, "split", name, "DAMAGED", e.msg);
			(*bad)++;
		} else
			row(t, "split", name, "other data", e.msg);
	}
	free(ids);
	return 0;
}

/* Every saved version: its bytes, header and parameters, and a full load
 * when it was saved for the current split. */
static int
check_models(workbench *wb, rf_table *t, int *bad, rf_error *err)
{
	rf_table *saved = store_saved_models(wb->st, err);
	model_fingerprint fp;

	if (saved == NULL)
		return -1;
	/* No usable split: the fingerprint matches no model, so each is
	 * checked up to its parameters. */
	memset(&fp, 0, sizeof fp);
	fp.split_id = -1;
	if (wb->have_split)
		wb_fingerprint(wb, &fp);
	for (int r = 0; r < saved->nrows; r++) {
		const char *name = table_get(saved, r, 0);
		const char *vtext = table_get(saved, r, 1);
		const model_ops *ops = name ? model_lookup(name) : NULL;
		int version = vtext ? atoi(vtext) : 0;
		char label[96], why[sizeof ((wb_damage *)0)->why];
		rf_error e = { { 0 } };
		train_found found;

		if (name == NULL)
			continue;
		snprintf(label, sizeof label, "%s v%d", name, version);
		if (ops != NULL && (ops->traits & MODEL_LOAD_TRANSPOSE) &&
		    wb->have_split && wb_train_transpose(wb, err) < 0) {
			table_free(saved);
			return -1;
		}
		/* An imported model maps its rows by external id: loaded
		 * whatever the split (either kind's load reads either). */
		found = train_verify_saved(wb->st, ops ? ops :
		    &model_external_factors_ops, name, version, wb->ds,
		    wb->have_split ? &wb->train : &wb->ds->all,
		    ops ? &fp : NULL, &e);
		switch (found) {
		case LOAD_FOUND:
			row(t, "model", label, "ok", "loads");
			break;
		case LOAD_OTHER_DATA:
			row(t, "model", label, "ok",
			    "sound; saved for another split or other data");
			break;
		case LOAD_DAMAGED:
		case LOAD_FAILED:
			if (wb_note_load_failure(wb, name, version, found,
			    &e) < 0) {
				table_free(saved);
				return rf_fail(err, "out of memory");
			}
			{
				const wb_damage *d = workbench_damage_of(wb,
				    name, version);

				snprintf(why, sizeof why, "%.700s",
				    d ? d->why : e.msg);
			}
			row(t, "model", label, found == LOAD_DAMAGED ?
			    "DAMAGED" : "failed", why);
			(*bad)++;
			break;
		case LOAD_NONE:
			row(t, "model", label, "gone", e.msg);
			break;
		}
	}
	table_free(saved);
	return 0;
}

rf_table *
workbench_check(workbench *wb, int *problems, rf_error *err)
{
	char found[1024];
	rf_table *t = table_new("check");
	int rc, bad = 0;

	*problems = 0;
	if (t == NULL || table_add_column(t, "part", COL_TEXT) < 0 ||
	    table_add_column(t, "name", COL_TEXT) < 0 ||
	    table_add_column(t, "status", COL_TEXT) < 0 ||
	    table_add_column(t, "detail", COL_TEXT) < 0) {
		table_free(t);
		rf_fail(err, "out of memory");
		return NULL;
	}
	rc = store_integrity(wb->st, found, sizeof found, err);
	if (rc < 0) {
		/* A file SQLite cannot even read through: that is the
		 * finding. */
		row(t, "store", store_path(wb->st), "DAMAGED", err->msg);
		*problems = 1;
		return t;
	}
	row(t, "store", store_path(wb->st), rc ? "ok" : "DAMAGED",
	    rc ? "SQLite integrity_check: ok" : found);
	bad += !rc;
	if (workbench_dataset(wb, err) == NULL) {
		row(t, "data", "events", "none", err->msg);
		*problems = bad;
		return t;
	}
	/* The current split, if it loads, so that models are loaded in
	 * full; a damaged one is reported by check_splits. */
	if (!wb->have_split && !wb->job &&
	    split_latest(wb->st, wb->ds->all.nnz) > 0)
		(void)workbench_ensure_split(wb, NULL);
	if (check_splits(wb, t, &bad, err) < 0 ||
	    check_models(wb, t, &bad, err) < 0) {
		table_free(t);
		return NULL;
	}
	*problems = bad;
	return t;
}
