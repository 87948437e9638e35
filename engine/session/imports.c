/* imports: models trained elsewhere in the session (engine/models/
 * external.h): an import kept beside the trained models under the
 * analyst's name, evaluated, recorded (a run of its own, params saying
 * where it came from) and saved; and imported models loaded back from
 * the store in a new process whatever the split (they were not trained
 * on it). */
#include "engine/session/internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "engine/eval/eval.h"
#include "engine/models/external.h"
#include "engine/models/registry.h"
#include "engine/store/runs.h"
#include "engine/store/saved_models.h"

/* A name an imported model may take: it names the model in commands,
 * weights and the store, beside the registry's names and "fused". */
static int
check_name(const char *name, rf_error *err)
{
	size_t n = strlen(name);

	if (n == 0 || n >= sizeof ((model *)0)->name)
		return rf_fail(err, "a model name has 1 to %zu characters",
		    sizeof ((model *)0)->name - 1);
	if (strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789_-.") != n || !((name[0] >= 'a' && name[0] <= 'z') ||
	    (name[0] >= 'A' && name[0] <= 'Z')))
		return rf_fail(err, "'%s': a model name starts with a letter "
		    "and has letters, digits, '_', '-' and '.'", name);
	if (model_lookup(name) != NULL || strcasecmp(name, "fused") == 0)
		return rf_fail(err, "'%s' names a model of recfuse's own; "
		    "import under another name", name);
	return 0;
}

/* Evaluate, record, save and keep an imported model (m is taken). */
static int
keep_import(workbench *wb, model *m, const char *params,
    wb_import_result *res, rf_error *err)
{
	const interactions *known;
	model_fingerprint fp;
	char text[512];
	wb_model e;

	memset(&e, 0, sizeof e);
	e.m = m;
	e.epochs = 0;
	e.seconds = NAN;
	snprintf(e.params, sizeof e.params, "%s", params);
	metrics_clear(&e.final);
	if (wb->test.nnz > 0 && ((known = workbench_known_part(wb, err)) ==
	    NULL || eval_model(m, known, &wb->test, 10, 2, wb->train_pop, NULL,
	    &e.final, err) != 0)) {
		m->ops->free(m);
		return -1;
	}
	if (!store_is_readonly(wb->st)) {
		metrics_format(&e.final, text, sizeof text);
		if ((e.run_id = store_run_start(wb->st, m->name, params, 0,
		    wb->sp.id, err)) < 0 ||
		    store_run_finish(wb->st, e.run_id, "done", 0, NAN, text,
		    err) < 0) {
			m->ops->free(m);
			return -1;
		}
		wb_fingerprint(wb, &fp);
		if (train_save_model(wb->st, e.run_id, m, &fp, &e.version,
		    err) < 0) {
			m->ops->free(m);
			return -1;
		}
	}
	res->version = e.version;
	res->final = e.final;
	return wb_keep_model(wb, &e, err);
}

/* What an import needs first: its name checked, the data and a split. */
static int
import_ready(workbench *wb, const char *name, rf_error *err)
{
	if (check_name(name, err) < 0 || workbench_ensure_split(wb, err) < 0)
		return -1;
	if (wb->job)
		return rf_fail(err, "a model is training; wait or stop it");
	return 0;
}

int
workbench_import_factors(workbench *wb, const char *name, const char *users,
    const char *items, wb_import_result *res, rf_error *err)
{
	char params[512];
	model *m;

	memset(res, 0, sizeof *res);
	if (import_ready(wb, name, err) < 0)
		return -1;
	if ((m = external_factors_import(wb->ds, &wb->train, users, items,
	    &res->rep, err)) == NULL)
		return -1;
	snprintf(m->name, sizeof m->name, "%s", name);
	snprintf(params, sizeof params, "factors=%d users=%s items=%s",
	    res->rep.k, users, items);
	return keep_import(wb, m, params, res, err);
}

int
workbench_import_scores(workbench *wb, const char *name, const char *path,
    wb_import_result *res, rf_error *err)
{
	char params[512];
	model *m;

	memset(res, 0, sizeof *res);
	if (import_ready(wb, name, err) < 0)
		return -1;
	if ((m = external_scores_import(wb->ds, &wb->train, path, &res->rep,
	    err)) == NULL)
		return -1;
	snprintf(m->name, sizeof m->name, "%s", name);
	snprintf(params, sizeof params, "scores=%s", path);
	return keep_import(wb, m, params, res, err);
}

int
wb_load_imported(workbench *wb, rf_error *err)
{
	rf_table *saved;
	int n = 0;

	if (wb->ds == NULL || !wb->have_split)
		return 0;
	if ((saved = store_saved_models(wb->st, err)) == NULL)
		return -1;
	for (int r = 0; r < saved->nrows; r++) {
		const char *name = table_get(saved, r, 0);
		store_run run;
		rf_error lerr;
		train_found found;
		wb_model e;

		/* The store lists every version: the newest is loaded once. */
		if (name == NULL || model_lookup(name) != NULL ||
		    workbench_find_model(wb, name) != NULL ||
		    (r + 1 < saved->nrows && table_get(saved, r + 1, 0) &&
		    strcmp(table_get(saved, r + 1, 0), name) == 0))
			continue;
		memset(&e, 0, sizeof e);
		/* Either kind's load reads either kind (external.h). */
		if ((e.m = train_load_saved(wb->st,
		    &model_external_factors_ops, name, 0, wb->ds, &wb->train,
		    NULL, &e.run_id, &e.version, &found, &lerr)) == NULL) {
			if (wb_note_load_failure(wb, name, e.version, found,
			    &lerr) < 0) {
				table_free(saved);
				return rf_fail(err, "out of memory");
			}
			continue;
		}
		e.seconds = NAN;
		metrics_clear(&e.final);
		if (e.run_id > 0 && store_run_get(wb->st, e.run_id, &run,
		    NULL) > 0)
			snprintf(e.params, sizeof e.params, "%.*s",
			    (int)sizeof e.params - 1, run.params);
		if (wb_keep_model(wb, &e, err) < 0) {
			table_free(saved);
			return -1;
		}
		n++;
	}
	table_free(saved);
	return n;
}
