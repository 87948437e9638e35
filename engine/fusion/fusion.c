/* fusion: several models -> one ranking, over cached candidate pools.
 *
 * A pool keeps, per user, the union of every model's top-M over the items
 * the user has not seen in train, and each model's raw score and rank among
 * those candidates (float32, CSR-like: user r's block of n_models x len
 * values starts at n_models * ptr[r], model m's row at + m * len).  Moving a
 * weight only re-runs user_fuse() over the cached values: no model is
 * scored again.  The transformed values (normalised score, 1/(k+rank),
 * Borda points) are cached too and recomputed only when the normalisation
 * or k changes.
 *
 * Every method is linear in per-model terms, so the fused score of a
 * candidate splits exactly into per-model contributions (user_contrib()):
 *   weighted  s = sum_m w_m T_m,	T = the chosen normalisation;
 *   rrf       s = sum_m w_m / (k + rank_m)	(Cormack, Clarke, Buettcher,
 *						 SIGIR 2009, eq. 1);
 *   borda     s = sum_m w_m (len - rank_m)	(Aslam & Montague 2001);
 *   vote      s = sum_m [w_m > 0][rank_m <= N] + 0.49 sum_m w_m T_m / S_u,
 *	       S_u = max over the user's candidates of |sum_m w_m T_m|, so the
 *	       integer vote count decides and the weighted score breaks ties;
 *   stack     s = b_u + sum_m (a_m + sum_f c_fm x_uf) T_m: a logistic
 *	       regression (top-N) or a ridge blend (ratings, as in the Netflix
 *	       Prize blends of Toescher, Jahrer & Bell 2009) whose user
 *	       features x_u (activity, recency) interact with the model
 *	       scores, so light and heavy users weigh the models differently.
 */
#include "engine/fusion/fusion.h"

#include <cblas.h>
#include <lapacke.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "engine/store/store.h"
#include "engine/core/rng.h"
#include "engine/core/threads.h"

/* User features of the stack: standardised log(1 + train size) and
 * recency (days since the user's last train event, standardised). */
#define UFN 2

enum { TR_NONE, TR_NORM, TR_RRF, TR_BORDA };

enum { STACK_NONE, STACK_TOPN, STACK_RATING };

struct fusion {
	const dataset *ds;
	int n;
	const model *models[FUSION_MAX_MODELS];
	fusion_settings set;		/* set.n == n, names aligned */
	float *ufeat;			/* (n_users, UFN) */
	int n_users;
	int can_predict;		/* every model predicts ratings */
	/* stack: theta over [1, x_u (UFN), T_m (n), x_uf T_m (UFN x n)] */
	int stack_kind;
	int ntheta;
	double theta[1 + UFN + FUSION_MAX_MODELS * (1 + UFN)];
	char theta_names[1 + UFN + FUSION_MAX_MODELS * (1 + UFN)][48];
};

struct fusion_pool {
	int nm, n_items;
	int nu;			/* pooled users */
	int32_t *users;		/* (nu) */
	int32_t *row;		/* (n_users) pool row or -1 */
	int64_t *ptr;		/* (nu + 1) */
	int32_t *item;		/* (nc) ascending within a user */
	float *raw;		/* (nm * nc) */
	int32_t *rank;		/* (nm * nc) 1-based among the candidates */
	float *tr;		/* (nm * nc) transformed values */
	int tr_kind, tr_norm;
	double tr_k;
	int maxlen;
	const interactions *eval;
	/* rating pairs: eval entries of pooled users, pair-major */
	int64_t *pptr;		/* (nu + 1), NULL without predictions */
	float *pred;		/* (npairs * nm) */
	float *truth;		/* (npairs) */
};

/* ------------------------------------------------------------------ */
/* Settings */

static const char *const method_names[FUSE_METHOD_COUNT] = {
	"weighted", "rrf", "borda", "vote", "stack"
};
static const char *const norm_names[NORM_COUNT] = {
	"zscore", "minmax", "rank", "borda", "raw"
};

const char *
fusion_method_name(enum fusion_method m)
{
	return (unsigned)m < FUSE_METHOD_COUNT ? method_names[m] : "?";
}

const char *
fusion_norm_name(enum fusion_norm n)
{
	return (unsigned)n < NORM_COUNT ? norm_names[n] : "?";
}

int
fusion_method_parse(const char *name)
{
	for (int k = 0; k < FUSE_METHOD_COUNT; k++)
		if (strcasecmp(name, method_names[k]) == 0)
			return k;
	return -1;
}

int
fusion_norm_parse(const char *name)
{
	for (int k = 0; k < NORM_COUNT; k++)
		if (strcasecmp(name, norm_names[k]) == 0)
			return k;
	if (strcasecmp(name, "z") == 0 || strcasecmp(name, "z-score") == 0)
		return NORM_ZSCORE;
	if (strcasecmp(name, "min-max") == 0)
		return NORM_MINMAX;
	return -1;
}

void
fusion_settings_default(fusion_settings *s)
{
	memset(s, 0, sizeof *s);
	s->method = FUSE_WEIGHTED;
	s->norm = NORM_ZSCORE;
	s->rrf_k = 60;
	s->vote_n = 10;
	s->pool_m = 200;
	s->l2 = 1;
}

void
fusion_settings_format(const fusion_settings *s, char *buf, size_t n)
{
	size_t len;

	if (n == 0)
		return;
	len = (size_t)snprintf(buf, n, "method=%s norm=%s k=%g vote=%d m=%d "
	    "l2=%g w=", fusion_method_name(s->method),
	    fusion_norm_name(s->norm), s->rrf_k, s->vote_n, s->pool_m, s->l2);
	for (int m = 0; m < s->n && len < n; m++)
		len += (size_t)snprintf(buf + len, n - len, "%s%s:%.17g",
		    m ? "," : "", s->names[m], s->w[m]);
}

/* One "key=value" of the settings text or of `fuse` parameters. */
static int
settings_assign(fusion_settings *s, const char *key, size_t klen,
    const char *val, rf_error *err)
{
	char *end;
	double v;

#define KEY(x) (klen == strlen(x) && strncasecmp(key, x, klen) == 0)
	if (KEY("method")) {
		int m = fusion_method_parse(val);

		if (m < 0)
			return rf_fail(err, "fusion: unknown method '%s' "
			    "(weighted, rrf, borda, vote, stack)", val);
		s->method = (enum fusion_method)m;
		return 0;
	}
	if (KEY("norm")) {
		int m = fusion_norm_parse(val);

		if (m < 0)
			return rf_fail(err, "fusion: unknown normalisation "
			    "'%s' (zscore, minmax, rank, borda, raw)", val);
		s->norm = (enum fusion_norm)m;
		return 0;
	}
	if (KEY("w")) {
		const char *p = val;

		s->n = 0;
		while (*p) {
			const char *colon = strchr(p, ':');
			size_t nl;

			if (colon == NULL || colon == p)
				return rf_fail(err, "fusion: weights are "
				    "name:value,... (got '%s')", val);
			if (s->n == FUSION_MAX_MODELS)
				return rf_fail(err, "fusion: at most %d models",
				    FUSION_MAX_MODELS);
			nl = (size_t)(colon - p);
			if (nl >= FUSION_NAME_MAX)
				return rf_fail(err, "fusion: model name too "
				    "long");
			memcpy(s->names[s->n], p, nl);
			s->names[s->n][nl] = '\0';
			v = strtod(colon + 1, &end);
			if (end == colon + 1 || !isfinite(v) || v < 0)
				return rf_fail(err, "fusion: weight of %s must "
				    "be a non-negative number", s->names[s->n]);
			s->w[s->n++] = v;
			p = end;
			if (*p == ',')
				p++;
			else if (*p)
				return rf_fail(err, "fusion: weights are "
				    "name:value,... (got '%s')", val);
		}
		return 0;
	}
	v = strtod(val, &end);
	if (end == val || *end != '\0' || !isfinite(v))
		return rf_fail(err, "fusion: %.*s wants a number, got '%s'",
		    (int)klen, key, val);
	if (KEY("k")) {
		if (v < 0 || v > 1e6)
			return rf_fail(err, "fusion: k must be in [0, 1e6]");
		s->rrf_k = v;
	} else if (KEY("vote") || KEY("n")) {
		if (v < 1 || v > 100000)
			return rf_fail(err, "fusion: n must be in [1, 100000]");
		s->vote_n = (int)v;
	} else if (KEY("m")) {
		if (v < 1 || v > 100000)
			return rf_fail(err, "fusion: m must be in [1, 100000]");
		s->pool_m = (int)v;
	} else if (KEY("l2")) {
		if (v < 0 || v > 1e9)
			return rf_fail(err, "fusion: l2 must be in [0, 1e9]");
		s->l2 = v;
	} else
		return rf_fail(err, "fusion: unknown parameter '%.*s' (method, "
		    "norm, k, n, m, l2, w)", (int)klen, key);
#undef KEY
	return 0;
}

int
fusion_settings_parse(const char *text, fusion_settings *s, rf_error *err)
{
	fusion_settings t;
	const char *p = text;

	fusion_settings_default(&t);
	while (*p) {
		const char *eq, *end;
		char val[1024];
		size_t vl;

		while (*p == ' ' || *p == '\t' || *p == '\n')
			p++;
		if (*p == '\0')
			break;
		end = p + strcspn(p, " \t\n");
		eq = memchr(p, '=', (size_t)(end - p));
		if (eq == NULL || eq == p)
			return rf_fail(err, "fusion: expected key=value, got "
			    "'%.*s'", (int)(end - p), p);
		vl = (size_t)(end - eq - 1);
		if (vl >= sizeof val)
			return rf_fail(err, "fusion: value too long");
		memcpy(val, eq + 1, vl);
		val[vl] = '\0';
		if (settings_assign(&t, p, (size_t)(eq - p), val, err) < 0)
			return -1;
		p = end;
	}
	*s = t;
	return 0;
}

/* ------------------------------------------------------------------ */
/* The fusion object */

/* Standardised user features from the models' train part (not from the
 * whole data set: the held-out events must not leak into them). */
static int
fusion_user_features(fusion *f, const interactions *tr, rf_error *err)
{
	int nu = tr->n_users;
	int64_t tmin = INT64_MAX, tmax = INT64_MIN;
	double mean[UFN] = { 0 }, sd[UFN] = { 0 };

	f->n_users = nu;
	f->ufeat = calloc((size_t)(nu ? nu : 1) * UFN, sizeof *f->ufeat);
	if (f->ufeat == NULL)
		return rf_fail(err, "fusion: out of memory");
	if (tr->ts)
		for (int64_t p = 0; p < tr->nnz; p++) {
			if (tr->ts[p] < tmin)
				tmin = tr->ts[p];
			if (tr->ts[p] > tmax)
				tmax = tr->ts[p];
		}
	for (int u = 0; u < nu; u++) {
		int64_t last = INT64_MIN;
		float *x = f->ufeat + (size_t)u * UFN;

		x[0] = (float)log1p((double)(tr->ptr[u + 1] - tr->ptr[u]));
		if (tr->ts && tmax > tmin) {
			for (int64_t p = tr->ptr[u]; p < tr->ptr[u + 1]; p++)
				if (tr->ts[p] > last)
					last = tr->ts[p];
			x[1] = last == INT64_MIN ? 1.0f :
			    (float)((double)(tmax - last) /
			    (double)(tmax - tmin));
		}
		for (int j = 0; j < UFN; j++)
			mean[j] += x[j];
	}
	for (int j = 0; j < UFN; j++)
		mean[j] /= nu ? nu : 1;
	for (int u = 0; u < nu; u++)
		for (int j = 0; j < UFN; j++) {
			double d = f->ufeat[(size_t)u * UFN + j] - mean[j];

			sd[j] += d * d;
		}
	for (int j = 0; j < UFN; j++)
		sd[j] = nu > 1 ? sqrt(sd[j] / (nu - 1)) : 0;
	for (int u = 0; u < nu; u++)
		for (int j = 0; j < UFN; j++) {
			float *x = f->ufeat + (size_t)u * UFN + j;

			*x = sd[j] > 0 ? (float)((*x - mean[j]) / sd[j]) : 0;
		}
	return 0;
}

static const char *const ufeat_names[UFN] = { "activity", "recency" };

fusion *
fusion_new(const dataset *ds, const model *const *models,
    const char *const *names, int n, rf_error *err)
{
	fusion *f;

	if (n < 1 || n > FUSION_MAX_MODELS) {
		rf_fail(err, "fusion: needs 1 to %d models, got %d",
		    FUSION_MAX_MODELS, n);
		return NULL;
	}
	for (int m = 0; m < n; m++) {
		const char *nm = names ? names[m] : models[m]->ops->name;

		if (models[m] == NULL || models[m]->train == NULL) {
			rf_fail(err, "fusion: model %d is not trained", m);
			return NULL;
		}
		if (models[m]->train->n_users != models[0]->train->n_users ||
		    models[m]->train->n_items != models[0]->train->n_items) {
			rf_fail(err, "fusion: %s was trained on other data "
			    "than %s", nm, names ? names[0] :
			    models[0]->ops->name);
			return NULL;
		}
		if (strlen(nm) >= FUSION_NAME_MAX) {
			rf_fail(err, "fusion: model name '%s' too long", nm);
			return NULL;
		}
		for (int j = 0; j < m; j++)
			if (strcmp(nm, names ? names[j] :
			    models[j]->ops->name) == 0) {
				rf_fail(err, "fusion: model '%s' given twice",
				    nm);
				return NULL;
			}
	}
	if ((f = calloc(1, sizeof *f)) == NULL) {
		rf_fail(err, "fusion: out of memory");
		return NULL;
	}
	f->ds = ds;
	f->n = n;
	fusion_settings_default(&f->set);
	f->set.n = n;
	f->can_predict = 1;
	for (int m = 0; m < n; m++) {
		f->models[m] = models[m];
		snprintf(f->set.names[m], FUSION_NAME_MAX, "%s",
		    names ? names[m] : models[m]->ops->name);
		f->set.w[m] = 1.0 / n;
		if (models[m]->ops->predict == NULL)
			f->can_predict = 0;
	}
	if (fusion_user_features(f, models[0]->train, err) < 0) {
		fusion_free(f);
		return NULL;
	}
	return f;
}

void
fusion_free(fusion *f)
{
	if (f == NULL)
		return;
	free(f->ufeat);
	free(f);
}

int
fusion_n_models(const fusion *f)
{
	return f->n;
}

const char *
fusion_model_name(const fusion *f, int m)
{
	return m >= 0 && m < f->n ? f->set.names[m] : NULL;
}

const model *
fusion_model(const fusion *f, int m)
{
	return m >= 0 && m < f->n ? f->models[m] : NULL;
}

const dataset *
fusion_dataset(const fusion *f)
{
	return f->ds;
}

const fusion_settings *
fusion_get_settings(const fusion *f)
{
	return &f->set;
}

int
fusion_replace_models(fusion *f, const model *const *models, rf_error *err)
{
	for (int m = 0; m < f->n; m++)
		if (models[m] == NULL || models[m]->train == NULL ||
		    models[m]->train->n_users != f->n_users)
			return rf_fail(err, "fusion: replacement for %s does "
			    "not fit", f->set.names[m]);
	free(f->ufeat);
	f->ufeat = NULL;
	for (int m = 0; m < f->n; m++)
		f->models[m] = models[m];
	/* The features describe the new (larger) train part. */
	return fusion_user_features(f, models[0]->train, err);
}

int
fusion_apply_settings(fusion *f, const fusion_settings *s, rf_error *err)
{
	double w[FUSION_MAX_MODELS] = { 0 };

	for (int j = 0; j < s->n; j++) {
		int m;

		for (m = 0; m < f->n; m++)
			if (strcasecmp(s->names[j], f->set.names[m]) == 0)
				break;
		if (m == f->n)
			return rf_fail(err, "fusion: the settings weigh model "
			    "'%s', which is not in the fusion", s->names[j]);
		w[m] = s->w[j];
	}
	f->set.method = s->method;
	f->set.norm = s->norm;
	f->set.rrf_k = s->rrf_k;
	f->set.vote_n = s->vote_n;
	f->set.pool_m = s->pool_m;
	f->set.l2 = s->l2;
	if (s->n > 0)
		memcpy(f->set.w, w, sizeof w);
	return 0;
}

int
fusion_set_method(fusion *f, enum fusion_method m)
{
	if ((unsigned)m >= FUSE_METHOD_COUNT)
		return -1;
	f->set.method = m;
	return 0;
}

int
fusion_set_param(fusion *f, const char *assign, rf_error *err)
{
	const char *eq = strchr(assign, '=');
	fusion_settings t = f->set;

	if (eq == NULL || eq == assign)
		return rf_fail(err, "fusion: expected param=value, got '%s'",
		    assign);
	if (strncasecmp(assign, "w=", 2) == 0 ||
	    strncasecmp(assign, "method=", 7) == 0)
		return rf_fail(err, "fusion: set weights with `weights` and "
		    "the method with `fuse METHOD`");
	if (settings_assign(&t, assign, (size_t)(eq - assign), eq + 1,
	    err) < 0)
		return -1;
	f->set = t;
	return 0;
}

int
fusion_set_weight(fusion *f, int m, double w, rf_error *err)
{
	if (m < 0 || m >= f->n)
		return rf_fail(err, "fusion: no model %d", m);
	if (!isfinite(w) || w < 0)
		return rf_fail(err, "fusion: weights are non-negative numbers");
	f->set.w[m] = w;
	return 0;
}

void
fusion_weights(const fusion *f, double *w)
{
	double s = 0, mx = 0;

	/* Scale by the largest first: two weights near DBL_MAX would sum
	 * to inf and turn every share into 0. */
	for (int m = 0; m < f->n; m++)
		if (f->set.w[m] > mx)
			mx = f->set.w[m];
	for (int m = 0; m < f->n; m++)
		s += mx > 0 ? f->set.w[m] / mx : 0;
	for (int m = 0; m < f->n; m++)
		w[m] = s > 0 ? f->set.w[m] / mx / s : 1.0 / f->n;
}

/* ------------------------------------------------------------------ */
/* Per-user kernels: one user's block of candidates */

typedef struct ublock {
	int nm, len;
	const int32_t *item;	/* (len) */
	const float *raw;	/* (nm, len) */
	const int32_t *rank;	/* (nm, len) */
	const float *tr;	/* (nm, len) */
} ublock;

static int
tr_kind_of(const fusion_settings *s)
{
	switch (s->method) {
	case FUSE_RRF:
		return TR_RRF;
	case FUSE_BORDA:
		return TR_BORDA;
	default:
		return TR_NORM;
	}
}

/* T_m over one model's candidates (see the top of the file). */
static void
transform_row(int kind, enum fusion_norm norm, double k, int len,
    const float *raw, const int32_t *rank, float *out)
{
	double a = 0, b = 0, lo, hi;

	if (kind == TR_RRF) {
		for (int c = 0; c < len; c++)
			out[c] = (float)(1.0 / (k + rank[c]));
		return;
	}
	if (kind == TR_BORDA) {
		for (int c = 0; c < len; c++)
			out[c] = (float)(len - rank[c]);
		return;
	}
	switch (norm) {
	case NORM_ZSCORE:
		for (int c = 0; c < len; c++)
			a += raw[c];
		a /= len ? len : 1;
		for (int c = 0; c < len; c++)
			b += (raw[c] - a) * (raw[c] - a);
		b = len > 1 ? sqrt(b / len) : 0;
		for (int c = 0; c < len; c++)
			out[c] = b > 0 ? (float)((raw[c] - a) / b) : 0.0f;
		break;
	case NORM_MINMAX:
		lo = hi = len ? raw[0] : 0;
		for (int c = 1; c < len; c++) {
			if (raw[c] < lo)
				lo = raw[c];
			if (raw[c] > hi)
				hi = raw[c];
		}
		for (int c = 0; c < len; c++)
			out[c] = hi > lo ? (float)((raw[c] - lo) / (hi - lo)) :
			    0.0f;
		break;
	case NORM_RANK:
		for (int c = 0; c < len; c++)
			out[c] = (float)(1.0 / rank[c]);
		break;
	case NORM_BORDA:
		for (int c = 0; c < len; c++)
			out[c] = (float)((double)(len - rank[c]) / len);
		break;
	default:
		memcpy(out, raw, (size_t)len * sizeof *out);
		break;
	}
}

/* Per-user weights of the linear methods: fused = base + sum_m we[m] T_m. */
static double
user_weights(const fusion *f, int u, double *we)
{
	double base = 0;

	if (f->set.method == FUSE_STACK && f->stack_kind != STACK_NONE) {
		const float *x = f->ufeat + (size_t)u * UFN;
		const double *th = f->theta;

		base = th[0];
		for (int j = 0; j < UFN; j++)
			base += th[1 + j] * x[j];
		for (int m = 0; m < f->n; m++) {
			we[m] = th[1 + UFN + m];
			for (int j = 0; j < UFN; j++)
				we[m] += th[1 + UFN + f->n + j * f->n + m] *
				    x[j];
		}
		return base;
	}
	fusion_weights(f, we);
	return 0;
}

/* The vote method's tie scale S_u (see the top of the file). */
static double
vote_scale(const fusion *f, const ublock *b, const double *w)
{
	double s = 0;

	for (int c = 0; c < b->len; c++) {
		double t = 0;

		for (int m = 0; m < b->nm; m++)
			t += w[m] * b->tr[m * b->len + c];
		if (fabs(t) > s)
			s = fabs(t);
	}
	(void)f;
	return s;
}

#define VOTE_TIE 0.49

/* Fused scores of a user's candidates. */
static void
user_fuse(const fusion *f, int u, const ublock *b, float *fused)
{
	double we[FUSION_MAX_MODELS];
	double base = user_weights(f, u, we);
	int len = b->len;

	if (f->set.method == FUSE_VOTE) {
		double s = vote_scale(f, b, we);
		double tie = s > 0 ? VOTE_TIE / s : 0;

		for (int c = 0; c < len; c++) {
			double v = 0, t = 0;

			for (int m = 0; m < b->nm; m++) {
				if (we[m] > 0 && b->rank[m * len + c] <=
				    f->set.vote_n)
					v += 1;
				t += we[m] * b->tr[m * len + c];
			}
			fused[c] = (float)(v + tie * t);
		}
		return;
	}
	for (int c = 0; c < len; c++)
		fused[c] = (float)base;
	for (int m = 0; m < b->nm; m++) {
		float wm = (float)we[m];
		const float *t = b->tr + (size_t)m * len;

		if (wm == 0)
			continue;
		for (int c = 0; c < len; c++)
			fused[c] += wm * t[c];
	}
}

/* The exact per-model terms of candidate c's fused score. */
static double
user_contrib(const fusion *f, int u, const ublock *b, int c, double *contrib,
    double *base_out)
{
	double we[FUSION_MAX_MODELS];
	double base = user_weights(f, u, we), sum;
	int len = b->len;

	if (f->set.method == FUSE_VOTE) {
		double s = vote_scale(f, b, we);
		double tie = s > 0 ? VOTE_TIE / s : 0;

		base = 0;
		for (int m = 0; m < b->nm; m++)
			contrib[m] = (we[m] > 0 && b->rank[m * len + c] <=
			    f->set.vote_n ? 1.0 : 0.0) +
			    tie * we[m] * b->tr[m * len + c];
	} else
		for (int m = 0; m < b->nm; m++)
			contrib[m] = (double)(float)we[m] *
			    b->tr[m * len + c];
	sum = base;
	for (int m = 0; m < b->nm; m++)
		sum += contrib[m];
	*base_out = base;
	return sum;
}

/* ------------------------------------------------------------------ */
/* Building candidate pools */

typedef struct scored {
	float s;
	int32_t c;
} scored;

static int
scored_cmp(const void *a, const void *b)
{
	const scored *x = a, *y = b;

	if (x->s != y->s)
		return x->s < y->s ? 1 : -1;
	return (x->c > y->c) - (x->c < y->c);
}

static int
int32_cmp(const void *a, const void *b)
{
	int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;

	return (x > y) - (x < y);
}

/* Scratch of one thread: every model's scores of every item for the
 * current user, the candidate list and the sort buffer. */
typedef struct uscratch {
	int nm, n_items, M;
	float *scores;		/* (nm, n_items) */
	int32_t *top;		/* (M) */
	int32_t *cand;		/* (nm * M + 1) */
	uint32_t *stamp;	/* (n_items) */
	uint32_t tag;
	scored *sort;		/* (nm * M + 1) */
} uscratch;

static void
uscratch_free(uscratch *s)
{
	free(s->scores);
	free(s->top);
	free(s->cand);
	free(s->stamp);
	free(s->sort);
	memset(s, 0, sizeof *s);
}

static int
uscratch_init(uscratch *s, int nm, int n_items, int M)
{
	size_t nc = (size_t)nm * (size_t)M + 2;

	memset(s, 0, sizeof *s);
	s->nm = nm;
	s->n_items = n_items;
	s->M = M;
	s->scores = malloc((size_t)nm * (size_t)(n_items ? n_items : 1) *
	    sizeof *s->scores);
	s->top = malloc((size_t)M * sizeof *s->top);
	s->cand = malloc(nc * sizeof *s->cand);
	s->stamp = calloc((size_t)n_items + 1, sizeof *s->stamp);
	s->sort = malloc(nc * sizeof *s->sort);
	if (!s->scores || !s->top || !s->cand || !s->stamp || !s->sort) {
		uscratch_free(s);
		return -1;
	}
	return 0;
}

/* Score user u with every model and gather the candidates (ascending
 * item order); extra >= 0 is added when missing.  Returns the count. */
static int
user_candidates(const fusion *f, const interactions *excl, int u, int extra,
    uscratch *s)
{
	int n_items = s->n_items, len = 0;
	int64_t lo = excl->ptr[u], hi = excl->ptr[u + 1];

	/* A fresh tag marks this user's candidates in stamp. */
	if (++s->tag == 0) {
		memset(s->stamp, 0, (size_t)n_items * sizeof *s->stamp);
		s->tag = 1;
	}
	for (int m = 0; m < f->n; m++) {
		float *sc = s->scores + (size_t)m * n_items;
		int nt;

		f->models[m]->ops->score_user(f->models[m], u, sc);
		/* The top-M is taken over unseen items: mark seen ones out
		 * (their score is never used). */
		for (int64_t p = lo; p < hi; p++)
			sc[excl->idx[p]] = -INFINITY;
		nt = topk_select(sc, n_items, s->M, s->top);
		for (int j = 0; j < nt; j++)
			if (s->stamp[s->top[j]] != s->tag) {
				s->stamp[s->top[j]] = s->tag;
				s->cand[len++] = s->top[j];
			}
	}
	qsort(s->cand, (size_t)len, sizeof *s->cand, int32_cmp);
	if (extra >= 0 && extra < n_items) {
		int pos = 0;

		while (pos < len && s->cand[pos] < extra)
			pos++;
		if (pos == len || s->cand[pos] != extra) {
			memmove(s->cand + pos + 1, s->cand + pos,
			    (size_t)(len - pos) * sizeof *s->cand);
			s->cand[pos] = extra;
			len++;
			/* A seen item's scores were overwritten: restore. */
			for (int64_t p = lo; p < hi; p++)
				if (excl->idx[p] == extra) {
					for (int m = 0; m < f->n; m++) {
						float *sc = s->scores +
						    (size_t)m * n_items;

						f->models[m]->ops->score_user(
						    f->models[m], u, sc);
					}
					break;
				}
		}
	}
	return len;
}

/* Raw scores and ranks of the candidates for every model. */
static void
user_fill(const fusion *f, uscratch *s, int len, float *raw, int32_t *rank)
{
	for (int m = 0; m < f->n; m++) {
		const float *sc = s->scores + (size_t)m * s->n_items;
		float *r = raw + (size_t)m * len;
		float lo = INFINITY;

		for (int c = 0; c < len; c++) {
			r[c] = sc[s->cand[c]];
			if (isfinite(r[c]) && r[c] < lo)
				lo = r[c];
		}
		/* A model that cannot score an item (NaN, -inf) ranks it
		 * last: its lowest finite score among the candidates. */
		if (!isfinite(lo))
			lo = 0;
		for (int c = 0; c < len; c++) {
			if (!isfinite(r[c]))
				r[c] = lo;
			s->sort[c].s = r[c];
			s->sort[c].c = c;
		}
		qsort(s->sort, (size_t)len, sizeof *s->sort, scored_cmp);
		for (int j = 0; j < len; j++)
			rank[(size_t)m * len + s->sort[j].c] = j + 1;
	}
}

/* Growable per-thread output. */
typedef struct pbuf {
	int32_t *item;
	float *raw;
	int32_t *rank;
	size_t n, cap;		/* candidates */
	float *pred, *truth;
	size_t np, pcap;	/* pairs */
	int64_t *len, *plen;	/* per user of the thread's range */
} pbuf;

static int
pbuf_reserve(pbuf *b, int nm, size_t more)
{
	if (b->n + more > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		void *p;

		while (cap < b->n + more)
			cap *= 2;
		if ((p = realloc(b->item, cap * sizeof *b->item)) == NULL)
			return -1;
		b->item = p;
		if ((p = realloc(b->raw, cap * nm * sizeof *b->raw)) == NULL)
			return -1;
		b->raw = p;
		if ((p = realloc(b->rank, cap * nm * sizeof *b->rank)) == NULL)
			return -1;
		b->rank = p;
		b->cap = cap;
	}
	return 0;
}

static int
pbuf_reserve_pairs(pbuf *b, int nm, size_t more)
{
	if (b->np + more > b->pcap) {
		size_t cap = b->pcap ? b->pcap : 1024;
		void *p;

		while (cap < b->np + more)
			cap *= 2;
		if ((p = realloc(b->pred, cap * nm * sizeof *b->pred)) == NULL)
			return -1;
		b->pred = p;
		if ((p = realloc(b->truth, cap * sizeof *b->truth)) == NULL)
			return -1;
		b->truth = p;
		b->pcap = cap;
	}
	return 0;
}

static void
pbuf_free(pbuf *b)
{
	free(b->item);
	free(b->raw);
	free(b->rank);
	free(b->pred);
	free(b->truth);
	free(b->len);
	free(b->plen);
}

typedef struct pool_job {
	const fusion *f;
	const interactions *excl, *eval;
	const int32_t *users;
	int from, to, M, preds;
	pbuf out;
	int failed;
} pool_job;

static void
pool_job_run(void *arg)
{
	pool_job *j = arg;
	const fusion *f = j->f;
	int nm = f->n;
	uscratch s;

	j->out.len = calloc((size_t)(j->to - j->from) + 1, sizeof(int64_t));
	j->out.plen = calloc((size_t)(j->to - j->from) + 1, sizeof(int64_t));
	if (j->out.len == NULL || j->out.plen == NULL ||
	    uscratch_init(&s, nm, j->excl->n_items, j->M) < 0) {
		j->failed = 1;
		return;
	}
	for (int r = j->from; r < j->to; r++) {
		int u = j->users[r];
		int len = user_candidates(f, j->excl, u, -1, &s);
		size_t off;

		if (pbuf_reserve(&j->out, nm, (size_t)len) < 0) {
			j->failed = 1;
			break;
		}
		off = j->out.n;
		memcpy(j->out.item + off, s.cand, (size_t)len * sizeof(int32_t));
		user_fill(f, &s, len, j->out.raw + off * nm,
		    j->out.rank + off * nm);
		j->out.n += (size_t)len;
		j->out.len[r - j->from] = len;
		if (j->preds && j->eval) {
			int64_t lo = j->eval->ptr[u], hi = j->eval->ptr[u + 1];

			if (pbuf_reserve_pairs(&j->out, nm, (size_t)(hi - lo))
			    < 0) {
				j->failed = 1;
				break;
			}
			for (int64_t p = lo; p < hi; p++) {
				size_t q = j->out.np++;

				for (int m = 0; m < nm; m++)
					j->out.pred[q * nm + m] = (float)
					    f->models[m]->ops->predict(
					    f->models[m], u, j->eval->idx[p]);
				j->out.truth[q] = j->eval->val[p];
			}
			j->out.plen[r - j->from] = hi - lo;
		}
	}
	uscratch_free(&s);
	return;
}

void
fusion_pool_free(fusion_pool *p)
{
	if (p == NULL)
		return;
	free(p->users);
	free(p->row);
	free(p->ptr);
	free(p->item);
	free(p->raw);
	free(p->rank);
	free(p->tr);
	free(p->pptr);
	free(p->pred);
	free(p->truth);
	free(p);
}

int
fusion_pool_n_users(const fusion_pool *p)
{
	return p->nu;
}

int64_t
fusion_pool_n_candidates(const fusion_pool *p)
{
	return p->ptr[p->nu];
}

fusion_pool *
fusion_pool_build(const fusion *f, const interactions *exclude,
    const interactions *eval, const int32_t *users, int n_users,
    int threads, rf_error *err)
{
	const interactions *excl = exclude ? exclude : f->models[0]->train;
	fusion_pool *p = calloc(1, sizeof *p);
	pool_job job[2];
	int nt = threads >= 2 ? 2 : 1, nm = f->n;
	int M = f->set.pool_m;
	size_t nc = 0, np = 0;

	memset(job, 0, sizeof job);
	if (p == NULL)
		goto oom;
	if (excl->n_items != f->models[0]->train->n_items ||
	    (eval && (eval->n_users != excl->n_users ||
	    eval->n_items != excl->n_items))) {
		fusion_pool_free(p);
		rf_fail(err, "fusion: the parts differ in size from the "
		    "models' train part");
		return NULL;
	}
	p->nm = nm;
	p->n_items = excl->n_items;
	p->eval = eval;
	p->tr_kind = TR_NONE;
	if ((p->row = malloc(((size_t)excl->n_users + 1) * sizeof *p->row))
	    == NULL)
		goto oom;
	for (int u = 0; u < excl->n_users; u++)
		p->row[u] = -1;
	if (users) {
		if ((p->users = malloc(((size_t)n_users + 1) *
		    sizeof *p->users)) == NULL)
			goto oom;
		for (int r = 0; r < n_users; r++) {
			if (users[r] < 0 || users[r] >= excl->n_users) {
				fusion_pool_free(p);
				rf_fail(err, "fusion: no user %d", users[r]);
				return NULL;
			}
			if (p->row[users[r]] >= 0)
				continue;
			p->row[users[r]] = p->nu;
			p->users[p->nu++] = users[r];
		}
	} else {
		if ((p->users = malloc(((size_t)excl->n_users + 1) *
		    sizeof *p->users)) == NULL)
			goto oom;
		for (int u = 0; u < excl->n_users; u++)
			if (eval == NULL || eval->ptr[u + 1] > eval->ptr[u]) {
				p->row[u] = p->nu;
				p->users[p->nu++] = u;
			}
	}
	if (nt > p->nu)
		nt = p->nu > 0 ? p->nu : 1;
	for (int t = 0; t < nt; t++) {
		job[t].f = f;
		job[t].excl = excl;
		job[t].eval = eval;
		job[t].users = p->users;
		job[t].from = (int)((int64_t)p->nu * t / nt);
		job[t].to = (int)((int64_t)p->nu * (t + 1) / nt);
		job[t].M = M;
		job[t].preds = f->can_predict && eval != NULL;
	}
	/* One level of threads (engine/core/threads.h). */
	rf_parallel(nt, pool_job_run, job, sizeof job[0]);
	for (int t = 0; t < nt; t++) {
		if (job[t].failed)
			goto oom;
		nc += job[t].out.n;
		np += job[t].out.np;
	}
	p->ptr = malloc(((size_t)p->nu + 1) * sizeof *p->ptr);
	p->item = malloc((nc + 1) * sizeof *p->item);
	p->raw = malloc((nc * nm + 1) * sizeof *p->raw);
	p->rank = malloc((nc * nm + 1) * sizeof *p->rank);
	p->tr = malloc((nc * nm + 1) * sizeof *p->tr);
	if (!p->ptr || !p->item || !p->raw || !p->rank || !p->tr)
		goto oom;
	if (job[0].preds) {
		p->pptr = malloc(((size_t)p->nu + 1) * sizeof *p->pptr);
		p->pred = malloc((np * nm + 1) * sizeof *p->pred);
		p->truth = malloc((np + 1) * sizeof *p->truth);
		if (!p->pptr || !p->pred || !p->truth)
			goto oom;
		p->pptr[0] = 0;
	}
	p->ptr[0] = 0;
	nc = np = 0;
	for (int t = 0; t < nt; t++) {
		pbuf *b = &job[t].out;

		memcpy(p->item + nc, b->item, b->n * sizeof *p->item);
		memcpy(p->raw + nc * nm, b->raw, b->n * nm * sizeof *p->raw);
		memcpy(p->rank + nc * nm, b->rank,
		    b->n * nm * sizeof *p->rank);
		nc += b->n;
		for (int r = job[t].from; r < job[t].to; r++) {
			int64_t len = b->len[r - job[t].from];

			p->ptr[r + 1] = p->ptr[r] + len;
			if (len > p->maxlen)
				p->maxlen = (int)len;
			if (p->pptr)
				p->pptr[r + 1] = p->pptr[r] +
				    b->plen[r - job[t].from];
		}
		if (p->pptr) {
			memcpy(p->pred + np * nm, b->pred,
			    b->np * nm * sizeof *p->pred);
			memcpy(p->truth + np, b->truth, b->np * sizeof *p->truth);
			np += b->np;
		}
	}
	for (int t = 0; t < nt; t++)
		pbuf_free(&job[t].out);
	return p;
oom:
	for (int t = 0; t < 2; t++)
		pbuf_free(&job[t].out);
	fusion_pool_free(p);
	rf_fail(err, "fusion: out of memory building candidate pools");
	return NULL;
}

/* Bring the pool's transformed values in line with the settings. */
static void
pool_transform(const fusion *f, fusion_pool *p)
{
	int kind = tr_kind_of(&f->set);
	int norm = kind == TR_NORM ? (int)f->set.norm : -1;
	double k = kind == TR_RRF ? f->set.rrf_k : 0;

	if (p->tr_kind == kind && p->tr_norm == norm && p->tr_k == k)
		return;
	for (int r = 0; r < p->nu; r++) {
		int len = (int)(p->ptr[r + 1] - p->ptr[r]);
		size_t off = (size_t)p->ptr[r] * p->nm;

		for (int m = 0; m < p->nm; m++)
			transform_row(kind, (enum fusion_norm)norm, k, len,
			    p->raw + off + (size_t)m * len,
			    p->rank + off + (size_t)m * len,
			    p->tr + off + (size_t)m * len);
	}
	p->tr_kind = kind;
	p->tr_norm = norm;
	p->tr_k = k;
}

static void
pool_block(const fusion_pool *p, int r, ublock *b)
{
	size_t off = (size_t)p->ptr[r] * p->nm;

	b->nm = p->nm;
	b->len = (int)(p->ptr[r + 1] - p->ptr[r]);
	b->item = p->item + p->ptr[r];
	b->raw = p->raw + off;
	b->rank = p->rank + off;
	b->tr = p->tr + off;
}

/* fusion_pool_eval() with, when per_user is not NULL, each evaluated
 * user's NDCG (per_user[0]) and recall (per_user[1]) in pool order
 * (entries of users without eval items are left alone). */
static int
pool_eval(fusion *f, fusion_pool *p, int single, int k, metrics *out,
    double *const per_user[2], rf_error *err);

int
fusion_pool_eval(fusion *f, fusion_pool *p, int single, int k, metrics *out,
    rf_error *err)
{
	return pool_eval(f, p, single, k, out, NULL, err);
}

static int
pool_eval(fusion *f, fusion_pool *p, int single, int k, metrics *out,
    double *const per_user[2], rf_error *err)
{
	float *fused = malloc(((size_t)p->maxlen + 1) * sizeof *fused);
	int32_t *top = malloc(((size_t)k + 1) * sizeof *top);
	int32_t *items = malloc(((size_t)k + 1) * sizeof *items);
	uint8_t *seen = calloc((size_t)p->n_items + 1, 1);
	double sum[6] = { 0 }, pop = 0;
	int64_t n = 0, nrec = 0, covered = 0;
	const int32_t *popv = f->ds ? f->ds->item_popularity : NULL;

	metrics_clear(out);
	out->k = k;
	if (!fused || !top || !items || !seen || k < 1) {
		free(fused);
		free(top);
		free(items);
		free(seen);
		return rf_fail(err, k < 1 ? "fusion: K must be at least 1" :
		    "fusion: out of memory");
	}
	if (p->eval == NULL) {
		free(fused);
		free(top);
		free(items);
		free(seen);
		return rf_fail(err, "fusion: the pool has no part to evaluate");
	}
	if (single < 0)
		pool_transform(f, p);
	for (int r = 0; r < p->nu; r++) {
		int u = p->users[r], nt;
		int64_t lo = p->eval->ptr[u], hi = p->eval->ptr[u + 1];
		ublock b;
		user_metrics um;
		const float *sc;

		if (hi == lo)
			continue;
		pool_block(p, r, &b);
		if (single >= 0)
			sc = b.raw + (size_t)single * b.len;
		else {
			user_fuse(f, u, &b, fused);
			sc = fused;
		}
		nt = topk_select(sc, b.len, k, top);
		for (int j = 0; j < nt; j++) {
			items[j] = b.item[top[j]];
			if (!seen[items[j]]) {
				seen[items[j]] = 1;
				covered++;
			}
			if (popv)
				pop += popv[items[j]];
		}
		nrec += nt;
		metrics_user_topn(items, nt, k, p->eval->idx + lo,
		    (int)(hi - lo), &um);
		if (per_user) {
			per_user[0][r] = um.ndcg;
			per_user[1][r] = um.recall;
		}
		sum[0] += um.precision;
		sum[1] += um.recall;
		sum[2] += um.ndcg;
		sum[3] += um.ap;
		sum[4] += um.hit;
		sum[5] += um.rr;
		n++;
	}
	out->n_users = n;
	if (n > 0) {
		out->precision = sum[0] / n;
		out->recall = sum[1] / n;
		out->ndcg = sum[2] / n;
		out->map = sum[3] / n;
		out->hit_rate = sum[4] / n;
		out->mrr = sum[5] / n;
	}
	out->coverage = p->n_items ? (double)covered / p->n_items : 0;
	out->mean_popularity = popv && nrec ? pop / nrec : NAN;
	free(fused);
	free(top);
	free(items);
	free(seen);
	return 0;
}

int
fusion_pool_rank_user(fusion *f, fusion_pool *p, int u, int k,
    int32_t *items, float *scores)
{
	int r, nt;
	ublock b;
	float *fused;
	int32_t *top;

	if (u < 0 || u >= f->n_users || (r = p->row[u]) < 0 || k < 1)
		return -1;
	pool_block(p, r, &b);
	if (tr_kind_of(&f->set) != p->tr_kind ||
	    (p->tr_kind == TR_NORM && p->tr_norm != (int)f->set.norm) ||
	    (p->tr_kind == TR_RRF && p->tr_k != f->set.rrf_k)) {
		/* Only this user's block: re-ranking one user must not pay
		 * for every user's transform.  The pool's cache is then
		 * mixed, so mark it stale for the next whole-pool use. */
		int kind = tr_kind_of(&f->set);
		float *t = p->tr + (size_t)p->ptr[r] * p->nm;

		for (int m = 0; m < b.nm; m++)
			transform_row(kind, f->set.norm, f->set.rrf_k, b.len,
			    b.raw + (size_t)m * b.len,
			    b.rank + (size_t)m * b.len, t + (size_t)m * b.len);
		p->tr_kind = TR_NONE;
	}
	fused = malloc(((size_t)b.len + 1) * sizeof *fused);
	top = malloc(((size_t)k + 1) * sizeof *top);
	if (fused == NULL || top == NULL) {
		free(fused);
		free(top);
		return -1;
	}
	user_fuse(f, u, &b, fused);
	nt = topk_select(fused, b.len, k, top);
	for (int j = 0; j < nt; j++) {
		items[j] = b.item[top[j]];
		if (scores)
			scores[j] = fused[top[j]];
	}
	free(fused);
	free(top);
	return nt;
}

/* ------------------------------------------------------------------ */
/* Ratings */

/* Fused prediction from one pair's model predictions. */
static double
fused_prediction(const fusion *f, int u, const float *pred)
{
	double we[FUSION_MAX_MODELS], s = 0;

	if (f->stack_kind == STACK_RATING && f->set.method == FUSE_STACK) {
		double base;

		/* user_weights() reads the method; the ridge blend uses the
		 * same layout over raw predictions. */
		base = user_weights(f, u, we);
		s = base;
		for (int m = 0; m < f->n; m++)
			s += we[m] * pred[m];
		return s;
	}
	fusion_weights(f, we);
	for (int m = 0; m < f->n; m++)
		s += we[m] * pred[m];
	return s;
}

static double
clip_rating(const fusion *f, double v)
{
	if (f->ds && f->ds->rating_min < f->ds->rating_max) {
		if (v < f->ds->rating_min)
			v = f->ds->rating_min;
		if (v > f->ds->rating_max)
			v = f->ds->rating_max;
	}
	return v;
}

int
fusion_pool_eval_rating(fusion *f, fusion_pool *p, int single, metrics *out,
    rf_error *err)
{
	double se = 0, ae = 0;
	int64_t n = 0;

	if (p->pptr == NULL)
		return rf_fail(err, "fusion: no rating predictions (every "
		    "single must predict ratings, and the pool needs a part)");
	for (int r = 0; r < p->nu; r++)
		for (int64_t q = p->pptr[r]; q < p->pptr[r + 1]; q++) {
			const float *pr = p->pred + (size_t)q * p->nm;
			double v = single >= 0 ? pr[single] :
			    fused_prediction(f, p->users[r], pr);
			double d = clip_rating(f, v) - p->truth[q];

			se += d * d;
			ae += fabs(d);
			n++;
		}
	out->n_pred = n;
	out->rmse = n ? sqrt(se / n) : NAN;
	out->mae = n ? ae / n : NAN;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Stack */

static void
stack_names(fusion *f)
{
	int n = f->n;

	f->ntheta = 1 + UFN + n * (1 + UFN);
	snprintf(f->theta_names[0], sizeof f->theta_names[0], "intercept");
	for (int j = 0; j < UFN; j++)
		snprintf(f->theta_names[1 + j], sizeof f->theta_names[0], "%s",
		    ufeat_names[j]);
	for (int m = 0; m < n; m++) {
		snprintf(f->theta_names[1 + UFN + m], sizeof f->theta_names[0],
		    "%s", f->set.names[m]);
		for (int j = 0; j < UFN; j++)
			snprintf(f->theta_names[1 + UFN + n + j * n + m],
			    sizeof f->theta_names[0], "%s*%s",
			    f->set.names[m], ufeat_names[j]);
	}
}

/* One design row: [1, x_u, t_m, x_uf t_m]. */
static void
stack_row(const fusion *f, int u, const float *t, size_t stride, double *x)
{
	const float *uf = f->ufeat + (size_t)u * UFN;
	int n = f->n;

	x[0] = 1;
	for (int j = 0; j < UFN; j++)
		x[1 + j] = uf[j];
	for (int m = 0; m < n; m++) {
		double tm = t[(size_t)m * stride];

		x[1 + UFN + m] = tm;
		for (int j = 0; j < UFN; j++)
			x[1 + UFN + n + j * n + m] = uf[j] * tm;
	}
}

/* Solve (A) theta = b for the SPD A (d x d, destroyed) by Cholesky
 * (LAPACK dposv); a tiny ridge is added if A is not positive definite. */
static int
solve_spd(double *A, double *b, int d, rf_error *err)
{
	double *A0 = malloc((size_t)d * d * sizeof *A0);
	double *b0 = malloc((size_t)d * sizeof *b0);
	int info;

	if (A0 == NULL || b0 == NULL) {
		free(A0);
		free(b0);
		return rf_fail(err, "fusion: out of memory");
	}
	memcpy(A0, A, (size_t)d * d * sizeof *A);
	memcpy(b0, b, (size_t)d * sizeof *b);
	info = LAPACKE_dposv(LAPACK_ROW_MAJOR, 'U', d, 1, A, d, b, 1);
	for (double jit = 1e-8; info != 0 && jit < 1e3; jit *= 100) {
		memcpy(A, A0, (size_t)d * d * sizeof *A);
		memcpy(b, b0, (size_t)d * sizeof *b);
		for (int i = 0; i < d; i++)
			A[(size_t)i * d + i] += jit * (1 + fabs(A0[(size_t)i * d
			    + i]));
		info = LAPACKE_dposv(LAPACK_ROW_MAJOR, 'U', d, 1, A, d, b, 1);
	}
	free(A0);
	free(b0);
	return info == 0 ? 0 : rf_fail(err, "fusion: the stack's normal "
	    "equations are singular");
}

/* Ridge blend of the rating predictions on the pool's pairs, closed form:
 * (X'X + l2 I') theta = X'y, I' without the intercept. */
static int
stack_fit_rating(fusion *f, fusion_pool *p, rf_error *err)
{
	int d = f->ntheta;
	double *A = calloc((size_t)d * d, sizeof *A);
	double *b = calloc((size_t)d, sizeof *b);
	double *x = calloc((size_t)d, sizeof *x);
	int64_t n = 0;

	if (!A || !b || !x) {
		free(A);
		free(b);
		free(x);
		return rf_fail(err, "fusion: out of memory");
	}
	for (int r = 0; r < p->nu; r++)
		for (int64_t q = p->pptr[r]; q < p->pptr[r + 1]; q++) {
			stack_row(f, p->users[r], p->pred + (size_t)q * p->nm,
			    1, x);
			cblas_dsyr(CblasRowMajor, CblasUpper, d, 1.0, x, 1,
			    A, d);
			cblas_daxpy(d, p->truth[q], x, 1, b, 1);
			n++;
		}
	if (n == 0) {
		free(A);
		free(b);
		free(x);
		return rf_fail(err, "fusion: no validation pairs to fit the "
		    "stack on");
	}
	for (int i = 1; i < d; i++)
		A[(size_t)i * d + i] += f->set.l2;
	if (solve_spd(A, b, d, err) < 0) {
		free(A);
		free(b);
		free(x);
		return -1;
	}
	memcpy(f->theta, b, (size_t)d * sizeof *b);
	free(A);
	free(b);
	free(x);
	return 0;
}

/* Logistic regression on validation positives vs sampled pool negatives,
 * fitted by Newton's method / IRLS with an L2 penalty (not on the
 * intercept): theta += (X'WX + l2 I')^-1 (X'(y - p) - l2 I' theta). */
#define STACK_NEG_PER_USER 60
#define STACK_NEWTON_ITERS 25

static int
stack_fit_topn(fusion *f, fusion_pool *p, uint64_t seed, rf_error *err)
{
	int d = f->ntheta;
	size_t cap = 0, n = 0;
	double *X = NULL, *y = NULL, *A = NULL, *g = NULL, *z = NULL;
	rf_rng rng;
	int rc = -1;

	if (p->eval == NULL)
		return rf_fail(err, "fusion: the pool has no validation part");
	rf_rng_seed(&rng, seed);
	pool_transform(f, p);
	for (int r = 0; r < p->nu; r++) {
		int u = p->users[r];
		ublock b;
		const int32_t *rel = p->eval->idx + p->eval->ptr[u];
		int nrel = (int)(p->eval->ptr[u + 1] - p->eval->ptr[u]), q = 0;
		int npos = 0;

		pool_block(p, r, &b);
		if (nrel == 0)
			continue;
		if (n + (size_t)b.len > cap) {
			size_t nc = cap ? cap : 8192;
			void *t;

			while (nc < n + (size_t)b.len)
				nc *= 2;
			if ((t = realloc(X, nc * d * sizeof *X)) == NULL)
				goto oom;
			X = t;
			if ((t = realloc(y, nc * sizeof *y)) == NULL)
				goto oom;
			y = t;
			cap = nc;
		}
		/* Positives: candidates in the user's validation row (both
		 * lists ascending). */
		for (int c = 0; c < b.len; c++) {
			while (q < nrel && rel[q] < b.item[c])
				q++;
			if (q < nrel && rel[q] == b.item[c]) {
				stack_row(f, u, b.tr + c, (size_t)b.len,
				    X + n * d);
				y[n++] = 1;
				npos++;
			}
		}
		/* Negatives: uniform over the other candidates (with
		 * replacement; a rare positive drawn is skipped). */
		for (int s = 0; s < STACK_NEG_PER_USER && npos > 0 &&
		    b.len > npos; s++) {
			int c = (int)rf_rng_below(&rng, (uint32_t)b.len);
			int lo = 0, hi = nrel;

			while (lo < hi) {
				int mid = (lo + hi) / 2;

				if (rel[mid] < b.item[c])
					lo = mid + 1;
				else
					hi = mid;
			}
			if (lo < nrel && rel[lo] == b.item[c])
				continue;
			if (n == cap) {
				void *t;

				cap *= 2;
				if ((t = realloc(X, cap * d * sizeof *X)) ==
				    NULL)
					goto oom;
				X = t;
				if ((t = realloc(y, cap * sizeof *y)) == NULL)
					goto oom;
				y = t;
			}
			stack_row(f, u, b.tr + c, (size_t)b.len, X + n * d);
			y[n++] = 0;
		}
	}
	if (n == 0) {
		rf_fail(err, "fusion: no validation item is among the "
		    "candidates; cannot fit the stack");
		goto out;
	}
	A = malloc((size_t)d * d * sizeof *A);
	g = malloc((size_t)d * sizeof *g);
	z = malloc(n * sizeof *z);
	if (!A || !g || !z)
		goto oom;
	memset(f->theta, 0, sizeof f->theta);
	for (int it = 0; it < STACK_NEWTON_ITERS; it++) {
		double step = 0;

		cblas_dgemv(CblasRowMajor, CblasNoTrans, (int)n, d, 1.0, X, d,
		    f->theta, 1, 0.0, z, 1);
		memset(A, 0, (size_t)d * d * sizeof *A);
		for (int i = 0; i < d; i++)
			g[i] = i ? -f->set.l2 * f->theta[i] : 0;
		for (size_t i = 0; i < n; i++) {
			double pr = 1.0 / (1.0 + exp(-z[i]));
			double w = pr * (1 - pr);

			cblas_daxpy(d, y[i] - pr, X + i * d, 1, g, 1);
			if (w > 1e-12)
				cblas_dsyr(CblasRowMajor, CblasUpper, d, w,
				    X + i * d, 1, A, d);
		}
		for (int i = 1; i < d; i++)
			A[(size_t)i * d + i] += f->set.l2;
		A[0] += 1e-9;
		if (solve_spd(A, g, d, err) < 0)
			goto out;
		for (int i = 0; i < d; i++) {
			f->theta[i] += g[i];
			step += g[i] * g[i];
		}
		if (step < 1e-14)
			break;
	}
	rc = 0;
	goto out;
oom:
	rf_fail(err, "fusion: out of memory fitting the stack");
out:
	free(X);
	free(y);
	free(A);
	free(g);
	free(z);
	return rc;
}

int
fusion_fit_stack(fusion *f, fusion_pool *valid, int rating, uint64_t seed,
    rf_error *err)
{
	int rc;

	stack_names(f);
	f->set.method = FUSE_STACK;
	if (rating) {
		if (valid->pptr == NULL)
			return rf_fail(err, "fusion: a rating stack needs "
			    "models that predict ratings and a validation "
			    "part");
		rc = stack_fit_rating(f, valid, err);
		f->stack_kind = rc == 0 ? STACK_RATING : STACK_NONE;
	} else {
		/* The stack ranks by T_m: the raw or rank-only transforms
		 * of rrf/borda have no meaning here; keep the norm. */
		rc = stack_fit_topn(f, valid, seed, err);
		f->stack_kind = rc == 0 ? STACK_TOPN : STACK_NONE;
	}
	return rc;
}

int
fusion_stack_coefs(const fusion *f, const char **names, double *coef,
    int max)
{
	int n = 0;

	if (f->stack_kind == STACK_NONE)
		return 0;
	for (int i = 0; i < f->ntheta && n < max; i++, n++) {
		if (names)
			names[n] = f->theta_names[i];
		if (coef)
			coef[n] = f->theta[i];
	}
	return n;
}

/* Text form: "kind=topn ufn=2 names=ease,als theta=v,v,..." with theta in
 * the fitted layout [1, x_u (UFN), T_m (n), x_uf T_m (UFN x n)] and every
 * value in %.17g, which round-trips a double exactly. */
int
fusion_stack_format(const fusion *f, char *buf, size_t n)
{
	size_t len;

	if (f->stack_kind == STACK_NONE || n == 0)
		return -1;
	len = (size_t)snprintf(buf, n, "kind=%s ufn=%d names=",
	    f->stack_kind == STACK_RATING ? "rating" : "topn", UFN);
	for (int m = 0; m < f->n && len < n; m++)
		len += (size_t)snprintf(buf + len, n - len, "%s%s", m ? "," :
		    "", f->set.names[m]);
	if (len < n)
		len += (size_t)snprintf(buf + len, n - len, " theta=");
	for (int i = 0; i < f->ntheta && len < n; i++)
		len += (size_t)snprintf(buf + len, n - len, "%s%.17g",
		    i ? "," : "", f->theta[i]);
	return len < n ? 0 : -1;
}

int
fusion_stack_parse(fusion *f, const char *text, rf_error *err)
{
	char names[FUSION_MAX_MODELS][FUSION_NAME_MAX];
	double th[1 + UFN + FUSION_MAX_MODELS * (1 + UFN)];
	int map[FUSION_MAX_MODELS], used[FUSION_MAX_MODELS] = { 0 };
	int kind = STACK_NONE, ufn = -1, nn = 0, nt = -1, d;
	const char *p = text;

	while (*p) {
		const char *w = p, *eq;
		size_t wl;

		while (*p && *p != ' ')
			p++;
		wl = (size_t)(p - w);
		while (*p == ' ')
			p++;
		if (wl == 0)
			continue;
		if ((eq = memchr(w, '=', wl)) == NULL)
			return rf_fail(err, "stored stack: '%.*s' is not "
			    "key=value", (int)wl, w);
		if (strncmp(w, "kind=", 5) == 0) {
			if (wl == 9 && strncmp(eq + 1, "topn", 4) == 0)
				kind = STACK_TOPN;
			else if (wl == 11 && strncmp(eq + 1, "rating", 6) == 0)
				kind = STACK_RATING;
			else
				return rf_fail(err, "stored stack: unknown "
				    "kind '%.*s'", (int)wl, w);
		} else if (strncmp(w, "ufn=", 4) == 0)
			ufn = atoi(eq + 1);
		else if (strncmp(w, "names=", 6) == 0) {
			const char *q = eq + 1;

			while (q < p && *q != ' ') {
				size_t l = strcspn(q, ", ");

				if (nn == FUSION_MAX_MODELS || l == 0 ||
				    l >= FUSION_NAME_MAX)
					return rf_fail(err, "stored stack: bad "
					    "model names");
				memcpy(names[nn], q, l);
				names[nn++][l] = '\0';
				q += l;
				if (*q == ',')
					q++;
			}
		} else if (strncmp(w, "theta=", 6) == 0) {
			const char *q = eq + 1;

			nt = 0;
			while (q < w + wl) {
				char *end;

				if (nt == (int)(sizeof th / sizeof *th))
					return rf_fail(err, "stored stack: "
					    "too many coefficients");
				th[nt] = strtod(q, &end);
				if (end == q || !isfinite(th[nt]) ||
				    (*end != ',' && end != w + wl))
					return rf_fail(err, "stored stack: "
					    "bad coefficient");
				nt++;
				q = *end == ',' ? end + 1 : end;
			}
		}
		/* other keys: from a later version, ignored */
	}
	if (kind == STACK_NONE || ufn != UFN || nn == 0 ||
	    nt != 1 + UFN + nn * (1 + UFN))
		return rf_fail(err, "stored stack: incomplete or from another "
		    "version");
	if (kind == STACK_RATING && !f->can_predict)
		return rf_fail(err, "stored stack: a rating stack over models "
		    "that do not all predict ratings");
	/* The same set of models, in any order. */
	if (nn != f->n)
		return rf_fail(err, "stored stack was fitted on %d models, "
		    "the fusion has %d", nn, f->n);
	for (int m = 0; m < f->n; m++) {
		int j;

		for (j = 0; j < nn; j++)
			if (!used[j] && strcasecmp(names[j],
			    f->set.names[m]) == 0)
				break;
		if (j == nn)
			return rf_fail(err, "stored stack was fitted without "
			    "model '%s'", f->set.names[m]);
		used[j] = 1;
		map[m] = j;
	}
	d = 1 + UFN + f->n * (1 + UFN);
	memset(f->theta, 0, sizeof f->theta);
	for (int i = 0; i < 1 + UFN; i++)
		f->theta[i] = th[i];
	for (int m = 0; m < f->n; m++) {
		f->theta[1 + UFN + m] = th[1 + UFN + map[m]];
		for (int j = 0; j < UFN; j++)
			f->theta[1 + UFN + f->n + j * f->n + m] =
			    th[1 + UFN + nn + j * nn + map[m]];
	}
	stack_names(f);
	f->ntheta = d;
	f->stack_kind = kind;
	f->set.method = FUSE_STACK;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Tune */

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
				double d = clip_rating(f, fused_prediction(f,
				    p->users[r], p->pred + (size_t)q * p->nm)) -
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
	if (pool_eval(f, p, -1, metric == TUNE_NDCG10 ? 10 : 20, &mt, pu,
	    &err) < 0) {
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

/* ------------------------------------------------------------------ */
/* One user on the fly: recommend, score_fn, contributions */

typedef struct onthefly {
	uscratch s;
	int len;
	float *raw, *tr, *fused;
	int32_t *rank;
} onthefly;

static void
otf_free(onthefly *o)
{
	uscratch_free(&o->s);
	free(o->raw);
	free(o->tr);
	free(o->fused);
	free(o->rank);
}

/* Build user u's candidates (plus extra) and fuse them. */
static int
otf_build(const fusion *f, int u, int extra, onthefly *o, ublock *b)
{
	const interactions *excl = f->models[0]->train;
	int kind = tr_kind_of(&f->set), nm = f->n;

	memset(o, 0, sizeof *o);
	if (u < 0 || u >= excl->n_users)
		return -1;
	if (uscratch_init(&o->s, nm, excl->n_items, f->set.pool_m) < 0)
		return -1;
	o->len = user_candidates(f, excl, u, extra, &o->s);
	o->raw = malloc(((size_t)o->len * nm + 1) * sizeof *o->raw);
	o->tr = malloc(((size_t)o->len * nm + 1) * sizeof *o->tr);
	o->rank = malloc(((size_t)o->len * nm + 1) * sizeof *o->rank);
	o->fused = malloc(((size_t)o->len + 1) * sizeof *o->fused);
	if (!o->raw || !o->tr || !o->rank || !o->fused) {
		otf_free(o);
		return -1;
	}
	user_fill(f, &o->s, o->len, o->raw, o->rank);
	for (int m = 0; m < nm; m++)
		transform_row(kind, f->set.norm, f->set.rrf_k, o->len,
		    o->raw + (size_t)m * o->len, o->rank + (size_t)m * o->len,
		    o->tr + (size_t)m * o->len);
	b->nm = nm;
	b->len = o->len;
	b->item = o->s.cand;
	b->raw = o->raw;
	b->rank = o->rank;
	b->tr = o->tr;
	user_fuse(f, u, b, o->fused);
	return 0;
}

void
fusion_score_user(const void *ctx, int u, float *out)
{
	const fusion *f = ctx;
	int n_items = f->models[0]->train->n_items;
	onthefly o;
	ublock b;

	for (int i = 0; i < n_items; i++)
		out[i] = -INFINITY;
	if (otf_build(f, u, -1, &o, &b) < 0)
		return;
	for (int c = 0; c < o.len; c++)
		out[o.s.cand[c]] = o.fused[c];
	otf_free(&o);
}

double
fusion_predict(const void *ctx, int u, int i)
{
	const fusion *f = ctx;
	float pred[FUSION_MAX_MODELS];

	if (!f->can_predict)
		return NAN;
	for (int m = 0; m < f->n; m++)
		pred[m] = (float)f->models[m]->ops->predict(f->models[m], u, i);
	return fused_prediction(f, u, pred);
}

int
fusion_recommend(const fusion *f, int u, int k, int32_t *items,
    float *scores, rf_error *err)
{
	onthefly o;
	ublock b;
	int32_t *top;
	int nt;

	if (k < 1)
		return rf_fail(err, "fusion: K must be at least 1");
	if (otf_build(f, u, -1, &o, &b) < 0)
		return rf_fail(err, "fusion: no user %d, or out of memory", u);
	if ((top = malloc((size_t)k * sizeof *top)) == NULL) {
		otf_free(&o);
		return rf_fail(err, "fusion: out of memory");
	}
	nt = topk_select(o.fused, o.len, k, top);
	for (int j = 0; j < nt; j++) {
		items[j] = o.s.cand[top[j]];
		if (scores)
			scores[j] = o.fused[top[j]];
	}
	free(top);
	otf_free(&o);
	return nt;
}

int
fusion_contributions(const fusion *f, int u, int i, fusion_contrib *out,
    rf_error *err)
{
	onthefly o;
	ublock b;
	int c, in_pool;

	memset(out, 0, sizeof *out);
	if (i < 0 || i >= f->models[0]->train->n_items)
		return rf_fail(err, "fusion: no item %d", i);
	/* Is i a candidate?  Build without it first only to know; the
	 * cheaper way is to build with it and see whether it was added. */
	if (otf_build(f, u, -1, &o, &b) < 0)
		return rf_fail(err, "fusion: no user %d, or out of memory", u);
	for (c = 0; c < o.len && o.s.cand[c] != i; c++)
		;
	in_pool = c < o.len;
	if (!in_pool) {
		otf_free(&o);
		if (otf_build(f, u, i, &o, &b) < 0)
			return rf_fail(err, "fusion: out of memory");
		for (c = 0; c < o.len && o.s.cand[c] != i; c++)
			;
	}
	out->n_models = f->n;
	out->in_pool = in_pool;
	out->pool_len = o.len;
	out->fused = user_contrib(f, u, &b, c, out->contrib, &out->base);
	out->fused_rank = 1;
	for (int j = 0; j < o.len; j++)
		if (o.fused[j] > o.fused[c] || (o.fused[j] == o.fused[c] &&
		    j < c))
			out->fused_rank++;
	for (int m = 0; m < f->n; m++) {
		out->score[m] = o.raw[(size_t)m * o.len + c];
		out->rank[m] = o.rank[(size_t)m * o.len + c];
	}
	otf_free(&o);
	return 0;
}
