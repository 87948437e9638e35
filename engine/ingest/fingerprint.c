/* fingerprint: quick and content hashes of an input file (see
 * fingerprint.h). */
#include "engine/ingest/fingerprint.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/core/hash.h"

#define HASH_BLOCK	(1u << 20)	/* read size; cancel granularity */
#define QUICK_SPAN	(1u << 20)	/* head and tail in the quick hash */

int
fingerprint_whole(FILE *fp, const volatile int *cancel, const char *path,
    char hex[33], rf_error *err)
{
	rf_hash128 h;
	unsigned char *buf = malloc(HASH_BLOCK);
	size_t n;

	if (buf == NULL)
		return rf_fail(err, "%s: out of memory", path);
	rf_hash128_init(&h);
	while ((n = fread(buf, 1, HASH_BLOCK, fp)) > 0) {
		rf_hash128_update(&h, buf, n);
		if (cancel != NULL && *cancel) {
			free(buf);
			return rf_fail(err, "%s: import cancelled", path);
		}
	}
	free(buf);
	if (ferror(fp) || fseek(fp, 0, SEEK_SET) != 0)
		return rf_fail(err, "%s: read error: %s", path, strerror(errno));
	rf_hash128_hex(&h, hex);
	return 0;
}

static int
pread_all(int fd, unsigned char *p, size_t n, int64_t off)
{
	while (n > 0) {
		ssize_t k = pread(fd, p, n, (off_t)off);

		if (k <= 0)
			return -1;
		p += k;
		n -= (size_t)k;
		off += k;
	}
	return 0;
}

/*
 * The size and the first and last QUICK_SPAN bytes (the whole file when it
 * is shorter than two spans).  Equal contents have equal quick hashes, so
 * a file whose quick hash no earlier import has cannot be a re-import, and
 * the full content hash is then computed while importing instead of in a
 * pass of its own (which costs a second read of the file).
 */
int
fingerprint_quick(int fd, int64_t size, const char *path, char hex[33],
    rf_error *err)
{
	rf_hash128 h;
	unsigned char *buf, le[8];
	int64_t off[2] = { 0, size - QUICK_SPAN };
	size_t len[2] = { QUICK_SPAN, QUICK_SPAN };
	int i, rc = 0;

	if (size <= 2 * (int64_t)QUICK_SPAN) {
		len[0] = (size_t)size;
		len[1] = 0;
	}
	if ((buf = malloc(QUICK_SPAN * 2)) == NULL)
		return rf_fail(err, "%s: out of memory", path);
	rf_hash128_init(&h);
	for (i = 0; i < 8; i++)
		le[i] = (unsigned char)((uint64_t)size >> (8 * i));
	rf_hash128_update(&h, le, 8);
	for (i = 0; i < 2 && rc == 0; i++) {
		if (len[i] == 0)
			continue;
		if (pread_all(fd, buf, len[i], off[i]) < 0)
			rc = rf_fail(err, "%s: read error: %s", path,
			    errno ? strerror(errno) : "file shrank");
		else
			rf_hash128_update(&h, buf, len[i]);
	}
	free(buf);
	if (rc == 0)
		rf_hash128_hex(&h, hex);
	return rc;
}
