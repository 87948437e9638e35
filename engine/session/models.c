/* models: the trained models the session keeps in memory, one per model
 * name, in the registry's order, and the `models` table of saved and
 * in-memory ones. */
#include "engine/session/internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/models/registry.h"
#include "engine/store/saved_models.h"

int
workbench_model_count(const workbench *wb)
{
	return wb->nmodels;
}

const wb_model *
workbench_model_at(const workbench *wb, int k)
{
	return k >= 0 && k < wb->nmodels ? &wb->models[k] : NULL;
}

const wb_model *
workbench_find_model(const workbench *wb, const char *name)
{
	for (int k = 0; k < wb->nmodels; k++)
		if (strcmp(wb->models[k].m->name, name) == 0)
			return &wb->models[k];
	return NULL;
}

/* Position of a model in the registry (model_all()). */
static int
wb_registry_rank(const model_ops *ops)
{
	const model_ops *const *all = model_all();
	int k;

	for (k = 0; all[k] != NULL; k++)
		if (all[k] == ops)
			return k;
	return k;
}

/* Keep e's model, replacing one of the same name. */
int
wb_keep_model(workbench *wb, const wb_model *e, rf_error *err)
{
	if (wb->models_changed)	/* the fusion over them goes */
		wb->models_changed(wb);
	for (int k = 0; k < wb->nmodels; k++) {
		if (strcmp(wb->models[k].m->name, e->m->name) != 0)
			continue;
		wb->models[k].m->ops->free(wb->models[k].m);
		memmove(&wb->models[k], &wb->models[k + 1],
		    (size_t)(wb->nmodels - k - 1) * sizeof *wb->models);
		wb->nmodels--;
		break;
	}
	if (wb->nmodels == wb->cap) {
		int cap = wb->cap ? wb->cap * 2 : 16;
		wb_model *p = realloc(wb->models, (size_t)cap * sizeof *p);

		if (p == NULL) {
			e->m->ops->free(e->m);
			return rf_fail(err, "out of memory");
		}
		wb->models = p;
		wb->cap = cap;
	}
	/* One order whatever the history: the registry's, then imported
	 * models by name.  A fusion sums its models in this order, so a
	 * store reopened (models loaded in registry order) scores exactly as
	 * the session that trained them. */
	{
		int at = wb->nmodels, rank = wb_registry_rank(e->m->ops);

		for (int k = 0; k < wb->nmodels; k++) {
			int r = wb_registry_rank(wb->models[k].m->ops);

			if (r > rank || (r == rank && strcmp(
			    wb->models[k].m->name, e->m->name) > 0)) {
				at = k;
				break;
			}
		}
		memmove(&wb->models[at + 1], &wb->models[at],
		    (size_t)(wb->nmodels - at) * sizeof *wb->models);
		wb->models[at] = *e;
		wb->nmodels++;
	}
	return 0;
}

void
wb_drop_models(workbench *wb)
{
	if (wb->nmodels > 0 && wb->models_changed)
		wb->models_changed(wb);
	for (int k = 0; k < wb->nmodels; k++)
		wb->models[k].m->ops->free(wb->models[k].m);
	wb->nmodels = 0;
}

int
wb_note_damage(workbench *wb, const char *name, int version, int damaged,
    const char *why)
{
	wb_damage *d;

	if (workbench_damage_of(wb, name, version) != NULL)
		return 0;
	if (wb->ndamage == wb->damage_cap) {
		int cap = wb->damage_cap ? wb->damage_cap * 2 : 8;
		wb_damage *p = realloc(wb->damage, (size_t)cap * sizeof *p);

		if (p == NULL)
			return -1;
		wb->damage = p;
		wb->damage_cap = cap;
	}
	d = &wb->damage[wb->ndamage++];
	snprintf(d->name, sizeof d->name, "%s", name);
	d->version = version;
	d->damaged = damaged;
	snprintf(d->why, sizeof d->why, "%s", why);
	return 0;
}

int
wb_note_load_failure(workbench *wb, const char *name, int version,
    train_found found, const rf_error *lerr)
{
	char why[sizeof ((wb_damage *)0)->why];

	switch (found) {
	case LOAD_DAMAGED:
		snprintf(why, sizeof why, "%.500s; %s it again (`%s %s%s`) "
		    "or remove it (`models drop %s %d`)", lerr->msg,
		    model_lookup(name) ? "train" : "import",
		    model_lookup(name) ? "train" : "import-model", name,
		    model_lookup(name) ? "" : " ...", name, version);
		return wb_note_damage(wb, name, version, 1, why);
	case LOAD_FAILED:
		snprintf(why, sizeof why, "%.600s (not loaded)", lerr->msg);
		return wb_note_damage(wb, name, version, 0, why);
	default:	/* none saved, or saved for other data: nothing lost */
		return 0;
	}
}

void
wb_clear_damage(workbench *wb)
{
	free(wb->damage);
	wb->damage = NULL;
	wb->ndamage = wb->damage_cap = wb->damage_told = 0;
}

int
workbench_damage_count(const workbench *wb)
{
	return wb->ndamage;
}

const wb_damage *
workbench_damage_at(const workbench *wb, int k)
{
	return k >= 0 && k < wb->ndamage ? &wb->damage[k] : NULL;
}

const wb_damage *
workbench_damage_of(const workbench *wb, const char *name, int version)
{
	for (int k = 0; k < wb->ndamage; k++)
		if (wb->damage[k].version == version &&
		    strcmp(wb->damage[k].name, name) == 0)
			return &wb->damage[k];
	return NULL;
}

const wb_damage *
workbench_damage_news(workbench *wb)
{
	return wb->damage_told < wb->ndamage ?
	    &wb->damage[wb->damage_told++] : NULL;
}

int
workbench_drop_saved(workbench *wb, const char *name, int version,
    rf_error *err)
{
	const wb_model *e = workbench_find_model(wb, name);
	int rc;

	if (e != NULL && e->version == version)
		return rf_fail(err, "models drop: %s v%d is in use (loaded); "
		    "train it again or open the store anew to drop it", name,
		    version);
	if ((rc = store_model_drop(wb->st, name, version, err)) <= 0)
		return rc;
	for (int k = 0; k < wb->ndamage; k++) {
		if (wb->damage[k].version != version ||
		    strcmp(wb->damage[k].name, name) != 0)
			continue;
		memmove(&wb->damage[k], &wb->damage[k + 1],
		    (size_t)(wb->ndamage - k - 1) * sizeof *wb->damage);
		wb->ndamage--;
		if (wb->damage_told > k)
			wb->damage_told--;
		break;
	}
	return 1;
}

void
wb_fingerprint(const workbench *wb, model_fingerprint *fp)
{
	fp->n_users = wb->ds->n_users;
	fp->n_items = wb->ds->n_items;
	fp->nnz = wb->ds->all.nnz;
	fp->train_nnz = wb->train.nnz;
	fp->split_id = wb->sp.id;
}

rf_table *
workbench_models_table(workbench *wb, rf_error *err)
{
	rf_table *saved = store_saved_models(wb->st, err);
	rf_table *t;

	if (saved == NULL)
		return NULL;
	if ((t = table_new("models")) == NULL ||
	    table_add_column(t, "model", COL_TEXT) < 0 ||
	    table_add_column(t, "version", COL_INT) < 0 ||
	    table_add_column(t, "loaded", COL_TEXT) < 0 ||
	    table_add_column(t, "origin", COL_TEXT) < 0 ||
	    table_add_column(t, "params", COL_TEXT) < 0 ||
	    table_add_column(t, "seed", COL_INT) < 0 ||
	    table_add_column(t, "epochs", COL_INT) < 0 ||
	    table_add_column(t, "seconds", COL_REAL) < 0 ||
	    table_add_column(t, "split", COL_TEXT) < 0 ||
	    table_add_column(t, "metrics", COL_TEXT) < 0) {
		table_free(saved);
		table_free(t);
		rf_fail(err, "out of memory");
		return NULL;
	}
	/* The store's columns, with "loaded" and "origin" after the
	 * version: what is not a model of the registry was imported (an
	 * import may not take a registry name). */
	for (int r = 0; r < saved->nrows; r++) {
		const char *name = table_get(saved, r, 0);
		const char *version = table_get(saved, r, 1);
		const wb_model *e = workbench_find_model(wb, name);
		int loaded = e && version && e->version == atoi(version);
		const wb_damage *d = name && version ?
		    workbench_damage_of(wb, name, atoi(version)) : NULL;

		table_begin_row(t);
		table_cell_text(t, name);
		table_cell_text(t, version);
		table_cell_text(t, loaded ? "yes" : d == NULL ? "" :
		    d->damaged ? "DAMAGED" : "failed");
		table_cell_text(t, name && model_lookup(name) == NULL ?
		    "imported" : "trained");
		for (int c = 2; c < 8; c++)
			table_cell_text(t, table_get(saved, r, c));
	}
	table_free(saved);
	/* Models kept in memory only (a read-only store). */
	for (int k = 0; k < wb->nmodels; k++) {
		const wb_model *e = &wb->models[k];
		char text[512];

		if (e->version > 0)
			continue;
		metrics_format(&e->final, text, sizeof text);
		table_begin_row(t);
		table_cell_text(t, e->m->name);
		table_cell_null(t);
		table_cell_text(t, "yes");
		table_cell_text(t, e->m->ops->traits & MODEL_EXTERNAL ?
		    "imported" : "trained");
		table_cell_text(t, e->params);
		table_cell_int(t, (int64_t)e->m->seed);
		table_cell_int(t, e->epochs);
		if (isnan(e->seconds))
			table_cell_null(t);
		else
			table_cell_real(t, e->seconds, 2);
		table_cell_text(t, wb->have_split ? wb->sp.text : NULL);
		table_cell_text(t, text[0] ? text : NULL);
	}
	return t;
}
