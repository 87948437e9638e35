/* sort: sorting of 64-bit keys (dataset build, sample generator), and
 * the one search of an ascending array of ids (a CSR row, a candidate
 * list, a user's relevant items). */
#ifndef RF_SORT_H
#define RF_SORT_H

#include <stdint.h>

/* Sort 64-bit keys ascending, in place: cheaper than qsort's indirect
 * calls for the sort keys the dataset and the sample generator build. */
void rf_sort_u64(uint64_t *a, int64_t n);

/* The position of x in the ascending a[0, n), or -1. */
static inline int64_t
rf_find_i32(const int32_t *a, int64_t n, int32_t x)
{
	int64_t lo = 0, hi = n;

	while (lo < hi) {
		int64_t mid = lo + (hi - lo) / 2;

		if (a[mid] < x)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && a[lo] == x ? lo : -1;
}

#endif
