/* civil: calendar arithmetic on the proleptic Gregorian calendar (days
 * since 1970-01-01, H. Hinnant's "chrono-compatible low-level date
 * algorithms"), UTC date-time text both ways.  No time zones, no locale. */
#ifndef RF_CIVIL_H
#define RF_CIVIL_H

#include <stddef.h>
#include <stdint.h>

/* a / b rounded toward minus infinity (b > 0). */
int64_t civil_floor_div(int64_t a, int64_t b);
/* Days since 1970-01-01 of y-m-d, and back. */
int64_t civil_days_from_date(int64_t y, int m, int d);
void civil_date_from_days(int64_t days, int64_t *y, int *m, int *d);
int civil_days_in_month(int64_t y, int m);

/* 'YYYY-MM-DD[( |T)HH[:MM[:SS[.fff]]]][ UTC|Z]' (n bytes, read as UTC)
 * into unix seconds; -1 when it is not such a date or not a real one. */
int civil_parse_datetime(const char *p, size_t n, int64_t *out);
/* "YYYY-MM-DD HH:MM:SS" (UTC) of unix seconds, or the number itself when
 * out of the calendar's range. */
void civil_format_utc(int64_t ts, char *buf, size_t n);
/* "YYYY-MM-DD" of a day number. */
void civil_format_day(int64_t days, char *buf, size_t n);

#endif
