/* als: implicit-feedback matrix factorisation by alternating least squares
 * (Hu, Koren, Volinsky, "Collaborative Filtering for Implicit Feedback
 * Datasets", ICDM 2008), each least-squares problem solved approximately by
 * a few warm-started conjugate-gradient steps (Takacs, Pilaszy, Tikk,
 * "Applications of the Conjugate Gradient Method for Implicit Feedback
 * Collaborative Filtering", RecSys 2011).
 *
 * Every stored (u, i) is a preference p_ui = 1 with confidence
 * c_ui = 1 + alpha g(r_ui), g(r) = log(1 + r) by default (HKV eq. 6; eq. 2's
 * g(r) = r with conf=0; r is the stored value, clamped at 0);
 * every other pair is p = 0 with c = 1.  The objective (HKV eq. 3) is
 *   L = sum_{u,i} c_ui (p_ui - x_u.y_i)^2 + reg (sum |x_u|^2 + sum |y_i|^2).
 *
 * Factors are float32 rows with a stride rounded up to a multiple of 8; the
 * padding columns are zero and stay zero (their rows of Y^T Y, of b and of
 * every CG residual are zero), and the fixed 8-wide blocks let a plain -O2
 * build vectorise the inner products without -ffast-math.
 *
 * Speed (issue 3: <= 0.10 s for 64 factors x 15 iterations on ml-100k):
 * rows are solved in fixed chunks of ALS_CHUNK, claimed by `threads`
 * threads (OpenBLAS single-threaded inside them), so the factors are bit
 * for bit the same for any thread count; the hot loops have a second copy
 * for AVX2 + FMA picked at run time; the Grams F^T F serve both the solves
 * and the objective; the objective's observed pairs come from dots the
 * item half tracks anyway.  The training state is per thread and per
 * chunk of rows (confidences, tracked dots): none of it grows with the
 * data, whose factors are all that does (at 10 M entries four arrays of
 * an entry each had been 110 MB of the peak). */
#include <cblas.h>
#include <lapacke.h>
#include <math.h>
#include <stdio.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "engine/models/als.h"
#include "engine/models/blob.h"
#include "engine/models/model.h"
#include "engine/models/registry.h"
#include "engine/core/rng.h"
#include "engine/core/threads.h"

#define ALS_MAGIC	0x534c4149u	/* "IALS" */
#define ALS_VERSION	1u
#define ALS_BLOCK	8
/* Rows solved together: one sgemm of ALS_CHUNK x fs by fs x fs per CG
 * step, and the unit of work a thread claims.  Chunk boundaries depend on
 * the row count only, never on the thread count, so every factor comes out
 * of the same arithmetic whatever `threads` is. */
#define ALS_CHUNK	64
#define ALS_MAX_THREADS	16

#if defined(__GNUC__) || defined(__clang__)
#define ALS_INLINE	inline __attribute__((always_inline))
#if defined(__x86_64__) || defined(__i386__)
/* A second copy of the CG kernels for AVX2 + FMA, chosen at run time
 * (__builtin_cpu_supports); the generic copy stays for other machines and
 * for RECFUSE_ALS_GENERIC=1.  The two copies round differently (fused
 * multiply-add), so factors are reproducible per machine, not across
 * machines with and without AVX2. */
#define ALS_X86_DISPATCH 1
#endif
#else
#define ALS_INLINE	inline
#endif

enum { P_FACTORS, P_REG, P_ALPHA, P_CG_STEPS, P_THREADS, P_CONF };

/* How a stored value r becomes a confidence c = 1 + alpha g(r). */
enum { CONF_LINEAR, CONF_LOG, CONF_PRESENCE };

/* Defaults: reg 20 and alpha 2 were chosen on a validation split carved
 * from Protocol B's train part the same temporal way (last 20% per user);
 * over alpha in {1..10} x reg in {1..150} the validation NDCG@10 has a
 * plateau at alpha 1.5-3, reg 15-25 (0.171-0.173), and falls away on both
 * sides (reg 5: 0.163, reg 80: 0.137).  conf 1 (log) is the default
 * because values can be counts: on Last.fm's play counts (up to 352698)
 * the linear rule lets a few users' top artists swamp everything (NDCG@10
 * 0.095 against 0.237 with the log), and on ratings or behaviour weights
 * the log is as good or better (ml-100k Protocol B 0.193 against 0.184). */

static const model_param als_params[] = {
	{ "factors", 64, 1, 1024, 8, 1, "latent dimensions" },
	{ "reg", 20, 0, 1000, 0.5, 0,
	  "L2 weight on the factors (HKV 2008 eq. 3)" },
	{ "alpha", 2, 0, 1000, 0.5, 0,
	  "confidence slope: c_ui = 1 + alpha r_ui (HKV 2008 eq. 2)" },
	{ "cg_steps", 3, 1, 100, 1, 1,
	  "conjugate-gradient steps per solve, warm-started (Takacs 2011)" },
	{ "threads", 2, 1, ALS_MAX_THREADS, 1, 1,
	  "threads for the per-row solves (1: none); results do not depend "
	  "on it" },
	{ "conf", CONF_LOG, 0, 2, 1, 1,
	  "confidence of a value r: 0 alpha r (HKV eq. 2), 1 alpha log(1 + r) "
	  "(HKV eq. 6, for counts such as plays), 2 alpha (presence)" },
};

/* One thread's CG state for one chunk of rows. */
typedef struct als_scratch {
	float *R, *P, *AP;	/* (ALS_CHUNK, fs) residual, direction, A p */
	float *w, *d;		/* (longest row) per-entry weights, dots */
	float *c1, *st;		/* (largest chunk's entries) c_ui - 1, and
				 * the item half's tracked x_u . y_i */
	double rs[ALS_CHUNK];	/* r.r per row */
} als_scratch;

typedef struct als_model {
	model base;
	int nu, ni, f, fs;	/* users, items, factors, padded stride */
	int nthreads;
	float *X;		/* (nu, fs) user factors */
	float *Y;		/* (ni, fs) item factors */
	float *GX, *GY;		/* (fs, fs) X^T X and Y^T Y, both triangles */
	int gy_ok;		/* GY matches the current Y */
	float *A;		/* (fs, fs) Gram of the fixed side + reg I */
	int fitting;		/* an epoch ran since the state was made */
	double *part;		/* (item chunks) objective sums; NULL until
				 * the training state is made */
	als_scratch scr[ALS_MAX_THREADS];
} als_model;

/* One parallel pass over chunks of rows: a half-iteration or the
 * objective.  Threads claim chunks from `next`; any assignment gives the
 * same numbers since chunks are independent. */
typedef struct als_pass {
	als_model *am;
	void (*chunk)(struct als_pass *ps, als_scratch *s, int c);
	int nchunks;
	atomic_int next;
	atomic_int cancelled;
	const volatile int *cancel;
	/* the rows being solved, and the fixed side */
	float *T;
	int nt;
	const float *F;
	const int64_t *ptr;
	const int32_t *idx;
	const float *val;	/* the stored values, in the rows' order */
	int track;		/* item half: track s_ui, sum the objective */
} als_pass;

/* c - 1 for a stored value r (values below 0 count as 0). */
float
als_confidence1(const model *m, float r)
{
	float alpha = (float)m->params[P_ALPHA];

	if (r <= 0)
		return 0;
	switch ((int)m->params[P_CONF]) {
	case CONF_LOG:
		return alpha * log1pf(r);
	case CONF_PRESENCE:
		return alpha;
	default:
		return alpha * r;
	}
}

static inline float
als_conf1(const als_model *am, float r)
{
	return als_confidence1(&am->base, r);
}

/* The kernels.  `fma` is a constant after inlining: 0 gives plain
 * multiply-add that -O2 vectorises in 8-float blocks (eight independent
 * partial sums are no reassociation, so the lanes are legal without
 * -ffast-math); 1 gives fmaf(), one instruction in the AVX2 + FMA copy. */
#define ALS_MAC(fma, acc, x, y) \
	((fma) ? fmaf((x), (y), (acc)) : (acc) + (x) * (y))

static ALS_INLINE float
als_sum8(const float *s)
{
	return ((s[0] + s[4]) + (s[1] + s[5])) + ((s[2] + s[6]) +
	    (s[3] + s[7]));
}

static ALS_INLINE float
als_dot(const float *restrict a, const float *restrict b, int fs,
    const int fma)
{
	float s[ALS_BLOCK] = { 0 };

	for (int k = 0; k < fs; k += ALS_BLOCK)
		for (int l = 0; l < ALS_BLOCK; l++)
			s[l] = ALS_MAC(fma, s[l], a[k + l], b[k + l]);
	return als_sum8(s);
}

static ALS_INLINE void
als_axpy(float *restrict y, float a, const float *restrict x, int fs,
    const int fma)
{
	for (int k = 0; k < fs; k += ALS_BLOCK)
		for (int l = 0; l < ALS_BLOCK; l++)
			y[k + l] = ALS_MAC(fma, y[k + l], a, x[k + l]);
}

/* t[q] = F[idx[q]] . v for q < n, four rows at a time: four independent
 * 8-lane accumulators hide the add latency and share the loads of v.  A
 * row's sum does not depend on which group it falls in. */
static ALS_INLINE void
als_dots(const float *F, const int32_t *idx, int64_t n,
    const float *restrict v, int fs, float *restrict t, const int fma)
{
	int64_t q = 0;

	for (; q + 4 <= n; q += 4) {
		const float *a = F + (size_t)idx[q] * fs;
		const float *b = F + (size_t)idx[q + 1] * fs;
		const float *c = F + (size_t)idx[q + 2] * fs;
		const float *d = F + (size_t)idx[q + 3] * fs;
		float sa[ALS_BLOCK] = { 0 }, sb[ALS_BLOCK] = { 0 };
		float sc[ALS_BLOCK] = { 0 }, sd[ALS_BLOCK] = { 0 };

		for (int k = 0; k < fs; k += ALS_BLOCK) {
			for (int l = 0; l < ALS_BLOCK; l++)
				sa[l] = ALS_MAC(fma, sa[l], a[k + l], v[k + l]);
			for (int l = 0; l < ALS_BLOCK; l++)
				sb[l] = ALS_MAC(fma, sb[l], b[k + l], v[k + l]);
			for (int l = 0; l < ALS_BLOCK; l++)
				sc[l] = ALS_MAC(fma, sc[l], c[k + l], v[k + l]);
			for (int l = 0; l < ALS_BLOCK; l++)
				sd[l] = ALS_MAC(fma, sd[l], d[k + l], v[k + l]);
		}
		t[q] = als_sum8(sa);
		t[q + 1] = als_sum8(sb);
		t[q + 2] = als_sum8(sc);
		t[q + 3] = als_sum8(sd);
	}
	for (; q < n; q++)
		t[q] = als_dot(F + (size_t)idx[q] * fs, v, fs, fma);
}

/* out += sum_q w[q] F[idx[q]], four rows per pass over out. */
static ALS_INLINE void
als_gather_axpy(float *restrict out, const float *F, const int32_t *idx,
    int64_t n, const float *restrict w, int fs, const int fma)
{
	int64_t q = 0;

	for (; q + 4 <= n; q += 4) {
		const float *a = F + (size_t)idx[q] * fs;
		const float *b = F + (size_t)idx[q + 1] * fs;
		const float *c = F + (size_t)idx[q + 2] * fs;
		const float *d = F + (size_t)idx[q + 3] * fs;
		float wa = w[q], wb = w[q + 1], wc = w[q + 2], wd = w[q + 3];

		for (int k = 0; k < fs; k += ALS_BLOCK)
			for (int l = 0; l < ALS_BLOCK; l++)
				out[k + l] = fma ? fmaf(wa, a[k + l],
				    fmaf(wb, b[k + l], fmaf(wc, c[k + l],
				    fmaf(wd, d[k + l], out[k + l])))) :
				    out[k + l] + ((wa * a[k + l] +
				    wb * b[k + l]) + (wc * c[k + l] +
				    wd * d[k + l]));
	}
	for (; q < n; q++)
		als_axpy(out, w[q], F + (size_t)idx[q] * fs, fs, fma);
}

/* CG for one chunk of rows of T (users, or items): every row t solves
 *   (F^T F + F^T (C^t - I) F + reg I) x_t = F^T C^t p(t)      (HKV eq. 4)
 * by cg_steps of CG from the current x_t (Takacs et al. 2011, alg. 2).
 * The chunk's rows step in lockstep so the dense part A p of their
 * products is one sgemm (A = F^T F + reg I); the sparse part
 * sum_i (c_ti - 1)(f_i.p) f_i is per row, over its observed entries.
 *
 * The chunk's confidences c - 1 are computed once, into the thread's
 * chunk state.  The item half also keeps s_ui = x_u . y_i for the
 * chunk's entries: exact from the initial residual's dots, then
 * s += a (x_u . p) with each step's dots (y_i += a p), so after the solve
 * st holds x_u . y_i for the new Y at no extra pass, and gives the
 * objective's sparse part (summed here per chunk).  The error is a few
 * float roundings per value and does not build up: every half starts
 * from exact dots. */
static ALS_INLINE void
als_chunk_body(als_pass *ps, als_scratch *sc, int c, const int fma)
{
	als_model *am = ps->am;
	int fs = am->fs, steps = (int)am->base.params[P_CG_STEPS];
	int lo = c * ALS_CHUNK, n = ps->nt - lo < ALS_CHUNK ? ps->nt - lo :
	    ALS_CHUNK;
	float *T = ps->T + (size_t)lo * fs, *w = sc->w, *d = sc->d;
	float *R = sc->R, *P = sc->P, *AP = sc->AP;
	const float *F = ps->F;
	const int64_t *ptr = ps->ptr + lo;

	/* the chunk's confidences, once for its steps */
	for (int64_t q = ptr[0]; q < ptr[n]; q++)
		sc->c1[q - ptr[0]] = als_conf1(am, ps->val[q]);

	/* r = b - A x = sum_i (c_i - (c_i - 1) f_i.x) f_i - G x */
	cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, fs, fs,
	    1.0f, T, fs, am->A, fs, 0.0f, AP, fs);
	for (int t = 0; t < n; t++) {
		float *r = R + (size_t)t * fs, *x = T + (size_t)t * fs;
		const float *gx = AP + (size_t)t * fs;
		const int32_t *ix = ps->idx + ptr[t];
		const float *c1 = sc->c1 + (ptr[t] - ptr[0]);
		int64_t m = ptr[t + 1] - ptr[t];

		for (int k = 0; k < fs; k++)
			r[k] = -gx[k];
		als_dots(F, ix, m, x, fs, w, fma);
		if (ps->track)
			memcpy(sc->st + (ptr[t] - ptr[0]), w, (size_t)m *
			    sizeof *w);
		for (int64_t q = 0; q < m; q++)
			w[q] = 1.0f + c1[q] - c1[q] * w[q];
		als_gather_axpy(r, F, ix, m, w, fs, fma);
		memcpy(P + (size_t)t * fs, r, (size_t)fs * sizeof *r);
		sc->rs[t] = als_dot(r, r, fs, fma);
	}
	for (int s = 0; s < steps; s++) {
		cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, fs,
		    fs, 1.0f, P, fs, am->A, fs, 0.0f, AP, fs);
		for (int t = 0; t < n; t++) {
			float *r = R + (size_t)t * fs, *p = P + (size_t)t * fs;
			float *ap = AP + (size_t)t * fs, *x = T + (size_t)t * fs;
			const int32_t *ix = ps->idx + ptr[t];
			const float *c1 = sc->c1 + (ptr[t] - ptr[0]);
			int64_t m = ptr[t + 1] - ptr[t];
			double rs = sc->rs[t], rsn, pap;
			float a;

			if (rs < 1e-20)
				continue;	/* converged: p, r stay put */
			als_dots(F, ix, m, p, fs, d, fma);
			for (int64_t q = 0; q < m; q++)
				w[q] = d[q] * c1[q];
			als_gather_axpy(ap, F, ix, m, w, fs, fma);
			pap = als_dot(p, ap, fs, fma);
			if (!(pap > 0)) {
				sc->rs[t] = 0;
				continue;
			}
			a = (float)(rs / pap);
			als_axpy(x, a, p, fs, fma);
			als_axpy(r, -a, ap, fs, fma);
			if (ps->track) {
				float *st = sc->st + (ptr[t] - ptr[0]);

				for (int64_t q = 0; q < m; q++)
					st[q] = ALS_MAC(fma, st[q], a, d[q]);
			}
			rsn = als_dot(r, r, fs, fma);
			if (s + 1 < steps) {
				float beta = (float)(rsn / rs);

				for (int k = 0; k < fs; k++)
					p[k] = ALS_MAC(fma, r[k], beta, p[k]);
			}
			sc->rs[t] = rsn;
		}
	}
	if (ps->track) {
		/* the objective's observed pairs: c (1 - s)^2 - s^2 each
		 * (see als_objective) */
		const float *st = sc->st, *c1 = sc->c1;
		double l = 0;

		for (int64_t q = 0; q < ptr[n] - ptr[0]; q++) {
			double v = st[q];

			l += (1.0 + c1[q]) * (1 - v) * (1 - v) - v * v;
		}
		am->part[c] = l;
	}
}

static void
als_chunk_generic(als_pass *ps, als_scratch *sc, int c)
{
	als_chunk_body(ps, sc, c, 0);
}

#ifdef ALS_X86_DISPATCH
__attribute__((target("avx2,fma"))) static void
als_chunk_avx2(als_pass *ps, als_scratch *sc, int c)
{
	als_chunk_body(ps, sc, c, 1);
}
#endif

/* 1 when the AVX2 + FMA kernels run: the CPU has both and the
 * environment does not ask for the generic ones (RECFUSE_ALS_GENERIC=1,
 * read at every half-iteration so a benchmark can compare the two). */
static int
als_use_avx2(void)
{
#ifdef ALS_X86_DISPATCH
	const char *g = getenv("RECFUSE_ALS_GENERIC");

	if (g != NULL && strcmp(g, "1") == 0)
		return 0;
	__builtin_cpu_init();
	return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#else
	return 0;
#endif
}

static void
als_work(als_pass *ps, als_scratch *sc)
{
	for (;;) {
		int c;

		if (ps->cancel && *ps->cancel) {
			atomic_store(&ps->cancelled, 1);
			return;
		}
		c = atomic_fetch_add(&ps->next, 1);
		if (c >= ps->nchunks)
			return;
		ps->chunk(ps, sc, c);
	}
}

typedef struct als_worker {
	als_pass *ps;
	als_scratch *sc;
} als_worker;

static void
als_worker_main(void *arg)
{
	als_worker *w = arg;

	als_work(w->ps, w->sc);
}

/* Runs ps over its chunks on up to am->nthreads threads (this one
 * included).  One level of threads: OpenBLAS is single-threaded inside.
 * A thread that cannot start leaves its share to the others.  Returns 1
 * when cancelled. */
static int
als_run(als_model *am, als_pass *ps)
{
	als_worker wk[ALS_MAX_THREADS];
	int nt = am->nthreads < ps->nchunks ? am->nthreads : ps->nchunks;

	ps->am = am;
	atomic_init(&ps->next, 0);
	atomic_init(&ps->cancelled, 0);
	for (int t = 0; t < nt; t++) {
		wk[t].ps = ps;
		wk[t].sc = &am->scr[t];
	}
	/* One level of threads (engine/core/threads.h). */
	rf_parallel(nt, als_worker_main, wk, sizeof wk[0]);
	return atomic_load(&ps->cancelled);
}

/* After the last epoch the training state goes (a further epoch makes it
 * again, and its tracked dots afresh). */
static void
als_settle(model *m)
{
	als_model *am = (als_model *)m;

	free(am->part);
	am->part = NULL;
	am->fitting = 0;
	for (int t = 0; t < ALS_MAX_THREADS; t++) {
		als_scratch *s = &am->scr[t];

		free(s->R);
		free(s->P);
		free(s->AP);
		free(s->w);
		free(s->d);
		free(s->c1);
		free(s->st);
		s->R = s->P = s->AP = NULL;
		s->w = s->d = s->c1 = s->st = NULL;
	}
}

static void
als_free(model *m)
{
	als_model *am = (als_model *)m;

	if (am == NULL)
		return;
	free(am->X);
	free(am->Y);
	free(am->GX);
	free(am->GY);
	free(am->A);
	als_settle(m);
	model_free_header(&am->base);
	free(am);
}

static size_t
als_longest_row(const interactions *tr)
{
	int64_t m = 0;

	for (int u = 0; u < tr->n_users; u++)
		if (tr->ptr[u + 1] - tr->ptr[u] > m)
			m = tr->ptr[u + 1] - tr->ptr[u];
	if (tr->tptr != NULL) {
		for (int i = 0; i < tr->n_items; i++)
			if (tr->tptr[i + 1] - tr->tptr[i] > m)
				m = tr->tptr[i + 1] - tr->tptr[i];
	} else {
		/* a load's estimate, on a train part kept without its
		 * transpose: the columns counted (or the longest possible) */
		int64_t *n = calloc((size_t)tr->n_items + 1, sizeof *n);

		if (n == NULL)
			return (size_t)(m > tr->n_users ? m : tr->n_users);
		for (int64_t k = 0; k < tr->nnz; k++)
			if (++n[tr->idx[k]] > m)
				m = n[tr->idx[k]];
		free(n);
	}
	return (size_t)m;
}

/* The most entries in one chunk of rows (ALS_CHUNK users, or items):
 * the size of a thread's per-chunk state. */
static size_t
als_largest_chunk(const int64_t *ptr, int n)
{
	int64_t m = 0;

	for (int lo = 0; lo < n; lo += ALS_CHUNK) {
		int hi = n - lo < ALS_CHUNK ? n : lo + ALS_CHUNK;

		if (ptr[hi] - ptr[lo] > m)
			m = ptr[hi] - ptr[lo];
	}
	return (size_t)m;
}

/* The entries of a thread's chunk state: the largest chunk of either
 * half (the transpose's when the part has it), plus one. */
static size_t
als_chunk_entries(const interactions *tr)
{
	size_t m = als_largest_chunk(tr->ptr, tr->n_users);
	size_t t = tr->tptr != NULL ? als_largest_chunk(tr->tptr,
	    tr->n_items) : 0;

	return (t > m ? t : m) + 1;
}

/* The training state (objective sums, each thread's scratch and chunk
 * state), made at the first epoch: a model loaded to score or explain
 * never holds it.  Its size follows the longest row and the largest
 * chunk, not the entries: at 10 M entries a few MB, where confidences
 * and tracked dots kept for every entry had been 110 MB. */
static int
als_prepare(als_model *am, rf_error *err)
{
	const interactions *train = am->base.train;
	size_t longest = als_longest_row(train) + 1;
	size_t rows = (size_t)am->ni / ALS_CHUNK + 1;
	size_t cmax = als_chunk_entries(train);
	int ok;
	am->part = malloc(rows * sizeof *am->part);
	ok = am->part != NULL;
	for (int t = 0; ok && t < am->nthreads; t++) {
		als_scratch *s = &am->scr[t];
		size_t sz = (size_t)ALS_CHUNK * am->fs * sizeof(float);

		s->R = malloc(sz);
		s->P = malloc(sz);
		s->AP = malloc(sz);
		s->w = malloc(longest * sizeof *s->w);
		s->d = malloc(longest * sizeof *s->d);
		s->c1 = malloc(cmax * sizeof *s->c1);
		s->st = malloc(cmax * sizeof *s->st);
		ok = s->R && s->P && s->AP && s->w && s->d && s->c1 && s->st;
	}
	if (!ok) {
		als_settle(&am->base);
		return rf_fail(err, "als: out of memory for the training state "
		    "of %lld entries", (long long)train->nnz);
	}
	return 0;
}

/* A model with its factors (zero) and Grams; the training state comes at
 * the first epoch (als_prepare()). */
static als_model *
als_alloc(const dataset *ds, const interactions *train, const double *params,
    uint64_t seed, rf_error *err)
{
	als_model *am = calloc(1, sizeof *am);

	if (am == NULL) {
		rf_fail(err, "als: out of memory");
		return NULL;
	}
	if (model_init_header(&am->base, &model_als_ops, ds, train, params,
	    seed, err) < 0) {
		free(am);
		return NULL;
	}
	am->nu = train->n_users;
	am->ni = train->n_items;
	am->f = (int)am->base.params[P_FACTORS];
	am->fs = (am->f + ALS_BLOCK - 1) / ALS_BLOCK * ALS_BLOCK;
	am->nthreads = (int)am->base.params[P_THREADS];
	if (am->nthreads < 1)
		am->nthreads = 1;
	if (am->nthreads > ALS_MAX_THREADS)
		am->nthreads = ALS_MAX_THREADS;
	{
		/* X and Y, the Gram matrices, and the training state
		 * (als_prepare(): each thread's scratch and chunk state);
		 * the factors are what a smaller setting shrinks. */
		size_t longest = als_longest_row(train) + 1;
		size_t cmax = als_chunk_entries(train);
		uint64_t per_factor = ((uint64_t)am->nu + am->ni + 2 +
		    3ull * ALS_CHUNK * am->nthreads) * sizeof(float);
		uint64_t need = per_factor * am->fs + 3ull * am->fs * am->fs *
		    sizeof(float) + 8ull * (longest + cmax) * am->nthreads;

		if (model_check_room(&am->base, need, P_FACTORS, per_factor, 1,
		    err) < 0) {
			als_free(&am->base);
			return NULL;
		}
	}
	/* Rows are gathered at random by every solve: huge pages spare a
	 * TLB miss per row where the system gives them. */
	am->X = rf_calloc_big(((size_t)am->nu + 1) * am->fs, sizeof *am->X);
	am->Y = rf_calloc_big(((size_t)am->ni + 1) * am->fs, sizeof *am->Y);
	am->GX = malloc((size_t)am->fs * am->fs * sizeof *am->GX);
	am->GY = malloc((size_t)am->fs * am->fs * sizeof *am->GY);
	am->A = malloc((size_t)am->fs * am->fs * sizeof *am->A);
	if (!am->X || !am->Y || !am->GX || !am->GY || !am->A) {
		rf_fail(err, "als: out of memory for %d x %d factors",
		    am->nu + am->ni, am->f);
		als_free(&am->base);
		return NULL;
	}
	return am;
}

/* Small normal entries, N(0, 1) * 0.1 / sqrt(f), users then items, from the
 * model's seed: the same seed gives the same factors on every platform. */
static model *
als_create(const dataset *ds, const interactions *train, const double *params,
    uint64_t seed, rf_error *err)
{
	als_model *am = als_alloc(ds, train, params, seed, err);
	rf_rng rng;
	double sc;

	if (am == NULL)
		return NULL;
	sc = 0.1 / sqrt((double)am->f);
	rf_rng_seed(&rng, seed);
	for (int u = 0; u < am->nu; u++)
		for (int k = 0; k < am->f; k++)
			am->X[(size_t)u * am->fs + k] =
			    (float)(sc * rf_rng_normal(&rng));
	for (int i = 0; i < am->ni; i++)
		for (int k = 0; k < am->f; k++)
			am->Y[(size_t)i * am->fs + k] =
			    (float)(sc * rf_rng_normal(&rng));
	return &am->base;
}

/* G = F^T F, both triangles (HKV section 4: Y^T Y is shared by every
 * row's system; one ssyrk per half-iteration, and the objective reuses
 * both Grams). */
static void
als_gram(const als_model *am, const float *F, int nf, float *G)
{
	int fs = am->fs;

	cblas_ssyrk(CblasRowMajor, CblasUpper, CblasTrans, fs, nf, 1.0f, F,
	    fs, 0.0f, G, fs);
	for (int a = 0; a < fs; a++)
		for (int b = a + 1; b < fs; b++)
			G[(size_t)b * fs + a] = G[(size_t)a * fs + b];
}

/* One half-iteration: T (nt rows) given the fixed side F with Gram G. */
static int
als_half(als_model *am, float *T, int nt, const float *F, const float *G,
    const int64_t *ptr, const int32_t *idx, const float *val, int track,
    const volatile int *cancel)
{
	int fs = am->fs;
	als_pass ps;

	if (nt == 0)
		return 0;
	memcpy(am->A, G, (size_t)fs * fs * sizeof *G);
	for (int a = 0; a < fs; a++)
		am->A[(size_t)a * fs + a] += (float)am->base.params[P_REG];
	memset(&ps, 0, sizeof ps);
	ps.chunk = als_use_avx2() ? NULL : als_chunk_generic;
#ifdef ALS_X86_DISPATCH
	if (ps.chunk == NULL)
		ps.chunk = als_chunk_avx2;
#endif
	ps.nchunks = (nt + ALS_CHUNK - 1) / ALS_CHUNK;
	ps.cancel = cancel;
	ps.T = T;
	ps.nt = nt;
	ps.F = F;
	ps.ptr = ptr;
	ps.idx = idx;
	ps.val = val;
	ps.track = track;
	return als_run(am, &ps);
}

/* The full objective (HKV eq. 3) without touching the nu x ni zeros:
 *   sum_{all u,i} (x_u.y_i)^2 = sum_u x_u^T (Y^T Y) x_u = <X^T X, Y^T Y>_F,
 * and each observed pair swaps its (0 - s)^2 for c (1 - s)^2:
 *   L = <X^T X, Y^T Y> + sum_obs [c_ui (1 - s_ui)^2 - s_ui^2]
 *       + reg (|X|^2 + |Y|^2).
 * The Grams are those of the half-iterations, the observed pairs were
 * summed per item chunk by the item half; added here in chunk order, so
 * the figure does not depend on the thread count. */
static double
als_objective(const als_model *am)
{
	int fs = am->fs, nchunks = (am->ni + ALS_CHUNK - 1) / ALS_CHUNK;
	double l = 0, nx = 0, ny = 0;

	for (int a = 0; a < fs; a++) {
		nx += am->GX[(size_t)a * fs + a];
		ny += am->GY[(size_t)a * fs + a];
		for (int b = 0; b < fs; b++)
			l += (double)am->GX[(size_t)a * fs + b] *
			    am->GY[(size_t)a * fs + b];
	}
	for (int c = 0; c < nchunks; c++)
		l += am->part[c];
	return l + am->base.params[P_REG] * (nx + ny);
}

/* One ALS epoch: users given items, then items given users.  The loss is
 * the objective of HKV eq. 3 over the number of observed pairs. */
static int
als_epoch(model *m, int epoch, double *loss, const volatile int *cancel,
    rf_error *err)
{
	als_model *am = (als_model *)m;
	const interactions *tr = m->train;

	(void)epoch;
	*loss = 0;
	if (am->part == NULL && als_prepare(am, err) < 0)
		return -1;
	if (!am->gy_ok) {
		als_gram(am, am->Y, am->ni, am->GY);
		am->gy_ok = 1;
	}
	if (als_half(am, am->X, am->nu, am->Y, am->GY, tr->ptr, tr->idx,
	    tr->val, 0, cancel))
		return 1;
	als_gram(am, am->X, am->nu, am->GX);
	am->gy_ok = 0;
	if (als_half(am, am->Y, am->ni, am->X, am->GX, tr->tptr, tr->tidx,
	    tr->tval, 1, cancel))
		return 1;
	am->fitting = 1;
	als_gram(am, am->Y, am->ni, am->GY);
	am->gy_ok = 1;
	*loss = als_objective(am) / (double)(tr->nnz ? tr->nnz : 1);
	return 0;
}

int
als_factors(const model *m, const float **user_f, const float **item_f,
    int *k)
{
	const als_model *am = (const als_model *)m;

	if (m == NULL || m->ops != &model_als_ops)
		return -1;
	*user_f = am->X;
	*item_f = am->Y;
	*k = am->fs;
	return 0;
}

/* score(u, j) = x_u . y_j for every j: one sgemv of Y by x_u. */
static void
als_score_user(const model *m, int u, float *out)
{
	const als_model *am = (const als_model *)m;

	if (u < 0 || u >= am->nu) {
		memset(out, 0, (size_t)am->ni * sizeof *out);
		return;
	}
	cblas_sgemv(CblasRowMajor, CblasNoTrans, am->ni, am->fs, 1.0f, am->Y,
	    am->fs, am->X + (size_t)u * am->fs, 1, 0.0f, out, 1);
}

/* The same for a block of users and the items [lo, hi): one sgemm of
 * their rows of X by those of Y (the evaluator's tiles), over the padded
 * stride as score_user. */
static void
als_score_users(const model *m, const int32_t *users, int n, int lo, int hi,
    float *out)
{
	const als_model *am = (const als_model *)m;
	const model_factor_tables ft = { am->X, am->Y, NULL, am->nu, am->fs,
	    am->fs };

	model_score_factor_block(&ft, users, n, lo, hi, out);
}

/* HKV 2008 section 5: with W^u = (Y^T C^u Y + reg I)^-1 the exact
 * least-squares user vector is x_u = W^u Y^T C^u p(u), so
 *   y_j . x_u = sum_{i in history} s^u_ji c_ui,   s^u_ji = y_j^T W^u y_i.
 * The terms decompose the closed-form x_u for the current Y; the stored
 * x_u came from a few CG steps and differs from it by the CG residual, so
 * they sum to y_j . x_u(exact), close to but not exactly score(u, j).
 * Solved in double: one f x f Cholesky (LAPACK dpotrf/dpotrs) per call.
 * weight = s^u_ji, contribution = s^u_ji c_ui. */
static int
als_explain(const model *m, int u, int j, explain_term *terms, int max)
{
	const als_model *am = (const als_model *)m;
	const interactions *tr = am->base.train;
	int f = am->f, fs = am->fs, n = 0, rc = 0;
	int64_t lo, hi;
	double *A, *z;
	explain_term *all;

	if (u < 0 || u >= am->nu || j < 0 || j >= am->ni || max <= 0)
		return 0;
	lo = tr->ptr[u];
	hi = tr->ptr[u + 1];
	A = calloc((size_t)f * f, sizeof *A);
	z = malloc((size_t)f * sizeof *z);
	all = malloc((size_t)(hi - lo + 1) * sizeof *all);
	if (A == NULL || z == NULL || all == NULL)
		goto out;
	/* A = Y^T Y + sum_history (c - 1) y_i y_i^T + reg I (lower part) */
	for (int i = 0; i < am->ni; i++) {
		const float *y = am->Y + (size_t)i * fs;

		for (int a = 0; a < f; a++)
			for (int b = 0; b <= a; b++)
				A[(size_t)a * f + b] += (double)y[a] * y[b];
	}
	for (int64_t q = lo; q < hi; q++) {
		const float *y = am->Y + (size_t)tr->idx[q] * fs;
		double c1 = als_conf1(am, tr->val[q]);

		for (int a = 0; a < f; a++)
			for (int b = 0; b <= a; b++)
				A[(size_t)a * f + b] += c1 * y[a] * y[b];
	}
	for (int a = 0; a < f; a++) {
		A[(size_t)a * f + a] += am->base.params[P_REG];
		z[a] = am->Y[(size_t)j * fs + a];
	}
	if (LAPACKE_dpotrf(LAPACK_ROW_MAJOR, 'L', f, A, f) != 0 ||
	    LAPACKE_dpotrs(LAPACK_ROW_MAJOR, 'L', f, 1, A, f, z, 1) != 0)
		goto out;
	/* z = W^u y_j; s^u_ji = z . y_i */
	for (int64_t q = lo; q < hi; q++) {
		const float *y = am->Y + (size_t)tr->idx[q] * fs;
		double s = 0;

		for (int a = 0; a < f; a++)
			s += z[a] * y[a];
		all[n].item = tr->idx[q];
		all[n].weight = s;
		all[n].contribution = s * (1.0 + als_conf1(am, tr->val[q]));
		n++;
	}
	rc = model_keep_top_terms(all, n, terms, max);
out:
	free(A);
	free(z);
	free(all);
	return rc;
}

/* Factors that shrank to zero: HKV's reg is not scaled by the data, and
 * where users and items have few pairs (a uniform 10 M log: 10 a user,
 * 2.3 an item) reg 20 outweighs them all; the objective then sits at its
 * value for X = Y = 0 (the mean confidence) and moves in the 6th digit.
 * Say so rather than leave a flat loss to guess at. */
static int
als_report(const model *m, char *buf, size_t n)
{
	const als_model *am = (const als_model *)m;
	const interactions *tr = m->train;
	double sx = 0, sy = 0;

	/* nothing fitted yet: neither an epoch here nor a saved fit */
	if (am->nu == 0 || am->ni == 0 || (m->epochs_done == 0 && !am->fitting))
		return 0;
	for (size_t x = 0; x < (size_t)am->nu * am->fs; x++)
		sx += (double)am->X[x] * am->X[x];
	for (size_t x = 0; x < (size_t)am->ni * am->fs; x++)
		sy += (double)am->Y[x] * am->Y[x];
	/* the mean |x_u|^2 |y_i|^2 bounds the mean squared score */
	if (sx / am->nu * (sy / am->ni) > 1e-8)
		return 0;
	snprintf(buf, n, "the factors shrank to zero (every score near 0): "
	    "reg %g outweighs %.1f pairs a user and %.1f an item; a smaller "
	    "reg keeps them", m->params[P_REG], (double)tr->nnz / am->nu,
	    (double)tr->nnz / am->ni);
	return 1;
}

/* Blob: uint32 magic, version, n_users, n_items, factors; then X and Y
 * rows of `factors` floats (no padding). */
static const uint32_t als_magic[2] = { ALS_MAGIC, ALS_VERSION };

static int
als_save(const model *m, rf_buf *out, rf_error *err)
{
	const als_model *am = (const als_model *)m;
	uint32_t hdr[3] = { (uint32_t)am->nu, (uint32_t)am->ni,
	    (uint32_t)am->f };
	blob_writer w;

	blob_writer_init(&w, out);
	blob_put(&w, als_magic, sizeof als_magic);
	blob_put(&w, hdr, sizeof hdr);
	blob_put_rows(&w, am->X, (size_t)am->nu, (size_t)am->f,
	    (size_t)am->fs);
	blob_put_rows(&w, am->Y, (size_t)am->ni, (size_t)am->f,
	    (size_t)am->fs);
	return blob_writer_finish(&w, "als", err);
}

static model *
als_load(const dataset *ds, const interactions *train, const double *params,
    const void *data, size_t len, rf_error *err)
{
	uint32_t hdr[3];	/* n_users, n_items, factors */
	blob_reader r;
	als_model *am;

	if (model_check_saved_params(&model_als_ops, params, err) < 0)
		return NULL;
	if (blob_reader_init(&r, "als", data, len, als_magic,
	    sizeof als_magic, err) < 0 ||
	    blob_get(&r, hdr, sizeof hdr) < 0 ||
	    blob_match(&r, "users", hdr[0], train->n_users) < 0 ||
	    blob_match(&r, "items", hdr[1], train->n_items) < 0 ||
	    (params != NULL && blob_match(&r, "factors", hdr[2],
	    (int64_t)floor(params[P_FACTORS] + 0.5)) < 0))
		return NULL;
	if (hdr[2] < 1 || hdr[2] > 1024) {
		rf_fail(err, "als: saved model corrupt");
		return NULL;
	}
	if (blob_expect(&r, ((size_t)hdr[0] + hdr[1]) * hdr[2] *
	    sizeof(float)) < 0)
		return NULL;
	if ((am = als_alloc(ds, train, params, 0, err)) == NULL)
		return NULL;
	if (blob_get_rows(&r, am->X, (size_t)am->nu, (size_t)am->f,
	    (size_t)am->fs) < 0 ||
	    blob_get_rows(&r, am->Y, (size_t)am->ni, (size_t)am->f,
	    (size_t)am->fs) < 0 ||
	    model_check_finite(&model_als_ops, "user factors", am->X,
	    (size_t)am->nu * am->fs, err) < 0 ||
	    model_check_finite(&model_als_ops, "item factors", am->Y,
	    (size_t)am->ni * am->fs, err) < 0) {
		als_free(&am->base);
		return NULL;
	}
	return &am->base;
}

/* `train als --search`: the main parameters, one at a time. */
static const model_search als_search[] = {
	{ "reg", 5, { 1, 5, 20, 50, 200 }, 0 },
	{ "alpha", 5, { 0.5, 1, 2, 5, 15 }, 0 },
	{ "factors", 3, { 32, 64, 128 }, 0 },
	{ NULL, 0, { 0 }, 0 }
};

const model_ops model_als_ops = {
	.name = "als",
	.title = "ALS",
	.memory = "(users + items) x factors floats (64 factors, 1 M users, "
	    "4.3 M items: 1.36 GB); while it trains, the train part's "
	    "transpose (8 bytes a training pair and 8 an item) and each "
	    "thread's state for 64 rows at a time",
	.help = "implicit ALS with conjugate gradient (Hu, Koren, Volinsky "
	    "2008; Takacs et al. 2011)",
	.kinds = MODEL_TOPN,
	.params = als_params,
	.nparams = (int)(sizeof als_params / sizeof als_params[0]),
	.search = als_search,
	.default_epochs = 15,
	.create = als_create,
	.epoch = als_epoch,
	.settle = als_settle,
	.score_user = als_score_user,
	.score_users = als_score_users,
	.predict = NULL,
	.explain = als_explain,
	.report = als_report,
	.probe = als_probe,
	.save = als_save,
	.load = als_load,
	.free = als_free,
};
