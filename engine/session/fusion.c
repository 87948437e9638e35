/* fusion: the session's fusion (see workbench.h): one fusion
 * over the trained models of the current split, its validation and test
 * candidate pools, the models refitted on train + valid, and the live
 * metrics the Fusion screen draws.  Commands change it through the
 * functions below; every change is stored (key "fusion" of the settings
 * table) so that the session replays. */
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

struct wb_fusion {
	/* what the fusion was built on (checked on every use) */
	const model *models[FUSION_MAX_MODELS];
	int n;
	const interactions *train, *valid, *test;
	fusion *f;
	fusion_pool *valid_pool, *test_pool;
	int pool_m;
	/* the Fusion screen's preview: one user's block, scored once and
	 * re-ranked on every change of the settings */
	fusion_user *preview;
	/* per pool row of the live part: the best single model's NDCG and
	 * the fusion's (for the interval of their difference) */
	double *live_best, *live_fused;
	int live_rows;
	/* after `refit`: models trained on train + valid (on the heap: the
	 * models keep pointers to it), owned here */
	interactions *tv;
	int refitted;
	model *refit[FUSION_MAX_MODELS];
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
drop_pools(struct wb_fusion *s)
{
	fusion_pool_free(s->valid_pool);
	fusion_pool_free(s->test_pool);
	s->valid_pool = s->test_pool = NULL;
	fusion_user_free(s->preview);
	s->preview = NULL;
	free(s->live_best);
	free(s->live_fused);
	s->live_best = s->live_fused = NULL;
	s->live_rows = 0;
	s->live.best = -1;
}

void
wb_fusion_drop(workbench *wb)
{
	struct wb_fusion *s = wb->fusion;

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
	s->n = 0;
	s->train = s->valid = s->test = NULL;
	s->live.ready = 0;
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
 * deterministic), or the note says why not. */
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
	else if (workbench_fusion_refit(wb, NULL, NULL, NULL, &e2) != 0)
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
	wb_fusion_drop(wb);
	if ((s->f = fusion_new(ds, ms, names, n, err)) == NULL)
		return NULL;
	/* On-the-fly lists (recommend, explain, the screens) leave out what
	 * the user already has, as the test pool does. */
	if (fusion_set_known(s->f, workbench_known_part(wb), err) < 0) {
		wb_fusion_drop(wb);
		return NULL;
	}
	s->n = n;
	memcpy(s->models, ms, (size_t)n * sizeof *ms);
	s->train = workbench_train_part(wb);
	s->valid = workbench_valid_part(wb);
	s->test = workbench_test_part(wb);
	s->pool_m = fusion_get_settings(s->f)->pool_m;
	replay_settings(wb, s);
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

const interactions *
workbench_fusion_seen(const workbench *wb)
{
	const struct wb_fusion *s = wb->fusion;

	if (!still_current(wb, s))
		return NULL;
	return workbench_known_part(wb);
}

int
workbench_fusion_is_rating(const workbench *wb)
{
	const fusion *f = workbench_fusion_peek(wb);
	const dataset *ds;

	if (f == NULL)
		return 0;
	ds = fusion_dataset(f);
	for (int m = 0; m < fusion_n_models(f); m++)
		if (fusion_model(f, m)->ops->predict == NULL)
			return 0;
	return ds->is_rating;
}

/* A pool of the part's users, or of the session's seeded sample of them
 * on big data (workbench_sample_users()): tune and the live metrics then
 * re-rank a sample, and say so through the intervals they give. */
static fusion_pool *
sampled_pool(workbench *wb, struct wb_fusion *s, const interactions *exclude,
    const interactions *part, rf_error *err)
{
	int32_t *users;
	int n, total;
	fusion_pool *p;

	if ((users = wb_part_users(wb, part, 0, &n, &total)) == NULL) {
		rf_fail(err, "fusion: out of memory");
		return NULL;
	}
	p = fusion_pool_build(s->f, exclude, part, n < total ? users : NULL,
	    n < total ? n : 0, 2, err);
	free(users);
	return p;
}

fusion_pool *
workbench_fusion_pool(workbench *wb, int part, rf_error *err)
{
	struct wb_fusion *s;

	if (workbench_fusion(wb, err) == NULL)
		return NULL;
	s = wb->fusion;
	if (s->pool_m != fusion_get_settings(s->f)->pool_m) {
		drop_pools(s);
		s->pool_m = fusion_get_settings(s->f)->pool_m;
	}
	if (part == 1) {
		if (!has_entries(s->valid)) {
			rf_fail(err, "the split has no validation part: "
			    "`split temporal 0.2 --valid 0.1` and train again");
			return NULL;
		}
		if (s->refitted) {
			rf_fail(err, "after `refit` the validation part is "
			    "training data; train the models again to tune");
			return NULL;
		}
		if (s->valid_pool == NULL)
			s->valid_pool = sampled_pool(wb, s, NULL, s->valid,
			    err);
		return s->valid_pool;
	}
	if (!has_entries(s->test)) {
		rf_fail(err, "the split has no test part");
		return NULL;
	}
	/* The test candidates leave out what is known of each user (train
	 * + valid), before a refit as after it, like every single model's
	 * evaluation: like with like. */
	if (s->test_pool == NULL)
		s->test_pool = sampled_pool(wb, s, workbench_known_part(wb),
		    s->test, err);
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

/* The live metrics; fused_only: the single models' figures are known
 * (they do not depend on the weights, the method or the normalisation,
 * only on the pool) and only the fused one is measured again. */
static int
refresh(workbench *wb, int fused_only, rf_error *err)
{
	struct wb_fusion *s;
	fusion_pool *p;
	fusion_live *l;
	metrics mt;
	paired_diff d;
	int part, nu;

	if (workbench_fusion(wb, err) == NULL)
		return -1;
	s = wb->fusion;
	l = &s->live;
	part = has_entries(s->valid) && !s->refitted ? 1 : 2;
	if (part == 2 && !has_entries(s->test)) {
		l->ready = 0;
		l->generation++;
		return rf_fail(err, "the split has neither a validation nor "
		    "a test part: `split temporal 0.2 --valid 0.1`");
	}
	if ((p = workbench_fusion_pool(wb, part, err)) == NULL)
		return -1;
	nu = fusion_pool_n_users(p);
	if (s->live_rows != nu || s->live_best == NULL) {
		free(s->live_best);
		free(s->live_fused);
		s->live_best = malloc(((size_t)nu + 1) * sizeof *s->live_best);
		s->live_fused = malloc(((size_t)nu + 1) *
		    sizeof *s->live_fused);
		s->live_rows = nu;
		fused_only = 0;
		if (s->live_best == NULL || s->live_fused == NULL) {
			s->live_rows = 0;
			return rf_fail(err, "fusion: out of memory");
		}
	}
	if (!l->ready || l->part != part ||
	    l->n_models != fusion_n_models(s->f))
		fused_only = 0;
	l->part = part;
	l->n_models = fusion_n_models(s->f);
	fusion_weights(s->f, l->weight);
	if (!fused_only)
		l->best = -1;
	for (int m = fused_only ? -1 : l->n_models - 1; m >= -1; m--) {
		/* The singles first (best kept row by row), then fused. */
		if (fusion_pool_eval_rows(s->f, p, m, 10, &mt, s->live_fused,
		    err) < 0)
			return -1;
		if (m < 0) {
			l->fused_ndcg = mt.ndcg;
			l->fused_recall = mt.recall;
		} else {
			snprintf(l->names[m], FUSION_NAME_MAX, "%s",
			    fusion_model_name(s->f, m));
			l->ndcg[m] = mt.ndcg;
			l->recall[m] = mt.recall;
			if (l->best < 0 || mt.ndcg > l->ndcg[l->best]) {
				double *t = s->live_best;

				l->best = m;
				s->live_best = s->live_fused;
				s->live_fused = t;
			}
		}
	}
	if (l->best >= 0) {
		paired_compare(s->live_fused, s->live_best, NULL, nu, &d);
		l->diff = d.mean;
		l->diff_lo = d.lo;
		l->diff_hi = d.hi;
	} else
		l->diff = l->diff_lo = l->diff_hi = NAN;
	snprintf(l->method, sizeof l->method, "%s",
	    fusion_method_name(fusion_get_settings(s->f)->method));
	snprintf(l->norm, sizeof l->norm, "%s",
	    fusion_norm_name(fusion_get_settings(s->f)->norm));
	l->ready = 1;
	l->generation++;
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

/* After a change: store the settings and refresh the live metrics. */
static int
commit(workbench *wb, rf_error *err)
{
	if (persist(wb, err) < 0)
		return -1;
	wb->fusion->note[0] = '\0';
	return refresh(wb, 0, err);
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

int
workbench_fuse(workbench *wb, const char *method, int nparams,
    char *const *params, rf_error *err)
{
	int meth = fusion_method_parse(method);
	fusion *f;
	fusion_settings keep;

	if (meth < 0)
		return rf_fail(err, "unknown method '%s' (weighted, rrf, "
		    "borda, vote, stack)", method);
	if ((f = workbench_fusion(wb, err)) == NULL)
		return -1;
	keep = *fusion_get_settings(f);
	for (int k = 0; k < nparams; k++)
		if (fusion_set_param(f, params[k], err) < 0) {
			fusion_apply_settings(f, &keep, NULL);
			return -1;
		}
	if (meth == FUSE_STACK) {
		fusion_pool *p = workbench_fusion_pool(wb, 1, err);

		if (p == NULL || fusion_fit_stack(f, p,
		    workbench_fusion_is_rating(wb), 1, err) < 0) {
			fusion_apply_settings(f, &keep, NULL);
			return -1;
		}
	} else
		fusion_set_method(f, (enum fusion_method)meth);
	return commit(wb, err);
}

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
	return refresh(wb, 1, err);
}

int
workbench_fusion_tune(workbench *wb, int metric, fusion_tune_report *rep,
    const volatile int *cancel, rf_error *err)
{
	fusion *f;
	fusion_pool *valid, *test = NULL;
	rf_error e2;
	int rc;

	if ((f = workbench_fusion(wb, err)) == NULL)
		return -1;
	if (metric < 0)
		metric = workbench_fusion_is_rating(wb) ? TUNE_RMSE :
		    TUNE_NDCG10;
	if ((valid = workbench_fusion_pool(wb, 1, err)) == NULL)
		return -1;
	/* The test figures are reported beside, never used to choose. */
	if (has_entries(workbench_test_part(wb)))
		test = workbench_fusion_pool(wb, 2, &e2);
	rc = fusion_tune(f, valid, test, (enum tune_metric)metric, rep,
	    cancel, err);
	if (rc != 0)
		return rc;
	return commit(wb, err);
}

int
workbench_fusion_refit(workbench *wb, wb_refit_callback cb, void *ud,
    const volatile int *cancel, rf_error *err)
{
	struct wb_fusion *s;
	model *fresh[FUSION_MAX_MODELS] = { 0 };
	const model *nm[FUSION_MAX_MODELS];
	interactions *tv;
	fusion *f;
	int n, rc = -1;

	if ((f = workbench_fusion(wb, err)) == NULL)
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
	n = fusion_n_models(f);
	for (int m = 0; m < n; m++) {
		/* The workbench's model, not an earlier refit's. */
		const model *old = s->models[m];
		const wb_model *wm = workbench_find_model(wb, old->name);
		train_spec spec;
		int cancelled = 0;
		double t0 = rf_monotonic();

		memset(&spec, 0, sizeof spec);
		spec.ops = old->ops;
		spec.params = old->params;
		spec.epochs = wm && wm->epochs > 0 ? wm->epochs :
		    (old->epochs_done > 0 ? old->epochs_done :
		    old->ops->default_epochs);
		spec.seed = old->seed;
		spec.ds = fusion_dataset(f);
		spec.train = tv;
		spec.valid = NULL;
		spec.valid_k = 10;
		if ((fresh[m] = train_run(&spec, NULL, NULL, cancel,
		    &cancelled, err)) == NULL || cancelled) {
			char msg[sizeof err->msg];

			if (cancelled)
				rc = 1;
			else {
				snprintf(msg, sizeof msg, "%s", err->msg);
				rf_fail(err, "%s: %s", old->name, msg);
			}
			goto fail;
		}
		/* Refitted under the name it had. */
		snprintf(fresh[m]->name, sizeof fresh[m]->name, "%s",
		    old->name);
		nm[m] = fresh[m];
		if (cb)
			cb(ud, old->name, spec.epochs,
			    rf_monotonic() - t0);
	}
	/* Swap in: the fusion keeps its weights and stack. */
	if (fusion_replace_models(f, nm, err) < 0)
		goto fail;
	for (int m = 0; m < n; m++) {
		if (s->refit[m])
			s->refit[m]->ops->free(s->refit[m]);
		s->refit[m] = fresh[m];
	}
	if (s->tv) {
		interactions_free(s->tv);
		free(s->tv);
	}
	s->tv = tv;
	s->refitted = 1;
	drop_pools(s);
	return commit(wb, err);
fail:
	for (int m = 0; m < n; m++)
		if (fresh[m])
			fresh[m]->ops->free(fresh[m]);
	interactions_free(tv);
	free(tv);
	return rc;
}

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
	if (s->pool_m != fusion_get_settings(s->f)->pool_m) {
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

rf_table *
workbench_fusion_table(workbench *wb, rf_error *err)
{
	struct wb_fusion *s;
	fusion_pool *vp = NULL, *tp = NULL;
	const fusion_settings *set;
	double w[FUSION_MAX_MODELS];
	rf_table *t;
	rf_error e2;
	char title[400];
	int n, rating;

	if (workbench_fusion(wb, err) == NULL)
		return NULL;
	s = wb->fusion;
	set = fusion_get_settings(s->f);
	rating = workbench_fusion_is_rating(wb);
	if (has_entries(s->valid) && !s->refitted &&
	    (vp = workbench_fusion_pool(wb, 1, err)) == NULL)
		return NULL;
	if (has_entries(s->test) &&
	    (tp = workbench_fusion_pool(wb, 2, err)) == NULL)
		return NULL;
	snprintf(title, sizeof title, "fusion: %s, norm %s%s%s%s",
	    fusion_method_name(set->method), fusion_norm_name(set->norm),
	    s->refitted ? " (refitted on train + valid)" : "",
	    s->note[0] ? "; " : "", s->note);
	if ((t = table_new(title)) == NULL) {
		rf_fail(err, "out of memory");
		return NULL;
	}
	n = fusion_n_models(s->f);
	fusion_weights(s->f, w);
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
				fusion_pool_eval_rating(s->f, vp, m, &a, &e2);
			else
				fusion_pool_eval(s->f, vp, m, 10, &a, &e2);
		}
		if (tp) {
			fusion_pool_eval(s->f, tp, m, 10, &b, &e2);
			if (rating)
				fusion_pool_eval_rating(s->f, tp, m, &b, &e2);
		}
		table_begin_row(t);
		table_cell_text(t, m < 0 ? "fused" : fusion_model_name(s->f,
		    m));
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
