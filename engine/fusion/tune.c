/* tune: learn the weights (and the normalisation) of the weighted fusion
 * on a validation pool by coordinate ascent over the simplex, then shrink
 * them toward equal weights by the one-standard-error rule. */
#include "engine/fusion/tune.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "engine/fusion/fusion_priv.h"

static const char *const tune_names[] = { "ndcg@10", "recall@20", "rmse" };

int
fusion_tune_metric_parse(const char *name)
{
	for (int k = 0; k < 3; k++)
		if (strcasecmp(name, tune_names[k]) == 0)
			return k;
	return -1;
}

const char *
fusion_tune_metric_name(enum tune_metric m)
{
	return (unsigned)m < 3 ? tune_names[m] : "?";
}

/* The tuned quantity, larger = better (RMSE negated); NAN on error. */
static double
tune_measure(fusion *f, fusion_pool *p, int single, enum tune_metric metric)
{
	metrics mt;
	rf_error err;

	if (metric == TUNE_RMSE) {
		if (fusion_pool_eval_rating(f, p, single, &mt, &err) < 0)
			return NAN;
		return -mt.rmse;
	}
	if (fusion_pool_eval(f, p, single, metric == TUNE_NDCG10 ? 10 : 20,
	    &mt, &err) < 0)
		return NAN;
	return metric == TUNE_NDCG10 ? mt.ndcg : mt.recall;
}

/*
 * The tuned quantity per pool row (user), for the one-standard-error rule
 * below: v[r] such that the metric is sum_r v[r] / *scale over the rows
 * with used[r] (larger = better): NDCG@10 or recall@20 per user (scale =
 * the users evaluated), or minus the user's summed squared error (scale =
 * the pairs; the metric is then -MSE, monotone in -RMSE).
 */
static int
tune_units(fusion *f, fusion_pool *p, enum tune_metric metric, double *v,
    uint8_t *used, double *scale)
{
	double *pu[2];
	metrics mt;
	rf_error err;

	*scale = 0;
	if (metric == TUNE_RMSE) {
		if (p->pptr == NULL)
			return -1;
		for (int r = 0; r < p->nu; r++) {
			double se = 0;

			for (int64_t q = p->pptr[r]; q < p->pptr[r + 1]; q++) {
				double fp = fusion_fused_prediction(f,
				    p->users[r], p->pred + (size_t)q * p->nm);
				double d = fusion_clip_rating(f, fp) -
				    p->truth[q];

				se += d * d;
			}
			v[r] = -se;
			used[r] = p->pptr[r + 1] > p->pptr[r];
			*scale += (double)(p->pptr[r + 1] - p->pptr[r]);
		}
		return 0;
	}
	if ((pu[0] = calloc((size_t)p->nu + 1, sizeof *pu[0])) == NULL ||
	    (pu[1] = calloc((size_t)p->nu + 1, sizeof *pu[1])) == NULL) {
		free(pu[0]);
		return -1;
	}
	if (fusion_pool_eval_users(f, p, -1, metric == TUNE_NDCG10 ? 10 : 20,
	    &mt, pu, &err) < 0) {
		free(pu[0]);
		free(pu[1]);
		return -1;
	}
	for (int r = 0; r < p->nu; r++) {
		int u = p->users[r];

		used[r] = p->eval->ptr[u + 1] > p->eval->ptr[u];
		v[r] = used[r] ? pu[metric == TUNE_NDCG10 ? 0 : 1][r] : 0;
		*scale += used[r];
	}
	free(pu[0]);
	free(pu[1]);
	return 0;
}

/*
 * Shrink the tuned weights toward equal weights while the loss on
 * validation stays within one standard error: the "one-standard-error
 * rule" (Hastie, Tibshirani & Friedman, ESL 2nd ed., section 7.10) applied
 * along w(l) = (1 - l) uniform + l w*, l = 0, 0.1, ..., 1.  Equal weights
 * are hard to beat out of sample (the "forecast combination puzzle",
 * Smith & Wallis 2009): weights fitted on a validation part carry its
 * noise and its drift, and after `refit` they are applied to models that
 * saw more (and more recent) data than the ones they were tuned on.  The
 * standard error is the optimum's, over users (the independent units),
 * as in ESL.  Returns the chosen l (1: no shrinkage) and
 * leaves the chosen weights in w; -1 on error.
 */
static double
tune_shrink(fusion *f, fusion_pool *p, enum tune_metric metric, double *w,
    double floor_metric, int *evals)
{
	int n = f->n, nu = p->nu;
	double *vs = malloc(((size_t)nu + 1) * sizeof *vs);
	double *v = malloc(((size_t)nu + 1) * sizeof *v);
	uint8_t *used = malloc((size_t)nu + 1);
	double best[FUSION_MAX_MODELS], scale, chosen = 1;

	if (vs == NULL || v == NULL || used == NULL) {
		free(vs);
		free(v);
		free(used);
		return -1;
	}
	memcpy(best, w, (size_t)n * sizeof *w);
	memcpy(f->set.w, best, (size_t)n * sizeof *w);
	if (tune_units(f, p, metric, vs, used, &scale) < 0 || scale <= 0)
		goto out;
	for (int step = 0; step < 10; step++) {
		double l = step / 10.0, t[FUSION_MAX_MODELS];
		double sd = 0, sdd = 0, mean, se, cnt = 0, sum = 0;

		for (int m = 0; m < n; m++)
			t[m] = (1 - l) / n + l * best[m];
		memcpy(f->set.w, t, (size_t)n * sizeof *t);
		if (tune_units(f, p, metric, v, used, &scale) < 0)
			goto out;
		(*evals)++;
		for (int r = 0; r < nu; r++)
			if (used[r]) {
				sd += vs[r];
				sdd += vs[r] * vs[r];
				sum += v[r];
				cnt++;
			}
		if (cnt < 2)
			break;
		mean = sd / cnt;
		/* The standard error of the optimum's estimate, as ESL's
		 * rule has it: sum_r v_r / scale over cnt independent users
		 * has standard error sqrt(cnt * var(v)) / scale. */
		se = sqrt(cnt * ((sdd - cnt * mean * mean) / (cnt - 1))) /
		    scale;
		if (sum / scale > floor_metric && (sd - sum) / scale <= se) {
			memcpy(w, t, (size_t)n * sizeof *t);
			chosen = l;
			break;
		}
	}
out:
	memcpy(f->set.w, w, (size_t)n * sizeof *w);
	free(vs);
	free(v);
	free(used);
	return chosen;
}

/* Coordinate ascent over the simplex: move one weight by +-step (then
 * renormalise) and keep the move only when the metric strictly rises. */
static double
tune_ascent(fusion *f, fusion_pool *p, enum tune_metric metric, double *w,
    int *evals, const volatile int *cancel)
{
	static const double steps[] = { 0.5, 0.25, 0.1, 0.05, 0.02 };
	double best;
	int n = f->n;

	memcpy(f->set.w, w, (size_t)n * sizeof *w);
	best = tune_measure(f, p, -1, metric);
	(*evals)++;
	for (size_t s = 0; s < sizeof steps / sizeof *steps; s++) {
		for (int pass = 0, improved = 1; improved && pass < 12;
		    pass++) {
			improved = 0;
			for (int m = 0; m < n; m++)
				for (int sign = -1; sign <= 1; sign += 2) {
					double t[FUSION_MAX_MODELS], sum = 0, v;

					if (cancel && *cancel)
						return best;
					memcpy(t, w, (size_t)n * sizeof *t);
					t[m] += sign * steps[s];
					if (t[m] < 0)
						t[m] = 0;
					for (int j = 0; j < n; j++)
						sum += t[j];
					if (sum <= 0 || t[m] == w[m])
						continue;
					for (int j = 0; j < n; j++)
						t[j] /= sum;
					memcpy(f->set.w, t, (size_t)n *
					    sizeof *t);
					v = tune_measure(f, p, -1, metric);
					(*evals)++;
					if (v > best + 1e-12) {
						best = v;
						memcpy(w, t, (size_t)n *
						    sizeof *t);
						improved = 1;
					}
				}
		}
	}
	memcpy(f->set.w, w, (size_t)n * sizeof *w);
	return best;
}

int
fusion_tune(fusion *f, fusion_pool *valid, fusion_pool *test,
    enum tune_metric metric, fusion_tune_report *rep,
    const volatile int *cancel, rf_error *err)
{
	return fusion_tune_ex(f, valid, test, metric, 1, rep, cancel, err);
}

int
fusion_tune_ex(fusion *f, fusion_pool *valid, fusion_pool *test,
    enum tune_metric metric, int shrink, fusion_tune_report *rep,
    const volatile int *cancel, rf_error *err)
{
	static const enum fusion_norm norms[] = {
		NORM_ZSCORE, NORM_MINMAX, NORM_RANK, NORM_BORDA
	};
	fusion_settings saved = f->set;
	double best_single = -INFINITY, best = -INFINITY;
	double bw[FUSION_MAX_MODELS] = { 0 };
	enum fusion_norm bnorm = NORM_RAW;
	int n = f->n, nnorms = metric == TUNE_RMSE ? 1 : 4;
	double t0 = rf_monotonic();

	memset(rep, 0, sizeof *rep);
	rep->metric = metric;
	rep->n_models = n;
	if (metric == TUNE_RMSE && valid->pptr == NULL)
		return rf_fail(err, "tune: rmse needs models that predict "
		    "ratings");
	if (metric != TUNE_RMSE && valid->eval == NULL)
		return rf_fail(err, "tune: the pool has no validation part");
	/* Every single model alone: the floor the fusion must beat. */
	for (int m = 0; m < n; m++) {
		rep->single_valid[m] = tune_measure(f, valid, m, metric);
		rep->single_test[m] = test ? tune_measure(f, test, m, metric) :
		    NAN;
		if (isnan(rep->single_valid[m]))
			return rf_fail(err, "tune: cannot measure %s",
			    f->set.names[m]);
		if (rep->single_valid[m] > best_single) {
			best_single = rep->single_valid[m];
			rep->best_single = m;
		}
	}
	f->set.method = FUSE_WEIGHTED;
	for (int k = 0; k < nnorms; k++) {
		f->set.norm = metric == TUNE_RMSE ? NORM_RAW : norms[k];
		for (int start = 0; start < 2; start++) {
			double w[FUSION_MAX_MODELS], v;

			for (int m = 0; m < n; m++)
				w[m] = start == 0 ?
				    (m == rep->best_single ? 1.0 : 0.0) :
				    1.0 / n;
			v = tune_ascent(f, valid, metric, w, &rep->evaluations,
			    cancel);
			if (v > best) {
				best = v;
				bnorm = f->set.norm;
				memcpy(bw, w, sizeof bw);
			}
			if (cancel && *cancel) {
				f->set = saved;
				return 1;
			}
		}
	}
	/* Never worse than the best single model: unless the fusion beats
	 * it strictly, keep that model alone with raw scores (the fused
	 * ranking is then exactly the model's own). */
	rep->shrink = 1;
	if (!(best > best_single)) {
		memset(bw, 0, sizeof bw);
		bw[rep->best_single] = 1;
		bnorm = NORM_RAW;
	} else if (shrink && n > 1) {
		double l;

		f->set.norm = bnorm;
		if ((l = tune_shrink(f, valid, metric, bw,
		    metric == TUNE_RMSE ? -best_single * best_single :
		    best_single, &rep->evaluations)) < 0) {
			f->set = saved;
			return rf_fail(err, "tune: out of memory");
		}
		rep->shrink = l;
	}
	f->set.norm = bnorm;
	memcpy(f->set.w, bw, sizeof bw);
	rep->norm = bnorm;
	memcpy(rep->w, bw, sizeof bw);
	rep->fused_valid = tune_measure(f, valid, -1, metric);
	rep->fused_test = test ? tune_measure(f, test, -1, metric) : NAN;
	if (metric == TUNE_RMSE) {
		/* Report RMSE itself, not its negation. */
		for (int m = 0; m < n; m++) {
			rep->single_valid[m] = -rep->single_valid[m];
			rep->single_test[m] = -rep->single_test[m];
		}
		rep->fused_valid = -rep->fused_valid;
		rep->fused_test = -rep->fused_test;
	}
	rep->seconds = rf_monotonic() - t0;
	return 0;
}
