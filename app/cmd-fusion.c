/* cmd-fusion: the fusion commands: fuse, weights, tune, explain, refit.
 * Thin: find the workbench's trained models and split, keep one fusion
 * over them (rebuilt when the models or the split change), call the
 * engine, print.  The settings go to the store (key "fusion") after every
 * change, so they replay with the session. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "app/cmd-fusion.h"
#include "engine/explain.h"
#include "engine/fusion.h"
#include "engine/workbench.h"

extern const cmd_entry cmd_fuse_entry, cmd_weights_entry, cmd_tune_entry,
    cmd_explain_entry, cmd_refit_entry;

/*
 * The fusion over the workbench's models.  It lives here until the
 * workbench owns a slot for it; it checks on every use that the models
 * and the split it was built on are still the workbench's.
 */
static struct fusion_session {
	workbench *wb;
	const model *models[FUSION_MAX_MODELS];
	int n;
	const interactions *train, *valid, *test;
	fusion *f;
	fusion_pool *valid_pool, *test_pool;
	int pool_m;
	/* after `refit`: models trained on train + valid, owned here */
	interactions tv;
	int refitted;
	model *refit[FUSION_MAX_MODELS];
} fs;

static void
session_drop_pools(void)
{
	fusion_pool_free(fs.valid_pool);
	fusion_pool_free(fs.test_pool);
	fs.valid_pool = fs.test_pool = NULL;
}

static void
session_drop(void)
{
	session_drop_pools();
	fusion_free(fs.f);
	fs.f = NULL;
	for (int m = 0; m < FUSION_MAX_MODELS; m++)
		if (fs.refit[m]) {
			fs.refit[m]->ops->free(fs.refit[m]);
			fs.refit[m] = NULL;
		}
	if (fs.refitted)
		interactions_free(&fs.tv);
	fs.refitted = 0;
	fs.n = 0;
	fs.wb = NULL;
}

static void
save_settings(cmd_ctx *ctx)
{
	store *st = workbench_store(ctx->wb);
	char text[2048];
	rf_error err;

	if (fs.f == NULL || store_is_readonly(st))
		return;
	fusion_settings_format(fusion_get_settings(fs.f), text, sizeof text);
	if (store_set_setting(st, "fusion", text, &err) < 0)
		cmd_error(ctx, "fusion: settings not saved: %s", err.msg);
}

fusion *
cmd_fusion_current(cmd_ctx *ctx, rf_error *err)
{
	workbench *wb = ctx->wb;
	const model *ms[FUSION_MAX_MODELS];
	const char *names[FUSION_MAX_MODELS];
	const dataset *ds;
	int n = 0, same;
	char *saved;

	if ((ds = workbench_dataset(wb, err)) == NULL ||
	    workbench_ensure_split(wb, err) < 0)
		return NULL;
	for (int k = 0; k < workbench_model_count(wb) &&
	    n < FUSION_MAX_MODELS; k++) {
		const wb_model *wm = workbench_model_at(wb, k);

		if (wm && wm->m) {
			ms[n] = wm->m;
			names[n++] = wm->m->ops->name;
		}
	}
	if (n == 0) {
		rf_fail(err, "no trained model: `train MODEL` first");
		return NULL;
	}
	same = fs.f && fs.wb == wb && fs.n == n &&
	    fs.train == workbench_train_part(wb) &&
	    fs.valid == workbench_valid_part(wb) &&
	    fs.test == workbench_test_part(wb);
	for (int m = 0; same && m < n; m++)
		same = fs.models[m] == ms[m];
	if (same)
		return fs.f;
	session_drop();
	if ((fs.f = fusion_new(ds, ms, names, n, err)) == NULL)
		return NULL;
	fs.wb = wb;
	fs.n = n;
	memcpy(fs.models, ms, (size_t)n * sizeof *ms);
	fs.train = workbench_train_part(wb);
	fs.valid = workbench_valid_part(wb);
	fs.test = workbench_test_part(wb);
	/* Replay the stored settings (their weights for models that are
	 * not trained now are dropped). */
	if ((saved = store_get_setting(workbench_store(wb), "fusion"))) {
		fusion_settings s;
		rf_error e2;

		if (fusion_settings_parse(saved, &s, &e2) == 0) {
			int w = 0;

			for (int j = 0; j < s.n; j++)
				for (int m = 0; m < n; m++)
					if (strcasecmp(s.names[j], names[m])
					    == 0) {
						s.w[w] = s.w[j];
						memmove(s.names[w], s.names[j],
						    FUSION_NAME_MAX);
						w++;
						break;
					}
			s.n = w;
			if (s.method == FUSE_STACK)
				s.method = FUSE_WEIGHTED;	/* refit by
								 * `fuse stack` */
			fusion_apply_settings(fs.f, &s, &e2);
		}
		free(saved);
	}
	return fs.f;
}

static int
has_entries(const interactions *m)
{
	return m && m->nnz > 0;
}

/* The validation (and test) pools of the current fusion. */
static int
session_pools(cmd_ctx *ctx, int need_valid, rf_error *err)
{
	const fusion_settings *s = fusion_get_settings(fs.f);

	if (fs.pool_m != s->pool_m)
		session_drop_pools();
	fs.pool_m = s->pool_m;
	if (need_valid && !has_entries(fs.valid))
		return rf_fail(err, "the split has no validation part: "
		    "`split temporal 0.2 --valid 0.1` and train again");
	if (need_valid && fs.refitted)
		return rf_fail(err, "after `refit` the validation part is "
		    "training data; train the models again to tune");
	if (fs.valid_pool == NULL && has_entries(fs.valid) && !fs.refitted &&
	    (fs.valid_pool = fusion_pool_build(fs.f, NULL, fs.valid, NULL, 0,
	    2, err)) == NULL)
		return -1;
	if (fs.test_pool == NULL && has_entries(fs.test) &&
	    (fs.test_pool = fusion_pool_build(fs.f, fs.refitted ? &fs.tv :
	    NULL, fs.test, NULL, 0, 2, err)) == NULL)
		return -1;
	(void)ctx;
	return 0;
}

static int
rating_task(void)
{
	const dataset *ds = fusion_dataset(fs.f);
	int all = 1;

	for (int m = 0; m < fusion_n_models(fs.f); m++)
		if (fusion_model(fs.f, m)->ops->predict == NULL)
			all = 0;
	return ds->is_rating && all;
}

/* One table: per model (and fused) weight and metrics on valid/test. */
static void
print_status(cmd_ctx *ctx)
{
	rf_table *t = table_new("fusion");
	const fusion_settings *s = fusion_get_settings(fs.f);
	double w[FUSION_MAX_MODELS];
	rf_error err;
	int n = fusion_n_models(fs.f), rating = rating_task();
	char title[128];

	if (t == NULL)
		return;
	snprintf(title, sizeof title, "fusion: %s, norm %s%s",
	    fusion_method_name(s->method), fusion_norm_name(s->norm),
	    fs.refitted ? " (refitted on train + valid)" : "");
	free(t->title);
	t->title = strdup(title);
	fusion_weights(fs.f, w);
	table_add_column(t, "model", COL_TEXT);
	table_add_column(t, "weight", COL_REAL);
	table_add_column(t, rating ? "valid rmse" : "valid ndcg@10", COL_REAL);
	table_add_column(t, rating ? "test rmse" : "test ndcg@10", COL_REAL);
	table_add_column(t, "test recall@10", COL_REAL);
	if (session_pools(ctx, 0, &err) < 0) {
		cmd_error(ctx, "fusion: %s", err.msg);
		table_free(t);
		return;
	}
	for (int m = -1; m < n; m++) {
		int mm = m < 0 ? n : m;	/* fused last */
		metrics a, b;

		(void)mm;
		metrics_clear(&a);
		metrics_clear(&b);
		if (fs.valid_pool) {
			if (rating)
				fusion_pool_eval_rating(fs.f, fs.valid_pool,
				    m, &a, &err);
			else
				fusion_pool_eval(fs.f, fs.valid_pool, m, 10,
				    &a, &err);
		}
		if (fs.test_pool) {
			fusion_pool_eval(fs.f, fs.test_pool, m, 10, &b, &err);
			if (rating)
				fusion_pool_eval_rating(fs.f, fs.test_pool, m,
				    &b, &err);
		}
		table_begin_row(t);
		table_cell_text(t, m < 0 ? "fused" : fusion_model_name(fs.f,
		    m));
		if (m < 0)
			table_cell_null(t);
		else
			table_cell_real(t, w[m], 3);
		table_cell_real(t, rating ? a.rmse : a.ndcg, 4);
		table_cell_real(t, rating ? b.rmse : b.ndcg, 4);
		table_cell_real(t, b.recall, 4);
	}
	cmd_print_table(ctx, t);
	table_free(t);
}

/* --- fuse ----------------------------------------------------------------- */

static int
cmd_fuse_exec(cmd_ctx *ctx, const cmd_args *a)
{
	rf_error err = { { 0 } };
	fusion *f;
	int meth = fusion_method_parse(a->argv[0]);

	if (meth < 0) {
		cmd_error(ctx, "fuse: unknown method '%s' (weighted, rrf, "
		    "borda, vote, stack)", a->argv[0]);
		return -1;
	}
	if ((f = cmd_fusion_current(ctx, &err)) == NULL) {
		cmd_error(ctx, "fuse: %s", err.msg);
		return -1;
	}
	for (int k = 1; k < a->argc; k++)
		if (fusion_set_param(f, a->argv[k], &err) < 0) {
			cmd_error(ctx, "fuse: %s", err.msg);
			return -1;
		}
	if (meth == FUSE_STACK) {
		if (session_pools(ctx, 1, &err) < 0 ||
		    fusion_fit_stack(f, fs.valid_pool, rating_task(), 1,
		    &err) < 0) {
			cmd_error(ctx, "fuse: %s", err.msg);
			return -1;
		}
	} else
		fusion_set_method(f, (enum fusion_method)meth);
	save_settings(ctx);
	print_status(ctx);
	return 0;
}

const cmd_entry cmd_fuse_entry = {
	.name = "fuse",
	.alias = NULL,
	.options = "",
	.min_args = 1,
	.max_args = -1,
	.usage = "fuse weighted|rrf|borda|vote|stack [norm=zscore|minmax|rank|"
	    "borda|raw] [k=60] [n=10] [m=200] [l2=1]",
	.help = "Fuse the trained models: weighted (sum of weight x score\n"
	    "normalised per user), rrf (reciprocal-rank fusion, k), borda,\n"
	    "vote (each model votes for its top n; ties by the weighted\n"
	    "score), stack (learned on the validation part: logistic over\n"
	    "scores and user activity/recency, or a ridge blend of rating\n"
	    "predictions).  m is the candidates per model.",
	.flags = 0,
	.complete = { "weighted|rrf|borda|vote|stack",
	    "norm=|k=|n=|m=|l2=" },
	.exec = cmd_fuse_exec,
};

/* --- weights -------------------------------------------------------------- */

static int
cmd_weights_exec(cmd_ctx *ctx, const cmd_args *a)
{
	rf_error err = { { 0 } };
	fusion *f;

	if ((f = cmd_fusion_current(ctx, &err)) == NULL) {
		cmd_error(ctx, "weights: %s", err.msg);
		return -1;
	}
	for (int k = 0; k < a->argc; k++) {
		const char *eq = strchr(a->argv[k], '=');
		char *end;
		double w;
		int m;

		if (eq == NULL) {
			cmd_error(ctx, "weights: expected MODEL=W, got '%s'",
			    a->argv[k]);
			return -1;
		}
		for (m = 0; m < fusion_n_models(f); m++)
			if (strncasecmp(a->argv[k], fusion_model_name(f, m),
			    (size_t)(eq - a->argv[k])) == 0 &&
			    fusion_model_name(f, m)[eq - a->argv[k]] == '\0')
				break;
		if (m == fusion_n_models(f)) {
			cmd_error(ctx, "weights: '%.*s' is not a trained model",
			    (int)(eq - a->argv[k]), a->argv[k]);
			return -1;
		}
		w = strtod(eq + 1, &end);
		if (end == eq + 1 || *end || fusion_set_weight(f, m, w,
		    &err) < 0) {
			cmd_error(ctx, "weights: %s: weights are non-negative "
			    "numbers", a->argv[k]);
			return -1;
		}
	}
	if (a->argc > 0) {
		if (fusion_get_settings(f)->method == FUSE_STACK)
			fusion_set_method(f, FUSE_WEIGHTED);
		save_settings(ctx);
	}
	print_status(ctx);
	return 0;
}

const cmd_entry cmd_weights_entry = {
	.name = "weights",
	.alias = NULL,
	.options = "",
	.min_args = 0,
	.max_args = -1,
	.usage = "weights [MODEL=W ...]",
	.help = "Show or set the fusion weights (non-negative; shown\n"
	    "normalised to sum 1) with the validation and test metrics of\n"
	    "each model and of the fusion.",
	.flags = 0,
	.complete = { "model" },
	.exec = cmd_weights_exec,
};

/* --- tune ----------------------------------------------------------------- */

static int
cmd_tune_exec(cmd_ctx *ctx, const cmd_args *a)
{
	rf_error err = { { 0 } };
	fusion *f;
	fusion_tune_report rep;
	const char *v = args_opt(a, "metric");
	int metric, rc;
	rf_table *t;

	if ((f = cmd_fusion_current(ctx, &err)) == NULL) {
		cmd_error(ctx, "tune: %s", err.msg);
		return -1;
	}
	metric = v ? fusion_tune_metric_parse(v) : rating_task() ? TUNE_RMSE :
	    TUNE_NDCG10;
	if (metric < 0) {
		cmd_error(ctx, "tune: --metric is ndcg@10, recall@20 or rmse");
		return -1;
	}
	if (session_pools(ctx, 1, &err) < 0) {
		cmd_error(ctx, "tune: %s", err.msg);
		return -1;
	}
	rc = fusion_tune(f, fs.valid_pool, fs.test_pool,
	    (enum tune_metric)metric, &rep, ctx->cancel, &err);
	if (rc < 0) {
		cmd_error(ctx, "tune: %s", err.msg);
		return -1;
	}
	if (rc == 1) {
		cmd_error(ctx, "tune: cancelled; weights unchanged");
		return -1;
	}
	if ((t = table_new(NULL)) == NULL)
		return -1;
	table_add_column(t, "model", COL_TEXT);
	table_add_column(t, "weight", COL_REAL);
	table_add_column(t, "valid", COL_REAL);
	table_add_column(t, "test", COL_REAL);
	for (int m = 0; m <= rep.n_models; m++) {
		table_begin_row(t);
		table_cell_text(t, m < rep.n_models ? fusion_model_name(f, m) :
		    "fused");
		table_cell_real(t, m < rep.n_models ? rep.w[m] : 1, 3);
		table_cell_real(t, m < rep.n_models ? rep.single_valid[m] :
		    rep.fused_valid, 4);
		if (m < rep.n_models ? isnan(rep.single_test[m]) :
		    isnan(rep.fused_test))
			table_cell_null(t);
		else
			table_cell_real(t, m < rep.n_models ?
			    rep.single_test[m] : rep.fused_test, 4);
	}
	cmd_printf(ctx, "tune %s: weighted, norm %s; best single %s; %d "
	    "evaluations in %.2f s", fusion_tune_metric_name(rep.metric),
	    fusion_norm_name(rep.norm), fusion_model_name(f, rep.best_single),
	    rep.evaluations, rep.seconds);
	cmd_print_table(ctx, t);
	table_free(t);
	save_settings(ctx);
	return 0;
}

const cmd_entry cmd_tune_entry = {
	.name = "tune",
	.alias = NULL,
	.options = "metric=",
	.min_args = 0,
	.max_args = 0,
	.usage = "tune [--metric ndcg@10|recall@20|rmse]",
	.help = "Learn the weights (and normalisation) of `weighted` on the\n"
	    "validation part; never worse than the best single model there.\n"
	    "Prints every model's metric and the fusion's on validation and\n"
	    "test.",
	.flags = 0,
	.complete = { NULL },
	.exec = cmd_tune_exec,
};

/* --- explain -------------------------------------------------------------- */

static int
cmd_explain_exec(cmd_ctx *ctx, const cmd_args *a)
{
	rf_error err = { { 0 } };
	fusion *f;
	const dataset *ds;
	int u, i = -1, k = 10;
	long kv;

	if ((f = cmd_fusion_current(ctx, &err)) == NULL) {
		cmd_error(ctx, "explain: %s", err.msg);
		return -1;
	}
	ds = fusion_dataset(f);
	if ((u = dataset_user_index(ds, a->argv[0])) < 0) {
		cmd_error(ctx, "explain: unknown user '%s'", a->argv[0]);
		return -1;
	}
	if (a->argc > 1 && (i = dataset_item_index(ds, a->argv[1])) < 0) {
		cmd_error(ctx, "explain: unknown item '%s'", a->argv[1]);
		return -1;
	}
	if (args_int(ctx, a, "k", 10, 1, 1000, &kv) < 0)
		return -1;
	k = (int)kv;
	if (i >= 0) {
		explanation x;
		rf_table *t;

		if (explain_item(f, u, i, args_opt(a, "probe") != NULL, &x,
		    &err) < 0) {
			cmd_error(ctx, "explain: %s", err.msg);
			return -1;
		}
		cmd_printf(ctx, "%s", x.sentence);
		if ((t = explanation_table(f, &x, &err)) != NULL) {
			cmd_print_table(ctx, t);
			table_free(t);
		}
		if ((t = explanation_reasons_table(f, &x, &err)) != NULL) {
			if (t->nrows > 0)
				cmd_print_table(ctx, t);
			table_free(t);
		}
	} else {
		explain_user_summary s;
		rf_table *t;

		if (explain_user(f, u, k, &s, &err) < 0) {
			cmd_error(ctx, "explain: %s", err.msg);
			return -1;
		}
		if ((t = explain_user_history_table(f, &s, &err)) != NULL) {
			cmd_print_table(ctx, t);
			table_free(t);
		}
		if ((t = explain_user_recs_table(f, &s, &err)) != NULL) {
			cmd_print_table(ctx, t);
			table_free(t);
		}
		explain_user_summary_free(&s);
	}
	return 0;
}

const cmd_entry cmd_explain_entry = {
	.name = "explain",
	.alias = NULL,
	.options = "probe k=",
	.min_args = 1,
	.max_args = 2,
	.usage = "explain USER [ITEM] [--probe] [--k 10]",
	.help = "Why the fusion recommends ITEM to USER: each model's share\n"
	    "of the fused score, its own reasons (history items and your\n"
	    "behaviour on them, popularity, category), and a sentence.\n"
	    "--probe leaves each history item out and re-scores (models whose\n"
	    "score depends on the history row only).  Without ITEM: the\n"
	    "user's history summary and top K with a reason each.",
	.flags = 0,
	.complete = { "user", "item" },
	.exec = cmd_explain_exec,
};

/* --- refit ---------------------------------------------------------------- */

static int
cmd_refit_exec(cmd_ctx *ctx, const cmd_args *a)
{
	rf_error err = { { 0 } };
	fusion *f;
	const dataset *ds;
	const model *nm[FUSION_MAX_MODELS];
	int n;

	(void)a;
	if ((f = cmd_fusion_current(ctx, &err)) == NULL) {
		cmd_error(ctx, "refit: %s", err.msg);
		return -1;
	}
	if (!has_entries(fs.valid)) {
		cmd_error(ctx, "refit: the split has no validation part; the "
		    "models already use all training data");
		return -1;
	}
	ds = fusion_dataset(f);
	n = fusion_n_models(f);
	if (!fs.refitted) {
		if (workbench_train_valid(ctx->wb, &fs.tv, &err) < 0) {
			cmd_error(ctx, "refit: %s", err.msg);
			return -1;
		}
		fs.refitted = 1;
	}
	for (int m = 0; m < n; m++) {
		const model *old = fs.models[m];
		const wb_model *wm = workbench_find_model(ctx->wb,
		    old->ops->name);
		int epochs = wm && wm->epochs > 0 ? wm->epochs :
		    old->ops->default_epochs;
		model *fresh = old->ops->create(ds, &fs.tv, old->params,
		    old->seed, &err);
		double loss;

		if (fresh == NULL) {
			cmd_error(ctx, "refit: %s: %s", old->ops->name, err.msg);
			return -1;
		}
		for (int e = 0; e < epochs; e++) {
			int rc = old->ops->epoch(fresh, e, &loss, ctx->cancel,
			    &err);

			if (rc != 0) {
				fresh->ops->free(fresh);
				cmd_error(ctx, "refit: %s: %s", old->ops->name,
				    rc > 0 ? "cancelled" : err.msg);
				return -1;
			}
		}
		fresh->epochs_done = epochs;
		if (fs.refit[m])
			fs.refit[m]->ops->free(fs.refit[m]);
		fs.refit[m] = fresh;
		nm[m] = fresh;
		cmd_printf(ctx, "refit %s on train + valid: %d epochs",
		    old->ops->name, epochs);
	}
	if (fusion_replace_models(f, nm, &err) < 0) {
		cmd_error(ctx, "refit: %s", err.msg);
		return -1;
	}
	/* The validation part is now training data: only test is left. */
	session_drop_pools();
	print_status(ctx);
	return 0;
}

const cmd_entry cmd_refit_entry = {
	.name = "refit",
	.alias = NULL,
	.options = "",
	.min_args = 0,
	.max_args = 0,
	.usage = "refit",
	.help = "Retrain every model of the fusion on train + validation with\n"
	    "the same parameters, keeping the weights, so that the final\n"
	    "recommendations use all the training data.",
	.flags = 0,
	.complete = { NULL },
	.exec = cmd_refit_exec,
};
