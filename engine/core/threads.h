/* threads: the one threads policy of the engine.  One level of threads:
 * the engine's own workers (ALS, the evaluator, fusion pools; at most
 * RF_MAX_WORKERS) run over single-threaded OpenBLAS, and a background
 * training job keeps BLAS single-threaded while it runs.  Only one large
 * dense step (EASE's factorisation) may widen BLAS to every core, and only
 * when the caller declared that nothing else computes (synchronous
 * training in batch mode).  openblas_set_num_threads() is process-wide,
 * so every change of it goes through here. */
#ifndef RF_THREADS_H
#define RF_THREADS_H

#include <stddef.h>
#include <stdint.h>

#include "engine/core/rf.h"

#define RF_MAX_WORKERS 16

/* Once, when the engine starts (workbench_open): BLAS single-threaded,
 * unless the user set OPENBLAS_NUM_THREADS (then that is the base); and
 * the calling thread's BLAS work buffer mapped while there is room (see
 * rf_blas_ready). */
void rf_blas_init(void);

/*
 * OpenBLAS starts threads of its own from its library constructor, before
 * main(): one per core unless OPENBLAS_NUM_THREADS is set.  Each maps its
 * work buffer at once, and 0.3.21 retries a failed map forever (exit()
 * then waits on that thread), so under an address-space limit any command
 * may hang before the engine can say a word.  Only a fresh start with the
 * variable set avoids it: rf_blas_restart_wanted() is non-zero when the
 * program should set the environment (rf_blas_restart_env(), which marks
 * the restart so that rf_blas_init() takes one thread as the base and
 * clears both variables) and execute itself again.
 */
#define RF_BLAS_RESTARTED "RECFUSE_BLAS_RESTARTED"
int rf_blas_restart_wanted(void);
int rf_blas_restart_env(void);

/*
 * OpenBLAS maps a work buffer (128 MB of address space in 0.3.21, little
 * of it touched) for each of its own threads and for each thread that
 * calls it at once, and 0.3.21 retries a failed map forever.  So the map
 * must never fail: the first buffer is mapped, and measured, while there
 * is room (rf_blas_init); every further thread is started only when its
 * buffer and stack fit (rf_parallel, rf_blas_dense_begin,
 * rf_threads_room).  RF_BLAS_BUFFER_BYTES is the size assumed before the
 * first one is measured.
 */
#define RF_BLAS_BUFFER_BYTES ((128ull << 20) + (4ull << 10))

/* 0 when BLAS may be called: the work buffer is mapped (now, if it was
 * not and there is room); else -1 with the room it needs and how to give
 * it.  Every model that calls BLAS asks before its first call. */
int rf_blas_ready(rf_error *err);
/* The size of one work buffer: measured when the first was mapped. */
uint64_t rf_blas_buffer_bytes(void);
/* How many of want more threads, each with its stack and possibly a BLAS
 * work buffer, fit in the address space now. */
int rf_threads_room(int want);
/* 0 when one more such thread fits now; else -1 with "WHAT needs N ...". */
int rf_thread_check(const char *what, rf_error *err);

/* Hold BLAS at one thread (own workers about to run, a background job
 * started); holds nest and may come from any thread; the last release
 * restores the base. */
void rf_blas_hold_single(void);
void rf_blas_release_single(void);

/* Nothing else computes (a synchronous run the caller waits for). */
void rf_blas_set_exclusive(int on);
int rf_blas_exclusive(void);

/* Around one large dense BLAS/LAPACK step: every core when exclusive and
 * nothing holds BLAS single (as many as the address space has room for).  Returns a token for rf_blas_dense_end(). */
int rf_blas_dense_begin(void);
void rf_blas_dense_end(int token);

/* The linked OpenBLAS's build ("OpenBLAS 0.3.21 DYNAMIC_ARCH ..."), for
 * `recfuse --version`. */
const char *rf_blas_config(void);

/* Online processors (>= 1). */
int rf_cpu_count(void);

/*
 * Run fn(arg_k) for k = 0..n-1 (arg_k = (char *)args + k * stride), k > 0
 * on threads of their own and k = 0 on the caller's, with BLAS held
 * single-threaded meanwhile; a thread that cannot start has its share run
 * on the caller's thread.  Returns when every share is done.  Each share
 * must depend on k only, so results do not depend on how many threads
 * really started.
 */
void rf_parallel(int n, void (*fn)(void *arg), void *args, size_t stride);

#endif
