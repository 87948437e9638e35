/* test_blob: a load's reader gives back the pages of the saved bytes it
 * has passed (blob_release_behind()), and reads the same bytes as one
 * that keeps them.  Residency is read back with mincore(). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "engine/models/blob.h"
#include "tests/lib/check.h"

#define MB ((size_t)1 << 20)

/* Resident pages of the whole pages in [p, p + n). */
static size_t
resident(const void *p, size_t n, size_t *pages)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	uintptr_t lo = ((uintptr_t)p + page - 1) & ~(uintptr_t)(page - 1);
	uintptr_t hi = ((uintptr_t)p + n) & ~(uintptr_t)(page - 1);
	size_t np = hi > lo ? (hi - lo) / page : 0, in = 0;
	unsigned char *vec = malloc(np ? np : 1);

	*pages = np;
	if (vec == NULL || (np > 0 && mincore((void *)lo, hi - lo, vec) < 0)) {
		free(vec);
		return (size_t)-1;
	}
	for (size_t k = 0; k < np; k++)
		in += vec[k] & 1;
	free(vec);
	return in;
}

/* Read len bytes of a pattern in three gets (a header, most, the rest)
 * or as padded rows; 0 when what was read is the pattern. */
static int
read_back(const uint32_t *src, size_t len, int release, int rows)
{
	uint32_t *dst = malloc(len + 64);
	blob_reader r;
	rf_error err;
	size_t n = len / sizeof *src, head = 25, bad = 0;

	if (dst == NULL)
		return -1;
	if (release)
		blob_release_behind(src, len);
	CHECK(blob_reader_init(&r, "test", src, len, NULL, 0, &err) == 0);
	CHECK(blob_get(&r, dst, head * sizeof *dst) == 0);
	if (rows) {
		/* rows of 7 floats kept every 8 (what factor tables do) */
		size_t nr = (n - head) / 7;
		float *a = malloc(nr * 8 * sizeof *a);

		CHECK(a != NULL && blob_get_rows(&r, a, nr, 7, 8) == 0);
		for (size_t i = 0; a != NULL && i < nr; i++)
			memcpy(dst + head + i * 7, a + i * 8, 7 * sizeof *a);
		free(a);
		CHECK(blob_get(&r, dst + head + nr * 7,
		    (n - head - nr * 7) * sizeof *dst) == 0);
	} else {
		CHECK(blob_get(&r, dst + head, (n - head) / 2 * sizeof *dst)
		    == 0);
		CHECK(blob_get(&r, dst + head + (n - head) / 2,
		    (n - head - (n - head) / 2) * sizeof *dst) == 0);
	}
	CHECK_EQ(r.left, 0);
	/* past the end: an error, not a read */
	CHECK(blob_get(&r, dst, 4) < 0);
	if (release)
		blob_release_behind(NULL, 0);
	for (size_t k = 0; k < n; k++)
		bad += dst[k] != (uint32_t)(k * 2654435761u);
	CHECK_EQ(bad, 0);
	free(dst);
	return bad != 0;
}

static uint32_t *
pattern(size_t len)
{
	uint32_t *src = malloc(len);

	for (size_t k = 0; src != NULL && k < len / sizeof *src; k++)
		src[k] = (uint32_t)(k * 2654435761u);
	return src;
}

int
main(void)
{
	size_t len = 128 * MB, pages, in;
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	uint32_t *src;

	for (int rows = 0; rows <= 1; rows++) {
		/* kept: every page stays */
		if ((src = pattern(len)) == NULL) {
			CHECK_FAIL("out of memory");
			return check_done();
		}
		read_back(src, len, 0, rows);
		in = resident(src, len, &pages);
		CHECK_EQ(in, pages);
		free(src);

		/* given back behind the reader: all but at most the last
		 * step (32 MB) and the partial pages */
		if ((src = pattern(len)) == NULL) {
			CHECK_FAIL("out of memory");
			return check_done();
		}
		read_back(src, len, 1, rows);
		in = resident(src, len, &pages);
		printf("%s: %zu of %zu pages of a read 128 MB buffer still "
		    "held\n", rows ? "padded rows" : "gets", in, pages);
		CHECK(in != (size_t)-1);
		CHECK(in <= 32 * MB / page + 2);
		CHECK(in < pages / 2);
		/* the buffer is still the caller's to free */
		free(src);
	}
	/* an unregistered buffer beside a registered one is left alone */
	if ((src = pattern(len)) != NULL) {
		uint32_t *other = pattern(4 * MB);

		blob_release_behind(other, 4 * MB);
		read_back(src, len, 0, 0);
		blob_release_behind(NULL, 0);
		in = resident(src, len, &pages);
		CHECK_EQ(in, pages);
		free(other);
		free(src);
	}
	return check_done();
}
