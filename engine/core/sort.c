/* sort: an in-place sort of 64-bit keys (see sort.h). */
#include "engine/core/sort.h"

/* Quicksort with median of three (recursing on the smaller side, so the
 * stack stays O(log n)) and an insertion sort for short runs. */
void
rf_sort_u64(uint64_t *a, int64_t n)
{
	while (n > 24) {
		uint64_t x = a[0], y = a[n / 2], z = a[n - 1], pivot, t;
		int64_t i = 0, j = n - 1;

		pivot = x < y ? (y < z ? y : (x < z ? z : x)) :
		    (x < z ? x : (y < z ? z : y));
		for (;;) {
			while (a[i] < pivot)
				i++;
			while (a[j] > pivot)
				j--;
			if (i >= j)
				break;
			t = a[i];
			a[i] = a[j];
			a[j] = t;
			i++;
			j--;
		}
		/* Recurse on the smaller side, loop on the larger. */
		if (j + 1 < n - (j + 1)) {
			rf_sort_u64(a, j + 1);
			a += j + 1;
			n -= j + 1;
		} else {
			rf_sort_u64(a + j + 1, n - (j + 1));
			n = j + 1;
		}
	}
	for (int64_t i = 1; i < n; i++) {
		uint64_t v = a[i];
		int64_t j = i;

		while (j > 0 && a[j - 1] > v) {
			a[j] = a[j - 1];
			j--;
		}
		a[j] = v;
	}
}
