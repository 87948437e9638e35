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

static int
fused_metrics(workbench *wb, int k, const int32_t *popularity,
    const volatile int *cancel, const eval_options *opt, metrics *out,
    double *per_user, rf_error *err)
{
	const fusion *f = workbench_fusion(wb, err);
	const interactions *seen, *test = workbench_test_part(wb);
	const dataset *ds;
	int rc, rating = 1;

	metrics_clear(out);
	if (f == NULL)
		return -1;
	if (test == NULL || test->nnz == 0)
		return rf_fail(err, "eval: the current split has no test part");
	ds = fusion_dataset(f);
	seen = workbench_fusion_seen(wb);
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

/*
 * The eval table's fusion rows, when a fusion exists: after `refit`, each
 * refitted model ("ease (refit)", trained on train + valid, ranked over
 * the items not in train + valid, as the fusion is: like with like), then
 * "fused".
 */
static int
fused_rows(workbench *wb, rf_table *t, int k, const int32_t *pop,
    const volatile int *cancel, const eval_options *opt,
    struct compare_state *cs, wb_eval_compare *cmp, rf_error *err)
{
	const fusion *f;
	metrics mt;
	int rc;

	if (!fusion_exists(wb))
		return 0;
	if ((f = workbench_fusion(wb, err)) == NULL)
		return -1;
	if (workbench_fusion_refitted(wb)) {
		/* Like with like: the fusion of refitted models against the
		 * best refitted model. */
		cs->best_mean = -INFINITY;
		for (int m = 0; m < fusion_n_models(f); m++) {
			char name[64];

			rc = eval_model_with(fusion_model(f, m),
			    workbench_fusion_seen(wb), workbench_test_part(wb),
			    k, 2, pop, cancel, opt, &mt, cs->pu, err);
			if (rc != 0)
				return rc > 0 ? rf_fail(err, "eval: "
				    "cancelled") : -1;
			snprintf(name, sizeof name, "%s (refit)",
			    fusion_model_name(f, m));
			metric_row(t, name, &mt, cs->sampled);
			compare_single(cs, name, mt.ndcg);
		}
	}
	if ((rc = fused_metrics(wb, k, pop, cancel, opt, &mt, cs->pu,
	    err)) != 0)
		return rc > 0 ? rf_fail(err, "eval: cancelled") : -1;
	metric_row(t, "fused", &mt, cs->sampled);
	if (cmp != NULL && cs->pu != NULL && isfinite(cs->best_mean)) {
		cmp->have = 1;
		snprintf(cmp->best, sizeof cmp->best, "%s", cs->best);
		paired_compare(cs->pu, cs->best_pu, NULL, cs->n_users,
		    &cmp->ndcg);
	}
	return 0;
}

rf_table *
workbench_eval_table(workbench *wb, int k, int all_users,
    const volatile int *cancel, wb_eval_compare *cmp, rf_error *err)
{
	const interactions *train, *test;
	int32_t *pop, *users;
	rf_table *t;
	char name[32];
	struct compare_state cs = { 0 };
	eval_options opt = { .sample_seed = WB_SAMPLE_SEED };
	int n_sample, n_total;
	static const char *const cols[] = { "P", "R", "NDCG", "MAP", "HR",
	    "MRR" };

	if (ready(wb, err) < 0)
		return NULL;
	train = workbench_train_part(wb);
	test = workbench_test_part(wb);
	if (test->nnz == 0) {
		rf_fail(err, "eval: the current split has no test part "
		    "(split temporal 0.2, for one)");
		return NULL;
	}
	if (cmp != NULL)
		memset(cmp, 0, sizeof *cmp);
	/* Every test user, or the same seeded sample for every row. */
	if ((users = wb_part_users(wb, test, all_users, &n_sample,
	    &n_total)) == NULL) {
		rf_fail(err, "out of memory");
		return NULL;
	}
	free(users);
	if (n_sample < n_total) {
		opt.sample_users = n_sample;
		cs.sampled = 1;
	}
	if (cmp != NULL) {
		cmp->users = n_sample;
		cmp->total_users = n_total;
	}
	cs.n_users = test->n_users;
	cs.best_mean = -INFINITY;
	cs.pu = malloc(((size_t)cs.n_users + 1) * sizeof *cs.pu);
	cs.best_pu = malloc(((size_t)cs.n_users + 1) * sizeof *cs.best_pu);
	if ((pop = eval_train_popularity(train)) == NULL ||
	    cs.pu == NULL || cs.best_pu == NULL ||
	    (t = table_new("eval")) == NULL) {
		free(pop);
		free(cs.pu);
		free(cs.best_pu);
		rf_fail(err, "out of memory");
		return NULL;
	}
	table_add_column(t, "model", COL_TEXT);
	table_add_column(t, "RMSE", COL_REAL);
	table_add_column(t, "MAE", COL_REAL);
	for (int c = 0; c < 6; c++) {
		snprintf(name, sizeof name, "%s@%d", cols[c], k);
		table_add_column(t, name, COL_REAL);
	}
	table_add_column(t, "coverage", COL_REAL);
	table_add_column(t, "mean_pop", COL_REAL);
	if (cs.sampled) {
		snprintf(name, sizeof name, "NDCG@%d 95%%+-", k);
		table_add_column(t, name, COL_REAL);
	}
	for (int j = 0; j < workbench_model_count(wb); j++) {
		const wb_model *e = workbench_model_at(wb, j);
		metrics mt;
		int rc = eval_model_with(e->m, workbench_known_part(wb), test,
		    k, 2, pop, cancel, &opt, &mt, cs.pu, err);

		if (rc != 0) {
			if (rc > 0)
				rf_fail(err, "eval: cancelled");
			free(pop);
			free(cs.pu);
			free(cs.best_pu);
			table_free(t);
			return NULL;
		}
		compare_single(&cs, e->m->name, mt.ndcg);
		metric_row(t, e->m->name, &mt, cs.sampled);
	}
	if (fused_rows(wb, t, k, pop, cancel, &opt, &cs, cmp, err) < 0) {
		free(pop);
		free(cs.pu);
		free(cs.best_pu);
		table_free(t);
		return NULL;
	}
	free(pop);
	free(cs.pu);
	free(cs.best_pu);
	return t;
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

	if (is_fused(model_name))
		return recommend_fused(wb, user, k, err);
	if ((e = pick_model(wb, model_name, 0, err)) == NULL)
		return NULL;
	ds = e->m->ds;
	train = workbench_known_part(wb);
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
	const fusion *fu = NULL;

	if (is_fused(model_name)) {
		if ((fu = pick_fused(wb, err)) == NULL)
			return -1;
		e = NULL;
		ds = fusion_dataset(fu);
		train = workbench_known_part(wb);
		if (model_used)
			*model_used = "fused";
	} else {
		if ((e = pick_model(wb, model_name, 0, err)) == NULL)
			return -1;
		ds = e->m->ds;
		train = workbench_known_part(wb);
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
				fprintf(f, "%s\t%s\t%d\t%.6g\n",
				    ds->user_ext[u], ds->item_ext[top[r]],
				    r + 1, scores[r]);
			written++;
			continue;
		}
		score_excluding_train(e->m, train, u, scores);
		n = topk_select(scores, ds->n_items, k, top);
		for (int r = 0; r < n; r++)
			fprintf(f, "%s\t%s\t%d\t%.6g\n", ds->user_ext[u],
			    ds->item_ext[top[r]], r + 1, scores[top[r]]);
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
} baseline_fit;

static int
baseline_fit_train(const interactions *t, baseline_fit *b)
{
	double sum = 0;

	b->bu = calloc((size_t)t->n_users + 1, sizeof *b->bu);
	b->bi = calloc((size_t)t->n_items + 1, sizeof *b->bi);
	if (b->bu == NULL || b->bi == NULL)
		return -1;
	for (int64_t k = 0; k < t->nnz; k++)
		sum += t->val[k];
	b->mu = t->nnz ? sum / (double)t->nnz : 0;
	for (int i = 0; i < t->n_items; i++) {
		double s = 0;

		for (int64_t p = t->tptr[i]; p < t->tptr[i + 1]; p++)
			s += t->tval[p] - b->mu;
		b->bi[i] = s / (25.0 + (double)(t->tptr[i + 1] - t->tptr[i]));
	}
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
		known_i = i >= 0 && train->tptr[i + 1] > train->tptr[i];
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
	fclose(in);
	if (ferror(out) && rc == 0)
		rc = file_fail(err, path, "write error");
	if (fclose(out) != 0 && rc == 0)
		rc = file_fail(err, path, "write error");
	return rc;
}
