/* threads: BLAS thread policy and the worker runner (see threads.h). */
#include "engine/core/threads.h"

#include <cblas.h>
#include <lapacke.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <unistd.h>

#include "engine/core/mem.h"

static pthread_mutex_t blas_lock = PTHREAD_MUTEX_INITIALIZER;
static int blas_base = 1;	/* threads when nothing holds */
static int blas_holds;
static int blas_exclusive;
static int blas_started = 1;	/* OpenBLAS threads that exist (they stay) */
static int blas_mapped;		/* the callers' first work buffer is mapped */
static uint64_t blas_buffer = RF_BLAS_BUFFER_BYTES;

/* A thread that allocates gets a malloc arena of its own (glibc maps a
 * 64 MB heap for it), besides its stack and its BLAS buffer. */
#define MALLOC_ARENA_BYTES (64ull << 20)

static uint64_t
thread_stack_bytes(void)
{
	pthread_attr_t attr;
	size_t size = 8u << 20;

	if (pthread_getattr_default_np(&attr) == 0) {
		if (pthread_attr_getstacksize(&attr, &size) != 0)
			size = 8u << 20;
		pthread_attr_destroy(&attr);
	}
	return size;
}

/* The address space one more thread may take (blas_lock held). */
static uint64_t
thread_bytes(void)
{
	return blas_buffer + thread_stack_bytes() + MALLOC_ARENA_BYTES;
}

/* How many of want threads fit (blas_lock held). */
static int
threads_room(int want)
{
	rf_mem_room room;
	uint64_t usable, each = thread_bytes();

	if (want <= 0)
		return 0;
	rf_mem_room_now(&room);
	usable = rf_mem_usable_address(&room);
	if (usable == RF_MEM_UNBOUNDED)
		return want;
	return usable / each < (uint64_t)want ? (int)(usable / each) : want;
}

/* Map the callers' first work buffer by a call that takes one (a 1 x 1
 * Cholesky), if there is room for it, and measure it: later checks use
 * the size this OpenBLAS really maps (blas_lock held). */
static int
blas_map_first_buffer(void)
{
	rf_mem_room before, after;
	float one = 1;

	if (blas_mapped)
		return 0;
	rf_mem_room_now(&before);
	if (rf_mem_usable_address(&before) < blas_buffer)
		return -1;
	if (LAPACKE_spotrf(LAPACK_COL_MAJOR, 'L', 1, &one, 1) != 0)
		return -1;
	rf_mem_room_now(&after);
	/* Less than a megabyte: the buffer was there before (an earlier
	 * caller in this process); keep the assumed size. */
	if (after.in_use > before.in_use + (1u << 20))
		blas_buffer = after.in_use - before.in_use;
	blas_mapped = 1;
	return 0;
}

int
rf_blas_restart_wanted(void)
{
	struct rlimit rl;

	return getenv("OPENBLAS_NUM_THREADS") == NULL &&
	    getenv(RF_BLAS_RESTARTED) == NULL &&
	    getrlimit(RLIMIT_AS, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
	    openblas_get_num_threads() > 1;
}

int
rf_blas_restart_env(void)
{
	if (setenv("OPENBLAS_NUM_THREADS", "1", 1) < 0 ||
	    setenv(RF_BLAS_RESTARTED, "1", 1) < 0)
		return -1;
	return 0;
}

void
rf_blas_init(void)
{
	const char *env = getenv("OPENBLAS_NUM_THREADS");

	/* Set by a restart (rf_blas_restart_env), not by the user: the
	 * base stays one thread, and children see the user's environment. */
	if (getenv(RF_BLAS_RESTARTED) != NULL) {
		env = NULL;
		unsetenv("OPENBLAS_NUM_THREADS");
		unsetenv(RF_BLAS_RESTARTED);
	}
	pthread_mutex_lock(&blas_lock);
	blas_base = env != NULL && atoi(env) > 0 ? openblas_get_num_threads()
	    : 1;
	if (openblas_get_num_threads() > blas_started)
		blas_started = openblas_get_num_threads();
	if (blas_holds == 0)
		openblas_set_num_threads(blas_base);
	blas_map_first_buffer();
	pthread_mutex_unlock(&blas_lock);
}

int
rf_blas_ready(rf_error *err)
{
	char need[32], left[32], limit[32], used[32];
	rf_mem_room room;
	uint64_t buffer;
	int rc;

	pthread_mutex_lock(&blas_lock);
	rc = blas_map_first_buffer();
	buffer = blas_buffer;
	pthread_mutex_unlock(&blas_lock);
	if (rc == 0)
		return 0;
	rf_mem_room_now(&room);
	return rf_fail(err, "the BLAS library needs %s of address space for "
	    "its work buffer, but only %s can be had now (address-space limit "
	    "%s, ulimit -v, with %s in use); raise the limit to at least "
	    "%llu kB", rf_mem_text(buffer, need, sizeof need),
	    rf_mem_text(rf_mem_usable_address(&room), left, sizeof left),
	    rf_mem_text(room.limit, limit, sizeof limit),
	    rf_mem_text(room.in_use, used, sizeof used),
	    (unsigned long long)((room.in_use + buffer + (64u << 20)) /
	    1024000 + 1) * 1000);
}

uint64_t
rf_blas_buffer_bytes(void)
{
	uint64_t b;

	pthread_mutex_lock(&blas_lock);
	b = blas_buffer;
	pthread_mutex_unlock(&blas_lock);
	return b;
}

int
rf_threads_room(int want)
{
	int n;

	pthread_mutex_lock(&blas_lock);
	n = threads_room(want);
	pthread_mutex_unlock(&blas_lock);
	return n;
}

int
rf_thread_check(const char *what, rf_error *err)
{
	rf_mem_room room;
	uint64_t each;
	int n;

	pthread_mutex_lock(&blas_lock);
	n = threads_room(1);
	each = thread_bytes();
	pthread_mutex_unlock(&blas_lock);
	if (n == 1)
		return 0;
	rf_mem_room_now(&room);
	return rf_mem_refuse(&room, each, what, NULL, err);
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
		/* Each thread OpenBLAS starts maps a work buffer at once. */
		int want = openblas_get_num_procs(), n = want;

		if (want > blas_started)
			n = blas_started + threads_room(want - blas_started);
		if (n > 1) {
			openblas_set_num_threads(n);
			if (n > blas_started)
				blas_started = n;
			widened = 1;
		}
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
	int started[RF_MAX_WORKERS] = { 0 }, room;

	if (n <= 1) {
		if (n == 1)
			fn(args);
		return;
	}
	/* A share may call BLAS, which maps a buffer per calling thread:
	 * only as many threads as have room for one. */
	room = rf_threads_room((n < RF_MAX_WORKERS ? n : RF_MAX_WORKERS) - 1);
	rf_blas_hold_single();
	for (int k = 1; k < n && k < RF_MAX_WORKERS; k++) {
		sh[k].fn = fn;
		sh[k].arg = (char *)args + (size_t)k * stride;
		started[k] = k <= room && pthread_create(&sh[k].tid, NULL,
		    share_main, &sh[k]) == 0;
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
