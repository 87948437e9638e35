/* tune: learn how to fuse on a validation pool, and choose how.
 *
 * Several ways to fuse are learned on the validation pool (the
 * candidates):
 *   single     the best model alone (its own ranking);
 *   selection  greedy forward ensemble selection with replacement
 *              (Caruana, Niculescu-Mizil, Crew & Ksikes, ICML 2004): from
 *              the best model, add the model (again, if it helps) that
 *              raises the metric most, keep the best prefix; the weights
 *              are the counts; tried under each normalisation;
 *   members    equal weights over the models selection picked: the
 *              "forecast combination puzzle" (Smith & Wallis 2009) says
 *              plain averages often transfer better than fitted weights;
 *   weights    coordinate ascent over the simplex from the best model
 *              alone, penalised by one standard error of the best model's
 *              metric for moving weight away from it (regularised toward
 *              the best single model, not toward equal weights), then
 *              members below 1% set to 0;
 *   fwls       feature-weighted linear stacking (Sill, Takacs, Mackey &
 *              Lin 2009): each model's weight a linear function of the
 *              user's features (activity, recency, category spread),
 *              w_m(u) = a_m + sum_f c_mf x_uf, from selection's weights by
 *              coordinate ascent on the metric itself;
 *   rrf, borda, vote  over selection's members, equal weights;
 *   stack      the logistic (top-N) or ridge (ratings) stack.
 * Each is judged by k-fold cross-validation over users (the users in k
 * folds by a hash of the user; fusion_tune_folds()): learned on the users
 * of every fold but one and measured on that one, for each fold in turn,
 * so that a way with more freedom does not win by fitting the validation
 * noise.  Five folds on a few thousand users or fewer: learned on half of
 * them (two folds), a way's out-of-fold gain is understated and noisier,
 * and which way wins depended on how the users fell into halves (on
 * ml-100k one partition in four kept the single model where three kept a
 * fusion that wins on test); two beyond, where half learns as well.  The
 * best by that measure among the ways that beat the best single model out
 * of fold beyond doubt (the 95% interval of the per-user difference above
 * 0, over TUNE_MIN_USERS users or more) is learned again on every
 * validation user and kept; when none does, the best single model is kept
 * (its ranking exactly).  Ratings (RMSE) try single, weights and stack only.
 */
#include "engine/fusion/tune.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "engine/fusion/fusion_priv.h"

static const char *const tune_names[] = { "ndcg@10", "recall@20", "rmse" };

static const char *const cand_names[TUNE_CAND_COUNT] = {
	"single", "selection", "members", "weights", "fwls", "rrf", "borda",
	"vote", "stack"
};

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

const char *
fusion_tune_candidate_name(enum tune_candidate c)
{
	return (unsigned)c < TUNE_CAND_COUNT ? cand_names[c] : "?";
}

/* The learners' per-fold memory (struct tune) is sized for the most. */
_Static_assert(TUNE_FOLDS_MANY <= TUNE_FOLDS_FEW && TUNE_FOLDS_FEW < 256,
    "fold arrays hold TUNE_FOLDS_FEW + 1 sets of rows; a fold is a uint8_t");

int
fusion_tune_folds(int n_users)
{
	return n_users <= TUNE_FOLDS_USERS ? TUNE_FOLDS_FEW : TUNE_FOLDS_MANY;
}

/* What a learner leaves in the fusion: the settings and a stack. */
struct tune_state {
	fusion_settings set;
	int stack_kind, ntheta;
	double theta[1 + UFN + FUSION_MAX_MODELS * (1 + UFN)];
};

static void
state_save(const fusion *f, struct tune_state *s)
{
	s->set = f->set;
	s->stack_kind = f->stack_kind;
	s->ntheta = f->ntheta;
	memcpy(s->theta, f->theta, sizeof s->theta);
}

static void
state_load(fusion *f, const struct tune_state *s)
{
	f->set = s->set;
	f->stack_kind = s->stack_kind;
	f->ntheta = s->ntheta;
	memcpy(f->theta, s->theta, sizeof s->theta);
	if (f->stack_kind != STACK_NONE)
		fusion_stack_names(f);
}

/*
 * measure()'s memory: a fusion measured once on a set of rows is not
 * measured again.  Selection proposes counts proportional to ones it has
 * measured ((2, 0) after (1, 0)), and every learner starts from the best
 * single model.  The key is what the ranking depends on: the pool, the
 * rows (a fold or all), the model alone or the method, normalisation and
 * the weights as the fusion uses them (fusion_weights(): proportional
 * weights are one fusion).  Stacks and fwls are not remembered.
 */
struct memo {
	uint64_t h;		/* 0: empty */
	const fusion_pool *p;
	int rows, single, method, norm;
	double w[FUSION_MAX_MODELS];
	double v;
};

/* The tuning at work: the pool, the metric, per-row scratch. */
struct tune {
	fusion *f;
	fusion_pool *p;
	enum tune_metric metric;
	int nu, n;
	double *v;		/* (nu) the row's value, larger = better */
	double *wt;		/* (nu) its weight in the mean (0: unused) */
	double *pu[2];		/* (nu) per-user NDCG and recall */
	uint8_t *fold;		/* (nu) the row's fold, 0 .. folds - 1 */
	uint8_t *mask;		/* (nu) the rows a learner sees */
	int *evals;
	const volatile int *cancel;
	int failed;
	/* ensemble selection per set of rows (all but fold k, or all):
	 * every way but single and weights starts from it */
	int folds;
	int key;		/* the rows the learner sees: all but fold
				 * key, or all (folds) */
	int sel_ok[TUNE_FOLDS_FEW + 1];
	int sel_cnt[TUNE_FOLDS_FEW + 1][FUSION_MAX_MODELS];
	enum fusion_norm sel_norm[TUNE_FOLDS_FEW + 1];
	struct memo *memo;	/* (memo_cap) open addressing; NULL: none */
	size_t memo_cap, memo_n;
};

/*
 * Per pool row (user): v[r] and its weight wt[r], so that the metric over
 * a set of rows is sum v / sum wt: NDCG@10 or recall@20 per user (weight
 * 1 when the user has validation items), or minus the user's summed
 * squared error (weight = its pairs: the mean is then -MSE, monotone in
 * -RMSE).  Rows outside rows (when not NULL) are not computed.
 */
static int
units(struct tune *t, int single, const uint8_t *rows)
{
	fusion *f = t->f;
	fusion_pool *p = t->p;
	metrics mt;
	rf_error err;

	(*t->evals)++;
	if (t->metric == TUNE_RMSE) {
		for (int r = 0; r < p->nu; r++) {
			double se = 0;

			t->v[r] = t->wt[r] = 0;
			if (rows != NULL && !rows[r])
				continue;
			for (int64_t q = p->pptr[r]; q < p->pptr[r + 1]; q++) {
				const float *pr = p->pred + (size_t)q * p->nm;
				double fp = single >= 0 ? pr[single] :
				    fusion_fused_prediction(f, p->users[r], pr);
				double d = fusion_clip_rating(f, fp) -
				    p->truth[q];

				se += d * d;
			}
			t->v[r] = -se;
			t->wt[r] = (double)(p->pptr[r + 1] - p->pptr[r]);
		}
		return 0;
	}
	if (fusion_pool_eval_users(f, p, single, t->metric == TUNE_NDCG10 ?
	    10 : 20, &mt, t->pu, rows, &err) < 0)
		return -1;
	for (int r = 0; r < p->nu; r++) {
		int u = p->users[r];

		t->wt[r] = (rows == NULL || rows[r]) &&
		    p->eval->ptr[u + 1] > p->eval->ptr[u];
		t->v[r] = t->wt[r] > 0 ?
		    t->pu[t->metric == TUNE_NDCG10 ? 0 : 1][r] : 0;
	}
	return 0;
}

static int stopped(const struct tune *t);

/* The key of the fusion measure() is asked for in *k; 0 when it is not
 * to be remembered. */
static int
memo_key(const struct tune *t, int single, const uint8_t *mask,
    struct memo *k)
{
	const fusion *f = t->f;
	uint64_t h = 1469598103934665603ULL;

	if (t->memo == NULL)
		return 0;
	memset(k, 0, sizeof *k);
	k->p = t->p;
	k->rows = mask == NULL ? t->folds : t->key;
	k->single = single;
	k->method = k->norm = -1;
	if (single < 0) {
		if (f->stack_kind != STACK_NONE ||
		    f->set.method == FUSE_STACK)
			return 0;
		k->method = (int)f->set.method;
		k->norm = (int)f->set.norm;
		fusion_weights(f, k->w);
	}
#define MIX(x) (h = (h ^ (uint64_t)(x)) * 1099511628211ULL)
	MIX((uintptr_t)k->p);
	MIX(k->rows);
	MIX(k->single + 1);
	MIX(k->method + 1);
	MIX(k->norm + 1);
	for (int m = 0; m < t->n; m++) {
		uint64_t bits;

		memcpy(&bits, &k->w[m], sizeof bits);
		MIX(bits);
		MIX(bits >> 32);
	}
#undef MIX
	k->h = h | 1;
	return 1;
}

static int
memo_same(const struct tune *t, const struct memo *a, const struct memo *b)
{
	return a->h == b->h && a->p == b->p && a->rows == b->rows &&
	    a->single == b->single && a->method == b->method &&
	    a->norm == b->norm &&
	    memcmp(a->w, b->w, (size_t)t->n * sizeof *a->w) == 0;
}

/* The slot of k: its entry, or the empty slot where it goes. */
static struct memo *
memo_slot(struct tune *t, const struct memo *k)
{
	size_t at = (size_t)(k->h >> 7) & (t->memo_cap - 1);

	while (t->memo[at].h != 0 && !memo_same(t, &t->memo[at], k))
		at = (at + 1) & (t->memo_cap - 1);
	return &t->memo[at];
}

static void
memo_put(struct tune *t, const struct memo *k, double v)
{
	struct memo *s;

	if (t->memo_n + 1 > t->memo_cap / 2) {
		struct memo *old = t->memo, *grown;
		size_t cap = t->memo_cap;

		if ((grown = calloc(cap * 2, sizeof *grown)) == NULL)
			return;		/* not remembered: measured again */
		t->memo = grown;
		t->memo_cap = cap * 2;
		for (size_t j = 0; j < cap; j++)
			if (old[j].h != 0)
				*memo_slot(t, &old[j]) = old[j];
		free(old);
	}
	s = memo_slot(t, k);
	if (s->h == 0)
		t->memo_n++;
	*s = *k;
	s->v = v;
}

/* The metric over the rows of mask (NULL: all) under the fusion's
 * settings (single >= 0: that model alone); NAN on failure.  A fusion
 * measured before on these rows is answered from memory: the per-row
 * values (t->v, t->wt) are then those of the last evaluation, and a
 * caller that reads them calls units() instead. */
static double
measure(struct tune *t, int single, const uint8_t *mask)
{
	double sv = 0, sw = 0, v;
	struct memo k;
	int keyed = memo_key(t, single, mask, &k);

	if (keyed) {
		const struct memo *s = memo_slot(t, &k);

		if (s->h != 0)
			return s->v;
	}
	if (units(t, single, mask) < 0) {
		t->failed = 1;
		return NAN;
	}
	for (int r = 0; r < t->nu; r++) {
		sv += t->v[r];
		sw += t->wt[r];
	}
	v = sw > 0 ? sv / sw : NAN;
	if (keyed && !stopped(t))
		memo_put(t, &k, v);
	return v;
}

static int
stopped(const struct tune *t)
{
	return t->failed || (t->cancel != NULL && *t->cancel);
}

static void
set_weights(fusion *f, enum fusion_method method, enum fusion_norm norm,
    const double *w)
{
	f->set.method = method;
	f->set.norm = norm;
	f->stack_kind = STACK_NONE;
	memcpy(f->set.w, w, (size_t)f->n * sizeof *w);
}

/* The best model alone over mask: its index and metric. */
static int
best_single(struct tune *t, const uint8_t *mask, double *value)
{
	int best = 0;

	*value = -INFINITY;
	for (int m = 0; m < t->n; m++) {
		double v = measure(t, m, mask);

		if (v > *value) {
			*value = v;
			best = m;
		}
	}
	return best;
}

static void
learn_single(struct tune *t, const uint8_t *mask)
{
	double w[FUSION_MAX_MODELS] = { 0 }, v;

	w[best_single(t, mask, &v)] = 1;
	/* Raw scores: the fused ranking is then exactly the model's. */
	set_weights(t->f, FUSE_WEIGHTED, NORM_RAW, w);
}

/* Ensemble selection under one normalisation: the counts in cnt. */
static double
select_counts(struct tune *t, const uint8_t *mask, enum fusion_norm norm,
    int start, int *cnt)
{
	int n = t->n, rounds = n * 8 < 40 ? 40 : n * 8, since = 0;
	int cur[FUSION_MAX_MODELS] = { 0 };
	double best = -INFINITY, w[FUSION_MAX_MODELS];

	cur[start] = 1;
	for (int m = 0; m < n; m++)
		w[m] = cur[m];
	set_weights(t->f, FUSE_WEIGHTED, norm, w);
	best = measure(t, -1, mask);
	memcpy(cnt, cur, (size_t)n * sizeof *cnt);
	for (int r = 0; r < rounds && since < 8 && !stopped(t); r++) {
		int pick = -1;
		double pv = -INFINITY;

		for (int m = 0; m < n; m++) {
			double v;

			cur[m]++;
			for (int j = 0; j < n; j++)
				w[j] = cur[j];
			set_weights(t->f, FUSE_WEIGHTED, norm, w);
			v = measure(t, -1, mask);
			cur[m]--;
			if (v > pv + 1e-12) {
				pv = v;
				pick = m;
			}
		}
		if (pick < 0)
			break;
		cur[pick]++;
		if (pv > best + 1e-12) {
			best = pv;
			memcpy(cnt, cur, (size_t)n * sizeof *cnt);
			since = 0;
		} else
			since++;
	}
	return best;
}

static const enum fusion_norm tune_norms[] = {
	NORM_ZSCORE, NORM_MINMAX, NORM_RANK, NORM_BORDA
};

/* Selection under every normalisation; the best is left in the fusion,
 * its counts in cnt and its normalisation in *norm. */
static void
learn_selection(struct tune *t, const uint8_t *mask, int *cnt,
    enum fusion_norm *norm)
{
	int n = t->n, c[FUSION_MAX_MODELS], start;
	double best = -INFINITY, v, w[FUSION_MAX_MODELS];

	if (t->sel_ok[t->key]) {
		memcpy(cnt, t->sel_cnt[t->key], (size_t)n * sizeof *cnt);
		*norm = t->sel_norm[t->key];
		for (int m = 0; m < n; m++)
			w[m] = cnt[m];
		set_weights(t->f, FUSE_WEIGHTED, *norm, w);
		return;
	}
	start = best_single(t, mask, &v);
	*norm = NORM_ZSCORE;
	memset(cnt, 0, (size_t)n * sizeof *cnt);
	cnt[start] = 1;
	for (size_t k = 0; k < sizeof tune_norms / sizeof *tune_norms &&
	    !stopped(t); k++) {
		v = select_counts(t, mask, tune_norms[k], start, c);
		if (v > best) {
			best = v;
			*norm = tune_norms[k];
			memcpy(cnt, c, (size_t)n * sizeof *c);
		}
	}
	for (int m = 0; m < n; m++)
		w[m] = cnt[m];
	set_weights(t->f, FUSE_WEIGHTED, *norm, w);
	if (!stopped(t)) {
		memcpy(t->sel_cnt[t->key], cnt, (size_t)n * sizeof *cnt);
		t->sel_norm[t->key] = *norm;
		t->sel_ok[t->key] = 1;
	}
}

/* Equal weights over selection's members, under method. */
static void
learn_members(struct tune *t, const uint8_t *mask, enum fusion_method method)
{
	int cnt[FUSION_MAX_MODELS];
	enum fusion_norm norm;
	double w[FUSION_MAX_MODELS];

	learn_selection(t, mask, cnt, &norm);
	for (int m = 0; m < t->n; m++)
		w[m] = cnt[m] > 0;
	set_weights(t->f, method, norm, w);
}

/* The standard error of the best single model's metric over mask (the
 * price of moving all weight away from it). */
static double
single_se(struct tune *t, int single, const uint8_t *mask)
{
	double sv = 0, svv = 0, sw = 0, k = 0, mean;

	if (units(t, single, mask) < 0) {
		t->failed = 1;
		return 0;
	}
	for (int r = 0; r < t->nu; r++)
		if (t->wt[r] > 0) {
			double x = t->v[r] / t->wt[r];

			sv += x;
			svv += x * x;
			sw += t->wt[r];
			k++;
		}
	if (k < 2)
		return 0;
	mean = sv / k;
	return sqrt(fmax(0, (svv - k * mean * mean) / (k - 1)) / k) *
	    (t->metric == TUNE_RMSE ? k / sw : 1);
}

static void
learn_weights(struct tune *t, const uint8_t *mask)
{
	static const double steps[] = { 0.5, 0.25, 0.1, 0.05, 0.02 };
	int n = t->n, cnt[FUSION_MAX_MODELS], b;
	enum fusion_norm norm;
	double w[FUSION_MAX_MODELS] = { 0 }, v, lambda, obj;

	if (t->metric == TUNE_RMSE)
		norm = NORM_RAW;
	else	/* the normalisation selection found best */
		learn_selection(t, mask, cnt, &norm);
	b = best_single(t, mask, &v);
	lambda = single_se(t, b, mask);
	w[b] = 1;
	set_weights(t->f, FUSE_WEIGHTED, norm, w);
	obj = measure(t, -1, mask);
	for (size_t s = 0; s < sizeof steps / sizeof *steps && !stopped(t);
	    s++) {
		for (int pass = 0, improved = 1; improved && pass < 10 &&
		    !stopped(t); pass++) {
			improved = 0;
			for (int m = 0; m < n; m++)
				for (int sign = -1; sign <= 1; sign += 2) {
					double x[FUSION_MAX_MODELS], sum = 0, o;

					memcpy(x, w, (size_t)n * sizeof *x);
					x[m] += sign * steps[s];
					if (x[m] < 0)
						x[m] = 0;
					for (int j = 0; j < n; j++)
						sum += x[j];
					if (sum <= 0 || x[m] == w[m])
						continue;
					for (int j = 0; j < n; j++)
						x[j] /= sum;
					set_weights(t->f, FUSE_WEIGHTED, norm,
					    x);
					o = measure(t, -1, mask) -
					    lambda * (1 - x[b]);
					if (o > obj + 1e-12) {
						obj = o;
						memcpy(w, x, (size_t)n *
						    sizeof *x);
						improved = 1;
					}
				}
		}
	}
	/* Members that barely take part take none. */
	{
		double sum = 0;

		for (int m = 0; m < n; m++) {
			if (w[m] < 0.01)
				w[m] = 0;
			sum += w[m];
		}
		for (int m = 0; m < n && sum > 0; m++)
			w[m] /= sum;
	}
	set_weights(t->f, FUSE_WEIGHTED, norm, w);
}

/* fwls: the stack's layout with coefficients chosen on the metric. */
static void
learn_fwls(struct tune *t, const uint8_t *mask)
{
	static const double steps[] = { 0.4, 0.2, 0.1, 0.05 };
	fusion *f = t->f;
	int n = t->n, cnt[FUSION_MAX_MODELS], tot = 0;
	enum fusion_norm norm;
	double best, mean;

	learn_selection(t, mask, cnt, &norm);
	for (int m = 0; m < n; m++)
		tot += cnt[m];
	f->set.method = FUSE_STACK;
	f->set.norm = norm;
	f->stack_kind = STACK_TOPN;
	f->ntheta = 1 + UFN + n * (1 + UFN);
	memset(f->theta, 0, sizeof f->theta);
	for (int m = 0; m < n; m++)
		f->theta[1 + UFN + m] = tot ? (double)cnt[m] / tot : 1.0 / n;
	fusion_stack_names(f);
	best = measure(t, -1, mask);
	mean = 1.0 / n;
	/* Only the weights' coefficients matter to a ranking (the intercept
	 * and the features alone add the same to every candidate). */
	for (size_t s = 0; s < sizeof steps / sizeof *steps && !stopped(t);
	    s++) {
		double step = steps[s] * mean;

		for (int pass = 0, improved = 1; improved && pass < 4 &&
		    !stopped(t); pass++) {
			improved = 0;
			for (int j = 0; j < n * (1 + UFN); j++)
				for (int sign = -1; sign <= 1; sign += 2) {
					double *th = &f->theta[1 + UFN + j];
					double keep = *th, v;

					*th += sign * step;
					/* The mean weight stays >= 0. */
					if (j < n && *th < 0) {
						*th = keep;
						continue;
					}
					v = measure(t, -1, mask);
					if (v > best + 1e-12) {
						best = v;
						improved = 1;
					} else
						*th = keep;
				}
		}
	}
}

static void
learn_stack(struct tune *t, const uint8_t *mask)
{
	rf_error err;
	fusion_settings keep = t->f->set;

	if (t->metric != TUNE_RMSE) {
		int cnt[FUSION_MAX_MODELS];
		enum fusion_norm norm;

		/* The stack ranks by T_m: under selection's normalisation. */
		learn_selection(t, mask, cnt, &norm);
		t->f->set.norm = norm;
	} else
		t->f->set.norm = NORM_RAW;
	if (fusion_fit_stack_rows(t->f, t->p, mask, t->metric == TUNE_RMSE,
	    1, &err) < 0) {
		/* Not fittable here (no positives among the candidates):
		 * the candidate scores as the best single model. */
		t->f->set = keep;
		learn_single(t, mask);
	}
}

static void
learn(struct tune *t, enum tune_candidate c, const uint8_t *mask)
{
	int cnt[FUSION_MAX_MODELS];
	enum fusion_norm norm;

	switch (c) {
	case TUNE_SINGLE:
		learn_single(t, mask);
		break;
	case TUNE_SELECTION:
		learn_selection(t, mask, cnt, &norm);
		break;
	case TUNE_MEMBERS:
		learn_members(t, mask, FUSE_WEIGHTED);
		break;
	case TUNE_WEIGHTS:
		learn_weights(t, mask);
		break;
	case TUNE_FWLS:
		learn_fwls(t, mask);
		break;
	case TUNE_RRF:
		learn_members(t, mask, FUSE_RRF);
		break;
	case TUNE_BORDA:
		learn_members(t, mask, FUSE_BORDA);
		break;
	case TUNE_VOTE:
		learn_members(t, mask, FUSE_VOTE);
		break;
	case TUNE_STACK:
		learn_stack(t, mask);
		break;
	default:
		break;
	}
}

static int
candidate_applies(enum tune_candidate c, enum tune_metric metric)
{
	if (metric == TUNE_RMSE)
		return c == TUNE_SINGLE || c == TUNE_WEIGHTS ||
		    c == TUNE_STACK;
	return 1;
}

/* Per-user values comparable across users: the metric (NDCG, recall) or
 * the user's mean squared error negated. */
static void
per_user(const struct tune *t, double *out)
{
	for (int r = 0; r < t->nu; r++)
		out[r] = t->wt[r] > 0 ? t->v[r] / t->wt[r] : NAN;
}

/* Out-of-fold values of candidate c: learned on every fold but k,
 * measured on fold k, for each k; *cv the metric over every row. */
static int
cross_validate(struct tune *t, enum tune_candidate c, double *oof,
    double *cv)
{
	double sv = 0, sw = 0;

	for (int r = 0; r < t->nu; r++)
		oof[r] = NAN;
	for (int k = 0; k < t->folds && !stopped(t); k++) {
		for (int r = 0; r < t->nu; r++)
			t->mask[r] = t->fold[r] != k;
		t->key = k;
		learn(t, c, t->mask);
		for (int r = 0; r < t->nu; r++)
			t->mask[r] = t->fold[r] == k;
		if (units(t, -1, t->mask) < 0)
			return -1;
		for (int r = 0; r < t->nu; r++)
			if (t->mask[r] && t->wt[r] > 0) {
				oof[r] = t->v[r] / t->wt[r];
				sv += t->v[r];
				sw += t->wt[r];
			}
	}
	*cv = sw > 0 ? sv / sw : NAN;
	return stopped(t) ? -1 : 0;
}

/* The metric as reported: RMSE itself, not -MSE. */
static double
reported(enum tune_metric metric, double v)
{
	return metric == TUNE_RMSE ? sqrt(-v) : v;
}

/* On another pool (the test part): fused against the best single model
 * there, per user. */
static void
compare_on(struct tune *t0, fusion_pool *p, fusion_tune_report *rep)
{
	struct tune t = *t0;
	double best = -INFINITY, *a, *b;
	int bm = 0, nu = p->nu;

	t.memo = NULL;		/* per_user() reads the values measured */
	t.p = p;
	t.nu = nu;
	t.v = calloc((size_t)nu + 1, sizeof *t.v);
	t.wt = calloc((size_t)nu + 1, sizeof *t.wt);
	t.pu[0] = calloc((size_t)nu + 1, sizeof *t.pu[0]);
	t.pu[1] = calloc((size_t)nu + 1, sizeof *t.pu[1]);
	a = calloc((size_t)nu + 1, sizeof *a);
	b = calloc((size_t)nu + 1, sizeof *b);
	if (t.v && t.wt && t.pu[0] && t.pu[1] && a && b) {
		for (int m = 0; m < t.n; m++) {
			double v = measure(&t, m, NULL);

			rep->single_test[m] = reported(t.metric, v);
			if (v > best) {
				best = v;
				bm = m;
			}
		}
		rep->fused_test = reported(t.metric, measure(&t, -1, NULL));
		per_user(&t, a);
		if (units(&t, bm, NULL) == 0) {
			per_user(&t, b);
			paired_compare(a, b, NULL, nu, &rep->test_vs_single);
			rep->test_single = bm;
		}
	}
	free(t.v);
	free(t.wt);
	free(t.pu[0]);
	free(t.pu[1]);
	free(a);
	free(b);
}

void
fusion_tune_test(fusion *f, fusion_pool *test, fusion_tune_report *rep)
{
	struct tune t;
	double t0 = rf_monotonic();

	if (test == NULL || (rep->metric == TUNE_RMSE ? test->pptr == NULL :
	    test->eval == NULL))
		return;
	memset(&t, 0, sizeof t);
	t.f = f;
	t.metric = rep->metric;
	t.n = f->n;
	t.evals = &rep->evaluations;
	compare_on(&t, test, rep);
	rep->seconds += rf_monotonic() - t0;
}

int
fusion_tune(fusion *f, fusion_pool *valid, fusion_pool *test,
    enum tune_metric metric, fusion_tune_report *rep,
    const volatile int *cancel, rf_error *err)
{
	struct tune t;
	struct tune_state saved, chosen_state;
	double t0 = rf_monotonic(), *oof = NULL, *oof_single = NULL;
	double best_cv = -INFINITY;
	int nu = valid->nu, rc = -1;

	memset(rep, 0, sizeof *rep);
	rep->metric = metric;
	rep->n_models = f->n;
	rep->test_single = -1;
	rep->test_vs_single.lo = rep->test_vs_single.hi = NAN;
	rep->fused_test = NAN;
	for (int m = 0; m < f->n; m++)
		rep->single_test[m] = NAN;
	if (metric == TUNE_RMSE && valid->pptr == NULL)
		return rf_fail(err, "tune: rmse needs models that predict "
		    "ratings");
	if (metric != TUNE_RMSE && valid->eval == NULL)
		return rf_fail(err, "tune: the pool has no validation part");
	state_save(f, &saved);
	memset(&t, 0, sizeof t);
	t.f = f;
	t.p = valid;
	t.metric = metric;
	t.nu = nu;
	t.n = f->n;
	t.evals = &rep->evaluations;
	t.cancel = cancel;
	t.v = calloc((size_t)nu + 1, sizeof *t.v);
	t.wt = calloc((size_t)nu + 1, sizeof *t.wt);
	t.pu[0] = calloc((size_t)nu + 1, sizeof *t.pu[0]);
	t.pu[1] = calloc((size_t)nu + 1, sizeof *t.pu[1]);
	t.fold = calloc((size_t)nu + 1, 1);
	t.mask = calloc((size_t)nu + 1, 1);
	oof = calloc((size_t)nu + 1, sizeof *oof);
	oof_single = calloc((size_t)nu + 1, sizeof *oof_single);
	t.memo_cap = 1024;
	t.memo = calloc(t.memo_cap, sizeof *t.memo);
	if (!t.v || !t.wt || !t.pu[0] || !t.pu[1] || !t.fold || !t.mask ||
	    !oof || !oof_single || !t.memo) {
		rf_fail(err, "tune: out of memory");
		goto out;
	}
	/* The folds of users by a hash of the user, stable whatever the
	 * order of the pool: a multiplicative mix whose high half depends on
	 * every bit of the id (the low bits of FNV-1a would follow the id's
	 * parity). */
	t.folds = rep->folds = fusion_tune_folds(nu);
	for (int r = 0; r < nu; r++) {
		uint64_t x = (uint64_t)valid->users[r] * 0x9e3779b97f4a7c15ULL;

		x ^= x >> 29;
		x *= 0xbf58476d1ce4e5b9ULL;
		t.fold[r] = (uint8_t)((x >> 32) % (uint64_t)t.folds);
	}
	/* Every single model alone on every validation user. */
	for (int m = 0; m < f->n; m++)
		rep->single_valid[m] = reported(metric, measure(&t, m, NULL));
	rep->best_single = 0;
	for (int m = 1; m < f->n; m++)
		if (metric == TUNE_RMSE ?
		    rep->single_valid[m] < rep->single_valid[rep->best_single] :
		    rep->single_valid[m] > rep->single_valid[rep->best_single])
			rep->best_single = m;
	if (t.failed) {
		rf_fail(err, "tune: cannot measure the models on validation");
		goto out;
	}
	rep->chosen = TUNE_SINGLE;
	for (int c = 0; c < TUNE_CAND_COUNT; c++) {
		tune_candidate_report *cr = &rep->cand[c];
		double cv;

		snprintf(cr->name, sizeof cr->name, "%s", cand_names[c]);
		cr->valid = cr->cv = NAN;
		cr->vs_single.lo = cr->vs_single.hi = NAN;
		if (!candidate_applies((enum tune_candidate)c, metric) ||
		    (f->n < 2 && c != TUNE_SINGLE))
			continue;
		if (cross_validate(&t, (enum tune_candidate)c, oof, &cv) < 0)
			goto stop;
		cr->tried = 1;
		cr->cv = reported(metric, cv);
		if (c == TUNE_SINGLE)
			memcpy(oof_single, oof, (size_t)nu * sizeof *oof);
		paired_compare(oof, oof_single, NULL, nu, &cr->vs_single);
		/* Learned on every validation user: the in-sample figure. */
		t.key = t.folds;
		learn(&t, (enum tune_candidate)c, NULL);
		cr->valid = reported(metric, measure(&t, -1, NULL));
		if (stopped(&t))
			goto stop;
		/* Chosen by the cross-validated figure, among the ways that
		 * beat the best single model out of fold beyond doubt (the
		 * lower end of the 95% interval of the per-user difference
		 * above 0, over TUNE_MIN_USERS users or more): a fusion that
		 * wins by chance (a random model in the pool, a handful of
		 * users) does not replace the single model. */
		if (c == TUNE_SINGLE || (cv > best_cv + 1e-12 &&
		    cr->vs_single.lo > 0 &&
		    cr->vs_single.n >= TUNE_MIN_USERS)) {
			best_cv = cv;
			rep->chosen = c;
			state_save(f, &chosen_state);
		}
	}
	state_load(f, &chosen_state);
	rep->valid_vs_single = rep->cand[rep->chosen].vs_single;
	rep->method = f->set.method;
	rep->norm = f->set.norm;
	fusion_weights(f, rep->w);
	rep->fused_valid = rep->cand[rep->chosen].valid;
	rep->seconds = rf_monotonic() - t0;
	if (test != NULL)
		fusion_tune_test(f, test, rep);
	rc = 0;
	goto out;
stop:
	state_load(f, &saved);
	if (t.failed)
		rf_fail(err, "tune: out of memory");
	else
		rc = 1;		/* cancelled: nothing changed */
out:
	free(t.v);
	free(t.wt);
	free(t.pu[0]);
	free(t.pu[1]);
	free(t.fold);
	free(t.mask);
	free(oof);
	free(oof_single);
	free(t.memo);
	return rc;
}
