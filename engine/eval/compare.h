/* compare: is one ranking really better than another?  The mean per-user
 * difference of a metric between two systems ranked for the same users,
 * with a 95% confidence interval from the paired t statistic over users
 * (users are the independent units; the pairing removes how hard each
 * user is). */
#ifndef RF_EVAL_COMPARE_H
#define RF_EVAL_COMPARE_H

#include <stddef.h>
#include <stdint.h>

typedef struct paired_diff {
	int64_t n;		/* users compared */
	double a, b;		/* the two means */
	double mean;		/* mean of a_u - b_u (= a - b) */
	double lo, hi;		/* 95% interval of the mean difference */
	double se;		/* its standard error */
} paired_diff;

/* a[u] - b[u] over the users with use[u] (use NULL: all; NAN values are
 * left out of both); n < 2 gives an interval of NAN. */
void paired_compare(const double *a, const double *b, const uint8_t *use,
    int64_t n, paired_diff *out);

/* The two-sided 95% quantile of Student's t with df degrees of freedom
 * (1.96 for large df). */
double student_t95(int64_t df);

/* "+0.0061 [+0.0012, +0.0110] over 943 users" into buf. */
void paired_format(const paired_diff *d, char *buf, size_t n);

#endif
