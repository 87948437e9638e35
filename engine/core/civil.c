/* civil: calendar arithmetic and UTC date-time text (see civil.h). */
#include "engine/core/civil.h"

#include <inttypes.h>
#include <stdio.h>
#include <strings.h>
#include <time.h>

int64_t
civil_floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;

	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/* Eras of 400 years (146097 days) with March-based years put the leap day
 * last, so no table is needed. */
int64_t
civil_days_from_date(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = civil_floor_div(y, 400);
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void
civil_date_from_days(int64_t z, int64_t *y, int *m, int *d)
{
	int64_t era, doe, yoe, doy, mp;

	z += 719468;
	era = civil_floor_div(z, 146097);
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

int
civil_days_in_month(int64_t y, int m)
{
	static const int dm[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
		30, 31 };
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	if (m < 1 || m > 12)
		return 0;
	return m == 2 && leap ? 29 : dm[m - 1];
}

/* Exactly n digits at *p; advances *p. */
static int
take_digits(const char **p, const char *end, int n, int *out)
{
	int v = 0, i;

	if (end - *p < n)
		return -1;
	for (i = 0; i < n; i++) {
		unsigned d = (unsigned)((*p)[i] - '0');

		if (d > 9)
			return -1;
		v = v * 10 + (int)d;
	}
	*p += n;
	*out = v;
	return 0;
}

static int
take_time_of_day(const char **pp, const char *end, int *hh, int *mi, int *ss)
{
	const char *p = *pp;

	if (take_digits(&p, end, 2, hh) < 0)
		return -1;
	if (p < end && *p == ':') {
		p++;
		if (take_digits(&p, end, 2, mi) < 0)
			return -1;
		if (p < end && *p == ':') {
			p++;
			if (take_digits(&p, end, 2, ss) < 0)
				return -1;
			if (p < end && *p == '.') {	/* fraction: ignored */
				for (p++; p < end && (unsigned)(*p - '0') <= 9;
				    p++)
					;
			}
		}
	}
	*pp = p;
	return 0;
}

int
civil_parse_datetime(const char *p, size_t n, int64_t *out)
{
	const char *end = p + n;
	int y, mo, d, hh = 0, mi = 0, ss = 0;

	if (take_digits(&p, end, 4, &y) < 0 || p >= end || *p++ != '-' ||
	    take_digits(&p, end, 2, &mo) < 0 || p >= end || *p++ != '-' ||
	    take_digits(&p, end, 2, &d) < 0)
		return -1;
	if (p < end && (*p == ' ' || *p == 'T') && end - p >= 3 &&
	    (unsigned)(p[1] - '0') <= 9) {
		p++;
		if (take_time_of_day(&p, end, &hh, &mi, &ss) < 0)
			return -1;
	}
	if (end - p == 4 && strncasecmp(p, " UTC", 4) == 0)
		p = end;
	else if (end - p == 1 && (*p == 'Z' || *p == 'z'))
		p = end;
	if (p != end || mo < 1 || mo > 12 || d < 1 ||
	    d > civil_days_in_month(y, mo) || hh > 23 || mi > 59 || ss > 60)
		return -1;
	*out = civil_days_from_date(y, mo, d) * 86400 + hh * 3600 + mi * 60 +
	    ss;
	return 0;
}

void
civil_format_utc(int64_t ts, char *buf, size_t n)
{
	time_t tt = (time_t)ts;
	struct tm tm;

	if ((int64_t)tt != ts || gmtime_r(&tt, &tm) == NULL)
		snprintf(buf, n, "%" PRId64, ts);
	else
		strftime(buf, n, "%Y-%m-%d %H:%M:%S", &tm);
}

void
civil_format_day(int64_t days, char *buf, size_t n)
{
	int64_t y;
	int m, d;

	civil_date_from_days(days, &y, &m, &d);
	snprintf(buf, n, "%04" PRId64 "-%02d-%02d", y, m, d);
}
