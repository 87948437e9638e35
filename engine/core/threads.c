/* threads: BLAS thread policy and the worker runner (see threads.h). */
#include "engine/core/threads.h"

#include <cblas.h>
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

static pthread_mutex_t blas_lock = PTHREAD_MUTEX_INITIALIZER;
static int blas_base = 1;	/* threads when nothing holds */
static int blas_holds;
static int blas_exclusive;

void
rf_blas_init(void)
{
	const char *env = getenv("OPENBLAS_NUM_THREADS");

	pthread_mutex_lock(&blas_lock);
	blas_base = env != NULL && atoi(env) > 0 ? openblas_get_num_threads()
	    : 1;
	if (blas_holds == 0)
		openblas_set_num_threads(blas_base);
	pthread_mutex_unlock(&blas_lock);
}

void
rf_blas_hold_single(void)
{
	pthread_mutex_lock(&blas_lock);
	if (blas_holds++ == 0 && blas_base != 1)
		openblas_set_num_threads(1);
	pthread_mutex_unlock(&blas_lock);
}

void
rf_blas_release_single(void)
{
	pthread_mutex_lock(&blas_lock);
	if (blas_holds > 0 && --blas_holds == 0 && blas_base != 1)
		openblas_set_num_threads(blas_base);
	pthread_mutex_unlock(&blas_lock);
}

void
rf_blas_set_exclusive(int on)
{
	pthread_mutex_lock(&blas_lock);
	blas_exclusive = on;
	pthread_mutex_unlock(&blas_lock);
}

int
rf_blas_exclusive(void)
{
	int on;

	pthread_mutex_lock(&blas_lock);
	on = blas_exclusive;
	pthread_mutex_unlock(&blas_lock);
	return on;
}

int
rf_blas_dense_begin(void)
{
	int widened = 0;

	pthread_mutex_lock(&blas_lock);
	if (blas_exclusive && blas_holds == 0) {
		openblas_set_num_threads(openblas_get_num_procs());
		widened = 1;
	}
	pthread_mutex_unlock(&blas_lock);
	return widened;
}

void
rf_blas_dense_end(int token)
{
	if (!token)
		return;
	pthread_mutex_lock(&blas_lock);
	openblas_set_num_threads(blas_holds ? 1 : blas_base);
	pthread_mutex_unlock(&blas_lock);
}

const char *
rf_blas_config(void)
{
	return openblas_get_config();
}

int
rf_cpu_count(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n > 0 ? (int)n : 1;
}

struct share {
	void (*fn)(void *);
	void *arg;
	pthread_t tid;
};

static void *
share_main(void *p)
{
	struct share *s = p;

	s->fn(s->arg);
	return NULL;
}

void
rf_parallel(int n, void (*fn)(void *arg), void *args, size_t stride)
{
	struct share sh[RF_MAX_WORKERS];
	int started[RF_MAX_WORKERS] = { 0 };

	if (n <= 1) {
		if (n == 1)
			fn(args);
		return;
	}
	rf_blas_hold_single();
	for (int k = 1; k < n && k < RF_MAX_WORKERS; k++) {
		sh[k].fn = fn;
		sh[k].arg = (char *)args + (size_t)k * stride;
		started[k] = pthread_create(&sh[k].tid, NULL, share_main,
		    &sh[k]) == 0;
	}
	fn(args);
	for (int k = RF_MAX_WORKERS; k < n; k++)
		fn((char *)args + (size_t)k * stride);
	for (int k = 1; k < n && k < RF_MAX_WORKERS; k++)
		if (!started[k])
			fn(sh[k].arg);
	for (int k = 1; k < n && k < RF_MAX_WORKERS; k++)
		if (started[k])
			pthread_join(sh[k].tid, NULL);
	rf_blas_release_single();
}
