/* fusion: the session's fusion (see workbench.h): one fusion
 * over the trained models of the current split, its validation and test
 * candidate pools, the models refitted on train + valid, and the live
 * metrics the Fusion screen draws.  Commands change it through the
 * functions below; every change is stored (key "fusion" of the settings
 * table) so that the session replays.
 *
 * The long ones (fuse, tune, refit, building the pools) are jobs of the
 * session's background task (task.c): a job starts on the main thread
 * with a clone of the fusion (sharing the models) and the pools lent to
 * it, computes on the worker (pools, the stack, the tuning, the refitted
 * models, the live metrics and the table), and its commit, on the main
 * thread again, swaps the clone in, takes the pools back and stores the
 * settings.  A cancelled job gives the pools back and changes nothing. */
#include "engine/session/internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "engine/core/hash.h"
#include "engine/fusion/fusion.h"
#include "engine/fusion/user.h"
#include "engine/eval/compare.h"

/* Per pool row of the live part: the best single model's NDCG and the
 * fusion's (for the interval of their difference). */
struct live_rows {
	double *best, *fused;
	int rows;
};

struct wb_fusion {
	/* what the fusion was built on (checked on every use) */
	const model *models[FUSION_MAX_MODELS];
	int n;
	const interactions *train, *valid, *test;
	fusion *f;
	fusion_pool *valid_pool, *test_pool;
	int pool_m;
	int pools_lent;		/* a background job holds the pools */
	/* the Fusion screen's preview: one user's block, scored once and
	 * re-ranked on every change of the settings */
	fusion_user *preview;
	struct live_rows lr;
	/* after `refit`: models trained on train + valid (on the heap: the
	 * models keep pointers to it), owned here */
	interactions *tv;
	int refitted;
	model *refit[FUSION_MAX_MODELS];
	/* an earlier session's refit to redo, left to a background task */
	int refit_pending;
	fusion_live live;
	/* settings changed in memory and not stored yet (a slider moving:
	 * stored when it stops, workbench_fusion_save()) */
	int unsaved;
	/* what replay could not restore (shown in the fusion table) */
	char note[200];
};

static const fusion_live no_live;

static struct wb_fusion *
state(workbench *wb, rf_error *err)
{
	struct wb_fusion *s = wb->fusion;

	if (s == NULL) {
		if ((s = calloc(1, sizeof *s)) == NULL) {
			rf_fail(err, "fusion: out of memory");
			return NULL;
		}
		wb->fusion = s;
	}
	return s;
}

static void
live_rows_free(struct live_rows *lr)
{
	free(lr->best);
	free(lr->fused);
	lr->best = lr->fused = NULL;
	lr->rows = 0;
}

static void
drop_pools(struct wb_fusion *s)
{
	fusion_pool_free(s->valid_pool);
	fusion_pool_free(s->test_pool);
	s->valid_pool = s->test_pool = NULL;
	fusion_user_free(s->preview);
	s->preview = NULL;
	live_rows_free(&s->lr);
	s->live.best = -1;
}

void
wb_fusion_drop(workbench *wb)
{
	struct wb_fusion *s = wb->fusion;

	/* What a background task computes hangs on the models and the
	 * fusion that go now: it ends first, committing nothing. */
	wb_task_abort(wb);
	if (s == NULL)
		return;
	drop_pools(s);
	fusion_free(s->f);
	s->f = NULL;
	for (int m = 0; m < FUSION_MAX_MODELS; m++)
		if (s->refit[m]) {
			s->refit[m]->ops->free(s->refit[m]);
			s->refit[m] = NULL;
		}
	if (s->tv) {
		interactions_free(s->tv);
		free(s->tv);
		s->tv = NULL;
	}
	s->refitted = 0;
	s->refit_pending = 0;
	s->pools_lent = 0;
	s->n = 0;
	s->train = s->valid = s->test = NULL;
	s->live.ready = 0;
	s->live.stale = 0;
	s->live.n_models = 0;
	s->live.generation++;
}

void
wb_fusion_destroy(workbench *wb)
{
	wb_fusion_drop(wb);
	free(wb->fusion);
	wb->fusion = NULL;
}

/* The fusion if it still matches the workbench's models and split. */
static int
still_current(const workbench *wb, const struct wb_fusion *s)
{
	int n = 0;

	if (s == NULL || s->f == NULL ||
	    s->train != workbench_train_part(wb) ||
	    s->valid != workbench_valid_part(wb) ||
	    s->test != workbench_test_part(wb))
		return 0;
	for (int k = 0; k < workbench_model_count(wb); k++) {
		const wb_model *wm = workbench_model_at(wb, k);

		if (wm == NULL || wm->m == NULL)
			continue;
		if (n >= s->n || s->models[n] != wm->m)
			return 0;
		n++;
	}
	return n == s->n;
}

fusion *
workbench_fusion_peek(const workbench *wb)
{
	const struct wb_fusion *s = wb->fusion;

	return still_current(wb, s) ? s->f : NULL;
}

/* Which models a stored stack was fitted on: per model a 64-bit FNV-1a
 * hash of its name, parameters, seed, epochs and train size, summed so
 * that the order of the models does not matter.  The workbench's models
 * (s->models), not a refit's, which are not stored and are rebuilt from
 * the same ones. */
static uint64_t
models_fingerprint(const struct wb_fusion *s)
{
	uint64_t sum = 0;

	for (int m = 0; m < s->n; m++) {
		const model *md = s->models[m];
		uint64_t h = RF_FNV_SEED;
		int64_t nnz = md->train ? md->train->nnz : 0;

		h = rf_fnv1a(h, md->name, strlen(md->name));
		h = rf_fnv1a(h, md->params, (size_t)md->ops->nparams *
		    sizeof *md->params);
		h = rf_fnv1a(h, &md->seed, sizeof md->seed);
		h = rf_fnv1a(h, &md->epochs_done, sizeof md->epochs_done);
		h = rf_fnv1a(h, &nnz, sizeof nnz);
		sum += h;
	}
	return sum;
}

/* A stored stack: "fp=HEX " and fusion_stack_format()'s text.  Restored
 * when the fingerprint matches the models now; otherwise the fusion stays
 * `weighted` and the note says why. */
static void
replay_stack(workbench *wb, struct wb_fusion *s)
{
	char *saved = store_get_setting(workbench_store(wb), "fusion.stack");
	unsigned long long fp;
	int used = 0;
	rf_error e2;

	if (saved == NULL || saved[0] == '\0') {
		snprintf(s->note, sizeof s->note, "the stack's coefficients "
		    "were not stored; shown as weighted until `fuse stack`");
		free(saved);
		return;
	}
	if (sscanf(saved, "fp=%llx %n", &fp, &used) != 1 || used == 0)
		snprintf(s->note, sizeof s->note, "the stored stack is "
		    "malformed; weighted until `fuse stack`");
	else if ((uint64_t)fp != models_fingerprint(s))
		snprintf(s->note, sizeof s->note, "the stored stack was "
		    "fitted on other models (retrained or changed); "
		    "weighted until `fuse stack`");
	else if (fusion_stack_parse(s->f, saved + used, &e2) < 0)
		snprintf(s->note, sizeof s->note, "%.120s; weighted until "
		    "`fuse stack`", e2.msg);
	free(saved);
}

/* Replay the stored settings; the weights of models not trained now are
 * dropped; a stack comes back with its stored coefficients when it was
 * fitted on the same models, else as `weighted` with its last weights
 * until `fuse stack` fits it again. */
static void
replay_settings(workbench *wb, struct wb_fusion *s)
{
	char *saved = store_get_setting(workbench_store(wb), "fusion");
	fusion_settings fs;
	rf_error e2;
	int w = 0, stack;

	s->note[0] = '\0';
	if (saved == NULL)
		return;
	if (fusion_settings_parse(saved, &fs, &e2) == 0) {
		for (int j = 0; j < fs.n; j++)
			for (int m = 0; m < s->n; m++)
				if (strcasecmp(fs.names[j],
				    fusion_model_name(s->f, m)) == 0) {
					fs.w[w] = fs.w[j];
					memmove(fs.names[w], fs.names[j],
					    FUSION_NAME_MAX);
					w++;
					break;
				}
		fs.n = w;
		stack = fs.method == FUSE_STACK;
		if (stack)
			fs.method = FUSE_WEIGHTED;
		if (fusion_apply_settings(s->f, &fs, &e2) == 0 && stack)
			replay_stack(wb, s);
	}
	free(saved);
}

/* A fusion refitted in an earlier session: its refitted models were not
 * stored, so the refit is done again over the same models (it is
 * deterministic), or the note says why not.  Beside the screen it is
 * left to a background task (workbench_fusion_refit_pending()). */
static void
replay_refit(workbench *wb, struct wb_fusion *s)
{
	char *saved = store_get_setting(workbench_store(wb), "fusion.refit");
	unsigned long long fp;
	rf_error e2;

	if (saved == NULL || saved[0] == '\0') {
		free(saved);
		return;
	}
	if (sscanf(saved, "fp=%llx", &fp) != 1 ||
	    (uint64_t)fp != models_fingerprint(s))
		snprintf(s->note, sizeof s->note, "an earlier refit was of "
		    "other models; `refit` again to use train + valid");
	else if (workbench_training(wb))
		snprintf(s->note, sizeof s->note, "not refitted as in the "
		    "earlier session while a model trains; `refit` after");
	else if (workbench_background(wb)) {
		s->refit_pending = 1;
		snprintf(s->note, sizeof s->note, "refitting on train + "
		    "valid as in the earlier session");
	} else if (workbench_fusion_refit(wb, NULL, NULL, NULL, &e2) != 0)
		snprintf(s->note, sizeof s->note, "the earlier refit could "
		    "not be redone: %.120s", e2.msg);
	free(saved);
}

fusion *
workbench_fusion(workbench *wb, rf_error *err)
{
	const model *ms[FUSION_MAX_MODELS];
	const char *names[FUSION_MAX_MODELS];
	const dataset *ds;
	const interactions *known;
	struct wb_fusion *s;
	int n = 0;

	if ((ds = workbench_dataset(wb, err)) == NULL ||
	    workbench_ensure_split(wb, err) < 0)
		return NULL;
	if (workbench_fusion_peek(wb))
		return wb->fusion->f;
	/* Models saved on this split but not in memory (a new session):
	 * load them before building (loading drops a stale fusion). */
	if (workbench_load_saved(wb, err) < 0)
		return NULL;
	if ((s = state(wb, err)) == NULL)
		return NULL;
	for (int k = 0; k < workbench_model_count(wb) &&
	    n < FUSION_MAX_MODELS; k++) {
		const wb_model *wm = workbench_model_at(wb, k);

		if (wm && wm->m) {
			ms[n] = wm->m;
			names[n++] = wm->m->name;
		}
	}
	if (n == 0) {
		rf_fail(err, "no trained model: `train MODEL` first");
		return NULL;
	}
	/* A stale fusion goes (the models went, and a task on them with
	 * them); a first one leaves a running evaluation alone. */
	if (s->f != NULL)
		wb_fusion_drop(wb);
	if ((s->f = fusion_new(ds, ms, names, n, err)) == NULL)
		return NULL;
	/* On-the-fly lists (recommend, explain, the screens) leave out what
	 * the user already has, as the test pool does. */
	if ((known = workbench_known_part(wb, err)) == NULL ||
	    fusion_set_known(s->f, known, err) < 0) {
		fusion_free(s->f);
		s->f = NULL;
		return NULL;
	}
	/* the mean popularity of the lists, counted as for a single model */
	fusion_set_popularity(s->f, wb->train_pop);
	s->n = n;
	memcpy(s->models, ms, (size_t)n * sizeof *ms);
	s->train = workbench_train_part(wb);
	s->valid = workbench_valid_part(wb);
	s->test = workbench_test_part(wb);
	replay_settings(wb, s);
	s->pool_m = fusion_get_settings(s->f)->pool_m;
	replay_refit(wb, s);
	return s->f;
}

static int
has_entries(const interactions *m)
{
	return m && m->nnz > 0;
}

int
workbench_fusion_refitted(const workbench *wb)
{
	const struct wb_fusion *s = wb->fusion;

	return still_current(wb, s) && s->refitted;
}

int
workbench_fusion_refit_pending(const workbench *wb)
{
	const struct wb_fusion *s = wb->fusion;

	return still_current(wb, s) && s->refit_pending;
}

const interactions *
workbench_fusion_seen(const workbench *wb)
{
	const struct wb_fusion *s = wb->fusion;

	if (!still_current(wb, s))
		return NULL;
	return fusion_known(s->f);
}

/* Every model predicts ratings and the data are ratings. */
static int
rating_fusion(const fusion *f)
{
	for (int m = 0; m < fusion_n_models(f); m++)
		if (fusion_model(f, m)->ops->predict == NULL)
			return 0;
	return fusion_dataset(f)->is_rating;
}

int
workbench_fusion_is_rating(const workbench *wb)
{
	const fusion *f = workbench_fusion_peek(wb);

	return f != NULL && rating_fusion(f);
}

/* The part whose pool the live metrics re-rank: 1 validation (before a
 * refit), 2 test, 0 none. */
static int
live_part(const struct wb_fusion *s)
{
	if (has_entries(s->valid) && !s->refitted)
		return 1;
	return has_entries(s->test) ? 2 : 0;
}

/* A pool of the part's users, or of the session's seeded sample of them
 * on big data (workbench_sample_users()): tune and the live metrics then
 * re-rank a sample, and say so through the intervals they give. */
static fusion_pool *
sampled_pool(workbench *wb, const fusion *f, const interactions *exclude,
    const interactions *part, rf_error *err)
{
	int32_t *users;
	int n, total;
	fusion_pool *p;

	if ((users = wb_part_users(wb, part, 0, &n, &total)) == NULL) {
		rf_fail(err, "fusion: out of memory");
		return NULL;
	}
	p = fusion_pool_build(f, exclude, part, n < total ? users : NULL,
	    n < total ? n : 0, 2, err);
	free(users);
	return p;
}

/* Can part 1 (validation) or 2 (test) have a pool? */
static int
pool_allowed(const struct wb_fusion *s, int part, rf_error *err)
{
	if (part == 1) {
		if (!has_entries(s->valid))
			return rf_fail(err, "the split has no validation "
			    "part: `split temporal 0.2 --valid 0.1` and train "
			    "again");
		if (s->refitted)
			return rf_fail(err, "after `refit` the validation "
			    "part is training data; train the models again "
			    "to tune");
		return 0;
	}
	if (!has_entries(s->test))
		return rf_fail(err, "the split has no test part");
	return 0;
}

fusion_pool *
workbench_fusion_pool(workbench *wb, int part, rf_error *err)
{
	struct wb_fusion *s;

	if (workbench_fusion(wb, err) == NULL)
		return NULL;
	s = wb->fusion;
	if (s->pools_lent) {
		rf_fail(err, "the candidate pools are in use by %s",
		    workbench_task_name(workbench_task_kind(wb)));
		return NULL;
	}
	if (s->pool_m != fusion_get_settings(s->f)->pool_m) {
		drop_pools(s);
		s->pool_m = fusion_get_settings(s->f)->pool_m;
	}
	if (pool_allowed(s, part, err) < 0)
		return NULL;
	if (part == 1) {
		if (s->valid_pool == NULL)
			s->valid_pool = sampled_pool(wb, s->f, NULL, s->valid,
			    err);
		return s->valid_pool;
	}
	/* The test candidates leave out what is known of each user (train
	 * + valid), before a refit as after it, like every single model's
	 * evaluation: like with like. */
	if (s->test_pool == NULL) {
		const interactions *known = workbench_known_part(wb, err);

		if (known == NULL)
			return NULL;
		s->test_pool = sampled_pool(wb, s->f, known, s->test, err);
	}
	return s->test_pool;
}

const char *
workbench_fusion_note(const workbench *wb)
{
	const struct wb_fusion *s = wb->fusion;

	return still_current(wb, s) ? s->note : "";
}

const fusion_live *
workbench_fusion_live(const workbench *wb)
{
	const struct wb_fusion *s = wb->fusion;

	return s ? &s->live : &no_live;
}

/* The live metrics of f on pool p of part into l (its names, weights,
 * per model and fused NDCG/Recall@10, the fused minus the best single
 * model per user); fused_only: the single models' figures are known (they
 * do not depend on the weights, the method or the normalisation, only on
 * the pool) and only the fused one is measured again.  Nothing of the
 * workbench: a job runs it on its worker. */
static int
live_measure(fusion *f, fusion_pool *p, int part, struct live_rows *lr,
    fusion_live *l, int fused_only, rf_error *err)
{
	metrics mt;
	paired_diff d;
	int nu = fusion_pool_n_users(p);

	if (lr->rows != nu || lr->best == NULL) {
		live_rows_free(lr);
		lr->best = malloc(((size_t)nu + 1) * sizeof *lr->best);
		lr->fused = malloc(((size_t)nu + 1) * sizeof *lr->fused);
		lr->rows = nu;
		fused_only = 0;
		if (lr->best == NULL || lr->fused == NULL) {
			live_rows_free(lr);
			return rf_fail(err, "fusion: out of memory");
		}
	}
	if (!l->ready || l->part != part || l->n_models != fusion_n_models(f))
		fused_only = 0;
	l->part = part;
	l->n_models = fusion_n_models(f);
	fusion_weights(f, l->weight);
	if (!fused_only)
		l->best = -1;
	for (int m = fused_only ? -1 : l->n_models - 1; m >= -1; m--) {
		/* The singles first (best kept row by row), then fused. */
		if (fusion_pool_eval_rows(f, p, m, 10, &mt, lr->fused,
		    err) < 0)
			return -1;
		if (m < 0) {
			l->fused_ndcg = mt.ndcg;
			l->fused_recall = mt.recall;
		} else {
			snprintf(l->names[m], FUSION_NAME_MAX, "%s",
			    fusion_model_name(f, m));
			l->ndcg[m] = mt.ndcg;
			l->recall[m] = mt.recall;
			if (l->best < 0 || mt.ndcg > l->ndcg[l->best]) {
				double *t = lr->best;

				l->best = m;
				lr->best = lr->fused;
				lr->fused = t;
			}
		}
	}
	if (l->best >= 0) {
		paired_compare(lr->fused, lr->best, NULL, nu, &d);
		l->diff = d.mean;
		l->diff_lo = d.lo;
		l->diff_hi = d.hi;
	} else
		l->diff = l->diff_lo = l->diff_hi = NAN;
	snprintf(l->method, sizeof l->method, "%s",
	    fusion_method_name(fusion_get_settings(f)->method));
	snprintf(l->norm, sizeof l->norm, "%s",
	    fusion_norm_name(fusion_get_settings(f)->norm));
	l->users = nu;
	l->ready = 1;
	l->stale = 0;
	return 0;
}

/* The live metrics of the session's fusion, on the main thread. */
static int
refresh(workbench *wb, int fused_only, rf_error *err)
{
	struct wb_fusion *s;
	fusion_pool *p;
	int part;

	if (workbench_fusion(wb, err) == NULL)
		return -1;
	s = wb->fusion;
	if ((part = live_part(s)) == 0) {
		s->live.ready = 0;
		s->live.generation++;
		return rf_fail(err, "the split has neither a validation nor "
		    "a test part: `split temporal 0.2 --valid 0.1`");
	}
	/* Beside the screen a pool is never scored here (seconds on big
	 * data): the figures wait for a background task to build it. */
	if (workbench_background(wb) && !s->pools_lent &&
	    (part == 1 ? s->valid_pool : s->test_pool) == NULL &&
	    s->pool_m == fusion_get_settings(s->f)->pool_m) {
		s->live.stale = 1;
		s->live.generation++;
		return 0;
	}
	if ((p = workbench_fusion_pool(wb, part, err)) == NULL)
		return -1;
	if (live_measure(s->f, p, part, &s->lr, &s->live, fused_only,
	    err) < 0)
		return -1;
	s->live.generation++;
	return 0;
}

int
workbench_fusion_refresh(workbench *wb, rf_error *err)
{
	return refresh(wb, 0, err);
}

/* Store the settings (writable stores): the method, weights and
 * parameters, a fitted stack, the mark of a refit. */
static int
persist(workbench *wb, rf_error *err)
{
	store *st = workbench_store(wb);
	const fusion *f = workbench_fusion_peek(wb);
	char text[4096];

	if (f == NULL)
		return rf_fail(err, "fusion: none");
	if (!store_is_readonly(st)) {
		const struct wb_fusion *s = wb->fusion;
		int len;

		fusion_settings_format(fusion_get_settings(f), text,
		    sizeof text);
		if (store_set_setting(st, "fusion", text, err) < 0)
			return -1;
		/* The fitted stack beside them (empty when not stacking). */
		text[0] = '\0';
		if (fusion_get_settings(f)->method == FUSE_STACK) {
			len = snprintf(text, sizeof text, "fp=%llx ",
			    (unsigned long long)models_fingerprint(s));
			if (fusion_stack_format(f, text + len,
			    sizeof text - (size_t)len) < 0)
				text[0] = '\0';
		}
		if (store_set_setting(st, "fusion.stack", text, err) < 0)
			return -1;
		/* Refitted models are not stored; the mark says to redo the
		 * refit (deterministic: same parameters, seeds, epochs). */
		text[0] = '\0';
		if (s->refitted)
			snprintf(text, sizeof text, "fp=%llx",
			    (unsigned long long)models_fingerprint(s));
		if (store_set_setting(st, "fusion.refit", text, err) < 0)
			return -1;
	}
	wb->fusion->unsaved = 0;
	return 0;
}

int
workbench_fusion_save(workbench *wb, rf_error *err)
{
	if (!workbench_fusion_unsaved(wb))
		return 0;
	return persist(wb, err);
}

int
workbench_fusion_unsaved(const workbench *wb)
{
	const struct wb_fusion *s = wb->fusion;

	return still_current(wb, s) && s->unsaved;
}

/* Model, weight, and metrics on validation and test of every model and
 * of the fusion, from the pools (vp, tp may be NULL). */
static rf_table *
status_table(fusion *f, fusion_pool *vp, fusion_pool *tp, int refitted,
    const char *note, rf_error *err)
{
	const fusion_settings *set = fusion_get_settings(f);
	double w[FUSION_MAX_MODELS];
	int n = fusion_n_models(f), rating = rating_fusion(f);
	rf_table *t;
	rf_error e2;
	char title[400];

	snprintf(title, sizeof title, "fusion: %s, norm %s%s%s%s",
	    fusion_method_name(set->method), fusion_norm_name(set->norm),
	    refitted ? " (refitted on train + valid)" : "",
	    note[0] ? "; " : "", note);
	if ((t = table_new(title)) == NULL) {
		rf_fail(err, "out of memory");
		return NULL;
	}
	fusion_weights(f, w);
	table_add_column(t, "model", COL_TEXT);
	table_add_column(t, "weight", COL_REAL);
	table_add_column(t, rating ? "valid rmse" : "valid ndcg@10", COL_REAL);
	table_add_column(t, rating ? "test rmse" : "test ndcg@10", COL_REAL);
	table_add_column(t, "test recall@10", COL_REAL);
	for (int k = 0; k <= n; k++) {
		int m = k < n ? k : -1;	/* fused last */
		metrics a, b;

		metrics_clear(&a);
		metrics_clear(&b);
		if (vp) {
			if (rating)
				fusion_pool_eval_rating(f, vp, m, &a, &e2);
			else
				fusion_pool_eval(f, vp, m, 10, &a, &e2);
		}
		if (tp) {
			fusion_pool_eval(f, tp, m, 10, &b, &e2);
			if (rating)
				fusion_pool_eval_rating(f, tp, m, &b, &e2);
		}
		table_begin_row(t);
		table_cell_text(t, m < 0 ? "fused" : fusion_model_name(f, m));
		if (m < 0 || set->method == FUSE_STACK)
			table_cell_null(t);
		else
			table_cell_real(t, w[m], 3);
		if (isnan(rating ? a.rmse : a.ndcg))
			table_cell_null(t);
		else
			table_cell_real(t, rating ? a.rmse : a.ndcg, 4);
		if (isnan(rating ? b.rmse : b.ndcg))
			table_cell_null(t);
		else
			table_cell_real(t, rating ? b.rmse : b.ndcg, 4);
		if (isnan(b.recall))
			table_cell_null(t);
		else
			table_cell_real(t, b.recall, 4);
	}
	return t;
}

rf_table *
workbench_fusion_table(workbench *wb, rf_error *err)
{
	struct wb_fusion *s;
	fusion_pool *vp = NULL, *tp = NULL;

	if (workbench_fusion(wb, err) == NULL)
		return NULL;
	s = wb->fusion;
	if (has_entries(s->valid) && !s->refitted &&
	    (vp = workbench_fusion_pool(wb, 1, err)) == NULL)
		return NULL;
	if (has_entries(s->test) &&
	    (tp = workbench_fusion_pool(wb, 2, err)) == NULL)
		return NULL;
	return status_table(s->f, vp, tp, s->refitted, s->note, err);
}

/* --- the jobs: compute on the worker, commit on the main thread ----------- */

/* A pool a job uses: the session's, lent for the job's time, or one the
 * worker builds (users: the sample to build it for, from the start). */
struct job_pool {
	fusion_pool *lent, *built;
	const interactions *exclude, *part;
	int32_t *users;
	int n, total;
	int needed;		/* the job must have it */
};

struct fusion_job {
	workbench *wb;
	enum wb_task_kind kind;
	struct wb_task *task;	/* while computing */
	const fusion *from;	/* the session's fusion it started from */
	fusion *f;		/* the worker's own: a clone */
	int lent_m;		/* the lent pools' candidates per model */
	struct job_pool pool[2];	/* validation, test */
	int part;		/* of the live metrics, 0 none */
	fusion_live live;
	struct live_rows lr;
	int refitted;
	char note[200];
	/* fuse */
	int fit_stack;
	/* tune */
	int metric;
	fusion_tune_report rep;
	/* refit */
	interactions *tv;
	model *fresh[FUSION_MAX_MODELS];
	const model *kept[FUSION_MAX_MODELS];	/* the models refitted from */
	train_spec spec[FUSION_MAX_MODELS];
	int epochs[FUSION_MAX_MODELS];
	double seconds[FUSION_MAX_MODELS];
	/* the table of the fusion after the job (fuse, refit, status) */
	int want_table;
	rf_table *table;
	int rc;			/* 0, 1 cancelled, -1 err */
	rf_error err;
};

/* A pool's users: the part's, or the session's seeded sample of them. */
static int
job_pool_users(workbench *wb, struct job_pool *jp, rf_error *err)
{
	if ((jp->users = wb_part_users(wb, jp->part, 0, &jp->n,
	    &jp->total)) == NULL)
		return rf_fail(err, "fusion: out of memory");
	return 0;
}

/* Give the lent pools back to the session (and those the worker built,
 * while they fit its fusion), free the rest. */
static void
job_give_back(struct fusion_job *j, int keep_built)
{
	struct wb_fusion *s = j->wb->fusion;
	fusion_pool **slot[2];

	if (s == NULL) {
		for (int k = 0; k < 2; k++) {
			fusion_pool_free(j->pool[k].lent);
			fusion_pool_free(j->pool[k].built);
			j->pool[k].lent = j->pool[k].built = NULL;
		}
		return;
	}
	slot[0] = &s->valid_pool;
	slot[1] = &s->test_pool;
	for (int k = 0; k < 2; k++) {
		struct job_pool *jp = &j->pool[k];
		fusion_pool *back = jp->lent;

		if (keep_built && jp->built != NULL) {
			fusion_pool_free(back);
			back = jp->built;
		} else
			fusion_pool_free(jp->built);
		jp->lent = jp->built = NULL;
		if (*slot[k] != NULL)	/* built meanwhile: keep that */
			fusion_pool_free(back);
		else
			*slot[k] = back;
	}
	s->pools_lent = 0;
}

static void
job_free(struct fusion_job *j)
{
	for (int k = 0; k < 2; k++) {
		fusion_pool_free(j->pool[k].lent);
		fusion_pool_free(j->pool[k].built);
		free(j->pool[k].users);
	}
	fusion_free(j->f);
	live_rows_free(&j->lr);
	for (int m = 0; m < FUSION_MAX_MODELS; m++)
		if (j->fresh[m] != NULL)
			j->fresh[m]->ops->free(j->fresh[m]);
	if (j->tv != NULL) {
		interactions_free(j->tv);
		free(j->tv);
	}
	table_free(j->table);
	free(j);
}

/* A job that ends without its commit: the pools go back (those the
 * worker built too, but for a refit's, made of other models), the rest
 * is freed.  Nothing else of the session changed. */
static void
job_discard(void *arg)
{
	struct fusion_job *j = arg;

	job_give_back(j, j->kind != WB_TASK_REFIT &&
	    j->f != NULL && fusion_get_settings(j->f)->pool_m == j->lent_m);
	job_free(j);
}

/* The job's start on the main thread: the session's fusion built, a
 * clone for the worker, the pools lent, the users of those to build. */
static struct fusion_job *
job_new(workbench *wb, enum wb_task_kind kind, rf_error *err)
{
	struct wb_fusion *s;
	struct fusion_job *j;
	const interactions *known;

	if (wb->task != NULL) {
		rf_fail(err, "%s is running; wait for it or cancel it (Esc)",
		    workbench_task_name(workbench_task_kind(wb)));
		return NULL;
	}
	if (workbench_fusion(wb, err) == NULL ||
	    (known = workbench_known_part(wb, err)) == NULL)
		return NULL;
	s = wb->fusion;
	if ((j = calloc(1, sizeof *j)) == NULL) {
		rf_fail(err, "out of memory");
		return NULL;
	}
	j->wb = wb;
	j->kind = kind;
	j->from = s->f;
	j->refitted = s->refitted;
	j->part = live_part(s);
	snprintf(j->note, sizeof j->note, "%s", s->note);
	if ((j->f = fusion_clone(s->f, err)) == NULL) {
		free(j);
		return NULL;
	}
	/* The live metrics so far: a fused-only measure keeps the
	 * singles'. */
	j->live = s->live;
	if (s->pool_m != fusion_get_settings(s->f)->pool_m) {
		drop_pools(s);
		s->pool_m = fusion_get_settings(s->f)->pool_m;
	}
	j->lent_m = s->pool_m;
	j->pool[0].lent = s->valid_pool;
	j->pool[1].lent = s->test_pool;
	s->valid_pool = s->test_pool = NULL;
	s->pools_lent = 1;
	j->pool[0].part = s->valid;
	j->pool[1].part = s->test;
	j->pool[1].exclude = known;
	for (int k = 0; k < 2; k++)
		if (has_entries(j->pool[k].part) &&
		    job_pool_users(wb, &j->pool[k], err) < 0) {
			job_discard(j);
			return NULL;
		}
	return j;
}

static const char *const part_names[2] = { "validation", "test" };

/* The worker's pool of part k (0 validation, 1 test): the lent one when
 * it fits the clone's settings, else one built now. */
static fusion_pool *
job_pool(struct fusion_job *j, int k)
{
	struct job_pool *jp = &j->pool[k];

	if (jp->built != NULL)
		return jp->built;
	if (jp->lent != NULL && j->kind != WB_TASK_REFIT &&
	    fusion_get_settings(j->f)->pool_m == j->lent_m)
		return jp->lent;
	if (jp->users == NULL) {
		rf_fail(&j->err, "the split has no %s part", part_names[k]);
		return NULL;
	}
	wb_task_phase(j->task, 0, "scoring the %s pool: %d%s users",
	    part_names[k], jp->n, jp->n < jp->total ? " sampled" : "");
	jp->built = fusion_pool_build(j->f, jp->exclude, jp->part,
	    jp->n < jp->total ? jp->users : NULL,
	    jp->n < jp->total ? jp->n : 0, 2, &j->err);
	return jp->built;
}

/* The live metrics and, when wanted, the table, of the clone. */
static int
job_measure(struct fusion_job *j)
{
	fusion_pool *vp = NULL, *tp = NULL, *lp;
	rf_error e2;

	if (j->part != 0) {
		if ((lp = job_pool(j, j->part - 1)) == NULL)
			return -1;
		wb_task_phase(j->task, 0, "measuring on the %s pool",
		    part_names[j->part - 1]);
		if (live_measure(j->f, lp, j->part, &j->lr, &j->live, 0,
		    &j->err) < 0)
			return -1;
	}
	if (!j->want_table)
		return 0;
	if (has_entries(j->pool[0].part) && !j->refitted &&
	    (vp = job_pool(j, 0)) == NULL)
		return -1;
	if (has_entries(j->pool[1].part) && (tp = job_pool(j, 1)) == NULL)
		return -1;
	wb_task_phase(j->task, 0, "the table of every model");
	if ((j->table = status_table(j->f, vp, tp, j->refitted, j->note,
	    &e2)) == NULL)
		return rf_fail(&j->err, "%s", e2.msg);
	return 0;
}

/* The job's commit on the main thread: the clone in (swap), the pools
 * back, the live metrics; the settings stored when they changed.  -1 +
 * err when the fusion is not the one the job started from. */
static int
job_commit(struct fusion_job *j, int swap, rf_error *err)
{
	workbench *wb = j->wb;
	struct wb_fusion *s = wb->fusion;
	char now[2048], then[2048];
	unsigned long gen;

	if (s == NULL || s->f != j->from || !still_current(wb, s)) {
		job_discard(j);
		return rf_fail(err, "the fusion changed meanwhile (its "
		    "models); nothing was applied");
	}
	if (swap) {
		fusion_free(s->f);
		s->f = j->f;
		j->f = NULL;
	}
	if (j->kind == WB_TASK_REFIT) {
		/* Pools of the old models: none fits now. */
		for (int k = 0; k < 2; k++) {
			fusion_pool_free(j->pool[k].lent);
			j->pool[k].lent = NULL;
		}
		fusion_user_free(s->preview);
		s->preview = NULL;
	}
	if (fusion_get_settings(s->f)->pool_m != s->pool_m) {
		fusion_user_free(s->preview);
		s->preview = NULL;
		s->pool_m = fusion_get_settings(s->f)->pool_m;
	}
	job_give_back(j, 1);
	gen = s->live.generation;
	if (j->part != 0) {
		struct live_rows t = s->lr;

		s->live = j->live;
		s->lr = j->lr;
		j->lr = t;
	}
	s->live.generation = gen + 1;
	/* Weights a slider moved while the pools were being built: the
	 * fused figure again, for them. */
	if (!swap && j->f != NULL && s->live.ready) {
		fusion_settings_format(fusion_get_settings(s->f), now,
		    sizeof now);
		fusion_settings_format(fusion_get_settings(j->f), then,
		    sizeof then);
		if (strcmp(now, then) != 0 && refresh(wb, 1, err) < 0) {
			job_free(j);
			return -1;
		}
	}
	return 0;
}

/* After a change of the settings: store them, the note goes. */
static int
job_persist(workbench *wb, rf_error *err)
{
	wb->fusion->note[0] = '\0';
	return persist(wb, err);
}

/* After a committed change: store the settings, then hand the table
 * over (status may be NULL: it is freed). */
static int
persist_and_hand(workbench *wb, rf_table *t, rf_table **status,
    rf_error *err)
{
	if (job_persist(wb, err) < 0) {
		table_free(t);
		return -1;
	}
	if (status != NULL)
		*status = t;
	else
		table_free(t);
	return 0;
}

/* Take the finished job of kind back; *rc 1 when cancelled (the job
 * discarded), -1 on its error; NULL then. */
static struct fusion_job *
job_take(workbench *wb, enum wb_task_kind kind, int *rc, rf_error *err)
{
	struct fusion_job *j;
	int cancelled;

	*rc = -1;
	if ((j = wb_task_take(wb, kind, &cancelled, err)) == NULL)
		return NULL;
	if (cancelled || j->rc == 1) {
		job_discard(j);
		*rc = 1;
		return NULL;
	}
	if (j->rc < 0) {
		*err = j->err;
		job_discard(j);
		return NULL;
	}
	*rc = 0;
	return j;
}

/* --- measure: the pools and the live metrics ---------------------------- */

static void
measure_compute(struct wb_task *t, void *arg)
{
	struct fusion_job *j = arg;

	j->task = t;
	j->rc = job_measure(j);
	j->task = NULL;
}

int
workbench_fusion_measure_start(workbench *wb, rf_error *err)
{
	struct fusion_job *j;

	if (workbench_fusion(wb, err) == NULL)
		return -1;
	if (live_part(wb->fusion) == 0)
		return rf_fail(err, "the split has neither a validation nor "
		    "a test part: `split temporal 0.2 --valid 0.1`");
	if ((j = job_new(wb, WB_TASK_MEASURE, err)) == NULL)
		return -1;
	return wb_task_start(wb, WB_TASK_MEASURE, measure_compute,
	    job_discard, j, NULL, err);
}

int
workbench_fusion_measure_finish(workbench *wb, rf_error *err)
{
	struct fusion_job *j;
	int rc;

	if ((j = job_take(wb, WB_TASK_MEASURE, &rc, err)) == NULL)
		return rc;
	if (job_commit(j, 0, err) < 0)
		return -1;
	job_free(j);
	return 0;
}

/* --- status: the table (`weights` alone) ------------------------------- */

int
workbench_fusion_status_start(workbench *wb, rf_error *err)
{
	struct fusion_job *j;

	if ((j = job_new(wb, WB_TASK_STATUS, err)) == NULL)
		return -1;
	j->want_table = 1;
	return wb_task_start(wb, WB_TASK_STATUS, measure_compute,
	    job_discard, j, NULL, err);
}

rf_table *
workbench_fusion_status_finish(workbench *wb, rf_error *err)
{
	struct fusion_job *j;
	rf_table *t;
	int rc;

	if ((j = job_take(wb, WB_TASK_STATUS, &rc, err)) == NULL) {
		if (rc > 0)
			rf_fail(err, "cancelled");
		return NULL;
	}
	t = j->table;
	j->table = NULL;
	if (job_commit(j, 0, err) < 0) {
		table_free(t);
		return NULL;
	}
	job_free(j);
	return t;
}

/* --- fuse ---------------------------------------------------------------- */

static void
fuse_compute(struct wb_task *t, void *arg)
{
	struct fusion_job *j = arg;
	fusion_pool *p;

	j->task = t;
	j->rc = 0;
	if (j->fit_stack) {
		if ((p = job_pool(j, 0)) == NULL) {
			j->rc = -1;
			goto out;
		}
		wb_task_phase(t, 0, "fitting the stack");
		if (fusion_fit_stack(j->f, p, rating_fusion(j->f), 1,
		    &j->err) < 0) {
			j->rc = -1;
			goto out;
		}
	}
	j->rc = job_measure(j);
out:
	j->task = NULL;
}

static int
fuse_start(workbench *wb, const char *method, int nparams,
    char *const *params, int want_table, rf_error *err)
{
	int meth = fusion_method_parse(method);
	struct fusion_job *j;

	if (meth < 0)
		return rf_fail(err, "unknown method '%s' (weighted, rrf, "
		    "borda, vote, stack)", method);
	if ((j = job_new(wb, WB_TASK_FUSE, err)) == NULL)
		return -1;
	/* The parameters on the clone: a bad one changes nothing. */
	for (int k = 0; k < nparams; k++)
		if (fusion_set_param(j->f, params[k], err) < 0) {
			job_discard(j);
			return -1;
		}
	if (meth == FUSE_STACK) {
		if (pool_allowed(wb->fusion, 1, err) < 0) {
			job_discard(j);
			return -1;
		}
		j->fit_stack = 1;
	} else
		fusion_set_method(j->f, (enum fusion_method)meth);
	j->want_table = want_table;
	j->note[0] = '\0';
	return wb_task_start(wb, WB_TASK_FUSE, fuse_compute, job_discard, j,
	    NULL, err);
}

int
workbench_fuse_start(workbench *wb, const char *method, int nparams,
    char *const *params, rf_error *err)
{
	return fuse_start(wb, method, nparams, params, 1, err);
}

int
workbench_fuse_finish(workbench *wb, rf_table **status, rf_error *err)
{
	struct fusion_job *j;
	rf_table *t;
	int rc;

	if (status != NULL)
		*status = NULL;
	if ((j = job_take(wb, WB_TASK_FUSE, &rc, err)) == NULL)
		return rc;
	t = j->table;
	j->table = NULL;
	if (job_commit(j, 1, err) < 0) {
		table_free(t);
		return -1;
	}
	job_free(j);
	return persist_and_hand(wb, t, status, err);
}

/* On the caller's thread, whatever the front (tests and the others). */
static int
run_here(workbench *wb)
{
	int was = wb->background;

	wb->background = 0;
	return was;
}

int
workbench_fuse(workbench *wb, const char *method, int nparams,
    char *const *params, rf_error *err)
{
	int was = run_here(wb), rc;

	rc = fuse_start(wb, method, nparams, params, 0, err);
	wb->background = was;
	if (rc < 0)
		return -1;
	return workbench_fuse_finish(wb, NULL, err);
}

/* --- weights --------------------------------------------------------------- */

int
workbench_fusion_set_weights(workbench *wb, int n, char *const *assign,
    rf_error *err)
{
	fusion *f;
	double w[64];
	int which[64];

	if ((f = workbench_fusion(wb, err)) == NULL)
		return -1;
	if (n > 64)
		return rf_fail(err, "too many weights");
	for (int k = 0; k < n; k++) {
		const char *eq = strchr(assign[k], '=');
		char *end;
		int m;

		if (eq == NULL || eq == assign[k])
			return rf_fail(err, "expected MODEL=W, got '%s'",
			    assign[k]);
		for (m = 0; m < fusion_n_models(f); m++)
			if (strncasecmp(assign[k], fusion_model_name(f, m),
			    (size_t)(eq - assign[k])) == 0 &&
			    fusion_model_name(f, m)[eq - assign[k]] == '\0')
				break;
		if (m == fusion_n_models(f))
			return rf_fail(err, "'%.*s' is not a trained model",
			    (int)(eq - assign[k]), assign[k]);
		w[k] = strtod(eq + 1, &end);
		if (end == eq + 1 || *end || !isfinite(w[k]) || w[k] < 0)
			return rf_fail(err, "%s: weights are non-negative "
			    "numbers", assign[k]);
		which[k] = m;
	}
	if (n == 0)
		return workbench_fusion_live(wb)->ready ? 0 :
		    workbench_fusion_refresh(wb, err);
	{
		/* Every model at 0 would leave nothing to fuse (shown as
		 * equal shares before): refused, nothing changed. */
		int any = 0;

		for (int m = 0; m < fusion_n_models(f) && !any; m++) {
			double v = fusion_get_settings(f)->w[m];

			for (int k = 0; k < n; k++)
				if (which[k] == m)
					v = w[k];
			any = v > 0;
		}
		if (!any)
			return rf_fail(err, "every weight would be 0, which "
			    "leaves nothing to fuse: give at least one model "
			    "a weight above 0");
	}
	for (int k = 0; k < n; k++)
		if (fusion_set_weight(f, which[k], w[k], err) < 0)
			return -1;
	/* Setting weights by hand leaves a fitted stack. */
	if (fusion_get_settings(f)->method == FUSE_STACK)
		fusion_set_method(f, FUSE_WEIGHTED);
	/* A slider moves in steps: the store gets the weights once it
	 * stops (workbench_fusion_save()); one re-ranking of the pool for
	 * the fused figure, the singles' stay. */
	wb->fusion->unsaved = 1;
	wb->fusion->note[0] = '\0';
	if (wb->fusion->pools_lent) {
		/* The pools are being built beside: the figures follow when
		 * they are there (the job's commit measures again). */
		wb->fusion->live.stale = 1;
		wb->fusion->live.generation++;
		return 0;
	}
	return refresh(wb, 1, err);
}

void
workbench_fusion_share(const double *w, int n, int m, double share,
    double *out)
{
	double rest = 0;

	for (int k = 0; k < n; k++)
		if (k != m)
			rest += w[k];
	for (int k = 0; k < n; k++)
		if (k == m)
			out[k] = share;
		else if (rest > 1e-12)
			out[k] = w[k] * ((1 - share) / rest);
		else
			out[k] = n > 1 ? (1 - share) / (n - 1) : 0;
}

/* --- tune ------------------------------------------------------------------ */

static void
tune_compute(struct wb_task *t, void *arg)
{
	struct fusion_job *j = arg;
	fusion_pool *valid, *test = NULL;

	j->task = t;
	if ((valid = job_pool(j, 0)) == NULL) {
		j->rc = -1;
		goto out;
	}
	wb_task_phase(t, 0, "trying %d ways to fuse (%d users, %d folds)",
	    TUNE_CAND_COUNT, fusion_pool_n_users(valid),
	    fusion_tune_folds(fusion_pool_n_users(valid)));
	j->rc = fusion_tune(j->f, valid, NULL, (enum tune_metric)j->metric,
	    &j->rep, wb_task_cancel_flag(t), &j->err);
	if (j->rc != 0)
		goto out;
	/* The test figures are reported beside, never used to choose.  The
	 * test pool is built (when it was not lent) once the valid pool has
	 * given back the transforms and ranks the search kept: the two
	 * never peak together (at 100 M events each is hundreds of MB). */
	if (has_entries(j->pool[1].part)) {
		fusion_pool_shed(valid);
		if ((test = job_pool(j, 1)) == NULL) {
			j->rc = -1;
			goto out;
		}
		fusion_tune_test(j->f, test, &j->rep);
	}
	j->rc = job_measure(j);
out:
	j->task = NULL;
}

static int
tune_start(workbench *wb, int metric, const volatile int *cancel,
    rf_error *err)
{
	struct fusion_job *j;

	if (workbench_fusion(wb, err) == NULL ||
	    pool_allowed(wb->fusion, 1, err) < 0)
		return -1;
	if ((j = job_new(wb, WB_TASK_TUNE, err)) == NULL)
		return -1;
	j->metric = metric >= 0 ? metric : rating_fusion(j->f) ? TUNE_RMSE :
	    TUNE_NDCG10;
	j->note[0] = '\0';
	return wb_task_start(wb, WB_TASK_TUNE, tune_compute, job_discard, j,
	    cancel, err);
}

int
workbench_fusion_tune_start(workbench *wb, int metric,
    const volatile int *cancel, rf_error *err)
{
	return tune_start(wb, metric, cancel, err);
}

int
workbench_fusion_tune_finish(workbench *wb, fusion_tune_report *rep,
    rf_error *err)
{
	struct fusion_job *j;
	int rc;

	if ((j = job_take(wb, WB_TASK_TUNE, &rc, err)) == NULL)
		return rc;
	*rep = j->rep;
	if (job_commit(j, 1, err) < 0)
		return -1;
	job_free(j);
	return job_persist(wb, err);
}

int
workbench_fusion_tune(workbench *wb, int metric, fusion_tune_report *rep,
    const volatile int *cancel, rf_error *err)
{
	int was = run_here(wb), rc;

	rc = tune_start(wb, metric, cancel, err);
	wb->background = was;
	if (rc < 0)
		return -1;
	return workbench_fusion_tune_finish(wb, rep, err);
}

/* --- refit ----------------------------------------------------------------- */

/* A refitted model's epochs, for the progress line (ud: the task). */
static void
refit_event(void *ud, const train_event *ev)
{
	if (ev->kind == TRAIN_EPOCH)
		wb_task_count(ud, ev->epoch + 1);
}

static void
refit_compute(struct wb_task *t, void *arg)
{
	struct fusion_job *j = arg;
	const model *nm[FUSION_MAX_MODELS];
	int n = fusion_n_models(j->f);

	j->task = t;
	j->rc = 0;
	for (int m = 0; m < n; m++) {
		int cancelled = 0;
		double t0 = rf_monotonic();

		/* An imported model is kept as it is. */
		if (j->spec[m].ops == NULL) {
			nm[m] = j->kept[m];
			continue;
		}
		wb_task_phase(t, j->spec[m].epochs, "%s (%d of %d) on train + "
		    "valid, epochs", fusion_model_name(j->f, m), m + 1, n);
		if ((j->fresh[m] = train_run(&j->spec[m], refit_event, t,
		    wb_task_cancel_flag(t), &cancelled, &j->err)) == NULL ||
		    cancelled) {
			if (cancelled)
				j->rc = 1;
			else {
				char msg[sizeof j->err.msg];

				snprintf(msg, sizeof msg, "%s", j->err.msg);
				rf_fail(&j->err, "%s: %s",
				    fusion_model_name(j->f, m), msg);
				j->rc = -1;
			}
			goto out;
		}
		/* Refitted under the name it had. */
		snprintf(j->fresh[m]->name, sizeof j->fresh[m]->name, "%s",
		    fusion_model_name(j->f, m));
		nm[m] = j->fresh[m];
		j->epochs[m] = j->spec[m].epochs;
		j->seconds[m] = rf_monotonic() - t0;
	}
	/* The clone keeps its weights and stack over the new models. */
	if (fusion_replace_models(j->f, nm, &j->err) < 0) {
		j->rc = -1;
		goto out;
	}
	j->refitted = 1;
	j->part = has_entries(j->pool[1].part) ? 2 : 0;
	j->live.ready = 0;
	j->rc = job_measure(j);
out:
	j->task = NULL;
}

static int
refit_start(workbench *wb, const volatile int *cancel, rf_error *err)
{
	struct wb_fusion *s;
	struct fusion_job *j;
	interactions *tv;

	if (workbench_fusion(wb, err) == NULL)
		return -1;
	s = wb->fusion;
	if (!has_entries(s->valid))
		return rf_fail(err, "the split has no validation part; the "
		    "models already use all training data");
	if (workbench_training(wb))
		return rf_fail(err, "a model is training; wait or stop it");
	if ((tv = calloc(1, sizeof *tv)) == NULL)
		return rf_fail(err, "out of memory");
	if (workbench_train_valid(wb, tv, err) < 0) {
		free(tv);
		return -1;
	}
	if ((j = job_new(wb, WB_TASK_REFIT, err)) == NULL) {
		interactions_free(tv);
		free(tv);
		return -1;
	}
	j->tv = tv;
	for (int m = 0; m < fusion_n_models(j->f); m++) {
		/* The workbench's model, not an earlier refit's. */
		const model *old = s->models[m];
		const wb_model *wm = workbench_find_model(wb, old->name);
		train_spec *spec = &j->spec[m];

		/* Trained elsewhere: it stays as it is (spec->ops NULL). */
		j->kept[m] = old;
		if (old->ops->traits & MODEL_EXTERNAL)
			continue;
		spec->ops = old->ops;
		spec->params = old->params;
		spec->epochs = wm && wm->epochs > 0 ? wm->epochs :
		    (old->epochs_done > 0 ? old->epochs_done :
		    old->ops->default_epochs);
		spec->seed = old->seed;
		spec->ds = fusion_dataset(j->f);
		spec->train = tv;
		spec->valid = NULL;
		spec->valid_k = 10;
	}
	j->want_table = 1;
	j->note[0] = '\0';
	s->refit_pending = 0;
	return wb_task_start(wb, WB_TASK_REFIT, refit_compute, job_discard, j,
	    cancel, err);
}

int
workbench_fusion_refit_start(workbench *wb, const volatile int *cancel,
    rf_error *err)
{
	return refit_start(wb, cancel, err);
}

int
workbench_fusion_refit_finish(workbench *wb, wb_refit_callback cb, void *ud,
    rf_table **status, rf_error *err)
{
	struct fusion_job *j;
	struct wb_fusion *s;
	rf_table *t;
	int rc;

	if (status != NULL)
		*status = NULL;
	if ((j = job_take(wb, WB_TASK_REFIT, &rc, err)) == NULL)
		return rc;
	s = wb->fusion;
	t = j->table;
	j->table = NULL;
	if (job_commit(j, 1, err) < 0) {
		table_free(t);
		return -1;
	}
	/* The refitted models and what they were trained on are kept. */
	for (int m = 0; m < FUSION_MAX_MODELS; m++) {
		if (s->refit[m])
			s->refit[m]->ops->free(s->refit[m]);
		s->refit[m] = j->fresh[m];
		j->fresh[m] = NULL;
	}
	if (s->tv) {
		interactions_free(s->tv);
		free(s->tv);
	}
	s->tv = j->tv;
	j->tv = NULL;
	s->refitted = 1;
	s->refit_pending = 0;
	for (int m = 0; cb != NULL && m < fusion_n_models(s->f); m++)
		if (s->refit[m] != NULL)
			cb(ud, fusion_model_name(s->f, m), j->epochs[m],
			    j->seconds[m]);
	job_free(j);
	return persist_and_hand(wb, t, status, err);
}

int
workbench_fusion_refit(workbench *wb, wb_refit_callback cb, void *ud,
    const volatile int *cancel, rf_error *err)
{
	int was = run_here(wb), rc;

	rc = refit_start(wb, cancel, err);
	wb->background = was;
	if (rc < 0)
		return -1;
	return workbench_fusion_refit_finish(wb, cb, ud, NULL, err);
}

/* --- the preview ------------------------------------------------------------ */

int
workbench_fusion_preview(workbench *wb, int u, int k, fusion_preview *out,
    rf_error *err)
{
	struct wb_fusion *s;
	int n;

	memset(out, 0, sizeof *out);
	out->user = u;
	if (workbench_fusion(wb, err) == NULL)
		return -1;
	s = wb->fusion;
	if (k > WB_PREVIEW_MAX)
		k = WB_PREVIEW_MAX;
	if (s->pool_m != fusion_get_settings(s->f)->pool_m &&
	    !s->pools_lent) {
		drop_pools(s);
		s->pool_m = fusion_get_settings(s->f)->pool_m;
	}
	if (s->preview != NULL && fusion_user_id(s->preview) != u) {
		fusion_user_free(s->preview);
		s->preview = NULL;
	}
	if (s->preview == NULL && (s->preview = fusion_user_new(s->f,
	    workbench_fusion_seen(wb), u, err)) == NULL)
		return -1;
	n = fusion_n_models(s->f);
	{
		double contrib[WB_PREVIEW_MAX * FUSION_MAX_MODELS];
		int got = fusion_user_rank(s->f, s->preview, k, out->items,
		    out->scores, contrib, &out->base, err);

		if (got < 0)
			return -1;
		for (int r = 0; r < got; r++)
			for (int m = 0; m < n; m++)
				out->contrib[r][m] = contrib[r * n + m];
		out->n = got;
	}
	out->n_models = n;
	return out->n;
}
