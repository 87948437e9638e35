/* results: the engine side of the commands that show or write what the
 * session's models recommend: the eval table (one row per model, then the
 * refitted models and the fusion), recommend for one user, and the
 * exports of top-K lists and rating predictions. */
#include "engine/session/internal.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "engine/eval/compare.h"
#include "engine/eval/eval.h"
#include "engine/models/registry.h"

/* Ensure split and models are there. */
static int
ready(workbench *wb, rf_error *err)
{
	if (workbench_ensure_split(wb, err) < 0 ||
	    workbench_load_saved(wb, err) < 0)
		return -1;
	if (workbench_model_count(wb) == 0)
		return rf_fail(err, "no model trained on the current split "
		    "(%s): train one first (train MODEL)",
		    workbench_split(wb)->text);
	return 0;
}

static void
cell_metric(rf_table *t, double v, int decimals)
{
	if (isnan(v))
		table_cell_null(t);
	else
		table_cell_real(t, v, decimals);
}

static void
metric_row(rf_table *t, const char *name, const metrics *mt, int sampled)
{
	table_begin_row(t);
	table_cell_text(t, name);
	cell_metric(t, mt->n_pred ? mt->rmse : NAN, 4);
	cell_metric(t, mt->n_pred ? mt->mae : NAN, 4);
	cell_metric(t, mt->precision, 4);
	cell_metric(t, mt->recall, 4);
	cell_metric(t, mt->ndcg, 4);
	cell_metric(t, mt->map, 4);
	cell_metric(t, mt->hit_rate, 4);
	cell_metric(t, mt->mrr, 4);
	cell_metric(t, mt->coverage, 4);
	cell_metric(t, mt->mean_popularity, 1);
	if (sampled)
		cell_metric(t, mt->n_users > 1 ? student_t95(mt->n_users - 1) *
		    mt->ndcg_se : NAN, 4);
}

/* Is there a fusion to evaluate: one made in this session, or settings
 * stored by an earlier one? */
static int
fusion_exists(workbench *wb)
{
	char *saved;

	if (workbench_fusion_peek(wb))
		return 1;
	if ((saved = store_get_setting(workbench_store(wb), "fusion")) ==
	    NULL)
		return 0;
	free(saved);
	return 1;
}

/* The fused row's metrics: the fusion f (a clone of the session's) on
 * the test part, leaving out what is known (seen). */
static int
fused_metrics(const fusion *f, const interactions *seen,
    const interactions *test, int k, const int32_t *popularity,
    const volatile int *cancel, const eval_options *opt, metrics *out,
    double *per_user, rf_error *err)
{
	const dataset *ds = fusion_dataset(f);
	int rc, rating = 1;

	metrics_clear(out);
	if (test == NULL || test->nnz == 0)
		return rf_fail(err, "eval: the current split has no test part");
	{
		topn_eval ev = {
			.score = fusion_score_user, .ctx = f, .train = seen,
			.test = test, .popularity = popularity, .k = k,
			.threads = 2, .max_users = 0, .cancel = cancel,
			.per_user_ndcg = per_user,
			.sample_users = opt ? opt->sample_users : 0,
			.sample_seed = opt ? opt->sample_seed : 0,
			.progress = opt ? opt->progress : NULL,
			.progress_ud = opt ? opt->progress_ud : NULL,
		};

		if ((rc = metrics_eval_topn(&ev, out, err)) != 0)
			return rc;
	}
	for (int m = 0; m < fusion_n_models(f); m++)
		if (fusion_model(f, m)->ops->predict == NULL)
			rating = 0;
	if (ds->is_rating && rating)
		return metrics_eval_rating(fusion_predict, f, test,
		    ds->rating_min, ds->rating_max, out, err);
	return 0;
}

/* The per-user NDCG of the best single model so far (by its mean) and
 * of the fusion, for the paired comparison under the eval table. */
struct compare_state {
	int sampled;		/* the rows carry their NDCG's interval */
	int n_users;
	double best_mean;
	char best[72];
	double *best_pu, *pu;	/* (n_users) */
};

/* A single model's row was measured into cs->pu: keep it when it beats
 * the best so far. */
static void
compare_single(struct compare_state *cs, const char *name, double mean)
{
	double *t;

	if (cs->pu == NULL || isnan(mean) || mean <= cs->best_mean)
		return;
	cs->best_mean = mean;
	snprintf(cs->best, sizeof cs->best, "%s", name);
	t = cs->best_pu;
	cs->best_pu = cs->pu;
	cs->pu = t;
}

/* An evaluation: gathered on the main thread (the models loaded, the
 * fusion built and cloned, the users drawn), ranked by the worker. */
struct eval_job {
	struct wb_task *task;
	/* on the caller's thread only (batch mode): its progress hook */
	workbench *wb;
	wb_progress_fn tell;
	void *tell_ud;
	const char *row;	/* the row being ranked */
	double row_started;
	int k;
	const interactions *known, *test, *seen;
	int32_t *pop;
	eval_options opt;
	int n_models;
	const model **models;	/* the workbench's, in its order */
	fusion *fused;		/* a clone of the session's fusion, or NULL */
	int refitted;
	struct compare_state cs;
	rf_table *t;
	wb_eval_compare cmp;
	int rc;
	rf_error err;
};

static void
eval_job_free(void *arg)
{
	struct eval_job *j = arg;

	free(j->pop);
	free(j->models);
	fusion_free(j->fused);
	free(j->cs.pu);
	free(j->cs.best_pu);
	table_free(j->t);
	free(j);
}

/* "3.1 min" / "42 s" into buf. */
static void
eval_duration(double s, char *buf, size_t n)
{
	if (s >= 90)
		snprintf(buf, n, "%.1f min", s / 60);
	else
		snprintf(buf, n, "%.0f s", s);
}

/* How far the evaluator is, for the progress line: the users ranked of
 * the row's, and once the row has run half a second their rate and the
 * time left; in batch mode told to the caller's hook as well. */
static void
eval_progress(void *ud, int64_t done, int64_t total)
{
	struct eval_job *j = ud;
	double took = rf_monotonic() - j->row_started;
	char left[32];

	if (j->task == NULL)
		return;
	if (took >= 0.5 && done > 0 && done < total) {
		eval_duration(took * (double)(total - done) / (double)done,
		    left, sizeof left);
		wb_task_phase(j->task, total, "ranking %s, %.0f users/s, %s "
		    "left", j->row, (double)done / took, left);
	}
	wb_task_count(j->task, done);
	if (j->tell != NULL) {
		wb_task_progress p;

		if (workbench_task_progress(j->wb, &p) == 0)
			j->tell(j->tell_ud, &p);
	}
}

/* One row: single (a model) or the fusion (m == NULL). */
static int
eval_row(struct eval_job *j, const model *m, const char *name, int single)
{
	metrics mt;
	int rc;

	j->row = name;
	j->row_started = rf_monotonic();
	wb_task_phase(j->task, j->cmp.users, "ranking %s", name);
	if (m != NULL)
		rc = eval_model_with(m, single ? j->known : j->seen, j->test,
		    j->k, 2, j->pop, wb_task_cancel_flag(j->task), &j->opt,
		    &mt, j->cs.pu, &j->err);
	else
		rc = fused_metrics(j->fused, j->seen, j->test, j->k, j->pop,
		    wb_task_cancel_flag(j->task), &j->opt, &mt, j->cs.pu,
		    &j->err);
	if (rc != 0)
		return rc > 0 ? rf_fail(&j->err, "eval: cancelled") : -1;
	metric_row(j->t, name, &mt, j->cs.sampled);
	if (m != NULL)
		compare_single(&j->cs, name, mt.ndcg);
	return 0;
}

/*
 * The rows: one per model, then, when a fusion exists: after `refit`,
 * each refitted model ("ease (refit)", trained on train + valid, ranked
 * over the items not in train + valid, as the fusion is: like with
 * like), then "fused" and the comparison with the best single model.
 */
static void
eval_compute(struct wb_task *t, void *arg)
{
	struct eval_job *j = arg;
	struct compare_state *cs = &j->cs;

	j->task = t;
	j->rc = 0;
	for (int k = 0; k < j->n_models; k++)
		if ((j->rc = eval_row(j, j->models[k], j->models[k]->name,
		    1)) < 0)
			goto out;
	if (j->fused == NULL)
		goto out;
	if (j->refitted) {
		/* Like with like: the fusion of refitted models against the
		 * best refitted model. */
		cs->best_mean = -INFINITY;
		for (int m = 0; m < fusion_n_models(j->fused); m++) {
			char name[64];

			/* An imported model is not refitted: kept as is. */
			snprintf(name, sizeof name, fusion_model(j->fused,
			    m)->ops->traits & MODEL_EXTERNAL ?
			    "%s (as imported)" : "%s (refit)",
			    fusion_model_name(j->fused, m));
			if ((j->rc = eval_row(j, fusion_model(j->fused, m),
			    name, 0)) < 0)
				goto out;
		}
	}
	if ((j->rc = eval_row(j, NULL, "fused", 0)) < 0)
		goto out;
	if (cs->pu != NULL && isfinite(cs->best_mean)) {
		j->cmp.have = 1;
		snprintf(j->cmp.best, sizeof j->cmp.best, "%s", cs->best);
		paired_compare(cs->pu, cs->best_pu, NULL, cs->n_users,
		    &j->cmp.ndcg);
	}
out:
	j->task = NULL;
}

static int
eval_start(workbench *wb, int k, int all_users, const volatile int *cancel,
    int worker, wb_progress_fn tell, void *tell_ud, rf_error *err)
{
	const interactions *train, *test;
	int32_t *users;
	struct eval_job *j;
	char name[32];
	int n_sample, n_total, was, rc;
	static const char *const cols[] = { "P", "R", "NDCG", "MAP", "HR",
	    "MRR" };

	if (wb->task != NULL)
		return rf_fail(err, "%s is running; wait for it or cancel it "
		    "(Esc)", workbench_task_name(workbench_task_kind(wb)));
	if (ready(wb, err) < 0)
		return -1;
	train = workbench_train_part(wb);
	test = workbench_test_part(wb);
	if (test->nnz == 0)
		return rf_fail(err, "eval: the current split has no test part "
		    "(split temporal 0.2, for one)");
	if ((j = calloc(1, sizeof *j)) == NULL)
		return rf_fail(err, "out of memory");
	j->k = k;
	if (!worker) {
		/* a worker's progress is read by the front instead */
		j->wb = wb;
		j->tell = tell;
		j->tell_ud = tell_ud;
	}
	if ((j->known = workbench_known_part(wb, err)) == NULL) {
		free(j);
		return -1;
	}
	j->test = test;
	j->opt.sample_seed = WB_SAMPLE_SEED;
	j->opt.progress = eval_progress;
	j->opt.progress_ud = j;
	/* Every test user, or the same seeded sample for every row. */
	if ((users = wb_part_users(wb, test, all_users, &n_sample,
	    &n_total)) == NULL) {
		eval_job_free(j);
		return rf_fail(err, "out of memory");
	}
	free(users);
	if (n_sample < n_total) {
		j->opt.sample_users = n_sample;
		j->cs.sampled = 1;
	}
	j->cmp.users = n_sample;
	j->cmp.total_users = n_total;
	j->cs.n_users = test->n_users;
	j->cs.best_mean = -INFINITY;
	j->cs.pu = malloc(((size_t)j->cs.n_users + 1) * sizeof *j->cs.pu);
	j->cs.best_pu = malloc(((size_t)j->cs.n_users + 1) *
	    sizeof *j->cs.best_pu);
	j->n_models = workbench_model_count(wb);
	j->models = malloc(((size_t)j->n_models + 1) * sizeof *j->models);
	if ((j->pop = eval_train_popularity(train)) == NULL ||
	    j->cs.pu == NULL || j->cs.best_pu == NULL || j->models == NULL ||
	    (j->t = table_new("eval")) == NULL) {
		eval_job_free(j);
		return rf_fail(err, "out of memory");
	}
	for (int m = 0; m < j->n_models; m++)
		j->models[m] = workbench_model_at(wb, m)->m;
	table_add_column(j->t, "model", COL_TEXT);
	table_add_column(j->t, "RMSE", COL_REAL);
	table_add_column(j->t, "MAE", COL_REAL);
	for (int c = 0; c < 6; c++) {
		snprintf(name, sizeof name, "%s@%d", cols[c], k);
		table_add_column(j->t, name, COL_REAL);
	}
	table_add_column(j->t, "coverage", COL_REAL);
	table_add_column(j->t, "mean_pop", COL_REAL);
	if (j->cs.sampled) {
		snprintf(name, sizeof name, "NDCG@%d 95%%+-", k);
		table_add_column(j->t, name, COL_REAL);
	}
	/* The fusion, made in this session or stored by an earlier one: a
	 * clone, so that the sliders may move while the worker ranks. */
	if (fusion_exists(wb)) {
		const fusion *f = workbench_fusion(wb, err);

		if (f == NULL || (j->fused = fusion_clone(f, err)) == NULL) {
			eval_job_free(j);
			return -1;
		}
		j->refitted = workbench_fusion_refitted(wb);
		j->seen = workbench_fusion_seen(wb);
	}
	was = wb->background;
	wb->background = worker;
	rc = wb_task_start(wb, WB_TASK_EVAL, eval_compute, eval_job_free, j,
	    cancel, err);
	wb->background = was;
	return rc;
}

int
workbench_eval_start(workbench *wb, int k, int all_users,
    const volatile int *cancel, wb_progress_fn progress, void *progress_ud,
    rf_error *err)
{
	return eval_start(wb, k, all_users, cancel, wb->background, progress,
	    progress_ud, err);
}

rf_table *
workbench_eval_finish(workbench *wb, wb_eval_compare *cmp, rf_error *err)
{
	struct eval_job *j;
	rf_table *t;
	int cancelled;

	if ((j = wb_task_take(wb, WB_TASK_EVAL, &cancelled, err)) == NULL)
		return NULL;
	if (cancelled && j->rc == 0)
		j->rc = rf_fail(&j->err, "eval: cancelled");
	if (j->rc != 0) {
		*err = j->err;
		eval_job_free(j);
		return NULL;
	}
	if (cmp != NULL)
		*cmp = j->cmp;
	t = j->t;
	j->t = NULL;
	eval_job_free(j);
	return t;
}

rf_table *
workbench_eval_table(workbench *wb, int k, int all_users,
    const volatile int *cancel, wb_eval_compare *cmp, rf_error *err)
{
	if (cmp != NULL)
		memset(cmp, 0, sizeof *cmp);
	if (eval_start(wb, k, all_users, cancel, 0, NULL, NULL, err) < 0)
		return NULL;
	return workbench_eval_finish(wb, cmp, err);
}

/* "a, b or c": the registry's models that predict ratings. */
static void
rating_models(char *buf, size_t n)
{
	const model_ops *const *all = model_all();
	size_t len = 0;
	int count = 0, k;

	buf[0] = '\0';
	for (k = 0; all[k] != NULL; k++)
		count += all[k]->predict != NULL;
	for (k = 0; all[k] != NULL && len < n; k++) {
		if (all[k]->predict == NULL)
			continue;
		count--;
		len += (size_t)snprintf(buf + len, n - len, "%s%s",
		    all[k]->name, count > 1 ? ", " : count == 1 ? " or " : "");
	}
}

static void
trained_names(workbench *wb, int for_predict, char *buf, size_t n)
{
	size_t len = 0;

	buf[0] = '\0';
	for (int j = 0; j < workbench_model_count(wb) && len < n; j++) {
		const model *m = workbench_model_at(wb, j)->m;

		if (for_predict && m->ops->predict == NULL)
			continue;
		len += (size_t)snprintf(buf + len, n - len, "%s%s",
		    len ? ", " : "", m->name);
	}
	if (len == 0)
		snprintf(buf, n, "none");
}

static const wb_model *
pick_model(workbench *wb, const char *name, int for_predict,
    rf_error *err)
{
	const wb_model *e = NULL;
	char names[512];

	if (ready(wb, err) < 0)
		return NULL;
	if (name) {
		const model_ops *ops = model_lookup(name);

		/* By the name it is kept under, else the registry's
		 * spelling of it. */
		if ((e = workbench_find_model(wb, name)) == NULL && ops)
			e = workbench_find_model(wb, ops->name);
		if (e == NULL) {
			trained_names(wb, 0, names, sizeof names);
			rf_fail(err, "model '%s' is not trained (trained: %s)",
			    name, names);
			return NULL;
		}
		if (for_predict && e->m->ops->predict == NULL) {
			trained_names(wb, 1, names, sizeof names);
			rf_fail(err, "%s does not predict ratings (trained "
			    "models that do: %s)", e->m->name, names);
			return NULL;
		}
		return e;
	}
	for (int j = workbench_model_count(wb) - 1; j >= 0; j--) {
		e = workbench_model_at(wb, j);
		if (!for_predict || e->m->ops->predict)
			return e;
	}
	rating_models(names, sizeof names);
	rf_fail(err, "no trained model predicts ratings (try %s)", names);
	return NULL;
}

/* Scores of user u with the user's train items (and NaNs) excluded. */
static void
score_excluding_train(const model *m, const interactions *train, int u,
    float *scores)
{
	m->ops->score_user(m, u, scores);
	for (int64_t p = train->ptr[u]; p < train->ptr[u + 1]; p++)
		scores[train->idx[p]] = -INFINITY;
}

static int
is_fused(const char *model_name)
{
	return model_name && strcasecmp(model_name, "fused") == 0;
}

/* The fusion for `--model fused` (saved models of the split loaded). */
static const fusion *
pick_fused(workbench *wb, rf_error *err)
{
	if (ready(wb, err) < 0)
		return NULL;
	return workbench_fusion(wb, err);
}

/* The rank / item / title / score table of a top-n list; scores are in
 * rank order (by_rank) or indexed by item. */
static void
recommend_rows(rf_table *t, const dataset *ds, const int32_t *top, int n,
    const float *scores, int by_rank)
{
	table_add_column(t, "rank", COL_INT);
	table_add_column(t, "item", COL_TEXT);
	table_add_column(t, "title", COL_TEXT);
	table_add_column(t, "score", COL_REAL);
	for (int r = 0; r < n; r++) {
		int i = top[r];

		table_begin_row(t);
		table_cell_int(t, r + 1);
		table_cell_text(t, ds->item_ext ? ds->item_ext[i] : NULL);
		table_cell_text(t, ds->item_title ? ds->item_title[i] : NULL);
		table_cell_real(t, scores[by_rank ? r : i], 4);
	}
}

static rf_table *
recommend_fused(workbench *wb, const char *user, int k, rf_error *err)
{
	const fusion *f;
	const dataset *ds;
	float *scores;
	int32_t *top;
	rf_table *t;
	char title[160];
	int u, n;

	if ((f = pick_fused(wb, err)) == NULL)
		return NULL;
	ds = fusion_dataset(f);
	if ((u = dataset_user_index(ds, user)) < 0) {
		rf_fail(err, "unknown user '%s'", user);
		return NULL;
	}
	scores = malloc((size_t)(k > 0 ? k : 1) * sizeof *scores);
	top = malloc((size_t)(k > 0 ? k : 1) * sizeof *top);
	snprintf(title, sizeof title, "recommend %s (fused)", user);
	if (scores == NULL || top == NULL || (t = table_new(title)) == NULL) {
		free(scores);
		free(top);
		rf_fail(err, "out of memory");
		return NULL;
	}
	if ((n = fusion_recommend(f, u, k, top, scores, err)) < 0) {
		free(scores);
		free(top);
		table_free(t);
		return NULL;
	}
	recommend_rows(t, ds, top, n, scores, 1);
	free(scores);
	free(top);
	return t;
}

rf_table *
workbench_recommend(workbench *wb, const char *user, int k, const char *model_name,
    rf_error *err)
{
	const wb_model *e;
	const dataset *ds;
	const interactions *train;
	float *scores;
	int32_t *top;
	rf_table *t;
	char title[160];
	int u, n;

	/* Without --model: the fusion when there is one (made in this
	 * session or stored), else the last model. */
	if (is_fused(model_name) || (model_name == NULL &&
	    ready(wb, err) == 0 && fusion_exists(wb)))
		return recommend_fused(wb, user, k, err);
	if ((e = pick_model(wb, model_name, 0, err)) == NULL)
		return NULL;
	ds = e->m->ds;
	if ((train = workbench_known_part(wb, err)) == NULL)
		return NULL;
	if ((u = dataset_user_index(ds, user)) < 0) {
		rf_fail(err, "unknown user '%s'", user);
		return NULL;
	}
	scores = malloc((size_t)ds->n_items * sizeof *scores);
	top = malloc((size_t)(k > 0 ? k : 1) * sizeof *top);
	snprintf(title, sizeof title, "recommend %s (%s)", user,
	    e->m->name);
	if (scores == NULL || top == NULL || (t = table_new(title)) == NULL) {
		free(scores);
		free(top);
		rf_fail(err, "out of memory");
		return NULL;
	}
	score_excluding_train(e->m, train, u, scores);
	n = topk_select(scores, ds->n_items, k, top);
	recommend_rows(t, ds, top, n, scores, 0);
	free(scores);
	free(top);
	return t;
}

static int
file_fail(rf_error *err, const char *path, const char *what)
{
	return rf_fail(err, "%s: %s: %s", path, what, strerror(errno));
}

/* One line of export recs: TSV, or CSV (a path ending in .csv). */
static void
put_rec(FILE *f, int csv, const char *user, const char *item, int rank,
    float score)
{
	if (!csv) {
		fprintf(f, "%s\t%s\t%d\t%.6g\n", user, item, rank, score);
		return;
	}
	table_csv_field(f, user);
	fputc(',', f);
	table_csv_field(f, item);
	fprintf(f, ",%d,%.6g\n", rank, score);
}

int
workbench_export_recs(workbench *wb, const char *path, int k,
    const char *model_name, const volatile int *cancel, int64_t *n_users,
    const char **model_used, rf_error *err)
{
	const wb_model *e;
	const dataset *ds;
	const interactions *train;
	float *scores;
	int32_t *top;
	FILE *f;
	int64_t written = 0;
	int csv;
	const fusion *fu = NULL;

	if (is_fused(model_name)) {
		if ((fu = pick_fused(wb, err)) == NULL)
			return -1;
		e = NULL;
		ds = fusion_dataset(fu);
		if ((train = workbench_known_part(wb, err)) == NULL)
			return -1;
		if (model_used)
			*model_used = "fused";
	} else {
		if ((e = pick_model(wb, model_name, 0, err)) == NULL)
			return -1;
		ds = e->m->ds;
		if ((train = workbench_known_part(wb, err)) == NULL)
			return -1;
		if (model_used)
			*model_used = e->m->name;
	}
	if (ds->user_ext == NULL || ds->item_ext == NULL)
		return rf_fail(err, "export: the data have no external ids");
	if (store_is_store_file(workbench_store(wb), path))
		return rf_fail(err, "%s: is the store; export to another "
		    "file", path);
	if ((f = fopen(path, "w")) == NULL)
		return file_fail(err, path, "cannot write");
	csv = strlen(path) > 4 && strcasecmp(path + strlen(path) - 4,
	    ".csv") == 0;
	if (csv)
		fputs("user,item,rank,score\n", f);
	scores = malloc((size_t)ds->n_items * sizeof *scores);
	top = malloc((size_t)(k > 0 ? k : 1) * sizeof *top);
	if (scores == NULL || top == NULL) {
		free(scores);
		free(top);
		fclose(f);
		return rf_fail(err, "out of memory");
	}
	for (int u = 0; u < ds->n_users; u++) {
		int n;

		if (cancel && *cancel) {
			free(scores);
			free(top);
			fclose(f);
			return rf_fail(err, "%s: export cancelled after %lld "
			    "users", path, (long long)written);
		}
		if (fu) {
			/* scores[] then holds the top's scores in order. */
			if ((n = fusion_recommend(fu, u, k, top, scores,
			    err)) < 0) {
				free(scores);
				free(top);
				fclose(f);
				return -1;
			}
			for (int r = 0; r < n; r++)
				put_rec(f, csv, ds->user_ext[u],
				    ds->item_ext[top[r]], r + 1, scores[r]);
			written++;
			continue;
		}
		score_excluding_train(e->m, train, u, scores);
		n = topk_select(scores, ds->n_items, k, top);
		for (int r = 0; r < n; r++)
			put_rec(f, csv, ds->user_ext[u], ds->item_ext[top[r]],
			    r + 1, scores[top[r]]);
		written++;
	}
	free(scores);
	free(top);
	if (ferror(f)) {
		fclose(f);
		return file_fail(err, path, "write error");
	}
	if (fclose(f) != 0)
		return file_fail(err, path, "write error");
	if (n_users)
		*n_users = written;
	return 0;
}

/*
 * The fallback for pairs a model cannot predict: damped baseline biases
 * (Koren, "Factor in the neighbors", TKDD 2010, section 2.1):
 *   b_i = sum_u (r_ui - mu) / (lambda2 + |R(i)|),
 *   b_u = sum_i (r_ui - mu - b_i) / (lambda3 + |R(u)|),
 * lambda2 = 25, lambda3 = 10; one pass each, no iteration.
 */
typedef struct baseline_fit {
	double mu;
	double *bu, *bi;
	int *ni;		/* train users of each item */
} baseline_fit;

static int
baseline_fit_train(const interactions *t, baseline_fit *b)
{
	double sum = 0;

	b->bu = calloc((size_t)t->n_users + 1, sizeof *b->bu);
	b->bi = calloc((size_t)t->n_items + 1, sizeof *b->bi);
	b->ni = calloc((size_t)t->n_items + 1, sizeof *b->ni);
	if (b->bu == NULL || b->bi == NULL || b->ni == NULL)
		return -1;
	for (int64_t k = 0; k < t->nnz; k++)
		sum += t->val[k];
	b->mu = t->nnz ? sum / (double)t->nnz : 0;
	/* By rows, users ascending: each item's sum in its column's order
	 * (no transpose needed). */
	for (int64_t k = 0; k < t->nnz; k++) {
		b->bi[t->idx[k]] += t->val[k] - b->mu;
		b->ni[t->idx[k]]++;
	}
	for (int i = 0; i < t->n_items; i++)
		b->bi[i] /= 25.0 + (double)b->ni[i];
	for (int u = 0; u < t->n_users; u++) {
		double s = 0;

		for (int64_t p = t->ptr[u]; p < t->ptr[u + 1]; p++)
			s += t->val[p] - b->mu - b->bi[t->idx[p]];
		b->bu[u] = s / (10.0 + (double)(t->ptr[u + 1] - t->ptr[u]));
	}
	return 0;
}

/* Split a line into up to two fields on tabs (or, without a tab, on
 * blanks); returns the field count. */
static int
pair_fields(char *line, char **a, char **b)
{
	const char *sep = strchr(line, '\t') ? "\t" : " ,";
	char *save = NULL;

	*a = strtok_r(line, sep, &save);
	*b = *a ? strtok_r(NULL, sep, &save) : NULL;
	return (*a != NULL) + (*b != NULL);
}

int
workbench_export_preds(workbench *wb, const char *path, const char *pairs_path,
    const char *model_name, wb_preds_result *res, rf_error *err)
{
	const wb_model *e;
	const dataset *ds;
	const interactions *train;
	baseline_fit bf = { 0 };
	struct stat sin, sout;
	FILE *in, *out;
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	long lineno = 0;
	int rc = 0;

	const fusion *fu = NULL;

	memset(res, 0, sizeof *res);
	if (is_fused(model_name)) {
		if ((fu = pick_fused(wb, err)) == NULL)
			return -1;
		for (int m = 0; m < fusion_n_models(fu); m++) {
			char names[256];

			if (fusion_model(fu, m)->ops->predict != NULL)
				continue;
			rating_models(names, sizeof names);
			return rf_fail(err, "fused: %s does not predict "
			    "ratings (a rating fusion needs models that all "
			    "do: %s)", fusion_model_name(fu, m), names);
		}
		e = NULL;
		ds = fusion_dataset(fu);
		/* what the fusion's models were trained on: a pair outside
		 * it gets the bias estimate */
		train = fusion_model(fu, 0)->train;
		res->model = "fused";
	} else {
		if ((e = pick_model(wb, model_name, 1, err)) == NULL)
			return -1;
		ds = e->m->ds;
		train = workbench_train_part(wb);
		res->model = e->m->name;
	}
	if ((in = fopen(pairs_path, "r")) == NULL)
		return file_fail(err, pairs_path, "cannot read");
	/* Opening the output would truncate the pairs before they are
	 * read: the user's file would be lost. */
	if (fstat(fileno(in), &sin) == 0 && stat(path, &sout) == 0 &&
	    sin.st_dev == sout.st_dev && sin.st_ino == sout.st_ino) {
		fclose(in);
		return rf_fail(err, "%s: is the pairs file too; write the "
		    "predictions to another file", path);
	}
	if (store_is_store_file(workbench_store(wb), path)) {
		fclose(in);
		return rf_fail(err, "%s: is the store; export to another "
		    "file", path);
	}
	if ((out = fopen(path, "w")) == NULL) {
		fclose(in);
		return file_fail(err, path, "cannot write");
	}
	if (baseline_fit_train(train, &bf) < 0) {
		rc = rf_fail(err, "out of memory");
		goto done;
	}
	while ((len = getline(&line, &cap, in)) >= 0) {
		char *ue, *ie;
		int u, i, known_u, known_i;
		double p;

		lineno++;
		while (len > 0 && (line[len - 1] == '\n' ||
		    line[len - 1] == '\r'))
			line[--len] = '\0';
		if (len == 0)
			continue;
		if (pair_fields(line, &ue, &ie) < 2) {
			rc = rf_fail(err, "%s:%ld: expected user<TAB>item",
			    pairs_path, lineno);
			goto done;
		}
		u = dataset_user_index(ds, ue);
		i = dataset_item_index(ds, ie);
		known_u = u >= 0 && train->ptr[u + 1] > train->ptr[u];
		known_i = i >= 0 && bf.ni[i] > 0;
		if (known_u && known_i)
			p = fu ? fusion_predict(fu, u, i) :
			    e->m->ops->predict(e->m, u, i);
		else {
			p = bf.mu + (known_u ? bf.bu[u] : 0) +
			    (known_i ? bf.bi[i] : 0);
			res->fallback++;
		}
		if (ds->is_rating && ds->rating_min < ds->rating_max)
			p = p < ds->rating_min ? ds->rating_min :
			    (p > ds->rating_max ? ds->rating_max : p);
		fprintf(out, "%s\t%s\t%.6g\n", ue, ie, p);
		res->pairs++;
	}
	if (ferror(in))
		rc = file_fail(err, pairs_path, "read error");
done:
	free(line);
	free(bf.bu);
	free(bf.bi);
	free(bf.ni);
	fclose(in);
	if (ferror(out) && rc == 0)
		rc = file_fail(err, path, "write error");
	if (fclose(out) != 0 && rc == 0)
		rc = file_fail(err, path, "write error");
	return rc;
}
