/* sort: sorting of 64-bit keys (dataset build, sample generator). */
#ifndef RF_SORT_H
#define RF_SORT_H

#include <stdint.h>

/* Sort 64-bit keys ascending, in place: cheaper than qsort's indirect
 * calls for the sort keys the dataset and the sample generator build. */
void rf_sort_u64(uint64_t *a, int64_t n);

#endif
