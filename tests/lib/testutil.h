/* testutil: the files of the C unit tests: inputs under tests/data in the
 * source tree, a scratch directory outside it (removed at exit), paths
 * and small files.  The checks come from check.h. */
#ifndef RF_TESTUTIL_H
#define RF_TESTUTIL_H

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/lib/check.h"

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
		CHECK_FAIL("mkdtemp %s: %s", tu_tmp, strerror(errno));
		exit(check_done());
	}
	/* The exit guard first: exit handlers run last in, first out, so
	 * the clean-up runs before it. */
	check_arm();
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

#endif
