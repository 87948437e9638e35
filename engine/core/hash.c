/* hash: FNV-1a (see hash.h). */
#include "engine/core/hash.h"

uint64_t
rf_fnv1a(uint64_t h, const void *p, size_t n)
{
	const unsigned char *s = p;

	while (n-- > 0) {
		h ^= *s++;
		h *= 0x100000001b3ULL;
	}
	return h;
}
