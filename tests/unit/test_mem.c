/* test_mem: the room left for large allocations (engine/core/mem.h) and the
 * BLAS work buffer and thread room (engine/core/threads.h), against what
 * the system really does: /proc/self/status, the address space a first
 * LAPACK call maps, and malloc and the workers under a lowered RLIMIT_AS. */
#include <inttypes.h>
#include <lapacke.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "engine/core/mem.h"
#include "engine/core/threads.h"
#include "tests/lib/check.h"

#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif
#ifndef UNDER_ASAN
#define UNDER_ASAN 0
#endif

#define MB (1ull << 20)

/* VmSize of /proc/self/status in bytes: a second reading of what
 * rf_mem_room_now takes from /proc/self/statm. */
static uint64_t
status_vmsize(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	unsigned long long kb = 0;

	if (f == NULL)
		return 0;
	while (fgets(line, sizeof line, f) != NULL)
		if (sscanf(line, "VmSize: %llu kB", &kb) == 1)
			break;
	fclose(f);
	return (uint64_t)kb * 1024;
}

static void
test_room_readings(void)
{
	rf_mem_room room;
	uint64_t status;
	char buf[32];

	rf_mem_room_now(&room);
	status = status_vmsize();
	CHECK(room.in_use > 0);
	CHECK_MSG(room.in_use + MB >= status && status + MB >= room.in_use,
	    "statm %" PRIu64 " vs status %" PRIu64, room.in_use, status);
	CHECK(room.physical > 0);
	CHECK_STR(rf_mem_text(11 * MB + MB / 3, buf, sizeof buf), "11.3 MB");
	CHECK_STR(rf_mem_text(3ull << 30, buf, sizeof buf), "3.0 GB");
	CHECK_STR(rf_mem_text(2048, buf, sizeof buf), "2.0 kB");
}

/* The first BLAS call maps one work buffer, no larger than the size the
 * checks assume before measuring; a second call maps nothing more. */
static void
test_blas_buffer(void)
{
	rf_mem_room before, after;
	rf_error err = { { 0 } };
	int n = 300;
	float *a = calloc((size_t)n * n, sizeof *a);
	uint64_t mapped;

	CHECK(a != NULL);
	if (a == NULL)
		return;
	for (int i = 0; i < n; i++)
		a[(size_t)i * n + i] = 2;
	rf_mem_room_now(&before);
	rf_blas_init();
	rf_mem_room_now(&after);
	mapped = after.in_use - before.in_use;
	CHECK_MSG(mapped > MB && mapped <= RF_BLAS_BUFFER_BYTES + 4 * MB,
	    "the first BLAS call mapped %" PRIu64 " bytes (assumed %llu)",
	    mapped, (unsigned long long)RF_BLAS_BUFFER_BYTES);
	CHECK_EQ(rf_blas_buffer_bytes(), mapped);
	CHECK_EQ(rf_blas_ready(&err), 0);
	rf_mem_room_now(&before);
	CHECK_EQ(LAPACKE_spotrf(LAPACK_COL_MAJOR, 'L', n, a, n), 0);
	rf_mem_room_now(&after);
	CHECK_MSG(after.in_use < before.in_use + MB,
	    "a second call mapped %" PRIu64 " bytes more",
	    after.in_use - before.in_use);
	free(a);
}

static void
share_square(void *arg)
{
	int *k = arg;

	*k = *k * *k;
}

/* Under RLIMIT_AS = what is in use + 256 MB: the checks agree with
 * malloc, the workers run every share, and a refusal names the limit. */
static void
test_under_limit(void)
{
	struct rlimit old, rl;
	rf_mem_room room;
	rf_error err = { { 0 } };
	int shares[RF_MAX_WORKERS];
	void *p;

	if (UNDER_ASAN) {
		printf("# the RLIMIT_AS checks skipped under AddressSanitizer "
		    "(its shadow memory needs terabytes of address space)\n");
		return;
	}
	CHECK_EQ(getrlimit(RLIMIT_AS, &old), 0);
	rf_mem_room_now(&room);
	rl = old;
	rl.rlim_cur = (rlim_t)(room.in_use + 256 * MB);
	if (old.rlim_cur != RLIM_INFINITY && old.rlim_cur < rl.rlim_cur) {
		printf("# the RLIMIT_AS checks skipped: a lower limit is set\n");
		return;
	}
	CHECK_EQ(setrlimit(RLIMIT_AS, &rl), 0);
	rf_mem_room_now(&room);
	CHECK_EQ(room.limit, (uint64_t)rl.rlim_cur);
	CHECK(room.address <= 256 * MB && room.address > 250 * MB);

	CHECK_EQ(rf_mem_check(64 * MB, "test: 64 MB", NULL, &err), 0);
	p = malloc(64 * MB);
	CHECK_MSG(p != NULL, "malloc(64 MB) failed where the check said yes");
	free(p);
	CHECK_EQ(rf_mem_check(400 * MB, "test: 400 MB", "; try less", &err),
	    -1);
	CHECK_CONTAINS(err.msg, "test: 400 MB needs 400.0 MB, but only");
	CHECK_CONTAINS(err.msg, "ulimit -v");
	CHECK_CONTAINS(err.msg, "; try less");
	p = malloc(400 * MB);
	CHECK_MSG(p == NULL, "malloc(400 MB) succeeded where the check said "
	    "no");
	free(p);

	/* A worker thread takes its stack, a malloc arena and a BLAS
	 * buffer: at most one fits in 256 MB, and the shares that get no
	 * thread run on the caller's. */
	CHECK(rf_threads_room(4) <= 1);
	for (int k = 0; k < RF_MAX_WORKERS; k++)
		shares[k] = k;
	rf_parallel(RF_MAX_WORKERS, share_square, shares, sizeof shares[0]);
	for (int k = 0; k < RF_MAX_WORKERS; k++)
		CHECK_EQ(shares[k], k * k);
	rl.rlim_cur = (rlim_t)(room.in_use + 64 * MB);
	CHECK_EQ(setrlimit(RLIMIT_AS, &rl), 0);
	CHECK_EQ(rf_threads_room(1), 0);
	CHECK_EQ(rf_thread_check("test: a thread", &err), -1);
	CHECK_CONTAINS(err.msg, "test: a thread needs");
	CHECK_EQ(setrlimit(RLIMIT_AS, &old), 0);
}

int
main(void)
{
	test_room_readings();
	test_blas_buffer();
	test_under_limit();
	return check_done();
}
