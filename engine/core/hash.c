/* hash: FNV-1a and the 128-bit stream hash (see hash.h). */
#include "engine/core/hash.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

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

/* Little-endian load whatever the host; compilers turn it into one load. */
static uint64_t
load64le(const unsigned char *p)
{
	return (uint64_t)p[0] | (uint64_t)p[1] << 8 | (uint64_t)p[2] << 16 |
	    (uint64_t)p[3] << 24 | (uint64_t)p[4] << 32 | (uint64_t)p[5] << 40 |
	    (uint64_t)p[6] << 48 | (uint64_t)p[7] << 56;
}

/*
 * Four independent 64-bit lanes over 32-byte stripes, each lane a
 * multiply-rotate-multiply round, so the CPU overlaps the multiplies
 * (several GB/s); the lanes fold into two differently mixed 64-bit halves.
 */
void
rf_hash128_init(rf_hash128 *h)
{
	h->v[0] = RF_HASH_P1 + RF_HASH_P2;
	h->v[1] = RF_HASH_P2;
	h->v[2] = 0;
	h->v[3] = 0 - RF_HASH_P1;
	h->nstash = 0;
	h->total = 0;
}

static uint64_t
hash128_round(uint64_t acc, uint64_t w)
{
	return rf_rotl64(acc + w * RF_HASH_P2, 31) * RF_HASH_P1;
}

static void
hash128_stripe(rf_hash128 *h, const unsigned char *p)
{
	h->v[0] = hash128_round(h->v[0], load64le(p));
	h->v[1] = hash128_round(h->v[1], load64le(p + 8));
	h->v[2] = hash128_round(h->v[2], load64le(p + 16));
	h->v[3] = hash128_round(h->v[3], load64le(p + 24));
}

void
rf_hash128_update(rf_hash128 *h, const void *data, size_t n)
{
	const unsigned char *p = data;

	h->total += n;
	if (h->nstash > 0) {
		size_t take = 32 - h->nstash < n ? 32 - h->nstash : n;

		memcpy(h->stash + h->nstash, p, take);
		h->nstash += take;
		p += take;
		n -= take;
		if (h->nstash < 32)
			return;
		hash128_stripe(h, h->stash);
		h->nstash = 0;
	}
	for (; n >= 32; p += 32, n -= 32)
		hash128_stripe(h, p);
	memcpy(h->stash, p, n);
	h->nstash = n;
}

void
rf_hash128_hex(const rf_hash128 *h, char hex[33])
{
	const uint64_t P1 = RF_HASH_P1, P2 = RF_HASH_P2, P3 = RF_HASH_P3;
	uint64_t a, b;
	size_t i;

	a = rf_rotl64(h->v[0], 1) + rf_rotl64(h->v[1], 7) +
	    rf_rotl64(h->v[2], 12) + rf_rotl64(h->v[3], 18);
	b = (h->v[0] * P3) ^ rf_rotl64(h->v[1] * P1, 17) ^
	    rf_rotl64(h->v[2] * P2, 33) ^ rf_rotl64(h->v[3] * P3, 47);
	for (i = 0; i < h->nstash; i++) {
		a = rf_rotl64(a ^ (h->stash[i] * P1), 11) * P2;
		b = rf_rotl64(b ^ (h->stash[i] * P2), 23) * P3;
	}
	a = rf_mix64(a ^ h->total);
	b = rf_mix64(b + a + h->total * P1);
	snprintf(hex, 33, "%016" PRIx64 "%016" PRIx64, a, b);
}
