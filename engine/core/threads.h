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

#define RF_MAX_WORKERS 16

/* Once, when the engine starts (workbench_open): BLAS single-threaded,
 * unless the user set OPENBLAS_NUM_THREADS (then that is the base). */
void rf_blas_init(void);

/* Hold BLAS at one thread (own workers about to run, a background job
 * started); holds nest and may come from any thread; the last release
 * restores the base. */
void rf_blas_hold_single(void);
void rf_blas_release_single(void);

/* Nothing else computes (a synchronous run the caller waits for). */
void rf_blas_set_exclusive(int on);
int rf_blas_exclusive(void);

/* Around one large dense BLAS/LAPACK step: every core when exclusive and
 * nothing holds BLAS single.  Returns a token for rf_blas_dense_end(). */
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
