/* bench_neural: Protocol B (implicit top-N on ml-100k) for bpr and neural.
 * Every rating of u.data is a positive; per user with >= 5 ratings, the
 * last round(0.2 n) by (timestamp, item) are held out; every item not in
 * the user's train is ranked; NDCG@10 and P@10 against the targets.
 *
 *   bench_neural [--val] [--model bpr|neural|neural-f] [--epochs N]
 *                [--seed S] [name=value ...]
 *
 * --val carves a validation split out of the train part the same way and
 * evaluates on it (how the defaults were tuned; the test part is never
 * looked at then).  With no --model, runs every variant with defaults. */
#include <math.h>
#include <stdio.h>
#include <time.h>
#include <stdlib.h>
#include <string.h>

#include "engine/models/model.h"
#include "engine/models/registry.h"
#include "engine/rf.h"
#include "tests/mldata.h"

#define TOPK 10

typedef struct split {
	interactions train;
	int64_t *tptr;		/* (n_users + 1) into titem */
	int32_t *titem;
} split;

typedef struct entry {
	int64_t ts;
	int32_t item;
} entry;

static int
entry_cmp(const void *a, const void *b)
{
	const entry *x = a, *y = b;

	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	return (x->item > y->item) - (x->item < y->item);
}

static int
entry_item_cmp(const void *a, const void *b)
{
	const entry *x = a, *y = b;

	return (x->item > y->item) - (x->item < y->item);
}

static int
int32_cmp(const void *a, const void *b)
{
	int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;

	return (x > y) - (x < y);
}

/* Hold out the last round(0.2 n) interactions by time of users with n >= 5. */
static int
split_temporal(const interactions *all, split *s)
{
	int nu = all->n_users;
	entry *buf = malloc((size_t)all->nnz * sizeof *buf);
	int64_t ntrain = 0, ntest = 0, kt = 0, ke = 0;

	memset(s, 0, sizeof *s);
	if (buf == NULL)
		return -1;
	for (int u = 0; u < nu; u++) {
		int64_t n = all->ptr[u + 1] - all->ptr[u];
		int64_t h = n >= 5 ? (int64_t)lround(0.2 * (double)n) : 0;

		ntest += h;
		ntrain += n - h;
	}
	if (interactions_alloc(&s->train, nu, all->n_items, ntrain) < 0)
		return free(buf), -1;
	s->tptr = calloc((size_t)nu + 1, sizeof *s->tptr);
	s->titem = malloc((size_t)(ntest ? ntest : 1) * sizeof *s->titem);
	if (!s->tptr || !s->titem)
		return free(buf), -1;
	for (int u = 0; u < nu; u++) {
		int64_t b = all->ptr[u], n = all->ptr[u + 1] - b;
		int64_t h = n >= 5 ? (int64_t)lround(0.2 * (double)n) : 0;

		for (int64_t e = 0; e < n; e++) {
			buf[e].ts = all->ts[b + e];
			buf[e].item = all->idx[b + e];
		}
		qsort(buf, (size_t)n, sizeof *buf, entry_cmp);
		/* CSR rows are sorted by item; the held-out tail stays put. */
		qsort(buf, (size_t)(n - h), sizeof *buf, entry_item_cmp);
		for (int64_t e = 0; e < n - h; e++) {
			s->train.idx[kt] = buf[e].item;
			s->train.val[kt] = 1.0f;
			s->train.ts[kt] = buf[e].ts;
			s->train.beh[kt] = 1;
			kt++;
		}
		s->train.ptr[u + 1] = kt;
		for (int64_t e = n - h; e < n; e++)
			s->titem[ke++] = buf[e].item;
		qsort(s->titem + s->tptr[u], (size_t)h, sizeof *s->titem,
		    int32_cmp);
		s->tptr[u + 1] = ke;
	}
	free(buf);
	return interactions_build_transpose(&s->train);
}

static void
split_free(split *s)
{
	interactions_free(&s->train);
	free(s->tptr);
	free(s->titem);
}

/* NDCG@K and P@K with full ranking over items not in the user's train. */
static void
evaluate(const model *m, const split *s, double *ndcg, double *prec)
{
	const interactions *t = &s->train;
	int ni = t->n_items, users = 0;
	float *sc = malloc((size_t)ni * sizeof *sc);
	double sn = 0, sp = 0;

	for (int u = 0; sc && u < t->n_users; u++) {
		int64_t nt = s->tptr[u + 1] - s->tptr[u];
		int top[TOPK], ntop = 0;
		double dcg = 0, idcg = 0;
		int hits = 0;

		if (nt == 0)
			continue;
		m->ops->score_user(m, u, sc);
		for (int64_t e = t->ptr[u]; e < t->ptr[u + 1]; e++)
			sc[t->idx[e]] = -INFINITY;
		/* insertion into a sorted top-K (ties: lower index first) */
		for (int i = 0; i < ni; i++) {
			int p;

			if (sc[i] == -INFINITY)
				continue;
			if (ntop == TOPK && !(sc[i] > sc[top[TOPK - 1]]))
				continue;
			p = ntop < TOPK ? ntop++ : TOPK - 1;
			while (p > 0 && sc[i] > sc[top[p - 1]]) {
				top[p] = top[p - 1];
				p--;
			}
			top[p] = i;
		}
		for (int r = 0; r < ntop; r++) {
			int32_t key = top[r];

			if (bsearch(&key, s->titem + s->tptr[u], (size_t)nt,
			    sizeof key, int32_cmp)) {
				dcg += 1.0 / log2(r + 2.0);
				hits++;
			}
		}
		for (int r = 0; r < TOPK && r < nt; r++)
			idcg += 1.0 / log2(r + 2.0);
		sn += dcg / idcg;
		sp += (double)hits / TOPK;
		users++;
	}
	free(sc);
	*ndcg = users ? sn / users : 0;
	*prec = users ? sp / users : 0;
}

static int
run(const char *label, const model_ops *ops, const dataset *ds,
    const split *s, int argc, char **argv, int epochs, uint64_t seed,
    double target, int verbose)
{
	double *params = malloc((size_t)ops->nparams * sizeof *params);
	double t0, t1, loss = 0, ndcg, prec;
	clock_t c0, c1;
	rf_error err = { "" };
	model *m;

	if (params == NULL)
		return -1;
	model_params_default(ops, params);
	for (int a = 0; a < argc; a++) {
		char name[64];
		const char *eq = strchr(argv[a], '=');
		int p;

		if (eq == NULL || (size_t)(eq - argv[a]) >= sizeof name)
			continue;
		memcpy(name, argv[a], (size_t)(eq - argv[a]));
		name[eq - argv[a]] = '\0';
		p = model_param_index(ops, name);
		if (p >= 0)
			params[p] = atof(eq + 1);
		else if (verbose)
			fprintf(stderr, "%s: no parameter %s\n", ops->name,
			    name);
	}
	if (epochs <= 0)
		epochs = ops->default_epochs;
	t0 = rf_monotonic();
	c0 = clock();
	m = ops->create(ds, &s->train, params, seed, &err);
	if (m == NULL) {
		fprintf(stderr, "%s: %s\n", label, err.msg);
		free(params);
		return -1;
	}
	for (int e = 0; e < epochs; e++) {
		if (ops->epoch(m, e, &loss, NULL, &err) < 0) {
			fprintf(stderr, "%s: %s\n", label, err.msg);
			ops->free(m);
			free(params);
			return -1;
		}
		if (verbose > 1) {
			double n2, p2;

			evaluate(m, s, &n2, &p2);
			printf("  %s epoch %2d loss %.5f ndcg@10 %.4f (%.1fs)\n",
			    label, e + 1, loss, n2, rf_monotonic() - t0);
			fflush(stdout);
		}
	}
	t1 = rf_monotonic();
	c1 = clock();
	evaluate(m, s, &ndcg, &prec);
	printf("%-9s NDCG@10 %.4f (target >= %.3f %s)  P@10 %.4f  "
	    "train %.2fs wall %.2fs cpu (%d epochs, last loss %.4f)  "
	    "eval %.2fs\n", label, ndcg, target,
	    ndcg >= target ? "ok" : "MISSED", prec, t1 - t0,
	    (double)(c1 - c0) / CLOCKS_PER_SEC, epochs, loss,
	    rf_monotonic() - t1);
	fflush(stdout);
	ops->free(m);
	free(params);
	return 0;
}

int
main(int argc, char **argv)
{
	char path[4096];
	interactions all;
	split outer, inner;
	const split *use;
	dataset *ds;
	const char *which = NULL;
	int val = 0, epochs = 0, verbose = 1, a;
	uint64_t seed = 42;

	for (a = 1; a < argc; a++) {
		if (strcmp(argv[a], "--val") == 0)
			val = 1;
		else if (strcmp(argv[a], "--model") == 0 && a + 1 < argc)
			which = argv[++a];
		else if (strcmp(argv[a], "--epochs") == 0 && a + 1 < argc)
			epochs = atoi(argv[++a]);
		else if (strcmp(argv[a], "--seed") == 0 && a + 1 < argc)
			seed = strtoull(argv[++a], NULL, 10);
		else if (strcmp(argv[a], "-v") == 0)
			verbose = 2;
		else
			break;
	}
	snprintf(path, sizeof path, "%s/ml-100k/u.data", ml_data_dir());
	if (ml_load(path, 943, 1682, 1, &all) < 0) {
		fprintf(stderr, "bench_neural: cannot read %s\n", path);
		return 77;
	}
	if (split_temporal(&all, &outer) < 0) {
		fprintf(stderr, "bench_neural: out of memory\n");
		return 1;
	}
	use = &outer;
	if (val) {
		if (split_temporal(&outer.train, &inner) < 0)
			return 1;
		use = &inner;
	}
	ds = ml_dataset(&use->train, 0);
	if (ds == NULL)
		return 1;
	printf("Protocol B%s: %d users, %d items, %lld train, %lld held out\n",
	    val ? " (validation carved from train)" : "", use->train.n_users,
	    use->train.n_items, (long long)use->train.nnz,
	    (long long)use->tptr[use->train.n_users]);
	if (which == NULL || strcmp(which, "bpr") == 0)
		run("bpr", &model_bpr_ops, ds, use, argc - a, argv + a, epochs,
		    seed, 0.150, verbose);
	if (which == NULL || strcmp(which, "neural") == 0)
		run("neural", &model_neural_ops, ds, use, argc - a, argv + a,
		    epochs, seed, 0.165, verbose);
	if (which == NULL || strcmp(which, "neural-f") == 0) {
		char *fa[64];
		int n = 0;

		fa[n++] = "features=1";
		for (int k = a; k < argc && n < 64; k++)
			fa[n++] = argv[k];
		run("neural-f", &model_neural_ops, ds, use, n, fa, epochs,
		    seed, 0.165, verbose);
	}
	free(ds);
	if (val)
		split_free(&inner);
	split_free(&outer);
	interactions_free(&all);
	return 0;
}
