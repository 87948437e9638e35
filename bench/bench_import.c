/* bench_import: the whole import of a generated Taobao-format log (parse,
 * clean, insert; events have no index, see store.h) against a raw SQLite
 * insert loop with one prepared statement into the same events table,
 * measured in the same run (wall and CPU time); and the import's peak
 * memory as the file grows (it must not grow with the number of rows).
 *
 *   bench_import LOG_SMALL LOG_BIG [RUNS]
 *
 * LOG_BIG is the file timed (10 M rows in `make bench`); LOG_SMALL (a tenth
 * of it) serves the memory comparison, with a third file made here: every
 * user block of LOG_SMALL written ten times, a day-shifted copy each time,
 * so ten times the rows with the same users and items, still grouped.
 * (LOG_BIG also has ten times the users and items, and the import keeps one
 * dictionary entry per distinct id.) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine/ingest/ingest.h"
#include "engine/core/rf.h"
#include "engine/store/store.h"
#include "engine/store/yardstick.h"
#include "engine/core/rng.h"

static char tmpdir[] = "/tmp/recfuse-bench.XXXXXX";

/* CPU seconds (user + system) of this process so far. */
static double
cpu_seconds(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	    (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

static store *
fresh_store(const char *name, rf_error *err)
{
	char path[512];

	snprintf(path, sizeof path, "%s/%s", tmpdir, name);
	unlink(path);
	return store_open(path, STORE_CREATE, err);
}

/* The baseline's rows, as the generator makes them: grouped by user,
 * about 100 a user. */
static void
raw_row(void *ud, int64_t r, store_event *ev)
{
	rf_rng *rng = ud;

	ev->behavior = 1 + (int)rf_rng_below(rng, 4);
	ev->user_id = 1 + r / 100;
	ev->item_id = 1 + (int64_t)rf_rng_below(rng, 1000000);
	ev->value = ev->behavior;
	ev->ts = 1511539200 + (int64_t)rf_rng_below(rng, 777600);
}

/* The baseline: those rows bound as integers and inserted with one
 * prepared statement in one transaction (the store's yardstick): what any
 * importer must at least pay. */
static double
raw_insert_rate(int64_t rows, double *cpu_rate)
{
	rf_error err = { { 0 } };
	store *st = fresh_store("raw.db", &err);
	rf_rng rng;
	double t0, dt, c0;

	if (st == NULL) {
		fprintf(stderr, "bench_import: %s\n", err.msg);
		exit(1);
	}
	rf_rng_seed(&rng, 1);
	t0 = rf_monotonic();
	c0 = cpu_seconds();
	if (store_raw_insert_events(st, rows, raw_row, &rng, &err) < 0) {
		fprintf(stderr, "bench_import: %s\n", err.msg);
		exit(1);
	}
	dt = rf_monotonic() - t0;
	*cpu_rate = (double)rows / (cpu_seconds() - c0);
	store_close(st);
	return (double)rows / dt;
}

static double
import_rate(const char *log, ingest_result *res, double *cpu_rate)
{
	rf_error err = { { 0 } };
	store *st = fresh_store("import.db", &err);
	ingest_opts o;
	ingest_result r;
	double t0, dt, c0;

	if (st == NULL) {
		fprintf(stderr, "bench_import: %s\n", err.msg);
		exit(1);
	}
	ingest_opts_default(&o);
	o.format = FMT_TAOBAO;
	t0 = rf_monotonic();
	c0 = cpu_seconds();
	if (ingest_events(st, log, &o, &r, &err) < 0) {
		fprintf(stderr, "bench_import: %s\n", err.msg);
		exit(1);
	}
	dt = rf_monotonic() - t0;
	*cpu_rate = (double)r.accepted / (cpu_seconds() - c0);
	store_close(st);
	*res = r;
	return (double)r.accepted / dt;
}

/* Write each user block of src `times` times, shifting the timestamps by
 * ten days a copy (the generator's logs span nine): the same users and
 * items, `times` as many rows, still grouped by user, no duplicates. */
static void
repeat_blocks(const char *src, const char *dst, int times)
{
	FILE *in = fopen(src, "r"), *out = fopen(dst, "w");
	char line[512], user[64] = "";
	char *block = NULL;
	size_t len = 0, cap = 0;

	if (in == NULL || out == NULL) {
		perror("bench_import: repeat_blocks");
		exit(1);
	}
	for (;;) {
		char *got = fgets(line, sizeof line, in);
		size_t ul = got ? strcspn(line, ",") : 0;

		if (got == NULL || ul >= sizeof user ||
		    strncmp(line, user, ul) != 0 || user[ul] != '\0') {
			for (int k = 0; k < times; k++) {
				char *p = block, *end = block + len;

				while (p < end) {
					char *nl = memchr(p, '\n', (size_t)(end - p));
					char *comma = nl;

					while (comma > p && comma[-1] != ',')
						comma--;
					fprintf(out, "%.*s%lld\n", (int)(comma - p), p,
					    atoll(comma) + k * 864000LL);
					p = nl + 1;
				}
			}
			len = 0;
			if (got == NULL)
				break;
			snprintf(user, sizeof user, "%.*s", (int)ul, line);
		}
		if (len + strlen(line) + 1 > cap) {
			cap = (cap + strlen(line) + 1) * 2;
			if ((block = realloc(block, cap)) == NULL)
				exit(1);
		}
		memcpy(block + len, line, strlen(line));
		len += strlen(line);
		if (len > 0 && block[len - 1] != '\n')
			block[len++] = '\n';
	}
	free(block);
	fclose(in);
	if (fclose(out) != 0) {
		perror("bench_import: repeat_blocks");
		exit(1);
	}
}

struct peak {
	long kib;
	ingest_result r;
};

/* Peak resident memory (KiB) of a child that imports log into a new store,
 * and the child's import result (through a pipe). */
static struct peak
import_peak(const char *log)
{
	struct peak p = { 0 };
	int fds[2], status;
	struct rusage ru;
	pid_t pid;

	if (pipe(fds) < 0 || (pid = fork()) < 0) {
		perror("bench_import");
		exit(1);
	}
	if (pid == 0) {
		ingest_result r;
		double cpu;

		close(fds[0]);
		import_rate(log, &r, &cpu);
		_exit(write(fds[1], &r, sizeof r) == (ssize_t)sizeof r ? 0 : 1);
	}
	close(fds[1]);
	if (read(fds[0], &p.r, sizeof p.r) != (ssize_t)sizeof p.r ||
	    wait4(pid, &status, 0, &ru) < 0 || status != 0) {
		fprintf(stderr, "bench_import: child import failed\n");
		exit(1);
	}
	close(fds[0]);
	p.kib = ru.ru_maxrss;
	return p;
}

static void
print_peak(const char *what, const struct peak *p, const struct peak *base)
{
	printf("    %-28s %7.1f MiB  %9lld rows %7lld users %8lld items"
	    "  x%.2f\n", what, p->kib / 1024.0, (long long)p->r.accepted,
	    (long long)p->r.new_users, (long long)p->r.new_items,
	    (double)p->kib / (double)base->kib);
}

int
main(int argc, char **argv)
{
	int runs = argc > 3 ? atoi(argv[3]) : 3;
	double best_raw = 0, best_imp = 0, best_raw_cpu = 0, best_imp_cpu = 0;
	int64_t rows = 0;
	struct peak small, small10, big;
	ingest_result r;
	char cmd[600], rep[560];

	if (argc < 3) {
		fprintf(stderr, "usage: bench_import LOG_SMALL LOG_BIG [RUNS]\n");
		return 2;
	}
	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	for (int i = 0; i < runs; i++) {
		double imp_cpu, raw_cpu;
		double imp = import_rate(argv[2], &r, &imp_cpu);
		double raw = raw_insert_rate(rows = r.accepted, &raw_cpu);

		if (imp > best_imp)
			best_imp = imp;
		if (raw > best_raw)
			best_raw = raw;
		if (imp_cpu > best_imp_cpu)
			best_imp_cpu = imp_cpu;
		if (raw_cpu > best_raw_cpu)
			best_raw_cpu = raw_cpu;
		printf("run %d: import %.2f M rows/s (CPU %.2f), raw insert "
		    "%.2f M rows/s (CPU %.2f)\n", i + 1, imp / 1e6,
		    imp_cpu / 1e6, raw / 1e6, raw_cpu / 1e6);
		fflush(stdout);
	}
	snprintf(rep, sizeof rep, "%s/small-x10.csv", tmpdir);
	repeat_blocks(argv[1], rep, 10);
	small = import_peak(argv[1]);
	small10 = import_peak(rep);
	unlink(rep);
	big = import_peak(argv[2]);
	printf("import of %lld rows, best of %d\n", (long long)rows, runs);
	printf("  whole import (parse, clean, insert): %.2f M rows/s"
	    " (per CPU second %.2f M)\n", best_imp / 1e6, best_imp_cpu / 1e6);
	printf("  raw insert baseline, same run:       %.2f M rows/s"
	    " (per CPU second %.2f M)\n", best_raw / 1e6, best_raw_cpu / 1e6);
	printf("  ratio import/raw: %.2f wall, %.2f CPU (target >= 0.80, i.e."
	    " 1.8 of 2.25)\n", best_imp / best_raw, best_imp_cpu / best_raw_cpu);
	printf("  peak memory (target: does not grow with the rows):\n");
	print_peak("small file", &small, &small);
	print_peak("small, each user x10", &small10, &small);
	print_peak("big file (10x rows, more ids)", &big, &small);
	snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
	if (system(cmd) != 0)
		return 1;
	return 0;
}
