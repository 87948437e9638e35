/* train: epochs, events, background jobs, run records, saved models. */
#include "engine/train/train.h"
#include "engine/models/blob.h"
#include "engine/core/hash.h"
#include "engine/core/threads.h"
#include "engine/eval/eval.h"
#include "engine/store/runs.h"
#include "engine/store/saved_models.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

static void
score_model(const void *ctx, int u, float *out)
{
	const model *m = ctx;

	m->ops->score_user(m, u, out);
}

static double
predict_model(const void *ctx, int u, int i)
{
	const model *m = ctx;

	return m->ops->predict(m, u, i);
}

int
train_valid_is_rmse(const model_ops *ops, const dataset *ds)
{
	return ds->is_rating && ops->predict != NULL &&
	    (ops->kinds & MODEL_RATING);
}

int
train_check_params(const model_ops *ops, const double *params, rf_error *err)
{
	int k = model_params_bad(ops, params);
	const model_param *p;
	char help[2048];

	if (k < 0)
		return 0;
	p = &ops->params[k];
	train_params_help(ops, help, sizeof help);
	if (params[k] < 0 && params[k] >= p->min)
		return rf_fail(err, "%s: %s=%g is neither -1 (chosen after "
		    "the fit) nor 0..%g; valid parameters:\n%s", ops->name,
		    p->name, params[k], p->max, help);
	return rf_fail(err, "%s: %s=%g is out of range (%s %g..%g); valid "
	    "parameters:\n%s", ops->name, p->name, params[k], p->integer ?
	    "integer" : "real", p->min, p->max, help);
}

int
train_parse_param(const model_ops *ops, const char *assign, double *params,
    rf_error *err)
{
	const char *eq = strchr(assign, '=');
	char name[64], help[2048], *end;
	size_t len;
	double v;
	int k;

	if (eq == NULL || eq == assign || (len = (size_t)(eq - assign)) >=
	    sizeof name) {
		train_params_help(ops, help, sizeof help);
		return rf_fail(err, "%s: expected name=value, not '%s'; valid "
		    "parameters:\n%s", ops->name, assign, help);
	}
	memcpy(name, assign, len);
	name[len] = '\0';
	if ((k = model_param_index(ops, name)) < 0) {
		train_params_help(ops, help, sizeof help);
		return rf_fail(err, "%s: unknown parameter '%s'; valid "
		    "parameters:\n%s", ops->name, name, help);
	}
	errno = 0;
	v = strtod(eq + 1, &end);
	if (errno || end == eq + 1 || *end || isnan(v)) {
		train_params_help(ops, help, sizeof help);
		return rf_fail(err, "%s: %s: '%s' is not a number; valid "
		    "parameters:\n%s", ops->name, name, eq + 1, help);
	}
	params[k] = v;
	return 0;
}

void
train_params_text(const model_ops *ops, const double *params, char *buf,
    size_t n)
{
	size_t len = 0;

	buf[0] = '\0';
	for (int k = 0; k < ops->nparams && len < n; k++)
		len += (size_t)snprintf(buf + len, n - len, "%s%s=%.6g",
		    k ? " " : "", ops->params[k].name, params[k]);
}

void
train_params_help(const model_ops *ops, char *buf, size_t n)
{
	size_t len = 0;

	buf[0] = '\0';
	if (ops->nparams == 0) {
		snprintf(buf, n, "  (%s has no parameters)", ops->name);
		return;
	}
	for (int k = 0; k < ops->nparams && len < n; k++) {
		const model_param *p = &ops->params[k];

		len += (size_t)snprintf(buf + len, n - len,
		    "%s  %s (%s %g..%g, default %g): %s", k ? "\n" : "",
		    p->name, p->integer ? "integer" : "real", p->min, p->max,
		    p->def, p->help ? p->help : "");
	}
}

static void
emit(train_callback cb, void *ud, const train_spec *spec,
    enum train_event_kind kind, int epoch, double loss, double metric,
    double seconds, const char *msg)
{
	train_event ev;

	if (cb == NULL)
		return;
	memset(&ev, 0, sizeof ev);
	ev.kind = kind;
	snprintf(ev.model, sizeof ev.model, "%s", spec->ops->name);
	ev.epoch = epoch;
	ev.loss = loss;
	ev.valid_metric = metric;
	ev.seconds = seconds;
	if (msg)
		snprintf(ev.msg, sizeof ev.msg, "%s", msg);
	cb(ud, &ev);
}

/* The validation measure after an epoch (NAN without a valid part):
 * RMSE (rmse) or NDCG@k. */
static double
valid_measure(const train_spec *spec, const model *m, int rmse,
    const volatile int *cancel)
{
	metrics mt;
	rf_error err;

	if (spec->valid == NULL || spec->valid->nnz == 0)
		return NAN;
	metrics_clear(&mt);
	if (rmse) {
		if (metrics_eval_rating(predict_model, m, spec->valid,
		    spec->ds->rating_min, spec->ds->rating_max, &mt, &err) < 0)
			return NAN;
		return mt.rmse;
	} else {
		topn_eval ev = {
			.score = score_model, .ctx = m, .train = spec->train,
			/* a factor model: tiles of users x items */
			.score_block = m->ops->score_users ?
			    eval_model_score_block : NULL,
			.test = spec->valid, .popularity = NULL,
			.k = spec->valid_k > 0 ? spec->valid_k : 10,
			/* Between epochs nothing else computes: the
			 * evaluator's own two threads (BLAS single) are
			 * the one level. */
			.threads = 2, .max_users = spec->valid_max_users,
			.cancel = cancel,
		};

		if (metrics_eval_topn(&ev, &mt, &err) != 0)
			return NAN;
		return mt.ndcg;
	}
}

static double
valid_metric(const train_spec *spec, const model *m,
    const volatile int *cancel)
{
	return valid_measure(spec, m, train_valid_is_rmse(spec->ops,
	    spec->ds), cancel);
}

/* What --search judges a setting by: NDCG@10 for a model that ranks
 * (item-kNN's k and shrinkage act on its ranking even on ratings), RMSE
 * for one that only predicts ratings. */
static int
search_by_rmse(const train_spec *spec)
{
	return !(spec->ops->kinds & MODEL_TOPN) &&
	    train_valid_is_rmse(spec->ops, spec->ds);
}

/* One try of --search: the model trained with params for the spec's
 * epochs, measured on the valid part; NAN when it failed or was
 * cancelled. */
static double
search_try(const train_spec *spec, const double *params,
    const volatile int *cancel)
{
	const model_ops *ops = spec->ops;
	double loss, v = NAN;
	rf_error err;
	model *m;
	int e;

	if (train_check_params(ops, params, &err) < 0 ||
	    (m = ops->create(spec->ds, spec->train, params, spec->seed,
	    &err)) == NULL)
		return NAN;
	for (e = 0; e < spec->epochs; e++)
		if (ops->epoch(m, e, &loss, cancel, &err) != 0)
			break;
	if (e == spec->epochs)
		v = valid_measure(spec, m, search_by_rmse(spec), cancel);
	ops->free(m);
	return v;
}

/* One try of --search or of a choice after the fit, measured at v: the
 * event (kind) saying so, *cur and the return 1 when it beats the best so
 * far (NAN: none yet; RMSE lower is better). */
static int
judge_try(const train_spec *spec, train_callback cb, void *ud,
    enum train_event_kind kind, int *tries, const char *param, double value,
    double v, double *cur)
{
	int rmse = search_by_rmse(spec);
	int better = !isnan(v) && (isnan(*cur) || (rmse ? v < *cur :
	    v > *cur));
	char what[160];

	snprintf(what, sizeof what, "%s=%g, valid %s", param, value,
	    rmse ? "rmse" : "ndcg@10");
	emit(cb, ud, spec, kind, (*tries)++, better, v, 0, what);
	if (better)
		*cur = v;
	return better;
}

/*
 * --search: coordinate-wise over ops->search, from params (one pass,
 * each parameter's values tried with the others at their best so far),
 * into best.  Every try is an event.  -1 when cancelled or nothing could
 * be measured.
 */
static int
search_params(const train_spec *spec, double *best, train_callback cb,
    void *ud, const volatile int *cancel, rf_error *err)
{
	const model_ops *ops = spec->ops;
	int rmse = search_by_rmse(spec), tries = 0;
	const char *metric = rmse ? "rmse" : "ndcg@10";
	double cur, *p;
	char what[160];

	if (spec->valid == NULL || spec->valid->nnz == 0)
		return rf_fail(err, "%s --search: the split has no validation "
		    "part to search on (split ... --valid 0.1)", ops->name);
	if ((p = malloc(((size_t)ops->nparams + 1) * sizeof *p)) == NULL)
		return rf_fail(err, "%s --search: out of memory", ops->name);
	memcpy(best, spec->params, (size_t)ops->nparams * sizeof *best);
	cur = search_try(spec, best, cancel);
	snprintf(what, sizeof what, "as given, valid %s", metric);
	emit(cb, ud, spec, TRAIN_SEARCH, tries++, 1, cur, 0, what);
	for (const model_search *s = ops->search; s && s->param; s++) {
		int k = model_param_index(ops, s->param);

		/* a scoring parameter at -1 is chosen after the fit */
		if (k < 0 || (spec->fixed && spec->fixed[k]) ||
		    (s->scoring && best[k] == -1))
			continue;
		for (int j = 0; j < s->n; j++) {
			double v;

			if (cancel && *cancel) {
				free(p);
				return rf_fail(err, "%s --search: cancelled",
				    ops->name);
			}
			if (s->values[j] == best[k])
				continue;
			memcpy(p, best, (size_t)ops->nparams * sizeof *p);
			p[k] = s->values[j];
			v = search_try(spec, p, cancel);
			if (judge_try(spec, cb, ud, TRAIN_SEARCH, &tries,
			    s->param, s->values[j], v, &cur))
				best[k] = p[k];
		}
	}
	free(p);
	if (isnan(cur))
		return rf_fail(err, "%s --search: no setting could be "
		    "measured on the validation part", ops->name);
	return 0;
}

/*
 * After a fit: every scoring parameter left at -1 (model_search.scoring)
 * chosen on the validation part by trying its values on the fitted model,
 * each try an event (TRAIN_CHOICE, like --search's TRAIN_SEARCH); the
 * first of the best wins (the lists start from "off").  0 without a
 * validation part.  -1 when cancelled.
 */
static int
choose_scoring(const train_spec *spec, model *m, train_callback cb, void *ud,
    const volatile int *cancel)
{
	const model_ops *ops = spec->ops;
	int tries = 0;

	for (const model_search *s = ops->search; s && s->param; s++) {
		int k = model_param_index(ops, s->param);
		double cur = NAN, pick = 0;

		if (!s->scoring || k < 0 || m->params[k] != -1)
			continue;
		if (spec->valid == NULL || spec->valid->nnz == 0 || s->n < 1 ||
		    (s->scoring == MODEL_SEARCH_TIMED &&
		    (!interactions_timed(&spec->ds->all) ||
		    spec->ds->ts_min >= spec->ds->ts_max))) {
			m->params[k] = 0;
			continue;
		}
		for (int j = 0; j < s->n; j++) {
			if (cancel && *cancel) {
				m->params[k] = pick;
				return -1;
			}
			m->params[k] = s->values[j];
			if (judge_try(spec, cb, ud, TRAIN_CHOICE, &tries,
			    s->param, s->values[j], valid_measure(spec, m,
			    search_by_rmse(spec), cancel), &cur))
				pick = s->values[j];
		}
		m->params[k] = pick;
		/* a stop inside the last try: that try did not count */
		if (cancel && *cancel)
			return -1;
	}
	return 0;
}

model *
train_run(const train_spec *spec, train_callback cb, void *ud,
    const volatile int *cancel, int *cancelled, rf_error *err)
{
	const model_ops *ops = spec->ops;
	double t_start = rf_monotonic(), *searched = NULL;
	const double *params = spec->params;
	int done = 0, stopped = 0;
	model *m;

	if (cancelled)
		*cancelled = 0;
	if (spec->search && ops->search != NULL) {
		if ((searched = malloc(((size_t)ops->nparams + 1) *
		    sizeof *searched)) == NULL) {
			rf_fail(err, "%s: out of memory", ops->name);
			emit(cb, ud, spec, TRAIN_FAILED, 0, NAN, NAN, 0,
			    err ? err->msg : NULL);
			return NULL;
		}
		if (search_params(spec, searched, cb, ud, cancel, err) < 0) {
			free(searched);
			if (cancel && *cancel && cancelled)
				*cancelled = 1;
			emit(cb, ud, spec, cancel && *cancel ?
			    TRAIN_CANCELLED : TRAIN_FAILED, 0, NAN, NAN,
			    rf_monotonic() - t_start, err ? err->msg : NULL);
			return NULL;
		}
		params = searched;
	}
	if (train_check_params(ops, params, err) < 0 ||
	    (m = ops->create(spec->ds, spec->train, params, spec->seed,
	    err)) == NULL) {
		free(searched);
		emit(cb, ud, spec, TRAIN_FAILED, 0, NAN, NAN, 0,
		    err ? err->msg : NULL);
		return NULL;
	}
	free(searched);		/* the model keeps its own copy */
	for (int e = 0; e < spec->epochs; e++) {
		double t0 = rf_monotonic(), loss = NAN, metric;
		int rc;

		if (cancel && *cancel) {
			stopped = 1;
			break;
		}
		rc = ops->epoch(m, e, &loss, cancel, err);
		if (rc < 0) {
			emit(cb, ud, spec, TRAIN_FAILED, e, NAN, NAN,
			    rf_monotonic() - t_start, err ? err->msg : NULL);
			ops->free(m);
			return NULL;
		}
		if (rc > 0) {
			/* The model is back in its state after epoch e-1. */
			stopped = 1;
			break;
		}
		done = e + 1;
		metric = valid_metric(spec, m, cancel);
		emit(cb, ud, spec, TRAIN_EPOCH, e, loss, metric,
		    rf_monotonic() - t0, NULL);
	}
	if (stopped && done == 0) {
		ops->free(m);
		rf_fail(err, "%s: cancelled before the first epoch completed",
		    ops->name);
		emit(cb, ud, spec, TRAIN_CANCELLED, 0, NAN, NAN,
		    rf_monotonic() - t_start, err ? err->msg : NULL);
		if (cancelled)
			*cancelled = 1;
		return NULL;
	}
	m->epochs_done = done;
	if (ops->settle != NULL)
		ops->settle(m);
	if (choose_scoring(spec, m, cb, ud, cancel) < 0)
		stopped = 1;
	if (cancelled)
		*cancelled = stopped;
	emit(cb, ud, spec, stopped ? TRAIN_CANCELLED : TRAIN_DONE, done, NAN,
	    NAN, rf_monotonic() - t_start, NULL);
	return m;
}

/* Background jobs. */
struct train_job {
	train_spec spec;
	double *params;
	unsigned char fixed[TRAIN_MAX_PARAMS];	/* spec.fixed's copy */
	pthread_t tid;
	int started, joined;
	pthread_mutex_t lock;
	train_event *queue;
	int qlen, qcap, qhead;
	int pipe_rd, pipe_wr;
	volatile int cancel;
	int done, cancelled, oom;
	model *result;
	rf_error err;
};

static void
job_push(void *ud, const train_event *ev)
{
	train_job *job = ud;
	char byte = 1;

	pthread_mutex_lock(&job->lock);
	if (job->qlen == job->qcap) {
		int cap = job->qcap ? job->qcap * 2 : 64;
		train_event *q;

		/* Compact the drained head before growing. */
		if (job->qhead > 0) {
			memmove(job->queue, job->queue + job->qhead,
			    (size_t)(job->qlen - job->qhead) * sizeof *q);
			job->qlen -= job->qhead;
			job->qhead = 0;
		}
		if (job->qlen == job->qcap) {
			if ((q = realloc(job->queue, (size_t)cap * sizeof *q))
			    == NULL) {
				job->oom = 1;	/* drop the event, keep going */
				pthread_mutex_unlock(&job->lock);
				return;
			}
			job->queue = q;
			job->qcap = cap;
		}
	}
	job->queue[job->qlen++] = *ev;
	pthread_mutex_unlock(&job->lock);
	/* Non-blocking: a full pipe already wakes the reader. */
	if (write(job->pipe_wr, &byte, 1) < 0) {
		/* EAGAIN: nothing to do */
	}
}

static void *
job_thread(void *arg)
{
	train_job *job = arg;
	int cancelled = 0;
	rf_error err;
	model *m;

	err.msg[0] = '\0';
	m = train_run(&job->spec, job_push, job, &job->cancel, &cancelled,
	    &err);
	pthread_mutex_lock(&job->lock);
	job->result = m;
	job->cancelled = cancelled;
	job->err = err;
	job->done = 1;
	pthread_mutex_unlock(&job->lock);
	{
		char byte = 2;

		if (write(job->pipe_wr, &byte, 1) < 0) {
			/* EAGAIN: the reader is awake already */
		}
	}
	return NULL;
}

train_job *
train_job_start(const train_spec *spec, rf_error *err)
{
	train_job *job = calloc(1, sizeof *job);
	int fds[2];

	if (job == NULL) {
		rf_fail(err, "train: out of memory");
		return NULL;
	}
	/* The job's thread calls BLAS beside the caller's, with a work
	 * buffer of its own (engine/core/threads.h). */
	if (rf_thread_check("train: a background job (its stack, heap and "
	    "BLAS buffer)", err) < 0) {
		free(job);
		return NULL;
	}
	job->pipe_rd = job->pipe_wr = -1;
	job->spec = *spec;
	if ((job->params = calloc((size_t)spec->ops->nparams + 1,
	    sizeof *job->params)) == NULL) {
		free(job);
		rf_fail(err, "train: out of memory");
		return NULL;
	}
	if (spec->ops->nparams)
		memcpy(job->params, spec->params,
		    (size_t)spec->ops->nparams * sizeof *job->params);
	job->spec.params = job->params;
	memset(job->fixed, 0, sizeof job->fixed);
	if (spec->fixed != NULL)
		memcpy(job->fixed, spec->fixed, (size_t)spec->ops->nparams <
		    sizeof job->fixed ? (size_t)spec->ops->nparams :
		    sizeof job->fixed);
	job->spec.fixed = spec->fixed != NULL ? job->fixed : NULL;
	if (pipe(fds) < 0) {
		rf_fail(err, "train: pipe: %s", strerror(errno));
		free(job->params);
		free(job);
		return NULL;
	}
	job->pipe_rd = fds[0];
	job->pipe_wr = fds[1];
	for (int k = 0; k < 2; k++) {
		fcntl(fds[k], F_SETFL, fcntl(fds[k], F_GETFL) | O_NONBLOCK);
		fcntl(fds[k], F_SETFD, FD_CLOEXEC);
	}
	pthread_mutex_init(&job->lock, NULL);
	if (pthread_create(&job->tid, NULL, job_thread, job) != 0) {
		rf_fail(err, "train: cannot start a thread");
		pthread_mutex_destroy(&job->lock);
		close(fds[0]);
		close(fds[1]);
		free(job->params);
		free(job);
		return NULL;
	}
	job->started = 1;
	return job;
}

int
train_job_fd(const train_job *job)
{
	return job->pipe_rd;
}

int
train_job_poll(train_job *job, train_event *evs, int max)
{
	char buf[256];
	int n = 0;

	while (read(job->pipe_rd, buf, sizeof buf) > 0)
		;
	pthread_mutex_lock(&job->lock);
	while (n < max && job->qhead < job->qlen)
		evs[n++] = job->queue[job->qhead++];
	if (job->qhead == job->qlen)
		job->qhead = job->qlen = 0;
	pthread_mutex_unlock(&job->lock);
	/* More left than max: keep the pipe readable for the next poll. */
	if (n == max) {
		char byte = 1;

		if (write(job->pipe_wr, &byte, 1) < 0) {
			/* EAGAIN */
		}
	}
	return n;
}

int
train_job_done(train_job *job)
{
	int done;

	pthread_mutex_lock(&job->lock);
	done = job->done;
	pthread_mutex_unlock(&job->lock);
	return done;
}

void
train_job_wake(train_job *job)
{
	char byte = 2;

	if (write(job->pipe_wr, &byte, 1) < 0) {
		/* EAGAIN: it is readable already */
	}
}

void
train_job_cancel(train_job *job)
{
	job->cancel = 1;
}

model *
train_job_join(train_job *job, int *cancelled, rf_error *err)
{
	model *m;

	if (job->started && !job->joined) {
		pthread_join(job->tid, NULL);
		job->joined = 1;
	}
	if (cancelled)
		*cancelled = job->cancelled;
	m = job->result;
	job->result = NULL;
	if (m == NULL && err)
		*err = job->err;
	return m;
}

void
train_job_free(train_job *job)
{
	if (job == NULL)
		return;
	if (job->started && !job->joined) {
		job->cancel = 1;
		pthread_join(job->tid, NULL);
		job->joined = 1;
	}
	if (job->result)
		job->result->ops->free(job->result);
	pthread_mutex_destroy(&job->lock);
	close(job->pipe_rd);
	close(job->pipe_wr);
	free(job->queue);
	free(job->params);
	free(job);
}

/* Store records. */
int64_t
train_record_start(store *st, const model_ops *ops, const double *params,
    uint64_t seed, int64_t split_id, rf_error *err)
{
	char text[2048];

	train_params_text(ops, params, text, sizeof text);
	return store_run_start(st, ops->name, text, seed, split_id, err);
}

int
train_record_epoch(store *st, int64_t run_id, const train_event *ev,
    rf_error *err)
{
	return store_run_epoch(st, run_id, ev->epoch, ev->loss,
	    ev->valid_metric, ev->seconds, err);
}

int
train_record_finish(store *st, int64_t run_id, const char *status,
    int epochs, double seconds, const metrics *final, rf_error *err)
{
	char text[512] = "";

	if (final)
		metrics_format(final, text, sizeof text);
	return store_run_finish(st, run_id, status, epochs, seconds, text, err);
}

/* Saved models. */
#define MODEL_MAGIC "RFMODEL1"
/* Bytes of a saved model handed to the store at once. */
#define SAVE_PIECE	((size_t)16 << 20)

/* Where a model being saved goes: the store's writer, and the checksum
 * of every byte so far (FNV-1a runs on in pieces). */
struct save_sink {
	store_model_writer *w;
	uint64_t sum;
};

static int
save_piece(void *ud, const void *p, size_t n, rf_error *err)
{
	struct save_sink *sk = ud;

	sk->sum = rf_fnv1a(sk->sum, p, n);
	return store_model_write(sk->w, p, n, err);
}
#define MODEL_FORMAT 1
#define MODEL_HEADER (8 + 4 * 4 + 8 * 4)

/* The header, the parameters and the model's own bytes appended to b
 * (a buffer or a stream); b is left for the caller to free. */
static int
model_bytes(const model *m, const model_fingerprint *fp, rf_buf *b,
    rf_error *err)
{
	int32_t hdr32[4] = { fp->n_users, fp->n_items, m->ops->nparams,
	    m->epochs_done };
	int64_t hdr64[4] = { fp->nnz, fp->train_nnz, fp->split_id,
	    (int64_t)m->seed };

	if (rf_buf_append(b, MODEL_MAGIC, 8) < 0 ||
	    rf_buf_append(b, hdr32, sizeof hdr32) < 0 ||
	    rf_buf_append(b, hdr64, sizeof hdr64) < 0 ||
	    rf_buf_append(b, m->params, (size_t)m->ops->nparams *
	    sizeof *m->params) < 0)
		return rf_fail(err, "%s: out of memory", m->ops->name);
	return m->ops->save(m, b, err);
}

int
train_model_to_bytes(const model *m, const model_fingerprint *fp, rf_buf *b,
    rf_error *err)
{
	if (m->ops->save == NULL)
		return rf_fail(err, "%s: this model cannot be saved",
		    m->ops->name);
	if (model_bytes(m, fp, b, err) < 0) {
		rf_buf_free(b);
		return -1;
	}
	return 0;
}

int
train_save_model(store *st, int64_t run_id, const model *m,
    const model_fingerprint *fp, int *version, rf_error *err)
{
	struct save_sink sk = { NULL, RF_FNV_SEED };
	rf_buf b = { 0 };
	char sum[17];

	if (m->ops->save == NULL)
		return rf_fail(err, "%s: this model cannot be saved",
		    m->ops->name);
	if ((sk.w = store_model_begin(st, m->name, run_id, MODEL_FORMAT,
	    err)) == NULL)
		return -1;
	/* Streamed: the model's bytes reach the store as they are made,
	 * SAVE_PIECE at a time, never all of them in memory at once. */
	if (blob_stream_begin(&b, save_piece, &sk, SAVE_PIECE, err) < 0) {
		store_model_abort(sk.w);
		return -1;
	}
	if (model_bytes(m, fp, &b, err) < 0) {
		blob_stream_end(&b, NULL);
		store_model_abort(sk.w);
		rf_buf_free(&b);
		return -1;
	}
	if (blob_stream_end(&b, err) < 0) {
		store_model_abort(sk.w);
		rf_buf_free(&b);
		return -1;
	}
	rf_buf_free(&b);
	snprintf(sum, sizeof sum, "%016" PRIx64, sk.sum);
	return store_model_commit(sk.w, sum, version, err);
}

/* The saved model's len bytes (its size when found) into data: 0, 1 when
 * its chunks do not add up to len, -1 + err. */
static int
read_saved_bytes(store *st, int64_t id, unsigned char *data, size_t len,
    rf_error *err)
{
	store_model_reader *r = store_model_open(st, id, err);
	unsigned char extra;
	int64_t got, more = 0;

	if (r == NULL)
		return -1;
	if ((got = store_model_read(r, data, len, err)) >= 0)
		more = store_model_read(r, &extra, 1, err);
	store_model_close(r);
	if (got < 0 || more < 0)
		return -1;
	return (size_t)got != len || more != 0;
}

/* train_model_from_bytes(), saying in *found why a load failed. */
static model *
from_bytes(const model_ops *ops, const char *name, int version,
    const unsigned char *data, size_t len, const dataset *ds,
    const interactions *train, const model_fingerprint *fp,
    train_found *found, rf_error *err)
{
	int32_t hdr32[4];
	int64_t hdr64[4];
	double *params;
	size_t off;
	model *m;
	int k;

	*found = LOAD_DAMAGED;
	if (ops->load == NULL) {
		*found = LOAD_FAILED;
		rf_fail(err, "%s: this model cannot be loaded", name);
		return NULL;
	}
	if (len < MODEL_HEADER || memcmp(data, MODEL_MAGIC, 8) != 0) {
		rf_fail(err, "%s v%d: damaged (not a saved model's header)",
		    name, version);
		return NULL;
	}
	memcpy(hdr32, data + 8, sizeof hdr32);
	memcpy(hdr64, data + 8 + sizeof hdr32, sizeof hdr64);
	/* A model saved before its last parameters were added has fewer:
	 * those take their defaults, which behave as before they were. */
	if (hdr32[2] < 0 || hdr32[2] > ops->nparams || len < MODEL_HEADER +
	    (size_t)hdr32[2] * sizeof(double) || hdr32[3] < 0) {
		rf_fail(err, "%s v%d: damaged: its saved parameters do not "
		    "match the model", name, version);
		return NULL;
	}
	if ((params = calloc((size_t)ops->nparams + 1, sizeof *params)) ==
	    NULL) {
		*found = LOAD_FAILED;
		rf_fail(err, "%s: out of memory", name);
		return NULL;
	}
	model_params_default(ops, params);
	off = MODEL_HEADER + (size_t)hdr32[2] * sizeof *params;
	memcpy(params, data + MODEL_HEADER, (size_t)hdr32[2] *
	    sizeof *params);
	/* The ranges of `train`, before the model converts any of them. */
	if ((k = model_params_bad(ops, params)) >= 0) {
		const model_param *p = &ops->params[k];

		rf_fail(err, "%s v%d: damaged: saved parameter %s=%g is out "
		    "of range (%s %g..%g)", name, version, p->name, params[k],
		    p->integer ? "integer" : "real", p->min, p->max);
		free(params);
		return NULL;
	}
	/* Sound so far; for these data? */
	if (fp != NULL && (hdr32[0] != fp->n_users || hdr32[1] != fp->n_items ||
	    hdr64[0] != fp->nnz || hdr64[1] != fp->train_nnz ||
	    hdr64[2] != fp->split_id)) {
		*found = LOAD_OTHER_DATA;
		rf_fail(err, "%s v%d: trained on other data or another split",
		    name, version);
		free(params);
		return NULL;
	}
	m = ops->load(ds, train, params, data + off, len - off, err);
	free(params);
	if (m == NULL) {
		/* The model's own reading failed: its bytes, unless memory
		 * ran short (model_check_room() and every allocation say
		 * "memory"). */
		if (err != NULL && strstr(err->msg, "memory") != NULL)
			*found = LOAD_FAILED;
		else if (err != NULL && strncmp(err->msg, name,
		    strlen(name)) != 0) {
			char why[sizeof err->msg];

			snprintf(why, sizeof why, "%s", err->msg);
			rf_fail(err, "%s v%d: damaged: %.900s", name, version,
			    why);
		}
		return NULL;
	}
	m->seed = (uint64_t)hdr64[3];
	m->epochs_done = hdr32[3];
	snprintf(m->name, sizeof m->name, "%s", name);
	*found = LOAD_FOUND;
	return m;
}

model *
train_model_from_bytes(const model_ops *ops, const char *name, int version,
    const unsigned char *data, size_t len, const dataset *ds,
    const interactions *train, const model_fingerprint *fp, rf_error *err)
{
	train_found found;

	return from_bytes(ops, name, version, data, len, ds, train, fp,
	    &found, err);
}

/* The saved model of info (its name for messages) read, checked and
 * loaded. */
static model *
load_info(store *st, const model_ops *ops, const char *name,
    const store_model_info *info, const dataset *ds,
    const interactions *train, const model_fingerprint *fp,
    train_found *found, rf_error *err)
{
	unsigned char *data = NULL;
	char sum[17];
	size_t len = (size_t)info->size;
	model *m = NULL;
	int rc;

	*found = LOAD_FAILED;
	if ((uint64_t)len != info->size || (data = malloc(len ? len : 1)) ==
	    NULL) {
		rf_fail(err, "%s v%d: out of memory for its %llu bytes", name,
		    info->version, (unsigned long long)info->size);
		return NULL;
	}
	if ((rc = read_saved_bytes(st, info->id, data, len, err)) < 0)
		goto out;
	snprintf(sum, sizeof sum, "%016" PRIx64,
	    rf_fnv1a(RF_FNV_SEED, data, len));
	if (rc != 0 || info->format != MODEL_FORMAT ||
	    strcmp(sum, info->checksum) != 0) {
		*found = LOAD_DAMAGED;
		rf_fail(err, "%s v%d: damaged (%s)", name, info->version,
		    rc != 0 ? "its pieces do not add up to its size" :
		    info->format != MODEL_FORMAT ? "an unknown format" :
		    "checksum mismatch");
		goto out;
	}
	/* read once, front to back, then freed: the model's arrays grow as
	 * its bytes go */
	blob_release_behind(data, len);
	m = from_bytes(ops, name, info->version, data, len, ds, train, fp,
	    found, err);
	blob_release_behind(NULL, 0);
out:
	free(data);
	return m;
}

model *
train_load_model(store *st, const model_ops *ops, int version,
    const dataset *ds, const interactions *train, const model_fingerprint *fp,
    int64_t *run_id, int *version_out, rf_error *err)
{
	return train_load_model_as(st, ops, ops->name, version, ds, train, fp,
	    run_id, version_out, err);
}

model *
train_load_model_as(store *st, const model_ops *ops, const char *name,
    int version, const dataset *ds, const interactions *train,
    const model_fingerprint *fp, int64_t *run_id, int *version_out,
    rf_error *err)
{
	store_model_info info;
	train_found found;
	model *m;
	int rc;

	if ((rc = store_model_find(st, name, version, &info, err)) <= 0) {
		if (rc == 0)
			rf_fail(err, "%s: no saved model", name);
		return NULL;
	}
	if ((m = load_info(st, ops, name, &info, ds, train, fp, &found,
	    err)) == NULL)
		return NULL;
	if (run_id)
		*run_id = info.run_id;
	if (version_out)
		*version_out = info.version;
	return m;
}

model *
train_load_saved(store *st, const model_ops *ops, const char *name,
    int64_t split_id, const dataset *ds, const interactions *train,
    const model_fingerprint *fp, int64_t *run_id, int *version_out,
    train_found *found, rf_error *err)
{
	store_model_info info;
	model *m;
	int rc;

	*found = LOAD_FAILED;
	rc = split_id > 0 ? store_model_find_split(st, name, split_id, &info,
	    err) : store_model_find(st, name, 0, &info, err);
	if (rc <= 0) {
		if (rc == 0) {
			*found = LOAD_NONE;
			rf_fail(err, "%s: no saved model", name);
		}
		return NULL;
	}
	if (version_out)
		*version_out = info.version;
	if ((m = load_info(st, ops, name, &info, ds, train, fp, found,
	    err)) == NULL)
		return NULL;
	if (run_id)
		*run_id = info.run_id;
	return m;
}

train_found
train_verify_saved(store *st, const model_ops *ops, const char *name,
    int version, const dataset *ds, const interactions *train,
    const model_fingerprint *fp, rf_error *err)
{
	store_model_info info;
	train_found found;
	model *m;
	int rc;

	if ((rc = store_model_find(st, name, version, &info, err)) <= 0) {
		if (rc == 0)
			rf_fail(err, "%s v%d: no such saved model", name,
			    version);
		return rc == 0 ? LOAD_NONE : LOAD_FAILED;
	}
	if ((m = load_info(st, ops, name, &info, ds, train, fp, &found,
	    err)) != NULL)
		m->ops->free(m);
	return found;
}
