/* fuzz_ingest: the whole importer (engine/ingest into an in-memory store:
 * sniffing, parsing, cleaning, rejects, id dictionaries, duplicates, the
 * transaction) on arbitrary bytes written to a file; events or item
 * metadata, format and options from the first byte (tests/fuzz/fuzz.h).
 * Every import either commits or fails with a message, and the store
 * stays consistent. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "engine/store/store.h"
#include "tests/fuzz/fuzz.h"

/* The store is made again after this many imports, to bound its size. */
#define FUZZ_STORE_IMPORTS 500

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static store *st;
	static int imports;
	static char path[512];
	ingest_opts o;
	ingest_result res;
	rf_error err = { { 0 } };
	FILE *f;
	int kind, rc;

	if (size < 1)
		return 0;
	if (path[0] == '\0')
		snprintf(path, sizeof path, "%s/fuzz_ingest_%ld.txt",
		    getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp",
		    (long)getpid());
	if (st == NULL || imports++ == FUZZ_STORE_IMPORTS) {
		store_close(st);
		imports = 0;
		if ((st = store_open(":memory:", STORE_CREATE, &err)) == NULL)
			abort();
	}
	fuzz_import_options(data[0], &o, &kind);
	if ((f = fopen(path, "wb")) == NULL)
		abort();
	if (fwrite(data + 1, 1, size - 1, f) != size - 1 || fclose(f) != 0)
		abort();
	rc = kind ? ingest_items(st, path, &o, &res, &err) :
	    ingest_events(st, path, &o, &res, &err);
	/* A failure says why; a success counts every row it read. */
	if (rc < 0 && err.msg[0] == '\0')
		abort();
	if (rc == 0 && res.rows_read != res.accepted + res.rejected +
	    res.duplicates)
		abort();
	unlink(path);
	return 0;
}
