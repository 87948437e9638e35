/* mem: can the process take N more bytes now?  Before a large allocation
 * (EASE's dense matrix, factor tables, evaluation buffers) the engine asks
 * here, so that a memory limit meets a message naming the need and a
 * smaller setting, not the OOM killer or a library spinning on a failed
 * allocation (OpenBLAS 0.3.21 retries one forever). */
#ifndef RF_MEM_H
#define RF_MEM_H

#include <stddef.h>
#include <stdint.h>

#include "engine/core/rf.h"

/* No bound known (no RLIMIT_AS, no /proc/meminfo). */
#define RF_MEM_UNBOUNDED UINT64_MAX

/* What the process may still take, in bytes. */
typedef struct rf_mem_room {
	uint64_t limit;		/* RLIMIT_AS (ulimit -v), or unbounded */
	uint64_t in_use;	/* address space mapped now (VmSize) */
	uint64_t address;	/* limit - in_use, or unbounded */
	uint64_t physical;	/* MemAvailable, or unbounded */
} rf_mem_room;

/* Read the limits and the process's use now. */
void rf_mem_room_now(rf_mem_room *room);

/* The most bytes an allocation that is touched in full may take now (it
 * needs address space and physical memory), a margin kept back for the
 * small allocations around it. */
uint64_t rf_mem_usable(const rf_mem_room *room);
/* The same for mappings that stay mostly untouched (a library's work
 * buffer): only the address space counts. */
uint64_t rf_mem_usable_address(const rf_mem_room *room);

/* 0 when bytes fit now (rf_mem_usable); else -1 with
 * "WHAT needs X, but only Y can be had now (WHY)HINT" in err, where WHY
 * names the bound that binds.  hint may be NULL ("; try max_items=900"). */
int rf_mem_check(uint64_t bytes, const char *what, const char *hint,
    rf_error *err);
/* The message of a failed check against room (bytes did not fit). */
int rf_mem_refuse(const rf_mem_room *room, uint64_t bytes, const char *what,
    const char *hint, rf_error *err);

/* "11.3 MB", "2.0 GB": buf of at least 16 bytes. */
const char *rf_mem_text(uint64_t bytes, char *buf, size_t n);

#endif
