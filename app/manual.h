/* manual: what recfuse says about itself: the --help text and the
 * recfuse(1) manual page, both from one table of options, the page's
 * commands from the command table (app/cmd/dispatch.c) and its models
 * from the registry, so that neither can drift from the program; and
 * --version with the versions of the libraries it runs on. */
#ifndef RF_MANUAL_H
#define RF_MANUAL_H

#include <stdio.h>

/* The short help of -h / --help. */
void manual_usage(FILE *f);

/* recfuse(1) in roff (man macros): `recfuse --man`, and the build writes
 * recfuse.1 with it. */
void manual_page(FILE *f);

/* "recfuse 0.1.0" and one line per linked library: SQLite, ncurses, GNU
 * Readline, OpenBLAS. */
void manual_version(FILE *f);

#endif
