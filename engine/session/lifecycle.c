/* lifecycle: the session's top: opens and closes the workbench and runs
 * the changes that cut across its parts (new data, a new split) in the
 * right order.  See internal.h for the files below it. */
#include "engine/session/internal.h"

#include <stdlib.h>

#include "engine/core/threads.h"

workbench *
workbench_open(const char *path, int store_flags, rf_error *err)
{
	workbench *wb = calloc(1, sizeof *wb);

	if (wb == NULL) {
		rf_fail(err, "out of memory");
		return NULL;
	}
	if ((wb->st = store_open(path, store_flags, err)) == NULL) {
		free(wb);
		return NULL;
	}
	rf_blas_init();	/* the one policy: engine/core/threads.h */
	wb->models_changed = wb_fusion_drop;
	wb->sample_users = WB_SAMPLE_USERS;
	{
		char *v = store_get_setting(wb->st, "sample_users");
		long n;
		char *end;

		if (v != NULL) {
			n = strtol(v, &end, 10);
			/* A bad stored value keeps the default. */
			if (*end == '\0' && end != v && (n == 0 ||
			    (n >= 100 && n <= 1L << 30)))
				wb->sample_users = (int)n;
			free(v);
		}
	}
	return wb;
}

/* What hangs on the split goes with it: the fusion, the models, the
 * parts. */
static void
drop_split(workbench *wb)
{
	wb_fusion_drop(wb);
	wb_drop_models(wb);
	wb_drop_parts(wb);
}

void
workbench_data_changed(workbench *wb)
{
	workbench_train_clear_queue(wb);
	wb_drop_job(wb);
	drop_split(wb);
	dataset_free(wb->ds);
	wb->ds = NULL;
}

void
workbench_close(workbench *wb)
{
	if (wb == NULL)
		return;
	/* Weights a slider left in memory: the last chance to keep them
	 * (the app saves them itself before, where it can report). */
	(void)workbench_fusion_save(wb, NULL);
	workbench_data_changed(wb);
	wb_fusion_destroy(wb);
	wb_clear_damage(wb);
	free(wb->models);
	wb_free_runs(wb);
	store_close(wb->st);
	free(wb);
}

int
workbench_set_split(workbench *wb, const split_spec *spec, rf_error *err)
{
	split s;

	if (workbench_dataset(wb, err) == NULL)
		return -1;
	if (wb->job)
		return rf_fail(err, "split: a model is training; stop it first");
	/* Made before anything is dropped: a bad spec changes nothing. */
	if (split_make(&wb->ds->all, spec, &s, err) < 0)
		return -1;
	if (wb_values_back(wb, err) < 0 ||
	    (!store_is_readonly(wb->st) && split_save(wb->st, &s, err) < 0)) {
		split_free(&s);
		return -1;
	}
	drop_split(wb);
	return wb_install_split(wb, &s, err);
}
