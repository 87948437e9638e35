/* fusion: the fusion commands: fuse, weights, tune, explain, refit.
 * Thin: parse, call the workbench's fusion (engine/session/, which keeps
 * the fusion over the trained models, its pools, the refitted models and
 * the stored settings), print. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "app/cmd/fusion.h"
#include "app/cmd/task.h"
#include "engine/explain/explain.h"
#include "engine/fusion/fusion.h"
#include "engine/session/workbench.h"

extern const cmd_entry cmd_fuse_entry, cmd_weights_entry, cmd_tune_entry,
    cmd_explain_entry, cmd_refit_entry;

/* How the fusion is set (the fusion table's title says it to people):
 * method, norm, refitted, note. */
static rf_table *
settings_record(cmd_ctx *ctx)
{
	const fusion *f = workbench_fusion_peek(ctx->wb);
	const fusion_settings *set;
	rf_table *t;

	if (f == NULL || (t = table_new("settings")) == NULL)
		return NULL;
	set = fusion_get_settings(f);
	table_add_column(t, "method", COL_TEXT);
	table_add_column(t, "norm", COL_TEXT);
	table_add_column(t, "refitted", COL_INT);
	table_add_column(t, "note", COL_TEXT);
	table_begin_row(t);
	table_cell_text(t, fusion_method_name(set->method));
	table_cell_text(t, fusion_norm_name(set->norm));
	table_cell_int(t, workbench_fusion_refitted(ctx->wb));
	table_cell_text(t, workbench_fusion_note(ctx->wb));
	return t;
}

/* What a fitted stack weighs each model by for the average user (its
 * tables show no weights): a sentence, or a record of model ->
 * coefficient in a document.  Nothing when no stack is fitted. */
static void
print_stack(cmd_ctx *ctx, const fusion *f)
{
	char list[512], sentence[700];
	double w[FUSION_MAX_MODELS];
	int kind;
	rf_table *t;

	if (f == NULL || fusion_get_settings(f)->method != FUSE_STACK ||
	    (kind = fusion_stack_summary(f, list, sizeof list)) < 0)
		return;
	snprintf(sentence, sizeof sentence, "the stack weighs, for the "
	    "average user: %s (coefficients on the models' %s%s; activity, "
	    "recency and spread move them per user; `explain` splits a "
	    "score)", list, kind ? "rating predictions" :
	    fusion_norm_name(fusion_get_settings(f)->norm),
	    kind ? "" : " scores");
	(void)fusion_stack_weights(f, w);
	if ((t = table_new("stack")) == NULL) {
		cmd_printf(ctx, "%s", sentence);
		return;
	}
	table_add_column(t, "scores", COL_TEXT);
	for (int m = 0; m < fusion_n_models(f); m++)
		table_add_column(t, fusion_model_name(f, m), COL_REAL);
	table_begin_row(t);
	table_cell_text(t, kind ? "ratings" : fusion_norm_name(
	    fusion_get_settings(f)->norm));
	for (int m = 0; m < fusion_n_models(f); m++)
		table_cell_real(t, w[m], 4);
	cmd_print_record(ctx, "stack", t, sentence);
	table_free(t);
}

/* One table: per model (and fused) weight and metrics on valid/test. */
static void
print_status_table(cmd_ctx *ctx, rf_table *t)
{
	if (workbench_fusion_note(ctx->wb)[0])
		cmd_printf(ctx, "fusion: %s", workbench_fusion_note(ctx->wb));
	cmd_print_part(ctx, "fusion", t);
	table_free(t);
	print_stack(ctx, workbench_fusion_peek(ctx->wb));
	t = settings_record(ctx);
	cmd_print_record(ctx, "settings", t, NULL);
	table_free(t);
}

/* The table of the fusion as it is: computed here in batch mode, by a
 * background task beside the screen (it scores the pools the first
 * time). */
static int
status_finish(cmd_ctx *ctx, void *ud)
{
	rf_error err = { { 0 } };
	rf_table *t = workbench_fusion_status_finish(ctx->wb, &err);

	(void)ud;
	if (t == NULL) {
		cmd_error(ctx, "fusion: %s", err.msg);
		return -1;
	}
	print_status_table(ctx, t);
	return 0;
}

static void
print_status(cmd_ctx *ctx)
{
	rf_error err = { { 0 } };
	rf_table *t;

	if (ctx->events != NULL) {
		if (workbench_fusion_status_start(ctx->wb, &err) < 0)
			cmd_error(ctx, "fusion: %s", err.msg);
		else
			(void)cmd_task_begin(ctx, status_finish, NULL);
		return;
	}
	if ((t = workbench_fusion_table(ctx->wb, &err)) == NULL) {
		cmd_error(ctx, "fusion: %s", err.msg);
		return;
	}
	print_status_table(ctx, t);
}

/* --- measure: the pools and live metrics beside the screen --------------- */

/* A fusion that could not be measured is not tried again by itself (the
 * front asks whenever it is idle). */
static const fusion *measure_failed;

static int
measure_finish(cmd_ctx *ctx, void *ud)
{
	rf_error err = { { 0 } };

	(void)ud;
	if (workbench_fusion_measure_finish(ctx->wb, &err) != 0) {
		measure_failed = workbench_fusion_peek(ctx->wb);
		cmd_error(ctx, "fusion metrics: %s", err.msg[0] ? err.msg :
		    "cancelled (`weights` measures again)");
		return -1;
	}
	return 0;
}

static void refit_print(void *ud, const char *name, int epochs,
    double seconds);

static int
replayed_refit_finish(cmd_ctx *ctx, void *ud)
{
	rf_error err = { { 0 } };
	int rc;

	(void)ud;
	rc = workbench_fusion_refit_finish(ctx->wb, NULL, NULL, NULL, &err);
	if (rc != 0) {
		cmd_error(ctx, "refit as in the earlier session: %s", rc > 0 ?
		    "cancelled; the fusion keeps its models (`refit` redoes "
		    "it)" : err.msg);
		return -1;
	}
	cmd_printf(ctx, "refitted the fusion's models on train + valid, as "
	    "in the earlier session");
	return 0;
}

int
fusion_measure_background(cmd_ctx *ctx, int asked)
{
	rf_error err = { { 0 } };
	const fusion *f = workbench_fusion_peek(ctx->wb);
	const fusion_live *l;
	const interactions *v = workbench_valid_part(ctx->wb);
	const interactions *t = workbench_test_part(ctx->wb);

	if (asked)
		measure_failed = NULL;
	if (workbench_task_kind(ctx->wb) != WB_TASK_NONE || f == NULL ||
	    f == measure_failed || ((v == NULL || v->nnz == 0) &&
	    (t == NULL || t->nnz == 0)))
		return 0;
	if (workbench_fusion_refit_pending(ctx->wb)) {
		if (workbench_fusion_refit_start(ctx->wb, NULL, &err) < 0) {
			measure_failed = f;
			cmd_error(ctx, "refit as in the earlier session: %s",
			    err.msg);
			return -1;
		}
		return cmd_task_begin(ctx, replayed_refit_finish, NULL) < 0 ?
		    -1 : 1;
	}
	l = workbench_fusion_live(ctx->wb);
	if (l->ready && !l->stale)
		return 0;
	if (workbench_fusion_measure_start(ctx->wb, &err) < 0) {
		measure_failed = f;
		cmd_error(ctx, "fusion metrics: %s", err.msg);
		return -1;
	}
	return cmd_task_begin(ctx, measure_finish, NULL) < 0 ? -1 : 1;
}

/* --- fuse ----------------------------------------------------------------- */

static int
fuse_finish(cmd_ctx *ctx, void *ud)
{
	rf_error err = { { 0 } };
	rf_table *t;
	int rc = workbench_fuse_finish(ctx->wb, &t, &err);

	(void)ud;
	if (rc != 0) {
		cmd_error(ctx, "fuse: %s", rc > 0 ? "cancelled; the fusion is "
		    "as it was" : err.msg);
		return -1;
	}
	print_status_table(ctx, t);
	return 0;
}

static int
cmd_fuse_exec(cmd_ctx *ctx, const cmd_args *a)
{
	rf_error err = { { 0 } };

	if (workbench_fuse_start(ctx->wb, a->argv[0], a->argc - 1,
	    a->argv + 1, &err) < 0) {
		cmd_error(ctx, "fuse: %s", err.msg);
		return -1;
	}
	return cmd_task_begin(ctx, fuse_finish, NULL);
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

/* Beside the screen a slider step prints one line, from the live
 * metrics (the table ranks every model on both pools: too slow for a
 * key); batch mode prints the table. */
static void
print_weights_line(cmd_ctx *ctx)
{
	const fusion *f = workbench_fusion_peek(ctx->wb);
	const fusion_live *l = workbench_fusion_live(ctx->wb);
	double w[FUSION_MAX_MODELS];
	char text[1024];
	size_t used = 0;

	if (f == NULL)
		return;
	fusion_weights(f, w);
	for (int m = 0; m < fusion_n_models(f) && used < sizeof text; m++)
		used += (size_t)snprintf(text + used, sizeof text - used,
		    "%s%s %.3f", m ? ", " : "", fusion_model_name(f, m), w[m]);
	if (l->ready && !l->stale && used < sizeof text)
		snprintf(text + used, sizeof text - used, "; fused NDCG@10 "
		    "%.4f on %s", l->fused_ndcg, l->part == 1 ? "validation" :
		    "test");
	cmd_printf(ctx, "weights %s", text);
}

/* `weights --share MODEL=S`: the model's share of the weight set to S,
 * the others scaled to keep the sum 1 (what a slider step does): the
 * assignments of every model, in text[] (n models). */
static int
share_assignments(cmd_ctx *ctx, const cmd_args *a, char text[][64],
    char **assign, int *n)
{
	rf_error err = { { 0 } };
	const fusion *f;
	double w[FUSION_MAX_MODELS], out[FUSION_MAX_MODELS], share;
	const char *eq;
	char *end;
	int m;

	if (a->argc != 1 || (eq = strchr(a->argv[0], '=')) == NULL) {
		cmd_error(ctx, "weights: --share takes one MODEL=SHARE");
		return -1;
	}
	if ((f = workbench_fusion(ctx->wb, &err)) == NULL) {
		cmd_error(ctx, "weights: %s", err.msg);
		return -1;
	}
	for (m = 0; m < fusion_n_models(f); m++)
		if (strncasecmp(a->argv[0], fusion_model_name(f, m),
		    (size_t)(eq - a->argv[0])) == 0 &&
		    fusion_model_name(f, m)[eq - a->argv[0]] == '\0')
			break;
	if (m == fusion_n_models(f)) {
		cmd_error(ctx, "weights: '%.*s' is not a trained model",
		    (int)(eq - a->argv[0]), a->argv[0]);
		return -1;
	}
	share = strtod(eq + 1, &end);
	if (end == eq + 1 || *end != '\0' || !(share >= 0 && share <= 1)) {
		cmd_error(ctx, "weights: %s: a share is a number from 0 to 1",
		    a->argv[0]);
		return -1;
	}
	fusion_weights(f, w);
	workbench_fusion_share(w, fusion_n_models(f), m, share, out);
	*n = fusion_n_models(f);
	for (int k = 0; k < *n; k++) {
		snprintf(text[k], 64, "%s=%.17g", fusion_model_name(f, k),
		    out[k]);
		assign[k] = text[k];
	}
	return 0;
}

static int
cmd_weights_exec(cmd_ctx *ctx, const cmd_args *a)
{
	rf_error err = { { 0 } };
	char text[FUSION_MAX_MODELS][64], *assign[FUSION_MAX_MODELS];
	char *const *argv = a->argv;
	int argc = a->argc;

	if (args_opt(a, "share") != NULL) {
		if (share_assignments(ctx, a, text, assign, &argc) < 0)
			return -1;
		argv = assign;
	}
	if (ctx->events != NULL && argc == 0) {
		/* The table, beside the screen. */
		if (workbench_fusion_peek(ctx->wb) == NULL &&
		    workbench_fusion(ctx->wb, &err) == NULL) {
			cmd_error(ctx, "weights: %s", err.msg);
			return -1;
		}
		if (workbench_fusion_status_start(ctx->wb, &err) < 0) {
			cmd_error(ctx, "weights: %s", err.msg);
			return -1;
		}
		return cmd_task_begin(ctx, status_finish, NULL);
	}
	if (workbench_fusion_set_weights(ctx->wb, argc, argv, &err) < 0) {
		cmd_error(ctx, "weights: %s", err.msg);
		return -1;
	}
	if (ctx->events != NULL) {
		print_weights_line(ctx);
		/* The pools were not there: built beside the screen. */
		(void)fusion_measure_background(ctx, 1);
	} else
		print_status(ctx);
	return 0;
}

const cmd_entry cmd_weights_entry = {
	.name = "weights",
	.alias = NULL,
	.options = "share",
	.min_args = 0,
	.max_args = -1,
	.usage = "weights [MODEL=W ...] | weights --share MODEL=SHARE",
	.help = "Show or set the fusion weights (non-negative; shown\n"
	    "normalised to sum 1) with the validation and test metrics of\n"
	    "each model and of the fusion.  A model at weight 0 takes no\n"
	    "part.  --share sets one model's share of the total (0 to 1)\n"
	    "and scales the others to keep the sum 1, as a slider step does.\n"
	    "In the TUI setting them prints one line (the fused figure);\n"
	    "`weights` alone prints the table.",
	.flags = CMD_BESIDE_READER,
	.complete = { "model" },
	.exec = cmd_weights_exec,
};

/* --- tune ----------------------------------------------------------------- */

/* What tune chose, in a sentence or as a record. */
static void
print_choice(cmd_ctx *ctx, const fusion *f, const fusion_tune_report *rep)
{
	int normed = rep->method == FUSE_WEIGHTED || rep->method == FUSE_STACK;
	char sentence[512];
	rf_table *t = table_new("choice");

	snprintf(sentence, sizeof sentence, "tune %s on validation: chose %s "
	    "(%s%s%s), judged by %d-fold cross-validation over users; best "
	    "single %s; %d evaluations in %.2f s",
	    fusion_tune_metric_name(rep->metric),
	    fusion_tune_candidate_name((enum tune_candidate)rep->chosen),
	    fusion_method_name(rep->method), normed ? ", norm " : "",
	    normed ? fusion_norm_name(rep->norm) : "", rep->folds,
	    fusion_model_name(f, rep->best_single), rep->evaluations,
	    rep->seconds);
	if (t != NULL) {
		table_add_column(t, "metric", COL_TEXT);
		table_add_column(t, "chosen", COL_TEXT);
		table_add_column(t, "method", COL_TEXT);
		table_add_column(t, "norm", COL_TEXT);
		table_add_column(t, "best_single", COL_TEXT);
		table_add_column(t, "evaluations", COL_INT);
		table_add_column(t, "seconds", COL_REAL);
		table_begin_row(t);
		table_cell_text(t, fusion_tune_metric_name(rep->metric));
		table_cell_text(t, fusion_tune_candidate_name(
		    (enum tune_candidate)rep->chosen));
		table_cell_text(t, fusion_method_name(rep->method));
		table_cell_text(t, normed ? fusion_norm_name(rep->norm) :
		    NULL);
		table_cell_text(t, fusion_model_name(f, rep->best_single));
		table_cell_int(t, rep->evaluations);
		table_cell_real(t, rep->seconds, 2);
	}
	cmd_print_record(ctx, "choice", t, sentence);
	table_free(t);
}

/* The fusion against the best single model on a part, per user. */
static void
print_versus(cmd_ctx *ctx, const char *key, const char *part,
    const char *best, const fusion_tune_report *rep, const paired_diff *d)
{
	char text[160], sentence[400];
	rf_table *t = cmd_comparison_table(best,
	    fusion_tune_metric_name(rep->metric), d);

	paired_format(d, text, sizeof text);
	snprintf(sentence, sizeof sentence, "fusion minus the best single "
	    "model (%s), %s: %s", best, part, text);
	cmd_print_record(ctx, key, t, sentence);
	table_free(t);
}

static int
tune_finish(cmd_ctx *ctx, void *ud)
{
	rf_error err = { { 0 } };
	fusion_tune_report rep;
	int rc, stacked;
	const fusion *f;
	rf_table *t;

	(void)ud;
	rc = workbench_fusion_tune_finish(ctx->wb, &rep, &err);
	if (rc < 0) {
		cmd_error(ctx, "tune: %s", err.msg);
		return -1;
	}
	if (rc == 1) {
		cmd_error(ctx, "tune: cancelled; weights unchanged");
		return -1;
	}
	f = workbench_fusion_peek(ctx->wb);
	print_choice(ctx, f, &rep);
	/* The ways tried: how each did in and out of sample. */
	if ((t = table_new("ways to fuse")) == NULL)
		return -1;
	table_add_column(t, "way", COL_TEXT);
	table_add_column(t, "valid", COL_REAL);
	table_add_column(t, "cross-valid", COL_REAL);
	table_add_column(t, "vs single", COL_REAL);
	table_add_column(t, "low 95%", COL_REAL);
	table_add_column(t, "high 95%", COL_REAL);
	table_add_column(t, "chosen", COL_TEXT);
	for (int c = 0; c < TUNE_CAND_COUNT; c++) {
		const tune_candidate_report *cr = &rep.cand[c];

		if (!cr->tried)
			continue;
		table_begin_row(t);
		table_cell_text(t, cr->name);
		table_cell_real(t, cr->valid, 4);
		table_cell_real(t, cr->cv, 4);
		table_cell_real(t, cr->vs_single.mean, 4);
		if (isnan(cr->vs_single.lo)) {
			table_cell_null(t);
			table_cell_null(t);
		} else {
			table_cell_real(t, cr->vs_single.lo, 4);
			table_cell_real(t, cr->vs_single.hi, 4);
		}
		table_cell_text(t, c == rep.chosen ? "*" : "");
	}
	cmd_print_table(ctx, t);
	table_free(t);
	if ((t = table_new(NULL)) == NULL)
		return -1;
	table_add_column(t, "model", COL_TEXT);
	table_add_column(t, "weight", COL_REAL);
	table_add_column(t, "valid", COL_REAL);
	table_add_column(t, "test", COL_REAL);
	/* A stack (the learned one, or fwls) weighs each model by the user's
	 * features, not by these weights: no weight is shown for it, as in
	 * `weights`. */
	stacked = fusion_get_settings(f)->method == FUSE_STACK;
	for (int m = 0; m <= rep.n_models; m++) {
		table_begin_row(t);
		table_cell_text(t, m < rep.n_models ? fusion_model_name(f, m) :
		    "fused");
		if (m == rep.n_models || stacked)
			table_cell_null(t);
		else
			table_cell_real(t, rep.w[m], 3);
		table_cell_real(t, m < rep.n_models ? rep.single_valid[m] :
		    rep.fused_valid, 4);
		if (m < rep.n_models ? isnan(rep.single_test[m]) :
		    isnan(rep.fused_test))
			table_cell_null(t);
		else
			table_cell_real(t, m < rep.n_models ?
			    rep.single_test[m] : rep.fused_test, 4);
	}
	cmd_print_part(ctx, "models", t);
	table_free(t);
	print_stack(ctx, f);
	print_versus(ctx, "valid_vs_single", "validation, out of fold",
	    fusion_model_name(f, rep.best_single), &rep,
	    &rep.valid_vs_single);
	if (rep.test_single >= 0)
		print_versus(ctx, "test_vs_single", "test",
		    fusion_model_name(f, rep.test_single), &rep,
		    &rep.test_vs_single);
	return 0;
}

static int
cmd_tune_exec(cmd_ctx *ctx, const cmd_args *a)
{
	rf_error err = { { 0 } };
	const char *v = args_opt(a, "metric");
	int metric = -1;

	if (v && (metric = fusion_tune_metric_parse(v)) < 0) {
		cmd_error(ctx, "tune: --metric is ndcg@10, recall@20 or rmse");
		return -1;
	}
	if (workbench_fusion_tune_start(ctx->wb, metric, ctx->cancel,
	    &err) < 0) {
		cmd_error(ctx, "tune: %s", err.msg);
		return -1;
	}
	return cmd_task_begin(ctx, tune_finish, NULL);
}

/* tune's help gives the folds in words. */
_Static_assert(TUNE_FOLDS_FEW == 5 && TUNE_FOLDS_MANY == 2 &&
    TUNE_FOLDS_USERS == 5000 && TUNE_MIN_USERS == 30,
    "help tune: the folds and the users it names");

const cmd_entry cmd_tune_entry = {
	.name = "tune",
	.alias = NULL,
	.options = "metric=",
	.min_args = 0,
	.max_args = 0,
	.usage = "tune [--metric ndcg@10|recall@20|rmse]",
	.help = "Learn how to fuse on the validation part: several ways\n"
	    "(the best model alone, ensemble selection, equal weights over\n"
	    "its members, weights regularised toward the best model,\n"
	    "feature-weighted stacking on activity, recency and category\n"
	    "spread, rrf, borda, vote, the stack), each judged by\n"
	    "cross-validation over users (5 folds up to 5000 users, 2\n"
	    "beyond); keeps the best, and a fusion only when it beats the\n"
	    "best single model there beyond doubt (the low end of its 95%\n"
	    "interval above 0, over 30 users or more).  Prints each way's\n"
	    "figures, every model's on validation and test, and the fused\n"
	    "minus the best single model per user with a 95% interval.",
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

	if ((f = workbench_fusion(ctx->wb, &err)) == NULL) {
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
	/* --probe asks about one item, --k sizes a user's summary. */
	if (i >= 0 && args_opt(a, "k") != NULL) {
		cmd_error(ctx, "explain: --k applies to a user's summary "
		    "(without ITEM), not to one item");
		return -1;
	}
	if (i < 0 && args_opt(a, "probe") != NULL) {
		cmd_error(ctx, "explain: --probe applies to one item: give "
		    "ITEM");
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
	    "score depends on the history row only, or that fold the user's\n"
	    "vector in again).  Without ITEM: the user's history summary and\n"
	    "top K with a reason each.",
	.flags = CMD_BESIDE,
	.complete = { "user", "item" },
	.exec = cmd_explain_exec,
};

/* --- refit ---------------------------------------------------------------- */

static void
refit_print(void *ud, const char *name, int epochs, double seconds)
{
	cmd_printf(ud, "refit %s on train + valid: %d epoch%s in %.2f s",
	    name, epochs, epochs == 1 ? "" : "s", seconds);
}

static int
refit_finish(cmd_ctx *ctx, void *ud)
{
	rf_error err = { { 0 } };
	rf_table *t;
	int rc;

	(void)ud;
	rc = workbench_fusion_refit_finish(ctx->wb, refit_print, ctx, &t,
	    &err);
	if (rc != 0) {
		cmd_error(ctx, "refit: %s", rc > 0 ? "cancelled; the fusion "
		    "keeps its models" : err.msg);
		return -1;
	}
	print_status_table(ctx, t);
	return 0;
}

static int
cmd_refit_exec(cmd_ctx *ctx, const cmd_args *a)
{
	rf_error err = { { 0 } };

	(void)a;
	if (workbench_fusion_refit_start(ctx->wb, ctx->cancel, &err) < 0) {
		cmd_error(ctx, "refit: %s", err.msg);
		return -1;
	}
	return cmd_task_begin(ctx, refit_finish, NULL);
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
