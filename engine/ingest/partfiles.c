/* partfiles: the files of one table written by a distributed job (see
 * partfiles.h). */
#include "engine/ingest/partfiles.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "engine/ingest/ingest.h"
#include "engine/ingest/reader.h"

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
ends_with(const char *s, const char *tail)
{
	size_t n = strlen(s), m = strlen(tail);

	return n >= m && strcmp(s + n - m, tail) == 0;
}

/* Compressed by a codec this reader does not undo. */
static int
compressed(const char *name)
{
	static const char *const tails[] = { ".gz", ".bz2", ".snappy",
	    ".lz4", ".zst", ".deflate", ".parquet", ".orc", NULL };

	for (int k = 0; tails[k] != NULL; k++)
		if (ends_with(name, tails[k]))
			return 1;
	return 0;
}

void
partfiles_free(char **files, int n)
{
	for (int k = 0; k < n; k++)
		free(files[k]);
	free(files);
}

/* Add dir/name to the list; -1 out of memory. */
static int
add_file(char ***files, int *n, int *cap, const char *dir, const char *name)
{
	size_t len = strlen(dir) + strlen(name) + 2;
	char *path = malloc(len);

	if (path == NULL)
		return -1;
	snprintf(path, len, "%s/%s", dir, name);
	if (*n == *cap) {
		int c = *cap ? *cap * 2 : 16;
		char **p = realloc(*files, (size_t)c * sizeof *p);

		if (p == NULL) {
			free(path);
			return -1;
		}
		*files = p;
		*cap = c;
	}
	(*files)[(*n)++] = path;
	return 0;
}

/* The regular files of dir (part-* ones only when parts_only), by name;
 * hidden ones, _SUCCESS and .crc checksums left out. */
static int
scan_dir(const char *dir, int parts_only, char ***files, int *n,
    rf_error *err)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int cap = 0;

	if (d == NULL)
		return rf_fail(err, "%s: cannot open: %s", dir,
		    strerror(errno));
	while ((de = readdir(d)) != NULL) {
		const char *name = de->d_name;
		char path[4096];
		struct stat sb;

		if (name[0] == '.' || name[0] == '_' || ends_with(name, ".crc"))
			continue;
		if (parts_only && strncmp(name, "part-", 5) != 0)
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, name);
		if (stat(path, &sb) < 0 || !S_ISREG(sb.st_mode))
			continue;
		if (compressed(name)) {
			closedir(d);
			partfiles_free(*files, *n);
			*files = NULL;
			*n = 0;
			return rf_fail(err, "%s: compressed (write it with "
			    "option(\"compression\", \"none\"))", path);
		}
		if (add_file(files, n, &cap, dir, name) < 0) {
			closedir(d);
			partfiles_free(*files, *n);
			*files = NULL;
			*n = 0;
			return rf_fail(err, "out of memory");
		}
	}
	closedir(d);
	qsort(*files, (size_t)*n, sizeof **files, name_cmp);
	return 0;
}

int
partfiles_list(const char *path, char ***files, int *n, rf_error *err)
{
	struct stat sb;

	*files = NULL;
	*n = 0;
	if (stat(path, &sb) < 0)
		return rf_fail(err, "%s: %s", path, strerror(errno));
	if (!S_ISDIR(sb.st_mode)) {
		if ((*files = malloc(sizeof **files)) == NULL ||
		    ((*files)[0] = strdup(path)) == NULL) {
			free(*files);
			*files = NULL;
			return rf_fail(err, "out of memory");
		}
		*n = 1;
		return 0;
	}
	if (scan_dir(path, 1, files, n, err) < 0)
		return -1;
	if (*n == 0 && scan_dir(path, 0, files, n, err) < 0)
		return -1;
	if (*n == 0)
		return rf_fail(err, "%s: no part files (nor any other) in the "
		    "directory", path);
	return 0;
}

/* The lines of one file through how. */
static int
rows_of(const char *file, const partfiles_rows *how, char *copy,
    int64_t *rows, rf_error *err)
{
	FILE *fp = fopen(file, "rb");
	ingest_opts o;
	int64_t progress = 0;
	reader r;
	line l;
	int rc, stopped = 0;

	if (fp == NULL)
		return rf_fail(err, "%s: cannot open: %s", file,
		    strerror(errno));
	memset(&o, 0, sizeof o);	/* no progress, no cancelling */
	if (reader_init(&r, fp, 0, &o, &progress) < 0) {
		fclose(fp);
		reader_free(&r);
		return rf_fail(err, "%s: read error", file);
	}
	while ((rc = reader_next(&r, &l)) == 1) {
		size_t n = l.n;
		char *text;

		if (n > 0 && l.p[n - 1] == '\r')
			n--;
		if (l.flags & LINE_TOO_LONG) {
			stopped = rf_fail(err, "%s:%lld: longer than %d bytes",
			    file, (long long)l.no, INGEST_MAX_LINE);
			break;
		}
		if (memchr(l.p, '\0', n) != NULL) {
			stopped = rf_fail(err, "%s:%lld: a NUL byte (a binary "
			    "file?)", file, (long long)l.no);
			break;
		}
		memcpy(copy, l.p, n);
		copy[n] = '\0';
		text = copy + strspn(copy, " \t");
		if (*text == '\0')
			continue;
		rc = *text == '{' ? how->json(how->ud, copy, err) :
		    how->text(how->ud, copy, l.no == 1, err);
		if (rc < 0) {
			char msg[sizeof err->msg];

			snprintf(msg, sizeof msg, "%s", err->msg);
			stopped = rf_fail(err, "%s:%lld: %s", file,
			    (long long)l.no, msg);
			break;
		}
		*rows += rc == 0;
	}
	if (!stopped && (rc == READ_ERROR || rc == READ_CANCELLED))
		stopped = rf_fail(err, "%s: read error", file);
	reader_free(&r);
	fclose(fp);
	return stopped;
}

int
partfiles_read_rows(const char *path, const partfiles_rows *how,
    int64_t *rows, int *files, rf_error *err)
{
	char **list, *copy;
	int n, rc = 0;

	*rows = 0;
	*files = 0;
	if (partfiles_list(path, &list, &n, err) < 0)
		return -1;
	if ((copy = malloc(INGEST_MAX_LINE + 1)) == NULL) {
		partfiles_free(list, n);
		return rf_fail(err, "out of memory");
	}
	for (int k = 0; k < n && rc == 0; k++) {
		rc = rows_of(list[k], how, copy, rows, err);
		(*files)++;
	}
	free(copy);
	partfiles_free(list, n);
	if (rc == 0 && *rows == 0)
		return rf_fail(err, "%s: no rows", path);
	return rc;
}
