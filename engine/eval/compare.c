/* compare: paired differences of per-user metrics (see compare.h). */
#include "engine/eval/compare.h"

#include <math.h>
#include <stdio.h>

double
student_t95(int64_t df)
{
	/* Exact table for small samples, then the Cornish-Fisher expansion
	 * around the normal quantile (Abramowitz & Stegun 26.7.5), within
	 * 1e-3 from df = 30 on. */
	static const double small[] = { NAN, 12.706, 4.303, 3.182, 2.776,
		2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179,
		2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
		2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048,
		2.045, 2.042 };
	double z = 1.959963985, z3, z5, d;

	if (df < 1)
		return NAN;
	if (df <= 30)
		return small[df];
	z3 = z * z * z;
	z5 = z3 * z * z;
	d = (double)df;
	return z + (z3 + z) / (4 * d) + (5 * z5 + 16 * z3 + 3 * z) /
	    (96 * d * d);
}

void
paired_compare(const double *a, const double *b, const uint8_t *use,
    int64_t n, paired_diff *out)
{
	double sa = 0, sb = 0, sd = 0, sdd = 0, t;
	int64_t k = 0;

	for (int64_t u = 0; u < n; u++) {
		double d;

		if ((use != NULL && !use[u]) || isnan(a[u]) || isnan(b[u]))
			continue;
		d = a[u] - b[u];
		sa += a[u];
		sb += b[u];
		sd += d;
		sdd += d * d;
		k++;
	}
	out->n = k;
	out->a = k ? sa / k : NAN;
	out->b = k ? sb / k : NAN;
	out->mean = k ? sd / k : NAN;
	if (k < 2) {
		out->se = out->lo = out->hi = NAN;
		return;
	}
	/* The sample variance of the differences, kept >= 0 against
	 * rounding. */
	t = (sdd - k * out->mean * out->mean) / (double)(k - 1);
	out->se = sqrt(t > 0 ? t : 0) / sqrt((double)k);
	t = student_t95(k - 1);
	out->lo = out->mean - t * out->se;
	out->hi = out->mean + t * out->se;
}

void
paired_format(const paired_diff *d, char *buf, size_t n)
{
	if (d->n < 2 || isnan(d->lo))
		snprintf(buf, n, "%+.4f over %lld user%s", d->mean,
		    (long long)d->n, d->n == 1 ? "" : "s");
	else
		snprintf(buf, n, "%+.4f [%+.4f, %+.4f] over %lld users",
		    d->mean, d->lo, d->hi, (long long)d->n);
}
