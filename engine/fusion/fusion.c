/* fusion: the fusion object, several trained models over one train part
 * with their names, the settings in force (weights matched by name) and
 * the user features the stack weighs the models by. */
#include "engine/fusion/fusion.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "engine/fusion/fusion_priv.h"


/* Standardised user features from the models' train part (not from the
 * whole data set: the held-out events must not leak into them). */
static int
compute_user_features(fusion *f, const interactions *tr, rf_error *err)
{
	int nu = tr->n_users;
	int64_t tmin = INT64_MAX, tmax = INT64_MIN;
	double mean[UFN] = { 0 }, sd[UFN] = { 0 };
	const dataset *ds = f->ds;
	int ncat = ds && ds->item_category && ds->n_categories > 0 ?
	    ds->n_categories : 0;
	int *catn = NULL;
	int64_t *last, *rowts, most = 0;
	int timed = 1;

	f->n_users = nu;
	for (int u = 0; u < nu; u++)
		if (tr->ptr[u + 1] - tr->ptr[u] > most)
			most = tr->ptr[u + 1] - tr->ptr[u];
	f->ufeat = calloc((size_t)(nu ? nu : 1) * UFN, sizeof *f->ufeat);
	last = malloc((size_t)(nu ? nu : 1) * sizeof *last);
	rowts = malloc((size_t)(most ? most : 1) * sizeof *rowts);
	if (ncat > 0)
		catn = calloc((size_t)ncat, sizeof *catn);
	if (f->ufeat == NULL || last == NULL || rowts == NULL ||
	    (ncat > 0 && catn == NULL)) {
		free(catn);
		free(last);
		free(rowts);
		return rf_fail(err, "fusion: out of memory");
	}
	/* Each user's latest train time (the part's own times, or the
	 * data's when the part is kept without them). */
	for (int u = 0; u < nu && timed; u++) {
		int64_t n = tr->ptr[u + 1] - tr->ptr[u];

		last[u] = INT64_MIN;
		if (!(timed = dataset_row_times(ds, tr, u, rowts, NULL)))
			break;
		for (int64_t p = 0; p < n; p++) {
			if (rowts[p] < tmin)
				tmin = rowts[p];
			if (rowts[p] > tmax)
				tmax = rowts[p];
			if (rowts[p] > last[u])
				last[u] = rowts[p];
		}
	}
	free(rowts);
	for (int u = 0; u < nu; u++) {
		float *x = f->ufeat + (size_t)u * UFN;

		x[0] = (float)log1p((double)(tr->ptr[u + 1] - tr->ptr[u]));
		if (timed && tmax > tmin)
			x[1] = last[u] == INT64_MIN ? 1.0f :
			    (float)((double)(tmax - last[u]) /
			    (double)(tmax - tmin));
		if (ncat > 0 && tr->ptr[u + 1] > tr->ptr[u]) {
			double n = (double)(tr->ptr[u + 1] - tr->ptr[u]), h = 0;

			for (int64_t p = tr->ptr[u]; p < tr->ptr[u + 1]; p++) {
				int c = ds->item_category[tr->idx[p]];

				if (c >= 0 && c < ncat)
					catn[c]++;
			}
			/* Entropy over the categories seen, then the counts
			 * go back to zero (only those touched). */
			for (int64_t p = tr->ptr[u]; p < tr->ptr[u + 1]; p++) {
				int c = ds->item_category[tr->idx[p]];

				if (c >= 0 && c < ncat && catn[c] > 0) {
					double q = catn[c] / n;

					h -= q * log(q);
					catn[c] = 0;
				}
			}
			x[2] = (float)h;
		}
		for (int j = 0; j < UFN; j++)
			mean[j] += x[j];
	}
	free(catn);
	free(last);
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

const char *const fusion_ufeat_names[UFN] = { "activity", "recency",
	"spread" };

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
	if (compute_user_features(f, models[0]->train, err) < 0) {
		fusion_free(f);
		return NULL;
	}
	return f;
}

fusion *
fusion_clone(const fusion *f, rf_error *err)
{
	size_t nf = (size_t)(f->n_users ? f->n_users : 1) * UFN;
	fusion *c = malloc(sizeof *c);
	float *ufeat = malloc(nf * sizeof *ufeat);

	if (c == NULL || ufeat == NULL) {
		free(c);
		free(ufeat);
		rf_fail(err, "fusion: out of memory");
		return NULL;
	}
	*c = *f;
	memcpy(ufeat, f->ufeat, nf * sizeof *ufeat);
	c->ufeat = ufeat;
	return c;
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
fusion_set_known(fusion *f, const interactions *known, rf_error *err)
{
	const interactions *tr = f->models[0]->train;

	if (known != NULL && (known->n_users != tr->n_users ||
	    known->n_items != tr->n_items))
		return rf_fail(err, "fusion: what is known is %d x %d, the "
		    "models' train part %d x %d", known->n_users,
		    known->n_items, tr->n_users, tr->n_items);
	f->known = known;
	return 0;
}

void
fusion_set_popularity(fusion *f, const int32_t *popularity)
{
	f->popularity = popularity;
}

const interactions *
fusion_known(const fusion *f)
{
	return f->known != NULL ? f->known : f->models[0]->train;
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
	return compute_user_features(f, models[0]->train, err);
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
	if (fusion_settings_assign(&t, assign, (size_t)(eq - assign), eq + 1,
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
