/* bench_import: the whole import of a Taobao-format log (parse, clean,
 * drop duplicates, insert; events have no index, see store.h) against a
 * raw SQLite insert of the very rows that import wrote (its users, items
 * and events, read back from its store beforehand; one prepared statement
 * per table, one transaction: engine/store/yardstick.h), measured in the
 * same run (wall and CPU time); and the import's peak memory as the file
 * grows (it must not grow with the number of rows).
 *
 *   bench_import LOG_SMALL LOG_BIG [RUNS]
 *   bench_import --rate LOG [RUNS]
 *
 * --rate times LOG alone (any row order: grouped by user, by time,
 * shuffled) against its yardstick and prints one line, for
 * `make bench-scale`.
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

/* The rows an import wrote, read back from its store, compactly: the
 * yardstick inserts exactly these. */
struct raw_event {
	int32_t user, item;
	int64_t ts;
	float value;
	int8_t behavior;
};

struct raw_entity {
	int64_t id;
	char *ext_id, *category;
};

struct rows {
	int64_t n_users, n_items, n_events;
	struct raw_entity *users, *items;
	struct raw_event *events;
};

static void
die(const char *what, const rf_error *err)
{
	fprintf(stderr, "bench_import: %s%s%s\n", what, err ? ": " : "",
	    err ? err->msg : "");
	exit(1);
}

static char *
dup_or_null(const char *s)
{
	char *d;

	if (s == NULL)
		return NULL;
	if ((d = strdup(s)) == NULL)
		die("out of memory", NULL);
	return d;
}

static struct raw_entity *
read_entities(store *st, int items, int64_t *n)
{
	rf_error err = { { 0 } };
	store_scan *sc = items ? store_scan_items(st, &err) :
	    store_scan_users(st, &err);
	struct raw_entity *a = NULL;
	size_t cap = 0;
	store_entity e;
	int rc;

	if (sc == NULL)
		die("reading the import back", &err);
	*n = 0;
	while ((rc = store_scan_next_entity(sc, &e, &err)) > 0) {
		if ((size_t)*n == cap) {
			cap = cap ? cap * 2 : 1024;
			if ((a = realloc(a, cap * sizeof *a)) == NULL)
				die("out of memory", NULL);
		}
		a[*n].id = e.id;
		a[*n].ext_id = dup_or_null(e.ext_id);
		a[*n].category = dup_or_null(e.category);
		(*n)++;
	}
	if (rc < 0)
		die("reading the import back", &err);
	store_scan_close(sc);
	return a;
}

static void
read_rows(const char *name, struct rows *rw)
{
	rf_error err = { { 0 } };
	char path[512];
	store *st;
	store_scan *sc;
	store_event ev;
	size_t cap = 0;
	int rc;

	snprintf(path, sizeof path, "%s/%s", tmpdir, name);
	if ((st = store_open(path, 0, &err)) == NULL)
		die("reading the import back", &err);
	memset(rw, 0, sizeof *rw);
	rw->users = read_entities(st, 0, &rw->n_users);
	rw->items = read_entities(st, 1, &rw->n_items);
	if ((sc = store_scan_events(st, &err)) == NULL)
		die("reading the import back", &err);
	while ((rc = store_scan_next_event(sc, &ev, &err)) > 0) {
		struct raw_event *e;

		if ((size_t)rw->n_events == cap) {
			cap = cap ? cap * 2 : 1 << 16;
			if ((rw->events = realloc(rw->events, cap *
			    sizeof *rw->events)) == NULL)
				die("out of memory", NULL);
		}
		e = &rw->events[rw->n_events++];
		e->user = (int32_t)ev.user_id;
		e->item = (int32_t)ev.item_id;
		e->ts = ev.ts;
		e->value = (float)ev.value;
		e->behavior = (int8_t)ev.behavior;
	}
	if (rc < 0)
		die("reading the import back", &err);
	store_scan_close(sc);
	store_close(st);
}

static void
free_rows(struct rows *rw)
{
	for (int64_t k = 0; k < rw->n_users; k++)
		free(rw->users[k].ext_id);
	for (int64_t k = 0; k < rw->n_items; k++) {
		free(rw->items[k].ext_id);
		free(rw->items[k].category);
	}
	free(rw->users);
	free(rw->items);
	free(rw->events);
}

static void
raw_user(void *ud, int64_t r, store_entity *e)
{
	const struct rows *rw = ud;

	e->id = rw->users[r].id;
	e->ext_id = rw->users[r].ext_id;
	e->title = e->category = NULL;
}

static void
raw_item(void *ud, int64_t r, store_entity *e)
{
	const struct rows *rw = ud;

	e->id = rw->items[r].id;
	e->ext_id = rw->items[r].ext_id;
	e->title = NULL;
	e->category = rw->items[r].category;
}

static void
raw_event(void *ud, int64_t r, store_event *ev)
{
	const struct rows *rw = ud;
	const struct raw_event *e = &rw->events[r];

	ev->user_id = e->user;
	ev->item_id = e->item;
	ev->behavior = e->behavior;
	ev->value = e->value;
	ev->ts = e->ts;
}

/* The yardstick: the import's own rows bound and inserted with one
 * prepared statement per table in one transaction: what any importer of
 * this log must at least pay.  Rate in events per second, like the
 * import's. */
static double
raw_insert_rate(const struct rows *rw, double *cpu_rate)
{
	rf_error err = { { 0 } };
	store *st = fresh_store("raw.db", &err);
	store_raw_rows r;
	double t0, dt, c0;

	if (st == NULL)
		die("raw insert", &err);
	r.n_users = rw->n_users;
	r.n_items = rw->n_items;
	r.n_events = rw->n_events;
	r.user = raw_user;
	r.item = raw_item;
	r.event = raw_event;
	r.ud = (void *)rw;
	t0 = rf_monotonic();
	c0 = cpu_seconds();
	if (store_raw_insert_rows(st, &r, &err) < 0)
		die("raw insert", &err);
	dt = rf_monotonic() - t0;
	*cpu_rate = (double)rw->n_events / (cpu_seconds() - c0);
	store_close(st);
	return (double)rw->n_events / dt;
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

/* Best of runs: the import of log and the raw insert of its rows, each
 * run one after the other. */
struct rates {
	double imp, raw, imp_cpu, raw_cpu;
	int64_t rows;
	ingest_result r;
};

static void
compare(const char *log, int runs, int verbose, struct rates *best)
{
	struct rows rw;
	int have_rows = 0;

	memset(best, 0, sizeof *best);
	for (int i = 0; i < runs; i++) {
		double imp_cpu, raw_cpu, imp, raw;

		imp = import_rate(log, &best->r, &imp_cpu);
		if (!have_rows) {
			read_rows("import.db", &rw);
			have_rows = 1;
		}
		raw = raw_insert_rate(&rw, &raw_cpu);
		best->rows = best->r.accepted;
		if (imp > best->imp)
			best->imp = imp;
		if (raw > best->raw)
			best->raw = raw;
		if (imp_cpu > best->imp_cpu)
			best->imp_cpu = imp_cpu;
		if (raw_cpu > best->raw_cpu)
			best->raw_cpu = raw_cpu;
		if (verbose) {
			printf("run %d: import %.2f M rows/s (CPU %.2f), raw "
			    "insert %.2f M rows/s (CPU %.2f)\n", i + 1,
			    imp / 1e6, imp_cpu / 1e6, raw / 1e6, raw_cpu / 1e6);
			fflush(stdout);
		}
	}
	if (have_rows)
		free_rows(&rw);
}

static int
cleanup(void)
{
	char cmd[600];

	snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
	return system(cmd) != 0 ? 1 : 0;
}

int
main(int argc, char **argv)
{
	int rate_only = argc > 1 && strcmp(argv[1], "--rate") == 0;
	int runs = argc > 3 ? atoi(argv[3]) : 3;
	struct peak small, small10, big;
	struct rates b;
	char rep[560];

	if (argc < 3) {
		fprintf(stderr, "usage: bench_import LOG_SMALL LOG_BIG [RUNS]\n"
		    "       bench_import --rate LOG [RUNS]\n");
		return 2;
	}
	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	if (rate_only) {
		compare(argv[2], runs, 0, &b);
		printf("import %.2f M rows/s, raw insert of the same rows "
		    "%.2f M rows/s: ratio %.2f wall, %.2f CPU (%lld events, "
		    "%lld users, %lld items, %lld duplicates; best of %d)\n",
		    b.imp / 1e6, b.raw / 1e6, b.imp / b.raw,
		    b.imp_cpu / b.raw_cpu, (long long)b.rows,
		    (long long)b.r.new_users, (long long)b.r.new_items,
		    (long long)b.r.duplicates, runs);
		return cleanup();
	}
	compare(argv[2], runs, 1, &b);
	snprintf(rep, sizeof rep, "%s/small-x10.csv", tmpdir);
	repeat_blocks(argv[1], rep, 10);
	small = import_peak(argv[1]);
	small10 = import_peak(rep);
	unlink(rep);
	big = import_peak(argv[2]);
	printf("import of %lld rows, best of %d\n", (long long)b.rows, runs);
	printf("  whole import (parse, clean, insert): %.2f M rows/s"
	    " (per CPU second %.2f M)\n", b.imp / 1e6, b.imp_cpu / 1e6);
	printf("  raw insert of the same rows, same run: %.2f M rows/s"
	    " (per CPU second %.2f M)\n", b.raw / 1e6, b.raw_cpu / 1e6);
	printf("  ratio import/raw: %.2f wall, %.2f CPU (target >= 0.80)\n",
	    b.imp / b.raw, b.imp_cpu / b.raw_cpu);
	printf("  peak memory (target: does not grow with the rows):\n");
	print_peak("small file", &small, &small);
	print_peak("small, each user x10", &small10, &small);
	print_peak("big file (10x rows, more ids)", &big, &small);
	return cleanup();
}
