/* cmd-models: the modelling commands: split, train, models, import-model,
 * eval, recommend, export, set.  Thin: parse, call the workbench / engine,
 * print. */
#include <inttypes.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/cmd/cmd.h"
#include "app/cmd/task.h"
#include "app/cmd/train.h"
#include "engine/models/registry.h"
#include "engine/data/split.h"
#include "engine/train/train.h"
#include "engine/session/workbench.h"

/* Listed in app/cmd.c's table. */
extern const cmd_entry cmd_split_entry, cmd_train_entry, cmd_models_entry,
    cmd_import_model_entry, cmd_eval_entry, cmd_recommend_entry,
    cmd_export_entry, cmd_set_entry;

/* --- split ---------------------------------------------------------------- */

static int
cmd_split_exec(cmd_ctx *ctx, const cmd_args *a)
{
	rf_error err = { { 0 } };
	split_spec spec;
	char text[256], what[640];
	const char *v;
	const split *s;
	const interactions *te;
	int64_t users = 0;
	uint8_t *mark = NULL;
	int rc;

	snprintf(text, sizeof text, "%s%s%s", a->argv[0], a->argc > 1 ? " " :
	    "", a->argc > 1 ? a->argv[1] : "");
	if ((v = args_opt(a, "valid")) != NULL)
		snprintf(text + strlen(text), sizeof text - strlen(text),
		    " --valid %s", v);
	if ((v = args_opt(a, "valid-mode")) != NULL)
		snprintf(text + strlen(text), sizeof text - strlen(text),
		    " --valid-mode %s", v);
	if ((v = args_opt(a, "seed")) != NULL)
		snprintf(text + strlen(text), sizeof text - strlen(text),
		    " --seed %s", v);
	if (split_parse(text, &spec, &err) < 0) {
		cmd_error(ctx, "%s", err.msg);
		return -1;
	}
	/* Only a random draw has a seed: a time rule has none (the test
	 * part of a random split, a validation part drawn at random; a
	 * pairs split's text always carries one, and is read back). */
	if (args_opt(a, "seed") != NULL && spec.kind != SPLIT_RANDOM &&
	    spec.kind != SPLIT_PAIRS) {
		const dataset *ds = workbench_dataset(ctx->wb, NULL);

		if (ds != NULL && !(spec.valid_frac > 0 &&
		    !split_valid_temporal(&spec, &ds->all))) {
			cmd_error(ctx, "split: --seed does not apply: this %s "
			    "split draws nothing at random (a random split "
			    "or --valid-mode random does)", a->argv[0]);
			return -1;
		}
	}
	if (spec.kind == SPLIT_PAIRS) {
		/* A split given by a file: mark its pairs in the snapshot. */
		const dataset *ds = workbench_dataset(ctx->wb, &err);
		int64_t marked, missing;

		if (ds == NULL || split_mark_pairs(ds, spec.path, &mark,
		    &marked, &missing, &err) < 0) {
			cmd_error(ctx, "split: %s", err.msg);
			return -1;
		}
		if (missing > 0)
			cmd_printf(ctx, "split: %" PRId64 " pair%s of %s not "
			    "in the data (left out)", missing, missing == 1 ?
			    "" : "s", spec.path);
		spec.mark = mark;
	}
	rc = workbench_set_split(ctx->wb, &spec, &err);
	free(mark);
	if (rc < 0) {
		cmd_error(ctx, "split: %s", err.msg);
		return -1;
	}
	s = workbench_split(ctx->wb);
	te = workbench_test_part(ctx->wb);
	for (int u = 0; u < te->n_users; u++)
		if (te->ptr[u + 1] > te->ptr[u])
			users++;
	split_describe(s, &workbench_dataset_peek(ctx->wb)->all, what,
	    sizeof what);
	cmd_printf(ctx, "split %s: %s; %" PRId64 " users with test "
	    "items%s", s->text, what, users,
	    s->id > 0 ? "" : " [not stored: read-only]");
	return 0;
}

const cmd_entry cmd_split_entry = {
	.name = "split",
	.alias = NULL,
	.options = "valid= valid-mode= seed=",
	.min_args = 1,
	.max_args = 2,
	.usage = "split temporal|last|random|pairs|none [FRAC|N|PATH] "
	    "[--valid FRAC [--valid-mode temporal|random]] [--seed S]",
	.help = "Divide each user's interactions into train / test, and with\n"
	    "--valid FRAC a validation part carved out of each user's train:\n"
	    "  temporal FRAC  the last FRAC by time (default 0.2) are test\n"
	    "  last N         the last N by time are test\n"
	    "  random FRAC    FRAC drawn at random (seeded) are test\n"
	    "  pairs PATH     the (user, item) pairs PATH lists are test (a\n"
	    "                 given split: import its events too)\n"
	    "  none           nothing is test\n"
	    "The validation part is the latest FRAC of each user's train, so\n"
	    "that it looks like a temporal test (what comes next); random\n"
	    "splits, data without times and --valid-mode random draw it at\n"
	    "random (seeded).  Users with fewer than 5 interactions stay\n"
	    "whole in train.  The assignment is stored so that runs can be\n"
	    "reproduced.  The tuned weights of a fusion carry over best to the\n"
	    "models `refit` trains on train + validation when the validation\n"
	    "part is small (0.05 to 0.1).",
	.flags = 0,
	.complete = { "temporal|last|random|pairs|none" },
	.exec = cmd_split_exec,
};

/* --- train ---------------------------------------------------------------- */

struct train_print {
	cmd_ctx *ctx;
	int epochs;
	int rmse;
};

static void
train_print_event(void *ud, const train_event *ev)
{
	struct train_print *p = ud;
	char valid[64] = "";

	if (ev->kind == TRAIN_SEARCH || ev->kind == TRAIN_CHOICE) {
		cmd_printf(p->ctx, "%s %s %d: %s %.4f%s", ev->model,
		    ev->kind == TRAIN_SEARCH ? "search" : "after the fit",
		    ev->epoch + 1, ev->msg, ev->valid_metric, ev->loss > 0 ?
		    " (best so far)" : "");
		return;
	}
	if (ev->kind != TRAIN_EPOCH)
		return;
	if (!isnan(ev->valid_metric))
		snprintf(valid, sizeof valid, ", valid %s %.4f",
		    p->rmse ? "rmse" : "ndcg@10", ev->valid_metric);
	cmd_printf(p->ctx, "%s epoch %d/%d: loss %.6g%s, "
	    "%.2f s", ev->model, ev->epoch + 1, p->epochs, ev->loss, valid,
	    ev->seconds);
}

/* An engine message may hold several lines (the parameter list). */
static void
print_error_lines(cmd_ctx *ctx, const char *prefix, char *msg)
{
	int first = 1;

	for (char *line = msg, *nl; line; line = nl, first = 0) {
		if ((nl = strchr(line, '\n')) != NULL)
			*nl++ = '\0';
		cmd_error(ctx, "%s%s", first ? prefix : "", line);
	}
}

static void
list_models(char *buf, size_t n)
{
	model_names(buf, n);
}

static int
cmd_train_exec(cmd_ctx *ctx, const cmd_args *a)
{
	rf_error err = { { 0 } };
	const model_ops *ops = model_lookup(a->argv[0]);
	struct train_print p = { ctx, 0, 0 };
	wb_train_opts opts;
	double *params;
	long epochs, seed;
	char names[512], text[512];
	int rc;

	if (ops == NULL) {
		list_models(names, sizeof names);
		cmd_error(ctx, "train: unknown model '%s' (models: %s)",
		    a->argv[0], names);
		return -1;
	}
	if (args_int(ctx, a, "epochs", ops->default_epochs, 1, 100000,
	    &epochs) < 0 || args_int(ctx, a, "seed", 42, 0, 0x7fffffffL,
	    &seed) < 0)
		return -1;
	if ((params = calloc((size_t)ops->nparams + 1, sizeof *params)) ==
	    NULL) {
		cmd_error(ctx, "train: out of memory");
		return -1;
	}
	model_params_default(ops, params);
	if (a->argc == 2 && strcmp(a->argv[1], "help") == 0) {
		char help[4096];

		train_params_help(ops, help, sizeof help);
		cmd_printf(ctx, "%s: %s (default %d epoch%s)", ops->name,
		    ops->help, ops->default_epochs,
		    ops->default_epochs == 1 ? "" : "s");
		for (char *line = help, *nl; line; line = nl) {
			if ((nl = strchr(line, '\n')) != NULL)
				*nl++ = '\0';
			cmd_printf(ctx, "%s", line);
		}
		if (ops->memory != NULL)
			cmd_printf(ctx, "memory: %s", ops->memory);
		free(params);
		return 0;
	}
	memset(&opts, 0, sizeof opts);
	opts.search = args_opt(a, "search") != NULL;
	if (opts.search && ops->search == NULL) {
		cmd_error(ctx, "train: %s has nothing to search (--search "
		    "tries the main parameters of the models that have any)",
		    ops->name);
		free(params);
		return -1;
	}
	for (int k = 1; k < a->argc; k++) {
		const char *eq = strchr(a->argv[k], '=');
		int at;

		if (train_parse_param(ops, a->argv[k], params, &err) < 0) {
			print_error_lines(ctx, "train ", err.msg);
			free(params);
			return -1;
		}
		/* What the user set is not searched. */
		if (eq != NULL && (at = model_param_index_n(ops, a->argv[k],
		    (size_t)(eq - a->argv[k]))) >= 0 && at < TRAIN_MAX_PARAMS)
			opts.fixed[at] = 1;
	}
	if (train_check_params(ops, params, &err) < 0) {
		print_error_lines(ctx, "train ", err.msg);
		free(params);
		return -1;
	}
	/* In batch mode nothing of a training reads the names: they stay
	 * in the store (110 MB of a 1.8 GB ALS at 10 M uniform events). */
	if ((ctx->events != NULL ? workbench_dataset(ctx->wb, &err) :
	    workbench_dataset_lean(ctx->wb, &err)) == NULL) {
		cmd_error(ctx, "train: %s", err.msg);
		free(params);
		return -1;
	}
	if (ctx->events != NULL) {
		/* The TUI: beside the screen, queued behind a running job. */
		rc = train_background(ctx, ops, params, (int)epochs,
		    (uint64_t)seed, &opts);
		free(params);
		return rc;
	}
	p.epochs = (int)epochs;
	p.rmse = train_valid_is_rmse(ops, workbench_dataset_peek(ctx->wb));
	train_params_text(ops, params, text, sizeof text);
	cmd_printf(ctx, "training %s (%s%sseed %ld, %ld epoch%s)", ops->name,
	    text, text[0] ? ", " : "", seed, epochs, epochs == 1 ? "" : "s");
	rc = workbench_train(ctx->wb, ops, params, (int)epochs,
	    (uint64_t)seed, &opts, train_print_event, &p, ctx->cancel, &err);
	free(params);
	if (rc < 0) {
		cmd_error(ctx, "train: %s", err.msg);
		return -1;
	}
	train_report(ctx, ops->name, rc > 0);
	return 0;
}

const cmd_entry cmd_train_entry = {
	.name = "train",
	.alias = NULL,
	.options = "epochs= seed= search",
	.min_args = 1,
	.max_args = -1,
	.usage = "train MODEL [param=value ...] [--epochs N] [--seed S] "
	    "[--search]",
	.help = "Train a model on the train part of the current split (all\n"
	    "data when there is none), printing the loss, the validation\n"
	    "metric (NDCG@10, or RMSE for rating models on ratings) and the\n"
	    "time of each epoch.  Ctrl-C stops after keeping the last\n"
	    "completed epoch.  The run, its epochs and the model are saved\n"
	    "in the store.  `help train` lists the models; `train MODEL\n"
	    "help` lists a model's parameters.  --search first tries a few\n"
	    "values of the model's main parameters, one at a time, on the\n"
	    "validation part (those given on the line stay as given), and\n"
	    "trains with the best; the tries are recorded with the run.",
	.flags = CMD_BESIDE | CMD_LEAN,
	.complete = { "model", "param" },
	.exec = cmd_train_exec,
};

/* --- models --------------------------------------------------------------- */

static int
cmd_models_exec(cmd_ctx *ctx, const cmd_args *a)
{
	rf_error err = { { 0 } };
	rf_table *t;
	int n, rc;

	if (a->argc > 0) {
		char *end;
		long v;

		if (strcmp(a->argv[0], "drop") != 0 || a->argc != 3) {
			cmd_error(ctx, "models: usage: models [drop NAME "
			    "VERSION]");
			return -1;
		}
		v = strtol(a->argv[2], &end, 10);
		if (*a->argv[2] == '\0' || *end != '\0' || v < 1 ||
		    v > 1000000000) {
			cmd_error(ctx, "models drop: '%s' is not a version "
			    "(a whole number from 1)", a->argv[2]);
			return -1;
		}
		if ((rc = workbench_drop_saved(ctx->wb, a->argv[1], (int)v,
		    &err)) <= 0) {
			if (rc == 0)
				cmd_error(ctx, "models drop: no saved %s v%ld "
				    "(`models` lists them)", a->argv[1], v);
			else
				cmd_error(ctx, "%s", err.msg);
			return -1;
		}
		cmd_printf(ctx, "dropped %s v%ld", a->argv[1], v);
		return 0;
	}
	if ((t = workbench_models_table(ctx->wb, &err)) == NULL) {
		cmd_error(ctx, "models: %s", err.msg);
		return -1;
	}
	if (t->nrows == 0)
		cmd_printf(ctx, "no trained models yet (train MODEL)");
	else
		cmd_print_table(ctx, t);
	table_free(t);
	/* What the loads of this session found wrong, in words. */
	n = workbench_damage_count(ctx->wb);
	for (int k = 0; k < n; k++)
		cmd_printf(ctx, "%s", workbench_damage_at(ctx->wb, k)->why);
	return 0;
}

const cmd_entry cmd_models_entry = {
	.name = "models",
	.alias = NULL,
	.options = "",
	.min_args = 0,
	.max_args = 3,
	.usage = "models [drop NAME VERSION]",
	.help = "List the saved models (every version) with their parameters,\n"
	    "seed, epochs, training time, split and test metrics; `loaded`\n"
	    "marks the versions held in memory, DAMAGED those a load found\n"
	    "damaged (said below with what to do; `check` reads every one).\n"
	    "`models drop NAME VERSION` removes a saved version from the store.",
	.flags = CMD_BESIDE,
	.complete = { NULL },
	.exec = cmd_models_exec,
};

/* --- import-model --------------------------------------------------------- */

/* "943 user rows, 2 unknown to the data (such as '9999')" */
static void
rows_phrase(const external_report *r, int side, const char *what, char *buf,
    size_t n)
{
	size_t len = (size_t)snprintf(buf, n, "%lld %s row%s",
	    (long long)r->rows[side], what, r->rows[side] == 1 ? "" : "s");

	if (len < n && r->unknown[side] > 0)
		snprintf(buf + len, n - len, ", %lld with %s unknown to the "
		    "data (such as '%s'), left out",
		    (long long)r->unknown[side], side == 0 ? "a user" :
		    "an item", r->unknown_example[side]);
}

/* The import as a record (a document) or two sentences. */
static void
report_import_model(cmd_ctx *ctx, const char *name, int factors,
    const wb_import_result *res)
{
	const external_report *r = &res->rep;
	const dataset *ds = workbench_dataset_peek(ctx->wb);
	char users[160], items[160], sentence[768], text[512];
	rf_table *t = table_new("import");

	if (t != NULL) {
		static const char *const cols[] = { "model", "kind", "factors",
		    "user_rows", "item_rows", "unknown_users",
		    "unknown_items", "users_covered", "items_covered",
		    "duplicates", "version", "ndcg_at_10", "recall_at_10" };

		for (size_t c = 0; c < sizeof cols / sizeof cols[0]; c++)
			table_add_column(t, cols[c], c < 2 ? COL_TEXT :
			    c < 11 ? COL_INT : COL_REAL);
		table_begin_row(t);
		table_cell_text(t, name);
		table_cell_text(t, factors ? "factors" : "scores");
		table_cell_int(t, r->k);
		table_cell_int(t, r->rows[0]);
		if (factors)
			table_cell_int(t, r->rows[1]);
		else
			table_cell_null(t);
		table_cell_int(t, r->unknown[0]);
		table_cell_int(t, r->unknown[1]);
		table_cell_int(t, r->covered[0]);
		table_cell_int(t, r->covered[1]);
		table_cell_int(t, r->duplicates);
		table_cell_int(t, res->version);
		table_cell_real(t, res->final.ndcg, 6);
		table_cell_real(t, res->final.recall, 6);
	}
	if (factors) {
		rows_phrase(r, 0, "user", users, sizeof users);
		rows_phrase(r, 1, "item", items, sizeof items);
		snprintf(sentence, sizeof sentence, "imported %s: %d factors; "
		    "%s; %s; %lld of %d users and %lld of %d items have "
		    "factors", name, r->k, users, items,
		    (long long)r->covered[0], ds ? ds->n_users : 0,
		    (long long)r->covered[1], ds ? ds->n_items : 0);
	} else {
		size_t len = (size_t)snprintf(sentence, sizeof sentence,
		    "imported %s: %lld score rows; %lld of %d users and %lld "
		    "of %d items listed", name, (long long)r->rows[0],
		    (long long)r->covered[0], ds ? ds->n_users : 0,
		    (long long)r->covered[1], ds ? ds->n_items : 0);

		for (int side = 0; side < 2 && len < sizeof sentence; side++)
			if (r->unknown[side] > 0)
				len += (size_t)snprintf(sentence + len,
				    sizeof sentence - len, "; %lld with %s "
				    "unknown to the data (such as '%s'), left "
				    "out", (long long)r->unknown[side],
				    side == 0 ? "a user" : "an item",
				    r->unknown_example[side]);
		if (r->duplicates > 0 && len < sizeof sentence)
			snprintf(sentence + len, sizeof sentence - len, "; %lld "
			    "pair%s listed again (the last score kept)",
			    (long long)r->duplicates, r->duplicates == 1 ? "" :
			    "s");
	}
	cmd_print_record(ctx, "import", t, sentence);
	table_free(t);
	if (ctx->out.part == NULL) {
		metrics_format(&res->final, text, sizeof text);
		cmd_printf(ctx, "%s: %s%s%s", name, text[0] ? "test " : "",
		    text[0] ? text : "no test part to measure on",
		    res->version > 0 ? "; saved in the store" : "");
	}
}

static int
cmd_import_model_exec(cmd_ctx *ctx, const cmd_args *a)
{
	rf_error err = { { 0 } };
	int factors = args_opt(a, "factors") != NULL;
	int scores = args_opt(a, "scores") != NULL;
	wb_import_result res;
	int rc;

	if (factors == scores || a->argc != (factors ? 3 : 2)) {
		cmd_error(ctx, "import-model: --factors USERS ITEMS, or "
		    "--scores FILE");
		return cmd_usage(ctx, &cmd_import_model_entry);
	}
	if (workbench_dataset(ctx->wb, &err) == NULL) {
		cmd_error(ctx, "import-model: %s", err.msg);
		return -1;
	}
	rc = factors ? workbench_import_factors(ctx->wb, a->argv[0],
	    a->argv[1], a->argv[2], &res, &err) :
	    workbench_import_scores(ctx->wb, a->argv[0], a->argv[1], &res,
	    &err);
	if (rc < 0) {
		cmd_error(ctx, "import-model: %s", err.msg);
		return -1;
	}
	report_import_model(ctx, a->argv[0], factors, &res);
	return 0;
}

const cmd_entry cmd_import_model_entry = {
	.name = "import-model",
	.alias = NULL,
	.options = "factors scores",
	.min_args = 2,
	.max_args = 3,
	.usage = "import-model NAME --factors USERS ITEMS | "
	    "import-model NAME --scores FILE",
	.help = "Bring in a model trained elsewhere under NAME, to evaluate,\n"
	    "fuse, weigh and explain it like one trained here:\n"
	    "  --factors USERS ITEMS  user and item factor tables, scored by\n"
	    "                         their dot product: Spark MLlib's ALSModel\n"
	    "                         (userFactors.write.json(USERS): folders\n"
	    "                         of part-*.json, {\"id\": 12, \"features\":\n"
	    "                         [...]} a line), or id<TAB>f1 f2 ... text\n"
	    "  --scores FILE          user item score lines (tab, comma or\n"
	    "                         blank; or JSON lines with user, item,\n"
	    "                         score); a user is scored on the items\n"
	    "                         listed for them only\n"
	    "Ids are the data's external ids; rows with an id the data lack\n"
	    "are counted and left out.  The model is evaluated on the test\n"
	    "part, saved in the store (it comes back in a new process),\n"
	    "marked imported in `models`, and kept as it is by `refit`.\n"
	    "`explain` names, for a factor model, the history items the\n"
	    "user's vector is made of (its projection on their factors).",
	.flags = CMD_WRITES,
	.complete = { NULL, "path" },
	.exec = cmd_import_model_exec,
};

/* --- eval ----------------------------------------------------------------- */

static int
eval_finish(cmd_ctx *ctx, void *ud)
{
	rf_error err = { { 0 } };
	wb_eval_compare cmp;
	long k = (long)(intptr_t)ud;
	char text[160];
	rf_table *t;

	cmd_progress_end(ctx);
	if ((t = workbench_eval_finish(ctx->wb, &cmp, &err)) == NULL) {
		cmd_error(ctx, "eval: %s", err.msg);
		return -1;
	}
	cmd_print_table(ctx, t);
	table_free(t);
	if (cmp.users < cmp.total_users)
		cmd_printf(ctx, "ranked a seeded sample of %d of the %d test "
		    "users (the same for every row; the last column is the "
		    "95%% interval of each NDCG); eval --all-users ranks "
		    "every one", cmp.users, cmp.total_users);
	if (cmp.have) {
		char metric[32], sentence[400];

		snprintf(metric, sizeof metric, "ndcg@%ld", k);
		t = cmd_comparison_table(cmp.best, metric, &cmp.ndcg);
		paired_format(&cmp.ndcg, text, sizeof text);
		snprintf(sentence, sizeof sentence, "fusion minus the best "
		    "single model (%s), NDCG@%ld per test user: %s (%s)",
		    cmp.best, k, text, cmd_comparison_verdict(&cmp.ndcg));
		cmd_print_record(ctx, "comparison", t, sentence);
		table_free(t);
	}
	return 0;
}

/* Batch mode's status line while eval ranks on this thread (the TUI
 * draws a worker's from the task). */
static void
eval_status(void *ud, const wb_task_progress *p)
{
	cmd_progress(ud, "eval: %s (%lld/%lld users), %.0f s", p->phase,
	    (long long)p->done, (long long)p->total, p->elapsed);
}

static int
cmd_eval_exec(cmd_ctx *ctx, const cmd_args *a)
{
	rf_error err = { { 0 } };
	long k;

	if (args_int(ctx, a, "k", 10, 1, 1000, &k) < 0)
		return -1;
	if (workbench_eval_start(ctx->wb, (int)k,
	    args_opt(a, "all-users") != NULL, ctx->cancel, eval_status, ctx,
	    &err) < 0) {
		cmd_progress_end(ctx);
		cmd_error(ctx, "eval: %s", err.msg);
		return -1;
	}
	return cmd_task_begin(ctx, eval_finish, (void *)(intptr_t)k);
}

const cmd_entry cmd_eval_entry = {
	.name = "eval",
	.alias = NULL,
	.options = "k= all-users",
	.min_args = 0,
	.max_args = 0,
	.usage = "eval [--k 10] [--all-users]",
	.help = "Evaluate every trained model on the test part: RMSE/MAE on\n"
	    "rating data, and precision, recall, NDCG, MAP, hit rate, MRR at\n"
	    "K ranking all items the user does not have yet (not in train or\n"
	    "validation); catalogue coverage and mean popularity of the\n"
	    "recommended items.  When a fusion exists, a `fused` row (and\n"
	    "after `refit` one row per refitted model), then the fused minus\n"
	    "the best single model per test user with a 95% interval.  With\n"
	    "more test users than `set sample-users` (10000 by default) every\n"
	    "row ranks the same seeded sample of them and shows its NDCG's\n"
	    "95% interval; --all-users ranks every one (Ctrl-C stops).",
	.flags = 0,
	.complete = { NULL },
	.exec = cmd_eval_exec,
};

/* --- recommend ------------------------------------------------------------ */

static int
cmd_recommend_exec(cmd_ctx *ctx, const cmd_args *a)
{
	rf_error err = { { 0 } };
	rf_table *t;
	long k;

	if (args_int(ctx, a, "k", 10, 1, 1000, &k) < 0)
		return -1;
	if ((t = workbench_recommend(ctx->wb, a->argv[0], (int)k,
	    args_opt(a, "model"), &err)) == NULL) {
		cmd_error(ctx, "recommend: %s", err.msg);
		return -1;
	}
	if (args_opt(a, "model") == NULL && t->title != NULL &&
	    strstr(t->title, "(fused)") != NULL)
		cmd_printf(ctx, "recommend %s: from the fusion of the trained "
		    "models (--model NAME: one of them)", a->argv[0]);
	cmd_print_part(ctx, "recommendations", t);
	table_free(t);
	return 0;
}

const cmd_entry cmd_recommend_entry = {
	.name = "recommend",
	.alias = "rec",
	.options = "k= model=",
	.min_args = 1,
	.max_args = 1,
	.usage = "recommend USER [--k 10] [--model NAME]",
	.help = "Top K items for a user (external id): from the fusion when\n"
	    "there is one (it says so), else from the last model `eval`\n"
	    "lists; --model NAME picks one (`--model fused`: the fusion).\n"
	    "What the user already has (train, validation) is left out.",
	.flags = CMD_BESIDE,
	.complete = { "user" },
	.exec = cmd_recommend_exec,
};

/* --- export --------------------------------------------------------------- */

static int
cmd_export_exec(cmd_ctx *ctx, const cmd_args *a)
{
	rf_error err = { { 0 } };
	const char *what = a->argv[0], *path = a->argv[1];
	long k;

	if (a->argc != 2 && strcmp(what, "factors") != 0)
		return cmd_usage(ctx, &cmd_export_entry);

	if (strcmp(what, "recs") == 0) {
		int64_t users = 0;
		const char *used = NULL;

		if (args_opt(a, "pairs")) {
			cmd_error(ctx, "export recs: --pairs is for export "
			    "preds");
			return -1;
		}
		if (args_int(ctx, a, "k", 10, 1, 1000, &k) < 0)
			return -1;
		if (workbench_export_recs(ctx->wb, path, (int)k, args_opt(a,
		    "model"), ctx->cancel, &users, &used, &err) < 0) {
			cmd_error(ctx, "export: %s", err.msg);
			return -1;
		}
		cmd_printf(ctx, "wrote top %ld of %s for %" PRId64 " users to "
		    "%s", k, used, users, path);
		return 0;
	}
	if (strcmp(what, "preds") == 0) {
		wb_preds_result res;
		const char *pairs = args_opt(a, "pairs");

		if (args_opt(a, "k") != NULL) {
			cmd_error(ctx, "export preds: --k is for export recs "
			    "(preds has one line per pair)");
			return -1;
		}
		if (pairs == NULL || *pairs == '\0') {
			cmd_error(ctx, "export preds: --pairs FILE is needed");
			return -1;
		}
		if (workbench_export_preds(ctx->wb, path, pairs, args_opt(a,
		    "model"), &res, &err) < 0) {
			cmd_error(ctx, "export: %s", err.msg);
			return -1;
		}
		cmd_printf(ctx, "wrote %" PRId64 " predictions of %s to %s; %"
		    PRId64 " pair%s with a user or item unseen in training "
		    "fell back to mu + b_u + b_i", res.pairs, res.model,
		    path, res.fallback, res.fallback == 1 ? "" : "s");
		return 0;
	}
	if (strcmp(what, "factors") == 0) {
		wb_factors_result res;

		if (a->argc != 3 || args_opt(a, "pairs") || args_opt(a, "k") ||
		    args_opt(a, "model")) {
			cmd_error(ctx, "export factors: MODEL DIR, no options");
			return cmd_usage(ctx, &cmd_export_entry);
		}
		if (workbench_export_factors(ctx->wb, a->argv[1], a->argv[2],
		    &res, &err) < 0) {
			cmd_error(ctx, "export: %s", err.msg);
			return -1;
		}
		cmd_printf(ctx, "wrote the %d factors of %s for %lld users and "
		    "%lld items to %s/userFactors and %s/itemFactors", res.k,
		    res.model, (long long)res.users, (long long)res.items,
		    a->argv[2], a->argv[2]);
		return 0;
	}
	cmd_error(ctx, "export: expected recs, preds or factors, not '%s'",
	    what);
	return cmd_usage(ctx, &cmd_export_entry);
}

const cmd_entry cmd_export_entry = {
	.name = "export",
	.alias = NULL,
	.options = "k= model= pairs=",
	.min_args = 2,
	.max_args = 3,
	.usage = "export recs PATH [--k 10] [--model NAME] | "
	    "export preds PATH --pairs FILE [--model NAME] | "
	    "export factors MODEL DIR",
	.help = "recs: write user<TAB>item<TAB>rank<TAB>score, the top K of\n"
	    "every user (external ids, train items left out); a PATH ending\n"
	    "in .csv gets CSV with a header (user,item,rank,score).\n"
	    "--model fused uses the fusion (recs and, when every model of it\n"
	    "predicts ratings, preds).\n"
	    "preds: read user<TAB>item pairs from FILE and write\n"
	    "user<TAB>item<TAB>prediction; users or items unseen in training\n"
	    "get the mean and bias estimate mu + b_u + b_i.\n"
	    "factors: a factor model's user and item factors as Spark MLlib\n"
	    "writes them: DIR/userFactors and DIR/itemFactors, each a folder\n"
	    "of part-00000.json ({\"id\": 12, \"features\": [...]} a line) and\n"
	    "_SUCCESS, which spark.read.json and import-model read back.",
	.flags = 0,
	.complete = { "recs|preds|factors", "path" },
	.exec = cmd_export_exec,
};

/* --- set -------------------------------------------------------------------- */

static int
cmd_set_exec(cmd_ctx *ctx, const cmd_args *a)
{
	rf_error err = { { 0 } };
	long n;
	char *end;

	if (a->argc == 0) {
		int su = workbench_sample_users(ctx->wb);

		if (su > 0)
			cmd_printf(ctx, "sample-users %d", su);
		else
			cmd_printf(ctx, "sample-users all");
		return 0;
	}
	if (strcmp(a->argv[0], "sample-users") != 0) {
		cmd_error(ctx, "set: unknown setting '%s' (settings: "
		    "sample-users)", a->argv[0]);
		return -1;
	}
	if (a->argc != 2) {
		cmd_error(ctx, "set sample-users: give a count (>= 100) or "
		    "all");
		return -1;
	}
	if (strcmp(a->argv[1], "all") == 0)
		n = 0;
	else {
		n = strtol(a->argv[1], &end, 10);
		if (*end != '\0' || end == a->argv[1] || n > 1L << 30) {
			cmd_error(ctx, "set sample-users: '%s' is not a count",
			    a->argv[1]);
			return -1;
		}
	}
	if (workbench_set_sample_users(ctx->wb, (int)n, &err) < 0) {
		cmd_error(ctx, "set: %s", err.msg);
		return -1;
	}
	if (n > 0)
		cmd_printf(ctx, "sample-users %ld: evaluations rank a seeded "
		    "sample of %ld users where there are more", n, n);
	else
		cmd_printf(ctx, "sample-users all: evaluations rank every "
		    "user");
	return 0;
}

const cmd_entry cmd_set_entry = {
	.name = "set",
	.alias = NULL,
	.options = "",
	.min_args = 0,
	.max_args = 2,
	.usage = "set [sample-users N|all]",
	.help = "Show or change a setting of the store.  sample-users: above\n"
	    "this many users (10000 by default) the evaluations after\n"
	    "`train`, `eval`, `tune` and the Fusion screen rank a fixed\n"
	    "seeded sample of them and give a 95% interval; all ranks every\n"
	    "user always.",
	.flags = CMD_WRITES,
	.complete = { "sample-users" },
	.exec = cmd_set_exec,
};
