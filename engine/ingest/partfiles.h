/* partfiles: what a distributed job writes for one table (Spark's
 * DataFrame.write, Hadoop's output format): a directory of part-* files,
 * with _SUCCESS markers and .crc checksums beside them.  A path is that
 * directory or one plain file. */
#ifndef RF_INGEST_PARTFILES_H
#define RF_INGEST_PARTFILES_H

#include <stdint.h>

#include "engine/core/rf.h"

/* The files to read for path, in name order: path itself when it is a
 * file; in a directory its part-* files (or, when it has none, every file
 * whose name starts with neither '.' nor '_').  Compressed parts
 * (.gz, .snappy, ...) are refused by name.  *files (n of them) is
 * malloc'd; free with partfiles_free().  -1 + err when there is nothing
 * to read. */
int partfiles_list(const char *path, char ***files, int *n, rf_error *err);
void partfiles_free(char **files, int n);

/* How the rows of a table are read, line by line: a line that starts
 * with '{' by json (JSON lines), any other by text, which returns 1 for a
 * header (it is told the line is a file's first).  0 for a row, -1 + err
 * to stop. */
typedef struct partfiles_rows {
	int (*json)(void *ud, char *line, rf_error *err);
	int (*text)(void *ud, char *line, int first, rf_error *err);
	void *ud;
} partfiles_rows;

/* Every line of every file of path in order, NUL-ended and without its
 * newline (the callbacks may change it); blank lines are skipped.
 * *rows gets the rows read, *files the files.  -1 + err, the message
 * after "FILE:LINE: " when a callback stopped; a table without a row is
 * an error too. */
int partfiles_read_rows(const char *path, const partfiles_rows *how,
    int64_t *rows, int *files, rf_error *err);

#endif
