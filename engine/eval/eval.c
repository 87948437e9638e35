/* eval: the evaluation protocol of one model: full ranking of every test
 * user over the items not in train, plus rating accuracy where the model
 * predicts ratings (see eval.h). */
#include "engine/eval/eval.h"

#include <stdlib.h>

void
eval_model_score(const void *ctx, int u, float *out)
{
	const model *m = ctx;

	m->ops->score_user(m, u, out);
}

void
eval_model_score_block(const void *ctx, const int32_t *users, int n,
    int lo, int hi, float *out)
{
	const model *m = ctx;

	m->ops->score_users(m, users, n, lo, hi, out);
}

double
eval_model_predict(const void *ctx, int u, int i)
{
	const model *m = ctx;

	return m->ops->predict(m, u, i);
}

int32_t *
eval_train_popularity(const interactions *train)
{
	int32_t *pop = calloc((size_t)train->n_items + 1, sizeof *pop);

	if (pop == NULL)
		return NULL;
	for (int64_t k = 0; k < train->nnz; k++)
		pop[train->idx[k]]++;
	return pop;
}

int
eval_model(const model *m, const interactions *train,
    const interactions *test, int k, int threads, const int32_t *popularity,
    const volatile int *cancel, metrics *out, rf_error *err)
{
	return eval_model_users(m, train, test, k, threads, popularity,
	    cancel, out, NULL, err);
}

int
eval_model_users(const model *m, const interactions *train,
    const interactions *test, int k, int threads, const int32_t *popularity,
    const volatile int *cancel, metrics *out, double *per_user_ndcg,
    rf_error *err)
{
	return eval_model_with(m, train, test, k, threads, popularity, cancel,
	    NULL, out, per_user_ndcg, err);
}

int
eval_model_with(const model *m, const interactions *train,
    const interactions *test, int k, int threads, const int32_t *popularity,
    const volatile int *cancel, const eval_options *opt, metrics *out,
    double *per_user_ndcg, rf_error *err)
{
	const dataset *ds = m->ds;
	topn_eval ev = {
		.score = eval_model_score, .ctx = m, .train = train,
		.test = test, .popularity = popularity, .k = k,
		.threads = threads, .max_users = 0, .cancel = cancel,
		.per_user_ndcg = per_user_ndcg,
		.score_block = m->ops->score_users ? eval_model_score_block :
		    NULL,
		.sample_users = opt ? opt->sample_users : 0,
		.sample_seed = opt ? opt->sample_seed : 0,
		.progress = opt ? opt->progress : NULL,
		.progress_ud = opt ? opt->progress_ud : NULL,
	};
	int rc;

	metrics_clear(out);
	if ((rc = metrics_eval_topn(&ev, out, err)) != 0)
		return rc;
	if (ds->is_rating && m->ops->predict)
		return metrics_eval_rating(eval_model_predict, m, test,
		    ds->rating_min, ds->rating_max, out, err);
	return 0;
}
