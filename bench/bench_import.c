/* bench_import: the whole import of a generated Taobao-format log (parse,
 * clean, insert, index) against a raw SQLite insert loop with one prepared
 * statement into the same events table, measured in the same run; and the
 * import's peak memory at two file sizes (it must not grow with the file).
 *
 *   bench_import LOG_SMALL LOG_BIG [RUNS]
 *
 * LOG_BIG is the file timed (10 M rows in `make bench`); LOG_SMALL (a tenth
 * of it) only serves the memory comparison. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine/ingest.h"
#include "engine/rf.h"
#include "engine/store.h"

static char tmpdir[] = "/tmp/recfuse-bench.XXXXXX";

static store *
fresh_store(const char *name, rf_error *err)
{
	char path[512];

	snprintf(path, sizeof path, "%s/%s", tmpdir, name);
	unlink(path);
	return store_open(path, STORE_CREATE, err);
}

/* The baseline: rows as the generator makes them (grouped by user, about
 * 100 a user), bound as integers and inserted with one prepared statement
 * in one transaction: what any importer must at least pay. */
static double
raw_insert_rate(int64_t rows)
{
	rf_error err = { { 0 } };
	store *st = fresh_store("raw.db", &err);
	sqlite3_stmt *s;
	rf_rng rng;
	double t0, dt;

	if (st == NULL) {
		fprintf(stderr, "bench_import: %s\n", err.msg);
		exit(1);
	}
	rf_rng_seed(&rng, 1);
	t0 = rf_monotonic();
	store_begin(st, &err);
	sqlite3_prepare_v2(store_db(st), "INSERT INTO events(user_id, item_id, "
	    "behavior, value, ts, import_id) VALUES (?1, ?2, ?3, ?4, ?5, 1)",
	    -1, &s, NULL);
	for (int64_t r = 0; r < rows; r++) {
		int beh = 1 + (int)rf_rng_below(&rng, 4);

		sqlite3_bind_int64(s, 1, 1 + r / 100);
		sqlite3_bind_int64(s, 2, 1 + rf_rng_below(&rng, 1000000));
		sqlite3_bind_int64(s, 3, beh);
		sqlite3_bind_double(s, 4, beh);
		sqlite3_bind_int64(s, 5, 1511539200 + rf_rng_below(&rng, 777600));
		sqlite3_step(s);
		sqlite3_reset(s);
	}
	sqlite3_finalize(s);
	store_commit(st, &err);
	dt = rf_monotonic() - t0;
	store_close(st);
	return (double)rows / dt;
}

static double
import_rate(const char *log, int64_t *rows_out)
{
	rf_error err = { { 0 } };
	store *st = fresh_store("import.db", &err);
	ingest_opts o;
	ingest_result r;
	double t0, dt;

	if (st == NULL) {
		fprintf(stderr, "bench_import: %s\n", err.msg);
		exit(1);
	}
	ingest_opts_default(&o);
	o.format = FMT_TAOBAO;
	t0 = rf_monotonic();
	if (ingest_events(st, log, &o, &r, &err) < 0) {
		fprintf(stderr, "bench_import: %s\n", err.msg);
		exit(1);
	}
	dt = rf_monotonic() - t0;
	store_close(st);
	*rows_out = r.accepted;
	return (double)r.accepted / dt;
}

/* Peak resident memory (KiB) of a child that imports log into a new store. */
static long
import_peak_kib(const char *log)
{
	pid_t pid = fork();
	int status;
	struct rusage ru;

	if (pid == 0) {
		int64_t rows;

		import_rate(log, &rows);
		_exit(0);
	}
	if (pid < 0 || wait4(pid, &status, 0, &ru) < 0 || status != 0) {
		fprintf(stderr, "bench_import: child import failed\n");
		exit(1);
	}
	return ru.ru_maxrss;
}

int
main(int argc, char **argv)
{
	int runs = argc > 3 ? atoi(argv[3]) : 3;
	double best_raw = 0, best_imp = 0;
	int64_t rows = 0;
	long mem_small, mem_big;
	char cmd[600];

	if (argc < 3) {
		fprintf(stderr, "usage: bench_import LOG_SMALL LOG_BIG [RUNS]\n");
		return 2;
	}
	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	for (int i = 0; i < runs; i++) {
		double imp = import_rate(argv[2], &rows);
		double raw = raw_insert_rate(rows);

		if (imp > best_imp)
			best_imp = imp;
		if (raw > best_raw)
			best_raw = raw;
		printf("run %d: import %.2f M rows/s, raw insert %.2f M rows/s\n",
		    i + 1, imp / 1e6, raw / 1e6);
		fflush(stdout);
	}
	mem_small = import_peak_kib(argv[1]);
	mem_big = import_peak_kib(argv[2]);
	printf("import of %lld rows, best of %d\n", (long long)rows, runs);
	printf("  whole import (parse, clean, insert, index): %.2f M rows/s\n",
	    best_imp / 1e6);
	printf("  raw insert baseline, same run:              %.2f M rows/s\n",
	    best_raw / 1e6);
	printf("  ratio import/raw: %.2f (target >= 0.80, i.e. 1.8 of 2.25)\n",
	    best_imp / best_raw);
	printf("  peak memory: %.1f MiB (small file) vs %.1f MiB (10x file): "
	    "ratio %.2f (target ~1.0: must not grow with the file)\n",
	    mem_small / 1024.0, mem_big / 1024.0,
	    (double)mem_big / (double)mem_small);
	snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
	if (system(cmd) != 0)
		return 1;
	return 0;
}
