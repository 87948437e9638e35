/* fusion: the fusion commands: fuse, weights, tune, explain, refit.
 * Thin: parse, call the workbench's fusion (engine/session/, which keeps
 * the fusion over the trained models, its pools, the refitted models and
 * the stored settings), print. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "app/cmd/cmd.h"
#include "engine/explain/explain.h"
#include "engine/fusion/fusion.h"
#include "engine/session/workbench.h"

extern const cmd_entry cmd_fuse_entry, cmd_weights_entry, cmd_tune_entry,
    cmd_explain_entry, cmd_refit_entry;

/* One table: per model (and fused) weight and metrics on valid/test. */
static void
print_status(cmd_ctx *ctx)
{
	rf_error err = { { 0 } };
	rf_table *t = workbench_fusion_table(ctx->wb, &err);

	if (t == NULL) {
		cmd_error(ctx, "fusion: %s", err.msg);
		return;
	}
	if (workbench_fusion_note(ctx->wb)[0])
		cmd_printf(ctx, "fusion: %s", workbench_fusion_note(ctx->wb));
	cmd_print_table(ctx, t);
	table_free(t);
}

/* --- fuse ----------------------------------------------------------------- */

static int
cmd_fuse_exec(cmd_ctx *ctx, const cmd_args *a)
{
	rf_error err = { { 0 } };

	if (workbench_fuse(ctx->wb, a->argv[0], a->argc - 1, a->argv + 1,
	    &err) < 0) {
		cmd_error(ctx, "fuse: %s", err.msg);
		return -1;
	}
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

	if (workbench_fusion_set_weights(ctx->wb, a->argc, a->argv, &err) <
	    0) {
		cmd_error(ctx, "weights: %s", err.msg);
		return -1;
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
	fusion_tune_report rep;
	const char *v = args_opt(a, "metric");
	int metric = -1, rc;
	const fusion *f;
	rf_table *t;

	if (v && (metric = fusion_tune_metric_parse(v)) < 0) {
		cmd_error(ctx, "tune: --metric is ndcg@10, recall@20 or rmse");
		return -1;
	}
	rc = workbench_fusion_tune(ctx->wb, metric, &rep, ctx->cancel, &err);
	if (rc < 0) {
		cmd_error(ctx, "tune: %s", err.msg);
		return -1;
	}
	if (rc == 1) {
		cmd_error(ctx, "tune: cancelled; weights unchanged");
		return -1;
	}
	f = workbench_fusion_peek(ctx->wb);
	cmd_printf(ctx, "tune %s on validation: chose %s (%s%s%s), judged by "
	    "two-fold cross-validation over users; best single %s; %d "
	    "evaluations in %.2f s", fusion_tune_metric_name(rep.metric),
	    fusion_tune_candidate_name((enum tune_candidate)rep.chosen),
	    fusion_method_name(rep.method),
	    rep.method == FUSE_WEIGHTED || rep.method == FUSE_STACK ?
	    ", norm " : "", rep.method == FUSE_WEIGHTED ||
	    rep.method == FUSE_STACK ? fusion_norm_name(rep.norm) : "",
	    fusion_model_name(f, rep.best_single), rep.evaluations,
	    rep.seconds);
	/* The ways tried: how each did in and out of sample. */
	if ((t = table_new("ways to fuse")) == NULL)
		return -1;
	table_add_column(t, "way", COL_TEXT);
	table_add_column(t, "valid", COL_REAL);
	table_add_column(t, "cross-valid", COL_REAL);
	table_add_column(t, "vs single", COL_REAL);
	table_add_column(t, "95% low", COL_REAL);
	table_add_column(t, "95% high", COL_REAL);
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
	cmd_print_table(ctx, t);
	table_free(t);
	{
		char text[160];

		paired_format(&rep.valid_vs_single, text, sizeof text);
		cmd_printf(ctx, "fusion minus the best single model (%s), "
		    "validation, out of fold: %s",
		    fusion_model_name(f, rep.best_single), text);
		if (rep.test_single >= 0) {
			paired_format(&rep.test_vs_single, text, sizeof text);
			cmd_printf(ctx, "fusion minus the best single model "
			    "(%s), test: %s", fusion_model_name(f,
			    rep.test_single), text);
		}
	}
	return 0;
}

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
	    "spread, rrf, borda, vote, the stack), each judged by two-fold\n"
	    "cross-validation over users; keeps the best, never one below the\n"
	    "best single model there.  Prints each way's figures, every\n"
	    "model's on validation and test, and the fused minus the best\n"
	    "single model per user with a 95% interval.",
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
	.flags = 0,
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
cmd_refit_exec(cmd_ctx *ctx, const cmd_args *a)
{
	rf_error err = { { 0 } };
	int rc;

	(void)a;
	rc = workbench_fusion_refit(ctx->wb, refit_print, ctx, ctx->cancel,
	    &err);
	if (rc != 0) {
		cmd_error(ctx, "refit: %s", rc > 0 ? "cancelled; the fusion "
		    "keeps its models" : err.msg);
		return -1;
	}
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
