/* runs: training in the session: a synchronous run (batch mode), the
 * background job and the queue behind it (the TUI), the curve history of
 * every run, and the saved models of the current split loaded back with
 * the runs they came from.  A finished run is evaluated on the test part,
 * recorded, saved and kept (models.c). */
#include "engine/session/internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/core/threads.h"
#include "engine/eval/eval.h"
#include "engine/models/registry.h"
#include "engine/store/runs.h"
#include "engine/store/saved_models.h"

static void
run_free(struct wb_run_slot *s)
{
	free(s->r.loss);
	free(s->r.valid);
	free(s->r.secs);
	free(s->params);
}

/* A new entry at the end; its index, or -1 when out of memory. */
static int
run_add(workbench *wb, const model_ops *ops, const double *params,
    int epochs, uint64_t seed, const wb_train_opts *opts,
    enum wb_run_status status)
{
	struct wb_run_slot *s;

	if (wb->nruns == wb->runcap) {
		int cap = wb->runcap ? wb->runcap * 2 : 16;

		if ((s = realloc(wb->runs, (size_t)cap * sizeof *s)) == NULL)
			return -1;
		wb->runs = s;
		wb->runcap = cap;
	}
	s = &wb->runs[wb->nruns];
	memset(s, 0, sizeof *s);
	if ((s->params = calloc((size_t)ops->nparams + 1, sizeof *s->params))
	    == NULL)
		return -1;
	if (ops->nparams)
		memcpy(s->params, params, (size_t)ops->nparams *
		    sizeof *params);
	s->ops = ops;
	snprintf(s->r.model, sizeof s->r.model, "%s", ops->name);
	train_params_text(ops, params, s->r.params, sizeof s->r.params);
	s->r.seed = seed;
	s->r.status = status;
	s->r.epochs = epochs;
	s->r.valid_rmse = wb->ds ? train_valid_is_rmse(ops, wb->ds) : 0;
	s->r.started = NAN;
	if (opts != NULL)
		s->opts = *opts;
	return wb->nruns++;
}

/* The entry starts running: room for its curves.  -1 out of memory. */
static int
run_begin(workbench *wb, int k)
{
	wb_run *r = &wb->runs[k].r;
	size_t n = (size_t)(r->epochs > 0 ? r->epochs : 1);

	r->loss = calloc(n, sizeof *r->loss);
	r->valid = calloc(n, sizeof *r->valid);
	r->secs = calloc(n, sizeof *r->secs);
	if (r->loss == NULL || r->valid == NULL || r->secs == NULL) {
		r->status = WB_RUN_FAILED;
		snprintf(r->msg, sizeof r->msg, "out of memory");
		return -1;
	}
	if (wb->ds)
		r->valid_rmse = train_valid_is_rmse(wb->runs[k].ops, wb->ds);
	r->status = WB_RUN_RUNNING;
	r->done = 0;
	r->seconds = 0;
	r->started = rf_monotonic();
	return 0;
}

/* An event of the run at index k (k < 0: none kept). */
static void
run_event(workbench *wb, int k, const train_event *ev)
{
	wb_run *r;

	if (k < 0 || k >= wb->nruns)
		return;
	r = &wb->runs[k].r;
	switch (ev->kind) {
	case TRAIN_EPOCH:
		if (r->loss == NULL || ev->epoch < 0 || ev->epoch >= r->epochs)
			return;
		r->loss[ev->epoch] = ev->loss;
		r->valid[ev->epoch] = ev->valid_metric;
		r->secs[ev->epoch] = ev->seconds;
		r->done = ev->epoch + 1;
		r->seconds += ev->seconds;
		break;
	case TRAIN_DONE:
	case TRAIN_CANCELLED:
		r->status = ev->kind == TRAIN_DONE ? WB_RUN_DONE :
		    WB_RUN_CANCELLED;
		if (!isnan(ev->seconds))
			r->seconds = ev->seconds;
		snprintf(r->msg, sizeof r->msg, "%s", ev->msg);
		break;
	case TRAIN_FAILED:
		r->status = WB_RUN_FAILED;
		snprintf(r->msg, sizeof r->msg, "%s", ev->msg);
		break;
	case TRAIN_SEARCH:
	case TRAIN_CHOICE: {
		size_t len = strlen(r->search);
		const char *sep = len ? ", " : "searched ";

		/* "lambda=100, valid ndcg@10" -> "lambda=100 0.1230" */
		const char *comma = strstr(ev->msg, ", valid ");

		/* "searched lambda=100 0.1230*, ...; after the fit:
		 * recency=0 0.1010*, recency=3 0.1471*, ..." */
		if (ev->kind == TRAIN_CHOICE && strstr(r->search,
		    "after the fit: ") == NULL)
			sep = len ? "; after the fit: " : "after the fit: ";
		snprintf(r->search + len, sizeof r->search - len,
		    "%s%.*s %.4f%s", sep,
		    comma ? (int)(comma - ev->msg) : (int)strlen(ev->msg),
		    ev->msg, ev->valid_metric, ev->loss > 0 ? "*" : "");
		/* The best try so far of a scoring parameter: the model as
		 * it stands validates at its figure, and so does its last
		 * epoch (record_event() stores it). */
		if (ev->kind == TRAIN_CHOICE && ev->loss > 0 && r->done > 0 &&
		    r->valid != NULL && !isnan(ev->valid_metric))
			r->valid[r->done - 1] = ev->valid_metric;
		break;
	}
	}
}

/* The store's record of an event of the run run_id (<= 0: none) whose
 * slot is k (< 0: none kept), after run_event(): each epoch, and the last
 * epoch again at a scoring parameter's best try so far. */
static void
record_event(workbench *wb, int64_t run_id, int k, const train_event *ev)
{
	const wb_run *r;
	train_event e;

	if (run_id <= 0 || store_is_readonly(wb->st))
		return;
	if (ev->kind == TRAIN_EPOCH) {
		(void)train_record_epoch(wb->st, run_id, ev, NULL);
		return;
	}
	if (ev->kind != TRAIN_CHOICE || ev->loss <= 0 || k < 0 ||
	    k >= wb->nruns)
		return;
	r = &wb->runs[k].r;
	if (r->done <= 0 || r->valid == NULL || isnan(ev->valid_metric))
		return;
	e = (train_event){ .kind = TRAIN_EPOCH, .epoch = r->done - 1,
	    .loss = r->loss[r->done - 1], .valid_metric = ev->valid_metric,
	    .seconds = r->secs[r->done - 1] };
	(void)train_record_epoch(wb->st, run_id, &e, NULL);
}

/* The run at index k ended (k < 0: none kept); status unless an event
 * said already. */
static void
run_end(workbench *wb, int k, enum wb_run_status status, const char *msg)
{
	wb_run *r;

	if (k < 0 || k >= wb->nruns)
		return;
	r = &wb->runs[k].r;
	if (r->status == WB_RUN_RUNNING || r->status == WB_RUN_QUEUED)
		r->status = status;
	if (msg != NULL && r->msg[0] == '\0')
		snprintf(r->msg, sizeof r->msg, "%s", msg);
}

/* One level of threads: OpenBLAS single-threaded while a job runs. */
static void
blas_single(workbench *wb, int on)
{
	if (on && !wb->blas_held) {
		rf_blas_hold_single();
		wb->blas_held = 1;
	} else if (!on && wb->blas_held) {
		rf_blas_release_single();
		wb->blas_held = 0;
	}
}

void
wb_drop_job(workbench *wb)
{
	if (wb->job == NULL)
		return;
	train_job_cancel(wb->job);
	train_job_free(wb->job);	/* joins; frees an untaken model */
	wb->job = NULL;
	blas_single(wb, 0);
	run_end(wb, wb->job_slot - 1, WB_RUN_CANCELLED, "dropped");
	wb->job_slot = 0;
	if (wb->job_run > 0 && !store_is_readonly(wb->st))
		train_record_finish(wb->st, wb->job_run, "cancelled", 0, NAN,
		    NULL, NULL);
	free(wb->job_params);
	wb->job_params = NULL;
	wb->job_run = 0;
}

/*
 * The run a saved model came from, read back into the curve history: its
 * row in runs (parameters, seed, status, epochs, seconds) and its epochs
 * (loss, validation metric, seconds per epoch).  It goes ahead of this
 * session's runs, among the earlier ones by run id, so the history stays
 * oldest first.  A run already in the history is left alone.  0 when
 * added or already there or not found, -1 out of memory or on a store
 * error (the caller goes on without it: the history is a nicety).
 */
static int
run_load_history(workbench *wb, const model_ops *ops, const double *params,
    int64_t run_id)
{
	struct wb_run_slot *slot;
	store_run run;
	store_epoch *ep = NULL;
	double run_secs, sum = 0;
	int k, at, n, nep, done = 0, recorded;
	int rc;

	if (run_id <= 0)
		return 0;
	for (k = 0; k < wb->nruns; k++)
		if (wb->runs[k].run_id == run_id)
			return 0;
	if ((rc = store_run_get(wb->st, run_id, &run, NULL)) <= 0)
		return rc;
	/* Made at the end (then moved into place). */
	if ((k = run_add(wb, ops, params, 0, 0, NULL, WB_RUN_DONE)) < 0)
		return -1;
	slot = &wb->runs[k];
	slot->run_id = run_id;
	slot->r.earlier = 1;
	if (run.params[0] != '\0')
		snprintf(slot->r.params, sizeof slot->r.params, "%.*s",
		    (int)sizeof slot->r.params - 1, run.params);
	slot->r.seed = run.seed;
	recorded = run.epochs;
	run_secs = run.seconds;
	n = run.epochs_seen;
	if (n < recorded)
		n = recorded;
	if (n < 0 || n > (1 << 24))
		n = 0;
	slot->r.epochs = n;
	if (run.status[0] == '\0' || strcmp(run.status, "done") == 0) {
		slot->r.status = WB_RUN_DONE;
	} else if (strcmp(run.status, "cancelled") == 0) {
		slot->r.status = WB_RUN_CANCELLED;
		snprintf(slot->r.msg, sizeof slot->r.msg, "stopped in an "
		    "earlier session; its last epoch was kept");
	} else {
		/* "running": that session ended before the run did. */
		slot->r.status = WB_RUN_CANCELLED;
		snprintf(slot->r.msg, sizeof slot->r.msg, "%s in an earlier "
		    "session", run.status);
	}
	if ((slot->r.loss = malloc((size_t)(n > 0 ? n : 1) *
	    sizeof *slot->r.loss)) == NULL ||
	    (slot->r.valid = malloc((size_t)(n > 0 ? n : 1) *
	    sizeof *slot->r.valid)) == NULL ||
	    (slot->r.secs = malloc((size_t)(n > 0 ? n : 1) *
	    sizeof *slot->r.secs)) == NULL)
		goto drop;
	for (k = 0; k < n; k++)
		slot->r.loss[k] = slot->r.valid[k] = slot->r.secs[k] = NAN;
	if (store_run_epochs(wb->st, run_id, &ep, &nep, NULL) < 0)
		goto drop;
	for (k = 0; k < nep; k++) {
		int e = ep[k].epoch;

		if (e < 0 || e >= n)
			continue;
		/* NAN is how a missing value reads back. */
		slot->r.loss[e] = ep[k].loss;
		slot->r.valid[e] = ep[k].valid_metric;
		if (!isnan(ep[k].seconds)) {
			slot->r.secs[e] = ep[k].seconds;
			sum += slot->r.secs[e];
		}
		done = e + 1;
	}
	free(ep);
	slot->r.done = done > recorded ? done : recorded;
	if (slot->r.done > n)
		slot->r.done = n;
	slot->r.seconds = isnan(run_secs) ? sum : run_secs;

	/* Into place: after the earlier runs with a smaller id, before the
	 * rest.  The running job's slot moves with it. */
	for (at = 0; at < wb->nruns - 1 && wb->runs[at].r.earlier &&
	    wb->runs[at].run_id < run_id; at++)
		;
	if (at < wb->nruns - 1) {
		struct wb_run_slot tmp = wb->runs[wb->nruns - 1];

		memmove(&wb->runs[at + 1], &wb->runs[at],
		    (size_t)(wb->nruns - 1 - at) * sizeof *wb->runs);
		wb->runs[at] = tmp;
		if (wb->job_slot > at)
			wb->job_slot++;
	}
	return 0;
drop:
	run_free(&wb->runs[--wb->nruns]);
	return -1;
}

int
workbench_load_saved(workbench *wb, rf_error *err)
{
	const model_ops *const *all = model_all();
	model_fingerprint fp;
	int n = 0;

	/* the models trained elsewhere are matched by their ids */
	if (workbench_ensure_split(wb, err) < 0 || workbench_names(wb, err) < 0)
		return -1;
	if (wb->sp.id <= 0)	/* an unsaved split: no trained model fits */
		return wb_load_imported(wb, err);
	wb_fingerprint(wb, &fp);
	for (int k = 0; all[k]; k++) {
		wb_model e;
		rf_error lerr;
		train_found found;
		store_model_info info;

		if (workbench_find_model(wb, all[k]->name))
			continue;
		memset(&e, 0, sizeof e);
		/* the transpose only when such a model is there to load */
		if ((all[k]->traits & MODEL_LOAD_TRANSPOSE) &&
		    store_model_find_split(wb->st, all[k]->name, wb->sp.id,
		    &info, &lerr) > 0 &&
		    wb_train_transpose(wb, err) < 0)
			return -1;
		if ((e.m = train_load_saved(wb->st, all[k], all[k]->name,
		    wb->sp.id, wb->ds, &wb->train, &fp, &e.run_id, &e.version,
		    &found, &lerr)) == NULL) {
			if (wb_note_load_failure(wb, all[k]->name, e.version,
			    found, &lerr) < 0)
				return rf_fail(err, "out of memory");
			continue;
		}
		e.epochs = e.m->epochs_done;
		e.seconds = NAN;
		train_params_text(all[k], e.m->params, e.params,
		    sizeof e.params);
		metrics_clear(&e.final);
		if (wb_keep_model(wb, &e, err) < 0)
			return -1;
		(void)run_load_history(wb, all[k], e.m->params, e.run_id);
		n++;
	}
	{
		int imported = wb_load_imported(wb, err);

		return imported < 0 ? -1 : n + imported;
	}
}

/* After a run: final metrics, records, save, keep.  slot is the run's
 * record (NULL: none kept): its trail is stored, its parameters set. */
static int
finish_run(workbench *wb, model *m, const model_ops *ops,
    int64_t run_id, int cancelled, double seconds, wb_run *slot,
    rf_error *err)
{
	model_fingerprint fp;
	wb_model e;
	int rc;

	memset(&e, 0, sizeof e);
	e.m = m;
	e.run_id = run_id;
	e.epochs = m->epochs_done;
	e.seconds = seconds;
	/* The parameters it was trained with (--search may have chosen
	 * them). */
	train_params_text(ops, m->params, e.params, sizeof e.params);
	if (slot != NULL)
		snprintf(slot->params, sizeof slot->params, "%s", e.params);
	metrics_clear(&e.final);
	if (wb->test.nnz > 0) {
		/* A fixed sample of users on big data: every model of the
		 * split on the same users (see workbench_sample_users()). */
		eval_options opt = { .sample_users = wb->sample_users,
			.sample_seed = WB_SAMPLE_SEED };
		const interactions *known = workbench_known_part(wb, err);

		rc = known == NULL ? -1 : eval_model_with(m, known, &wb->test,
		    10, 2, wb->train_pop, NULL, &opt, &e.final, NULL, err);
	} else
		rc = 0;
	if (rc != 0) {
		ops->free(m);
		return -1;
	}
	if (!store_is_readonly(wb->st)) {
		wb_fingerprint(wb, &fp);
		if (run_id > 0 && train_record_finish(wb->st, run_id,
		    cancelled ? "cancelled" : "done", e.epochs, seconds,
		    &e.final, err) < 0) {
			ops->free(m);
			return -1;
		}
		/* The parameters as the fit left them: --search's, or a
		 * scoring parameter chosen after the fit (-1 at the start). */
		if (run_id > 0 && store_run_searched(wb->st, run_id,
		    e.params, slot != NULL ? slot->search : "", err) < 0) {
			ops->free(m);
			return -1;
		}
		if (train_save_model(wb->st, run_id, m, &fp, &e.version,
		    err) < 0) {
			ops->free(m);
			return -1;
		}
	}
	return wb_keep_model(wb, &e, err);
}

struct sync_ctx {
	workbench *wb;
	int64_t run_id;
	train_callback cb;
	void *ud;
	double seconds;
	int slot;		/* runs index, -1 */
};

static void
sync_event(void *ud, const train_event *ev)
{
	struct sync_ctx *c = ud;

	if (ev->kind == TRAIN_DONE || ev->kind == TRAIN_CANCELLED)
		c->seconds = ev->seconds;
	run_event(c->wb, c->slot, ev);
	record_event(c->wb, c->run_id, c->slot, ev);
	if (c->cb)
		c->cb(c->ud, ev);
}

static void
fill_spec(workbench *wb, train_spec *spec, const model_ops *ops,
    const double *params, int epochs, uint64_t seed,
    const wb_train_opts *opts)
{
	memset(spec, 0, sizeof *spec);
	spec->search = opts != NULL && opts->search;
	spec->fixed = opts != NULL ? opts->fixed : NULL;
	spec->ops = ops;
	spec->params = params;
	spec->epochs = epochs;
	spec->seed = seed;
	spec->ds = wb->ds;
	spec->train = &wb->train;
	spec->valid = wb->valid.nnz > 0 ? &wb->valid : NULL;
	spec->valid_k = 10;
	/* The per-epoch validation metric must stay cheap beside an epoch:
	 * about WB_VALID_SCORES user-item scores whatever the catalogue
	 * (evenly spaced users), between 200 and WB_VALID_MAX_USERS users. */
	{
		long n = WB_VALID_SCORES / (wb->ds->n_items > 0 ?
		    wb->ds->n_items : 1);

		spec->valid_max_users = n < 200 ? 200 :
		    n > WB_VALID_MAX_USERS ? WB_VALID_MAX_USERS : (int)n;
	}
}

int
workbench_train(workbench *wb, const model_ops *ops, const double *params,
    int epochs, uint64_t seed, const wb_train_opts *opts, train_callback cb,
    void *ud, const volatile int *cancel, rf_error *err)
{
	struct sync_ctx c = { wb, 0, cb, ud, NAN, -1 };
	train_spec spec;
	int cancelled = 0;
	model *m;

	if (wb->job)
		return rf_fail(err, "train: a model is already training");
	if (train_check_params(ops, params, err) < 0 ||
	    workbench_ensure_split(wb, err) < 0)
		return -1;
	if (wb->train.nnz == 0)
		return rf_fail(err, "train: the train part is empty");
	if (wb_train_transpose(wb, err) < 0)
		return -1;
	if (!store_is_readonly(wb->st) &&
	    (c.run_id = train_record_start(wb->st, ops, params, seed,
	    wb->sp.id, err)) < 0)
		return -1;
	/* The history is a nicety: out of memory there, train anyway. */
	if ((c.slot = run_add(wb, ops, params, epochs, seed, opts,
	    WB_RUN_QUEUED)) >= 0 && run_begin(wb, c.slot) < 0)
		c.slot = -1;
	if (c.slot >= 0)
		wb->runs[c.slot].run_id = c.run_id;
	fill_spec(wb, &spec, ops, params, epochs, seed, opts);
	/* No job runs (refused above) and the caller waits: nothing else
	 * computes, so a large dense step may use every core. */
	rf_blas_set_exclusive(1);
	m = train_run(&spec, sync_event, &c, cancel, &cancelled, err);
	rf_blas_set_exclusive(0);
	if (m == NULL) {
		if (c.run_id > 0)
			train_record_finish(wb->st, c.run_id, cancelled ?
			    "cancelled" : "failed", 0, NAN, NULL, NULL);
		run_end(wb, c.slot, cancelled ? WB_RUN_CANCELLED :
		    WB_RUN_FAILED, err ? err->msg : NULL);
		return -1;
	}
	wb_train_transpose_release(wb, ops);
	if (finish_run(wb, m, ops, c.run_id, cancelled, c.seconds,
	    c.slot >= 0 ? &wb->runs[c.slot].r : NULL, err) < 0) {
		if (c.slot >= 0) {
			wb->runs[c.slot].r.status = WB_RUN_FAILED;
			snprintf(wb->runs[c.slot].r.msg, sizeof
			    wb->runs[c.slot].r.msg, "%.250s", err ? err->msg : "");
		}
		return -1;
	}
	return cancelled ? 1 : 0;
}

int
workbench_train_start(workbench *wb, const model_ops *ops,
    const double *params, int epochs, uint64_t seed,
    const wb_train_opts *opts, rf_error *err)
{
	train_spec spec;

	if (wb->job)
		return rf_fail(err, "train: a model is already training");
	if (train_check_params(ops, params, err) < 0 ||
	    workbench_ensure_split(wb, err) < 0)
		return -1;
	if (wb->train.nnz == 0)
		return rf_fail(err, "train: the train part is empty");
	/* made here, on this thread: the job only reads it */
	if (wb_train_transpose(wb, err) < 0)
		return -1;
	if ((wb->job_params = calloc((size_t)ops->nparams + 1,
	    sizeof *wb->job_params)) == NULL)
		return rf_fail(err, "out of memory");
	if (ops->nparams)
		memcpy(wb->job_params, params, (size_t)ops->nparams *
		    sizeof *params);
	wb->job_run = 0;
	if (!store_is_readonly(wb->st) &&
	    (wb->job_run = train_record_start(wb->st, ops, params, seed,
	    wb->sp.id, err)) < 0) {
		free(wb->job_params);
		wb->job_params = NULL;
		wb->job_run = 0;
		return -1;
	}
	fill_spec(wb, &spec, ops, wb->job_params, epochs, seed, opts);
	blas_single(wb, 1);
	if ((wb->job = train_job_start(&spec, err)) == NULL) {
		blas_single(wb, 0);
		if (wb->job_run > 0)
			train_record_finish(wb->st, wb->job_run, "failed", 0,
			    NAN, NULL, NULL);
		free(wb->job_params);
		wb->job_params = NULL;
		wb->job_run = 0;
		return -1;
	}
	wb->job_ops = ops;
	wb->job_seconds = NAN;
	wb->job_seed = seed;
	wb->job_epochs = epochs;
	/* Its history entry: the queued one workbench_train_next() picked,
	 * or a new one. */
	if (wb->job_slot == 0)
		wb->job_slot = run_add(wb, ops, params, epochs, seed, opts,
		    WB_RUN_QUEUED) + 1;
	if (wb->job_slot > 0 && run_begin(wb, wb->job_slot - 1) < 0) {
		wb->runs[wb->job_slot - 1].r.status = WB_RUN_QUEUED;
		wb->job_slot = 0;	/* no curves, the job runs on */
	}
	if (wb->job_slot > 0)
		wb->runs[wb->job_slot - 1].run_id = wb->job_run;
	return 0;
}

int
workbench_train_fd(const workbench *wb)
{
	return wb->job ? train_job_fd(wb->job) : -1;
}

int
workbench_training(const workbench *wb)
{
	return wb->job != NULL;
}

void
workbench_train_cancel(workbench *wb)
{
	if (wb->job)
		train_job_cancel(wb->job);
}

int
workbench_train_poll(workbench *wb, train_event *evs, int max, int *finished,
    rf_error *err)
{
	int n, cancelled = 0, rc = 0, done;
	model *m;

	if (finished)
		*finished = 0;
	if (wb->job == NULL)
		return 0;
	/* Done is set after the last push: seen before the poll, the poll
	 * drains every event; seen after it, events pushed in between
	 * would be lost. */
	done = train_job_done(wb->job);
	n = train_job_poll(wb->job, evs, max);
	for (int k = 0; k < n; k++) {
		run_event(wb, wb->job_slot - 1, &evs[k]);
		record_event(wb, wb->job_run, wb->job_slot - 1, &evs[k]);
		if (evs[k].kind == TRAIN_DONE || evs[k].kind == TRAIN_CANCELLED)
			wb->job_seconds = evs[k].seconds;
	}
	/* Finish only once every event has been handed out. */
	if (n == max || !done) {
		/* The job ended between the look at done and the poll, whose
		 * read took the wake-up of that end: without another, the
		 * loop would never look again (a TUI left "training" for
		 * good, seen once in CI).  The next poll sees done first. */
		if (!done && train_job_done(wb->job))
			train_job_wake(wb->job);
		return n;
	}
	m = train_job_join(wb->job, &cancelled, err);
	blas_single(wb, 0);
	if (m == NULL) {
		if (wb->job_run > 0)
			train_record_finish(wb->st, wb->job_run, cancelled ?
			    "cancelled" : "failed", 0, NAN, NULL, NULL);
		run_end(wb, wb->job_slot - 1, cancelled ? WB_RUN_CANCELLED :
		    WB_RUN_FAILED, err ? err->msg : NULL);
		rc = -1;
	} else if (finish_run(wb, m, wb->job_ops, wb->job_run,
	    cancelled, wb->job_seconds, wb->job_slot > 0 ?
	    &wb->runs[wb->job_slot - 1].r : NULL, err) < 0) {
		if (wb->job_slot > 0) {
			wb_run *r = &wb->runs[wb->job_slot - 1].r;

			r->status = WB_RUN_FAILED;
			snprintf(r->msg, sizeof r->msg, "%.250s", err ? err->msg :
			    "");
		}
		rc = -1;
	} else
		run_end(wb, wb->job_slot - 1, cancelled ? WB_RUN_CANCELLED :
		    WB_RUN_DONE, NULL);
	wb->job_slot = 0;
	train_job_free(wb->job);
	wb->job = NULL;
	free(wb->job_params);
	wb->job_params = NULL;
	wb->job_run = 0;
	if (finished)
		*finished = 1;
	return rc < 0 ? -1 : n;
}

int
workbench_run_count(const workbench *wb)
{
	return wb->nruns;
}

const wb_run *
workbench_run_at(const workbench *wb, int k)
{
	return k >= 0 && k < wb->nruns ? &wb->runs[k].r : NULL;
}

const wb_run *
workbench_run_current(const workbench *wb)
{
	return wb->job != NULL && wb->job_slot > 0 ?
	    &wb->runs[wb->job_slot - 1].r : NULL;
}

int
workbench_queue_length(const workbench *wb)
{
	int n = 0;

	for (int k = 0; k < wb->nruns; k++)
		n += wb->runs[k].r.status == WB_RUN_QUEUED;
	return n;
}

int
workbench_train_enqueue(workbench *wb, const model_ops *ops,
    const double *params, int epochs, uint64_t seed,
    const wb_train_opts *opts, rf_error *err)
{
	if (train_check_params(ops, params, err) < 0 ||
	    workbench_ensure_split(wb, err) < 0)
		return -1;
	if (wb->train.nnz == 0)
		return rf_fail(err, "train: the train part is empty");
	if (wb->job == NULL && workbench_queue_length(wb) == 0)
		return workbench_train_start(wb, ops, params, epochs, seed,
		    opts, err);
	if (run_add(wb, ops, params, epochs, seed, opts, WB_RUN_QUEUED) < 0)
		return rf_fail(err, "out of memory");
	return workbench_queue_length(wb);
}

int
workbench_train_next(workbench *wb, rf_error *err)
{
	struct wb_run_slot *s;
	int k, rc;

	if (wb->job != NULL)
		return 0;
	for (k = 0; k < wb->nruns; k++)
		if (wb->runs[k].r.status == WB_RUN_QUEUED)
			break;
	if (k == wb->nruns)
		return 0;
	s = &wb->runs[k];
	wb->job_slot = k + 1;
	rc = workbench_train_start(wb, s->ops, s->params, s->r.epochs,
	    s->r.seed, &s->opts, err);
	if (rc < 0) {
		/* (s may have moved: the start adds no entry, but be safe.) */
		wb->job_slot = 0;
		wb->runs[k].r.status = WB_RUN_FAILED;
		snprintf(wb->runs[k].r.msg, sizeof wb->runs[k].r.msg, "%.250s",
		    err ? err->msg : "");
		return -1;
	}
	return 1;
}

int
workbench_train_clear_queue(workbench *wb)
{
	int k, n = 0, dropped = 0;

	for (k = 0; k < wb->nruns; k++) {
		if (wb->runs[k].r.status == WB_RUN_QUEUED) {
			run_free(&wb->runs[k]);
			dropped++;
			continue;
		}
		if (wb->job_slot == k + 1)
			wb->job_slot = n + 1;
		wb->runs[n++] = wb->runs[k];
	}
	wb->nruns = n;
	return dropped;
}

void
wb_free_runs(workbench *wb)
{
	for (int k = 0; k < wb->nruns; k++)
		run_free(&wb->runs[k]);
	free(wb->runs);
	wb->runs = NULL;
	wb->nruns = wb->runcap = 0;
}
