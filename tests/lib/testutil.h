/* testutil: what the C unit tests share: CHECK macros that count failures
 * and print the mismatch, the data folder (RECFUSE_DATA; skip with 77 when
 * it is missing, fail under CI=true), test inputs in the source tree, and a
 * scratch directory outside it, removed at exit. */
#ifndef RF_TESTUTIL_H
#define RF_TESTUTIL_H

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int tu_failures;

#define TU_FAIL(...) do { \
	fprintf(stderr, "%s:%d: ", __FILE__, __LINE__); \
	fprintf(stderr, __VA_ARGS__); \
	fputc('\n', stderr); \
	tu_failures++; \
} while (0)

#define CHECK(cond) do { \
	if (!(cond)) \
		TU_FAIL("CHECK failed: %s", #cond); \
} while (0)

#define CHECK_INT(got, want) do { \
	long long got_ = (long long)(got), want_ = (long long)(want); \
	if (got_ != want_) \
		TU_FAIL("%s = %lld, expected %lld", #got, got_, want_); \
} while (0)

#define CHECK_STR(got, want) do { \
	const char *got_ = (got), *want_ = (want); \
	if (got_ == NULL || want_ == NULL ? got_ != want_ : \
	    strcmp(got_, want_) != 0) \
		TU_FAIL("%s = \"%s\", expected \"%s\"", #got, \
		    got_ ? got_ : "(null)", want_ ? want_ : "(null)"); \
} while (0)

#define CHECK_CONTAINS(got, part) do { \
	const char *got_ = (got), *part_ = (part); \
	if (got_ == NULL || strstr(got_, part_) == NULL) \
		TU_FAIL("%s = \"%s\", expected it to contain \"%s\"", #got, \
		    got_ ? got_ : "(null)", part_); \
} while (0)

/* Paths are built in a ring of static buffers: fine for a test. */
static inline const char *
tu_join(const char *dir, const char *name)
{
	static char bufs[16][4096];
	static int next;
	char *b = bufs[next++ % 16];

	snprintf(b, sizeof bufs[0], "%s/%s", dir, name);
	return b;
}

/* The shared data folder, or exit 77 (skip); under CI=true a missing
 * folder is a failure. */
static inline const char *
tu_data_dir(const char *must_exist)
{
	const char *d = getenv("RECFUSE_DATA"), *top = getenv("top_srcdir");
	const char *ci = getenv("CI");
	struct stat sb;

	if (d == NULL || *d == '\0')
		d = tu_join(top ? top : ".", "../shared/data");
	if (stat(tu_join(d, must_exist), &sb) == 0)
		return d;
	if (ci != NULL && strcmp(ci, "true") == 0) {
		fprintf(stderr, "data file %s missing (CI=true): failing\n",
		    tu_join(d, must_exist));
		exit(1);
	}
	fprintf(stderr, "data file %s missing: skipping\n",
	    tu_join(d, must_exist));
	exit(77);
}

/* A file under tests/data in the source tree (read only). */
static inline const char *
tu_srcdata(const char *name)
{
	const char *top = getenv("top_srcdir");

	return tu_join(tu_join(top ? top : ".", "tests/data"), name);
}

static char tu_tmp[512];

static inline void
tu_cleanup(void)
{
	DIR *d;
	struct dirent *e;

	if (tu_tmp[0] == '\0' || getenv("RF_KEEP_TMP") != NULL)
		return;
	if ((d = opendir(tu_tmp)) != NULL) {
		while ((e = readdir(d)) != NULL)
			if (strcmp(e->d_name, ".") != 0 &&
			    strcmp(e->d_name, "..") != 0)
				unlink(tu_join(tu_tmp, e->d_name));
		closedir(d);
	}
	rmdir(tu_tmp);
}

/* A fresh directory under $TMPDIR (or /tmp), removed at exit. */
static inline const char *
tu_tempdir(void)
{
	const char *t = getenv("TMPDIR");

	if (tu_tmp[0] != '\0')
		return tu_tmp;
	snprintf(tu_tmp, sizeof tu_tmp, "%s/recfuse-test-XXXXXX",
	    t && *t ? t : "/tmp");
	if (mkdtemp(tu_tmp) == NULL) {
		perror("mkdtemp");
		exit(99);
	}
	atexit(tu_cleanup);
	return tu_tmp;
}

static inline int
tu_write_file(const char *path, const void *data, size_t n)
{
	FILE *f = fopen(path, "wb");

	if (f == NULL)
		return -1;
	if (fwrite(data, 1, n, f) != n) {
		fclose(f);
		return -1;
	}
	return fclose(f);
}

static inline int
tu_done(const char *name)
{
	if (tu_failures > 0) {
		fprintf(stderr, "%s: %d check(s) failed\n", name, tu_failures);
		return 1;
	}
	printf("%s: all checks passed\n", name);
	return 0;
}

#endif
