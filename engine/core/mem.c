/* mem: the room left for large allocations (see mem.h). */
#include "engine/core/mem.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

/* Kept back from every answer: the small allocations around a large one
 * (thread stacks growing, SQLite's cache, stdio) must still succeed. */
#define MEM_MARGIN (32ull << 20)

/* Address space mapped now: the first field of /proc/self/statm (pages),
 * which is what RLIMIT_AS is checked against. */
static uint64_t
mem_in_use(void)
{
	FILE *f = fopen("/proc/self/statm", "r");
	unsigned long long pages = 0;
	long page = sysconf(_SC_PAGESIZE);

	if (f == NULL)
		return 0;
	if (fscanf(f, "%llu", &pages) != 1)
		pages = 0;
	fclose(f);
	return (uint64_t)pages * (uint64_t)(page > 0 ? page : 4096);
}

/* MemAvailable of /proc/meminfo (the kernel's estimate of what can be
 * had without swapping), or unbounded when it cannot be read. */
static uint64_t
mem_available(void)
{
	FILE *f = fopen("/proc/meminfo", "r");
	char line[256];
	unsigned long long kb;
	uint64_t avail = RF_MEM_UNBOUNDED;

	if (f == NULL)
		return avail;
	while (fgets(line, sizeof line, f) != NULL)
		if (sscanf(line, "MemAvailable: %llu kB", &kb) == 1) {
			avail = (uint64_t)kb * 1024;
			break;
		}
	fclose(f);
	return avail;
}

void
rf_mem_room_now(rf_mem_room *room)
{
	struct rlimit rl;

	room->limit = RF_MEM_UNBOUNDED;
	room->in_use = mem_in_use();
	room->address = RF_MEM_UNBOUNDED;
	if (getrlimit(RLIMIT_AS, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY) {
		room->limit = (uint64_t)rl.rlim_cur;
		room->address = room->limit > room->in_use ?
		    room->limit - room->in_use : 0;
	}
	room->physical = mem_available();
}

static uint64_t
less_margin(uint64_t room)
{
	if (room == RF_MEM_UNBOUNDED)
		return room;
	return room > MEM_MARGIN ? room - MEM_MARGIN : 0;
}

uint64_t
rf_mem_usable_address(const rf_mem_room *room)
{
	return less_margin(room->address);
}

uint64_t
rf_mem_usable(const rf_mem_room *room)
{
	uint64_t a = less_margin(room->address), p = less_margin(room->physical);

	return a < p ? a : p;
}

const char *
rf_mem_text(uint64_t bytes, char *buf, size_t n)
{
	double v = (double)bytes;

	if (bytes >= (1ull << 30))
		snprintf(buf, n, "%.1f GB", v / (1ull << 30));
	else if (bytes >= (1ull << 20))
		snprintf(buf, n, "%.1f MB", v / (1ull << 20));
	else
		snprintf(buf, n, "%.1f kB", v / 1024);
	return buf;
}

int
rf_mem_refuse(const rf_mem_room *room, uint64_t bytes, const char *what,
    const char *hint, rf_error *err)
{
	char need[32], can[32], limit[32], used[32], avail[32];
	uint64_t a = less_margin(room->address), p = less_margin(room->physical);

	rf_mem_text(bytes, need, sizeof need);
	rf_mem_text(a < p ? a : p, can, sizeof can);
	if (a <= p)
		return rf_fail(err, "%s needs %s, but only %s can be had now "
		    "(address-space limit %s, ulimit -v, with %s in use)%s",
		    what, need, can, rf_mem_text(room->limit, limit,
		    sizeof limit), rf_mem_text(room->in_use, used, sizeof used),
		    hint ? hint : "");
	return rf_fail(err, "%s needs %s, but only %s can be had now (%s of "
	    "memory available)%s", what, need, can,
	    rf_mem_text(room->physical, avail, sizeof avail), hint ? hint : "");
}

int
rf_mem_check(uint64_t bytes, const char *what, const char *hint,
    rf_error *err)
{
	rf_mem_room room;

	rf_mem_room_now(&room);
	if (bytes <= rf_mem_usable(&room))
		return 0;
	return rf_mem_refuse(&room, bytes, what, hint, err);
}
